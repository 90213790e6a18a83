#!/bin/bash
# apdu-count: how many APDUs each user-visible operation costs, with our
# drivers and (where OpenSC has one) with OpenSC's built-in driver on the
# same simulated card. Each APDU costs a real user about 10 ms.
#
#   tests/bench/apdu-count.sh [--build DIR] [--compare FILE]
#
# Prints "operation  card  driver  APDUs" rows. With --compare, also the
# difference to a recorded baseline (doc/benchmark.md explains how to
# refresh it) and exits 1 if any count grew. Not part of the test suite.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
baseline=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--compare) baseline=$2; shift 2 ;;
	*) echo "usage: $0 [--build DIR] [--compare FILE]" >&2; exit 2 ;;
	esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# operation | card | drivers | command
ops="
detect|acos5-64v2|ours|opensc-tool -n
detect|starcos-spk23|ours internal|opensc-tool -n
detect|starcos-3.4|ours internal|opensc-tool -n
serial|acos5-64v2|ours|opensc-tool --serial
serial|starcos-3.5|ours internal|opensc-tool --serial
bind|acos5-64v2:acs|ours|pkcs15-tool --list-pins
list-objects|acos5-64v2:acs|ours|pkcs15-tool -D
sign-sha256|acos5-64v2:acs|ours|pkcs11-tool --module \$P11LIB -l --pin 12345678 --sign -m SHA256-RSA-PKCS --id 06 -i /etc/hostname -o /dev/null
"

count() { grep -vc '^#' "$1" 2>/dev/null || true; }

printf '%-14s %-16s %-9s %s\n' operation card driver apdus >"$tmp/out"
while IFS='|' read -r op card drivers cmd; do
	[ -n "$op" ] || continue
	for d in $drivers; do
		rm -f "$tmp/log"
		"$top/tests/with-card" --build "$build" --driver "$d" --apdu-log "$tmp/log" "$card" -- \
			sh -c "$cmd" >/dev/null 2>&1
		printf '%-14s %-16s %-9s %s\n' "$op" "$card" "$d" "$(count "$tmp/log")" >>"$tmp/out"
	done
done <<<"$ops"
cat "$tmp/out"

[ -n "$baseline" ] || exit 0
grew=0
while read -r op card d n; do
	[ "$op" = operation ] && continue
	old=$(awk -v o="$op" -v c="$card" -v d="$d" '$1 == o && $2 == c && $3 == d {print $4}' "$baseline")
	[ -n "$old" ] || continue
	if [ "$n" -gt "$old" ]; then
		echo "grew: $op on $card ($d): $old -> $n APDUs"
		grew=1
	fi
done <"$tmp/out"
exit $grew
