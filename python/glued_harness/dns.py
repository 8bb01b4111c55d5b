"""A minimal DNS client for tests: build one query, send it over UDP or TCP,
parse the response. Standard library only.

    >>> m = query("127.0.0.1", 5300, "www.example.lab.", "A")
    >>> m.rcode, sorted(m.flags), m.answer
    ('NOERROR', ['aa', 'qr'], [RR(name='www.example.lab.', type='A', ttl=3600, data='127.0.2.80')])

It is not a resolver and not a validator: it reads what one server said, so
that a test can assert on every section. Record data is given as text for
the common types (A, AAAA, NS, CNAME, PTR, DNAME, SOA, MX, TXT, SRV, DS) and
in RFC 3597 form (``\\# LEN HEX``) for the others.
"""

import ipaddress
import os
import socket
import struct
import time
from typing import List, NamedTuple, Optional, Tuple

TYPES = {
    "A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "HINFO": 13, "MX": 15, "TXT": 16,
    "AAAA": 28, "SRV": 33, "NAPTR": 35, "DNAME": 39, "OPT": 41, "DS": 43, "SSHFP": 44,
    "RRSIG": 46, "NSEC": 47, "DNSKEY": 48, "NSEC3": 50, "NSEC3PARAM": 51, "TLSA": 52,
    "CDS": 59, "CDNSKEY": 60, "SVCB": 64, "HTTPS": 65, "ANY": 255, "CAA": 257,
}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP",
          5: "REFUSED", 6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH",
          10: "NOTZONE", 16: "BADVERS"}
FLAG_BITS = (("qr", 0x8000), ("aa", 0x0400), ("tc", 0x0200), ("rd", 0x0100),
             ("ra", 0x0080), ("ad", 0x0020), ("cd", 0x0010))
EDNS_OPT_EDE = 15  # Extended DNS Errors, RFC 8914


class DNSError(Exception):
    """A response that cannot be parsed, or no response in time."""


class RR(NamedTuple):
    name: str   # absolute, as the server wrote it (case kept)
    type: str   # "A", "NS", ... or "TYPE123"
    ttl: int
    data: str   # presentation form (see the module's docstring)


class Message(NamedTuple):
    id: int
    flags: frozenset     # {"qr", "aa", "tc", "rd", "ra", "ad", "cd"}
    rcode: str           # "NOERROR", ... (extended with the OPT's bits)
    question: List[Tuple[str, str]]
    answer: List[RR]
    authority: List[RR]
    additional: List[RR]  # without the OPT record
    edns: Optional[dict]  # {"udp": N, "version": V, "do": bool} or None
    ede: List[Tuple[int, str]]  # Extended DNS Errors (code, text)
    size: int             # bytes on the wire

    def rrs(self, section, rtype=None, name=None):
        """The records of section ("answer", "authority", "additional")
        of type rtype and owner name (case-insensitive), if given."""
        out = []
        for rr in getattr(self, section):
            if rtype is not None and rr.type != rtype:
                continue
            if name is not None and rr.name.lower() != absolute(name).lower():
                continue
            out.append(rr)
        return out

    def addresses(self, section="answer"):
        """The A and AAAA data of section, sorted."""
        return sorted(rr.data for rr in getattr(self, section) if rr.type in ("A", "AAAA"))


def absolute(name):
    return name if name.endswith(".") else name + "."


def type_code(t):
    if isinstance(t, int):
        return t
    t = t.upper()
    if t in TYPES:
        return TYPES[t]
    if t.startswith("TYPE") and t[4:].isdigit():
        return int(t[4:])
    raise ValueError("unknown RR type %r" % t)


def type_name(code):
    return TYPE_NAMES.get(code, "TYPE%d" % code)


def encode_name(name):
    name = absolute(name)
    if name == ".":
        return b"\x00"
    out = b""
    for label in name[:-1].split("."):
        raw = label.encode("ascii")
        if not 0 < len(raw) < 64:
            raise ValueError("bad label in %r" % name)
        out += bytes([len(raw)]) + raw
    return out + b"\x00"


CLASSES = {"IN": 1, "CH": 3, "HS": 4}


def make_query(qname, qtype="A", qid=None, rd=False, edns=1232, do=False, cd=False, qclass="IN"):
    """The wire form of one query. edns=None: no OPT record."""
    if qid is None:
        qid = struct.unpack("!H", os.urandom(2))[0]
    flags = (0x0100 if rd else 0) | (0x0010 if cd else 0)
    hdr = struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 1 if edns is not None else 0)
    q = encode_name(qname) + struct.pack("!HH", type_code(qtype),
                                        CLASSES.get(qclass, qclass) if isinstance(qclass, str)
                                        else qclass)
    if edns is not None:
        q += b"\x00" + struct.pack("!HHIH", 41, edns, 0x8000 if do else 0, 0)
    return hdr + q


def _name(msg, off):
    """(name, offset after it) at off; follows compression pointers."""
    labels, jumps, end = [], 0, None
    while True:
        if off >= len(msg):
            raise DNSError("name runs past the message")
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if off + 1 >= len(msg):
                raise DNSError("truncated compression pointer")
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumps += 1
            if jumps > 64:
                raise DNSError("compression loop")
            continue
        if n & 0xC0:
            raise DNSError("bad label type")
        off += 1
        if n == 0:
            break
        if off + n > len(msg):
            raise DNSError("label runs past the message")
        labels.append(_label_text(msg[off:off + n]))
        off += n
    return ("".join(l + "." for l in labels) or "."), (end if end is not None else off)


