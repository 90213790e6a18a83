#!/bin/sh
# check-pkicards-conf.sh PKICARDS-CONF DRIVER P15INIT EMU [load|no-load]: pkicards-conf on
# copies of opensc.conf: enable adds our lines (twice = once), disable gives
# back the file byte for byte and drops the backup, other lines and comments
# stay, a hand-made configuration or another program's card_drivers list is
# refused without a change, OpenSC itself loads our drivers from the enabled
# file (opensc-tool -D), status says so (not with no-load: sanitizer builds,
# whose modules OpenSC's tools cannot load). No root, no card.
set -u
tool=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mods=$tmp/mods
mkdir "$mods"
ln -s "$(readlink -f "$2")" "$mods/libpkicards.so"
ln -s "$(readlink -f "$3")" "$mods/libpkicards-p15init.so"
ln -s "$(readlink -f "$4")" "$mods/libpkicards-emu.so"
export PKICARDS_CONF_MODULE_DIR=$mods
unset OPENSC_CONF
failures=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; failures=$((failures + 1)); }
check() { # DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$d"; else not_ok "$d"; fi
}
pc() { sh "$tool" "$@"; }
load=${5:-load}
# check_load DESCRIPTION COMMAND...: a check that OpenSC loads our modules
check_load() {
	if [ "$load" = load ]; then check "$@"; else echo "ok - $1 # not in a sanitizer build"; fi
}

# ---- fixtures -----------------------------------------------------------------
# Debian 12's /etc/opensc/opensc.conf as the opensc package ships it
printf 'app default {\n\t# debug = 3;\n\t# debug_file = opensc-debug.txt;\n\tframework pkcs15 {\n\t\t# use_file_caching = public;\n\t}\n}\n' >"$tmp/debian.conf"
# an admin's file: own list, comments, other blocks, a quoted "{", no final newline
cat >"$tmp/admin.conf" <<'EOF'
# site configuration, do not lose this comment
app default {
	debug = 0; # keep quiet
	card_drivers = npa, internal;   # our list
	card_atr 3b:aa:bb { driver = npa; name = "odd { name"; }
	reader_driver pcsc {
		connect_exclusive = false;
	}
}

app pkcs15-init {
	# nothing here
	framework pkcs15 { use_file_caching = no; }
}
EOF
printf '\t# the end' >>"$tmp/admin.conf"
printf 'app opensc-pkcs11 {\n\tdebug = 1;\n}\n' >"$tmp/no-default.conf"
: >"$tmp/empty.conf"
printf 'app default {\n\tdebug = 0;\n}\n' >"$tmp/no-framework.conf"
# Windows line ends (OpenSC reads them too), also without a final line end
sed 's/$/\r/' "$tmp/debian.conf" >"$tmp/crlf.conf"
printf 'app default {\r\n\tdebug = 0;\r\n}' >"$tmp/crlf-no-eol.conf"

# all_crlf FILE: every line ends in CR LF (a last line without LF: no CR)
all_crlf() {
	cr=$(printf '\r')
	[ "$(tail -c 1 "$1")" = "" ] && full=$1 || { sed '$d' "$1" >"$1.head"; full=$1.head; }
	! grep -q "[^$cr]\$" "$full" && ! grep -q "^\$" "$full"
}

for f in debian admin no-default empty no-framework crlf crlf-no-eol; do
	c=$tmp/$f.conf
	cp "$c" "$c.orig"
	if pc -f "$c" enable >"$tmp/out" 2>&1; then ok "$f: enable"; else not_ok "$f: enable"; cat "$tmp/out"; fi
	check "$f: enable changed the file" sh -c "! cmp -s '$c' '$c.orig'"
	check "$f: backup is the file before enable" cmp "$c.pkicards-bak" "$c.orig"
	check "$f: our lines are marked" grep -q '# BEGIN pkicards' "$c"
	check "$f: our drivers first in card_drivers" \
		grep -q '^[[:space:]]*card_drivers = acos5_ext, starcos_ext, ' "$c"
	check "$f: exactly one active card_drivers line" \
		sh -c "[ \$(grep -c '^[[:space:]]*card_drivers' '$c') = 1 ]"
	check "$f: no profile_dir, no try_emulation_first" \
		sh -c "! grep -q 'profile_dir\|try_emulation_first' '$c'"
	check "$f: every line of the original is still there" \
		sh -c "sed 's/^#pkicards-conf disabled: //' '$c' | tr -d '\\r' >'$c.lines' &&
			tr -d '\\r' <'$c.orig' | grep -vxF -f '$c.lines' | grep -q . && exit 1 || exit 0"
	case $f in crlf*) check "$f: every line still ends in CR LF" all_crlf "$c" ;; esac
	check_load "$f: OpenSC loads acos5_ext and starcos_ext from it" \
		sh -c "OPENSC_CONF='$c' opensc-tool -D | grep -q '^  acos5_ext ' && OPENSC_CONF='$c' opensc-tool -D | grep -q '^  starcos_ext '"
	check_load "$f: status says enabled and loaded (exit 0)" \
		sh -c "OPENSC_CONF='$c' sh '$tool' status >'$tmp/st' && grep -q '^state: enabled' '$tmp/st' && grep -q '^OpenSC loads: acos5_ext starcos_ext' '$tmp/st'"
	cp "$c" "$c.once"
	pc -f "$c" enable >"$tmp/out" 2>&1
	check "$f: enable twice = once (byte-identical)" cmp "$c" "$c.once"
	check "$f: second enable says so" grep -q 'already enabled' "$tmp/out"
	check "$f: second enable keeps the first backup" cmp "$c.pkicards-bak" "$c.orig"
	if pc -f "$c" disable >"$tmp/out" 2>&1; then ok "$f: disable"; else not_ok "$f: disable"; cat "$tmp/out"; fi
	check "$f: disable restores the file byte for byte" cmp "$c" "$c.orig"
	check "$f: disable removes the backup it no longer needs" test ! -e "$c.pkicards-bak"
	pc -f "$c" status >/dev/null 2>&1
	check "$f: status after disable: not enabled (exit 3)" test $? = 3
	check "$f: disable twice changes nothing" sh -c "sh '$tool' -f '$c' disable && cmp '$c' '$c.orig'"
