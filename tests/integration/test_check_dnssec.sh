#!/usr/bin/env bash
# test_check_dnssec.sh -- glued --check and gluecheck validating DNSSEC.
#
# A root, a TLD tld. and three children, signed at load (dnssec: sign per
# server) with keys made in the temp dir: good.tld. (its DS chained into
# tld. by glued), plain.tld. (dnssec: off: insecure, no DS) and stale.tld.
# (signed, but tld.'s file holds a hand-written DS of no key of it).
# Checked:
#   - glued --check on the lab with stale.tld.: DS_MATCHES_NO_DNSKEY for
#     the delegation, the prediction SERVFAIL (bogus, EDE 9) naming the DS,
#     every scenario (secure, insecure, bogus) agreeing, each secure or
#     insecure answer with its RRSIG and NSEC counts, exit status 1; the
#     same in --json;
#   - without stale.tld.: no finding, secure / insecure predictions, every
#     scenario agreeing, exit status 0; the trust anchor --check uses is
#     the one glued --trust-anchor writes;
#   - gluecheck --trust-anchor against the lab served on 127.0.62.x (the
#     walk through referrals) and against one glued holding every zone on
#     127.0.0.1 (lib_start_glued: the chain of trust found by DS queries):
#     secure, insecure, bogus with DS_MATCHES_NO_DNSKEY (the code --check
#     gives the stale DS) and exit status 1;
#     a trust anchor file that is not one is refused.
#
#   bash tests/integration/test_check_dnssec.sh /path/to/glued   (repo root)

. "$(dirname "$0")/lib.sh" "$@"

GLUECHECK="$(dirname "$GLUED")/gluecheck"
[ -x "$GLUECHECK" ] || {
	bad "gluecheck is missing next to $GLUED"
	lib_finish
}

# zones DIR ROOT TLD KIDS [stale]: the zone files, with the NS addresses
# given, and with stale.tld. (and its DS in tld.) when asked.
zones() {
	local d=$1 root=$2 tld=$3 kids=$4 stale=${5:-}
	mkdir -p "$d"
	cat >"$d/root.zone" <<EOF
\$ORIGIN .
\$TTL 3600
@                    SOA a.root-servers.tld. hostmaster.tld. 1 7200 900 1209600 300
@                    NS  a.root-servers.tld.
tld.                 NS  ns.tld.
ns.tld.              A   $tld
a.root-servers.tld.  A   $root
EOF
	cat >"$d/tld.zone" <<EOF
\$ORIGIN tld.
\$TTL 3600
@                SOA ns hostmaster 1 7200 900 1209600 300
@                NS  ns
ns               A   $tld
a.root-servers   A   $root
good             NS  ns.good
ns.good          A   $kids
plain            NS  ns.plain
ns.plain         A   $kids
EOF
	[ -n "$stale" ] && cat >>"$d/tld.zone" <<EOF
stale            NS  ns.stale
ns.stale         A   $kids
stale            DS  12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
EOF
	local c
	for c in good plain stale; do
		cat >"$d/$c.zone" <<EOF
\$ORIGIN $c.tld.
\$TTL 3600
@      SOA ns hostmaster 1 7200 900 1209600 300
@      NS  ns
ns     A   $kids
www    A   192.0.2.1
EOF
	done
}

