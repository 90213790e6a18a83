#!/bin/bash
# confedit.sh PKICARDS-CONFEDIT: the installer's opensc.conf editor
# (windows/confedit.c), built natively: our lines go into the first
# "app default" block and its "framework pkcs15" block, a second add
# changes nothing, remove restores the file byte for byte, other edits are
# kept, and files it cannot edit safely are refused unchanged.
set -u
ce=$1
tmp=$(mktemp -d /tmp/pkicards-confedit.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }
cd "$tmp" || exit 2

printf '%s\n' 'card_drivers = acos5_ext, starcos_ext, internal;' 'card_driver acos5_ext {' \
	'	module = "C:\Program Files\OpenSC Project\OpenSC\tools\pkicards.dll";' '}' >top
printf '%s\n' 'pkcs15init acos5_ext {' '	module = "C:\x\pkicards-p15init.dll";' '}' \
	'emulate pkicards {' '	module = "C:\x\pkicards-emu.dll";' '}' >p15
# OpenSC 0.23.0's etc/opensc.conf, which its Windows installer ships
printf '%s\n' 'app default {' '	# debug = 3;' '	# debug_file = opensc-debug.txt;' \
	'	framework pkcs15 {' '		# use_file_caching = public;' '	}' '}' >opensc.conf
cp opensc.conf orig

