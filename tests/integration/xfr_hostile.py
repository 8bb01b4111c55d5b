#!/usr/bin/env python3
"""xfr_hostile.py -- hostile zone-transfer clients and a hostile primary,
for test_xfr_hostile.sh. Three modes:

  xfr_hostile.py out PORT PID LOG RECORDS MEDIUM
      against glued on 127.0.0.1:PORT (pid PID, started with -t 1 so that
      one worker owns every connection; stderr in LOG) serving test. (no
      transfers), tld. (RECORDS records, ~200k) and med. (MEDIUM records),
      both open to AXFR from 127.0.0.0/8:
        a. 20 clients ask for the AXFR of tld. and never read: UDP and TCP
           queries (and a whole AXFR of med.) are answered promptly
           throughout, RSS grows by a few MB at most, the 10 that close
           are gone at once, the other 10 at the idle timeout;
        b. clients that read a few messages, then reset, close, or
           half-close: glued logs each transfer cut short, and a whole
           AXFR afterwards is complete (every record, SOA first and last);
           an AXFR followed by queries (and by a second AXFR) on one
           connection gets all its answers in order;
        c. 50 AXFRs of med. at once (all complete), and 50 more while the
           connection limit is nearly full (each one complete or cleanly
           refused: closed before any byte); then every descriptor freed.

  xfr_hostile.py fake PORT CTLDIR
      a hostile primary on 127.0.0.1:PORT (TCP), for glued as its
      secondary. Each zone behaves as its name says (ZONES below); the
      zones with phases (flip., badzone., late.) read their phase from
      CTLDIR/ZONE (default 1). One line per request on stdout. Exits on
      its own after 280 s.

  xfr_hostile.py in PORT PID LOG CTLDIR
      against glued on 127.0.0.1:PORT, the secondary of the fake primary:
      for every zone, the log names the problem and glued keeps answering
      its other zones; the zones with phases are first transferred
      (serial 1), then, after a NOTIFY from 127.0.0.1, fail (garbage; a
      zone glued cannot build) while glued keeps serving serial 1, then
      succeed again; a closing SOA that is not the opening one is not
      served.

Prints one line per check for the shell script:
    ok<TAB>description            bad<TAB>description<TAB>details
    info<TAB>text                 (figures worth printing)
Standard library only, but for dnspython's NOTIFY in mode "in".
"""
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile import frame, name as qname, recv_frame  # noqa: E402
from procinfo import asan, nfds, rss_kib  # noqa: E402

HOST = "127.0.0.1"
PORT = 0
PID = 0
LOG = ""
OUT = []
OUT_LOCK = threading.Lock()
IDLE_S = 10.0      # TCP_IDLE_MS in server/net/tcp.h
MAX_CONNS = 256    # TCP_MAX_CONNS, per worker
PULL_IDLE_S = 15.0  # PULL_IDLE_MS in server/net/pull.c

T_SOA, T_A, T_NS, T_CNAME, T_TXT, T_AXFR, T_IXFR = 6, 1, 2, 5, 16, 252, 251


def emit(*fields):
    with OUT_LOCK:
        OUT.append("\t".join(str(f) for f in fields))


def ok(desc):
    emit("ok", desc)


def bad(desc, why):
    emit("bad", desc, why)


def check(cond, desc, why=""):
    if cond:
        ok(desc)
    else:
        bad(desc, why)
    return cond


def info(text):
    emit("info", text)


# --- DNS wire ---------------------------------------------------------------------

def query(qid, name, qtype=T_A, opcode=0, flags=0x0000):
    return struct.pack(">HHHHHH", qid, opcode << 11 | flags, 1, 0, 0, 0) + qname(name) + \
        struct.pack(">HH", qtype, 1)


def skip_name(m, p):
    """Offset after the (possibly compressed) name at p; raises on garbage."""
    hops = 0
    while True:
        b = m[p]
        if b == 0:
            return p + 1
        if b & 0xC0 == 0xC0:
            return p + 2
        if b & 0xC0:
            raise ValueError("bad label at %d" % p)
        p += 1 + b
        hops += 1
        if hops > 128:
            raise ValueError("name too long")


def read_name(m, p):
    """(lowercased text of the name at p, offset after it), pointers followed."""
    labels, end, hops = [], None, 0
    while True:
        b = m[p]
        if b == 0:
            if end is None:
                end = p + 1
            break
        if b & 0xC0 == 0xC0:
            if end is None:
                end = p + 2
            p = (b & 0x3F) << 8 | m[p + 1]
            hops += 1
            if hops > 64:
                raise ValueError("pointer loop")
            continue
        labels.append(m[p + 1:p + 1 + b].decode("ascii", "replace").lower())
        p += 1 + b
    return ".".join(labels) + ".", end


def records(m):
    """[(owner, type, class, rdata offset, rdlen)] of ANSWER of message m."""
    qd, an = struct.unpack(">HH", m[4:8])
    p = 12
    for _ in range(qd):
        p = skip_name(m, p) + 4
    out = []
    for _ in range(an):
        owner, p = read_name(m, p)
        t, c, _ttl, rdlen = struct.unpack(">HHIH", m[p:p + 10])
        p += 10
        if p + rdlen > len(m):
            raise ValueError("record beyond its message")
        out.append((owner, t, c, p, rdlen))
        p += rdlen
    return out


def soa_serial(m, rec):
    p = rec[3]
    _, p = read_name(m, p)
    _, p = read_name(m, p)
    return struct.unpack(">I", m[p:p + 4])[0]


def rcode(m):
    return m[3] & 0xF if m and len(m) >= 12 else None


