#!/bin/sh
# fault-sleep.sh (issue 12, faults): the laptop sleeps for 10 minutes with
# lnsh attached; its keys expire at 180 s meanwhile (LN_REJECT_AFTER_NS),
# on both sides. On waking, lnsh must see that it has no usable keys,
# handshake again and catch up with the session, with no key press.
#
# Why an environment variable, LNSH_TEST_KEY_LIFETIME_SEC, and not a
# virtual clock or a test-only build: the behaviour under test is the
# real client's loop (client/attach.c: att_roam, att_rehs_due) against a
# real lnshd, through the real clock; a virtual clock reaches only the
# sans-I/O channel, which test_channel's test_expired covers already. A
# build option would leave the default `make check` (CI's plain tier)
# without this test. The variable can only shorten key lifetimes (floor
# LN_TEST_KEY_LIFETIME_MIN_SEC, 5 s) and keeps the defaults' proportions
# (proto/channel.c), so the sleep here is the real one scaled: keys last
# 6 s instead of 180 (rekey at 4 s, peers forgotten after 30 s instead
# of 15 min), and lnsh is stopped (SIGSTOP, as a sleep stops it) for
# 20 s, past its keys' life as 10 minutes is past 180 s, short of the
# server forgetting it as 10 minutes is short of 15.
#
# Checked: the pane shows a counter value the session reached after
# SIGCONT, with no key press; lnshd completed a handshake after SIGCONT
# (status "handshakes" grew); lnsh still runs, and typing works. That the
# variable took is checked first: lnsh rekeys every 4 s while attached.
# Prints the catch-up time.
LNSH_TEST_KEY_LIFETIME_SEC=6
export LNSH_TEST_KEY_LIFETIME_SEC
. "$(dirname "$0")/attach-lib.sh"
attach_setup fault-sleep
STOP_SEC=20

# ms_now: wall-clock milliseconds (python3: macOS's date has no %N).
ms_now() {
	"$PY" -c 'import time; print(int(time.time() * 1000))'
}
tick_file() {
	cat "$T/tick" 2>/dev/null
}
# tick_pane P: the counter's value on P's visible screen, or nothing.
tick_pane() {
	tm capture-pane -p -t "$1" 2>/dev/null |
	    sed -n 's/.*tick \([0-9][0-9]*\).*/\1/p' | head -n 1
}
pane_at() {
	pa_v=$(tick_pane "$1")
	[ -n "$pa_v" ] && [ "$pa_v" -ge "$2" ]
}
file_past() {
	fp_v=$(tick_file)
	[ -n "$fp_v" ] && [ "$fp_v" -gt "$1" ]
}
handshakes() {
	"$LNSHD" status --single-user --state-dir "$STATE" |
	    awk '$1 == "handshakes" { print $2 }'
}
lnsh_pid() {
	lp_sh=$(tm display-message -p -t "$1" '#{pane_pid}')
	ps -A -o pid= -o ppid= -o comm= | awk -v p="$lp_sh" \
	    '$2 == p && $3 ~ /lnsh$/ { print $1; exit }'
}

attach_pane a mini -- /bin/sh
attach_ready a
# The counter: row 1, column 60, every 200 ms, the cursor kept.
cat >"$T/ticker.sh" <<EOF
i=0
while [ -d '$T' ]; do
	i=\$((i + 1))
	echo \$i >'$T/tick.n' && mv '$T/tick.n' '$T/tick' || break
	printf '\\0337\\033[1;60Htick %d\\0338' \$i || break
	sleep 0.2
done
EOF
tm send-keys -t a "clear; sh '$T/ticker.sh' 2>/dev/null &" Enter
wait_for 10 file_past 3 || fail "the session's counter did not start"
wait_for 10 pane_at a 3 || fail "the counter does not show in the pane"

# The variable took: lnsh rekeys every 4 s while attached (never, within
# this test, with the default 120 s).
hr=$(handshakes)
wait_for 15 sh -c "[ \$('$LNSHD' status --single-user --state-dir \
    '$STATE' | awk '\$1 == \"handshakes\" { print \$2 }') -ge $((hr + 2)) ]" ||
    fail "no rekey every 4 s: is LNSH_TEST_KEY_LIFETIME_SEC honoured?"

LPID=$(lnsh_pid a)
[ -n "$LPID" ] || fail "cannot find lnsh's pid in pane a"
kill -STOP "$LPID" || fail "SIGSTOP"
s0=$(date +%s)
# The sleep lasts STOP_SEC whatever the machine does meanwhile.
wait_for $((STOP_SEC + 10)) sh -c \
    "[ \$(( \$(date +%s) - $s0 )) -ge $STOP_SEC ]"
h0=$(handshakes)
c0=$(tick_file)
t0=$(ms_now)
kill -CONT "$LPID" || fail "SIGCONT"
wait_for 20 pane_at a "$c0" || {
	tm capture-pane -p -t a | sed 's/^/| /'
	fail "the pane did not catch up within 20 s of SIGCONT (pane at" \
	    "$(tick_pane a), session at $(tick_file) when woken $c0)"
}
t1=$(ms_now)
[ -s "$T/a.rc" ] && fail "lnsh exited $(cat "$T/a.rc"): $(cat "$T/a.err")"
h1=$(handshakes)
[ "$h1" -gt "$h0" ] || fail "no handshake after SIGCONT ($h0, $h1): the" \
    "keys did not expire, the test proves nothing"
echo "sleep of $STOP_SEC s with keys of 6 s: caught up $((t1 - t0)) ms" \
    "after SIGCONT, $((h1 - h0)) handshake(s)"
tm send-keys -t a 'echo woke-$((40+2))' Enter
wait_screen 10 a '^woke-42( |$)'
pass "woken past its keys' life, lnsh handshook and caught up in" \
    "$((t1 - t0)) ms with no key press"
