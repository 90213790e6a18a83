#!/bin/bash
# md-card.sh CARD: OpenSC's Windows minidriver with our drivers, driven by
# md-harness.exe (the Base CSP's part) under wine, on a blank CARD
# (acos5-64v2, acos5-64v3, starcos-spk24) personalised under wine with the
# Windows OpenSC's pkcs15-init.exe (SPK 2.4 also finalised)
# (issue 10, acceptance 2 and 6; doc/windows.md, "The minidriver"):
#   - the harness finds the minidriver by ATR in the registry our installer
#     wrote, CardAcquireContext, cardid, cardcf, cmapfile, CardGetProperty
#     (PIN info, key sizes, free space, serial, read-only);
#   - CardGetContainerInfo: the public key equals the one Linux reads;
#   - CardAuthenticateEx: a wrong PIN gives SCARD_W_WRONG_CHV and the tries
#     left, the right one succeeds; CardSignData SHA-256 PKCS#1 and PSS
#     verified with openssl; CardRSADecrypt of an openssl ciphertext;
#   - enrolment as the CSP does it: a cmapfile record, CardCreateContainerEx
#     with key generation on the card, the CA's certificate written with
#     CardWriteFile; a new context lists the container with that key, Linux
#     pkcs15-tool lists the certificate;
#   - CardDeleteContainer of the enrolled container: gone in a new context,
#     one more container free, container 0 unchanged;
#   - CardChangeAuthenticatorEx (PIN change, a wrong old PIN gives
#     SCARD_W_WRONG_CHV with the tries left; unblock with the PUK after the
#     PIN is blocked, a wrong PUK first), CardDeauthenticate;
#   - every run: all pfnCspAlloc memory back by CardDeleteContext.
. "$(dirname "$0")/../integration/lib.sh"
card=${1:?usage: md-card.sh CARD}
win_run=${PKICARDS_WIN_RUN:-$top/tests/windows/run}
if [ -z "${PKICARDS_WIN_RUN:-}" ]; then
	. "$top/tests/windows/env.sh"
	win_skip_unless_buildable
	# the prefix once (OpenSC, our installer); then every run skips the check
	"$top/tests/windows/setup-prefix" || { not_ok "tests/windows/setup-prefix failed"; finish; }
	export PKICARDS_WIN_READY=1
fi
pin=1234
newpin=4321
puk=12345678 # tests/clients/p15-personalise
# per card: PIN tries (profile), whether the card signs PSS (StarCOS SPK 2.x
# pads PKCS#1 itself and has no raw RSA: doc/starcos.md), finalised after
# personalisation (SPK 2.x enforces its access conditions only then)
# and the RSA key sizes it generates (CP_CARD_KEYSIZES min/max: OpenSC's
# minidriver takes them from our drivers' algorithm tables)
case $card in
starcos-spk2*) tries=3 pss=no finalise=yes sizes="min=512 default=1024 max=1024" ;;
acos5-64v3) tries=8 pss=yes finalise=no sizes="min=2048 default=2048 max=3072" ;; # FIPS mode
acos5-64*) tries=8 pss=yes finalise=no sizes="min=512 default=2048 max=4096" ;;
*) tries=8 pss=yes finalise=no sizes="min=512 default=2048 max=2048" ;;
esac
bits=$(p15_bits "$card")
state=$tmp/card.state
d=$tmp/w
mkdir -p "$d"

# md NAME STEP...: one harness run (one minidriver context) with the card
# in its current state; output in $d/NAME
md() {
	local name=$1
	shift
	$with_card --state "$state" "$card" -- "$win_run" md-harness.exe "$@" 2>&1 | tr -d '\r' >"$d/$name"
	echo "exit ${PIPESTATUS[0]}" >>"$d/$name"
	# acceptance 6: the minidriver gave every buffer back
	expect_match "$card: $name: every CSP allocation freed by CardDeleteContext" \
		"^memory: .* live=0 foreign=0 failed=0\$" "$d/$name"
}

# on CMD...: a Linux command with the card in its current state
on() {
	$with_card --state "$state" "$card" -- "$@" >"$d/linux.out" 2>&1
}

