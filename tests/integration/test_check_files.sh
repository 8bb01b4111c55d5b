#!/usr/bin/env bash
# test_check_files.sh -- glued --check on an operator's zone files alone (-z,
# no configuration): a root, a TLD lab. and children on 127.0.x.y as their
# glue says. Each zone is reached only where its delegation leads; what the
# files do not say is "not checked offline" (info), never an error.
# Checked: the healthy hierarchy is clean (exit 0); without example.lab.'s
# glue, MISSING_GLUE_FOR_NS_NAME for both NS names and a SERVFAIL
# prediction (exit 1); a glue mismatch; a lame delegation; an out-of-domain
# delegation not flagged, its prediction naming the NS name the files do
# not have; the same in --json; a cyclic pair of delegations without glue
# (SERVFAIL, exit 1) and with it (resolves, exit 0); an operator's zone
# whose NS names are the provider's, exported with a child it delegates to
# (the walk starts at a made-up server for the zone), with and without the
# child's glue; a zone alone, as named-checkzone checks it.
#
#   bash tests/integration/test_check_files.sh /path/to/glued   (repo root)

. "$(dirname "$0")/lib.sh" "$@"

Z=$LIB_TMP/files
mkdir -p "$Z"
cat >"$Z/root.zone" <<'EOF'
$ORIGIN .
$TTL 3600
@        SOA a.root. hostmaster.root. 1 7200 900 1209600 300
@        NS  a.root.
a.root.  A   127.0.0.10
lab.     NS  ns.lab.
ns.lab.  A   127.0.0.20
EOF
cat >"$Z/lab.zone" <<'EOF'
$ORIGIN lab.
$TTL 3600
@           SOA ns.lab. hostmaster.lab. 1 7200 900 1209600 300
@           NS  ns
ns          A   127.0.0.20
example     NS  ns1.example
example     NS  ns2.example
ns1.example A   127.0.1.1
ns2.example A   127.0.1.2
other       NS  ns.other
ns.other    A   127.0.4.1
ood         NS  ns.provider.net.
EOF
cat >"$Z/example.lab.zone" <<'EOF'
$ORIGIN example.lab.
$TTL 3600
@    SOA ns1 hostmaster 1 7200 900 1209600 300
@    NS  ns1
@    NS  ns2
ns1  A   127.0.1.1
ns2  A   127.0.1.2
www  A   127.0.1.80
EOF
cat >"$Z/other.lab.zone" <<'EOF'
$ORIGIN other.lab.
$TTL 3600
@    SOA ns hostmaster 1 7200 900 1209600 300
@    NS  ns
ns   A   127.0.4.1
EOF
cat >"$Z/mism.lab.zone" <<'EOF'
$ORIGIN mism.lab.
$TTL 3600
@    SOA ns1 hostmaster 1 7200 900 1209600 300
@    NS  ns1
ns1  A   127.0.3.1
EOF
cat >"$Z/lame.lab.zone" <<'EOF'
$ORIGIN lame.lab.
$TTL 3600
@    SOA ns1 hostmaster 1 7200 900 1209600 300
@    NS  ns1
ns1  A   127.0.5.1
EOF

# findings TEXT: the finding lines without their message, sorted.
findings() {
	printf '%s\n' "$1" | grep -E '^(error|warning|info) [A-Z0-9_]+ ' | sed 's/: .*//' | LC_ALL=C sort
}
check_files() {
	timeout 60 "$GLUED" --check "$@" 2>&1
}

# --- The healthy hierarchy -----------------------------------------------------------------
ZS=(-z "$Z/root.zone" -z "$Z/lab.zone" -z "$Z/example.lab.zone" -z "$Z/other.lab.zone")
out=$(check_files "${ZS[@]}")
check_eq "healthy hierarchy: exit status 0" 0 "$?"
check_eq "healthy hierarchy: no finding, the out-of-domain delegation not flagged" "" \
	"$(findings "$out")"
check_match "healthy hierarchy: example.lab. resolves through root and lab." \
	'^  example\.lab\.: resolves \(3 queries\)' "$out"
