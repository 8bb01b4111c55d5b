#!/usr/bin/env bash
# test_tcp_abuse.sh -- abusive TCP clients against one glued worker (-t 1):
# the connection limit (256) held full, silent and idle connections (closed
# at the 10 s idle timeout), slowloris one byte at a time, clients that never
# read their answers, half-closed sockets, resets, 64 KiB messages. Through
# all of it UDP and new TCP clients are answered; afterwards every
# connection is freed (/proc/PID/fd back to its baseline) and a second round
# does not grow RSS. tcp_abuse.py does the work (see its header); about 30 s.
#
#   bash tests/integration/test_tcp_abuse.sh /path/to/glued
set -u
. "$(dirname "$0")/lib.sh" "$@"

ZONE="$PWD/tests/golden/zones/test.zone"
# Under AddressSanitizer freed memory sits in a 256 MiB quarantine, which
# would read as growth; a small one keeps the RSS checks meaningful.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=8}
HELPER="$(dirname "$0")/tcp_abuse.py"

# 256 connections plus the listeners need more than a 256-descriptor limit.
ulimit -n 4096 2>/dev/null || true

lib_start_glued main -t 1 -z "test.=$ZONE" || exit 1
port=${SRV_PORT[main]}
pid=${SRV_PID[main]}
echo "# glued on 127.0.0.1:$port (pid $pid, one worker)"

out=$(timeout 150 python3 "$HELPER" "$port" "$pid")
rc=$?
[ "$rc" -eq 0 ] || bad "tcp_abuse.py exited with status $rc" "$(tail -5 <<<"$out")"
lib_report "$out"
[ "$(grep -cE '^(ok|bad)' <<<"$out")" -ge 20 ] || bad "tcp_abuse.py ran too few checks"

if kill -0 "$pid" 2>/dev/null; then
	ok "glued is still running"
else
	bad "glued died" "$(tail -20 "${SRV_LOG[main]}")"
fi
got=$(lib_dig main www.test. A +tcp +short)
check_eq "a dig query over TCP is answered at the end" "192.0.2.80" "$got"

lib_stop main
rc=$?
check_eq "glued stops cleanly on SIGTERM" 0 "$rc"
if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer|bug:' "${SRV_LOG[main]}"; then
	bad "glued's log reports a bug" "$(grep -E 'runtime error|Sanitizer|bug:' "${SRV_LOG[main]}" | head -5)"
else
	ok "glued's log reports no bug"
fi
echo "# $(grep 'stopped:' "${SRV_LOG[main]}" | sed 's/^glued: //')"

lib_finish
