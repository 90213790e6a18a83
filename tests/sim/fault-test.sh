#!/bin/sh
# Fault injection (doc/simulator.md "Faults"): the card as a torn UPDATE
# BINARY of 96 bytes leaves it (before / half: the first two 32-byte pages
# written / after), the run's own state is the WHEN asked for, and bad
# --fault arguments are usage errors.
# usage: fault-test.sh CARDSIM APDU_RUN WORK_DIR
set -u
CARDSIM=$1 APDU_RUN=$2 WORK=$3
rm -rf "$WORK" && mkdir -p "$WORK/states" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }

aa=$(printf 'AA %.0s' $(seq 96))
cat > "$WORK/tear.apdu" <<APDU
# MF, then EF 2F00 of 0x80 bytes (both in creation state), then 96 bytes
> 00 E0 00 00 1B 62 19 83 02 3F 00 8A 01 01 82 02 3F 00 8D 02 00 03 8C 08 7F 01 FF 01 01 01 01 01
< 90 00
> 00 E0 00 00 1E 62 1C 83 02 2F 00 88 01 00 8A 01 01 82 02 01 00 80 02 00 80 8C 08 7F 01 FF 01 01 FF 01 00
< 90 00
> 00 D6 00 00 60 $aa
< 90 00
APDU

# data= of EF 2F00 in a state file
data() { sed -n 's#^EF 3F00/2F00 .* data=\([0-9A-F]*\).*#\1#p' "$1"; }
rep() { printf "$1%.0s" $(seq "$2"); }

for when in before half after; do
	rm -f "$WORK/card.state" "$WORK/states"/*
	"$APDU_RUN" "$WORK/tear.apdu" -- "$CARDSIM" --card acos5-64v2 --state "$WORK/card.state" \
		--fault "remove@3:$when" --fault-gap 0 --fault-states "$WORK/states" \
		> "$WORK/run.log" 2>&1 && fail "$when: the torn APDU was answered"
	for s in before half after; do
		[ -f "$WORK/states/$s.state" ] || fail "$when: no $s.state"
	done
	[ "$(data "$WORK/states/before.state")" = "$(rep 00 128)" ] || fail "before.state: $(data "$WORK/states/before.state")"
	[ "$(data "$WORK/states/after.state")" = "$(rep AA 96)$(rep 00 32)" ] || fail "after.state"
	[ "$(data "$WORK/states/half.state")" = "$(rep AA 64)$(rep 00 64)" ] ||
		fail "half.state: not two pages of AA: $(data "$WORK/states/half.state")"
	cmp -s "$WORK/card.state" "$WORK/states/$when.state" || fail "$when: the card's state is not $when.state"
done

# usage errors
for bad in remove remove@0 remove@x tear@3 reset@3:later mute@; do
	"$CARDSIM" --card acos5-64v2 --fault "$bad" --port 1 2>/dev/null
	[ $? = 1 ] || fail "--fault $bad accepted"
done
echo "fault tests passed"
