#!/usr/bin/env bash
# test_config_reload.sh -- glued -c with two virtual servers on free loopback
# ports: each answers only from its own zones, every fault action works on
# the wire, the query log names server and fault (text and JSON), and
# SIGHUP swaps in a changed policy without a restart and without losing a
# query under UDP load, while a broken configuration keeps the old one.
#
#   bash tests/integration/test_config_reload.sh /path/to/glued
#
# Zones: tests/data/diff/parent.zone (test., served by "parent" on
# 127.0.0.1) and child.zone (child.test., served by "child" on 127.0.0.2),
# both on the same free port.
set -u
. "$(dirname "$0")/lib.sh" "$@"

DATA="$PWD/tests/data/diff"
cp "$DATA/parent.zone" "$DATA/child.zone" "$LIB_TMP/"
CFG="$LIB_TMP/cfg.yaml"

cat >"$LIB_TMP/cfg.yaml.in" <<'EOF'
# Two servers: the parent test. and its child child.test.
port: @PORT@
servers:
  - name: parent
    listen: [127.0.0.1]
    zones:
      - file: parent.zone
        origin: test.
        delegations:
          - name: child.test.
            glue: full
        faults:
          - action: servfail
            name: sf.test.
          - action: refuse
            name: rf.test.
          - action: refuse
            name: acl.test.
            ede: 20
            ede-text: "not served to you"
          - action: servfail
            name: quiet.test.
            type: A
            ede: none
          - action: drop
            name: drop.test.
          - action: delay
            name: slow.test.
            delay: 700ms
  - name: child
    listen: ["127.0.0.2"]
    zones:
      - file: child.zone
    faults:
      - action: lame
        name: host.child.test.
      - action: upward
        name: up.child.test.
      - action: servfail
        name: every.child.test.
        every: 2
EOF

# dig at one of the two servers (they share the port).
qdig() {
	local addr=$1
	shift
	dig @"$addr" -p "${SRV_PORT[two]}" +norecurse +ignore +time=2 +tries=1 "$@" 2>&1
}

# line_of PATTERN: the line of the config that holds PATTERN.
line_of() {
	grep -n -- "$1" "$CFG" | head -1 | cut -d: -f1
}

# wait_log NAME REGEX: until the server's log has a line matching REGEX (5 s).
wait_log() {
	local i
	for i in $(seq 1 50); do
		grep -Eq -- "$2" "${SRV_LOG[$1]}" && return 0
		sleep 0.1
	done
	return 1
}

now_ms() { date +%s%3N; }

lib_start two test. --template "$LIB_TMP/cfg.yaml.in" "$CFG" -- \
	"$GLUED" -c "$CFG" -q -t 2 || exit 1
PORT=${SRV_PORT[two]}
LOG=${SRV_LOG[two]}

# --- Each server answers from its own zones only --------------------------------
norm=$(qdig 127.0.0.1 www.child.test A | lib_norm)
check_eq "parent: www.child.test is a referral (no aa)" "rcode NOERROR
flags qr" "$(printf '%s\n' "$norm" | grep -E '^(rcode|flags) ')"
check_eq "parent: the referral's AUTHORITY is the NS RRset of child.test" \
	"child.test. 3600 IN NS ns1.child.test.
child.test. 3600 IN NS ns2.child.test." "$(printf '%s\n' "$norm" | lib_field authority)"
check_eq "parent: glue full: A and AAAA of both NS" \
	"ns1.child.test. 3600 IN A 127.0.11.1
ns1.child.test. 3600 IN AAAA fd00:11::1
ns2.child.test. 3600 IN A 127.0.11.2
ns2.child.test. 3600 IN AAAA fd00:11::2" "$(printf '%s\n' "$norm" | lib_field additional)"

norm=$(qdig 127.0.0.2 www.child.test A | lib_norm)
check_eq "child: www.child.test is answered with AA" "rcode NOERROR
flags aa qr" "$(printf '%s\n' "$norm" | grep -E '^(rcode|flags) ')"
check_eq "child: the answer" "host.child.test. 3600 IN A 127.0.11.80
www.child.test. 3600 IN CNAME host.child.test." "$(printf '%s\n' "$norm" | lib_field answer)"

check_eq "child: a name of the parent's zone is REFUSED" "rcode REFUSED" \
	"$(qdig 127.0.0.2 www.test A | lib_norm | grep '^rcode')"
check_eq "child: the parent's apex is REFUSED (TCP too)" "rcode REFUSED" \
	"$(qdig 127.0.0.2 +tcp test SOA | lib_norm | grep '^rcode')"
