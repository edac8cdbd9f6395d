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

attach_pane a mini -- /bin/sh
attach_ready a
tm send-keys -t a 'clear; echo mark-$((40+2))-one' Enter
wait_screen 10 a '^mark-42-one( |$)'

ticker_start a

# --- kill -9 of lnshd, and a new one on the same port and state dir.
daemon_kill
t0=$(ms_now)
c0=$(tick_file)
[ -n "$c0" ] || { wait_for 2 file_past 0; c0=$(tick_file); }
daemon_again 2
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
    "started, $((t1 - tl)) ms after its log said it had started"
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
