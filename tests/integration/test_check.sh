#!/usr/bin/env bash
# test_check.sh -- glued --check on the bundled lab: exactly the faults the lab
# was built with, nothing on the healthy delegations, every scenario's
# prediction agreeing with the lab's expected resolver outcome (which
# tests/lab/test_unbound.sh confirms with Unbound), in text and in --json;
# a copy of the lab with the faults removed is clean; -z on a zone with
# missing glue names it; on the pre-signed lab (tests/data/signed), the
# RRSIG and NSEC/NSEC3 records of each response that validated.
#
#   bash tests/integration/test_check.sh /path/to/glued   (repo root)

. "$(dirname "$0")/lib.sh" "$@"

# findings TEXT: the finding lines without their message ("severity CODE
# server=... zone=... delegation=... name=..."), sorted.
findings() {
	printf '%s\n' "$1" | grep -E '^(error|warning|info) [A-Z0-9_]+ ' | sed 's/: .*//' | LC_ALL=C sort
}

# --- The bundled lab, as text ----------------------------------------------------------
out=$(timeout 60 "$GLUED" --check -c zones/lab.yaml 2>"$LIB_TMP/err")
check_eq "--check -c zones/lab.yaml: exit status 1 (the lab is broken on purpose)" 1 "$?"
check_eq "--check: exactly the lab's faults" \
	"error DS_MATCHES_NO_DNSKEY server=lab zone=lab. delegation=ds-mismatch.lab.
error DS_MATCHES_NO_DNSKEY server=lab zone=lab. delegation=key-missing.lab.
error DS_MATCHES_NO_DNSKEY server=lab zone=lab. delegation=sig-bogus.lab.
error DS_MATCHES_NO_DNSKEY server=lab zone=lab. delegation=sig-missing.lab.
error GLUE_MISMATCH server=lab zone=lab. delegation=mism.lab. name=ns1.mism.lab.
error GLUE_WITHHELD_BY_POLICY server=lab zone=lab. delegation=nog.lab. name=ns1.nog.lab.
error GLUE_WITHHELD_BY_POLICY server=lab zone=lab. delegation=nog.lab. name=ns2.nog.lab.
error LAME_DELEGATION server=lab zone=lab. delegation=lame.lab. name=ns1.hosting.other.
error LAME_DELEGATION server=lab zone=lab. delegation=lame.lab. name=ns2.hosting.other.
error NO_SERVER_AT_ADDRESS server=lab zone=lab. delegation=mism.lab. name=ns1.mism.lab.
error NSEC3_ITERATIONS_HIGH server=dnssec zone=nsec3-iter.lab. name=nsec3-iter.lab.
error NSEC_CHAIN_BROKEN server=dnssec zone=nsec-missing.lab. name=nsec-missing.lab.
error NSEC_CHAIN_BROKEN server=dnssec zone=nsec-wrong.lab. name=nsec-wrong.lab.
error RRSIG_EXPIRED server=dnssec zone=sig-expired.lab. name=sig-expired.lab.
error RRSIG_MISSING server=dnssec zone=sig-missing.lab. name=sig-missing.lab.
error RRSIG_NOT_YET_VALID server=dnssec zone=sig-future.lab. name=sig-future.lab.
info CYCLIC_SIBLING_GLUE server=lab zone=lab. delegation=cyca.lab. name=ns.cycb.lab.
info DNSKEY_NO_SEP server=dnssec zone=key-nosep.lab. name=key-nosep.lab.
warning DNSKEY_ALGORITHM_UNSUPPORTED server=dnssec zone=key-alg.lab. name=key-alg.lab.
warning REFERRAL_EXCEEDS_512 server=lab zone=lab. delegation=big.lab." "$(findings "$out")"
for d in good example ood sib; do
	if printf '%s\n' "$out" | grep -E '^(error|warning|info) ' | grep -q "delegation=$d\\.lab\\."; then
		bad "--check: nothing on the healthy $d.lab." "$(printf '%s\n' "$out" | grep "delegation=$d\\.lab\\.")"
	else
		ok "--check: nothing on the healthy $d.lab."
	fi
done
check_match "--check: the lame servers' addresses" \
	'^error LAME_DELEGATION .* name=ns1\.hosting\.other\.: 127\.0\.4\.1: it answers REFUSED' "$out"
check_match "--check: the mismatch's two addresses" \
	'^error GLUE_MISMATCH .*: parent glue says 127\.0\.9\.9, the child zone says 127\.0\.9\.1 \(fix: ' "$out"
check_match "--check: every finding has a fix" '^warning REFERRAL_EXCEEDS_512 .*\(fix: .+\)$' "$out"

