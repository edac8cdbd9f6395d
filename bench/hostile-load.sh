#!/bin/sh
# hostile-load.sh: N idle sessions under one lnshd (issue 12; default
# 1,000). Run by `make bench-hostile` (HOSTILE_SESSIONS=N) from the top
# build directory, never by make check.
#
# A single-user lnshd on loopback (max-sessions-per-user N); N sessions made one after the other
# with `lnsh new`, each an idle `/bin/sh`. Then it prints: the time the
# N `lnsh new` took; memory as PSS (/proc/PID/smaps_rollup: shared pages
# divided among the processes that map them) of lnshd before and after,
# of the holders and of their shells, and per session the holder plus
# lnshd's growth divided by N (goal <= 1.5 MB); lnshd's descriptors
# before and after, and per session beside the LNSHD_FDS_PER_SESSION
# that server/fdlimit.c budgets; and `lnsh ls --json` of the N, three
# times (goal <= 200 ms). Linux only (/proc).
#
# hostile-load.sh [N]

set -u
N=${1:-1000}
. "$(dirname "$0")/lib.sh"
[ -r /proc/self/smaps_rollup ] || {
	echo "hostile-load: needs /proc/PID/smaps_rollup (Linux 4.14)" >&2
	exit 77
}
verbs_setup hostile-load
D="--single-user --state-dir $STATE"
echo "max-sessions-per-user $N" >"$T/lnshd.conf"
mini_daemon --config "$T/lnshd.conf"

# pss PID...: the sum of their PSS, KB.
pss() {
	for p in "$@"; do
		cat "/proc/$p/smaps_rollup" 2>/dev/null
	done | awk '$1 == "Pss:" { n += $2 } END { print n + 0 }'
}
# fds PID: how many descriptors PID holds.
fds() {
	ls "/proc/$1/fd" | wc -l | tr -d ' '
}

pss_d0=$(pss "$LPID")
fd_d0=$(fds "$LPID")
t0=$(ms_now)
i=1
while [ $i -le "$N" ]; do
	"$LNSH" new mini "idle$i" -- env 'PS1=$ ' ENV= /bin/sh \
	    >"$T/new.out" 2>"$T/new.err" ||
	    fail "lnsh new idle$i: $(cat "$T/new.err")"
	i=$((i + 1))
done
t1=$(ms_now)
"$LNSHD" status $D >"$T/status" || fail "lnshd status"
holders=$(awk '$1 == "session" { print $NF }' "$T/status")
nh=$(echo "$holders" | wc -l | tr -d ' ')
[ "$nh" = "$N" ] || fail "lnshd lists $nh sessions, not $N"
shells=
for h in $holders; do
	shells="$shells $(cat "/proc/$h/task/$h/children" 2>/dev/null)"
done
# Let the shells print their prompts and settle before measuring.
sleep 2
pss_d1=$(pss "$LPID")
pss_h=$(pss $holders)
pss_s=$(pss $shells)
fd_d1=$(fds "$LPID")
fd_h=$(fds "$(echo "$holders" | head -n 1)")

echo "$N idle sessions (env PS1='\$ ' ENV= /bin/sh) under one single-user lnshd"
echo "lnsh new x $N: $((t1 - t0)) ms ($(( (t1 - t0) / N )) ms each)"
echo "PSS, KB: lnshd $pss_d0 -> $pss_d1, holders $pss_h" \
    "($((pss_h / N)) each), their shells $pss_s ($((pss_s / N)) each)"
echo "per session (holder + lnshd's growth / $N): $(( (pss_h + pss_d1 - pss_d0) / N )) KB (goal <= 1536);" \
    "with the shell $(( (pss_h + pss_s + pss_d1 - pss_d0) / N )) KB"
echo "lnshd descriptors: $fd_d0 -> $fd_d1," \
    "$(( (fd_d1 - fd_d0) * 100 / N / 100 )).$(( (fd_d1 - fd_d0) * 100 / N % 100 )) per session" \
    "(fdlimit.c budgets $(sed -n 's/^#define LNSHD_FDS_PER_SESSION[[:space:]]*\([0-9]*\).*/\1/p' \
    "$LNSH_SRCDIR/proto/wire.h")); one holder's: $fd_h;" \
    "$(sed -n 's/^max-sessions //p' "$T/status") sessions allowed by nofile" \
    "$(sed -n 's/^nofile //p' "$T/status")"
for k in 1 2 3; do
	a=$(ms_now)
	"$LNSH" ls --json mini >"$T/ls.json" 2>"$T/ls.err" ||
	    fail "lnsh ls: $(cat "$T/ls.err")"
	b=$(ms_now)
	n=$(grep -o '"name"' "$T/ls.json" | wc -l | tr -d ' ')
	echo "lnsh ls --json mini: $((b - a)) ms, $n sessions (goal <= 200 ms)"
done
a=$(ms_now)
"$LNSHD" kill-all $D >/dev/null 2>&1
b=$(ms_now)
echo "lnshd kill-all: $((b - a)) ms"
