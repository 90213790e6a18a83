#!/bin/bash
# Bad input and the failures of issue 11 that are not faults or concurrency
# (those: fault-sweep, concurrency), each with the state file of the card
# compared before and after where nothing may change:
#  - input checked before anything is written: a PIN or PUK shorter or longer
#    than the card takes, a token label PKCS#11 would cut, a token or
#    object label that is not UTF-8, an object larger than the free EEPROM
#    or than the room left in its directory file, a key size no generation
#    holds, a profile option (+onepin) our profiles lack, no SO PIN, a new
#    PIN with a character outside ASCII (also through pkcs15-tool and
#    PKCS#11); the message names the limit and the card is byte for byte
#    unchanged;
#  - StarCOS SPK 2.3: --delete-objects, then --generate-key,
#    --store-certificate and --store-data again (before: DELETE FILE 00 E4
#    answered 6E 00, "Unsupported CLA byte", or a reused file was too small);
#    a fifth key with the user PIN alone, generated or imported, is refused
#    naming the 4 prepared key slots (before: "Data object not found");
#  - ACOS5: a --store-data that fails leaves no file behind (before: a
#    3000-byte file nothing listed, with every failure);
#  - a logged-in client whose card is swapped for another holder's card in
#    the same reader signs nothing with the other card (CKR_DEVICE_REMOVED).
. "$(dirname "$0")/lib.sh"
so=$p15_so
pin=12345678

# same_card DESC STATE COPY: the card's state file did not change
same_card() {
	if cmp -s "$2" "$3"; then ok "$1: the card is unchanged"; else not_ok "$1: the card changed"; fi
}

# refused DESC PATTERN STATE CARD -- CMD...: CMD fails, its output matches
# PATTERN, and the card (state file STATE) is unchanged
refused() {
	local desc=$1 pat=$2 state=$3
	shift 3
	cp "$state" "$tmp/before.state"
	if run_card "$tmp/out" --state "$state" "$@"; then
		not_ok "$desc: accepted:"
		sed 's/^/    /' "$tmp/out"
	else
		expect_match "$desc: refused, naming the limit" "$pat" "$tmp/out"
	fi
	same_card "$desc" "$tmp/before.state" "$state"
}

