#!/usr/bin/env bash
# test_udp_tcp.sh -- glued on a free loopback port, queried with dig and kdig
# over UDP and TCP; every section of every answer is checked.
#
#   bash tests/integration/test_udp_tcp.sh /path/to/glued
#
# Zone: tests/data/diff/parent.zone (origin test.; SOA TTL 3600, MINIMUM
# 300, so negative answers carry the SOA with TTL 300).
set -u
. "$(dirname "$0")/lib.sh" "$@"

ZONE="$PWD/tests/data/diff/parent.zone"
SOA300="test. 300 IN SOA ns.test. hostmaster.test. 2024010101 7200 3600 1209600 300"
EDNS="edns version=0 flags= udp=1232"

# Sort canonical lines the way lib_norm does, so expectations can be written
# in any order.
canon_sort() {
	awk '{ k = index("rcode flags ede edns question answer authority additional warning", $1); print k " " $0 }' |
		LC_ALL=C sort -s -k1,1n -k2 | cut -d' ' -f2-
}

# expect NAME TOOL DESC ARGS... <<< expected canonical text
# TOOL is dig or kdig; the expectation is compared with the whole answer.
expect() {
	local name=$1 tool=$2 desc=$3 want got
	shift 3
	want=$(grep -v '^[[:space:]]*$' | canon_sort)
	got=$(lib_$tool "$name" "$@" | lib_norm)
	check_eq "$desc [$tool $*]" "$want" "$got"
}

# expect4 NAME DESC ARGS... <<< expected: the same answer from dig and kdig
# (with EDNS), each over UDP and TCP. The question is compared lowercased
# because kdig lowercases the name it sends.
expect4() {
	local name=$1 desc=$2 want
	shift 2
	want=$(cat)
	expect "$name" dig "$desc (UDP)" "$@" <<<"$want"
	expect "$name" dig "$desc (TCP)" +tcp "$@" <<<"$want"
	expect "$name" kdig "$desc (UDP)" +edns "$@" <<<"$want"
	expect "$name" kdig "$desc (TCP)" +edns +tcp "$@" <<<"$want"
}

lib_start_glued main -z "test.=$ZONE" || exit 1
echo "# glued on 127.0.0.1:${SRV_PORT[main]}"

REFERRAL_CHILD="rcode NOERROR
flags qr
$EDNS
authority child.test. 3600 IN NS ns1.child.test.
authority child.test. 3600 IN NS ns2.child.test.
additional ns1.child.test. 3600 IN A 127.0.11.1
additional ns1.child.test. 3600 IN AAAA fd00:11::1
additional ns2.child.test. 3600 IN A 127.0.11.2
additional ns2.child.test. 3600 IN AAAA fd00:11::2"

# --- Referrals ----------------------------------------------------------------
expect4 main "referral: NS in AUTHORITY, A+AAAA glue in ADDITIONAL, no AA" www.child.test A <<EOF
$REFERRAL_CHILD
question www.child.test. IN A
EOF

expect4 main "referral at the cut itself" child.test NS <<EOF
$REFERRAL_CHILD
question child.test. IN NS
EOF

expect4 main "a glue name is below the cut: referral, never AA" ns1.child.test A <<EOF
$REFERRAL_CHILD
question ns1.child.test. IN A
EOF

expect main dig "referral without EDNS: no OPT" www.child.test AAAA +noedns <<EOF
$(printf '%s\n' "$REFERRAL_CHILD" | sed 's/^edns .*/edns none/')
question www.child.test. IN AAAA
EOF

expect main kdig "referral without EDNS (kdig): no OPT" www.child.test AAAA <<EOF
$(printf '%s\n' "$REFERRAL_CHILD" | sed 's/^edns .*/edns none/')
question www.child.test. IN AAAA
EOF

expect4 main "NS name == cut name: its addresses are glue" self.test A <<EOF
rcode NOERROR
flags qr
$EDNS
question self.test. IN A
authority self.test. 3600 IN NS self.test.
additional self.test. 3600 IN A 127.0.12.1
additional self.test. 3600 IN AAAA fd00:12::1
EOF

expect main dig "sibling glue is added (optional glue, policy full)" host.sa.test A <<EOF
rcode NOERROR
flags qr
$EDNS
question host.sa.test. IN A
authority sa.test. 3600 IN NS ns.sb.test.
additional ns.sb.test. 3600 IN A 127.0.13.1
additional ns.sb.test. 3600 IN AAAA fd00:13::1
EOF

expect main dig "out-of-zone NS names: never glue" www.ooz.test A <<EOF
rcode NOERROR
flags qr
$EDNS
question www.ooz.test. IN A
authority ooz.test. 3600 IN NS ns.other.example.
authority ooz.test. 3600 IN NS ns2.other.example.
EOF

