# lib.sh: shared helpers for the shell regress tests (tests/regress/*.sh).
#
# Source it first thing:   . "$(dirname "$0")/lib.sh"
#
# Then:
#   lnsh_setup NAME [DIR]  temporary directory in $T (under DIR, default
#                          $LNSH_TEST_TMP or /tmp, never $TMPDIR: see
#                          below), cleanup trap installed, $B (build dir)
#                          and $S (source dir) set
#   daemon_setup           lnshd, lnsh, lnsh-holder, holderctl from $B, a
#                          private $HOME and $STATE, $D the options of a
#                          single-user lnshd on it, $HDIR its holders' dir
#   holder_setup NAME      lnsh_setup in /tmp (socket paths must be short),
#                          $HOLDERCTL and $LNSH_HOLDER (the environment's,
#                          or $B's), each built
#   users_setup NAME PFX   root only (else skip, 77): two throwaway users
#                          $UA, $UB with private homes $T/home-USER and
#                          /bin/sh, that lnshd's account check allows, gone
#                          with what they run (and $LPID) on exit
#   users_can_run NAME FILE  skips (77) unless $UA may run FILE
#   lnshd_programs         $LNSHD, $LNSH and $LNSH_HOLDER (exported) from
#                          $B, each built
#   lnshd_options          $STATE, an empty config, $D the options of a
#                          root-mode lnshd on both
#   users_keys             a client key each for $UA and $UB (in
#                          $T/client-USER) in that user's authorized_keys
#   users_hosts            each client's hosts: h, 127.0.0.1:$PORT, the
#                          host key of lnshd $D
#   users_daemon           users_keys, then a root-mode lnshd $D that each
#                          client reaches as h
#   own_key                a client key in $LNSH_CONFIG_DIR, the only one
#                          in $HOME's authorized_keys
#   other_key DIR          one more client key, DIR/key, admitted as well
#   lnshd_listen OPTION... spawns lnshd on 127.0.0.1, a free port; waits for
#                          it to start; $LPID and $PORT set
#   spawn NAME CMD...      runs CMD in the background, stdout to $T/NAME.out,
#                          stderr to $T/NAME.err; killed on exit; sets $LASTPID
#   holder_method_ok M     true if M is the libevent method this build's
#                          holders must run on: select where configure
#                          chose select(2) for ttys and ptys (macOS,
#                          --enable-select-wait), else any one
#   ms_now                 milliseconds on lnsh's elapsed-time clock, the
#                          tests' only clock
#   wait_for SECS CMD...   until CMD succeeds, at most SECS seconds; 1 if not
#   wait_line SECS FILE RE until a line of FILE matches the ERE RE
#   wait_exit SECS PID     until PID exits; its status in $EXITCODE
#   wait_or_fail WHAT CMD... until CMD succeeds (output discarded), at most
#                          10 seconds; else fails "timed out waiting for WHAT"
#   file_mode FILE         its permission bits in octal, e.g. 600
#   file_owner FILE        its owner's user name
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

