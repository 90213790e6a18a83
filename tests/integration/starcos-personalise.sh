#!/bin/bash
# StarCOS end to end, personalisation: stock pkcs15-init with our pkcs15init
# module and starcos_ext.profile lays out blank simulated SPK 2.3 and 2.4
# cards (SO PIN/PUK, user PIN 3 tries + PUK), generates keys, stores a
# certificate and a data object; the keys sign and decipher through
# pkcs11-tool (checked with OpenSSL against the public key read from the
# card); PIN change, blocking and unblocking; erase with the SO PIN; then the
# same after --finalize. The card refuses SO operations without the SO PIN
# and key use without the user PIN from --create-pkcs15 on. See
# doc/starcos.md.
. "$(dirname "$0")/lib.sh"

so=87654321
sopuk=12345678
user=1234
puk=11223344

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -subj "/CN=test CA" \
	-days 30 2>/dev/null

# card state CMD...: run CMD with the card, output in $tmp/out, status returned
on() {
	local card=$1 state=$2
	shift 2
	run_card "$tmp/out" --state "$state" "$card" -- "$@"
}

# must DESC card state CMD...: CMD succeeds
must() {
	local desc=$1
	shift
	if on "$@"; then ok "$desc"; else not_ok "$desc:"; sed 's/^/    /' "$tmp/out"; fi
}

# refused DESC card state CMD...: CMD fails
refused() {
	local desc=$1
	shift
	if on "$@"; then not_ok "$desc: it succeeded"; else ok "$desc"; fi
}

# use CARD STATE ID DIR: sign / decrypt with pkcs11-tool, verify with OpenSSL
use_key() {
	local card=$1 state=$2 id=$3 w=$4
	cat >"$w/use.sh" <<'SH'
set -u
cd "$1"
pin=$2 id=$3 m=$P11LIB
echo "hello card" >data
for mech in SHA1-RSA-PKCS SHA256-RSA-PKCS SHA512-RSA-PKCS; do
	h=$(echo "$mech" | cut -d- -f1 | tr A-Z a-z)
	rm -f sig
	pkcs11-tool --module "$m" -l --pin "$pin" --sign -m "$mech" --id "$id" -i data -o sig >/dev/null 2>&1
	openssl dgst "-$h" -verify pub.pem -signature sig data >/dev/null 2>&1 && echo "verified $mech" || echo "FAILED $mech"
done
rm -f sig
if pkcs11-tool --module "$m" -l --pin "$pin" --sign -m SHA256-RSA-PKCS-PSS --id "$id" -i data -o sig >/dev/null 2>&1; then
	echo "FAILED PSS offered"
else
	echo "PSS refused"
fi
openssl pkeyutl -encrypt -pubin -inkey pub.pem -in data -out enc1
pkcs11-tool --module "$m" -l --pin "$pin" --decrypt -m RSA-PKCS --id "$id" -i enc1 -o dec1 >/dev/null 2>&1
cmp -s data dec1 && echo "decrypted RSA-PKCS" || echo "FAILED RSA-PKCS decrypt"
SH
	run_card "$w/use" --state "$state" "$card" -- bash "$w/use.sh" "$w" "$user" "$id"
	for m in SHA1-RSA-PKCS SHA256-RSA-PKCS SHA512-RSA-PKCS; do
		expect_match "$card: $m signature (key $id) verifies" "^verified $m\$" "$w/use"
	done
	expect_match "$card: no PSS (the card pads PKCS#1 itself)" "^PSS refused\$" "$w/use"
	expect_match "$card: RSA-PKCS decryption (key $id)" "^decrypted RSA-PKCS\$" "$w/use"
}

# gen CARD STATE BITS ID [SO-PIN ARGS]: generate a key, read its public key
gen_key() {
	local card=$1 state=$2 bits=$3 id=$4 w
	w=$tmp/$card-$id
	mkdir -p "$w"
	must "$card: generate rsa/$bits (id $id)" "$card" "$state" pkcs15-init --generate-key rsa/$bits \
		--auth-id 01 --id $id --key-usage sign,decrypt --pin $user --so-pin $so
	on "$card" "$state" pkcs15-tool --read-public-key $id -o "$w/pub.pem"
	if openssl pkey -pubin -in "$w/pub.pem" -text -noout 2>/dev/null | grep -q "($bits bit)"; then
		ok "$card: public key read from the card ($bits bits)"
	else
		not_ok "$card: public key of $id not readable"
		sed 's/^/    /' "$tmp/out"
	fi
}