expect main dig "missing glue: the referral goes out without it" www.noglue.test A <<EOF
rcode NOERROR
flags qr
$EDNS
question www.noglue.test. IN A
authority noglue.test. 3600 IN NS ns1.noglue.test.
authority noglue.test. 3600 IN NS ns2.noglue.test.
EOF

# --- DS at the cut belongs to the parent -----------------------------------
expect4 main "DS at the cut: authoritative answer from the parent" signed.test DS <<EOF
rcode NOERROR
flags aa qr
$EDNS
question signed.test. IN DS
answer signed.test. 3600 IN DS 12345 13 2 2BB183AF5F22588179A53B0A98631FAD1A292118E1A5F8AE7F5E3E4E0AB66F2F
EOF

expect main dig "referral with DO=1 from an unsigned zone carries no DS" www.signed.test A +dnssec <<EOF
rcode NOERROR
flags qr
edns version=0 flags=do udp=1232
question www.signed.test. IN A
authority signed.test. 3600 IN NS ns1.signed.test.
additional ns1.signed.test. 3600 IN A 127.0.15.1
additional ns1.signed.test. 3600 IN AAAA fd00:15::1
EOF

expect main dig "DS at an unsigned cut: NODATA from the parent" child.test DS <<EOF
rcode NOERROR
flags aa qr
$EDNS
question child.test. IN DS
authority $SOA300
EOF

# --- Authoritative answers, NXDOMAIN, NODATA ----------------------------------
expect4 main "positive answer: AA, nothing else" www.test A <<EOF
rcode NOERROR
flags aa qr
$EDNS
question www.test. IN A
answer www.test. 3600 IN A 127.0.17.1
EOF

expect4 main "NXDOMAIN: SOA in AUTHORITY with TTL min(SOA TTL, MINIMUM)" nothere.test A <<EOF
rcode NXDOMAIN
flags aa qr
$EDNS
question nothere.test. IN A
authority $SOA300
EOF

expect4 main "NODATA: NOERROR, empty ANSWER, SOA with the negative TTL" www.test TXT <<EOF
rcode NOERROR
flags aa qr
$EDNS
question www.test. IN TXT
authority $SOA300
EOF

expect main dig "empty non-terminal: NODATA" b.c.test A <<EOF
rcode NOERROR
flags aa qr
$EDNS
question b.c.test. IN A
authority $SOA300
EOF

expect main dig "wildcard: synthesized with the query name" foo.wild.test TXT <<EOF
rcode NOERROR
flags aa qr
$EDNS
question foo.wild.test. IN TXT
answer foo.wild.test. 3600 IN TXT "from the wildcard"
EOF

expect main dig "CNAME chain followed inside the zone" cname1.test A <<EOF
rcode NOERROR
flags aa qr
$EDNS
question cname1.test. IN A
answer cname1.test. 3600 IN CNAME cname2.test.
answer cname2.test. 3600 IN CNAME www.test.
answer www.test. 3600 IN A 127.0.17.1
EOF

expect main dig "MX: target addresses in ADDITIONAL" mx.test MX <<EOF
rcode NOERROR
flags aa qr
$EDNS
question mx.test. IN MX
answer mx.test. 3600 IN MX 10 mail.test.
answer mx.test. 3600 IN MX 20 mail.other.example.
answer mx.test. 3600 IN MX 30 ns1.child.test.
additional mail.test. 3600 IN A 127.0.17.25
additional mail.test. 3600 IN AAAA fd00:17::25
additional ns1.child.test. 3600 IN A 127.0.11.1
additional ns1.child.test. 3600 IN AAAA fd00:11::1
EOF

expect main dig "TXT with several strings and escapes" txt.test TXT +tcp <<EOF
rcode NOERROR
flags aa qr
$EDNS
question txt.test. IN TXT
answer txt.test. 3600 IN TXT "first string" "second string" "quote \\" and ; semicolon"
EOF

expect4 main "a name outside every zone: REFUSED, EDE 20 Not Authoritative" www.example.com A <<EOF
rcode REFUSED
flags qr
ede 20
$EDNS
question www.example.com. IN A
EOF

