#!/usr/bin/env bash
# test_differential.sh -- glued and NSD answer the same corpus from the same
# zone files; the answers must be the same, section by section.
#
#   bash tests/integration/test_differential.sh /path/to/glued
#
# The corpus is tests/integration/differential.queries (its header explains
# the format). Both answers are normalised as lib_norm does: rcode, flags, EDNS,
# question, and every RR of every section (owners lowercased, each section
# sorted, TTLs kept); ID, timing and server lines are dropped. A difference
# fails the test unless that query line states what glued must answer
# instead, with a "# differs:" reason citing the RFC that makes glued right.
set -u
. "$(dirname "$0")/lib.sh" "$@"

DATA="$PWD/tests/data/diff"
QUERIES="$(cd "$(dirname "$0")" && pwd)/differential.queries"

if ! command -v nsd >/dev/null 2>&1 && [ ! -x /usr/sbin/nsd ]; then
	echo "FATAL: nsd is not installed; run tools/install-deps test" >&2
	exit 1
fi
NSD=$(command -v nsd || echo /usr/sbin/nsd)

# NSD as a plain foreground child: no chroot, no user switch, no database,
# every state file in our temp dir, rate limiting off. minimal-responses: yes
# keeps NSD from adding the apex NS RRset to every positive answer (glued
# never does; RFC 2181 5.4.1 makes it optional); the price is that NSD also
# leaves out MX/SRV target addresses, which the corpus states per query.
# refuse-any: no, so that ANY is answered with one RRset (RFC 8482), over
# UDP and TCP alike, as glued answers it. hide-version/hide-identity: NSD
# then refuses the CHAOS names, as glued does.
write_nsd_conf() { # OUT ORIGIN=FILE...
	local out=$1 spec
	shift
	cat >"$out.in" <<EOF
server:
	ip-address: 127.0.0.1
	port: @PORT@
	username: ""
	chroot: ""
	zonesdir: "$DATA"
	database: ""
	pidfile: "$LIB_TMP/nsd.pid"
	xfrdfile: "$LIB_TMP/xfrd.state"
	zonelistfile: "$LIB_TMP/zone.list"
	logfile: "$LIB_TMP/nsd.log"
	verbosity: 0
	server-count: 1
	rrl-ratelimit: 0
	minimal-responses: yes
	refuse-any: no
	hide-version: yes
	hide-identity: yes
	zonefiles-check: no
remote-control:
	control-enable: no
EOF
	for spec in "$@"; do
		printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "${spec%%=*}" "${spec#*=}" >>"$out.in"
	done
}

servers_up=0
start_servers() { # ORIGIN=FILE...
	local spec gargs=()
	if [ $servers_up -eq 1 ]; then
		lib_stop nsd || true
		lib_stop glued || true
	fi
	write_nsd_conf "$LIB_TMP/nsd.conf" "$@"
	for spec in "$@"; do gargs+=(-z "${spec%%=*}=$DATA/${spec#*=}"); done
	lib_start nsd test. --template "$LIB_TMP/nsd.conf.in" "$LIB_TMP/nsd.conf" \
		-- "$NSD" -d -c "$LIB_TMP/nsd.conf" || exit 1
	lib_start_glued glued "${gargs[@]}" || exit 1
	servers_up=1
	echo "# zones: $* (nsd port ${SRV_PORT[nsd]}, glued port ${SRV_PORT[glued]})"
}

# The corpus in blocks: each %zones line starts one (before the first, the
# zones are test.=parent.zone); a block's query lines go to differential.py
# as "LINENO<TAB>LINE", which asks both servers every query of the block at
# once, compares them and prints the ok/FAIL lines, then its counts.
nqueries=0
ndiffer=0
nblock=0
blocks=()
awk -v dir="$LIB_TMP" '
	BEGIN { n = 0; zones[0] = "test.=parent.zone" }
	/^%zones/ { sub(/^%zones[ \t]*/, ""); zones[++n] = $0; printf "" >(dir "/block" n); next }
	/^%xfr/ { sub(/^%xfr[ \t]*/, ""); printf "%d\t%s\n", NR, $0 >>(dir "/xfr" n); next }
	/^$/ || /^#/ { next }
	{ printf "%d\t%s\n", NR, $0 >>(dir "/block" n) }
	END { for (i = 0; i <= n; i++) print i "\t" zones[i] >(dir "/blocks") }
' "$QUERIES"
while IFS=$'\t' read -r nblock zones; do
	[ -f "$LIB_TMP/block$nblock" ] || continue
	read -r -a specs <<<"$zones"
	start_servers "${specs[@]}"
	/usr/bin/python3 "$(dirname "$QUERIES")/differential.py" "$LIB_TMP/block$nblock" \
		"${SRV_PORT[nsd]}" "${SRV_PORT[glued]}" >"$LIB_TMP/block$nblock.out" 2>&1
	# The block's %xfr names: zone transfer requests, compared byte for byte.
	if [ -f "$LIB_TMP/xfr$nblock" ]; then
		/usr/bin/python3 "$(dirname "$QUERIES")/differential_xfr.py" "$LIB_TMP/xfr$nblock" \
			"${SRV_PORT[nsd]}" "${SRV_PORT[glued]}" >>"$LIB_TMP/block$nblock.out" 2>&1
	fi
	grep -v '^counts ' "$LIB_TMP/block$nblock.out"
	while read -r _ p f q d; do
		LIB_PASSED=$((LIB_PASSED + p))
		LIB_FAILED=$((LIB_FAILED + f))
		nqueries=$((nqueries + q))
		ndiffer=$((ndiffer + d))
	done < <(grep '^counts ' "$LIB_TMP/block$nblock.out" || echo "counts 0 1 0 0")
done <"$LIB_TMP/blocks"

echo "# $nqueries queries, $ndiffer with a stated, RFC-backed difference from NSD"
[ $nqueries -gt 0 ] || bad "no queries were run from $QUERIES"
lib_finish
