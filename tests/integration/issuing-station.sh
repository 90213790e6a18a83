#!/bin/bash
# Issuing station (issue 12, doc/issuing.md): tools/pkicards-issue
# personalises 8 cards in 8 readers from one batch file, one of them a card
# that is not blank (it fails at personalise): the 7 others are issued
# (their PIN letters' PINs verify on them, their public keys and request
# are theirs), the failure is named and the exit status says so, no
# generated PIN appears in the station's output or logs. With the real-card
# time model the 8 cards take at most 1.3 times as long as one card alone,
# measured from the simulators' own time stamps (first to last APDU).
. "$(dirname "$0")/lib.sh"

issue=$build/tools/pkicards-issue
# eight simulators and pcscd's second slots take a while on a busy machine
export WITH_CARD_WAIT_MS=60000
export PKICARDS_SO_PIN=87654321 PKICARDS_SO_PUK=12345678
key=rsa/1024 # 12 s of key generation on the real card: long enough to dominate the host's part

# card_time COSTLOG...: the run's duration in simulated card time. Each
# card's own time is what its exchanges cost on the real card (the time
# model, column 3 of its cost log) plus every pause of more than 5 s in
# which it got no command: the host's work between two commands (a process
# starting, a key being sent, on a machine busy with other jobs) takes less
# than that, so such a pause is the card waiting for another card (a
# station serving the cards one after another, or a lock shared between
# them). The run takes as long as its slowest card. Without the host's own
# time, the result does not depend on how loaded the machine is.
card_time() {
	awk 'FNR == 1 { if (n++) flush(); t = 0; first = $1; if (first < start || n == 1) start = first; prev = "" }
		{ t += $3 / 1000; if (prev != "" && $1 - prev > 5) t += $1 - prev; prev = $2 }
		function flush() { cards[n - 1] = t; firsts[n - 1] = first }
		END { flush(); m = 0
			for (i in cards) { w = cards[i] + (firsts[i] - start > 5 ? firsts[i] - start : 0); if (w > m) m = w }
			printf "%.2f\n", m }' "$@"
}

# One card alone
mkdir -p "$tmp/one"
echo "Solo Holder;random;$tmp/one/solo.letter;$tmp/one/solo.pem" >"$tmp/one/batch"
$with_card --timing real --cost-log "$tmp/one/cost" --serial A50200000100 acos5-64v2 -- \
	"$issue" --key $key --logs "$tmp/one/logs" "$tmp/one/batch" >"$tmp/one/out" 2>&1
st=$?
if [ $st = 0 ] && [ -s "$tmp/one/solo.pem" ]; then
	ok "one card issued"
else
	not_ok "one card: exit $st:"; sed 's/^/    /' "$tmp/one/out"
fi

# Eight readers; one card is already personalised (demo image, serial
# A50200000144; which reader it lands in is pcscd's business)
cards= costs=() serials=() states=()
: >"$tmp/batch"
for i in 0 1 2 3 4 5 6 7; do
	c=acos5-64v2
	[ $i = 4 ] && c=acos5-64v2:demo
	cards+=${cards:+,}$c
	costs+=(--cost-log "$tmp/cost.$i")
	serials+=(--serial "A502000001$i$i")
	states+=(--state "$tmp/card.$i.state")
	pin=random
	[ $i = 2 ] && pin=24681357
	out=$tmp/holder$i.pem
	[ $i = 1 ] || [ $i = 6 ] && out=$tmp/holder$i.csr
	echo "Holder $i;$pin;$tmp/holder$i.letter;$out" >>"$tmp/batch"
done
$with_card --timing real "${costs[@]}" "${serials[@]}" "${states[@]}" "$cards" -- \
	"$issue" --key $key --logs "$tmp/logs" "$tmp/batch" >"$tmp/out" 2>&1
st=$?
[ $st = 1 ] && ok "exit status 1: a card failed" || not_ok "exit status $st, not 1"
# summary lines: "  reader R: Holder N: issued (card SERIAL)" / "... FAILED personalise -- see LOG"
sed -n 's/^  reader \([0-7]\): Holder \([0-7]\): issued (card \([0-9A-F]*\))$/\1 \2 \3/p' "$tmp/out" >"$tmp/issued"
sed -n 's/^  reader \([0-7]\): Holder \([0-7]\): FAILED personalise -- see .*/\1 \2/p' "$tmp/out" >"$tmp/failed"
if [ "$(wc -l <"$tmp/issued")" = 7 ] && [ "$(wc -l <"$tmp/failed")" = 1 ]; then
	ok "7 cards issued, 1 failure named with its step"
else
	not_ok "not 7 issued and 1 failed:"; sed 's/^/    /' "$tmp/out"
