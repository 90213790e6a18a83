#!/bin/bash
# ACOS5 issue: a card personalised by ACS's tools (acos5-64v2:acs, built
# from a real card's dump) is exposed through our driver: pkcs15-tool -D
# shows its PINs, keys and certificates; its key signs after the PIN
# (verified with OpenSSL against the public key read from the card) and
# deciphers data OpenSSL encrypted to it.
. "$(dirname "$0")/lib.sh"

card=acos5-64v2:acs
pin=12345678 # user PIN of the image (doc/simulator.md)

run_card "$tmp/d" "$card" -- pkcs15-tool -D
expect_match "token label" "PKCS#15 Card \\[CTM64_" "$tmp/d"
expect_match "user PIN, local reference 0x81" "Reference +: 129 \\(0x81\\)" "$tmp/d"
expect_match "SO PIN, global reference 0x01" "Reference +: 1 \\(0x01\\)" "$tmp/d"
expect_match "private key in 41F4" "Path +: 3f00410041f4" "$tmp/d"
expect_match "public key in 4134" "Path +: 3f0041004134" "$tmp/d"
expect_match "certificate in 4121" "Path +: 3f0041004121" "$tmp/d"

cat >"$tmp/use.sh" <<'SH'
set -u
cd "$1"
pin=$2
m=$P11LIB
echo "hello card" >data
pkcs11-tool --module "$m" --read-object --type pubkey --id 06 -o pub.der >/dev/null 2>&1 || exit 10
openssl pkey -pubin -inform DER -in pub.der -out pub.pem || exit 11
for mech in SHA256-RSA-PKCS SHA1-RSA-PKCS SHA384-RSA-PKCS SHA512-RSA-PKCS; do
	h=$(echo "$mech" | cut -d- -f1 | tr A-Z a-z)
	rm -f sig
	pkcs11-tool --module "$m" -l --pin "$pin" --sign -m "$mech" --id 06 -i data -o sig >/dev/null 2>&1
	openssl dgst "-$h" -verify pub.pem -signature sig data >/dev/null 2>&1 && echo "verified $mech" || echo "FAILED $mech"
done
rm -f sig
pkcs11-tool --module "$m" -l --pin "$pin" --sign -m SHA256-RSA-PKCS-PSS --id 06 -i data -o sig >/dev/null 2>&1
openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1 -verify pub.pem \
	-signature sig data >/dev/null 2>&1 && echo "verified PSS" || echo "FAILED PSS"
openssl pkeyutl -encrypt -pubin -inkey pub.pem -in data -out enc1
pkcs11-tool --module "$m" -l --pin "$pin" --decrypt -m RSA-PKCS --id 06 -i enc1 -o dec1 >/dev/null 2>&1
cmp -s data dec1 && echo "decrypted RSA-PKCS" || echo "FAILED RSA-PKCS decrypt"
openssl pkeyutl -encrypt -pubin -inkey pub.pem -pkeyopt rsa_padding_mode:oaep \
	-pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 -in data -out enc2
pkcs11-tool --module "$m" -l --pin "$pin" --decrypt -m RSA-PKCS-OAEP --hash-algorithm SHA256 \
	--mgf MGF1-SHA256 --id 06 -i enc2 -o dec2 >/dev/null 2>&1
cmp -s data dec2 && echo "decrypted RSA-PKCS-OAEP" || echo "FAILED RSA-PKCS-OAEP decrypt"
rm -f sig
pkcs11-tool --module "$m" -l --pin 99999999 --sign -m SHA256-RSA-PKCS --id 06 -i data -o sig 2>&1 |
	grep -q CKR_PIN_INCORRECT && echo "wrong PIN refused" || echo "FAILED wrong PIN"
SH
run_card "$tmp/u" "$card" -- bash "$tmp/use.sh" "$tmp" "$pin"
for what in "verified SHA256-RSA-PKCS" "verified SHA1-RSA-PKCS" "verified SHA384-RSA-PKCS" \
		"verified SHA512-RSA-PKCS" "verified PSS" "decrypted RSA-PKCS" \
		"decrypted RSA-PKCS-OAEP" "wrong PIN refused"; do
	expect_match "$what" "^$what\$" "$tmp/u"
done

# PIN counters, block, unblock, change (one card state across commands)
pin_cycle "$card" "$tmp/acs.state" 01 12345678 12345678 8

# A blank card says so and names the command that initialises it
for blank in acos5 acos5-64v2 acos5-64v3; do
	$with_card $blank -- pkcs15-tool -D >"$tmp/blank" 2>&1
	expect_match "blank $blank: not initialised" "is not initialised \\(blank\\)" "$tmp/blank"
	expect_match "blank $blank: the command" "pkcs15-init --create-pkcs15" "$tmp/blank"
done

finish
