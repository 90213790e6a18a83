#!/bin/bash
# StarCOS fidelity: OpenSC's built-in `starcos` driver and pkcs15init module
# (written against real cards) on the simulator, through
# `tests/with-card --driver internal`. See doc/simulator.md, "Built-in
# driver checks", for why each outcome is the one a real card gives.
#
# SPK 2.3 / 2.4, blank cards, everything by the built-in module and driver:
#  1. SO PIN profile: create-pkcs15 with SO PIN and PUK (it finalises the
#     card: CREATE END 3F00 and 5015), store-pin, generate-key rsa/1024,
#     store-certificate all pass; the global SO state survives the SELECT
#     MF of OpenSC 0.23's path walk. Signing with the DF-local user PIN 83
#     is refused (69 82): the walk leaves the DF between VERIFY and the
#     signature; our driver signs on the same card.
#  2. pkcs15+onepin profile (global PIN 01): the whole sequence on one
#     finalised card, SHA-1 and SHA-256 signatures verified with OpenSSL
#     against the public key read from the card.
# StarCOS 3.4 (dtrust image): pkcs15-tool -D, PIN verify, EF.ATR extended
# lengths (GET DATA probe), a signature with the AUT key verified against
# its certificate; the QES key (DF-local PIN) refused.
. "$(dirname "$0")/lib.sh"

so=87654321
sopuk=12345678
user=1234
puk=11223344

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -subj "/CN=fidelity CA" \
	-days 30 2>/dev/null

# internal OUT LOG ARGS... -- CMD...: the built-in driver, APDU log LOG
internal() {
	local out=$1 log=$2
	shift 2
	run_card "$out" --driver internal --apdu-log "$log" "$@"
}

# select_mf_between LOG FIRST THEN: in the APDU log LOG, a line matching THEN
# (ERE) follows one matching FIRST with a SELECT MF between them (the last
# such THEN decides)
select_mf_between() {
	awk -v first="$2" -v then="$3" '
		$0 ~ first { seen = 1; mf = 0; next }
		seen && /^00A4000[0C]023F00/ { mf = 1 }
		seen && $0 ~ then { hit = mf; seen = 0 }
		END { exit hit ? 0 : 1 }' "$1"
}

# use_script W CARD PIN SO-ARGS...: the built-in steps after create-pkcs15,
# as a script ($W/use.sh) run in one with-card session
use_script() {
	local w=$1 card=$2 pin=$3
	shift 3
	cat >"$w/use.sh" <<SH
set -u
cd "$w"
step() { local n=\$1; shift; if "\$@"; then echo "done \$n"; else echo "failed \$n"; fi; }
step generate pkcs15-init --generate-key rsa/1024 --auth-id 01 --id 45 --key-usage sign,decrypt \
	--pin $pin $*
step read-pub pkcs15-tool --read-public-key 45 -o pub.pem
openssl req -new -key "$tmp/ca.key" -subj "/CN=StarCOS $card" -out req.csr 2>/dev/null
openssl x509 -req -in req.csr -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -force_pubkey pub.pem \
	-days 30 -out cert.pem 2>/dev/null
step store-cert pkcs15-init --store-certificate cert.pem --id 45 --pin $pin $*
step read-cert pkcs15-tool --read-certificate 45 -o back.pem
pkcs15-tool -D
echo "fidelity data" >data
openssl dgst -sha1 -binary data >h1
step sign-sha1 pkcs15-crypt --sign --key 45 --pin $pin --sha-1 --pkcs1 -i h1 -o sig1
openssl dgst -sha1 -verify pub.pem -signature sig1 data && echo "verified SHA-1"
# the built-in driver offers no SHA256-RSA-PKCS on 2.x: RSA-PKCS over a
# SHA-256 DigestInfo, which it sends with INTERNAL AUTHENTICATE
perl -e 'print pack("H*", "3031300d060960864801650304020105000420" . \$ARGV[0])' \
	"\$(openssl dgst -sha256 -r data | cut -c1-64)" >di256
step sign-sha256 pkcs11-tool --module "\$P11LIB" -l --pin $pin --sign -m RSA-PKCS --id 45 \
	-i di256 -o sig256
openssl dgst -sha256 -verify pub.pem -signature sig256 data && echo "verified SHA-256"
SH
}

# steps_done CARD OUT STEP...: each STEP printed "done STEP"
steps_done() {
	local card=$1 out=$2 s
	shift 2
	for s in "$@"; do
		if grep -q "^done $s\$" "$out"; then
			ok "$card: built-in $s"
		else
			not_ok "$card: built-in $s failed:"
			sed 's/^/    /' "$out"
		fi
	done
}

