#!/bin/bash
# Real clients: NSS (Firefox's and Thunderbird's stack) with OpenSC's PKCS#11
# module: module added to a fresh database, certificate and key listed, a
# CMS signature made on the card and verified by NSS and OpenSSL, a message
# encrypted to the card's certificate decrypted by NSS with the card key
# (S/MIME; tests/clients/nss-sign; doc/clients.md). Writing through NSS
# (tests/clients/nss-store): certutil -A without login refused as not logged
# in, nothing written; key pair and CSR by certutil -R, the issued certificate
# listed with its key; certutil -D; the PIN changed with modutil -changepw;
# wrong and blocked PIN.
. "$(dirname "$0")/lib.sh"

for t in certutil modutil cmsutil; do
	command -v $t >/dev/null || { echo "no $t (Debian package libnss3-tools): skipped"; exit 77; }
done

# card spec       user PIN   certificate/key ID
cards="
acos5-64v2:acs    12345678   06
acos5-64v2:acs    12345678   05
acos5-64v2+p15    648219     45
starcos-spk23+p15 648219     45
"
# acos5-64v2+p15: personalised by pkcs15-init (lib.sh); its certificate is
# issued by the personalisation's CA, which OpenSSL gets as trust anchor.

steps="modutil certutil-L certutil-K cmsutil-S cmsutil-D cmsutil-D-mismatch openssl-cms-verify cmsutil-decrypt"
n=0
while read -r card pin id; do
	[ -n "$card" ] || continue
	n=$((n + 1))
	mkdir -p "$tmp/$n"
	card_args "$card" "$pin" || continue
	ca=
	case $card in *+p15) ca=$tmp/p15-${card%+p15}-$pin.ca/ca.pem ;; esac
	NSS_SIGN_CAFILE=$ca run_card "$tmp/$n/out" "${card_argv[@]}" -- \
		"$top/tests/clients/nss-sign" "$tmp/$n" "$pin" "$id"
	for s in $steps; do
		expect_match "$card key $id: NSS $s" "^RESULT $s ok\$" "$tmp/$n/out"
	done
done <<<"$cards"

# card spec        user PIN  wrong PINs that block it
cards="
acos5-64v2+p15     648219    8
starcos-spk23+p15  648219    3
"
steps="certutil-A-refused certutil-A-nothing-written certutil-R certutil-R-key-on-card certutil-L-issued
	certutil-D modutil-changepw certutil-wrong-pin certutil-blocked-pin"
while read -r card pin tries; do
	[ -n "$card" ] || continue
	n=$((n + 1))
	mkdir -p "$tmp/$n"
	card_args "$card" "$pin" || continue
	run_card "$tmp/$n/out" "${card_argv[@]}" -- "$top/tests/clients/nss-store" "$tmp/$n" "$pin" \
		"$(p15_bits "${card%+p15}")" "$tmp/p15-${card%+p15}-$pin.ca" "$tries"
	for s in $steps; do
		expect_match "$card: NSS $s" "^RESULT $s ok\$" "$tmp/$n/out"
	done
done <<<"$cards"

finish
