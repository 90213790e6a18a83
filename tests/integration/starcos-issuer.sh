#!/bin/bash
# StarCOS end to end, issuer cards: the simulator's StarCOS 3.4 D-Trust image
# (on-card PKCS#15) and StarCOS 3.5 BNotK image (no PKCS#15: our emulator,
# pkcs15-emu/emulator/) through our driver: pkcs15-tool -D lists PINs, keys
# and certificates; every signing key signs and the signature verifies against
# its certificate, RSA-PSS too through PKCS#11; PIN change; wrong-PIN counter in pkcs15-tool and the PKCS#11
# token flags; unblock with the PUK; key generation is refused without any
# SPK 2.x command on the wire. See doc/starcos.md.
. "$(dirname "$0")/lib.sh"
. "$build/opensc.env" # OPENSC_VERSION

# on CARD CMD...: run CMD with the card (state $state), output in $tmp/out
on() {
	local card=$1
	shift
	run_card "$tmp/out" --state "$state" --apdu-log "$tmp/apdu.log" "$card" -- "$@"
}

must() {
	local desc=$1
	shift
	if on "$@"; then ok "$desc"; else not_ok "$desc:"; sed 's/^/    /' "$tmp/out"; fi
}

# PIN value of a PIN reference on each image (doc/simulator.md)
pin_of() {
	case "$1:$2" in
	dtrust:1) echo 123456 ;; dtrust:129) echo 654321 ;;
	bnotk:6) echo 123456 ;; bnotk:129) echo 111111 ;; bnotk:134) echo 222222 ;;
	esac
}

# "keyID authID" per private key, "authID reference" per PIN, from pkcs15-tool -D
keys_of() { awk '/^Private RSA Key/{k=1} k&&/^\tAuth ID/{a=$NF} k&&/^\tID /{print $NF, a; k=0}' "$1"; }
ref_of() {
	awk -v id="$2" '/^PIN \[/{p=1} p&&/^\tID /{i=$NF} p&&/^\tReference/{if (i==id) print $3; p=0}' "$1"
}

check_image() {
	local card=$1 img=$2 d
	state=$tmp/$img.state
	rm -f "$state"
	d=$tmp/$img
	mkdir -p "$d"
	if [ $img = bnotk ]; then
		# signature key 2 has a transport PIN (86 = 000000): a login with it
		# (PKCS#11, slot of QES PIN 2) is refused saying what to do (the card
		# answers 69 84)
		if on "$card:$img" bash -c 'pkcs11-tool --module "$P11LIB" --slot-index 1 --login --pin 000000 -O'; then
			not_ok "$card:$img: login with the transport PIN succeeded"
		else
			ok "$card:$img: login with the transport PIN refused"
		fi
		expect_match "$card:$img: the transport PIN's state explained" \
			"^pkicards: the card's PIN with reference 134 \\(0x86\\) is not usable yet .*pkcs15-tool --change-pin" \
			"$tmp/out"
		expect_match "$card:$img: VERIFY of the transport PIN answered 69 84" "^0020008606[*]+ 6984\$" "$tmp/apdu.log"
		# then change it
		must "$card:$img: transport PIN 86 changed" "$card:$img" pkcs15-tool --change-pin \
			--auth-id 02 --pin 000000 --new-pin 222222
	fi
	must "$card:$img: pkcs15-tool -D" "$card:$img" pkcs15-tool -D
	cp "$tmp/out" "$d/D"
	expect_match "$card:$img: PINs listed" "^PIN \\[" "$d/D"
	expect_match "$card:$img: private keys listed" "^Private RSA Key \\[" "$d/D"
	expect_match "$card:$img: certificates listed" "^X\\.509 Certificate \\[" "$d/D"
	if [ $img = bnotk ]; then
		# the emulated token is read-only: nothing to enrol into on an issuer
		# layout, and OpenSC's minidriver offers Windows enrolment otherwise
		expect_match "$card:$img: emulated token is read-only" "^[[:space:]]*Flags[[:space:]]*: Read-only" "$d/D"
		# the emulator reads every PIN's status for pkcs15-tool, the local
		# QES PINs in their application (after EF.KEYD in the MF)
		if [ "$(grep -c '^PIN \[' "$d/D")" = "$(grep -c 'Tries left' "$d/D")" ]; then
			ok "$card:$img: every PIN's tries left listed"
		else
			not_ok "$card:$img: a PIN without its tries left:"; sed 's/^/    /' "$d/D"
		fi
	fi
	# PKCS#11 asks each slot's PIN status itself: the emulator does not at
	# bind time (OpenSC 0.23's pkcs11-tool -O asks none; later versions ask
	# the listed slot's, QES PIN 1, for each object); OpenSC's probes of an
	# application try only the layouts that have it (issue 12, doc/starcos.md)
	: >"$tmp/apdu.log"
	must "$card:$img: pkcs11-tool -O" "$card:$img" bash -c 'pkcs11-tool --module "$P11LIB" -O'
	local status_re='^002000[0-9A-F]{2} '
	case $OPENSC_VERSION in 0.23.*) ;; *) status_re='^002000(06|86) ' ;; esac
	if [ $img = bnotk ] && grep -Eq "$status_re" "$tmp/apdu.log"; then
		not_ok "$card:$img: the emulator asked PIN statuses while listing objects"
	elif [ $img = bnotk ]; then
		ok "$card:$img: the emulator asked no PIN status while listing objects"
	fi
	if [ $img = dtrust ] && grep -q '^00A4040C0AA000000167455349474E ' "$tmp/apdu.log"; then
		not_ok "$card:$img: the BNotK layout probed in D-Trust's QES application"
	elif [ $img = dtrust ]; then
		ok "$card:$img: only layouts with the QES application probed"
	fi
	echo "to be signed" >"$d/data"
	openssl dgst -sha256 -binary "$d/data" >"$d/hash"
	# not a pipeline: not_ok must count in this shell
	local nkeys=0 kid aid ref pin
	while read -r kid aid; do
		nkeys=$((nkeys + 1))
		ref=$(ref_of "$d/D" "$aid")
		pin=$(pin_of $img "$ref")
		on "$card:$img" pkcs15-tool --read-certificate "$kid" -o "$d/$kid.pem" </dev/null
		openssl x509 -in "$d/$kid.pem" -pubkey -noout >"$d/$kid.pub" 2>/dev/null
		on "$card:$img" pkcs15-crypt --sign --key "$kid" --pin "$pin" --sha-256 --pkcs1 \
			-i "$d/hash" -o "$d/$kid.sig" </dev/null
		sig_ok "$card:$img: key $kid (PIN $ref) signs, verified against its certificate" \
			"$d/$kid.pub" "$d/$kid.sig" "$d/hash" "$tmp/out"
	done < <(keys_of "$d/D")
	if [ "$nkeys" -gt 0 ]; then ok "$card:$img: $nkeys keys checked"; else not_ok "$card:$img: no key found to check"; fi
}

