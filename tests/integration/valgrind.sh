#!/bin/bash
# The plug-in inside OpenSC's own tools under valgrind memcheck (issue 11,
# doc/security.md): personalisation (pkcs15-init), listing (pkcs15-tool),
# signing and deciphering (pkcs15-crypt, pkcs11-tool) on an ACOS5-64 V2 and
# a StarCOS SPK 2.3, the StarCOS 3.5 emulator on the bnotk image; with-card
# runs every OpenSC tool under valgrind (WITH_CARD_VALGRIND=1) and fails on
# any error or definite leak that tests/valgrind/opensc.supp does not
# explain as OpenSC's own.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { not_ok "valgrind not installed (scripts/install-deps)"; finish; }
export WITH_CARD_VALGRIND=1
pin=12345678

cat >"$tmp/use.sh" <<'SH'
set -e
cd "$1"
echo "data to sign and encipher" >data
openssl dgst -sha256 -binary data >hash
pkcs15-tool --read-public-key 45 -o pub.pem
pkcs15-crypt --sign --key 45 --pin "$2" --sha-256 --pkcs1 -i hash -o sig
openssl pkeyutl -verify -pubin -inkey pub.pem -sigfile sig -in hash -pkeyopt digest:sha256
openssl pkeyutl -encrypt -pubin -inkey pub.pem -in data -out enc
pkcs15-crypt --decipher --key 45 --pin "$2" --pkcs1 -i enc -o dec
cmp data dec
pkcs11-tool --module "$P11LIB" -l --pin "$2" --sign -m SHA256-RSA-PKCS --id 45 -i data -o sig11
echo "all uses done"
SH

for card in acos5-64v2 starcos-spk23; do
	state=$tmp/$card.state
	if p15_personalise "$card" "$state" $pin --bits 1024; then
		ok "$card: personalised under valgrind"
	else
		continue
	fi
	mkdir -p "$tmp/$card"
	if run_card "$tmp/out" --state "$state" "$card" -- bash "$tmp/use.sh" "$tmp/$card" $pin; then
		expect_match "$card: list, sign, decipher, PKCS#11 sign under valgrind" "^all uses done$" "$tmp/out"
	else
		not_ok "$card: use under valgrind:"; sed 's/^/    /' "$tmp/out" | tail -n 40
	fi
done
if run_card "$tmp/out" starcos-3.5:bnotk -- pkcs15-tool -D; then
	ok "starcos-3.5:bnotk (emulator): listing under valgrind"
else
	not_ok "starcos-3.5:bnotk: listing under valgrind:"; sed 's/^/    /' "$tmp/out" | tail -n 40
fi
finish
