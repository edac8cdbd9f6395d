#!/bin/sh
# attach-orphan.sh: the holder keeps an orphaned client's SSP state (its
# lnshd died under it) for a bounded time, LN_HOLDER_RESUME_SEC, then
# frees it. Within the bound a new lnshd resumes it (lnshd logs
# "attached to main, resumed"); past it the same client, coming back with
# the same token, gets a fresh attach (no "resumed") and a working
# session. The bound is 120 s; the test-only LNSH_TEST_RESUME_SEC
# (docs/hacking.md), which the holder reads from lnshd's environment,
# makes it $RESUME s here. The resume inside the window needs it longer
# than lnsh takes to find a restarted lnshd (its handshakes back off to
# one per 3 s), with room for a loaded machine. The wait past it is a
# wait for time to pass, which is what is tested: lnshd is down, and
# nothing else outside the holder could say when the state went.
. "$(dirname "$0")/attach-lib.sh"
RESUME=12
LNSH_TEST_RESUME_SEC=$RESUME
export LNSH_TEST_RESUME_SEC
attach_setup attach-orphan

attach_pane a mini -- /bin/sh
attach_ready a

# restart [N]: lnshd -9, and a new one (log $T/lnshdN.err) at once if N.
restart() {
	daemon_kill
	KILLED=$(ms_now)
	[ -z "${1:-}" ] || daemon_again "$1"
}
# attached N: lnshd N logged lnsh's attach.
attached() {
	grep -q 'attached to main' "$T/lnshd$1.err"
}

# --- within the window: resumed.
restart 2
wait_for $RESUME attached 2 ||
    fail "lnsh did not come back within $RESUME s: $(cat "$T/lnshd2.err")"
grep -q 'attached to main, resumed' "$T/lnshd2.err" ||
    fail "not resumed within the window: $(grep attached "$T/lnshd2.err")"
tm send-keys -t a "clear; echo resumed-\$((40+2))" Enter
wait_screen 10 a '^resumed-42'

# --- past it: the state is gone, a fresh attach with the same token.
# The holder orphans the client as lnshd's connection goes, and frees
# it from a timer armed in whole seconds (holder/holder-sync.c,
# hsync_reap): RESUME + 1 s after the orphan at most. So the wait is
# that from lnshd's death, and 1 s more for a loaded machine (a holder
# late to see the connection close, a late timer; valgrind).
restart
past() {
	[ "$(ms_now)" -ge $((KILLED + (RESUME + 2) * 1000)) ]
}
wait_for $((RESUME + 5)) past || fail "the clock did not move"
still_attached a
daemon_again 3
wait_for 30 attached 3 ||
    fail "lnsh did not come back: $(cat "$T/lnshd3.err")"
grep 'attached to main' "$T/lnshd3.err" | grep -q resumed &&
    fail "resumed after the bound: $(grep attached "$T/lnshd3.err")"
tm send-keys -t a "clear; echo fresh-\$((40+3))" Enter
wait_screen 10 a '^fresh-43'
"$LNSH" ls mini --json >"$T/ls.json" 2>&1 || fail "lnsh ls: $(cat "$T/ls.json")"
tr -d ' \n' <"$T/ls.json" | grep -q '"name":"main".*"clients":1,' ||
    fail "not one client after the fresh attach: $(cat "$T/ls.json")"
pass "resumed within ${RESUME} s; a fresh attach with the same token after"
