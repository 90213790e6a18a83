#!/bin/bash
# install.sh: issue 10, acceptance 5 — our installer in the wine prefix, as
# doc/windows.md ("What the installer changes") says:
#   - silent uninstall: DLLs, profiles, card types, our keys and folder gone,
#     opensc.conf byte for byte the file OpenSC installed;
#   - silent install: DLLs next to opensc.dll, profiles in ProfileDir, every
#     card type of pkicards-minidriver.reg (64-bit part) with the path of
#     OpenSC's minidriver, our lines in opensc.conf, our keys;
#   - card types an earlier version registered (InstalledBy pkicards, a name
#     this version lacks) go with the upgrade and with the uninstall;
#     OpenSC's own card types and its key stay as they are;
#   - a second install changes nothing (files, times, registry);
#   - an admin's edit of opensc.conf survives install and uninstall;
#   - refusals change nothing: OpenSC missing (exit 3), another OpenSC
#     version (exit 4), an opensc.conf it cannot edit safely (exit 5).
# Ends installed, as the other Windows tests expect.
. "$(dirname "$0")/../integration/lib.sh"
. "$top/tests/windows/env.sh"
win_skip_unless_buildable
win="$top/tests/windows/run"

"$top/tests/windows/setup-prefix" || { not_ok "setup-prefix failed"; finish; }
export PKICARDS_WIN_READY=1 # (run must not reinstall us behind the test's back)
d=$("$top/tests/windows/prepare" | tail -n 1)
dist=$d/dist
v=$(sed -n 's/^OPENSC_VERSION=//p' "$d/opensc.env")
inst=$(win_installer)
conf=$win_opensc_unix/opensc.conf
tools=$win_opensc_unix/tools
prof=$win_opensc_unix/profiles
pk="$WINEPREFIX/drive_c/Program Files/pkicards"
reg64=$win_build/conf/pkicards-minidriver.reg
ours="pkicards.dll pkicards-p15init.dll pkicards-emu.dll"

