#!/bin/sh
# daemon-basic.sh: lnshd in single-user mode on a free loopback port, in a
# temporary state dir with a temporary HOME: the host key is generated
# (mode 0600) and `lnshd pubkey` prints it; `lnshd status` answers with the
# listen address, clients, sessions and every drop counter, and says
# clearly when no lnshd runs; the scripting verbs work end to end (new,
# send, capture, ls --json, kill, and their exit codes); SIGTERM stops
# lnshd and leaves the sessions' holders running; `lnshd kill-all` ends
# them.
. "$(dirname "$0")/lib.sh"
lnsh_setup daemon-basic

daemon_setup
UID_=$(id -u)

# --- no daemon yet: status says so and fails.
"$LNSHD" status $D >"$T/nostatus.out" 2>&1 && fail "status without lnshd"
grep -q 'no lnshd is running' "$T/nostatus.out" ||
    fail "unclear status error: $(cat "$T/nostatus.out")"

# --- pubkey creates the key, mode 0600, and prints it.
KEY=$("$LNSHD" pubkey $D) || fail "lnshd pubkey"
case $KEY in
lnsh-x25519\ *) ;;
*) fail "pubkey printed: $KEY" ;;
esac
case $(ls -l "$STATE/host_key") in
-rw-------*) ;;
*) fail "host key mode: $(ls -l "$STATE/host_key")" ;;
esac
[ "$("$LNSHD" pubkey $D)" = "$KEY" ] || fail "pubkey changed"

# --- start lnshd on a free loopback port.
spawn lnshd "$LNSHD" $D --listen 127.0.0.1:0
LNSHD_PID=$LASTPID
wait_line 10 "$T/lnshd.err" 'lnshd started' || fail "lnshd did not start"
PORT=$(listen_port "$T/lnshd.err")
[ -n "$PORT" ] || fail "no port in the log"
"$LNSHD" status $D >"$T/status.out" || fail "lnshd status"
grep -qx "pid $LNSHD_PID" "$T/status.out" || fail "status pid"
grep -qx "mode single-user" "$T/status.out" || fail "status mode"
grep -qx "listen 127.0.0.1:$PORT" "$T/status.out" || fail "status listen"
grep -qx "clients 0" "$T/status.out" || fail "status clients"
grep -qx "drop bad_mac1 0" "$T/status.out" || fail "status drops"
case $(ls -l "$STATE/lnshd.sock") in
srw-------*) ;;
*) fail "control socket mode: $(ls -l "$STATE/lnshd.sock")" ;;
esac

# --- a second lnshd on the same state dir refuses to start.
"$LNSHD" $D --listen 127.0.0.1:0 2>"$T/second.err" &&
    fail "a second lnshd started"
grep -q 'another lnshd is running' "$T/second.err" ||
    fail "second lnshd: $(cat "$T/second.err")"

# --- junk datagrams are dropped and counted.
if command -v python3 >/dev/null 2>&1; then
	python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b'\x01' + b'x' * 200, ('127.0.0.1', $PORT))
"
	dropped() {
		"$LNSHD" status $D | awk '$1 == "drops" && $2 >= 5 { f = 1 }
		    END { exit !f }'
	}
	wait_for 10 dropped || fail "junk not counted: $("$LNSHD" status $D |
	    grep '^drop')"
fi

# --- the scripting verbs, once lnsh is built.
if [ -x "$LNSH" ]; then
	"$LNSH" keygen >/dev/null || fail "lnsh keygen"
	"$LNSH" pubkey >"$LNSH_CONFIG_DIR/authorized_keys" || fail "pubkey"
	chmod 600 "$LNSH_CONFIG_DIR/authorized_keys"
	echo "h 127.0.0.1:$PORT $KEY" >"$LNSH_CONFIG_DIR/hosts"
	"$LNSH" new h s1 -- /bin/sh 2>"$T/new.err" ||
	    fail "lnsh new: $(cat "$T/new.err")"
	rc=0; "$LNSH" new h s1 -- /bin/sh 2>/dev/null || rc=$?
	[ $rc = 5 ] || fail "second new s1 gave $rc, not 5"
	rc=0; "$LNSH" new h 'bad/name' 2>/dev/null || rc=$?
	# lnsh may refuse it as usage (2) before lnshd does (1).
	[ $rc = 1 ] || [ $rc = 2 ] || fail "bad name gave $rc"
	"$LNSH" send h s1 'echo hel""lo-$((6*7))\n' || fail "lnsh send"
	screen_has() {
		"$LNSH" capture h s1 | grep -q 'hello-42'
	}
	wait_for 10 screen_has || fail "send/capture: $("$LNSH" capture h s1)"
	# lnshd logs the holder's libevent method (select on macOS).
	m=$(sed -n 's/.*new session s1 for .*, event loop on //p' \
	    "$T/lnshd.err")
	holder_method_ok "$m" || fail "lnshd logged event loop '$m'"
	"$LNSH" ls h --json >"$T/ls.json" || fail "lnsh ls"
	python3 - "$T/ls.json" <<'PY' || fail "ls --json: $(cat "$T/ls.json")"
