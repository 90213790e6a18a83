#!/bin/bash
# Fault sweep (issue 11): every APDU position of personalisation (blank card
# to certificate), of use (sign, decipher), of key import (original ACOS5,
# SPK 2.3), of PIN change and unblock and of
# erase-card on ACOS5-64 V2, the original ACOS5 and StarCOS SPK 2.3, with
# the card removed, reset or mute there; see fault-sweep.py and
# doc/security.md "Faults". Eight empty readers, one simulator each, one
# worker thread per reader.
. "$(dirname "$0")/lib.sh"
if $with_card -,-,-,-,-,-,-,- -- python3 "$top/tests/integration/fault-sweep.py" "$tmp/sweep" \
		${FAULT_SWEEP_CARDS:-acos5-64v2,acos5,starcos-spk23} ${FAULT_SWEEP_STRIDE:+--stride $FAULT_SWEEP_STRIDE}; then
	ok "fault sweep"
else
	not_ok "fault sweep"
fi
finish
