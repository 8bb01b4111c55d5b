#!/usr/bin/env bash
# test_xfr_interop.sh -- zone transfers between glued, NSD and Knot.
#
#   bash tests/integration/test_xfr_interop.sh /path/to/glued
#
# Everything runs in a private network namespace of its own (`unshare -n`
# as root, `unshare -r -n` otherwise; the script re-runs itself there), so
# the servers, their NOTIFYs and their transfers never leave it:
#
#   glued  127.0.0.1:GPORT  primary of lab. (no key), secure. (TSIG) and
#                           race.; secondary of pulled. (no key, a copy in
#                           file:), pulled-tsig. (TSIG) and refresh. (no
#                           NOTIFY), all three from NSD
#   NSD    127.0.0.1:NPORT  secondary of lab. and secure. from glued, its
#                           transfers from 127.0.0.2 (outgoing-interface);
#                           primary of pulled., pulled-tsig. and refresh.
#   Knot   127.0.0.1:KPORT  secondary of lab. and secure. from glued, its
#                           transfers from 127.0.0.3 (remote via:)
#   probe.py 127.0.0.1:PPORT  a NOTIFY target of race. (below)
#
# The two secondaries transfer from different source addresses so that
# glued's own log ("IXFR lab. to 127.0.0.2: ...") says which of them got
# what. lab., secure. and the pulled zones carry 1500 bulk TXT records, so
# every AXFR (and every TSIG'd one) takes several TCP messages. It checks:
#   1. NSD and Knot get lab. from glued (their AXFR is glued's, record for
#      record), and each delegation's referral (in-domain glue, sibling
#      glue, an out-of-zone NS, an NS at the zone's own names) has the same
#      rcode, flags, AUTHORITY and glue from all three.
#   2. A new serial and a changed record in glued's file, SIGHUP: glued
#      NOTIFYs, both secondaries follow within 10 s, by IXFR; their IXFR
#      from serial 1 is the same diff as glued's. IXFR over UDP, IXFR from
#      before the history (AXFR fallback) and from the current serial.
#      NOTIFY goes out only once the new serial is served (race.).
#   3. glued pulls pulled. from NSD at start, answers from it, writes its
#      copy; NSD gets a new file and SIGHUP, NOTIFYs glued, glued follows.
#      A NOTIFY for a pulled zone glued has no copy of yet is taken as NSD
#      and Knot take one. refresh. follows by the SOA refresh timer alone.
#   4. TSIG: secure. needs xfr-key: kdig with the key gets the AXFR (each
#      message verified), a wrong secret NOTAUTH (BADSIG), an unknown key
#      BADKEY, no key REFUSED (EDE 18); NSD and Knot both transfer it signed
#      and follow a signed NOTIFY after a reload; glued pulls pulled-tsig.
#      from NSD signed and accepts NSD's signed NOTIFY.
#   5. glued restarted with NSD down serves pulled. from its copy.
#
# Needs nsd, knotd, dig, kdig and dnspython for /usr/bin/python3
# (tools/install-deps test), and root or unprivileged user namespaces.
set -u

# Into a network namespace of our own before lib.sh makes its temp dir and
# trap (exec would drop them): one level only, guarded by the variable.
if [ -z "${GLUED_XFR_NETNS:-}" ]; then
	if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
		GLUED_XFR_NETNS=1 exec unshare -n bash "$0" "$@"
	elif unshare -r -n true 2>/dev/null; then
		GLUED_XFR_NETNS=1 exec unshare -r -n bash "$0" "$@"
	fi
	echo "SKIP: no network namespace (not root, no unprivileged user namespaces)"
	exit 77
fi
ip link set lo up || {
	echo "FATAL: cannot bring lo up in the network namespace" >&2
	exit 1
}

. "$(dirname "$0")/lib.sh" "$@"

NSD=$(command -v nsd || echo /usr/sbin/nsd)
KNOTD=$(command -v knotd || echo /usr/sbin/knotd)
for prog in "$NSD" "$KNOTD" dig kdig; do
	command -v "$prog" >/dev/null 2>&1 || bad "$prog is missing (tools/install-deps test installs nsd, knot and knot-dnsutils)"
done
/usr/bin/python3 -c 'import dns.message, dns.query' 2>/dev/null ||
	bad "dnspython for /usr/bin/python3 is missing (apt-get install python3-dnspython)"
[ "$LIB_FAILED" -eq 0 ] || lib_finish

T=$LIB_TMP
mkdir -p "$T/glued" "$T/nsd" "$T/knot/db" "$T/knot/zones"
# The namespace is ours alone: every port is free, and all three can be
# chosen before any server starts (each configuration names the others).
GPORT=$(lib_free_port) && NPORT=$(lib_free_port) && KPORT=$(lib_free_port) || exit 1
PPORT=$(lib_free_port) && DEADPORT=$(lib_free_port) || exit 1
SECRET=$(printf 'glued-xfr-interop-test-key-0001' | base64)
WRONG=$(printf 'not-the-glued-xfr-interop-key-01' | base64)

