#!/usr/bin/env bash
# test_sign.sh -- glued signing zones at load (--dnssec sign): a parent
# test. and its child child.test. served by one glued, keys made on first
# use in keys/ beside the zone files and read back on the next start.
# Checked: the key files are BIND's (dnssec-dsfromkey reads them); the
# parent serves the child's DS, signed, and it matches that key; delv,
# with only the parent's DS as trust anchor, validates an answer of the
# child (the chain DS -> DNSKEY -> RRSIG across the delegation); a DS
# written in the parent's file stands; a restart keeps the keys; a broken
# key file (not base64, no Algorithm line, another algorithm, another key)
# stops the start with an error naming the file and the line (FILE:LINE)
# and makes no key in its place, and on SIGHUP the reload fails the same
# way and the old signed data is served on; the same from
# YAML over two servers (the DS crosses servers, dnssec: off stays
# unsigned); --dnssec with -c is bad usage.
#
#   bash tests/integration/test_sign.sh /path/to/glued   (repo root)

. "$(dirname "$0")/lib.sh" "$@"

Z=$LIB_TMP/zones
mkdir -p "$Z"
cat >"$Z/test.zone" <<'EOF'
$ORIGIN test.
$TTL 3600
@          SOA ns.test. hostmaster.test. 1 7200 900 1209600 300
@          NS  ns
ns         A   127.0.0.1
www        A   192.0.2.80
child      NS  ns.child
ns.child   A   127.0.0.1
stale      NS  ns.child
stale      DS  12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
EOF
cat >"$Z/child.zone" <<'EOF'
$ORIGIN child.test.
$TTL 3600
@      SOA ns hostmaster 1 7200 900 1209600 300
@      NS  ns
ns     A   127.0.0.1
www    A   192.0.2.81
EOF

sign_args=(-z "test.=$Z/test.zone" -z "child.test.=$Z/child.zone" --dnssec sign)
if ! lib_start_glued signed "${sign_args[@]}"; then
	bad "glued --dnssec sign starts"
	lib_finish
fi
ok "glued --dnssec sign starts"

keys=$(cd "$Z/keys" 2>/dev/null && ls)
check_match "a key for each zone, in BIND's file names" \
	'^Kchild\.test\.\+013\+[0-9]{5}\.key$' "$keys"
check_match "the parent's key" '^Ktest\.\+013\+[0-9]{5}\.private$' "$keys"
child_key=$(ls "$Z"/keys/Kchild.test.+013+*.key)
test_key=$(ls "$Z"/keys/Ktest.+013+*.key)
child_ds=$(dnssec-dsfromkey -2 "$child_key" 2>&1 | awk '{print $4, $5, $6, $7}')
check_match "dnssec-dsfromkey reads the child's key" '^[0-9]+ 13 2 [0-9A-F]{64}$' "$child_ds"

check_match "the child's DS is signed by the parent" 'RRSIG[[:space:]]+DS 13 2 3600 .* test\. ' \
	"$(lib_dig signed +dnssec DS child.test.)"
served_ds=$(lib_dig signed +short DS child.test. | tr -d ' ' | tr a-f A-F)
check_eq "the parent's DS is the child key's" "$(echo "$child_ds" | tr -d ' ')" "$served_ds"
check_match "the child's DNSKEY answer is signed" 'RRSIG[[:space:]]+DNSKEY 13 2' \
	"$(lib_dig signed +dnssec DNSKEY child.test.)"
check_match "a denial carries its NSEC" 'IN[[:space:]]+NSEC[[:space:]]' \
	"$(lib_dig signed +dnssec nope.child.test. A)"

# delv validates across the delegation from the parent's DS alone.
test_ds=$(dnssec-dsfromkey -2 "$test_key" | awk '{print $4, $5, $6, $7}')
read -r tag alg dt digest <<<"$test_ds"
printf 'trust-anchors { test. static-ds %s %s %s "%s"; };\n' "$tag" "$alg" "$dt" "$digest" \
	>"$LIB_TMP/anchor.conf"
