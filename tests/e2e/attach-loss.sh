#!/bin/sh
# attach-loss.sh: through tests/impair at 30% loss each way and 100 ms
# delay each way (200 ms RTT): typed text appears, and a flood (`yes`)
# stops within a bounded time after Ctrl-C.
. "$(dirname "$0")/attach-lib.sh"
attach_setup attach-loss
[ -x "$B/tests/impair" ] || fail "$B/tests/impair not built"

spawn impair "$B/tests/impair" --listen 127.0.0.1:0 \
    --to "127.0.0.1:$PORT" --drop 0.3 --delay 100 --seed 7
wait_line 10 "$T/impair.out" '^listening' || fail "impair did not start"
IPORT=$(awk '/^listening/ { print $3; exit }' "$T/impair.out")
echo "lossy 127.0.0.1:$IPORT $HOSTKEY" >>"$LNSH_CONFIG_DIR/hosts"
LNSH_TIMEOUT=30

# flood_fills P: every line of P's screen but the notice bar is the
# flood's (the command line has scrolled away).
flood_fills() {
	tm capture-pane -p -t "$1" | grep -v '^lnsh: no contact' |
	    grep -vqx 'flood' && return 1
	return 0
}

# prompt_last P: the last line with text on P's screen, notice bar
# aside, is a bare prompt.
prompt_last() {
	tm capture-pane -p -t "$1" | grep -v '^lnsh: no contact' |
	    awk 'NF { l = $0 } END { exit !(l ~ /^[$#]$/) }'
}

attach_pane a lossy -- /bin/sh
wait_for 40 attach_up a || fail "no attach through the lossy link: \
$(cat "$T/a.err")"
tm send-keys -t a 'echo typed-through-loss' Enter
wait_screen 30 a '^typed-through-loss$'

# The flood fills the screen; Ctrl-C must bring the prompt back. Text
# typed before the prompt is back would share the prompt's line (the tty
# echoes it early), so the test types only once the prompt shows.
tm send-keys -t a 'yes flood' Enter
wait_for 20 flood_fills a || fail "the flood did not fill the screen"
start=$(ms_now)
tm send-keys -t a C-c
wait_for 30 prompt_last a || {
	tm capture-pane -p -t a | sed 's/^/| /'
	fail "no prompt within 30 s of Ctrl-C"
}
took=$(( ($(ms_now) - start) / 1000 ))
echo "flood interrupted: prompt back ${took} s after Ctrl-C"
[ "$took" -le 15 ] || fail "Ctrl-C took ${took} s to stop the flood"
tm send-keys -t a 'echo after-flood' Enter
wait_screen 30 a '^after-flood$'
pass "typing and Ctrl-C through 30% loss and 200 ms RTT"
