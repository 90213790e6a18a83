#!/bin/sh
# check-demo-args.sh DEMO: scripts/demo's options, on a copy of the script in
# a temporary tree: a bad option or a --card without its value is refused
# with a message and status 2, and --reuse with a --card other than the
# previous run's is refused before the demo installs or builds anything
# (step 1); without --card, --reuse takes the previous run's card (its
# header says so). No root, no card: every case ends before step 1.
set -u
demo=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/scripts" "$tmp/build/demo"
cp "$demo" "$tmp/scripts/demo"
failures=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; failures=$((failures + 1)); }
# refused DESCRIPTION PATTERN ARGS...: status 2, PATTERN on stderr, no step begun
refused() {
	d=$1 pat=$2
	shift 2
	bash "$tmp/scripts/demo" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
	if [ $st = 2 ] && grep -q -- "$pat" "$tmp/err" && ! grep -q '^1\. ' "$tmp/out"; then
		ok "$d"
	else
		not_ok "$d: status $st, stderr: $(cat "$tmp/err"), stdout: $(head -c 300 "$tmp/out")"
	fi
}
refused "an unknown option" "unknown option --bogus" --bogus
refused "--card without its value (before: 'unbound variable', status 1)" "--card needs a card" --card
refused "an unknown card" "--card acos5-64v2, acos5-64v3" --card acos5-99
echo acos5 >"$tmp/build/demo/card.type"
echo x >"$tmp/build/demo/card.state"
refused "--reuse with another card than the previous run's, before step 1" \
	"the previous run's card is acos5, not starcos-spk23: run 'scripts/demo --reuse'" --reuse --card starcos-spk23
bash "$tmp/scripts/demo" --help >"$tmp/help" 2>&1
grep -q "whatever --card it had" "$tmp/help" && ok "--help: --reuse takes the previous run's card" ||
	not_ok "--help does not say what --reuse takes"
[ $failures = 0 ]
