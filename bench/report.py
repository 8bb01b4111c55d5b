#!/usr/bin/env python3
"""Turn bench/run's results.tsv into the Markdown tables of docs/performance.md.

  python3 bench/report.py results.tsv
"""
import statistics
import sys
from collections import defaultdict

MIXES = ["referral", "auth", "nxdomain"]
SIGNED_MIXES = ["signed-referral-insecure", "signed-referral-secure", "signed-nxdomain"]
# glued-signs: the signed phase only, glued serving the unsigned zone it signs at load.
SERVERS = ["glued", "glued-base", "glued-signs", "nsd", "knot", "echo"]
LABELS = {"glued": "glued", "glued-base": "previous build", "glued-signs": "glued-signs", "nsd": "NSD",
          "knot": "Knot", "echo": "ceiling (echo)"}
# The signed phase's ratios: (server, against): glued against each of the
# others, and glued signing at load against glued serving the pre-signed
# zone (the same answers) and against NSD and Knot.
SIGNED_PAIRS = [("glued", "glued-base"), ("glued", "nsd"), ("glued", "knot"),
                ("glued-signs", "glued"), ("glued-signs", "nsd"), ("glued-signs", "knot")]


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec="{:.0f}"):
    return "-" if x is None else spec.format(x)


def lat(x):
    # loadgen's histogram ends at 200 ms: the top bucket means "at least".
    return "-" if x is None else (">=200000" if x >= 200000 else f"{x:.0f}")


def ratio(a, b):
    return a / b if a is not None and b else None