# lab FILE PORT [stale [live]]: the YAML, with or without stale.tld.; to
# be served, the root also on 127.0.0.1, where lib_start asks if it is up.
lab() {
	local f=$1 port=$2 stale=${3:-} listen=127.0.62.1
	[ -n "${4:-}" ] && listen="127.0.62.1, 127.0.0.1"
	cat >"$f" <<EOF
port: $port
servers:
  - name: root
    listen: [$listen]
    dnssec: sign
    zones:
      - file: root.zone
        origin: .
  - name: tld
    listen: [127.0.62.2]
    dnssec: sign
    zones:
      - file: tld.zone
        origin: tld.
  - name: kids
    listen: [127.0.62.3]
    dnssec: sign
    zones:
      - file: good.zone
        origin: good.tld.
      - file: plain.zone
        origin: plain.tld.
        dnssec: off
EOF
	if [ -n "$stale" ]; then
		cat >>"$f" <<EOF
      - file: stale.zone
        origin: stale.tld.
EOF
	fi
	cat >>"$f" <<EOF
scenarios:
  - name: secure
    title: "secure"
    server: tld
    query: "www.good.tld. A"
    resolver: NOERROR
    answer: "192.0.2.1"
    dnssec: secure
  - name: insecure
    title: "insecure"
    server: tld
    query: "www.plain.tld. A"
    resolver: NOERROR
    answer: "192.0.2.1"
    dnssec: insecure
  - name: nxdomain
    title: "nxdomain"
    server: kids
    query: "nothere.good.tld. A"
    resolver: NXDOMAIN
    dnssec: secure
EOF
	if [ -n "$stale" ]; then
		cat >>"$f" <<EOF
  - name: stale-ds
    title: "stale-ds"
    server: tld
    query: "www.stale.tld. A"
    resolver: SERVFAIL
    dnssec: bogus
    ede: 9
EOF
	fi
}

# findings TEXT: "severity CODE server=... zone=... delegation=... name=...", sorted.
findings() {
	printf '%s\n' "$1" | grep -E '^(error|warning|info) [A-Z0-9_]+ ' | sed 's/: .*//' | LC_ALL=C sort
}

L=$LIB_TMP/stale
zones "$L" 127.0.62.1 127.0.62.2 127.0.62.3 stale

# --- The lab with the stale DS --------------------------------------------------------
lab "$L/stale.yaml" 5300 stale
out=$(cd "$L" && timeout 60 "$GLUED" --check -c stale.yaml 2>&1)
check_eq "stale DS: exit status 1" 1 "$?"
check_eq "stale DS: exactly DS_MATCHES_NO_DNSKEY" \
	"error DS_MATCHES_NO_DNSKEY server=tld zone=tld. delegation=stale.tld." "$(findings "$out")"
check_match "stale DS: the finding names the DS and the child" \
	'^error DS_MATCHES_NO_DNSKEY .*: DS 12345/13/2 in tld\. matches no DNSKEY of stale\.tld\.: validators answer SERVFAIL for the whole child zone \(fix: ' \
	"$out"
check_match "stale DS: the predictions validate, from the root's own DS" \
	'^predictions \(what a validating resolver gets for each delegation; trust anchor: DS [0-9]+/13/2 of the signed root zone\):$' \
	"$out"
anchor_tag=$(printf '%s\n' "$out" | sed -n 's/^predictions .*trust anchor: DS \([0-9]*\)\/13\/2 of.*/\1/p')
check_match "stale DS: stale.tld. predicted SERVFAIL, bogus, EDE 9" \
	'^  stale\.tld\.: SERVFAIL \(bogus, EDE 9: DS 12345/13/2 in tld\. matches no DNSKEY of stale\.tld\.\)$' "$out"
check_match "stale DS: good.tld. resolves, secure, its SOA with one RRSIG" \
	'^  good\.tld\.: resolves, secure, rrsig=1 nsec=0 \(' "$out"
check_match "stale DS: plain.tld. resolves, insecure, no signature" \
	'^  plain\.tld\.: resolves, insecure, rrsig=0 nsec=0 \(' "$out"
check_match "stale DS: the bogus scenario agrees" \
	'^  stale-ds: www\.stale\.tld\. A: expected SERVFAIL, bogus, EDE 9, predicted SERVFAIL \(bogus, EDE 9: DS 12345/13/2 in tld\. matches no DNSKEY of stale\.tld\.\): agree \(' \
	"$out"
check_match "stale DS: the secure scenario agrees" \
	'^  secure: www\.good\.tld\. A: expected NOERROR 192\.0\.2\.1, secure, predicted NOERROR 192\.0\.2\.1, secure, rrsig=1 nsec=0: agree \(' \
	"$out"
check_match "stale DS: the insecure scenario agrees" \
	'^  insecure: www\.plain\.tld\. A: expected NOERROR 192\.0\.2\.1, insecure, predicted NOERROR 192\.0\.2\.1, insecure, rrsig=0 nsec=0: agree \(' \
	"$out"
