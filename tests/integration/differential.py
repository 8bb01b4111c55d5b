#!/usr/bin/python3
"""differential.py -- one block of the differential corpus, in one pass.

    differential.py BLOCK NSD_PORT GLUED_PORT

test_differential.sh starts NSD and glued for each %zones block of
differential.queries and hands the block's query lines here (BLOCK: one
"LINENO<TAB>LINE" a line). Every query goes to both servers with dig, many
digs at a time; each answer is normalised exactly as lib_norm in lib.sh
does; then every query is compared field by field, with the corpus' stated
differences, and reported with the lines lib.sh's ok and bad print. The
last line is "counts PASSED FAILED QUERIES DIFFERING" for the caller.
"""
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

FIELDS = ["rcode", "flags", "edns", "ede", "question", "answer", "authority", "additional",
          "warning"]
DIG = ["dig", "@127.0.0.1", "-p", None, "+norecurse", "+ignore", "+time=2", "+tries=1"]
PARALLEL = 8

passed = failed = 0


def out(text):
    sys.stdout.write(text + "\n")


def ok(desc):
    global passed
    passed += 1
    out("ok   - " + desc)


def bad(desc, details=""):
    global failed
    failed += 1
    out("FAIL - " + desc)
    if details:
        for line in details.split("\n"):
            out("       " + line)


def ascii_lower(s):
    return s.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))


def lc_owner(s):
    """Owner lowercased, blanks collapsed; a DS digest joined into one word."""
    f = re.split(r"[ \t]+", s)
    res = ascii_lower(f[0])
    for i in range(1, len(f)):
        if len(f) > 3 and f[3] == "DS" and i + 1 > 8:
            res += f[i]
        else:
            res += " " + f[i]
    return res


def sortwords(s):
    return " ".join(sorted(w for w in re.split(r"[ \t]+", s) if w != ""))


WARNING = re.compile(r"^;; (WARNING|Warning|WARNING:)|"
                     r"^;; .*(malformed|Malformed|error|timed out|no servers|mismatch|[Tt]runcated)")


def norm(text):
    """The canonical lines of one dig answer (lib_norm in lib.sh)."""
    lines = []
    sec = ""
    got = False
    edns = "edns none"
    for line in text.split("\n"):
        if "->>HEADER<<-" in line:
            got = True
            s = re.sub(r"[,;].*", "", re.sub(r".*status: *", "", line, count=1), count=1)
            lines.append((0, "rcode " + s))
        elif re.match(r"^;; [Ff]lags:", line):
            s = re.sub(r";.*", "", re.sub(r"^;; [Ff]lags: *", "", line, count=1), count=1)
            lines.append((1, "flags " + sortwords(s)))
        elif line.startswith("; EDNS: version:"):
            v = re.sub(r",.*", "", re.sub(r".*version: *", "", line, count=1), count=1)
            f = re.sub(r";.*", "", re.sub(r".*flags: *", "", line, count=1), count=1)
            u = re.sub(r"[^0-9].*", "", re.sub(r".*udp: *", "", line, count=1), count=1)
            edns = "edns version=" + v + " flags=" + sortwords(f) + " udp=" + u
        elif re.match(r"^;; Version: [0-9]+; flags:", line):
            v = re.sub(r";.*", "", re.sub(r"^;; Version: *", "", line, count=1), count=1)
            f = re.sub(r";.*", "", re.sub(r".*flags: *", "", line, count=1), count=1)
            u = re.sub(r"[^0-9].*", "", re.sub(r".*UDP size: *", "", line, count=1), count=1)
            edns = "edns version=" + v + " flags=" + sortwords(f) + " udp=" + u
        elif re.match(r"^;;? EDE: [0-9]+", line):
            # dig "; EDE: 20 (Not Authoritative): (text)", kdig "...: 'text'".
            s = re.sub(r"^;;? EDE: *", "", line, count=1)
            code = re.sub(r"[^0-9].*", "", s, count=1)
            text = ""
            if re.search(r"\): ", s):
                text = re.sub(r"^[^)]*\): ", "", s, count=1)
                if re.match(r"^\(.*\)$", text) or re.match(r"^'.*'$", text):
                    text = text[1:-1]
            lines.append((2, "ede " + code + (" " + text if text else "")))
        elif re.match(r"^;; [A-Z]+ SECTION:", line):
            sec = ascii_lower(line.split()[1])
        elif WARNING.search(line):
            lines.append((9, "warning " + re.sub(r"^;; *", "", line, count=1)))
        elif re.match(r"^[ \t]*$", line):
            sec = ""
        elif sec == "question":
            s = re.sub(r"[ \t]+", " ", re.sub(r"^;+ *", "", line, count=1))
            lines.append((3, "question " + s))
        elif sec in ("answer", "authority", "additional"):
            if line.startswith(";"):
                continue
            k = {"answer": 4, "authority": 5, "additional": 6}[sec]
            lines.append((k, sec + " " + lc_owner(line)))
    lines.append((0, "rcode NOANSWER") if not got else (2, edns))
    lines.sort(key=lambda kv: (kv[0], " " + kv[1]))
    return [v for _, v in lines]