# --- Zone transfers: none offered, answered as NSD answers them --------------
# (differential_xfr.py compares the bytes with NSD's; here, what real
# clients make of them.)
xfr_err() { # DESC EXPECTED KDIG-ARGS...
	local desc=$1 want=$2 out
	shift 2
	out=$(lib_kdig main "$@" | grep -m1 'ERROR: server replied')
	check_eq "$desc [kdig $*]" ";; ERROR: server replied with error '$want'" "$out"
}
xfr_err "IXFR over UDP of the zone: REFUSED" REFUSED test. IXFR=1 +notcp
xfr_err "IXFR over TCP of the zone: REFUSED" REFUSED test. IXFR=1 +tcp
xfr_err "IXFR over UDP of a name inside it: NOTAUTH" NOTAUTH www.test. IXFR=1 +notcp
xfr_err "IXFR over UDP of a name in no zone: NOTAUTH" NOTAUTH www.example.com. IXFR=1 +notcp
xfr_err "AXFR over UDP: NOTIMP" NOTIMPL test. AXFR +notcp
xfr_err "AXFR over TCP of the zone: REFUSED" REFUSED test. AXFR
xfr_err "AXFR over TCP of a cut: NOTAUTH" NOTAUTH child.test. AXFR
out=$(lib_dig main test. AXFR)
check_eq "dig AXFR: the transfer fails [dig test. AXFR]" "; Transfer failed." \
	"$(printf '%s\n' "$out" | grep 'Transfer failed')"

# --- EDNS(0) ---------------------------------------------------------------
expect main dig "no OPT in the query, none in the answer" www.test A +noedns <<EOF
rcode NOERROR
flags aa qr
edns none
question www.test. IN A
answer www.test. 3600 IN A 127.0.17.1
EOF

expect main dig "a 4096-byte client still gets udp=1232 advertised" www.test A +bufsize=4096 <<EOF
rcode NOERROR
flags aa qr
$EDNS
question www.test. IN A
answer www.test. 3600 IN A 127.0.17.1
EOF

expect main kdig "DO is echoed" www.test A +dnssec <<EOF
rcode NOERROR
flags aa qr
edns version=0 flags=do udp=1232
question www.test. IN A
answer www.test. 3600 IN A 127.0.17.1
EOF

expect main dig "EDNS version 1: BADVERS, with an OPT of version 0" www.test A +edns=1 +noednsneg <<EOF
rcode BADVERS
flags qr
$EDNS
question www.test. IN A
EOF

expect main kdig "EDNS version 1 (kdig): BADVERS" www.test A +edns=1 <<EOF
rcode BADVERS
flags qr
$EDNS
question www.test. IN A
EOF

expect main dig "unknown EDNS options are ignored" www.test A +ednsopt=65001:cafe <<EOF
rcode NOERROR
flags aa qr
$EDNS
question www.test. IN A
answer www.test. 3600 IN A 127.0.17.1
EOF

# --- Size: 13 in-domain NS names with A+AAAA do not fit 512 bytes -----------
BIG_AUTH=""
BIG_ADDL=""
i=0
for l in a b c d e f g h i j k l m; do
	i=$((i + 1))
	BIG_AUTH+="authority big.test. 3600 IN NS $l.ns.big.test."$'\n'
	BIG_ADDL+="additional $l.ns.big.test. 3600 IN A 127.0.20.$i"$'\n'
	BIG_ADDL+="additional $l.ns.big.test. 3600 IN AAAA fd00:20::$(printf '%x' $i)"$'\n'
done

for tool in dig kdig; do
	opt=+bufsize=512
	out=$(lib_$tool main www.big.test A $opt | lib_norm)
	check_match "required glue does not fit 512 bytes: TC [$tool $opt]" '^flags .*tc' "$out"
	check_match "the truncated referral is not authoritative [$tool $opt]" '^flags qr tc$' "$out"
	expect main $tool "the full referral over TCP" www.big.test A $opt +tcp <<EOF
rcode NOERROR
flags qr
$EDNS
question www.big.test. IN A
$BIG_AUTH$BIG_ADDL
EOF
done
out=$(lib_dig main big.test A +noedns | lib_norm)
check_match "required glue does not fit 512 bytes without EDNS: TC [dig +noedns]" '^flags qr tc$' "$out"
expect main dig "the whole 13-NS referral fits 1232 bytes over UDP" big.test A <<EOF
rcode NOERROR
flags qr
$EDNS
question big.test. IN A
$BIG_AUTH$BIG_ADDL
EOF

# --- The question echoes the client's case (0x20) ----------------------------
raw=$(lib_dig main wWw.ChIlD.TeSt A)
check_match "question echoed in the client's case" '^;wWw\.ChIlD\.TeSt\.[[:space:]]+IN[[:space:]]+A$' "$raw"
raw=$(lib_dig main WwW.tEsT A +tcp)
check_match "question echoed in the client's case over TCP" '^;WwW\.tEsT\.[[:space:]]+IN[[:space:]]+A$' "$raw"
check_match "the answer to a mixed-case query" '^answer www\.test\. 3600 IN A 127\.0\.17\.1$' \
	"$(printf '%s\n' "$raw" | lib_norm)"

