#!/usr/bin/env python3
"""Send COUNT UDP queries (a fixed mix) to 127.0.0.1:PORT one after another
and print how many were answered. Bounded: each waits at most 1 s."""
import socket
import struct
import sys


def query(qid, name, qtype, edns=True):
    wire = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\0"
    msg = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1 if edns else 0) + wire + struct.pack(">HH", qtype, 1)
    if edns:
        msg += b"\0" + struct.pack(">HHIH", 41, 1232, 0, 0)
    return msg


def main():
    port, count = int(sys.argv[1]), int(sys.argv[2])
    names = sys.argv[3:] or ["www.test."]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    answered = 0
    for i in range(count):
        name = names[i % len(names)]
        s.sendto(query(i & 0xFFFF, name, 1 if i % 3 else 28, edns=bool(i % 2)), ("127.0.0.1", port))
        try:
            data = s.recv(65535)
            if len(data) >= 12 and struct.unpack(">H", data[:2])[0] == i & 0xFFFF:
                answered += 1
        except socket.timeout:
            pass
    print(answered)


if __name__ == "__main__":
    main()
