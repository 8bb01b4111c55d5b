# tests/lab/test_dnssec_faults.sh -- the bundled lab's DNSSEC faults, with
# validating resolvers.
#
#   bash tests/lab/test_dnssec_faults.sh /path/to/glued      (from the repository root)
#
# The bundled lab (zones/lab.yaml) is signed by glued at load, with the keys
# in zones/keys; tools/lab has glued write the root's DS (--trust-anchor)
# and gives it to each resolver. Unbound, Knot Resolver and BIND then ask
# every DNSSEC scenario: each fault is one line of YAML, and each must come
# back as the scenario says (rcode, AD, and the EDE each resolver reports).
# The anchor glued writes must be the DS of the shipped root key, the same
# on every machine.
#
# It needs a network namespace (root, or unprivileged user namespaces) and
# all three resolvers (tools/install-deps test installs them); without them
# it FAILS and says why.

. "$(dirname "$0")/../integration/lib.sh" "$@"

LAB="$PWD/tools/lab"
PY=/usr/bin/python3

if [ "$(id -u)" -eq 0 ]; then
	unshare -n true 2>"$LIB_TMP/ns.err" || bad "root but no network namespace (unshare -n): $(cat "$LIB_TMP/ns.err")"
elif ! unshare -r -n true 2>"$LIB_TMP/ns.err"; then
	bad "cannot create a network namespace: not root and unprivileged user namespaces are unavailable ($(cat "$LIB_TMP/ns.err")); run the test as root"
fi
for prog in unbound kresd named dig; do
	if ! command -v "$prog" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$prog" ]; then
		bad "$prog is missing (tools/install-deps test installs unbound, knot-resolver and bind9)"
	fi
done
"$PY" -c 'import yaml' 2>/dev/null || bad "PyYAML for $PY is missing (apt-get install python3-yaml)"
[ "$LIB_FAILED" -eq 0 ] || lib_finish

# The DNSSEC scenarios: those with a dnssec: state.
only=$("$PY" -c 'import yaml
print(",".join(s["name"] for s in yaml.safe_load(open("zones/lab.yaml"))["scenarios"] if "dnssec" in s))')
check_eq "lab.yaml has the DNSSEC scenarios" 15 "$(printf '%s\n' "$only" | tr , '\n' | grep -c .)"

# The shipped root key's DS is the anchor tools/lab validates with.
key=$(ls zones/keys/K.+013+*.key)
want_tag=$(basename "$key" .key | sed 's/.*+0*//')
check_match "the shipped root key is a KSK" '^\. ([0-9]+ )?IN DNSKEY 257 3 13 ' "$(grep -v '^;' "$key")"

# check_row RESOLVER NAME EXPECTED: the row of NAME says OK and got EXPECTED
check_row() {
	local kind=$1 name=$2 want=$3 line
	line=$(awk -v n="$name" '$1 == n' "$LIB_TMP/$kind.out")
	if printf '%s\n' "$line" | grep -Eq -- "  $want +[0-9]+ ms +OK( |$)"; then
		ok "$kind: $name -> $want"
	else
		bad "$kind: scenario $name: expected $want" "${line:-(no row)}"
	fi
}

for kind in unbound knot bind; do
	timeout 200 "$PY" "$LAB" --glued "$GLUED" --resolver "$kind" --only "$only" \
		>"$LIB_TMP/$kind.out" 2>&1
	rc=$?
	cat "$LIB_TMP/$kind.out"
	check_eq "$kind: every DNSSEC scenario as expected (exit status)" 0 "$rc"
	check_match "$kind: validating with the shipped root key's DS" \
		"^validating with the trust anchor \\. DS $want_tag 13 2 " "$(cat "$LIB_TMP/$kind.out")"
	check_row "$kind" secure "NOERROR 127.0.5.80 AD"
	check_row "$kind" ds-missing "NOERROR 127.0.11.80 no-AD"
	check_row "$kind" dnskey-no-sep "NOERROR 127.0.11.80 AD"
	check_row "$kind" nsec3-iterations "NXDOMAIN no-AD"
	case $kind in
	unbound)
		check_row unbound ds-mismatch "SERVFAIL EDE 9"
		check_row unbound rrsig-expired "SERVFAIL EDE 7"
		check_row unbound rrsig-not-yet-valid "SERVFAIL EDE 8"
		check_row unbound rrsig-missing "SERVFAIL EDE 10"
		check_row unbound denial-missing "SERVFAIL EDE 12"
		;;
	knot)
		check_row knot ds-mismatch "SERVFAIL EDE 6"
		check_row knot rrsig-expired "SERVFAIL EDE 7"
		check_row knot denial-wrong "SERVFAIL EDE 12"
		;;
	bind)
		check_row bind ds-mismatch "SERVFAIL"
		check_row bind rrsig-bogus "SERVFAIL"
		;;
	esac
done

lib_finish
