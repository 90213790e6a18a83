#!/bin/bash
# tests/with-card itself (issue 11, issue 14 item 4): clean --help, --list
# with every personality and image, simulator errors at once (bad image,
# damaged state file), SIGTERM handled at once, and SIGKILL leaves no
# simulator or pcscd behind to answer a later run, and no working directory
# after the next run.
. "$(dirname "$0")/lib.sh"
wc="$top/tests/with-card"
sim="$build/tests/sim/cardsim"

# --help: the usage text only, on stdout, status 0
if "$wc" --help >"$tmp/help" 2>"$tmp/help.err"; then ok "--help exits 0"; else not_ok "--help status"; fi
expect_match "--help: usage line" "^usage: tests/with-card " "$tmp/help"
if grep -Eq '^(set |#|[a-z_]+=)' "$tmp/help" || [ -s "$tmp/help.err" ]; then
	not_ok "--help prints script lines or errors:"; sed 's/^/    /' "$tmp/help" "$tmp/help.err"
else
	ok "--help shows no script lines (no 'set -u')"
fi

# --list: every personality and every image file, each with a description
"$wc" --list >"$tmp/list" 2>&1
missing=0
for p in $("$sim" --list | cut -f1 | grep -v :) ; do
	grep -Eq "^$p +[^ ]" "$tmp/list" || { not_ok "--list: personality $p missing"; missing=1; }
done
for f in "$top"/tests/images/*/*.img; do
	n=$(basename "$(dirname "$f")"):$(basename "$f" .img)
	grep -Eq "^$n +[^ (]" "$tmp/list" || { not_ok "--list: image $n missing or without description"; missing=1; }
done
[ $(grep -c ':' "$tmp/list") -ge 10 ] && [ $missing = 0 ] && ok "--list: 7 personalities and every image, described" ||
	not_ok "--list output:"
grep -q '(no description line)' "$tmp/list" && not_ok "--list: an image without description"

# an unknown image name: refused before anything starts, its images listed
"$wc" acos5-64v2:nosuch -- true >"$tmp/e1" 2>&1
rc=$?
[ $rc = 2 ] && ok "unknown image: status 2" || not_ok "unknown image: status $rc"
expect_match "unknown image: the card's images listed" "acos5-64v2:demo" "$tmp/e1"

# at_once DESC SECONDS PATTERN CMD...: CMD fails with status 2 within SECONDS
# and its output matches PATTERN
at_once() {
	local desc=$1 secs=$2 pat=$3 t0 t1 rc
	shift 3
	t0=$(date +%s%N)
	"$@" >"$tmp/at" 2>&1
	rc=$?
	t1=$(date +%s%N)
	if [ $rc = 2 ] && [ $(( (t1 - t0) / 1000000 )) -lt $((secs * 1000)) ]; then
		ok "$desc: status 2 after $(( (t1 - t0) / 1000000 )) ms"
	else
		not_ok "$desc: status $rc after $(( (t1 - t0) / 1000000 )) ms (want 2 within $secs s)"
	fi
	expect_match "$desc: the message" "$pat" "$tmp/at"
}

printf 'cardsim-image 1\ncard acos5-64v2\nDF 3F00 bogus\n' >"$tmp/bad.img"
at_once "image that does not load" 3 "bad.img:3: .*key=value" "$wc" "acos5-64v2:$tmp/bad.img" -- true

"$wc" --state "$tmp/s.state" acos5-64v2:demo -- true >/dev/null 2>&1
sed -i 's/^\(EF 3F00\/2F00 .*data=\)../\1FF/' "$tmp/s.state"
at_once "edited state file" 3 "s.state: checksum mismatch" "$wc" --state "$tmp/s.state" acos5-64v2 -- true
head -n 5 "$tmp/s.state" >"$tmp/t.state"
at_once "truncated state file" 3 "t.state: no checksum line" "$wc" --state "$tmp/t.state" acos5-64v2 -- true

# children CMD-PID: with-card's children (pcscd, simulators, command)
children() { ps -o pid= --ppid "$1" | tr -d ' '; }
# alive PIDS...: those still running (zombies are dead)
alive() { local p; for p; do [ -d /proc/$p ] && ! grep -q '^State:.*Z' /proc/$p/status 2>/dev/null && echo $p; done; }
# started PID: wait until with-card PID runs its command (a marker file)
started() {
	local i
	for i in $(seq 200); do [ -f "$tmp/marker" ] && return 0; kill -0 "$1" 2>/dev/null || return 1; sleep 0.05; done
	return 1
}

# SIGTERM: handled at once, everything stopped
rm -f "$tmp/marker"
"$wc" acos5 -- sh -c ": >$tmp/marker; exec sleep 60" >/dev/null 2>&1 &
w=$!
if started $w; then
	kids=$(children $w)
	t0=$(date +%s%N)
	kill -TERM $w
	wait $w
	rc=$?
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
	[ $rc = 143 ] && [ $ms -lt 2000 ] && ok "SIGTERM: status 143 after $ms ms" || not_ok "SIGTERM: status $rc after $ms ms"
	left=$(alive $kids)
	[ -z "$left" ] && ok "SIGTERM: pcscd, simulator and command stopped" || not_ok "SIGTERM: left running: $left"
else
	not_ok "SIGTERM: the command did not start"
fi

# SIGKILL: with-card cannot clean up; its children die with it and a later
# run gets its own card (before: the orphan simulator answered later runs)
for round in 1 2 3; do
	rm -f "$tmp/marker"
	before=$(ls -d /tmp/with-card.* 2>/dev/null)
	"$wc" --state "$tmp/k.state" acos5-64v2 -- sh -c ": >$tmp/marker; exec sleep 60" >/dev/null 2>&1 &
	w=$!
	if ! started $w; then not_ok "SIGKILL round $round: the command did not start"; continue; fi
	kids=$(children $w)
	# the working directory of the run to be killed
	killed_dir=$(comm -13 <(printf '%s\n' $before | sort) <(ls -d /tmp/with-card.* | sort))
	kill -KILL $w
	wait $w 2>/dev/null
	for i in $(seq 40); do [ -z "$(alive $kids)" ] && break; sleep 0.05; done
	left=$(alive $kids)
	[ -z "$left" ] && ok "SIGKILL round $round: no child left running" ||
		{ not_ok "SIGKILL round $round: left running: $(ps -o pid,comm -p ${left// /,})"; kill $left 2>/dev/null; }
	"$wc" starcos-spk24 -- opensc-tool -n >"$tmp/n" 2>&1
	expect_match "SIGKILL round $round: the next run has its own card" "^StarCOS SPK 2.4" "$tmp/n"
	# and removes the killed run's working directory (before: one left in /tmp per killed run)
	[ -n "$killed_dir" ] && [ ! -e "$killed_dir" ] && ok "SIGKILL round $round: the next run removed the killed run's $killed_dir" ||
		not_ok "SIGKILL round $round: the killed run's working directory '${killed_dir}' is still there"
done

finish
