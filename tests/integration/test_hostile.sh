#!/usr/bin/env bash
# test_hostile.sh -- malformed and hostile DNS messages over UDP and TCP
# (truncated headers, compression pointer loops and forward pointers, labels
# over 63 and names over 255 bytes, QDCOUNT 0 and 2, bogus counts, several
# OPT, OPT outside ADDITIONAL, huge EDNS options, QR=1, every opcode). glued
# must drop, FORMERR, NOTIMP or BADVERS each as server/dns/query.c says, and
# answer a normal query right after every one of them (hostile.py checks
# each answer byte by byte; see its header for the rules).
#
#   bash tests/integration/test_hostile.sh /path/to/glued
set -u
. "$(dirname "$0")/lib.sh" "$@"

ZONE="$PWD/tests/golden/zones/test.zone"
HELPER="$(dirname "$0")/hostile.py"

lib_start_glued main -t 2 -z "test.=$ZONE" || exit 1
port=${SRV_PORT[main]}
pid=${SRV_PID[main]}
echo "# glued on 127.0.0.1:$port (pid $pid)"

out=$(timeout 120 python3 "$HELPER" "$port")
rc=$?
[ "$rc" -eq 0 ] || bad "hostile.py exited with status $rc" "$(tail -5 <<<"$out")"
lib_report "$out"
n=$(grep -c . <<<"$out")
[ "$n" -gt 200 ] && ok "hostile.py ran $n checks" || bad "hostile.py ran only $n checks"

if kill -0 "$pid" 2>/dev/null; then
	ok "glued is still running"
else
	bad "glued died" "$(tail -20 "${SRV_LOG[main]}")"
fi
got=$(lib_dig main www.test. A +short)
check_eq "a normal dig query is answered at the end" "192.0.2.80" "$got"

lib_stop main
rc=$?
check_eq "glued stops cleanly on SIGTERM" 0 "$rc"
# Sanitizer builds print their findings on stderr, which lib_start logs.
if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer|bug:' "${SRV_LOG[main]}"; then
	bad "glued's log reports a bug" "$(grep -E 'runtime error|Sanitizer|bug:' "${SRV_LOG[main]}" | head -5)"
else
	ok "glued's log reports no bug"
fi

lib_finish
