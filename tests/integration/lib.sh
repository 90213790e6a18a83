# Shared helpers of the integration tests (sourced).
# Tests print "ok - ..." / "not ok - ..." lines and exit non-zero on failure.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${WITH_CARD_BUILD:-$top/build}
with_card="$top/tests/with-card --build $build"
# a PIN's live status, asked of the card as PKCS#11 does (tests/tools/p15-pin-info.c)
pin_info=$build/tests/tools/p15-pin-info
failures=0
tmp=$(mktemp -d /tmp/pkicards-test.XXXXXX)
# PKICARDS_KEEP_TMP=1 keeps the test's files (logs) for a look afterwards
[ -n "${PKICARDS_KEEP_TMP:-}" ] && echo "test files kept in $tmp" || trap 'rm -rf "$tmp"' EXIT

if [ "$(id -u)" != 0 ]; then
	echo "integration tests start pcscd and need root: skipped"
	exit 77
fi

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }

# expect_match DESC PATTERN FILE: FILE contains a line matching PATTERN (ERE)
expect_match() {
	if grep -Eq -- "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1: no line matches /$2/ in:"
		sed 's/^/    /' "$3"
	fi
}

# not_listed DESC REGEX FILE: FILE is a pkcs15-tool listing that worked (it
# names the reader and says nothing failed) and has no line matching REGEX
not_listed() {
	if ! grep -q "Using reader with a card" "$3" || grep -qE "binding failed|Failed" "$3"; then
		not_ok "$1: the listing itself failed:"
		sed 's/^/    /' "$3"
	elif grep -qE -- "$2" "$3"; then
		not_ok "$1: still listed"
	else
		ok "$1"
	fi
}

# run_card OUT CARD -- CMD...: run a command with a card, output to OUT
run_card() {
	local out=$1
	shift
	$with_card "$@" >"$out" 2>&1
}

# Cards personalised by stock pkcs15-init (doc/acos5.md) in the card tables:
# a spec "PERSONALITY+p15" (e.g. acos5-64v2+p15) is a blank PERSONALITY
# personalised by tests/clients/p15-personalise with the row's user PIN:
# SO PIN $p15_so, one RSA key pair (p15_bits: 2048, StarCOS SPK 2.x 1024; sign+decrypt)
# under ID $p15_id, token label "pkicards user", a certificate for it from a
# throw-away CA. The card is personalised once per test and spec (one
# pristine state file); every call gets its own copy of it.
p15_so=87654321
p15_id=45
p15_n=0

# sig_ok DESC PUBKEY SIG HASH [OUTPUT...]: SIG is a SHA-256 PKCS#1 v1.5
# signature of the digest in HASH by the key of PUBKEY (PEM); else the
# OUTPUT files are shown
sig_ok() {
	local desc=$1 pub=$2 sig=$3 hash=$4
	shift 4
	if openssl pkeyutl -verify -pubin -inkey "$pub" -sigfile "$sig" -in "$hash" \
			-pkeyopt digest:sha256 >/dev/null 2>&1; then
		ok "$desc"
	else
		not_ok "$desc: the signature does not verify"
		[ $# -eq 0 ] || sed 's/^/    /' "$@"
	fi
}

# p15_bits SPEC: the key size personalised on SPEC: 2048, but 1024 on
# StarCOS SPK 2.x (its largest RSA key).
p15_bits() {
	case $1 in starcos-spk2*) echo 1024 ;; *) echo 2048 ;; esac
}

# p15_store_so SPEC: the options of tests/clients/enrol and agent-enrol that
# storing a certificate on SPEC takes besides the user PIN: the SO PIN on
# StarCOS SPK 2.x, whose module verifies it when given (cards personalised
# before the user-PIN layout need it; doc/starcos.md).
p15_store_so() {
	case $1 in starcos-spk2*) echo "--store-so-pin $p15_so" ;; esac
}

# p15_personalise SPEC STATE PIN [ARGS...]: personalise the blank card
# SPEC (a personality) into the state file STATE; ARGS go to p15-personalise
# before the PINs (e.g. --label L, --bits N, --cert DIR). Output in
# STATE.log. Returns non-zero (and says why) if a step failed.
p15_personalise() {
	local spec=$1 state=$2 pin=$3
	shift 3
	rm -f "$state"
	if ! $with_card --state "$state" "$spec" -- "$top/tests/clients/p15-personalise" \
			--bits "$(p15_bits "$spec")" "$@" \
			"$pin" "$p15_so" "$p15_id" </dev/null >"$state.log" 2>&1; then
		not_ok "$spec: personalisation with pkcs15-init failed:"
		sed 's/^/    /' "$state.log"
		return 1
	fi
}

# card_args SPEC PIN: the with-card arguments for a table's card spec (sets
# the array card_argv): "SPEC" as is, or "--state COPY PERSONALITY" for
# PERSONALITY+p15.
card_args() {
	local spec=$1 pin=$2 base pristine
	case $spec in
	*+p15)
		base=${spec%+p15}
		pristine=$tmp/p15-$base-$pin.pristine
		if [ ! -f "$pristine" ]; then
			p15_personalise "$base" "$pristine" "$pin" --cert "$tmp/p15-$base-$pin.ca" || return 1
		fi
		p15_n=$((p15_n + 1))
		cp "$pristine" "$tmp/p15-$base.$p15_n.state"
		card_argv=(--state "$tmp/p15-$base.$p15_n.state" "$base") ;;
	*) card_argv=("$spec") ;;
	esac
}