check_match "healthy hierarchy: the out-of-domain delegation is not checked offline" \
	'^  ood\.lab\.: not checked offline: .*ns\.provider\.net\.' "$out"
check_match "healthy hierarchy: it says which part of the walk the files cannot follow" \
	'^  ood\.lab\.: not checked offline: ns\.provider\.net\. is in no loaded zone file \(' "$out"
if printf '%s\n' "$out" | grep -q NO_SERVER_AT_ADDRESS; then
	bad "healthy hierarchy: no NO_SERVER_AT_ADDRESS offline" "$out"
else
	ok "healthy hierarchy: no NO_SERVER_AT_ADDRESS offline"
fi

# --- example.lab.'s glue removed from lab.zone -------------------------------------------
grep -v '^ns[12]\.example' "$Z/lab.zone" >"$Z/lab-noglue.zone"
out=$(check_files -z "$Z/root.zone" -z "$Z/lab-noglue.zone" -z "$Z/example.lab.zone" \
	-z "$Z/other.lab.zone")
check_eq "without glue: exit status 1" 1 "$?"
check_eq "without glue: MISSING_GLUE_FOR_NS_NAME for both NS names" \
	"error MISSING_GLUE_FOR_NS_NAME zone=lab. delegation=example.lab. name=ns1.example.lab.
error MISSING_GLUE_FOR_NS_NAME zone=lab. delegation=example.lab. name=ns2.example.lab." \
	"$(findings "$out" | grep ' error\|^error')"
check_match "without glue: example.lab. predicted SERVFAIL, with the reason" \
	'^  example\.lab\.: SERVFAIL: no NS of example\.lab\. has a usable address: ns1\.example\.lab\. has no glue and no other path' "$out"
json=$(timeout 60 "$GLUED" --check --json -z "$Z/root.zone" -z "$Z/lab-noglue.zone" \
	-z "$Z/example.lab.zone" -z "$Z/other.lab.zone" 2>/dev/null)
check_eq "without glue, --json: the same errors and prediction" \
	"MISSING_GLUE_FOR_NS_NAME ns1.example.lab.
