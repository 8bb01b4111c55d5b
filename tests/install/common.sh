# tests/install/common.sh -- checks shared by test_install.sh (a DESTDIR
# install) and test_deb.sh (the Debian package, unpacked with dpkg -x).
# Source it after tests/integration/lib.sh. Each check takes the scratch
# root (ROOT) and the paths of the installation as installed (PREFIX...,
# without ROOT): the installed files are at ROOT/PATH.

# inst_findings FILE DIR: glued --check's output with DIR (where the lab was
# read) as LAB, and the signatures' times (from the time of the load) as TIME.
inst_findings() { sed -e "s|$2|LAB|g" -e 's/\b20[0-9]\{12\}\b/TIME/g' "$1"; }

# inst_check_lab ROOT SBIN_GLUED LABDIR: glued with no option finds the lab
# beside itself (not the source tree) and --check exits as the checkout's
# glued does on its lab, with the same findings; without the lab, it says
# where it looked.
inst_check_lab() {
	local root=$1 g="$1$2" lab="$1$3" prefix_lab=$3 rc_tree rc_inst out rc
	"$GLUED" --check >"$LIB_TMP/check-tree" 2>&1
	rc_tree=$?
	"$g" --check >"$LIB_TMP/check-inst" 2>&1
	rc_inst=$?
	check_eq "--check without options: the installed glued exits as the checkout's" "$rc_tree" "$rc_inst"
	check_eq "--check without options: exit status 1 (the lab's faults)" 1 "$rc_inst"
	check_match "the checkout's glued reads the source tree's lab" "$PWD/zones/" "$(cat "$LIB_TMP/check-tree")"
	check_match "the installed glued reads the installed lab" "$lab/" "$(cat "$LIB_TMP/check-inst")"
	if grep -q "$PWD/zones" "$LIB_TMP/check-inst"; then
		bad "the installed glued never reads the source tree" "$(grep "$PWD/zones" "$LIB_TMP/check-inst" | head -3)"
	else
		ok "the installed glued never reads the source tree"
	fi
	check_eq "--check: the same findings from the installed lab as from the checkout" \
		"$(inst_findings "$LIB_TMP/check-tree" "$PWD/zones")" \
		"$(inst_findings "$LIB_TMP/check-inst" "$lab")"

	mv "$lab" "$lab.away"
	out=$("$g" --check 2>&1)
	rc=$?
	mv "$lab.away" "$lab"
	if [ -r "$prefix_lab/lab.yaml" ]; then
		# A real installation under the same prefix: glued rightly serves that.
		check_match "without its lab: the prefix's lab" "$prefix_lab/" "$out"
	else
		check_eq "without its lab: exit status 1" 1 "$rc"
		check_eq "without its lab: the places it looked, in order" \
			"glued: error: the bundled lab is missing: looked for ${g%/glued}/../share/glued/lab/lab.yaml and $prefix_lab/lab.yaml" \
			"$out"
	fi
}

