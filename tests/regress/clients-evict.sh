#!/bin/sh
# clients-evict.sh: at max-clients lnshd evicts the longest-silent client
# that is not attached (issue 12), rather than refuse every handshake, and
# never a live attached one. max-clients 3: one attached client (live,
# tests/attachctl) and two `lnsh wait` (connected, not attached) fill it;
# `lnsh ls` then gets in, lnshd logs the eviction of a waiting client, and
# the attached one still sees what the session prints afterwards.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup clients-evict
ATTACHCTL=$B/tests/attachctl
[ -x "$ATTACHCTL" ] || fail "$ATTACHCTL not built"
echo "max-clients 3" >"$T/lnshd.conf"
chmod 644 "$T/lnshd.conf"
verbs_daemon --config "$T/lnshd.conf"

expect 0 "$LNSH" new mini s -- env 'PS1=$ ' ENV= /bin/sh
expect 0 "$LNSH" new mini w -- /bin/sh -c 'exec sleep 100000'
"$ATTACHCTL" -T '$' "$PORT" "$HOSTKEY" "$LNSH_CONFIG_DIR/key" s - \
    "END-X" 60 >"$T/attach.out" 2>"$T/attach.err" &
APID=$!
LNSH_PIDS="$LNSH_PIDS $APID"
wait_for 10 clients_are 1 || fail "the attached client is not counted"
# The attached client is heard from last: the waits are longer silent.
"$LNSH" wait mini w >"$T/wait1.out" 2>&1 &
LNSH_PIDS="$LNSH_PIDS $!"
wait_for 10 clients_are 2 || fail "first wait not connected"
"$LNSH" wait mini w >"$T/wait2.out" 2>&1 &
LNSH_PIDS="$LNSH_PIDS $!"
wait_for 10 clients_are 3 || fail "second wait not connected"

LNSH_TIMEOUT=5 expect 0 "$LNSH" ls mini
grep -q 'evicted: 3 clients, the most allowed (max-clients)' \
    "$T/lnshd.err" || fail "no eviction logged"
grep 'evicted:' "$T/lnshd.err" | grep -q 'attached' &&
    fail "an attached client was evicted"
expect 0 "$LNSH" send mini s "echo END-''X\\n"
wait "$APID" || fail "the attached client did not see the end"
pass "at max-clients 3, lnsh ls evicted a waiting client, not the attached"
