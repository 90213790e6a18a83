#!/bin/bash
# md-images.sh: OpenSC's minidriver under wine reads and signs on cards
# personalised by others (issue 10, acceptance 3; doc/windows.md): the
# ACS-personalised ACOS5-64 V2 image (acos5-64v2:acs, its own PKCS#15), the
# StarCOS 3.4 D-Trust issuer card (starcos-3.4:dtrust, its own PKCS#15,
# whose TokenInfo does not say read-only: the installer's card_atr block
# does, so Windows offers no enrolment; before: CP_CARD_READ_ONLY 0) and
# the StarCOS 3.5 BNotK issuer card (starcos-3.5:bnotk, no PKCS#15: our
# emulator, which sets p15card->app and marks the token read-only).
# md-harness.exe lists the containers, checks the container's public key
# against the one Linux reads from the card, logs in with the user PIN and
# signs SHA-256 PKCS#1; openssl verifies the signature with the card's key.
# The QES keys of both issuer cards sign after their own PIN (role 3), verified too.
. "$(dirname "$0")/../integration/lib.sh"
win_run=${PKICARDS_WIN_RUN:-$top/tests/windows/run}
if [ -z "${PKICARDS_WIN_RUN:-}" ]; then
	. "$top/tests/windows/env.sh"
	win_skip_unless_buildable
	# the prefix once (OpenSC, our installer); then every run skips the check
	"$top/tests/windows/setup-prefix" || { not_ok "tests/windows/setup-prefix failed"; finish; }
	export PKICARDS_WIN_READY=1
fi
d=$tmp/w
mkdir -p "$d"
echo "signed on an issuer's card" >"$d/data"
openssl dgst -sha256 -binary "$d/data" >"$d/hash"
hash=$(od -An -tx1 "$d/hash" | tr -d ' \n')

# image | user PIN | container | PKCS#15 ID of its key | read-only (CP_CARD_READ_ONLY) |
# CardDeauthenticateEx (StarCOS 3.x has no logout: SCARD_E_UNSUPPORTED_FEATURE,
# which makes the CSP reset the card instead)
while IFS='|' read -r img pin idx id ro logout; do
	state=$d/${img%%:*}.state
	rm -f "$state"
	$with_card --state "$state" "$img" -- pkcs15-tool --read-public-key "$id" -o "$d/$id.pem" \
		>"$d/linux.out" 2>&1
	[ -s "$d/$id.pem" ] || $with_card --state "$state" "$img" -- sh -c \
		"pkcs15-tool --read-certificate $id -o '$d/$id.crt' && openssl x509 -in '$d/$id.crt' -pubkey -noout >'$d/$id.pem'" \
		>>"$d/linux.out" 2>&1
	$with_card --state "$state" "$img" -- "$win_run" md-harness.exe \
		read mscp/cmapfile -- prop read-only -- container "$idx" "$d/$id.der" \
		-- login "$pin" -- sign "$idx" pkcs1 "$hash" "$d/$id.sig" -- logout 2>&1 | tr -d '\r' >"$d/out"
	expect_match "$img: CardAcquireContext" "^acquire: rc=0x00000000" "$d/out"
	expect_match "$img: cmapfile lists container $idx" "^cmap\\[$idx\\]: flags=0x0[13] " "$d/out"
	expect_match "$img: CP_CARD_READ_ONLY is $ro" "^prop: rc=0x00000000 .*name=read-only value=$ro\$" "$d/out"
	expect_match "$img: CardGetContainerInfo" "^container: rc=0x00000000 .*index=$idx" "$d/out"
	a=$(openssl rsa -pubin -in "$d/$id.pem" -noout -modulus 2>/dev/null)
	b=$(openssl rsa -RSAPublicKey_in -inform DER -in "$d/$id.der" -noout -modulus 2>/dev/null)
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		ok "$img: the container's public key is key $id's, as Linux reads it"
	else
		not_ok "$img: container $idx has not key $id's public key"
		sed 's/^/    /' "$d/linux.out"
	fi
	expect_match "$img: CardAuthenticateEx with the user PIN" "^login: rc=0x00000000" "$d/out"
	expect_match "$img: CardSignData SHA-256 PKCS#1" "^sign: rc=0x00000000" "$d/out"
	sig_ok "$img: the signature verifies with openssl" "$d/$id.pem" "$d/$id.sig" "$d/hash" "$d/out"
	expect_match "$img: CardDeauthenticateEx gives $logout" "^logout: rc=$logout " "$d/out"
	expect_match "$img: every CSP allocation freed by CardDeleteContext" \
		"^memory: .* live=0 foreign=0 failed=0\$" "$d/out"
done <<'IMAGES'
acos5-64v2:acs|12345678|3|06|0|0x00000000
starcos-3.4:dtrust|123456|0|01|1|0x80100022
starcos-3.5:bnotk|123456|2|03|1|0x80100022
IMAGES

# The QES keys are used with their own local PIN: OpenSC's minidriver offers
# it as the signature PIN (role 3, what Windows asks for such a container);
# after CardAuthenticateEx of role 3 the key signs. image | QES PIN |
# container | key ID
while IFS='|' read -r img pin idx id; do
	state=$d/${img%%:*}-qes.state
	rm -f "$state"
	$with_card --state "$state" "$img" -- sh -c \
		"pkcs15-tool --read-certificate $id -o '$d/q$id.crt' && openssl x509 -in '$d/q$id.crt' -pubkey -noout >'$d/q$id.pem'" \
		>"$d/linux.out" 2>&1
	$with_card --state "$state" "$img" -- "$win_run" md-harness.exe prop pin-info 3 -- login "$pin" 3 \
		-- sign "$idx" pkcs1 "$hash" "$d/q$id.sig" 2>&1 | tr -d '\r' >"$d/qes"
	expect_match "$img: the QES PIN is the signature PIN (role 3)" "^prop: rc=0x00000000 .*name=pin-info role=3 " "$d/qes"
	expect_match "$img: CardAuthenticateEx with the QES PIN (role 3)" "^login: rc=0x00000000 .*role=3 " "$d/qes"
	sig_ok "$img: the QES key's signature (container $idx) verifies against its certificate" \
		"$d/q$id.pem" "$d/q$id.sig" "$d/hash" "$d/qes" "$d/linux.out"
	expect_match "$img: QES: every CSP allocation freed" "^memory: .* live=0 foreign=0 failed=0\$" "$d/qes"
done <<'QES'
starcos-3.4:dtrust|654321|1|02
starcos-3.5:bnotk|111111|0|01
QES
finish