def main(path):
    runs = defaultdict(dict)   # (phase, mix, server) -> {round: kv}
    load1 = {}
    zl = []
    szl = []
    check = {}      # (tag, server) -> (verdict, message) from bench/signcheck
    signgen = []
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if f[0] in ("single", "scale2", "signed"):
            kv = dict(p.split("=", 1) for p in f[4].split())
            kv = {k: float(v) for k, v in kv.items()}
            runs[(f[0], f[2], f[3])][int(f[1])] = kv
        elif f[0] == "load1":
            load1[f[1]] = (f[2], f[3])
        elif f[0] == "zoneload":
            zl.append(f[1:])
        elif f[0] == "szoneload":
            szl.append(f[1:])
        elif f[0] in ("signcheck", "signcheck-load"):
            check[(f[0], f[1])] = (f[2], f[3] if len(f) > 3 else "")
        elif f[0] == "signgen":
            signgen.append(f[1:])

    # A run where the generator itself was starved by other work on the
    # machine (its measured interval is off by more than 10 % from the
    # median, or nothing was answered) says nothing about the server: drop
    # the whole (phase, round, mix) group so that ratios stay like for like.
    excluded = set()
    for phase in ("single", "scale2", "signed"):
        allsecs = [kv["secs"] for k, d in runs.items() if k[0] == phase for kv in d.values()]
        if not allsecs:
            continue
        ms = statistics.median(allsecs)
        for (ph, mix, srv), d in runs.items():
            for r, kv in d.items():
                if ph == phase and (abs(kv["secs"] - ms) > 0.1 * ms or kv["recv"] == 0):
                    excluded.add((ph, r, mix))
    for (ph, mix, srv), d in runs.items():
        for r in [r for r in d if (ph, r, mix) in excluded]:
            del d[r]

    def series(phase, mix, srv, key):
        d = runs.get((phase, mix, srv), {})
        return {r: kv[key] for r, kv in d.items()}

    def medof(phase, mix, srv, key):
        return med(series(phase, mix, srv, key).values())

    out = []
    if excluded:
        out.append("Runs dropped because the load generator itself was starved by other work on the machine "
                   "(measured interval off by more than 10 %, or no answers): "
                   + ", ".join(f"{ph} round {r} {mix}" for ph, r, mix in sorted(excluded)) + ".\n")
    servers = [s for s in SERVERS if any(k[2] == s and k[0] == "single" for k in runs)]
    rounds = sorted({r for k, d in runs.items() if k[0] == "single" for r in d})
    targets = []
    eff_rows = []

    if rounds:
        out.append(f"### One worker each, server on one CPU, generator on the other (median of {len(rounds)} rounds)\n")
        out.append("| mix | server | q/s | server CPU us/query | p50 us | p99 us | lost (all rounds) | answers: NOERROR / NXDOMAIN / other rcode, AA, TC (% of all rounds) |")
        out.append("|---|---|---:|---:|---:|---:|---:|---|")
        for mix in MIXES:
            for s in servers:
                d = runs.get(("single", mix, s))
                if not d:
                    continue
                tot = sum(kv["recv"] for kv in d.values()) or 1
                pct = lambda k: 100.0 * sum(kv[k] for kv in d.values()) / tot
                other = 100.0 - pct("noerror") - pct("nxdomain")
                shape = "-" if s == "echo" else (
                    f"{pct('noerror'):.0f} / {pct('nxdomain'):.0f} / {other:.0f}, AA {pct('aa'):.0f}, TC {pct('tc'):.0f}")
                out.append(
                    f"| {mix} | {s} | {fmt(medof('single', mix, s, 'qps'))} | "
                    f"{fmt(medof('single', mix, s, 'cpu_us'), '{:.2f}')} | "
                    f"{lat(medof('single', mix, s, 'p50_us'))} | {lat(medof('single', mix, s, 'p99_us'))} | "
                    f"{sum(int(kv['lost']) for kv in d.values())} | {shape} |")
        out.append("")

        out.append("### Ratios of q/s per round (same round, same mix)\n")
        out.append("| mix | ratio | " + " | ".join(f"round {r}" for r in rounds) + " | median |")  # '-': round dropped
        out.append("|---|---|" + "---:|" * (len(rounds) + 1))
        for mix in MIXES:
            g = series("single", mix, "glued", "qps")
            for other in ("glued-base", "nsd", "knot", "echo"):
                o = series("single", mix, other, "qps")
                if not o:
                    continue
                rs = [ratio(g.get(r), o.get(r)) for r in rounds]
                m = med(rs)
                label = f"glued/{LABELS[other]}"
                out.append(f"| {mix} | {label} | " + " | ".join(fmt(x, "{:.2f}") for x in rs) + f" | **{fmt(m, '{:.2f}')}** |")
                gc, oc = series("single", mix, "glued", "cpu_us"), series("single", mix, other, "cpu_us")
                cs = [ratio(oc.get(r), gc.get(r)) for r in rounds]
                if other == "glued-base":
                    targets.append((f"{mix} q/s within 3 % of the previous build", m, m is not None and m >= 0.97))
                    targets.append((f"{mix} CPU per query within 3 % of the previous build", med(cs),
                                    med(cs) is not None and med(cs) >= 0.97))
                eff_rows.append(f"| {mix} | {label.replace('glued/', '').replace(' (echo)', '')} us / glued us | "
                                + " | ".join(fmt(x, "{:.2f}") for x in cs) + f" | **{fmt(med(cs), '{:.2f}')}** |")
                if mix == "referral" and other == "nsd":
                    targets.append(("referral q/s >= 1.5x NSD", m, m is not None and m >= 1.5))
                if mix == "referral" and other == "echo":
                    targets.append(("referral q/s >= 0.75x echo ceiling", m, m is not None and m >= 0.75))
                if mix != "referral" and other in ("nsd", "knot"):
                    targets.append((f"{mix} q/s >= 1.2x {'NSD' if other == 'nsd' else 'Knot'}", m, m is not None and m >= 1.2))
        out.append("")
        out.append("### Server CPU time per query, ratios per round (above 1: glued spends less CPU per query)\n")
        out.append("Less sensitive than q/s to other work on the machine: 1 / (CPU us per query) is the q/s a server would reach on a whole core.\n")
        out.append("| mix | ratio | " + " | ".join(f"round {r}" for r in rounds) + " | median |")  # '-': round dropped
        out.append("|---|---|" + "---:|" * (len(rounds) + 1))
        out.extend(eff_rows)
        out.append("")
        for mix in MIXES:
            gp, np_ = medof("single", mix, "glued", "p99_us"), medof("single", mix, "nsd", "p99_us")
            if gp is not None and np_ is not None:
                targets.append((f"{mix} p99 <= NSD's (glued {gp:.0f} us, NSD {np_:.0f} us)", ratio(gp, np_), gp <= np_))
        gl = sum(kv["lost"] for (ph, m, s), d in runs.items() if ph == "single" and s == "glued" for kv in d.values())
        nl = sum(kv["lost"] for (ph, m, s), d in runs.items() if ph == "single" and s == "nsd" for kv in d.values())
        targets.append((f"lost queries: glued {gl:.0f}, NSD {nl:.0f}", None, gl <= nl))

    srounds = sorted({r for k, d in runs.items() if k[0] == "scale2" for r in d})
    if srounds:
        out.append(f"### Two workers each, unpinned, generator sharing the two CPUs (median of {len(srounds)} rounds)\n")
        out.append("| mix | server | q/s, 2 workers | q/s, 1 worker | 2/1 | CPU us/query | p99 us | lost |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|")
        for mix in MIXES:
            for s in servers:
                if s == "echo" or ("scale2", mix, s) not in runs:
                    continue
                q2, q1 = medof("scale2", mix, s, "qps"), medof("single", mix, s, "qps")
                lost = sum(int(kv["lost"]) for kv in runs[("scale2", mix, s)].values())
                out.append(f"| {mix} | {s} | {fmt(q2)} | {fmt(q1)} | {fmt(ratio(q2, q1), '{:.2f}')} | "
                           f"{fmt(medof('scale2', mix, s, 'cpu_us'), '{:.2f}')} | {lat(medof('scale2', mix, s, 'p99_us'))} | {lost} |")
        out.append("")

    if zl:
        out.append("### Zone load: time from exec to the first referral from the last delegation, peak RSS\n")
        out.append("| delegations | records | zone text MB | server | time to first answer s | peak RSS (VmHWM) MB | bytes per record |")
        out.append("|---:|---:|---:|---|---:|---:|---:|")
        byn = defaultdict(dict)
        for n, s, recs, size, t, rss in zl:
            recs, size, rssk = int(recs), int(size), int(rss)
            bpr = rssk * 1024 / recs if rssk else None
            byn[int(n)][s] = (None if t == "fail" else float(t), bpr)
            out.append(f"| {int(n):,} | {recs:,} | {size / 1e6:.0f} | {s} | {t} | {rssk / 1024:.0f} | {fmt(bpr)} |")
        out.append("")
        nmax = max(byn)
        g = byn[nmax].get("glued")
        nsd = byn[nmax].get("nsd")
        if g and nsd and g[0] and nsd[0]:
            r = g[0] / nsd[0]
            targets.append((f"{nmax:,}-delegation zone: time to first answer <= 0.5x NSD's (glued {g[0]:.1f} s, NSD {nsd[0]:.1f} s)", r, r <= 0.5))
        if g and g[1]:
            targets.append((f"{nmax:,}-delegation zone: peak RSS <= 120 bytes/record", g[1], g[1] <= 120))

    srounds = sorted({r for k, d in runs.items() if k[0] == "signed" for r in d})
    if srounds:
        sservers = [s for s in SERVERS if any(k[2] == s and k[0] == "signed" for k in runs)]
        wrong = {s for s in sservers if check.get(("signcheck", s), ("wrong",))[0] != "ok"}

        def verdict(s):
            v, msg = check.get(("signcheck", s), ("wrong", "wrong answers: not checked"))
            msg = msg.strip()
            if v == "ok":
                return msg.removeprefix("ok: ")
            return "**wrong answers**" + msg.removeprefix("wrong answers")
        out.append(f"### Signed zone, queries with DO=1: one worker each, pinned as above (median of {len(srounds)} rounds)\n")
        out.append("Every server's answers were checked by bench/signcheck before timing (sections, NSEC3 proofs, "
                   "signatures): " + "; ".join(
                       f"{s}: " + verdict(s) for s in sservers) + ".\n")
        if wrong:
            out.append("q/s in parentheses: the server's answers are wrong, so its figures are not comparable "
                       "and it is left out of the ratios.\n")
        out.append("| mix | server | q/s | server CPU us/query | p50 us | p99 us | lost (all rounds) | "
                   "answers: NOERROR / NXDOMAIN / other rcode, AA, TC (% of all rounds) | AUTHORITY records, bytes per answer |")
        out.append("|---|---|---:|---:|---:|---:|---:|---|---|")
        for mix in SIGNED_MIXES:
            for s in sservers:
                d = runs.get(("signed", mix, s))
                if not d:
                    continue
                tot = sum(kv["recv"] for kv in d.values()) or 1
                pct = lambda k: 100.0 * sum(kv[k] for kv in d.values()) / tot
                other = 100.0 - pct("noerror") - pct("nxdomain")
                q = fmt(medof("signed", mix, s, "qps"))
                out.append(
                    f"| {mix} | {s} | {q if s not in wrong else '(' + q + ')'} | "
                    f"{fmt(medof('signed', mix, s, 'cpu_us'), '{:.2f}')} | "
                    f"{lat(medof('signed', mix, s, 'p50_us'))} | {lat(medof('signed', mix, s, 'p99_us'))} | "
                    f"{sum(int(kv['lost']) for kv in d.values())} | "
                    f"{pct('noerror'):.0f} / {pct('nxdomain'):.0f} / {other:.0f}, AA {pct('aa'):.0f}, TC {pct('tc'):.0f} | "
                    f"{fmt(medof('signed', mix, s, 'auth_rr'), '{:.1f}')}, {fmt(medof('signed', mix, s, 'bytes'))} |")
        out.append("")
        out.append("### Signed zone: ratios per round, q/s of glued"
                   + (" (or glued-signs)" if "glued-signs" in sservers else "")
                   + " / the other, and the other's CPU us / glued's\n")
        out.append("| mix | ratio | " + " | ".join(f"round {r}" for r in srounds) + " | median |")
        out.append("|---|---|" + "---:|" * (len(srounds) + 1))
        for mix in SIGNED_MIXES:
            for subj, other in SIGNED_PAIRS:
                if other not in sservers or subj not in sservers:
                    continue
                label, slabel = LABELS[other], LABELS[subj]
                bad = [x for x in (subj, other) if x in wrong]
                if bad:
                    out.append(f"| {mix} | {slabel}/{label} | not compared: wrong answers from {' and '.join(bad)} |"
                               + " |" * len(srounds))
                    continue
                g, o = series("signed", mix, subj, "qps"), series("signed", mix, other, "qps")
                rs = [ratio(g.get(r), o.get(r)) for r in srounds]
                out.append(f"| {mix} | q/s {slabel}/{label} | " + " | ".join(fmt(x, "{:.2f}") for x in rs)
                           + f" | **{fmt(med(rs), '{:.2f}')}** |")
                gc, oc = series("signed", mix, subj, "cpu_us"), series("signed", mix, other, "cpu_us")
                cs = [ratio(oc.get(r), gc.get(r)) for r in srounds]
                out.append(f"| {mix} | CPU {label} / {slabel} | " + " | ".join(fmt(x, "{:.2f}") for x in cs)
                           + f" | **{fmt(med(cs), '{:.2f}')}** |")
        out.append("")
        if "glued" in sservers:
            targets.append(("signed zone: glued's DO=1 answers right (bench/signcheck)", None, "glued" not in wrong))
        if "glued-signs" in sservers:
            targets.append(("signed zone: glued-signs' DO=1 answers right (bench/signcheck)", None,
                            "glued-signs" not in wrong))

    if szl:
        out.append("### Signed zone load: time from exec to the first referral from the last delegation, peak RSS\n")
        out.append("The time counts as the time to the first correct answer only where bench/signcheck then found "
                   "every answer right (last column).\n")
        out.append("| delegations | records | zone text MB | server | time to first answer s | peak RSS (VmHWM) MB | bytes per record | answers |")
        out.append("|---:|---:|---:|---|---:|---:|---:|---|")
        for n, s, recs, size, t, rss, v in szl:
            recs, size, rssk = int(recs), int(size), int(rss)
            bpr = rssk * 1024 / recs if rssk else None
            out.append(f"| {int(n):,} | {recs:,} | {size / 1e6:.0f} | {s} | {t} | {rssk / 1024:.0f} | {fmt(bpr)} | "
                       f"{'right' if v == 'ok' else '**' + v + '**'} |")
        out.append("")
    for n, secs in signgen:
        out.append(f"The signed zone of {int(n):,} delegations was generated and signed in {secs} s in this run "
                   "(bench/zonegen --signed).\n")

    if load1:
        out.append("Start-up of the throughput zone (" + ", ".join(
            f"{s}: first answer {t} s, peak RSS {int(r) / 1024:.0f} MB" for s, (t, r) in load1.items() if s != "echo") + ").\n")

    if targets:
        out.append("### Targets\n")
        out.append("| target | measured | met |")
        out.append("|---|---:|---|")
        for name, val, ok in targets:
            out.append(f"| {name} | {fmt(val, '{:.2f}')} | {'yes' if ok else '**no**'} |")
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
