# tests/integration/lib.sh -- shared helpers for the integration tests.
#
# Source it from a test script run as `bash test_x.sh /path/to/glued` with the
# repository root as the working directory (that is how CTest runs them):
#
#   . "$(dirname "$0")/lib.sh" "$@"
#
# It gives:
#   GLUED, LIB_TMP         the binary under test; a private temp dir
#   lib_start NAME PROBE [--template IN OUT] -- CMD ARGS...
#                          start a server on a free loopback port; @PORT@ in
#                          ARGS (and in the template file) becomes the port;
#                          waits until PROBE (a name) gets an answer. Sets
#                          SRV_PORT[NAME], SRV_PID[NAME], SRV_LOG[NAME].
#   lib_start_glued NAME ARGS...   lib_start for glued (-l 127.0.0.1:@PORT@
#                          is added), probing the SOA of test.
#   lib_stop NAME          SIGTERM, wait (bounded); returns the exit status
#   lib_dig NAME ARGS...   dig @127.0.0.1 -p PORT +norecurse +ignore ...
#   lib_kdig NAME ARGS...  kdig, same
#   lib_norm               stdin: dig or kdig output; stdout: canonical lines
#                          "rcode X", "flags a b", "edns ...", "ede CODE [TEXT]"
#                          (an Extended DNS Error, RFC 8914), "question ...",
#                          "answer RR", "authority RR", "additional RR",
#                          "warning ...", sections sorted, owners lowercased
#   lib_field FIELD        stdin: canonical lines; stdout: that field's values
#   ok DESC / bad DESC [DETAILS]    count a result
#   check_eq DESC EXPECTED ACTUAL   compare two strings (multi-line is fine)
#   lib_report LINES       count a python helper's result lines (tab-separated
#                          "ok DESC", "bad DESC WHY", "info TEXT")
#   lib_finish             print "N passed, N failed" and exit 0 or 1
#   lib_skip REASON        say why the test cannot run here and exit 77 (Skipped)
#
# Every process started here is killed by PID (never by name) from the EXIT
# trap, and the temp dir is removed, whatever way the script ends.

set -u