import json, sys
a = json.load(open(sys.argv[1]))
assert [s["name"] for s in a] == ["s1"], a
s = a[0]
assert s["state"] == "running" and s["exit_status"] is None, s
assert s["cols"] == 80 and s["rows"] == 24, s
assert s["pid"] > 0, s
PY
	rc=0; "$LNSH" capture h nope >/dev/null 2>&1 || rc=$?
	[ $rc = 4 ] || fail "capture of a missing session gave $rc, not 4"
	rc=0; "$LNSH" kill h nope 2>/dev/null || rc=$?
	[ $rc = 4 ] || fail "kill of a missing session gave $rc, not 4"
	# A session whose shell exits: its status is listed until killed.
	"$LNSH" new h s3 -- /bin/sh -c 'exit 3' || fail "new s3"
	s3_exited() {
		"$LNSHD" status $D | grep -q '^session [0-9]* s3 exited 3 '
	}
	wait_for 10 s3_exited || fail "s3 exit not seen"
	"$LNSH" ls h --json >"$T/ls3.json" || fail "lnsh ls (s3)"
	python3 - "$T/ls3.json" <<'PY' || fail "exited s3: $(cat "$T/ls3.json")"
import json, sys
a = {s["name"]: s for s in json.load(open(sys.argv[1]))}
assert a["s3"]["state"] == "exited" and a["s3"]["exit_status"] == 3, a
PY
	gone_s3() {
		"$LNSH" ls h --json | python3 -c '
import json, sys
sys.exit("s3" in [s["name"] for s in json.load(sys.stdin)])'
	}
	gone_s3 && fail "exited s3 not listed twice"
	"$LNSH" kill h s3 || fail "kill s3"
	gone_s3 || fail "killed s3 still listed"
	"$LNSHD" status $D >"$T/status2.out"
	grep -q '^handshakes [1-9]' "$T/status2.out" || fail "no handshakes"
	grep -q '^requests [1-9]' "$T/status2.out" || fail "no requests"
else
	"$HOLDERCTL" "$HDIR" new s1 -- /bin/sh >/dev/null || fail "holderctl new"
fi

# --- SIGTERM stops lnshd and leaves the session running.
HPID=$("$HOLDERCTL" "$HDIR" peek s1 | sed -n 's/^pid=//p')
[ -n "$HPID" ] || fail "no shell pid for s1"
kill -TERM "$LNSHD_PID"
wait_exit 10 "$LNSHD_PID" || fail "lnshd did not stop on SIGTERM"
[ "$EXITCODE" = 0 ] || fail "lnshd exited $EXITCODE on SIGTERM"
grep -q 'leaving 1 sessions running' "$T/lnshd.err" ||
    fail "no stop line in the log"
kill -0 "$HPID" 2>/dev/null || fail "the session's shell died with lnshd"
[ -S "$HDIR/s1" ] || fail "the holder's socket went with lnshd"
[ ! -e "$STATE/lnshd.sock" ] || fail "control socket left behind"

# --- kill-all without a daemon ends the sessions.
"$LNSHD" kill-all $D >"$T/killall.out" || fail "kill-all"
grep -qx 'killed 1' "$T/killall.out" || fail "kill-all: $(cat "$T/killall.out")"
wait_for 10 sh -c "! kill -0 $HPID 2>/dev/null" || fail "s1 survived kill-all"

pass "key, status, verbs, SIGTERM and kill-all"
