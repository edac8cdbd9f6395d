#!/bin/sh
# attach-hint.sh: `lnsh attach --hint` (what scripts/try runs, whose own
# "Ctrl-^ . detaches" the attach clears off the screen) says how to detach
# on the top row after attaching, and takes it away after a few seconds
# (ATTACH_HINT_NS, 5 s). Without --hint nothing is shown: mosh shows
# nothing either, and a session's top row belongs to the session.
. "$(dirname "$0")/attach-lib.sh"
attach_setup attach-hint

HINT_RE='^lnsh: Ctrl-\^ \. detaches'
attach_pane a mini main --hint -- /bin/sh
wait_screen 15 a "$HINT_RE"
attach_ready a
# Gone by itself within its 5 s and a tick of the notice clock, with a
# margin for a loaded machine; then the row is the session's again.
wait_for 20 screen_lacks a "$HINT_RE" || fail "the hint stayed"
tm send-keys -t a 'echo after-hint' Enter
wait_screen 10 a '^after-hint$'
screen_has a 'detaches' && fail "the hint came back"

# A second client without --hint is not told.
attach_pane b mini main
wait_screen 15 b '^after-hint$'
tm send-keys -t b 'echo second-client' Enter
wait_screen 10 b '^second-client$'
screen_has b 'detaches' && fail "a client without --hint was shown the hint"
pass "--hint: 'Ctrl-^ . detaches' on the top row after attaching, gone after 5 s"