SPECIAL = set('.\\"();@$')


def _label_text(raw):
    out = []
    for b in raw:
        c = chr(b)
        if c in SPECIAL or b < 33 or b > 126:
            out.append("\\%03d" % b if (b < 33 or b > 126) else "\\" + c)
        else:
            out.append(c)
    return "".join(out)


def _rdata(msg, off, rdlen, rtype):
    rd = msg[off:off + rdlen]
    if len(rd) != rdlen:
        raise DNSError("rdata runs past the message")
    t = type_name(rtype)
    try:
        if t == "A" and rdlen == 4:
            return str(ipaddress.IPv4Address(rd))
        if t == "AAAA" and rdlen == 16:
            return str(ipaddress.IPv6Address(rd))
        if t in ("NS", "CNAME", "PTR", "DNAME"):
            return _name(msg, off)[0]
        if t == "MX":
            return "%d %s" % (struct.unpack("!H", rd[:2])[0], _name(msg, off + 2)[0])
        if t == "SRV":
            p, w, port = struct.unpack("!HHH", rd[:6])
            return "%d %d %d %s" % (p, w, port, _name(msg, off + 6)[0])
        if t == "SOA":
            mname, o = _name(msg, off)
            rname, o = _name(msg, o)
            nums = struct.unpack("!IIIII", msg[o:o + 20])
            return "%s %s %s" % (mname, rname, " ".join(str(n) for n in nums))
        if t == "TXT":
            parts, i = [], 0
            while i < rdlen:
                n = rd[i]
                parts.append('"%s"' % rd[i + 1:i + 1 + n].decode("latin-1")
                             .replace("\\", "\\\\").replace('"', '\\"'))
                i += 1 + n
            return " ".join(parts)
        if t in ("DS", "CDS") and rdlen > 4:
            tag, alg, dt = struct.unpack("!HBB", rd[:4])
            return "%d %d %d %s" % (tag, alg, dt, rd[4:].hex().upper())
    except (struct.error, ValueError, IndexError) as e:
        raise DNSError("bad %s rdata: %s" % (t, e))
    return "\\# %d %s" % (rdlen, rd.hex().upper()) if rdlen else "\\# 0"


def parse(msg):
    """Parse one DNS message (bytes) into a Message; DNSError if it is
    malformed."""
    if len(msg) < 12:
        raise DNSError("shorter than a header (%d bytes)" % len(msg))
    qid, fl, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    off = 12
    question = []
    for _ in range(qd):
        name, off = _name(msg, off)
        if off + 4 > len(msg):
            raise DNSError("question runs past the message")
        qt, _qc = struct.unpack("!HH", msg[off:off + 4])
        off += 4
        question.append((name, type_name(qt)))
    sections = [[], [], []]
    edns, ede, ext_rcode = None, [], 0
    for si, count in enumerate((an, ns, ar)):
        for _ in range(count):
            name, off = _name(msg, off)
            if off + 10 > len(msg):
                raise DNSError("record header runs past the message")
            rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
            off += 10
            if off + rdlen > len(msg):
                raise DNSError("rdata runs past the message")
            if rtype == 41 and si == 2:
                ext_rcode = ttl >> 24
                edns = {"udp": rclass, "version": (ttl >> 16) & 0xFF, "do": bool(ttl & 0x8000)}
                o = off
                while o + 4 <= off + rdlen:
                    code, olen = struct.unpack("!HH", msg[o:o + 4])
                    val = msg[o + 4:o + 4 + olen]
                    if code == EDNS_OPT_EDE and olen >= 2:
                        ede.append((struct.unpack("!H", val[:2])[0],
                                    val[2:].decode("utf-8", "replace")))
                    o += 4 + olen
            else:
                sections[si].append(RR(name, type_name(rtype), ttl, _rdata(msg, off, rdlen, rtype)))
            off += rdlen
    code = (ext_rcode << 4) | (fl & 0xF)
    flags = frozenset(n for n, bit in FLAG_BITS if fl & bit)
    return Message(qid, flags, RCODES.get(code, "RCODE%d" % code), question,
                   sections[0], sections[1], sections[2], edns, ede, len(msg))


def query(host, port, qname, qtype="A", rd=False, tcp=False, timeout=2.0, edns=1232,
          do=False, cd=False, qclass="IN"):
    """Ask host:port one question; return the parsed Message. A response
    whose ID or question does not match is ignored (UDP) until the timeout;
    no response in time raises DNSError."""
    qid = struct.unpack("!H", os.urandom(2))[0]
    wire = make_query(qname, qtype, qid=qid, rd=rd, edns=edns, do=do, cd=cd, qclass=qclass)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    deadline = time.monotonic() + timeout
    if tcp:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect((host, port))
            s.sendall(struct.pack("!H", len(wire)) + wire)
            n = struct.unpack("!H", _recv_exact(s, 2))[0]
            return parse(_recv_exact(s, n))
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.connect((host, port))
        s.send(wire)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise DNSError("no response from %s:%d to %s %s in %.1f s"
                               % (host, port, qname, qtype, timeout))
            s.settimeout(left)
            try:
                data = s.recv(65535)
            except socket.timeout:
                continue
            except ConnectionRefusedError:
                raise DNSError("%s:%d: connection refused (nothing listens there)" % (host, port))
            m = parse(data)
            if m.id == qid and [(n.lower(), t) for n, t in m.question] == \
                    [(absolute(qname).lower(), type_name(type_code(qtype)))]:
                return m


def _recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise DNSError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf
