# Shared helpers of the integration tests (sourced).
# Tests print "ok - ..." / "not ok - ..." lines and exit non-zero on failure.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${WITH_CARD_BUILD:-$top/build}
with_card="$top/tests/with-card --build $build"
failures=0
tmp=$(mktemp -d /tmp/pkicards-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

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

# run_card OUT CARD -- CMD...: run a command with a card, output to OUT
run_card() {
	local out=$1
	shift
	$with_card "$@" >"$out" 2>&1
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures failure(s)"
		exit 1
	fi
	exit 0
}
