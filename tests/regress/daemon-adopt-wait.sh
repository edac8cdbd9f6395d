#!/bin/sh
# daemon-adopt-wait.sh: a restarted lnshd serves clients while it still
# adopts the holders it found (each under one deadline,
# HOLDER_IO_TIMEOUT_SEC). A request naming a session not adopted yet waits
# until adoption ends and is then answered (LN_ADOPT_HELD_MAX). Before, it
# was answered "no such session" (status 4) at once: an lnsh reattaching
# after a kill -9 of lnshd lost its session (fault-lnshd-kill.sh saw it).
# Here the holder is SIGSTOPped across the restart, so its adoption waits;
# a capture and a list sent meanwhile must wait, then see the session.
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup daemon-adopt-wait
verbs_daemon

expect 0 "$LNSH" new mini a -- /bin/sh
expect 0 "$LNSH" send mini a 'echo mark-$((6*7))\n'
wait_for 10 sh -c '"$1" capture mini a 2>/dev/null | grep -q mark-42' sh \
    "$LNSH" || fail "no mark on the screen"
HPID=$(holder_pid a)
[ -n "$HPID" ] || fail "no holder pid in lnshd status"
trap 'kill -CONT "$HPID" 2>/dev/null; verbs_cleanup' EXIT

kill -9 "$DAEMON_PID"
wait_exit 10 "$DAEMON_PID" || fail "lnshd did not die"
kill -STOP "$HPID" || fail "cannot stop holder $HPID"
spawn lnshd2 "$LNSHD" --single-user --state-dir "$STATE" -v \
    --listen "127.0.0.1:$PORT"
wait_line 10 "$T/lnshd2.err" 'listening on' || fail "lnshd did not restart"
grep -q 'lnshd started' "$T/lnshd2.err" &&
    fail "adoption ended with the holder stopped: the test sees nothing"

spawn cap "$LNSH" capture mini a
CPID=$LASTPID
spawn ls "$LNSH" ls mini
LSPID=$LASTPID
# Both wait (lnshd logs it), or, before the fix, are answered at once.
held() {
	[ "$(grep -c 'waits until the sessions found at start are adopted' \
	    "$T/lnshd2.err")" -ge 2 ] || { lnsh_gone "$CPID" &&
	    lnsh_gone "$LSPID"; }
}
wait_for 10 held || fail "requests neither held nor answered"
lnsh_gone "$CPID" && fail "capture answered before the session was" \
    "adopted: $(cat "$T/cap.err")"
grep -q 'lnshd started' "$T/lnshd2.err" &&
    fail "adoption ended before the requests came: the test sees nothing"
kill -CONT "$HPID"
wait_exit 15 "$CPID" || fail "capture did not end"
[ "$EXITCODE" = 0 ] || fail "capture exited $EXITCODE: $(cat "$T/cap.err")"
grep -q mark-42 "$T/cap.out" || fail "capture: $(cat "$T/cap.out")"
wait_exit 15 "$LSPID" || fail "ls did not end"
[ "$EXITCODE" = 0 ] || fail "ls exited $EXITCODE: $(cat "$T/ls.err")"
grep -q '^a ' "$T/ls.out" || fail "ls does not list a: $(cat "$T/ls.out")"
grep -q '1 sessions adopted' "$T/lnshd2.err" ||
    fail "not adopted: $(cat "$T/lnshd2.err")"
expect 0 "$LNSH" send mini a 'echo after-$((1+1))\n'
pass "a capture and a list sent while the session was being adopted" \
    "waited and saw it"
