#!/usr/bin/env bash
# test_xfr_signed.sh -- signed zones transfer with their signatures.
# glued serves three zones with `transfer: allow`: sec. (pre-signed with
# NSEC3 and opt-out, tests/data/signed), nsec.sec. (pre-signed with NSEC)
# and signed.test., which glued signs itself at load (dnssec: sign, NSEC3).
# Checked for each: the AXFR holds exactly the records glued serves (the
# file's, RRSIG, NSEC, NSEC3 and NSEC3PARAM included, each with its TTL;
# for signed.test. the signatures glued made, which a DO=1 query returns
# too), and dnssec-verify verifies the transferred zone as a whole:
# every RRSIG against the DNSKEY, the denial chain complete. Then an IXFR
# after a reload of signed.test. with a new serial carries the new
# signatures: applied to the first AXFR it gives the second one.
#
#   bash tests/integration/test_xfr_signed.sh /path/to/glued   (repo root)

. "$(dirname "$0")/lib.sh" "$@"

PY=/usr/bin/python3
SIGNED=$PWD/tests/data/signed
for tool in ldns-verify-zone dnssec-verify; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ bad "$tool is installed (tools/install-deps test: ldnsutils, bind9-utils)"; lib_finish; }
done
# verify ZONE FILE: dnssec-verify -z (a combined signing key is glued's one
# key) on a zone file: "Zone fully signed" when every RRset's signature
# verifies and the chain is whole.
verify() { dnssec-verify -z -o "$1" "$2" 2>&1; }
"$PY" -c 'import dns.zone, dns.query' 2>/dev/null ||
	{ bad "dnspython for $PY (tools/install-deps test: python3-dnspython)"; lib_finish; }

Z=$LIB_TMP/zones
mkdir -p "$Z"
cat >"$Z/test.zone" <<'EOF'
$ORIGIN test.
$TTL 3600
@   SOA ns.test. hostmaster.test. 1 7200 900 1209600 300
@   NS  ns
ns  A   127.0.0.1
EOF
write_signed() { # serial
	cat >"$Z/signed.test.zone" <<EOF
\$ORIGIN signed.test.
\$TTL 600
@        SOA ns hostmaster $1 7200 900 1209600 300
@        NS  ns
ns       A   127.0.0.1
www      A   192.0.2.$1
mail     MX  10 www
sub      NS  ns.sub
ns.sub   A   192.0.2.53
EOF
}
write_signed 1
cat >"$LIB_TMP/glued.yaml.in" <<EOF
servers:
  - name: primary
    listen: 127.0.0.1:@PORT@
    zones:
      - origin: test.
        file: $Z/test.zone
      - origin: sec.
        file: $SIGNED/sec.zone
        transfer:
          allow: [127.0.0.0/8]
      - origin: nsec.sec.
        file: $SIGNED/nsec.sec.zone
        transfer:
          allow: [127.0.0.0/8]
      - origin: signed.test.
        file: $Z/signed.test.zone
        dnssec:
          denial: nsec3
          keys: $Z/keys
        transfer:
          allow: [127.0.0.0/8]
EOF
lib_start glued test. --template "$LIB_TMP/glued.yaml.in" "$LIB_TMP/glued.yaml" -- \
	"$GLUED" -t 1 -c "$LIB_TMP/glued.yaml" || { bad "glued starts"; lib_finish; }
port=${SRV_PORT[glued]}

# xfr.py PORT ZONE OUT [FILE]: AXFR ZONE into OUT as zone-file text (one
# record a line, canonical order); with FILE, compare the transfer's
# records (owner, TTL, type, rdata) with FILE's and print what differs.
cat >"$LIB_TMP/xfr.py" <<'EOF'
import sys
import dns.query, dns.zone, dns.rdatatype, dns.name

port, origin, out = int(sys.argv[1]), dns.name.from_text(sys.argv[2]), sys.argv[3]
ref = sys.argv[4] if len(sys.argv) > 4 else None

def records(zone):
    recs = set()
    for name, node in zone.nodes.items():
        owner = name.derelativize(zone.origin).to_text().lower()  # names match case-blind
        for rds in node.rdatasets:
            for rd in rds:
                recs.add((owner, rds.ttl, dns.rdatatype.to_text(rds.rdtype),
                          rd.to_text(origin=zone.origin, relativize=False)))
    return recs

msgs = list(dns.query.xfr("127.0.0.1", origin, port=port, lifetime=10, relativize=False))
zone = dns.zone.from_xfr(iter(msgs), relativize=False)
got = records(zone)
with open(out, "w") as f:
    for r in sorted(got):
        f.write("%s %d IN %s %s\n" % r)
types = {}
for r in got:
    types[r[2]] = types.get(r[2], 0) + 1
print("records %d %s" % (len(got), " ".join("%s=%d" % kv for kv in sorted(types.items()))))
if ref:
    want = records(dns.zone.from_file(ref, origin=origin, relativize=False,
                                      check_origin=False))
    for r in sorted(want - got):
        print("missing %s %d %s %s" % r)
    for r in sorted(got - want):
        print("extra %s %d %s %s" % r)
EOF

