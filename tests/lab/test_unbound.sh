# tests/lab/test_unbound.sh -- a real resolver through the bundled lab.
#
#   bash tests/lab/test_unbound.sh /path/to/glued      (from the repository root)
#
# tools/lab starts glued -c zones/lab.yaml on port 53 in a private network
# namespace and asks Unbound every scenario of the lab, each with a fresh
# cache. This test checks the table row by row, then runs a variant of the
# lab whose TLD (lab.) gives no glue at all: the in-domain delegation that
# resolved before must now SERVFAIL.
#
# It needs a network namespace: root, or unprivileged user namespaces
# (`unshare -r -n`). Without either it FAILS and says why: a resolver test
# that silently does nothing is worse than none.

. "$(dirname "$0")/../integration/lib.sh" "$@"

LAB="$PWD/tools/lab"
PY=/usr/bin/python3

# --- Can this machine run the lab at all? ------------------------------------
if [ "$(id -u)" -eq 0 ]; then
	if ! unshare -n true 2>"$LIB_TMP/ns.err"; then
		bad "root but no network namespace (unshare -n): $(cat "$LIB_TMP/ns.err")"
		lib_finish
	fi
elif ! unshare -r -n true 2>"$LIB_TMP/ns.err"; then
	bad "cannot create a network namespace: not root and unprivileged user namespaces are unavailable ($(cat "$LIB_TMP/ns.err")); run the test as root"
	lib_finish
fi
for prog in unbound unbound-checkconf dig ip ss; do
	if ! command -v "$prog" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$prog" ]; then
		bad "$prog is missing (tools/install-deps test installs it)"
	fi
done
if ! "$PY" -c 'import yaml' 2>/dev/null; then
	bad "PyYAML for $PY is missing (apt-get install python3-yaml)"
fi
[ "$LIB_FAILED" -eq 0 ] || lib_finish

# row NAME: the table line of scenario NAME from the last lab run
row() {
	awk -v n="$1" '$1 == n' "$LIB_TMP/lab.out"
}

# expect_row NAME RCODE [ADDRESS]: the row says OK, and got RCODE (ADDRESS)
expect_row() {
	local name=$1 rcode=$2 addr=${3:-} line
	line=$(row "$name")
	if [ -z "$line" ]; then
		bad "scenario $name: no row in the table" "$(cat "$LIB_TMP/lab.out")"
		return
	fi
	# columns: scenario query(2 words) expected... got... time ms OK|FAIL notes
	# (the bundled lab is signed: Unbound validates, and AD follows)
	if printf '%s\n' "$line" | grep -Eq -- " $rcode${addr:+ $addr}( AD| no-AD)?( EDE [0-9]+)? +[0-9]+ ms +OK( |$)"; then
		ok "unbound: ${line%%  *} -> $rcode${addr:+ $addr}"
	else
		bad "unbound: scenario $name: expected $rcode${addr:+ $addr}" "$line"
	fi
}

# --- The bundled lab, every scenario -------------------------------------------
timeout 100 "$PY" "$LAB" --glued "$GLUED" --resolver unbound >"$LIB_TMP/lab.out" 2>&1
rc=$?
cat "$LIB_TMP/lab.out"
check_eq "tools/lab: every scenario as lab.yaml expects (exit status)" 0 "$rc"

expect_row in-domain NOERROR 127.0.5.80
expect_row example NOERROR 127.0.2.80
expect_row out-of-domain NOERROR 127.0.4.81
expect_row sibling NOERROR 127.0.5.81
expect_row cyclic-a NOERROR 127.0.6.81
expect_row cyclic-b NOERROR 127.0.6.82
expect_row no-glue SERVFAIL
expect_row lame SERVFAIL
expect_row mismatch SERVFAIL
expect_row big NOERROR 127.0.10.80
check_match "big: the referral was truncated and Unbound went on over TCP" \
	'^big .*TC->TCP' "$(cat "$LIB_TMP/lab.out")"

# Every scenario of lab.yaml has a row (a new scenario cannot go unchecked).
want=$("$PY" -c 'import sys, yaml
for s in yaml.safe_load(open("zones/lab.yaml"))["scenarios"]: print(s["name"])' | sort)
got=$(for n in $want; do row "$n" | awk '{print $1}'; done | sort)
check_eq "every scenario of zones/lab.yaml is in the table" "$want" "$got"

# --- The TLD gives no glue at all (zone rule glue: none on lab.) --------------
# The same hierarchy, but lab. leaves out every glue record: the in-domain
# delegation good.lab. can no longer be followed.
"$PY" - "$PWD/zones/lab.yaml" "$LIB_TMP/lab-noglue.yaml" <<'PYEOF'
import os, sys, yaml
src, dst = sys.argv[1], sys.argv[2]
cfg = yaml.safe_load(open(src))
base = os.path.dirname(src)
for srv in cfg["servers"]:
    for z in srv.get("zones") or []:
        z["file"] = os.path.join(base, z["file"])
        if z.get("origin") == "lab.":
            z["glue"] = "none"
            z.pop("delegations", None)
for sc in cfg["scenarios"]:
    if sc["name"] == "in-domain":
        sc["resolver"] = "SERVFAIL"
        sc.pop("answer", None)
        sc["title"] = "in-domain NS names, the TLD gives no glue"
yaml.safe_dump(cfg, open(dst, "w"), sort_keys=False)
PYEOF
timeout 60 "$PY" "$LAB" --glued "$GLUED" --resolver unbound --config "$LIB_TMP/lab-noglue.yaml" \
	--only in-domain,out-of-domain >"$LIB_TMP/lab.out" 2>&1
rc=$?
cat "$LIB_TMP/lab.out"
check_eq "tools/lab with glue: none on lab.: exit status" 0 "$rc"
expect_row in-domain SERVFAIL
# Out-of-domain NS names never needed glue: still resolves.
expect_row out-of-domain NOERROR 127.0.4.81

lib_finish
