#!/usr/bin/env bash
# test_control.sh -- the control socket and gluectl.
#
# glued -c with a control: socket: wait-ready; the socket is the owner's
# only (mode 0600) and another user gets EACCES, not a change; status in
# text and JSON, each rule the one in force with where it was set; set and
# clear of glue, truncation and fault at server, zone and delegation
# level, each seen on the wire right after gluectl returns, logged on
# stderr and in the query log (policy=none(control)); a bad value or
# target is a one-line error that changes nothing (and names the servers
# that exist); an override survives SIGHUP; reload; stats counts and
# resets; a fault's every=, ede=, ede-text= and name=, glue partial
# names=, each as the YAML checks them; --json anywhere, and JSON errors on
# stdout; a second glued on the same path is refused; stop removes the
# socket.
#
#   bash tests/integration/test_control.sh /path/to/glued   (repo root)

. "$(dirname "$0")/lib.sh" "$@"

CTL=${GLUECTL:-$(dirname "$GLUED")/gluectl}
[ -x "$CTL" ] || { bad "gluectl is built next to glued ($CTL)"; lib_finish; }
D=$LIB_TMP
chmod 755 "$D" # so that only the socket's own mode keeps other users out
cp tests/data/diff/parent.zone "$D/parent.zone"
cat >"$D/cfg.yaml.in" <<'EOF'
port: @PORT@
control: ctl.sock
servers:
  - name: parent
    listen: [127.0.0.1]
    zones:
      - file: parent.zone
        origin: test.
        delegations:
          - name: self.test.
            glue: in-domain
  - name: spare
    listen: [127.0.0.2]
    zones: []
EOF
if ! lib_start one test. --template "$D/cfg.yaml.in" "$D/cfg.yaml" -- \
	"$GLUED" -c "$D/cfg.yaml" -q; then
	bad "glued with a control socket starts"
	lib_finish
fi
LOG=${SRV_LOG[one]}
S=$D/ctl.sock
ctl() { "$CTL" -s "$S" --timeout 10 "$@"; }

check_eq "wait-ready" "ready" "$(ctl wait-ready)"
check_eq "the socket is mode 0600, owned by glued's user" "srw------- $(id -un)" \
	"$(stat -c '%A %U' "$S")"
check_match "the banner names the socket" "control socket $S" "$(cat "$LOG")"

# Another user: EACCES, and nothing changes.
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" -s "$S" \
		set parent glue none 2>&1)
	check_eq "another user: exit status 2" 2 "$?"
	check_match "another user: EACCES" 'cannot connect to .*ctl\.sock: Permission denied' "$err"
else
	bad "setpriv and root, to try the socket as another user"
fi

SELF_LINE=$(grep -n 'name: self.test.' "$D/cfg.yaml" | cut -d: -f1)
st=$(ctl status)
check_match "status: the server, its listen address and its rules (the defaults)" \
	"^server parent on 127\\.0\\.0\\.1:${SRV_PORT[one]}: glue full \\(default\\), truncation rfc9471 \\(default\\), 0 fault" "$st"
check_match "status: the zone and its serial" '^  zone test\. serial 2024010101: ' "$st"
check_match "status: a delegation rule of the file, with its line" \
	"^    delegation self\\.test\\.: glue in-domain \\(cfg\\.yaml:$SELF_LINE\\), truncation rfc9471 \\(default\\)\$" "$st"
check_eq "status --json parses" "parent spare 2024010101" "$(ctl status --json | python3 -c '
import json, sys
o = json.load(sys.stdin)
print(" ".join(s["name"] for s in o["servers"]), o["servers"][0]["zones"][0]["serial"])')"

glue_count() { lib_dig one www.child.test. A | sed -n 's/.*ADDITIONAL: \([0-9]*\).*/\1/p'; }
before=$(glue_count)
check_match "the referral to child.test. has glue" '^[1-9]' "$before"

# --- set / clear at a delegation ------------------------------------------------
out=$(ctl set parent/test./child.test. glue none)
check_eq "set: exit status 0" 0 "$?"
check_match "set: says every worker serves it" 'every worker serves it' "$out"
check_eq "set: the very next referral has no glue" 1 "$(glue_count)"
check_match "set: logged on stderr" 'control: set parent/test\./child\.test\. glue none' "$(cat "$LOG")"
check_match "set: the query log says the policy and that it was set live" \
	'www\.child\.test\. A NOERROR .* cut=child\.test\. policy=none\(control\) ns=' "$(tail -1 "$LOG")"
st=$(ctl status)
check_match "status: the override" '^override: set parent/test\./child\.test\. glue none' "$st"
check_match "status: the delegation's rule in force, and where each part was set" \
	'^    delegation child\.test\.: glue none \(control\), truncation rfc9471 \(default\)$' "$st"
check_match "status: the zone still inherits the defaults" \
	'^  zone test\. serial 2024010101: glue full \(default\), truncation rfc9471 \(default\), 0 fault' "$st"
check_eq "status --json: the rule in force and where" "none control rfc9471 default" \
	"$(ctl status --json | python3 -c '