# good.tld.'s NSEC from its apex to ns.good.tld. covers both nothere and
# the wildcard: one NSEC, signed, beside the signed SOA.
check_match "stale DS: a secure NXDOMAIN, its proof one NSEC" \
	'^  nxdomain: nothere\.good\.tld\. A: expected NXDOMAIN, secure, predicted NXDOMAIN, secure, rrsig=2 nsec=1: agree' "$out"
check_match "stale DS: the summary" '; 4 of 4 scenario\(s\) agree$' "$out"

json=$(cd "$L" && timeout 60 "$GLUED" --check --json -c stale.yaml 2>/dev/null)
check_eq "stale DS --json: the finding, the prediction, the scenario" \
	"finding DS_MATCHES_NO_DNSKEY stale.tld.
prediction good.tld. NOERROR secure 0 1 0
prediction plain.tld. NOERROR insecure 0 0 0
prediction stale.tld. SERVFAIL bogus 9 - -
scenario nxdomain NXDOMAIN secure 0 2 1 agree
scenario secure NOERROR secure 0 1 0 agree
scenario stale-ds SERVFAIL bogus 9 - - agree" \
	"$(printf '%s\n' "$json" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["kind"] == "finding" and o["code"].startswith("DS_"):
        print("finding", o["code"], o["delegation"])
    elif o["kind"] == "prediction" and o["delegation"] in ("stale.tld.", "good.tld.", "plain.tld."):
        print("prediction", o["delegation"], o["rcode"], o["dnssec"], o["ede"], o.get("rrsigs", "-"), o.get("nsecs", "-"))
    elif o["kind"] == "scenario" and o["name"] in ("stale-ds", "secure", "nxdomain"):
        print("scenario", o["name"], o["predicted"].split(" ")[0].rstrip(","), o["dnssec"], o["ede"], o.get("rrsigs", "-"), o.get("nsecs", "-"), o["result"])
' | LC_ALL=C sort)"

# --- The clean lab ---------------------------------------------------------------------
C=$LIB_TMP/clean
zones "$C" 127.0.62.1 127.0.62.2 127.0.62.3
lab "$C/clean.yaml" 5300
out=$(cd "$C" && timeout 60 "$GLUED" --check -c clean.yaml 2>&1)
check_eq "clean: exit status 0" 0 "$?"
check_eq "clean: no finding" "" "$(findings "$out")"
check_match "clean: the summary" '^3 delegation\(s\): 0 error\(s\), 0 warning\(s\), 0 info\(s\); 3 of 3 scenario\(s\) agree$' "$out"

# --- Live: the lab served, gluecheck --trust-anchor ------------------------------------
lab "$L/live.yaml.in" @PORT@ stale live
if lib_start lab test. --template "$L/live.yaml.in" "$L/live.yaml" -- \
	"$GLUED" -c "$L/live.yaml" --trust-anchor "$LIB_TMP/root.key" -t 2; then
	PORT=${SRV_PORT[lab]}
	check_match "glued --trust-anchor writes the root's DS" \
		'^\. IN DS [0-9]+ 13 2 [0-9A-F]{64}$' "$(cat "$LIB_TMP/root.key" 2>&1)"
	check_eq "--check's anchor is the one glued --trust-anchor writes" "$anchor_tag" \
		"$(awk '$3 == "DS" { print $4 }' "$LIB_TMP/root.key")"
	out=$(timeout 20 "$GLUECHECK" --trust-anchor "$LIB_TMP/root.key" good.tld @127.0.62.1:"$PORT" 2>&1)
	check_eq "gluecheck good.tld: exit status 0" 0 "$?"
	check_match "gluecheck good.tld: secure" \
		'^dnssec \(trust anchor DS [0-9]+/13/2\): good\.tld\. SOA: NOERROR, secure \([0-9]+ queries\)$' "$out"
	out=$(timeout 20 "$GLUECHECK" --trust-anchor "$LIB_TMP/root.key" plain.tld @127.0.62.1:"$PORT" 2>&1)
	check_eq "gluecheck plain.tld: exit status 0" 0 "$?"
	check_match "gluecheck plain.tld: insecure, and why" \
		'plain\.tld\. SOA: NOERROR, insecure: plain\.tld\. is an insecure delegation: tld\. proves it has no DS' "$out"
	out=$(timeout 20 "$GLUECHECK" --trust-anchor "$LIB_TMP/root.key" stale.tld @127.0.62.1:"$PORT" 2>&1)
	check_eq "gluecheck stale.tld: exit status 1" 1 "$?"
	check_match "gluecheck stale.tld: bogus, EDE 9" \
		'stale\.tld\. SOA: SERVFAIL, bogus, EDE 9 \(DNSKEY Missing\): DS 12345/13/2 in tld\. matches no DNSKEY of stale\.tld\.' \
		"$out"
	check_match "gluecheck stale.tld: a DS_MATCHES_NO_DNSKEY finding, as --check's" \
		'^  error DS_MATCHES_NO_DNSKEY zone=tld\. delegation=stale\.tld\. name=stale\.tld\.: a validating resolver answers SERVFAIL: EDE 9 ' "$out"
	json=$(timeout 20 "$GLUECHECK" --json --trust-anchor "$LIB_TMP/root.key" stale.tld @127.0.62.1:"$PORT" 2>&1)
	check_eq "gluecheck --json: the dnssec line" "bogus 9 False" "$(printf '%s\n' "$json" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["kind"] == "dnssec":
        print(o["dnssec"], o["ede"], o["ad"])
')"
	lib_stop lab
else
	bad "glued -c serves the signed lab"
fi

# --- Live: every zone on one glued: the chain found by DS queries ---------------------
O=$LIB_TMP/one
zones "$O" 127.0.0.1 127.0.0.1 127.0.0.1 stale
if lib_start_glued one -z ".=$O/root.zone" -z "tld.=$O/tld.zone" -z "good.tld.=$O/good.zone" \
	-z "stale.tld.=$O/stale.zone" --dnssec sign --trust-anchor "$O/root.key"; then
	PORT=${SRV_PORT[one]}
	out=$(timeout 20 "$GLUECHECK" --trust-anchor "$O/root.key" good.tld @127.0.0.1:"$PORT" 2>&1)
	check_match "one server: good.tld. secure, through DS queries" \
		'good\.tld\. SOA: NOERROR, secure \(' "$out"
	out=$(timeout 20 "$GLUECHECK" --trust-anchor "$O/root.key" stale.tld @127.0.0.1:"$PORT" 2>&1)
	check_eq "one server: stale.tld: exit status 1" 1 "$?"
	check_match "one server: stale.tld. bogus, EDE 9" \
		'stale\.tld\. SOA: SERVFAIL, bogus, EDE 9 \(DNSKEY Missing\): DS 12345/13/2 in tld\. matches no DNSKEY of stale\.tld\.' \
		"$out"
	# An anchor of another key: the root itself is bogus.
	sed 's/ 13 2 \(.\)/ 13 2 0/' "$O/root.key" >"$O/wrong.key"
	cmp -s "$O/root.key" "$O/wrong.key" && sed -i 's/ 13 2 0/ 13 2 1/' "$O/wrong.key"
	out=$(timeout 20 "$GLUECHECK" --trust-anchor "$O/wrong.key" good.tld @127.0.0.1:"$PORT" 2>&1)
	check_match "one server: a wrong anchor: the root is bogus" \
		'SERVFAIL, bogus, EDE 9 \(DNSKEY Missing\): DS [0-9]+/13/2 of the trust anchor matches no DNSKEY of \.' \
		"$out"
	lib_stop one
else
	bad "glued -z ... --dnssec sign --trust-anchor starts"
fi

printf 'not an anchor\n' >"$LIB_TMP/bad.key"
out=$("$GLUECHECK" --trust-anchor "$LIB_TMP/bad.key" good.tld @127.0.0.1:1 2>&1)
check_eq "a bad anchor file: exit status 2" 2 "$?"
check_match "a bad anchor file: file:line and what was expected" \
	"bad\\.key:1: expected a DS record of the root" "$out"

lib_finish
