#!/bin/sh
# ls-loop.sh: a script's loop of `lnsh ls HOST` against a single-user
# lnshd on loopback, beside the same loop of `tmux ls` (issue 13). Prints
# the distribution of each call's wall time (median, 90th and 99th
# percentile, max) and fails unless every lnsh call took at most 50 ms:
# a user's scripts must never meet the handshake flood limiter. Run by
# `make bench-ls` from the top build directory (never by make check).
#
# ls-loop.sh [N]	N calls of each (default 1000)

set -u
N=${1:-1000}
. "$(dirname "$0")/lib.sh"
verbs_setup ls-loop
verbs_daemon
"$LNSH" new mini main -- sh -c 'exec sleep 600' >/dev/null ||
    fail "lnsh new"

# loop LABEL LIMIT_MS CMD...: N timed calls; exit 1 if one exceeds LIMIT_MS.
loop() {
	"$PY" - "$N" "$@" <<'PYEOF'
import subprocess, sys, time
n, label, limit = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
cmd = sys.argv[4:]
t = []
for i in range(n):
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    t.append(1000 * (time.monotonic() - t0))
    if r.returncode != 0:
        sys.exit("%s: call %d exited %d" % (label, i, r.returncode))
s = sorted(t)
over = sum(1 for x in t if x > limit) if limit > 0 else 0
print("%-10s %5d calls  median %6.1f  p90 %6.1f  p99 %6.1f  max %7.1f ms"
      "%s" % (label, n, s[n // 2], s[n * 9 // 10], s[n * 99 // 100],
              s[-1], "  over %.0f ms: %d" % (limit, over) if limit else ""))
sys.exit(1 if over else 0)
PYEOF
}

rc=0
loop "lnsh ls" 50 "$LNSH" ls mini || rc=1
if command -v tmux >/dev/null 2>&1; then
	TMUX_SOCK=lnsh-bench-$$
	tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -s main \
	    'exec sleep 600' || fail "tmux new-session"
	loop "tmux ls" 0 tmux -L "$TMUX_SOCK" ls || rc=1
	tmux -L "$TMUX_SOCK" kill-server
else
	echo "tmux ls    (tmux not installed)"
fi
"$LNSHD" status --single-user --state-dir "$STATE" |
    grep -E '^(handshakes|drop ratelimit) '
[ $rc = 0 ] || fail "an lnsh ls took more than 50 ms"
pass "lnsh ls loop"