import json, sys
o = json.load(sys.stdin)
d = [d for d in o["servers"][0]["zones"][0]["delegations"] if d["name"] == "child.test."][0]
print(d["glue"], d["glue_where"], d["truncation"], d["truncation_where"])')"

# Bad values and targets: one line, nothing changes.
err=$(ctl set parent/test./child.test. glue some 2>&1)
check_eq "a bad value: exit status 1" 1 "$?"
check_eq "a bad value: one line" \
	"gluectl: expected full, in-domain, none, partial or wrong for 'glue', got 'some'" "$err"
err=$(ctl set nosuch glue none 2>&1)
check_eq "an unknown server: exit status 1" 1 "$?"
check_eq "an unknown server: names those that exist" \
	"gluectl: no server 'nosuch' (there are: parent, spare)" "$err"
err=$(ctl set parent/other. glue none 2>&1)
check_match "an unknown zone: names the server's zones" 'server parent has no zone other\. \(its zones: test\.\)' "$err"
err=$(ctl set parent/test./nosuch.test. glue full 2>&1)
check_eq "not a delegation: exit status 1" 1 "$?"
check_match "not a delegation: says so" 'nosuch\.test\. is not a delegation of zone test\.' "$err"
check_eq "after the refused changes: still no glue" 1 "$(glue_count)"
check_eq "one override in force" 1 "$(ctl status | grep -c '^override:')"

# An override survives SIGHUP.
kill -HUP "${SRV_PID[one]}"
for _ in $(seq 1 50); do grep -q 'reloaded:' "$LOG" && break; sleep 0.1; done
check_eq "after SIGHUP: the override still holds" 1 "$(glue_count)"

out=$(ctl clear parent/test./child.test.)
check_eq "clear: exit status 0" 0 "$?"
check_eq "clear: the glue is back at once" "$before" "$(glue_count)"
err=$(ctl clear parent/test./child.test. 2>&1)
check_match "clear of nothing: an error" 'nothing to clear at parent/test\./child\.test\.' "$err"

# --- a fault at the zone, truncation at the server -----------------------------
ctl set parent/test. fault servfail >/dev/null
check_match "fault servfail: SERVFAIL" 'status: SERVFAIL' "$(lib_dig one www.test. A)"
check_match "fault: the query log names it" ' fault=servfail\(control\)' "$(tail -1 "$LOG")"
ctl set parent truncation always >/dev/null
check_match "truncation always: TC" 'flags: qr tc' "$(lib_dig one www.child.test. A)"
ctl clear parent/test. fault >/dev/null
ctl clear parent >/dev/null
check_match "cleared: an answer again" 'status: NOERROR' "$(lib_dig one www.test. A)"
check_eq "cleared: no overrides" "no overrides (gluectl set)" "$(ctl status | tail -1)"

# --- stats ---------------------------------------------------------------------------
st=$(ctl stats)
check_match "stats: the zone's queries, referrals, withheld glue, SERVFAILs" \
	'^  zone test\.: queries=[0-9]+ referrals=[1-9][0-9]* tc=1 faults=2 glue_withheld=[1-9][0-9]* dropped=0 NOERROR=[0-9]+ FORMERR=0 SERVFAIL=2 ' "$st"
check_eq "stats --json: the server's SERVFAILs (the fault on the zone, with TC too)" 2 "$(ctl stats --json | python3 -c '
import json, sys
o = json.load(sys.stdin)
print([s for s in o["servers"] if s["server"] == "parent"][0]["rcodes"]["SERVFAIL"])')"
ctl stats --reset >/dev/null
check_match "stats --reset: zero afterwards" '^server parent: queries=0 ' "$(ctl stats)"
lib_dig one www.test. A >/dev/null
check_match "stats: counting again" '^server parent: queries=1 ' "$(ctl stats)"

out=$(ctl reload)
check_match "reload: the counts of the servers and zones" '^reloaded: 2 server\(s\), 1 zone\(s\)' "$out"

# --- one field of a rule the file sets ---------------------------------------------
ctl set parent/test./self.test. truncation legacy >/dev/null
check_match "status: the file's glue and the live truncation, each with its place" \
	"^    delegation self\\.test\\.: glue in-domain \\(cfg\\.yaml:$SELF_LINE\\), truncation legacy \\(control\\)\$" \
	"$(ctl status)"
lib_dig one www.self.test. A >/dev/null
check_match "query log: the file's glue rule plain, the live truncation (control)" \
	' cut=self\.test\. policy=in-domain ns=.* truncation=legacy\(control\) ' "$(tail -1 "$LOG")"
check_match "the announcement: the file's line and what gluectl set there" \
	"delegation self\\.test\\.: truncation legacy \\(cfg\\.yaml:$SELF_LINE; control: truncation\\) breaks RFC 9471" \
	"$(cat "$LOG")"
ctl clear parent/test./self.test. >/dev/null