MISSING_GLUE_FOR_NS_NAME ns2.example.lab.
example.lab. SERVFAIL True
errors 2" "$(printf '%s\n' "$json" | /usr/bin/python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["kind"] == "finding" and o["severity"] == "error":
        print(o["code"], o["name"])
    elif o["kind"] == "prediction" and o["delegation"] == "example.lab.":
        print(o["delegation"], o["rcode"], o["checked"])
    elif o["kind"] == "summary":
        print("errors", o["errors"])
')"

# --- A glue mismatch: lab. says 127.0.3.9, mism.lab. says 127.0.3.1 -------------------------
printf 'mism NS ns1.mism\nns1.mism A 127.0.3.9\n' | cat "$Z/lab.zone" - >"$Z/lab-mism.zone"
out=$(check_files -z "$Z/root.zone" -z "$Z/lab-mism.zone" -z "$Z/mism.lab.zone")
check_eq "glue mismatch: exit status 1" 1 "$?"
check_match "glue mismatch: GLUE_MISMATCH with both addresses" \
	'^error GLUE_MISMATCH zone=lab\. delegation=mism\.lab\. name=ns1\.mism\.lab\.: parent glue says 127\.0\.3\.9, the child zone says 127\.0\.3\.1' "$out"
check_match "glue mismatch: the walk stops at the parent's address, unknown offline" \
	'^  mism\.lab\.: not checked offline: no loaded zone is served at 127\.0\.3\.9, where the walk asked for mism\.lab\. SOA \(' "$out"
check_match "glue mismatch: an info for the address no loaded zone is served at" \
	'^info NOT_CHECKED_OFFLINE zone=lab\. delegation=mism\.lab\.: 127\.0\.3\.9: ' "$out"

# --- A lame delegation: lame.lab. also delegated to other.lab.'s server -------------------
printf 'lame NS ns1.lame\nlame NS ns.other\nns1.lame A 127.0.5.1\n' | cat "$Z/lab.zone" - \
	>"$Z/lab-lame.zone"
out=$(check_files -z "$Z/root.zone" -z "$Z/lab-lame.zone" -z "$Z/other.lab.zone" \
	-z "$Z/lame.lab.zone")
check_eq "lame: exit status 1" 1 "$?"
check_match "lame: LAME_DELEGATION at other.lab.'s server" \
	'^error LAME_DELEGATION zone=lab\. delegation=lame\.lab\. name=ns\.other\.lab\.: 127\.0\.4\.1: it answers REFUSED' "$out"
check_match "lame: the NS sets differ, and only the parent lists more" \
	'^warning NS_SET_MISMATCH zone=lab\. delegation=lame\.lab\.: the parent lists \[ns\.other\.lab\.\] that the child does not \(fix: ' "$out"
check_match "lame: still resolves through the NS that serves it" '^  lame\.lab\.: resolves' "$out"

# --- A cyclic pair: cyca.lab.'s NS is inside cycb.lab., cycb.lab.'s inside cyca.lab. -----
# Each zone is served at the address of its NS name, which the other zone
# gives: cyca.lab. at 127.0.7.2, cycb.lab. at 127.0.7.1.
cat >"$Z/cyca.lab.zone" <<'EOF'
$ORIGIN cyca.lab.
$TTL 3600
@    SOA ns hostmaster 1 7200 900 1209600 300
@    NS  ns.cycb.lab.
ns   A   127.0.7.1
EOF
cat >"$Z/cycb.lab.zone" <<'EOF'
$ORIGIN cycb.lab.
$TTL 3600
@    SOA ns hostmaster 1 7200 900 1209600 300
@    NS  ns.cyca.lab.
ns   A   127.0.7.2
EOF
printf 'cyca NS ns.cycb\ncycb NS ns.cyca\n' | cat "$Z/lab.zone" - >"$Z/lab-cyc.zone"
CYC=(-z "$Z/example.lab.zone" -z "$Z/other.lab.zone" -z "$Z/cyca.lab.zone" -z "$Z/cycb.lab.zone")
out=$(check_files -z "$Z/root.zone" -z "$Z/lab-cyc.zone" "${CYC[@]}")
check_eq "cycle without glue: exit status 1" 1 "$?"
check_match "cycle without glue: the sibling cycle is an error" \
	'^error CYCLIC_SIBLING_GLUE zone=lab\. delegation=cyca\.lab\. name=ns\.cycb\.lab\.: .*without glue neither resolves' "$out"
check_match "cycle without glue: cyca.lab. predicted SERVFAIL, the cycle named" \
	'^  cyca\.lab\.: SERVFAIL: .*cyclic dependency' "$out"
check_match "cycle without glue: cycb.lab. predicted SERVFAIL, the cycle named" \
	'^  cycb\.lab\.: SERVFAIL: .*cyclic dependency' "$out"
printf 'ns.cyca A 127.0.7.1\nns.cycb A 127.0.7.2\n' | cat "$Z/lab-cyc.zone" - >"$Z/lab-cycglue.zone"
out=$(check_files -z "$Z/root.zone" -z "$Z/lab-cycglue.zone" "${CYC[@]}")
check_eq "cycle with sibling glue: exit status 0" 0 "$?"
check_eq "cycle with sibling glue: an info at most" \
	"info CYCLIC_SIBLING_GLUE zone=lab. delegation=cyca.lab. name=ns.cycb.lab." "$(findings "$out")"
check_match "cycle with sibling glue: cyca.lab. resolves" '^  cyca\.lab\.: resolves \(' "$out"
check_match "cycle with sibling glue: cycb.lab. resolves" '^  cycb\.lab\.: resolves \(' "$out"

# --- An operator's zone at a provider, exported with a child it delegates to -------------
# example.com.'s NS names (and their addresses) are the provider's, not in
# the files; dev.example.com. has in-domain NS names with glue.
cat >"$Z/example.com.zone" <<'EOF'
$ORIGIN example.com.
$TTL 3600
@        SOA ns1.provider.net. hostmaster 1 7200 900 1209600 300
@        NS  ns1.provider.net.
@        NS  ns2.provider.net.
www      A   192.0.2.80
dev      NS  ns1.dev
dev      NS  ns2.dev
ns1.dev  A   192.0.2.1
ns2.dev  AAAA 2001:db8::2
EOF
cat >"$Z/dev.example.com.zone" <<'EOF'
$ORIGIN dev.example.com.
$TTL 3600
@    SOA ns1 hostmaster 1 7200 900 1209600 300
@    NS  ns1
@    NS  ns2
ns1  A   192.0.2.1
ns2  AAAA 2001:db8::2
www  A   192.0.2.81
EOF
out=$(check_files -z "$Z/example.com.zone" -z "$Z/dev.example.com.zone")
check_eq "provider-hosted zone: exit status 0" 0 "$?"
check_eq "provider-hosted zone: no finding" "" "$(findings "$out")"
check_match "provider-hosted zone: the walk starts at the zone's servers, and says so" \
	"^predictions \\(what an iterating resolver gets for each delegation, starting at example\\.com\\.'s servers, whose addresses are not in the files\\):\$" \
	"$out"
check_match "provider-hosted zone: dev.example.com. resolves through its glue" \
	'^  dev\.example\.com\.: resolves \(2 queries\)$' "$out"
json=$(timeout 60 "$GLUED" --check --json -z "$Z/example.com.zone" -z "$Z/dev.example.com.zone" \
	2>/dev/null)
check_eq "provider-hosted zone, --json: the prediction, and where the walk starts" \
	"dev.example.com. NOERROR True
start example.com." "$(printf '%s\n' "$json" | /usr/bin/python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["kind"] == "prediction":
        print(o["delegation"], o["rcode"], o["checked"])
    elif o["kind"] == "summary":
        print("start", o["start_zones"])
')"
grep -v '^ns[12]\.dev' "$Z/example.com.zone" >"$Z/example.com-noglue.zone"
out=$(check_files -z "$Z/example.com-noglue.zone" -z "$Z/dev.example.com.zone")
check_eq "provider-hosted zone without the child's glue: exit status 1" 1 "$?"
check_eq "provider-hosted zone without the child's glue: MISSING_GLUE_FOR_NS_NAME for both" \
	"error MISSING_GLUE_FOR_NS_NAME zone=example.com. delegation=dev.example.com. name=ns1.dev.example.com.
error MISSING_GLUE_FOR_NS_NAME zone=example.com. delegation=dev.example.com. name=ns2.dev.example.com." \
	"$(findings "$out")"
check_match "provider-hosted zone without the child's glue: dev.example.com. predicted SERVFAIL" \
	'^  dev\.example\.com\.: SERVFAIL: no NS of dev\.example\.com\. has a usable address: ns1\.dev\.example\.com\. has no glue' \
	"$out"

# --- A zone alone, as named-checkzone checks it ------------------------------------------
printf '$ORIGIN solo.\n$TTL 3600\n@ SOA ns1 h 1 7200 900 1209600 300\n@ NS ns1\n@ NS ns2\n@ NS ns3\nns1 A 127.0.6.1\nns3 CNAME ns1\n' \
	>"$Z/solo.zone"
out=$(check_files -z "$Z/solo.zone")
check_eq "zone alone: exit status 1" 1 "$?"
check_eq "zone alone: an apex NS name without address, and one that is a CNAME" \
	"error NS_NAME_IS_CNAME zone=solo. name=ns3.solo.
error NS_NAME_WITHOUT_ADDRESS zone=solo. name=ns2.solo." "$(findings "$out")"
if command -v named-checkzone >/dev/null 2>&1; then
	nc=$(unshare -n named-checkzone -i local solo "$Z/solo.zone" 2>&1)
	check_match "zone alone: named-checkzone refuses it too" "NS 'ns2.solo' has no address records" "$nc"
else
	bad "named-checkzone is installed (tools/install-deps test)"
fi

lib_finish
