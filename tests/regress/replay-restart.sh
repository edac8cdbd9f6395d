#!/bin/sh
# replay-restart.sh: a client's datagrams, recorded on their way to lnshd
# (an initiation and transport packets), replayed after lnshd was killed
# with -9 and started again on the same state directory: no answer, each
# counted (init_replay, unknown_index), no handshake. lnshd keeps the last
# accepted timestamp per key in STATE/handshake-stamps; without it the
# replayed initiation was answered once after every restart. Then a
# state directory where that file cannot be written: lnshd says so,
# naming it, keeps serving, and `lnshd status` says "stamps memory".
. "$(dirname "$0")/lib.sh"
lnsh_setup replay-restart

daemon_setup
HSFLOOD=$B/tests/hsflood
[ -x "$HSFLOOD" ] || fail "$HSFLOOD not built"
[ -x "$LNSH" ] || fail "$LNSH not built"

status_is() {
	"$LNSHD" status $D | grep -q "^$1\$"
}

lnshd_listen $D
own_key
KEY=$("$LNSHD" pubkey $D) || fail "lnshd pubkey"

# The client talks to lnshd through a relay that records what it sends.
spawn rec "$HSFLOOD" record 127.0.0.1 "$PORT" "$T/client.rec"
RECPID=$LASTPID
wait_line 10 "$T/rec.out" '^listening ' || fail "recorder did not start"
RPORT=$(sed -n 's/^listening 127\.0\.0\.1 \([0-9]*\)$/\1/p' "$T/rec.out")
echo "h 127.0.0.1:$RPORT $KEY" >"$LNSH_CONFIG_DIR/hosts"
"$LNSH" ls h >"$T/ls1.out" 2>&1 || fail "lnsh ls through the recorder"
kill "$RECPID"
wait_exit 10 "$RECPID" || fail "recorder did not stop"
status_is 'handshakes 1' || fail "the recorded handshake did not count"
[ -s "$STATE/handshake-stamps" ] ||
    fail "no handshake-stamps after a handshake"
grep -q "^$("$LNSH" pubkey | awk '{print $2}') [0-9]*\$" \
    "$STATE/handshake-stamps" || fail "the client key is not in handshake-stamps"

# Replayed to the same lnshd: refused, as before.
"$HSFLOOD" replay 127.0.0.1 "$PORT" "$T/client.rec" 500 >"$T/replay1.out" ||
    fail "replay 1"
grep -q ' replies 0$' "$T/replay1.out" || fail "replay 1 was answered"
status_is 'drop init_replay 1' || fail "replay 1 not counted as init_replay"

# kill -9, and a new lnshd on the same state directory.
kill -9 "$LPID"
wait_exit 10 "$LPID"
mv "$T/lnshd.err" "$T/lnshd1.err"
lnshd_listen $D
"$HSFLOOD" replay 127.0.0.1 "$PORT" "$T/client.rec" 500 >"$T/replay2.out" ||
    fail "replay 2"
NREC=$(sed -n 's/^replayed \([0-9]*\) .*/\1/p' "$T/replay2.out")
[ "${NREC:-0}" -ge 2 ] || fail "fewer than 2 datagrams recorded ($NREC)"
grep -q ' replies 0$' "$T/replay2.out" ||
    fail "the replay after a restart was answered: $(cat "$T/replay2.out")"
status_is 'drop init_replay 1' || fail "replay 2's initiation not counted"
status_is "drop unknown_index $((NREC - 1))" ||
    fail "replay 2's transport packets not counted as unknown_index"
status_is 'handshakes 0' || fail "a replay made a handshake"
status_is 'stamps disk' || fail "stamps not on disk"
# The real client still gets in, straight to lnshd.
echo "h 127.0.0.1:$PORT $KEY" >"$LNSH_CONFIG_DIR/hosts"
"$LNSH" ls h >"$T/ls2.out" 2>&1 || fail "lnsh ls after the restart"
status_is 'handshakes 1' || fail "the real client's handshake did not count"

# A state directory where the file cannot be written (a directory in its
# way): lnshd says so, naming it, and serves on with them in memory.
kill "$LPID"
wait_exit 10 "$LPID"
mv "$T/lnshd.err" "$T/lnshd2.err"
rm -f "$STATE/handshake-stamps"
mkdir "$STATE/handshake-stamps"
lnshd_listen $D
grep -q "cannot record handshake timestamps in $STATE/handshake-stamps" \
    "$T/lnshd.err" || fail "no error naming handshake-stamps"
grep -q "memory only" "$T/lnshd.err" ||
    fail "the error does not say what lnshd does"
echo "h 127.0.0.1:$PORT $KEY" >"$LNSH_CONFIG_DIR/hosts"
"$LNSH" ls h >"$T/ls3.out" 2>&1 || fail "lnsh ls with unwritable stamps"
status_is 'stamps memory' || fail "status does not say stamps memory"
status_is 'handshakes 1' || fail "no handshake with unwritable stamps"

pass "a replay after kill -9 and restart is refused and counted; unwritable stamps are reported and lnshd serves on"