# lnsh_setup NAME [DIR]: makes $T, sets $B and $S, arranges the cleanup.
# Tests put Unix sockets under $T (a state dir's control and holder
# sockets), whose paths must fit sun_path: 104 bytes on macOS, where
# $TMPDIR alone is about 50 (/var/folders/xx/.../T/). So a short base,
# /tmp, whatever $TMPDIR says; $LNSH_TEST_TMP picks another.
lnsh_setup() {
	lnsh_name=$1
	lnsh_tmp=${2:-${LNSH_TEST_TMP:-/tmp}}
	B=${LNSH_BUILDDIR:-$(pwd)}
	if [ -n "${LNSH_SRCDIR:-}" ]; then
		S=$LNSH_SRCDIR
	elif [ -n "${srcdir:-}" ]; then
		S=$(cd "$srcdir" && pwd)
	else
		S=$(cd "$(dirname "$0")/../.." && pwd)
	fi
	[ -x "$B/tests/clockms" ] || {
		echo "$lnsh_name: $B/tests/clockms is not built: run make" >&2
		exit 99
	}
	T=$(mktemp -d "$lnsh_tmp/lnsh-$lnsh_name.XXXXXX") || exit 99
	trap lnsh_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# Output closed (`| head`) or the terminal gone: the cleanup still
	# runs, or lnshd and the holders outlive the script.
	trap 'exit 141' PIPE
	trap 'exit 129' HUP
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

# ms_now: milliseconds on lnsh's own elapsed-time clock (tests/clockms),
# which lnshd's timers read and a wall-clock jump does not move (a virtual
# machine paused and resumed sets its wall clock forward): every deadline
# and duration in the tests is on it, never on date(1).
ms_now() {
	"$B/tests/clockms"
}

# wait_for SECS CMD...: polls CMD until it succeeds or SECS pass.
wait_for() {
	wf_end=$(($(ms_now) + $1 * 1000))
	shift
	while ! "$@"; do
		[ "$(ms_now)" -gt "$wf_end" ] && return 1
		lnsh_tick
	done
	return 0
}

# wait_line SECS FILE ERE: polls until a line of FILE matches.
wait_line() {
	wait_for "$1" grep -Eq "$3" "$2" 2>/dev/null
}

# wait_or_fail WHAT CMD...: polls CMD quietly for 10 s, or fails naming WHAT.
wait_or_fail() {
	wo_what=$1
	shift
	wait_for 10 lnsh_quiet "$@" || fail "timed out waiting for $wo_what"
}

# Runs CMD with its output discarded.
lnsh_quiet() {
	"$@" >/dev/null 2>&1
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

# holder_method_ok METHOD: the method a holder reported is this build's:
# "select" when config.h has LNSH_SELECT_WAIT, else any method at all.
holder_method_ok() {
	if grep -q '^#define LNSH_SELECT_WAIT 1' "$B/config.h"; then
		[ "$1" = select ]
	else
		[ -n "$1" ]
	fi
}

# Under make check-valgrind (LNSH_VALGRIND, tests/vg-run.sh): points
# $LNSHD and $LNSH_HOLDER at wrappers in $T that run them under memcheck,
# each report in $LNSH_VG_LOGDIR.
lnsh_vg_wrap() {
	[ -n "${LNSH_VALGRIND:-}" ] || return 0
	for vw in LNSHD LNSH_HOLDER; do
		eval "vw_real=\${$vw:-}"
		[ -n "$vw_real" ] || continue
		case $vw_real in "$T"/vg-*) continue ;; esac
		vw_name=$(basename "$vw_real")
		printf '#!/bin/sh\nexec %s --log-file=%s/%s.%%p.log %s "$@"\n' \
		    "$LNSH_VALGRIND" "$LNSH_VG_LOGDIR" "$vw_name" "$vw_real" \
		    >"$T/vg-$vw_name" && chmod 755 "$T/vg-$vw_name" ||
		    fail "valgrind wrapper"
		eval "$vw=\$T/vg-\$vw_name"
	done
	export LNSH_HOLDER
}

# daemon_setup: what the daemon-*.sh tests start from, after lnsh_setup.
daemon_setup() {
	LNSHD=$B/lnshd
	LNSH=$B/lnsh
	LNSH_HOLDER=$B/holder/lnsh-holder
	HOLDERCTL=$B/tests/holderctl
	export LNSH_HOLDER
	for f in "$LNSHD" "$LNSH_HOLDER" "$HOLDERCTL"; do
		[ -x "$f" ] || fail "$f not built"
	done
	HOME=$T/home
	LNSH_CONFIG_DIR=$HOME/.config/lnsh
	export HOME LNSH_CONFIG_DIR
	mkdir -p "$HOME"
	STATE=$T/state
	D="--single-user --state-dir $STATE"
	HDIR=$STATE/holders/$(id -u)
	lnsh_vg_wrap
}

# holder_setup NAME: $T and the programs for the holder-*.sh tests.
holder_setup() {
	# /tmp, not $TMPDIR: socket paths must stay short (104 bytes on
	# macOS), and other users must be able to reach the directory.
	lnsh_setup "$1" /tmp
	HOLDERCTL=${HOLDERCTL:-$B/tests/holderctl}
	LNSH_HOLDER=${LNSH_HOLDER:-$B/holder/lnsh-holder}
	export LNSH_HOLDER
	for f in "$HOLDERCTL" "$LNSH_HOLDER"; do
		[ -x "$f" ] || fail "$f not built"
	done
	lnsh_vg_wrap
}

# users_setup NAME PREFIX: the two users of the *-users.sh tests.
users_setup() {
	[ "$(id -u)" = 0 ] || { echo "SKIP: $1: needs root"; exit 77; }
	command -v useradd >/dev/null 2>&1 &&
	    command -v userdel >/dev/null 2>&1 ||
	    { echo "SKIP: $1: no useradd"; exit 77; }
	# Holders run as the users: they must reach $T and what is in it.
	chmod 711 "$T"
	UA=${2}a$$
	UB=${2}b$$
	USERS=""
	trap users_cleanup EXIT
	# A shell /etc/shells lists and a password field that is not
	# locked ('*': no password, not '!', which useradd leaves): lnshd's
	# account check (server/account.c) refuses anything else.
	for u in $UA $UB; do
		useradd -M -d "$T/home-$u" -s /bin/sh -p '*' "$u" ||
		    { echo "SKIP: $1: useradd failed"; exit 77; }
		USERS="$USERS $u"
		mkdir -p "$T/home-$u"
		chown "$u" "$T/home-$u"
		chmod 700 "$T/home-$u"
	done
}

# Ends $LPID and everything the users run, removes them, then lnsh_cleanup.
users_cleanup() {
	[ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null
	for u in $USERS; do
		pkill -KILL -u "$u" 2>/dev/null
		userdel "$u" 2>/dev/null
	done
	lnsh_cleanup
}

# users_can_run NAME FILE: skips the test unless $UA can run FILE.
users_can_run() {
	if ! su "$UA" -s /bin/sh -c "test -x '$2'"; then
		echo "SKIP: $1: $UA cannot run $2"
		exit 77
	fi
}

# lnshd_programs: the build's lnshd, lnsh and lnsh-holder, or the test fails.
lnshd_programs() {
	LNSHD=$B/lnshd
	LNSH=$B/lnsh
	LNSH_HOLDER=$B/holder/lnsh-holder
	for f in "$LNSHD" "$LNSH" "$LNSH_HOLDER"; do
		[ -x "$f" ] || fail "$f not built"
	done
	export LNSH_HOLDER
}

# lnshd_options: a state dir and an empty config (not the system's) for a
# root-mode lnshd; $D names both.
lnshd_options() {
	STATE=$T/state
	: >"$T/empty.conf"
	chmod 644 "$T/empty.conf"
	D="--config $T/empty.conf --state-dir $STATE"
}

# users_keys: after users_setup, a client key for each of $UA and $UB (root's
# files, in $T/client-USER), the only one in that user's authorized_keys;
# the home is the user's again, 0700.
users_keys() {
	for u in $UA $UB; do
		mkdir -p "$T/home-$u/.config/lnsh"
		LNSH_CONFIG_DIR=$T/client-$u "$LNSH" keygen >/dev/null ||
		    fail keygen
		LNSH_CONFIG_DIR=$T/client-$u "$LNSH" pubkey \
		    >"$T/home-$u/.config/lnsh/authorized_keys" ||
		    fail "pubkey $u"
		chmod 600 "$T/home-$u/.config/lnsh/authorized_keys"
		chown -R "$u" "$T/home-$u"
		chmod 700 "$T/home-$u"
	done
}

# users_hosts: each client of users_keys knows the lnshd $D at $PORT, by its
# host key, as the alias h.
users_hosts() {
	KEY=$("$LNSHD" pubkey $D) || fail "lnshd pubkey"
	for u in $UA $UB; do
		echo "h 127.0.0.1:$PORT $KEY" >"$T/client-$u/hosts"
	done
}

# users_daemon: after lnshd_options, lnshd in root mode on a loopback port
# (users_hosts) that admits each user's client key (users_keys).
users_daemon() {
	users_keys
	lnshd_listen $D
	grep -q 'root mode' "$T/lnshd.err" || fail "not in root mode"
	users_hosts
}

# own_key: a new client key ($LNSH_CONFIG_DIR) that a single-user lnshd
# run with this $HOME admits, and no other.
own_key() {
	"$LNSH" keygen >"$T/keygen.out" 2>&1 || fail "lnsh keygen"
	"$LNSH" pubkey >"$HOME/.config/lnsh/authorized_keys" ||
	    fail "lnsh pubkey"
	chmod 600 "$HOME/.config/lnsh/authorized_keys"
}

# other_key DIR: one more client key (DIR/key, DIR made 0700) that a
# single-user lnshd run with this $HOME admits beside own_key's.
other_key() {
	mkdir -p "$1" && chmod 700 "$1" || fail "mkdir $1"
	LNSH_CONFIG_DIR=$1 "$LNSH" keygen >/dev/null 2>&1 ||
	    fail "lnsh keygen in $1"
	LNSH_CONFIG_DIR=$1 "$LNSH" pubkey \
	    >>"$HOME/.config/lnsh/authorized_keys" || fail "lnsh pubkey of $1"
}

# listen_port LOG [ADDR]: the port of lnshd's first "listening on
# ADDR:PORT" line in LOG (ADDR a basic regular expression, 127\.0\.0\.1
# unless given).
listen_port() {
	sed -n "s/.*listening on ${2:-127\\.0\\.0\\.1}:\\([0-9]*\\).*/\\1/p" \
	    "$1" | head -n 1
}

# lnshd_listen OPTION...: $LNSHD with OPTIONS on 127.0.0.1, a port the system
# picks, logging to $T/lnshd.err; waits for its start line (after the
# listening one), then $LPID is its pid and $PORT its port.
lnshd_listen() {
	spawn lnshd "$LNSHD" "$@" --listen 127.0.0.1:0
	LPID=$LASTPID
	wait_line 10 "$T/lnshd.err" 'lnshd started' ||
	    fail "lnshd did not start ($LNSHD)"
	PORT=$(listen_port "$T/lnshd.err")
}

# file_mode FILE: permission bits in octal: GNU stat, else BSD's (macOS).
file_mode() {
	stat -c %a "$1" 2>/dev/null || stat -f %Lp "$1"
}

# file_owner FILE: the owner's user name: GNU stat, else BSD's (macOS).
file_owner() {
	stat -c %U "$1" 2>/dev/null || stat -f %Su "$1"
}

# fail MSG: prints MSG and the tail of every log in $T, keeps $T, exits 1.
fail() {
	echo "FAIL: $lnsh_name: $*" >&2
	for f in "$T"/*.out "$T"/*.err "$T"/*.log; do
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
