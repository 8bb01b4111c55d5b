#!/usr/bin/env python3
"""tcp_abuse.py PORT PID -- abusive TCP clients against glued on
127.0.0.1:PORT (started with -t 1, so one worker owns every connection:
256 of them at most, idle ones closed after 10 s). Standard library only.

While the abuse runs, a prober thread sends a UDP query and opens a new TCP
connection every 0.2 s; both must be answered throughout (new TCP clients
are excused only while the connection limit is deliberately held full).
glued's open descriptors (/proc/PID/fd) and RSS are sampled: every
connection must be freed (descriptor count back to its baseline) and memory
must stay bounded (a second round of the same abuse must not grow it).

Prints one line per check for test_tcp_abuse.sh:
    ok<TAB>description            bad<TAB>description<TAB>details
    info<TAB>text                 (figures worth printing)
"""
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile import frame, name as qname, recv_frame  # noqa: E402
from procinfo import nfds, rss_kib  # noqa: E402

HOST = "127.0.0.1"
PORT = 0
PID = 0
OUT = []
OUT_LOCK = threading.Lock()
IDLE_S = 10.0      # TCP_IDLE_MS in server/net/tcp.h
MAX_CONNS = 256    # TCP_MAX_CONNS, per worker


def emit(*fields):
    with OUT_LOCK:
        OUT.append("\t".join(fields))


def ok(desc):
    emit("ok", desc)


def bad(desc, why):
    emit("bad", desc, why)


def check(cond, desc, why=""):
    (ok if cond else (lambda d: bad(d, why)))(desc)
    return cond


def info(text):
    emit("info", text)


# --- DNS ------------------------------------------------------------------------

def query(qid, name="www.test.", qtype=1, edns=0, pad=0):
    ar = 1 if edns or pad else 0
    m = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, ar) + qname(name) + struct.pack(">HH", qtype, 1)
    if ar:
        opts = struct.pack(">HH", 12, pad) + b"\0" * pad if pad else b""
        m += b"\0" + struct.pack(">HHIH", 41, edns or 1232, 0, len(opts)) + opts
    return m


def answer_id(m):
    return struct.unpack(">H", m[:2])[0] if m and len(m) >= 12 else None


def good_www(m, qid):
    """A NOERROR answer to www.test. A carrying 192.0.2.80."""
    return (m is not None and len(m) >= 12 and answer_id(m) == qid and m[3] & 0xF == 0 and
            struct.unpack(">H", m[6:8])[0] >= 1 and bytes([192, 0, 2, 80]) in m)


def wait_closed(s, timeout):
    """Seconds until the server closes s (EOF or RST), reading and
    discarding whatever arrives; None if still open after timeout."""
    t0 = time.time()
    s.settimeout(0.2)
    while time.time() - t0 < timeout:
        try:
            d = s.recv(65536)
            if not d:
                return time.time() - t0
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.time() - t0
    return None


