#!/bin/bash
# Issue 2 acceptance: every personality is detected by our driver with a
# card name naming its generation, its serial is read, its tree is listed;
# OpenSC's built-in StarCOS driver still handles an SPK 2.3 card when asked.
. "$(dirname "$0")/lib.sh"

# personality | card name | factory serial (doc/simulator.md) | tree (image) | FID in it
cases="
acos5|ACOS5 \(32K, v1\)|A5 01 00 00 00 01|acos5:demo|4100
acos5-64v2|ACOS5-64 V2|A5 02 00 00 00 02|acos5-64v2:demo|4100
acos5-64v3|ACOS5-64 V3 \(FIPS mode\)|A5 03 00 00 00 03 00 03|acos5-64v3:demo|4100
starcos-spk23|StarCOS SPK 2.3|53 50 4B 23 00 00 00 01|starcos-spk23:demo|5015
starcos-spk24|StarCOS SPK 2.4|53 50 4B 24 00 00 00 02|starcos-spk24:demo|5015
starcos-3.4|StarCOS 3.4|80 27 60 00 34 00 00 00 00 01|starcos-3.4|2F02
starcos-3.5|StarCOS 3.5|80 27 60 00 35 00 00 00 00 01|starcos-3.5|2F02
"

while IFS='|' read -r card name serial tree fid; do
	[ -n "$card" ] || continue
	$with_card "$card" -- opensc-tool -v -n >"$tmp/n" 2>/dev/null
	expect_match "$card: our driver" "^Using card driver .*\(pkicards\)\.$" "$tmp/n"
	expect_match "$card: card name" "^Card name: $name\$" "$tmp/n"

	$with_card "$card" -- opensc-tool --serial >"$tmp/s" 2>/dev/null
	nbytes=$(( (${#serial} + 1) / 3 ))
	expect_match "$card: serial $serial" "^$serial .{$nbytes}\$" "$tmp/s"

	run_card "$tmp/f" "$tree" -- opensc-tool -f
	expect_match "$card: tree lists 3F00" "^3f00 type: DF" "$tmp/f"
	expect_match "$card: tree lists $fid" "^ +3f00${fid,,}( |\\[)" "$tmp/f"
done <<<"$cases"

$with_card --driver internal starcos-spk23 -- opensc-tool -v -n >"$tmp/i" 2>/dev/null
expect_match "internal driver for starcos-spk23" "^Using card driver STARCOS\.$" "$tmp/i"
if grep -q "^Using card driver .*pkicards" "$tmp/i"; then not_ok "internal run must not load our driver"; else ok "internal run leaves our driver out"; fi

run_card "$tmp/u" no-such-card -- true
rc=$?
[ $rc -ne 0 ] && ok "unknown card fails ($rc)" || not_ok "unknown card must fail"
expect_match "unknown card lists valid ones" "acos5-64v2" "$tmp/u"

# A blank card says so
$with_card acos5-64v2 -- opensc-tool -f >"$tmp/b" 2>&1
expect_match "blank ACOS5: SELECT of the MF fails with file not found" "SELECT FILE failed: File not found" "$tmp/b"

# --state: the card's memory survives the run and is reused
rm -f "$tmp/card.state"
$with_card --state "$tmp/card.state" starcos-3.5 -- opensc-tool --serial >/dev/null 2>&1
expect_match "state file written" "^cardsim-image 1" "$tmp/card.state"
# EF.GDO (the serial) changed in the state file: only a card read from it shows that
sed -i 's/data=5A0A80276000350000000001$/data=5A0A80276000350000000077/' "$tmp/card.state"
"$build/tests/sim/cardsim" --seal "$tmp/card.state"  # the edit is deliberate (doc/simulator.md)
$with_card --state "$tmp/card.state" starcos-3.5 -- opensc-tool --serial >"$tmp/s2" 2>/dev/null
expect_match "state file reused" "^80 27 60 00 35 00 00 00 00 77" "$tmp/s2"

# Two cards, each in its own reader, in order
$with_card acos5-64v3,starcos-spk24 -- opensc-tool -l >"$tmp/l" 2>&1
expect_match "two readers: first" "^0 +Yes +pkicards vpcd 0 00 00" "$tmp/l"
expect_match "two readers: second" "^1 +Yes +pkicards vpcd 0 00 01" "$tmp/l"
$with_card acos5-64v3,starcos-spk24 -- opensc-tool -r 1 -n >"$tmp/l2" 2>/dev/null
expect_match "second reader holds the second card" "^StarCOS SPK 2.4" "$tmp/l2"

# Two invocations at once: the second waits, both succeed
$with_card acos5 -- sh -c 'sleep 1; opensc-tool -n' >"$tmp/c1" 2>&1 &
p1=$!
$with_card starcos-3.4 -- opensc-tool -n >"$tmp/c2" 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
[ $r1 = 0 ] && [ $r2 = 0 ] && ok "concurrent invocations both succeed" || not_ok "concurrent invocations: $r1 $r2"
expect_match "concurrent: first card" "^ACOS5 \(32K, v1\)" "$tmp/c1"
expect_match "concurrent: second card" "^StarCOS 3.4" "$tmp/c2"

# The command's exit status is with-card's
$with_card acos5 -- sh -c 'exit 7' >/dev/null 2>&1
rc=$?
[ $rc = 7 ] && ok "exit status passed through" || not_ok "exit status: got $rc, want 7"

finish