def field(lines, f):
    vals = []
    for line in lines:
        word = line.split(" ", 1)
        if line.split()[0:1] == [f]:
            vals.append(word[1] if len(word) > 1 else "")
    return "\n".join(vals).rstrip("\n")


def expected_field(f, v):
    if f == "flags":
        return " ".join(sorted(v.split()))
    if f in ("answer", "authority", "additional", "warning"):
        if v == "":
            return ""
        rrs = []
        for rr in re.sub(r" *\| *", "\n", v).split("\n"):
            words = rr.split()
            if words:
                words[0] = ascii_lower(words[0])
            rrs.append(" ".join(words))
        return "\n".join(sorted(rrs)).rstrip("\n")
    return v


def diff_lines(a, b, left, right):
    """diff's < and > lines of a against b, relabelled (as the shell did)."""
    r = subprocess.run(["bash", "-c", 'diff <(printf "%s\\n" "$1") <(printf "%s\\n" "$2")',
                        "diff", a, b], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True, errors="surrogateescape")
    res = []
    for line in r.stdout.split("\n"):
        if line.startswith("<"):
            res.append(left + line[1:])
        elif line.startswith(">"):
            res.append(right + line[1:])
    return "\n".join(res)


def dig(port, q):
    cmd = list(DIG)
    cmd[3] = port
    r = subprocess.run(cmd + q, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL)
    return r.stdout.decode("utf-8", "surrogateescape").rstrip("\n")


def parse(lineno, line):
    """One corpus line -> (query words, overrides, reason), or None after
    reporting what is wrong with it."""
    reason = ""
    if " #" in line:
        reason = line.split(" #", 1)[1]
        line = line.split(" #", 1)[0]
    query = line.split(";;", 1)[0]
    override = {}
    rest = line.split(";;", 1)[1] if ";;" in line else ""
    for item in rest.split(";;") if rest else []:
        item = item.strip(" ")
        key = item.split(":", 1)[0]
        val = (item.split(":", 1)[1] if ":" in item else item).strip(" ")
        if key not in FIELDS:
            bad("line %d: unknown field '%s' in '%s'" % (lineno, key, line))
            return None
        override[key] = val
    if override and not ("differs:" in reason and "RFC" in reason):
        bad("line %d: an expected difference needs a '# differs: ... RFC ...' reason: %s"
            % (lineno, line))
        return None
    return query.split(), override, reason


def main():
    block, nsd_port, glued_port = sys.argv[1:4]
    queries = []
    with open(block, encoding="utf-8", errors="surrogateescape") as f:
        for raw in f:
            lineno, line = raw.rstrip("\n").split("\t", 1)
            queries.append((int(lineno), parse(int(lineno), line)))
    todo = [p[0] for _, p in queries if p is not None]
    with ThreadPoolExecutor(PARALLEL) as pool:
        nsd = list(pool.map(lambda q: dig(nsd_port, q), todo))
        glued = list(pool.map(lambda q: dig(glued_port, q), todo))
    nqueries = ndiffer = 0
    k = 0
    for lineno, p in queries:
        if p is None:
            continue
        q, override, reason = p
        nqueries += 1
        desc = " ".join(q)
        nsd_lines, glued_lines = norm(nsd[k]), norm(glued[k])
        k += 1
        problems = ""
        for f in FIELDS:
            n = field(nsd_lines, f)
            g = field(glued_lines, f)
            if f in override:
                if override[f] == "*":
                    continue
                e = expected_field(f, override[f])
                if g != e:
                    problems += f + ": glued differs from the stated expectation\n"
                    problems += diff_lines(e, g, "  expected:", "  glued:   ") + "\n"
            elif g != n:
                problems += f + ": glued differs from NSD\n"
                problems += diff_lines(n, g, "  nsd:  ", "  glued:") + "\n"
        tag = ""
        if override:
            ndiffer += 1
            tag = " (expected difference: %s)" % reason.split("differs:", 1)[1]
        if not problems:
            ok("line %d: %s%s" % (lineno, desc, tag))
        else:
            bad("line %d: %s" % (lineno, desc), problems + "\n--- nsd:\n" + "\n".join(nsd_lines)
                + "\n--- glued:\n" + "\n".join(glued_lines))
    out("counts %d %d %d %d" % (passed, failed, nqueries, ndiffer))


if __name__ == "__main__":
    sys.stdout.reconfigure(errors="surrogateescape")
    main()
