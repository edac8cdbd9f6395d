#!/bin/sh
# attach-restart.sh: lnsh in a tmux pane keeps its session with no key
# press when lnshd is killed (kill -9) and started again on the same port
# and state dir, and when lnsh itself is stopped for a while (SIGSTOP, as
# a laptop's sleep does to it) and continued. The session prints a
# counter in the screen's top right corner every 200 ms; each case waits,
# without typing, for the pane to show a value newer than the event, and
# prints how long that took.
. "$(dirname "$0")/attach-lib.sh"
attach_setup attach-restart

# ms_now: wall-clock milliseconds (GNU date, else python3: macOS's date
# has no %N).
ms_now() {
	mn_t=$(date +%s%N 2>/dev/null)	# portable: python3 below if no %N
	case $mn_t in
	''|*[!0-9]*)
		"$PY" -c 'import time; print(int(time.time() * 1000))' ;;
	*)	echo $((mn_t / 1000000)) ;;
	esac
}

# tick_file: the counter's newest value as the session wrote it.
tick_file() {
	cat "$T/tick" 2>/dev/null
}

# tick_pane P: the counter's value on P's visible screen, or nothing.
tick_pane() {
	tm capture-pane -p -t "$1" 2>/dev/null |
	    sed -n 's/.*tick \([0-9][0-9]*\).*/\1/p' | head -n 1
}

# pane_past P N: P shows a counter value above N.
pane_past() {
	pp_v=$(tick_pane "$1")
	[ -n "$pp_v" ] && [ "$pp_v" -gt "$2" ]
}

# pane_at P N: P shows a counter value of at least N.
pane_at() {
	pa_v=$(tick_pane "$1")
	[ -n "$pa_v" ] && [ "$pa_v" -ge "$2" ]
}

# file_past N: the session has counted past N.
file_past() {
	fp_v=$(tick_file)
	[ -n "$fp_v" ] && [ "$fp_v" -gt "$1" ]
}

# still_attached P: lnsh in P has not exited.
still_attached() {
	[ -s "$T/$1.rc" ] && fail "lnsh in $1 exited $(cat "$T/$1.rc"):" \
	    "$(cat "$T/$1.err")"
	return 0
}

# lnsh_pid P: the pid of lnsh in pane P (a child of the pane's shell).
lnsh_pid() {
	lp_sh=$(tm display-message -p -t "$1" '#{pane_pid}')
	ps -A -o pid= -o ppid= -o comm= | awk -v p="$lp_sh" \
	    '$2 == p && $3 ~ /lnsh$/ { print $1; exit }'
}

attach_pane a mini -- /bin/sh
attach_ready a
tm send-keys -t a 'clear; echo mark-$((40+2))-one' Enter
wait_screen 10 a '^mark-42-one( |$)'

# The counter, a script in the background of the session's shell: it
# saves the cursor, writes row 1 column 60 and restores the cursor, so
# typing below goes on. It stops when its terminal or $T goes away.
cat >"$T/ticker.sh" <<EOF
i=0
while [ -d '$T' ]; do
	i=\$((i + 1))
	echo \$i >'$T/tick.n' && mv '$T/tick.n' '$T/tick' || break
	printf '\\0337\\033[1;60Htick %d\\0338' \$i || break
	sleep 0.2
done
EOF
tm send-keys -t a "sh '$T/ticker.sh' 2>/dev/null &" Enter
wait_for 10 file_past 3 || fail "the session's counter did not start"
wait_for 10 pane_past a 3 || {
	tm capture-pane -p -t a | sed 's/^/| /'
	fail "the counter does not show in the pane"
}

# --- kill -9 of lnshd, and a new one on the same port and state dir.
kill -9 "$DAEMON_PID"
wait_exit 10 "$DAEMON_PID" || fail "lnshd did not die"
t0=$(ms_now)
spawn lnshd2 "$LNSHD" --single-user --state-dir "$STATE" \
    --listen "127.0.0.1:$PORT" -v
DAEMON_PID=$LASTPID
c0=$(tick_file)
[ -n "$c0" ] || { wait_for 2 file_past 0; c0=$(tick_file); }
wait_line 10 "$T/lnshd2.err" 'listening on 127\.0\.0\.1' ||
    fail "the new lnshd did not start"
tl=$(ms_now)	# it answers from about then (polled: a little later)
# No key press: the client must find the new lnshd by itself.
wait_for 30 pane_past a "$c0" || {
	tm capture-pane -p -t a | sed 's/^/| /'
	fail "no screen update within 30 s of the restart (pane at" \
	    "$(tick_pane a), session at $(tick_file))"
}
t1=$(ms_now)
still_attached a
echo "restart: first screen update $((t1 - t0)) ms after the new lnshd" \
    "started, $((t1 - tl)) ms after its log said it was listening"
tm send-keys -t a 'echo mark-$((40+2))-two' Enter
wait_screen 10 a '^mark-42-two( |$)'
grep -q ' 1 sessions adopted' "$T/lnshd2.err" ||
    fail "the session was not adopted: $(cat "$T/lnshd2.err")"
# The same session, attached again, never created anew.
grep -q 'attached to main' "$T/lnshd2.err" ||
    fail "the new lnshd logged no attach: $(cat "$T/lnshd2.err")"
grep -q 'new session' "$T/lnshd2.err" &&
    fail "the reattach created a session: $(cat "$T/lnshd2.err")"

# --- lnsh stopped for about 5 s (25 ticks) while the session prints.
LPID=$(lnsh_pid a)
[ -n "$LPID" ] || fail "cannot find lnsh's pid in pane a"
kill -STOP "$LPID" || fail "SIGSTOP"
s0=$(tick_file)
wait_for 15 file_past $((s0 + 25)) || {
	kill -CONT "$LPID"
	fail "the session stopped counting while lnsh was stopped"
}
pane_past a "$s0" && {
	kill -CONT "$LPID"
	fail "the pane changed while lnsh was stopped"
}
# Caught up: the pane shows the value the session had at SIGCONT (the
# pane was behind it: it showed at most $s0, and the session is 25 on).
kill -CONT "$LPID" || fail "SIGCONT"
t2=$(ms_now)
c2=$(tick_file)
wait_for 15 pane_at a "$c2" || {
	tm capture-pane -p -t a | sed 's/^/| /'
	fail "the pane did not catch up within 15 s of SIGCONT (pane at" \
	    "$(tick_pane a), session at $(tick_file))"
}
t3=$(ms_now)
still_attached a
echo "stop: caught up $((t3 - t2)) ms after SIGCONT"
tm send-keys -t a 'echo mark-$((40+2))-three' Enter
wait_screen 10 a '^mark-42-three( |$)'

pass "reattached by itself after a restart ($((t1 - t0)) ms) and after" \
    "SIGSTOP ($((t3 - t2)) ms)"
