#!/usr/bin/env python3
"""hostile.py PORT -- malformed and abusive DNS messages against glued on
127.0.0.1:PORT, over UDP and TCP, each followed by a normal query that must
still be answered. Python 3 standard library only.

Prints one line per check for test_hostile.sh:
    ok<TAB>description
    bad<TAB>description<TAB>details

The expected fate of every message follows server/dns/query.c and respond.c:
  - fewer than 12 bytes, or QR=1: dropped (no answer at all);
  - opcode other than QUERY: NOTIMP, whatever the counts say;
  - anything else malformed: FORMERR; the question is echoed when it was
    read (QDCOUNT 1, name and type/class readable), the OPT only when the
    records walked cleanly (or for a header-only query with a valid OPT);
  - EDNS version > 0: BADVERS with an OPT;
  - well-formed (even with unknown or huge EDNS options, or bytes after the
    counted records): answered normally.
Every response must carry the request's ID, QR=1, the request's opcode and
RD/CD bits, no records in ANSWER/AUTHORITY for an error, and exactly the
number of bytes its counts describe.
"""
import socket
import struct
import sys
import time

HOST = "127.0.0.1"
PORT = 0
RESULTS = []

T_A, T_NS, T_SOA, T_TXT, T_OPT, T_AXFR = 1, 2, 6, 16, 41, 252
FORMERR, NOTIMP, REFUSED, NOERROR, NXDOMAIN, BADVERS = 1, 4, 5, 0, 3, 16
DROP = "drop"
CLOSE = "close"


def ok(desc):
    RESULTS.append(("ok", desc, ""))


def bad(desc, why):
    RESULTS.append(("bad", desc, why))


# --- message building ---------------------------------------------------------

def name(text):
    return b"".join(bytes([len(l)]) + l.encode() for l in text.split(".") if l) + b"\0"


def header(qid, flags=0, qd=1, an=0, ns=0, ar=0):
    return struct.pack(">HHHHHH", qid, flags, qd, an, ns, ar)


def question(qname="www.test.", qtype=T_A, qclass=1):
    return (name(qname) if isinstance(qname, str) else qname) + struct.pack(">HH", qtype, qclass)


def opt(size=1232, version=0, do=False, options=b"", owner=b"\0"):
    ttl = (version << 16) | (0x8000 if do else 0)
    return owner + struct.pack(">HHIH", T_OPT, size, ttl, len(options)) + options


def option(code, data):
    return struct.pack(">HH", code, len(data)) + data


