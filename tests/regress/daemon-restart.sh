#!/bin/sh
# daemon-restart.sh: kill -9 of lnshd leaves every holder and shell
# running; a new lnshd on the same state dir adopts them, and serves them
# again with their screens intact: listed, captured and typed into. A
# session whose shell holds a TCP connection to a loopback server keeps
# it open and working across the kill and the restart.
. "$(dirname "$0")/lib.sh"
lnsh_setup daemon-restart

daemon_setup

# start_lnshd NAME ADDR: starts lnshd, waits for it, sets $PORT and $LPID.
start_lnshd() {
	spawn "$1" "$LNSHD" $D --listen "$2"
	LPID=$LASTPID
	wait_line 10 "$T/$1.err" 'lnshd started' || fail "$1 did not start"
	PORT=$(listen_port "$T/$1.err")
}
status_has() {
	"$LNSHD" status $D | grep -Eq "$1"
}

start_lnshd lnshd1 127.0.0.1:0
KEY=$("$LNSHD" pubkey $D) || fail "pubkey"

if [ -x "$LNSH" ]; then
	"$LNSH" keygen >/dev/null || fail "lnsh keygen"
	"$LNSH" pubkey >"$LNSH_CONFIG_DIR/authorized_keys" || fail "pubkey"
	chmod 600 "$LNSH_CONFIG_DIR/authorized_keys"
	echo "h 127.0.0.1:$PORT $KEY" >"$LNSH_CONFIG_DIR/hosts"
	new() { "$LNSH" new h "$@"; }
	send() { "$LNSH" send h "$@"; }
	capture() { "$LNSH" capture h "$1"; }
else
	new() { n=$1; shift; shift; "$HOLDERCTL" "$HDIR" new "$n" -- "$@" \
	    >/dev/null; }
	send() { "$HOLDERCTL" "$HDIR" send "$@"; }
	capture() { "$HOLDERCTL" "$HDIR" capture "$1"; }
fi
screen_has() {
	capture "$1" | grep -q -- "$2"
}

new s1 -- /bin/sh || fail "new s1"
new s2 -- /bin/sh || fail "new s2"
send s1 'echo mark-$((40+2))-one\n' || fail "send s1"
send s2 'echo mark-$((40+2))-two\n' || fail "send s2"
wait_for 10 screen_has s1 mark-42-one || fail "s1 screen"
wait_for 10 screen_has s2 mark-42-two || fail "s2 screen"
# lnshd adopted the holders it spawned through lnsh, or finds the
# holderctl ones at the restart.
SH1=$("$HOLDERCTL" "$HDIR" peek s1 | sed -n 's/^pid=//p')
[ -n "$SH1" ] || fail "no shell pid for s1"

# A loopback TCP server, and s2's shell holding a connection to it.
TCPOK=0
if command -v python3 >/dev/null 2>&1; then
	spawn tcp python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
f = c.makefile("rwb", buffering=0)
for line in f:
    f.write(b"echo:" + line)
'
	wait_for 10 test -s "$T/tcp.out" || fail "tcp server"
	TPORT=$(head -n 1 "$T/tcp.out")
	send s2 "python3 -c 'import socket,sys
s = socket.create_connection((\"127.0.0.1\", $TPORT))
f = s.makefile(\"rwb\", buffering=0)
for line in sys.stdin:
    f.write(line.encode()); print(f.readline().decode().strip())
'\n" || fail "send tcp client"
	send s2 'ping-a\n'
	wait_for 10 screen_has s2 'echo:ping-a' || fail "tcp before kill"
	TCPOK=1
fi

# --- kill -9: every holder and shell survives.
kill -9 "$LPID"
wait_exit 10 "$LPID" || fail "lnshd did not die"
kill -0 "$SH1" 2>/dev/null || fail "s1's shell died with lnshd"
[ -S "$HDIR/s1" ] && [ -S "$HDIR/s2" ] || fail "holder sockets gone"

# --- restart on the same port: both sessions adopted and served.
start_lnshd lnshd2 "127.0.0.1:$PORT"
grep -q '2 sessions adopted' "$T/lnshd2.err" ||
    fail "not adopted: $(cat "$T/lnshd2.err")"
status_has '^sessions 2$' || fail "status after restart"
status_has '^session [0-9]+ s1 running ' || fail "s1 not in status"
wait_for 10 screen_has s1 mark-42-one || fail "s1 screen lost"
wait_for 10 screen_has s2 mark-42-two || fail "s2 screen lost"
send s1 'echo after-$((1+1))\n' || fail "send after restart"
wait_for 10 screen_has s1 'after-2' || fail "s1 input after restart"
if [ -x "$LNSH" ]; then
	"$LNSH" ls h --json >"$T/ls.json" || fail "ls after restart"
	python3 - "$T/ls.json" <<'PY' || fail "ls: $(cat "$T/ls.json")"
import json, sys
a = json.load(open(sys.argv[1]))
assert sorted(s["name"] for s in a) == ["s1", "s2"], a
assert all(s["state"] == "running" for s in a), a
PY
fi
if [ $TCPOK = 1 ]; then
	send s2 'ping-b\n'
	wait_for 10 screen_has s2 'echo:ping-b' || fail "tcp after restart"
fi

# --- the new lnshd stops cleanly; kill-all through it ends both.
"$LNSHD" kill-all $D >"$T/killall.out" || fail "kill-all"
grep -qx 'killed 2' "$T/killall.out" || fail "kill-all: $(cat "$T/killall.out")"
wait_for 10 sh -c "! kill -0 $SH1 2>/dev/null" || fail "s1 survived kill-all"
status_has '^sessions 0$' || fail "sessions left after kill-all"
kill -TERM "$LPID"
wait_exit 10 "$LPID" || fail "lnshd did not stop"
[ "$EXITCODE" = 0 ] || fail "lnshd exited $EXITCODE"

pass "two sessions adopted after kill -9, screens intact, TCP=$TCPOK"