# inst_check_version ROOT SBIN_GLUED: --version names the version of
# CMakeLists.txt and debian/changelog, and the libraries.
inst_check_version() {
	local version out
	version=$(sed -n 's/^project(glued VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
	out=$("$1$2" --version)
	check_match "glued --version: the version and the libraries" \
		"^glued $version \\(libuv [0-9]+\\.[0-9]+\\.[0-9]+, libyaml [0-9]+\\.[0-9]+\\.[0-9]+, OpenSSL [0-9]+\\.[0-9]+\\.[0-9]+[a-z]*, nettle [0-9]+\\.[0-9]+\\)\$" "$out"
	check_eq "debian/changelog has the version of CMakeLists.txt" "$version" \
		"$(sed -n '1s/^glued (\([^)-]*\)[^)]*).*/\1/p' debian/changelog)"
}

# inst_serve ROOT SBIN_GLUED CONF LABDIR: the installed configuration
# (glued.service's), pointed at ROOT's lab and a free port, served by the
# installed glued (as nobody when the test runs as root): the installed
# zone files and keys, read in place. A referral with its glue, the
# child's answer, the shipped root key's DS, DS at the referral, SIGHUP,
# SIGTERM; nothing written under ROOT.
inst_serve() {
	local root=$1 g="$1$2" conf="$1$3" lab="$1$4" prefix_lab=$4 as_user=() port rootkey
	if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
		as_user=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --)
	fi
	# nobody must reach the installation and the configuration.
	chmod 755 "$LIB_TMP"
	sed -e "s|$prefix_lab|$lab|g" -e 's/^port: 5300$/port: @PORT@/' "$conf" >"$LIB_TMP/glued.yaml.in"
	inst_snapshot() { (cd "$root" && find . -printf '%p %s %T@ %m\n' | LC_ALL=C sort); }
	inst_snapshot >"$LIB_TMP/before"
	if ! lib_start inst lab. --template "$LIB_TMP/glued.yaml.in" "$LIB_TMP/glued.yaml" -- \
		"${as_user[@]}" "$g" -c "$LIB_TMP/glued.yaml"; then
		bad "the installed glued serves the installed lab"
		return 1
	fi
	ok "the installed glued serves the installed lab${as_user:+ as nobody}"
	port=${SRV_PORT[inst]}

	check_eq "www.example.lab. A at the parent: a referral with its glue" \
		"rcode NOERROR
flags qr
edns version=0 flags= udp=1232
question www.example.lab. IN A
authority example.lab. 3600 IN NS ns1.example.lab.
authority example.lab. 3600 IN NS ns2.example.lab.
additional ns1.example.lab. 3600 IN A 127.0.2.1
additional ns1.example.lab. 3600 IN AAAA fd00:1ab:e::1
additional ns2.example.lab. 3600 IN A 127.0.2.2
additional ns2.example.lab. 3600 IN AAAA fd00:1ab:e::2" \
		"$(lib_dig inst www.example.lab. A | lib_norm)"
	check_eq "www.example.lab. A at the child (the glue's address): the answer" \
		"rcode NOERROR
flags aa qr
edns version=0 flags= udp=1232
question www.example.lab. IN A
answer www.example.lab. 3600 IN A 127.0.2.80" \
		"$(dig @127.0.2.1 -p "$port" +norecurse +time=2 +tries=1 www.example.lab. A 2>&1 | lib_norm)"
	rootkey=$(cd "$lab/keys" && ls K.+013+*.key | sed 's/^K\.+013+0*\([0-9]*\)\.key$/\1/')
	check_match "signed with the shipped root key (tag $rootkey): the banner's trust anchor" \
		"^glued:   \\. IN DS $rootkey 13 2 [0-9A-F]+\$" "$(cat "${SRV_LOG[inst]}")"
	check_match "a DS with its RRSIG at the referral (DO=1)" \
		"^authority example\\.lab\\. [0-9]+ IN RRSIG DS " \
		"$(lib_dig inst www.example.lab. A +dnssec | lib_norm)"

	kill -HUP "${SRV_PID[inst]}"
	for _ in $(seq 1 50); do
		grep -q 'reloaded' "${SRV_LOG[inst]}" && break
		sleep 0.1
	done
	check_match "SIGHUP: reloaded" "reloaded" "$(cat "${SRV_LOG[inst]}")"
	check_match "after the reload: the referral still carries its glue" \
		"^additional ns1\\.example\\.lab\\. 3600 IN A 127\\.0\\.2\\.1\$" \
		"$(lib_dig inst www.example.lab. A | lib_norm)"
	lib_stop inst
	check_eq "SIGTERM: exit status 0" 0 "$?"
	check_eq "nothing written under the installation" "$(cat "$LIB_TMP/before")" "$(inst_snapshot)"
	"$g" --check -c "$LIB_TMP/glued.yaml" >/dev/null 2>&1
	check_eq "--check -c on the installed configuration: exit status 1, as on the lab" 1 "$?"
}

# inst_check_unit ROOT UNIT SBIN_GLUED CONF MANDIR: glued.service's hardening
# and commands, then systemd-analyze verify (skipped, saying so, without it).
inst_check_unit() {
	local root=$1 unit="$1$2" g=$3 conf=$4 mandir="$1$5" u line out rc
	u=$(cat "$unit")
	for line in '^User=glued$' '^CapabilityBoundingSet=CAP_NET_BIND_SERVICE$' \
		'^ProtectSystem=strict$' '^PrivateTmp=yes$' '^NoNewPrivileges=yes$' \
		'^ExecReload=/bin/kill -HUP \$MAINPID$' "^ExecStart=$g -c $conf "; do
		check_match "glued.service: $line" "$line" "$u"
	done
	if ! command -v systemd-analyze >/dev/null; then
		echo "SKIP: systemd-analyze is not installed (Debian's systemd package): glued.service is not verified"
		return 0
	fi
	# verify checks that ExecStart exists: the path under ROOT stands in for
	# the installed one. MANPATH lets it find the Documentation= pages.
	mkdir -p "$LIB_TMP/unit"
	sed "s|^ExecStart=$g |ExecStart=$root$g |" "$unit" >"$LIB_TMP/unit/glued.service"
	out=$(MANPATH="$mandir" systemd-analyze verify "$LIB_TMP/unit/glued.service" 2>&1)
	rc=$?
	check_eq "systemd-analyze verify glued.service: exit status 0" 0 "$rc"
	check_eq "systemd-analyze verify glued.service: nothing to say" "" "$out"
}
