#!/usr/bin/env python3
"""udp_flows.py HOST PORT CLIENTS BURST: what a UDP client of a multi-worker
glued depends on.

1. CLIENTS sockets (each its own source port) send one query each, all at
   once; every one must be answered exactly once, from HOST:PORT itself.
2. One socket sends BURST queries back to back without waiting; all must
   come back, and in the order they were sent (one client's datagrams go to
   one worker, which answers them in order).

Prints one line per check, "ok - ..." or "FAIL - ...". Bounded: 2 s waits."""
import select
import socket
import struct
import sys
import time


def query(qid, name="www.test.", qtype=1):
    wire = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\0"
    return struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1) + wire + struct.pack(">HH", qtype, 1) + \
        b"\0" + struct.pack(">HHIH", 41, 1232, 0, 0)


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def main():
    host, port, clients, burst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    fam = family_of(host)
    server = socket.getaddrinfo(host, port, fam, socket.SOCK_DGRAM)[0][4]
    fails = 0

    socks = [socket.socket(fam, socket.SOCK_DGRAM) for _ in range(clients)]
    try:
        for i, s in enumerate(socks):
            s.setblocking(False)
            s.sendto(query(i), server)
        got = {}
        wrong_source = 0
        deadline = time.time() + 2.0
        pending = set(range(clients))
        while pending and time.time() < deadline:
            ready, _, _ = select.select([socks[i] for i in pending], [], [], 0.2)
            for s in ready:
                i = socks.index(s)
                while True:
                    try:
                        data, src = s.recvfrom(65535)
                    except BlockingIOError:
                        break
                    if src[0] != server[0] or src[1] != server[1]:
                        wrong_source += 1
                    if len(data) >= 12 and struct.unpack(">H", data[:2])[0] == i:
                        got[i] = got.get(i, 0) + 1
                pending.discard(i)
        # Anything late or doubled shows up in a last short read.
        time.sleep(0.1)
        for i, s in enumerate(socks):
            while True:
                try:
                    data, src = s.recvfrom(65535)
                except BlockingIOError:
                    break
                got[i] = got.get(i, 0) + 1
        answered = sum(1 for i in range(clients) if got.get(i, 0) >= 1)
        doubled = sum(1 for i in range(clients) if got.get(i, 0) > 1)
        desc = "%d clients, one query each: answered %d, twice %d, from another address %d" % (
            clients, answered, doubled, wrong_source)
        if answered == clients and doubled == 0 and wrong_source == 0:
            print("ok - " + desc)
        else:
            print("FAIL - " + desc)
            fails += 1
    finally:
        for s in socks:
            s.close()

    s = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        s.settimeout(2.0)
        for i in range(burst):
            s.sendto(query(1000 + i, "www.test." if i % 2 else "nothing.test."), server)
        ids = []
        try:
            while len(ids) < burst:
                data = s.recv(65535)
                ids.append(struct.unpack(">H", data[:2])[0] - 1000)
        except socket.timeout:
            pass
        desc = "one client, %d queries back to back: %d answered, in order: %s" % (
            burst, len(ids), ids == sorted(ids))
        if len(ids) == burst and ids == list(range(burst)):
            print("ok - " + desc)
        else:
            print("FAIL - " + desc)
            fails += 1
    finally:
        s.close()
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
