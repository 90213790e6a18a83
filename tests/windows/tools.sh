#!/bin/bash
# tools.sh [CARD...]: issue 10, acceptance 1 — the Windows OpenSC's own
# tools and PKCS#11 module, installed with our installer in the wine prefix
# (tests/windows/run), use our drivers on blank simulated cards:
#   opensc-tool.exe -v -n names the card with our driver;
#   pkcs15-init.exe personalises it (create-pkcs15, store-pin with PUK,
#   generate-key rsa/2048, store-certificate);
#   pkcs11-tool.exe (opensc-pkcs11.dll, its default module) signs
#   SHA256-RSA-PKCS and RSA-PKCS-PSS and decrypts PKCS#1 v1.5;
#   the signatures verify with Linux openssl against the public key that
#   Linux pkcs15-tool reads from the same card state, and the decrypted
#   text is the one Linux openssl encrypted.
# A token label with a letter outside ASCII ("Jürgen": Windows passes it in
# its ANSI code page) is refused before anything is written, saying so.
# C_InitPIN (pkcs11-tool.exe --init-pin with the SO PIN) on an original
# ACOS5 with a user PIN is refused and leaves the user PUK as it was.
# StarCOS SPK 2.x holds RSA keys up to 1024 bits and has no PSS
# (doc/starcos.md): there the 2048-bit generation and the PSS signature must
# be refused, and the card is personalised with 1024 bits.
. "$(dirname "$0")/../integration/lib.sh"
. "$top/tests/windows/env.sh"
win_skip_unless_buildable
win="$top/tests/windows/run"
# the prefix once (OpenSC, our installer); then every run skips the check
"$top/tests/windows/setup-prefix" || { not_ok "tests/windows/setup-prefix failed"; finish; }
export PKICARDS_WIN_READY=1
cards=${*:-acos5-64v2 acos5-64v3 starcos-spk24}
pin=648219
so=87654321
puk=12345678
id=45

# the card names of tests/integration/foundation.sh
card_name() {
	case $1 in
	acos5-64v2) echo 'ACOS5-64 V2' ;;
	acos5-64v3) echo 'ACOS5-64 V3 \(FIPS mode\)' ;;
	starcos-spk24) echo 'StarCOS SPK 2.4' ;;
	*) echo "$1" ;;
	esac
}

# the steps, in one card session: Windows programs through $win, Linux
# ones directly (with-card's OPENSC_CONF). One "STEP name ok|FAILED" line
# each; the tools' output follows for the log.
cat >"$tmp/session.sh" <<'SH'
set -u
win=$1 pin=$2 so=$3 puk=$4 id=$5 bits=$6 spk2=$7
step() { local name=$1; shift; echo "\$ $*" | sed -E 's/(pin|puk) [^ ]+/\1 …/g'; if "$@" >out.txt 2>&1; then cat out.txt; echo "STEP $name ok"; else cat out.txt; echo "STEP $name FAILED"; fi; }
p11() { "$win" pkcs11-tool.exe --login --pin "$pin" --id "$id" "$@"; }
"$win" opensc-tool.exe -v -n >name.txt 2>&1; cat name.txt
# a label with a letter outside ASCII reaches the program in the ANSI code
# page (wine: Windows-1252), not as UTF-8: refused before anything is written
"$win" pkcs15-init.exe --create-pkcs15 --so-pin "$so" --so-puk "$puk" --label "Jürgen" >label.txt 2>&1
echo "label status $?"
cat label.txt
step create-pkcs15 "$win" pkcs15-init.exe --create-pkcs15 --so-pin "$so" --so-puk "$puk" --label "pkicards windows"
step store-pin "$win" pkcs15-init.exe --store-pin --auth-id 01 --label "User PIN" --pin "$pin" --puk "$puk" --so-pin "$so"
if [ "$spk2" = 1 ]; then
	# the documented refusal: SPK 2.x holds RSA keys up to 1024 bits
	"$win" pkcs15-init.exe --generate-key rsa/2048 --auth-id 01 --id "$id" --key-usage sign,decrypt \
		--pin "$pin" --so-pin "$so" >gen2048.txt 2>&1
	echo "gen2048 status $?"
	cat gen2048.txt
fi
step generate-key "$win" pkcs15-init.exe --generate-key "rsa/$bits" --auth-id 01 --id "$id" --label "windows key" \
	--key-usage sign,decrypt --pin "$pin" --so-pin "$so"
# Linux reads the public key of the same card state; a CA on Linux
# certifies it
step read-public-key pkcs15-tool --read-public-key "$id" -o pub.pem
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj "/CN=windows test CA" \
	-addext "basicConstraints=critical,CA:TRUE" >/dev/null 2>&1
openssl req -new -key ca.key -subj "/CN=pkicards windows" -out req.csr >/dev/null 2>&1
openssl x509 -req -in req.csr -CA ca.pem -CAkey ca.key -CAcreateserial -force_pubkey pub.pem -days 30 \
	-sha256 -out cert.pem >/dev/null 2>&1
step store-certificate "$win" pkcs15-init.exe --store-certificate cert.pem --id "$id" --label "windows cert" \
	--pin "$pin" --so-pin "$so"
