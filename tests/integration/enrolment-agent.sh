#!/bin/bash
# Enrollment agent: two personalised cards in two readers at once. The agent
# card is enrolled with an enrollment agent certificate (EKU Certificate
# Request Agent 1.3.6.1.4.1.311.20.2.1); the user card makes a request; the
# agent signs it on the agent card (CMS through the OpenSSL PKCS#11 engine);
# the CA (tests/clients/ca on-behalf) refuses the request without an agent
# signature, signed by a non-agent, by an agent of another CA and with a
# changed content, accepts the agent-signed one and issues a smart-card-logon
# certificate, which is written to the user card and tied to its key
# (tests/clients/agent-enrol). Then the user logs in over SSH with the user
# card while both cards are present. No step may see a card as removed.
# doc/enrolment.md.
. "$(dirname "$0")/lib.sh"

ls /usr/lib/*/engines-3/pkcs11.so >/dev/null 2>&1 ||
	{ echo "no OpenSSL pkcs11 engine (Debian package libengine-pkcs11-openssl): skipped"; exit 77; }

# agent card   user card    agent reader (first|second)   agent PIN  user PIN  UPN
rows="
acos5-64v2     acos5-64v3   first                         314159     271828    bob@example.org
acos5-64v3     acos5-64v2   second                        271828     314159    carol@example.org
acos5-64v2     starcos-spk23 second                       314159     271828    dave@example.org
starcos-spk23  acos5-64v2   first                         271828     314159    frank@example.org
"
# Both directions between two ACOS5 personalities (ACOS5-64 V2 and V3) and
# between ACOS5-64 V2 and StarCOS SPK 2.3 (1024-bit keys; storing a
# certificate on it takes the SO PIN too: p15_bits, p15_store_so in lib.sh).

n=0
while read -r agent user order apin upin upn; do
	[ -n "$agent" ] || continue
	n=$((n + 1))
	w=$tmp/$n
	mkdir -p "$w"
	what="agent $agent enrols $user"
	p15_personalise "$agent" "$w/agent.state" "$apin" --label "pkicards agent" || continue
	p15_personalise "$user" "$w/user.state" "$upin" --label "pkicards user" || continue
	"$top/tests/clients/ca" init "$w/ca" >/dev/null
	if [ "$order" = first ]; then
		cards=$agent,$user ar="vpcd 0 00 00" ur="vpcd 0 00 01"
		states=(--state "$w/agent.state" --state "$w/user.state")
	else
		cards=$user,$agent ar="vpcd 0 00 01" ur="vpcd 0 00 00"
		states=(--state "$w/user.state" --state "$w/agent.state")
	fi
	cat >"$w/run.sh" <<SH
"$top/tests/clients/enrol" --profile agent --subject "/CN=enrollment agent/O=pkicards test" \
	$(p15_store_so "$agent") "$w/ca" "$w/agent" "$apin" $p15_id "$ar" | sed 's/^RESULT /RESULT agent-/'
[ "\${PIPESTATUS[0]}" = 0 ] || exit 1
"$top/tests/clients/agent-enrol" $(p15_store_so "$user") "$w/ca" "$w/enrol" "$apin" "$ar" "$upin" "$ur" $p15_id "$upn"
"$top/tests/clients/ssh-logon" "$w/ssh" "$upin" $p15_id "$ur"
SH
	run_card "$w/out" "${states[@]}" "$cards" -- bash "$w/run.sh"
	for s in req issue store tied; do
		expect_match "$what: agent certificate on the agent card: $s" "^RESULT agent-$s ok\$" "$w/out"
	done
	for s in user-req agent-cert agent-sign refuse-unsigned refuse-not-agent refuse-foreign-ca \
			refuse-tampered issue store tied; do
		expect_match "$what: $s" "^RESULT $s ok\$" "$w/out"
	done
	expect_match "$what: UPN $upn" "othername: UPN::$upn" "$w/out"
	expect_match "$what: SSH logon with the user card" "^RESULT ssh-logon ok\$" "$w/out"
	if grep -Eqi 'card (was )?removed|CKR_DEVICE_REMOVED|CKR_TOKEN_NOT_PRESENT|CKR_SESSION_HANDLE_INVALID' "$w/out"; then
		not_ok "$what: a card was seen as removed:"
		grep -Ei 'removed|NOT_PRESENT|HANDLE_INVALID' "$w/out" | sed 's/^/    /'
	else
		ok "$what: no card seen as removed"
	fi
	if grep -Eq "$apin|$upin|$p15_so" "$w/out"; then not_ok "$what: a PIN appears in the output"; else ok "$what: no PIN in the output"; fi
done <<<"$rows"

finish
