#!/usr/bin/python3
"""differential_xfr.py -- zone transfer requests, glued vs NSD, byte for byte.

    differential_xfr.py XFRLIST NSD_PORT GLUED_PORT

dig cannot show the answer to a refused transfer (it prints a transfer,
or nothing), so the %xfr lines of differential.queries come here instead
(XFRLIST: one "LINENO<TAB>NAME ..." a line). For every name, IXFR over
UDP and TCP (with and without EDNS, and as a real IXFR request with the
client's SOA in AUTHORITY, RFC 1995 3) and AXFR over UDP and TCP go to
both servers as the same bytes; the two responses must be the same bytes
(rcode, question, OPT and its Extended DNS Error included). Output: the ok
and FAIL lines of lib.sh, then "counts PASSED FAILED QUERIES 0".
"""
import socket
import struct
import sys

T_SOA, T_OPT, T_IXFR, T_AXFR = 6, 41, 251, 252
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP",
          5: "REFUSED", 9: "NOTAUTH"}

passed = failed = 0


def wire_name(text):
    out = b""
    for label in text.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def request(qid, name, qtype, edns, soa):
    """The request: one question, the client's SOA (serial 1) in AUTHORITY
    when soa, an OPT (1232, no options) when edns."""
    qname = wire_name(name)
    body = qname + struct.pack(">HH", qtype, 1)
    if soa:
        rdata = b"\0\0" + struct.pack(">IIIII", 1, 0, 0, 0, 0)
        body += qname + struct.pack(">HHIH", T_SOA, 1, 0, len(rdata)) + rdata
    if edns:
        body += b"\0" + struct.pack(">HHIH", T_OPT, 1232, 0, 0)
    return struct.pack(">HHHHHH", qid, 0, 1, 0, 1 if soa else 0, 1 if edns else 0) + body


def ask(port, req, tcp):
    try:
        if tcp:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(struct.pack(">H", len(req)) + req)
                data = b""
                while len(data) < 2:
                    chunk = s.recv(2 - len(data))
                    if not chunk:
                        return None
                    data += chunk
                want = struct.unpack(">H", data)[0]
                data = b""
                while len(data) < want:
                    chunk = s.recv(want - len(data))
                    if not chunk:
                        return None
                    data += chunk
                return data
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(2)
            s.sendto(req, ("127.0.0.1", port))
            return s.recv(65535)
    except OSError:
        return None


def describe(resp):
    if resp is None:
        return "no answer"
    if len(resp) < 12:
        return "%d bytes" % len(resp)
    rcode = resp[3] & 0xF
    return "%s, %d bytes: %s" % (RCODES.get(rcode, str(rcode)), len(resp), resp.hex())


def main():
    global passed, failed
    xfrlist, nsd_port, glued_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cases = [("IXFR", T_IXFR, False, True, False), ("IXFR", T_IXFR, True, True, False),
             ("IXFR", T_IXFR, False, False, False), ("IXFR", T_IXFR, True, False, False),
             ("IXFR", T_IXFR, False, True, True), ("IXFR", T_IXFR, True, True, True),
             ("AXFR", T_AXFR, False, True, False), ("AXFR", T_AXFR, True, True, False),
             ("AXFR", T_AXFR, True, False, False)]
    nqueries = 0
    qid = 0x5800
    with open(xfrlist, encoding="utf-8") as f:
        for raw in f:
            lineno, names = raw.rstrip("\n").split("\t", 1)
            for name in names.split():
                for label, qtype, tcp, edns, soa in cases:
                    qid += 1
                    req = request(qid, name, qtype, edns, soa)
                    nsd = ask(nsd_port, req, tcp)
                    glued = ask(glued_port, req, tcp)
                    nqueries += 1
                    desc = "line %s: %s %s over %s%s%s" % (
                        lineno, name, label, "TCP" if tcp else "UDP",
                        "" if edns else ", no EDNS", ", with the client's SOA" if soa else "")
                    if nsd is not None and nsd == glued:
                        passed += 1
                        print("ok   - %s: %s" % (desc, describe(glued).split(",")[0]))
                    else:
                        failed += 1
                        print("FAIL - %s" % desc)
                        print("         nsd:   %s" % describe(nsd))
                        print("         glued: %s" % describe(glued))
    print("counts %d %d %d 0" % (passed, failed, nqueries))


if __name__ == "__main__":
    main()
