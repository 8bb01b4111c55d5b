# tests/integration/test_lab_scenarios.sh -- every referral of the bundled lab,
# section by section, under every glue and truncation policy; and the -q
# explanation of each one.
#
#   bash tests/integration/test_lab_scenarios.sh /path/to/glued   (repo root)
#
# glued -c runs a copy of zones/lab.yaml whose port is a free one (the
# servers keep their 127.0.x.y addresses). Each policy is a variant of that
# copy with a rule on the lab. zone (glue: in-domain | none | partial | wrong,
# truncation: legacy | always); one glued per variant. The expected glue is
# computed here from the lab's own files (each NS name of each delegation,
# its class and its addresses), not copied from glued's output.

. "$(dirname "$0")/lib.sh" "$@"

PY=/usr/bin/python3
if ! "$PY" -c 'import yaml, dns.zone' 2>/dev/null; then
	bad "PyYAML or dnspython for $PY is missing (apt-get install python3-yaml python3-dnspython)"
	lib_finish
fi

# --- The lab's delegations from lab., read from the lab itself -----------------
# Every scenario of zones/lab.yaml whose question lies below a delegation of
# lab. (zones/lab.zone, read with dnspython) becomes one SC: SC_Q the
# question's name; SC_CUT the zone cut; SC_NS "NAME:CLASS ..." (in-domain
# first, then NS order, as glued lists them); ADDR[NAME] its glue in
# lab.zone, "TYPE DATA|TYPE DATA"; DELEG_RULE[SC] a delegation's own glue
# rule in lab.yaml. A scenario added to the lab is tested here too.
if ! labdata=$("$PY" - "$PWD/zones/lab.yaml" <<'PYEOF'
import sys, yaml, dns.zone, dns.name, dns.rdatatype
cfg = yaml.safe_load(open(sys.argv[1]))
base = sys.argv[1].rsplit("/", 1)[0]
for srv in cfg["servers"]:
    for z in srv.get("zones") or []:
        if z.get("origin") == "lab.":
            labz = z
zone = dns.zone.from_file(base + "/" + labz["file"], origin="lab.", relativize=False)
origin = dns.name.from_text("lab.")
cuts = [n for n, node in zone.nodes.items() if n != origin and node.get_rdataset(1, dns.rdatatype.NS)]
def under(n, c): return n.is_subdomain(c)
def cls(ns, cut):
    if under(ns, cut): return "in-domain"
    if any(under(ns, c) for c in cuts): return "sibling"
    if under(ns, origin): return "in-zone"
    return "out-of-zone"
def t(n): return n.to_text()
order = {"in-domain": 0}
print("declare -A SC_Q SC_CUT SC_NS ADDR DELEG_RULE")
keys = []
for sc in cfg.get("scenarios") or []:
    q = dns.name.from_text(sc["query"].split()[0])
    cut = next((c for c in cuts if under(q, c)), None)
    if cut is None: continue
    key = cut.labels[0].decode()
    keys.append(key)
    ns = [r.target for r in zone.nodes[cut].get_rdataset(1, dns.rdatatype.NS)]
    ns.sort(key=lambda n: order.get(cls(n, cut), 1))
    print("SC_Q[%s]=%s SC_CUT[%s]=%s" % (key, t(q), key, t(cut)))
    print('SC_NS[%s]="%s"' % (key, " ".join("%s:%s" % (t(n), cls(n, cut)) for n in ns)))
    for n in ns:
        if cls(n, cut) == "out-of-zone" or n not in zone.nodes: continue
        rrs = []
        for ty in ("A", "AAAA"):
            rds = zone.nodes[n].get_rdataset(1, dns.rdatatype.from_text(ty))
            rrs += ["%s %s" % (ty, r.to_text()) for r in (rds or [])]
        if rrs: print('ADDR[%s]="%s"' % (t(n), "|".join(rrs)))
for d in labz.get("delegations") or []:
    if "glue" in d:
        print("DELEG_RULE[%s]=%s" % (dns.name.from_text(d["name"]).labels[0].decode(), d["glue"]))
print('SCENARIOS="%s"' % " ".join(keys))
PYEOF
); then
	bad "cannot read the scenarios from zones/lab.yaml and zones/lab.zone" "$labdata"
	lib_finish
