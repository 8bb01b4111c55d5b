#!/usr/bin/env bash
# test_xfr_hostile.sh -- zone transfers under abuse, both ways.
#
# Out: glued -t 1 (one worker owns every connection) as the primary of
# tld. (~200,000 records, bench/zonegen) and med. (~20,000): 20 clients
# that ask for the AXFR of tld. and never read (the rest is answered
# promptly, RSS stays flat, the connections go at the client's close or at
# the idle timeout), clients that reset or close mid-transfer (logged; a
# whole AXFR afterwards has every record, SOA first and last), 50 AXFRs at
# once, and 50 more with the connection limit nearly full (each one whole
# or cleanly refused).
#
# In: glued as the secondary of a hostile primary (xfr_hostile.py fake, a
# Python server on a free loopback port) that sends garbage, an AXFR
# whose first record is not the SOA, another zone's or class's records,
# records after the closing SOA, REFUSED, a 64 KiB length prefix and then
# less, a first message of exactly 65535 bytes, a transfer that stops
# sending (glued gives up after its 15 s idle timeout), and, after a
# NOTIFY, a garbage serial 2 for a zone glued holds serial 1 of (it keeps
# serving serial 1 and says why), a serial 2 that does not build a zone
# (CNAME and other data: kept out, and later transfers and reloads still
# work). Each time the log names the problem and the other zones are still
# answered; so is a transfer whose closing SOA is not its opening one.
# xfr_hostile.py does the work (see its header);
# about 35 s.
#
#   bash tests/integration/test_xfr_hostile.sh /path/to/glued
set -u
. "$(dirname "$0")/lib.sh" "$@"

PY=/usr/bin/python3
HELPER="$(dirname "$0")/xfr_hostile.py"
TESTZONE="$PWD/tests/golden/zones/test.zone"
ZONEGEN="$PWD/bench/zonegen"
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=8}
ulimit -n 4096 2>/dev/null || true

[ -x "$PY" ] || lib_skip "no $PY"
"$PY" -c 'import dns.message' 2>/dev/null || lib_skip "no dnspython for $PY (python3-dnspython)"

# server_end NAME: still running, stops cleanly, no bug in its log.
server_end() {
	local name=$1 pid=${SRV_PID[$1]} rc
	if kill -0 "$pid" 2>/dev/null; then
		ok "$name: glued is still running"
	else
		bad "$name: glued died" "$(tail -20 "${SRV_LOG[$name]}")"
	fi
	got=$(lib_dig "$name" www.test. A +tcp +short)
	check_eq "$name: a dig query over TCP is answered at the end" "192.0.2.80" "$got"
	lib_stop "$name"
	rc=$?
	check_eq "$name: glued stops cleanly on SIGTERM" 0 "$rc"
	if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer|bug:' "${SRV_LOG[$name]}"; then
		bad "$name: glued's log reports a bug" \
			"$(grep -E 'runtime error|Sanitizer|bug:' "${SRV_LOG[$name]}" | head -5)"
	else
		ok "$name: glued's log reports no bug"
	fi
}

# --- out: glued as the primary ----------------------------------------------------
"$PY" "$ZONEGEN" -n 36000 -q 10 "$LIB_TMP/big" >/dev/null || { echo "FATAL: zonegen failed" >&2; exit 1; }
"$PY" "$ZONEGEN" -n 3600 -q 10 "$LIB_TMP/medsrc" >/dev/null || { echo "FATAL: zonegen failed" >&2; exit 1; }
sed 's/\btld\./med./g' "$LIB_TMP/medsrc/tld.zone" >"$LIB_TMP/med.zone"
read -r _ big_recs _ <"$LIB_TMP/big/zone.info"
read -r _ med_recs _ <"$LIB_TMP/medsrc/zone.info"
echo "# zones: tld. $big_recs records, med. $med_recs records"

cat >"$LIB_TMP/primary.yaml.in" <<EOF
servers:
  - name: primary
    listen: 127.0.0.1:@PORT@
    zones:
      - origin: test.
        file: $TESTZONE
      - origin: tld.
        file: $LIB_TMP/big/tld.zone
        transfer:
          allow: [127.0.0.0/8]
      - origin: med.
        file: $LIB_TMP/med.zone
        transfer:
          allow: [127.0.0.0/8]
EOF
lib_start primary test. --template "$LIB_TMP/primary.yaml.in" "$LIB_TMP/primary.yaml" -- \
	"$GLUED" -t 1 -c "$LIB_TMP/primary.yaml" || exit 1
port=${SRV_PORT[primary]}
pid=${SRV_PID[primary]}
echo "# glued (primary) on 127.0.0.1:$port (pid $pid, one worker)"

out=$(timeout 200 "$PY" "$HELPER" out "$port" "$pid" "${SRV_LOG[primary]}" "$big_recs" "$med_recs")
rc=$?
[ "$rc" -eq 0 ] || bad "xfr_hostile.py out exited with status $rc" "$(tail -5 <<<"$out")"
lib_report "$out"
[ "$(grep -cE '^(ok|bad)' <<<"$out")" -ge 25 ] || bad "xfr_hostile.py out ran too few checks"
server_end primary

# --- in: glued as the secondary of a hostile primary ---------------------------------
fport=$(lib_free_port) || exit 1
CTL="$LIB_TMP/ctl"
mkdir -p "$CTL"
"$PY" "$HELPER" fake "$fport" "$CTL" >"$LIB_TMP/fake.log" 2>&1 </dev/null &
LIB_PIDS+=($!)
fake_pid=$!
for _ in $(seq 1 50); do
	grep -q '^listening' "$LIB_TMP/fake.log" 2>/dev/null && break
	kill -0 "$fake_pid" 2>/dev/null || break
	sleep 0.1
done
grep -q '^listening' "$LIB_TMP/fake.log" || { echo "FATAL: the fake primary did not start:" >&2; cat "$LIB_TMP/fake.log" >&2; exit 1; }
echo "# fake primary on 127.0.0.1:$fport (pid $fake_pid)"

{
	cat <<EOF
servers:
  - name: secondary
    listen: 127.0.0.1:@PORT@
    zones:
      - origin: test.
        file: $TESTZONE
EOF
	for z in good flip badzone late max64k mismatch garbage notsoa wrongzone outzone chaos trailing \
		refused nosoa short stall; do
		printf '      - origin: %s.\n        primary: 127.0.0.1:%s\n' "$z" "$fport"
	done
} >"$LIB_TMP/secondary.yaml.in"
lib_start secondary test. --template "$LIB_TMP/secondary.yaml.in" "$LIB_TMP/secondary.yaml" -- \
	"$GLUED" -t 2 -c "$LIB_TMP/secondary.yaml" || exit 1
port=${SRV_PORT[secondary]}
pid=${SRV_PID[secondary]}
echo "# glued (secondary) on 127.0.0.1:$port (pid $pid)"

out=$(timeout 120 "$PY" "$HELPER" in "$port" "$pid" "${SRV_LOG[secondary]}" "$CTL")
rc=$?
[ "$rc" -eq 0 ] || bad "xfr_hostile.py in exited with status $rc" "$(tail -5 <<<"$out")"
lib_report "$out"
[ "$(grep -cE '^(ok|bad)' <<<"$out")" -ge 30 ] || bad "xfr_hostile.py in ran too few checks"
server_end secondary
echo "# the fake primary answered $(grep -c ' phase ' "$LIB_TMP/fake.log") requests"

lib_finish