check_eq "parent: its own apex SOA with AA" "rcode NOERROR
flags aa qr" "$(qdig 127.0.0.1 test SOA | lib_norm | grep -E '^(rcode|flags) ')"

# --- Faults ---------------------------------------------------------------------
check_eq "fault servfail" "rcode SERVFAIL" "$(qdig 127.0.0.1 sf.test A | lib_norm | grep '^rcode')"
check_eq "fault servfail covers names below" "rcode SERVFAIL" \
	"$(qdig 127.0.0.1 a.b.sf.test AAAA | lib_norm | grep '^rcode')"
check_eq "fault refuse" "rcode REFUSED" "$(qdig 127.0.0.1 rf.test A | lib_norm | grep '^rcode')"

# Extended DNS Errors (RFC 8914), as dig and kdig show them.
out=$(qdig 127.0.0.1 sf.test A)
check_eq "fault servfail: EDE 14 Not Ready by default (dig)" "; EDE: 14 (Not Ready)" \
	"$(printf '%s\n' "$out" | grep 'EDE:')"
out=$(qdig 127.0.0.1 +tcp rf.test A)
check_eq "fault refuse: EDE 18 Prohibited by default (dig, TCP)" "; EDE: 18 (Prohibited)" \
	"$(printf '%s\n' "$out" | grep 'EDE:')"
out=$(kdig @127.0.0.1 -p "$PORT" +norecurse +edns +timeout=2 +retry=0 acl.test A 2>&1)
check_eq "fault refuse with ede: 20 and ede-text (kdig)" \
	";; EDE: 20 (Not Authoritative): 'not served to you'" "$(printf '%s\n' "$out" | grep 'EDE:')"
check_eq "fault refuse with ede-text: lib_norm's ede line" "rcode REFUSED
ede 20 not served to you" "$(qdig 127.0.0.1 acl.test A | lib_norm | grep -E '^(rcode|ede) ')"
check_eq "fault servfail with ede: none: no EDE" "rcode SERVFAIL" \
	"$(qdig 127.0.0.1 quiet.test A | lib_norm | grep -E '^(rcode|ede) ')"
check_eq "no EDNS, no OPT: the fault is the rcode alone" "rcode SERVFAIL
edns none" "$(qdig 127.0.0.1 +noedns sf.test A | lib_norm | grep -E '^(rcode|ede|edns) ')"
check_eq "out of every zone: EDE 20 Not Authoritative" "rcode REFUSED
ede 20" "$(qdig 127.0.0.2 www.test A | lib_norm | grep -E '^(rcode|ede) ')"
out=$(qdig 127.0.0.1 +time=1 drop.test A)
if printf '%s\n' "$out" | grep -q -- '->>HEADER<<-'; then
	bad "fault drop: expected no answer over UDP" "$out"
else
	ok "fault drop: no answer over UDP (dig times out)"
fi
out=$(qdig 127.0.0.1 +tcp +time=1 drop.test A)
if printf '%s\n' "$out" | grep -q -- '->>HEADER<<-'; then
	bad "fault drop: expected no answer over TCP" "$out"
else
	ok "fault drop: no answer over TCP"
fi

t0=$(now_ms)
norm=$(qdig 127.0.0.1 slow.test A | lib_norm)
t1=$(now_ms)
check_eq "fault delay (UDP): the normal answer (NXDOMAIN with AA)" "rcode NXDOMAIN" \
	"$(printf '%s\n' "$norm" | grep '^rcode')"
if [ $((t1 - t0)) -ge 700 ]; then
	ok "fault delay (UDP): answered after $((t1 - t0)) ms >= 700"
else
	bad "fault delay (UDP): answered after $((t1 - t0)) ms, expected >= 700"
fi
t0=$(now_ms)
norm=$(qdig 127.0.0.1 +tcp slow.test A | lib_norm)
t1=$(now_ms)
check_eq "fault delay (TCP): the normal answer" "rcode NXDOMAIN" "$(printf '%s\n' "$norm" | grep '^rcode')"
if [ $((t1 - t0)) -ge 700 ]; then
	ok "fault delay (TCP): answered after $((t1 - t0)) ms >= 700"
else
	bad "fault delay (TCP): answered after $((t1 - t0)) ms, expected >= 700"
fi
# A fast query on the same server is not held up by a slow one.
qdig 127.0.0.1 +time=3 slow.test A >/dev/null &
slowpid=$!
sleep 0.1
t0=$(now_ms)
qdig 127.0.0.1 test SOA >/dev/null
t1=$(now_ms)
wait "$slowpid"
if [ $((t1 - t0)) -lt 500 ]; then
	ok "fault delay: another query meanwhile is answered at once ($((t1 - t0)) ms)"
