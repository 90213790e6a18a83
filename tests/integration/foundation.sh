#!/bin/bash
# Issue 2 acceptance: every personality is detected by our driver with a
# card name naming its generation, its serial is read, its tree is listed;
# OpenSC's built-in StarCOS driver still handles an SPK 2.3 card when asked.
. "$(dirname "$0")/lib.sh"

# personality | expected card name | tree to list (image) | FID the tree must show
cases="
acos5|ACOS5 \(32K, v1\)|acos5:demo|4100
acos5-64v2|ACOS5-64 V2|acos5-64v2:demo|4100
acos5-64v3|ACOS5-64 V3 \((FIPS|64K) mode\)|acos5-64v3:demo|4100
starcos-spk23|StarCOS SPK 2.3|starcos-spk23:demo|5015
starcos-spk24|StarCOS SPK 2.4|starcos-spk24:demo|5015
starcos-3.4|StarCOS 3.4|starcos-3.4|2F02
starcos-3.5|StarCOS 3.5|starcos-3.5|2F02
"

while IFS='|' read -r card name tree fid; do
	[ -n "$card" ] || continue
	run_card "$tmp/n" "$card" -- opensc-tool -v -n
	expect_match "$card: our driver" "^Using card driver .*\(pkicards\)\.$" "$tmp/n"
	expect_match "$card: card name" "^$name\$" "$tmp/n"

	serial=$("$build/tests/sim/cardsim" --list --serials | awk -v c="$card" '$1 == c {print $2}')
	run_card "$tmp/s" "$card" -- opensc-tool --serial
	expect_match "$card: serial $serial" "^$(echo "$serial" | sed 's/../& /g; s/ $//')( |$)" "$tmp/s"

	run_card "$tmp/f" "$tree" -- opensc-tool -f
	expect_match "$card: tree lists 3F00" "^3F00 " "$tmp/f"
	expect_match "$card: tree lists $fid" "^ +3F00$fid " "$tmp/f"
done <<<"$cases"

run_card "$tmp/i" --driver internal starcos-spk23 -- opensc-tool -v -n
expect_match "internal driver for starcos-spk23" "^Using card driver STARCOS" "$tmp/i"
if grep -q pkicards "$tmp/i"; then not_ok "internal run must not load our driver"; else ok "internal run leaves our driver out"; fi

run_card "$tmp/u" no-such-card -- true
rc=$?
[ $rc -ne 0 ] && ok "unknown card fails ($rc)" || not_ok "unknown card must fail"
expect_match "unknown card lists valid ones" "acos5-64v2" "$tmp/u"

finish
