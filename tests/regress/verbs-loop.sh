#!/bin/sh
# verbs-loop.sh: a script calling lnsh in a loop never meets the handshake
# flood limiter. 200 back-to-back `lnsh ls` with one key, on loopback: each
# is a fresh handshake (more than LN_INIT_PER_KEY_PER_SEC a second), and
# none may wait for a resend (1 s): none over 500 ms, and lnshd counts no
# ratelimit drop. bench/ls-loop.sh measures the distribution.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup verbs-loop
verbs_daemon

"$PY" - "$LNSH" 200 0.5 >"$T/loop.out" 2>&1 <<'PYEOF' ||
import subprocess, sys, time
lnsh, n, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
times = []
for i in range(n):
    t0 = time.monotonic()
    r = subprocess.run([lnsh, "ls", "mini"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    times.append(time.monotonic() - t0)
    if r.returncode != 0:
        sys.exit("call %d exited %d: %s" % (i, r.returncode, r.stderr))
slow = [(i, t) for i, t in enumerate(times) if t > limit]
times.sort()
print("%d calls: median %.1f ms, max %.1f ms" %
      (n, 1000 * times[n // 2], 1000 * times[-1]))
if slow:
    sys.exit("over %.0f ms: %s" % (1000 * limit,
             ", ".join("#%d %.0f ms" % (i, 1000 * t) for i, t in slow)))
PYEOF
    fail "$(cat "$T/loop.out")"
cat "$T/loop.out"
"$LNSHD" status --single-user --state-dir "$STATE" >"$T/status.out" ||
    fail "lnshd status"
grep -q '^drop ratelimit 0$' "$T/status.out" ||
    fail "ratelimit drops: $(grep '^drop ratelimit' "$T/status.out")"
pass "200 back-to-back lnsh ls, none over 500 ms, no ratelimit drop"