# ---------------------------------------------------------------- zones
# bulk ORIGIN N: N TXT records of about 100 bytes each, so that a transfer
# of the zone needs several TCP messages (a message carries 64 KB at most).
bulk() {
	awk -v n="$2" -v o="$1" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "r%d.bulk.%s\t300\tTXT\t\"record %d of the bulk, padding the transfer past one message: 0123456789abcdef\"\n", i, o, i
	}'
}
# write_lab SERIAL WWW-ADDRESS [EXTRA-LINE]: glued's lab. zone.
write_lab() {
	cat >"$T/glued/lab.zone.new" <<EOF
\$ORIGIN lab.
\$TTL 3600
@		SOA	ns1.lab. hostmaster.lab. $1 3600 900 604800 300
@		NS	ns1.lab.
@		NS	ns2.lab.
ns1		A	127.0.1.1
ns2		A	127.0.1.2
ns2		AAAA	fd00::53
www		A	$2
; in-domain glue: the name servers are under the cut
child		NS	ns1.child.lab.
child		NS	ns2.child.lab.
ns1.child	A	192.0.2.1
ns2.child	A	192.0.2.2
ns2.child	AAAA	2001:db8::2
; sibling glue: under other cuts of this zone (RFC 9471 2.2)
sib		NS	ns.child.lab.
sib		NS	ns.other.lab.
ns.child	A	192.0.2.3
other		NS	ns1.other.lab.
ns1.other	A	192.0.2.9
ns.other	A	192.0.2.10
; out of zone: no glue to give
ext		NS	ns1.example.net.
ext		NS	ns2.example.org.
; the name servers are the zone's own, authoritative names
hosted		NS	ns1.lab.
hosted		NS	ns2.lab.
${3:-}
EOF
	bulk lab. 1500 >>"$T/glued/lab.zone.new"
	mv "$T/glued/lab.zone.new" "$T/glued/lab.zone"
}
write_lab 1 192.0.2.80

write_secure() { # SERIAL TXT
	cat >"$T/glued/secure.zone" <<EOF
\$ORIGIN secure.
\$TTL 300
@	SOA	ns1.secure. hostmaster.secure. $1 3600 900 604800 300
@	NS	ns1.secure.
ns1	A	127.0.1.1
txt	TXT	"$2"
EOF
	bulk secure. 1500 >>"$T/glued/secure.zone"
}
write_secure 1 "first"

write_race() { # SERIAL
	printf '$ORIGIN race.\n@ 300 SOA ns.race. hostmaster.race. %s 3600 900 604800 300\n@ 300 NS ns.race.\nns 300 A 127.0.1.1\n' \
		"$1" >"$T/glued/race.zone"
}
write_race 1

# write_nsd_primary ORIGIN SERIAL ADDRESS [REFRESH]: a zone NSD is primary of. The
# mtime is set apart from the last one: NSD reloads on SIGHUP only a file
# whose mtime changed, and two writes can fall within its granularity.
write_nsd_primary() {
	local f="$T/nsd/$1zone"
	cat >"$f.new" <<EOF
\$ORIGIN $1
\$TTL 300
@	SOA	ns.$1 hostmaster.$1 $2 ${4:-3600} 1 604800 300
@	NS	ns.$1
ns	A	127.0.1.1
host	A	$3
EOF
	bulk "$1" 1500 >>"$f.new"
	touch -d "@$((1700000000 + $2))" "$f.new"
	mv "$f.new" "$f"
}
write_nsd_primary pulled. 10 198.51.100.10
write_nsd_primary pulled-tsig. 20 198.51.100.20
# refresh.: no NOTIFY from NSD; glued must see a new serial by its SOA
# refresh timer (2 s here).
write_nsd_primary refresh. 30 198.51.100.30 2

# ------------------------------------------------------------- configs
cat >"$T/glued.yaml" <<EOF
tsig:
  - name: xfr-key
    algorithm: hmac-sha256
    secret: $SECRET
servers:
  - name: primary
    listen: 127.0.0.1:$GPORT
    zones:
      - origin: lab.
        file: $T/glued/lab.zone
        transfer:
          allow: [127.0.0.0/8, "::1"]
        notify: [127.0.0.1:$NPORT, 127.0.0.1:$KPORT]
      - origin: secure.
        file: $T/glued/secure.zone
        transfer:
          allow: [127.0.0.0/8]
          tsig: xfr-key
        notify: [127.0.0.1:$NPORT, 127.0.0.1:$KPORT]
      - origin: race.
        file: $T/glued/race.zone
        transfer:
          allow: [127.0.0.0/8]
        notify: [127.0.0.1:$PPORT]
      - origin: pulled.
        primary: 127.0.0.1:$NPORT
        file: $T/glued/pulled.copy
      - origin: pulled-tsig.
        primary: 127.0.0.1:$NPORT
        transfer:
          tsig: xfr-key
      - origin: refresh.
        primary: 127.0.0.1:$NPORT
