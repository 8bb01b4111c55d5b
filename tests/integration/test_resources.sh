# test_resources.sh -- resources on the query path:
#  1. no heap allocation per UDP query: the allocation count of a glued that
#     answered 3000 queries equals that of one that answered 30; again with
#     DO=1 to signed zones (tests/data/signed: RRSIGs, NSEC3 proofs hashed
#     per NXDOMAIN, DS and no-DS proofs at referrals);
#  2. no leaks and no memory errors: glued under valgrind answers UDP and TCP
#     queries, reloads on SIGHUP (good and broken zone), stops on SIGTERM,
#     and valgrind reports nothing.
. "$(dirname "$0")/lib.sh" "$@"

ZONE=tests/golden/zones/test.zone
NAMES="www.child.test. www.test. nothing.test. foo.wild.test. c1.test. www.big.test. mail.test."
PY=python3
MC="$(dirname "$GLUED")/tests/libmalloc_count.so"

SIGNED=tests/data/signed
SIGNED_ZONES=(-z "sec.=$SIGNED/sec.zone" -z "nsec3.sec.=$SIGNED/nsec3.sec.zone"
	-z "nsec.sec.=$SIGNED/nsec.sec.zone")
SIGNED_NAMES="www.nsec3.sec. nothere.nsec3.sec. any.wild.nsec3.sec. ent.nsec3.sec.
	www.unsigned.sec. www.nsec.sec. nothere.sec. a.b.nothere.nsec.sec. any.wild.nsec.sec."

# allocations_after N PROBE [--dnssec] -- GLUED-ARGS...: the allocation
# count of a glued that answered N queries of udp_load.py's mix.
allocations_after() {
	local n=$1 probe=$2 dnssec="" out="$LIB_TMP/count.$1.$RANDOM" names=$NAMES
	shift 2
	if [ "$1" = --dnssec ]; then
		dnssec=--dnssec names=$SIGNED_NAMES
		shift
	fi
	[ "$1" = -- ] && shift
	lib_start "mc$n$dnssec" "$probe" -- env LD_PRELOAD="$MC" MALLOC_COUNT_OUT="$out" \
		"$GLUED" -t 1 -l "127.0.0.1:@PORT@" "$@" || return 1
	local got
	# shellcheck disable=SC2086
	got=$($PY tests/integration/udp_load.py $dnssec "${SRV_PORT[mc$n$dnssec]}" "$n" $names)
	[ "$got" -eq "$n" ] || echo "only $got of $n answered" >&2
	lib_stop "mc$n$dnssec" >/dev/null
	cat "$out"
}

# no_allocation WHAT PROBE [--dnssec] -- GLUED-ARGS...
no_allocation() {
	local what=$1 few many
	shift
	few=$(allocations_after 30 "$@")
	many=$(allocations_after 3000 "$@")
	if [ -n "$few" ] && [ -n "$many" ] && [ $((many - few)) -lt 30 ]; then
		ok "$what allocates nothing ($few allocations after 30 queries, $many after 3000)"
	else
		bad "$what allocates" "after 30 queries: $few allocations; after 3000: $many"
	fi
}

if [ -f "$MC" ]; then
	no_allocation "UDP query path" test. -- -z "test.=$ZONE"
	no_allocation "UDP query path with DO=1 to signed zones" sec. --dnssec -- "${SIGNED_ZONES[@]}"
else
	bad "malloc counter not built at $MC"
fi

if command -v valgrind >/dev/null; then
	vlog="$LIB_TMP/valgrind.log"
	cp "$ZONE" "$LIB_TMP/reload.zone"
	# valgrind is slow to start: lib_start waits up to 10 s for the first answer.
	lib_start vg test. -- valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		--log-file="$vlog" "$GLUED" -t 2 -l "127.0.0.1:@PORT@" -z "test.=$LIB_TMP/reload.zone"
	port=${SRV_PORT[vg]}
	$PY tests/integration/udp_load.py "$port" 200 $NAMES >/dev/null
	for n in 1 2 3; do
		dig @127.0.0.1 -p "$port" +tcp +norecurse +time=5 www.big.test. A >/dev/null
	done
	kill -HUP "${SRV_PID[vg]}"
	sleep 1
	echo 'broken A 300.0.0.1' >>"$LIB_TMP/reload.zone"
	kill -HUP "${SRV_PID[vg]}"
	sleep 1
	out=$(dig @127.0.0.1 -p "$port" +norecurse +time=5 www.test. A +short)
	check_eq "a broken reload keeps the old zone serving" "192.0.2.80" "$out"
	lib_stop vg
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q 'ERROR SUMMARY: 0 errors' "$vlog"; then
		ok "valgrind: no leaks, no memory errors, exit 0"
	else
		bad "valgrind found problems (exit $rc)" "$(grep -E 'lost|ERROR SUMMARY|Invalid' "$vlog" | head -20)"
	fi
else
	bad "valgrind is not installed (tools/install-deps test installs it)"
fi

lib_finish
