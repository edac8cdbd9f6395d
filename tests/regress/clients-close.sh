#!/bin/sh
# clients-close.sh: one-shot commands say goodbye. With max-clients 16 and
# one client attached, 300 back-to-back `lnsh ls` (more than the limit)
# all succeed, and lnshd's client count comes back to the attached one:
# each ls ends with a CloseRequest and lnshd forgets its connection at
# once, rather than keep the slot for LN_PEER_IDLE_NS (issue 12).

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup clients-close
ATTACHCTL=$B/tests/attachctl
[ -x "$ATTACHCTL" ] || fail "$ATTACHCTL not built"
echo "max-clients 16" >"$T/lnshd.conf"
chmod 644 "$T/lnshd.conf"
verbs_daemon --config "$T/lnshd.conf"
clients_at_least() {
	[ "$(status_clients)" -ge "$1" ]
}

expect 0 "$LNSH" new mini s -- env 'PS1=$ ' ENV= /bin/sh
"$ATTACHCTL" -T '$' "$PORT" "$HOSTKEY" "$LNSH_CONFIG_DIR/key" s - \
    "END-X" 60 >"$T/attach.out" 2>"$T/attach.err" &
APID=$!
LNSH_PIDS="$LNSH_PIDS $APID"
wait_for 10 clients_at_least 1 || fail "the attached client is not counted:" \
    "clients $(status_clients)"

"$PY" - "$LNSH" 300 >"$T/loop.out" 2>&1 <<'PYEOF' ||
import subprocess, sys
lnsh, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    r = subprocess.run([lnsh, "ls", "mini"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit("call %d exited %d: %s" % (i, r.returncode, r.stderr))
print("%d calls succeeded" % n)
PYEOF
    fail "$(cat "$T/loop.out")"
wait_for 5 clients_are 1 ||
    fail "after 300 lnsh ls, clients $(status_clients), not 1 (attached)"
grep -q '^clients_closed 30[0-9]$' "$T/status.out" ||
    fail "closes: $(grep '^clients_closed' "$T/status.out")"
grep -q '^clients_evicted 0$' "$T/status.out" ||
    fail "evictions: $(grep '^clients_evicted' "$T/status.out")"
# The attached client was never disturbed: it sees what comes next.
expect 0 "$LNSH" send mini s "echo END-''X\\n"
wait "$APID" || fail "the attached client did not see the end"
pass "300 lnsh ls at max-clients 16 all served; clients back to 1"