def tcp_ask(qid=0x4242, timeout=3.0):
    """One query on a new TCP connection: True when correctly answered."""
    try:
        with socket.create_connection((HOST, PORT), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(frame(query(qid)))
            return good_www(recv_frame(s), qid)
    except OSError:
        return False


def udp_ask(qid=0x4343, timeout=1.0):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.sendto(query(qid), (HOST, PORT))
            while True:
                d = s.recv(65535)
                if answer_id(d) == qid:
                    return good_www(d, qid)
        except OSError:
            return False


# --- glued's resources ------------------------------------------------------------

def wait_fds(target, timeout=5.0):
    t0 = time.time()
    while time.time() - t0 < timeout:
        n = nfds(PID)
        if n <= target:
            return n
        time.sleep(0.05)
    return nfds(PID)


# --- the prober -------------------------------------------------------------------

class Prober(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.tcp_excused = threading.Event()
        self.udp = [0, 0]     # answered, sent
        self.tcp = [0, 0]
        self.udp_fail_at = []
        self.tcp_fail_at = []
        self.peak_rss = 0
        self.t0 = time.time()

    def run(self):
        qid = 0
        while not self.stop.is_set():
            qid = (qid + 1) & 0x3FFF
            self.udp[1] += 1
            if udp_ask(0x8000 | qid):
                self.udp[0] += 1
            else:
                self.udp_fail_at.append(round(time.time() - self.t0, 1))
            if not self.tcp_excused.is_set():
                self.tcp[1] += 1
                if tcp_ask(0xC000 | qid):
                    self.tcp[0] += 1
                elif not self.tcp_excused.is_set():
                    self.tcp_fail_at.append(round(time.time() - self.t0, 1))
                else:
                    self.tcp[1] -= 1
            self.peak_rss = max(self.peak_rss, rss_kib(PID))
            self.stop.wait(0.2)


# --- phase 1: idle, slowloris, never-reading clients (in parallel) ------------------

def idle_silent(res):
    s = socket.create_connection((HOST, PORT), timeout=3.0)
    res["idle_silent"] = wait_closed(s, IDLE_S + 5)
    s.close()


def idle_after_answer(res):
    s = socket.create_connection((HOST, PORT), timeout=3.0)
    s.settimeout(3.0)
    s.sendall(frame(query(7)))
    res["idle_answered"] = good_www(recv_frame(s), 7)
    res["idle_after"] = wait_closed(s, IDLE_S + 5)
    s.close()


def slow_but_complete(res):
    """A whole query one byte every 0.1 s (about 3 s): answered."""
    s = socket.create_connection((HOST, PORT), timeout=3.0)
    data = frame(query(8))
    try:
        for b in data:
            s.sendall(bytes([b]))
            time.sleep(0.1)
        s.settimeout(3.0)
        res["slow_ok"] = good_www(recv_frame(s), 8)
    except OSError:
        res["slow_ok"] = False
    s.close()


def slowloris(res):
    """One byte every 0.25 s of a message that would take minutes: the idle
    timer counts from the last complete message, so the server must close
    the connection about 10 s after it opened, trickle or not."""
    s = socket.create_connection((HOST, PORT), timeout=3.0)
    t0 = time.time()
    data = frame(query(9, pad=4000))
    sent = 0
    closed = None
    s.settimeout(0.25)
    while time.time() - t0 < IDLE_S + 6:
        try:
            s.send(data[sent:sent + 1])
            sent += 1
            d = s.recv(1)
            if not d:
                closed = time.time() - t0
                break
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            closed = time.time() - t0
            break
    res["slowloris"] = closed
    res["slowloris_bytes"] = sent
    s.close()


def never_reads(res, n=16, queries=20000):
    """n clients each pipeline many queries with big answers and never read:
    glued stops reading them after 64 queued replies, keeps serving others,
    and closes them at the idle timeout."""
    socks = []
    blob = b"".join(frame(query(i & 0xFFFF, "big.test.", 2)) for i in range(queries))
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect((HOST, PORT))
        s.setblocking(False)
        socks.append(s)
    sent = [0] * n
    t0 = time.time()
    # Push until the kernel stops taking more (glued has stopped reading).
    while time.time() - t0 < 3.0:
        progress = False
        for i, s in enumerate(socks):
            if sent[i] >= len(blob):
                continue
            try:
                k = s.send(blob[sent[i]:sent[i] + 65536])
                sent[i] += k
                progress = progress or k > 0
            except BlockingIOError:
                pass
            except OSError:
                sent[i] = len(blob)
        if not progress:
            time.sleep(0.05)
    res["never_reads_sent"] = sum(sent)
    res["never_reads_total"] = n * len(blob)
    res["never_reads_rss"] = rss_kib(PID)
    # Only now look: every connection must have been closed by glued (idle).
    closed = [wait_closed(s, IDLE_S + 6 - (time.time() - t0)) for s in socks]
    res["never_reads_closed"] = sum(1 for c in closed if c is not None)
    res["never_reads_n"] = n
    for s in socks:
        s.close()


def phase_parallel():
    res = {}
    jobs = [idle_silent, idle_after_answer, slow_but_complete, slowloris, never_reads]
    ts = [threading.Thread(target=j, args=(res,), daemon=True) for j in jobs]
    for t in ts:
        t.start()
    for t in ts:
        t.join(IDLE_S + 15)
    t = res.get("idle_silent")
    check(t is not None and IDLE_S - 1 <= t <= IDLE_S + 3,
          "a silent connection is closed at the idle timeout (%s s)" % (t and round(t, 1)),
          "closed after %s s, want about %s s" % (t, IDLE_S))
    check(res.get("idle_answered") is True, "an answered connection gets its answer")
    t = res.get("idle_after")
    check(t is not None and IDLE_S - 1 <= t <= IDLE_S + 3,
          "it is closed at the idle timeout after its last answer (%s s)" % (t and round(t, 1)),
          "closed after %s s" % t)
    check(res.get("slow_ok") is True, "a query sent one byte every 0.1 s is answered")
    t = res.get("slowloris")
    check(t is not None and t <= IDLE_S + 3,
          "slowloris (one byte every 0.25 s) is cut off at the idle timeout (%s s, %s bytes sent)" %
          (t and round(t, 1), res.get("slowloris_bytes")), "still open after %s s" % (IDLE_S + 6))
    check(res.get("never_reads_closed") == res.get("never_reads_n"),
          "%s clients that never read are all closed by the idle timeout" % res.get("never_reads_n"),
          "%s of %s closed" % (res.get("never_reads_closed"), res.get("never_reads_n")))
    info("never-reading clients: glued took %d of %d query bytes before it stopped reading; "
         "RSS then %d KiB" % (res.get("never_reads_sent", 0), res.get("never_reads_total", 0),
                              res.get("never_reads_rss", 0)))
    return res


# --- phase 2: half-closed sockets and 64 KiB messages ------------------------------

def phase_half_close_and_big():
    # Three pipelined queries, then shutdown(SHUT_WR): three answers, then EOF.
    s = socket.create_connection((HOST, PORT), timeout=3.0)
    s.settimeout(3.0)
    s.sendall(frame(query(21)) + frame(query(22)) + frame(query(23)))
    s.shutdown(socket.SHUT_WR)
    got = [recv_frame(s) for _ in range(3)]
    try:
        eof = s.recv(1) == b""
    except OSError:
        eof = False
    s.close()
    check(all(good_www(g, 21 + i) for i, g in enumerate(got)) and eof,
          "half-closed after 3 queries: 3 answers, then glued closes",
          "answers ok: %s, EOF: %s" % ([good_www(g, 21 + i) for i, g in enumerate(got)], eof))

    # Half a message, then shutdown: closed without an answer.
    s = socket.create_connection((HOST, PORT), timeout=3.0)
    m = frame(query(24))
    s.sendall(m[:len(m) // 2])
    s.shutdown(socket.SHUT_WR)
    t = wait_closed(s, 3.0)
    s.close()
    check(t is not None and t < 2.0, "half-closed in the middle of a message: closed at once",
          "closed after %s s" % t)

    # Nothing at all, then shutdown.
    s = socket.create_connection((HOST, PORT), timeout=3.0)
    s.shutdown(socket.SHUT_WR)
    t = wait_closed(s, 3.0)
    s.close()
    check(t is not None and t < 2.0, "half-closed before sending anything: closed at once",
          "closed after %s s" % t)

    # A client that resets the connection in the middle of a message.
    s = socket.create_connection((HOST, PORT), timeout=3.0)
    s.sendall(frame(query(25, pad=20000))[:9000])
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()

    # 64 KiB messages: the largest length a 2-byte prefix allows.
    big = query(31, pad=65535 - len(query(31)) - 15)
    assert len(big) == 65535
    s = socket.create_connection((HOST, PORT), timeout=5.0)
    s.settimeout(5.0)
    s.sendall(frame(big))
    check(good_www(recv_frame(s), 31), "a 65535-byte query is answered")
    msgs = [query(40 + i, pad=65535 - len(query(40 + i)) - 15) for i in range(8)]
    s.sendall(b"".join(frame(x) for x in msgs))
    got = [recv_frame(s) for _ in msgs]
    check(all(good_www(g, 40 + i) for i, g in enumerate(got)),
          "8 pipelined 65535-byte queries are all answered, in order")
    # A 65535-byte message of garbage after a valid header: FORMERR.
    junk = struct.pack(">HHHHHH", 50, 0, 1, 0, 0, 0) + b"\xc0" * (65535 - 12)
    s.sendall(frame(junk))
    g = recv_frame(s)
    check(g is not None and answer_id(g) == 50 and g[3] & 0xF == 1,
          "a 65535-byte malformed message gets FORMERR")
    s.sendall(frame(query(51)))
    check(good_www(recv_frame(s), 51), "the connection still serves after it")
    s.close()

    # A 64 KiB length, then the client goes away after 1000 bytes.
    s = socket.create_connection((HOST, PORT), timeout=3.0)
    s.sendall(b"\xff\xff" + b"\0" * 1000)
    s.close()


# --- phase 3: the connection limit --------------------------------------------------

def phase_limit(prober, round_no):
    prober.tcp_excused.set()
    time.sleep(0.5)  # let an in-flight prober connection finish
    base = nfds(PID)
    socks = []
    answered = 0
    try:
        for i in range(MAX_CONNS):
            s = socket.create_connection((HOST, PORT), timeout=3.0)
            s.settimeout(3.0)
            socks.append(s)
        # Each one is accepted and served (so all 256 are really held).
        for i, s in enumerate(socks):
            s.sendall(frame(query(i)))
        for i, s in enumerate(socks):
            try:
                if good_www(recv_frame(s), i):
                    answered += 1
            except OSError:
                pass
        check(answered == MAX_CONNS, "round %d: %d connections open and answered" % (round_no, MAX_CONNS),
              "%d answered" % answered)
        full = nfds(PID)
        check(full - base >= MAX_CONNS, "round %d: glued holds %d more descriptors with them open" %
              (round_no, full - base), "from %d to %d" % (base, full))

        # Connection 257: accepted and closed at once, without an answer.
        refused = 0
        for k in range(3):
            try:
                with socket.create_connection((HOST, PORT), timeout=3.0) as x:
                    x.settimeout(3.0)
                    try:
                        x.sendall(frame(query(0x7000 + k)))
                        d = recv_frame(x)
                    except OSError:
                        d = None
                    if d is None:
                        refused += 1
            except OSError:
                refused += 1
        check(refused == 3, "round %d: connections over the limit are closed without an answer" % round_no,
              "%d of 3 refused" % refused)
        check(udp_ask(0x7100), "round %d: UDP is answered while the TCP limit is reached" % round_no)

        # Free ten slots: new clients are served again.
        for s in socks[:10]:
            s.close()
        socks = socks[10:]
        time.sleep(0.3)
        n_ok = sum(1 for k in range(5) if tcp_ask(0x7200 + k))
        check(n_ok == 5, "round %d: after 10 clients leave, new connections are served" % round_no,
              "%d of 5 served" % n_ok)
    finally:
        for s in socks:
            s.close()
    after = wait_fds(base, 5.0)
    check(after <= base, "round %d: every connection freed (%d descriptors, baseline %d)" %
          (round_no, after, base), "%d descriptors, baseline %d" % (after, base))
    prober.tcp_excused.clear()


def main():
    global PORT, PID
    PORT, PID = int(sys.argv[1]), int(sys.argv[2])
    try:
        run()
    finally:
        print("\n".join(OUT))
        sys.stdout.flush()


def run():
    time.sleep(0.2)
    fd0, rss0 = nfds(PID), rss_kib(PID)
    info("baseline: %d descriptors, RSS %d KiB" % (fd0, rss0))
    prober = Prober()
    prober.start()

    phase_parallel()
    phase_half_close_and_big()
    phase_limit(prober, 1)
    rss1 = rss_kib(PID)
    phase_limit(prober, 2)
    phase_half_close_and_big()
    rss2 = rss_kib(PID)

    prober.stop.set()
    prober.join(5)
    fd_end = wait_fds(fd0, 5.0)
    check(fd_end <= fd0, "all abuse over: descriptors back to the baseline (%d, was %d)" % (fd_end, fd0),
          "%d now, %d at the start" % (fd_end, fd0))
    info("RSS KiB: start %d, peak %d, after round 1 %d, after round 2 %d" %
         (rss0, prober.peak_rss, rss1, rss2))
    check(rss2 - rss1 < 8 * 1024, "RSS does not grow when the abuse is repeated (%+d KiB)" % (rss2 - rss1),
          "grew from %d to %d KiB" % (rss1, rss2))
    check(prober.peak_rss - rss0 < 160 * 1024, "RSS peak stays bounded (%+d KiB over the start)" %
          (prober.peak_rss - rss0), "peak %d KiB, start %d KiB" % (prober.peak_rss, rss0))
    check(prober.udp[0] == prober.udp[1], "UDP answered throughout: %d/%d probes" % tuple(prober.udp),
          "failed at t=%s s" % prober.udp_fail_at[:10])
    check(prober.tcp[0] == prober.tcp[1] and prober.tcp[1] > 20,
          "new TCP clients answered throughout (outside the full-limit windows): %d/%d probes" %
          tuple(prober.tcp), "failed at t=%s s" % prober.tcp_fail_at[:10])


if __name__ == "__main__":
    main()
