#!/bin/bash
# Real clients: OpenSSL with the PKCS#11 engine (libengine-pkcs11-openssl) on
# OpenSC's module: a certificate request signed by the on-card key (PKCS#11
# URI), verified; a local CA issues a smart-card-logon certificate from it
# (clientAuth + MS smart card logon EKU, UPN otherName), verified against the
# CA (tests/clients/openssl-enrol; doc/clients.md). A wrong PIN gets no
# request.
. "$(dirname "$0")/lib.sh"

ls /usr/lib/*/engines-3/pkcs11.so >/dev/null 2>&1 ||
	{ echo "no OpenSSL pkcs11 engine (Debian package libengine-pkcs11-openssl): skipped"; exit 77; }

# card spec       user PIN   key ID   UPN
cards="
acos5-64v2:acs    12345678   06       blue@example.org
acos5-64v2:acs    12345678   03       ca-root@example.org
acos5-64v2+p15    648219     45       p15-user@example.org
starcos-spk23+p15 648219     45       p15-spk23@example.org
"
# acos5-64v2+p15: personalised by pkcs15-init (lib.sh); 2048-bit key.

steps="req req-verify req-card-key issue cert-verify cert-logon-ext"
n=0
while read -r card pin id upn; do
	[ -n "$card" ] || continue
	n=$((n + 1))
	card_args "$card" "$pin" || continue
	run_card "$tmp/out$n" "${card_argv[@]}" -- "$top/tests/clients/openssl-enrol" --upn "$upn" "$tmp/$n" "$pin" "$id"
	for s in $steps; do
		expect_match "$card key $id: $s" "^RESULT $s ok\$" "$tmp/out$n"
	done
	expect_match "$card key $id: UPN $upn in the certificate" "othername: UPN::$upn" "$tmp/out$n"
	# a wrong PIN (one try of the card's counter): no request
	run_card "$tmp/bad$n" "${card_argv[@]}" -- "$top/tests/clients/openssl-enrol" "$tmp/bad$n.d" 00000000 "$id"
	expect_match "$card key $id: wrong PIN, no request" "^RESULT req FAILED\$" "$tmp/bad$n"
done <<<"$cards"

finish