EOF

# NSD as a plain foreground child, as test_differential.sh runs it (no
# chroot, no user switch, no database, its files in our temp dir), with
# rrl-ratelimit: 0 and minimal-responses: yes so that its answers compare.
# xfrd-reload-timeout: 0 serves a transfer at once.
cat >"$T/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1
	port: $NPORT
	username: ""
	chroot: ""
	zonesdir: "$T/nsd"
	database: ""
	pidfile: "$T/nsd/nsd.pid"
	xfrdfile: "$T/nsd/xfrd.state"
	xfrdir: "$T/nsd"
	zonelistfile: "$T/nsd/zone.list"
	logfile: "$T/nsd.log"
	verbosity: 2
	server-count: 1
	rrl-ratelimit: 0
	minimal-responses: yes
	refuse-any: no
	xfrd-reload-timeout: 0
remote-control:
	control-enable: no
key:
	name: "xfr-key"
	algorithm: hmac-sha256
	secret: "$SECRET"
zone:
	name: "lab."
	zonefile: "$T/nsd/lab.secondary"
	request-xfr: 127.0.0.1@$GPORT NOKEY
	allow-notify: 127.0.0.1 NOKEY
	outgoing-interface: 127.0.0.2
	provide-xfr: 127.0.0.0/8 NOKEY
	store-ixfr: yes
zone:
	name: "secure."
	zonefile: "$T/nsd/secure.secondary"
	request-xfr: 127.0.0.1@$GPORT xfr-key
	allow-notify: 127.0.0.1 xfr-key
	outgoing-interface: 127.0.0.2
	provide-xfr: 127.0.0.0/8 NOKEY
zone:
	name: "empty."
	request-xfr: 127.0.0.1@$DEADPORT NOKEY
	allow-notify: 127.0.0.1 NOKEY
zone:
	name: "pulled."
	zonefile: "$T/nsd/pulled.zone"
	provide-xfr: 127.0.0.0/8 NOKEY
	notify: 127.0.0.1@$GPORT NOKEY
zone:
	name: "pulled-tsig."
	zonefile: "$T/nsd/pulled-tsig.zone"
	provide-xfr: 127.0.0.0/8 xfr-key
	notify: 127.0.0.1@$GPORT xfr-key
zone:
	name: "refresh."
	zonefile: "$T/nsd/refresh.zone"
	provide-xfr: 127.0.0.0/8 NOKEY
EOF

cat >"$T/knot.conf" <<EOF
server:
    rundir: "$T/knot"
    listen: 127.0.0.1@$KPORT
log:
  - target: stderr
    any: info
database:
    storage: "$T/knot/db"
key:
  - id: xfr-key
    algorithm: hmac-sha256
    secret: $SECRET
remote:
  - id: glued
    address: 127.0.0.1@$GPORT
    via: 127.0.0.3
  - id: glued-tsig
    address: 127.0.0.1@$GPORT
    via: 127.0.0.3
    key: xfr-key
  - id: nobody
    address: 127.0.0.1@$DEADPORT
acl:
  - id: notify-from-glued
    address: 127.0.0.1
    action: notify
  - id: notify-from-glued-tsig
    address: 127.0.0.1
    key: xfr-key
    action: notify
  - id: transfer-local
    address: 127.0.0.0/8
    action: transfer
template:
  - id: default
    storage: "$T/knot/zones"
zone:
  - domain: lab.
    master: glued
    acl: [notify-from-glued, transfer-local]
  - domain: secure.
    master: glued-tsig
    acl: [notify-from-glued-tsig, transfer-local]
  - domain: empty.
    master: nobody
    acl: [notify-from-glued]
EOF

# ------------------------------------------------------------- helpers
# notify.py PORT ZONE: send one NOTIFY (from 127.0.0.1, unsigned) and
# print the rcode of the answer, or "timeout".
cat >"$T/notify.py" <<'PY'
import socket, sys
import dns.message, dns.opcode, dns.flags, dns.rcode
port, zone = int(sys.argv[1]), sys.argv[2]
m = dns.message.make_query(zone, "SOA")
m.set_opcode(dns.opcode.NOTIFY)
m.flags |= dns.flags.AA  # after set_opcode: flags holds the opcode too
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(2)
s.sendto(m.to_wire(), ("127.0.0.1", port))
try:
    r = dns.message.from_wire(s.recv(65535))
    print(dns.rcode.to_text(r.rcode()))
except socket.timeout:
    print("timeout")