# --- TCP: several queries on one connection, framing split across writes ---
if command -v python3 >/dev/null 2>&1; then
	pipe=$(python3 - "${SRV_PORT[main]}" <<'PY' 2>&1
import socket, struct, sys
def q(qid, name, qtype):
    wire = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\0"
    return struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + wire + struct.pack(">HH", qtype, 1)
def framed(m): return struct.pack(">H", len(m)) + m
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
msgs = [framed(q(0x1111, "www.test", 1)), framed(q(0x2222, "www.child.test", 1)),
        framed(q(0x3333, "nothere.test", 1))]
s.sendall(msgs[0] + msgs[1])            # two queries in one segment
s.sendall(msgs[2][:5]); s.sendall(msgs[2][5:])   # one split in two
def readn(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: raise SystemExit("connection closed early")
        b += c
    return b
seen = {}
for _ in range(3):
    (n,) = struct.unpack(">H", readn(2))
    m = readn(n)
    qid, flags = struct.unpack(">HH", m[:4])
    seen[qid] = flags & 0xF
print(" ".join("%04x:%d" % (k, seen[k]) for k in sorted(seen)))
PY
)
	check_eq "TCP: pipelined and split queries all answered (id:rcode)" "1111:0 2222:0 3333:3" "$pipe"
fi

# --- Glue policies: a second and a third instance ----------------------------
lib_start_glued noglue -z "test.=$ZONE" --no-glue || exit 1
for t in "" +tcp; do
	expect noglue dig "--no-glue: same referral, ADDITIONAL empty ${t:-UDP}" www.child.test A $t <<EOF
rcode NOERROR
flags qr
$EDNS
question www.child.test. IN A
authority child.test. 3600 IN NS ns1.child.test.
authority child.test. 3600 IN NS ns2.child.test.
EOF
done
raw=$(lib_dig noglue www.child.test A)
check_match "--no-glue: ADDITIONAL holds only the OPT record" 'AUTHORITY: 2, ADDITIONAL: 1$' "$raw"
expect noglue dig "--no-glue: authoritative answers keep their additional data" mx.test MX <<EOF
rcode NOERROR
flags aa qr
$EDNS
question mx.test. IN MX
answer mx.test. 3600 IN MX 10 mail.test.
answer mx.test. 3600 IN MX 20 mail.other.example.
answer mx.test. 3600 IN MX 30 ns1.child.test.
additional mail.test. 3600 IN A 127.0.17.25
additional mail.test. 3600 IN AAAA fd00:17::25
additional ns1.child.test. 3600 IN A 127.0.11.1
additional ns1.child.test. 3600 IN AAAA fd00:11::1
EOF
out=$(lib_dig noglue big.test A +bufsize=512 | lib_norm)
check_match "--no-glue: the 13-NS referral fits 512 bytes without glue, no TC" '^flags qr$' "$out"

lib_start_glued indomain -z "test.=$ZONE" --glue in-domain || exit 1
expect indomain dig "--glue in-domain: in-domain glue kept, sibling glue left out" mixed.test A <<EOF
rcode NOERROR
flags qr
$EDNS
question mixed.test. IN A
authority mixed.test. 3600 IN NS ns.mixed.test.
authority mixed.test. 3600 IN NS ns.sb.test.
additional ns.mixed.test. 3600 IN A 127.0.13.2
EOF
expect indomain dig "--glue in-domain: in-zone NS addresses left out" inz.test A <<EOF
rcode NOERROR
flags qr
$EDNS
question inz.test. IN A
authority inz.test. 3600 IN NS ns.test.
authority inz.test. 3600 IN NS ns2.test.
EOF
expect main dig "--glue full (default): in-domain and sibling glue" mixed.test A <<EOF
rcode NOERROR
flags qr
$EDNS
question mixed.test. IN A
authority mixed.test. 3600 IN NS ns.mixed.test.
authority mixed.test. 3600 IN NS ns.sb.test.
additional ns.mixed.test. 3600 IN A 127.0.13.2
additional ns.sb.test. 3600 IN A 127.0.13.1
additional ns.sb.test. 3600 IN AAAA fd00:13::1
EOF

# --- SIGHUP: reload, and keep the old zone when the new one is broken -----------
cp "$ZONE" "$LIB_TMP/reload.zone"
lib_start_glued reload -z "test.=$LIB_TMP/reload.zone" || exit 1
printf 'added A 127.0.40.1\n' >>"$LIB_TMP/reload.zone"
kill -HUP "${SRV_PID[reload]}"
out=""
for i in $(seq 1 50); do
	out=$(lib_dig reload added.test A | lib_norm)
	printf '%s\n' "$out" | grep -q '^answer ' && break
	sleep 0.1
done
check_match "SIGHUP: the reloaded zone answers" '^answer added\.test\. 3600 IN A 127\.0\.40\.1$' "$out"
printf 'broken A 999.0.0.1\n' >>"$LIB_TMP/reload.zone"
kill -HUP "${SRV_PID[reload]}"
for i in $(seq 1 50); do
	grep -q 'reload.zone:[0-9]*:' "${SRV_LOG[reload]}" && break
	sleep 0.1
done
check_match "SIGHUP with a broken zone: the error names file:line" 'reload\.zone:[0-9]+:' "$(cat "${SRV_LOG[reload]}")"
out=$(lib_dig reload added.test A | lib_norm)
check_match "SIGHUP with a broken zone: the old zone keeps serving" '^answer added\.test\. 3600 IN A 127\.0\.40\.1$' "$out"

# --- IPv6 on ::1, when the machine has it ---------------------------------------
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
	lib_start v6 test. -- "$GLUED" -l "[::1]:@PORT@" -l "127.0.0.1:@PORT@" -z "test.=$ZONE" || exit 1
	out=$(dig @::1 -p "${SRV_PORT[v6]}" +norecurse +time=2 +tries=1 www.child.test A | lib_norm)
	check_eq "IPv6 (UDP): the same referral on [::1]" "$(canon_sort <<EOF
$REFERRAL_CHILD
question www.child.test. IN A
EOF
)" "$out"
	out=$(kdig @::1 -p "${SRV_PORT[v6]}" +norecurse +tcp +edns +timeout=2 +retry=0 www.child.test A | lib_norm)
	check_eq "IPv6 (TCP): the same referral on [::1]" "$(canon_sort <<EOF