# rc NAME STEP CODE [MORE]: the output of run NAME has a line of STEP with CODE
rc() {
	expect_match "$card: $1: $2 $3${4:+ $4}" "^$2: rc=$3 .*${4:-}" "$d/$1"
}

# modulus FILE: the RSA modulus of a PEM public key or a DER RSAPublicKey
modulus() {
	openssl rsa -pubin -in "$1" -noout -modulus 2>/dev/null ||
		openssl rsa -RSAPublicKey_in -inform DER -in "$1" -noout -modulus 2>/dev/null
}

# --- personalisation under wine (pkcs15-init.exe of the Windows OpenSC) -----------
so=$p15_so
steps=("--create-pkcs15 --so-pin $so --so-puk $puk --label pkicards-md"
	"--store-pin --auth-id 01 --label User --pin $pin --puk $puk --so-pin $so"
	"--generate-key rsa/$bits --auth-id 01 --id $p15_id --key-usage sign,decrypt --pin $pin --so-pin $so")
[ $finalise = yes ] && steps+=("--finalize")
rm -f "$state"
for s in "${steps[@]}"; do
	# shellcheck disable=SC2086
	if ! $with_card --state "$state" "$card" -- "$win_run" pkcs15-init.exe $s </dev/null >"$d/p15.out" 2>&1; then
		not_ok "$card: pkcs15-init.exe ${s%% *} failed under wine:"
		sed 's/^/    /' "$d/p15.out"
		finish
	fi
done
note=
[ $finalise = yes ] && note=", finalised"
ok "$card: personalised under wine with pkcs15-init.exe ($bits-bit key $p15_id$note)"
on pkcs15-tool --read-public-key "$p15_id" -o "$d/pub.pem"
openssl rsa -pubin -in "$d/pub.pem" -noout 2>/dev/null || not_ok "$card: Linux could not read the public key"
echo "signed under Windows" >"$d/data"
openssl dgst -sha256 -binary "$d/data" >"$d/hash"
hash=$(od -An -tx1 "$d/hash" | tr -d ' \n')
echo -n "a session key" >"$d/plain"
openssl pkeyutl -encrypt -pubin -inkey "$d/pub.pem" -in "$d/plain" -out "$d/ct" 2>/dev/null

# --- read, properties, PIN, sign, decrypt (one context) ----------------------
md use \
	read cardid -- read cardcf -- read mscp/cmapfile -- caps \
	-- prop pin-info 1 -- prop keysizes 1 -- prop free-space -- prop serial -- prop read-only \
	-- prop x509-enrol \
	-- container 0 "$d/c0.der" \
	-- login 99999999 -- login "$pin" \
	-- sign 0 pkcs1 "$hash" "$d/s1" -- sign 0 pss "$hash" "$d/s2" -- decrypt 0 "$d/ct" "$d/pt" \
	-- logout
expect_match "$card: use: the registry names one card type, OpenSC's minidriver" \
	"^find: .* matches=1\$" "$d/use"
rc use acquire 0x00000000
rc use read 0x00000000 "file=cardid size=16"
rc use read 0x00000000 "file=cardcf size=6"
rc use read 0x00000000 "file=mscp/cmapfile"
expect_match "$card: use: cmapfile record 0 is a valid container" "^cmap\\[0\\]: flags=0x0[13] " "$d/use"
rc use prop 0x00000000 "name=pin-info role=1 type=0 purpose=5"
rc use prop 0x00000000 "name=keysizes spec=1 $sizes "
rc use prop 0x00000000 "name=free-space"
rc use prop 0x00000000 "name=serial value=[0-9A-F]+"
rc use prop 0x00000000 "name=read-only value=0"
rc use prop 0x00000000 "name=x509-enrol value=1"
rc use container 0x00000000 "index=0 sig=0 kx=$bits"
if [ "$(modulus "$d/c0.der")" = "$(modulus "$d/pub.pem")" ] && [ -n "$(modulus "$d/pub.pem")" ]; then
	ok "$card: CardGetContainerInfo gives the public key Linux reads"
else
	not_ok "$card: the container's public key differs from the card's"
