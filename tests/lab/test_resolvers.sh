# tests/lab/test_resolvers.sh -- Knot Resolver and BIND through the bundled
# lab's glue scenarios, validating.
#
#   bash tests/lab/test_resolvers.sh /path/to/glued      (from the repository root)
#
# tools/lab serves zones/lab.yaml (signed at load; the resolvers validate
# with the root's DS that glued writes) on port 53 in a private network
# namespace, and asks kresd and BIND every scenario without a dnssec:
# state: the glue scenarios, which test_unbound.sh runs with Unbound (the
# DNSSEC ones are test_dnssec_faults.sh's, with all three). Each row must
# come back as zones/lab.yaml says for that resolver: the scenario's own
# keys, or its knot: or bind: mapping where that resolver differs by
# design (BIND and the cyclic pair), which the row then names. A resolving
# row must validate (AD): the chain of trust runs through every
# delegation, whatever its glue.
#
# It needs a network namespace (root, or unprivileged user namespaces),
# kresd and named (tools/install-deps test installs them); without them it
# FAILS and says why.

. "$(dirname "$0")/../integration/lib.sh" "$@"

. "$(dirname "$0")/lab.sh"

lab_require kresd named dig

# The glue scenarios: those without a dnssec: state.
only=$("$PY" -c 'import yaml
print(",".join(s["name"] for s in yaml.safe_load(open("zones/lab.yaml"))["scenarios"] if "dnssec" not in s))')
check_eq "lab.yaml has the glue scenarios" 10 "$(printf '%s\n' "$only" | tr , '\n' | grep -c .)"

for kind in knot bind; do
	timeout 150 "$PY" "$LAB" --glued "$GLUED" --resolver "$kind" --only "$only" \
		>"$LIB_TMP/$kind.out" 2>&1
	rc=$?
	cat "$LIB_TMP/$kind.out"
	check_eq "$kind: every glue scenario as lab.yaml expects (exit status)" 0 "$rc"
	check_match "$kind: validating (the anchor glued writes)" \
		'^validating with the trust anchor \. DS [0-9]+ 13 2 ' "$(cat "$LIB_TMP/$kind.out")"
	check_row "$kind" in-domain "NOERROR 127.0.5.80 AD"
	check_row "$kind" example "NOERROR 127.0.2.80 AD"
	check_row "$kind" out-of-domain "NOERROR 127.0.4.81 AD"
	check_row "$kind" sibling "NOERROR 127.0.5.81 AD"
	check_row "$kind" no-glue "SERVFAIL"
	check_row "$kind" lame "SERVFAIL"
	check_row "$kind" mismatch "SERVFAIL"
	check_row "$kind" big "NOERROR 127.0.10.80 AD"
	check_match "$kind: big: the referral was truncated and it went on over TCP" \
		'^big .* OK  [0-9]+ queries; TC->TCP' "$(cat "$LIB_TMP/$kind.out")"
	case $kind in
	knot)
		check_row knot cyclic-a "NOERROR 127.0.6.81 AD"
		check_row knot cyclic-b "NOERROR 127.0.6.82 AD"
		;;
	bind)
		# lab.yaml's bind: on the cyclic pair, and the row says why.
		check_row bind cyclic-a "SERVFAIL"
		check_row bind cyclic-b "SERVFAIL"
		check_match "bind: cyclic-a says why it expects SERVFAIL (lab.yaml's bind:)" \
			'^cyclic-a .* OK  [0-9]+ queries; expected for bind: BIND 9\.18 does not use sibling glue' \
			"$(cat "$LIB_TMP/bind.out")"
		;;
	esac
	got=$(printf '%s\n' "$only" | tr , '\n' | while read -r n; do
		awk -v n="$n" '$1 == n {print $1}' "$LIB_TMP/$kind.out"; done)
	check_eq "$kind: every glue scenario is in the table" "$(printf '%s\n' "$only" | tr , '\n')" "$got"
done

lib_finish
