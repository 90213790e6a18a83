#!/bin/bash
# StarCOS fidelity: OpenSC's built-in `starcos` driver and pkcs15init module
# (written against real cards) on the simulator, through
# `tests/with-card --driver internal`. See doc/simulator.md, "Built-in
# driver checks", for why each outcome is the one a real card gives.
#
# SPK 2.3 / 2.4:
#  1. built-in `pkcs15-init --create-pkcs15` with SO PIN and PUK on a blank
#     card succeeds: every creation APDU is accepted (CREATE MF, IPF,
#     REGISTER DF, CREATE DF, WRITE KEY, CREATE END), the SO PIN it wrote
#     verifies and the global SO state survives the SELECT MF of OpenSC
#     0.23's path walk, so the CREATE EFs after CREATE END pass; the
#     built-in store-pin works on that finalised card; its generate-key is
#     refused (69 82): the key's condition needs the DF-local state, which
#     the SELECT MF between VERIFY and GENERATE KEY drops.
#  2. on the same layout still in creation state (made by our module, not
#     finalised), the built-in module stores the user PIN with PUK,
#     generates an RSA-1024 key (its own IPF entry, GENERATE, READ PUBLIC
#     KEY), stores an OpenSSL certificate for it; the built-in driver signs
#     (PSO HASH + COMPUTE SIGNATURE; INTERNAL AUTHENTICATE for a SHA-256
#     DigestInfo through PKCS#11 RSA-PKCS) and OpenSSL verifies against the
#     public key read from the card.
#  3. after the built-in --finalize the card enforces its ACs: built-in
#     signing is refused (SELECT MF between VERIFY and the signature), our
#     driver (which stays in the DF) still signs.
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

