# tests/lab/test_dnssec_faults.sh -- the bundled lab's DNSSEC faults, with
# validating resolvers.
#
#   bash tests/lab/test_dnssec_faults.sh /path/to/glued      (from the repository root)
#
# The bundled lab (zones/lab.yaml) is signed by glued at load, with the keys
# in zones/keys; tools/lab has glued write the root's DS (--trust-anchor)
# and gives it to each resolver. Unbound, Knot Resolver and BIND then ask
# every DNSSEC scenario: each fault is one line of YAML, and each must come
# back as the scenario says (rcode, AD, and the EDE each resolver reports:
# the scenario's own keys for Unbound, its knot: and bind: mappings where
# those differ). Each bogus one is asked again with +cd (checking
# disabled) and must get the data: the SERVFAIL is validation's, which
# BIND, sending no EDE, would not show otherwise. The anchor glued writes
# must be the DS of the shipped root key, the same on every machine.
#
# It needs a network namespace (root, or unprivileged user namespaces) and
# all three resolvers (tools/install-deps test installs them); without them
# it FAILS and says why.

. "$(dirname "$0")/../integration/lib.sh" "$@"

. "$(dirname "$0")/lab.sh"

lab_require unbound kresd named dig

# The DNSSEC scenarios: those with a dnssec: state.
only=$("$PY" -c 'import yaml
print(",".join(s["name"] for s in yaml.safe_load(open("zones/lab.yaml"))["scenarios"] if "dnssec" in s))')
check_eq "lab.yaml has the DNSSEC scenarios" 16 "$(printf '%s\n' "$only" | tr , '\n' | grep -c .)"
bogus=$("$PY" -c 'import yaml
print(" ".join(s["name"] for s in yaml.safe_load(open("zones/lab.yaml"))["scenarios"] if s.get("dnssec") == "bogus"))')
check_eq "lab.yaml has the bogus scenarios" 9 "$(printf '%s\n' $bogus | grep -c .)"

# The shipped root key's DS is the anchor tools/lab validates with.
key=$(ls zones/keys/K.+013+*.key)
want_tag=$(basename "$key" .key | sed 's/.*+0*//')
check_match "the shipped root key is a KSK" '^\. ([0-9]+ )?IN DNSKEY 257 3 13 ' "$(grep -v '^;' "$key")"

# check_cd RESOLVER NAME: the bogus row of NAME asked again with +cd got the
# data (NOERROR with an address, or NXDOMAIN): the SERVFAIL is validation's
check_cd() {
	local kind=$1 name=$2 line
	line=$(awk -v n="$name" '$1 == n' "$LIB_TMP/$kind.out")
	if printf '%s\n' "$line" | grep -Eq -- ' OK  .*; \+cd (NOERROR [0-9.]+|NXDOMAIN)(;|$)'; then
		ok "$kind: $name with +cd: the data, unvalidated"
	else
		bad "$kind: scenario $name: +cd did not get the data" "${line:-(no row)}"
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
	for name in $bogus; do
		check_cd "$kind" "$name"
	done
	case $kind in
	unbound)
		check_row unbound ds-mismatch "SERVFAIL EDE 9"
		check_row unbound ds-rrsig-bogus "SERVFAIL EDE 9"
		check_row unbound rrsig-expired "SERVFAIL EDE 7"
		check_row unbound rrsig-not-yet-valid "SERVFAIL EDE 8"
		check_row unbound rrsig-missing "SERVFAIL EDE 10"
		check_row unbound denial-missing "SERVFAIL EDE 12"
		;;
	knot)
		check_row knot ds-mismatch "SERVFAIL EDE 6"
		check_row knot ds-rrsig-bogus "SERVFAIL EDE 6"
		check_row knot rrsig-expired "SERVFAIL EDE 7"
		check_row knot denial-wrong "SERVFAIL EDE 12"
		;;
	bind)
		check_row bind ds-mismatch "SERVFAIL"
		check_row bind rrsig-bogus "SERVFAIL"
		check_row bind ds-rrsig-bogus "SERVFAIL"
		check_match "bind: the row says why it expects no EDE (lab.yaml's bind:)" \
			'^ds-rrsig-bogus .* OK  [0-9]+ queries; expected for bind: BIND 9\.18 sends no EDE;' \
			"$(cat "$LIB_TMP/bind.out")"
		;;
	esac
done

lib_finish
