#!/bin/sh
# holder-upgrade.sh: a holder an older lnsh started (holder protocol 1,
# answered by tests/old-holder.py as lnsh-holder did then) meets this
# lnshd, as after `brew upgrade lnsh` and a restart. lnshd greets it in
# version 2, hears its VERSION error, greets it again in version 1 and
# adopts it (docs/protocol.md section 14): `lnsh ls` lists it, `lnsh
# capture` and `lnsh send` reach it, an attach is refused with a message
# saying why and what to do while the holder runs on, and `lnsh kill` ends
# it. A holder of a version this lnshd does not know is left running and
# the log says why.
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup holder-upgrade
HDIR=$STATE/holders/$(id -u)
mkdir -p "$HDIR" && chmod 700 "$STATE" "$STATE/holders" "$HDIR" ||
    fail "mkdir $HDIR"

spawn old "$PY" "$S/tests/old-holder.py" "$HDIR/old" old 60
OLD_PID=$LASTPID
wait_for 10 test -S "$HDIR/old" || fail "the old holder did not listen"

verbs_daemon
wait_line 10 "$T/lnshd.err" 'lnshd started: .* 1 sessions adopted' ||
    fail "the old holder was not adopted: $(cat "$T/lnshd.err")"
grep -q 'adopted session old .*holder protocol 1' "$T/lnshd.err" ||
    fail "the log does not say the holder is old: $(cat "$T/lnshd.err")"

# Listed, captured, sent to.
expect 0 "$LNSH" ls mini
grep -q '^old' "$T/out" || fail "the old session is not listed: $(cat "$T/out")"
expect 0 "$LNSH" capture mini old
grep -q 'old holder screen' "$T/out" || fail "capture: $(cat "$T/out")"
expect 0 "$LNSH" send mini old 'hello old\n'
wait_for 5 grep -q 'hello old' "$HDIR/old.input" ||
    fail "send did not reach the old holder"

# An attach is refused, saying why and what to do; the holder runs on.
# (tests/attachctl: lnsh's attach needs a terminal; the reply is lnshd's.)
rc=0
"$B/tests/attachctl" "$PORT" "$HOSTKEY" "$LNSH_CONFIG_DIR/key" old - x 10 \
    >"$T/attach.out" 2>"$T/attach.err" || rc=$?
[ "$rc" = 1 ] || fail "attach exited $rc, not 1: $(cat "$T/attach.err")"
grep -q 'started by an older lnshd' "$T/attach.err" &&
    grep -q 'lnsh kill' "$T/attach.err" || fail "the attach refusal does" \
    "not say why and what to do: $(cat "$T/attach.err")"
echo "attach refused: $(cat "$T/attach.err")"
kill -0 "$OLD_PID" 2>/dev/null || fail "the old holder is gone after the attach"
expect 0 "$LNSH" ls mini
grep -q '^old' "$T/out" || fail "the old session left the list after the attach"

# Killed on request, and only then.
expect 0 "$LNSH" kill mini old
wait_exit 10 "$OLD_PID" || fail "the old holder did not exit after kill"
expect 0 "$LNSH" ls mini
grep -q '^old' "$T/out" && fail "the killed session is still listed"

# A version this lnshd does not know (3): not adopted, left running, the
# log says why.
sed 's/^VERSION = 1$/VERSION = 3/' "$S/tests/old-holder.py" >"$T/v3-holder.py"
spawn v3 "$PY" "$T/v3-holder.py" "$HDIR/future" future 60
V3_PID=$LASTPID
wait_for 10 test -S "$HDIR/future" || fail "the v3 holder did not listen"
kill "$DAEMON_PID"
wait_exit 10 "$DAEMON_PID" || fail "lnshd did not stop"
lnshd_listen --single-user --state-dir "$STATE" -v
DAEMON_PID=$LPID
wait_line 10 "$T/lnshd.err" 'cannot adopt session future.*speaks 3' ||
    fail "no word of the v3 holder: $(cat "$T/lnshd.err")"
kill -0 "$V3_PID" 2>/dev/null || fail "the v3 holder was killed"
kill "$V3_PID"
pass "an old holder is listed, captured, sent to, refused an attach with" \
    "the reason and killed on request; an unknown one is left running"
