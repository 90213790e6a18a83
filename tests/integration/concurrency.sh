#!/bin/bash
# Concurrent users of one card (issue 11, deliverable 3; doc/security.md):
#  - every personality: 4 processes x 25 signatures, each process one
#    PKCS#11 login and 25 C_Sign (tests/tools/p11-sign-loop), all at once;
#    every signature is made and verifies with OpenSSL against the key's
#    public key. (Before: StarCOS SPK 2.3 lost 5-7 of 40 to a current DF
#    that another process had changed.)
#  - one process personalises a blank card while another lists it over and
#    over: every listing is complete or says the card is in use, the
#    personalisation completes, the card signs afterwards.
. "$(dirname "$0")/lib.sh"
loop=$build/tests/tools/p11-sign-loop
procs=4
sigs=25

# sign_race SPEC PIN ID [CERT [TOKEN]]: the race on card SPEC (see card_args)
# with the key ID; its public key from the PuKDF, or from its certificate
# (CERT=cert); the PKCS#11 token whose label contains TOKEN
sign_race() {
	local spec=$1 pin=$2 id=$3 cert=${4:-} token=${5:-} d=$tmp/race-${1//[:+]/-}
	mkdir -p "$d"
	card_args "$spec" "$pin" || return
	cat >"$d/run.sh" <<SH
cd "$d"
token='$token'
if [ -n "$cert" ]; then
	pkcs15-tool --read-certificate $id -o cert.pem >/dev/null 2>&1 &&
		openssl x509 -in cert.pem -pubkey -noout >pub.pem
else
	pkcs15-tool --read-public-key $id -o pub.pem >/dev/null 2>&1
fi
for p in \$(seq $procs); do
	"$loop" "\$P11LIB" "$pin" $id $sigs p\$p \${token:+"\$token"} >out.\$p 2>&1 &
	pids[\$p]=\$!
done
for p in \$(seq $procs); do wait \${pids[\$p]}; echo "process \$p: status \$?"; done
SH
	run_card "$d/out" "${card_argv[@]}" -- bash "$d/run.sh"
	local made=0 bad=0 p i
	for p in $(seq $procs); do
		for i in $(seq $sigs); do
			[ -f "$d/p$p.$i.sig" ] || continue
			made=$((made + 1))
			openssl dgst -sha256 -verify "$d/pub.pem" -signature "$d/p$p.$i.sig" "$d/p$p.$i.msg" \
				>/dev/null 2>&1 || bad=$((bad + 1))
		done
	done
	if [ $made = $((procs * sigs)) ] && [ $bad = 0 ] && [ -s "$d/pub.pem" ]; then
		ok "$spec: $procs processes x $sigs signatures at once, all made and verified"
	else
		not_ok "$spec: $made of $((procs * sigs)) signatures made, $bad do not verify:"
		cat "$d/out" "$d"/out.* 2>/dev/null | sort | uniq -c | sed 's/^/    /' | head -n 20
	fi
}

sign_race acos5+p15 12345678 45
sign_race acos5-64v2+p15 12345678 45
sign_race acos5-64v3+p15 12345678 45
sign_race starcos-spk23+p15 12345678 45
sign_race starcos-spk24+p15 12345678 45
sign_race starcos-3.4:dtrust 123456 01 cert
sign_race starcos-3.5:bnotk 123456 03 cert "User PIN"

# personalise_while_listing PERSONALITY: p15-personalise on the blank card
# while pkcs15-tool -D runs in a loop next to it
personalise_while_listing() {
	local pers=$1 d=$tmp/plist-$1 bits
	bits=$(p15_bits "$pers")
	mkdir -p "$d"
	cat >"$d/run.sh" <<SH
cd "$d"
n=0
while [ ! -f stop ]; do
	n=\$((n + 1))
	pkcs15-tool -D >list.\$n 2>&1
	echo \$? >rc.\$n
done &
lister=\$!
"$top/tests/clients/p15-personalise" --bits $bits --cert "$d/ca" 12345678 $p15_so 45 >perso 2>&1
echo "personalise: \$?" >perso.rc
: >stop
wait \$lister
echo data >msg
pkcs11-tool --module "\$P11LIB" -l --pin 12345678 --sign -m SHA256-RSA-PKCS --id 45 -i msg -o sig >/dev/null 2>&1 &&
	pkcs15-tool --read-public-key 45 -o pub.pem >/dev/null 2>&1 &&
	openssl dgst -sha256 -verify pub.pem -signature sig msg >/dev/null 2>&1 && echo "signs: yes" >>perso.rc
SH
	run_card "$d/out" --state "$d/state" "$pers" -- bash "$d/run.sh"
	expect_match "$pers: personalisation next to a lister completes" "^personalise: 0$" "$d/perso.rc"
	expect_match "$pers: the card signs afterwards" "^signs: yes$" "$d/perso.rc"
	local n=0 good=0 blank=0 inuse=0 f
	for f in "$d"/list.*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if [ "$(cat "$d/rc.${f##*.}")" = 0 ] && ! grep -qiE "error|failed" "$f"; then
			good=$((good + 1))
		elif grep -qE "binding failed: (File not found|Unsupported card|Not allowed|Required ASN.1 object not found)" "$f" &&
				! grep -q "^PIN \[" "$f"; then
			blank=$((blank + 1))	# before --create-pkcs15 finished: no PKCS#15 yet
		elif grep -qi "in use" "$f"; then
			inuse=$((inuse + 1))
		else
			not_ok "$pers: listing $f neither complete nor 'card in use':"
			sed 's/^/    /' "$f" | head -n 15
			return
		fi
	done
	[ $n -ge 2 ] && ok "$pers: $n listings next to the personalisation: $good complete, $blank before PKCS#15, $inuse 'in use'" ||
		not_ok "$pers: only $n listings ran"
}

personalise_while_listing acos5-64v2
personalise_while_listing starcos-spk23

finish
