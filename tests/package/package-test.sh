#!/bin/bash
# The Debian package as an admin meets it (issue 14), on this machine:
#  1. dpkg-buildpackage -us -uc -b from a copy of the tree; lintian: no errors;
#     the package holds the modules, profiles, pkicards-conf, its man page,
#     the snippet and the docs, and depends on the OpenSC release it was
#     built for;
#  2. dpkg -i: the postinst names the one command; status before: not enabled;
#  3. pkicards-conf enable on the system's /etc/opensc/opensc.conf; status:
#     OpenSC loads our drivers;
#  4. with the installed files only (tests/with-card --driver installed: the
#     system's configuration, no build tree module): personalise a blank
#     ACOS5-64 V2 with pkcs15-init, sign with pkcs11-tool, verify with
#     OpenSSL; OpenSC's log shows the modules and profiles it used;
#  5. another card's pkcs15-init (OpenSC's own starcos driver) still finds
#     OpenSC's own profiles with our lines enabled, and does not with the
#     old global profile_dir (so this check can fail);
#  6. pkicards-conf disable: opensc.conf byte for byte as before, no backup;
#  7. dpkg --purge: no file of the package, no backup, no dpkg record left;
#     /etc, /usr/sbin, /usr/share/opensc, /usr/lib/<multiarch>, man8 as before.
# It installs and purges a package and edits /etc/opensc/opensc.conf for a
# while (restored on any exit), so it needs root on a machine where that is
# allowed (CI). Skipped (77) as another user.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${WITH_CARD_BUILD:-$top/build}
pkg=opensc-pkicards
conf=/etc/opensc/opensc.conf
failures=0

if [ "$(id -u)" != 0 ]; then
	echo "the package test installs a package and needs root: skipped"
	exit 77
fi

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }
check() { # DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$d"; else not_ok "$d"; fi
}
expect_match() { # DESCRIPTION ERE FILE
	if grep -Eq -- "$2" "$3"; then ok "$1"; else not_ok "$1: no line matches /$2/ in:"; sed 's/^/    /' "$3"; fi
}
die() { echo "package-test: $*" >&2; exit 1; }

if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'installed\|config-files'; then
	die "$pkg is already installed on this machine; the test installs and purges it (dpkg --purge $pkg first)"
fi
[ -f "$conf" ] || die "$conf does not exist (install opensc)"
for t in dpkg-buildpackage dh lintian; do
	command -v "$t" >/dev/null || die "$t is missing: run scripts/install-deps"
done