fi
eval "$labdata"
[ -n "$SCENARIOS" ] || bad "no scenario of zones/lab.yaml is below a delegation of lab."

WRONG_A=127.0.9.99 WRONG_AAAA=fd00::99
PARTIAL_NAMES="ns2.good.lab. ns.cyca.lab."

# kept POLICY SC INDEX NAME CLASS: does POLICY keep this NS name's glue?
kept() {
	local policy=$1 sc=$2 idx=$3 name=$4 cls=$5
	[ -n "${DELEG_RULE[$sc]:-}" ] && policy=${DELEG_RULE[$sc]}
	[ "$cls" = out-of-zone ] && return 1
	[ -n "${ADDR[$name]:-}" ] || return 1
	case "$policy" in
	full | wrong | legacy | always) return 0 ;;
	in-domain) [ "$cls" = in-domain ] ;;
	none) return 1 ;;
	partial-first) [ "$idx" -eq 0 ] ;;
	partial-names) case " $PARTIAL_NAMES " in *" $name "*) return 0 ;; esac; return 1 ;;
	esac
}

# expected_additional POLICY SC: the canonical "additional ..." lines
expected_additional() {
	local policy=$1 sc=$2 idx=0 entry name cls rr type data
	for entry in ${SC_NS[$sc]}; do
		name=${entry%%:*} cls=${entry#*:}
		if kept "$policy" "$sc" "$idx" "$name" "$cls"; then
			IFS='|' read -ra rrs <<<"${ADDR[$name]}"
			for rr in "${rrs[@]}"; do
				type=${rr%% *} data=${rr#* }
				if [ "$policy" = wrong ] && [ -z "${DELEG_RULE[$sc]:-}" ]; then
					[ "$type" = A ] && data=$WRONG_A || data=$WRONG_AAAA
				fi
				echo "$name 3600 IN $type $data"
			done
		fi
		idx=$((idx + 1))
	done | LC_ALL=C sort
}

expected_authority() {
	local sc=$1 entry
	for entry in ${SC_NS[$sc]}; do
		echo "${SC_CUT[$sc]} 3600 IN NS ${entry%%:*}"
	done | LC_ALL=C sort
}

# expected_explain POLICY SC: the "policy=... ns=..." part of the -q line
expected_explain() {
	local policy=$1 sc=$2 idx=0 entry name cls fate out="" mode
	mode=$policy
	case "$policy" in partial-*) mode=partial ;; legacy | always) mode=full ;; esac
	[ -n "${DELEG_RULE[$sc]:-}" ] && mode=${DELEG_RULE[$sc]}
	for entry in ${SC_NS[$sc]}; do
		name=${entry%%:*} cls=${entry#*:}
		if [ "$cls" = out-of-zone ]; then
			fate=never
		elif [ -z "${ADDR[$name]:-}" ]; then
			fate=no-address
		elif ! kept "$policy" "$sc" "$idx" "$name" "$cls"; then
			fate=policy
		elif [ "$mode" = wrong ]; then
			case "${ADDR[$name]}" in *AAAA*) fate="wrong A+AAAA" ;; *) fate="wrong A" ;; esac
		elif [ "$policy" = always ]; then
			fate=size
		else
			case "${ADDR[$name]}" in *AAAA*) fate="glue A+AAAA" ;; *) fate="glue A" ;; esac
		fi
		out="$out${out:+ }$name($cls:$fate)"
		idx=$((idx + 1))
	done
	echo "cut=${SC_CUT[$sc]} policy=$mode ns=$out"
}

# --- Variants of lab.yaml ---------------------------------------------------------
# variant NAME KEY=VALUE...: $LIB_TMP/NAME.tmpl, lab.yaml with port @PORT@,
# absolute zone paths, and KEY: VALUE set on the lab. zone (VALUE is YAML).
variant() {
	local name=$1
	shift
	"$PY" - "$PWD/zones/lab.yaml" "$LIB_TMP/$name.tmpl" "$@" <<'PYEOF' || return 1
import os, sys, yaml
src, dst, sets = sys.argv[1], sys.argv[2], sys.argv[3:]
cfg = yaml.safe_load(open(src))
base = os.path.dirname(src)
cfg["port"] = 65000
for srv in cfg["servers"]:
    for z in srv.get("zones") or []:
        z["file"] = os.path.join(base, z["file"])
        if z.get("origin") == "lab.":
            for kv in sets:
                k, v = kv.split("=", 1)
                z[k] = yaml.safe_load(v)
text = yaml.safe_dump(cfg, sort_keys=False)
assert "\nport: 65000\n" in "\n" + text
open(dst, "w").write(("\n" + text).replace("\nport: 65000\n", "\nport: @PORT@\n")[1:])
PYEOF
}

