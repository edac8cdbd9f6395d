#!/bin/sh
# attach-cursor.sh: the cursor's style (DECSCUSR, CSI Ps SP q), as neovim
# sets it for insert mode, reaches the client's terminal from a program in
# the session: what lnsh writes to its pane (tmux pipe-pane) carries the
# program's Ps, 0 included (the terminal's own style); a client attaching
# later gets the style the session has; a detach puts the terminal's own
# style back, and only when a session had set one. An absence is judged
# once the pipe holds text that followed it (piped), since tmux draws
# before its pipe's reader has written.
. "$(dirname "$0")/attach-lib.sh"
attach_setup attach-cursor

# styles P: the Ps of each DECSCUSR lnsh wrote to pane P's terminal since
# the pipe began, one a line.
styles() {
	tr '\033' '\n' <"$T/$1.out" 2>/dev/null |
	    sed -n 's/^\[\([0-9]*\) q.*/\1/p'
}
styles_are() {
	[ "$(styles "$1" | tr '\n' ' ')" = "$2" ]
}
# piped P TEXT: lnsh has written TEXT to pane P's terminal, and so
# everything before it (the markers are typed with quotes inside, so the
# echoed command does not match).
piped() {
	grep -q -- "$2" "$T/$1.out" 2>/dev/null
}
pipe() {
	: >"$T/$1.out"
	tm pipe-pane -O -t "$1" "cat >>'$T/$1.out'" || fail "pipe-pane $1"
}

attach_pane a mini -- /bin/sh
attach_ready a
pipe a
# An attach that never sees a style sends none.
tm send-keys -t a 'echo no""-style' Enter
wait_for 10 piped a 'no-style' || fail "no-style did not reach the pane"
[ -z "$(styles a)" ] || fail "a style sent unasked: $(styles a)"

# A bar, then the terminal's own again: each as the program sent it.
tm send-keys -t a "printf '\\033[6 q'; echo bar" Enter
wait_for 10 styles_are a "6 " ||
    fail "the bar did not reach the terminal: '$(styles a)'"
tm send-keys -t a "printf '\\033[0 q'; echo own" Enter
wait_for 10 styles_are a "6 0 " ||
    fail "Ps 0 did not reach the terminal: '$(styles a)'"
# Ps past 6, or with a leader, is not a style: nothing is sent.
tm send-keys -t a "printf '\\033[7 q\\033[?5 q'; echo not\"\"-styles" Enter
wait_for 10 piped a 'not-styles' ||
    fail "not-styles did not reach the pane"
styles_are a "6 0 " || fail "not styles were sent: '$(styles a)'"

# A client attaching later draws the session's style; a detach ends it.
tm send-keys -t a "printf '\\033[4 q'; echo underline" Enter
wait_for 10 styles_are a "6 0 4 " ||
    fail "the underline did not reach the terminal: '$(styles a)'"
tm send-keys -t a C-^ .
wait_for 10 test -s "$T/a.rc" || fail "Ctrl-^ . did not detach"
wait_for 10 styles_are a "6 0 4 0 " ||
    fail "the detach did not give the terminal its style back: '$(styles a)'"
# The second client starts once the pipe is on, so its first draw is seen.
tm new-session -d -s b -x 80 -y 24 \
    "while [ ! -e '$T/b.go' ]; do sleep 0.05; done; \
    HOME='$HOME' LNSH_CONFIG_DIR='$LNSH_CONFIG_DIR' \
    LNSH_TIMEOUT=$LNSH_TIMEOUT TERM=tmux-256color COLORTERM=truecolor \
    '$LNSH' mini 2>'$T/b.err'; echo \$? >'$T/b.rc'; exec sleep 100000" ||
    fail "cannot start session b"
pipe b
: >"$T/b.go"
wait_screen 15 b '^underline$'
wait_for 10 styles_are b "4 " ||
    fail "the reattach did not draw the session's style: '$(styles b)'"

# A detach from a session that never set a style sends none.
attach_pane c mini plain -- /bin/sh
attach_ready c
pipe c
tm send-keys -t c C-^ .
wait_for 10 piped c 'detached from plain' ||
    fail "the detach from plain did not reach the pane"
[ -z "$(styles c)" ] || fail "a detach sent a style unasked: $(styles c)"
pass "bar, own style, not styles, reattach, detach, none unasked"
