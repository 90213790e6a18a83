#!/bin/bash
# Real clients: SSH logon with the card. An OpenSSH server on loopback (own
# sshd_config, host key made in the test, AuthorizedKeysFile with the card
# key from ssh-keygen -D) accepts ssh -I <OpenSC module> with the PIN from an
# askpass script, also with an OpenSSH user certificate of the card key
# (TrustedUserCAKeys), and through ssh-agent (ssh-add -s); a wrong PIN and then
# a blocked PIN are refused
# (tests/clients/ssh-logon; doc/clients.md). Each row runs on a fresh card
# state, since the last steps block the user PIN.
. "$(dirname "$0")/lib.sh"

[ -x /usr/sbin/sshd ] || { echo "no sshd (Debian package openssh-server): skipped"; exit 77; }
command -v ssh >/dev/null || { echo "no ssh (Debian package openssh-client): skipped"; exit 77; }

# card spec       user PIN   key ID   client signature algorithms (- = default)
cards="
acos5-64v2:acs    12345678   06       -
acos5-64v2:acs    12345678   03       rsa-sha2-256
acos5-64v2+p15    648219     45       -
starcos-spk23+p15 648219     45       -
"
# acos5-64v2+p15: personalised by pkcs15-init (lib.sh), a fresh copy per row.
# Key 03 of the acs image is a sign-only ACOS5 key: the card signs only the
# SHA-1/SHA-256 hashes it pads itself with it, so OpenSSH's default
# rsa-sha2-512 fails (C_Sign CKR_DATA_INVALID) and rsa-sha2-256 is required
# (doc/clients.md).

steps="keygen-D sshd ssh-logon ssh-cert ssh-agent ssh-wrong-pin pin-blocked ssh-blocked-pin"
n=0
while read -r card pin id algs; do
	[ -n "$card" ] || continue
	n=$((n + 1))
	[ "$algs" = - ] && algs=
	card_args "$card" "$pin" || continue
	SSH_LOGON_ALGS=$algs run_card "$tmp/out$n" "${card_argv[@]}" -- \
		"$top/tests/clients/ssh-logon" "$tmp/$n" "$pin" "$id"
	for s in $steps; do
		expect_match "$card key $id${algs:+ ($algs)}: $s" "^RESULT $s ok\$" "$tmp/out$n"
	done
	expect_match "$card key $id: the blocked PIN is reported as such" "PKCS#11 login failed: PIN locked" "$tmp/out$n"
	if pgrep -f "sshd -D -f $tmp/$n/sshd_config" >/dev/null; then
		not_ok "$card key $id: sshd still running"
	else
		ok "$card key $id: sshd stopped"
	fi
	if pgrep -f "ssh-agent -D -a $tmp/$n/agent.sock" >/dev/null; then
		not_ok "$card key $id: ssh-agent still running"
	else
		ok "$card key $id: ssh-agent stopped"
	fi
done <<<"$cards"

finish