fi
if grep -q "^reader [0-7]: Holder [0-7]: personalise" "$tmp/out" &&
		[ "$(grep -c '^reader [0-7]: Holder [0-7]: ' "$tmp/out")" -ge 28 ]; then
	ok "a progress line per card and step"
else
	not_ok "no progress lines"
fi

# the failed reader holds the card that was not blank; each letter's PIN
# verifies on its card; each public key and the request are the card's own
cat >"$tmp/check.sh" <<'SH'
set -u
dir=$1
read -r r _ <"$dir/failed"
echo "failed reader serial $(opensc-tool --reader "$r" --serial 2>/dev/null | grep -oE '^([0-9A-F]{2} )+' | tr -d ' ')"
while read -r r n s; do
	PKICARDS_PIN=$(sed -n 's/^User PIN: *//p' "$dir/holder$n.letter")
	export PKICARDS_PIN
	pkcs15-tool --reader "$r" --verify-pin --auth-id 01 --pin env:PKICARDS_PIN >/dev/null 2>&1 &&
		echo "pin $n ok"
	pkcs15-tool --reader "$r" --read-public-key 45 -o "$dir/card$n.pem" >/dev/null 2>&1
	if [ -f "$dir/holder$n.csr" ]; then
		openssl req -in "$dir/holder$n.csr" -verify -noout 2>/dev/null &&
			openssl req -in "$dir/holder$n.csr" -pubkey -noout >"$dir/holder$n.pem" && echo "csr $n verified"
	fi
	cmp -s <(openssl pkey -pubin -in "$dir/card$n.pem" -outform DER 2>/dev/null) \
		<(openssl pkey -pubin -in "$dir/holder$n.pem" -outform DER 2>/dev/null) && echo "key $n ok"
done <"$dir/issued"
SH
$with_card "${serials[@]}" "${states[@]}" "$cards" -- bash "$tmp/check.sh" "$tmp" >"$tmp/check" 2>&1
expect_match "the failure is the card that was not blank" "^failed reader serial A50200000144$" "$tmp/check"
[ "$(grep -c '^pin [0-7] ok$' "$tmp/check")" = 7 ] && ok "each PIN letter's PIN verifies on its card" ||
	{ not_ok "PIN letters:"; sed 's/^/    /' "$tmp/check"; }
[ "$(grep -c '^key [0-7] ok$' "$tmp/check")" = 7 ] && ok "each output holds its card's public key" ||
	{ not_ok "public keys:"; sed 's/^/    /' "$tmp/check"; }
# holders 1 and 6 asked for a request; one of them may be the failed card's
ncsr=$(grep -c '^csr [16] verified$' "$tmp/check")
nreq=$(awk '$2 == 1 || $2 == 6' "$tmp/issued" | wc -l)
[ "$nreq" -ge 1 ] && [ "$ncsr" = "$nreq" ] && ok "each request is signed on its card ($ncsr)" ||
	not_ok "$ncsr of $nreq requests verified"
if [ "$(stat -c %a "$tmp/holder0.letter")" = 600 ]; then
	ok "PIN letters are private (0600)"
else
	not_ok "PIN letter mode $(stat -c %a "$tmp/holder0.letter")"
fi
read -r _ fn <"$tmp/failed"
[ -n "${fn:-}" ] && [ ! -e "$tmp/holder$fn.letter" ] && ok "no letter for the failed card" ||
	not_ok "a letter for the failed card"

# no PIN or PUK it generated in its output or logs
leaks=0
for i in 0 1 2 3 4 5 6 7; do
	[ -f "$tmp/holder$i.letter" ] || continue
	for what in "User PIN" "PUK"; do
		v=$(sed -n "s/^$what: *//p" "$tmp/holder$i.letter")
		[ -n "$v" ] || continue
		if grep -rqF -- "$v" "$tmp/out" "$tmp/logs"; then
			leaks=$((leaks + 1))
		fi
	done
done
[ $leaks = 0 ] && ok "no PIN or PUK in the station's output or logs" || not_ok "$leaks PINs/PUKs leaked"

# time on the real card: 8 cards at most 1.3 times one card
t1=$(card_time "$tmp/one/cost")
t8=$(card_time "$tmp"/cost.[0-7])
wall() { awk 'NR == 1 || $1 < a { a = $1 } NR == 1 || $2 > b { b = $2 } END { printf "%.1f", b - a }' "$@"; }
echo "# simulated card time: one card $t1 s, eight cards $t8 s (first to last APDU on this host: $(wall "$tmp/one/cost") s and $(wall "$tmp"/cost.[0-7]) s)"
if awk -v a="$t1" -v b="$t8" 'BEGIN { exit !(a > 5 && b > a / 2 && b <= 1.3 * a) }'; then
	ok "8 cards in $t8 s, one card in $t1 s: within 1.3x"
else
	not_ok "8 cards in $t8 s, one card in $t1 s: more than 1.3x (or the time model is off)"
fi
finish
