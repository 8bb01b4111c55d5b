#!/usr/bin/env bash
# test_gluecheck.sh -- gluecheck against the bundled lab, live on loopback.
#
#   bash tests/integration/test_gluecheck.sh /path/to/glued   (repo root)
#
# glued -c runs a copy of zones/lab.yaml whose port is a free one (the
# servers keep their 127.0.x.y addresses), and gluecheck (next to glued in
# the build directory) walks each scenario's delegation from the lab root:
# the healthy ones are OK in under 2 s; nog.lab. has no glue; lame.lab.'s
# servers answer REFUSED; mism.lab.'s glue leads nowhere and differs from the
# child's own address; big.lab.'s referral is truncated at 512 bytes and
# fine over TCP. --json parses line by line, --dot renders with Graphviz
# when it is installed. With --trust-anchor (the root's DS, as glued
# --trust-anchor writes it) each DNSSEC fault of the lab is named by the
# code glued --check gives it from the zone files (DS_MATCHES_NO_DNSKEY,
# RRSIG_EXPIRED, RRSIG_NOT_YET_VALID, RRSIG_MISSING, NSEC_CHAIN_BROKEN,
# NSEC3_ITERATIONS_HIGH; the denials through the NXDOMAIN of
# _gluecheck-nx.DOMAIN), a healthy or insecure delegation has no finding,
# and a wrong trust anchor is DNSSEC_BOGUS.

. "$(dirname "$0")/lib.sh" "$@"

GLUECHECK="$(dirname "$GLUED")/gluecheck"
if [ ! -x "$GLUECHECK" ]; then
	bad "gluecheck is missing next to $GLUED"
	lib_finish
fi

