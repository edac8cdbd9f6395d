# lib.sh: shared helpers for the shell regress tests (tests/regress/*.sh).
#
# Source it first thing:   . "$(dirname "$0")/lib.sh"
#
# Then:
#   lnsh_setup NAME        temporary directory in $T, cleanup trap installed,
#                          $B (build dir) and $S (source dir) set
#   spawn NAME CMD...      runs CMD in the background, stdout to $T/NAME.out,
#                          stderr to $T/NAME.err; killed on exit; sets $LASTPID
#   wait_for SECS CMD...   until CMD succeeds, at most SECS seconds; 1 if not
#   wait_line SECS FILE RE until a line of FILE matches the ERE RE
#   wait_exit SECS PID     until PID exits; its status in $EXITCODE
#   fail MSG               says why, shows the logs, exits 1
#   pass MSG               says what held, exits 0
#
# Waits are polls of a condition with a deadline, never bare sleeps: a test
# that works only because something finished "in time" is a flaky test.
# Automake runs tests from the build directory with $srcdir exported, which
# is how a VPATH build finds its programs; LNSH_BUILDDIR and LNSH_SRCDIR
# override both.

LNSH_PIDS=""
LNSH_KEEP=0

# lnsh_setup NAME: makes $T, sets $B and $S, and arranges the cleanup.
lnsh_setup() {
	lnsh_name=$1
	B=${LNSH_BUILDDIR:-$(pwd)}
	if [ -n "${LNSH_SRCDIR:-}" ]; then
		S=$LNSH_SRCDIR
	elif [ -n "${srcdir:-}" ]; then
		S=$(cd "$srcdir" && pwd)
	else
		S=$(cd "$(dirname "$0")/../.." && pwd)
	fi
	T=$(mktemp -d "${TMPDIR:-/tmp}/lnsh-$lnsh_name.XXXXXX") || exit 99
	trap lnsh_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# Kills what spawn started and removes $T, unless a failure wants it kept.
lnsh_cleanup() {
	for p in $LNSH_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $LNSH_PIDS; do
		wait "$p" 2>/dev/null
	done
	if [ "$LNSH_KEEP" = 1 ]; then
		echo "$lnsh_name: kept $T" >&2
	else
		rm -rf "$T"
	fi
}

# spawn NAME CMD...: a background process whose output lands in $T.
spawn() {
	sp_name=$1
	shift
	"$@" >"$T/$sp_name.out" 2>"$T/$sp_name.err" &
	LASTPID=$!
	LNSH_PIDS="$LNSH_PIDS $LASTPID"
}

# Sleeps a twentieth of a second where the sleep allows it (GNU, BSD, macOS).
lnsh_tick() {
	sleep 0.05 2>/dev/null || sleep 1
}

# wait_for SECS CMD...: polls CMD until it succeeds or SECS pass.
wait_for() {
	wf_end=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -gt "$wf_end" ] && return 1
		lnsh_tick
	done
	return 0
}

# wait_line SECS FILE ERE: polls until a line of FILE matches.
wait_line() {
	wait_for "$1" grep -Eq "$3" "$2" 2>/dev/null
}

# wait_exit SECS PID: polls until PID is gone, then reaps it into $EXITCODE.
wait_exit() {
	wait_for "$1" lnsh_gone "$2" || return 1
	EXITCODE=0
	wait "$2" || EXITCODE=$?
	return 0
}

# True once PID no longer runs (a zombie awaiting wait counts as gone).
lnsh_gone() {
	! kill -0 "$1" 2>/dev/null && return 0
	ps -o stat= -p "$1" 2>/dev/null | grep -q Z
}

# fail MSG: prints MSG and the tail of every log in $T, keeps $T, exits 1.
fail() {
	echo "FAIL: $lnsh_name: $*" >&2
	for f in "$T"/*.out "$T"/*.err; do
		[ -s "$f" ] || continue
		echo "---- $f" >&2
		tail -n 30 "$f" >&2
	done
	LNSH_KEEP=1
	exit 1
}

# pass MSG: prints MSG and exits 0 (the cleanup trap still runs).
pass() {
	echo "PASS: $lnsh_name: $*"
	exit 0
}