# --- the YAML's fault keys and glue-names ---------------------------------------------
rcodes() {
	local i out=""
	for i in 1 2 3 4; do
		out="$out $(lib_dig one www.test. A | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')"
	done
	echo $out
}
ctl set parent/test. fault servfail every=2 name=www.test. type=A >/dev/null
check_eq "fault every=2: every second query" "NOERROR SERVFAIL NOERROR SERVFAIL" "$(rcodes)"
check_match "fault type=A: other types answered" 'status: NOERROR' "$(lib_dig one www.test. AAAA)"
ctl set parent/test. fault refuse ede=20 ede-text="not served here" >/dev/null
out=$(lib_dig one www.test. A)
check_match "fault ede=20 ede-text=...: REFUSED" 'status: REFUSED' "$out"
check_match "fault ede=20 ede-text=...: dig shows that EDE" \
	'; EDE: 20 \(Not Authoritative\): \(not served here\)' "$out"
check_match "fault ede: the query log names it" ' fault=refuse\(control\) ede=20 ' "$(tail -1 "$LOG")"
check_match "status: the fault's words, quoted as given" \
	'^override: set parent/test\. fault refuse ede=20 ede-text="not served here"$' "$(ctl status)"
nov=$(ctl status | grep -c '^override:')
err=$(ctl set parent/test. fault refuse every=0 2>&1)
check_eq "a bad every=: exit status 1" 1 "$?"
check_eq "a bad every=: one line, the YAML's words" \
	"gluectl: expected a whole number from 1 to 4294967295 for 'every', got '0'" "$err"
err=$(ctl set parent/test. fault servfail colour=red 2>&1)
check_eq "an unknown key: one line" \
	"gluectl: unknown key 'colour' in a fault (expected one of: name, type, every, delay, upward, ede, ede-text)" "$err"
err=$(ctl set parent/test. fault drop ede=20 2>&1)
check_eq "ede= with drop: one line" "gluectl: 'ede' only goes with fault refuse or fault servfail" "$err"
err=$(ctl set parent/test. fault refuse ede-text="$(head -c 128 /dev/zero | tr '\0' x)" 2>&1)
check_eq "ede-text= too long: one line" "gluectl: 'ede-text' is 128 bytes, at most 127 are sent" "$err"
err=$(ctl set parent/test./child.test. glue partial names=ns1.child.test.,bad..name 2>&1)
check_match "a bad name in names=: one line" "^gluectl: expected a domain name for 'names', got 'bad\.\.name' " "$err"
check_eq "after the refused changes: the same overrides" "$nov" "$(ctl status | grep -c '^override:')"
check_match "after the refused changes: still the EDE 20 fault" '; EDE: 20 ' "$(lib_dig one www.test. A)"
ctl clear parent/test. fault >/dev/null

ctl set parent/test./child.test. glue partial names=ns2.child.test. >/dev/null
lib_dig one www.child.test. A >/dev/null
check_match "glue partial names=: only that NS name's glue" \
	'policy=partial\(control\) ns=ns1\.child\.test\.\(in-domain:policy\) ns2\.child\.test\.\(in-domain:glue A\+AAAA\)' \
	"$(tail -1 "$LOG")"
check_match "status: glue partial with its names" \
	'^    delegation child\.test\.: glue partial names=ns2\.child\.test\. \(control\), ' "$(ctl status)"
ctl clear parent/test./child.test. >/dev/null

# --- --json anywhere ------------------------------------------------------------------
check_eq "stats --json --reset: JSON" "True" "$(ctl stats --json --reset | python3 -c '
import json, sys
print(json.load(sys.stdin)["ok"])')"
check_match "stats --json --reset: reset" '^server parent: queries=0 ' "$(ctl stats)"
out=$(ctl set nosuch --json glue none 2>/dev/null)
check_eq "a refused change with --json: exit status 1" 1 "$?"
check_eq "a refused change with --json: the JSON error on stdout" \
	'{"ok":false,"error":"no server '"'"'nosuch'"'"' (there are: parent, spare)"}' "$out"

# --- one socket, one glued ---------------------------------------------------------
# The same configuration again: its addresses and its control socket are
# the first glued's, and the socket is what it names, found before it
# binds an address (or serves a query).
err=$(timeout 10 "$GLUED" -c "$D/cfg.yaml" 2>&1)
check_eq "a second glued on the same socket: exit status 1" 1 "$?"
check_match "a second glued: says why" 'control socket .*ctl\.sock: is in use' "$err"
check_eq "a second glued: stops before it binds anything (no word of the addresses)" "" \
	"$(printf '%s\n' "$err" | grep -iE 'address|bind|serving')"
check_eq "the first glued still answers" ready "$(ctl wait-ready)"

check_eq "stop" stopping "$(ctl stop)"
for _ in $(seq 1 50); do kill -0 "${SRV_PID[one]}" 2>/dev/null || break; sleep 0.1; done
wait "${SRV_PID[one]}"
check_eq "stop: glued exits 0" 0 "$?"
check_eq "stop: the socket is gone" "" "$(ls "$S" 2>/dev/null)"
err=$(ctl status 2>&1)
check_eq "no glued: exit status 2" 2 "$?"
check_match "no glued: says so" 'cannot connect to .*: No such file or directory' "$err"

lib_finish