# key_checks CARD W LOG: the key, certificate and listing the steps left
key_checks() {
	local card=$1 w=$2 log=$3
	expect_match "$card: GENERATE KEY 91 (1024) into OpenSC's IPF entry" "^00460091020400 9000$" "$log"
	if openssl pkey -pubin -in "$w/pub.pem" -text -noout 2>/dev/null | grep -q "(1024 bit)"; then
		ok "$card: public key read by the built-in driver (1024 bits)"
	else
		not_ok "$card: no 1024-bit public key read"
	fi
	if [ -s "$w/back.pem" ] && [ "$(openssl x509 -in "$w/back.pem" -outform DER 2>/dev/null | sha256sum)" = \
			"$(openssl x509 -in "$w/cert.pem" -outform DER | sha256sum)" ]; then
		ok "$card: certificate read back unchanged"
	else
		not_ok "$card: certificate read back differs"
	fi
	expect_match "$card: pkcs15-tool -D lists the key (ref 91)" "Key ref +: 145 \\(0x91\\)" "$w/use"
	expect_match "$card: ... the certificate" "X\\.509 Certificate \\[" "$w/use"
}

# 1. SO PIN profile: create, store-pin, generate, certificate; the card is
# finalised by create, so signing with the DF-local user PIN 83 is refused
spk_so() {
	local card=$1 w=$tmp/$1-so st log
	mkdir -p "$w"
	st=$w/card.state
	log=$w/create.log
	if internal "$w/out" "$log" --state "$st" "$card" -- pkcs15-init --create-pkcs15 \
			--so-pin $so --so-puk $sopuk --label "Fidelity"; then
		ok "$card: built-in create-pkcs15 on a blank card"
	else
		not_ok "$card: built-in create-pkcs15 failed:"
		sed 's/^/    /' "$w/out"
	fi
	expect_match "$card: CREATE MF accepted" "^80E0000013[0-9A-F]+ 9000$" "$log"
	expect_match "$card: REGISTER DF 5015 accepted" "^8052[0-9A-F]{4}0F5015[0-9A-F]+ 9000$" "$log"
	expect_match "$card: CREATE DF 5015 accepted" "^80E00100195015[0-9A-F]+ 9000$" "$log"
	if [ "$(grep -c '^80F4000' "$log")" -eq 5 ] && ! grep '^80F4' "$log" | grep -vq ' 9000$'; then
		ok "$card: WRITE KEY SO PIN, SO PUK, dummy entry: 5 x 90 00"
	else
		not_ok "$card: WRITE KEY answers:"
		grep '^80F4' "$log" | sed 's/^/    /'
	fi
	expect_match "$card: CREATE END 3F00" "^80E00200023F00 9000$" "$log"
	expect_match "$card: CREATE END 5015" "^80E00200025015 9000$" "$log"
	expect_match "$card: the SO PIN it wrote verifies" "^0020000108\\*\\* 9000$" "$log"
	expect_match "$card: CREATE EF 4401 after CREATE END accepted" "^80E00300104401[0-9A-F]+ 9000$" "$log"
	if select_mf_between "$log" "^0020000108" "^80E00300104401"; then
		ok "$card: ... with a SELECT MF after the VERIFY: the global SO state survives it"
	else
		not_ok "$card: no SELECT MF between VERIFY and CREATE EF:"
		sed 's/^/    /' "$log"
	fi
	log=$w/use.log
	if internal "$w/out" "$log" --state "$st" "$card" -- pkcs15-init --store-pin --auth-id 01 \
			--label "User PIN" --pin $user --puk $puk --so-pin $so; then
		ok "$card: built-in store-pin on the finalised card"
	else
		not_ok "$card: built-in store-pin failed:"
		sed 's/^/    /' "$w/out"
	fi
	use_script "$w" "$card" $user --so-pin $so
	internal "$w/use" "$log" --state "$st" "$card" -- bash "$w/use.sh"
	steps_done "$card" "$w/use" generate read-pub store-cert read-cert
	key_checks "$card" "$w" "$log"
	expect_match "$card: ... the user PIN (ref 83)" "Reference +: 131 \\(0x83\\)" "$w/use"
	if grep -q "^done sign-sha1\$" "$w/use"; then
		not_ok "$card: built-in signature with the DF-local PIN 83 succeeded (expected 69 82)"
	else
		ok "$card: built-in signature with the DF-local PIN 83 refused"
	fi
	expect_match "$card: ... COMPUTE SIGNATURE 69 82" "^002A9E9A00 6982$" "$log"
	if select_mf_between "$log" "^0020008308" "^002A9E9A00 6982$"; then
		ok "$card: ... because a SELECT MF came between VERIFY 83 and the signature"
	else
		not_ok "$card: no SELECT MF between VERIFY and COMPUTE SIGNATURE:"
		sed 's/^/    /' "$log"
	fi
	rm -f "$w/sig3"
	run_card "$w/out" --state "$st" "$card" -- pkcs15-crypt --sign --key 45 --pin $user \
		--sha-1 --pkcs1 -i "$w/h1" -o "$w/sig3"
	if openssl dgst -sha1 -verify "$w/pub.pem" -signature "$w/sig3" "$w/data" >/dev/null 2>&1; then
		ok "$card: our driver (staying in DF 5015) signs on the card the built-in module made"
	else
		not_ok "$card: our driver's signature:"
		sed 's/^/    /' "$w/out"
	fi
}

