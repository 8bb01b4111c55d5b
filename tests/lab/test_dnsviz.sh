# tests/lab/test_dnsviz.sh -- dnsviz and gluecheck flag the same delegations.
#
#   bash tests/lab/test_dnsviz.sh /path/to/glued      (from the repository root)
#
# dnsviz (Debian package dnsviz; optional, not a CI dependency) always
# queries port 53, so this runs inside tools/lab's private network namespace,
# where the bundled lab listens on port 53 of its 127.0.x.y addresses and
# nothing else exists. dnsviz probes with the lab's root as its root hints
# (-A -x .:a.root-servers.other=127.0.0.2,...), offline, in about 15 s;
# gluecheck walks the same names from 127.0.0.2. Both must flag nog.lab.
# (missing glue), lame.lab. (the servers answer REFUSED) and mism.lab.
# (nothing answers at the glue address), and neither good.lab. (dnsviz's
# *_PRIVATE_IP complaints about 127.0.0.0/8 aside).
#
# Skipped (exit 77) when dnsviz is not installed (tools/install-deps test
# installs it) or the machine has no network namespace for the lab.

. "$(dirname "$0")/../integration/lib.sh" "$@"

LAB="$PWD/tools/lab"
GLUECHECK="$(dirname "$GLUED")/gluecheck"

if ! command -v dnsviz >/dev/null 2>&1; then
	lib_skip "dnsviz is not installed (apt-get install dnsviz): nothing to compare with"
fi
if [ "$(id -u)" -eq 0 ]; then
	unshare -n true 2>/dev/null || lib_skip "no network namespace (unshare -n)"
elif ! unshare -r -n true 2>/dev/null; then
	lib_skip "no network namespace (unshare -r -n): dnsviz needs port 53"
fi
[ -x "$GLUECHECK" ] || { bad "gluecheck is missing next to $GLUED"; lib_finish; }

NAMES="good.lab nog.lab lame.lab mism.lab"
cat >"$LIB_TMP/inside.sh" <<EOF
cd "$LIB_TMP"
dnsviz probe -4 -A -x .:a.root-servers.other=127.0.0.2,b.root-servers.other=127.0.0.3 \
	$NAMES >probe.json 2>probe.err
echo "probe \$?" >status
dnsviz grok -r probe.json -l warning >grok.json 2>grok.err
echo "grok \$?" >>status
for d in $NAMES; do
	"$GLUECHECK" --json "\$d" @127.0.0.2 >"gc-\$d.json" 2>&1
done
EOF
# tools/lab's exit status is the command's (gluecheck's 1 for the broken
# names): the status file says whether dnsviz ran.
timeout 240 "$LAB" --glued "$GLUED" --timeout 5 --exec "sh $LIB_TMP/inside.sh" \
	>"$LIB_TMP/lab.out" 2>&1
if [ ! -s "$LIB_TMP/status" ]; then
	if grep -q 'network namespace' "$LIB_TMP/lab.out"; then
		lib_skip "the lab could not start a network namespace"
	fi
	bad "tools/lab --exec did not run dnsviz" "$(tail -20 "$LIB_TMP/lab.out")"
	lib_finish
fi
check_eq "dnsviz probe and grok ran" "probe 0
grok 0" "$(cat "$LIB_TMP/status" 2>&1)"

# dnsviz: per delegation, its error and warning codes (minus *_PRIVATE_IP).
DV=$(python3 - "$LIB_TMP/grok.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
out = {}
def walk(o, zone):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ("errors", "warnings") and isinstance(v, list):
                for e in v:
                    c = e.get("code", "")
                    if zone and c and not c.endswith("_PRIVATE_IP"):
                        out.setdefault(zone, set()).add(c)
            else:
                walk(v, zone or (k if k.endswith(".") and k.count(".") >= 2 else None))
    elif isinstance(o, list):
        for i in o:
            walk(i, zone)
walk(d, None)
for z in ("good.lab.", "nog.lab.", "lame.lab.", "mism.lab."):
    print(z, " ".join(sorted(out.get(z, []))) or "-")
EOF
)
# gluecheck: per name, its codes.
GC=$(for d in $NAMES; do
	printf '%s. ' "$d"
	python3 -c '
import json, sys
codes = sorted({json.loads(l)["code"] for l in open(sys.argv[1]) if json.loads(l)["kind"] == "finding"})
print(" ".join(codes) or "-")' "$LIB_TMP/gc-$d.json" 2>&1
done)
echo "dnsviz:"; printf '%s\n' "$DV" | sed 's/^/  /'
echo "gluecheck:"; printf '%s\n' "$GC" | sed 's/^/  /'

dv() { printf '%s\n' "$DV" | awk -v z="$1" '$1 == z { $1 = ""; print }'; }
gcodes() { printf '%s\n' "$GC" | awk -v z="$1" '$1 == z { $1 = ""; print }'; }

check_eq "good.lab.: dnsviz flags nothing" " -" "$(dv good.lab.)"
check_eq "good.lab.: gluecheck flags nothing" " -" "$(gcodes good.lab.)"
check_match "nog.lab.: dnsviz says missing glue" 'MISSING_GLUE_FOR_NS_NAME' "$(dv nog.lab.)"
check_match "nog.lab.: gluecheck says missing glue" 'MISSING_GLUE_FOR_NS_NAME' "$(gcodes nog.lab.)"
check_match "lame.lab.: dnsviz says the servers answer badly (REFUSED)" \
	'SERVER_INVALID_RESPONSE_UDP' "$(dv lame.lab.)"
check_match "lame.lab.: gluecheck says lame" 'LAME_DELEGATION' "$(gcodes lame.lab.)"
check_match "mism.lab.: dnsviz says unresponsive" 'SERVER_UNRESPONSIVE_UDP' "$(dv mism.lab.)"
check_match "mism.lab.: gluecheck says nothing answers at the glue address" \
	'NO_SERVER_AT_ADDRESS' "$(gcodes mism.lab.)"
lib_finish