personalise() {
	local card=$1 state=$2 w
	rm -f "$state"
	must "$card: create-pkcs15 with SO PIN and SO PUK" "$card" "$state" \
		pkcs15-init --create-pkcs15 --so-pin $so --so-puk $sopuk --label "Test card"
	must "$card: user PIN 01 with PUK" "$card" "$state" pkcs15-init --store-pin --auth-id 01 \
		--label "User PIN" --pin $user --puk $puk --so-pin $so
	on "$card" "$state" pkcs15-tool --list-pins
	expect_match "$card: SO PIN global 01" "Reference +: 1 \\(0x01\\)" "$tmp/out"
	expect_match "$card: user PIN local 83" "Reference +: 131 \\(0x83\\)" "$tmp/out"
	gen_key "$card" "$state" 1024 45
	gen_key "$card" "$state" 768 46
	w=$tmp/$card-45
	openssl req -new -key "$tmp/ca.key" -subj "/CN=StarCOS $card" -out "$w/req.csr" 2>/dev/null
	openssl x509 -req -in "$w/req.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -force_pubkey "$w/pub.pem" \
		-days 30 -out "$w/cert.pem" 2>/dev/null
	# a certificate of another key (the CA's) under key 45's ID: refused
	# before anything is written
	cp "$state" "$state.before"
	refused "$card: a certificate of another key refused" "$card" "$state" \
		pkcs15-init --store-certificate "$tmp/ca.pem" --id 45 --pin $user --so-pin $so
	expect_match "$card: the refusal says what to do" \
		"^pkicards: the certificate is not for key 45 on this card \\(its public key differs\\)" "$tmp/out"
	if cmp -s "$state" "$state.before"; then ok "$card: the refused certificate left the card as it was"
	else not_ok "$card: the refused certificate changed the card"; fi
	must "$card: store certificate" "$card" "$state" pkcs15-init --store-certificate "$w/cert.pem" \
		--id 45 --pin $user --so-pin $so
	echo "some data" >"$w/data.bin"
	must "$card: store data object" "$card" "$state" pkcs15-init --store-data "$w/data.bin" \
		--label mydata --so-pin $so
	# a data object needs the SO PIN, which PKCS#11 does not give: refused
	# as "user not logged in" with the reason, nothing written (before:
	# CKR_PIN_LEN_RANGE, an empty SO PIN tried)
	cp "$state" "$state.before"
	on "$card" "$state" bash -c 'pkcs11-tool --module "$P11LIB" -l --pin "$1" --write-object "$2" \
		--type data --label "p11 data"' _ $user "$w/data.bin"
	expect_match "$card: PKCS#11 data object refused: the SO is not logged in" \
		"C_CreateObject failed: rv = CKR_USER_NOT_LOGGED_IN" "$tmp/out"
	expect_match "$card: PKCS#11 data object: the reason given" \
		"^pkicards: a data object on this card needs the SO PIN, which this program did not give \\(pkcs15-init --store-data FILE --so-pin SOPIN\\); nothing was written to the card\$" "$tmp/out"
	if cmp -s "$state" "$state.before"; then
		ok "$card: PKCS#11 data object: the card as it was"
	else
		not_ok "$card: the refused PKCS#11 data object changed the card"
	fi
	# a key pair through PKCS#11 without a login: refused as not logged in,
	# with what to do, nothing written (before: CKR_GENERAL_ERROR, OpenSC's
	# mapping of the empty PIN it verified)
	on "$card" "$state" bash -c 'pkcs11-tool --module "$P11LIB" --keypairgen --key-type rsa:1024 --id 77'
	expect_match "$card: PKCS#11 key generation without login: not logged in" \
		"C_GenerateKeyPair failed: rv = CKR_USER_NOT_LOGGED_IN" "$tmp/out"
	expect_match "$card: PKCS#11 key generation without login: what to do" \
		"^pkicards: generating a key needs the user PIN, which this program did not give: log in first" "$tmp/out"
	if cmp -s "$state" "$state.before"; then
		ok "$card: PKCS#11 key generation without login: the card as it was"
	else
		not_ok "$card: the refused PKCS#11 key generation changed the card"
	fi
	# a certificate through PKCS#11 needs the user PIN only: stored, deleted
	openssl x509 -in "$w/cert.pem" -outform DER -out "$w/cert.der"
	must "$card: PKCS#11 certificate stored with the user PIN" "$card" "$state" bash -c \
		'pkcs11-tool --module "$P11LIB" -l --pin "$1" --write-object "$2" --type cert --id 48 --label p11cert' \
		_ $user "$w/cert.der"
	on "$card" "$state" pkcs15-tool -c
	expect_match "$card: PKCS#11 certificate listed" "X\\.509 Certificate \\[p11cert\\]" "$tmp/out"
	must "$card: PKCS#11 certificate deleted with the user PIN" "$card" "$state" bash -c \
		'pkcs11-tool --module "$P11LIB" -l --pin "$1" --delete-object --type cert --id 48' _ $user
	on "$card" "$state" pkcs15-tool -c
	not_listed "$card: PKCS#11 certificate gone" "p11cert" "$tmp/out"
	# the certificate is a value in the CDF: --update-certificate cannot
	# replace it, says what to do instead and writes nothing
	openssl x509 -req -in "$w/req.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -force_pubkey "$w/pub.pem" \
		-days 60 -out "$w/cert2.pem" 2>/dev/null
	cp "$state" "$state.before"
	refused "$card: --update-certificate refused" "$card" "$state" pkcs15-init --update-certificate \
		"$w/cert2.pem" --id 45 --pin $user --so-pin $so
	expect_match "$card: --update-certificate says to delete and store" \
		"^pkicards: this card keeps its certificates in the certificate directory.*nothing was written to the card. Delete it and store the new one: pkcs15-init --delete-objects cert --id 45, then pkcs15-init --store-certificate FILE --id 45\$" "$tmp/out"
	if cmp -s "$state" "$state.before"; then
		ok "$card: --update-certificate left the card as it was"
	else
		not_ok "$card: --update-certificate changed the card"
	fi
	on "$card" "$state" pkcs15-tool -D
	expect_match "$card: certificate listed" "X\\.509 Certificate \\[" "$tmp/out"
	expect_match "$card: private key 91" "Key ref +: 145 \\(0x91\\)" "$tmp/out"
	expect_match "$card: data object listed" "mydata" "$tmp/out"
	use_key "$card" "$state" 45 "$w"
	use_key "$card" "$state" 46 "$tmp/$card-46"
	# key import (WRITE KEY blob)
	openssl genrsa -out "$w/imp.key" 1024 2>/dev/null
	openssl rsa -in "$w/imp.key" -pubout -out "$tmp/$card-47.pub" 2>/dev/null
	must "$card: import an RSA-1024 key (id 47)" "$card" "$state" pkcs15-init --store-private-key \
		"$w/imp.key" --auth-id 01 --id 47 --key-usage sign,decrypt --pin $user --so-pin $so
	mkdir -p "$tmp/$card-47" && cp "$tmp/$card-47.pub" "$tmp/$card-47/pub.pem"
	use_key "$card" "$state" 47 "$tmp/$card-47"
	must "$card: delete key 46" "$card" "$state" pkcs15-init --delete-objects privkey,pubkey --id 46 \
		--pin $user --so-pin $so
	on "$card" "$state" pkcs15-tool -D
	not_listed "$card: key 46 gone" "ID  *: 46" "$tmp/out"
}