PY
# q.py udp|tcp PORT NAME TYPE: one query (with EDNS), the rcode of the
# (first) answer and its Extended DNS Errors: "REFUSED ede=18".
cat >"$T/q.py" <<'PY'
import sys
import dns.edns, dns.message, dns.query, dns.rcode
proto, port, name, rtype = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
q = dns.message.make_query(name, rtype, use_edns=0)
try:
    if proto == "udp":
        r = dns.query.udp(q, "127.0.0.1", port=port, timeout=2)
    else:
        r = dns.query.tcp(q, "127.0.0.1", port=port, timeout=2)
except Exception as e:
    print("error", type(e).__name__)
    sys.exit(0)
ede = [str(o.code) for o in r.options if o.otype == dns.edns.EDE]
print(dns.rcode.to_text(r.rcode()) + "".join(" ede=" + c for c in ede))
PY
# probe.py PORT GLUED-PORT: a secondary that, the moment a NOTIFY comes
# in, asks glued for the zone's SOA (over UDP, as Knot does first), then
# acknowledges; one line per NOTIFY: "NOTIFIED-SERIAL SERVED-SERIAL".
cat >"$T/probe.py" <<'PY'
import socket, sys
import dns.message, dns.opcode
port, gport = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
q = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
q.settimeout(2)
while True:
    data, peer = s.recvfrom(65535)
    m = dns.message.from_wire(data)
    if m.opcode() != dns.opcode.NOTIFY:
        continue
    notified = m.answer[0][0].serial if m.answer else -1
    q.sendto(dns.message.make_query(m.question[0].name, "SOA").to_wire(), ("127.0.0.1", gport))
    try:
        r = dns.message.from_wire(q.recv(65535))
        served = r.answer[0][0].serial if r.answer else -1
    except socket.timeout:
        served = -1
    s.sendto(dns.message.make_response(m).to_wire(), peer)
    print(notified, served, flush=True)
PY

# start NAME PORT PROBE CMD...: start a server on a port chosen above and
# wait (bounded) until it answers PROBE SOA.
start() {
	local name=$1 port=$2 probe=$3 pid
	shift 3
	"$@" >"$T/$name.out" 2>&1 </dev/null &
	pid=$!
	LIB_PIDS+=("$pid")
	SRV_PORT[$name]=$port SRV_PID[$name]=$pid SRV_LOG[$name]=$T/$name.out
	if ! lib_wait_ready "$port" "$pid" "$probe"; then
		echo "FATAL: $name did not start:" >&2
		sed 's/^/    /' "$T/$name.out" >&2
		exit 1
	fi
}

# poll TENTHS CMD...: run CMD every 0.1 s until it succeeds, at most TENTHS times.
poll() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

serial() { # NAME ZONE
	lib_dig "$1" +short "$2" SOA | awk 'NF == 7 { print $3 }'
}
has_serial() { # NAME ZONE SERIAL
	[ "$(serial "$1" "$2")" = "$3" ]
}
# answer NAME QNAME TYPE: the answer's RRs, normalised and sorted.
answer() {
	lib_dig "$1" "$2" "$3" | lib_norm | lib_field answer
}
# xfr NAME ZONE [DIG ARGS]: the records of a transfer, normalised, sorted,
# duplicates merged (the closing SOA of an AXFR is its first).
xfr() {
	local name=$1 zone=$2
	shift 2
	dig @127.0.0.1 -p "${SRV_PORT[$name]}" +time=3 +tries=1 +nocmd +nostats "$@" "$zone" AXFR 2>&1 |
		awk '!/^;/ && NF { $1 = tolower($1); $1 = $1; print }' | LC_ALL=C sort -u
}
# ixfr NAME ZONE SERIAL: an IXFR from SERIAL, in the order sent.
ixfr() {
	dig @127.0.0.1 -p "${SRV_PORT[$1]}" +time=3 +tries=1 +nocmd +nostats +tcp "$2" "IXFR=$3" 2>&1 |
		awk '!/^;/ && NF { $1 = tolower($1); $1 = $1; print }'
}
# sections NAME QNAME: AUTHORITY and ADDITIONAL of a referral, normalised.
sections() {
	lib_dig "$1" "$2" A | lib_norm | grep -E '^(rcode|flags|answer|authority|additional) '
}

# --------------------------------------------------------------- start
# glued first: NSD and Knot pull lab. from it at their start. glued's
# first pull of pulled. fails (NSD is not up yet); NSD's NOTIFY at its own
# start, or glued's retry, brings it in (checked below, bounded).
start glued "$GPORT" lab. "$GLUED" -c "$T/glued.yaml"
# NSD is not up yet: glued's first pull of pulled. failed and it has no
# copy. A NOTIFY from the primary's address must still be taken as "pull
# now" (NOERROR), as NSD and Knot take one for a secondary zone they have
# no data for yet (their empty., below); glued answering NOTAUTH drops it,
# and the zone then waits for glued's retry back-off (up to 64 s).
if poll 50 grep -q 'pulled\.: transfer from its primary failed' "$T/glued.out"; then
	check_eq "glued: NOTIFY for pulled. before its first transfer worked: NOERROR (as NSD and Knot)" \
		NOERROR "$(/usr/bin/python3 "$T/notify.py" "$GPORT" pulled.)"