for zf in "sec. $SIGNED/sec.zone" "nsec.sec. $SIGNED/nsec.sec.zone"; do
	read -r zone file <<<"$zf"
	res=$("$PY" "$LIB_TMP/xfr.py" "$port" "$zone" "$LIB_TMP/$zone.axfr" "$file" 2>&1)
	echo "# $zone: $(head -1 <<<"$res")"
	check_match "$zone (pre-signed): the AXFR has its RRSIGs" ' RRSIG=[1-9]' "$(head -1 <<<"$res")"
	check_eq "$zone (pre-signed): the AXFR is the file, signatures and denial records included" \
		"" "$(tail -n +2 <<<"$res")"
	# (ldns-verify-zone reads the files' expiration in 2046 as before
	# their inception; dnssec-verify does serial arithmetic right.)
	check_match "$zone: dnssec-verify verifies the transferred zone" '^Zone fully signed' \
		"$(verify "$zone" "$LIB_TMP/$zone.axfr")"
done
check_match "sec.: the NSEC3 chain and NSEC3PARAM come along" ' NSEC3=[1-9].* NSEC3PARAM=1' \
	"$(head -1 <<<"$("$PY" "$LIB_TMP/xfr.py" "$port" sec. /dev/null)")"

res=$("$PY" "$LIB_TMP/xfr.py" "$port" signed.test. "$LIB_TMP/s1.axfr" 2>&1)
echo "# signed.test. serial 1: $res"
check_match "signed.test. (signed by glued): the AXFR carries DNSKEY, RRSIGs, NSEC3s and NSEC3PARAM" \
	'DNSKEY=1 .*NSEC3=[1-9].* NSEC3PARAM=1 .*RRSIG=[1-9]' "$res"
check_match "signed.test.: dnssec-verify verifies the zone glued signed, as transferred" \
	'^Zone fully signed' "$(verify signed.test. "$LIB_TMP/s1.axfr")"
check_match "signed.test.: and so does ldns-verify-zone" 'verified and complete|^Zone is verified' \
	"$(ldns-verify-zone "$LIB_TMP/s1.axfr" 2>&1)"
# The signature's last word (dig splits the base64: compare it joined).
served=$(dig @127.0.0.1 -p "$port" +norecurse +dnssec +noall +answer +nomultiline \
	www.signed.test. A | awk '$4 == "RRSIG" { s = ""; for (i = 13; i <= NF; i++) s = s $i; print s }')
moved=$(awk '$1 == "www.signed.test." && $4 == "RRSIG" && $5 == "A" {
	s = ""; for (i = 13; i <= NF; i++) s = s $i; print s }' "$LIB_TMP/s1.axfr")
if [ -n "$served" ] && [ "$served" = "$moved" ]; then
	ok "signed.test.: the RRSIG a DO=1 query gets is the one transferred"
else
	bad "signed.test.: the RRSIG a DO=1 query gets is the one transferred" "served: $served / transferred: $moved"
fi

# A reload with serial 2: the IXFR from serial 1 carries the new records
# and signatures, and applied to the first transfer gives the second.
write_signed 2
kill -HUP "${SRV_PID[glued]}"
for _ in $(seq 1 50); do
	dig @127.0.0.1 -p "$port" +short +norecurse signed.test. SOA | grep -q ' 2 7200 ' && break
	sleep 0.2
done
"$PY" "$LIB_TMP/xfr.py" "$port" signed.test. "$LIB_TMP/s2.axfr" >/dev/null 2>&1
cat >"$LIB_TMP/ixfr.py" <<'EOF'
import sys
import dns.query, dns.rdatatype, dns.name
port, base, want = int(sys.argv[1]), sys.argv[2], sys.argv[3]
origin = dns.name.from_text("signed.test.")
recs = set(l.rstrip("\n") for l in open(base))
rrs = []
for m in dns.query.xfr("127.0.0.1", origin, rdtype=dns.rdatatype.IXFR, serial=1, port=port, relativize=False,
                       lifetime=10):
    for rrset in m.answer:
        for rd in rrset:
            rrs.append("%s %d IN %s %s" % (rrset.name.to_text(), rrset.ttl,
                       dns.rdatatype.to_text(rrset.rdtype), rd.to_text()))
# IXFR: SOA(new) [SOA(old) deletions SOA(new) additions]... SOA(new)
if len(rrs) < 2 or " IN SOA " not in rrs[1]:
    print("not incremental: %d records" % len(rrs)); sys.exit(0)
body = rrs[1:-1]
mode, n_del, n_add, sigs = None, 0, 0, 0
for r in body:
    if " IN SOA " in r:
        mode = "add" if mode == "del" else "del"
        continue
    if mode == "del":
        recs.discard(r); n_del += 1
    else:
        recs.add(r); n_add += 1
        sigs += " IN RRSIG " in r
recs = set(r for r in recs if " IN SOA " not in r)
recs.add(rrs[0])
target = set(l.rstrip("\n") for l in open(want))
print("incremental del=%d add=%d add-rrsig=%d %s" % (n_del, n_add, sigs,
      "same" if recs == target else "differs: %d missing %d extra" % (len(target - recs), len(recs - target))))
EOF
res=$("$PY" "$LIB_TMP/ixfr.py" "$port" "$LIB_TMP/s1.axfr" "$LIB_TMP/s2.axfr" 2>&1)
echo "# IXFR 1 -> 2: $res"
check_match "signed.test.: the IXFR after the reload is incremental, with new signatures, and lands on the new AXFR" \
	'^incremental del=[1-9][0-9]* add=[1-9][0-9]* add-rrsig=[1-9][0-9]* same$' "$res"
check_match "signed.test. serial 2: dnssec-verify verifies it" '^Zone fully signed' \
	"$(verify signed.test. "$LIB_TMP/s2.axfr")"

lib_finish