pins() {
	local card=$1 state=$2
	must "$card: change PIN" "$card" "$state" pkcs15-tool --change-pin --auth-id 01 --pin $user --new-pin 4321
	must "$card: new PIN verifies" "$card" "$state" pkcs15-tool --verify-pin --auth-id 01 --pin 4321
	for i in 1 2 3; do
		on "$card" "$state" pkcs15-tool --verify-pin --auth-id 01 --pin 9999
	done
	expect_match "$card: third wrong PIN: no try left" "incorrect" "$tmp/out"
	refused "$card: right PIN refused while blocked" "$card" "$state" \
		pkcs15-tool --verify-pin --auth-id 01 --pin 4321
	expect_match "$card: pkcs15-tool says blocked (69 83)" "blocked" "$tmp/out"
	# SPK 2.x has no PIN status command (starcos-card.md §2.1): PKCS#11 learns the
	# state at login
	on "$card" "$state" bash -c 'pkcs11-tool --module "$P11LIB" -l --pin 4321 -O'
	expect_match "$card: PKCS#11 login: CKR_PIN_LOCKED" "CKR_PIN_LOCKED" "$tmp/out"
	must "$card: unblock with the PUK" "$card" "$state" pkcs15-tool --unblock-pin --auth-id 01 \
		--puk $puk --new-pin $user
	must "$card: PIN verifies after unblock" "$card" "$state" pkcs15-tool --verify-pin --auth-id 01 --pin $user
	# PKCS#11 C_InitPIN in an SO session would add a second user PIN: refused
	refused "$card: C_InitPIN over the user PIN refused" "$card" "$state" bash -c \
		'pkcs11-tool --module "$P11LIB" --login --login-type so --so-pin "$1" --init-pin --new-pin 24681357' _ $so
	expect_match "$card: C_InitPIN refusal says what to do" \
		"^pkicards: this token has its user PIN already .*pkcs15-tool --unblock-pin --auth-id 01\\)" "$tmp/out"
	must "$card: the user PIN verifies after C_InitPIN" "$card" "$state" pkcs15-tool --verify-pin --auth-id 01 \
		--pin $user
}

