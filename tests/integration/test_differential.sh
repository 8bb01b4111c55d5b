#!/usr/bin/env bash
# test_differential.sh -- glued and NSD answer the same corpus from the same
# zone files; the answers must be the same, section by section.
#
#   bash tests/integration/test_differential.sh /path/to/glued
#
# The corpus is tests/integration/differential.queries (its header explains
# the format). Both answers are normalised by lib_norm: rcode, flags, EDNS,
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
# refuse-any: no, so that ANY is answered (one RRset, RFC 8482; the corpus
# states where glued differs: over TCP it gives the whole node). hide-version/hide-identity: NSD then refuses
# the CHAOS names, as glued does.
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

FIELDS="rcode flags edns question answer authority additional warning"

# Expected text of one field as written in the corpus: RRs separated by
# " | ", flags in any order.
expected_field() { # FIELD VALUE
	local f=$1 v=$2
	case "$f" in
	flags) printf '%s\n' $v | LC_ALL=C sort | paste -sd' ' ;;
	answer | authority | additional | warning)
		[ -z "$v" ] && return
		printf '%s\n' "$v" | sed 's/ *| */\n/g' | sed 's/^ *//; s/ *$//' |
			awk '{ $1 = tolower($1); print }' | LC_ALL=C sort ;;
	*) printf '%s\n' "$v" ;;
	esac
}

lineno=0
nqueries=0
ndiffer=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case "$line" in '' | '#'*) continue ;; esac
	# The reason: everything after the first " #".
	reason=""
	case "$line" in *' #'*)
		reason=${line#* #}
		line=${line%% #*}
		;;
	esac
	if [[ "$line" == %zones* ]]; then
		read -r -a specs <<<"${line#%zones}"
		start_servers "${specs[@]}"
		continue
	fi
	[ $servers_up -eq 1 ] || start_servers test.=parent.zone

	# "query ;; field: value ;; field: value"
	query=${line%%;;*}
	declare -A override=()
	rest=""
	[[ "$line" == *';;'* ]] && rest=${line#*;;}
	while [ -n "$rest" ]; do
		item=${rest%%;;*}
		if [[ "$rest" == *';;'* ]]; then rest=${rest#*;;}; else rest=""; fi
		item=$(printf '%s' "$item" | sed 's/^ *//; s/ *$//')
		key=${item%%:*}
		val=$(printf '%s' "${item#*:}" | sed 's/^ *//; s/ *$//')
		if [[ " $FIELDS " != *" $key "* ]]; then
			bad "line $lineno: unknown field '$key' in '$line'"
			continue 2
		fi
		override[$key]=$val
	done
	if [ ${#override[@]} -gt 0 ] && ! [[ "$reason" == *differs:* && "$reason" == *RFC* ]]; then
		bad "line $lineno: an expected difference needs a '# differs: ... RFC ...' reason: $line"
		unset override
		continue
	fi

	read -r -a q <<<"$query"
	nqueries=$((nqueries + 1))
	desc="$(printf '%s ' "${q[@]}")"
	desc=${desc% }
	nsd_out=$(lib_dig nsd "${q[@]}" | lib_norm)
	glued_out=$(lib_dig glued "${q[@]}" | lib_norm)

	problems=""
	for f in $FIELDS; do
		n=$(printf '%s\n' "$nsd_out" | lib_field "$f")
		g=$(printf '%s\n' "$glued_out" | lib_field "$f")
		if [ -n "${override[$f]+set}" ]; then
			[ "${override[$f]}" = "*" ] && continue
			e=$(expected_field "$f" "${override[$f]}")
			if [ "$g" != "$e" ]; then
				problems+="$f: glued differs from the stated expectation"$'\n'
				problems+="$(diff <(printf '%s\n' "$e") <(printf '%s\n' "$g") |
					sed -n 's/^</  expected:/p; s/^>/  glued:   /p')"$'\n'
			fi
		elif [ "$g" != "$n" ]; then
			problems+="$f: glued differs from NSD"$'\n'
			problems+="$(diff <(printf '%s\n' "$n") <(printf '%s\n' "$g") |
				sed -n 's/^</  nsd:  /p; s/^>/  glued:/p')"$'\n'
		fi
	done
	if [ ${#override[@]} -gt 0 ]; then
		ndiffer=$((ndiffer + 1))
		tag=" (expected difference: ${reason#*differs:})"
	else
		tag=""
	fi
	if [ -z "$problems" ]; then
		ok "line $lineno: $desc$tag"
	else
		bad "line $lineno: $desc" "$problems
--- nsd:
$nsd_out
--- glued:
$glued_out"
	fi
	unset override
done <"$QUERIES"

echo "# $nqueries queries, $ndiffer with a stated, RFC-backed difference from NSD"
[ $nqueries -gt 0 ] || bad "no queries were run from $QUERIES"
lib_finish
