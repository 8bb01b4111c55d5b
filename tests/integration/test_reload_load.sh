#!/usr/bin/env bash
# test_reload_load.sh -- SIGHUP reloads while a UDP load runs. 21 reloads
# rotate the zone file through v2, a broken file and v1; every answer must be
# exactly v1's or v2's (never a mix, never the broken file's data), nothing
# is lost beyond the generator's own 2 s timeouts, every reload logs its
# verdict, and RSS stays flat (old zones are freed). reload_load.py does the
# work; the zones are written here (20000 bulk names each, so a leaked zone
# would show in RSS, and the broken file fails only on its last line, after
# all its data, so a half-loaded zone would be served with serial 3).
#
#   bash tests/integration/test_reload_load.sh /path/to/glued
set -u
. "$(dirname "$0")/lib.sh" "$@"

# Under AddressSanitizer freed memory sits in a 256 MiB quarantine, which
# would read as growth; a small one keeps the RSS checks meaningful.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=8}
HELPER="$(dirname "$0")/reload_load.py"
RELOADS=${RELOADS:-21}

# zone SERIAL WWW1 WWW2 ONLY GLUE: one version of test.
zone() {
	cat <<EOF
\$ORIGIN test.
\$TTL 300
@        SOA  ns.test. hostmaster.test. $1 7200 900 1209600 60
         NS   ns.test.
ns       A    192.0.2.1
www      A    $2
EOF
	[ -n "$3" ] && echo "www      A    $3"
	[ -n "$4" ] && echo "$4 A 10.0.0.${4#only}"
	cat <<EOF
sub      NS   ns.sub
ns.sub   A    $5
EOF
	awk 'BEGIN { for (i = 0; i < 20000; i++) printf "h%d A 198.51.%d.%d\n", i, int(i / 250), i % 250 }'
}

zone 1 192.0.2.11 192.0.2.12 only1 192.0.2.101 >"$LIB_TMP/v1.zone"
zone 2 192.0.2.21 192.0.2.22 only2 192.0.2.102 >"$LIB_TMP/v2.zone"
{
	zone 3 192.0.2.31 "" "" 192.0.2.103
	echo 'zz A 300.1.2.3'
} >"$LIB_TMP/broken.zone"
cp "$LIB_TMP/v1.zone" "$LIB_TMP/serve.zone"

lib_start_glued main -t 2 -z "test.=$LIB_TMP/serve.zone" || exit 1
port=${SRV_PORT[main]}
pid=${SRV_PID[main]}
echo "# glued on 127.0.0.1:$port (pid $pid)"

out=$(timeout 120 python3 "$HELPER" "$port" "$pid" "$LIB_TMP/serve.zone" "${SRV_LOG[main]}" \
	"$LIB_TMP/v1.zone" "$LIB_TMP/v2.zone" "$LIB_TMP/broken.zone" "$RELOADS")
rc=$?
[ "$rc" -eq 0 ] || bad "reload_load.py exited with status $rc" "$(tail -5 <<<"$out")"
lib_report "$out"
[ "$(grep -cE '^(ok|bad)' <<<"$out")" -ge 7 ] || bad "reload_load.py ran too few checks"

# 21 reloads end on v1 (v2, broken, v1, ...); the last good one serves.
want="192.0.2.11
192.0.2.12"
[ $((RELOADS % 3)) -eq 1 ] && want="192.0.2.21
192.0.2.22"
got=$(lib_dig main www.test. A +short | sort)
check_eq "the last good version serves after the loop" "$want" "$got"

lib_stop main
rc=$?
check_eq "glued stops cleanly on SIGTERM" 0 "$rc"
if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer|bug:' "${SRV_LOG[main]}"; then
	bad "glued's log reports a bug" "$(grep -E 'runtime error|Sanitizer|bug:' "${SRV_LOG[main]}" | head -5)"
else
	ok "glued's log reports no bug"
fi

lib_finish