erase() {
	local card=$1 state=$2
	refused "$card: erase with a wrong SO PIN refused" "$card" "$state" pkcs15-init --erase-card \
		--so-pin 11111111
	expect_match "$card: wrong SO PIN named" "Failed to erase card: PIN code or key incorrect" "$tmp/out"
	refused "$card: erase with a wrong --secret refused" "$card" "$state" pkcs15-init --erase-card \
		--secret @02=11111112
	refused "$card: erase without the SO PIN refused" "$card" "$state" pkcs15-init --erase-card </dev/null
	expect_match "$card: missing SO PIN named" "Failed to erase card: Security status not satisfied" "$tmp/out"
	on "$card" "$state" pkcs15-tool --list-pins
	expect_match "$card: nothing erased by the refused attempts" "Security Officer PIN" "$tmp/out"
	must "$card: erase with the SO PIN (--so-pin env:VAR)" "$card" "$state" env PK_SO_PIN=$so \
		pkcs15-init --erase-card --so-pin env:PK_SO_PIN
	on "$card" "$state" opensc-tool -s 00A40000023F00
	expect_match "$card: blank after erase (no MF: 69 85)" "SW1=0x69, SW2=0x85" "$tmp/out"
	# a blank card says so, and PKCS#11 shows a token it does not know,
	# not a slot it cannot read
	on "$card" "$state" pkcs15-tool -D
	expect_match "$card: blank: not initialised" "is not initialised \\(blank\\)" "$tmp/out"
	expect_match "$card: blank: the command" "pkcs15-init --create-pkcs15" "$tmp/out"
	on "$card" "$state" bash -c 'pkcs11-tool --module "$P11LIB" -L'
	expect_match "$card: blank: PKCS#11 slot with an unknown token" "token not recognized" "$tmp/out"
}

# user_enrol CARD STATE: on the finalised card the user PIN alone adds a key
# and its certificate (what Windows enrolment through OpenSC's minidriver
# does, which never has the SO PIN): GENERATE KEY into a key record prepared
# at personalisation, public key and certificate as direct values in the
# PuKDF and CDF (doc/starcos.md, "Enrolment with the user PIN")
user_enrol() {
	local card=$1 state=$2 w=$tmp/$card-52
	mkdir -p "$w"
	must "$card: finalized: the user PIN alone generates a key (id 52)" "$card" "$state" \
		pkcs15-init --generate-key rsa/1024 --auth-id 01 --id 52 --key-usage sign,decrypt --pin $user \
		</dev/null
	on "$card" "$state" pkcs15-tool --read-public-key 52 -o "$w/pub.pem"
	openssl req -new -key "$tmp/ca.key" -subj "/CN=user-enrolled $card" -out "$w/req.csr" 2>/dev/null
	openssl x509 -req -in "$w/req.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -force_pubkey "$w/pub.pem" \
		-days 30 -out "$w/cert.pem" 2>/dev/null
	must "$card: finalized: the user PIN alone stores its certificate" "$card" "$state" \
		pkcs15-init --store-certificate "$w/cert.pem" --id 52 --pin $user </dev/null
	on "$card" "$state" pkcs15-tool --read-certificate 52 -o "$w/back.pem"
	if openssl x509 -in "$w/cert.pem" -outform DER -out "$w/cert.der" 2>/dev/null &&
		openssl x509 -in "$w/back.pem" -outform DER -out "$w/back.der" 2>/dev/null &&
		cmp -s "$w/cert.der" "$w/back.der"; then
		ok "$card: finalized: the certificate reads back"
	else
		not_ok "$card: finalized: the certificate does not read back"
	fi
	use_key "$card" "$state" 52 "$w"
	# and takes them out again: the certificate with the user PIN alone, the
	# key pair also with the SO PIN given (before, the SO PIN's SELECT MF
	# ended the user PIN's state and the card refused the PuKDF update:
	# "EF offset too large")
	must "$card: finalized: the user PIN alone deletes certificate 52" "$card" "$state" \
		pkcs15-init --delete-objects cert --id 52 --pin $user </dev/null
	must "$card: finalized: key pair 52 deleted with the user and the SO PIN" "$card" "$state" \
		pkcs15-init --delete-objects privkey,pubkey --id 52 --pin $user --so-pin $so </dev/null
	on "$card" "$state" pkcs15-tool -D
	not_listed "$card: finalized: key 52 and its certificate gone" "ID  *: 52" "$tmp/out"
	refused "$card: finalized: no key without any PIN" "$card" "$state" \
		pkcs15-init --generate-key rsa/1024 --auth-id 01 --id 53 --key-usage sign </dev/null
}

