#!/usr/bin/env bash
# test_dnssec_config.sh -- signing configured in YAML, DNSSEC faults, the
# trust anchor, and reloads of a signed configuration.
#
# A root (.) and its child test., both signed by one glued from YAML: the
# root with the top level's defaults (ECDSA, NSEC), test. with a mapping
# (Ed25519, NSEC3 with salt and opt-out, two days of validity, its own key
# directory). Checked: the keys and records that mapping asks for;
# --trust-anchor writes the root's DS and delv, anchored there alone,
# validates an answer of test. (DS -> DNSKEY -> RRSIG, NSEC3 proof); a
# fault (rrsig: expired) is announced with FILE:LINE, named in the query
# log, and makes delv fail; an unknown algorithm, a fault on a zone that is
# not signed, a ds: fault where there is no DS, and --trust-anchor without
# a signed root each stop the start with a clear error; a SIGHUP with a
# broken configuration keeps serving the old signed data, a good one
# changes it.
#
#   bash tests/integration/test_dnssec_config.sh /path/to/glued   (repo root)

. "$(dirname "$0")/lib.sh" "$@"

D=$LIB_TMP
cat >"$D/root.zone" <<'EOF'
$ORIGIN .
$TTL 3600
.          SOA ns.test. hostmaster.test. 1 7200 900 1209600 300
.          NS  ns.test.
test.      NS  ns.test.
ns.test.   A   127.0.0.1
EOF
cat >"$D/test.zone" <<'EOF'
$ORIGIN test.
$TTL 3600
@          SOA ns hostmaster 1 7200 900 1209600 300
@          NS  ns
ns         A   127.0.0.1
www        A   192.0.2.80
insecure   NS  ns.elsewhere.
EOF
write_cfg() { # $1: extra line(s) for the zone test.
	cat >"$D/cfg.yaml.in" <<EOF
port: @PORT@
dnssec: sign
servers:
  - name: one
    listen: [127.0.0.1]
    zones:
      - file: root.zone
        origin: .
      - file: test.zone
        origin: test.
        dnssec:
          algorithm: ed25519
          denial: nsec3
          salt: AB12
          opt-out: true
          validity: 2d
          keys: testkeys
$1
EOF
}
write_cfg ""
if ! lib_start one . --template "$D/cfg.yaml.in" "$D/cfg.yaml" -- \
	"$GLUED" -c "$D/cfg.yaml" -q --trust-anchor "$D/root.key"; then
	bad "glued -c with dnssec: sign and a mapping starts"
	lib_finish
fi
ok "glued -c with dnssec: sign and a mapping starts"
LOG=${SRV_LOG[one]}

check_match "the root's key in keys/ beside its file" '^K\.\+013\+[0-9]{5}\.key$' "$(ls "$D/keys")"
check_match "test.'s Ed25519 key in its own directory" '^Ktest\.\+015\+[0-9]{5}\.key$' \
	"$(ls "$D/testkeys")"
check_match "NSEC3PARAM with the salt, no iterations" '^1 0 0 AB12$' \
	"$(lib_dig one +short NSEC3PARAM test. | tr a-f A-F)"
sig=$(lib_dig one +dnssec www.test. A | awk '$4 == "RRSIG" && $5 == "A"')
check_match "RRSIG by algorithm 15" '^www\.test\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+RRSIG[[:space:]]+A 15 2 3600 ' "$sig"
exp=$(echo "$sig" | awk '{print $9}')
check_eq "the RRSIG expires two days from now" "$(date -u -d '+2 days' +%Y%m%d)" "${exp:0:8}"
check_match "opt-out: the insecure delegation's proof has the flag" 'NSEC3[[:space:]]+1 1 0 ' \
	"$(lib_dig one +dnssec insecure.test. DS)"

# --trust-anchor: the root's DS, as Unbound and kresd read it.
ta=$(cat "$D/root.key" 2>/dev/null)
check_match "--trust-anchor writes the root's DS" '^\. IN DS [0-9]+ 13 2 [0-9A-F]{64}$' "$ta"
check_eq "the DS is the root key's" \
	"$(dnssec-dsfromkey -2 "$D"/keys/K.+013+*.key | awk '{print $4, $5, $6, $7}')" \
	"$(echo "$ta" | awk '{print $4, $5, $6, $7}')"
check_match "the banner prints the anchor" 'its DS, the trust anchor .* is in .*root\.key:' "$(cat "$LOG")"
read -r _ _ _ tag alg dt digest <<<"$ta"
printf 'trust-anchors { . static-ds %s %s %s "%s"; };\n' "$tag" "$alg" "$dt" "$digest" >"$D/anchor.conf"
delv_one() {
	delv @127.0.0.1 -p "${SRV_PORT[one]}" -a "$D/anchor.conf" +root=. "$@" 2>&1
}
v=$(delv_one www.test. A)
check_match "delv from the root's DS: test. validates" '; fully validated' "$v"
check_match "delv: NSEC3 proves the NXDOMAIN" 'negative response, fully validated' \
	"$(delv_one nope.test. A)"

