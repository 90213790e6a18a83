#!/bin/bash
# Issuing station, bad input (doc/issuing.md): a batch that cannot be carried
# out whole is refused before any card is touched (exit 2, the line and the
# reason named, no EEPROM write), and a card that fails after it got its
# PIN keeps its PIN letter, so that no card ends up with a PIN nobody knows.
. "$(dirname "$0")/lib.sh"

issue=$build/tools/pkicards-issue
export PKICARDS_SO_PIN=87654321 PKICARDS_SO_PUK=12345678

# writes COST-LOG: the EEPROM writes a card's cost log counts
writes() { awk '{ n += $4 } END { print n + 0 }' "$1" 2>/dev/null || echo 0; }

# refused WHAT BATCH-LINES MESSAGE-REGEX [OPTIONS...]: exit 2 with that
# message, and the card got no EEPROM write
refused() {
	local what=$1 lines=$2 want=$3 st writes
	shift 3
	printf '%s\n' "$lines" >"$tmp/batch"
	rm -f "$tmp/cost"
	$with_card --cost-log "$tmp/cost" acos5-64v2 -- \
		"$issue" --key rsa/1024 "$@" --logs "$tmp/logs" "$tmp/batch" >"$tmp/out" 2>&1
	st=$?
	writes=$(writes "$tmp/cost")
	if [ $st = 2 ] && grep -Eq -- "$want" "$tmp/out" && [ "$writes" = 0 ] && ! ls "$tmp"/*.letter >/dev/null 2>&1; then
		ok "$what: refused before any card is touched"
	else
		not_ok "$what: exit $st, $writes EEPROM writes, output:"; sed 's/^/    /' "$tmp/out"
	fi
}

refused "PIN letter in a missing directory" "Alice;random;$tmp/nodir/a.letter;$tmp/a.pem" \
	"line 1: cannot create the PIN letter $tmp/nodir/a.letter"
refused "output in a missing directory" "Alice;random;$tmp/a.letter;$tmp/nodir/a.pem" \
	"line 1: cannot create $tmp/nodir/a.pem"
refused "two holders, one PIN letter" "Alice;random;$tmp/a.letter;$tmp/a.pem
Bob;random;$tmp/a.letter;$tmp/b.pem" "lines 1 and 2: both write to the same file"
refused "a label PKCS#11 cannot show" "$(printf 'L%.0s' {1..33});random;$tmp/a.letter;$tmp/a.pem" \
	"line 1: the label has at most 32 bytes"
refused "a PIN of letters" "Alice;abcdefgh;$tmp/a.letter;$tmp/a.pem" "line 1: the PIN must be 4 to 8 digits"
# an SO PIN or SO PUK our profiles do not take (before: accepted, and every
# card then failed at personalise with "Wrong length")
PKICARDS_SO_PIN=123 refused "an SO PIN of 3 characters" "Alice;random;$tmp/a.letter;$tmp/a.pem" \
	"PKICARDS_SO_PIN must have 4 to 8 characters of ASCII, not 3 bytes$"
PKICARDS_SO_PUK=123456789 refused "an SO PUK of 9 characters" "Alice;random;$tmp/a.letter;$tmp/a.pem" \
	"PKICARDS_SO_PUK must have 4 to 8 characters of ASCII, not 9 bytes$"
PKICARDS_SO_PIN=$(printf 'S\303\266ren12') refused "an SO PIN with a letter outside ASCII" \
	"Alice;random;$tmp/a.letter;$tmp/a.pem" "PKICARDS_SO_PIN must have 4 to 8 characters of ASCII, not 8 bytes with a letter outside ASCII"
refused "a key size no card has" "Alice;random;$tmp/a.letter;$tmp/a.pem" "--key takes rsa/BITS, not 'rsa/99999999999'" \
	--key rsa/99999999999
# a batch saved in a Western code page (before: the Latin-1 byte went onto
# the card as the UTF8String token label), and a tab
refused "a label in Latin-1" "$(printf 'J\374rgen;random;%s;%s' "$tmp/a.letter" "$tmp/a.pem")" \
	"line 1: byte 2 is not UTF-8: save the batch file as UTF-8 text"
refused "a tab in a line" "$(printf 'Alice\tExample;random;%s;%s' "$tmp/a.letter" "$tmp/a.pem")" \
	"line 1: byte 6 is a control character"

# A batch saved on Windows (a UTF-8 byte order mark, CR LF) is read as
# written: the label on the card has no mark, the files no CR in their names
# (before: the card's label began with EF BB BF, the public key went to
# "h.pem\r")
printf '\357\273\277Holder %s;random;%s;%s\r\n' "$(printf '\303\234mit')" "$tmp/h.letter" "$tmp/h.pem" >"$tmp/batch"
$with_card --state "$tmp/h.state" acos5-64v2 -- \
	"$issue" --key rsa/1024 --logs "$tmp/logs" "$tmp/batch" >"$tmp/out" 2>&1
st=$?
[ $st = 0 ] && grep -q "Holder Ümit: issued" "$tmp/out" && ok "a batch with BOM and CR LF: issued" ||
	{ not_ok "BOM and CR LF: exit $st:"; sed 's/^/    /' "$tmp/out"; }
$with_card --state "$tmp/h.state" acos5-64v2 -- sh -c \
	"pkcs15-tool -D; pkcs15-tool --read-public-key 45 -o '$tmp/h.card.pem'" >"$tmp/h.list" 2>&1
expect_match "the token label is the holder's, without the byte order mark" '^PKCS#15 Card \[Holder Ümit\]:$' "$tmp/h.list"
if [ -f "$tmp/h.pem" ] && [ -f "$tmp/h.letter" ] && cmp -s "$tmp/h.pem" "$tmp/h.card.pem"; then
	ok "the public key and the letter have the names of the batch, the key is the card's"
else
	not_ok "files written: $(ls "$tmp" | grep '^h\.' | od -c | head -3)"
fi

# The card leaves the reader at GENERATE KEY PAIR, after store-pin: the
# letter stays, names the card's PIN, and the summary says to keep it
echo "Carol;random;$tmp/c.letter;$tmp/c.pem" >"$tmp/batch"
$with_card --state "$tmp/card.state" --remove-on 0046 acos5-64v2 -- \
	"$issue" --key rsa/1024 --logs "$tmp/logs" "$tmp/batch" >"$tmp/out" 2>&1
st=$?
[ $st = 1 ] && grep -q "Carol: FAILED generate-key" "$tmp/out" && ok "a card pulled during key generation: FAILED generate-key, exit 1" ||
	{ not_ok "pulled card: exit $st:"; sed 's/^/    /' "$tmp/out"; }
expect_match "the summary says to keep the letter" "Carol: the card may hold the PIN of $tmp/c.letter: keep that letter" "$tmp/out"
if [ -f "$tmp/c.letter" ] && [ "$(stat -c %a "$tmp/c.letter")" = 600 ]; then
	PKICARDS_PIN=$(sed -n 's/^User PIN: *//p' "$tmp/c.letter")
	export PKICARDS_PIN
	$with_card --state "$tmp/card.state" acos5-64v2 -- \
		pkcs15-tool --verify-pin --auth-id 01 --pin env:PKICARDS_PIN >"$tmp/verify" 2>&1 &&
		ok "the kept letter's PIN verifies on the card" || { not_ok "the letter's PIN:"; sed 's/^/    /' "$tmp/verify"; }
else
	not_ok "no private PIN letter for the card that got its PIN"
fi

# A card that is not blank fails at personalise: no letter is left
echo "Dave;random;$tmp/d.letter;$tmp/d.pem" >"$tmp/batch"
$with_card acos5-64v2:demo -- "$issue" --key rsa/1024 --logs "$tmp/logs" "$tmp/batch" >"$tmp/out" 2>&1
st=$?
if [ $st = 1 ] && grep -q "Dave: FAILED personalise" "$tmp/out" && [ ! -e "$tmp/d.letter" ] &&
		! grep -q "keep that letter" "$tmp/out"; then
	ok "a card that is not blank: FAILED personalise, no letter left"
else
	not_ok "card not blank: exit $st, letter $(ls "$tmp/d.letter" 2>&1):"; sed 's/^/    /' "$tmp/out"
fi
# A card that another driver of OpenSC serves (someone's own token left in a
# reader; here the SPK 2.3 under OpenSC's built-in starcos driver, which has
# a pkcs15-init profile of its own) fails at "check": nothing is written,
# no letter (before: personalised with OpenSC's profile, not ours)
echo "Heidi;random;$tmp/i.letter;$tmp/i.pem" >"$tmp/batch"
rm -f "$tmp/cost"
$with_card --driver internal --cost-log "$tmp/cost" starcos-spk23 -- \
	"$issue" --key rsa/1024 --logs "$tmp/logs" "$tmp/batch" >"$tmp/out" 2>&1
st=$?
writes=$(writes "$tmp/cost")
if [ $st = 1 ] && grep -q "Heidi: FAILED check (this card (.*OpenSC's driver 'starcos') is not an ACOS5 or StarCOS card of pkicards: nothing was written" "$tmp/out" &&
		[ "$writes" = 0 ] && [ ! -e "$tmp/i.letter" ]; then
	ok "a card of another OpenSC driver: FAILED check, nothing written, no letter"
else
	not_ok "card of another driver: exit $st, $writes EEPROM writes, letter $(ls "$tmp/i.letter" 2>&1):"; sed 's/^/    /' "$tmp/out"
fi
# A card that cannot generate the batch's key size (the ACOS5-64 V3 leaves
# the factory in FIPS mode: 2048 and 3072 bits) or any key (a StarCOS 3.4
# issuer card) fails at "check" with the reason, before anything is written:
# no EEPROM write on either, no letter; the other card is issued
printf 'Erin;random;%s;%s\nFrank;random;%s;%s\nGrace;random;%s;%s\n' "$tmp/e.letter" "$tmp/e.pem" \
	"$tmp/f.letter" "$tmp/f.pem" "$tmp/g.letter" "$tmp/g.pem" >"$tmp/batch"
rm -f "$tmp/cost"*
$with_card --cost-log "$tmp/cost.v3" --cost-log "$tmp/cost.sc34" --cost-log "$tmp/cost.v2" \
	acos5-64v3,starcos-3.4:dtrust,acos5-64v2 -- \
	"$issue" --key rsa/1024 --logs "$tmp/logs" "$tmp/batch" >"$tmp/out" 2>&1
st=$?
[ $st = 1 ] && ok "a card that cannot generate the key: exit 1" || not_ok "cannot generate: exit $st"
expect_match "V3 in FIPS mode: FAILED check, with the sizes it generates" \
	"Erin: FAILED check \\(this card \\(ACOS5-64 V3 \\(FIPS mode\\)\\) generates RSA keys of 2048, 3072 bits, not 1024: nothing was written" "$tmp/out"
expect_match "StarCOS 3.4 issuer card: FAILED check, generates no keys" \
	"Frank: FAILED check \\(this card \\(StarCOS 3.4\\) generates no keys" "$tmp/out"
expect_match "the card that can is issued" "Grace: issued" "$tmp/out"
[ "$(writes "$tmp/cost.v3")" = 0 ] && [ "$(writes "$tmp/cost.sc34")" = 0 ] &&
	[ ! -e "$tmp/e.letter" ] && [ ! -e "$tmp/f.letter" ] &&
	ok "nothing written to the refused cards, no letter left for them" ||
	not_ok "refused cards: $(writes "$tmp/cost.v3") and $(writes "$tmp/cost.sc34") EEPROM writes, letters: $(ls "$tmp"/[ef].letter 2>&1)"
finish