def good_www(m, qid):
    """A NOERROR answer to www.test. A carrying 192.0.2.80."""
    return (m is not None and len(m) >= 12 and struct.unpack(">H", m[:2])[0] == qid and
            rcode(m) == 0 and struct.unpack(">H", m[6:8])[0] >= 1 and bytes([192, 0, 2, 80]) in m)


def udp_ask(name="www.test.", qtype=T_A, qid=None, timeout=1.0):
    """The reply to one UDP query, or None."""
    qid = random.randrange(65536) if qid is None else qid
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.sendto(query(qid, name, qtype), (HOST, PORT))
            t0 = time.time()
            while time.time() - t0 < timeout:
                d = s.recv(65535)
                if len(d) >= 2 and struct.unpack(">H", d[:2])[0] == qid:
                    return d
        except OSError:
            return None
    return None


def tcp_query(name, qtype, qid=0x4343, timeout=3.0):
    """The reply to one query on a new TCP connection, or None."""
    try:
        with socket.create_connection((HOST, PORT), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(frame(query(qid, name, qtype)))
            return recv_frame(s)
    except OSError:
        return None


def tcp_ask(qid=0x4242, timeout=3.0):
    """One query on a new TCP connection: True when correctly answered."""
    try:
        with socket.create_connection((HOST, PORT), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(frame(query(qid, "www.test.")))
            return good_www(recv_frame(s), qid)
    except OSError:
        return False


# --- glued's resources and log -------------------------------------------------------

def wait_fds(target, timeout):
    t0 = time.time()
    while time.time() - t0 < timeout:
        n = nfds(PID)
        if n <= target:
            return n, time.time() - t0
        time.sleep(0.05)
    return nfds(PID), None


def log_text():
    try:
        with open(LOG, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def log_lines_from(offset):
    return log_text()[offset:].splitlines()


def wait_log(regex, offset=0, timeout=5.0, count=1):
    """The first count lines after byte offset of glued's log matching
    regex, waiting up to timeout s; what there is at the deadline."""
    t0 = time.time()
    rx = re.compile(regex)
    while True:
        hits = [l for l in log_lines_from(offset) if rx.search(l)]
        if len(hits) >= count or time.time() - t0 >= timeout:
            return hits
        time.sleep(0.1)


# --- an AXFR client ------------------------------------------------------------------

class Axfr:
    """The outcome of one AXFR: messages, records, bytes, whether it is
    whole (SOA first and last, every message the answer, NOERROR), and
    why not."""

    def __init__(self):
        self.msgs = self.recs = self.bytes = 0
        self.first_soa = self.last_soa = False
        self.serial = None
        self.error = None
        self.refused = False   # closed before a single byte
        self.secs = 0.0

    def whole(self, want_recs=None):
        return (self.error is None and self.first_soa and self.last_soa and
                (want_recs is None or self.recs == want_recs))

    def __repr__(self):
        return "%d msgs, %d records, %d bytes, SOA first %s last %s, error %s" % (
            self.msgs, self.recs, self.bytes, self.first_soa, self.last_soa, self.error)


def axfr(zone, s=None, qid=0xA0A0, timeout=30.0):
    """AXFR zone over s (a new connection when None), every record of every
    message parsed (names, pointers, lengths): messages, records, bytes,
    SOA first and last with the same serial."""
    r = Axfr()
    own = s is None
    t0 = time.time()
    try:
        if own:
            s = socket.create_connection((HOST, PORT), timeout=5.0)
        s.settimeout(timeout)
        s.sendall(frame(query(qid, zone, T_AXFR)))
        while True:
            m = recv_frame(s)
            if m is None:
                r.error = "connection closed after %d messages" % r.msgs
                r.refused = r.msgs == 0
                break
            r.msgs += 1
            r.bytes += 2 + len(m)
            if struct.unpack(">H", m[:2])[0] != qid or not m[2] & 0x80:
                r.error = "message %d is not the answer" % r.msgs
                break
            if rcode(m) != 0:
                r.error = "rcode %d" % rcode(m)
                break
            recs = records(m)
            r.recs += len(recs)
            if r.msgs == 1:
                if not recs or recs[0][1] != T_SOA or recs[0][0] != zone:
                    r.error = "first record is not the SOA"
                    break
                r.first_soa = True
                r.serial = soa_serial(m, recs[0])
            # The end: the last record of a message is the apex SOA (but
            # for the opening SOA alone in the first message).
            last = recs[-1] if recs else None
            if last and last[1] == T_SOA and last[0] == zone and (r.msgs > 1 or len(recs) > 1):
                r.last_soa = soa_serial(m, last) == r.serial
                if not r.last_soa:
                    r.error = "closing SOA serial differs"
                break
    except socket.timeout:
        r.error = "timed out after %d messages" % r.msgs
    except (OSError, ValueError, struct.error, IndexError) as e:
        r.error = "%s after %d messages" % (e, r.msgs)
        if r.msgs == 0 and isinstance(e, (ConnectionResetError, BrokenPipeError)):
            r.refused = True
    finally:
        if own and s is not None:
            s.close()
    r.secs = time.time() - t0
    return r


# --- the prober ------------------------------------------------------------------------

class Prober(threading.Thread):
    """A UDP query and a query on a new TCP connection every 0.1 s: how
    many were answered, and how long they took."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.udp = [0, 0]
        self.tcp = [0, 0]
        self.lat = [[], []]
        self.fail_at = []
        self.peak_rss = 0
        self.t0 = time.time()

    def run(self):
        qid = 0
        while not self.stop.is_set():
            qid = (qid + 1) & 0x3FFF
            t = time.time()
            self.udp[1] += 1
            if good_www(udp_ask(qid=0x8000 | qid), 0x8000 | qid):
                self.udp[0] += 1
                self.lat[0].append(time.time() - t)
                if self.lat[0][-1] > 0.1:
                    self.fail_at.append("slow-udp@%.1f:%.0fms" % (t - self.t0, 1000 * self.lat[0][-1]))
            else:
                self.fail_at.append("udp@%.1f" % (t - self.t0))
            t = time.time()
            self.tcp[1] += 1
            if tcp_ask(0xC000 | qid):
                self.tcp[0] += 1
                self.lat[1].append(time.time() - t)
                if self.lat[1][-1] > 0.1:
                    self.fail_at.append("slow-tcp@%.1f:%.0fms" % (t - self.t0, 1000 * self.lat[1][-1]))
            else:
                self.fail_at.append("tcp@%.1f" % (t - self.t0))
            self.peak_rss = max(self.peak_rss, rss_kib(PID))
            self.stop.wait(0.1)

    def finish(self, what):
        self.stop.set()
        self.join(5)

        def ms(v, q):
            v = sorted(v)
            return 1000 * v[min(len(v) - 1, int(q * len(v)))] if v else -1

        desc = ["UDP", "TCP"]
        for k, (good, sent) in enumerate((self.udp, self.tcp)):
            lat = self.lat[k]
            # Promptly: every probe answered, nine in ten within 100 ms, and
            # none slower than a second (a loaded 2-CPU machine delays the
            # prober itself by a few hundred ms now and then).
            check(good == sent and sent > 10 and ms(lat, 0.9) < 100 and ms(lat, 1.0) < 1000,
                  "%s: %s answered promptly throughout: %d/%d, median %.1f ms, 90th %.1f ms, "
                  "slowest %.0f ms" % (what, desc[k], good, sent, ms(lat, 0.5), ms(lat, 0.9),
                                       ms(lat, 1.0)),
                  "failed: %s" % [f for f in self.fail_at if desc[k].lower() in f][:10])
        if self.fail_at:
            info("%s: probes failed or slower than 100 ms: %s" % (what, " ".join(self.fail_at[:12])))


# --- a. clients that never read ----------------------------------------------------------

def stalled_client(zone):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(5.0)
    s.connect((HOST, PORT))
    s.sendall(frame(query(0x5151, zone, T_AXFR)))
    return s


def phase_stall(records_tld, records_med):
    n = 20
    # Warm up: one whole transfer first, so that the RSS baseline holds
    # what any transfer needs (the worker's buffers, malloc's arenas).
    w = axfr("tld.")
    check(w.whole(records_tld + 1), "a whole AXFR of tld. before the abuse (%d records, %d messages)" %
          (w.recs, w.msgs), repr(w))
    time.sleep(0.3)
    fd0, rss0 = nfds(PID), rss_kib(PID)
    log0 = len(log_text())
    burst = []

    def burst_probe():
        t_end = time.time() + 0.6
        while time.time() < t_end:
            t = time.time()
            burst.append(time.time() - t if udp_ask(qid=0x0B0B) else 1.0)
            time.sleep(0.01)

    bt = threading.Thread(target=burst_probe, daemon=True)
    bt.start()
    socks = [stalled_client("tld.") for _ in range(n)]
    t_open = time.time()
    bt.join(3)
    info("while the %d AXFR requests arrive at once, the slowest UDP answer takes %.0f ms "
         "(the one worker makes each transfer's first messages before it reads on)" %
         (n, 1000 * max(burst or [0])))
    # The prober starts once they hang: glued's worker has made each one's
    # first messages (its in-flight window) by then.
    prober = Prober()
    prober.start()
    time.sleep(0.5)
    fd1 = nfds(PID)
    check(fd1 - fd0 >= n, "%d stalled AXFR clients are all held (%d more descriptors)" % (n, fd1 - fd0),
          "descriptors %d -> %d" % (fd0, fd1))
    # Other transfers go on meanwhile.
    m = axfr("med.")
    check(m.whole(records_med + 1), "a whole AXFR of med. while they stall (%.2f s)" % m.secs, repr(m))
    rss_peak = rss0
    while time.time() - t_open < 3.0:
        rss_peak = max(rss_peak, rss_kib(PID))
        time.sleep(0.1)
    # Ten of them go away: five with a reset, five with a plain close.
    for i, s in enumerate(socks[:10]):
        if i % 2 == 0:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    socks = socks[10:]
    t_closed = time.time()
    left, _ = wait_fds(fd0 + 10, 3.0)
    check(left <= fd0 + 10, "the 10 that close are gone at once (%d descriptors over the baseline)" %
          (left - fd0), "%d descriptors, want at most %d" % (left, fd0 + 10))
    # The other ten: closed by glued at the idle timeout after their last
    # progress (within a second of opening).
    fdn, _ = wait_fds(fd0, IDLE_S + 6 - (time.time() - t_open))
    gone = time.time() - t_open
    check(fdn <= fd0, "the 10 that never read nor close are gone at the idle timeout (%.1f s after "
          "they asked)" % gone, "%d descriptors after %.1f s, baseline %d" % (fdn, gone, fd0))
    check(gone >= IDLE_S - 1, "they were held until the idle timeout, not cut early (%.1f s)" % gone,
          "gone after %.1f s" % gone)
    while time.time() - t_closed < 0.5:
        rss_peak = max(rss_peak, rss_kib(PID))
        time.sleep(0.1)
    rss_peak = max(rss_peak, prober.peak_rss)
    prober.finish("20 stalled AXFRs")
    for s in socks:
        s.close()
    grow = rss_peak - rss0
    info("stalled AXFRs: RSS %d KiB before, peak %d KiB (%+d KiB)" % (rss0, rss_peak, grow))
    # Each stalled transfer holds at most its in-flight window (XFR_INFLIGHT_BYTES,
    # 256 KiB, in server/net/tcp.c) and one message more; 4 MiB for the rest.
    limit = n * (256 + 64) + 4096
    if asan(PID):
        limit += 16 * 1024  # AddressSanitizer: the 8 MiB quarantine, redzones, shadow
    check(grow < limit, "RSS grows by less than %d MiB while %d AXFR clients stall (%+d KiB)" %
          (limit // 1024, n, grow), "from %d to %d KiB" % (rss0, rss_peak))
    cut = wait_log(r"zone transfer cut short", log0, 3.0, n)
    check(len(cut) >= n, "glued logs each of the %d stalled transfers as cut short" % n,
          "%d lines: %s" % (len(cut), cut[:3]))
    if cut:
        info("glued: %s" % cut[0].replace("glued: ", ""))


# --- b. clients that go away in the middle -------------------------------------------------

def partial(zone, nmsgs, how):
    """Read nmsgs messages of zone's AXFR, then go away as how says. The
    small receive buffer keeps glued from having sent it all already."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((HOST, PORT))
    s.settimeout(5.0)
    s.sendall(frame(query(0x6161, zone, T_AXFR)))
    got = 0
    for _ in range(nmsgs):
        if recv_frame(s) is None:
            break
        got += 1
    if how == "reset":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    elif how == "half-close":
        s.shutdown(socket.SHUT_WR)
        time.sleep(0.2)
    s.close()
    return got


def phase_partial(records_tld):
    log0 = len(log_text())
    fd0 = nfds(PID)
    cases = [("reset", 3), ("close", 3), ("half-close", 20), ("reset", 1), ("close", 20)]
    for how, k in cases:
        got = partial("tld.", k, how)
        check(got == k, "a client that reads %d messages, then %ss" % (k, how.replace("-", " ")),
              "it got %d messages" % got)
        if not good_www(udp_ask(qid=0x1234), 0x1234):
            bad("glued answers UDP right after a client %ss mid-transfer" % how, "no answer")
    cut = wait_log(r"zone transfer cut short", log0, 3.0, len(cases))
    check(len(cut) >= len(cases), "glued logs all %d transfers cut short" % len(cases),
          "%d lines: %s" % (len(cut), cut[:5]))
    n, _ = wait_fds(fd0, 3.0)
    check(n <= fd0, "their connections are freed", "%d descriptors, baseline %d" % (n, fd0))
    full = axfr("tld.")
    check(full.whole(records_tld + 1), "then a whole AXFR of tld.: %d records (the zone's %d and the "
          "closing SOA), SOA first and last, %d messages" % (full.recs, records_tld, full.msgs),
          repr(full))
    info("AXFR of tld. (%d records): %d messages, %d bytes, %.2f s with a Python client" %
         (records_tld, full.msgs, full.bytes, full.secs))

    # An AXFR, then two queries and another AXFR on the same connection:
    # all answered, in order, after the first transfer.
    s = socket.create_connection((HOST, PORT), timeout=5.0)
    s.settimeout(10.0)
    s.sendall(frame(query(0x7001, "med.", T_AXFR)) + frame(query(0x7002, "www.test.")) +
              frame(query(0x7003, "www.test.")))
    a1 = axfr_on(s, 0x7001, "med.")
    q1, q2 = recv_frame(s), recv_frame(s)
    check(a1.whole() and good_www(q1, 0x7002) and good_www(q2, 0x7003),
          "an AXFR and two queries pipelined on one connection: the transfer, then both answers",
          "%r; answers %s %s" % (a1, good_www(q1, 0x7002), good_www(q2, 0x7003)))
    a2 = axfr("med.", s=s, qid=0x7004)
    check(a2.whole() and a2.recs == a1.recs, "a second AXFR on the same connection is whole too",
          repr(a2))
    s.close()

    # AXFR over UDP: NOTIMP. test. offers no transfers: REFUSED.
    m = udp_ask("tld.", T_AXFR)
    check(m is not None and rcode(m) == 4, "AXFR over UDP gets NOTIMP", "rcode %s" % rcode(m))
    with socket.create_connection((HOST, PORT), timeout=5.0) as s:
        s.settimeout(5.0)
        s.sendall(frame(query(0x7100, "test.", T_AXFR)))
        m = recv_frame(s)
    check(m is not None and rcode(m) == 5, "AXFR of a zone without transfer: allow gets REFUSED",
          "rcode %s" % rcode(m))


def axfr_on(s, qid, zone):
    """Read an AXFR already asked for on s."""
    r = Axfr()
    while True:
        m = recv_frame(s)
        if m is None:
            r.error = "closed"
            return r
        r.msgs += 1
        if struct.unpack(">H", m[:2])[0] != qid or rcode(m) != 0:
            r.error = "not the answer"
            return r
        recs = records(m)
        r.recs += len(recs)
        if r.msgs == 1:
            r.first_soa = bool(recs) and recs[0][1] == T_SOA and recs[0][0] == zone
        if recs and recs[-1][1] == T_SOA and recs[-1][0] == zone and (r.msgs > 1 or len(recs) > 1):
            r.last_soa = True
            return r


# --- c. many at once, and over the connection limit -------------------------------------------

def parallel_axfrs(zone, n):
    """n AXFRs of zone at once: every connection is opened first (so that
    all n are there together, whatever Python's threads do), then each
    thread asks and reads."""
    res = [None] * n
    socks = []
    for i in range(n):
        try:
            socks.append(socket.create_connection((HOST, PORT), timeout=5.0))
        except OSError:
            socks.append(None)
    time.sleep(0.3)  # glued accepts (or refuses) every one of them
    go = threading.Barrier(n, timeout=20)

    def one(i):
        try:
            go.wait()
        except threading.BrokenBarrierError:
            pass
        if socks[i] is None:
            res[i] = Axfr()
            res[i].error, res[i].refused = "connect failed", True
            return
        try:
            res[i] = axfr(zone, s=socks[i], qid=0x3000 + i, timeout=40.0)
        finally:
            socks[i].close()

    ts = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    return [r if r is not None else Axfr() for r in res]


def phase_many(records_med):
    fd0 = nfds(PID)
    t0 = time.time()
    res = parallel_axfrs("med.", 50)
    secs = time.time() - t0
    whole = sum(1 for r in res if r.whole(records_med + 1))
    check(whole == 50, "50 AXFRs of med. at once all complete (%.1f s)" % secs,
          "%d whole; first other: %s" % (whole, next((r for r in res if not r.whole(records_med + 1)), None)))

    # Nearly full: hold MAX_CONNS - 20 connections (each answered once, so
    # really accepted), then 50 AXFRs at once: about 20 fit.
    held = []
    try:
        for i in range(MAX_CONNS - 20):
            s = socket.create_connection((HOST, PORT), timeout=3.0)
            s.settimeout(3.0)
            held.append(s)
        answered = 0
        for i, s in enumerate(held):
            s.sendall(frame(query(i, "www.test.")))
        for i, s in enumerate(held):
            try:
                answered += good_www(recv_frame(s), i)
            except OSError:
                pass
        check(answered == len(held), "%d connections held open (each answered)" % len(held),
              "%d answered" % answered)
        t0 = time.time()
        res = parallel_axfrs("med.", 50)
        secs = time.time() - t0
        whole = sum(1 for r in res if r.whole(records_med + 1))
        refused = sum(1 for r in res if r.refused)
        other = [r for r in res if not r.whole(records_med + 1) and not r.refused]
        # About 20 fit (MAX_CONNS less the held ones): both outcomes must occur.
        check(not other and whole + refused == 50 and whole >= 15 and refused >= 1,
              "then 50 AXFRs at once: %d complete, %d refused cleanly (closed before any byte), "
              "none broken (%.1f s)" % (whole, refused, secs),
              "%d broken, e.g. %s" % (len(other), other[:2]))
        check(good_www(udp_ask(qid=0x2222), 0x2222), "UDP is answered with the connection limit full")
    finally:
        for s in held:
            s.close()
    n, _ = wait_fds(fd0, 5.0)
    check(n <= fd0, "every connection freed afterwards (%d descriptors, baseline %d)" % (n, fd0),
          "%d descriptors, baseline %d" % (n, fd0))


def mode_out(argv):
    global PORT, PID, LOG
    PORT, PID, LOG = int(argv[0]), int(argv[1]), argv[2]
    records_tld, records_med = int(argv[3]), int(argv[4])
    try:
        phase_stall(records_tld, records_med)
        phase_partial(records_tld)
        phase_many(records_med)
    finally:
        print("\n".join(OUT))
        sys.stdout.flush()


# --- the fake primary -----------------------------------------------------------------------

def rr(owner, rtype, rdata, ttl=3600, rclass=1):
    return qname(owner) + struct.pack(">HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def soa_rd(zone, serial):
    return qname("ns1." + zone) + qname("hostmaster." + zone) + \
        struct.pack(">IIIII", serial, 3600, 600, 86400, 300)


def a_rd(addr):
    return socket.inet_aton(addr)


def txt_rd(text):
    b = text.encode()
    out = b""
    while b:
        out += bytes([min(255, len(b))]) + b[:255]
        b = b[255:]
    return out or b"\0"


def good_zone(zone, serial):
    """A small zone: SOA, NS, A of its NS, www A (192.0.2.SERIAL)."""
    return [rr(zone, T_SOA, soa_rd(zone, serial)),
            rr(zone, T_NS, qname("ns1." + zone)),
            rr("ns1." + zone, T_A, a_rd("192.0.2.53")),
            rr("www." + zone, T_A, a_rd("192.0.2.%d" % serial)),
            rr("txt." + zone, T_TXT, txt_rd("serial %d" % serial))]


def answer(req, recs, rc=0, question=True):
    """A response to req (its ID and question) with recs in ANSWER."""
    qid = struct.unpack(">H", req[:2])[0]
    qend = skip_name(req, 12) + 4
    q = req[12:qend] if question else b""
    return struct.pack(">HHHHHH", qid, 0x8400 | rc, 1 if question else 0, len(recs), 0, 0) + \
        q + b"".join(recs)


class Fake:
    def __init__(self, ctldir):
        self.ctldir = ctldir
        self.lock = threading.Lock()

    def phase(self, zone):
        try:
            with open(os.path.join(self.ctldir, zone.rstrip("."))) as f:
                return int(f.read().strip() or 1)
        except (OSError, ValueError):
            return 1

    def say(self, text):
        with self.lock:
            print(text)
            sys.stdout.flush()

    def serial(self, zone):
        if zone in ("flip.", "badzone.", "late."):
            return self.phase(zone)
        return 1

    def handle(self, s):
        s.settimeout(30.0)
        while True:
            req = recv_frame(s)
            if req is None or len(req) < 17:
                return
            zone, p = read_name(req, 12)
            qtype = struct.unpack(">H", req[p:p + 2])[0]
            ph = self.phase(zone)
            self.say("%s %s phase %d" % (zone, {T_SOA: "SOA", T_AXFR: "AXFR"}.get(qtype, qtype), ph))
            if qtype == T_SOA:
                if zone == "nosoa.":
                    s.sendall(frame(answer(req, [])))
                else:
                    s.sendall(frame(answer(req, [rr(zone, T_SOA, soa_rd(zone, self.serial(zone)))])))
                continue
            if qtype != T_AXFR:
                s.sendall(frame(answer(req, [], rc=4)))
                continue
            if not self.axfr(s, req, zone, ph):
                return

    def axfr(self, s, req, zone, ph):
        """Send zone's AXFR as its name says; False: the connection ends."""
        soa = rr(zone, T_SOA, soa_rd(zone, self.serial(zone)))
        if zone in ("good.", "late.") or (zone in ("flip.", "badzone.") and ph != 2):
            body = good_zone(zone, self.serial(zone))
            # Two messages: all but the closing SOA, then the closing SOA.
            s.sendall(frame(answer(req, body)) + frame(answer(req, [soa], question=False)))
            return True
        if zone == "flip.":
            # Phase 2: garbage. A header that answers the request, then junk.
            rnd = random.Random(2)
            junk = bytes(rnd.randrange(256) for _ in range(600))
            qid = struct.unpack(">H", req[:2])[0]
            s.sendall(frame(struct.pack(">HHHHHH", qid, 0x8400, 0, 40, 0, 0) + b"\x3f" + junk))
            return True
        if zone == "badzone.":
            # Phase 2: a well-formed transfer of a zone glued cannot serve:
            # a CNAME and other data at one name.
            body = good_zone(zone, 2) + [rr("www." + zone, T_CNAME, qname("elsewhere.example."))]
            s.sendall(frame(answer(req, body + [soa])))
            return True
        if zone == "garbage.":
            # Random bytes where the messages should be: a length, and what
            # follows it is no DNS message at all.
            rnd = random.Random(1)
            s.sendall(struct.pack(">H", 700) + bytes(rnd.randrange(256) for _ in range(700)))
            return True
        if zone == "notsoa.":
            body = good_zone(zone, 1)
            s.sendall(frame(answer(req, body[1:] + [soa])))
            return True
        if zone == "wrongzone.":
            other = good_zone("elsewhere.", 1)
            s.sendall(frame(answer(req, other + [other[0]])))
            return True
        if zone == "outzone.":
            body = good_zone(zone, 1) + [rr("www.elsewhere.", T_A, a_rd("192.0.2.66"))]
            s.sendall(frame(answer(req, body + [soa])))
            return True
        if zone == "chaos.":
            body = good_zone(zone, 1) + [rr("version." + zone, T_TXT, txt_rd("x"), rclass=3)]
            s.sendall(frame(answer(req, body + [soa])))
            return True
        if zone == "trailing.":
            body = good_zone(zone, 1)
            s.sendall(frame(answer(req, body + [soa, rr("extra." + zone, T_A, a_rd("192.0.2.9"))])))
            return True
        if zone == "mismatch.":
            # The closing SOA is not the opening one (another serial).
            body = good_zone(zone, 1)
            s.sendall(frame(answer(req, body + [rr(zone, T_SOA, soa_rd(zone, 2))])))
            return True
        if zone == "refused.":
            s.sendall(frame(answer(req, [], rc=5)))
            return True
        if zone == "short.":
            # A 64 KiB length, then 1000 bytes, then the primary goes away.
            s.sendall(b"\xff\xff" + answer(req, [soa]) + b"\0" * 1000)
            return False
        if zone == "max64k.":
            # The first message exactly 65535 bytes long: SOA, NS, TXTs.
            body = good_zone(zone, 1)
            m = answer(req, body)
            txts = []
            i = 0
            while True:
                t = rr("t%d.%s" % (i, zone), T_TXT, txt_rd("x" * 1000))
                if len(m) + len(b"".join(txts)) + len(t) > 65535:
                    break
                txts.append(t)
                i += 1
            room = 65535 - len(answer(req, body + txts)) - len(rr("pad." + zone, T_TXT, b""))
            assert 0 <= room <= 1100, room
            pad = b""
            while room > 0:
                k = min(256, room)
                pad += bytes([k - 1]) + b"p" * (k - 1)
                room -= k
            txts.append(rr("pad." + zone, T_TXT, pad or b"\0"))
            m = answer(req, body + txts)
            assert len(m) == 65535, len(m)
            s.sendall(frame(m) + frame(answer(req, [soa], question=False)))
            self.say("max64k. sent a message of %d bytes with %d records" % (len(m), len(body) + len(txts)))
            return True
        if zone == "stall.":
            # The first message, then silence, the connection kept open.
            body = good_zone(zone, 1)
            s.sendall(frame(answer(req, body)))
            t0 = time.time()
            s.settimeout(1.0)
            while time.time() - t0 < PULL_IDLE_S + 20:
                try:
                    if not s.recv(4096):
                        self.say("stall. closed by glued after %.1f s" % (time.time() - t0))
                        return False
                except socket.timeout:
                    continue
                except OSError:
                    return False
            self.say("stall. still open after %.1f s" % (time.time() - t0))
            return False
        s.sendall(frame(answer(req, [], rc=5)))
        return True


def mode_fake(argv):
    port, ctldir = int(argv[0]), argv[1]
    fake = Fake(ctldir)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((HOST, port))
    ls.listen(64)
    ls.settimeout(1.0)
    fake.say("listening on %s:%d" % (HOST, port))
    t0 = time.time()

    def run(c):
        try:
            fake.handle(c)
        except (OSError, ValueError, struct.error, IndexError) as e:
            fake.say("connection ended: %s" % e)
        finally:
            c.close()

    while time.time() - t0 < 280:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        threading.Thread(target=run, args=(c,), daemon=True).start()
    ls.close()


# --- glued as the secondary ------------------------------------------------------------------

def soa_of(zone):
    """(rcode, serial or None) of glued's answer to zone SOA over UDP."""
    m = udp_ask(zone, T_SOA)
    if m is None:
        return None, None
    try:
        recs = [r for r in records(m) if r[1] == T_SOA and r[0] == zone]
    except (ValueError, IndexError, struct.error):
        return rcode(m), None
    return rcode(m), (soa_serial(m, recs[0]) if recs else None)


def wait_serial(zone, serial, timeout):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if soa_of(zone) == (0, serial):
            return True
        time.sleep(0.1)
    return False


def www_of(zone):
    m = udp_ask("www." + zone, T_A)
    if m is None or rcode(m) != 0:
        return None
    try:
        for r in records(m):
            if r[1] == T_A and r[4] == 4:
                return socket.inet_ntoa(m[r[3]:r[3] + 4])
    except (ValueError, IndexError, struct.error):
        pass
    return None


def others_answer():
    """glued still answers its own zone and the pulled zone that works."""
    return good_www(udp_ask(qid=0x4545), 0x4545) and tcp_ask(0x4646) and soa_of("good.") == (0, 1)


def notify(zone, serial):
    import dns.flags
    import dns.message
    import dns.opcode
    import dns.query
    import dns.rdatatype
    import dns.rrset
    m = dns.message.make_query(zone, dns.rdatatype.SOA)
    m.flags = dns.flags.AA
    m.set_opcode(dns.opcode.NOTIFY)
    m.answer.append(dns.rrset.from_text(zone, 3600, "IN", "SOA",
                                        "ns1.%s hostmaster.%s %d 3600 600 86400 300" % (zone, zone, serial)))
    try:
        r = dns.query.udp(m, HOST, port=PORT, timeout=2.0, source=HOST)
    except Exception as e:  # dnspython raises several kinds
        return "no answer (%s)" % e
    return dns.rcode.to_text(r.rcode()) if r.opcode() == dns.opcode.NOTIFY else "wrong opcode"


def set_phase(ctldir, zone, ph):
    tmp = os.path.join(ctldir, ".tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % ph)
    os.rename(tmp, os.path.join(ctldir, zone.rstrip(".")))


FAILED = r"^glued: (warning: )?%s: transfer from its primary failed, %s: .*%s"


def expect_failure(zone, why_rx, offset, timeout, have=False, desc=None):
    state = "serving the copy it has" if have else "not served until a transfer works"
    hits = wait_log(FAILED % (re.escape(zone), state, why_rx), offset, timeout)
    check(bool(hits), desc or "%s: the log names the problem" % zone,
          "no line matching /%s/ in: %s" % (FAILED % (re.escape(zone), state, why_rx),
                                              [l for l in log_lines_from(offset) if zone in l][-4:]))
    if hits:
        info("glued: %s" % hits[0].replace("glued: ", ""))
    return bool(hits)


def mode_in(argv):
    global PORT, PID, LOG
    PORT, PID, LOG = int(argv[0]), int(argv[1]), argv[2]
    ctldir = argv[3]
    try:
        run_in(ctldir)
    finally:
        print("\n".join(OUT))
        sys.stdout.flush()


def run_in(ctldir):
    t_start = time.time()
    # The good zones arrive at start.
    for z in ("good.", "flip.", "badzone.", "late.", "max64k."):
        check(wait_serial(z, 1, 10.0), "%s is transferred at start and served (serial 1)" % z,
              "SOA answer %s; log: %s" % (soa_of(z), [l for l in log_lines_from(0) if z in l][-3:]))
    check(www_of("flip.") == "192.0.2.1", "flip. serves its data (www.flip. A 192.0.2.1)",
          "got %s" % www_of("flip."))
    m = tcp_query("pad.max64k.", T_TXT)
    check(m is not None and rcode(m) == 0 and m[7] == 1,
          "max64k.: a first message of exactly 65535 bytes is read whole (its last record served)",
          "rcode %s" % rcode(m))

    # Each hostile zone: the log says why, nothing is served for it, the
    # other zones still are.
    cases = [
        ("garbage.", r"a message that is not the answer to the request|malformed|shorter than",
         "garbage bytes for the AXFR"),
        ("notsoa.", r"first record that is not the zone's SOA", "an AXFR whose first record is not the SOA"),
        ("wrongzone.", r"first record that is not the zone's SOA", "an AXFR of another zone"),
        ("chaos.", r"class other than IN", "a record of class CH in the AXFR"),
        ("trailing.", r"records after the closing SOA", "records after the closing SOA"),
        ("refused.", r"the primary answered REFUSED", "the AXFR answered REFUSED"),
        ("nosoa.", r"no SOA for the zone in its answer", "an SOA query answered without the SOA"),
        ("short.", r"closed the connection mid-answer",
         "a length prefix of 65535, 1000 bytes, then the primary closes"),
    ]
    for zone, why, what in cases:
        expect_failure(zone, why, 0, 10.0, desc="%s (%s): the log names the problem" % (zone, what))
        rc, serial = soa_of(zone)
        check(rc is not None and rc != 0 and serial is None,
              "%s: nothing is served for it (rcode %s)" % (zone, rc), "rcode %s, serial %s" % (rc, serial))
    check(others_answer(), "glued answers test. (UDP, TCP) and good. after all of them")

    # outzone.: records of another zone in the transfer.
    # (The warning comes from building the zone, once the copy is in.)
    wait_log(r"out-of-zone data www\.elsewhere\.", 0, 8.0)
    warn = [l for l in log_lines_from(0) if "outzone." in l or "elsewhere." in l]
    check(any(re.search(r"out-of-zone|outside|not in the zone|elsewhere", l) for l in warn),
          "outzone. (a record of another zone in the AXFR): the log names it",
          "lines: %s" % warn[-4:])
    m = udp_ask("www.elsewhere.", T_A)
    check(m is not None and rcode(m) != 0 or (m is not None and m[7] == 0),
          "outzone.: the foreign record is not served", "rcode %s" % rcode(m))
    info("outzone.: %s" % "; ".join(l.replace("glued: ", "") for l in warn[-2:]))

    # flip.: serial 2 is garbage. glued keeps serial 1 and says why.
    off = len(log_text())
    set_phase(ctldir, "flip.", 2)
    r = notify("flip.", 2)
    check(r == "NOERROR", "a NOTIFY for flip. from 127.0.0.1 is accepted (%s)" % r, r)
    if expect_failure("flip.", r"malformed|not the answer", off, 8.0, have=True,
                      desc="flip.: serial 2 arrives as garbage: the log says so, and that it "
                      "keeps its copy"):
        check(soa_of("flip.") == (0, 1) and www_of("flip.") == "192.0.2.1",
              "flip.: glued still serves serial 1 and its data",
              "SOA %s, www %s" % (soa_of("flip."), www_of("flip.")))
    check(others_answer(), "glued answers its other zones after it")
    # The primary is mended (serial 3): the next NOTIFY brings it in.
    set_phase(ctldir, "flip.", 3)
    r = notify("flip.", 3)
    check(wait_serial("flip.", 3, 8.0) and www_of("flip.") == "192.0.2.3",
          "flip.: after the primary is mended, a NOTIFY brings serial 3 (NOTIFY %s)" % r,
          "SOA %s, www %s" % (soa_of("flip."), www_of("flip.")))

    # stall.: the first message, then silence: glued gives up after 15 s.
    left = PULL_IDLE_S + 10 - (time.time() - t_start)
    expect_failure("stall.", r"no answer for 15 s", 0, max(left, 1.0),
                   desc="stall. (a transfer that stops sending): glued gives up after its 15 s "
                   "idle timeout and says so")
    rc, serial = soa_of("stall.")
    check(rc != 0 and serial is None, "stall.: nothing is served for it", "rcode %s" % rc)

    # badzone.: serial 2 is a well-formed transfer of a zone glued cannot
    # serve (CNAME and other data). glued keeps serial 1 ...
    off = len(log_text())
    set_phase(ctldir, "badzone.", 2)
    notify("badzone.", 2)
    wait_log(r"CNAME and other data", off, 8.0)
    lines = [l for l in log_lines_from(off) if "badzone" in l or "CNAME" in l or "failed" in l]
    check(any("CNAME and other data" in l for l in lines),
          "badzone.: serial 2 (CNAME and other data): the log names the problem", "lines: %s" % lines)
    info("badzone.: %s" % "; ".join(l.replace("glued: ", "") for l in lines[-2:]))
    check(soa_of("badzone.") == (0, 1) and www_of("badzone.") == "192.0.2.1",
          "badzone.: glued still serves serial 1", "SOA %s" % (soa_of("badzone."),))
    # ... and the other zones must not suffer for it: late. gets serial 2,
    # and SIGHUP still reloads (the copy that does not build is not kept,
    # so no later rebuild fails on it).
    off = len(log_text())
    set_phase(ctldir, "late.", 2)
    notify("late.", 2)
    hits = wait_log(r"late\.: transferred serial 2", off, 8.0)
    check(bool(hits), "late.: a NOTIFY brings serial 2 in", "log: %s" % log_lines_from(off)[-4:])
    got = wait_serial("late.", 2, 3.0)
    check(got, "after badzone.'s unservable serial 2, another zone (late.) still gets its new "
              "serial 2 served", "late. still answers serial %s; glued: %s" %
              (soa_of("late.")[1], [l.replace("glued: ", "") for l in log_lines_from(off)
                                    if "failed" in l][-1:]))
    off = len(log_text())
    os.kill(PID, signal.SIGHUP)
    hits = wait_log(r"reloaded|reload (failed|refused)", off, 8.0)
    check(bool(hits) and "reloaded" in hits[0],
              "after badzone.'s unservable serial 2, SIGHUP still reloads",
              "glued: %s" % (hits[0].replace("glued: ", "") if hits else "nothing logged"))
    rc, serial = soa_of("badzone.")
    check((rc, serial) == (0, 1), "badzone.: still serial 1 after all that", "rcode %s serial %s" % (rc, serial))

    # mismatch.: the closing SOA is not the opening one (RFC 5936 2.2: the
    # last message ends with the same SOA): the transfer is not whole.
    hits = wait_log(FAILED % ("mismatch\\.", "not served until a transfer works", "SOA|serial"), 0, 1.0)
    rc, serial = soa_of("mismatch.")
    check(bool(hits) and serial is None,
          "mismatch. (closing SOA serial 2, opening serial 1): refused as incomplete",
          "glued serves it at serial %s" % serial)
    check(others_answer(), "glued answers its other zones at the end")


def main():
    mode, argv = sys.argv[1], sys.argv[2:]
    {"out": mode_out, "fake": mode_fake, "in": mode_in}[mode](argv)


if __name__ == "__main__":
    main()
