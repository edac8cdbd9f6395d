#!/bin/sh
# lib-cleanup.sh: a test or bench whose output is closed while it runs
# (`| head -1`, a terminal gone) still ends what it spawned: lib.sh's
# cleanup runs on SIGPIPE and SIGHUP as it does on exit. Before, the
# shell died of the signal with its EXIT trap unrun: `bench/vs-mosh.sh
# | head -1` left lnshd, its holders, the mosh servers and the relays
# running.
. "$(dirname "$0")/lib.sh"
lnsh_setup lib-cleanup

# A script in lib.sh's harness: spawns a long sleeper, writes its pid,
# then writes lines until its output is closed. (Where SIGPIPE is
# ignored, as some harnesses leave it, the write fails instead and the
# loop ends: nothing to test there, and no hang.)
cat >"$T/inner.sh" <<INNER
. '$S/tests/regress/lib.sh'
lnsh_setup lib-cleanup-inner '$T'
spawn sleeper sleep 600
echo "\$LASTPID" >'$T/pid.tmp' && mv '$T/pid.tmp' '$T/pid'
while echo line 2>/dev/null; do
	:
done
INNER
LNSH_BUILDDIR=$B LNSH_SRCDIR=$S sh "$T/inner.sh" | head -n 1 >"$T/head.out"
[ "$(cat "$T/head.out")" = line ] || fail "the script wrote nothing"
[ -s "$T/pid" ] || fail "the script spawned nothing"
pid=$(cat "$T/pid")
LNSH_PIDS="$LNSH_PIDS $pid"	# ours to end, should the test fail
gone() {
	! kill -0 "$pid" 2>/dev/null
}
wait_for 10 gone || fail "process $pid, spawned by a script whose" \
    "output was closed, still runs: the script's cleanup did not run"
pass "a script's output closed under it: what it spawned was ended"