pin_counter() {
	local card=$1 img=$2 aid=$3 pin=$4 puk=$5
	must "$card:$img: change PIN $aid" "$card:$img" pkcs15-tool --change-pin --auth-id $aid --pin $pin \
		--new-pin 135790
	must "$card:$img: new PIN verifies" "$card:$img" pkcs15-tool --verify-pin --auth-id $aid --pin 135790
	on "$card:$img" pkcs15-tool --verify-pin --auth-id $aid --pin 999999
	on "$card:$img" "$pin_info" $aid
	expect_match "$card:$img: one wrong PIN: 2 tries left" "^tries 2 " "$tmp/out"
	on "$card:$img" bash -c 'pkcs11-tool --module "$P11LIB" -T'
	expect_match "$card:$img: PKCS#11 token flags: PIN count low" "user PIN count low" "$tmp/out"
	on "$card:$img" pkcs15-tool --verify-pin --auth-id $aid --pin 999999
	on "$card:$img" pkcs15-tool --verify-pin --auth-id $aid --pin 999999
	on "$card:$img" "$pin_info" $aid
	expect_match "$card:$img: three wrong PINs: 0 tries left" "^tries 0 " "$tmp/out"
	on "$card:$img" bash -c 'pkcs11-tool --module "$P11LIB" -T'
	expect_match "$card:$img: PKCS#11 token flags: PIN locked" "user PIN locked" "$tmp/out"
	must "$card:$img: unblock with the PUK" "$card:$img" pkcs15-tool --unblock-pin --auth-id $aid \
		--puk $puk --new-pin $pin
	must "$card:$img: PIN verifies after unblock" "$card:$img" pkcs15-tool --verify-pin --auth-id $aid \
		--pin $pin
}