tmp=$(mktemp -d /tmp/pkicards-package.XXXXXX)
cp -p "$conf" "$tmp/opensc.conf.before"
# Whatever happens: the system's opensc.conf back, the package gone.
cleanup() {
	if ! cmp -s "$conf" "$tmp/opensc.conf.before"; then
		cat "$tmp/opensc.conf.before" >"$conf"
	fi
	rm -f "$conf.pkicards-bak"
	if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'installed\|config-files'; then
		dpkg --purge "$pkg" >/dev/null 2>&1
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
# what must look the same after purge as before install
snapshot() {
	# (a directory's own size is not its content: left out)
	find /etc /usr/sbin /usr/share/opensc /usr/share/pkicards "/usr/lib/$ma" /usr/share/man/man8 \
		/usr/share/doc/$pkg -xdev \( -path /etc/ld.so.cache -prune \) -o \
		\( -type d -printf '%p/ %m\n' \) -o -printf '%p %s %m\n' 2>/dev/null | sort
}
snapshot >"$tmp/before.list"

# ---- 1. build, lintian, contents ----------------------------------------------
src=$tmp/src/pkicards
mkdir -p "$src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$src" -xf -
else
	tar -C "$top" --exclude='./build*' --exclude='./obj-*' -cf - . | tar -C "$src" -xf -
fi
# the OpenSC source of the build directory (headers), so nothing is fetched again
osrc=$(sed -n 's/^Message: building for OpenSC .* with headers from //p' \
	"$build/meson-logs/meson-log.txt" 2>/dev/null | tail -n 1)
if (cd "$src" && PKICARDS_OPENSC_SRC=$osrc DEB_BUILD_OPTIONS=noautodbgsym \
		dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b"
else
	not_ok "dpkg-buildpackage failed:"
	tail -n 40 "$tmp/build.log" | sed 's/^/    /'
	exit 1
fi
deb=$(ls "$tmp"/src/${pkg}_*.deb)
changes=$(ls "$tmp"/src/*.changes)
if lintian --fail-on error "$changes" >"$tmp/lintian.log" 2>&1; then
	ok "lintian: no errors"
else
	not_ok "lintian reports errors:"
	sed 's/^/    /' "$tmp/lintian.log"
fi
grep -v '^running with root' "$tmp/lintian.log" | sed 's/^/# lintian: /'

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/contents"
for f in "/usr/lib/$ma/pkicards/libpkicards.so" "/usr/lib/$ma/pkicards/libpkicards-p15init.so" \
		"/usr/lib/$ma/pkicards/libpkicards-emu.so" /usr/share/opensc/acos5_ext.profile \
		/usr/share/opensc/starcos_ext.profile /usr/sbin/pkicards-conf \
		/usr/share/man/man8/pkicards-conf.8.gz /usr/share/pkicards/pkicards.conf \
		/usr/share/doc/$pkg/copyright; do
	check "package holds $f" grep -qx "$f" "$tmp/contents"
done
check "package holds the documentation" grep -q "^/usr/share/doc/$pkg/install.md" "$tmp/contents"
check "package holds no pkcs15.profile of its own (OpenSC's is used)" \
	sh -c "! grep -q 'pkcs15.profile' '$tmp/contents'"
deb_ver=$(dpkg-query -W -f='${Version}' opensc-pkcs11)
up=${deb_ver#*:}
up=${up%-*}
dpkg-deb -f "$deb" Depends >"$tmp/depends"
expect_match "Depends on the OpenSC release it was built for ($up)" \
	"opensc-pkcs11 \\(>= ${deb_ver//+/\\+}\\), opensc-pkcs11 \\(<< ${up//./\\.}\\.1~\\)" "$tmp/depends"
check "the module was built for the installed OpenSC ($up)" \
	sh -c "dpkg-deb --fsys-tarfile '$deb' | tar -xOf - './usr/sbin/pkicards-conf' | grep -q \"^OPENSC_VERSION='$up'\""

# ---- 2. install ------------------------------------------------------------------
if dpkg -i "$deb" >"$tmp/install.log" 2>&1; then ok "dpkg -i"; else not_ok "dpkg -i:"; sed 's/^/    /' "$tmp/install.log"; fi
expect_match "postinst names the command" "^ +pkicards-conf enable$" "$tmp/install.log"
check "opensc.conf untouched by the installation" cmp "$conf" "$tmp/opensc.conf.before"
pkicards-conf status >"$tmp/status" 2>&1
check "status before enable: not enabled (exit 3)" test $? = 3
expect_match "status names the OpenSC it was built for" "built for OpenSC $up" "$tmp/status"

# ---- 3. enable -------------------------------------------------------------------
pkicards-conf enable >"$tmp/enable.log" 2>&1
check "pkicards-conf enable" grep -q "enabled the ACOS5 and StarCOS drivers in $conf" "$tmp/enable.log"
pkicards-conf status >"$tmp/status" 2>&1
if [ $? = 0 ]; then ok "status after enable: exit 0"; else not_ok "status after enable:"; sed 's/^/    /' "$tmp/status"; fi
expect_match "OpenSC loads our drivers from the system configuration" \
	"^OpenSC loads: acos5_ext starcos_ext" "$tmp/status"

# ---- 4. personalise and sign with the installed files only -----------------------
with_card="$top/tests/with-card --build $build --driver installed"
cat >"$tmp/use.sh" <<'EOF'
set -eu
cd "$1"
so=87654321
OPENSC_DEBUG=3 pkcs15-init --create-pkcs15 --so-pin $so --so-puk 12345678 --label "package test" \
	>create.out 2>create.log
pkcs15-init --store-pin --auth-id 01 --label "User PIN" --pin 1234 --puk 11223344 --so-pin $so
pkcs15-init --generate-key rsa/2048 --auth-id 01 --id 45 --key-usage sign,decrypt --pin 1234 --so-pin $so
pkcs15-tool --read-public-key 45 -o pub.pem
echo "signed by a card personalised with the installed package" >data
pkcs11-tool --module "$P11LIB" -l --pin 1234 --sign -m SHA256-RSA-PKCS --id 45 -i data -o sig
openssl dgst -sha256 -verify pub.pem -signature sig data
EOF
env -u OPENSC_CONF $with_card acos5-64v2 -- bash "$tmp/use.sh" "$tmp" >"$tmp/use.log" 2>&1
expect_match "personalised, signed on the card, verified by OpenSSL" "^Verified OK$" "$tmp/use.log"
expect_match "OpenSC read the system configuration" "Used configuration file '$conf'" "$tmp/create.log"
expect_match "driver loaded from the package" \
	"successfully loaded card driver 'acos5_ext'" "$tmp/create.log"
expect_match "pkcs15init module loaded from the package" \
	"successfully loaded pkcs15init driver 'acos5_ext'" "$tmp/create.log"
expect_match "profiles from OpenSC's own directory" "Using profile directory '/usr/share/opensc'" \
	"$tmp/create.log"
expect_match "our card profile found there" "/usr/share/opensc/acos5_ext.profile" "$tmp/create.log"
check "nothing from the build tree" sh -c "! grep -q '$build' '$tmp/create.log'"

# ---- 5. another card's pkcs15-init still finds OpenSC's profiles -----------------
# OpenSC's own starcos driver and its starcos.profile, forced with OPENSC_DRIVER
other() { # CONF OUT
	env OPENSC_CONF="$1" OPENSC_DRIVER=starcos OPENSC_DEBUG=3 $with_card starcos-spk23 -- \
		pkcs15-init --create-pkcs15 --so-pin 87654321 --so-puk 12345678 --label other >"$2" 2>&1
}
if other "$conf" "$tmp/other.log"; then
	ok "OpenSC's starcos pkcs15-init personalises a card with our lines enabled"
else
	not_ok "OpenSC's starcos pkcs15-init failed with our lines enabled:"
	grep -v '^P:' "$tmp/other.log" | tail -n 20 | sed 's/^/    /'
fi
expect_match "... with OpenSC's own starcos.profile" "/usr/share/opensc/starcos.profile" "$tmp/other.log"
# the trap this avoids: a global profile_dir with only our profiles
mkdir "$tmp/ours"
cp /usr/share/opensc/acos5_ext.profile /usr/share/opensc/starcos_ext.profile \
	/usr/share/opensc/pkcs15.profile "$tmp/ours/"
sed "s|^app default {\$|app default {\n\tprofile_dir = $tmp/ours;|" "$conf" >"$tmp/old.conf"
if other "$tmp/old.conf" "$tmp/other-old.log"; then
	not_ok "with a global profile_dir the other card's pkcs15-init should fail (the check cannot tell)"
else
	ok "with the old global profile_dir the other card's pkcs15-init fails (the check can fail)"
fi

# ---- 6. disable ------------------------------------------------------------------
pkicards-conf disable >"$tmp/disable.log" 2>&1
check "pkicards-conf disable: opensc.conf byte for byte as before" cmp "$conf" "$tmp/opensc.conf.before"
check "no backup left" test ! -e "$conf.pkicards-bak"

# ---- 7. purge --------------------------------------------------------------------
if dpkg --purge "$pkg" >"$tmp/purge.log" 2>&1; then ok "dpkg --purge"; else not_ok "dpkg --purge:"; sed 's/^/    /' "$tmp/purge.log"; fi
check "no warning at removal (our lines were gone)" sh -c "! grep -q 'still names' '$tmp/purge.log'"
check "dpkg has no record of the package" \
	sh -c "! dpkg-query -W -f='\${Status}' $pkg 2>/dev/null | grep -q 'installed\|config-files'"
left=
while read -r f; do
	[ -d "$f" ] || [ ! -e "$f" ] || left="$left $f"
done <"$tmp/contents"
if [ -z "$left" ]; then ok "no file of the package left"; else not_ok "left behind:$left"; fi
snapshot >"$tmp/after.list"
if diff -u "$tmp/before.list" "$tmp/after.list" >"$tmp/diff"; then
	ok "/etc, /usr/sbin, /usr/share/opensc, /usr/lib/$ma, man8 exactly as before"
else
	not_ok "the system differs after purge:"
	sed 's/^/    /' "$tmp/diff" | head -n 40
fi

if [ $failures -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
