#!/bin/sh
# holder-flood.sh: the CPU one session holder spends on a flood with no
# client attached (issue 14): `seq 1 N` in a 120x40 pane, the emulator and
# the scrollback (10,000 lines) alone, each run in a fresh holder. Run
# from the top build directory (never by make check); LNSH_HOLDER and
# HOLDERCTL may point elsewhere, so that two builds compare in one run:
#
#	bench/holder-flood.sh [-n LINES] [-r RUNS]
#	LNSH_HOLDER=/other/build/holder/lnsh-holder bench/holder-flood.sh
#
# Prints each run's holder CPU (user + system) and the best: other
# processes on the machine only ever make a run slower. The CPU is read
# half a second after the session has exited, so that a build that encodes
# its scrollback lazily has its work counted too.
# Linux reads it from /proc in clock ticks; elsewhere ps(1) gives whole
# seconds (bench/lib.sh's cpu_ticks).

set -u
. "$(dirname "$0")/lib.sh"
lines=3000000
runs=5

while getopts n:r: opt; do
	case $opt in
	n)	lines=$OPTARG ;;
	r)	runs=$OPTARG ;;
	*)	echo "usage: holder-flood.sh [-n LINES] [-r RUNS]" >&2; exit 2 ;;
	esac
done
# $T in /tmp (lib.sh): socket paths must stay short (104 bytes on macOS).
holder_setup holder-flood
dir=$T/sock
hf_cleanup() {
	for s in $("$HOLDERCTL" "$dir" ls 2>/dev/null | cut -d' ' -f1); do
		"$HOLDERCTL" "$dir" kill "$s" >/dev/null 2>&1
	done
	lnsh_cleanup
}
trap hf_cleanup EXIT

# cpu PID: user + system CPU of PID in seconds, two decimals.
cpu() {
	echo "$(cpu_ticks "$1") $HZ" | awk '{ printf "%.2f\n", $1 / $2 }'
}

# exited NAME: the session's command has ended.
exited() {
	"$HOLDERCTL" "$dir" peek "$1" | grep -q '^state=exited'
}

best=
i=0
while [ $i -lt "$runs" ]; do
	i=$((i + 1))
	pid=$("$HOLDERCTL" "$dir" new "f$i" -c 120 -r 40 -- \
	    seq 1 "$lines") || fail "holderctl new f$i"
	wait_for 600 exited "f$i" || fail "f$i did not finish"
	# A lazy build's settle timer (50 ms) and any last read of the pty.
	sleep 0.5
	c=$(cpu "$pid")
	"$HOLDERCTL" "$dir" capture "f$i" | grep -q "^$lines\$" ||
	    fail "f$i: $lines not on the screen"
	"$HOLDERCTL" "$dir" kill "f$i" >/dev/null 2>&1
	echo "run $i: holder CPU $c s"
	if [ -z "$best" ] ||
	    [ "$(echo "$c $best" | awk '{ print ($1 < $2) }')" = 1 ]; then
		best=$c
	fi
done
echo "seq 1 $lines, 120x40, no client: holder CPU best of $runs: $best s"
