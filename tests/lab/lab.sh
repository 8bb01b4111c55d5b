# tests/lab/lab.sh -- what the resolver lab tests share. Source it after
# tests/integration/lib.sh:
#
#   . "$(dirname "$0")/lab.sh"
#   lab_require unbound kresd named dig
#
# It gives LAB (tools/lab) and PY (Debian's python3, which has PyYAML), and
#   lab_require PROG...   a network namespace can be made (as root, or with
#                         unprivileged user namespaces), each PROG is on PATH
#                         or in /usr/sbin, and PyYAML is there; else each
#                         missing piece is a failure that says how to get it
#                         (tools/install-deps test installs them all), and
#                         the test ends.
#   check_row RESOLVER NAME EXPECTED
#                         the row of scenario NAME in $LIB_TMP/RESOLVER.out
#                         (tools/lab's table) says OK and got EXPECTED

LAB="$PWD/tools/lab"
PY=/usr/bin/python3

lab_require() {
	local prog
	if [ "$(id -u)" -eq 0 ]; then
		unshare -n true 2>"$LIB_TMP/ns.err" ||
			bad "root but no network namespace (unshare -n): $(cat "$LIB_TMP/ns.err")"
	elif ! unshare -r -n true 2>"$LIB_TMP/ns.err"; then
		bad "cannot create a network namespace: not root and unprivileged user namespaces are unavailable ($(cat "$LIB_TMP/ns.err")); run the test as root"
	fi
	for prog in "$@"; do
		if ! command -v "$prog" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$prog" ]; then
			bad "$prog is missing (tools/install-deps test installs unbound, knot-resolver, bind9 and dig)"
		fi
	done
	"$PY" -c 'import yaml' 2>/dev/null || bad "PyYAML for $PY is missing (apt-get install python3-yaml)"
	[ "$LIB_FAILED" -eq 0 ] || lib_finish
}

check_row() {
	local kind=$1 name=$2 want=$3 line
	line=$(awk -v n="$name" '$1 == n' "$LIB_TMP/$kind.out")
	if printf '%s\n' "$line" | grep -Eq -- "  $want +[0-9]+ ms +OK( |$)"; then
		ok "$kind: $name -> $want"
	else
		bad "$kind: scenario $name: expected $want" "${line:-(no row)}"
	fi
}
