#!/bin/sh
# attach-sizes.sh: two clients of different sizes on one session. The
# holder gives the session the size of the client that typed or resized
# last (tmux's "latest"): `stty size` typed in an 80x24 pane says 24 80,
# typed in a 100x30 one says 30 100, and back; when the 100x30 client
# detaches the session takes the other's size again. `lnsh ls` counts the
# holder's clients.
. "$(dirname "$0")/attach-lib.sh"
attach_setup attach-sizes

attach_pane a mini -- /bin/sh
attach_ready a
# b is 100x30 from the start: a pane resized just after lnsh started can
# beat lnsh's SIGWINCH handler (lnsh then keeps the size it read).
ATTACH_COLS=100 ATTACH_ROWS=30 attach_pane b mini
wait_screen 15 b "$PROMPT_RE"

# b attached last.
wait_for 10 ls_is 2 100 30 ||
    fail "lnsh ls does not say 2 clients at 100x30: $(cat "$T/ls.json")"
tm send-keys -t b 'clear; stty size' Enter
wait_screen 10 b '^30 100$'
tm send-keys -t a 'clear; stty size' Enter
wait_screen 10 a '^24 80$'
tm send-keys -t b 'clear; stty size' Enter
wait_screen 10 b '^30 100$'

# b leaves: a's size again, with no key typed in a.
tm send-keys -t b C-^ .
wait_for 10 test -s "$T/b.rc" || fail "Ctrl-^ . did not detach b"
wait_for 10 ls_is 1 80 24 ||
    fail "after b left, not 1 client at 80x24: $(cat "$T/ls.json")"
tm send-keys -t a 'clear; stty size' Enter
wait_screen 10 a '^24 80$'
pass "the latest client's size, 24x80 and 30x100 by turns, and back"
