#!/bin/sh
# run-fuzz.sh FUZZER MKCORPUS RUNS: the libFuzzer target for RUNS
# executions, started from the seed corpus that MKCORPUS (mkcorpus.py)
# writes into a temporary directory (removed afterwards, new inputs with it).
# Exit status: the fuzzer's (non-zero on a crash, a sanitizer finding or a
# leak; the crashing input is written to the working directory).
set -u
fuzzer=$1 mkcorpus=$2 runs=$3
work=$(mktemp -d /tmp/pkicards-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
python3 "$mkcorpus" "$work/corpus" || exit 1
"$fuzzer" -runs="$runs" -max_len=600 -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1
rc=$?
grep -E "^(Done|stat::(number_of_executed_units|average_exec_per_sec|new_units_added)|==[0-9]+==|SUMMARY)" "$work/log"
[ $rc = 0 ] || tail -n 40 "$work/log"
exit $rc