# --- A fault, by SIGHUP: announced, logged, and it breaks validation --------
reload() { # wait for the next "reloaded" or "reload failed" line
	local n i
	n=$(grep -c 'reloaded:\|reload failed' "$LOG")
	kill -HUP "${SRV_PID[one]}"
	for i in $(seq 1 50); do
		[ "$(grep -c 'reloaded:\|reload failed' "$LOG")" -gt "$n" ] && return 0
		sleep 0.1
	done
	return 1
}
line=$(wc -l <"$D/cfg.yaml.in") # the extra line replaces the empty last one
write_cfg "        rrsig: expired"
sed "s/@PORT@/${SRV_PORT[one]}/" "$D/cfg.yaml.in" >"$D/cfg.yaml"
reload || bad "SIGHUP: no reload line" "$(tail -3 "$LOG")"
check_match "the fault is announced with FILE:LINE" \
	"warning: server one: zone test\\.: rrsig: expired \\(cfg\\.yaml:$line\\) breaks DNSSEC validation" \
	"$(cat "$LOG")"
lib_dig one +dnssec www.test. A >/dev/null
check_match "the query log names the fault" \
	"www\\.test\\. A NOERROR .* dnssec-fault=rrsig:expired\\(cfg\\.yaml:$line\\)" "$(cat "$LOG")"
v=$(delv_one www.test. A)
check_match "delv: the expired signatures fail" 'expired|resolution failed|no valid signature' "$v"

# --- A broken configuration on SIGHUP: the old signed data stays ------------
key_before=$(lib_dig one +short DNSKEY test.)
write_cfg "        rrsig: expired
        dnskey: lost"
sed "s/@PORT@/${SRV_PORT[one]}/" "$D/cfg.yaml.in" >"$D/cfg.yaml"
reload || bad "SIGHUP: no reload line" "$(tail -3 "$LOG")"
check_match "a bad fault: the reload fails with FILE:LINE" \
	"reload failed, keeping the old configuration: .*cfg\\.yaml:$((line + 1)): expected missing, unsupported-algorithm, no-sep for 'dnskey'" \
	"$(cat "$LOG")"
check_eq "after the failed reload: the same DNSKEY" "$key_before" "$(lib_dig one +short DNSKEY test.)"
check_match "after the failed reload: still the expired signatures" \
	'dnssec-fault=rrsig:expired' "$(lib_dig one +dnssec www.test. A >/dev/null; tail -1 "$LOG")"
write_cfg ""
sed "s/@PORT@/${SRV_PORT[one]}/" "$D/cfg.yaml.in" >"$D/cfg.yaml"
reload || bad "SIGHUP: no reload line" "$(tail -3 "$LOG")"
check_match "a good reload: validates again" '; fully validated' "$(delv_one www.test. A)"
lib_stop one
check_eq "glued stops cleanly" 0 "$?"

# --- Errors that stop the start -------------------------------------------------
write_cfg ""
sed 's/@PORT@/1/; s/algorithm: ed25519/algorithm: dsa/' "$D/cfg.yaml.in" >"$D/alg.yaml"
err=$("$GLUED" -c "$D/alg.yaml" 2>&1)
rc=$?
check_eq "an unknown algorithm: exit status 1" 1 "$rc"
check_match "an unknown algorithm: FILE:LINE" \
	"alg\\.yaml:$(grep -n 'algorithm: dsa' "$D/alg.yaml" | cut -d: -f1): .*expected ecdsap256sha256 \\(13\\), ed25519 \\(15\\) or rsasha256 \\(8\\) for 'algorithm', got 'dsa'" "$err"
cat >"$D/unsigned.yaml" <<'EOF'
servers:
  - name: one
    listen: [127.0.0.1:1]
    zones:
      - file: test.zone
        origin: test.
        rrsig: bogus
EOF
err=$("$GLUED" -c "$D/unsigned.yaml" 2>&1)
check_eq "a fault on an unsigned zone: exit status 1" 1 "$?"
check_match "a fault on an unsigned zone: FILE:LINE and the fix" \
	"unsigned\\.yaml:7: 'rrsig: bogus' breaks a signed zone, and this zone is not signed: add 'dnssec: sign'" "$err"
cat >"$D/nods.yaml" <<'EOF'
dnssec: sign
servers:
  - name: one
    listen: [127.0.0.1:1]
    zones:
      - file: test.zone
        origin: test.
        delegations:
          - name: insecure.test.
            ds: mismatch
EOF
err=$("$GLUED" -c "$D/nods.yaml" 2>&1)
check_eq "ds: mismatch without a DS: exit status 1" 1 "$?"
check_match "ds: mismatch without a DS: FILE:LINE and why" \
	"nods\\.yaml:10: ds: mismatch at insecure\\.test\\.: the delegation has no DS to break" "$err"
err=$("$GLUED" -l 127.0.0.1:1 -z "test.=$D/test.zone" --trust-anchor "$D/x.key" 2>&1)
check_eq "--trust-anchor without a signed root: exit status 1" 1 "$?"
check_match "--trust-anchor without a signed root: says so" \
	'--trust-anchor .*x\.key: glued serves no signed root zone' "$err"
check_eq "--trust-anchor without a signed root: no file" "" "$(ls "$D/x.key" 2>/dev/null)"

lib_finish