def rr(owner, rtype, rdata, ttl=0, rclass=1):
    return owner + struct.pack(">HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def flags_of(opcode=0, qr=False, rd=True, cd=False):
    return (0x8000 if qr else 0) | (opcode << 11) | (0x100 if rd else 0) | (0x10 if cd else 0)


# --- response parsing -----------------------------------------------------------

class Malformed(Exception):
    pass


def skip_name(msg, pos):
    """Position after the (possibly compressed) name at pos; decompression
    pointers must go backwards (what glued writes)."""
    hops = 0
    while True:
        if pos >= len(msg):
            raise Malformed("name runs past the end")
        l = msg[pos]
        if l & 0xC0 == 0xC0:
            return pos + 2
        if l & 0xC0:
            raise Malformed("bad label type")
        pos += 1 + l
        if l == 0:
            return pos
        hops += 1
        if hops > 128:
            raise Malformed("name too long")


def read_name(msg, pos):
    labels, jumps = [], 0
    while True:
        l = msg[pos]
        if l & 0xC0 == 0xC0:
            pos = ((l & 0x3F) << 8) | msg[pos + 1]
            jumps += 1
            if jumps > 64:
                raise Malformed("pointer loop in a response")
            continue
        if l == 0:
            return ".".join(labels) + "."
        labels.append(msg[pos + 1:pos + 1 + l].decode("latin-1"))
        pos += 1 + l


def parse(msg):
    """Header fields, the question bytes, and the records of a response."""
    if len(msg) < 12:
        raise Malformed("response shorter than a header")
    qid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", msg[:12])
    pos = 12
    qbytes = b""
    for _ in range(qd):
        end = skip_name(msg, pos) + 4
        if end > len(msg):
            raise Malformed("question runs past the end")
        qbytes += msg[pos:end]
        pos = end
    records = []
    for sec, n in (("answer", an), ("authority", ns), ("additional", ar)):
        for _ in range(n):
            start = pos
            pos = skip_name(msg, pos)
            if pos + 10 > len(msg):
                raise Malformed("record header runs past the end")
            rtype, rclass, ttl, rdlen = struct.unpack(">HHIH", msg[pos:pos + 10])
            pos += 10
            if pos + rdlen > len(msg):
                raise Malformed("rdata runs past the end")
            records.append((sec, read_name(msg, start), rtype, rclass, ttl, msg[pos:pos + rdlen]))
            pos += rdlen
    if pos != len(msg):
        raise Malformed("%d bytes after the counted records" % (len(msg) - pos))
    opts = [r for r in records if r[2] == T_OPT]
    rcode = flags & 0xF
    if opts:
        rcode |= (opts[0][4] >> 24) << 4
    return {"id": qid, "flags": flags, "qd": qd, "an": an, "ns": ns, "ar": ar,
            "question": qbytes, "records": records, "opts": opts, "rcode": rcode}


# --- the cases -----------------------------------------------------------------

class Case:
    """One hostile message and what glued must do with it.

    expect: DROP, CLOSE (TCP: the connection is closed, nothing answered),
    or an rcode; echo: the question must come back (as these bytes, or the
    question of the request when True); edns: an OPT must (True) or must
    not (False) be in the response; answered: NOERROR/NXDOMAIN data answer.
    """

    def __init__(self, desc, msg, expect, echo=None, edns=False, tcp_only=False,
                 udp_only=False, answers=None):
        self.desc, self.msg, self.expect = desc, msg, expect
        self.echo, self.edns = echo, edns
        self.tcp_only, self.udp_only = tcp_only, udp_only
        self.answers = answers  # minimum ANSWER count for a normal answer


def build_cases():
    c = []
    Q = question()
    FL = flags_of()

    # Truncated headers: 0..11 bytes. An empty datagram is a no-op for UDP;
    # over TCP a zero length closes the connection (RFC 7766 framing).
    full = header(0x1111, FL) + Q
    for n in range(0, 12):
        if n == 0:
            c.append(Case("empty message", b"", DROP, udp_only=True))
            c.append(Case("zero-length frame", b"", CLOSE, tcp_only=True))
        else:
            c.append(Case("truncated header, %d byte(s)" % n, full[:n], DROP))

    # Header only, QDCOUNT 0 / question missing.
    c.append(Case("header only, QDCOUNT 0", header(0x1201, FL, qd=0), FORMERR, echo=False))
    c.append(Case("header only, QDCOUNT 0, valid OPT", header(0x1202, FL, qd=0, ar=1) + opt(),
                  FORMERR, echo=False, edns=True))
    c.append(Case("QDCOUNT 1 but no question bytes", header(0x1203, FL), FORMERR, echo=False))
    c.append(Case("question name without its terminator", header(0x1204, FL) + b"\3www\4test",
                  FORMERR, echo=False))
    c.append(Case("question without type and class", header(0x1205, FL) + name("www.test."),
                  FORMERR, echo=False))
    c.append(Case("question with half a type", header(0x1206, FL) + name("www.test.") + b"\0",
                  FORMERR, echo=False))
    c.append(Case("QDCOUNT 2 (two full questions)", header(0x1207, FL, qd=2) + Q + question("ns.test."),
                  FORMERR, echo=False))
    c.append(Case("QDCOUNT 2 with an OPT", header(0x1208, FL, qd=2, ar=1) + Q + question("ns.test.") + opt(),
                  FORMERR, echo=False, edns=False))
    c.append(Case("QDCOUNT 65535", header(0x1209, FL, qd=65535) + Q, FORMERR, echo=False))

    # Compression pointers in the question.
    c.append(Case("pointer to itself", header(0x1301, FL) + b"\xc0\x0c" + b"\0\1\0\1",
                  FORMERR, echo=False))
    c.append(Case("pointer into the header", header(0x1302, FL) + b"\xc0\x02" + b"\0\1\0\1",
                  FORMERR, echo=False))
    c.append(Case("pointer to offset 0", header(0x1303, FL) + b"\xc0\x00" + b"\0\1\0\1",
                  FORMERR, echo=False))
    c.append(Case("forward pointer to a valid name",
                  header(0x1304, FL) + b"\xc0\x12" + b"\0\1\0\1" + name("www.test."),
                  FORMERR, echo=False))
    c.append(Case("two pointers pointing at each other",
                  header(0x1305, FL) + b"\xc0\x0e\xc0\x0c" + b"\0\1\0\1", FORMERR, echo=False))
    c.append(Case("label loop: label then a pointer back to it",
                  header(0x1306, FL) + b"\3www\xc0\x0c" + b"\0\1\0\1", FORMERR, echo=False))
    c.append(Case("pointer past the end of the message", header(0x1307, FL) + b"\xff\xff",
                  FORMERR, echo=False))
    c.append(Case("half a pointer at the end", header(0x1308, FL) + b"\3www\xc0",
                  FORMERR, echo=False))
    c.append(Case("63-byte label + pointer back to it (expands past 255 bytes)",
                  header(0x1309, FL) + b"\x3f" + b"c" * 63 + b"\xc0\x0c" + b"\0\1\0\1",
                  FORMERR, echo=False))

    # Chains of valid backward pointers in record owners: each owner is a
    # 63-byte label + a pointer to the previous owner. Three links make a
    # 202-byte name (fine); four make 266 bytes (FORMERR).
    def chain(qid, links):
        m = bytearray(header(qid, FL, ar=links) + Q)
        prev = 12
        for i in range(links):
            at = len(m)
            m += b"\x3f" + bytes([0x61 + i]) * 63 + struct.pack(">H", 0xC000 | prev)
            m += struct.pack(">HHIH", T_A, 1, 0, 4) + b"\1\2\3\4"
            prev = at
        return bytes(m)
    c.append(Case("backward pointer chain, 202-byte owner: answered", chain(0x130A, 3), NOERROR,
                  echo=True, answers=1))
    c.append(Case("backward pointer chain, 266-byte owner", chain(0x130B, 4), FORMERR, echo=True))

    # Labels and names.
    c.append(Case("label of 64 bytes", header(0x1401, FL) + b"\x40" + b"a" * 64 + b"\4test\0\0\1\0\1",
                  FORMERR, echo=False))
    c.append(Case("label type 0x80 (reserved)", header(0x1402, FL) + b"\x80\x01a\0\0\1\0\1",
                  FORMERR, echo=False))
    c.append(Case("label type 0x40 (EDNS0 extended label)", header(0x1403, FL) + b"\x41\x00\0\0\1\0\1",
                  FORMERR, echo=False))
    long256 = b"\x3f" + b"a" * 63 + b"\x3f" + b"b" * 63 + b"\x3f" + b"c" * 63 + b"\x39" + b"d" * 57 + b"\4test\0"
    assert len(long256) == 256
    c.append(Case("name of 256 bytes", header(0x1404, FL) + long256 + b"\0\1\0\1", FORMERR, echo=False))
    long255 = b"\x3f" + b"a" * 63 + b"\x3f" + b"b" * 63 + b"\x3f" + b"c" * 63 + b"\x38" + b"d" * 56 + b"\4test\0"
    assert len(long255) == 255
    c.append(Case("name of exactly 255 bytes is answered (NXDOMAIN)",
                  header(0x1405, FL) + long255 + b"\0\1\0\1", NXDOMAIN, echo=True, answers=0))
    c.append(Case("label of 63 bytes is answered (NXDOMAIN)",
                  header(0x1406, FL) + b"\x3f" + b"e" * 63 + b"\4test\0\0\1\0\1", NXDOMAIN, echo=True, answers=0))
    c.append(Case("name of 300 label bytes (many 1-byte labels)",
                  header(0x1407, FL) + b"\1x" * 150 + b"\0\0\1\0\1", FORMERR, echo=False))

    # Bogus counts: the question is readable, so it is echoed; no OPT.
    c.append(Case("ANCOUNT 1, no record", header(0x1501, FL, an=1) + Q, FORMERR, echo=True))
    c.append(Case("NSCOUNT 3, one record", header(0x1502, FL, ns=3) + Q + rr(b"\0", T_A, b"\1\2\3\4"),
                  FORMERR, echo=True))
    c.append(Case("ARCOUNT 65535 with one OPT", header(0x1503, FL, ar=65535) + Q + opt(),
                  FORMERR, echo=True))
    c.append(Case("all counts 65535", header(0x1504, FL, qd=65535, an=65535, ns=65535, ar=65535) + Q,
                  FORMERR, echo=False))
    c.append(Case("record with rdlength past the end", header(0x1505, FL, an=1) + Q +
                  b"\0" + struct.pack(">HHIH", T_A, 1, 0, 400) + b"\1\2\3\4", FORMERR, echo=True))
    c.append(Case("record owner with a pointer loop", header(0x1506, FL, ar=1) + Q +
                  b"\xc0\x1e" + struct.pack(">HHIH", T_A, 1, 0, 4) + b"\1\2\3\4", FORMERR, echo=True))
    c.append(Case("record owner with a forward pointer", header(0x1507, FL, an=1) + Q +
                  b"\xc0\x30" + struct.pack(">HHIH", T_A, 1, 0, 4) + b"\1\2\3\4" + name("x.test."),
                  FORMERR, echo=True))
    c.append(Case("valid records in ANSWER and AUTHORITY are ignored",
                  header(0x1508, FL, an=1, ns=1) + Q + rr(b"\xc0\x0c", T_A, b"\1\2\3\4") +
                  rr(b"\0", T_NS, name("ns.test.")), NOERROR, echo=True, answers=1))
    c.append(Case("trailing garbage after the counted records is ignored",
                  header(0x1509, FL) + Q + b"\xde\xad\xbe\xef" * 8, NOERROR, echo=True, answers=1))

    # OPT rules.
    c.append(Case("two OPT records", header(0x1601, FL, ar=2) + Q + opt() + opt(), FORMERR, echo=True))
    c.append(Case("OPT in ANSWER", header(0x1602, FL, an=1) + Q + opt(), FORMERR, echo=True))
    c.append(Case("OPT in AUTHORITY", header(0x1603, FL, ns=1) + Q + opt(), FORMERR, echo=True))
    c.append(Case("OPT owned by test. instead of the root",
                  header(0x1604, FL, ar=1) + Q + opt(owner=name("test.")), FORMERR, echo=True))
    c.append(Case("OPT option longer than the rdata", header(0x1605, FL, ar=1) + Q +
                  opt(options=struct.pack(">HH", 10, 200) + b"x" * 8), FORMERR, echo=True))
    c.append(Case("OPT with 3 stray bytes of options", header(0x1606, FL, ar=1) + Q +
                  opt(options=b"\0\1\0"), FORMERR, echo=True))
    c.append(Case("OPT rdlength past the end", header(0x1607, FL, ar=1) + Q +
                  b"\0" + struct.pack(">HHIH", T_OPT, 1232, 0, 50) + b"\0\1\0\0", FORMERR, echo=True))
    c.append(Case("EDNS version 1: BADVERS with an OPT", header(0x1608, FL, ar=1) + Q + opt(version=1),
                  BADVERS, echo=True, edns=True))
    c.append(Case("EDNS version 255 with a bad option: still BADVERS", header(0x1609, FL, ar=1) + Q +
                  opt(version=255, options=b"\0"), BADVERS, echo=True, edns=True))
    c.append(Case("unknown EDNS options and flags are ignored", header(0x160A, FL, ar=1) + Q +
                  opt(do=True, options=option(65001, b"x" * 20) + option(8, b"")), NOERROR,
                  echo=True, edns=True, answers=1))
    c.append(Case("EDNS payload size 0 (treated as 512)", header(0x160B, FL, ar=1) + Q + opt(size=0),
                  NOERROR, echo=True, edns=True, answers=1))
    c.append(Case("huge EDNS option (8000 bytes) over UDP", header(0x160C, FL, ar=1) + Q +
                  opt(options=option(65002, b"p" * 8000)), NOERROR, echo=True, edns=True, answers=1))
    # The biggest query a 2-byte TCP length and a UDP datagram can carry.
    for size, only in ((65535, "tcp"), (65507, "udp")):
        base = header(0x160D, FL, ar=1) + Q
        pad = size - len(base) - 11 - 4
        m = base + opt(options=option(12, b"\0" * pad))
        assert len(m) == size
        c.append(Case("EDNS padding option filling a %d-byte query" % size, m, NOERROR, echo=True,
                      edns=True, answers=1, tcp_only=(only == "tcp"), udp_only=(only == "udp")))
    c.append(Case("OPT in ADDITIONAL after other records", header(0x160E, FL, ar=2) + Q +
                  rr(b"\0", T_A, b"\1\2\3\4") + opt(), NOERROR, echo=True, edns=True, answers=1))

    # QR=1: never answered.
    c.append(Case("QR=1 with a valid question", header(0x1701, flags_of(qr=True)) + Q, DROP))
    c.append(Case("QR=1 with opcode 5", header(0x1702, flags_of(5, qr=True)) + Q, DROP))
    c.append(Case("QR=1 with QDCOUNT 0", header(0x1703, flags_of(qr=True), qd=0), DROP))
    c.append(Case("QR=1 with a pointer loop", header(0x1704, flags_of(qr=True)) + b"\xc0\x0c\0\1\0\1", DROP))
    c.append(Case("QR=1, rcode NOERROR, AA set (a reflected answer)",
                  header(0x1705, flags_of(qr=True) | 0x400, an=1) + Q + rr(b"\xc0\x0c", T_A, b"\1\2\3\4"), DROP))

    # Every opcode.
    for op in range(16):
        if op == 0:
            c.append(Case("opcode 0 (QUERY) is answered", header(0x1800, flags_of(0, cd=True)) + Q,
                          NOERROR, echo=True, answers=1))
            continue
        c.append(Case("opcode %d: NOTIMP, question echoed" % op, header(0x1800 + op, flags_of(op)) + Q,
                      NOTIMP, echo=True))
        c.append(Case("opcode %d with EDNS: NOTIMP with an OPT" % op,
                      header(0x1810 + op, flags_of(op), ar=1) + Q + opt(), NOTIMP, echo=True, edns=True))
        c.append(Case("opcode %d, QDCOUNT 0: NOTIMP" % op, header(0x1820 + op, flags_of(op), qd=0),
                      NOTIMP, echo=False))
        c.append(Case("opcode %d, malformed question: NOTIMP" % op,
                      header(0x1830 + op, flags_of(op)) + b"\xc0\x0c\0\1\0\1", NOTIMP, echo=False))

    # Meta types (respond.c).
    c.append(Case("AXFR over UDP: NOTIMP", header(0x1901, FL) + question("test.", T_AXFR), NOTIMP,
                  echo=True, udp_only=True))
    c.append(Case("AXFR over TCP: REFUSED", header(0x1902, FL) + question("test.", T_AXFR), REFUSED,
                  echo=True, tcp_only=True))
    c.append(Case("class CH: REFUSED", header(0x1903, FL) + question("version.bind.", T_TXT, 3), REFUSED,
                  echo=True))
    c.append(Case("class 0: REFUSED", header(0x1904, FL) + question("www.test.", T_A, 0), REFUSED,
                  echo=True))
    return c


# --- judging -------------------------------------------------------------------

def request_question(msg):
    """The question bytes of a request (uncompressed, QDCOUNT 1)."""
    end = skip_name(msg, 12) + 4
    return msg[12:end]


def judge(case, resp, transport):
    """Problems with resp (a response to case.msg), as a list of strings."""
    why = []
    try:
        p = parse(resp)
    except (Malformed, IndexError, UnicodeDecodeError) as e:
        return ["unparseable response: %s (%d bytes)" % (e, len(resp))]
    req = case.msg
    rid, rflags = struct.unpack(">HH", req[:4])
    if p["id"] != rid:
        why.append("ID %#x, want %#x" % (p["id"], rid))
    if not p["flags"] & 0x8000:
        why.append("QR not set")
    if (p["flags"] >> 11) & 0xF != (rflags >> 11) & 0xF:
        why.append("opcode %d, want %d" % ((p["flags"] >> 11) & 0xF, (rflags >> 11) & 0xF))
    if p["flags"] & 0x0110 != rflags & 0x0110:
        why.append("RD/CD not copied (flags %#06x, request %#06x)" % (p["flags"], rflags))
    if p["rcode"] != case.expect:
        why.append("rcode %d, want %d" % (p["rcode"], case.expect))
    if case.echo is True:
        want_q = request_question(req)
        if p["qd"] != 1 or p["question"] != want_q:
            why.append("question not echoed exactly (QDCOUNT %d)" % p["qd"])
    elif case.echo is False and p["qd"] != 0:
        why.append("QDCOUNT %d, want 0 (the question was not readable)" % p["qd"])
    if case.edns is True and len(p["opts"]) != 1:
        why.append("%d OPT records, want 1" % len(p["opts"]))
    if case.edns is False and p["opts"]:
        why.append("an OPT in the response, want none")
    if case.answers is None:
        if p["an"] or p["ns"]:
            why.append("error response with ANSWER %d AUTHORITY %d" % (p["an"], p["ns"]))
        if p["ar"] != len(p["opts"]):
            why.append("error response with ADDITIONAL %d" % p["ar"])
    else:
        if p["an"] < case.answers:
            why.append("ANSWER %d, want at least %d" % (p["an"], case.answers))
        if not p["flags"] & 0x0400:
            why.append("AA not set on an authoritative answer")
    if transport == "udp":
        limit = 512
        if p["opts"] or case.edns:
            limit = 1232
        if len(resp) > limit:
            why.append("UDP response of %d bytes over %d" % (len(resp), limit))
    return why


PROBE_ID = 0xBEEF


def probe_msg(qid=PROBE_ID):
    return header(qid, flags_of()) + question("www.test.")


def probe_ok(resp, qid=PROBE_ID):
    try:
        p = parse(resp)
    except (Malformed, IndexError):
        return False
    addrs = [r[5] for r in p["records"] if r[0] == "answer" and r[2] == T_A]
    return p["id"] == qid and p["rcode"] == 0 and bytes([192, 0, 2, 80]) in addrs


def udp_case(case):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2.0)
    try:
        s.connect((HOST, PORT))
        s.send(case.msg)
        # The probe goes out on the same socket right behind the case: one
        # worker socket gets both (same 4-tuple), so the case's answer, if
        # any, arrives first.
        s.send(probe_msg())
        got = []
        deadline = time.time() + 2.0
        while time.time() < deadline:
            try:
                d = s.recv(65535)
            except socket.timeout:
                break
            got.append(d)
            if probe_ok(d):
                break
    finally:
        s.close()
    answered = any(probe_ok(d) for d in got)
    others = [d for d in got if not probe_ok(d)]
    desc = "udp: " + case.desc
    why = []
    if case.expect == DROP:
        if others:
            why.append("answered (%d bytes) but must be dropped" % len(others[0]))
    elif not others:
        why.append("no answer")
    else:
        why += judge(case, others[0], "udp")
        if len(others) > 1:
            why.append("%d answers to one message" % len(others))
    if not answered:
        why.append("glued did not answer the normal query sent after it")
    if why:
        bad(desc, "; ".join(why))
    else:
        ok(desc)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            return None
        buf += d
    return buf