else
	bad "fault delay: another query took $((t1 - t0)) ms"
fi

norm=$(qdig 127.0.0.2 host.child.test A | lib_norm)
check_eq "fault lame: the data without AA" "rcode NOERROR
flags qr" "$(printf '%s\n' "$norm" | grep -E '^(rcode|flags) ')"
check_eq "fault lame: the answer is still there" "host.child.test. 3600 IN A 127.0.11.80" \
	"$(printf '%s\n' "$norm" | lib_field answer)"
norm=$(qdig 127.0.0.2 up.child.test A | lib_norm)
check_eq "fault upward: a referral to the root, no AA" "rcode NOERROR
flags qr" "$(printf '%s\n' "$norm" | grep -E '^(rcode|flags) ')"
check_eq "fault upward: AUTHORITY is . NS a.root-servers.net." ". NS a.root-servers.net." \
	"$(printf '%s\n' "$norm" | lib_field authority | awk '{print $1, $4, $5}')"
got=""
for i in 1 2 3 4; do
	got="$got$(qdig 127.0.0.2 every.child.test A | lib_norm | grep '^rcode' | cut -d' ' -f2) "
done
check_eq "fault every 2: every second query" "NXDOMAIN SERVFAIL NXDOMAIN SERVFAIL " "$got"

# --- The query log and the banner --------------------------------------------------
wait_log two 'every\.child\.test\. A SERVFAIL' || true
check_match "-q: the referral names server=parent" \
	'^client=127\.0\.0\.1#[0-9]+ server=parent udp www\.child\.test\. A NOERROR .* referral zone=test\. cut=child\.test\. policy=full ' \
	"$(cat "$LOG")"
check_match "-q: the child's answer names server=child" \
	'server=child udp www\.child\.test\. A NOERROR qr aa ' "$(cat "$LOG")"
check_match "-q: a fault names its place in the file" \
	"server=parent udp sf\\.test\\. A SERVFAIL .*fault=servfail\\(cfg\\.yaml:$(line_of 'action: servfail')\\)" "$(cat "$LOG")"
check_match "-q: the EDE sent is logged" \
	"server=parent tcp rf\\.test\\. A REFUSED .*fault=refuse\\(cfg\\.yaml:$(line_of 'name: rf.test.' | awk '{print $1 - 1}')\\) ede=18 tc=no" "$(cat "$LOG")"
check_match "-q: no EDE, no ede=" \
	'server=parent udp quiet\.test\. A SERVFAIL .*fault=servfail\(cfg\.yaml:[0-9]+\) tc=no' "$(cat "$LOG")"
check_match "-q: a drop fault is logged as dropped" \
	"server=parent (udp|tcp) drop\\.test\\. A dropped zone=test\\. fault=drop\\(cfg\\.yaml:$(line_of 'action: drop')\\)" "$(cat "$LOG")"
check_match "-q: a delay fault says delay=700ms" \
	'slow\.test\. A NXDOMAIN .*fault=delay\(cfg\.yaml:[0-9]+\) delay=700ms ' "$(cat "$LOG")"
check_match "banner: one block per server" '^glued: server child on 127\.0\.0\.2:[0-9]+: glue full' "$(cat "$LOG")"
check_match "banner: a fault's type is announced by name" \
	'warning: server parent: fault servfail on zone test\. quiet\.test\. A \(cfg\.yaml:[0-9]+\) on purpose' "$(cat "$LOG")"
check_match "banner: faults are announced with their place" \
	"warning: server child: fault lame .*\\(cfg\\.yaml:$(line_of 'action: lame')\\)" "$(cat "$LOG")"

# --- SIGHUP: a changed policy, under load, no query lost ------------------------------
# reload: HUP and wait until one more "reloaded" line is in the log (5 s).
reload() {
	local n i
	n=$(grep -c 'reloaded: 2 server' "$LOG")
	kill -HUP "${SRV_PID[two]}"
	for i in $(seq 1 50); do
		[ "$(grep -c 'reloaded: 2 server' "$LOG")" -gt "$n" ] && return 0
		sleep 0.1
	done
	return 1
}