if command -v delv >/dev/null 2>&1; then
	v=$(delv @127.0.0.1 -p "${SRV_PORT[signed]}" -a "$LIB_TMP/anchor.conf" +root=test. \
		www.child.test. A 2>&1)
	check_match "delv: the child's answer is fully validated" '; fully validated' "$v"
	check_match "delv: with its address" '192\.0\.2\.81' "$v"
	v=$(delv @127.0.0.1 -p "${SRV_PORT[signed]}" -a "$LIB_TMP/anchor.conf" +root=test. \
		nope.child.test. A 2>&1)
	check_match "delv: the NXDOMAIN is proven" 'negative response, fully validated' "$v"
else
	bad "delv is installed (tools/install-deps test)"
fi

check_match "a DS written in the parent's file stands" '^12345 13 2 0123456789ABCDEF' \
	"$(lib_dig signed +short DS stale.test. | tr a-f A-F)"
lib_stop signed
check_eq "glued stops cleanly" 0 "$?"

# A restart reads the same keys: no new files, the same DS.
if lib_start_glued again "${sign_args[@]}"; then
	check_eq "a restart makes no new key" "$keys" "$(cd "$Z/keys" && ls)"
	served_ds=$(lib_dig again +short DS child.test. | tr -d ' ' | tr a-f A-F)
	check_eq "a restart serves the same DS" "$(echo "$child_ds" | tr -d ' ')" "$served_ds"
	lib_stop again
else
	bad "glued restarts with its keys"
fi

# A broken .private: nothing starts, no other key is made, and the error
# names the file and the line at fault (FILE:LINE), and for what concerns
# the pair the DNSKEY line of the .key as well.
priv=${child_key%.key}.private
cp "$priv" "$LIB_TMP/saved.private"
P='keys/Kchild\.test\.\+013\+[0-9]{5}\.private'
K='[^ ]*keys/Kchild\.test\.\+013\+[0-9]{5}\.key'
kline=$(grep -n 'DNSKEY' "$child_key" | cut -d: -f1)
# broken DESC SED-SCRIPT REGEX: break the child's .private with sed, start.
broken() {
	cp "$LIB_TMP/saved.private" "$priv"
	sed -i "$2" "$priv"
	err=$("$GLUED" -l 127.0.0.1:1 "${sign_args[@]}" 2>&1)
	check_eq "$1: exit status 1" 1 "$?"
	check_match "$1: FILE:LINE" "$3" "$err"
	check_eq "$1: no key is made in its place" "$keys" "$(cd "$Z/keys" && ls)"
}
broken "a .private that is not base64" 's/^PrivateKey: .*/PrivateKey: not-base64!/' \
	"$P:3: bad base64 in PrivateKey"
broken "a .private without an Algorithm line" '/^Algorithm:/d' \
	"$P:1: Private-key-format without an Algorithm line \\(the DNSKEY at $K:$kline is algorithm 13, ECDSAP256SHA256\\)"
broken "a .private of another algorithm" 's/^Algorithm: .*/Algorithm: 15 (ED25519)/' \
	"$P:2: Algorithm 15 \\(ED25519\\) does not match the DNSKEY's 13 \\(ECDSAP256SHA256\\) at $K:$kline\$"
other=$(grep '^PrivateKey:' "${test_key%.key}.private")
broken "a .private of another key" "s|^PrivateKey: .*|$other|" \
	"$P:3: the private key does not match the public key of the DNSKEY at $K:$kline\$"
cp "$LIB_TMP/saved.private" "$priv"