# The lab on a free port: the YAML and its zone files side by side.
cp zones/*.zone "$LIB_TMP/"
sed 's/^port: 5300$/port: @PORT@/' zones/lab.yaml >"$LIB_TMP/lab.yaml.in"
grep -q '^port: @PORT@$' "$LIB_TMP/lab.yaml.in" || {
	bad "zones/lab.yaml has no 'port: 5300' line to replace"
	lib_finish
}
lib_start lab www.lab. --template "$LIB_TMP/lab.yaml.in" "$LIB_TMP/lab.yaml" -- \
	"$GLUED" -c "$LIB_TMP/lab.yaml" -t 2 --trust-anchor "$LIB_TMP/root.ds" || exit 1
PORT=${SRV_PORT[lab]}
ROOT="@127.0.0.2:$PORT"

# gc OUTVAR RCVAR MSVAR ARGS...: run gluecheck, bounded, and time it.
gc() {
	local __out=$1 __rc=$2 __ms=$3 o r t0 t1
	shift 3
	t0=$(date +%s%3N)
	o=$(timeout 20 "$GLUECHECK" "$@" 2>&1)
	r=$?
	t1=$(date +%s%3N)
	printf -v "$__out" '%s' "$o"
	printf -v "$__rc" '%s' "$r"
	printf -v "$__ms" '%s' "$((t1 - t0))"
}

# --- Healthy delegations: OK, exit 0, under 2 s, no findings -------------------------
for d in good.lab example.lab ood.lab sib.lab cyca.lab cycb.lab www.good.lab; do
	gc out rc ms "$d" "$ROOT"
	check_eq "$d: exit status 0" 0 "$rc"
	check_match "$d: OK" "^result: OK: $d\\. is delegated correctly" "$out"
	check_match "$d: no findings" '^findings:$' "$out"
	check_eq "$d: findings: none" "  none" "$(printf '%s\n' "$out" | sed -n '/^findings:$/{n;p}')"
	if [ "$ms" -lt 2000 ]; then
		ok "$d: in $ms ms (< 2 s)"
	else
		bad "$d: took $ms ms (>= 2 s)"
	fi
done
gc out rc ms good.lab "$ROOT"
check_match "good.lab: both child servers authoritative by in-domain glue" \
	'^  good\.lab\. +ns1\.good\.lab\. +127\.0\.5\.1 +glue \(in-domain\) +ok +ok +authoritative$' "$out"
check_match "good.lab: the referral line" \
	'^lab\. -> good\.lab\.: referral from 127\.0\.1\.[12]: NS ns1\.good\.lab\. ns2\.good\.lab\.; 4 glue record\(s\); [0-9]+ bytes over UDP$' "$out"
gc out rc ms ood.lab "$ROOT"
check_match "ood.lab: out-of-zone NS names resolved from the root" \
	'^  ood\.lab\. +ns1\.hosting\.other\. +127\.0\.4\.1 +out-of-zone, resolved +ok +ok +authoritative$' "$out"
gc out rc ms -p "$PORT" sib.lab @127.0.0.2
check_eq "-p PORT with @ADDR: exit status 0" 0 "$rc"
check_match "sib.lab: sibling glue" '^  sib\.lab\. +ns1\.good\.lab\. +127\.0\.5\.1 +glue \(sibling\) ' "$out"

# --- nog.lab.: glue missing -----------------------------------------------------------
gc out rc ms nog.lab "$ROOT"
check_eq "nog.lab: exit status 1" 1 "$rc"
check_eq "nog.lab: MISSING_GLUE_FOR_NS_NAME for both NS names" \
	"error MISSING_GLUE_FOR_NS_NAME zone=lab. delegation=nog.lab. name=ns1.nog.lab.
error MISSING_GLUE_FOR_NS_NAME zone=lab. delegation=nog.lab. name=ns2.nog.lab." \
	"$(printf '%s\n' "$out" | grep -oE '^  error [A-Z_0-9]+ [^:]*' | sed 's/^  //')"
check_match "nog.lab: the fix line is check.c's" \
	'\(fix: add A/AAAA glue for the NS name in the parent \(register a host record at the registrar\)\)$' "$out"
check_match "nog.lab: FAIL, cannot be resolved" '^result: FAIL: nog\.lab\. cannot be resolved' "$out"

# --- lame.lab.: REFUSED at 127.0.4.1 and .2 --------------------------------------------
gc out rc ms lame.lab "$ROOT"
check_eq "lame.lab: exit status 1" 1 "$rc"
check_eq "lame.lab: LAME_DELEGATION with each server's address" \
	"error LAME_DELEGATION server=127.0.4.1 zone=lab. delegation=lame.lab. name=ns1.hosting.other.
error LAME_DELEGATION server=127.0.4.2 zone=lab. delegation=lame.lab. name=ns2.hosting.other." \
	"$(printf '%s\n' "$out" | grep -oE '^  error [A-Z_0-9]+ [^:]*' | sed 's/^  //')"
check_match "lame.lab: the row says REFUSED" \
	'^  lame\.lab\. +ns1\.hosting\.other\. +127\.0\.4\.1 +out-of-zone, resolved +ok +ok +lame: answers REFUSED' "$out"

# --- mism.lab.: nothing at the glue address; the child says otherwise -------------------
gc out rc ms mism.lab "$ROOT"
check_eq "mism.lab: exit status 1" 1 "$rc"
check_match "mism.lab: unresponsive at the glue address over UDP and TCP" \
	'^  error NO_SERVER_AT_ADDRESS server=127\.0\.9\.9 zone=lab\. delegation=mism\.lab\. name=ns1\.mism\.lab\.: 127\.0\.9\.9: no answer over UDP \([a-z]+, 2 tries\) or TCP' "$out"
check_match "mism.lab: without --child the glue cannot be compared, and it says how" \
	'give one with --child ADDR' "$out"
gc out rc ms mism.lab "$ROOT" --child 127.0.9.1
check_eq "mism.lab --child: exit status 1" 1 "$rc"
check_eq "mism.lab --child: NO_SERVER_AT_ADDRESS and GLUE_MISMATCH" \
	"error NO_SERVER_AT_ADDRESS server=127.0.9.9 zone=lab. delegation=mism.lab. name=ns1.mism.lab.
error GLUE_MISMATCH zone=lab. delegation=mism.lab. name=ns1.mism.lab." \
	"$(printf '%s\n' "$out" | grep -oE '^  error [A-Z_0-9]+ [^:]*' | sed 's/^  //')"
check_match "mism.lab --child: the two addresses" \
	"the referral's glue says 127\\.0\\.9\\.9, the child \\(127\\.0\\.9\\.1, authoritative\\) says 127\\.0\\.9\\.1" "$out"

# --- big.lab.: TC at 512, then TCP -----------------------------------------------------
gc out rc ms big.lab "$ROOT"
check_eq "big.lab: exit status 0 (a warning only)" 0 "$rc"
check_match "big.lab: the referral is truncated at 512 and read over TCP" \
	'^lab\. -> big\.lab\.: referral from 127\.0\.1\.[12]: .*; 26 glue record\(s\); [0-9]+ bytes, TC at 512, then TCP$' "$out"
check_eq "big.lab: REFERRAL_EXCEEDS_512 only" \
	"warning REFERRAL_EXCEEDS_512 zone=lab. delegation=big.lab." \
	"$(printf '%s\n' "$out" | grep -oE '^  (error|warning|info) [A-Z_0-9]+ [^:]*' | sed 's/^  //')"
check_eq "big.lab: all 13 servers authoritative" 13 \
	"$(printf '%s\n' "$out" | grep -cE '^  big\.lab\. .* ok +ok +authoritative$')"

# --- --trust-anchor: each DNSSEC fault by its code ----------------------------------------------
TA=$LIB_TMP/root.ds
check_match "glued --trust-anchor writes the lab root's DS" '^\. IN DS [0-9]+ 13 2 [0-9A-F]{64}$' \
	"$(cat "$TA" 2>&1)"
# What glued --check finds in the same files: its findings, and their
# "CODE zone=Z [delegation=D]".
checked=$("$GLUED" --check -c "$LIB_TMP/lab.yaml" 2>&1)
static=$(printf '%s\n' "$checked" | grep -oE '^(error|warning) [A-Z_0-9]+ [^:]*' |
	sed -E 's/ server=[^ ]+//; s/ name=[^ ]+//')
# findings OUT: the finding lines of gluecheck's text output, up to the colon.
findings() { printf '%s\n' "$1" | grep -oE '^  (error|warning|info) [A-Z_0-9]+ [^:]*' | sed 's/^  //'; }
# check_has DESC STRING TEXT: TEXT holds STRING, as it is.
check_has() {
	if printf '%s\n' "$3" | grep -qF -- "$2"; then
		ok "$1"
	else
		bad "$1" "expected \"$2\" in:
$3"
	fi
}
for c in "ds-mismatch DS_MATCHES_NO_DNSKEY zone=lab. delegation=ds-mismatch.lab. name=ds-mismatch.lab. 9" \
	"key-missing DS_MATCHES_NO_DNSKEY zone=lab. delegation=key-missing.lab. name=key-missing.lab. 9" \
	"sig-expired RRSIG_EXPIRED zone=sig-expired.lab. name=sig-expired.lab. 7" \
	"sig-future RRSIG_NOT_YET_VALID zone=sig-future.lab. name=sig-future.lab. 8" \
	"sig-missing RRSIG_MISSING zone=sig-missing.lab. name=sig-missing.lab. 10" \
	"nsec-missing NSEC_CHAIN_BROKEN zone=nsec-missing.lab. name=_gluecheck-nx.nsec-missing.lab. 12" \
	"nsec-wrong NSEC_CHAIN_BROKEN zone=nsec-wrong.lab. name=_gluecheck-nx.nsec-wrong.lab. 6" \
	"nsec3-iter NSEC3_ITERATIONS_HIGH zone=nsec3-iter.lab. name=_gluecheck-nx.nsec3-iter.lab. 27"; do
	read -r d code where <<<"$c"
	ede=${where##* }
	where=${where% *}
	gc out rc ms --trust-anchor "$TA" "$d.lab" "$ROOT"
	check_eq "$d.lab --trust-anchor: exit status 1" 1 "$rc"
	check_eq "$d.lab --trust-anchor: $code, and only that" "error $code $where" "$(findings "$out")"
	check_match "$d.lab --trust-anchor: $code says what a validating resolver does, with the EDE" \
		"^  error $code [^:]*: a validating resolver answers .*: EDE $ede \\(" "$out"
	fix=$(printf '%s\n' "$checked" | grep -m1 "^error $code " | sed 's/.*(fix: //')
	check_has "$d.lab --trust-anchor: $code has glued --check's fix" "(fix: $fix" \
		"$(printf '%s\n' "$out" | grep "^  error $code ")"
	if printf '%s\n' "$static" | grep -qxF -- "error $code ${where% name=*}"; then
		ok "$d.lab --trust-anchor: glued --check gives the same code there"
	else
		bad "$d.lab --trust-anchor: glued --check gives the same code there" \
			"expected \"error $code ${where% name=*}\" in:
$static"
	fi
done
check_match "sig-expired.lab: the SOA line says bogus, EDE 7" \
	'^dnssec \(trust anchor DS [0-9]+/13/2\): sig-expired\.lab\. SOA: SERVFAIL, bogus, EDE 7 \(Signature Expired\): ' \
	"$(timeout 20 "$GLUECHECK" --trust-anchor "$TA" sig-expired.lab "$ROOT" 2>&1)"
gc out rc ms --trust-anchor "$TA" nsec-missing.lab "$ROOT"
check_match "nsec-missing.lab: the SOA is secure" \
	'^dnssec \(trust anchor DS [0-9/]+\): nsec-missing\.lab\. SOA: NOERROR, secure \(' "$out"
check_match "nsec-missing.lab: the NXDOMAIN of a name that does not exist is bogus, EDE 12" \
	'^dnssec \(trust anchor DS [0-9/]+\): _gluecheck-nx\.nsec-missing\.lab\. A: SERVFAIL, bogus, EDE 12 \(NSEC Missing\): ' "$out"
for d in good.lab ds-missing.lab key-nosep.lab; do
	gc out rc ms --trust-anchor "$TA" "$d" "$ROOT"
	check_eq "$d --trust-anchor: exit status 0" 0 "$rc"
	check_eq "$d --trust-anchor: no finding" "" "$(findings "$out")"
	case $d in
	ds-missing.lab)
		check_match "$d --trust-anchor: insecure" \
			'^dnssec \(trust anchor DS [0-9/]+\): ds-missing\.lab\. SOA: NOERROR, insecure: ' "$out"
		check_eq "$d --trust-anchor: an insecure zone's denial is not asked" "" \
			"$(printf '%s\n' "$out" | grep _gluecheck-nx)"
		;;
	*)
		check_match "$d --trust-anchor: the SOA is secure" \
			"^dnssec \\(trust anchor DS [0-9/]+\\): ${d//./\\.}\\. SOA: NOERROR, secure \\(" "$out"
		check_match "$d --trust-anchor: the denial is secure too" \
			"^dnssec \\(trust anchor DS [0-9/]+\\): _gluecheck-nx\\.${d//./\\.}\\. A: NXDOMAIN, secure \\(" "$out"
		;;
	esac
done
# A trust anchor of no key of the root: no code but DNSSEC_BOGUS fits.
awk '{ $7 = ($7 ~ /^0/ ? "1" : "0") substr($7, 2); print }' "$TA" >"$LIB_TMP/wrong.ds"
gc out rc ms --trust-anchor "$LIB_TMP/wrong.ds" good.lab "$ROOT"
check_eq "a wrong trust anchor: exit status 1" 1 "$rc"
check_eq "a wrong trust anchor: DNSSEC_BOGUS at the root" "error DNSSEC_BOGUS zone=. name=good.lab." \
	"$(findings "$out")"
check_match "a wrong trust anchor: it says so" \
	'EDE 9 \(DNSKEY Missing\): DS [0-9]+/13/2 of the trust anchor matches no DNSKEY of \.' "$out"
gc out rc ms --json --trust-anchor "$TA" nsec3-iter.lab "$ROOT"
check_eq "--json --trust-anchor nsec3-iter.lab: a dnssec line per validation, the finding" \
	"dnssec nsec3-iter.lab. SOA False secure 0
dnssec _gluecheck-nx.nsec3-iter.lab. A True insecure 27
finding NSEC3_ITERATIONS_HIGH error" "$(printf '%s\n' "$out" | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["kind"] == "dnssec":
        print("dnssec", o["name"], o["type"], o["denial"], o["dnssec"], o["ede"])
    elif o["kind"] == "finding":
        print("finding", o["code"], o["severity"])
' 2>&1)"

# --- --json --------------------------------------------------------------------------------
for d in good.lab nog.lab lame.lab big.lab; do
	gc out rc ms --json "$d" "$ROOT"
	parsed=$(printf '%s\n' "$out" | python3 -c '
import json, sys
kinds = {}
codes = []
for line in sys.stdin:
    o = json.loads(line)
    kinds[o["kind"]] = kinds.get(o["kind"], 0) + 1
    if o["kind"] == "finding":
        codes.append(o["code"] + ("@" + o["server"] if o["server"] else ""))
    if o["kind"] == "summary":
        result = o["result"]
print(result, " ".join(sorted(codes)) or "-", "referral" in kinds, "server" in kinds)
' 2>&1)
	case $d in
	good.lab) want="OK - True True" ;;
	nog.lab) want="FAIL MISSING_GLUE_FOR_NS_NAME MISSING_GLUE_FOR_NS_NAME True True" ;;
	lame.lab) want="FAIL LAME_DELEGATION@127.0.4.1 LAME_DELEGATION@127.0.4.2 True True" ;;
	big.lab) want="OK REFERRAL_EXCEEDS_512 True True" ;;
	esac
	check_eq "--json $d: every line parses; result and codes" "$want" "$parsed"
done

# --- --dot ------------------------------------------------------------------------------------
gc out rc ms --dot "$LIB_TMP/lame.dot" lame.lab "$ROOT"
check_match "--dot: a digraph" '^digraph gluecheck \{' "$(cat "$LIB_TMP/lame.dot" 2>&1)"
check_match "--dot: the lame server is red with its code" \
	'label="ns1\.hosting\.other\.\\n127\.0\.4\.1\\nLAME_DELEGATION", color=red' "$(cat "$LIB_TMP/lame.dot")"
if command -v dot >/dev/null 2>&1; then
	for d in lame.lab good.lab big.lab nog.lab; do
		"$GLUECHECK" --dot "$LIB_TMP/$d.dot" "$d" "$ROOT" >/dev/null 2>&1
		if dot -Tsvg "$LIB_TMP/$d.dot" -o "$LIB_TMP/$d.svg" 2>"$LIB_TMP/dot.err" &&
			grep -q '<svg' "$LIB_TMP/$d.svg"; then
			ok "--dot $d: dot -Tsvg renders it"
		else
			bad "--dot $d: dot -Tsvg fails" "$(cat "$LIB_TMP/dot.err")"
		fi
	done
else
	bad "--dot: dot (graphviz) is not installed, the graphs cannot be rendered" \
		"apt-get install graphviz (tools/install-deps test installs it)"
fi

# --- Usage ---------------------------------------------------------------------------------------
"$GLUECHECK" >/dev/null 2>&1
check_eq "no domain: exit status 2" 2 "$?"
"$GLUECHECK" good.lab @not-an-address >/dev/null 2>&1
check_eq "bad @ADDR: exit status 2" 2 "$?"
"$GLUECHECK" -p 99999 good.lab >/dev/null 2>&1
check_eq "bad -p: exit status 2" 2 "$?"
out=$("$GLUECHECK" --help 2>&1)
check_eq "--help: exit status 0" 0 "$?"
for opt in --port --child --json --dot --timeout --tries --trust-anchor; do
	check_match "--help lists $opt" "$opt" "$out"
done

lib_stop lab
check_eq "the lab exits 0 on SIGTERM" 0 "$?"
lib_finish
