#!/bin/sh
# fault-client-vanish.sh (issue 12, faults): a client that vanishes
# without a word (kill -9 of lnsh; a machine that slept or lost its
# network looks the same to lnshd: silence, since an unconnected UDP socket
# hears no ICMP). What bounds lnshd's effort and memory, docs/security.md
# ("Faults"):
#   - it stops sending to the client 10 s after it last heard from it
#     (SSP_ACTIVE_RETRY_NS), even while the session keeps printing; this
#     test checks that lnshd's tx_packets stop growing by then;
#   - it frees the connection after 15 minutes of silence (LN_PEER_IDLE_NS,
#     unit-tested on a virtual clock in test_channel), or sooner when the
#     same key's 33rd connection evicts the longest silent
#     (LN_PEERS_PER_KEY): so connect-and-vanish cycles, however many, hold
#     at most 32 connections per key;
#   - FAULT_VANISH_CYCLES (`make bench-faults` runs 1,000; 0, the
#     default, runs none) cycles of attach, first screen, kill -9 leave
#     lnshd's RSS flat: the RSS after the cycles may exceed the RSS after
#     the first 100 (by then 32 connections are held) by at most
#     FAULT_VANISH_SLACK_KB (256). A cycle that finds every slot of the
#     holder held by a client heard within 10 s waits for the oldest to
#     fall silent past it (at most 15 s), as a live client is never
#     evicted: cycles run at most LN_HOLDER_CLIENTS_MAX per 10 s;
#   - a holder full (LN_HOLDER_CLIENTS_MAX) of vanished clients evicts
#     the one silent longest, past SSP_ACTIVE_RETRY_NS, for a new one.
# Prints the stop time and the RSS before, after 100 cycles and after all.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup fault-client-vanish
CYCLES=${FAULT_VANISH_CYCLES:-0}
SLACK=${FAULT_VANISH_SLACK_KB:-256}
[ "$CYCLES" = 0 ] || [ "$CYCLES" -ge 150 ] ||
    fail "FAULT_VANISH_CYCLES must be 0 or 150 or more"
verbs_daemon

# The driver: N times, lnsh attach in a pty until the session's screen
# shows "tick", then SIGKILL; exits 1 if a cycle gets no screen in 10 s.
# With "wait" after N, an attach refused because every slot holds a client
# heard within SSP_ACTIVE_RETRY_NS is tried again, for at most 15 s (a
# live client is never evicted: cycles faster than the slots per 10 s
# wait for the oldest to fall silent); the count of those is printed.
cat >"$T/vanish.py" <<'PYEOF'
import os, pty, select, signal, sys, time
lnsh, host, sess, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
retry = len(sys.argv) > 5 and sys.argv[5] == "wait"
t0 = time.monotonic()
waits = 0
i = 0
first = None
while i < n:
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(lnsh, [lnsh, "attach", host, sess, "--no-create"])
    out, ok, end = b"", False, time.monotonic() + 10
    while time.monotonic() < end and not ok:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        try:
            b = os.read(fd, 65536)
        except OSError:
            break
        if not b:
            break
        out += b
        ok = b"tick" in out
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    if not ok and retry and b"as many as it serves" in out:
        if first is None:
            first = time.monotonic()
            waits += 1
        if time.monotonic() - first < 15:
            time.sleep(0.1)
            continue
    if not ok:
        sys.stderr.write("cycle %d: no screen in 10 s: %r\n" %
                         (i, out[-300:]))
        sys.exit(1)
    first = None
    i += 1
print("%d cycles in %.1f s, %d waited for a slot" % (n, time.monotonic() - t0,
      waits))
PYEOF

# rss: lnshd's resident set in KB, as ps(1) gives it.
rss() {
	ps -o rss= -p "$DAEMON_PID" | tr -d ' '
}

expect 0 "$LNSH" new mini t -- /bin/sh -c \
    'while :; do echo tick; sleep 0.1; done'
R0=$(rss)

# --- one client vanishes while the session prints: lnshd stops sending.
"$PY" "$T/vanish.py" "$LNSH" mini t 1 >"$T/drv.out" 2>"$T/drv.err" ||
    fail "attach: $(cat "$T/drv.err")"
tx_stops "the client vanished"
stop=$TX_STOP_MS
# 10 s after it last heard the client (a little before t0), plus the
# 0.25 s poll and some slack for a loaded machine.
[ "$stop" -le 11000 ] ||
    fail "lnshd sent for $stop ms after the client vanished"
