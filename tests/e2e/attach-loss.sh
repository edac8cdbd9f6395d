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

attach_pane a lossy
wait_for 40 attach_up a || fail "no attach through the lossy link: \
$(cat "$T/a.err")"
tm send-keys -t a 'echo typed-through-loss' Enter
wait_screen 30 a '^typed-through-loss$'

tm send-keys -t a 'yes flood' Enter
wait_screen 20 a '^flood$'
start=$(date +%s)
tm send-keys -t a C-c
tm send-keys -t a 'echo after-flood' Enter
wait_screen 30 a '^after-flood$'
took=$(( $(date +%s) - start ))
echo "flood interrupted: prompt back ${took} s after Ctrl-C"
[ "$took" -le 15 ] || fail "Ctrl-C took ${took} s to stop the flood"
pass "typing and Ctrl-C through 30% loss and 200 ms RTT"