# start NAME: glued -c on the variant NAME, -q query log
start() {
	lib_start "$1" lab. --template "$LIB_TMP/$1.tmpl" "$LIB_TMP/$1.yaml" -- \
		"$GLUED" -c "$LIB_TMP/$1.yaml" -q
}

# qdig NAME ADDR ARGS...: dig at one server address of the running variant
qdig() {
	local name=$1 addr=$2
	shift 2
	dig @"$addr" -p "${SRV_PORT[$name]}" +norecurse +ignore +time=2 +tries=1 "$@" 2>&1
}

# explain_line NAME QNAME: the last -q line for QNAME A
explain_line() {
	grep -F " $2 A " "${SRV_LOG[$1]}" | tail -n 1
}

# check_referral VARIANT POLICY SC [DIG-ARGS...]: one referral from lab.
check_referral() {
	local v=$1 policy=$2 sc=$3 out norm
	shift 3
	out=$(qdig "$v" 127.0.1.1 "${SC_Q[$sc]}" A "$@")
	norm=$(printf '%s\n' "$out" | lib_norm)
	check_eq "$v: ${SC_Q[$sc]} referral: rcode, flags (no aa)" "rcode NOERROR
flags qr" "$(printf '%s\n' "$norm" | grep -E '^(rcode|flags) ')"
	check_eq "$v: ${SC_Q[$sc]} referral: AUTHORITY is the NS RRset of ${SC_CUT[$sc]}" \
		"$(expected_authority "$sc")" "$(printf '%s\n' "$norm" | lib_field authority)"
	check_eq "$v: ${SC_Q[$sc]} referral: ADDITIONAL glue" \
		"$(expected_additional "$policy" "$sc")" "$(printf '%s\n' "$norm" | lib_field additional)"
	check_eq "$v: ${SC_Q[$sc]} referral: no ANSWER" "" "$(printf '%s\n' "$norm" | lib_field answer)"
}

# check_explain VARIANT POLICY SC: the -q line of the last query for SC
check_explain() {
	local v=$1 policy=$2 sc=$3 line want
	line=$(explain_line "$v" "${SC_Q[$sc]}")
	want=$(expected_explain "$policy" "$sc")
	if [[ "$line" == *" referral "*"zone=lab. $want "* ]]; then
		ok "$v: -q explains ${SC_Q[$sc]}: $want"
	else
		bad "$v: -q explains ${SC_Q[$sc]}" "expected: ... referral zone=lab. $want ...
actual:   $line"
	fi
	# The daemon names the virtual server that answered.
	check_match "$v: -q names the server (server=lab) for ${SC_Q[$sc]}" ' server=lab( |$)' "$line"
}

# === full: the lab as shipped (glue full, rfc9471) ====================================
variant full || bad "cannot write the lab variant"
if ! start full; then
	bad "glued -c on a copy of zones/lab.yaml did not start" "$(cat "$LIB_TMP/full.log" 2>/dev/null)"
	lib_finish
fi
for sc in $SCENARIOS; do
	check_referral full full "$sc"
	check_explain full full "$sc"
done

# The banner walks the first scenario: the parent's referral, then the
# child's own answer, each as a dig line that gives what it says.
banner=$(cat "${SRV_LOG[full]}")
check_match "banner: the first scenario's referral from the parent" \
	'^glued:     dig @127\.0\.1\.1 -p [0-9]+ www\.good\.lab\. A \+norecurse   \(the parent.s referral\)$' "$banner"
child=$(printf '%s\n' "$banner" | sed -n "s/^glued:     dig @\([0-9.]*\) -p [0-9]* www\.good\.lab\. A +norecurse   (the child's answer: aa)\$/\1/p")
check_eq "banner: the first scenario's child answer at good.lab.'s server" 127.0.5.1 "$child"
norm=$(qdig full "${child:-127.0.5.1}" www.good.lab A | lib_norm)
check_eq "banner: the child's dig line answers with aa" "flags aa qr
answer www.good.lab. 3600 IN A 127.0.5.80" "$(printf '%s\n' "$norm" | grep -E '^(flags|answer) ')"