for card in acos5-64v2 starcos-spk23; do
	bits=1024
	blank=$tmp/$card.blank
	rm -f "$blank"
	$with_card --state "$blank" "$card" -- true >/dev/null 2>&1
	# PINs and labels at --create-pkcs15 and --store-pin
	refused "$card: SO PIN of 3 digits" "SO PIN must have 4 to 8 characters, not 3" "$blank" \
		"$card" -- pkcs15-init --create-pkcs15 --so-pin 123 --so-puk 12345678
	refused "$card: SO PIN of 9 digits" "SO PIN must have 4 to 8 characters, not 9" "$blank" \
		"$card" -- pkcs15-init --create-pkcs15 --so-pin 123456789 --so-puk 12345678
	refused "$card: SO PUK of 9 digits" "SO PUK must have 4 to 8 characters, not 9" "$blank" \
		"$card" -- pkcs15-init --create-pkcs15 --so-pin $so --so-puk 123456789
	# a PIN with a letter outside ASCII: UTF-8 here, the ANSI code page under
	# Windows, so it would not verify there (before: stored as typed)
	refused "$card: SO PIN with a letter outside ASCII" "SO PIN has a character outside ASCII \\(character 2\\)" \
		"$blank" "$card" -- pkcs15-init --create-pkcs15 --so-pin "$(printf 'S\303\266ren12')" --so-puk 12345678
	# OpenSC's generic "one PIN" personalisation: our profiles have no such
	# option, and OpenSC ignored it (before: the one PIN became an SO PIN,
	# and no key could be generated for it)
	refused "$card: --profile pkcs15+onepin" "personalised with an SO PIN and a user PIN, not with one PIN" \
		"$blank" "$card" -- pkcs15-init --create-pkcs15 --profile pkcs15+onepin --pin 1234 --puk 12345678
	# no SO PIN (before: "Invalid arguments" alone; on SPK 2.x after the MF
	# and DF 5015 were created, and such a card would never have left its
	# creation state)
	refused "$card: --no-so-pin" "personalised with an SO PIN.*give --so-pin SOPIN and --so-puk SOPUK" \
		"$blank" "$card" -- pkcs15-init --create-pkcs15 --no-so-pin --label "pkicards user"
	refused "$card: token label of 33 bytes" "token label has at most 32 bytes" "$blank" \
		"$card" -- pkcs15-init --create-pkcs15 --so-pin $so --so-puk 12345678 \
		--label "a label with more than thirty-two bytes"
	# a label typed in a Latin-1 terminal (before: its bytes went onto the
	# card as the UTF8String TokenInfo label, shown garbled by every client)
	refused "$card: token label in Latin-1" "token label is not UTF-8 text .*byte 2 is not UTF-8" "$blank" \
		"$card" -- pkcs15-init --create-pkcs15 --so-pin $so --so-puk 12345678 --label "$(printf 'J\374rgen')"
	state=$tmp/$card.state
	cp "$blank" "$state"
	if run_card "$tmp/out" --state "$state" "$card" -- pkcs15-init --create-pkcs15 --so-pin $so \
			--so-puk 12345678 --label "pkicards user"; then
		ok "$card: created"
	else
		not_ok "$card: create-pkcs15 failed:"; sed 's/^/    /' "$tmp/out"; continue
	fi
	# --finalize, which SPK 2.x cards personalised before 2026-12-05 need:
	# nothing left to do on either (before, the ACOS5 said "Failed to
	# finalizing card: Not supported")
	cp "$state" "$tmp/before.state"
	if run_card "$tmp/out" --state "$state" "$card" -- pkcs15-init --finalize; then
		ok "$card: --finalize after --create-pkcs15 succeeds"
	else
		not_ok "$card: --finalize failed:"; sed 's/^/    /' "$tmp/out"
	fi
	[ $card = acos5-64v2 ] && expect_match "$card: --finalize says there is nothing to do" \
		"^pkicards: nothing to finalise: this ACOS5 enforces its access conditions since --create-pkcs15\$" "$tmp/out"
	same_card "$card: --finalize" "$tmp/before.state" "$state"
	refused "$card: user PIN of 2 digits" "PIN must have 4 to 8 characters, not 2" "$state" \
		"$card" -- pkcs15-init --store-pin --auth-id 01 --pin 12 --puk 12345678 --so-pin $so
	refused "$card: user PUK of 12 digits" "PUK must have .* to 8 characters, not 12" "$state" \
		"$card" -- pkcs15-init --store-pin --auth-id 01 --pin $pin --puk 123456789012 --so-pin $so
	refused "$card: user PIN with a letter outside ASCII" "the PIN has a character outside ASCII \\(character 2\\)" \
		"$state" "$card" -- pkcs15-init --store-pin --auth-id 01 --pin "$(printf 'p\303\244ss123')" --puk 12345678 \
		--so-pin $so
	run_card "$tmp/out" --state "$state" "$card" -- pkcs15-init --store-pin --auth-id 01 \
		--label "User PIN" --pin $pin --puk 12345678 --so-pin $so ||
		{ not_ok "$card: store-pin failed:"; sed 's/^/    /' "$tmp/out"; continue; }
	# changed or unblocked to a PIN with a letter outside ASCII: refused
	# before any APDU, through pkcs15-tool and through PKCS#11
	# (CKR_PIN_INVALID); the old PIN still verifies
	refused "$card: pkcs15-tool --change-pin to a PIN outside ASCII" "new PIN has a character outside ASCII \\(character 2\\)" \
		"$state" "$card" -- pkcs15-tool --change-pin --auth-id 01 --pin $pin --new-pin "$(printf 'p\303\244ss123')"
	refused "$card: pkcs15-tool --unblock-pin to a PIN outside ASCII" "new PIN has a character outside ASCII" \
		"$state" "$card" -- pkcs15-tool --unblock-pin --auth-id 01 --puk 12345678 --new-pin "$(printf 'p\303\244ss123')"
	refused "$card: C_SetPIN to a PIN outside ASCII" "CKR_PIN_INVALID" "$state" "$card" -- \
		sh -c 'pkcs11-tool --module "$P11LIB" --login --pin "$1" --change-pin --new-pin "$2"' _ $pin \
		"$(printf 'p\303\244ss123')"
	run_card "$tmp/out" --state "$state" "$card" -- pkcs15-tool --verify-pin --auth-id 01 --pin $pin &&
		ok "$card: the user PIN is unchanged" || { not_ok "$card: the user PIN no longer verifies:"; sed 's/^/    /' "$tmp/out"; }
	# a key size no generation of the family holds: the sizes named
	if [ $card = starcos-spk23 ]; then big=2048; limit="512 to 1024 bits"; else big=1000; limit="512 to 4096 bits in steps of 256"; fi
	refused "$card: a $big-bit key" "RSA keys of .*$limit.*, not $big bits" "$state" \
		"$card" -- pkcs15-init --generate-key rsa/$big --auth-id 01 --pin $pin --so-pin $so
	# an EC key: named before OpenSC's pkcs15-init refuses it (and, from
	# 0.23 to at least 0.26, aborts with a double free: doc/install.md)
	refused "$card: an EC key" "generate RSA keys only, not 'ec/prime256v1'" "$state" \
		"$card" -- pkcs15-init --generate-key ec/prime256v1 --auth-id 01 --pin $pin --so-pin $so
	# object labels are UTF8Strings too (before: written as typed), for a key
	# pair and for a data object
	refused "$card: a key label in Latin-1" "private key's label is not UTF-8 text .*byte 2 is not UTF-8" \
		"$state" "$card" -- pkcs15-init --generate-key rsa/$bits --auth-id 01 --id 46 \
		--label "$(printf 'J\374rgen')" --pin $pin --so-pin $so
	echo "data" >"$tmp/small.bin"
	refused "$card: a data object label with a tab" "data object's label is not UTF-8 text .*byte 4 is a control character" \
		"$state" "$card" -- pkcs15-init --store-data "$tmp/small.bin" --label "$(printf 'bad\tlabel')" \
		--auth-id 01 --pin $pin --so-pin $so
	# key pairs whose labels fill the PrKDF (768 bytes on StarCOS, about
	# 300 a key with a 250-byte label): the third is refused before its key
	# record is touched
	if [ $card = starcos-spk23 ]; then
		long=$(printf 'L%.0s' $(seq 250))
		for id in 41 42; do
			run_card "$tmp/out" --state "$state" "$card" -- pkcs15-init --generate-key rsa/$bits \
				--auth-id 01 --id $id --label "$long" --public-key-label p$id --pin $pin --so-pin $so ||
				{ not_ok "$card: key $id with a 250-byte label:"; sed 's/^/    /' "$tmp/out"; }
		done
		refused "$card: a third key with a 250-byte label" "PrKDF file has 768 bytes and .* are used" "$state" \
			"$card" -- pkcs15-init --generate-key rsa/$bits --auth-id 01 --id 44 --label "$long" --public-key-label p44 \
			--pin $pin --so-pin $so
	fi
	run_card "$tmp/out" --state "$state" "$card" -- pkcs15-init --generate-key rsa/$bits \
		--auth-id 01 --id 45 --key-usage sign,decrypt --pin $pin --so-pin $so ||
		{ not_ok "$card: generate-key failed:"; sed 's/^/    /' "$tmp/out"; continue; }
	ok "$card: personalised"
