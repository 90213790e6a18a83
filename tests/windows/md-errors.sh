#!/bin/bash
# md-errors.sh: what the minidriver gives back when the card is not usable
# (issue 10, acceptance 4; doc/windows.md, "Error codes"), each under wine
# through md-harness.exe, each without a crash, with the CSP's memory all
# given back, and with the card's memory (the simulator's state file)
# unchanged byte for byte:
#   - a blank card (acos5-64v2, starcos-spk24): CardAcquireContext gives
#     SCARD_E_UNKNOWN_CARD (0x8010000D);
#   - a card pulled out while CardSignData waits for the signature
#     (with-card --remove-on): that CardSignData gives
#     SCARD_W_REMOVED_CARD (0x80100069) or, when the reader still reports
#     the card, SCARD_W_UNRESPONSIVE_CARD (0x80100066); calls a moment
#     later (once the reader has noticed) SCARD_E_UNKNOWN_CARD (0x8010000D:
#     OpenSC's minidriver finds no card to attach again); CardDeleteContext
#     succeeds;
#   - a full card (acos5-64v2, starcos-spk24): enrolment refused before
#     anything is written, our message naming the limit; after
#     CardDeleteContainer of an old key the enrolment succeeds.
. "$(dirname "$0")/../integration/lib.sh"
win_run=${PKICARDS_WIN_RUN:-$top/tests/windows/run}
if [ -z "${PKICARDS_WIN_RUN:-}" ]; then
	. "$top/tests/windows/env.sh"
	win_skip_unless_buildable
	# the prefix once (OpenSC, our installer); then every run skips the check
	"$top/tests/windows/setup-prefix" || { not_ok "tests/windows/setup-prefix failed"; finish; }
	export PKICARDS_WIN_READY=1
fi
pin=1234
d=$tmp/w
mkdir -p "$d"

# md OUT STATE CARD [WITH-CARD OPTIONS --] STEP...: one harness run
md() {
	local out=$1 state=$2 card=$3
	shift 3
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	$with_card --state "$state" ${opts[@]+"${opts[@]}"} "$card" -- "$win_run" md-harness.exe "$@" 2>&1 |
		tr -d '\r' >"$out"
	echo "exit ${PIPESTATUS[0]}" >>"$out"
}

# same_state DESC BEFORE AFTER: the card's memory did not change
same_state() {
	if cmp -s "$2" "$3"; then ok "$1"; else not_ok "$1: the card's memory changed"; fi
}

# --- blank cards ----------------------------------------------------------------
for card in acos5-64v2 starcos-spk24; do
	state=$d/$card-blank.state
	$with_card --state "$state" "$card" -- opensc-tool --atr >/dev/null 2>&1
	cp "$state" "$state.before"
	md "$d/$card-blank" "$state" "$card" -- read cardid
	expect_match "$card blank: the registry names its card type" "^find: .* matches=1\$" "$d/$card-blank"
	expect_match "$card blank: CardAcquireContext gives SCARD_E_UNKNOWN_CARD" \
		"^acquire: rc=0x8010000D SCARD_E_UNKNOWN_CARD" "$d/$card-blank"
	expect_match "$card blank: no crash (the harness ends normally, exit 1)" "^exit 1\$" "$d/$card-blank"
	expect_match "$card blank: the CSP's memory all given back" \
		"^memory: .* live=0 foreign=0 failed=0\$" "$d/$card-blank"
	same_state "$card blank: nothing written to the card" "$state.before" "$state"
done

# --- card removed during CardSignData -----------------------------------------
card=acos5-64v2
state=$d/$card.state
p15_personalise "$card" "$state" "$pin" || finish
echo "to be signed" >"$d/data"
hash=$(openssl dgst -sha256 -binary "$d/data" | od -An -tx1 | tr -d ' \n')
cp "$state" "$state.before"
# 00 2A 9E 9A: PERFORM SECURITY OPERATION, compute digital signature
md "$d/removed" "$state" "$card" --remove-on 002A9E9A -- \
	login "$pin" -- sign 0 pkcs1 "$hash" "$d/sig" -- sleep 2000 -- sign 0 pkcs1 "$hash" "$d/sig2" -- login "$pin"
expect_match "$card removed: the PIN verified before" "^login: rc=0x00000000" "$d/removed"
expect_match "$card removed: CardSignData gives SCARD_W_REMOVED_CARD or SCARD_W_UNRESPONSIVE_CARD" \
	"^sign: rc=0x801000(69 SCARD_W_REMOVED_CARD|66 SCARD_W_UNRESPONSIVE_CARD) .*bytes=0" "$d/removed"