else
	bad "glued: its first pull of pulled. did not fail with NSD down" "$(cat "$T/glued.out")"
fi
start nsd "$NPORT" pulled. "$NSD" -d -c "$T/nsd.conf"
start knot "$KPORT" lab. "$KNOTD" -c "$T/knot.conf"
echo "# glued port $GPORT, nsd port $NPORT, knot port $KPORT"
for s in nsd knot; do
	check_eq "$s: NOTIFY for a secondary zone it has no data for yet: NOERROR (the reference)" \
		NOERROR "$(/usr/bin/python3 "$T/notify.py" "${SRV_PORT[$s]}" empty.)"
done

# ------------------------------------------- 1. lab. to NSD and Knot
for s in nsd knot; do
	if poll 100 has_serial "$s" lab. 1; then
		ok "$s: got lab. from glued (serial 1)"
	else
		bad "$s: has not got lab. serial 1 from glued after 10 s" "$(serial "$s" lab.)"
	fi
done
want=$(xfr glued lab.)
check_match "glued: AXFR lab. is the whole zone" '^hosted\.lab\. 3600 IN NS ns2\.lab\.$' "$want"
for s in nsd knot; do
	check_eq "$s: its AXFR of lab. is glued's, record for record" "$want" "$(xfr "$s" lab.)"
done

msgs=$(dig @127.0.0.1 -p "$GPORT" +time=3 +tries=1 lab. AXFR 2>&1 | sed -n 's/.*XFR size: .*messages \([0-9]*\),.*/\1/p')
if [ "${msgs:-0}" -gt 1 ]; then
	ok "glued: AXFR lab. comes in $msgs TCP messages"
else
	bad "glued: AXFR lab. in '${msgs:-?}' message(s); the test wants several"
fi
check_match "knot: took glued's AXFR of lab. in several messages" \
	'\[lab\.\] AXFR, incoming, remote 127\.0\.0\.1@'"$GPORT"', finished, .*, ([2-9]|[1-9][0-9]+) messages' "$(cat "$T/knot.out")"

# Referrals, one name under each cut, asked of all three; NSD and Knot are
# the reference, and the whole referral must be the same: rcode (NOERROR),
# flags (no AA), the AUTHORITY (the NS RRset, nothing else: no DS, the zone
# is unsigned) and the ADDITIONAL, glue included. What could differ and
# does not here: NSD with minimal-responses: yes, and Knot always, still
# put every address they hold for the NS names into a referral, in-domain
# glue, sibling glue (ns.child.lab., ns.other.lab.: under other cuts of
# this zone) and the zone's own authoritative addresses (hosted.lab.) alike,
# and so does glued with glue full; nor does any of them truncate at these
# sizes. An out-of-zone NS (ext.lab.) has no glue anywhere. The secondaries
# serve what glued transferred, which carries no glue rules: glue policies
# are glued's own answering, not zone data (docs/config.md), so this zone
# has none.
for cut in child sib ext hosted; do
	q=www.$cut.lab.
	g=$(sections glued "$q")
	check_match "glued: $q is a referral" "^authority $cut\\.lab\\. 3600 IN NS " "$g"
	for s in nsd knot; do
		r=$(sections "$s" "$q")
		check_eq "$s and glued: the referral for $q (rcode, flags, authority, additional)" "$r" "$g"
	done
done
# What each referral's glue must be, spelled out (so that all three
# agreeing on nothing would not pass).
check_eq "glued: in-domain glue of child.lab. (A and AAAA)" \
	"ns1.child.lab. 3600 IN A 192.0.2.1
ns2.child.lab. 3600 IN A 192.0.2.2
ns2.child.lab. 3600 IN AAAA 2001:db8::2" \
	"$(sections glued www.child.lab. | lib_field additional)"
check_eq "glued: sibling glue of sib.lab." \
	"ns.child.lab. 3600 IN A 192.0.2.3
ns.other.lab. 3600 IN A 192.0.2.10" \
	"$(sections glued www.sib.lab. | lib_field additional)"
check_eq "glued: no glue for the out-of-zone NS of ext.lab." "" \
	"$(sections glued www.ext.lab. | lib_field additional)"