done

# ACOS5: data larger than the free EEPROM, and a failed store leaves no file
state=$tmp/acos5-64v2.state
head -c 70000 /dev/urandom >"$tmp/big"
refused "acos5-64v2: 70000-byte data object" "card has [0-9]+ bytes of EEPROM free; the data object needs" \
	"$state" acos5-64v2 -- pkcs15-init --store-data "$tmp/big" --label big --so-pin $so --pin $pin
head -c 3000 /dev/urandom >"$tmp/d3000"
files_before=$(grep -c '^EF ' "$state")
for i in 1 2 3; do
	# the DODF (512 bytes) takes about six entries with these labels
	run_card "$tmp/out" --state "$state" acos5-64v2 -- pkcs15-init --store-data "$tmp/d3000" \
		--label "data $i $(printf 'x%.0s' $(seq 60))" --so-pin $so --pin $pin
done
n=$(grep -c '^EF ' "$state")
[ $n = $((files_before + 3)) ] && ok "acos5-64v2: three 3000-byte data objects stored" ||
	not_ok "acos5-64v2: $((n - files_before)) files for three data objects"
# their files are activated (LCSI 05: the access conditions apply; before,
# a data object's or certificate's file stayed in creation state, LCSI 01,
# writable by anyone)
if grep '^EF 3F00/4100/' "$state" | grep -q ' lcsi=01 '; then
	not_ok "acos5-64v2: files left in creation state: $(grep '^EF 3F00/4100/' "$state" | grep ' lcsi=01 ' | cut -d' ' -f2)"