# pss CARD IMG SLOT KEY PIN: RSA-PSS through OpenSC's PKCS#11 module with
# each hash (the card's MGF1 uses the message's hash, salt = hash length),
# verified with openssl against the key's certificate; a different MGF1
# hash is refused, not signed wrongly
pss() {
	local card=$1 img=$2 slot=$3 kid=$4 pin=$5 d=$tmp/$2 h
	for h in SHA1 SHA256 SHA384 SHA512; do
		rm -f "$d/pss.sig"
		on "$card:$img" bash -c 'pkcs11-tool --module "$P11LIB" "$@"' _ --slot-index "$slot" -l --pin "$pin" --sign \
			-m "$h-RSA-PKCS-PSS" --id "$kid" -i "$d/data" -o "$d/pss.sig"
		if openssl dgst -"${h,,}" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest \
				-sigopt rsa_mgf1_md:"${h,,}" -verify "$d/$kid.pub" -signature "$d/pss.sig" \
				"$d/data" >/dev/null 2>&1; then
			ok "$card:$img: key $kid signs $h-RSA-PKCS-PSS, verified"
		else
			not_ok "$card:$img: key $kid $h-RSA-PKCS-PSS:"; sed 's/^/    /' "$tmp/out"
		fi
	done
	if on "$card:$img" bash -c 'pkcs11-tool --module "$P11LIB" "$@"' _ --slot-index "$slot" -l --pin "$pin" --sign \
			-m SHA256-RSA-PKCS-PSS --mgf MGF1-SHA1 --id "$kid" -i "$d/data" -o "$d/pss.sig"; then
		not_ok "$card:$img: PSS with SHA-256 and MGF1-SHA1 signed"
	else
		ok "$card:$img: PSS with SHA-256 and MGF1-SHA1 refused"
	fi
}

# decrypt CARD IMG SLOT KEY PIN: a message encrypted with openssl to the
# key's certificate (PKCS#1 v1.5) comes back through PKCS#11; OAEP, which
# these cards do not offer, is refused at C_DecryptInit
decrypt() {
	local card=$1 img=$2 slot=$3 kid=$4 pin=$5 d=$tmp/$2
	printf 'secret for %s' "$img" >"$d/msg"
	openssl pkeyutl -encrypt -pubin -inkey "$d/$kid.pub" -in "$d/msg" -out "$d/ct"
	rm -f "$d/pt"
	on "$card:$img" bash -c 'pkcs11-tool --module "$P11LIB" "$@"' _ --slot-index "$slot" -l --pin "$pin" \
		--decrypt -m RSA-PKCS --id "$kid" -i "$d/ct" -o "$d/pt"
	cmp -s "$d/msg" "$d/pt" && ok "$card:$img: key $kid decrypts RSA-PKCS" ||
		{ not_ok "$card:$img: key $kid RSA-PKCS decrypt:"; sed 's/^/    /' "$tmp/out"; }
	on "$card:$img" bash -c 'pkcs11-tool --module "$P11LIB" "$@"' _ --slot-index "$slot" -l --pin "$pin" \
		--decrypt -m RSA-PKCS-OAEP --hash-algorithm SHA256 --mgf MGF1-SHA256 --id "$kid" -i "$d/ct" -o "$d/pt"
	expect_match "$card:$img: OAEP refused at C_DecryptInit" "C_DecryptInit failed: rv = CKR_MECHANISM_INVALID" "$tmp/out"
}

keygen_refused() {
	local card=$1 img=$2
	: >"$tmp/apdu.log"
	if on "$card:$img" pkcs15-init --generate-key rsa/2048 --auth-id 01 --pin 123456; then
		not_ok "$card:$img: key generation succeeded"
	else
		ok "$card:$img: key generation refused"
	fi
	expect_match "$card:$img: pkcs15-init is told the card is the issuer's" \
		"^pkicards: this card \\(StarCOS 3\\.[45]\\) was personalised by its issuer: pkcs15-init cannot add.*pkcs15-tool --change-pin --auth-id ID" "$tmp/out"
	if grep -Eq "^(80E0|80F4|0046|80F0|80E4|8052)" "$tmp/apdu.log"; then
		not_ok "$card:$img: a StarCOS 2.x command was sent"
	else
		ok "$card:$img: no StarCOS 2.x command sent"
	fi
}

check_image starcos-3.4 dtrust
aid=$(awk '/^PIN \[/{p=1} p&&/^\tID /{i=$NF} p&&/^\tReference/{if ($3==1) print i; p=0}' "$tmp/dtrust/D")
pss starcos-3.4 dtrust 0 01 123456
decrypt starcos-3.4 dtrust 0 01 123456
pin_counter starcos-3.4 dtrust "$aid" 123456 12345678
keygen_refused starcos-3.4 dtrust

check_image starcos-3.5 bnotk
aid=$(awk '/^PIN \[/{p=1} p&&/^\tID /{i=$NF} p&&/^\tReference/{if ($3==6) print i; p=0}' "$tmp/bnotk/D")
pss starcos-3.5 bnotk 2 03 123456
decrypt starcos-3.5 bnotk 2 03 123456
pin_counter starcos-3.5 bnotk "$aid" 123456 12345678
keygen_refused starcos-3.5 bnotk

[ $failures = 0 ]