step list-linux pkcs15-tool -D
head -c 1000 /dev/urandom >data.bin
openssl dgst -sha256 -binary data.bin >digest.bin
step sign-sha256 p11 --sign --mechanism SHA256-RSA-PKCS -i data.bin -o sig.bin
step verify-sha256 openssl dgst -sha256 -verify pub.pem -signature sig.bin data.bin
if [ "$spk2" = 1 ]; then
	p11 --sign --mechanism RSA-PKCS-PSS --hash-algorithm SHA256 --mgf MGF1-SHA256 -i digest.bin -o pss.bin >pss.txt 2>&1
	echo "pss status $?"
	cat pss.txt
else
	step sign-pss p11 --sign --mechanism RSA-PKCS-PSS --hash-algorithm SHA256 --mgf MGF1-SHA256 -i digest.bin -o pss.bin
	step verify-pss openssl pkeyutl -verify -pubin -inkey pub.pem -in digest.bin -sigfile pss.bin \
		-pkeyopt rsa_padding_mode:pss -pkeyopt digest:sha256 -pkeyopt rsa_pss_saltlen:32
fi
head -c 32 /dev/urandom >secret.bin
openssl pkeyutl -encrypt -pubin -inkey pub.pem -pkeyopt rsa_padding_mode:pkcs1 -in secret.bin -out ct.bin
step decrypt p11 --decrypt --mechanism RSA-PKCS -i ct.bin -o pt.bin
step decrypted-equal cmp secret.bin pt.bin
SH

for card in $cards; do
	w=$tmp/$card
	mkdir -p "$w"
	before=$failures
	bits=2048 spk2=0
	case $card in starcos-spk2*) bits=1024 spk2=1 ;; esac
	(cd "$w" && $with_card --state "$w/card.state" "$card" -- \
		bash "$tmp/session.sh" "$win" "$pin" "$so" "$puk" "$id" "$bits" "$spk2") 2>&1 </dev/null |
		tr -d '\r' >"$w/log" # (Windows programs end their lines with CR LF)
	expect_match "$card: opensc-tool.exe -n uses our driver" "^Using card driver .*\(pkicards\)\.$" "$w/log"
	expect_match "$card: opensc-tool.exe -n names the card" "^Card name: $(card_name "$card")\$" "$w/log"
	for s in create-pkcs15 store-pin generate-key read-public-key store-certificate list-linux \
		sign-sha256 verify-sha256 decrypt decrypted-equal; do
		expect_match "$card: $s" "^STEP $s ok\$" "$w/log"
	done
	expect_match "$card: a label in the ANSI code page refused" "^label status [1-9]" "$w/log"
	expect_match "$card: the refusal says to give it in ASCII" \
		"token label is not UTF-8 text .*byte 2 is not UTF-8.*give it in ASCII.*nothing was written" "$w/log"
	expect_match "$card: the key is RSA $bits (Linux pkcs15-tool)" "ModLength *: *$bits\$" "$w/log"
	expect_match "$card: Linux lists the certificate stored under wine" "^X\\.509 Certificate \\[windows cert\\]" "$w/log"
	if [ $spk2 = 1 ]; then
		expect_match "$card: rsa/2048 refused (SPK 2.x: 1024 bits at most)" "^gen2048 status [1-9]" "$w/log"
		expect_match "$card: rsa/2048 refusal says why" "^Failed to generate key: Not supported\$" "$w/log"
		expect_match "$card: the driver names the card's sizes (command line read under Windows)" \
			"^pkicards: this card \\(StarCOS SPK 2\\.[34]\\) generates RSA keys of 512 to 1024 bits in steps of 256, not 2048 bits" "$w/log"
		expect_match "$card: PSS refused (SPK 2.x pads PKCS#1 v1.5 itself)" "^pss status [1-9]" "$w/log"
		expect_match "$card: PSS refused as unsupported mechanism" "CKR_MECHANISM_INVALID" "$w/log"
	else
		expect_match "$card: sign RSA-PKCS-PSS" "^STEP sign-pss ok\$" "$w/log"
		expect_match "$card: PSS signature verifies with openssl" "^STEP verify-pss ok\$" "$w/log"
	fi
	if [ $failures != "$before" ]; then
		echo "    --- $card session log:"
		sed 's/^/    /' "$w/log"
	fi
done

# An administrator resets the user PIN with the SO PIN through PKCS#11
# (pkcs11-tool.exe --init-pin, C_InitPIN): OpenSC stores a new PIN object,
# a second user PIN that guards no key (on the original ACOS5 it took the
# user PIN's PUK record): refused with what to do instead, and the PUK
# still unblocks (doc/windows.md, "PINs").
w=$tmp/acos5-initpin
mkdir -p "$w"
if p15_personalise acos5 "$w/card.state" "$pin"; then
	$with_card --state "$w/card.state" acos5 -- sh -c '"$1" pkcs11-tool.exe --init-pin --login --login-type so \
		--so-pin "$2" --new-pin 5555; echo "init-pin status $?"; pkcs15-tool --unblock-pin --auth-id 01 \
		--puk "$3" --new-pin "$4"; echo "unblock status $?"' sh "$win" "$so" "$puk" "$pin" 2>&1 </dev/null |
		tr -d '\r' >"$w/log"
	expect_match "acos5: C_InitPIN over the user PIN refused" "^init-pin status [1-9]" "$w/log"
	expect_match "acos5: the refusal says what to do" "this token has its user PIN already .*pkcs15-tool --unblock-pin --auth-id 01\\)" "$w/log"
	expect_match "acos5: the user PIN's PUK still unblocks it" "^unblock status 0\$" "$w/log"
fi
finish