# raw CREATE EF 3F00/5015/FID (transparent, 16 bytes), after VERIFY of the
# SO PIN if VERIFY=yes
raw_create() {
	local card=$1 state=$2 verify=$3 fid=$4 a=(-s 00A40000023F00)
	[ "$verify" = yes ] && a+=(-s 0020000108$(echo -n $so | xxd -p))
	a+=(-s 00A4000002501500 -s 80E0030010${fid}9F015F5F5F5F5F5F5F0000810010)
	on "$card" "$state" opensc-tool "${a[@]}"
}

# raw_sign CARD STATE: INTERNAL AUTHENTICATE with key record 91 (key 45)
# after a reset, without any VERIFY
raw_sign() {
	local card=$1 state=$2
	on "$card" "$state" opensc-tool -s 00A40000023F00 -s 00A4000002501500 -s 002241A406840191800101 \
		-s 00881000333031300D060960864801650304020105000420$(printf '%064d' 0)00
}

for card in starcos-spk23 starcos-spk24; do
	state=$tmp/$card.state
	personalise "$card" "$state"
	pins "$card" "$state"
	# --create-pkcs15 ends the creation state (CREATE END) as soon as the SO
	# PIN is stored, as OpenSC's own StarCOS module does: without
	# --finalize, the card enforces its ACs (before 2026-12-05 it did not,
	# and key 45 signed without any PIN)
	raw_create "$card" "$state" no 7771
	expect_match "$card: without --finalize: CREATE EF without SO PIN refused (69 82)" "SW1=0x69, SW2=0x82" \
		"$tmp/out"
	raw_sign "$card" "$state"
	expect_match "$card: without --finalize: key 45 signs nothing without the user PIN (69 82)" \
		"SW1=0x69, SW2=0x82" <(tail -2 "$tmp/out")
	erase "$card" "$state"

	# the same after --finalize, for cards personalised before: on a card
	# finalised already it has nothing to do
	personalise "$card" "$state"
	must "$card: finalize (finalised already: nothing to do)" "$card" "$state" pkcs15-init --finalize
	raw_create "$card" "$state" no 7772
	expect_match "$card: finalized: CREATE EF without SO PIN refused (69 82)" "SW1=0x69, SW2=0x82" "$tmp/out"
	raw_create "$card" "$state" yes 7773
	expect_match "$card: finalized: CREATE EF after VERIFY SO PIN accepted" "SW1=0x90, SW2=0x00\\)\$" \
		<(tail -2 "$tmp/out")
	refused "$card: finalized: store data without the SO PIN refused" "$card" "$state" \
		pkcs15-init --store-data "$tmp/$card-45/data.bin" --label nope </dev/null
	must "$card: finalized: store data with the SO PIN" "$card" "$state" \
		pkcs15-init --store-data "$tmp/$card-45/data.bin" --label more --so-pin $so
	user_enrol "$card" "$state"
	pins "$card" "$state"
	# a key of a second user PIN (85): refused before anything is written
	# (before: on a card in creation state generated into a record
	# prepared for PIN 83 and usable with PIN 83 only; on a finalised card
	# GENERATE KEY refused, 69 82, "Security status not satisfied")
	must "$card: a second user PIN (auth-id 03)" "$card" "$state" pkcs15-init --store-pin --auth-id 03 \
		--label "Sign PIN" --pin 55556666 --puk $puk --so-pin $so </dev/null
	cp "$state" "$state.before"
	refused "$card: a key for the second user PIN refused" "$card" "$state" pkcs15-init --generate-key rsa/1024 \
		--auth-id 03 --id 61 --key-usage sign --pin 55556666 --so-pin $so </dev/null
	expect_match "$card: the refusal names the PIN the keys belong to" \
		"^pkicards: on this card's layout private keys belong to PIN 83 \\(\"User PIN\", auth-id 01\\).*--auth-id 01; nothing was written to the card\$" \
		"$tmp/out"
	if cmp -s "$state" "$state.before"; then ok "$card: the refused key left the card as it was"
	else not_ok "$card: the refused key changed the card"; fi
	erase "$card" "$state"
done

[ $failures = 0 ]
