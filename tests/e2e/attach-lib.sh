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
#   PROMPT_RE              an ERE for a line that starts with /bin/sh's
#                          prompt ("$ ", or "# " as root; the session's
#                          environment is lnshd's, not ours, so PS1
#                          cannot be set from here)
#
# and verbs-lib.sh's tm, screen_has, screen_lacks and wait_screen.

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
# no quotes) in its environment.
attach_pane() {
	ap_name=$1
	shift
	rm -f "$T/$ap_name.rc"
	tm new-session -d -s "$ap_name" -x "${ATTACH_COLS:-80}" \
	    -y "${ATTACH_ROWS:-24}" \
	    "HOME='$HOME' LNSH_CONFIG_DIR='$LNSH_CONFIG_DIR' \
	    LNSH_TIMEOUT=$LNSH_TIMEOUT TERM=${ATTACH_TERM:-tmux-256color} \
	    COLORTERM=truecolor ${ATTACH_ENV:-} \
	    '$LNSH' $* 2>'$T/$ap_name.err'; echo \$? >'$T/$ap_name.rc'; \
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
	if [ -s "$T/$1.rc" ]; then
		fail "lnsh in $1 exited $(cat "$T/$1.rc"): $(cat "$T/$1.err")"
	fi
	screen_has "$1" "$PROMPT_RE"
}