# Reload again and again (glue none, full, none, ...) while a sequential UDP
# load runs against the parent; every query must be answered.
N=30000
python3 tests/integration/udp_load.py "$PORT" "$N" www.child.test. >"$LIB_TMP/load.out" &
loadpid=$!
sleep 0.1
nrel=0 policy=full
while kill -0 "$loadpid" 2>/dev/null && [ $nrel -lt 20 ]; do
	if [ $policy = full ]; then policy=none; else policy=full; fi
	sed -i "s/glue: [a-z]*/glue: $policy/" "$CFG"
	reload || { bad "SIGHUP: no 'reloaded' in the log" "$(tail -5 "$LOG")"; break; }
	nrel=$((nrel + 1))
done
wait "$loadpid"
check_eq "$nrel reloads under UDP load: all $N queries answered" "$N" "$(cat "$LIB_TMP/load.out")"
[ $nrel -ge 2 ] && ok "the load lasted for $nrel reloads" ||
	bad "the load ended after $nrel reload(s): expected at least 2"
sed -i "s/glue: [a-z]*/glue: none/" "$CFG"
reload || bad "SIGHUP: no 'reloaded' in the log" "$(tail -5 "$LOG")"
norm=$(qdig 127.0.0.1 www.child.test A | lib_norm)
check_eq "after SIGHUP: glue none at child.test: no ADDITIONAL" "" \
	"$(printf '%s\n' "$norm" | lib_field additional)"
check_eq "after SIGHUP: still the NS RRset" "child.test. 3600 IN NS ns1.child.test.
child.test. 3600 IN NS ns2.child.test." "$(printf '%s\n' "$norm" | lib_field authority)"
check_match "after SIGHUP: -q says policy=none" \
	'server=parent udp www\.child\.test\. A NOERROR qr 0/2/[01] referral zone=test\. cut=child\.test\. policy=none ns=ns1\.child\.test\.\(in-domain:policy\)' \
	"$(tail -3 "$LOG")"
check_match "after SIGHUP: the new policy is announced with its place" \
	"warning: server parent: zone test\\.: delegation child\\.test\\.: glue none \\(cfg\\.yaml:$(line_of 'name: child.test.')\\) breaks RFC 9471 on purpose" \
	"$(cat "$LOG")"
check_eq "after SIGHUP: the child still answers" "rcode NOERROR" \
	"$(qdig 127.0.0.2 www.child.test A | lib_norm | grep '^rcode')"

# --- SIGHUP with a broken configuration: the old one keeps serving ----------------
cp "$CFG" "$LIB_TMP/good.yaml"
sed -i 's/glue: none/glue: full\n            glu: none/' "$CFG"
badline=$(line_of 'glu: none')
kill -HUP "${SRV_PID[two]}"
if wait_log two "reload failed, keeping the old configuration: .*cfg\\.yaml:$badline: unknown key 'glu'"; then
	ok "broken config: the log names file:line ($badline) and keeps the old configuration"
else
	bad "broken config: expected 'reload failed ... cfg.yaml:$badline: unknown key' in the log" "$(tail -5 "$LOG")"
fi
check_eq "broken config: the old policy (glue none) still serves" "" \
	"$(qdig 127.0.0.1 www.child.test A | lib_norm | lib_field additional)"
check_eq "broken config: the child still answers" "rcode NOERROR" \
	"$(qdig 127.0.0.2 www.child.test A | lib_norm | grep '^rcode')"

# A zone that no longer loads: the same, with the zone file's line.
cp "$LIB_TMP/good.yaml" "$CFG"
cp "$LIB_TMP/child.zone" "$LIB_TMP/child.zone.good"
printf 'broken A 999.0.0.1\n' >>"$LIB_TMP/child.zone"
kill -HUP "${SRV_PID[two]}"
if wait_log two 'reload failed, keeping the old configuration: .*child\.zone:[0-9]+: .*\(server child\)'; then
	ok "broken zone: the log names the zone file's line and the server"
else
	bad "broken zone: expected 'reload failed ... child.zone:LINE: ... (server child)'" "$(tail -5 "$LOG")"
fi
cp "$LIB_TMP/child.zone.good" "$LIB_TMP/child.zone"

# Where glued listens cannot change without a restart.
sed -i 's/listen: \["127.0.0.2"\]/listen: ["127.0.0.2", "127.0.0.4"]/' "$CFG"
kill -HUP "${SRV_PID[two]}"
if wait_log two 'reload refused, keeping the old configuration: listen address 127\.0\.0\.4:[0-9]+ \(server child\) is new; a restart is needed'; then
	ok "a new listen address: the reload is refused, restart needed"
else
	bad "a new listen address: expected 'reload refused' in the log" "$(tail -5 "$LOG")"
