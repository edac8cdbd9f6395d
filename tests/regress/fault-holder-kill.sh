#!/bin/sh
# fault-holder-kill.sh (issue 12, faults): a holder killed with SIGKILL
# says nothing on its way out; lnshd must notice by itself. Then:
#   - `lnsh ls` and `lnsh ls --json` show the session as gone, with the
#     reason ("holder killed by signal 9"), until it is killed (forgotten),
#     its name reused, or keep-exited passes (server/lost.c);
#   - the other sessions are untouched: still running, still answering;
#   - lnshd keeps running;
#   - the name can be reused at once: `lnsh new` of it starts a session.
# Also: a holder that dies while lnshd is down is listed as gone by the
# next lnshd, which finds only its dead socket.
# Prints how long lnshd took to list the killed session as gone.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup fault-holder-kill
verbs_daemon

for n in a b c; do
	expect 0 "$LNSH" new mini "$n" -- /bin/sh
done
expect 0 "$LNSH" send mini a 'echo before-$((6*7))\n'
wait_for 10 sh -c "'$LNSH' capture mini a | grep -q before-42" ||
    fail "a does not answer"
HB=$(holder_pid b)
[ -n "$HB" ] || fail "no holder pid for b: $("$LNSHD" status \
    --single-user --state-dir "$STATE")"

# --- kill -9 of b's holder.
t0=$(ms_now)
kill -9 "$HB" || fail "kill -9 $HB"
wait_for 10 is_state b "gone holder killed by signal 9" ||
    fail "b after its holder's kill -9: $(sess_state b)"
t1=$(ms_now)
echo "holder kill -9: listed as gone $((t1 - t0)) ms later"
expect 0 "$LNSH" ls mini
grep -Eq '^b +gone +.*holder killed by signal 9' "$T/out" ||
    fail "ls table: $(cat "$T/out")"
# Listing again changes nothing.
is_state b "gone holder killed by signal 9" ||
    fail "listed twice: $(sess_state b)"

# --- the others are untouched, lnshd runs on.
kill -0 "$DAEMON_PID" 2>/dev/null || fail "lnshd died"
is_state a running || fail "a: $(sess_state a)"
is_state c running || fail "c: $(sess_state c)"
expect 0 "$LNSH" send mini a 'echo after-$((6*7))\n'
wait_for 10 sh -c "'$LNSH' capture mini a | grep -q after-42" ||
    fail "a does not answer after b's holder died"
# A gone session is not one to send to, wait for or attach to: 4, with
# the reason.
expect 4 "$LNSH" send mini b 'x'
grep -q "session 'b' on mini is gone (holder killed by signal 9)" \
    "$T/err" || fail "send to b: $(cat "$T/err")"
expect 4 "$LNSH" wait mini b
grep -q 'killed by signal 9' "$T/err" || fail "wait for b: $(cat "$T/err")"
attach_ends b 4 "$T/attach.out" || fail "attach --no-create b: $(cat \
    "$T/attach.out")"
grep -q "session 'b' on mini is gone (holder killed by signal 9)" \
    "$T/attach.out" || fail "attach b: $(cat "$T/attach.out")"

# --- the name can be reused at once.
expect 0 "$LNSH" new mini b -- /bin/sh
is_state b running || fail "b reused: $(sess_state b)"
expect 0 "$LNSH" send mini b 'echo again-$((6*7))\n'
wait_for 10 sh -c "'$LNSH' capture mini b | grep -q again-42" ||
    fail "the new b does not answer"

# --- kill forgets a gone session.
HC=$(holder_pid c)
kill -9 "$HC" || fail "kill -9 $HC"
wait_for 10 is_state c "gone holder killed by signal 9" ||
    fail "c: $(sess_state c)"
expect 0 "$LNSH" kill mini c
is_state c absent || fail "c after kill: $(sess_state c)"

# --- a holder that dies while lnshd is down: the next lnshd lists it.
HA=$(holder_pid a)
kill -9 "$DAEMON_PID"
wait_exit 10 "$DAEMON_PID" || fail "lnshd did not die"
kill -9 "$HA" || fail "kill -9 $HA"
wait_for 10 lnsh_gone "$HA" || fail "holder $HA still runs"
spawn lnshd2 "$LNSHD" --single-user --state-dir "$STATE" \
    --listen "127.0.0.1:$PORT" -v
DAEMON_PID=$LASTPID
wait_line 10 "$T/lnshd2.err" 'lnshd started' || fail "lnshd did not restart"
wait_for 10 is_state a "gone holder found dead when lnshd started" ||
    fail "a, dead while lnshd was down: $(sess_state a)"
is_state b running || fail "b after the restart: $(sess_state b)"

pass "a holder's kill -9 is listed with its reason; others untouched;" \
    "the name is reused ($((t1 - t0)) ms to notice)"
