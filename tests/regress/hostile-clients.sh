#!/bin/sh
# hostile-clients.sh: many clients on one session (issue 12), the short
# form of bench/hostile-many.sh's second part: 20 as the issue asks, or
# LN_HOLDER_CLIENTS_MAX (proto/wire.h) if a holder serves fewer.
# tests/attachctl clients attach to one shell session, the last through
# tests/impair with 30% loss
# each way; each types "echo tok-K >>FILE" once the prompt shows. Every
# line must reach the shell exactly once (never lost, never twice, from
# the lossy client too), and after an end marker every client must show
# the session's screen as `lnsh capture` gives it.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup hostile-clients
ATTACHCTL=$B/tests/attachctl
IMPAIR=$B/tests/impair
for f in "$ATTACHCTL" "$IMPAIR"; do
	[ -x "$f" ] || fail "$f not built"
done
verbs_daemon
N=$(sed -n 's/^#define LN_HOLDER_CLIENTS_MAX[[:space:]]*\([0-9]*\).*/\1/p' \
    "$S/proto/wire.h")
[ -n "$N" ] || fail "no LN_HOLDER_CLIENTS_MAX in $S/proto/wire.h"
[ "$N" -gt 20 ] && N=20
expect 0 "$LNSH" new mini shared -- env 'PS1=$ ' ENV= /bin/sh

spawn impair "$IMPAIR" --listen 127.0.0.1:0 --to "127.0.0.1:$PORT" \
    --drop 30% --seed 7
wait_line 10 "$T/impair.out" '^listening' || fail "impair did not start"
LOSSY=$(awk '/^listening/ { print $3; exit }' "$T/impair.out")

: >"$T/typed"
pids=
k=1
while [ $k -le "$N" ]; do
	port=$PORT
	[ $k = "$N" ] && port=$LOSSY
	"$ATTACHCTL" -T '$' "$port" "$HOSTKEY" "$LNSH_CONFIG_DIR/key" shared \
	    "echo tok-$k >>$T/typed\\n" "END-X" 60 >"$T/c$k.out" \
	    2>"$T/c$k.err" &
	pids="$pids $!"
	LNSH_PIDS="$LNSH_PIDS $!"
	k=$((k + 1))
done
typed_all() {
	[ "$(wc -l <"$T/typed" | tr -d ' ')" -ge "$N" ]
}
wait_for 40 typed_all ||
    fail "$(wc -l <"$T/typed" | tr -d ' ') of $N typed lines arrived"
# The marker goes after every line (a line typed twice would come before
# it) and is the last output: the shell then sleeps, no prompt follows.
expect 0 "$LNSH" send mini shared "echo END-''X; exec sleep 100000\\n"
bad=
for p in $pids; do
	wait "$p" || bad="$bad $p"
done
[ -z "$bad" ] || fail "clients did not show the end:$bad"
k=1
while [ $k -le "$N" ]; do
	n=$(grep -cx "tok-$k" "$T/typed")
	[ "$n" = 1 ] || fail "client $k's line reached the shell $n times"
	k=$((k + 1))
done
[ "$(wc -l <"$T/typed" | tr -d ' ')" = "$N" ] ||
    fail "$(wc -l <"$T/typed") lines typed, not $N: $(cat "$T/typed")"
"$LNSH" capture mini shared | sed 's/[[:space:]]*$//' >"$T/capture" ||
    fail "lnsh capture"
k=1
while [ $k -le "$N" ]; do
	sed -n 's/^screen //p' "$T/c$k.out" | sed 's/[[:space:]]*$//' \
	    >"$T/screen"
	cmp -s "$T/screen" "$T/capture" || {
		diff "$T/capture" "$T/screen" | head -n 10 >&2
		fail "client $k's last screen is not the session's"
	}
	k=$((k + 1))
done
pass "$N clients (one behind 30% loss): each line once, all converged"
