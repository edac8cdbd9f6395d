#!/bin/sh
# hostile-many.sh: many clients at once (issue 12). Run by `make
# bench-hostile` from the top build directory, never by make check.
# Clients are tests/attachctl (the attach protocol without a terminal),
# all on loopback against one single-user lnshd.
#
# 1. C clients on C sessions (default 50; each its own key), each session printing a line
#    every 10 ms for SECS seconds (default 60), then "END-n": every
#    client must see its session's end, and the screen it shows then must
#    be the session's screen as `lnsh capture` gives it. Prints the wall
#    time, lnshd's and the holders' CPU.
# 2. 20 clients on one shell session, the first through tests/impair
#    with 30% loss each way; a holder serving fewer (LN_HOLDER_CLIENTS_MAX)
#    refuses the rest, and they are counted. Each types "echo tok-K >>FILE" once; each
#    line must reach the shell exactly once. Then the session prints
#    20,000 lines and an end marker: every client must show the end, and
#    the time each took is printed, the lossy one apart (the others must
#    not wait for it).
#
# hostile-many.sh [C [SECS]]

set -u
C=${1:-50}
SECS=${2:-60}
. "$(dirname "$0")/lib.sh"
bench_linux hostile-many "CPU figures"
verbs_setup hostile-many
ATTACHCTL=$B/tests/attachctl
IMPAIR=$B/tests/impair
for f in "$ATTACHCTL" "$IMPAIR"; do
	[ -x "$f" ] || fail "$f not built"
done
D="--single-user --state-dir $STATE"
echo "max-sessions-per-user $((C + 10))" >"$T/lnshd.conf"
mini_daemon --config "$T/lnshd.conf"
CKEY=$LNSH_CONFIG_DIR/key
# key_for K: a client key of its own for client K, authorized. One key
# holds at most LN_PEERS_PER_KEY (32) connections: a 33rd makes lnshd
# forget the longest silent one, so C clients of one key would evict
# each other. C clients here are C people (or devices).
key_for() {
	[ -f "$T/k$1/key" ] || other_key "$T/k$1"
	echo "$T/k$1/key"
}
bad=0

# holders: the pids of lnshd's session holders.
holders() {
	"$LNSHD" status $D | awk '$1 == "session" { print $NF }'
}
# screen_of FILE: the last "screen" rows attachctl printed, trailing
# blanks cut; capture_of NAME: the session's screen from lnsh capture.
screen_of() {
	sed -n 's/^screen //p' "$1" | sed 's/[[:space:]]*$//' | tail -n 24
}
capture_of() {
	"$LNSH" capture mini "$1" | sed 's/[[:space:]]*$//' | tail -n 24
}
# same_screen FILE NAME: attachctl's last screen in FILE is session NAME's.
same_screen() {
	[ "$(screen_of "$1")" = "$(capture_of "$2")" ]
}

# ---- 1. C clients on C sessions, a line every 10 ms each.
echo "== $C clients on $C sessions, each printing a line every 10 ms for $SECS s"
n=$((SECS * 100))
pids=
t0=$(ms_now)
k=1
while [ $k -le "$C" ]; do
	key=$(key_for $k)
	(
		"$ATTACHCTL" "$PORT" "$HOSTKEY" "$key" "p$k" - "END-$k" \
		    $((SECS * 3 + 60)) python3 -c "
import sys, time
t = time.monotonic()
for i in range($n):
    print('p$k line %d' % i, flush=True)
    t += 0.01
    d = t - time.monotonic()
    if d > 0:
        time.sleep(d)
print('END-' + '$k', flush=True)
time.sleep(1e6)
" >"$T/p$k.out" 2>"$T/p$k.err"
		echo "$? $(ms_now)" >"$T/p$k.rc"
	) &
	pids="$pids $!"
	k=$((k + 1))
done
all_started() {
	[ "$(holders | wc -l)" -ge "$C" ]
}
wait_for 30 all_started ||
    fail "only $(holders | wc -l) sessions started"
hp=$(holders)
dpid=$LPID
c0=$(cpu_ticks $dpid)
h0=$(cpu_ticks $hp)
wait $pids
t1=$(ms_now)
c1=$(cpu_ticks $dpid)
h1=$(cpu_ticks $hp)
ok=0 worst=0
k=1
while [ $k -le "$C" ]; do
	set -- $(cat "$T/p$k.rc")
	if [ "$1" = 0 ] && same_screen "$T/p$k.out" "p$k"; then
		ok=$((ok + 1))
	else
		echo "  p$k: exit $1, screen $(screen_of "$T/p$k.out" | tail -n 1)" \
		    "vs capture $(capture_of "p$k" | tail -n 1)"
	fi
	d=$(($2 - t0))
	[ $d -gt $worst ] && worst=$d
	k=$((k + 1))
