#!/bin/bash
# File cache (issue 12, doc/acos5.md and doc/starcos.md "File cache"), on the
# ACOS5-64 V2, the original ACOS5 and StarCOS SPK 2.3. ACOS5-64: a second run
# on the same card is served from the persisted cache (no READ BINARY of what
# the first read); the original ACOS5, without a free-space counter, keeps no
# cache across processes.
# StarCOS keeps what it read for one process only (the card offers nothing
# that tells a later process whether a certificate was added with the user
# PIN): no cache file, every run reads the card. On both, a card
# changed behind the cache's back (another cache directory standing for
# another machine: pkcs15-init adds a certificate; raw APDUs rewrite
# EF(TokenInfo) in place, free space unchanged) shows its new content in
# the next run. A process that writes to the card deletes the cache; a card
# erased and personalised anew is not mistaken for the old.
. "$(dirname "$0")/lib.sh"

# cache_test CARD DRIVER PERSIST READS SELECT-TI VERIFY-SO: the whole test on
# one card family. DRIVER names the cache file, PERSIST 1 when the driver
# writes one, READS the regex of the APDUs that read files (READ BINARY, ACOS5's GET
# KEY), SELECT-TI the opensc-tool options that select EF(TokenInfo),
# VERIFY-SO the SO PIN's VERIFY.
cache_test() {
local card=$1 driver=$2 persist=$3 rx=$4 selti=$5 verify=$6
local pin=12345678 state=$tmp/$card.state cache=$tmp/$card.cache other=$tmp/$card.other
p15_personalise "$card" "$state" "$pin" --label "cache test" --cert "$tmp/$card.ca" || return

# on CACHE-DIR, with an APDU log: run_cached OUT CACHE-DIR CMD...
run_cached() {
	local out=$1 dir=$2
	shift 2
	rm -f "$out.apdu"
	WITH_CARD_CACHE=$dir $with_card --state "$state" --apdu-log "$out.apdu" "$card" -- "$@" >"$out" 2>&1
}
# reads OUT: READ BINARY / GET KEY exchanges in the run's APDU log
reads() { grep -c "$rx" "$1.apdu"; }

run_cached "$tmp/d1" "$cache" pkcs15-tool -D
expect_match "$card: first run lists the card" "PKCS#15 Card \\[cache test\\]" "$tmp/d1"
expect_match "$card: first run lists the certificate" "^X\\.509 Certificate \\[cache test\\]" "$tmp/d1"
if ls "$cache"/opensc/pkicards-$driver-* >/dev/null 2>&1; then
	[ "$persist" = 1 ] && ok "$card: the cache is written" || not_ok "$card: a cache file is written"
else
	[ "$persist" = 1 ] && not_ok "$card: no cache file in $cache/opensc" || ok "$card: no cache file"
fi
run_cached "$tmp/d2" "$cache" pkcs15-tool -D
if diff <(grep -v "^Using reader" "$tmp/d1") <(grep -v "^Using reader" "$tmp/d2") >"$tmp/diff"; then
	ok "$card: second run lists the same"
else
	not_ok "$card: second run differs:"; sed 's/^/    /' "$tmp/diff"
fi
# the second run reads only EF(TokenInfo) to check the cache (1 READ BINARY)
n1=$(reads "$tmp/d1") n2=$(reads "$tmp/d2")
if [ "$persist" = 1 ] && [ "$n2" -eq 1 ] && [ "$n1" -gt 3 ]; then
	ok "$card: second run served from the cache ($n1 reads, then $n2)"
elif [ "$persist" = 0 ] && [ "$n2" -eq "$n1" ] && [ "$n1" -gt 3 ]; then
	ok "$card: second run reads the card again ($n1 reads, then $n2)"
else
	not_ok "$card: second run: $n1 reads, then $n2"
fi

# Another machine (its own cache) stores a certificate with pkcs15-init
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/k2" -out "$tmp/c2.pem" -days 3 \
	-subj "/CN=second certificate" 2>/dev/null
if run_cached "$tmp/add" "$other" pkcs15-init --store-certificate "$tmp/c2.pem" --id 46 \
		--label "second certificate" --pin "$pin" --so-pin "$p15_so"; then
	ok "$card: a certificate stored from another machine"
else
	not_ok "$card: pkcs15-init --store-certificate failed:"; sed 's/^/    /' "$tmp/add"
fi
run_cached "$tmp/d3" "$cache" pkcs15-tool -D
expect_match "$card: next run shows the certificate stored elsewhere" \
	"^X\\.509 Certificate \\[second certificate\\]" "$tmp/d3"

# A certificate renewed by the same CA from another machine
# (pkcs15-init --update-certificate): a file of the same size as the old
# one, so the free EEPROM counter does not change; the writer rewrites
# EF(TokenInfo)'s lastUpdate before its change (ACOS5 only: SPK 2.x keeps
# certificates as values in the CDF, and --update-certificate needs a file)
case $card in acos5*)
run_cached "$tmp/c45a" "$cache" pkcs15-tool --read-certificate 45
ca=$tmp/$card.ca
size=$(openssl x509 -in "$tmp/c45a" -outform DER | wc -c)
for i in $(seq 1 40); do
	openssl x509 -req -in "$ca/tmp.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -days 40 \
		-set_serial "0x3$(openssl rand -hex 19 | cut -c1-39)" -force_pubkey "$ca/pub.pem" \
		-extfile "$ca/user.ext" -out "$tmp/renewed.pem" 2>/dev/null
	[ "$(openssl x509 -in "$tmp/renewed.pem" -outform DER | wc -c)" = "$size" ] && break