# Every level of the hierarchy, each answered by its own server only.
norm=$(qdig full 127.0.0.2 . NS | lib_norm)
check_eq "root: . NS is authoritative, the root servers' glue in ADDITIONAL" "rcode NOERROR
flags aa qr
answer . 86400 IN NS a.root-servers.other.
answer . 86400 IN NS b.root-servers.other.
additional a.root-servers.other. 86400 IN A 127.0.0.2
additional b.root-servers.other. 86400 IN A 127.0.0.3" \
	"$(printf '%s\n' "$norm" | grep -E '^(rcode|flags|answer|additional) ')"
norm=$(qdig full 127.0.0.3 www.good.lab A | lib_norm)
check_eq "root: www.good.lab. -> referral to lab. with in-domain glue" "rcode NOERROR
flags qr
authority lab. 86400 IN NS ns1.lab.
authority lab. 86400 IN NS ns2.lab.
additional ns1.lab. 86400 IN A 127.0.1.1
additional ns1.lab. 86400 IN AAAA fd00:1ab::1
additional ns2.lab. 86400 IN A 127.0.1.2
additional ns2.lab. 86400 IN AAAA fd00:1ab::2" \
	"$(printf '%s\n' "$norm" | grep -E '^(rcode|flags|answer|authority|additional) ')"
check_match "root: -q explains the referral to lab." \
	'zone=\. cut=lab\. policy=full ns=ns1\.lab\.\(in-domain:glue A\+AAAA\) ns2\.lab\.\(in-domain:glue A\+AAAA\)' \
	"$(explain_line full www.good.lab.)"
norm=$(qdig full 127.0.0.2 ns1.hosting.other A | lib_norm)
check_eq "root: ns1.hosting.other. -> referral to other." "rcode NOERROR
flags qr
authority other. 86400 IN NS ns1.other.
authority other. 86400 IN NS ns2.other.
additional ns1.other. 86400 IN A 127.0.3.1
additional ns2.other. 86400 IN A 127.0.3.2" \
	"$(printf '%s\n' "$norm" | grep -E '^(rcode|flags|answer|authority|additional) ')"
norm=$(qdig full 127.0.3.1 ns1.hosting.other A | lib_norm)
check_eq "other.: ns1.hosting.other. -> referral to hosting.other. with glue" "rcode NOERROR
flags qr
authority hosting.other. 3600 IN NS ns1.hosting.other.
authority hosting.other. 3600 IN NS ns2.hosting.other.
additional ns1.hosting.other. 3600 IN A 127.0.4.1
additional ns2.hosting.other. 3600 IN A 127.0.4.2" \
	"$(printf '%s\n' "$norm" | grep -E '^(rcode|flags|answer|authority|additional) ')"
check_match "other.: -q explains hosting.other. (in-domain)" \
	'cut=hosting\.other\. policy=full ns=ns1\.hosting\.other\.\(in-domain:glue A\) ns2\.hosting\.other\.\(in-domain:glue A\)' \
	"$(grep -F ' ns1.hosting.other. A ' "${SRV_LOG[full]}" | grep 'zone=other\.' | tail -n 1)"

# The children answer for themselves, with AA.
for pair in good:127.0.5.1:www.good.lab.:127.0.5.80 good:127.0.5.2:www.sib.lab.:127.0.5.81 \
	hosting:127.0.4.1:www.ood.lab.:127.0.4.81 cyclic:127.0.6.2:www.cyca.lab.:127.0.6.81 \
	cyclic:127.0.6.1:www.cycb.lab.:127.0.6.82 nog:127.0.7.1:www.nog.lab.:127.0.7.80 \
	mism:127.0.9.1:www.mism.lab.:127.0.9.80 big:127.0.10.13:www.big.lab.:127.0.10.80 \
	example:127.0.2.1:www.example.lab.:127.0.2.80; do
	IFS=: read -r srv addr q a <<<"$pair"
	norm=$(qdig full "$addr" "$q" A | lib_norm)
	check_eq "$srv ($addr): $q is answered with AA" "rcode NOERROR
