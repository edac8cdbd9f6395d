#!/bin/sh
# attach-winch.sh: a terminal resized while lnsh is still connecting (after
# it read the size, before the attach was accepted) is not lost: the
# session takes the new size without waiting for another resize. lnsh
# once caught SIGWINCH only from raw mode on, and SIGWINCH's default
# action is to ignore it, so such a resize went unseen.
#
# The window is short (one round trip on loopback), so a resize "right
# after starting lnsh" lands in it only by chance. LNSH_TEST_ATTACH_PAUSE
# (test only, docs/hacking.md) holds lnsh at that point: lnsh creates the
# file once it has read the size and waits until the test removes it.
# The test resizes, waits until the pty itself has the new size (the
# kernel sends SIGWINCH as it sets it), then lets lnsh go on; before the
# fix the session stayed 80x24.
. "$(dirname "$0")/attach-lib.sh"
attach_setup attach-winch

PAUSE=$T/paused
ATTACH_ENV="LNSH_TEST_ATTACH_PAUSE=$PAUSE" attach_pane a mini -- /bin/sh
wait_for 15 test -e "$PAUSE" ||
    fail "lnsh did not reach the pause: $(cat "$T/a.err")"
TTY=$(tm display -p -t a '#{pane_tty}')
[ -n "$TTY" ] || fail "no pane tty"
tm resize-window -t a -x 100 -y 30 || fail "tmux resize-window"

# pty_is ROWS COLS: the pane's pty has that size.
pty_is() {
	[ "$(stty size <"$TTY" 2>/dev/null)" = "$1 $2" ]
}
wait_for 10 pty_is 30 100 ||
    fail "the pane's pty is not 100x30: $(stty size <"$TTY" 2>&1)"
rm -f "$PAUSE"
attach_ready a

wait_for 10 ls_is 1 100 30 ||
    fail "the resize while connecting was lost: $(cat "$T/ls.json")"
tm send-keys -t a 'clear; stty size' Enter
wait_screen 10 a '^30 100$'
pass "a resize while lnsh connects reaches the session (100x30)"
