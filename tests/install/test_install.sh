#!/usr/bin/env bash
# test_install.sh -- glued as `make install` puts it: `cmake --install` of the
# build into a scratch DESTDIR, then the installed glued (as nobody when the
# test runs as root) against the installed lab on loopback: it finds the
# lab beside itself, never the source tree; a referral carries its glue;
# --check exits as in the checkout; the shipped keys sign the lab and
# nothing is written under the installation; --version names the
# libraries; systemd-analyze verify accepts the unit; uninstalling leaves
# only the configuration.
#
#   bash tests/install/test_install.sh /path/to/build/glued /path/to/build   (repo root)

. "$(dirname "$0")/../integration/lib.sh" "$1"
. "$(dirname "$0")/common.sh"
BUILD=${2:?usage: bash $0 /path/to/glued /path/to/build}
root="$LIB_TMP/root"

# --- Install --------------------------------------------------------------------------
# A component install writes install_manifest_Unspecified.txt: the build's
# install_manifest.txt (a real installation's) stays as it was.
if ! DESTDIR="$root" cmake --install "$BUILD" --component Unspecified >"$LIB_TMP/install.log" 2>&1; then
	bad "cmake --install into DESTDIR" "$(cat "$LIB_TMP/install.log")"
	lib_finish
fi
cp "$BUILD/install_manifest_Unspecified.txt" "$LIB_TMP/manifest"
ok "cmake --install into DESTDIR ($(wc -l <"$LIB_TMP/manifest") files)"

# installed PATTERN: the installed path (as installed, without DESTDIR) that
# matches PATTERN.
installed() { grep -E -- "$1" "$LIB_TMP/manifest" | head -n 1; }
g=$(installed '/sbin/glued$')
lab=$(installed '/share/glued/lab/lab\.yaml$')
lab=${lab%/lab.yaml}
conf=$(installed '/etc/glued/glued\.yaml$')
unit=$(installed '/systemd/system/glued\.service$')
man8=$(installed '/man8/glued\.8$')
for f in '/sbin/glued$' '/bin/gluecheck$' '/bin/gluectl$' '/man8/glued\.8$' '/man1/gluecheck\.1$' \
	'/man1/gluectl\.1$' '/share/doc/glued/README\.md$' '/share/doc/glued/config\.md$' \
	'/etc/glued/glued\.yaml$' '/systemd/system/glued\.service$'; do
	p=$(installed "$f")
	if [ -n "$p" ] && [ -e "$root$p" ]; then
		ok "installed: $p"
	else
		bad "installed: nothing matches $f"
	fi
done
check_eq "the installed lab holds every file of zones/" \
	"$(cd zones && find . -type f | LC_ALL=C sort)" \
	"$(cd "$root$lab" 2>/dev/null && find . -type f | LC_ALL=C sort)"
if command -v man >/dev/null; then
	for m in "$man8" "$(installed '/man1/gluecheck\.1$')" "$(installed '/man1/gluectl\.1$')"; do
		check_eq "man --warnings: ${m##*/} renders cleanly" "" \
			"$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$root$m" 2>&1 >/dev/null)"
	done
else
	echo "SKIP: man is not installed (man-db): the manual pages are not rendered"
fi

inst_check_version "$root" "$g"
inst_check_lab "$root" "$g" "$lab"
inst_serve "$root" "$g" "$conf" "$lab"
inst_check_unit "$root" "$unit" "$g" "$conf" "${man8%/man8/glued.8}"

# --- Uninstall -------------------------------------------------------------------------
DESTDIR="$root" cmake -DMANIFEST="$LIB_TMP/manifest" -P dist/uninstall.cmake >"$LIB_TMP/uninstall.log" 2>&1
check_eq "uninstall: exit status 0" 0 "$?"
check_eq "uninstall: only the configuration is left" "$conf" "$(cd "$root" && find . -type f | sed 's|^\.||')"
check_eq "uninstall: no directory of glued's but the configuration's" "$root${conf%/glued.yaml}" \
	"$(find "$root" -depth -type d -name '*glued*')"

lib_finish