flags aa qr
answer $q 3600 IN A $a" "$(printf '%s\n' "$norm" | grep -E '^(rcode|flags|answer) ')"
done

# A server answers only from its own zones: the TLD does not answer for a
# child, a child not for the TLD, the hosting provider not for lame.lab.
check_eq "the lab. server refers www.good.lab. (does not answer from good.lab.)" "flags qr" \
	"$(qdig full 127.0.1.2 www.good.lab A | lib_norm | grep '^flags')"
check_eq "the good.lab. server refuses lab.'s own www.lab." "rcode REFUSED" \
	"$(qdig full 127.0.5.1 www.lab A | lib_norm | grep '^rcode')"
check_eq "lame: the hosting provider (127.0.4.1) answers REFUSED for www.lame.lab." "rcode REFUSED" \
	"$(qdig full 127.0.4.1 www.lame.lab A | lib_norm | grep '^rcode')"
check_eq "lame: so does its second server (127.0.4.2)" "rcode REFUSED" \
	"$(qdig full 127.0.4.2 www.lame.lab A | lib_norm | grep '^rcode')"
# Glue mismatch: the parent's glue says 127.0.9.9, where nothing answers;
# the child itself says 127.0.9.1.
check_eq "mism: nothing answers at the glue address 127.0.9.9" "rcode NOANSWER" \
	"$(qdig full 127.0.9.9 www.mism.lab A | lib_norm | grep '^rcode')"
check_eq "mism: the child's own A for ns1.mism.lab. is 127.0.9.1" \
	"answer ns1.mism.lab. 3600 IN A 127.0.9.1" \
	"$(qdig full 127.0.9.1 ns1.mism.lab A | lib_norm | grep '^answer')"

# Truncation rfc9471 (the default): at 512 bytes the A glue of big.lab. fits
# but the AAAA glue does not; it is required, so TC=1. TCP has it all.
norm=$(qdig full 127.0.1.1 www.big.lab A +bufsize=512 | lib_norm)
check_eq "rfc9471: www.big.lab. at bufsize 512: TC=1" "flags qr tc" "$(printf '%s\n' "$norm" | grep '^flags')"
check_eq "rfc9471: www.big.lab. at bufsize 512: the whole NS RRset" \
	"$(expected_authority big)" "$(printf '%s\n' "$norm" | lib_field authority)"
# (All 13 A fit in 512 bytes, and as many AAAA as fit: not all.)
check_eq "rfc9471: www.big.lab. at bufsize 512: all the A glue" \
	"$(expected_additional full big | grep ' IN A ')" \
	"$(printf '%s\n' "$norm" | lib_field additional | grep ' IN A ')"
n_aaaa=$(printf '%s\n' "$norm" | lib_field additional | grep -c ' IN AAAA ')
if [ "$n_aaaa" -lt 13 ]; then
	ok "rfc9471: www.big.lab. at bufsize 512: $n_aaaa of 13 AAAA fitted"
else
	bad "rfc9471: www.big.lab. at bufsize 512: all 13 AAAA in 512 bytes?" "$norm"
fi
check_match "rfc9471: -q says TC because required glue did not fit" \
	'cut=big\.lab\. .*m\.ns\.big\.lab\.\(in-domain:size\).* tc=(yes\()?required-glue\)? size=[0-9]+/512' \
	"$(explain_line full www.big.lab.)"
norm=$(qdig full 127.0.1.1 www.big.lab A +bufsize=512 +tcp | lib_norm)
check_eq "rfc9471: www.big.lab. over TCP: no TC" "flags qr" "$(printf '%s\n' "$norm" | grep '^flags')"
check_eq "rfc9471: www.big.lab. over TCP: all 26 glue records" \
	"$(expected_additional full big)" "$(printf '%s\n' "$norm" | lib_field additional)"
check_eq "rfc9471: www.good.lab. at bufsize 512 fits: no TC" "flags qr" \
	"$(qdig full 127.0.1.1 www.good.lab A +bufsize=512 | lib_norm | grep '^flags')"
lib_stop full