else
	ok "acos5-64v2: every file of the application activated"
fi
while run_card "$tmp/out" --state "$state" acos5-64v2 -- pkcs15-init --store-data "$tmp/d3000" \
		--label "more $(printf 'y%.0s' $(seq 60))" --so-pin $so --pin $pin; do
	n=$((n + 1))
	[ $n -lt $((files_before + 20)) ] || break
done
expect_match "acos5-64v2: DODF full: refused with the room named" "DODF file has .* bytes" "$tmp/out"
cp "$state" "$tmp/full.state"
run_card "$tmp/out" --state "$state" acos5-64v2 -- pkcs15-init --store-data "$tmp/d3000" \
	--label "again $(printf 'z%.0s' $(seq 60))" --so-pin $so --pin $pin
same_card "acos5-64v2: a refused store-data leaves no file" "$tmp/full.state" "$state"
on_list() { run_card "$tmp/list" --state "$state" acos5-64v2 -- pkcs15-tool -D; }
on_list
listed=$(grep -c '^Data object' "$tmp/list")
[ $((files_before + listed)) = $(grep -c '^EF ' "$state") ] && ok "acos5-64v2: every data file is listed" ||
	not_ok "acos5-64v2: $(grep -c '^EF ' "$state") files, $listed data objects listed"

# StarCOS SPK 2.3: delete a key pair and its certificate, then generate and
# store again; the next key signs
state=$tmp/starcos-spk23.state
run_card "$tmp/pub" --state "$state" starcos-spk23 -- sh -c \
	"cd $tmp && pkcs15-tool --read-public-key 45 -o pub45.pem"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -days 3 \
	-subj "/CN=reliability CA" 2>/dev/null
cert_for() {	# ID: a certificate for the card's key ID, with a longer subject each time
	openssl req -new -key "$tmp/ca.key" -subj "/CN=$(printf 'c%.0s' $(seq $((20 * $2))))" \
		-out "$tmp/r.csr" 2>/dev/null
	openssl x509 -req -in "$tmp/r.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
		-force_pubkey "$tmp/pub$1.pem" -days 3 -out "$tmp/cert$1.pem" 2>/dev/null
}
must() { local d=$1; shift; if run_card "$tmp/out" --state "$state" starcos-spk23 -- "$@"; then ok "$d"; else
	not_ok "$d:"; sed 's/^/    /' "$tmp/out"; fi; }
cert_for 45 1
must "starcos-spk23: certificate 45 stored" pkcs15-init --store-certificate "$tmp/cert45.pem" --id 45 \
	--pin $pin --so-pin $so
must "starcos-spk23: key 45 and its certificate deleted" pkcs15-init --delete-objects \
	privkey,pubkey,cert --id 45 --so-pin $so --pin $pin
must "starcos-spk23: a key generated after the delete" pkcs15-init --generate-key rsa/1024 --auth-id 01 \
	--id 46 --key-usage sign,decrypt --pin $pin --so-pin $so
run_card "$tmp/pub" --state "$state" starcos-spk23 -- sh -c \
	"cd $tmp && pkcs15-tool --read-public-key 46 -o pub46.pem"
cert_for 46 3
must "starcos-spk23: a larger certificate stored after the delete" pkcs15-init --store-certificate \
	"$tmp/cert46.pem" --id 46 --pin $pin --so-pin $so
# a data object larger than the application DF (SPK 2.x reports no free
# space; before: "Invalid arguments" from OpenSC's file creation)
refused "starcos-spk23: 70000-byte data object" "application DF of this card has 16000 bytes; the data object needs 70000" \
	"$state" starcos-spk23 -- pkcs15-init --store-data "$tmp/big" --label big --so-pin $so --pin $pin
