#!/usr/bin/env bash
# test_deb.sh -- the Debian package: dist/build-deb builds it from this tree
# (dpkg-buildpackage, about a minute) and runs lintian, which must report no
# error and no warning; its dependencies are the libraries ldd names; it
# ships glued, gluecheck, gluectl, their manual pages, the lab, the
# documentation, /etc/glued/glued.yaml (a conffile) and glued.service,
# created user, unit neither enabled nor started. Unpacked with dpkg -x
# into a scratch root, its glued serves its lab as test_install.sh checks a
# DESTDIR installation, and holds no path of the build machine.
#
# The package build takes a minute of both CPUs: `make test` skips this
# test, CI runs it as a step of its own (GLUED_TEST_DEB=1 ctest -L deb).
#
#   GLUED_TEST_DEB=1 bash tests/install/test_deb.sh /path/to/build/glued   (repo root)

. "$(dirname "$0")/../integration/lib.sh" "$1"
. "$(dirname "$0")/common.sh"

[ "${GLUED_TEST_DEB:-}" = 1 ] ||
	lib_skip "the package build takes a minute; GLUED_TEST_DEB=1 ctest -L deb runs it (CI does)"
for t in dpkg-buildpackage dh lintian dpkg-deb; do
	command -v "$t" >/dev/null ||
		lib_skip "$t is not installed (tools/install-deps deb installs what the package build needs)"
done

# --- Build and lintian ------------------------------------------------------------------
t0=$(date +%s)
dist/build-deb "$LIB_TMP/deb" >"$LIB_TMP/build-deb.log" 2>&1
rc=$?
cat "$LIB_TMP/build-deb.log"
check_eq "dist/build-deb: the package builds and lintian finds no error or warning" 0 "$rc"
echo "     (built and checked in $(($(date +%s) - t0)) s)"
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
deb="$LIB_TMP/deb/glued_${version}_$(dpkg-architecture -qDEB_HOST_ARCH).deb"
if [ ! -f "$deb" ]; then
	bad "the package: $deb"
	lib_finish
fi
if grep -E '^[EW]: ' "$LIB_TMP/deb/lintian.txt"; then
	bad "lintian: no error, no warning" "$(grep -E '^[EW]: ' "$LIB_TMP/deb/lintian.txt")"
else
	ok "lintian: no error, no warning"
fi

# --- What it holds ----------------------------------------------------------------------
depends=$(dpkg-deb -f "$deb" Depends)
for d in adduser libc6 libuv1 libyaml-0-2 libssl3 libnettle8; do
	check_match "Depends: $d" "(^|, )$d( |,|\$)" "$depends"
done
files=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
for f in /usr/sbin/glued /usr/bin/gluecheck /usr/bin/gluectl /usr/share/man/man8/glued.8.gz \
	/usr/share/man/man1/gluecheck.1.gz /usr/share/man/man1/gluectl.1.gz \
	/usr/share/glued/lab/lab.yaml /usr/share/glued/lab/lab.zone /usr/share/glued/lab/keys/ \
	/usr/share/doc/glued/copyright /usr/share/doc/glued/README.md.gz /etc/glued/glued.yaml \
	/lib/systemd/system/glued.service; do
	if printf '%s\n' "$files" | grep -qxF -- "$f"; then
		ok "ships $f"
	else
		bad "ships $f"
	fi
done
mkdir -p "$LIB_TMP/ctl"
dpkg-deb -e "$deb" "$LIB_TMP/ctl"
check_eq "conffiles: /etc/glued/glued.yaml" "/etc/glued/glued.yaml" "$(cat "$LIB_TMP/ctl/conffiles")"
check_match "postinst: creates the system user glued" 'adduser --system [^;]* glued( |$)' \
	"$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$LIB_TMP/ctl/postinst")"
# deb-systemd-helper enable only where the unit was enabled before (a
# reinstallation keeps the admin's choice), systemctl never.
check_eq "postinst: does not enable glued.service" "" \
	"$(awk '/^[[:space:]]*#/ { next }
		/deb-systemd-helper enable|systemctl (enable|start)/ && prev !~ /was-enabled/ { print NR ": " $0 }
		{ prev = $0 }' "$LIB_TMP/ctl/postinst")"
check_match "postinst: starts glued.service only through deb-systemd-invoke (which starts no disabled unit)" \
	'deb-systemd-invoke \$_dh_action .glued\.service' "$(cat "$LIB_TMP/ctl/postinst")"
check_match "prerm: stops a running glued.service on removal" "deb-systemd-invoke stop .glued\\.service" \
	"$(cat "$LIB_TMP/ctl/prerm" 2>/dev/null)"

# --- Unpacked and run ----------------------------------------------------------------------
root="$LIB_TMP/root"
dpkg -x "$deb" "$root"
ok "dpkg -x into a scratch root"
if grep -qaF -- "$LIB_TMP/deb" "$root/usr/sbin/glued"; then
	bad "glued holds no path of the build" "$(grep -aoE -- "$LIB_TMP/deb[[:print:]]*" "$root/usr/sbin/glued" | head -3)"
else
	ok "glued holds no path of the build"
fi
inst_check_version "$root" /usr/sbin/glued
inst_check_lab "$root" /usr/sbin/glued /usr/share/glued/lab
inst_serve "$root" /usr/sbin/glued /etc/glued/glued.yaml /usr/share/glued/lab
inst_check_unit "$root" /lib/systemd/system/glued.service /usr/sbin/glued /etc/glued/glued.yaml /usr/share/man

lib_finish
