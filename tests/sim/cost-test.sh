#!/bin/sh
# Time model (doc/simulator.md "Time model"): one cost-log line per exchange,
# the figures of cost.c for known exchanges, and --timing real holding the
# answer for the (scaled) predicted time.
# usage: cost-test.sh CARDSIM APDU_RUN SCRIPT_DIR WORK_DIR
set -u
CARDSIM=$1 APDU_RUN=$2 SCRIPTS=$3 WORK=$4
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }
cost=$WORK/cost.log apdu=$WORK/apdu.log

"$APDU_RUN" "$SCRIPTS/acos5-v1-rsa.apdu" -- "$CARDSIM" --card acos5 --apdu-log "$apdu" \
	--cost-log "$cost" --timing real --timing-scale 0.01 || fail "acos5 v1 run"
[ "$(grep -vc '^#' "$apdu")" = "$(wc -l <"$cost")" ] || fail "not one cost line per exchange"
# line N of the cost log is exchange N of the APDU log
grep -v '^#' "$apdu" | paste -d' ' "$cost" - >"$WORK/both"
check() { # DESC AWK-CONDITION: some line of "start end ms ee eebytes bytes INS CAPDU RAPDU" matches
	awk "$2 {f=1} END {exit !f}" "$WORK/both" || fail "$1"
}
# v1 (traces 03-07): round trip 1.2 + 0.146/byte
check "CREATE FILE: 306 + round trip, one EEPROM write of its 17 data bytes" \
	'$7 == "E0" && $9 == "9000" && $6 == 24 && $3 > 310.7 && $3 < 310.8 && $4 == 1 && $5 == 17'
check "SELECT on v1: round trip + 9 bytes + 6.5" \
	'$7 == "A4" && $6 == 9 && $3 > 9.00 && $3 < 9.03 && $4 == 0'
check "512-bit GENERATE: 3090 ms and more" '$7 == "46" && $9 == "9000" && $3 > 3090 && $3 < 3100'
check "a failing GENERATE is no key generation" '$7 == "46" && $9 == "6A86" && $3 < 10 && $4 == 0'
check "MSE: 17.8 more" '$7 == "22" && $9 == "9000" && $3 > 21 && $3 < 21.5'
check "--timing real holds the answer (scale 0.01 of 3090 ms)" \
	'$7 == "46" && $9 == "9000" && $2 - $1 >= 0.0309'
check "reads are no EEPROM writes" '$7 == "B0" && $4 == 0'

# V2 (trace 01): round trip 4.0 + 0.088/byte; VERIFY 67.7 more
rm -f "$cost" "$apdu"
"$APDU_RUN" "$SCRIPTS/acos5-t0-case1.apdu" -- "$CARDSIM" --card acos5-64v2:demo --apdu-log "$apdu" \
	--cost-log "$cost" || fail "acos5-64v2 run"
grep -v '^#' "$apdu" | paste -d' ' "$cost" - >"$WORK/both"
check "VERIFY with a PIN on V2: 67.7 + round trip" '$7 == "20" && $6 > 13 && $3 > 73.0 && $3 < 73.05'
check "without --timing real no waiting" '$2 - $1 < 0.05'
echo "cost tests passed"
