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

# state NAME: "running", "exited N" or "gone", from `lnsh ls mini --json`.
state() {
	"$LNSH" ls mini --json >"$T/ls.json" 2>"$T/ls.err" || return 1
	"$PY" - "$T/ls.json" "$1" <<'PYEOF'
import json, sys
for s in json.load(open(sys.argv[1])):
    if s["name"] == sys.argv[2]:
        print(s["state"] if s["state"] == "running" else
              "exited %s" % s["exit_status"])
        break
else:
    print("gone")
PYEOF
}
is_state() {
	[ "$(state "$1")" = "$2" ]
}

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
wait_for 10 is_state ex "exited 3" || fail "ex: $(state ex)"
expect 0 "$LNSH" ls mini
grep -q '^ex  *exited 3' "$T/out" || fail "ls table: $(cat "$T/out")"
is_state ex "exited 3" || fail "listed once, then: $(state ex)"
is_state ex "exited 3" || fail "listed twice, then: $(state ex)"

# --- lnsh wait: an exited session's status, and waiting changes nothing.
status 3 "$LNSH" wait mini ex
is_state ex "exited 3" || fail "after wait: $(state ex)"

# --- kill forgets an exited session.
expect 0 "$LNSH" kill mini ex
is_state ex gone || fail "killed, then: $(state ex)"
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
is_state w running || fail "w: $(state w)"
expect 0 "$LNSH" send mini w 'go\n'
wait_exit 10 "$WAITPID" || fail "lnsh wait did not return"
[ "$EXITCODE" = 7 ] && [ ! -s "$T/wait.err" ] ||
    fail "wait gave $EXITCODE: $(cat "$T/wait.err")"
is_state w "exited 7" || fail "after wait, w: $(state w)"
# A signal is reported as a shell does: 128 + N.
expect 0 "$LNSH" new mini sig -- sh -c 'kill -TERM $$'
status 143 "$LNSH" wait mini sig --timeout 10

# --- attaching shows the last screen and the status, then it is gone.
expect 0 "$LNSH" new mini last -- sh -c 'echo LAST-$((6*7)); exit 5'
wait_for 10 is_state last "exited 5" || fail "last: $(state last)"
"$PY" - "$LNSH" "$T/attach.out" <<'PYEOF' || fail "attach: $(cat "$T/attach.out")"
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "attach", "mini", "last",
                           "--no-create"])
out = b""
end = time.time() + 15
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 1)
    if not r:
        continue
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
_, st = os.waitpid(pid, 0)
open(sys.argv[2], "wb").write(out)
sys.exit(0 if os.WEXITSTATUS(st) == 5 else 1)
PYEOF
grep -q 'LAST-42' "$T/attach.out" || fail "no last screen: $(cat "$T/attach.out")"
grep -q '\[session last exited with status 5\]' "$T/attach.out" ||
    fail "no exit line: $(cat "$T/attach.out")"
wait_for 10 is_state last gone || fail "after attach: $(state last)"

# --- keep-exited: an lnshd whose config keeps exited sessions 2 s.
kill "$DAEMON_PID"
wait_exit 10 "$DAEMON_PID" || fail "lnshd did not stop"
printf 'keep-exited 2s\n' >"$T/lnshd.conf"
spawn lnshd2 "$LNSHD" --single-user --state-dir "$STATE" \
    --listen "127.0.0.1:$PORT" --config "$T/lnshd.conf" -v
wait_line 10 "$T/lnshd2.err" 'listening on 127\.0\.0\.1' ||
    fail "lnshd did not restart: $(cat "$T/lnshd2.err")"
expect 0 "$LNSH" new mini short -- sh -c 'exit 9'
wait_for 10 is_state short "exited 9" || fail "short: $(state short)"
wait_for 15 is_state short gone || fail "keep-exited 2s: $(state short)"
is_state w "exited 7" || fail "w, from before the restart: $(state w)"

pass "exited sessions stay until killed, attached to or expired; wait"