# the registry sections of system.reg whose names match ERE, without wine's
# time stamps, long values joined (wine wraps them with "\" + newline)
reg_sections() {
	RE=$1 awk '
		cont { sub(/^ +/, ""); line = line $0; if (line ~ /\\$/) { sub(/\\$/, "", line); next } cont = 0; $0 = line }
		/\\$/ && !/^\[/ { cont = 1; line = $0; sub(/\\$/, "", line); next }
		/^\[/ { keep = ($0 ~ ENVIRON["RE"]); if (keep) { h = $0; sub(/\] [0-9]+$/, "]", h); print h }; next }
		/^#time=/ { next }
		keep && NF { print }' "$WINEPREFIX/system.reg"
}
ours_re='[(]pkicards( [0-9]+)?[)]\]|^\[Software\\\\pkicards\]|Uninstall\\\\pkicards\]'
# snapshot: every file and key the installer touches (with file times)
snapshot() {
	{
		for f in "$conf" "$tools"/pkicards*.dll "$prof"/acos5_ext.profile "$prof"/starcos_ext.profile "$pk"/*; do
			if [ -e "$f" ]; then echo "$f $(sha1sum <"$f" | cut -c1-40) $(stat -c %Y "$f")"; else echo "$f absent"; fi
		done
		reg_sections "$ours_re"
	} >"$1"
}
installer() { # INSTALLER: run it silently, print its exit status
	"$win" "$1" /S >/dev/null 2>&1
	echo $?
}
uninstall() {
	PKICARDS_WIN_WAIT=1 "$win" "C:\\Program Files\\pkicards\\uninstall.exe" /S >/dev/null 2>&1
}
setup_log() {
	find "$WINEPREFIX/drive_c/users" -name pkicards-setup.log -exec cat {} + 2>/dev/null
}

# --- uninstall ----------------------------------------------------------------
[ -f "$pk/uninstall.exe" ] && ok "set-up installed us (uninstall.exe present)" || not_ok "no uninstall.exe after set-up"
# a card type of an earlier version, one of OpenSC's own
sc='HKLM\SOFTWARE\Microsoft\Cryptography\Calais\SmartCards'
old_type() { "$win" reg.exe add "$sc\Old card (pkicards 99)" /v InstalledBy /d pkicards /f >/dev/null 2>&1; }
old_type
"$win" reg.exe add "$sc\CardOS v5.4" /v InstalledBy /d OpenSC /f >/dev/null 2>&1
theirs() { reg_sections 'SmartCards\\\\CardOS v5.4\]|^\[Software\\\\OpenSC Project\\\\OpenSC\]'; }
theirs >"$tmp/theirs0"
grep -q 'InstalledBy"="OpenSC' "$tmp/theirs0" || not_ok "could not add OpenSC's card type"
uninstall
theirs >"$tmp/theirs1"
cmp -s "$tmp/theirs0" "$tmp/theirs1" && ok "uninstall: OpenSC's card type and its key untouched" ||
	not_ok "uninstall changed OpenSC's entries: $(diff "$tmp/theirs0" "$tmp/theirs1")"
cmp -s "$conf" "$dist/opensc.conf" && ok "uninstall: opensc.conf byte for byte as OpenSC installed it" ||
	not_ok "uninstall: opensc.conf differs: $(diff "$dist/opensc.conf" "$conf")"
left=$(for f in $ours; do [ -e "$tools/$f" ] && echo "$f"; done; ls "$prof" | grep _ext.profile)
[ -z "$left" ] && ok "uninstall: DLLs and profiles removed" || not_ok "uninstall left: $left"
[ ! -e "$pk" ] && ok "uninstall: C:\\Program Files\\pkicards removed" || not_ok "uninstall left $(ls "$pk")"
[ -z "$(reg_sections "$ours_re")" ] && ok "uninstall: card types, our key and the Apps entry removed" ||
	not_ok "uninstall left keys: $(reg_sections "$ours_re" | grep '^\[')"
[ "$(cd "$tools" && sha1sum * | sort)" = "$(cd "$dist/tools" && sha1sum * | sort)" ] &&
	ok "OpenSC's tools folder as OpenSC installed it" || not_ok "OpenSC's tools folder changed"

# --- refusals (nothing installed, nothing changed) ------------------------------
snapshot "$tmp/s0"
"$win" reg.exe delete 'HKLM\Software\OpenSC Project\OpenSC' /v ConfigFile /f >/dev/null 2>&1
st=$(installer "$inst")
[ "$st" = 3 ] && ok "OpenSC missing (no ConfigFile): refused with exit 3" || not_ok "OpenSC missing: exit $st"
setup_log | tail -n 1 | grep -q 'OpenSC is not installed' && ok "the refusal says OpenSC is not installed" ||
	not_ok "setup log: $(setup_log | tail -n 1)"
"$win" reg.exe add 'HKLM\Software\OpenSC Project\OpenSC' /v ConfigFile /t REG_SZ \
	/d "$win_opensc\\opensc.conf" /f >/dev/null 2>&1
snapshot "$tmp/s1"
cmp -s "$tmp/s0" "$tmp/s1" && ok "refusal 3 changed nothing" || not_ok "refusal 3 changed: $(diff "$tmp/s0" "$tmp/s1")"

other=$tmp/pkicards-other-win64-setup.exe
"$top/windows/build-installer" "$other" "$win_out/pkicards-cards.nsh" "$win_out/pkicards-confedit.exe" \
	"0.99.9=$win_out/dlls-$v" >/dev/null
st=$(installer "$other")
[ "$st" = 4 ] && ok "OpenSC $v with an installer for 0.99.9 only: refused with exit 4" || not_ok "version mismatch: exit $st"
setup_log | tail -n 1 | grep -q "OpenSC $v is installed, but this pkicards installer has drivers for OpenSC 0.99.9 only" &&
	ok "the refusal names both versions" || not_ok "setup log: $(setup_log | tail -n 1)"
snapshot "$tmp/s1"
cmp -s "$tmp/s0" "$tmp/s1" && ok "refusal 4 changed nothing" || not_ok "refusal 4 changed: $(diff "$tmp/s0" "$tmp/s1")"

printf 'app default { debug = 0; }\n' >"$conf"
snapshot "$tmp/s0b"
st=$(installer "$inst")
[ "$st" = 5 ] && ok "one-line app default block: refused with exit 5" || not_ok "uneditable opensc.conf: exit $st"
setup_log | tail -n 1 | grep -q "put a line break after that '{'" && ok "the refusal says what to fix" ||
	not_ok "setup log: $(setup_log | tail -n 1)"
snapshot "$tmp/s1"
cmp -s "$tmp/s0b" "$tmp/s1" && ok "refusal 5 changed nothing" || not_ok "refusal 5 changed: $(diff "$tmp/s0b" "$tmp/s1")"
cp "$dist/opensc.conf" "$conf"

# --- install (over an earlier version's card type) ----------------------------------
old_type
st=$(installer "$inst")
[ "$st" = 0 ] && ok "silent install: exit 0" || not_ok "silent install: exit $st"
for f in $ours; do
	cmp -s "$tools/$f" "$win_out/dlls-$v/$f" && ok "install: $f next to opensc.dll" || not_ok "install: $f missing or different"
done
for f in acos5_ext.profile starcos_ext.profile; do
	cmp -s "$prof/$f" "$top/pkcs15-emu/profiles/$f" && ok "install: $f in ProfileDir" || not_ok "install: $f"
done
[ -f "$prof/pkcs15.profile" ] && ok "OpenSC's own profiles stay in ProfileDir" || not_ok "pkcs15.profile gone"
for line in 'card_drivers = acos5_ext, starcos_ext, internal;' \
	"module = \"$win_opensc\\tools\\pkicards.dll\";" \
	"module = \"$win_opensc\\tools\\pkicards-p15init.dll\";" \
	"module = \"$win_opensc\\tools\\pkicards-emu.dll\";" 'emulate pkicards {'; do
	grep -qF -- "$line" "$conf" && ok "opensc.conf: $line" || not_ok "opensc.conf lacks: $line"
done
"$win_out/pkicards-confedit" remove "$conf" >/dev/null 2>&1 # (a copy, to compare)
cmp -s "$conf" "$dist/opensc.conf" && ok "opensc.conf: only marked lines were added" || not_ok "opensc.conf: changes outside the markers"
installer "$inst" >/dev/null # put them back
# card types: those of pkicards-minidriver.reg (64-bit part), pointing at
# OpenSC's minidriver of this prefix
md="$win_opensc\\minidriver\\opensc-minidriver.dll"
n=0 bad=0
tr -d '\r' <"$reg64" >"$tmp/reg64" # (a REGEDIT4 file has CR LF lines)
while IFS= read -r key; do
	name=${key##*\\}
	name=${name%]}
	atr=$(K=$key awk '$0 == ENVIRON["K"] { p = 1; next } /^\[/ { p = 0 } p && /^"ATR"=/ { print; exit }' "$tmp/reg64")
	sec=$(reg_sections "SmartCards\\\\\\\\${name//[()]/.}\\]")
	n=$((n + 1))
	if ! grep -qF "$atr" <<<"$sec" || ! grep -qF "\"80000001\"=\"${md//\\/\\\\}\"" <<<"$sec" ||
		! grep -qF '"Crypto Provider"="Microsoft Base Smart Card Crypto Provider"' <<<"$sec" ||
		! grep -qF '"Smart Card Key Storage Provider"="Microsoft Smart Card Key Storage Provider"' <<<"$sec" ||
		! grep -q '^"ATRMask"=hex:' <<<"$sec"; then
		bad=$((bad + 1))
		echo "    card type $name: $(echo $sec)"
	fi
done < <(grep '^\[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\' "$tmp/reg64")
[ $n -gt 0 ] && [ $bad = 0 ] && ok "all $n card types of pkicards-minidriver.reg registered for $md" ||
	not_ok "$bad of $n card types missing or different"
[ "$(reg_sections '[(]pkicards( [0-9]+)?[)]\]' | grep -c '^\[')" = $n ] && ok "no other card types" || not_ok "card type count"
reg_sections '^\[Software\\\\pkicards\]' | grep -qF "\"OpenSCVersion\"=\"$v\"" && ok "HKLM\\Software\\pkicards records OpenSC $v" ||
	not_ok "our key: $(reg_sections '^\[Software\\\\pkicards\]')"
[ -f "$pk/uninstall.exe" ] && ok "uninstaller written" || not_ok "no uninstaller"

# --- a second install changes nothing ------------------------------------------------
snapshot "$tmp/a1"
sleep 1
st=$(installer "$inst")
snapshot "$tmp/a2"
[ "$st" = 0 ] && cmp -s "$tmp/a1" "$tmp/a2" && ok "second install: exit 0, no file, time or key changed" ||
	not_ok "second install (exit $st) changed: $(diff "$tmp/a1" "$tmp/a2")"

# --- the admin's edit survives ----------------------------------------------------------
sed -i 's/# debug = 3;/debug = 0;/' "$conf"
grep -q '^	debug = 0;' "$conf" || not_ok "could not make the admin's edit"
installer "$inst" >/dev/null
grep -q '^	debug = 0;' "$conf" && ok "reinstall keeps the admin's edit" || not_ok "reinstall lost the admin's edit"
uninstall
sed 's/# debug = 3;/debug = 0;/' "$dist/opensc.conf" >"$tmp/expect.conf"
cmp -s "$conf" "$tmp/expect.conf" && ok "uninstall keeps the admin's edit and removes only our lines" ||
	not_ok "uninstall with an edit: $(diff "$tmp/expect.conf" "$conf")"
cp "$dist/opensc.conf" "$conf"

# --- installed again, as the other tests expect --------------------------------------------
st=$(installer "$inst")
[ "$st" = 0 ] && [ -f "$pk/uninstall.exe" ] && ok "installed again" || not_ok "final install: exit $st"
theirs >"$tmp/theirs1"
cmp -s "$tmp/theirs0" "$tmp/theirs1" && ok "installs and uninstalls left OpenSC's entries untouched" ||
	not_ok "OpenSC's entries changed: $(diff "$tmp/theirs0" "$tmp/theirs1")"
"$win" reg.exe delete "$sc\CardOS v5.4" /f >/dev/null 2>&1
finish