echo "vanished client: lnshd sent $TX_SENT packets, the last" \
    "$stop ms after the client was killed (bound 10 s, SSP_ACTIVE_RETRY_NS)"

# --- slots full of vanished clients: the holder serves at most
# LN_HOLDER_CLIENTS_MAX, and counts a vanished one until lnshd forgets its
# connection (15 minutes). The first client above has been silent for
# more than SSP_ACTIVE_RETRY_NS; MAXC - 1 cycles more fill the slots and
# one more must evict it (before, it was refused: "the session has N
# clients attached"). The holder logs it; lnshd detaches it. The cycles
# use a key per 30 of them, and the last its own: a key's 33rd connection
# (LN_PEERS_PER_KEY) would make room in lnshd instead.
MAXC=$(sed -n 's/^#define LN_HOLDER_CLIENTS_MAX[^0-9]*\([0-9]*\).*/\1/p' \
    "$S/proto/wire.h")
[ -n "$MAXC" ] || fail "no LN_HOLDER_CLIENTS_MAX in $S/proto/wire.h"
# vanish_as K N: N cycles as client key K (its own LNSH_CONFIG_DIR).
vanish_as() {
	mkdir -p "$T/key$1" && cp "$LNSH_CONFIG_DIR/hosts" "$T/key$1/" ||
	    fail "key dir"
	LNSH_CONFIG_DIR=$T/key$1 "$LNSH" keygen >/dev/null 2>&1 ||
	    fail "keygen $1"
	LNSH_CONFIG_DIR=$T/key$1 "$LNSH" pubkey \
	    >>"$HOME/.config/lnsh/authorized_keys" || fail "pubkey $1"
	LNSH_CONFIG_DIR=$T/key$1 "$PY" "$T/vanish.py" "$LNSH" mini t "$2" \
	    >"$T/drv.out" 2>"$T/drv.err" ||
	    fail "filling $MAXC slots, key $1: $(cat "$T/drv.err")"
}
left=$((MAXC - 1))
k=0
while [ "$left" -gt 0 ]; do
	k=$((k + 1))
	n=$left
	[ "$n" -gt 30 ] && n=30
	vanish_as "$k" "$n"
	left=$((left - n))
done
grep -q 'evicted to make room' "$T/lnshd.err" &&
    fail "a client was evicted before the $MAXC slots were full"
vanish_as last 1
wait_line 10 "$T/lnshd.err" 'evicted to make room' ||
    fail "the holder did not say it evicted a client"
wait_line 10 "$T/lnshd.err" 'evicted from t by its holder' ||
    fail "lnshd did not detach the evicted client"
echo "full session: the attach past $MAXC clients evicted the silent one;" \
    "$(cat "$T/drv.out")"

# --- connect-and-vanish cycles: memory flat.
[ "$CYCLES" = 0 ] && pass "a vanished client is no longer sent to after" \
    "$stop ms; a full session evicts a silent client for a new one" \
    "(no connect-and-vanish cycles asked)"
"$PY" "$T/vanish.py" "$LNSH" mini t 100 wait >"$T/drv.out" 2>"$T/drv.err" ||
    fail "cycles: $(cat "$T/drv.err")"
R100=$(rss)
C100=$(lnshd_status clients)
"$PY" "$T/vanish.py" "$LNSH" mini t $((CYCLES - 100)) wait >"$T/drv2.out" \
    2>"$T/drv.err" || fail "cycles: $(cat "$T/drv.err")"
RN=$(rss)
CN=$(lnshd_status clients)
kill -0 "$DAEMON_PID" 2>/dev/null || fail "lnshd died"
echo "connect-and-vanish: lnshd RSS ${R0} KB before, ${R100} KB after 100" \
    "cycles ($C100 clients held), ${RN} KB after $CYCLES ($CN clients" \
    "held); $(cat "$T/drv2.out")"
# The fill above used k keys more, and the last one: 32 each at most.
[ "$CN" -le $(((k + 2) * 32 + 1)) ] ||
    fail "$CN client connections held (at most 32 for each of $((k + 2)) keys)"
[ "$RN" -le $((R100 + SLACK)) ] ||
    fail "RSS grew from $R100 KB to $RN KB over $((CYCLES - 100)) cycles"
pass "a vanished client is no longer sent to after $stop ms; RSS" \
    "$R100 -> $RN KB over $CYCLES cycles"