# ------------------------------------- 2. a reload, NOTIFY, IXFR out
grep -c '^glued: .*XFR lab\. to ' "$T/glued.out" >"$T/xfr-before"
write_lab 2 192.0.2.81 'new		TXT	"serial 2"'
kill -HUP "${SRV_PID[glued]}"
t0=$(date +%s%N)
for s in nsd knot; do
	if poll 100 has_serial "$s" lab. 2; then
		ok "$s: followed glued's reload to serial 2 (NOTIFY, $((($(date +%s%N) - t0) / 1000000)) ms)"
	else
		bad "$s: still at serial $(serial "$s" lab.) 10 s after glued's reload"
	fi
	check_eq "$s: the changed record" "www.lab. 3600 IN A 192.0.2.81" "$(answer "$s" www.lab. A)"
	check_eq "$s: the new record" 'new.lab. 3600 IN TXT "serial 2"' "$(answer "$s" new.lab. TXT)"
done
log=$(cat "$T/glued.out")
check_match "glued: logged the NOTIFY of serial 2 to NSD" "lab\\.: serial 2, sending NOTIFY to 127\\.0\\.0\\.1[:#@]$NPORT" "$log"
check_match "glued: logged the NOTIFY of serial 2 to Knot" "lab\\.: serial 2, sending NOTIFY to 127\\.0\\.0\\.1[:#@]$KPORT" "$log"
check_match "glued: NSD (127.0.0.2) got serial 2 by IXFR" '^glued: .*IXFR lab\. to 127\.0\.0\.2: serial 1 -> 2' "$log"
check_match "glued: Knot (127.0.0.3) got serial 2 by IXFR" '^glued: .*IXFR lab\. to 127\.0\.0\.3: serial 1 -> 2' "$log"
check_match "knot: says the transfer was an IXFR" '\[lab\.\] IXFR, incoming, remote 127\.0\.0\.1@'"$GPORT"'.* finished' "$(cat "$T/knot.out")"

# The diff itself: glued's IXFR from 1 is what the secondaries stored.
# (RFC 1995: old SOA, deletions, new SOA, additions, between the outer SOAs.)
gi=$(ixfr glued lab. 1)
check_eq "glued: IXFR lab. from serial 1 is the one diff" \
	"lab. 3600 IN SOA ns1.lab. hostmaster.lab. 2 3600 900 604800 300
lab. 3600 IN SOA ns1.lab. hostmaster.lab. 1 3600 900 604800 300
www.lab. 3600 IN A 192.0.2.80
lab. 3600 IN SOA ns1.lab. hostmaster.lab. 2 3600 900 604800 300
new.lab. 3600 IN TXT \"serial 2\"
www.lab. 3600 IN A 192.0.2.81
lab. 3600 IN SOA ns1.lab. hostmaster.lab. 2 3600 900 604800 300" \
	"$(printf '%s\n' "$gi" | awk '
		/ SOA / { flush(); print; next }
		{ buf[++n] = $0 }
		function flush(  i, j, t) {
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
				if (buf[j] < buf[i]) { t = buf[i]; buf[i] = buf[j]; buf[j] = t }
			for (i = 1; i <= n; i++) print buf[i]
			n = 0
		}
		END { flush() }')"
for s in nsd knot; do
	check_eq "$s: its IXFR lab. from serial 1 is glued's" \
		"$(printf '%s\n' "$gi" | LC_ALL=C sort)" "$(ixfr "$s" lab. 1 | LC_ALL=C sort)"
done
check_eq "glued: IXFR from the current serial is its SOA alone" \
	"lab. 3600 IN SOA ns1.lab. hostmaster.lab. 2 3600 900 604800 300" "$(ixfr glued lab. 2)"
check_eq "glued: IXFR from a serial before its history falls back to AXFR" \
	"$(xfr glued lab.)" "$(ixfr glued lab. 0 | LC_ALL=C sort -u)"
check_eq "glued: IXFR over UDP is answered with the SOA (RFC 1995 2)" \
	"lab. 3600 IN SOA ns1.lab. hostmaster.lab. 2 3600 900 604800 300" \
	"$(dig @127.0.0.1 -p "$GPORT" +notcp +time=2 +tries=1 +nocmd +nostats lab. IXFR=1 2>&1 |
		awk '!/^;/ && NF { $1 = tolower($1); $1 = $1; print }')"

# NOTIFY only once the new version is served (RFC 1996 3.7, 4.7): a
# secondary acts on a NOTIFY at once (Knot asks the SOA over UDP first,
# NSD sends its IXFR), and if glued still answers from the old zone the
# secondary believes it is current and waits for the SOA refresh (an hour
# here). race. is NOTIFYed to probe.py, which asks glued the SOA the moment
# the NOTIFY arrives; eight reloads, each must be served already.
/usr/bin/python3 "$T/probe.py" "$PPORT" "$GPORT" >"$T/probe.out" 2>&1 &
LIB_PIDS+=("$!")
probe_bound() { [ -n "$(ss -Hlnu "sport = :$PPORT")" ]; }
probe_lines() { [ "$(grep -c . "$T/probe.out")" -ge "$1" ]; }
reloads_over() { [ "$(grep -c '^glued: reloaded:' "$T/glued.out")" -gt "$1" ]; }
poll 50 probe_bound || bad "probe.py did not start" "$(cat "$T/probe.out")"
for n in 2 3 4 5 6 7 8 9; do
	before=$(grep -c '^glued: reloaded:' "$T/glued.out")
	write_race "$n"
	kill -HUP "${SRV_PID[glued]}"
	poll 50 probe_lines $((n - 1)) || break
	poll 50 reloads_over "$before" || break
