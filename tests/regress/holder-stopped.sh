#!/bin/sh
# holder-stopped.sh: lnshd's side of a holder connection queues at most
# LN_HOLDER_QUEUE_MAX (2 MiB) of requests the holder has not read (here
# SIGSTOPped): `holderctl flood` asks to queue 32 MB of Input through the
# event-loop API lnshd uses and is refused past the budget, saying the
# session is not reading, and its RSS stays small. Before, every request
# was queued (+1 MB per 1 MB `lnsh send` to a stopped holder). The RSS is
# read with ps -o rss= (kilobytes, GNU and BSD).
. "$(dirname "$0")/lib.sh"
holder_setup holder-stopped
BOUND_KB=16384
DIR=$T/h
mkdir -m 700 "$DIR" || fail "mkdir"
"$HOLDERCTL" "$DIR" new st -- /bin/sh >"$T/new.out" 2>&1 ||
    fail "new: $(cat "$T/new.out")"
trap '"$HOLDERCTL" "$DIR" kill st >/dev/null 2>&1; lnsh_cleanup' EXIT
HPID=$(cat "$T/new.out")
trap 'kill -CONT "$HPID" 2>/dev/null;
    "$HOLDERCTL" "$DIR" kill st >/dev/null 2>&1; lnsh_cleanup' EXIT

# holderctl holds until its input ends: a fifo kept open meanwhile.
mkfifo "$T/in" || fail "mkfifo"
spawn flood sh -c 'exec "$1" "$2" flood st 33554432 <"$3"' sh \
    "$HOLDERCTL" "$DIR" "$T/in"
FPID=$LASTPID
exec 3>"$T/in"
wait_line 10 "$T/flood.out" '^open' || fail "flood did not open"
kill -STOP "$HPID" || fail "cannot stop $HPID"
echo go >&3
wait_line 20 "$T/flood.out" '^queued ' || fail "flood did not queue"
rss=$(ps -o rss= -p "$FPID" | tr -d ' ')
exec 3>&-
queued=$(sed -n 's/^queued //p' "$T/flood.out")
echo "queued $queued bytes of 32 MB asked; holderctl RSS $rss KB"
# What the socket took before the holder's buffer filled is not queued.
[ "$queued" -le 4194304 ] || fail "queued $queued bytes, over 2 MiB"

grep -q '^refused: session st is not reading' "$T/flood.out" ||
    fail "no refusal: $(cat "$T/flood.out")"
[ "$rss" -lt "$BOUND_KB" ] || fail "RSS $rss KB over $BOUND_KB KB"
wait_exit 10 "$FPID" || fail "flood did not end with its input"
kill -CONT "$HPID"
pass "requests for a stopped holder stay within LN_HOLDER_QUEUE_MAX"
