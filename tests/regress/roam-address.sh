#!/bin/sh
# roam-address.sh: the client's address changes mid-session (its old one
# is removed): lnsh moves to a fresh socket and the session continues, and
# lnshd's debug log says the connection is now at the new address. The
# time from the change to the first screen update is printed.
. "$(dirname "$0")/roam-lib.sh"
roam_setup roam-address

# Removing a subnet's primary address removes its secondaries with it
# unless they are promoted: keep the new address when the old one goes.
cns sh -c "echo 1 >/proc/sys/net/ipv4/conf/$CDEV/promote_secondaries" ||
    fail "promote_secondaries"
ip -n "$NS_C" addr add "$ROAM_NET.3/24" dev "$CDEV" || fail "new address"
ip -n "$NS_C" addr del "$ROAM_NET.2/24" dev "$CDEV" || fail "old address"
ip -n "$NS_C" -4 addr show dev "$CDEV" | grep -q "$ROAM_NET\\.3/" ||
    fail "the new address went with the old one"
t0=$(ms_now)
tm send-keys -t a 'echo roamed' Enter
wait_screen 30 a '^roamed$'
t1=$(ms_now)
echo "roam: first screen update $((t1 - t0)) ms after the address changed"
# lnshd -v says where the connection went (client_moved).
grep -Eq "client [0-9]+: now at $ROAM_NET\\.3:" "$T/lnshd.err" ||
    fail "lnshd logged no new address: $(grep 'client' "$T/lnshd.err")"
pass "session continued after the address change ($((t1 - t0)) ms)"
