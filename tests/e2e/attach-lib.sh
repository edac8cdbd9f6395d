# attach-lib.sh: what the attach-*.sh tests share: a real lnshd (as
# tests/regress/verbs-lib.sh runs it: single-user, loopback, temporary
# HOME and LNSH_CONFIG_DIR) and a private tmux server whose panes run
# `lnsh mini ...` as a person would.
#
#   attach_setup NAME      verbs_setup + verbs_daemon, then tmux; SKIP 77
#                          without tmux
#   attach_pane P ARGS...  a 80x24 tmux session P running lnsh ARGS; its
#                          exit status lands in $T/P.rc, stderr in $T/P.err
#                          ($ATTACH_COLS x $ATTACH_ROWS if set)
#   attach_ready P         the session's shell answers in pane P (fails if
#                          lnsh exited)
#   still_attached P       fails if lnsh in P has exited
#   daemon_kill            kill -9 of lnshd, waited for
#   daemon_again N         a new lnshd, same port and state dir, log
#                          $T/lnshdN.err, started
#   lnsh_pid P             the pid of lnsh in P
#   ls_is N COLS ROWS      lnsh ls says session main has N clients, COLSxROWS
#   ticker_start P         a counter in the session's top right corner (row
#                          1, column 60) every 200 ms, also in $T/tick;
#                          waits until P shows it
#   tick_file, tick_pane P its newest value in the session, on P's screen
#   file_past N, pane_past P N, pane_at P N
#                          the session counted past N; P shows a value
#                          above N, or at least N
#   PROMPT_RE              an ERE for a line that starts with /bin/sh's
#                          prompt ("$ ", or "# " as root; the session's
#                          environment is lnshd's, not ours, so PS1
#                          cannot be set from here)
#
# and lib.sh's ms_now and wait_for, verbs-lib.sh's lnshd_status, tm,
# screen_has, screen_lacks and wait_screen.

# lib.sh first: verbs-lib.sh would look for it beside the running script.
. "$(dirname "$0")/../regress/lib.sh"
. "$(dirname "$0")/../regress/verbs-lib.sh"

attach_setup() {
	verbs_setup "$1"
	if ! command -v tmux >/dev/null 2>&1; then
		echo "SKIP: $1: no tmux"
		exit 77
	fi
	TM_SOCK="lnsh-attach-$1-$$"
	trap attach_cleanup EXIT
	verbs_daemon
	# The sessions are created running /bin/sh explicitly (`lnsh HOST
	# NAME -- /bin/sh`): the holder runs the user's login shell from
	# passwd otherwise, and the machine's user and dotfiles are not the
	# test's (root's ~/.bashrc once held the first prompt for a minute).
	# capture-pane drops trailing blanks: a bare prompt is "$" or "#".
	PROMPT_RE='^[$#]( |$)'
	tm -f /dev/null start-server \; set -g history-limit 50000 \; \
	    set -g remain-on-exit on \; \
	    new-session -d -s idle -x 80 -y 24 "exec sleep 100000" ||
	    fail "cannot start tmux"
}

attach_cleanup() {
	tm kill-server >/dev/null 2>&1
	verbs_cleanup
}

# attach_pane P ARGS...: runs `lnsh ARGS` in a new 80x24 session P. A tmux
# pane takes 24-bit colour whatever its terminfo says; COLORTERM tells lnsh
# so (docs/display.md), as it would a person's. lnsh's TERM is
# $ATTACH_TERM (default tmux-256color), with $ATTACH_ENV (NAME=VALUE ...,
# no quotes) in its environment; its debug log (docs/attach.md) is
# $T/P.log, which a failure prints.
attach_pane() {
	ap_name=$1
	shift
	rm -f "$T/$ap_name.rc"
	tm new-session -d -s "$ap_name" -x "${ATTACH_COLS:-80}" \
	    -y "${ATTACH_ROWS:-24}" \
	    "HOME='$HOME' LNSH_CONFIG_DIR='$LNSH_CONFIG_DIR' \
	    LNSH_TIMEOUT=$LNSH_TIMEOUT TERM=${ATTACH_TERM:-tmux-256color} \
	    COLORTERM=truecolor LNSH_DEBUG_LOG='$T/$ap_name.log' \
	    ${ATTACH_ENV:-} '$LNSH' $* 2>'$T/$ap_name.err'; echo \$? >'$T/$ap_name.rc'; \
	    exec sleep 100000" || fail "cannot start tmux session $ap_name"
}

