#!/bin/bash
# bridge.sh: the PC/SC bridge of the wine prefix (doc/windows.md, "The PC/SC
# bridge"). pcsc-probe.exe calls winscard.dll as OpenSC and a Base CSP do;
# what crosses the bridge must be what the Linux side sees: the readers
# (ANSI and wide names, auto-allocated lists), card presence and ATRs (as
# Linux opensc-tool reads them), the reader name from SCardStatus and
# SCardGetAttrib(SCARD_ATTR_DEVICE_SYSTEM_NAME_A), and for each APDU the
# very response the simulator logged.
. "$(dirname "$0")/../integration/lib.sh"
. "$top/tests/windows/env.sh"
win_skip_unless_buildable
win="$top/tests/windows/run"
# the prefix once (OpenSC, our installer); then every run skips the check
"$top/tests/windows/setup-prefix" || { not_ok "tests/windows/setup-prefix failed"; finish; }
export PKICARDS_WIN_READY=1
cards=acos5-64v2,starcos-spk24

cat >"$tmp/session.sh" <<'SH'
win=$1
for r in 0 1; do echo "linux-atr $r $(opensc-tool -r $r -a 2>/dev/null | tail -n 1)"; done
opensc-tool -l 2>/dev/null | sed -n 's/^[0-9] .*  \(pkicards vpcd.*\)$/linux-reader \1/p'
"$win" pcsc-probe.exe 0084000008 0084000008
echo "probe status $?"
SH
$with_card --apdu-log "$tmp/apdu0" --apdu-log "$tmp/apdu1" "$cards" -- bash "$tmp/session.sh" "$win" 2>&1 </dev/null |
	tr -d '\r' >"$tmp/out" # (Windows programs end their lines with CR LF)
cat "$tmp/out"

expect_match "pcsc-probe.exe ran to the end" "^probe status 0\$" "$tmp/out"
n=$(grep -c '^reader ' "$tmp/out")
[ "$n" = 2 ] && ok "two readers listed (ANSI list)" || not_ok "readers listed: $n"
for r in 0 1; do
	name=$(sed -n 's/^linux-reader //p' "$tmp/out" | sed -n "$((r + 1))p")
	atr=$(sed -n "s/^linux-atr $r //p" "$tmp/out" | tr -d ':' | tr a-f A-F)
	[ -n "$name" ] && [ -n "$atr" ] || { not_ok "reader $r: no Linux name or ATR"; continue; }
	expect_match "reader $r: ANSI name as on Linux" "^reader $name\$" "$tmp/out"
	expect_match "reader $r: SCardGetStatusChangeA: present, ATR as on Linux" "^state $name present=1 atr=$atr\$" "$tmp/out"
	expect_match "reader $r: SCardGetStatusChangeW: wide name, present, ATR" "^statew $name present=1 atr=$atr\$" "$tmp/out"
	expect_match "reader $r: SCardStatusA: name, state SPECIFIC (6), ATR" "^status name=$name state=6 protocol=T[01] atr=$atr\$" "$tmp/out"
	expect_match "reader $r: SCardStatusW (auto-allocated): name, ATR" "^statusw name=$name atr=$atr\$" "$tmp/out"
	expect_match "reader $r: SCardGetAttrib(DEVICE_SYSTEM_NAME_A)" "^attr system-name=$name\$" "$tmp/out"
done
# every response printed by the probe is the one the simulator logged
for r in 0 1; do
	want=$(awk '$1 == "0084000008" { print $2 }' "$tmp/apdu$r")
	got=$(awk -v r=$r '/^reader / { n++ } /^transmit / && n == r + 1 { print $4 }' "$tmp/out")
	if [ -n "$want" ] && [ "$(echo $want)" = "$(echo $got)" ] && [ "$(echo "$got" | wc -l)" = 2 ] &&
		[ "$(echo "$got" | sort -u | wc -l)" = 2 ]; then
		ok "reader $r: SCardTransmit: two GET CHALLENGE answers, as the simulator logged them"
	else
		not_ok "reader $r: transmit answers '$(echo $got)', simulator logged '$(echo $want)'"
	fi
done
finish
