#!/bin/bash
# Enrolment like an enterprise CA: a card personalised by pkcs15-init (key
# pair, no certificate) makes a certificate request signed on the card
# (OpenSSL PKCS#11 engine, URI by token label/serial/ID); the local CA
# (tests/clients/ca) issues a smart-card-logon certificate (clientAuth + MS
# smart card logon EKU, UPN); pkcs15-init --store-certificate writes it to
# the card and pkcs15-tool -D shows it with the key's ID
# (tests/clients/enrol). Then SSH logs in with the enrolled card
# (tests/clients/ssh-logon; doc/enrolment.md).
. "$(dirname "$0")/lib.sh"

ls /usr/lib/*/engines-3/pkcs11.so >/dev/null 2>&1 ||
	{ echo "no OpenSSL pkcs11 engine (Debian package libengine-pkcs11-openssl): skipped"; exit 77; }

# card (personality)  user PIN   UPN
cards="
acos5-64v2            648219     alice@example.org
starcos-spk23         648219     erin@example.org
"
# StarCOS SPK 2.x: 1024-bit key (its largest), certificate stored with the
# SO PIN as well (p15_bits, p15_store_so in lib.sh).

n=0
while read -r card pin upn; do
	[ -n "$card" ] || continue
	n=$((n + 1))
	w=$tmp/$n
	mkdir -p "$w"
	p15_personalise "$card" "$w/card.state" "$pin" --label "pkicards $card" || continue
	"$top/tests/clients/ca" init "$w/ca" >/dev/null
	cat >"$w/run.sh" <<SH
"$top/tests/clients/enrol" --upn "$upn" $(p15_store_so "$card") \
	"$w/ca" "$w/enrol" "$pin" $p15_id || exit 1
"$top/tests/clients/ssh-logon" "$w/ssh" "$pin" $p15_id
SH
	run_card "$w/out" --state "$w/card.state" "$card" -- bash "$w/run.sh"
	for s in req issue store tied; do
		expect_match "$card: enrolment $s" "^RESULT $s ok\$" "$w/out"
	done
	expect_match "$card: UPN $upn in the certificate" "othername: UPN::$upn" "$w/out"
	expect_match "$card: smart card logon EKU" "TLS Web Client Authentication, Microsoft Smartcard Login" "$w/out"
	for s in keygen-D ssh-logon ssh-wrong-pin; do
		expect_match "$card: SSH with the enrolled card: $s" "^RESULT $s ok\$" "$w/out"
	done
	if grep -Eq "$pin|$p15_so" "$w/out"; then not_ok "$card: the PIN appears in the output"; else ok "$card: no PIN in the output"; fi
done <<<"$cards"

finish