done
echo "converged: $ok of $C (their last screen = lnsh capture);" \
    "last client done $worst ms after the start (the printing takes $((SECS * 1000)) ms)"
echo "CPU over $(( (t1 - t0) / 1000 )) s: lnshd $(( (c1 - c0) * 1000 / HZ )) ms" \
    "($(( (c1 - c0) * 100000 / HZ / (t1 - t0) ))% of a core)," \
    "holders $(( (h1 - h0) * 1000 / HZ )) ms" \
    "($(( (h1 - h0) * 100000 / HZ / (t1 - t0) ))% of a core)"
[ "$ok" = "$C" ] || bad=1
"$LNSHD" kill-all $D >/dev/null 2>&1

# ---- 2. 20 clients on one session, one behind 30% loss.
echo
echo "== 20 clients on one session, one of them through 30% loss each way"
"$LNSH" new mini shared -- env 'PS1=$ ' ENV= /bin/sh >/dev/null 2>"$T/err" ||
    fail "lnsh new shared: $(cat "$T/err")"
"$IMPAIR" --listen 127.0.0.1:0 --to "127.0.0.1:$PORT" --drop 30% --seed 7 \
    >"$T/impair.out" 2>"$T/impair.err" &
LNSH_PIDS="$LNSH_PIDS $!"
wait_line 10 "$T/impair.out" '^listening' || fail "impair did not start"
LOSSY_PORT=$(awk '/^listening/ { print $3; exit }' "$T/impair.out")
: >"$T/typed"
pids=
k=1
while [ $k -le 20 ]; do
	port=$PORT
	[ $k = 1 ] && port=$LOSSY_PORT
	(
		"$ATTACHCTL" -T '$' "$port" "$HOSTKEY" "$CKEY" shared \
		    "echo tok-$k >>$T/typed\\n" "END-X" 300 \
		    >"$T/s$k.out" 2>"$T/s$k.err"
		echo "$? $(ms_now)" >"$T/s$k.rc"
	) &
	pids="$pids $!"
	k=$((k + 1))
done
# Every client has typed its line, or gone (refused: a holder serves at
# most LN_HOLDER_CLIENTS_MAX clients).
typed20() {
	[ $(( $(wc -l <"$T/typed") + $(ls "$T" | grep -c '^s[0-9]*\.rc$') )) \
	    -ge 20 ]
}
wait_for 60 typed20 || echo "  only $(wc -l <"$T/typed") of 20 lines typed arrived within 60 s"
refused=$(cat "$T"/s*.err 2>/dev/null | grep -c 'as many as it serves')
[ "$refused" = 0 ] || echo "  $refused clients refused: $(cat "$T"/s*.err |
    grep -m 1 'as many as it serves')"
t0=$(ms_now)
"$LNSH" send mini shared "seq 1 20000; echo END-''X; exec sleep 100000\\n" >/dev/null 2>"$T/err" ||
    fail "lnsh send: $(cat "$T/err")"
wait $pids
# The typed lines, counted once every client has shown the end marker,
# which the shell ran after them: a line typed twice came before it.
once=0
k=1
while [ $k -le 20 ]; do
	[ "$(grep -cx "tok-$k" "$T/typed")" = 1 ] && once=$((once + 1))
	[ "$(grep -cx "tok-$k" "$T/typed")" -gt 1 ] && bad=1
	k=$((k + 1))
done
echo "typed lines that reached the shell exactly once: $once of 20" \
    "($(wc -l <"$T/typed" | tr -d ' ') lines in all)"
[ "$once" = 20 ] || bad=1
ok=0
all=
k=1
while [ $k -le 20 ]; do
	set -- $(cat "$T/s$k.rc")
	if [ "$1" = 0 ] && same_screen "$T/s$k.out" shared; then
		ok=$((ok + 1))
	else
		echo "  s$k: exit $1: $(tail -n 1 "$T/s$k.err")"
	fi
	if [ $k = 1 ]; then
		lossy=$(($2 - t0))
		[ "$1" = 0 ] || lossy="refused"
	elif [ "$1" = 0 ]; then
		all="$all $(($2 - t0))"
	fi
	k=$((k + 1))
done
set -- $(printf '%s\n' $all | sort -n)
nd=$#
eval "med=\${$(( (nd + 1) / 2 ))} max=\${$nd}"
echo "converged: $ok of 20; seq 1 20000 to the end marker, ms: $nd direct" \
    "clients min $1, median $med, max $max; the lossy one $lossy"
[ "$ok" = 20 ] || bad=1
exit $bad
