#!/bin/bash
# Issue 13 acceptance: the plug-in built for one OpenSC version, loaded by
# another, is refused by that OpenSC with its version message (ctx.c
# load_dynamic_driver: "invalid module version", in the debug log) and our
# card driver says so on standard error; the card then falls to OpenSC's
# own drivers. The OpenSC the build is for loads it (the control).
#
# Other OpenSC versions on this machine: the system's (/usr/bin) and those
# scripts/build-opensc built (${PKICARDS_CACHE:-/var/cache/pkicards}/
# opensc-*-linux); each one whose version is not the build's is tried. With
# none the test is skipped: scripts/run-tests builds 0.26.1 beside the
# system's 0.23.0, so each version's run shows one direction.
. "$(dirname "$0")/lib.sh"

. "$build/opensc.env"
ours=$OPENSC_VERSION
# the card driver module of this build, as with-card's configuration names
# it (a link to build/driver/libpkicards.so)
module="$build/[^']*libpkicards\.so"
cache=${PKICARDS_CACHE:-/var/cache/pkicards}

# "VERSION BINDIR P11" of every other OpenSC
others() {
	local v f
	if [ -x /usr/bin/opensc-tool ]; then
		v=$(/usr/bin/opensc-tool --info 2>/dev/null | sed -n 's/^OpenSC \([0-9.]*\) .*/\1/p')
		f=$(/usr/bin/find /usr/lib /lib -maxdepth 2 -name opensc-pkcs11.so 2>/dev/null | head -n 1)
		[ -n "$v" ] && [ "$v" != "$ours" ] && echo "$v /usr/bin $f"
	fi
	for f in "$cache"/opensc-*-linux/opensc.env; do
		[ -f "$f" ] || continue
		(
			. "$f"
			[ -n "${OPENSC_PREFIX:-}" ] && [ "$OPENSC_VERSION" != "$ours" ] &&
				echo "$OPENSC_VERSION $OPENSC_PREFIX/bin $OPENSC_P11"
		)
	done
}

# Run inside with-card: TOOLS DEBUGLOG; the tools of one OpenSC with its
# PKCS#11 module, OpenSC's debug log written to DEBUGLOG
cat >"$tmp/load.sh" <<'SH'
bin=$1 p11=$2 log=$3
sed "s|debug = 0;|debug = 3; debug_file = $log;|" "$OPENSC_CONF" >"$log.conf"
export OPENSC_CONF=$log.conf
"$bin/opensc-tool" --info 2>/dev/null | head -n 1
echo "== opensc-tool"
"$bin/opensc-tool" -n 2>&1
echo "== pkcs11-tool"
"$bin/pkcs11-tool" --module "$p11" -L 2>&1
SH

n=0
while read -r v bin p11; do
	[ -n "$v" ] || continue
	n=$((n + 1))
	log=$tmp/debug-$v.log
	$with_card acos5-64v3 -- bash "$tmp/load.sh" "$bin" "$p11" "$log" >"$tmp/out-$v" 2>&1
	expect_match "OpenSC $v ran ($bin)" "^OpenSC $v " "$tmp/out-$v"
	c=$(grep -c "dynamic library '$module': invalid module version" "$log")
	if [ "$c" -ge 1 ]; then
		ok "OpenSC $v refuses the plug-in built for $ours: 'invalid module version' ($c times)"
	else
		not_ok "OpenSC $v: no 'invalid module version' for this build's libpkicards.so in its debug log:"
		grep "libpkicards" "$log" | sed 's/^/    /'
	fi
	expect_match "OpenSC $v: our driver says why" \
		"^pkicards: this card driver was built for OpenSC $ours but this is OpenSC $v; OpenSC does not load it" "$tmp/out-$v"
	card=$(awk '/^== opensc-tool/ {f = 1; next} /^==/ {f = 0} f && !/^(pkicards:|Using reader)/' "$tmp/out-$v" | head -n 1)
	if grep -q "successfully loaded card driver 'acos5_ext'" "$log" || [ "$card" = "ACOS5-64 V3 (FIPS mode)" ]; then
		not_ok "OpenSC $v loaded our driver all the same"
	else
		ok "OpenSC $v: the card is not ours ('$card')"
	fi
done < <(others)

if [ "$n" = 0 ]; then
	echo "no OpenSC other than $ours on this machine (scripts/build-opensc VERSION builds one): skipped"
	exit 77
fi

# Control: the OpenSC the build is for loads it
$with_card acos5-64v3 -- bash "$tmp/load.sh" "${OPENSC_BIN:-/usr/bin}" "$OPENSC_P11" "$tmp/debug-own.log" >"$tmp/out-own" 2>&1
expect_match "OpenSC $ours loads the plug-in built for it" "successfully loaded card driver 'acos5_ext'" "$tmp/debug-own.log"
expect_match "OpenSC $ours: our driver has the card" "^ACOS5-64 V3" "$tmp/out-own"
if grep -q "^pkicards: this card driver was built" "$tmp/out-own"; then
	not_ok "OpenSC $ours: our driver complains about its own version"
else
	ok "OpenSC $ours: no version complaint"
fi

finish
