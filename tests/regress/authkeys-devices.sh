#!/bin/sh
# authkeys-devices.sh: a user's authorized_keys is opened as that user and
# must be a regular file (issue 11, item 1). lnshd runs as root in a session
# of its own with no controlling terminal, as under systemd or launchd; a
# user points their authorized_keys at the slave of a pty they hold, and a
# handshake naming them must not make that pty lnshd's controlling
# terminal (whose ^C would then stop lnshd); a FIFO and /dev/zero are
# refused at once with a log line naming the file and what it is; a normal
# file still admits. Needs root, useradd and python3: else skipped (77).
. "$(dirname "$0")/lib.sh"
lnsh_setup authkeys-devices

users_setup authkeys-devices lnk
command -v python3 >/dev/null 2>&1 ||
    { echo "SKIP: authkeys-devices: no python3"; exit 77; }
lnshd_programs
LNSH_TIMEOUT=3
export LNSH_TIMEOUT
users_can_run authkeys-devices "$LNSH_HOLDER"

lnshd_options
users_keys
AK=$T/home-$UA/.config/lnsh/authorized_keys
cp "$AK" "$T/ak-$UA"

# lnshd as the leader of a new session with no controlling terminal.
spawn lnshd python3 -c 'import os, sys
os.setsid()
os.execv(sys.argv[1], sys.argv[1:])' "$LNSHD" $D --listen 127.0.0.1:0
LPID=$LASTPID
wait_line 10 "$T/lnshd.err" 'lnshd started' || fail "lnshd did not start"
PORT=$(listen_port "$T/lnshd.err")
users_hosts
# as USER VERB ARGS...: lnsh with USER's key, served as USER.
as() {
	u=$1 v=$2
	shift 2
	LNSH_CONFIG_DIR=$T/client-$u "$LNSH" "$v" "$u@h" "$@"
}
# The controlling terminal of lnshd, "?" for none.
lnshd_tty() {
	ps -o tty= -p "$LPID" | tr -d ' '
}
[ "$(lnshd_tty)" = "?" ] || fail "lnshd started with a terminal: $(lnshd_tty)"
as $UA ls >/dev/null || fail "a normal authorized_keys does not admit"

# The user holds a pty master and links authorized_keys to its slave.
H=$T/home-$UA
cat >"$H/pty.py" <<'PY'
import os, sys, time
d = sys.argv[1]
master, slave = os.openpty()
with open(d + "/pty.tmp", "w") as f:
    f.write(os.ttyname(slave) + "\n")
os.rename(d + "/pty.tmp", d + "/pty.name")
os.close(slave)
end = time.monotonic() + 60
while not os.path.exists(d + "/pty.go") and time.monotonic() < end:
    time.sleep(0.05)
os.write(master, b"\x03")
with open(d + "/pty.sent", "w") as f:
    f.write("sent\n")
while not os.path.exists(d + "/pty.done") and time.monotonic() < end:
    time.sleep(0.05)
PY
chown "$UA" "$H/pty.py"
spawn pty su "$UA" -s /bin/sh -c "exec python3 '$H/pty.py' '$H'"
wait_for 10 test -s "$H/pty.name" || fail "no pty for $UA"
PTS=$(cat "$H/pty.name")
[ -c "$PTS" ] || fail "$PTS is not a character device"
rm -f "$AK"
ln -s "$PTS" "$AK"
chown -h "$UA" "$AK"
rc=0; as $UA ls >/dev/null 2>&1 || rc=$?
[ $rc = 3 ] || fail "a pty as authorized_keys admitted ($rc)"
kill -0 "$LPID" 2>/dev/null || fail "lnshd died opening the pty"
t=$(lnshd_tty)
[ "$t" = "?" ] || fail "$PTS ($t) became lnshd's controlling terminal"
grep -q "$AK: refused: it is a character device" "$T/lnshd.err" ||
    fail "the pty's refusal is not logged with the file and the reason"
# ^C on that pty: sent, then lnshd still serves.
: >"$H/pty.go"
wait_for 10 test -s "$H/pty.sent" || fail "^C not written to the pty"
rm -f "$AK"
cp "$T/ak-$UA" "$AK"
chown "$UA" "$AK"
chmod 600 "$AK"
as $UA ls >/dev/null || fail "lnshd does not serve after ^C on the pty"
kill -0 "$LPID" 2>/dev/null || fail "lnshd stopped by ^C on $UA's pty"
: >"$H/pty.done"

# A FIFO (nobody writes it) and /dev/zero: refused and logged, at once.
rm -f "$AK"
su "$UA" -s /bin/sh -c "mkfifo -m 600 '$AK'" || fail "mkfifo"
rc=0; as $UA ls >/dev/null 2>&1 || rc=$?
[ $rc = 3 ] || fail "a FIFO as authorized_keys admitted ($rc)"
grep -q "$AK: refused: it is a FIFO" "$T/lnshd.err" ||
    fail "the FIFO's refusal is not logged with the file and the reason"
as $UB ls >/dev/null || fail "lnshd does not serve $UB after the FIFO"
rm -f "$AK"
ln -s /dev/zero "$AK"
chown -h "$UA" "$AK"
n=$(grep -c "$AK: refused: it is a character device" "$T/lnshd.err")
rc=0; as $UA ls >/dev/null 2>&1 || rc=$?
[ $rc = 3 ] || fail "/dev/zero as authorized_keys admitted ($rc)"
[ "$(grep -c "$AK: refused: it is a character device" "$T/lnshd.err")" \
    -gt "$n" ] || fail "/dev/zero's refusal is not logged"
as $UB ls >/dev/null || fail "lnshd does not serve $UB after /dev/zero"

# A normal file again: admitted.
rm -f "$AK"
cp "$T/ak-$UA" "$AK"
chown "$UA" "$AK"
chmod 600 "$AK"
as $UA ls >/dev/null || fail "a normal authorized_keys no longer admits"
kill -0 "$LPID" 2>/dev/null || fail "lnshd is gone"
pass "authorized_keys opened as the user: pty, FIFO, /dev/zero refused"
