#!/bin/bash
# ACOS5 issue, personalisation: stock pkcs15-init with our pkcs15init module
# (pkcs15-emu/) and profile lays a blank simulated ACOS5 out in ACS's layout
# (acos5-card.md §4.1), stores a user PIN, generates keys, stores a certificate
# and a data object, deletes objects and erases the card; the keys sign and
# decipher through pkcs11-tool (checked with OpenSSL against the public key
# read from the card). A card without room fails cleanly. See doc/acos5.md.
. "$(dirname "$0")/lib.sh"

so=87654321
user=1234

# card APDUS...: opensc-tool -s for each APDU, output in $tmp/apdu
apdus() {
	local card=$1 state=$2
	shift 2
	local args=()
	for a in "$@"; do args+=(-s "$a"); done
	run_card "$tmp/apdu" --state "$state" "$card" -- opensc-tool "${args[@]}"
}

# SELECT + GET RESPONSE of 3F00/FID(/FID): the FCI bytes on one line
fci_of() {
	local card=$1 state=$2
	shift 2
	local sel=(00A40000023F00)
	for f in "$@"; do sel+=("00A4000002$f"); done
	apdus "$card" "$state" "${sel[@]}" 00C0000040
	# the answer to GET RESPONSE (6C XX corrected by OpenSC), hex on one line
	awk '/^Sending: 00 C0/{g=1;next} g&&/^Received/{r=1;next} r&&/^[0-9A-F][0-9A-F] /{print}' "$tmp/apdu" |
		cut -c1-48 | tr -d '\n' | tr -s ' '
}

use_script() {
	cat >"$tmp/use.sh" <<'SH'
set -u
cd "$1"
pin=$2 id=$3
m=$P11LIB
echo "hello card" >data
for mech in SHA256-RSA-PKCS SHA1-RSA-PKCS SHA384-RSA-PKCS SHA512-RSA-PKCS; do
	h=$(echo "$mech" | cut -d- -f1 | tr A-Z a-z)
	rm -f sig
	pkcs11-tool --module "$m" -l --pin "$pin" --sign -m "$mech" --id "$id" -i data -o sig >/dev/null 2>&1
	openssl dgst "-$h" -verify pub.pem -signature sig data >/dev/null 2>&1 && echo "verified $mech" || echo "FAILED $mech"
done
rm -f sig
pkcs11-tool --module "$m" -l --pin "$pin" --sign -m SHA256-RSA-PKCS-PSS --id "$id" -i data -o sig >/dev/null 2>&1
openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1 -verify pub.pem \
	-signature sig data >/dev/null 2>&1 && echo "verified PSS" || echo "FAILED PSS"
openssl pkeyutl -encrypt -pubin -inkey pub.pem -in data -out enc1
pkcs11-tool --module "$m" -l --pin "$pin" --decrypt -m RSA-PKCS --id "$id" -i enc1 -o dec1 >/dev/null 2>&1
cmp -s data dec1 && echo "decrypted RSA-PKCS" || echo "FAILED RSA-PKCS decrypt"
openssl pkeyutl -encrypt -pubin -inkey pub.pem -pkeyopt rsa_padding_mode:oaep \
	-pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 -in data -out enc2
pkcs11-tool --module "$m" -l --pin "$pin" --decrypt -m RSA-PKCS-OAEP --hash-algorithm SHA256 \
	--mgf MGF1-SHA256 --id "$id" -i enc2 -o dec2 >/dev/null 2>&1
cmp -s data dec2 && echo "decrypted RSA-PKCS-OAEP" || echo "FAILED RSA-PKCS-OAEP decrypt"
SH
}

