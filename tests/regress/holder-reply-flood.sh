#!/bin/sh
# holder-reply-flood.sh: a program that asks the terminal for its
# attributes (ESC [ c) 10 million times and never reads its input does
# not grow its holder without bound: the emulator's answers wait for the
# pty within HOLDER_PTY_QUEUE, and what does not fit is dropped, the
# first drop logged. Before,
# every answer was queued: the holder grew by hundreds of megabytes.
# The holder's RSS is read with ps -o rss= (kilobytes, GNU and BSD).
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup holder-reply-flood
verbs_daemon
BOUND_KB=65536

# The program: the queries, then a mark; it never reads stdin, which is
# raw (as a full-screen program's is) so that the answers pile up.
cat >"$T/flood.sh" <<EOS
stty raw -echo
awk 'BEGIN { for (i = 0; i < 10000000; i++) printf "\\033[c" }'
touch "$T/flood.done"
exec sleep 600
EOS
expect 0 "$LNSH" new mini flood -- /bin/sh "$T/flood.sh"
"$LNSHD" status --single-user --state-dir "$STATE" >"$T/status" ||
    fail "lnshd status"
HPID=$(awk '$1 == "session" && $3 == "flood" { print $NF }' "$T/status")
[ -n "$HPID" ] || fail "no holder pid in: $(cat "$T/status")"

# rss_ok: the holder's RSS is under the bound; the largest seen is kept.
MAXRSS=0
rss_ok() {
	rss=$(ps -o rss= -p "$HPID" | tr -d ' ')
	[ -n "$rss" ] || fail "holder $HPID is gone"
	[ "$rss" -gt "$MAXRSS" ] && MAXRSS=$rss
	[ "$rss" -lt "$BOUND_KB" ] ||
	    fail "holder RSS $rss KB over $BOUND_KB KB during the flood"
}
# Sampled until the program is done writing (or 60 s), then once more.
flood_done() {
	rss_ok
	test -f "$T/flood.done"
}
wait_for 60 flood_done || fail "the program did not finish in 60 s"
rss_ok
echo "holder RSS at most $MAXRSS KB while 10M queries were answered"
# The drop is said once in lnshd's log, as the holder's line.
wait_line 10 "$T/lnshd.err" 'terminal replies dropped$' ||
    fail "the dropped replies were not logged: $(tail -5 "$T/lnshd.err")"
n=$(grep -c 'terminal replies dropped$' "$T/lnshd.err")
[ "$n" -eq 1 ] || fail "the dropped replies were logged $n times, not once"
pass "the holder's replies to the pty stay within their budget"