# round trip: add, add, check, remove
if "$ce" add opensc.conf top p15 >out 2>&1 && grep -q 'added' out; then ok "add"; else not_ok "add: $(cat out)"; fi
# our top lines follow "app default {", our pkcs15 lines "framework pkcs15 {"
awk 'prev ~ /^app default \{$/ && /# pkicards begin/ { a = 1 }
	prev ~ /^\tframework pkcs15 \{$/ && /^\t\t# pkicards begin/ { f = 1 }
	{ prev = $0 } END { exit !(a && f) }' opensc.conf &&
	ok "lines right after 'app default {' and after its 'framework pkcs15 {'" ||
	{ not_ok "lines not where expected:"; sed 's/^/    /' opensc.conf; }
grep -qx '		emulate pkicards {' opensc.conf && grep -qx '	card_driver acos5_ext {' opensc.conf &&
	ok "indented one level per block" || not_ok "indentation"
[ "$(grep -c 'framework pkcs15' opensc.conf)" = 1 ] && ok "no second framework pkcs15 block" || not_ok "framework pkcs15 blocks: $(grep -c 'framework pkcs15' opensc.conf)"
cp -p opensc.conf after1
sleep 1
"$ce" add opensc.conf top p15 >out 2>&1
if cmp -s opensc.conf after1 && [ ! opensc.conf -nt after1 ] && grep -q unchanged out; then
	ok "second add changes nothing (bytes and time)"
else
	not_ok "second add changed the file: $(cat out)"
fi
"$ce" check opensc.conf top p15 >/dev/null && ok "check: in place" || not_ok "check after add"
"$ce" remove opensc.conf >out 2>&1
cmp -s opensc.conf orig && ok "remove restores the file byte for byte" || not_ok "remove: $(diff orig opensc.conf)"
"$ce" check opensc.conf top p15 >/dev/null; [ $? = 1 ] && ok "check: missing" || not_ok "check after remove"
"$ce" remove opensc.conf >out 2>&1
cmp -s opensc.conf orig && grep -q unchanged out && ok "remove without our lines changes nothing" || not_ok "second remove"

# the admin's edits outside our lines are kept by add and remove
"$ce" add opensc.conf top p15 >/dev/null
sed -i 's/# debug = 3;/debug = 1;/' opensc.conf
echo 'app opensc-pkcs11 { }' >>opensc.conf
"$ce" add opensc.conf top p15 >/dev/null
grep -qx '	debug = 1;' opensc.conf && ok "an admin's edit survives a reinstall" || not_ok "admin edit lost by add"
"$ce" remove opensc.conf >/dev/null
{ sed 's/# debug = 3;/debug = 1;/' orig; echo 'app opensc-pkcs11 { }'; } >expect
cmp -s opensc.conf expect && ok "remove keeps the admin's edits, removes only ours" || not_ok "remove with edits: $(diff expect opensc.conf)"

# new lines replace old ones (an update)
cp orig opensc.conf
"$ce" add opensc.conf top p15 >/dev/null
sed 's/pkicards.dll/pkicards2.dll/' top >top2
"$ce" add opensc.conf top2 p15 >out
if grep -q updated out && grep -q pkicards2.dll opensc.conf && ! grep -q 'tools\\pkicards.dll' opensc.conf &&
	[ "$(grep -c '# pkicards begin' opensc.conf)" = 2 ]; then
	ok "changed lines replace the old ones"
else
	not_ok "update: $(cat out)"
fi
"$ce" remove opensc.conf >/dev/null
cmp -s opensc.conf orig && ok "remove after an update restores the file" || not_ok "remove after update"

# CRLF files get CRLF lines
sed 's/$/\r/' orig >opensc.conf
cp opensc.conf orig-crlf
"$ce" add opensc.conf top p15 >/dev/null
if [ "$(grep -c $'\r$' opensc.conf)" = "$(wc -l <opensc.conf)" ]; then ok "CRLF file: every line ends in CRLF"; else not_ok "CRLF file has LF lines"; fi
"$ce" remove opensc.conf >/dev/null
cmp -s opensc.conf orig-crlf && ok "CRLF file restored" || not_ok "CRLF restore"

# app default without framework pkcs15: ours carries one
printf 'app default {\n\tdebug = 0;\n}\n' >opensc.conf
cp opensc.conf orig2
"$ce" add opensc.conf top p15 >/dev/null
awk '/^\tframework pkcs15 \{$/ { f = 1 } f && /^\t\tpkcs15init acos5_ext \{$/ { p = 1 } END { exit !(f && p) }' opensc.conf &&
	ok "no framework pkcs15 block: ours is added inside app default" || { not_ok "framework block:"; cat opensc.conf; }
"$ce" remove opensc.conf >/dev/null
cmp -s opensc.conf orig2 && ok "restored" || not_ok "restore (no framework block)"

# an app block for another application first, then app default
printf 'app opensc-pkcs11 {\n\tframework pkcs15 {\n\t}\n}\napp default {\n}\n' >opensc.conf
"$ce" add opensc.conf top p15 >/dev/null
awk '/^app default \{$/ { d = 1 } /# pkicards begin/ && !d { bad = 1 } END { exit bad }' opensc.conf &&
	ok "only the app default block gets our lines" || { not_ok "lines in another app block:"; cat opensc.conf; }

# no app default block, no final line end: a marked block of ours
printf 'app other {\n}' >opensc.conf
cp opensc.conf orig3
"$ce" add opensc.conf top p15 >/dev/null
grep -qx 'app default {' opensc.conf && ok "no app default block: one is appended" || not_ok "append"
"$ce" remove opensc.conf >/dev/null
cmp -s opensc.conf orig3 && ok "restored without the line end add put in" || not_ok "restore (appended): $(od -c opensc.conf | tail -3)"

# refusals leave the file alone
printf 'app default { debug = 3; }\n' >opensc.conf
cp opensc.conf orig4
"$ce" add opensc.conf top p15 >out 2>&1
st=$?
[ $st = 1 ] && cmp -s opensc.conf orig4 && grep -q 'line break' out && ok "one-line app default block: refused, unchanged" ||
	not_ok "one-line block: status $st, $(cat out)"
printf 'app default {\n\t# pkicards begin: added by the pkicards installer, removed by its uninstaller\n}\n' >opensc.conf
cp opensc.conf orig5
"$ce" remove opensc.conf >out 2>&1
st=$?
[ $st = 1 ] && cmp -s opensc.conf orig5 && grep -q 'no .# pkicards end' out && ok "unclosed region: refused, unchanged" ||
	not_ok "unclosed region: status $st, $(cat out)"
"$ce" add missing.conf top p15 >out 2>&1
st=$?
[ $st = 2 ] && [ ! -e missing.conf ] && ok "missing opensc.conf: refused, not created" || not_ok "missing file: status $st"

[ $failures = 0 ]
