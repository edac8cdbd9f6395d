#!/bin/sh
# sessions-exited.sh: a session whose shell has exited stays listed, with
# its status, however often anyone lists (ls, completion); it goes when
# killed (kill forgets it), when a client attaches (which shows its last
# screen and how it ended), or when lnshd.conf's keep-exited time passes.
# lnsh wait returns a session's status, whether it has ended already or
# ends while lnsh waits, and 124 when --timeout passes first.
# Every holder here pauses 200 ms between forking its command and starting
# its loop (LNSH_TEST_SPAWN_PAUSE_MS), so that `exit 3` ends inside that
# window: a holder that began catching SIGCHLD only then never saw its
# command end and listed it running for ever.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup sessions-exited
LNSH_TEST_SPAWN_PAUSE_MS=200
export LNSH_TEST_SPAWN_PAUSE_MS
verbs_daemon

# status CODE CMD...: CMD exits CODE, saying nothing on stderr (lnsh wait
# exits with the session's status, which is no error of lnsh's).
status() {
	st_want=$1
	shift
	st_rc=0
	"$@" >"$T/out" 2>"$T/err" || st_rc=$?
	[ "$st_rc" = "$st_want" ] && [ ! -s "$T/err" ] ||
	    fail "'$*' exited $st_rc, not $st_want: $(cat "$T/err")"
}

# --- listing twice (and the table, as completion runs it) removes nothing.
expect 0 "$LNSH" new mini ex -- sh -c 'exit 3'
wait_for 10 is_state ex "exited 3" || fail "ex: $(sess_state ex)"
expect 0 "$LNSH" ls mini
grep -q '^ex  *exited 3' "$T/out" || fail "ls table: $(cat "$T/out")"
is_state ex "exited 3" || fail "listed once, then: $(sess_state ex)"
is_state ex "exited 3" || fail "listed twice, then: $(sess_state ex)"

# --- lnsh wait: an exited session's status, and waiting changes nothing.
status 3 "$LNSH" wait mini ex
is_state ex "exited 3" || fail "after wait: $(sess_state ex)"

# --- kill forgets an exited session.
expect 0 "$LNSH" kill mini ex
is_state ex absent || fail "killed, then: $(sess_state ex)"
expect 4 "$LNSH" wait mini ex

# --- lnsh wait on a running session: 124 on --timeout, else its status.
expect 0 "$LNSH" new mini w -- sh -c 'read x; exit 7'
expect 124 "$LNSH" wait mini w --timeout 0.5
grep -q "still running" "$T/err" || fail "timeout: $(cat "$T/err")"
"$LNSH" wait mini w >"$T/wait.out" 2>"$T/wait.err" &
WAITPID=$!
# The session must still be running when lnshd takes the wait (its log).
wait_line 10 "$T/lnshd.err" 'waits for w to end' ||
    fail "lnsh wait never reached lnshd: $(cat "$T/wait.err")"
is_state w running || fail "w: $(sess_state w)"
expect 0 "$LNSH" send mini w 'go\n'
wait_exit 10 "$WAITPID" || fail "lnsh wait did not return"
[ "$EXITCODE" = 7 ] && [ ! -s "$T/wait.err" ] ||
    fail "wait gave $EXITCODE: $(cat "$T/wait.err")"
is_state w "exited 7" || fail "after wait, w: $(sess_state w)"
# A signal is reported as a shell does: 128 + N.
expect 0 "$LNSH" new mini sig -- sh -c 'kill -TERM $$'
status 143 "$LNSH" wait mini sig --timeout 10

# --- attaching shows the last screen and the status, then it is gone.
expect 0 "$LNSH" new mini last -- sh -c 'echo LAST-$((6*7)); exit 5'
wait_for 10 is_state last "exited 5" || fail "last: $(sess_state last)"
attach_ends last 5 "$T/attach.out" || fail "attach: $(cat "$T/attach.out")"
grep -q 'LAST-42' "$T/attach.out" ||
    fail "no last screen: $(cat "$T/attach.out")"
grep -q '\[session last exited with status 5\]' "$T/attach.out" ||
    fail "no exit line: $(cat "$T/attach.out")"
wait_for 10 is_state last absent || fail "after attach: $(sess_state last)"

# --- keep-exited: an lnshd whose config keeps exited sessions 2 s.
kill "$DAEMON_PID"
wait_exit 10 "$DAEMON_PID" || fail "lnshd did not stop"
printf 'keep-exited 2s\n' >"$T/lnshd.conf"
spawn lnshd2 "$LNSHD" --single-user --state-dir "$STATE" \
    --listen "127.0.0.1:$PORT" --config "$T/lnshd.conf" -v
wait_line 10 "$T/lnshd2.err" 'listening on 127\.0\.0\.1' ||
    fail "lnshd did not restart: $(cat "$T/lnshd2.err")"
expect 0 "$LNSH" new mini short -- sh -c 'exit 9'
wait_for 10 is_state short "exited 9" || fail "short: $(sess_state short)"
wait_for 15 is_state short absent || fail "keep-exited 2s: $(sess_state short)"
is_state w "exited 7" || fail "w, from before the restart: $(sess_state w)"

pass "exited sessions stay until killed, attached to or expired; wait"