# 2. pkcs15+onepin (the profile of OpenSC #151, #526): the whole built-in
# sequence on one card, signatures verified; its PIN 01 is global
spk_onepin() {
	local card=$1 w=$tmp/$1-onepin st log
	mkdir -p "$w"
	st=$w/card.state
	log=$w/use.log
	if internal "$w/out" "$w/create.log" --state "$st" "$card" -- pkcs15-init --create-pkcs15 \
			--profile pkcs15+onepin --pin $user --puk $puk --label "Fidelity onepin"; then
		ok "$card: built-in create-pkcs15 --profile pkcs15+onepin"
	else
		not_ok "$card: built-in create-pkcs15 (onepin) failed:"
		sed 's/^/    /' "$w/out"
	fi
	expect_match "$card: ... finalised (CREATE END 5015)" "^80E00200025015 9000$" "$w/create.log"
	use_script "$w" "$card" $user
	internal "$w/use" "$log" --state "$st" "$card" -- bash "$w/use.sh"
	steps_done "$card" "$w/use" generate read-pub store-cert read-cert sign-sha1 sign-sha256
	key_checks "$card" "$w" "$log"
	expect_match "$card: SHA-1 signature (PSO HASH + CDS) verifies" "^verified SHA-1$" "$w/use"
	expect_match "$card: PSO HASH + COMPUTE SIGNATURE used" "^002A9E9A00 [0-9A-F]{256}9000$" "$log"
	expect_match "$card: SHA-256 signature (INTERNAL AUTHENTICATE) verifies" "^verified SHA-256$" "$w/use"
	expect_match "$card: INTERNAL AUTHENTICATE used" "^0088100033[0-9A-F]+ [0-9A-F]{256}9000$" "$log"
}

dtrust() {
	local card=starcos-3.4:dtrust w=$tmp/dtrust log
	mkdir -p "$w"
	log=$w/apdu.log
	cat >"$w/use.sh" <<SH
set -u
cd "$w"
step() { local n=\$1; shift; if "\$@"; then echo "done \$n"; else echo "failed \$n"; fi; }
pkcs15-tool -D
step verify pkcs15-tool --verify-pin --auth-id 01 --pin 123456
step wrong pkcs15-tool --verify-pin --auth-id 01 --pin 999999
step read-cert pkcs15-tool --read-certificate 01 -o aut.pem
echo "fidelity data" >data
openssl dgst -sha256 -binary data >h
step sign pkcs15-crypt --sign --key 01 --pin 123456 --sha-256 --pkcs1 -i h -o sig
openssl x509 -in aut.pem -pubkey -noout >aut.pub
openssl dgst -sha256 -verify aut.pub -signature sig data && echo "verified AUT"
step qes pkcs15-crypt --sign --key 02 --pin 654321 --sha-256 --pkcs1 -i h -o qes
SH
	internal "$w/out" "$log" "$card" -- bash "$w/use.sh"
	expect_match "dtrust: pkcs15-tool -D lists the eUserPKI PIN" "PIN \\[eUserPKI PIN\\]" "$w/out"
	expect_match "dtrust: ... the QES PIN" "PIN \\[QES PIN\\]" "$w/out"
	expect_match "dtrust: ... the AUT key" "Private RSA Key \\[AUT key\\]" "$w/out"
	expect_match "dtrust: ... the QES key" "Private RSA Key \\[QES key\\]" "$w/out"
	expect_match "dtrust: ... the certificates" "X\\.509 Certificate \\[C\\.CH\\.QES\\]" "$w/out"
	expect_match "dtrust: EF.ATR extended lengths taken (GET DATA probe, Le 512)" "^A0CA9F6C000200 [0-9A-F]+9000$" "$log"
	for s in verify read-cert sign; do
		if grep -q "^done $s\$" "$w/out"; then
			ok "dtrust: built-in $s"
		else
			not_ok "dtrust: built-in $s failed:"
			sed 's/^/    /' "$w/out"
		fi
	done
	if grep -q "^done wrong\$" "$w/out"; then
		not_ok "dtrust: a wrong PIN verified"
	else
		ok "dtrust: a wrong PIN is refused"
	fi
	expect_match "dtrust: ... with 63 C2" "^0020000108\\*\\* 63C2$" "$log"
	expect_match "dtrust: AUT signature (1728 bits) verifies against C.CH.AUT" "^verified AUT$" "$w/out"
	if grep -q "^done qes\$" "$w/out"; then
		not_ok "dtrust: QES signature succeeded (expected 69 82: DF-local PIN lost on the walk from the MF)"
	else
		ok "dtrust: QES key (DF-local PIN 81) refused"
	fi
	if select_mf_between "$log" "^0020008108" "^002A9E9A[0-9A-F]+ 6982$"; then
		ok "dtrust: ... 69 82 after a SELECT MF between VERIFY 81 and the signature"
	else
		not_ok "dtrust: QES refusal not as expected:"
		sed 's/^/    /' "$log"
	fi
}

spk_so starcos-spk23
spk_onepin starcos-spk23
spk_so starcos-spk24
spk_onepin starcos-spk24
dtrust
finish