# Personalise CARD (state STATE) up to a key of BITS with ID and check it
personalise() {
	local card=$1 state=$2 bits=$3 id=$4 w
	w=$tmp/$card-$bits
	mkdir -p "$w"

	run_card "$w/create" --state "$state" "$card" -- \
		pkcs15-init --create-pkcs15 --so-pin $so --so-puk 12345678 --label "Test card"
	run_card "$w/d" --state "$state" "$card" -- pkcs15-tool -D
	expect_match "$card: token label" "PKCS#15 Card \\[Test card\\]" "$w/d"
	expect_match "$card: SO PIN global reference 01" "Reference +: 1 \\(0x01\\)" "$w/d"
	# FCIs: MF SE file 0003; DF 4100 with its name, SE file 4103, activated
	expect_match "$card: MF activated, SE file 0003" "83 02 3F 00 .*8A 01 05 .*8D 02 00 03" \
		<(fci_of "$card" "$state")
	expect_match "$card: DF 4100 ACOSPKCS-15v1.00, SE 4103, activated" \
		"83 02 41 00 .*8A 01 05 82 02 38 00 8D 02 41 03 84 10 41 43 4F 53 50 4B 43 53 2D 31 35 76 31 2E 30 30" \
		<(fci_of "$card" "$state" 4100)
	for f in 0001 0002 0003 2F00; do
		expect_match "$card: 3F00/$f activated" "83 02 ${f:0:2} ${f:2:2} .*8A 01 05" <(fci_of "$card" "$state" $f)
	done
	for f in 4101 4102 4103 5031 5032 4111 4112 4113 4114 4115 4116; do
		expect_match "$card: 4100/$f activated" "83 02 ${f:0:2} ${f:2:2} .*8A 01 05" \
			<(fci_of "$card" "$state" 4100 $f)
	done
	apdus "$card" "$state" 00A40000023F00 00A40000024100 00A40000024103 00B2010400 00B2020400
	expect_match "$card: SE#1 of 4100 = local PIN 81" "80 01 01 A4 06 83 01 81 95 01 08" "$tmp/apdu"
	expect_match "$card: SE#3 of 4100 = global PIN 01" "80 01 03 A4 06 83 01 01 95 01 08" "$tmp/apdu"
	# who may rewrite the user PIN record: the SO; on the original ACOS5 also
	# the PUK (SE#5 = global 01 or local 82), since that is how it unblocks
	local upd=03
	[ "$card" = acos5 ] && upd=05
	expect_match "$card: PIN file 4101 update SCB $upd" "8C 08 7F 03 FF 00 FF FF $upd FF" \
		<(fci_of "$card" "$state" 4100 4101)
	apdus "$card" "$state" 00A40000023F00 00A40000024100 00A40000024103 00B2040400
	expect_match "$card: SE#5 of 4100 = global PIN 01 or local PUK 82" \
		"80 01 05 A4 09 83 01 01 83 01 82 95 01 08" "$tmp/apdu"
	apdus "$card" "$state" 00A40000023F00 00A40000022F00 00B0000024
	expect_match "$card: EF.DIR names ACOSPKCS-15v1.00 at 3F004100" \
		"61 23 4F 10 41 43 4F 53 50 4B 43 53 2D 31 35 76" "$tmp/apdu"

	run_card "$w/pin" --state "$state" "$card" -- pkcs15-init --store-pin --auth-id 01 \
		--label "User PIN" --pin $user --puk 11223344 --so-pin $so
	run_card "$w/pins" --state "$state" "$card" -- pkcs15-tool --list-pins
	expect_match "$card: user PIN local reference 81" "Reference +: 129 \\(0x81\\)" "$w/pins"
	run_card "$w/tries" --state "$state" "$card" -- "$pin_info" 01
	expect_match "$card: 8 tries of 8" "^tries 8 max 8 " "$w/tries"
	# the card itself checks the PIN: FF-padded ASCII, local 81 in 4100
	apdus "$card" "$state" 00A40000023F00 00A40000024100 0020008108${user//?/3&}FFFFFFFF
	expect_match "$card: VERIFY 81 with 1234 FF-padded" "Received \\(SW1=0x90, SW2=0x00\\)" \
		<(tail -1 "$tmp/apdu")

	run_card "$w/gen" --state "$state" "$card" -- pkcs15-init --generate-key rsa/$bits --auth-id 01 \
		--id $id --key-usage sign,decrypt --pin $user --so-pin $so
	run_card "$w/d" --state "$state" "$card" -- pkcs15-tool -D
	expect_match "$card: $bits-bit private key in 41F1" "Path +: 3f00410041f1" "$w/d"
	expect_match "$card: public key in 4131" "Path +: 3f0041004131" "$w/d"
	expect_match "$card: modulus $bits" "ModLength +: $bits" "$w/d"
	run_card "$w/pubout" --state "$state" "$card" -- pkcs15-tool --read-public-key $id -o "$w/pub.pem"
	if openssl pkey -pubin -in "$w/pub.pem" -text -noout 2>/dev/null | grep -q "($bits bit)"; then
		ok "$card: public key read from the card ($bits bits)"
	else
		not_ok "$card: public key not readable"
	fi
	openssl req -new -key "$tmp/ca.key" -subj "/CN=ACOS5 $card" -out "$w/req.csr" 2>/dev/null
	openssl x509 -req -in "$w/req.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -force_pubkey "$w/pub.pem" \
		-days 30 -out "$w/cert.pem" 2>/dev/null
	# a certificate of another key (the CA's) under this key's ID: refused
	# before anything is written (it would pair the key with a certificate
	# its signatures do not verify against)
	cp "$state" "$state.before"
	run_card "$w/other" --state "$state" "$card" -- pkcs15-init --store-certificate "$tmp/ca.pem" \
		--id $id --pin $user
	expect_match "$card: a certificate of another key refused, saying what to do" \
		"^pkicards: the certificate is not for key $id on this card \\(its public key differs\\): store it with the ID of the key it was issued for" "$w/other"
	if cmp -s "$state" "$state.before"; then
		ok "$card: the refused certificate left the card as it was"
	else
		not_ok "$card: the refused certificate changed the card"
	fi
	run_card "$w/cert" --state "$state" "$card" -- pkcs15-init --store-certificate "$w/cert.pem" \
		--id $id --pin $user
	run_card "$w/c" --state "$state" "$card" -- pkcs15-tool -c
	expect_match "$card: certificate in 4120" "Path +: 3f0041004120" "$w/c"

	run_card "$w/use" --state "$state" "$card" -- bash "$tmp/use.sh" "$w" $user $id
	for what in "verified SHA256-RSA-PKCS" "verified SHA1-RSA-PKCS" "verified SHA384-RSA-PKCS" \
			"verified SHA512-RSA-PKCS" "verified PSS" "decrypted RSA-PKCS" "decrypted RSA-PKCS-OAEP"; do
		expect_match "$card $bits: $what" "^$what\$" "$w/use"
	done
}

# block_unblock CARD STATE AUTH PIN PUK WRONG_PUK OUT: 8 wrong PINs, then the
# PIN (blocked?), WRONG_PUK, PUK, the PIN again; OUT holds "blocked: ...",
# "wrong PUK refused", "unblocked", "PIN works"
block_unblock() {
	local card=$1 state=$2 out=$7
	cat >"$out.sh" <<'SH'
set -u
auth=$1 pin=$2 puk=$3 wrong=$4
for i in 1 2 3 4 5 6 7 8; do pkcs15-tool --verify-pin --auth-id $auth --pin 99999999 >/dev/null 2>&1; done
pkcs15-tool --verify-pin --auth-id $auth --pin "$pin" 2>&1 | sed -n 's/.*Operation failed: /blocked: /p'
pkcs15-tool --unblock-pin --auth-id $auth --puk "$wrong" --new-pin "$pin" >/dev/null 2>&1 || echo "wrong PUK refused"
pkcs15-tool --unblock-pin --auth-id $auth --puk "$puk" --new-pin "$pin" >/dev/null 2>&1 && echo unblocked
pkcs15-tool --verify-pin --auth-id $auth --pin "$pin" >/dev/null 2>&1 && echo "PIN works"
SH
	run_card "$out" --state "$state" "$card" -- bash "$out.sh" "$3" "$4" "$5" "$6"
}

# The original ACOS5's SO PIN (global 01) has its PUK in global record 02:
# eight wrong SO PINs block it, --unblock-pin with the SO PUK restores it.
so_unblock_v1() {
	local out=$tmp/v1-so-unblock
	block_unblock acos5 "$tmp/v1.state" 02 $so 12345678 11111111 "$out"
	expect_match "acos5: 8 wrong SO PINs block it" "^blocked: Authentication method blocked" "$out"
	expect_match "acos5: wrong SO PUK refused" "^wrong PUK refused\$" "$out"
	expect_match "acos5: SO PUK unblocks" "^unblocked\$" "$out"
	expect_match "acos5: SO PIN verifies again" "^PIN works\$" "$out"
}

# A second PIN on the original ACOS5 (pkcs15-init --store-pin): the
# application's PIN file 4101 has two records, the user PIN (81) and its PUK
# (82), so there is no room for another pair; refused with the reason before
# anything is written (without the check the card answers "Record not found"
# for 83), the card as it was, and the user PIN's PUK still unblocks it.
second_pin_v1() {
	local state=$tmp/v1.state out=$tmp/v1-second-pin
	cp "$state" "$state.before"
	if $with_card --state "$state" acos5 -- pkcs15-init --store-pin --auth-id 03 --label "Second PIN" \
			--pin 12345678 --puk 12345678 --so-pin $so >"$out" 2>"$out.err" </dev/null; then
		not_ok "acos5: a second PIN accepted with the PIN file full"
	else
		ok "acos5: a second PIN refused with the PIN file full"
	fi
	expect_match "acos5: the refusal names the full PIN file" \
		"^pkicards: the application's PIN file has no record left for another PIN and its PUK: change or unblock the PIN there is instead; nothing was written" "$out.err"
	if cmp -s "$state" "$state.before"; then
		ok "acos5: the refused second PIN: the card as it was"
	else
		not_ok "acos5: the refused second PIN changed the card"
	fi
	run_card "$out.d" --state "$state" acos5 -- pkcs15-tool -D
	not_listed "acos5: the refused second PIN not listed" "Second PIN" "$out.d"
	# the refused PIN's PUK is the wrong one
	block_unblock acos5 "$state" 01 $user 11223344 12345678 "$out.puk"
	expect_match "acos5: 8 wrong user PINs block it" "^blocked: Authentication method blocked" "$out.puk"
	expect_match "acos5: the refused PIN's PUK does not unblock it" "^wrong PUK refused\$" "$out.puk"
	expect_match "acos5: the user PIN's PUK still unblocks it" "^unblocked\$" "$out.puk"
	expect_match "acos5: the user PIN verifies again" "^PIN works\$" "$out.puk"
}

# A second PIN on an ACOS5-64 (auth-id 03, reference 82) guards no key: the
# layout's key files are used with the user PIN 81 (SE#1), so a key for it
# is refused before anything is written, by pkcs15-init and in that PIN's
# PKCS#11 slot. And no PIN stays verified on the card after pkcs15-init
# ends (--so-pin verified the SO PIN): a DELETE FILE by another program
# without a PIN is refused (before: accepted, the SO PIN still verified).
second_pin_key_v2() {
	local card=acos5-64v2 state=$tmp/v2-pin2.state w=$tmp/v2-pin2
	mkdir -p "$w"
	cp "$tmp/v2.state" "$state"
	run_card "$w/pin" --state "$state" $card -- pkcs15-init --store-pin --auth-id 03 --label "Sign PIN" \
		--pin 13572468 --puk 86427531 --so-pin $so
	cp "$state" "$state.before"
	run_card "$w/gen" --state "$state" $card -- pkcs15-init --generate-key rsa/2048 --auth-id 03 --id 47 \
		--key-usage sign --pin 13572468 --so-pin $so
	expect_match "$card: a key for the second PIN refused, saying which PIN keys need" \
		"^pkicards: on this card's layout private keys are used with PIN 81 \\(\"User PIN\", auth-id 01\\): a key for \"Sign PIN\" \\(auth-id 03\\) would be refused .* Generate or store it with --auth-id 01; nothing was written" "$w/gen"
	run_card "$w/kg" --state "$state" $card -- bash -c 'pkcs11-tool --module "$P11LIB" --slot-index 1 \
		--login --pin 13572468 --keypairgen --key-type rsa:2048 --id 49'
	expect_match "$card: PKCS#11 key generation in the second PIN's slot refused" \
		"C_GenerateKeyPair failed: rv = CKR_FUNCTION_NOT_SUPPORTED" "$w/kg"
	if cmp -s "$state" "$state.before"; then
		ok "$card: the refused keys for the second PIN: the card as it was"
	else
		not_ok "$card: a refused key for the second PIN changed the card"
	fi
	run_card "$w/del" --state "$state" $card -- bash -c "pkcs15-init --generate-key rsa/2048 --auth-id 01 \
		--id 48 --key-usage sign --pin $user --so-pin $so >/dev/null 2>&1 && echo generated &&
		opensc-tool -s 00A40000023F00 -s 00A40000024100 -s 00E40000024120"
	expect_match "$card: pkcs15-init with --so-pin generated key 48" "^generated\$" "$w/del"
	expect_match "$card: after pkcs15-init no PIN is verified: DELETE FILE refused" \
		"SW1=0x69, SW2=0x82" <(grep Received "$w/del" | tail -1)
}

# RSA private key import (pkcs15-init --store-private-key): the original
# ACOS5 writes the key files with PUT KEY, the key signs and deciphers, its
# public key reads back as imported; ACOS5-64 cannot write key files and
# refuse before creating any.
import_key() {
	local card=$1 state=$2 w
	w=$tmp/$card-imp
	mkdir -p "$w"
	openssl genrsa -out "$w/key.pem" 2048 2>/dev/null
	openssl rsa -in "$w/key.pem" -pubout -out "$w/pub.pem" 2>/dev/null
	run_card "$w/imp" --state "$state" "$card" -- pkcs15-init --store-private-key "$w/key.pem" \
		--auth-id 01 --id 46 --pin $user --so-pin $so
	run_card "$w/d" --state "$state" "$card" -- pkcs15-tool -D
	if [ "$card" != acos5 ]; then
		expect_match "$card: ACOS5-64 import refused" "Failed to store private key: Not supported" "$w/imp"
		expect_match "$card: import refusal says why and what to do" \
			"^pkicards: an ACOS5-64 cannot import RSA private keys.*Generate the key on the card" "$w/imp"
		not_listed "$card: refused key not listed" "ID *: 46" "$w/d"
		expect_match "$card: refused import leaves no key file" "SW1=0x6A, SW2=0x82" \
			<(apdus "$card" "$state" 00A40000023F00 00A40000024100 00A400000241F1; cat "$tmp/apdu")
		return
	fi
	expect_match "$card: imported key listed in 41F1" "Path +: 3f00410041f1" "$w/d"
	expect_match "$card: imported key 2048 bits" "ModLength +: 2048" "$w/d"
	run_card "$w/pubout" --state "$state" "$card" -- pkcs15-tool --read-public-key 46 -o "$w/card.pem"
	if cmp -s <(openssl pkey -pubin -in "$w/card.pem" -outform der 2>/dev/null) \
			<(openssl pkey -pubin -in "$w/pub.pem" -outform der 2>/dev/null); then
		ok "$card: public key file reads back as imported"
	else
		not_ok "$card: public key file differs from the imported key"
	fi
	run_card "$w/use" --state "$state" "$card" -- bash "$tmp/use.sh" "$w" $user 46
	# PSS goes through raw RSA on the card: the whole CRT key is right
	for what in "verified SHA256-RSA-PKCS" "verified SHA1-RSA-PKCS" "verified PSS"; do
		expect_match "$card imported key: $what" "^$what\$" "$w/use"
	done
}

# Data objects, deletion, import, erase (on a personalised card)
objects_and_erase() {
	local card=$1 state=$2 id=$3 w
	w=$tmp/$card-obj
	mkdir -p "$w"
	echo "some data" >"$w/data.txt"
	run_card "$w/sd" --state "$state" "$card" -- pkcs15-init --store-data "$w/data.txt" --label mydata \
		--pin $user
	run_card "$w/do" --state "$state" "$card" -- pkcs15-tool --list-data-objects
	expect_match "$card: data object stored in 4140" "Path: +3f0041004140" "$w/do"
	expect_match "$card: data object content" "736F6D6520646174610A" "$w/do"
	# through PKCS#11 without a login: key generation refused as not logged
	# in, with what to do, nothing written (before: CKR_GENERAL_ERROR, OpenSC's
	# mapping of the empty PIN it verified)
	cp "$state" "$state.before"
	run_card "$w/kg" --state "$state" "$card" -- bash -c \
		'pkcs11-tool --module "$P11LIB" --keypairgen --key-type rsa:2048 --id 77'
	expect_match "$card: PKCS#11 key generation without login: not logged in" \
		"C_GenerateKeyPair failed: rv = CKR_USER_NOT_LOGGED_IN" "$w/kg"
	expect_match "$card: PKCS#11 key generation without login: what to do" \
		"^pkicards: generating a key needs the user PIN, which this program did not give: log in first" "$w/kg"
	if cmp -s "$state" "$state.before"; then
		ok "$card: PKCS#11 key generation without login: the card as it was"
	else
		not_ok "$card: the refused PKCS#11 key generation changed the card"
	fi
	run_card "$w/del" --state "$state" "$card" -- pkcs15-init --delete-objects cert,privkey,pubkey \
		--id $id --pin $user
	run_card "$w/d" --state "$state" "$card" -- pkcs15-tool -D
	not_listed "$card: objects $id deleted" "ID *: $id" "$w/d"
	expect_match "$card: key file 41F1 gone" "SW1=0x6A, SW2=0x82" \
		<(apdus "$card" "$state" 00A40000023F00 00A40000024100 00A400000241F1; cat "$tmp/apdu")
	import_key "$card" "$state"

	run_card "$w/e1" --state "$state" "$card" -- pkcs15-init --erase-card --so-pin 11111111
	expect_match "$card: erase with a wrong SO PIN refused" "Failed to erase card: PIN code or key incorrect" "$w/e1"
	run_card "$w/e2" --state "$state" "$card" -- pkcs15-init --erase-card </dev/null
	expect_match "$card: erase without the SO PIN refused" "Failed to erase card: Security status not satisfied" "$w/e2"
	run_card "$w/e4" --state "$state" "$card" -- pkcs15-init --erase-card --secret @02=11111112
	expect_match "$card: erase with a wrong --secret refused" "Failed to erase card: PIN code or key incorrect" "$w/e4"
	run_card "$w/f" --state "$state" "$card" -- opensc-tool -f
	expect_match "$card: wrong or missing SO PIN: tree still there" "3f004100" "$w/f"
	run_card "$w/e3" --state "$state" "$card" -- pkcs15-init --erase-card --so-pin $so
	run_card "$w/f" --state "$state" "$card" -- opensc-tool -f
	expect_match "$card: erased: no MF" "SELECT FILE failed|not found" "$w/f"
	run_card "$w/again" --state "$state" "$card" -- \
		pkcs15-init --create-pkcs15 --so-pin $so --so-puk 12345678 --label "Again"
	run_card "$w/d" --state "$state" "$card" -- pkcs15-tool -D
	expect_match "$card: personalised again after erase" "PKCS#15 Card \\[Again\\]" "$w/d"
}

# pkcs15-init --update-certificate with a certificate of another size: OpenSC
# deletes the file and creates it anew; the card keeps a new file in
# creation state, where it enforces no access condition, until it is
# activated (before, the renewed certificate could be deleted or
# overwritten without any PIN)
renew_certificate() {
	local card=$1 state=$2 id=$3 w
	w=$tmp/$card-renew
	mkdir -p "$w"
	run_card "$w/pubout" --state "$state" "$card" -- pkcs15-tool --read-public-key $id -o "$w/pub.pem"
	openssl req -new -key "$tmp/ca.key" -out "$w/req.csr" 2>/dev/null \
		-subj "/CN=renewed certificate of $card, longer than the first one/O=pkicards test"
	openssl x509 -req -in "$w/req.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -force_pubkey "$w/pub.pem" \
		-days 60 -out "$w/new.pem" 2>/dev/null
	# a certificate of another key (the CA's own): pkcs15-init compares its
	# public key with the old certificate's (which our module checked against
	# the key when it was stored) and writes nothing
	cp "$state" "$w/before.state"
	run_card "$w/wrong" --state "$state" "$card" -- pkcs15-init --update-certificate "$tmp/ca.pem" \
		--id $id --pin $user --so-pin $so
	expect_match "$card: --update-certificate with another key's certificate refused" \
		"the public keys in the old and new certificate differ" "$w/wrong"
	cmp -s "$state" "$w/before.state" && ok "$card: --update-certificate refused: card unchanged" ||
		not_ok "$card: the refused --update-certificate changed the card"
	run_card "$w/upd" --state "$state" "$card" -- pkcs15-init --update-certificate "$w/new.pem" \
		--id $id --pin $user --so-pin $so
	run_card "$w/c" --state "$state" "$card" -- pkcs15-tool --read-certificate $id
	if [ "$(openssl x509 -in "$w/c" -noout -fingerprint 2>&1)" = "$(openssl x509 -in "$w/new.pem" -noout -fingerprint)" ]; then
		ok "$card: renewed certificate of another size read back"
	else
		not_ok "$card: renewed certificate not read back:"; sed 's/^/    /' "$w/upd" "$w/c"
	fi
	expect_match "$card: renewed certificate file 4120 activated" "83 02 41 20 .*8A 01 05" \
		<(fci_of "$card" "$state" 4100 4120)
	# no PIN verified: the card refuses to delete it
	apdus "$card" "$state" 00A40000023F00 00A40000024100 00E40000024120
	expect_match "$card: renewed certificate not deletable without a PIN" \
		"Received \\(SW1=0x69, SW2=0x82\\)" <(tail -1 "$tmp/apdu")
}

# A card with little EEPROM left: key generation and certificate storage
# fail with a clear message and leave no PKCS#15 entry and no key file.
low_memory() {
	local card=acos5-64v2 state w free left
	state=$tmp/low.state w=$tmp/low
	mkdir -p "$w"
	cp "$tmp/acos5-64v2.pinned" "$state"
	apdus $card "$state" 00A40000023F00 00A40000024100 8014040002
	free=$(awk '/^Sending: 80 14 04/{g=1;next} g&&/^[0-9A-F][0-9A-F] /{print $1$2; exit}' "$tmp/apdu")
	# leave room for the private key file (645 + 32) but not the public one
	left=$((16#$free - 32 - 700))
	apdus $card "$state" 00A40000023F00 00A40000024100 0020008108${user//?/3&}FFFFFFFF \
		"00E00000186216830241AA820201008002$(printf %04X $left)8C087F00FF0000000000"
	run_card "$w/gen" --state "$state" $card -- pkcs15-init --generate-key rsa/2048 --auth-id 01 \
		--id 47 --key-usage sign --pin $user --so-pin $so
	expect_match "low memory: key generation refused" "Not enough memory" "$w/gen"
	run_card "$w/d" --state "$state" $card -- pkcs15-tool -D
	not_listed "low memory: no key entry" "ID *: 47" "$w/d"
	expect_match "low memory: no private key file left" "SW1=0x6A, SW2=0x82" \
		<(apdus $card "$state" 00A40000023F00 00A40000024100 00A400000241F2; cat "$tmp/apdu")
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$w/k" -subj /CN=low -days 3 -out "$w/c.pem" 2>/dev/null
	run_card "$w/cert" --state "$state" $card -- pkcs15-init --store-certificate "$w/c.pem" --id 48 \
		--pin $user
	expect_match "low memory: certificate refused" "Not enough memory" "$w/cert"
	run_card "$w/c" --state "$state" $card -- pkcs15-tool -c
	not_listed "low memory: no certificate entry" "ID *: 48" "$w/c"
}

# The layout's 16 certificate files (4120..412F) all in use: the 17th
# certificate is refused with the limit and what to do, nothing is listed
# for it; after a deletion the slot is used again.
full_layout() {
	local card=acos5-64v2 state=$tmp/full.state w=$tmp/full
	mkdir -p "$w"
	cp "$tmp/acos5-64v2.pinned" "$state" # holds one certificate (ID 46): room for 15 more
	openssl req -x509 -newkey rsa:1024 -nodes -keyout "$w/k" -subj /CN=full -days 3 -out "$w/c.pem" 2>/dev/null
	cat >"$w/fill.sh" <<SH
for i in \$(seq 60 74); do
	pkcs15-init --store-certificate "$w/c.pem" --id \$i --pin $user >/dev/null 2>&1 || echo "failed at \$i"
done
pkcs15-init --store-certificate "$w/c.pem" --id 75 --pin $user
SH
	run_card "$w/fill" --state "$state" $card -- bash "$w/fill.sh"
	expect_match "full layout: the 17th certificate refused with the limit and what to do" \
		"^pkicards: the layout has room for 16 certificates and all are in use: delete one first" "$w/fill"
	expect_match "full layout: pkcs15-init fails (no memory on the card)" \
		"Failed to store certificate: Not enough memory on card" "$w/fill"
	if grep -q "^failed at" "$w/fill"; then not_ok "full layout: a certificate before the 17th failed"; fi
	# through PKCS#11 (C_CreateObject): CKR_DEVICE_MEMORY, the code of a
	# full token (before: CKR_GENERAL_ERROR), nothing written
	openssl x509 -in "$w/c.pem" -outform DER -out "$w/c.der"
	cp "$state" "$state.before"
	run_card "$w/p11" --state "$state" $card -- bash -c 'pkcs11-tool --module "$P11LIB" -l --pin '"$user"' \
		--write-object "$0" --type cert --id 76' "$w/c.der"
	expect_match "full layout: PKCS#11 C_CreateObject gives CKR_DEVICE_MEMORY" "rv = CKR_DEVICE_MEMORY" "$w/p11"
	cmp -s "$state" "$state.before" && ok "full layout: PKCS#11: the card as it was" ||
		not_ok "full layout: the refused PKCS#11 certificate changed the card"
	run_card "$w/c" --state "$state" $card -- pkcs15-tool -c
	[ "$(grep -c "^X.509 Certificate" "$w/c")" = 16 ] && ok "full layout: 16 certificates listed" ||
		not_ok "full layout: not 16 certificates listed"
	not_listed "full layout: the refused certificate not listed" "ID *: 75" "$w/c"
	run_card "$w/again" --state "$state" $card -- bash -c "pkcs15-init --delete-objects cert --id 60 \
		--pin $user && pkcs15-init --store-certificate $w/c.pem --id 75 --pin $user && pkcs15-tool -c"
	expect_match "full layout: after a deletion the 17th is stored" "ID *: 75" "$w/again"
}

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -subj /CN=TestCA -days 30 \
	-out "$tmp/ca.pem" 2>/dev/null
use_script

personalise acos5-64v2 "$tmp/v2.state" 2048 45
personalise acos5-64v2 "$tmp/v2-4096.state" 4096 46
cp "$tmp/v2-4096.state" "$tmp/acos5-64v2.pinned"
# V3: factory state is FIPS mode (2048/3072 only); 64K mode is written on the virgin card
personalise acos5-64v3 "$tmp/v3.state" 3072 45
run_card "$tmp/v3fips" --state "$tmp/v3.state" acos5-64v3 -- pkcs15-init --generate-key rsa/4096 \
	--auth-id 01 --id 49 --pin $user --so-pin $so
expect_match "acos5-64v3 FIPS: 4096 refused" "not supported|Not supported|Invalid" "$tmp/v3fips"
expect_match "acos5-64v3 FIPS: the sizes this card generates named" \
	"^pkicards: this card \\(ACOS5-64 V3 \\(FIPS mode\\)\\) generates RSA keys of 2048, 3072 bits, not 4096 bits; nothing was written" "$tmp/v3fips"
run_card "$tmp/mode" --state "$tmp/v3-64k.state" acos5-64v3 -- opensc-tool -s 00D6C1910102
personalise acos5-64v3 "$tmp/v3-64k.state" 4096 45
personalise acos5 "$tmp/v1.state" 2048 45
# 3072 bits: the ACOS5-64 holds them, the original ACOS5 does not; only the
# driver, which knows the card, can name its sizes
run_card "$tmp/v1big" --state "$tmp/v1.state" acos5 -- pkcs15-init --generate-key rsa/3072 \
	--auth-id 01 --id 49 --pin $user --so-pin $so
expect_match "acos5: 3072 bits refused with the card's sizes" \
	"^pkicards: this card \\(.*\\) generates RSA keys of 512 to 2048 bits in steps of 512, not 3072 bits; nothing was written" "$tmp/v1big"

# PIN counters, block, unblock and change; the original ACOS5 unblocks with
# its PUK record (PIN ID + 1) and a rewrite of the PIN record (acos5-card.md §3.6);
# PKCS#11 C_InitPIN with the SO PIN refused (it would add a second user PIN)
pin_cycle acos5-64v2 "$tmp/v2.state" 01 $user 11223344 8 $so
pin_cycle acos5-64v3 "$tmp/v3.state" 01 $user 11223344 8 $so
pin_cycle acos5 "$tmp/v1.state" 01 $user 11223344 8 $so
so_unblock_v1
second_pin_v1
second_pin_key_v2

renew_certificate acos5-64v2 "$tmp/v2.state" 45
renew_certificate acos5 "$tmp/v1.state" 45
objects_and_erase acos5-64v2 "$tmp/v2.state" 45
objects_and_erase acos5 "$tmp/v1.state" 45
objects_and_erase acos5-64v3 "$tmp/v3.state" 45
low_memory
full_layout

finish