fi
rc use login 0x8010006B "SCARD_W_WRONG_CHV role=1 tries=$((tries - 1))"
rc use login 0x00000000 "role=1"
rc use sign 0x00000000 "index=0 padding=pkcs1"
if openssl pkeyutl -verify -pubin -inkey "$d/pub.pem" -sigfile "$d/s1" -in "$d/hash" \
		-pkeyopt digest:sha256 >/dev/null 2>&1; then
	ok "$card: CardSignData SHA-256 PKCS#1 verifies with openssl"
else
	not_ok "$card: the PKCS#1 signature does not verify"
fi
if [ $pss = yes ]; then
	rc use sign 0x00000000 "index=0 padding=pss"
	if openssl pkeyutl -verify -pubin -inkey "$d/pub.pem" -sigfile "$d/s2" -in "$d/hash" \
			-pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32 \
			>/dev/null 2>&1; then
		ok "$card: CardSignData SHA-256 PSS verifies with openssl"
	else
		not_ok "$card: the PSS signature does not verify"
	fi
else
	rc use sign 0x80100022 "SCARD_E_UNSUPPORTED_FEATURE index=0 padding=pss"
fi
rc use decrypt 0x00000000 "index=0"
if cmp -s "$d/plain" "$d/pt"; then
	ok "$card: CardRSADecrypt gives back what openssl encrypted"
else
	not_ok "$card: CardRSADecrypt gave other bytes"
fi
rc use logout 0x00000000
rc use delete 0x00000000

# --- enrolment: key on the card, certificate from a CA ------------------------
md enrol login "$pin" -- enrol "$bits" "$d/new.der"
rc enrol enrol 0x00000000 "bits=$bits"
idx=$(sed -n 's/^enrol: rc=0x00000000 .* index=\([0-9]*\) .*/\1/p' "$d/enrol")
guid=$(sed -n 's/^enrol: rc=0x00000000 .* guid=\([^ ]*\) .*/\1/p' "$d/enrol")
if [ -n "$idx" ] && openssl rsa -RSAPublicKey_in -inform DER -in "$d/new.der" -pubout -out "$d/new.pem" 2>/dev/null; then
	ok "$card: the generated key's public key comes back (container $idx)"
	(
		cd "$d" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 \
			-subj "/CN=pkicards Windows test CA" -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null &&
			openssl req -new -key ca.key -subj "/CN=enrolled under Windows" -out tmp.csr 2>/dev/null &&
			openssl x509 -req -in tmp.csr -CA ca.pem -CAkey ca.key -CAcreateserial -force_pubkey new.pem \
				-days 30 -sha256 -outform DER -out cert.der 2>/dev/null
	) || not_ok "$card: the test CA could not issue the certificate"
	# the CA's own certificate written into the new container: another
	# key's, refused before anything is written
	openssl x509 -in "$d/ca.pem" -outform DER -out "$d/ca.der" 2>/dev/null
	cp "$state" "$d/state.before-foreign"
	md foreign login "$pin" -- cert "$idx" "$d/ca.der"
	# OpenSC's minidriver answers any failure of its certificate store so
	expect_match "$card: foreign: a certificate of another key refused (SCARD_F_INTERNAL_ERROR)" \
		"^cert: rc=0x80100001" "$d/foreign"
	expect_match "$card: foreign: the refusal says why" "pkicards: the certificate is not for key" "$d/foreign"
	if cmp -s "$state" "$d/state.before-foreign"; then
		ok "$card: foreign: the card as it was"
	else
		not_ok "$card: foreign: the refused certificate changed the card"
	fi
	md cert login "$pin" -- cert "$idx" "$d/cert.der"
	rc cert cert 0x00000000 "file=mscp/kxc0$idx"
	# a new context: the container map and the key as Windows sees them now
	# (then the user deletes the key: CardDeleteContainer, checked below)
	md after read mscp/cmapfile -- container "$idx" "$d/after.der" \
		-- login "$pin" -- free-space -- delete-container "$idx"
	expect_match "$card: the new container is in cmapfile" "^cmap\\[$idx\\]: flags=0x0[13] .*kx=$bits" "$d/after"
	rc after container 0x00000000 "index=$idx sig=0 kx=$bits"
	if [ "$(modulus "$d/after.der")" = "$(modulus "$d/new.pem")" ]; then
		ok "$card: a new context finds the generated key in container $idx"
	else
		not_ok "$card: container $idx has another key in a new context"
	fi
	# the certificate as Linux pkcs15-tool reads it from the card
	on pkcs15-tool --list-certificates
	cp "$d/linux.out" "$d/certs"
	found=0
	for id in $(awk '/^X\.509 Certificate/{c=1} c && $1 == "ID" {print $NF; c=0}' "$d/certs"); do
		on pkcs15-tool --read-certificate "$id" -o "$d/back-$id.pem"
		openssl x509 -in "$d/back-$id.pem" -outform DER -out "$d/back-$id.der" 2>/dev/null &&
			cmp -s "$d/back-$id.der" "$d/cert.der" && found=$id
	done
	if [ "$found" != 0 ]; then
		ok "$card: Linux pkcs15-tool lists the certificate written under Windows (ID $found)"
	else
		not_ok "$card: Linux pkcs15-tool does not list the certificate written under Windows:"
		sed 's/^/    /' "$d/certs"
	fi
	# the CSP's name for the container lives as long as the minidriver's
	# process; a new context names it after the key (doc/windows.md)
	grep "^cmap\[$idx\]:" "$d/after" | sed "s/^/# name in a new context (the CSP gave $guid): /"
	# the user deletes the key (CardDeleteContainer); a new context has
	# no key in that container, one more free, and container 0 unchanged
	rc after delete-container 0x00000000 "index=$idx"
	md gone container "$idx" -- container 0 "$d/c0-again.der" -- free-space
	rc gone container 0x80100030 "SCARD_E_NO_KEY_CONTAINER index=$idx"
	nfree() { sed -n 's/^free-space: rc=0x00000000 .* containers=\([0-9]*\) .*/\1/p' "$d/$1"; }
	[ -n "$(nfree after)" ] && [ "$(nfree gone)" = $(($(nfree after) + 1)) ] &&
		ok "$card: after CardDeleteContainer one more container is free ($(nfree gone))" ||
		not_ok "$card: free containers before/after the deletion: $(nfree after)/$(nfree gone)"
	cmp -s "$d/c0.der" "$d/c0-again.der" && ok "$card: container 0 keeps its key after the deletion" ||
		not_ok "$card: container 0 changed with the deletion of container $idx"
