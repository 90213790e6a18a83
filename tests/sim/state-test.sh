#!/bin/sh
# State-file tests: corrupt/unreadable files end with exit status 2 and a
# message naming the file; a truncated or edited state file is refused for
# its checksum (also when the edit still parses); kill -9 during a write loop
# never leaves a state that cannot be loaded.
# usage: state-test.sh CARDSIM APDU_RUN SCRIPT_DIR WORK_DIR
set -u
CARDSIM=$1 APDU_RUN=$2 SCRIPTS=$3 WORK=$4
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. a valid state file to start from (factory card + image)
"$APDU_RUN" "$SCRIPTS/acos5-demo.apdu" -- "$CARDSIM" --card acos5-64v2:demo \
	--state "$WORK/good.state" || fail "demo run with a new state file"
head -n 1 "$WORK/good.state" | grep -qx 'cardsim-image 1' || fail "state header"
grep -q '^card acos5-64v2$' "$WORK/good.state" || fail "state card line"
tail -n 1 "$WORK/good.state" | grep -Eqx 'checksum sha256 [0-9a-f]{64}' || fail "state checksum line"

# 2. corrupt state files: exit status 2, the file named on stderr
corrupt() {	# NAME [WORD]: $WORK/NAME.state must fail to load (message with WORD)
	f="$WORK/$1.state"
	"$CARDSIM" --card acos5-64v2 --state "$f" --port 1 2> "$WORK/err" &
	pid=$!
	( sleep 5; kill -9 $pid 2>/dev/null ) &
	watchdog=$!
	wait $pid
	rc=$?
	kill $watchdog 2>/dev/null
	[ $rc -eq 2 ] || fail "$1: exit status $rc, expected 2"
	grep -q "$f" "$WORK/err" || fail "$1: message does not name the file: $(cat "$WORK/err")"
	[ -z "${2:-}" ] || grep -q "$2" "$WORK/err" || fail "$1: message does not say '$2': $(cat "$WORK/err")"
}
G="$WORK/good.state"
zeros=$(printf '%0120d' 0)
printf 'hello\n' > "$WORK/garbage.state"
: > "$WORK/empty.state"
printf 'cardsim-image 1\n' > "$WORK/no-card.state"
printf '\000\001\002binary' > "$WORK/binary.state"
printf 'cardsim-image 2\ncard acos5-64v2\n' > "$WORK/version.state"
sed 's/^card acos5-64v2$/card starcos-3.4/' "$G" > "$WORK/wrong-card.state"
sed 's#^\(EF 3F00/0001\) fdb=.*$#\1 fd#' "$G" > "$WORK/truncated-line.state"
sed 's#^\(EF 3F00/2F00 .*data=..\)#\1Z#' "$G" > "$WORK/bad-hex.state"
sed 's#^\(EF 3F00/2F00 .*\)size=0021#\1size=10000#' "$G" > "$WORK/bad-size.state"
sed 's#^\(EF 3F00/2F00 .*\)size=0021#\1size=0002#' "$G" > "$WORK/data-too-long.state"
sed 's#^EF 3F00/4100/4101#EF 3F00/4200/4101#' "$G" > "$WORK/no-parent.state"
sed 's#^EF 3F00/4100/4103 .*$#&\n&#' "$G" > "$WORK/duplicate.state"
sed "s/rec=800101A406830181950108/rec=800101A406830181950108$zeros/" "$G" > "$WORK/record-too-long.state"
sed 's/^serial .*/serial 0102/' "$G" > "$WORK/short-serial.state"
sed 's/^eeprom .*/eeprom D000=01/' "$G" > "$WORK/bad-eeprom.state"
# each is refused twice: as it is (no or a wrong checksum), and resealed with
# cardsim --seal (then the parser must name the file and line)
for name in garbage empty no-card binary version wrong-card truncated-line bad-hex bad-size \
	data-too-long no-parent duplicate record-too-long short-serial bad-eeprom; do
	cmp -s "$G" "$WORK/$name.state" && fail "$name: test file equals the good state"
	corrupt $name checksum
	if "$CARDSIM" --seal "$WORK/$name.state" 2>"$WORK/err"; then
		corrupt $name "$name.state:[0-9]"
	else
		grep -q "$name.state" "$WORK/err" || fail "$name: --seal message does not name the file"
	fi
