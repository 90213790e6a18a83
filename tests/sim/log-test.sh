#!/bin/sh
# APDU log: one line per exchange, secrets masked (VERIFY, CHANGE, UNBLOCK,
# UPDATE RECORD of PIN files, WRITE KEY).
# usage: log-test.sh CARDSIM APDU_RUN SCRIPT_DIR WORK_DIR
set -u
CARDSIM=$1 APDU_RUN=$2 SCRIPTS=$3 WORK=$4
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }
log="$WORK/apdu.log"

"$APDU_RUN" "$SCRIPTS/acos5-64v2-virgin.apdu" -- "$CARDSIM" --card acos5-64v2 \
	--apdu-log "$log" || fail "acos5 run"
"$APDU_RUN" "$SCRIPTS/acos5-v1-rsa.apdu" -- "$CARDSIM" --card acos5 \
	--apdu-log "$log" || fail "acos5 v1 run"
"$APDU_RUN" "$SCRIPTS/starcos2-virgin.apdu" -- "$CARDSIM" --card starcos-spk23 \
	--apdu-log "$log" || fail "starcos run"

# no PIN, PUK or new PIN used by the scripts appears anywhere
for secret in 3837363534333231 3132333435363738 3939393939393939 3131313131313131 \
	3838383838383838 3132333400000000 3535353500000000; do
	if grep -q "$secret" "$log"; then
		fail "secret $secret in the APDU log"
	fi
done
grep -qx '0020000108\*\* 9000' "$log" || fail "masked VERIFY line"
grep -qx '0020000108\*\* 63C7' "$log" || fail "masked wrong VERIFY line"
grep -qx '00200001 63C8' "$log" || fail "VERIFY without data is not masked"
grep -qx '00DC010415\*\* 9000' "$log" || fail "masked PIN record"
grep -qx '002C008110\*\* 9000' "$log" || fail "masked RESET RETRY COUNTER"
grep -qx '80F400000D\*\* 9000' "$log" || fail "masked WRITE KEY"
grep -qx '90DA000004\*\* 9000' "$log" || fail "masked chained PUT KEY"
grep -qx '80DA000402\*\* 9000' "$log" || fail "masked PUT KEY"
grep -qx '8014000006 A502000000029000' "$log" || fail "plain exchange"
grep -qx '# power on' "$log" || fail "power event"
# every non-comment line is 'HEX HEX'
if grep -v '^#' "$log" | grep -qv '^[0-9A-F*]* [0-9A-F]*$'; then
	fail "malformed log line: $(grep -v '^#' "$log" | grep -v '^[0-9A-F*]* [0-9A-F]*$' | head -1)"
fi
echo "log tests passed"
