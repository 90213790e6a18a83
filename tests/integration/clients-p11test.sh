#!/bin/bash
# Real clients: OpenSC's p11test (built from the OpenSC source tree by
# tests/p11test/meson.build) against OpenSC's PKCS#11 module with each card
# below; its JSON output must equal the reference
# tests/p11test/<OpenSC version>/<card>_ref.json (card spec with ':' replaced
# by '-'), as OpenSC's CI does for its applets. p11test of another OpenSC
# version prints other JSON (flags by name, mechanism order, more rows), so
# each version the build can be for has its own references (doc/clients.md).
#
# A reference is (re)written from the current output with
#   P11TEST_UPDATE_REF=1 WITH_CARD_BUILD=BUILD tests/integration/clients-p11test.sh
# — review the diff before committing it (doc/clients.md).
. "$(dirname "$0")/lib.sh"

p11test=$build/tests/p11test/p11test
if [ ! -x "$p11test" ]; then
	echo "no $p11test (cmocka missing?): skipped"
	exit 77
fi
. "$build/opensc.env"
refdir=$top/tests/p11test/$OPENSC_VERSION
if [ ! -d "$refdir" ] && [ -z "${P11TEST_UPDATE_REF:-}" ]; then
	not_ok "no p11test references for OpenSC $OPENSC_VERSION ($refdir; create them with P11TEST_UPDATE_REF=1)"
	finish
fi
mkdir -p "$refdir"

# card spec         user PIN   (PERSONALITY+p15: personalised by pkcs15-init, lib.sh)
cards="
acos5-64v2:acs      12345678
acos5-64v2+p15      648219
starcos-spk23+p15   648219
"
# PERSONALITY+p15: one key (sign+decrypt; 2048 bits, StarCOS SPK 2.x 1024) with a certificate; every
# mechanism the card offers passes, nothing says "fail" (doc/clients.md).

while read -r card pin; do
	[ -n "$card" ] || continue
	name=$(echo "$card" | tr ':+' '--')
	ref=$refdir/${name}_ref.json
	out=$tmp/$name.json
	card_args "$card" "$pin" || continue
	run_card "$tmp/$name.log" "${card_argv[@]}" -- "$top/tests/clients/p11test-run" "$p11test" "$out" "$pin"
	status=$?
	if [ ! -s "$out" ]; then
		not_ok "$card: p11test wrote no JSON (status $status):"
		tail -n 30 "$tmp/$name.log" | sed 's/^/    /'
		continue
	fi
	if [ -n "${P11TEST_UPDATE_REF:-}" ]; then
		cp "$out" "$ref"
		ok "$card: reference $ref written"
		continue
	fi
	if [ ! -f "$ref" ]; then
		not_ok "$card: no reference $ref (create it with P11TEST_UPDATE_REF=1)"
		continue
	fi
	if grep -q '"result": "fail"' "$ref"; then
		case $card in *+p15) not_ok "$card: the reference $(basename "$ref") records failures" ;; esac
	fi
	if diff -u "$ref" "$out" >"$tmp/$name.diff"; then
		ok "$card: p11test output equals $(basename "$ref") ($(grep -c '"result": "pass"' "$out") pass, $(grep -c '"result": "skip"' "$out") skip, $(grep -c '"result": "fail"' "$out") fail)"
	else
		not_ok "$card: the output of p11test has changed:"
		sed 's/^/    /' "$tmp/$name.diff"
	fi
done <<<"$cards"

finish