# after the pause: OpenSC's minidriver sees no card, tries to attach the
# card again and finds none
if [ "$(sed -n '/^sleep: /,$p' "$d/removed" | grep -c '^\(sign\|login\): rc=0x8010000D SCARD_E_UNKNOWN_CARD')" = 2 ]; then
	ok "$card removed: the calls after it give SCARD_E_UNKNOWN_CARD (no card to attach again)"
else
	not_ok "$card removed: the calls after the removal do not give SCARD_E_UNKNOWN_CARD:"
	sed 's/^/    /' "$d/removed"
fi
expect_match "$card removed: CardDeleteContext succeeds" "^delete: rc=0x00000000" "$d/removed"
expect_match "$card removed: no crash (the harness ends normally, exit 1)" "^exit 1\$" "$d/removed"
expect_match "$card removed: the CSP's memory all given back" \
	"^memory: .* live=0 foreign=0 failed=0\$" "$d/removed"
[ ! -s "$d/sig" ] && ok "$card removed: no signature came out" || not_ok "$card removed: a signature came out"
same_state "$card removed: nothing written to the card" "$state.before" "$state"

# --- a full card: enrolment refused, room made by deleting a key --------------
# Personalised on Linux, then keys generated until our layout has no room
# (ACOS5-64: its 14 key file pairs; SPK 2.4: the 4 key records prepared for
# the user PIN, since enrolment has no SO PIN). Enrolment
# through the minidriver then fails before anything is written; OpenSC's
# minidriver answers any failed key generation SCARD_F_INTERNAL_ERROR, and
# our message (what a console program shows; doc/windows.md) names the
# limit. The user deletes an old key (CardDeleteContainer) and enrols.
for card in acos5-64v2 starcos-spk24; do
	state=$d/$card-full.state
	bits=$(p15_bits "$card")
	p15_personalise "$card" "$state" "$pin" || continue
	$with_card --state "$state" "$card" -- bash -c '
		for i in $(seq 1 40); do
			pkcs15-init --generate-key rsa/'"$bits"' --auth-id 01 --id $((i + 80)) --label "key $i" \
				--key-usage sign,decrypt --pin '"$pin"' >"$0.gen" 2>&1 || { echo "refused $i"; exit 0; }
		done' "$d/$card-fill" >"$d/$card-fill" 2>&1
	n=$(sed -n 's/^refused \([0-9]*\)$/\1/p' "$d/$card-fill")
	case $card in
	acos5*) limit="all 14 key file pairs of the layout are in use" ;;
	*) limit="key slot 95 has no key record" ;; # 91..94 in use (doc/starcos.md)
	esac
	if [ -n "$n" ] && grep -q "pkicards: $limit" "$d/$card-fill.gen"; then
		ok "$card full: filled on Linux ($n keys with the personalised one; then \"$limit\")"
	else
		not_ok "$card full: the card could not be filled on Linux:"
		sed 's/^/    /' "$d/$card-fill" "$d/$card-fill.gen"
		continue
	fi
	cp "$state" "$state.before"
	md "$d/$card-full" "$state" "$card" -- login "$pin" -- enrol "$bits" "$d/$card-full.der"
	expect_match "$card full: CardCreateContainerEx refused (SCARD_F_INTERNAL_ERROR, OpenSC's code)" \
		"^enrol: rc=0x80100001 .* public=0\$" "$d/$card-full"
	expect_match "$card full: the message names the limit" "^pkicards: $limit.*nothing was written to the card\$" "$d/$card-full"
	expect_match "$card full: the CSP's memory all given back" \
		"^memory: .* live=0 foreign=0 failed=0\$" "$d/$card-full"
	same_state "$card full: nothing written to the card" "$state.before" "$state"
	md "$d/$card-room" "$state" "$card" -- login "$pin" -- delete-container 0 -- enrol "$bits" "$d/$card-room.der"
	expect_match "$card full: CardDeleteContainer of container 0" "^delete-container: rc=0x00000000 .* index=0\$" "$d/$card-room"
	expect_match "$card full: then the enrolment generates a key" "^enrol: rc=0x00000000 .* public=$bits\$" "$d/$card-room"
	# a new context lists the new key (OpenSC numbers the containers in
	# the order of the PrKDF: after a deletion the indexes move)
	steps=()
	for c in $(seq 0 15); do steps+=(-- container "$c" "$d/$card-c$c.der"); done
	md "$d/$card-after" "$state" "$card" "${steps[@]}"
	found=
	for c in $(seq 0 15); do
		[ -s "$d/$card-room.der" ] && cmp -s "$d/$card-room.der" "$d/$card-c$c.der" && found=$c
	done
	if [ -n "$found" ]; then
		ok "$card full: a new context finds the new key (container $found)"
	else
		not_ok "$card full: no container of a new context holds the new key"
		sed 's/^/    /' "$d/$card-room" "$d/$card-after"
	fi
done
finish