# Predictions: one line per delegation, after the findings.
check_eq "--check: the predictions block" \
	"  lab.: resolves, secure
  other.: resolves, secure
  big.lab.: resolves, secure
  cyca.lab.: resolves, secure
  cycb.lab.: resolves, secure
  ds-alg.lab.: resolves, insecure
  ds-digest.lab.: resolves, insecure
  ds-mismatch.lab.: SERVFAIL (bogus, EDE 9
  ds-missing.lab.: resolves, insecure
  ds-sig.lab.: SERVFAIL (bogus, EDE 9
  example.lab.: resolves, secure
  good.lab.: resolves, secure
  key-alg.lab.: resolves, insecure
  key-missing.lab.: SERVFAIL (bogus, EDE 9
  key-nosep.lab.: resolves, secure
  lame.lab.: SERVFAIL
  mism.lab.: SERVFAIL
  nog.lab.: SERVFAIL
  nsec-missing.lab.: resolves, secure
  nsec-wrong.lab.: resolves, secure
  nsec3-iter.lab.: resolves, secure
  ood.lab.: resolves, secure
  sib.lab.: resolves, secure
  sig-bogus.lab.: SERVFAIL (bogus, EDE 9
  sig-expired.lab.: SERVFAIL (bogus, EDE 7
  sig-future.lab.: SERVFAIL (bogus, EDE 8
  sig-missing.lab.: SERVFAIL (bogus, EDE 10
  hosting.other.: resolves, secure" \
	"$(printf '%s\n' "$out" | sed -n '/^predictions/,/^scenarios/p' | grep '^  ' |
		sed -E 's/^(  [^ ]+: (resolves, [a-z]+|SERVFAIL \(bogus, EDE [0-9]+|SERVFAIL)).*/\1/')"
check_match "--check: nog.lab.'s SERVFAIL says why" \
	'^  nog\.lab\.: SERVFAIL: no NS of nog\.lab\. has a usable address: ns1\.nog\.lab\. has no glue and no other path' "$out"
if printf '%s\n' "$out" | awk '/^predictions/ { p = 1 } p && /^(error|warning|info) / { bad = 1 } END { exit !bad }'; then
	bad "--check: a finding after the predictions block" "$out"
else
	ok "--check: findings first, then predictions"
fi

# Scenarios: each agrees with lab.yaml's expected resolver outcome.
n=$(sed -n '/^scenarios:/,$p' zones/lab.yaml | grep -c '^  - name:')
check_eq "--check: every scenario of lab.yaml agrees" "$n" \
	"$(printf '%s\n' "$out" | sed -n '/^scenarios/,$p' | grep -cE '^  [^ ]+: .*: agree \(')"
check_eq "--check: no DISAGREE" 0 "$(printf '%s\n' "$out" | grep -c DISAGREE)"
check_match "--check: a SERVFAIL scenario" \
	'^  no-glue: www\.nog\.lab\. A: expected SERVFAIL, predicted SERVFAIL: agree ' "$out"
check_match "--check: a NOERROR scenario with its address" \
	'^  in-domain: www\.good\.lab\. A: expected NOERROR 127\.0\.5\.80, predicted NOERROR 127\.0\.5\.80, secure, rrsig=1 nsec=0: agree ' "$out"
check_match "--check: a bogus scenario with its EDE and reason" \
	'^  ds-mismatch: www\.ds-mismatch\.lab\. A: expected SERVFAIL, bogus, EDE 9, predicted SERVFAIL \(bogus, EDE 9: DS [0-9]+/13/2 in lab\. matches no DNSKEY of ds-mismatch\.lab\.\): agree' "$out"
check_match "--check: the summary" \
	"^28 delegation\\(s\\): 16 error\\(s\\), 2 warning\\(s\\), 2 info\\(s\\); $n of $n scenario\\(s\\) agree$" "$out"

# --- The bundled lab, as JSON ---------------------------------------------------------------
json=$(timeout 60 "$GLUED" --check --json -c zones/lab.yaml 2>/dev/null)
check_eq "--check --json: exit status 1" 1 "$?"
got=$(printf '%s\n' "$json" | python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin]
f = sorted("%s %s %s %s" % (o["severity"], o["code"], o["delegation"], o["name"])
           for o in lines if o["kind"] == "finding")
p = {o["delegation"]: o["rcode"] for o in lines if o["kind"] == "prediction"}
s = [o for o in lines if o["kind"] == "scenario"]
summ = [o for o in lines if o["kind"] == "summary"][0]
print("\n".join(f))
print("predictions", len(p), p["good.lab."], p["nog.lab."], p["lame.lab."], p["mism.lab."], p["big.lab."])
print("scenarios", len(s), sorted(set(o["result"] for o in s)))
print("summary", summ["errors"], summ["warnings"], summ["infos"], summ["delegations"], summ["scenarios_agree"])
print("zones", sum(1 for o in lines if o["kind"] == "zone"))
' 2>&1)
check_eq "--check --json: every line parses; the same findings, predictions, scenarios" \
	"error DS_MATCHES_NO_DNSKEY ds-mismatch.lab. 
error DS_MATCHES_NO_DNSKEY key-missing.lab. 
error DS_MATCHES_NO_DNSKEY sig-bogus.lab. 
error DS_MATCHES_NO_DNSKEY sig-missing.lab. 
error GLUE_MISMATCH mism.lab. ns1.mism.lab.
error GLUE_WITHHELD_BY_POLICY nog.lab. ns1.nog.lab.
error GLUE_WITHHELD_BY_POLICY nog.lab. ns2.nog.lab.
error LAME_DELEGATION lame.lab. ns1.hosting.other.
error LAME_DELEGATION lame.lab. ns2.hosting.other.
error NO_SERVER_AT_ADDRESS mism.lab. ns1.mism.lab.
error NSEC3_ITERATIONS_HIGH  nsec3-iter.lab.
error NSEC_CHAIN_BROKEN  nsec-missing.lab.
error NSEC_CHAIN_BROKEN  nsec-wrong.lab.
error RRSIG_EXPIRED  sig-expired.lab.
error RRSIG_MISSING  sig-missing.lab.
error RRSIG_NOT_YET_VALID  sig-future.lab.
info CYCLIC_SIBLING_GLUE cyca.lab. ns.cycb.lab.
info DNSKEY_NO_SEP  key-nosep.lab.
warning DNSKEY_ALGORITHM_UNSUPPORTED  key-alg.lab.
warning REFERRAL_EXCEEDS_512 big.lab. 
predictions 28 NOERROR SERVFAIL SERVFAIL SERVFAIL NOERROR
scenarios $n ['agree']
summary 16 2 2 28 $n
zones 28" "$got"

# --- The lab with its faults removed -------------------------------------------------------
# No glue policy, no DNSSEC fault, lame.lab. served, mism.lab.'s glue
# right, big.lab. with two NS names: nothing at error level, exit status 0.
cp zones/*.zone "$LIB_TMP/"
python3 - "$LIB_TMP" <<'EOF'
import re, sys
d = sys.argv[1]
y = open("zones/lab.yaml").read()
# lab.'s delegation rules (nog.lab.'s glue: none, the DS faults) and the
# child zones' DNSSEC faults go.
y = re.sub(r"\n        delegations:\n(          .*\n|\s*#.*\n)*", "\n", y, count=1)
y = re.sub(r", (rrsig|dnskey|denial|nsec3): [^}]*\}", "}", y)
y = y.replace("      # lame.lab. is delegated here, but the zone is not: REFUSED.\n",
              "      - file: lame.lab.zone\n        origin: lame.lab.\n")
open(d + "/lab.yaml", "w").write(y)
open(d + "/lame.lab.zone", "w").write(
    "$ORIGIN lame.lab.\n$TTL 3600\n@ SOA ns1.hosting.other. h.lame.lab. 1 2 3 4 5\n"
    "@ NS ns1.hosting.other.\n@ NS ns2.hosting.other.\nwww A 127.0.4.82\n")
z = open(d + "/lab.zone").read()
z = re.sub(r"(ns1\.mism\s+IN A\s+)127\.0\.9\.9", r"\g<1>127.0.9.1", z)
# big.lab.: keep a and b only.
z = "\n".join(l for l in z.split("\n")
              if not re.match(r"^(big\s+IN NS\s+[c-m]\.ns\.big|[c-m]\.ns\.big\s)", l))
open(d + "/lab.zone", "w").write(z)
# In the child, c.ns to m.ns own an A line and a blank-owner AAAA line each.
out, skip = [], False
for l in open(d + "/big.lab.zone").read().split("\n"):
    if re.match(r"^\s+IN NS\s+[c-m]\.ns$", l):
        continue
    if re.match(r"^[c-m]\.ns\s", l):
        skip = True
        continue
    if skip and re.match(r"^\s+IN AAAA", l):
        continue
    skip = False
    out.append(l)
open(d + "/big.lab.zone", "w").write("\n".join(out))
EOF
out=$(timeout 60 "$GLUED" --check -c "$LIB_TMP/lab.yaml" 2>&1)
rc=$?
check_eq "--check on the lab without its faults: exit status 0" 0 "$rc"
check_eq "--check on the lab without its faults: only the cyclic pair's info" \
	"info CYCLIC_SIBLING_GLUE server=lab zone=lab. delegation=cyca.lab. name=ns.cycb.lab." \
	"$(findings "$out")"
check_match "--check on the lab without its faults: every delegation resolves" \
	'^  lame\.lab\.: resolves' "$out"
check_eq "--check on the lab without its faults: no prediction SERVFAILs" 0 \
	"$(printf '%s\n' "$out" | sed -n '/^predictions/,/^scenarios/p' | grep -c SERVFAIL)"
# lab.yaml's scenarios still expect the faults: the simulation disagrees.
check_match "--check on the lab without its faults: the old no-glue scenario DISAGREEs" \
	'^  no-glue: www\.nog\.lab\. A: expected SERVFAIL, predicted NOERROR 127\.0\.7\.80, secure, rrsig=1 nsec=0: DISAGREE' "$out"

# --- -z: a zone with missing glue -------------------------------------------------------------
cat >"$LIB_TMP/missing.zone" <<'EOF'
$ORIGIN example.
$TTL 3600
@       SOA ns.example. hostmaster.example. 1 7200 3600 1209600 300
@       NS  ns.example.
ns      A   192.0.2.1
kid     NS  ns1.kid.example.
kid     NS  ns2.kid.example.
ns2.kid A   192.0.2.2
ok      NS  ns.ok.example.
ns.ok   A   192.0.2.3
EOF
out=$(timeout 60 "$GLUED" --check -z "$LIB_TMP/missing.zone" 2>&1)
check_eq "--check -z missing.zone: exit status 1" 1 "$?"
check_eq "--check -z: MISSING_GLUE_FOR_NS_NAME for the NS name without glue only" \
	"error MISSING_GLUE_FOR_NS_NAME zone=example. delegation=kid.example. name=ns1.kid.example." \
	"$(findings "$out" | grep MISSING_GLUE)"
# A zone alone is its own starting point: its delegations are followed as
# far as the file goes, and no further.
check_match "--check -z: a zone alone, its delegation followed to where the file ends" \
	'^  kid\.example\.: not checked offline: kid\.example\. is not loaded: the files do not say what 192\.0\.2\.2 answers for it \(' "$out"
check_match "--check -z: an address no loaded zone is served at is an info, not an error" \
	'^info NOT_CHECKED_OFFLINE zone=example\. delegation=ok\.example\.: 192\.0\.2\.3: ' "$out"
json=$(timeout 60 "$GLUED" --check --json -z "$LIB_TMP/missing.zone" 2>/dev/null)
check_eq "--check --json -z: the finding as JSON" "MISSING_GLUE_FOR_NS_NAME ns1.kid.example." \
	"$(printf '%s\n' "$json" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["kind"] == "finding" and o["severity"] == "error":
        print(o["code"], o["name"])
')"
sed -i 's/^ns2.kid A   192.0.2.2$/ns1.kid A 192.0.2.4\nns2.kid A 192.0.2.2/' "$LIB_TMP/missing.zone"
out=$(timeout 60 "$GLUED" --check -z "$LIB_TMP/missing.zone" 2>&1)
check_eq "--check -z with the glue added: exit status 0" 0 "$?"

# --- The signed lab: what each signed zone holds, expired signatures, validation -------------
# Its root is signed, so the predictions validate from the root's own DS;
# the expired zone is an error finding, and its scenario is bogus.
out=$(timeout 60 "$GLUED" --check -c tests/data/signed/lab.yaml 2>&1)
check_eq "--check on the signed lab: exit status 1 (expired.sec. on purpose)" 1 "$?"
check_match "--check: an NSEC3 opt-out zone says so" \
	'sec\.zone: zone sec\., [0-9]+ records, [0-9]+ names, signed: NSEC3 \([0-9]+ records, salt ab12, 0 iterations, [1-9][0-9]* opt-out\), [0-9]+ RRsets signed, 0 warning' "$out"
check_match "--check: an NSEC zone says so" \
	'nsec\.sec\.zone: zone nsec\.sec\., [0-9]+ records, [0-9]+ names, signed: NSEC \([0-9]+ records\)' "$out"
check_match "--check: an unsigned zone says nothing of DNSSEC" \
	'unsigned\.sec\.zone: zone unsigned\.sec\., [0-9]+ records, [0-9]+ names, 0 warning' "$out"
check_match "--check: expired signatures are a warning with file:line" \
	'expired\.sec\.zone:[0-9]+: RRSIG over expired\.sec\. SOA expired at 20200201000000' "$out"
check_match "--check: the expired signatures are RRSIG_EXPIRED" \
	'^error RRSIG_EXPIRED server=expired zone=expired\.sec\. name=expired\.sec\.: ' "$out"
check_match "--check: the bogus scenario is judged, and agrees" \
	'^  expired: www\.expired\.sec\. A: expected SERVFAIL, bogus, predicted SERVFAIL \(bogus, EDE 7: .* expired at 20200201000000\): agree' "$out"
check_match "--check: a secure scenario" \
	'^  nsec3-nxdomain: nothere\.nsec3\.sec\. A: expected NXDOMAIN, secure, predicted NXDOMAIN, secure, rrsig=[0-9]+ nsec=[0-9]+: agree' "$out"
# What each validated response carried. An NSEC3 NXDOMAIN proves the
# closest encloser, the next closer name and the wildcard: in sec. three
# NSEC3s; in nsec3.sec. one NSEC3 covers both the next closer name and the
# wildcard, so two (dig +dnssec on the zone shows the same), each with its
# RRSIG beside the SOA's.
check_match "--check: an NSEC3 NXDOMAIN with three NSEC3s (opt-out, insecure)" \
	'^  optout-nxdomain: nothere\.sec\. A: expected NXDOMAIN, insecure, predicted NXDOMAIN, insecure, rrsig=4 nsec=3: agree' "$out"
check_match "--check: an NSEC3 NXDOMAIN whose wildcard and next closer share an NSEC3" \
	'^  nsec3-nxdomain: .*, predicted NXDOMAIN, secure, rrsig=3 nsec=2: agree' "$out"
check_match "--check: an NSEC NODATA: the SOA and one NSEC, both signed" \
	'^  nsec-nodata: www\.nsec\.sec\. AAAA: .*, predicted NOERROR, secure, rrsig=2 nsec=1: agree' "$out"
check_match "--check: an NSEC NXDOMAIN: two NSECs" \
	'^  nsec-nxdomain: .*, predicted NXDOMAIN, secure, rrsig=3 nsec=2: agree' "$out"
check_match "--check: an unsigned zone's answer: no signature, no proof" \
	'^  optout-insecure: www\.unsigned\.sec\. A: .*, predicted NOERROR 127\.0\.30\.50, insecure, rrsig=0 nsec=0: agree' "$out"
check_match "--check: a prediction says what the SOA answer carried" \
	'^  unsigned\.sec\.: resolves, insecure, rrsig=0 nsec=0 \(' "$out"
check_match "--check: a secure SOA answer: one RRSIG" '^  nsec3\.sec\.: resolves, secure, rrsig=1 nsec=0 \(' "$out"
if printf '%s\n' "$out" | grep -E '^  expired' | grep -q 'rrsig='; then
	bad "--check: a bogus outcome counts nothing" "$(printf '%s\n' "$out" | grep -E '^  expired')"
else
	ok "--check: a bogus outcome counts nothing"
fi
check_match "--check: every scenario agrees" '18 of 18 scenario\(s\) agree' "$out"
json=$(timeout 60 "$GLUED" --check --json -c tests/data/signed/lab.yaml 2>/dev/null)
check_eq "--check --json: the NSEC3 zone's keys" "NSEC3 0 True" "$(printf '%s\n' "$json" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["kind"] == "zone" and o.get("zone") == "sec.":
        print(o["denial"], o["iterations"], o["optout"] > 0 and o["signed"])
')"
check_eq "--check --json: rrsigs and nsecs beside dnssec, for answers that validated" \
	"prediction expired.sec. bogus - -
prediction nsec3.sec. secure 1 0
prediction unsigned.sec. insecure 0 0
scenario expired bogus - -
scenario nsec-nodata secure 2 1
scenario optout-nxdomain insecure 4 3" "$(printf '%s\n' "$json" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["kind"] == "prediction" and o["delegation"] in ("nsec3.sec.", "unsigned.sec.", "expired.sec."):
        print("prediction", o["delegation"], o["dnssec"], o.get("rrsigs", "-"), o.get("nsecs", "-"))
    elif o["kind"] == "scenario" and o["name"] in ("nsec-nodata", "optout-nxdomain", "expired"):
        print("scenario", o["name"], o["dnssec"], o.get("rrsigs", "-"), o.get("nsecs", "-"))
' | LC_ALL=C sort)"

# --- Usage -------------------------------------------------------------------------------------
out=$("$GLUED" --json -c zones/lab.yaml 2>&1)
check_eq "--json without --check: exit status 2" 2 "$?"
check_match "--json without --check: says why" 'output format of --check' "$out"

lib_finish