def recv_frame(s):
    h = recv_exact(s, 2)
    if h is None:
        return None
    return recv_exact(s, struct.unpack(">H", h)[0])


def frame(m):
    return struct.pack(">H", len(m)) + m


def tcp_case(case):
    desc = "tcp: " + case.desc
    why = []
    s = socket.create_connection((HOST, PORT), timeout=3.0)
    try:
        s.settimeout(3.0)
        if case.expect == CLOSE:
            s.sendall(frame(case.msg) + frame(probe_msg()))
            try:
                d = recv_frame(s)
            except (ConnectionResetError, socket.timeout) as e:
                d = None
                if isinstance(e, socket.timeout):
                    why.append("connection not closed")
            if d is not None:
                why.append("answered after a zero-length frame")
        else:
            # The case and a probe pipelined on one connection: the answer
            # to the case (if any) comes first, then the probe's.
            s.sendall(frame(case.msg) + frame(probe_msg()))
            first = recv_frame(s)
            if first is None:
                why.append("connection closed")
            elif case.expect == DROP:
                if not probe_ok(first):
                    why.append("answered (%d bytes) but must be dropped" % len(first))
            else:
                why += judge(case, first, "tcp")
                second = recv_frame(s)
                if second is None or not probe_ok(second):
                    why.append("the normal query pipelined after it was not answered")
    except socket.timeout:
        why.append("timed out")
    except OSError as e:
        why.append("socket error: %s" % e)
    finally:
        s.close()
    # Whatever happened to that connection, a new one is served.
    if not tcp_probe():
        why.append("a new TCP connection was not answered afterwards")
    if why:
        bad(desc, "; ".join(why))
    else:
        ok(desc)