done

# Debian's file: our pkcs15 lines go into its framework pkcs15 block (OpenSC
# reads only the first such block)
c=$tmp/debian.conf
pc -f "$c" enable >/dev/null 2>&1
check "debian: one framework pkcs15 block" sh -c "[ \$(grep -c 'framework pkcs15' '$c') = 1 ]"
check "debian: pkcs15init lines inside it" \
	sh -c "awk '/framework pkcs15/{f=1} f && /pkcs15init acos5_ext/{print; exit}' '$c' | grep -q ."
# the admin's own list follows ours; its line is kept as a comment
c=$tmp/admin.conf
pc -f "$c" enable >/dev/null 2>&1
check "admin: list is ours + theirs" grep -q '^[[:space:]]*card_drivers = acos5_ext, starcos_ext, npa, internal;' "$c"
check "admin: their line kept as a comment" grep -q '^#pkicards-conf disabled: 	card_drivers = npa, internal;   # our list$' "$c"
check "admin: still no newline at the end" sh -c "[ \"\$(tail -c 1 '$c')\" = '#' ] || tail -c 10 '$c' | grep -q 'the end\$'"

# disable after the admin changed something else: their change stays, ours goes
c=$tmp/debian.conf
cp "$c.orig" "$c"
pc -f "$c" enable >/dev/null 2>&1
sed -i 's/^\t# debug = 3;$/\tdebug = 1;/' "$c"
pc -f "$c" disable >/dev/null 2>&1
check "edited: the admin's change survives disable" grep -q '^	debug = 1;$' "$c"
check "edited: our lines are gone" sh -c "! grep -q 'pkicards' '$c'"
check "edited: a backup of the file before disable is kept" grep -q 'BEGIN pkicards' "$c.pkicards-bak"
rm -f "$c.pkicards-bak"

# refusals change nothing and leave no backup
refuse() { # NAME CONTENT WHY-PATTERN
	c=$tmp/refuse-$1.conf
	printf '%b' "$2" >"$c"
	cp "$c" "$c.orig"
	if pc -f "$c" enable >"$tmp/out" 2>&1; then not_ok "$1: refused"; else ok "$1: refused"; fi
	check "$1: says why" grep -q "$3" "$tmp/out"
	check "$1: file unchanged" cmp "$c" "$c.orig"
	check "$1: no backup" test ! -e "$c.pkicards-bak"
}
refuse by-hand 'app default {\n\tcard_driver acos5_ext { module = /x.so; }\n}\n' 'by hand'
refuse other-list 'app default {\n}\napp opensc-pkcs11 {\n\tcard_drivers = cardos;\n}\n' 'own card_drivers list'
refuse one-line 'app default { debug = 0; }\n' 'on a line of its own'
refuse unbalanced 'app default {\n\tdebug = 0;\n' 'not closed'
refuse mixed-line-ends 'app default {\r\n\tdebug = 0;\n}\r\n' 'mixes Windows (CR LF) and Unix (LF) line ends'

# print = the installed snippet's lines, which OpenSC parses
pc print >"$tmp/print.conf"
check_load "print: an opensc.conf OpenSC loads our drivers from" \
	sh -c "OPENSC_CONF='$tmp/print.conf' opensc-tool -D | grep -q '^  acos5_ext '"
check "usage error exits 2" sh -c "sh '$tool' frobnicate; [ \$? = 2 ]"
check "-f DIRECTORY: named as a directory, nothing written" \
	sh -c "sh '$tool' -f '$mods' enable 2>&1 | grep -q 'is a directory: -f takes' && [ \$(ls '$mods' | wc -l) = 3 ]"

if [ $failures -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