fi
check_eq "refused reload: the old configuration still serves" "rcode NOERROR" \
	"$(qdig 127.0.0.2 www.child.test A | lib_norm | grep '^rcode')"

# Back to a good file: the reload goes through again.
cp "$LIB_TMP/good.yaml" "$CFG"
sed -i 's/glue: none/glue: full/' "$CFG"
n=$(grep -c 'reloaded: 2 server' "$LOG")
kill -HUP "${SRV_PID[two]}"
for i in $(seq 1 50); do
	[ "$(grep -c 'reloaded: 2 server' "$LOG")" -gt "$n" ] && break
	sleep 0.1
done
check_eq "a good file again: glue is back" "4" \
	"$(qdig 127.0.0.1 www.child.test A | lib_norm | lib_field additional | wc -l | tr -d ' ')"

# --- Stop with a delayed answer in flight: clean exit ---------------------------------
qdig 127.0.0.1 +time=1 slow.test A >/dev/null &
qdig 127.0.0.1 +tcp +time=1 slow.test A >/dev/null &
sleep 0.2
lib_stop two
check_eq "SIGTERM with delayed answers in flight: exit 0" 0 "$?"
wait
check_match "the stop line counts the delayed responses" 'stopped: .* [0-9]+ delayed responses' "$(cat "$LOG")"

# --- --log-format json ----------------------------------------------------------------
lib_start json test. --template "$LIB_TMP/cfg.yaml.in" "$LIB_TMP/json.yaml" -- \
	"$GLUED" -c "$LIB_TMP/json.yaml" -q --log-format json -t 1 || exit 1
dig @127.0.0.1 -p "${SRV_PORT[json]}" +norecurse +time=2 +tries=1 www.child.test A >/dev/null
dig @127.0.0.1 -p "${SRV_PORT[json]}" +norecurse +time=2 +tries=1 sf.test A >/dev/null
wait_log json '"qname":"sf\.test\."' || true
out=$(grep '^{' "${SRV_LOG[json]}" | python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin]
ref = [l for l in lines if l["qname"] == "www.child.test."][-1]
sf = [l for l in lines if l["qname"] == "sf.test."][-1]
print(ref["server"], ref["transport"], ref["kind"], ref["cut"], ref["policy"],
      ",".join(n["name"] + ":" + n["class"] + ":" + n["fate"] for n in ref["ns"]),
      ref["counts"]["authority"], ref["tc"], ref["fault"])
print(sf["rcode"], sf["fault"]["action"], sf["fault"]["where"].split(":")[0])
' 2>&1)
check_eq "--log-format json: every line parses; referral and fault fields" \
	"parent udp referral child.test. full ns1.child.test.:in-domain:glue,ns2.child.test.:in-domain:glue 2 False None
SERVFAIL servfail json.yaml" "$out"
lib_stop json
check_eq "glued (json) exits 0 on SIGTERM" 0 "$?"

# --- Usage errors around -c --------------------------------------------------------
out=$("$GLUED" -c "$CFG" -z "$LIB_TMP/child.zone" 2>&1)
check_eq "-c with -z: exit status 2" 2 "$?"
check_match "-c with -z: the message says why" 'cannot be combined with -l or -z' "$out"
out=$("$GLUED" -c "$CFG" --no-glue 2>&1)
check_eq "-c with --no-glue: exit status 2" 2 "$?"
out=$(timeout 10 "$GLUED" -c "$LIB_TMP/good.yaml" --check 2>&1)
# It loads, but parent.zone's noglue.test. has no glue: an error finding.
check_eq "--check -c on a file that loads, with a delegation without glue: exit status 1" 1 "$?"
check_match "--check -c: the finding" '^error MISSING_GLUE_FOR_NS_NAME server=parent zone=test\. delegation=noglue\.test\. ' "$out"
check_match "--check -c: one line per server" '^server child: 1 zone\(s\), 3 policies breaking the RFCs on purpose: ok$' "$out"
sed -i 's/glue: none/glue: nonsense/' "$LIB_TMP/good.yaml"
out=$(timeout 10 "$GLUED" -c "$LIB_TMP/good.yaml" --check 2>&1)
check_eq "--check -c on a bad file: exit status 1" 1 "$?"
check_match "--check -c on a bad file: file:line" "good\\.yaml:[0-9]+: expected full, in-domain, none, partial or wrong for 'glue', got 'nonsense'" "$out"
out=$(timeout 10 "$GLUED" -c "$LIB_TMP/good.yaml" 2>&1)
check_eq "a bad file at start-up: exit status 1" 1 "$?"

lib_finish