# The same on SIGHUP: the reload fails with FILE:LINE, the old keys and
# signatures are served on; once the file is repaired, a SIGHUP loads.
if lib_start_glued hup "${sign_args[@]}"; then
	log=${SRV_LOG[hup]}
	key_before=$(lib_dig hup +short DNSKEY child.test.)
	# hup: SIGHUP, wait (bounded) for one more "reloaded" or "reload failed" line.
	hup() {
		local n i
		n=$(grep -c 'reloaded\|reload failed' "$log")
		kill -HUP "${SRV_PID[hup]}"
		for i in $(seq 1 50); do
			[ "$(grep -c 'reloaded\|reload failed' "$log")" -gt "$n" ] && return 0
			sleep 0.1
		done
		return 1
	}
	sed -i '/^Algorithm:/d' "$priv"
	hup || bad "SIGHUP: no reload line" "$(tail -3 "$log")"
	check_match "SIGHUP with a .private without Algorithm: the reload fails with FILE:LINE" \
		"reload failed, keeping the old configuration: .*$P:1: Private-key-format without an Algorithm line" \
		"$(cat "$log")"
	check_eq "after the failed reload: the same DNSKEY" "$key_before" \
		"$(lib_dig hup +short DNSKEY child.test.)"
	check_match "after the failed reload: still signed" 'RRSIG[[:space:]]+A 13 3' \
		"$(lib_dig hup +dnssec www.child.test. A)"
	check_eq "after the failed reload: no key is made in its place" "$keys" "$(cd "$Z/keys" && ls)"
	cp "$LIB_TMP/saved.private" "$priv"
	hup || bad "SIGHUP: no reload line" "$(tail -3 "$log")"
	check_match "SIGHUP with the file repaired: reloaded" 'reloaded' "$(tail -1 "$log")"
	check_eq "after the good reload: the same DNSKEY" "$key_before" \
		"$(lib_dig hup +short DNSKEY child.test.)"
	lib_stop hup
	check_eq "glued stops cleanly after the reloads" 0 "$?"
else
	bad "glued --dnssec sign starts for the SIGHUP checks"
fi

# The same from YAML, over two servers: the parent's server signs its
# zones but one (dnssec: off), the child's server signs only the child.
cat >"$Z/off.zone" <<'EOF'
$ORIGIN off.
$TTL 3600
@      SOA ns.test. hostmaster.test. 1 7200 900 1209600 300
@      NS  ns.test.
EOF
cat >"$LIB_TMP/signed.yaml.in" <<'EOF'
port: @PORT@
servers:
  - name: parent
    listen: [127.0.0.1]
    dnssec: sign
    zones:
      - file: zones/test.zone
        origin: test.
      - file: zones/off.zone
        origin: off.
        dnssec: off
  - name: child
    listen: [127.0.0.2]
    zones:
      - file: zones/child.zone
        origin: child.test.
        dnssec: sign
EOF
if lib_start yaml test. --template "$LIB_TMP/signed.yaml.in" "$LIB_TMP/signed.yaml" -- \
	"$GLUED" -c "$LIB_TMP/signed.yaml"; then
	served_ds=$(lib_dig yaml +short DS child.test. | tr -d ' ' | tr a-f A-F)
	check_eq "yaml: the child's server's key is in the parent's DS" \
		"$(echo "$child_ds" | tr -d ' ')" "$served_ds"
	check_match "yaml: the child's server signs it" 'RRSIG[[:space:]]+DNSKEY 13 2' \
		"$(dig @127.0.0.2 -p "${SRV_PORT[yaml]}" +norecurse +dnssec DNSKEY child.test.)"
	check_eq "yaml: dnssec: off leaves a zone unsigned in a signing server" "" \
		"$(lib_dig yaml +short DNSKEY off.)"
	lib_stop yaml
else
	bad "glued -c with dnssec: sign starts"
fi

err=$("$GLUED" -c zones/lab.yaml --dnssec sign 2>&1)
check_eq "--dnssec with -c: exit status 2" 2 "$?"
check_match "--dnssec with -c: says why" 'cannot be used with -c' "$err"

lib_finish
