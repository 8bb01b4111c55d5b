#!/usr/bin/env python3
"""reload_load.py PORT PID ZONE LOG V1 V2 BROKEN RELOADS -- reloads under load.

glued (pid PID, on 127.0.0.1:PORT) serves the file ZONE and logs to LOG.
A UDP load generator keeps a window of queries outstanding (answers of
several kinds: A, SOA, NXDOMAIN, referral with glue, bulk names) while the
main thread, RELOADS times, swaps ZONE to V2, BROKEN, V1, V2, BROKEN, ...
(atomically, by rename), sends SIGHUP and waits for the log to say
"reloaded" or "reload failed" before the next one.

Every answer must be exactly what V1 or V2 says (the two versions differ in
every checked name, and an answer that mixes them is wrong); BROKEN must
never be served. Standard library only. Prints lines for
test_reload_load.sh: ok/bad/info<TAB>text[<TAB>details].
"""
import os
import select
import signal
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile import header, parse, question, Malformed  # noqa: E402
from procinfo import rss_kib  # noqa: E402

T_A, T_NS, T_SOA = 1, 2, 6
OUT = []


def emit(*f):
    OUT.append("\t".join(f))


def check(cond, desc, why=""):
    emit("ok", desc) if cond else emit("bad", desc, why)
    return cond


def ip(rdata):
    return ".".join(str(b) for b in rdata)


# What each version answers. The zones are written by test_reload_load.sh;
# keep the two in step.
def versions_of(kind, p):
    """The set of versions {1, 2, 3} an answer is consistent with (3 is the
    broken file), or a string saying what is wrong with it."""
    recs = p["records"]
    ans = sorted(ip(r[5]) for r in recs if r[0] == "answer" and r[2] == T_A)
    soa = [r for r in recs if r[2] == T_SOA]
    serials = {struct.unpack(">I", r[5][-20:-16])[0] for r in soa}
    if kind == "www":
        table = {("192.0.2.11", "192.0.2.12"): 1, ("192.0.2.21", "192.0.2.22"): 2,
                 ("192.0.2.31",): 3}
        v = table.get(tuple(ans))
        return {v} if v and p["rcode"] == 0 else "www.test. A answered %s rcode %d" % (ans, p["rcode"])
    if kind == "soa":
        if p["rcode"] != 0 or len(serials) != 1:
            return "SOA answer rcode %d serials %s" % (p["rcode"], serials)
        return serials
    if kind in ("only1", "only2"):
        mine = 1 if kind == "only1" else 2
        other = 3 - mine
        if p["rcode"] == 0 and ans == ["10.0.0.%d" % mine]:
            return {mine}
        if p["rcode"] == 3 and serials == {other}:
            return {other}
        if p["rcode"] == 3 and serials == {3}:
            return {3}
        return "%s.test. answered rcode %d %s SOA serials %s" % (kind, p["rcode"], ans, serials)
    if kind == "ref":
        glue = sorted(ip(r[5]) for r in recs if r[0] == "additional" and r[2] == T_A)
        ns = [r for r in recs if r[0] == "authority" and r[2] == T_NS]
        table = {("192.0.2.101",): 1, ("192.0.2.102",): 2, ("192.0.2.103",): 3}
        v = table.get(tuple(glue))
        if p["rcode"] == 0 and p["an"] == 0 and len(ns) == 1 and v:
            return {v}
        return "referral rcode %d NS %d glue %s" % (p["rcode"], len(ns), glue)
    if kind == "bulk":
        return {1, 2} if p["rcode"] == 0 and len(ans) == 1 else "bulk name rcode %d %s" % (p["rcode"], ans)
    return "unknown kind"


KINDS = [("www", "www.test.", T_A), ("soa", "test.", T_SOA), ("only1", "only1.test.", T_A),
         ("only2", "only2.test.", T_A), ("ref", "www.sub.test.", T_A)]


