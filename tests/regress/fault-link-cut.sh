#!/bin/sh
# fault-link-cut.sh (issue 12, faults): the attached client's network
# dies without a word (its end of the link goes down in its network
# namespace) while the session prints. lnshd must stop sending to it
# within 10 s of last hearing it (SSP_ACTIVE_RETRY_NS), as for a client
# killed -9 (fault-client-vanish.sh), and the client must carry on once
# the link is back. Prints when lnshd's last packet went, and both ends'
# debug logs of the connection. Root only (SKIP 77 otherwise, see
# roam-lib.sh).
. "$(dirname "$0")/roam-lib.sh"
roam_setup fault-link-cut

# The session prints a line every 100 ms.
tm send-keys -t a 'while :; do echo tick; sleep 0.1; done' Enter
wait_screen 10 a '^tick$'
ip -n "$NS_C" link set "$CDEV" down || fail "link down"
tx_stops "the link went down"
stop=$TX_STOP_MS
[ "$stop" -le 11000 ] ||
    fail "lnshd sent for $stop ms after the link went down"
echo "link cut: lnshd sent $TX_SENT packets, the last $stop ms" \
    "after the link went down (bound 10 s, SSP_ACTIVE_RETRY_NS)"
ip -n "$NS_C" link set "$CDEV" up || fail "link up"
tm send-keys -t a C-c
tm send-keys -t a 'clear; echo back-$((40+2))' Enter
wait_screen 30 a '^back-42$'
# lnsh's debug log (docs/attach.md) says what it did meanwhile: it tried
# new ports while the server was silent, and heard it again.
grep -q ': new port' "$T/a.log" || fail "lnsh's debug log has no new port"
grep -q ': the server is heard again after [0-9]* ms$' "$T/a.log" ||
    fail "lnsh's debug log does not say the server was heard again"
echo "lnsh's debug log:"
cat "$T/a.log"
echo "lnshd's, of the client's connection:"
grep -E 'client [0-9]+|admitted' "$T/lnshd.err"
pass "lnshd stopped sending $stop ms after the link was cut; the client" \
    "carried on when it returned"
