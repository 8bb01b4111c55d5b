# tests/lab/test_validating.sh -- validating resolvers through the signed lab.
#
#   bash tests/lab/test_validating.sh /path/to/glued      (from the repository root)
#
# tools/lab serves tests/data/signed/lab.yaml (a signed root, an NSEC3
# opt-out TLD, children signed with NSEC and NSEC3, unsigned children and
# one whose signatures expired) on port 53 in a private network namespace,
# and asks Unbound, Knot Resolver and BIND every scenario, each validating
# with the lab root's trust anchor (tests/data/signed/root.key). Every row
# must come back as the scenario says: AD set where the answer is secure
# (positive, NXDOMAIN, NODATA, wildcard, CNAME), clear below an insecure
# delegation, SERVFAIL for the expired child. The same expired child
# without validation resolves: the SERVFAIL is the validator's doing.
#
# It needs a network namespace (root, or unprivileged user namespaces) and
# all three resolvers (tools/install-deps test installs them); without them
# it FAILS and says why.

. "$(dirname "$0")/../integration/lib.sh" "$@"

. "$(dirname "$0")/lab.sh"
CONF="$PWD/tests/data/signed/lab.yaml"
ANCHOR="$PWD/tests/data/signed/root.key"

lab_require unbound kresd named dig

scenarios=$("$PY" -c 'import sys, yaml
for s in yaml.safe_load(open(sys.argv[1]))["scenarios"]: print(s["name"])' "$CONF" | sort)

for kind in unbound knot bind; do
	timeout 150 "$PY" "$LAB" --glued "$GLUED" --config "$CONF" --trust-anchor "$ANCHOR" \
		--resolver "$kind" >"$LIB_TMP/$kind.out" 2>&1
	rc=$?
	cat "$LIB_TMP/$kind.out"
	check_eq "$kind: every scenario of the signed lab as expected (exit status)" 0 "$rc"
	check_row "$kind" nsec-answer "NOERROR 127.0.30.30 AD"
	check_row "$kind" nsec-nxdomain "NXDOMAIN AD"
	check_row "$kind" nsec-nodata "NOERROR AD"
	check_row "$kind" nsec-ent "NOERROR AD"
	check_row "$kind" nsec-wildcard "NOERROR 127.0.30.31 AD"
	check_row "$kind" nsec-wildcard-nodata "NOERROR AD"
	check_row "$kind" nsec-cname "NOERROR 127.0.30.30 AD"
	check_row "$kind" nsec3-answer "NOERROR 127.0.30.40 AD"
	check_row "$kind" nsec3-nxdomain "NXDOMAIN AD"
	check_row "$kind" nsec3-nodata "NOERROR AD"
	check_row "$kind" nsec3-ent "NOERROR AD"
	check_row "$kind" nsec3-wildcard "NOERROR 127.0.30.41 AD"
	check_row "$kind" nsec3-wildcard-nodata "NOERROR AD"
	check_row "$kind" root-nxdomain "NXDOMAIN AD"
	check_row "$kind" nsec-insecure "NOERROR 127.0.30.51 no-AD"
	check_row "$kind" optout-insecure "NOERROR 127.0.30.50 no-AD"
	check_row "$kind" optout-nxdomain "NXDOMAIN no-AD"
	check_row "$kind" expired "SERVFAIL"
	got=$(for n in $scenarios; do awk -v n="$n" '$1 == n {print $1}' "$LIB_TMP/$kind.out"; done | sort)
	check_eq "$kind: every scenario of the signed lab is in the table" "$scenarios" "$got"
done

# Without a trust anchor nothing is validated: the expired child answers.
"$PY" - "$CONF" "$LIB_TMP/novalidate.yaml" <<'PYEOF'
import os, sys, yaml
src, dst = sys.argv[1], sys.argv[2]
cfg = yaml.safe_load(open(src))
for srv in cfg["servers"]:
    for z in srv.get("zones") or []:
        z["file"] = os.path.join(os.path.dirname(src), z["file"])
for sc in cfg["scenarios"]:
    if sc["name"] == "expired":
        sc.update(resolver="NOERROR", answer="127.0.30.60")
        del sc["dnssec"]
yaml.safe_dump(cfg, open(dst, "w"), sort_keys=False)
PYEOF
timeout 60 "$PY" "$LAB" --glued "$GLUED" --config "$LIB_TMP/novalidate.yaml" --resolver unbound \
	--only expired >"$LIB_TMP/unbound.out" 2>&1
rc=$?
cat "$LIB_TMP/unbound.out"
check_eq "unbound without the trust anchor: exit status" 0 "$rc"
check_row unbound expired "NOERROR 127.0.30.60"

lib_finish