done
if [ "$(openssl x509 -in "$tmp/renewed.pem" -outform DER | wc -c)" = "$size" ]; then
	ok "$card: a renewed certificate of the same size ($size bytes)"
else
	not_ok "$card: no renewed certificate of $size bytes could be made"
fi
if run_cached "$tmp/renew" "$other" pkcs15-init --update-certificate "$tmp/renewed.pem" --id 45 \
		--pin "$pin" --so-pin "$p15_so"; then
	ok "$card: a certificate renewed from another machine"
else
	not_ok "$card: pkcs15-init --update-certificate failed:"; sed 's/^/    /' "$tmp/renew"
fi
run_cached "$tmp/c45b" "$cache" pkcs15-tool --read-certificate 45
want=$(openssl x509 -in "$tmp/renewed.pem" -noout -serial)
got=$(openssl x509 -in "$tmp/c45b" -noout -serial 2>&1)
if [ "$got" = "$want" ]; then
	ok "$card: next run shows the renewed certificate"
else
	not_ok "$card: next run shows $got, not the renewed certificate ($want)"
fi ;;
esac

# In place, free space unchanged: EF(TokenInfo)'s label rewritten with raw
# APDUs (SO PIN verified; no driver cache involved)
run_cached "$tmp/ti" "$other" opensc-tool $selti -s 00B0000040
# the data of the last answer (the READ BINARY's)
ti=$(awk '/^Received/{b="";next} /^[0-9A-F][0-9A-F] /{b=b substr($0,1,48)} END{print b}' "$tmp/ti" | tr -d ' \n')
old=$(printf 'cache test' | xxd -p) new=$(printf 'CACHE TEST' | xxd -p)
off=$(python3 -c "import sys; print(sys.argv[1].lower().find(sys.argv[2]) // 2)" "$ti" "$old")
if [ "${off:--1}" -ge 0 ]; then
	printf -v upd '00D600%02X0A%s' "$off" "${new^^}"
	run_cached "$tmp/upd" "$other" opensc-tool $selti -s "$verify" -s "$upd"
	expect_match "$card: TokenInfo rewritten in place" "SW1=0x90, SW2=0x00" <(tail -3 "$tmp/upd")
	run_cached "$tmp/d4" "$cache" pkcs15-tool -D
	expect_match "$card: next run shows the new label" "PKCS#15 Card \\[CACHE TEST\\]" "$tmp/d4"
else
	not_ok "$card: label not found in EF(TokenInfo): $ti"
fi

# A process that writes deletes the cache; the next one starts cold
run_cached "$tmp/d5" "$cache" pkcs15-tool -D
run_cached "$tmp/w" "$cache" pkcs15-init --delete-objects cert --id 46 --pin "$pin" --so-pin "$p15_so"
run_cached "$tmp/d6" "$cache" pkcs15-tool -D
not_listed "$card: a certificate deleted through the cache is gone" "second certificate" "$tmp/d6"
if [ "$(reads "$tmp/d6")" -gt 3 ]; then
	ok "$card: after a writing process the next run reads the card again"
else
	not_ok "$card: the run after a writing process read only $(reads "$tmp/d6") files"
fi

# Erased and personalised anew, same serial: not the old card (whose public
# key is in the cache)
run_cached "$tmp/pubold" "$cache" pkcs15-tool --read-public-key 45 -o "$tmp/pub6.pem"
p15_personalise "$card" "$state.new" "$pin" --label "cache test" --cert "$tmp/$card.ca2" || return
cp "$state.new" "$state"
run_cached "$tmp/d7" "$cache" pkcs15-tool --read-public-key 45 -o "$tmp/pub7.pem"
WITH_CARD_CACHE=$tmp/$card.fresh $with_card --state "$state" "$card" -- \
	pkcs15-tool --read-public-key 45 -o "$tmp/pub8.pem" >/dev/null 2>&1
if [ -s "$tmp/pub7.pem" ] && cmp -s "$tmp/pub7.pem" "$tmp/pub8.pem" && ! cmp -s "$tmp/pub6.pem" "$tmp/pub7.pem"; then
	ok "$card: a card personalised anew shows its own public key, not the cached one"
else
	not_ok "$card: public key of the new card differs from what a cold run reads"
fi
}

so_verify=00200001083837363534333231 # VERIFY SO PIN (ref 01) 87654321, ASCII
cache_test acos5-64v2 acos5_ext 1 '^00B0\|^80CA' \
	"-s 00A40000023F00 -s 00A40000024100 -s 00A40000025032" $so_verify
# the original ACOS5 has no free-space counter: nothing would show a file
# created elsewhere, so it keeps no cache across processes
cache_test acos5 acos5_ext 0 '^00B0\|^80CA' \
	"-s 00A40000023F00 -s 00A40000024100 -s 00A40000025032" $so_verify
cache_test starcos-spk23 starcos_ext 0 '^00B0' \
	"-s 00A40000023F00 -s 00A40000025015 -s 00A40000025032" $so_verify
finish