def tcp_probe():
    try:
        with socket.create_connection((HOST, PORT), timeout=3.0) as s:
            s.settimeout(3.0)
            s.sendall(frame(probe_msg(0xBEEE)))
            d = recv_frame(s)
            return d is not None and probe_ok(d, 0xBEEE)
    except OSError:
        return False


def tcp_one_stream(cases):
    """Every TCP case that keeps the connection, back to back on one
    connection: the answers come in order and the connection survives."""
    sendable = [c for c in cases if c.expect != CLOSE and not c.udp_only]
    s = socket.create_connection((HOST, PORT), timeout=5.0)
    why = []
    try:
        s.settimeout(5.0)
        blob = b"".join(frame(c.msg) for c in sendable) + frame(probe_msg())
        s.sendall(blob)
        for c in sendable:
            if c.expect == DROP:
                continue
            d = recv_frame(s)
            if d is None:
                why.append("connection closed before the answer to: " + c.desc)
                break
            w = judge(c, d, "tcp")
            if w:
                why.append(c.desc + ": " + "; ".join(w))
        else:
            d = recv_frame(s)
            if d is None or not probe_ok(d):
                why.append("the final normal query was not answered")
    except (OSError, socket.timeout) as e:
        why.append("socket error: %s" % e)
    finally:
        s.close()
    desc = "tcp: all %d messages pipelined on one connection, answered in order" % len(sendable)
    if why:
        bad(desc, "; ".join(why[:5]))
    else:
        ok(desc)


def main():
    global PORT
    PORT = int(sys.argv[1])
    cases = build_cases()
    for c in cases:
        if not c.tcp_only:
            udp_case(c)
    for c in cases:
        if not c.udp_only:
            tcp_case(c)
    tcp_one_stream(cases)
    for status, desc, why in RESULTS:
        print("\t".join((status, desc, why)) if why else "\t".join((status, desc)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