spk() {
	local card=$1 w=$tmp/$1 st log
	mkdir -p "$w"
	st=$w/blank.state
	log=$w/create.log

	# 1. built-in --create-pkcs15 on a blank card
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
	log=$w/finalised.log
	if internal "$w/out" "$log" --state "$st" "$card" -- pkcs15-init --store-pin --auth-id 01 \
			--label "User PIN" --pin $user --puk $puk --so-pin $so; then
		ok "$card: built-in store-pin on the finalised card (global SO state)"
	else
		not_ok "$card: built-in store-pin on the finalised card failed:"
		sed 's/^/    /' "$w/out"
	fi
	if internal "$w/out" "$log" --state "$st" "$card" -- pkcs15-init --generate-key rsa/1024 \
			--auth-id 01 --id 45 --pin $user --so-pin $so; then
		not_ok "$card: built-in generate-key on the finalised card succeeded (expected 69 82)"
	else
		ok "$card: built-in generate-key on the finalised card refused"
	fi
	expect_match "$card: ... GENERATE KEY 69 82" "^00460091020400 6982$" "$log"
	if select_mf_between "$log" "^0020000108" "^00460091"; then
		ok "$card: ... because a SELECT MF after the VERIFY dropped the DF-local state"
	else
		not_ok "$card: no SELECT MF between VERIFY and GENERATE KEY:"
		sed 's/^/    /' "$log"
	fi

	# 2. the rest of the built-in sequence on a card in creation state
	st=$w/card.state
	if run_card "$w/out" --state "$st" "$card" -- pkcs15-init --create-pkcs15 \
			--so-pin $so --so-puk $sopuk --label "Fidelity"; then
		ok "$card: PKCS#15 layout (starcos.md 4.1) in creation state"
	else
		not_ok "$card: create-pkcs15 with our module failed:"
		sed 's/^/    /' "$w/out"
		return
	fi
	log=$w/init.log
	cat >"$w/init.sh" <<SH
set -u
cd "$w"
step() { local n=\$1; shift; if "\$@"; then echo "done \$n"; else echo "failed \$n"; fi; }
step store-pin pkcs15-init --store-pin --auth-id 01 --label "User PIN" --pin $user --puk $puk --so-pin $so
step generate pkcs15-init --generate-key rsa/1024 --auth-id 01 --id 45 --key-usage sign,decrypt \
	--pin $user --so-pin $so
step read-pub pkcs15-tool --read-public-key 45 -o pub.pem
openssl req -new -key "$tmp/ca.key" -subj "/CN=StarCOS $card" -out req.csr 2>/dev/null
openssl x509 -req -in req.csr -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -force_pubkey pub.pem \
	-days 30 -out cert.pem 2>/dev/null
step store-cert pkcs15-init --store-certificate cert.pem --id 45 --so-pin $so
step read-cert pkcs15-tool --read-certificate 45 -o back.pem
pkcs15-tool -D
echo "fidelity data" >data
openssl dgst -sha1 -binary data >h1
step sign-sha1 pkcs15-crypt --sign --key 45 --pin $user --sha-1 --pkcs1 -i h1 -o sig1
openssl dgst -sha1 -verify pub.pem -signature sig1 data && echo "verified SHA-1"
# the built-in driver offers no SHA256-RSA-PKCS on 2.x: RSA-PKCS over a
# SHA-256 DigestInfo, which it sends with INTERNAL AUTHENTICATE
perl -e 'print pack("H*", "3031300d060960864801650304020105000420" . \$ARGV[0])' \
	"\$(openssl dgst -sha256 -r data | cut -c1-64)" >di256
step sign-sha256 pkcs11-tool --module "\$P11LIB" -l --pin $user --sign -m RSA-PKCS --id 45 \
	-i di256 -o sig256
openssl dgst -sha256 -verify pub.pem -signature sig256 data && echo "verified SHA-256"
SH
	internal "$w/init" "$log" --state "$st" "$card" -- bash "$w/init.sh"
	for s in store-pin generate read-pub store-cert read-cert sign-sha1 sign-sha256; do
		if grep -q "^done $s\$" "$w/init"; then
			ok "$card: built-in $s"
		else
			not_ok "$card: built-in $s failed:"
			sed 's/^/    /' "$w/init"
		fi
	done
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
	expect_match "$card: pkcs15-tool -D lists the key (ref 91)" "Key ref +: 145 \\(0x91\\)" "$w/init"
	expect_match "$card: ... the user PIN (ref 83)" "Reference +: 131 \\(0x83\\)" "$w/init"
	expect_match "$card: ... the certificate" "X\\.509 Certificate \\[" "$w/init"
	expect_match "$card: SHA-1 signature (PSO HASH + CDS) verifies" "^verified SHA-1$" "$w/init"
	expect_match "$card: PSO HASH + COMPUTE SIGNATURE used" "^002A9E9A00 [0-9A-F]{256}9000$" "$log"
	expect_match "$card: SHA-256 signature (INTERNAL AUTHENTICATE) verifies" "^verified SHA-256$" "$w/init"
	expect_match "$card: INTERNAL AUTHENTICATE used" "^0088100033[0-9A-F]+ [0-9A-F]{256}9000$" "$log"

	# 3. finalised: the ACs apply
	if internal "$w/out" "$w/fin.log" --state "$st" "$card" -- pkcs15-init --finalize; then
		ok "$card: built-in --finalize"
	else
		not_ok "$card: built-in --finalize failed:"
		sed 's/^/    /' "$w/out"
	fi
	expect_match "$card: CREATE END 5015" "^80E00200025015 9000$" "$w/fin.log"
	log=$w/sign.log
	if internal "$w/out" "$log" --state "$st" "$card" -- pkcs15-crypt --sign --key 45 --pin $user \
			--sha-1 --pkcs1 -i "$w/h1" -o "$w/sig2"; then
		not_ok "$card: built-in signature after CREATE END succeeded (expected 69 82)"
	else
		ok "$card: built-in signature refused after CREATE END"
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
		ok "$card: our driver (staying in DF 5015) still signs after CREATE END"
	else
		not_ok "$card: our driver's signature after CREATE END:"
		sed 's/^/    /' "$w/out"
	fi
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

spk starcos-spk23
spk starcos-spk24
dtrust
finish