# === glue policies on the lab. zone ===================================================
for spec in "in-domain:glue=in-domain" "none:glue=none" \
	"partial-first:glue=partial glue-first=1" \
	"partial-names:glue=partial glue-names=[ns2.good.lab., ns.cyca.lab.]" \
	"wrong:glue=wrong glue-address=[$WRONG_A, \"$WRONG_AAAA\"]"; do
	policy=${spec%%:*}
	sets=${spec#*:}
	case "$policy" in
	partial-names) variant "$policy" glue=partial "glue-names=[ns2.good.lab., ns.cyca.lab.]" ;;
	wrong) variant "$policy" glue=wrong "glue-address=[$WRONG_A, \"$WRONG_AAAA\"]" ;;
	partial-first) variant "$policy" glue=partial glue-first=1 ;;
	*) variant "$policy" $sets ;;
	esac
	if ! start "$policy"; then
		bad "glued -c with glue $sets on lab. did not start" "$(cat "$LIB_TMP/$policy.log" 2>/dev/null)"
		continue
	fi
	for sc in $SCENARIOS; do
		check_referral "$policy" "$policy" "$sc"
		check_explain "$policy" "$policy" "$sc"
	done
	lib_stop "$policy"
done

# === truncation legacy: glue that does not fit is dropped, TC=0 ======================
variant legacy truncation=legacy
if start legacy; then
	norm=$(qdig legacy 127.0.1.1 www.big.lab A +bufsize=512 | lib_norm)
	check_eq "legacy: www.big.lab. at bufsize 512: TC=0 (the pre-RFC 9471 behaviour)" "flags qr" \
		"$(printf '%s\n' "$norm" | grep '^flags')"
	check_eq "legacy: www.big.lab. at bufsize 512: the whole NS RRset" \
		"$(expected_authority big)" "$(printf '%s\n' "$norm" | lib_field authority)"
	check_eq "legacy: www.big.lab. at bufsize 512: all the A glue" \
		"$(expected_additional full big | grep ' IN A ')" \
		"$(printf '%s\n' "$norm" | lib_field additional | grep ' IN A ')"
	n_aaaa=$(printf '%s\n' "$norm" | lib_field additional | grep -c ' IN AAAA ')
	if [ "$n_aaaa" -lt 13 ]; then
		ok "legacy: www.big.lab. at bufsize 512: $n_aaaa of 13 required AAAA, the rest silently gone"
	else
		bad "legacy: www.big.lab. at bufsize 512: all 13 AAAA in 512 bytes?" "$norm"
	fi
	line=$(explain_line legacy www.big.lab.)
	check_match "legacy: -q: m.ns.big.lab. lost its glue to size, and still tc=no" \
		'm\.ns\.big\.lab\.\(in-domain:size\).* tc=no ' "$line"
	check_match "legacy: -q names the truncation mode" ' truncation=legacy( |$)' "$line"
	# Everything that fits is as under full.
	for sc in good sib big; do
		check_referral legacy legacy "$sc"
	done
	lib_stop legacy
else
	bad "glued -c with truncation: legacy on lab. did not start" "$(cat "$LIB_TMP/legacy.log" 2>/dev/null)"
fi

# === truncation always: TC on every UDP answer of lab., full answers over TCP ========
variant always truncation=always
if start always; then
	for sc in good ood sib big; do
		norm=$(qdig always 127.0.1.1 "${SC_Q[$sc]}" A | lib_norm)
		check_eq "always: ${SC_Q[$sc]} over UDP: TC=1 and empty sections" "rcode NOERROR
flags qr tc" "$(printf '%s\n' "$norm" | grep -E '^(rcode|flags|answer|authority|additional) ')"
		line=$(explain_line always "${SC_Q[$sc]}")
		check_match "always: -q says why TC (tc=always)" ' tc=(yes\()?always\)? ' "$line"
		check_match "always: -q names the truncation mode" ' truncation=always( |$)' "$line"
		check_referral always full "$sc" +tcp
	done
	check_eq "always: lab.'s own answer www.lab. over UDP: TC=1, AA" "flags aa qr tc" \
		"$(qdig always 127.0.1.1 www.lab A | lib_norm | grep '^flags')"
	check_eq "always: other zones keep answering normally (root)" "flags qr" \
		"$(qdig always 127.0.0.2 www.good.lab A | lib_norm | grep '^flags')"
	lib_stop always
else
	bad "glued -c with truncation: always on lab. did not start" "$(cat "$LIB_TMP/always.log" 2>/dev/null)"
fi

lib_finish