# attach_ready P: lnsh in P is attached and its shell answers.
attach_ready() {
	ar_tok="ready$$"
	wait_for 15 attach_up "$1" ||
	    fail "lnsh in $1 did not attach: $(cat "$T/$1.err")"
	tm send-keys -t "$1" "echo $ar_tok" Enter
	wait_screen 10 "$1" "^$ar_tok"
}

# Attached, or exited. lnshd serves attach, so an lnsh that exited (even
# with "unknown" or "unsupported" in its error) is a failure, never a SKIP.
attach_up() {
	still_attached "$1"
	screen_has "$1" "$PROMPT_RE"
}

# still_attached P: lnsh in P has not exited, else the test fails.
still_attached() {
	if [ -s "$T/$1.rc" ]; then
		fail "lnsh in $1 exited $(cat "$T/$1.rc"): $(cat "$T/$1.err")"
	fi
}

# daemon_kill: kill -9 of the test's lnshd (stopped or not); waits until it
# is gone. Its sessions' holders run on.
daemon_kill() {
	kill -9 "$DAEMON_PID" 2>/dev/null
	wait_exit 10 "$DAEMON_PID" || fail "lnshd did not die"
}

# daemon_again N: a new lnshd on the same port and state dir, logging to
# $T/lnshdN.err; waits for its start line (after it adopted the sessions).
daemon_again() {
	spawn "lnshd$1" "$LNSHD" --single-user --state-dir "$STATE" \
	    --listen "127.0.0.1:$PORT" -v
	DAEMON_PID=$LASTPID
	wait_line 10 "$T/lnshd$1.err" 'lnshd started' ||
	    fail "the new lnshd ($1) did not start"
}

# lnsh_pid P: the pid of lnsh in pane P (a child of the pane's shell).
lnsh_pid() {
	lp_sh=$(tm display-message -p -t "$1" '#{pane_pid}')
	ps -A -o pid= -o ppid= -o comm= | awk -v p="$lp_sh" \
	    '$2 == p && $3 ~ /lnsh$/ { print $1; exit }'
}

# ls_is CLIENTS COLS ROWS: lnsh ls --json says so of session main.
ls_is() {
	"$LNSH" ls mini --json >"$T/ls.json" 2>"$T/ls.err" || return 1
	tr -d ' \n' <"$T/ls.json" | grep -q \
	    "\"name\":\"main\".*\"clients\":$1,\"cols\":$2,\"rows\":$3,"
}

# ticker_start P: the counter, a script in the background of the shell in
# pane P: it saves the cursor, writes "tick N" at row 1 column 60 and
# restores the cursor, so typing below goes on; N also goes to $T/tick.
# It stops when its terminal or $T goes away. Waits until the session
# counts and P shows it.
ticker_start() {
	cat >"$T/ticker.sh" <<EOF
i=0
while [ -d '$T' ]; do
	i=\$((i + 1))
	echo \$i >'$T/tick.n' && mv '$T/tick.n' '$T/tick' || break
	printf '\\0337\\033[1;60Htick %d\\0338' \$i || break
	sleep 0.2
done
EOF
	tm send-keys -t "$1" "clear; sh '$T/ticker.sh' 2>/dev/null &" Enter
	wait_for 10 file_past 3 || fail "the session's counter did not start"
	wait_for 10 pane_past "$1" 3 || {
		tm capture-pane -p -t "$1" | sed 's/^/| /'
		fail "the counter does not show in pane $1"
	}
}

# tick_file: the counter's newest value as the session wrote it.
tick_file() {
	cat "$T/tick" 2>/dev/null
}

# tick_pane P: the counter's value on P's visible screen, or nothing.
tick_pane() {
	tm capture-pane -p -t "$1" 2>/dev/null |
	    sed -n 's/.*tick \([0-9][0-9]*\).*/\1/p' | head -n 1
}

# file_past N: the session has counted past N.
file_past() {
	fp_v=$(tick_file)
	[ -n "$fp_v" ] && [ "$fp_v" -gt "$1" ]
}

# pane_past P N: P shows a counter value above N.
pane_past() {
	pp_v=$(tick_pane "$1")
	[ -n "$pp_v" ] && [ "$pp_v" -gt "$2" ]
}

# pane_at P N: P shows a counter value of at least N.
pane_at() {
	pa_v=$(tick_pane "$1")
	[ -n "$pa_v" ] && [ "$pa_v" -ge "$2" ]
}
