#!/usr/bin/env python3
"""Send COUNT UDP queries (a fixed mix) to 127.0.0.1:PORT one after another
and print how many were answered. Bounded: each waits at most 1 s.

    udp_load.py [--dnssec] PORT COUNT [NAME ...]

Half the queries have EDNS, half not; with --dnssec every query has EDNS
with DO=1 (a signed zone's proofs and signatures in every answer)."""
import socket
import struct
import sys


def query(qid, name, qtype, edns=True, do=False):
    wire = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\0"
    msg = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1 if edns else 0) + wire + struct.pack(">HH", qtype, 1)
    if edns:
        msg += b"\0" + struct.pack(">HHIH", 41, 1232, 0x8000 if do else 0, 0)
    return msg


def main():
    args = sys.argv[1:]
    dnssec = bool(args) and args[0] == "--dnssec"
    if dnssec:
        args = args[1:]
    port, count = int(args[0]), int(args[1])
    names = args[2:] or ["www.test."]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    answered = 0
    for i in range(count):
        name = names[i % len(names)]
        q = query(i & 0xFFFF, name, 1 if i % 3 else 28, edns=dnssec or bool(i % 2), do=dnssec)
        s.sendto(q, ("127.0.0.1", port))
        try:
            data = s.recv(65535)
            if len(data) >= 12 and struct.unpack(">H", data[:2])[0] == i & 0xFFFF:
                answered += 1
        except socket.timeout:
            pass
    print(answered)


if __name__ == "__main__":
    main()