GLUED=${1:?usage: bash $0 /path/to/glued}
case "$GLUED" in /*) ;; *) GLUED="$PWD/$GLUED" ;; esac
if [ ! -x "$GLUED" ]; then
	echo "FATAL: $GLUED is not an executable" >&2
	exit 2
fi

LIB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/glued-it.XXXXXX")
LIB_PIDS=()
LIB_PORTS_USED=" "
LIB_PASSED=0
LIB_FAILED=0
declare -A SRV_PORT=() SRV_PID=() SRV_LOG=()

# Kill what we started: each PID we recorded, then any of its children that
# outlived it (NSD forks workers). Bounded waits, SIGKILL as the last resort.
lib_cleanup() {
	local pid kids=() i
	for pid in "${LIB_PIDS[@]}"; do
		kill -0 "$pid" 2>/dev/null || continue
		while read -r i; do kids+=("$i"); done < <(pgrep -P "$pid" 2>/dev/null || true)
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${LIB_PIDS[@]}" "${kids[@]}"; do
		for i in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$LIB_TMP"
}
trap lib_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

ok() {
	LIB_PASSED=$((LIB_PASSED + 1))
	echo "ok   - $1"
}

bad() {
	LIB_FAILED=$((LIB_FAILED + 1))
	echo "FAIL - $1"
	if [ $# -gt 1 ] && [ -n "$2" ]; then
		printf '%s\n' "$2" | sed 's/^/       /'
	fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then
		ok "$1"
	else
		bad "$1" "$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") |
			sed -e 's/^</expected:/' -e 's/^>/actual:  /' | grep -E '^(expected|actual)')"
	fi
}

# check_match DESC REGEX TEXT
check_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		ok "$1"
	else
		bad "$1" "expected a line matching /$2/ in:
$3"
	fi
}

# lib_skip REASON: the test cannot run here (a tool or a kernel feature is
# missing). Exit 77, which ctest reports as Skipped (SKIP_RETURN_CODE),
# never as Passed.
lib_skip() {
	echo "SKIP: $1"
	exit 77
}

# lib_report LINES: ok/bad for each result line a helper printed; info
# lines are shown as comments.
lib_report() {
	local status desc why
	while IFS=$'\t' read -r status desc why; do
		case "$status" in
		ok) ok "$desc" ;;
		bad) bad "$desc" "$why" ;;
		info) echo "# $desc" ;;
		esac
	done <<<"$1"
}

lib_finish() {
	echo "$LIB_PASSED passed, $LIB_FAILED failed"
	[ "$LIB_FAILED" -eq 0 ]
	exit $?
}

# A free loopback port (UDP and TCP), not handed out before in this run.
lib_free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		case "$LIB_PORTS_USED" in *" $p "*) continue ;; esac
		if [ -z "$(ss -Hlnu "sport = :$p" 2>/dev/null)" ] &&
			[ -z "$(ss -Hlnt "sport = :$p" 2>/dev/null)" ]; then
			LIB_PORTS_USED="$LIB_PORTS_USED$p "
			echo "$p"
			return 0
		fi
	done
	echo "FATAL: no free port found" >&2
	return 1
}

# Poll until a server on PORT answers a query for PROBE (any rcode), while
# PID is alive. Bounded: about 10 s.
lib_wait_ready() {
	local port=$1 pid=$2 probe=$3 i
	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 1
		if dig @127.0.0.1 -p "$port" +time=1 +tries=1 +norecurse "$probe" SOA 2>/dev/null |
			grep -q -- '->>HEADER<<-'; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# lib_start NAME PROBE [--template IN OUT] -- CMD ARGS...
lib_start() {
	local name=$1 probe=$2 tin="" tout="" attempt port pid log a
	shift 2
	if [ "${1:-}" = "--template" ]; then
		tin=$2 tout=$3
		shift 3
	fi
	[ "${1:-}" = "--" ] && shift
	log="$LIB_TMP/$name.log"
	for attempt in 1 2 3 4 5; do
		port=$(lib_free_port) || return 1
		local cmd=()
		for a in "$@"; do cmd+=("${a//@PORT@/$port}"); done
		[ -n "$tin" ] && sed "s/@PORT@/$port/g" "$tin" >"$tout"
		"${cmd[@]}" >"$log" 2>&1 </dev/null &
		pid=$!
		LIB_PIDS+=("$pid")
		if lib_wait_ready "$port" "$pid" "$probe"; then
			SRV_PORT[$name]=$port
			SRV_PID[$name]=$pid
			SRV_LOG[$name]=$log
			return 0
		fi
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			echo "FATAL: $name started but did not answer on port $port:" >&2
			sed 's/^/    /' "$log" >&2
			return 1
		fi
		wait "$pid" 2>/dev/null
		# Lost a race for the port: try another one. Anything else is fatal.
		if ! grep -qiE 'in use|EADDRINUSE|bind' "$log"; then
			echo "FATAL: $name exited at start-up:" >&2
			sed 's/^/    /' "$log" >&2
			return 1
		fi
	done
	echo "FATAL: $name: could not get a port" >&2
	return 1
}

# lib_start_glued NAME GLUED-ARGS...
lib_start_glued() {
	local name=$1
	shift
	lib_start "$name" test. -- "$GLUED" -l "127.0.0.1:@PORT@" "$@"
}

# lib_stop NAME: SIGTERM and wait (bounded, 10 s); prints nothing, returns
# the server's exit status (or 124 if it had to be killed).
lib_stop() {
	local pid=${SRV_PID[$1]} i rc
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 124
	fi
	wait "$pid"
	rc=$?
	return $rc
}

lib_dig() {
	local name=$1
	shift
	dig @127.0.0.1 -p "${SRV_PORT[$name]}" +norecurse +ignore +time=2 +tries=1 "$@" 2>&1
}

lib_kdig() {
	local name=$1
	shift
	kdig @127.0.0.1 -p "${SRV_PORT[$name]}" +norecurse +ignore +timeout=2 +retry=0 "$@" 2>&1
}

# Canonical form of one dig or kdig answer (see the top of this file).
lib_norm() {
	awk '
	# Owner lowercased, blanks collapsed; the digest of a DS joined into
	# one word (dig splits long hex, kdig does not).
	function lc_owner(s,   n, f, i, out) {
		n = split(s, f, /[ \t]+/)
		out = tolower(f[1])
		for (i = 2; i <= n; i++) {
			if (f[4] == "DS" && i > 8) out = out f[i]
			else out = out " " f[i]
		}
		return out
	}
	function sortwords(s,   n, f, i, j, t, out) {
		n = split(s, f, /[ \t]+/)
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (f[j] < f[i]) { t = f[i]; f[i] = f[j]; f[j] = t }
		out = ""
		for (i = 1; i <= n; i++) if (f[i] != "") out = out (out == "" ? "" : " ") f[i]
		return out
	}
	BEGIN { sec = ""; got = 0; edns = "edns none" }
	/->>HEADER<<-/ {
		got = 1
		s = $0; sub(/.*status: */, "", s); sub(/[,;].*/, "", s)
		print "0 rcode " s
		next
	}
	/^;; [Ff]lags:/ {
		s = $0; sub(/^;; [Ff]lags: */, "", s); sub(/;.*/, "", s)
		print "1 flags " sortwords(s)
		next
	}
	/^; EDNS: version:/ {                 # dig
		v = $0; sub(/.*version: */, "", v); sub(/,.*/, "", v)
		f = $0; sub(/.*flags: */, "", f); sub(/;.*/, "", f)
		u = $0; sub(/.*udp: */, "", u); sub(/[^0-9].*/, "", u)
		edns = "edns version=" v " flags=" sortwords(f) " udp=" u
		next
	}
	/^;; Version: [0-9]+; flags:/ {       # kdig
		v = $0; sub(/^;; Version: */, "", v); sub(/;.*/, "", v)
		f = $0; sub(/.*flags: */, "", f); sub(/;.*/, "", f)
		u = $0; sub(/.*UDP size: */, "", u); sub(/[^0-9].*/, "", u)
		edns = "edns version=" v " flags=" sortwords(f) " udp=" u
		next
	}
	# "; EDE: 20 (Not Authoritative): (text)" (dig) or
	# ";; EDE: 20 (Not Authoritative): 'text'" (kdig) -> "ede 20 text".
	/^;;? EDE: [0-9]+/ {
		s = $0; sub(/^;;? EDE: */, "", s)
		c = s; sub(/[^0-9].*/, "", c)
		t = ""
		if (s ~ /\): /) {
			t = s; sub(/^[^)]*\): /, "", t)
			if (t ~ /^\(.*\)$/ || t ~ /^'.*'$/) t = substr(t, 2, length(t) - 2)
		}
		print "2 ede " c (t == "" ? "" : " " t)
		next
	}
	/^;; [A-Z]+ SECTION:/ {
		sec = tolower($2)
		next
	}
	/^;; (WARNING|Warning|WARNING:)/ || /^;; .*(malformed|Malformed|error|timed out|no servers|mismatch|[Tt]runcated)/ {
		s = $0; sub(/^;; */, "", s)
		print "9 warning " s
		next
	}
	/^[ \t]*$/ { sec = ""; next }
	sec == "question" {
		s = $0; sub(/^;+ */, "", s); gsub(/[ \t]+/, " ", s)
		print "3 question " s
		next
	}
	sec == "answer" || sec == "authority" || sec == "additional" {
		if ($0 ~ /^;/) next
		k = (sec == "answer") ? 4 : (sec == "authority") ? 5 : 6
		print k " " sec " " lc_owner($0)
		next
	}
	END {
		if (!got) print "0 rcode NOANSWER"
		else print "2 " edns
	}
	' | LC_ALL=C sort -s -k1,1n -k2 | cut -d' ' -f2-
}

# lib_field FIELD: stdin canonical lines -> the values of FIELD, one a line.
lib_field() {
	local f=$1
	awk -v f="$f" '$1 == f { sub(/^[^ ]+ ?/, ""); print }'
}
