#!/bin/sh
# daemon-fdlimit.sh: lnshd's descriptors. It raises its soft RLIMIT_NOFILE
# to the hard limit; under a limit of 84 it serves at most (84 - 64) / 4 =
# 5 sessions and refuses a 6th with a message that says what to do; when
# the control socket runs out of descriptors, lnshd pauses accepting
# rather than spinning (it used to spin at full CPU), says so once, and
# answers again once descriptors are free.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup daemon-fdlimit
"$LNSH" keygen >"$T/keygen.out" 2>&1 || fail "lnsh keygen"
"$LNSH" pubkey >"$HOME/.config/lnsh/authorized_keys" || fail "lnsh pubkey"
chmod 600 "$HOME/.config/lnsh/authorized_keys"
D="--single-user --state-dir $STATE"
# The connections that exhaust lnshd go before kill-all needs it to answer.
HOLDER_PID=""
fd_cleanup() {
	[ -n "$HOLDER_PID" ] && kill "$HOLDER_PID" 2>/dev/null
	verbs_cleanup
}
trap fd_cleanup EXIT

# status_value KEY: a line of `lnshd status`.
status_value() {
	"$LNSHD" status $D | sed -n "s/^$1 //p"
}

# start_lnshd SHELL-ULIMIT-ARGS: lnshd under `ulimit ARGS`.
start_lnshd() {
	: >"$T/lnshd.err"
	spawn lnshd sh -c "ulimit $1 && exec \"\$0\" \"\$@\"" "$LNSHD" $D \
	    --listen 127.0.0.1:0 -v
	LPID=$LASTPID
	wait_line 10 "$T/lnshd.err" 'lnshd started' ||
	    fail "lnshd did not start: $(cat "$T/lnshd.err")"
	PORT=$(listen_port "$T/lnshd.err")
	HOSTKEY=$("$LNSHD" pubkey $D) || fail "lnshd pubkey"
	echo "mini 127.0.0.1:$PORT $HOSTKEY" >"$LNSH_CONFIG_DIR/hosts"
}

stop_lnshd() {
	"$LNSHD" kill-all $D >/dev/null 2>&1
	kill "$LPID"
	wait_for 10 lnsh_gone "$LPID" || fail "lnshd did not stop"
}

# --- the soft limit goes up to the hard one (at most 65536); holders get
# the one lnshd started with.
hard=$(ulimit -H -n)
if [ "$hard" != unlimited ] && [ "$hard" -gt 200 ]; then
	want=$hard
	[ "$want" -gt 65536 ] && want=65536
	start_lnshd "-S -n 100"
	[ "$(status_value nofile)" = "$want" ] ||
	    fail "soft limit $(status_value nofile), not raised to $want"
	# A session's programs get the limit lnshd started with.
	expect 0 "$LNSH" new mini lim -- /bin/sh -c \
	    'ulimit -n >"$0.tmp" && mv "$0.tmp" "$0"; exec sleep 100000' \
	    "$T/lim"
	wait_for 10 test -s "$T/lim" || fail "the session did not run"
	[ "$(cat "$T/lim")" = 100 ] ||
	    fail "a session's soft limit is $(cat "$T/lim"), not 100"
	stop_lnshd
fi

# --- at most 5 sessions under a limit of 84.
start_lnshd "-n 84"
[ "$(status_value max-sessions)" = 5 ] ||
    fail "max-sessions $(status_value max-sessions), not 5"
for i in 1 2 3 4 5; do
	expect 0 "$LNSH" new mini "s$i" -- /bin/sh -c 'exec sleep 100000'
done
expect 1 "$LNSH" new mini s6 -- /bin/sh -c 'exec sleep 100000'
grep -q 'the most its descriptor limit allows (84 open files): kill a session, or raise' "$T/err" ||
    fail "6th session: $(cat "$T/err")"

# --- control connections that exhaust the rest: no spinning.
"$PY" - "$STATE/lnshd.sock" "$T/held" <<'PYEOF' &
import errno, os, socket, sys, time
socks, fails = [], 0
while len(socks) < 200 and fails < 40:
    s = socket.socket(socket.AF_UNIX)
    s.setblocking(False)
    try:
        s.connect(sys.argv[1])
        socks.append(s)
        fails = 0
    except OSError:
        s.close()
        fails += 1
        time.sleep(0.05)
open(sys.argv[2], "w").write("%d\n" % len(socks))
while os.path.exists(sys.argv[2]):
    time.sleep(0.05)
PYEOF
HOLDER_PID=$!
wait_for 20 test -s "$T/held" || fail "could not open the connections"
wait_line 10 "$T/lnshd.err" 'control socket: accept: .*not accepting for a moment' ||
    fail "lnshd did not say it paused: $(tail -3 "$T/lnshd.err")"
# lnshd's CPU time over 3 s of exhaustion, in hundredths of a second:
# /proc's clock ticks where there is one, else ps's whole seconds.
cpu() {
	if [ -r "/proc/$LPID/stat" ]; then
		awk '{ print $14 + $15 }' "/proc/$LPID/stat"
	else
		ps -o time= -p "$LPID" | awk -F'[:-]' '{ s = 0
		    for (i = 1; i <= NF; i++) s = s * 60 + $i; print s * 100 }'
	fi
}
past() {
	[ "$(ms_now)" -ge "$1" ]
}
c0=$(cpu)
wait_for 5 past $(($(ms_now) + 3000))
c1=$(cpu)
[ $((c1 - c0)) -le 30 ] ||
    fail "lnshd spun: $((c1 - c0)) hundredths of CPU s in 3 s"
rm -f "$T/held"
wait "$HOLDER_PID"
HOLDER_PID=""
wait_for 10 lnsh_quiet "$LNSHD" status $D ||
    fail "lnshd did not accept again once descriptors were free"
pass "RLIMIT_NOFILE raised, sessions capped by it, no accept spin"
