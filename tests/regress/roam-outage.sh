#!/bin/sh
# roam-outage.sh: the path is cut for 30 s (link down), then restored: the
# notice bar shows the outage, the session continues by itself, and the
# time from the path working again to the first screen update is printed.
. "$(dirname "$0")/roam-lib.sh"
roam_setup roam-outage

ip -n "$NS_C" link set "$CDEV" down || fail "link down"
wait_screen 10 a 'no contact with mini for [0-9]+ s'
# The outage lasts 30 s whatever the machine does meanwhile.
out_end=$(($(ms_now) + 30000))
out_over() { [ "$(ms_now)" -ge "$out_end" ]; }
wait_for 40 out_over
ip -n "$NS_C" link set "$CDEV" up || fail "link up"
t0=$(ms_now)
tm send-keys -t a 'echo back-again' Enter
wait_screen 30 a '^back-again$'
t1=$(ms_now)
echo "outage: first screen update $((t1 - t0)) ms after the path returned"
wait_for 10 screen_lacks a 'no contact with' || fail "the notice bar stayed"
pass "session continued after a 30 s outage ($((t1 - t0)) ms)"
