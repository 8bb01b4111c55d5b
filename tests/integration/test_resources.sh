# test_resources.sh -- resources on the query path:
#  1. no heap allocation per UDP query: the allocation count of a glued that
#     answered 3000 queries equals that of one that answered 30;
#  2. no leaks and no memory errors: glued under valgrind answers UDP and TCP
#     queries, reloads on SIGHUP (good and broken zone), stops on SIGTERM,
#     and valgrind reports nothing.
. "$(dirname "$0")/lib.sh" "$@"

ZONE=tests/golden/zones/test.zone
NAMES="www.child.test. www.test. nothing.test. foo.wild.test. c1.test. www.big.test. mail.test."
PY=python3
MC="$(dirname "$GLUED")/tests/libmalloc_count.so"

allocations_after() {
	local n=$1 out="$LIB_TMP/count.$1"
	lib_start "mc$n" test. -- env LD_PRELOAD="$MC" MALLOC_COUNT_OUT="$out" \
		"$GLUED" -t 1 -l "127.0.0.1:@PORT@" -z "test.=$ZONE" || return 1
	local got
	got=$($PY tests/integration/udp_load.py "${SRV_PORT[mc$n]}" "$n" $NAMES)
	[ "$got" -eq "$n" ] || echo "only $got of $n answered" >&2
	lib_stop "mc$n" >/dev/null
	cat "$out"
}

if [ -f "$MC" ]; then
	few=$(allocations_after 30)
	many=$(allocations_after 3000)
	if [ -n "$few" ] && [ -n "$many" ] && [ $((many - few)) -lt 30 ]; then
		ok "UDP query path allocates nothing ($few allocations after 30 queries, $many after 3000)"
	else
		bad "UDP query path allocates" "after 30 queries: $few allocations; after 3000: $many"
	fi
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
