"""Flipping a delegation's glue under 30k q/s of UDP load loses no query,
and every answer is the old or the new rule, never a mix.

glued (-z test.=tests/data/diff/parent.zone, two worker threads) serves the
delegation child.test.: two in-domain NS names, ns1 and ns2.child.test.,
each with A and AAAA glue. flipload (tests/load/flipload.c) sends referral
queries for www.child.test. at a paced 30000 q/s over 8 UDP sockets for 4 s
(120000 queries at most), matches every answer by socket and ID, and
classifies it: full (all four glue records, the old rule), none (no glue,
the new rule), mixed (some of the glue, or wrong glue) or bad (not that
referral at all). Meanwhile this test flips the delegation's glue rule
every 100 ms with gluectl (`gluectl -s SOCK set default/test./child.test.
glue none`, then `clear`), timing each flip: gluectl returns once every
worker serves the new rule.

Asserted:
- every query answered (lost 0, no unexpected answer, no send error, no
  UDP receive-buffer drop in the namespace), at >= 95 % of 30000 q/s;
- 0 mixed and 0 bad answers; both full and none seen; >= 20 flips;
- per socket, in send order, the answer changes between full and none
  once per flip made while it sent, never more: each socket's queries go
  to one worker (SO_REUSEPORT), so a worker that served a stale or a
  half-built rule would show extra changes;
- glued's own stats agree: queries = referrals = NOERROR = sent, no TC, no
  drop, and glue_withheld = 2 x the glueless answers (two NS names each).

The achieved rate, the counts and the flip times are printed (pytest -s,
or in the report when the test fails). Every process stops by itself:
flipload's sending is bounded by time and count, the flipping loop by
flipload's end and a deadline.
"""

import json
import os
import subprocess
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ZONE = os.path.join(REPO, "tests", "data", "diff", "parent.zone")

RATE = 30000
DURATION = 4.0
SOCKETS = 8
FLIP_EVERY = 0.1
TARGET = "default/test./child.test."
GLUE = {"ns1.child.test.": ["127.0.11.1", "fd00:11::1"],
        "ns2.child.test.": ["127.0.11.2", "fd00:11::2"]}


def find_flipload():
    cands = [os.environ.get("FLIPLOAD"), os.path.join(REPO, "build", "tests", "flipload")]
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    pytest.fail("no flipload binary (build it: cmake --build build --target flipload, "
                "or give FLIPLOAD=PATH); tried %s" % ", ".join(c for c in cands if c))


def find_gluectl(glued_path):
    c = os.environ.get("GLUECTL") or os.path.join(os.path.dirname(glued_path), "gluectl")
    if not os.access(c, os.X_OK):
        pytest.fail("no gluectl at %s (build it, or give GLUECTL=PATH)" % c)
    return c


def test_glue_flips_under_load(glued):
    flipload = find_flipload()
    g = glued(zones=["test.=" + ZONE], threads=2)
    gluectl = [find_gluectl(g.binary), "-s", g.control_path, "--timeout", "10"]
    host, port = g.address()

    # Before the load: the full referral, and the glueless one after a set.
    m = g.query("www.child.test.", "A")
    assert sorted(rr.data for rr in m.additional) == sorted(sum(GLUE.values(), []))
    g.set(TARGET, "glue", "none")
    assert g.query("www.child.test.", "A").additional == []
    g.clear(TARGET)
    g.stats(reset=True)

    cmd = [flipload, "-r", str(RATE), "-d", str(DURATION), "-s", str(SOCKETS), "-w", "1"]
    for name, addrs in GLUE.items():
        cmd += ["-g", "%s=%s" % (name, ",".join(addrs))]
    cmd += [host, str(port), "www.child.test."]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    flips = []  # (begin, end) monotonic, of each set or clear
    glue_off = False
    deadline = time.monotonic() + DURATION + 10
    try:
        while proc.poll() is None and time.monotonic() < deadline and len(flips) < 1000:
            t0 = time.monotonic()
            change = ["clear", TARGET] if glue_off else ["set", TARGET, "glue", "none"]
            c = subprocess.run(gluectl + change, capture_output=True, text=True, timeout=15)
            assert c.returncode == 0, "gluectl %s: %s" % (" ".join(change), c.stderr)
            glue_off = not glue_off
            flips.append((t0, time.monotonic()))
            time.sleep(max(0.0, FLIP_EVERY - (time.monotonic() - t0)))
        out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()) + 5)
    finally:
        if proc.poll() is None:
            proc.kill()  # by PID (Popen.kill); flipload also ends itself by alarm
            proc.wait()
    assert proc.returncode == 0, "flipload failed (%s):\n%s" % (proc.returncode, err)
    r = json.loads(out)
    st = g.server_stats()

    start, end = r["start_mono"], r["send_end_mono"]
    inside = sum(1 for b, e in flips if b > start + 0.005 and e < end - 0.005)
    overlapping = sum(1 for b, e in flips if e > start and b < end)
    took = [e - b for b, e in flips]
    print("\nflipload: %d sent in %.2f s = %d q/s (target %d) over %d sockets; received %d, lost %d;"
          " full %d, none %d, mixed %d, bad %d; latency p50 %d us, p99 %d us, max %d us;"
          " udp rcvbuf drops %s" % (r["sent"], r["duration"], r["qps"], RATE, r["sockets"],
                                    r["received"], r["lost"], r["full"], r["none"], r["mixed"],
                                    r["bad"], r["latency_us"]["p50"], r["latency_us"]["p99"],
                                    r["latency_us"]["max"], r["udp_rcvbuf_errors"]))
    print("flips: %d (%d wholly while sending), each %.1f ms on average, %.1f ms at most;"
          " changes seen per socket: %s" % (len(flips), inside, 1000 * sum(took) / len(took),
                                            1000 * max(took), r["changes_per_socket"]))
    print("glued stats: queries %d, referrals %d, glue_withheld %d, dropped %d, tc %d, rcodes %s"
          % (st["queries"], st["referrals"], st["glue_withheld"], st["dropped"], st["tc"],
             st["rcodes"]))
    if err.strip():
        print("flipload stderr:\n" + err)

    # Nothing lost, at the rate asked.
    assert r["lost"] == 0
    assert r["unexpected"] == 0 and r["send_errors"] == 0
    assert r["udp_rcvbuf_errors"] in (0, -1)
    assert r["sent"] >= 0.99 * RATE * DURATION
    assert r["qps"] >= 0.95 * RATE
    # Old or new rule, never a mix; both seen; enough flips.
    assert r["mixed"] == 0, err
    assert r["bad"] == 0, err
    assert r["full"] > 0 and r["none"] > 0
    assert r["full"] + r["none"] == r["received"]
    assert len(flips) >= 20
    for s, n in enumerate(r["changes_per_socket"]):
        assert inside <= n <= overlapping, \
            "socket %d saw %d changes for %d..%d flips" % (s, n, inside, overlapping)
    # glued's counters say the same.
    assert st["queries"] == r["sent"]
    assert st["referrals"] == r["sent"]
    assert st["rcodes"]["NOERROR"] == r["sent"]
    assert st["dropped"] == 0 and st["tc"] == 0 and st["faults"] == 0
    assert st["glue_withheld"] == 2 * r["none"]
    zone = g.server_stats(zone="test.")
    assert zone["queries"] == r["sent"] and zone["glue_withheld"] == 2 * r["none"]