# pin_cycle CARD STATE AUTH_ID PIN PUK MAX [SOPIN]: wrong PINs lower the counter that
# the card reports (p15-pin-info) and the PKCS#11 token flags show, the MAXth wrong
# PIN blocks it, the PUK unblocks it, the PIN changes. With SOPIN: PKCS#11
# C_InitPIN in an SO session is refused saying what to do, no PIN object
# added, and the PIN still verifies. Leaves PIN unchanged.
pin_cycle() {
	local card=$1 state=$2 auth=$3 pin=$4 puk=$5 max=$6 so=${7:-} out=$tmp/pin-cycle.$RANDOM
	cat >"$out.sh" <<'SH'
set -u
auth=$1 pin=$2 puk=$3 max=$4 pin_info=$5 so=$6
if [ -n "$so" ]; then
	n=$(pkcs15-tool -D 2>/dev/null | grep -c '^PIN')
	pkcs11-tool --module "$P11LIB" --login --login-type so --so-pin "$so" --init-pin --new-pin 24681357 2>&1 &&
		echo "init-pin accepted"
	[ "$(pkcs15-tool -D 2>/dev/null | grep -c '^PIN')" = "$n" ] && echo "PIN objects $n unchanged"
	pkcs15-tool --verify-pin --auth-id "$auth" --pin "$pin" >/dev/null 2>&1 && echo "PIN verifies after init-pin"
fi
p11() { pkcs11-tool --module "$P11LIB" "$@" 2>/dev/null; }
tries() { "$pin_info" "$auth" 2>/dev/null | awk '{print "tries " $2}'; }
wrong() { pkcs15-tool --verify-pin --auth-id "$auth" --pin 99999999 >/dev/null 2>&1; }
tries
wrong; tries
p11 -T | sed -n 's/.*token flags *: /flags1 /p'
i=2; while [ $i -lt "$max" ]; do wrong; i=$((i + 1)); done; tries
p11 -T | sed -n 's/.*token flags *: /flagsN /p'
wrong; tries
p11 -T | sed -n 's/.*token flags *: /flagsB /p'
pkcs15-tool --verify-pin --auth-id "$auth" --pin "$pin" 2>&1 | sed -n 's/.*Operation failed: /blocked: /p'
pkcs15-tool --unblock-pin --auth-id "$auth" --puk "$puk" --new-pin "$pin" >/dev/null 2>&1 && echo unblocked
tries
pkcs15-tool --change-pin --auth-id "$auth" --pin "$pin" --new-pin 24681357 >/dev/null 2>&1 && echo changed
pkcs15-tool --verify-pin --auth-id "$auth" --pin 24681357 >/dev/null 2>&1 && echo "new PIN works"
pkcs15-tool --verify-pin --auth-id "$auth" --pin "$pin" >/dev/null 2>&1 || echo "old PIN refused"
pkcs15-tool --change-pin --auth-id "$auth" --pin 24681357 --new-pin "$pin" >/dev/null 2>&1 && echo "changed back"
SH
	$with_card --state "$state" "$card" -- bash "$out.sh" "$auth" "$pin" "$puk" "$max" "$pin_info" "$so" >"$out" 2>&1
	if [ -n "$so" ]; then
		if grep -q "^init-pin accepted" "$out"; then not_ok "$card: C_InitPIN over the user PIN accepted"; else
			ok "$card: C_InitPIN over the user PIN refused"; fi
		expect_match "$card: C_InitPIN refusal says what to do" \
			"^pkicards: this token has its user PIN already .*pkcs11-tool --login --change-pin.*pkcs15-tool --unblock-pin --auth-id $auth\\)" "$out"
		expect_match "$card: C_InitPIN added no PIN object" "^PIN objects [0-9]+ unchanged\$" "$out"
		expect_match "$card: the user PIN verifies after C_InitPIN" "^PIN verifies after init-pin\$" "$out"
	fi
	expect_match "$card: $max tries at first" "^tries $max\$" "$out"
	expect_match "$card: a wrong PIN leaves $((max - 1))" "^tries $((max - 1))\$" "$out"
	expect_match "$card: PKCS#11 count low" "^flags1 .*user PIN count low" "$out"
	expect_match "$card: one try left" "^tries 1\$" "$out"
	expect_match "$card: PKCS#11 final try" "^flagsN .*final user PIN try" "$out"
	expect_match "$card: wrong PIN number $max blocks it" "^tries 0\$" "$out"
	expect_match "$card: PKCS#11 locked" "^flagsB .*user PIN locked" "$out"
	expect_match "$card: blocked PIN refused as blocked" "^blocked: Authentication method blocked" "$out"
	expect_match "$card: PUK unblocks" "^unblocked\$" "$out"
	expect_match "$card: PIN changed" "^changed\$" "$out"
	expect_match "$card: new PIN verifies" "^new PIN works\$" "$out"
	expect_match "$card: old PIN refused" "^old PIN refused\$" "$out"
	expect_match "$card: PIN changed back" "^changed back\$" "$out"
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures failure(s)"
		exit 1
	fi
	exit 0
}