class Load(threading.Thread):
    def __init__(self, port, window=32, timeout=2.0):
        super().__init__(daemon=True)
        self.port, self.window, self.timeout = port, window, timeout
        self.stop = threading.Event()
        self.sent = self.answered = self.lost = 0
        self.wrong = []
        self.seen = {1: 0, 2: 0, 3: 0}
        self.broken = 0

    def run(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setblocking(False)
        s.connect(("127.0.0.1", self.port))
        pending = {}  # id -> (kind, sent at)
        qid = n = 0
        while not self.stop.is_set() or pending:
            now = time.time()
            while not self.stop.is_set() and len(pending) < self.window:
                qid = (qid + 1) & 0xFFFF
                if qid in pending:
                    break
                if n % 2:
                    kind, name, qtype = KINDS[(n // 2) % len(KINDS)]
                else:
                    kind, name, qtype = "bulk", "h%d.test." % ((n * 7919) % 20000), T_A
                n += 1
                try:
                    s.send(header(qid, 0x0100) + question(name, qtype))
                except BlockingIOError:
                    break
                pending[qid] = (kind, now)
                self.sent += 1
            r, _, _ = select.select([s], [], [], 0.05)
            if r:
                while True:
                    try:
                        d = s.recv(65535)
                    except BlockingIOError:
                        break
                    if len(d) < 12:
                        continue
                    rid = struct.unpack(">H", d[:2])[0]
                    if rid not in pending:
                        continue
                    kind, _ = pending.pop(rid)
                    self.answered += 1
                    try:
                        v = versions_of(kind, parse(d))
                    except (Malformed, IndexError) as e:
                        v = "unparseable: %s" % e
                    if isinstance(v, str):
                        self.wrong.append(v)
                        continue
                    if 3 in v:
                        self.broken += 1
                    for x in v:
                        self.seen[x] += 1
            now = time.time()
            for k in [k for k, (_, t) in pending.items() if now - t > self.timeout]:
                del pending[k]
                self.lost += 1
        s.close()


def wait_log(log, before, timeout=15.0):
    """Wait until LOG holds a new reload verdict; returns it (or None)."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        with open(log, errors="replace") as f:
            lines = [l for l in f if "reloaded:" in l or "reload failed" in l]
        if len(lines) > before:
            return lines[-1].strip()
        time.sleep(0.02)
    return None


def count_verdicts(log):
    with open(log, errors="replace") as f:
        return sum(1 for l in f if "reloaded:" in l or "reload failed" in l)


def main():
    port, pid = int(sys.argv[1]), int(sys.argv[2])
    zone, log, v1, v2, broken = sys.argv[3:8]
    reloads = int(sys.argv[8])
    texts = {name: open(path).read() for name, path in (("v1", v1), ("v2", v2), ("broken", broken))}
    order = ["v2", "broken", "v1"]

    load = Load(port)
    rss = [rss_kib(pid)]
    t0 = time.time()
    load.start()
    time.sleep(0.5)
    ok_reloads = failed_reloads = 0
    bad_verdicts = []
    for i in range(reloads):
        which = order[i % 3]
        tmp = zone + ".tmp"
        with open(tmp, "w") as f:
            f.write(texts[which])
        os.replace(tmp, zone)
        before = count_verdicts(log)
        os.kill(pid, signal.SIGHUP)
        v = wait_log(log, before)
        if v is None:
            bad_verdicts.append("reload %d (%s): no verdict in the log" % (i + 1, which))
        elif which == "broken":
            failed_reloads += "reload failed" in v
            if "reload failed" not in v:
                bad_verdicts.append("reload %d of the broken zone: %s" % (i + 1, v))
        else:
            ok_reloads += "reloaded:" in v
            if "reloaded:" not in v:
                bad_verdicts.append("reload %d (%s): %s" % (i + 1, which, v))
        time.sleep(0.25)  # let the load see this version
        rss.append(rss_kib(pid))
    time.sleep(0.5)
    load.stop.set()
    load.join(10)
    dur = time.time() - t0

    emit("info", "%d reloads in %.1f s (%d good, %d broken refused); load: %d queries sent, %d answered, "
         "%d timed out (2 s), %.0f q/s; answers consistent with v1: %d, v2: %d" %
         (reloads, dur, ok_reloads, failed_reloads, load.sent, load.answered, load.lost,
          load.sent / dur, load.seen[1], load.seen[2]))
    emit("info", "RSS KiB after each reload: %s" % " ".join(str(x) for x in rss))
    check(not bad_verdicts, "every reload logged its verdict: good zones reloaded, the broken one refused",
          "; ".join(bad_verdicts[:5]))
    check(not load.wrong, "every answer is exactly v1 or v2 (%d answers)" % load.answered,
          "%d wrong, e.g. %s" % (len(load.wrong), "; ".join(load.wrong[:3])))
    check(load.broken == 0, "the broken zone is never served", "%d answers from it" % load.broken)
    check(load.seen[1] > 0 and load.seen[2] > 0, "both versions were served during the run",
          "v1 %d, v2 %d" % (load.seen[1], load.seen[2]))
    check(load.lost * 1000 <= load.sent, "no lost answers (%d of %d timed out)" % (load.lost, load.sent),
          "%d of %d queries got no answer within 2 s" % (load.lost, load.sent))
    check(load.sent >= 2000, "the load was real (%d queries)" % load.sent)
    # Old zones are freed: after the first few reloads the heap has its
    # working size (two zones at once while one is handed over); later
    # reloads must not add to it. A zone of this size is several MiB, so a
    # leak of even one would show.
    third = max(1, len(rss) // 3)
    grow = rss[-1] - max(rss[:third + 1])
    check(grow < 8192, "RSS stable across reloads (%+d KiB from reload %d to the last)" % (grow, third),
          "RSS %s" % rss)


if __name__ == "__main__":
    try:
        main()
    finally:
        print("\n".join(OUT))