done
check_eq "probe.py: got the eight NOTIFYs of race." 8 "$(grep -c . "$T/probe.out")"
check_eq "glued: already serves the new serial when its NOTIFY arrives (NOTIFIED SERVED, 8 reloads)" \
	"" "$(awk '$1 != $2 { print "notified " $1 ", glued answered the SOA with " $2 }' "$T/probe.out")"

# ------------------------------------------ 3. glued pulls from NSD
if poll 150 has_serial glued pulled. 10; then
	ok "glued: pulled pulled. from NSD (serial 10)"
else
	bad "glued: has not got pulled. from NSD after 15 s" "$(grep -i pulled "$T/glued.out")"
fi
check_eq "glued: answers from the pulled copy" "host.pulled. 300 IN A 198.51.100.10" "$(answer glued host.pulled. A)"
check_match "glued: answers it with AA" '^flags aa qr$' "$(lib_dig glued host.pulled. A | lib_norm)"
check_match "glued: logged the transfer" "pulled\\.: transferred serial 10 from" "$(cat "$T/glued.out")"
check_match "glued: wrote the copy to its file:" '^host\.pulled\.[[:space:]]+300[[:space:]]+IN[[:space:]]+A[[:space:]]+198\.51\.100\.10' \
	"$(cat "$T/glued/pulled.copy" 2>&1)"
check_match "glued: an AXFR of pulled. is REFUSED (it has no transfer: allow)" 'REFUSED' \
	"$(kdig @127.0.0.1 -p "$GPORT" +timeout=2 +retry=0 pulled. AXFR 2>&1)"

write_nsd_primary pulled. 11 198.51.100.11
write_nsd_primary pulled-tsig. 21 198.51.100.21
kill -HUP "${SRV_PID[nsd]}"
if poll 100 has_serial glued pulled. 11; then
	ok "glued: followed NSD's reload of pulled. (serial 11)"
else
	bad "glued: pulled. still at serial $(serial glued pulled.) 10 s after NSD's reload" "$(grep -i 'pulled\.' "$T/glued.out")"
fi
check_eq "glued: the new record of pulled." "host.pulled. 300 IN A 198.51.100.11" "$(answer glued host.pulled. A)"
check_match "glued: NSD's NOTIFY brought it (not a refresh timer)" \
	'NOTIFY pulled\. from 127\.0\.0\.1 \(serial 11\): refresh' "$(cat "$T/glued.out")"

# The SOA refresh: NSD does not NOTIFY for refresh., glued finds serial 31
# by itself (refresh 2 s).
if poll 150 has_serial glued refresh. 30; then
	ok "glued: pulled refresh. from NSD (serial 30)"
else
	bad "glued: has not got refresh. from NSD" "$(grep -i 'refresh\.' "$T/glued.out")"
fi
write_nsd_primary refresh. 31 198.51.100.31 2
kill -HUP "${SRV_PID[nsd]}"
if poll 100 has_serial glued refresh. 31; then
	ok "glued: found refresh. serial 31 by its SOA refresh timer, without a NOTIFY"
else
	bad "glued: refresh. still at serial $(serial glued refresh.) 10 s after NSD's reload (refresh 2 s)" \
		"$(grep -i 'refresh\.' "$T/glued.out")"
fi
check_eq "glued: the new record of refresh." "host.refresh. 300 IN A 198.51.100.31" "$(answer glued host.refresh. A)"

# ---------------------------------------------------------- 4. TSIG
KEY="hmac-sha256:xfr-key:$SECRET"
kx() { # ARGS...: kdig AXFR secure. from glued
	kdig @127.0.0.1 -p "$GPORT" +timeout=3 +retry=0 "$@" secure. AXFR 2>&1
}
out=$(kx -y "$KEY")
check_match "kdig -y xfr-key: AXFR secure. works" '^txt\.secure\.[[:space:]]+300[[:space:]]+IN[[:space:]]+TXT[[:space:]]+"first"' "$out"
check_match "kdig -y xfr-key: the transfer is signed and verified" ';; TSIG|TSIG.*(NOERROR|ok)|xfr-key\.' "$out"
check_match "kdig -y xfr-key: several messages, each verified" ';; Received [0-9]+ B \(([2-9]|[1-9][0-9]+) messages' "$out"
check_eq "kdig -y xfr-key: no TSIG error" "" "$(printf '%s\n' "$out" | grep -E 'BADSIG|BADKEY|BADTIME|failed|;; ERROR')"
out=$(kx -y "hmac-sha256:xfr-key:$WRONG")
check_match "kdig with a wrong secret: NOTAUTH / BADSIG" 'NOTAUTH|BADSIG' "$out"
check_eq "kdig with a wrong secret: no record" "" "$(printf '%s\n' "$out" | grep -E '^txt\.secure\.')"
out=$(kx)
check_match "kdig without a key: REFUSED" 'REFUSED' "$out"
check_eq "glued: an unsigned AXFR of secure. gets REFUSED with EDE 18 (Prohibited), as docs/config.md says" \
	"REFUSED ede=18" "$(/usr/bin/python3 "$T/q.py" tcp "$GPORT" secure. AXFR)"
