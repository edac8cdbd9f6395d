# bench/lib.sh: what the bench scripts share. Source it first thing:
#
#	. "$(dirname "$0")/lib.sh"
#
# It sets LNSH_BUILDDIR (default: the current directory, the top build
# directory that `make bench-*` runs them from) and LNSH_SRCDIR (the tree
# this file is in), then sources tests/regress/lib.sh and verbs-lib.sh:
# verbs_setup, mini_daemon (a single-user lnshd on loopback with the
# hosts line "mini"), own_key, other_key, spawn, wait_for, fail, ms_now,
# ... And:
#
#   HZ                     clock ticks a second, cpu_ticks' unit
#   cpu_ticks PID...       their user+system CPU so far, in ticks: from
#                          /proc/PID/stat (Linux), else ps(1)'s time
#   bench_linux NAME WHAT  exits 77 unless /proc/self/stat is there: the
#                          bench reads WHAT from /proc (Linux only)
#   drops_moved OLD NEW    the "drop" counters of two saved `lnshd status`
#                          outputs that moved, one "  drop REASON N" line
#                          each

LNSH_BUILDDIR=${LNSH_BUILDDIR:-$(pwd)}
LNSH_SRCDIR=${LNSH_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
export LNSH_BUILDDIR LNSH_SRCDIR
# lib.sh first: verbs-lib.sh would otherwise look for it beside $0.
. "$LNSH_SRCDIR/tests/regress/lib.sh"
. "$LNSH_SRCDIR/tests/regress/verbs-lib.sh"

HZ=$(getconf CLK_TCK)

# cpu_ticks PID...: the sum of their user+system CPU, clock ticks; a PID
# that is gone counts 0. ps(1) gives whole seconds ([[dd-]hh:]mm:ss) or,
# on macOS, hundredths.
cpu_ticks() {
	for ct_p in "$@"; do
		if [ -r "/proc/$ct_p/stat" ]; then
			# The fields after the command's closing parenthesis.
			sed 's/.*) //' "/proc/$ct_p/stat" 2>/dev/null |
			    awk '{ print $12 + $13 }'
		else
			ps -o time= -p "$ct_p" 2>/dev/null |
			    awk -F'[-:]' -v hz="$HZ" '{ s = 0
				for (i = 1; i <= NF; i++) s = s * 60 + $i
				print s * hz }'
		fi
	done | awk '{ n += $1 } END { printf "%d\n", n }'
}

# bench_linux NAME WHAT: skips (77) where there is no /proc to read WHAT.
bench_linux() {
	[ -r /proc/self/stat ] && return 0
	echo "$1: needs /proc (Linux) for $2" >&2
	exit 77
}

# drops_moved OLD NEW: the drop reasons that grew from status file OLD to NEW.
drops_moved() {
	awk 'NR == FNR { a[$1 " " $2] = $3; next }
	    ($1 ~ /drop$/) && $3 - a[$1 " " $2] > 0 {
		printf "  %s %s %d\n", $1, $2, $3 - a[$1 " " $2] }' "$1" "$2"
}