$REFERRAL_CHILD
question www.child.test. IN A
EOF
)" "$out"
	lib_stop v6
	check_eq "glued (v6) exits 0 on SIGTERM" 0 "$?"
fi

# --- Clean shutdown ------------------------------------------------------------
for name in reload indomain noglue main; do
	lib_stop "$name"
	rc=$?
	check_eq "glued ($name) exits 0 on SIGTERM" 0 "$rc"
done

# --- The bundled lab: glued with no options, if its port 5300 is free --------
if [ -z "$(ss -Hlnu 'sport = :5300')" ] && [ -z "$(ss -Hlnt 'sport = :5300')" ]; then
	"$GLUED" >"$LIB_TMP/lab.log" 2>&1 </dev/null &
	labpid=$!
	LIB_PIDS+=("$labpid")
	SRV_PID[lab]=$labpid
	SRV_PORT[lab]=5300
	if lib_wait_ready 5300 "$labpid" lab.; then
		check_match "no options: the banner prints the dig command to try" \
			'dig @127\.0\.[0-9.]+ -p 5300 www\.example\.lab\.? A \+norecurse' "$(cat "$LIB_TMP/lab.log")"
		# Run the command exactly as printed: a referral with glue.
		printed=$(grep -oE 'dig @127\.0\.[0-9.]+ -p 5300 www\.example\.lab\.? A \+norecurse' \
			"$LIB_TMP/lab.log" | head -1)
		out=$($printed +time=2 +tries=1 2>&1)
		check_match "no options: the printed dig shows flags qr without aa" '^;; flags: qr;' "$out"
		check_match "no options: the printed dig shows glue" \
			'^ns1\.example\.lab\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+127\.0\.2\.1' "$out"
		expect lab dig "no options: the bundled lab. refers example.lab. with glue" www.example.lab A <<EOF
rcode NOERROR
flags qr
$EDNS
question www.example.lab. IN A
authority example.lab. 3600 IN NS ns1.example.lab.
authority example.lab. 3600 IN NS ns2.example.lab.
additional ns1.example.lab. 3600 IN A 127.0.2.1
additional ns1.example.lab. 3600 IN AAAA fd00:1ab:e::1
additional ns2.example.lab. 3600 IN A 127.0.2.2
additional ns2.example.lab. 3600 IN AAAA fd00:1ab:e::2
EOF
	else
		bad "no options: glued did not answer on 127.0.0.1:5300" "$(cat "$LIB_TMP/lab.log")"
	fi
	lib_stop lab
	check_eq "glued (lab) exits 0 on SIGTERM" 0 "$?"
else
	echo "# port 5300 is busy: the no-options lab check is skipped"
fi

lib_finish