# data objects (SPK 2.x has no DELETE FILE): one deleted, a larger one
# stored (a new file: the freed one is too small), a smaller one in the
# freed file, read back with its own length
head -c 200 /dev/urandom >"$tmp/d200"
head -c 400 /dev/urandom >"$tmp/d400"
head -c 100 /dev/urandom >"$tmp/d100"
datafiles() { grep -c '^EF 3F00/5015/3[34]' "$state"; }	# the template's data files
efs=$(datafiles)
must "starcos-spk23: data object stored" pkcs15-init --store-data "$tmp/d200" --label d1 \
	--application-id 1.2.3.1 --so-pin $so --pin $pin
must "starcos-spk23: data object deleted" pkcs15-init --delete-objects data --application-id 1.2.3.1 \
	--so-pin $so --pin $pin
must "starcos-spk23: a larger data object stored after the delete" pkcs15-init --store-data "$tmp/d400" \
	--label d2 --application-id 1.2.3.2 --so-pin $so --pin $pin
must "starcos-spk23: a smaller data object stored after the delete" pkcs15-init --store-data "$tmp/d100" \
	--label d3 --application-id 1.2.3.3 --so-pin $so --pin $pin
[ $(datafiles) = $((efs + 2)) ] && ok "starcos-spk23: the freed file was reused" ||
	not_ok "starcos-spk23: $(($(datafiles) - efs)) files for three data objects, one deleted"
for d in 2:d400 3:d100; do
	run_card "$tmp/out" --state "$state" starcos-spk23 -- pkcs15-tool --read-data-object 1.2.3.${d%%:*} \
		--raw -o "$tmp/back"
	cmp -s "$tmp/back" "$tmp/${d#*:}" && ok "starcos-spk23: data object ${d#*:} reads back as stored" ||
		{ not_ok "starcos-spk23: data object ${d#*:} reads back otherwise:"; sed 's/^/    /' "$tmp/out"; }
done
echo "signed by key 46" >"$tmp/m"
openssl dgst -sha256 -binary "$tmp/m" >"$tmp/h"
run_card "$tmp/out" --state "$state" starcos-spk23 -- pkcs15-crypt --sign --key 46 --pin $pin \
	--sha-256 --pkcs1 -i "$tmp/h" -o "$tmp/s"
if openssl pkeyutl -verify -pubin -inkey "$tmp/pub46.pem" -sigfile "$tmp/s" -in "$tmp/h" \
		-pkeyopt digest:sha256 >/dev/null 2>&1; then
	ok "starcos-spk23: the new key signs"
else
	not_ok "starcos-spk23: no valid signature from key 46:"; sed 's/^/    /' "$tmp/out"
fi

# The user PIN alone (Windows enrolment, pkcs15-init without --so-pin)
# fills the 4 key records prepared at personalisation (91..94: keys
# generated above hold some); the next key, generated or imported, is
# refused before anything is written, saying why (before: "Data object not
# found" alone); with the SO PIN a new record is made
slots="key slot 9[5-9A-F] has no key record: the user PIN alone fills only the 4 slots prepared at personalisation \\(91 to 94\\)"
made=0
for id in 47 48 49 4A 4B; do
	cp "$state" "$tmp/before.state"
	run_card "$tmp/out" --state "$state" starcos-spk23 -- pkcs15-init --generate-key rsa/1024 \
		--auth-id 01 --id $id --label k --key-usage sign,decrypt --pin $pin || break
	made=$((made + 1))
done
if [ $made -lt 5 ] && grep -Eq "$slots" "$tmp/out"; then
	ok "starcos-spk23: keys made with the user PIN alone: $made; then key $id refused, naming the prepared slots"
else
	not_ok "starcos-spk23: $made keys more with the user PIN alone, then:"
	sed 's/^/    /' "$tmp/out"
fi
same_card "starcos-spk23: key $id refused" "$tmp/before.state" "$state"
openssl genrsa -out "$tmp/imp.pem" 1024 2>/dev/null
refused "starcos-spk23: a key imported with the user PIN alone" "$slots" "$state" starcos-spk23 -- \
	pkcs15-init --store-private-key "$tmp/imp.pem" --auth-id 01 --id $id --label k --pin $pin
# through PKCS#11: CKR_DEVICE_MEMORY, the code of a full token (before:
# CKR_GENERAL_ERROR)
cp "$state" "$tmp/before.state"
run_card "$tmp/out" --state "$state" starcos-spk23 -- bash -c \
	"pkcs11-tool --module \"\$P11LIB\" -l --pin $pin --keypairgen --key-type rsa:1024 --id $id"