check_eq "kdig without a key: no record" "" "$(printf '%s\n' "$out" | grep -E '^txt\.secure\.')"
out=$(kx -y "hmac-sha256:other-key:$SECRET")
check_match "kdig with an unknown key name: NOTAUTH / BADKEY" 'NOTAUTH|BADKEY' "$out"
check_eq "glued: AXFR over UDP: NOTIMP (RFC 5936 4.2)" NOTIMP "$(/usr/bin/python3 "$T/q.py" udp "$GPORT" lab. AXFR)"

for s in nsd knot; do
	if poll 100 has_serial "$s" secure. 1; then
		ok "$s: got secure. from glued over TSIG"
	else
		bad "$s: has not got secure. from glued after 10 s"
	fi
	check_eq "$s: secure.'s record" 'txt.secure. 300 IN TXT "first"' "$(answer "$s" txt.secure. TXT)"
done
write_secure 2 "second"
kill -HUP "${SRV_PID[glued]}"
for s in nsd knot; do
	if poll 100 has_serial "$s" secure. 2; then
		ok "$s: followed glued's signed NOTIFY to secure. serial 2"
	else
		bad "$s: secure. still at serial $(serial "$s" secure.) 10 s after glued's reload"
	fi
	check_eq "$s: secure.'s new record" 'txt.secure. 300 IN TXT "second"' "$(answer "$s" txt.secure. TXT)"
done
check_match "glued: NSD got secure. serial 2 by IXFR" '^glued: .*IXFR secure\. to 127\.0\.0\.2: serial 1 -> 2' "$(cat "$T/glued.out")"
check_match "glued: Knot got secure. serial 2 by IXFR" '^glued: .*IXFR secure\. to 127\.0\.0\.3: serial 1 -> 2' "$(cat "$T/glued.out")"

# glued as a TSIG secondary: it pulled pulled-tsig. signed at start, and
# the reload above (serial 21) came with a signed NOTIFY from NSD.
if poll 100 has_serial glued pulled-tsig. 21; then
	ok "glued: pulled pulled-tsig. from NSD over TSIG and followed its signed NOTIFY (serial 21)"
else
	bad "glued: pulled-tsig. at serial '$(serial glued pulled-tsig.)', not 21" "$(grep -i 'pulled-tsig' "$T/glued.out")"
fi
check_match "glued: accepted NSD's signed NOTIFY for pulled-tsig." \
	'NOTIFY pulled-tsig\. from 127\.0\.0\.1 \(serial 21\): refresh' "$(cat "$T/glued.out")"
check_eq "glued: the record of pulled-tsig." "host.pulled-tsig. 300 IN A 198.51.100.21" "$(answer glued host.pulled-tsig. A)"

# ------------------------------------------------------------- the end
for s in glued nsd knot; do
	kill -0 "${SRV_PID[$s]}" 2>/dev/null && ok "$s: still running" || bad "$s: died" "$(tail -20 "${SRV_LOG[$s]}")"
done
lib_stop glued
check_eq "glued: exits 0 on SIGTERM" 0 $?

# A restart with the primary down: pulled. comes from the copy in its
# file: (docs/config.md: "read at start until the first transfer"), as NSD
# and Knot load the zone files they wrote; pulled-tsig. has no file: and
# is not served (REFUSED) until a transfer works.
lib_stop nsd || true
mv "$T/glued.out" "$T/glued.first.out"
start glued "$GPORT" lab. "$GLUED" -c "$T/glued.yaml"
check_eq "glued, restarted with NSD down: serves pulled. from its copy (serial 11)" 11 "$(serial glued pulled.)"
check_eq "glued, restarted: the record from the copy" "host.pulled. 300 IN A 198.51.100.11" "$(answer glued host.pulled. A)"
check_match "glued, restarted: pulled-tsig. (no file:) is REFUSED" '^rcode REFUSED$' "$(lib_dig glued host.pulled-tsig. A | lib_norm)"
lib_stop glued
if [ "$LIB_FAILED" -gt 0 ]; then
	for f in glued.first.out glued.out nsd.log knot.out; do
		echo "# --- $f"
		sed 's/^/#   /' "$T/$f" | tail -60
	done
fi
lib_finish
