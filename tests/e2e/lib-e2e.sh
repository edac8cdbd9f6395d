# lib-e2e.sh: helpers for the end-to-end display tests (tests/e2e/*.sh).
#
# Each test runs a scenario twice in its own private tmux server: directly
# in one session (the reference: tmux itself interprets the bytes) and
# through fbplay (server emulator -> framebuffer -> client/display.c) in
# another of the same size, then compares what tmux holds for both panes.
#
#   e2e_setup NAME        $T (temporary dir), $B, $S; SKIP (77) without tmux
#   tm ARGS...            tmux on the test's private server
#   e2e_pair FILE [OPTS]  runs FILE directly (session d) and through
#                         fbplay OPTS (session p); waits for both to finish
#   e2e_same WHAT ARGS    until capture-pane ARGS agree for both panes (at
#                         most 10 s), else fails showing the difference
#   e2e_state_same        cursor position and mirrored modes agree
#   wait_for SECS CMD...  polls CMD until it succeeds, at most SECS seconds
#   fail MSG / pass MSG
#
# Waits poll a condition with a deadline; no sleep is synchronisation.

# capture_pair, which e2e_cmp uses.
. "$(dirname "$0")/scenarios.sh"

e2e_setup() {
	e2e_name=$1
	B=${LNSH_BUILDDIR:-$(pwd)}
	if [ -n "${LNSH_SRCDIR:-}" ]; then
		S=$LNSH_SRCDIR
	elif [ -n "${srcdir:-}" ]; then
		S=$(cd "$srcdir" && pwd)
	else
		S=$(cd "$(dirname "$0")/../.." && pwd)
	fi
	if ! command -v tmux >/dev/null 2>&1; then
		echo "SKIP: $e2e_name: no tmux"
		exit 77
	fi
	if [ ! -x "$B/tests/fbplay" ]; then
		echo "SKIP: $e2e_name: $B/tests/fbplay not built"
		exit 77
	fi
	[ -x "$B/tests/clockms" ] || {
		echo "$e2e_name: $B/tests/clockms is not built: run make" >&2
		exit 99
	}
	# A short base, not $TMPDIR (long on macOS): sockets live under $T.
	T=$(mktemp -d "${LNSH_TEST_TMP:-/tmp}/lnsh-e2e-$e2e_name.XXXXXX") ||
	    exit 99
	E2E_SOCK="lnsh-e2e-$e2e_name-$$"
	trap e2e_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 141' PIPE	# as in tests/regress/lib.sh
	trap 'exit 129' HUP
	# fbplay draws for a terminal tmux understands fully: 256 colours,
	# truecolor, styled underlines.
	E2E_TERM=tmux-256color
	infocmp "$E2E_TERM" >/dev/null 2>&1 || E2E_TERM=screen-256color
	E2E_COLS=80
	E2E_ROWS=24
	E2E_RUN=0
	# One server, started with no configuration but a long history.
	tm -f /dev/null start-server \; set -g history-limit 50000 \; \
	    set -g remain-on-exit on \; \
	    new-session -d -s idle -x "$E2E_COLS" -y "$E2E_ROWS" \
	    "exec sleep 100000" || exit 99
}

e2e_cleanup() {
	tm kill-server >/dev/null 2>&1
	if [ "${LNSH_KEEP:-0}" = 1 ]; then
		echo "kept $T"
	else
		rm -rf "$T"
	fi
}

tm() {
	tmux -L "$E2E_SOCK" "$@"
}

fail() {
	echo "FAIL: $e2e_name: $*"
	exit 1
}

pass() {
	echo "PASS: $e2e_name: $*"
	exit 0
}

# wait_for SECS CMD...: 0 once CMD succeeds, 1 after SECS seconds, on
# lnsh's elapsed-time clock (tests/clockms: a wall-clock jump, as when a
# virtual machine is paused and resumed, must not end a wait).
wait_for() {
	wf_end=$(( $("$B/tests/clockms") + $1 * 1000 ))
	shift
	while ! "$@"; do
		[ "$("$B/tests/clockms")" -ge "$wf_end" ] && return 1
		sleep 0.05
	done
	return 0
}

# e2e_pair FILE [FBPLAY OPTIONS]: sessions d (direct) and p (fbplay).
e2e_pair() {
	ep_file=$1
	shift
	E2E_RUN=$((E2E_RUN + 1))
	tm kill-session -t d >/dev/null 2>&1
	tm kill-session -t p >/dev/null 2>&1
	rm -f "$T/d.done" "$T/p.done"
	tm new-session -d -s d -x "$E2E_COLS" -y "$E2E_ROWS" \
	    "cat '$ep_file'; : > '$T/d.done'; exec sleep 100000" ||
	    fail "cannot start tmux session d"
	tm new-session -d -s p -x "$E2E_COLS" -y "$E2E_ROWS" \
	    "TERM=$E2E_TERM COLORTERM=truecolor exec '$B/tests/fbplay' -H \
	    -m '$T/p.done' $* '$ep_file' 2>'$T/p.err'" ||
	    fail "cannot start tmux session p"
	wait_for 20 test -e "$T/d.done" || fail "direct run did not finish"
	wait_for 20 test -e "$T/p.done" ||
	    fail "fbplay did not finish: $(cat "$T/p.err")"
	E2E_DESC="$(basename "$ep_file") fbplay $*"
}

# e2e_cmp ARGS: whether capture-pane ARGS agree for both panes (tmux's
# DEC graphics written as the emulator draws them: scenarios.sh).
e2e_cmp() {
	capture_pair p "$@" && cmp -s "$T/cap.d" "$T/cap.p"
}

# e2e_same ARGS: capture-pane ARGS agree within 10 s, or fail.
e2e_same() {
	if ! wait_for 10 e2e_cmp "$@"; then
		echo "--- direct / +++ fbplay: capture-pane $* ($E2E_DESC)"
		diff -u "$T/cap.d" "$T/cap.p" | cat -v | head -60
		fail "capture-pane $* differs for $E2E_DESC"
	fi
}

# What must agree besides the cells: cursor and the mirrored modes.
E2E_STATE='#{cursor_x},#{cursor_y} cursor=#{cursor_flag} keys=#{keypad_cursor_flag},#{keypad_flag} mouse=#{mouse_standard_flag},#{mouse_button_flag},#{mouse_any_flag},#{mouse_sgr_flag},#{mouse_utf8_flag} title=#{pane_title}'

e2e_state_cmp() {
	tm display-message -p -t d "$E2E_STATE" >"$T/st.d" &&
	    tm display-message -p -t p "$E2E_STATE" >"$T/st.p" &&
	    cmp -s "$T/st.d" "$T/st.p"
}

e2e_state_same() {
	if ! wait_for 10 e2e_state_cmp; then
		echo "direct: $(cat "$T/st.d")"
		echo "fbplay: $(cat "$T/st.p")"
		fail "cursor or modes differ for $E2E_DESC"
	fi
}

# e2e_check FILE [OPTS]: the whole comparison for one run.
e2e_check() {
	e2e_pair "$@"
	e2e_same -e
	e2e_same
	e2e_state_same
}
