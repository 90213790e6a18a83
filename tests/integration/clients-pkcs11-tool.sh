#!/bin/bash
# Real clients: pkcs11-tool --test --login (random, digests, signatures with
# every RSA mechanism verified, decryption) through OpenSC's PKCS#11 module.
# pkcs11-tool's exit status ignores its error count, so the text decides
# (tests/clients/pkcs11-selftest).
#
# Each card row gives what is expected: "no-errors", or a known failure as
# "known:<ERE>;<ERE>..." (each must match a line of the output) with the
# reason in a comment. A known failure that goes away fails the test too, so
# that the row is updated.
. "$(dirname "$0")/lib.sh"

# card spec       user PIN   expectation
cards="
acos5-64v2:acs    12345678   known:testing key 0 \\(CAroot\\);C_SignFinal failed: rv = CKR_DATA_INVALID;^Aborting
acos5-64v2+p15    648219     no-errors
starcos-spk23+p15 648219     no-errors
"
# acos5-64v2+p15: personalised by pkcs15-init (lib.sh), one 2048-bit key
# that signs and deciphers: every mechanism of the token works.
# acos5-64v2:acs: pkcs11-tool signs with the first private key only, and with
# the first signature mechanism of the token (CKM_RSA_X_509). That key
# (CAroot, ID 03, 41F1) is a sign-only ACOS5 key (type 4), which the card
# uses only for SHA-1/SHA-256 signatures it pads itself: raw RSA answers
# 6A 80, the PKCS#15 structure ACS wrote has no algorithm references that
# would let OpenSC refuse the mechanism at C_SignInit, so pkcs11-tool aborts
# ("Aborting." after C_SignFinal). doc/clients.md, "pkcs11-tool --test".

# all_match "ERE;ERE..." FILE
all_match() {
	local IFS=';' re
	for re in $1; do
		grep -Eq -- "$re" "$2" || return 1
	done
}

while read -r card pin expect; do
	[ -n "$card" ] || continue
	card_args "$card" "$pin" || continue
	run_card "$tmp/out" "${card_argv[@]}" -- "$top/tests/clients/pkcs11-selftest" "$pin"
	status=$?
	case $expect in
	no-errors)
		if [ $status = 0 ] && grep -q '^No errors$' "$tmp/out"; then
			ok "$card: pkcs11-tool --test: No errors"
		else
			not_ok "$card: pkcs11-tool --test did not print 'No errors':"
			sed 's/^/    /' "$tmp/out"
		fi ;;
	known:*)
		if grep -q '^No errors$' "$tmp/out"; then
			not_ok "$card: pkcs11-tool --test now prints 'No errors': make the row 'no-errors'"
		elif all_match "${expect#known:}" "$tmp/out"; then
			ok "$card: pkcs11-tool --test fails as known (${expect#known:})"
		else
			not_ok "$card: pkcs11-tool --test fails differently from the known failure /${expect#known:}/:"
			sed 's/^/    /' "$tmp/out"
		fi ;;
	*) not_ok "$card: bad expectation '$expect'" ;;
	esac
done <<<"$cards"

finish