done

# truncated or edited state files, also where the rest would still parse
head -n -1 "$G" > "$WORK/no-sum.state"
head -n 8 "$G" > "$WORK/cut-lines.state"
head -c 700 "$G" > "$WORK/cut-bytes.state"
sed 's#^\(EF 3F00/2F00 .*data=\)..#\100#' "$G" > "$WORK/edited.state"
sed 's/^\(checksum sha256 \).*/\1'"$(printf '%064d' 0)"'/' "$G" > "$WORK/bad-sum.state"
{ tail -n 1 "$G"; head -n -1 "$G"; } > "$WORK/sum-first.state"
for name in no-sum cut-lines cut-bytes edited bad-sum sum-first; do
	cmp -s "$G" "$WORK/$name.state" && fail "$name: test file equals the good state"
	corrupt $name checksum
done
# a deliberate edit, resealed, loads and shows the edit
cp "$WORK/edited.state" "$WORK/resealed.state"
"$CARDSIM" --seal "$WORK/resealed.state" || fail "--seal of an edited state"
printf '> 00 A4 00 00 02 2F 00\n< 61 ..\n> 00 B0 00 00 01\n< 00 90 00\n' > "$WORK/edited.apdu"
"$APDU_RUN" "$WORK/edited.apdu" -- "$CARDSIM" --card acos5-64v2 --state "$WORK/resealed.state" \
	> /dev/null 2> "$WORK/err" || fail "resealed state: $(cat "$WORK/err")"
mkdir -p "$WORK/dir.state"
"$CARDSIM" --card acos5-64v2 --state "$WORK/dir.state" --port 1 2> "$WORK/err"
[ $? -eq 2 ] || fail "directory as state file"
# an image that does not parse is the same error class
"$CARDSIM" --card acos5-64v2:"$WORK/garbage.state" --port 1 2> "$WORK/err"
[ $? -eq 2 ] || fail "corrupt image"
grep -q garbage.state "$WORK/err" || fail "image error names the file"

# 3. kill -9 while the card writes its state in a loop
loop="$WORK/writeloop.apdu"
{
	echo "> 00 A4 00 00 02 41 00"; echo "< 61 .."
	echo "> 00 A4 00 00 02 50 32"; echo "< 61 .."
	i=0
	while [ $i -lt 400 ]; do
		b=$(printf '%02X' $((i % 256)))
		echo "> 00 D6 00 00 08 $b $b $b $b $b $b $b $b"; echo "< 90 00"
		i=$((i + 1))
	done
} > "$loop"
check="$WORK/check.apdu"
printf '> 00 A4 00 00 02 41 00\n< 61 ..\n> 00 A4 00 00 02 50 32\n< 61 ..\n> 00 B0 00 00 08\n< * 90 00\n' > "$check"
cp "$WORK/good.state" "$WORK/kill.state"
n=0
while [ $n -lt 12 ]; do
	"$APDU_RUN" --pid-file "$WORK/pid" "$loop" -- "$CARDSIM" --card acos5-64v2 \
		--state "$WORK/kill.state" > /dev/null 2>&1 &
	runner=$!
	sleep 0.$((3 + n % 5))
	[ -s "$WORK/pid" ] && kill -9 "$(cat "$WORK/pid")" 2>/dev/null
	wait $runner
	rm -f "$WORK/pid"
	"$APDU_RUN" "$check" -- "$CARDSIM" --card acos5-64v2 --state "$WORK/kill.state" \
		> /dev/null 2> "$WORK/err" || fail "state unusable after kill -9 (round $n): $(cat "$WORK/err")"
	n=$((n + 1))
done
echo "state tests passed"
