#!/bin/sh
# rereads.py on its test vectors: a re-read is reported with both exchanges,
# the same offset of two different files is not, a range that excludes the
# first read is clean (suite unit)
d=$(dirname "$0")
rr="python3 $d/../rereads.py"
f=0
out=$($rr "$d/reread.log" 0 8 t) && { echo "not ok - re-read not reported"; f=1; }
echo "$out" | grep -q "t: exchange 8 reads again what exchange 4 read: 00B0000080 in 3f00/4100/4111" &&
	echo "ok - re-read reported" || { echo "not ok - report: $out"; f=1; }
$rr "$d/reread.log" 4 8 t >/dev/null && echo "ok - a range after the first read is clean" ||
	{ echo "not ok - range"; f=1; }
$rr "$d/distinct.log" 0 10 t && echo "ok - distinct files and records are not re-reads" ||
	{ echo "not ok - distinct reported"; f=1; }
exit $f