else
	not_ok "$card: no generated key to enrol (see $card: enrol)"
	sed 's/^/    /' "$d/enrol"
fi

# --- PIN change, block, unblock with the PUK ----------------------------------
# a new PIN of 3 digits first: OpenSC refuses its length before any APDU
# and its minidriver answers SCARD_W_WRONG_CHV (without tries: none was
# spent, as the wrong old PIN next shows)
# Then one with a letter outside ASCII ("ä" reaches the harness in the ANSI
# code page): our driver refuses it before any APDU, SCARD_E_INVALID_CHV.
steps=(change-pin "$pin" 123 -- change-pin "$pin" "päss123" -- change-pin 99999999 "$newpin"
	-- change-pin "$pin" "$newpin" -- login "$newpin")
for ((i = 0; i < tries; i++)); do steps+=(-- login 99999999); done
steps+=(-- login "$newpin" -- unblock 99999998 "$pin" -- unblock "$puk" "$pin" -- login "$pin" -- logout-v4)
md pins "${steps[@]}"
rc pins change-pin 0x8010006B "SCARD_W_WRONG_CHV tries=-1"
rc pins change-pin 0x8010002A "SCARD_E_INVALID_CHV"
rc pins change-pin 0x8010006B "SCARD_W_WRONG_CHV tries=$((tries - 1))"
rc pins change-pin 0x00000000
rc pins unblock 0x8010006B "SCARD_W_WRONG_CHV tries=[1-9]"
rc pins login 0x00000000 "role=1"
rc pins login 0x8010006C "SCARD_W_CHV_BLOCKED role=1 tries=0"
rc pins unblock 0x00000000
expect_match "$card: pins: the unblocked PIN logs in" \
	"^unblock: rc=0x00000000" "$d/pins"
[ "$(grep -c '^login: rc=0x00000000' "$d/pins")" -ge 2 ] &&
	ok "$card: pins: new PIN and the PIN set by the unblock both log in" ||
	not_ok "$card: pins: a login after change or unblock failed"
rc pins logout-v4 0x00000000
finish