expect_match "starcos-spk23: PKCS#11 key generation gives CKR_DEVICE_MEMORY" "rv = CKR_DEVICE_MEMORY" "$tmp/out"
same_card "starcos-spk23: PKCS#11 key generation refused" "$tmp/before.state" "$state"
must "starcos-spk23: key $id generated with the SO PIN" pkcs15-init --generate-key rsa/1024 \
	--auth-id 01 --id $id --label k --key-usage sign,decrypt --pin $pin --so-pin $so

# A long-lived client (a browser, an agent) stays logged in while another
# program resets the card (opensc-tool --reset=warm; Windows does it when a
# program leaves the card with SCARD_RESET_CARD) and then uses it: the
# client's next signature must not fail nor be made without the PIN. The
# card forgets the login with the reset: it refuses the key (69 82), OpenSC
# verifies the PIN again from its PIN cache, and the signature verifies.
# On StarCOS SPK 2.x this also shows that the card enforces its PIN after
# --create-pkcs15 alone (no --finalize).
cat >"$tmp/reset.sh" <<'SH'
set -u
cd "$1" || exit 2
rm -f rs.*
pkcs15-tool --read-public-key "$3" -o rs.pem >/dev/null 2>&1 || { echo "no public key"; exit 2; }
mkfifo rs.in
exec 3<>rs.in
P11_SIGN_LOOP_STEP=1 "$4" "$P11LIB" "$2" "$3" 3 rs <&3 >rs.out 2>&1 &
pid=$!
# signed N: wait until the client has made signature N
signed() {
	local i
	for i in $(seq 300); do grep -q "^signed $1\$" rs.out && return 0; sleep 0.1; done
	echo "client stuck before signature $(($1 + 1)):"; cat rs.out; kill $pid; return 1
}
signed 1 || exit 1
opensc-tool --reset=warm >/dev/null 2>&1 && echo "reset done"
echo go >&3
signed 2 || exit 1
pkcs15-tool --list-keys >/dev/null 2>&1 && echo "another program used the card"
echo go >&3
wait $pid
echo "client exit $?"
cat rs.out
for i in 1 2 3; do
	openssl dgst -sha256 -verify rs.pem -signature rs.$i.sig rs.$i.msg >/dev/null 2>&1 &&
		echo "signature $i verifies"
done
SH
for card in acos5-64v2 starcos-spk23; do
	w=$tmp/reset-$card
	mkdir -p "$w"
	p15_personalise "$card" "$w/state" $pin || continue
	$with_card --state "$w/state" --apdu-log "$w/apdu" "$card" -- \
		bash "$tmp/reset.sh" "$w" $pin $p15_id "$build/tests/tools/p11-sign-loop" >"$w/out" 2>&1
	expect_match "$card: the card was reset while the client was logged in" "^reset done\$" "$w/out"
	expect_match "$card: the client's three signatures were made" "^3 of 3 signatures made\$" "$w/out"
	i=0
	for when in "before the reset" "after the reset" "after another program's pkcs15-tool"; do
		i=$((i + 1))
		expect_match "$card: signature $i ($when) verifies" "^signature $i verifies\$" "$w/out"
	done
	# after the reset: the key refused (69 82), then VERIFY, then the key used
	if awk '/^# reset/ { r = 1; next } r && / 6982$/ && !v { refused = 1 }
		r && refused && /^0020....08\*\* 9000$/ { v = 1 } END { exit !(refused && v) }' "$w/apdu"; then
		ok "$card: after the reset the card refused the key until the PIN was verified again"
	else
		not_ok "$card: after the reset no refusal and VERIFY:"; sed -n '/^# reset/,$p' "$w/apdu" | cut -c1-60 | sed 's/^/    /'
	fi
done

