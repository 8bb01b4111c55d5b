#!/usr/bin/env bash
# soak.sh -- a bounded soak: glued under high-rate UDP load with every kind of
# query for DURATION seconds, RSS sampled every 10 s. Not part of `make test`;
# run it by hand and copy the summary into docs/hardening.md.
#
#   bash tests/soak/soak.sh /path/to/glued [DURATION] [THREADS] [MAXQPS]
#
# MAXQPS caps each of the two dnsperf clients (-Q); without it they send as
# fast as glued answers, and at saturation the kernel drops datagrams from
# glued's full receive queue before glued sees them: those are counted
# apart (UDP RcvbufErrors from /proc/net/snmp) from anything glued lost.
#
# Load: dnsperf when installed (two clients at once, one with EDNS and DO,
# one without EDNS), otherwise tests/integration/udp_load.py-style Python.
# The query mix covers answers (A, AAAA, TXT, MX with additional, SRV, CAA,
# SOA, NS), CNAME chains and a CNAME loop, a wildcard, NODATA, an empty
# non-terminal, NXDOMAIN, referrals (with glue, with TC-bound glue, DS),
# ANY, a name outside every zone (REFUSED), class CH (REFUSED).
# It fails (exit 1) if glued dies, loses queries, or RSS grows by more than
# 10% plus 2 MiB from the first sample after warm-up to the last.
set -u
. "$(dirname "$0")/../integration/lib.sh" "$1"

DURATION=${2:-180}
THREADS=${3:-1}
MAXQPS=${4:-}
QCAP=()
[ -n "$MAXQPS" ] && QCAP=(-Q "$MAXQPS")
rcvbuf_errors() { awk '/^Udp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp; }
ZONE="$PWD/tests/golden/zones/test.zone"

cat >"$LIB_TMP/queries" <<'EOF'
www.test. A
www.test. AAAA
www.test. TXT
mail.test. MX
_sip._udp.test. SRV
caa.test. CAA
test. SOA
test. NS
c1.test. A
tonx.test. A
tochild.test. A
loop1.test. A
out.test. A
towild.test. A
foo.wild.test. TXT
bar.wild.test. A
www.test. MX
y.z.test. A
nothing.test. A
deep.nothing.test. AAAA
www.child.test. A
child.test. DS
www.big.test. A
www.opt.test. A
www.a.test. A
self.test. A
www.noglue.test. A
www.test. ANY
www.example. A
EOF

lib_start_glued soak -t "$THREADS" -z "test.=$ZONE" || exit 1
port=${SRV_PORT[soak]}
pid=${SRV_PID[soak]}
echo "# glued pid $pid on 127.0.0.1:$port, $THREADS worker(s), $DURATION s"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null; }
fds() { ls "/proc/$pid/fd" 2>/dev/null | wc -l; }

samples="$LIB_TMP/rss"
(
	t=0
	while [ "$t" -le "$DURATION" ] && kill -0 "$pid" 2>/dev/null; do
		echo "$t $(rss) $(fds)"
		sleep 10
		t=$((t + 10))
	done
) >"$samples" &
sampler=$!
LIB_PIDS+=("$sampler")

rcv0=$(rcvbuf_errors)
if command -v dnsperf >/dev/null; then
	tool=dnsperf
	dnsperf -s 127.0.0.1 -p "$port" -d "$LIB_TMP/queries" -l "$DURATION" -c 4 -q 200 -t 2 -D "${QCAP[@]}" \
		>"$LIB_TMP/perf1" 2>&1 &
	p1=$!
	dnsperf -s 127.0.0.1 -p "$port" -d "$LIB_TMP/queries" -l "$DURATION" -c 4 -q 200 -t 2 "${QCAP[@]}" \
		>"$LIB_TMP/perf2" 2>&1 &
	p2=$!
	LIB_PIDS+=("$p1" "$p2")
	wait "$p1" "$p2"
	sent=0 done_=0 lost=0 qps=0
	for f in "$LIB_TMP/perf1" "$LIB_TMP/perf2"; do
		s=$(awk '/Queries sent:/ { print $3 }' "$f")
		c=$(awk '/Queries completed:/ { print $3 }' "$f")
		l=$(awk '/Queries lost:/ { print $3 }' "$f")
		q=$(awk '/Queries per second:/ { printf "%d", $4 }' "$f")
		sent=$((sent + ${s:-0})) done_=$((done_ + ${c:-0})) lost=$((lost + ${l:-0})) qps=$((qps + ${q:-0}))
		grep -A20 'Response codes' "$f" | head -3 | sed 's/^/# /'
	done
