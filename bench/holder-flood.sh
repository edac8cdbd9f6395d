#!/bin/sh
# holder-flood.sh: the CPU one session holder spends on a flood with no
# client attached (issue 14): `seq 1 N` in a 120x40 pane, the emulator and
# the scrollback (10,000 lines) alone, each run in a fresh holder. Run
# from the top build directory (never by make check); LNSH_HOLDER and
# HOLDERCTL may point elsewhere, so that two builds compare in one run:
#
#	bench/holder-flood.sh [-n LINES] [-r RUNS]
#	LNSH_HOLDER=/other/build/server/lnsh-holder bench/holder-flood.sh
#
# Prints each run's holder CPU (user + system) and the best: other
# processes on the machine only ever make a run slower. The CPU is read
# half a second after the session has exited, so that a build that encodes
# its scrollback lazily (branch sbrows, sbcopy) has its work counted too.
# Linux reads it from /proc in clock ticks; elsewhere ps(1) gives whole
# seconds.

set -u
top=$(pwd)
HOLDERCTL=${HOLDERCTL:-$top/tests/holderctl}
LNSH_HOLDER=${LNSH_HOLDER:-$top/server/lnsh-holder}
export LNSH_HOLDER
lines=3000000
runs=5

while getopts n:r: opt; do
	case $opt in
	n)	lines=$OPTARG ;;
	r)	runs=$OPTARG ;;
	*)	echo "usage: holder-flood.sh [-n LINES] [-r RUNS]" >&2; exit 2 ;;
	esac
done
for f in "$HOLDERCTL" "$LNSH_HOLDER"; do
	[ -x "$f" ] || { echo "holder-flood: $f not built" >&2; exit 1; }
done

# /tmp, not $TMPDIR: socket paths must stay short (104 bytes on macOS).
tmp=$(mktemp -d /tmp/lnsh-holder-flood.XXXXXX) || exit 1
dir=$tmp/sock
cleanup() {
	for s in $("$HOLDERCTL" "$dir" ls 2>/dev/null | cut -d' ' -f1); do
		"$HOLDERCTL" "$dir" kill "$s" >/dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "holder-flood: $*" >&2
	exit 1
}

# cpu PID: user + system CPU of PID in seconds, two decimals.
cpu() {
	if [ -r "/proc/$1/stat" ]; then
		# The fields after the command's closing parenthesis.
		sed 's/.*) //' "/proc/$1/stat" |
		    awk -v hz="$(getconf CLK_TCK)" \
		    '{ printf "%.2f\n", ($12 + $13) / hz }'
	else
		ps -o time= -p "$1" | awk -F: \
		    '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i;
		    printf "%.2f\n", s }'
	fi
}

best=
i=0
while [ $i -lt "$runs" ]; do
	i=$((i + 1))
	pid=$("$HOLDERCTL" "$dir" new "f$i" -c 120 -r 40 -- \
	    seq 1 "$lines") || fail "holderctl new f$i"
	# Bounded: 600 s at 0.1 s a poll.
	n=0
	until "$HOLDERCTL" "$dir" peek "f$i" | grep -q '^state=exited'; do
		n=$((n + 1))
		[ $n -le 6000 ] || fail "f$i did not finish"
		sleep 0.1
	done
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