# A long-lived client is logged in when its card is taken out and another
# card of the same kind (another holder's, with its own key and serial) is
# put into the same reader: the client's next signatures fail with
# CKR_DEVICE_REMOVED and none is made with the other card's key (its PIN
# would be the first card's, verified from OpenSC's PIN cache); a new
# process then signs with the new card's key. The reader is empty in
# with-card ('-'): the script plugs the simulators in itself.
cat >"$tmp/swap.sh" <<'SH'
set -u
cd "$1" || exit 2
card=$2 pin=$3 id=$4 loop=$5
port=${WITH_CARD_PORTS%% *}
reader="pkicards vpcd 0 00 00"
a= b= pid=
trap 'kill $pid $a $b 2>/dev/null; wait 2>/dev/null' EXIT
"$WITH_CARD_SIM" --card "$card" --port "$port" --state A.state 2>simA.log & a=$!
"$WITH_CARD_WAITER" "$reader" 1 10000 || { echo "card A did not come up"; exit 2; }
pkcs15-tool --read-public-key "$id" -o A.pem >/dev/null 2>&1 || { echo "no public key on A"; exit 2; }
rm -f sw.*
mkfifo sw.in
exec 3<>sw.in
P11_SIGN_LOOP_STEP=1 "$loop" "$P11LIB" "$pin" "$id" 3 sw <&3 >sw.out 2>&1 & pid=$!
signed() {
	local i
	for i in $(seq 300); do grep -q "^signed $1\$" sw.out && return 0; sleep 0.1; done
	echo "client stuck before signature $(($1 + 1)):"; cat sw.out; return 1
}
signed 1 || exit 1
kill $a; wait $a 2>/dev/null; a=
"$WITH_CARD_WAITER" "$reader" 0 10000 || { echo "card A did not leave"; exit 2; }
"$WITH_CARD_SIM" --card "$card" --port "$port" --state B.state 2>simB.log & b=$!
"$WITH_CARD_WAITER" "$reader" 1 10000 || { echo "card B did not come up"; exit 2; }
echo "cards swapped"
echo go >&3
signed 2 || exit 1
echo go >&3
wait $pid
echo "client exit $?"; pid=
cat sw.out
for i in 1 2 3; do
	for k in A B; do
		[ -f B.pem ] || pkcs15-tool --read-public-key "$id" -o B.pem >/dev/null 2>&1
		[ -f sw.$i.sig ] && openssl dgst -sha256 -verify $k.pem -signature sw.$i.sig sw.$i.msg >/dev/null 2>&1 &&
			echo "signature $i made with card $k"
	done
done
echo hello >data
pkcs11-tool --module "$P11LIB" -l --pin "$pin" --sign -m SHA256-RSA-PKCS --id "$id" -i data -o new.sig >/dev/null 2>&1
openssl dgst -sha256 -verify B.pem -signature new.sig data >/dev/null 2>&1 && echo "a new process signs with card B"
SH
# CARD|serial of A|serial of B (the simulator's serial lengths)
while IFS='|' read -r card sa sb; do
	w=$tmp/swap-$card
	mkdir -p "$w"
	for k in A B; do
		if [ $k = A ]; then serial=$sa; else serial=$sb; fi
		$with_card --state "$w/$k.state" --serial "$serial" "$card" -- \
			"$top/tests/clients/p15-personalise" --bits "$(p15_bits "$card")" $pin "$p15_so" $p15_id \
			</dev/null >"$w/$k.log" 2>&1 ||
			{ not_ok "$card: personalising card $k failed"; sed 's/^/    /' "$w/$k.log"; continue 2; }
	done
	$with_card - -- bash "$tmp/swap.sh" "$w" "$card" $pin $p15_id "$build/tests/tools/p11-sign-loop" >"$w/out" 2>&1
	expect_match "$card: card A taken out, card B put in while the client was logged in" "^cards swapped\$" "$w/out"
	expect_match "$card: signature 1 made with card A" "^signature 1 made with card A\$" "$w/out"
	expect_match "$card: after the swap the client's signatures fail with CKR_DEVICE_REMOVED" \
		"^sign 2: C_Sign rv=0x32\$" "$w/out"
	if grep -q "^signature [23] made" "$w/out"; then
		not_ok "$card: the client signed after the swap:"; sed 's/^/    /' "$w/out"
	else
		ok "$card: no signature made in the client's session after the swap"
	fi
	expect_match "$card: only the signature before the swap was made" "^1 of 3 signatures made\$" "$w/out"
	expect_match "$card: a new process signs with card B's key" "^a new process signs with card B\$" "$w/out"
done <<'CARDS'
acos5-64v2|A50200000101|A50200000102
starcos-spk23|5350000000000101|5350000000000102
CARDS

finish
