#!/bin/sh
# clock-sleep.sh: lnsh's timers count time asleep as elapsed on Linux too
# (proto/clock.c: CLOCK_BOOTTIME), as macOS's CLOCK_MONOTONIC does. A
# Linux time namespace (unshare --time, root) whose boot clock is an hour
# ahead of its monotonic clock is what a process sees after an hour of
# suspend; test_clock checks there that ln_now_ns() is an hour ahead too.
# Skipped (77) where no time namespace can be made: macOS, or not root.

set -u
. "$(dirname "$0")/lib.sh"
lnsh_setup clock-sleep
PROG=$B/tests/unit/test_clock
[ -x "$PROG" ] || fail "$PROG not built"
if [ "$(uname -s)" != Linux ] || [ "$(id -u)" != 0 ] ||
    ! unshare --time --boottime 3600 true >/dev/null 2>&1; then
	echo "SKIP: clock-sleep: no time namespace here (Linux, root and" \
	    "unshare --time needed)"
	exit 77
fi
rc=0
LNSH_TEST_SLEPT_SEC=3600 unshare --time --boottime 3600 "$PROG" \
    >"$T/clock.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "test_clock after an hour asleep: $(cat "$T/clock.out")"
grep -q 'OK \] test_after_sleep' "$T/clock.out" ||
    fail "test_after_sleep did not run: $(cat "$T/clock.out")"
pass "an hour asleep is an hour elapsed for ln_now_ns()"
