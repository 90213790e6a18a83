#!/bin/bash
# apdu-count: what each user operation costs on every simulated card, with
# our drivers and, on StarCOS, with OpenSC's built-in driver: APDUs, bytes,
# EEPROM writes and the seconds the real card would take (the simulator's
# time model, doc/simulator.md). Every operation is a fresh process; "cold"
# runs with an empty file cache, "warm" after one run has filled it.
#
#   tests/bench/apdu-count.sh [--build DIR] [--compare BASELINE] [--budgets FILE]
#                             [--only REGEX] [--out FILE]
#
# Prints one row per "operation card driver mode": apdus bytes eeprom
# seconds. --budgets FILE (default tests/bench/budgets.txt) checks the
# budgets there; --compare BASELINE also fails when an APDU count grew
# against the recorded baseline. Exit 1 when a check fails. See
# doc/benchmark.md.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
baseline=
budgets=$top/tests/bench/budgets.txt
only=.
out=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--compare) baseline=$2; shift 2 ;;
	--budgets) budgets=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) sed -n '9,10p' "$0" | sed 's/^# \{0,1\}/usage: /' >&2; exit 2 ;;
	esac
done
case $build in /*) ;; *) build=$PWD/$build ;; esac
tmp=$(mktemp -d /tmp/apdu-count.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
with_card="$top/tests/with-card --build $build"
so=87654321
user=12345678
id=45

# card spec | drivers | user PIN | key ID to sign with | PKCS#11 slot index of that PIN
# SPEC+p15: a blank SPEC personalised by stock pkcs15-init in our layout
# (tests/clients/p15-personalise: create-pkcs15, store-pin, generate-key,
# store-certificate); its cost is the "personalise" row.
cards="
acos5+p15|ours|$user|$id|0
acos5-64v2+p15|ours|$user|$id|0
acos5-64v3+p15|ours|$user|$id|0
acos5-64v2:acs|ours|12345678|06|0
starcos-spk23+p15|ours internal|$user|$id|0
starcos-spk24+p15|ours internal|$user|$id|0
starcos-3.4:dtrust|ours internal|123456|01|0
starcos-3.5:bnotk|ours|123456|03|2
"

# Operations run on every card (name | command; PIN, ID, DATA substituted)
ops='
sign|pkcs11-tool --module "$P11LIB" --slot-index "$SLOT" -l --pin "$PIN" --sign -m SHA256-RSA-PKCS --id "$ID" -i "$DATA" -o /dev/null
list|pkcs15-tool -D
enum|pkcs11-tool --module "$P11LIB" -O
'

# The script run inside with-card for one card: every operation cold (empty
# cache) and warm (second run on a filled cache). Writes "op mode first last"
# (line numbers of the cost log) to the marks file.
cat >"$tmp/measure" <<'SH'
#!/bin/bash
costlog=$1 marks=$2 opsfile=$3
export PIN=$4 ID=$5 DATA=$6 SLOT=$7
n() { [ -f "$costlog" ] && wc -l <"$costlog" || echo 0; }
while IFS='|' read -r op cmd; do
	[ -n "$op" ] || continue
	cache=$(mktemp -d /tmp/apdu-count-cache.XXXXXX)
	for mode in cold warm; do
		a=$(n)
		XDG_CACHE_HOME=$cache HOME=$cache bash -c "$cmd" >"$costlog.$op.$mode.out" 2>&1
		echo "$op $mode $? $a $(n)" >>"$marks"
	done
	rm -rf "$cache"
done <"$opsfile"
SH
chmod +x "$tmp/measure"

# Personalisation in our layout (doc/acos5.md, doc/starcos.md): the steps
# whose cost the "personalise" row counts, each marked "step status first last"
cat >"$tmp/personalise" <<SH
#!/bin/bash
costlog=\$1 marks=\$2 ca=\$3 bits=\$4
n() { [ -f "\$costlog" ] && wc -l <"\$costlog" || echo 0; }
step() {
	local name=\$1 a
	shift
	a=\$(n)
	"\$@"
	echo "\$name \$? \$a \$(n)" >>"\$marks"
}
step create-pkcs15 pkcs15-init --create-pkcs15 --so-pin $so --so-puk 12345678 --label "pkicards user"
step store-pin pkcs15-init --store-pin --auth-id 01 --label "User PIN" --pin $user --puk 12345678 --so-pin $so
step generate-key pkcs15-init --generate-key rsa/\$bits --auth-id 01 --id $id --label "pkicards user key" \\
	--key-usage sign,decrypt --pin $user --so-pin $so
mkdir -p "\$ca" && cd "\$ca" || exit 1
pkcs15-tool --read-public-key $id -o pub.pem || exit 1
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj "/CN=bench CA" 2>/dev/null
openssl req -new -key ca.key -subj "/CN=pkicards user" -out u.csr 2>/dev/null
openssl x509 -req -in u.csr -CA ca.pem -CAkey ca.key -CAcreateserial -force_pubkey pub.pem -days 30 \\
	-out cert.pem 2>/dev/null || exit 1
step store-certificate pkcs15-init --store-certificate cert.pem --id $id --label "pkicards user" \\
	--pin $user --so-pin $so
SH
chmod +x "$tmp/personalise"
printf '%s\n' "$ops" >"$tmp/ops"
echo "to be signed" >"$tmp/data"

rows=$tmp/rows
: >"$rows"

# row OP CARD DRIVER MODE COSTLOG FIRST LAST STATUS
row() {
	awk -v op="$1" -v card="$2" -v drv="$3" -v mode="$4" -v a="$6" -v b="$7" -v st="$8" '
		NR > a && NR <= b { n++; by += $6; ee += $4; ms += $3 }
		END { printf "%-12s %-20s %-9s %-5s %6d %8d %6d %9.2f%s\n", op, card, drv, mode, n, by, ee,
			ms / 1000, st != 0 ? "  FAILED(" st ")" : "" }' "$5" >>"$rows"
}

while IFS='|' read -r spec drivers pin kid slot <&3; do
	[ -n "$spec" ] || continue
	grep -Eq -- "$only" <<<"$spec" || continue
	base=${spec%+p15}
	state_args=()
	if [ "$base" != "$spec" ]; then
		# personalise in our layout; its cost is a row of its own
		state=$tmp/$base.state
		bits=2048
		case $base in starcos-spk2*) bits=1024 ;; esac
		: >"$tmp/$base.pmarks"
		$with_card --state "$state" --cost-log "$tmp/$base.perso" "$base" -- \
			"$tmp/personalise" "$tmp/$base.perso" "$tmp/$base.pmarks" "$tmp/$base.ca" $bits \
			>"$tmp/$base.perso.out" 2>&1
		# the four pkcs15-init steps, without the CA's reading of the public key
		st=0
		: >"$tmp/$base.psel"
		while read -r step pst a b; do
			[ "$pst" = 0 ] || st=$pst
			awk -v a="$a" -v b="$b" 'NR > a && NR <= b' "$tmp/$base.perso" >>"$tmp/$base.psel"
		done <"$tmp/$base.pmarks"
		[ -s "$tmp/$base.pmarks" ] || st=99
		row personalise "$spec" ours cold "$tmp/$base.psel" 0 "$(wc -l <"$tmp/$base.psel")" $st
		state_args=(--state "$state")
		card=$base
	else
		card=$spec
	fi
	for d in $drivers; do
		log=$tmp/$base.$d.cost
		marks=$tmp/$base.$d.marks
		: >"$marks"
		[ ${#state_args[@]} -gt 0 ] && cp "$state" "$state.$d"
		rm -f "$log.apdu"
		$with_card --driver "$d" ${state_args[@]+--state "$state.$d"} --cost-log "$log" \
			--apdu-log "$log.apdu" "$card" -- \
			"$tmp/measure" "$log" "$marks" "$tmp/ops" "$pin" "$kid" "$tmp/data" "$slot" >/dev/null 2>&1
		while read -r op mode st a b; do
			row "$op" "$spec" "$d" "$mode" "$log" "$a" "$b" "$st"
			# no file content read twice in one process (our drivers)
			[ "$d" = ours ] && ! python3 "$top/tests/bench/rereads.py" "$log.apdu" "$a" "$b" \
				"$op $spec $mode" >>"$tmp/rereads" && echo "$op $spec $mode" >>"$tmp/rereads.bad"
		done <"$marks"
	done
done 3<<<"$cards"

{
	printf '%-12s %-20s %-9s %-5s %6s %8s %6s %9s\n' operation card driver mode apdus bytes eeprom seconds
	cat "$rows"
} >"$tmp/table"
cat "$tmp/table"
[ -n "$out" ] && cp "$tmp/table" "$out"

failed=0
if [ -s "$tmp/rereads.bad" ]; then
	echo "FAIL: a process read the same bytes of a file twice (tests/bench/rereads.py):"
	sed 's/^/  /' "$tmp/rereads"
	failed=1
else
	echo "ok: no process read the same bytes of a file twice"
fi
# A run of ours that failed is a defect, not a number (OpenSC's built-in
# driver cannot do everything on every card: its failures only drop out of
# the comparison)
if awk '$3 == "ours" && /FAILED/ {f=1} END {exit !f}' "$rows"; then
	echo "FAIL: some operations failed with our drivers"
	failed=1
fi

# Budgets: "operation card-regex driver mode max-apdus" lines, and
# "ratio operation card-regex mode max" (ours / internal APDUs)
if [ -f "$budgets" ]; then
	python3 - "$tmp/table" "$budgets" <<'PY' || failed=1
import re, sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[1:]]
bad = 0
for line in open(sys.argv[2]):
    f = line.split('#')[0].split()
    if not f:
        continue
    if f[0] == 'ratio':
        op, card, mode, limit = f[1], f[2], f[3], float(f[4])
        for r in rows:
            if r[0] != op or r[2] != 'ours' or r[3] != mode or not re.fullmatch(card, r[1]):
                continue
            ref = [x for x in rows if x[0] == op and x[1] == r[1] and x[2] == 'internal' and x[3] == mode
                   and len(x) == 8]
            if not ref:
                continue
            q = int(r[4]) / max(int(ref[0][4]), 1)
            ok = q <= limit
            bad |= not ok
            print('%s: %s on %s %s: ours %s / internal %s = %.2f (budget %.2f)' % (
                'ok' if ok else 'OVER', op, r[1], mode, r[4], ref[0][4], q, limit))
        continue
    op, card, drv, mode, limit = f[0], f[1], f[2], f[3], int(f[4])
    for r in rows:
        if r[0] == op and r[2] == drv and r[3] == mode and re.fullmatch(card, r[1]):
            ok = int(r[4]) <= limit
            bad |= not ok
            print('%s: %s on %s (%s, %s): %s APDUs (budget %d)' % (
                'ok' if ok else 'OVER', op, r[1], drv, mode, r[4], limit))
sys.exit(1 if bad else 0)
PY
fi

# Regression against a recorded baseline: no APDU count may grow (by more
# than 2: the generated keys and certificates differ in length from run to
# run by a byte or two, which can cost one more READ BINARY)
if [ -n "$baseline" ]; then
	while read -r op card d mode n _; do
		[ "$op" = operation ] && continue
		old=$(awk -v o="$op" -v c="$card" -v d="$d" -v m="$mode" \
			'$1 == o && $2 == c && $3 == d && $4 == m {print $5}' "$baseline")
		[ -n "$old" ] || continue
		if [ "$n" -gt $((old + 2)) ]; then
			echo "grew: $op on $card ($d, $mode): $old -> $n APDUs"
			failed=1
		fi
	done <"$tmp/table"
fi
exit $failed