else
	tool=python
	# A window of queries outstanding on one socket, for DURATION seconds.
	read -r sent done_ lost qps < <(python3 - "$port" "$DURATION" "$LIB_TMP/queries" <<'PY'
import select, socket, struct, sys, time
port, dur = int(sys.argv[1]), float(sys.argv[2])
qs = []
for line in open(sys.argv[3]):
    n, t = line.split()
    code = {"A": 1, "NS": 2, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28, "SRV": 33, "DS": 43,
            "ANY": 255, "CAA": 257}[t]
    w = b"".join(bytes([len(l)]) + l.encode() for l in n.split(".") if l) + b"\0"
    qs.append(w + struct.pack(">HH", code, 1))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setblocking(False)
s.connect(("127.0.0.1", port))
pend, qid, i, sent, got, lost = {}, 0, 0, 0, 0, 0
t0 = time.time()
while time.time() - t0 < dur or pend:
    now = time.time()
    while now - t0 < dur and len(pend) < 64:
        qid = (qid + 1) & 0xFFFF
        if qid in pend: break
        edns = i % 2
        m = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, edns) + qs[i % len(qs)]
        if edns: m += b"\0" + struct.pack(">HHIH", 41, 1232, 0x8000, 0)
        s.send(m); pend[qid] = now; sent += 1; i += 1
    if select.select([s], [], [], 0.05)[0]:
        while True:
            try: d = s.recv(65535)
            except BlockingIOError: break
            k = struct.unpack(">H", d[:2])[0]
            if pend.pop(k, None) is not None: got += 1
    for k in [k for k, t in pend.items() if now - t > 2]: del pend[k]; lost += 1
print(sent, got, lost, int(sent / (time.time() - t0)))
PY
	)
fi
wait "$sampler" 2>/dev/null
kdrop=$(($(rcvbuf_errors) - rcv0))

echo "# RSS samples (t s, RSS KiB, descriptors):"
sed 's/^/#   /' "$samples"
first=$(awk 'NR == 2 { print $2 }' "$samples")   # after 10 s of warm-up
last=$(tail -1 "$samples" | awk '{ print $2 }')
start=$(head -1 "$samples" | awk '{ print $2 }')
echo "SOAK tool=$tool duration=${DURATION}s threads=$THREADS sent=$sent completed=$done_ lost=$lost kernel_rcvbuf_drops=$kdrop qps=$qps rss_start=${start}KiB rss_10s=${first}KiB rss_end=${last}KiB"

if kill -0 "$pid" 2>/dev/null; then ok "glued survived the soak"; else bad "glued died"; fi
# A query the kernel dropped from glued's full receive queue (at saturation)
# never reached glued; any other loss is glued's.
if [ "$lost" -le "$kdrop" ]; then
	ok "no query lost by glued ($lost lost, $kdrop dropped by the kernel from a full receive queue)"
else
	bad "queries lost" "$lost lost by the client, only $kdrop of them dropped by the kernel"
fi
[ "$sent" -gt 0 ] && ok "load ran ($sent queries)" || bad "no load"
if [ -n "$first" ] && [ -n "$last" ] && [ "$last" -le $((first + first / 10 + 2048)) ]; then
	ok "RSS flat (${first} KiB after warm-up, ${last} KiB at the end)"
else
	bad "RSS grew" "${first} KiB after warm-up, ${last} KiB at the end"
fi
lib_stop soak
check_eq "glued stops cleanly" 0 "$?"
grep 'stopped:' "${SRV_LOG[soak]}" | sed 's/^glued: /# /'
lib_finish
