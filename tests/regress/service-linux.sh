#!/bin/sh
# service-linux.sh: lnshd as the systemd unit runs it, without touching the
# live system. `lnshd install --platform systemd --root DIR` writes the
# unit under a temporary root (commands skipped); it has the right owner,
# mode and content. Then lnshd is started as the unit would start it: as
# root, in the foreground, in root mode, its ExecStart's program and
# arguments, with these appended so that it stays inside the test:
#   --config EMPTY --state-dir $T/state --listen 127.0.0.1:PORT
# and LNSH_HOLDER set to the built holder (the unit's lnshd is the
# configured sbindir's, which make check does not install; the built lnshd
# stands for it). A throwaway user makes a session, lnshd is killed with
# SIGKILL (a crash), started again the same way: the session is still
# listed by `lnsh ls --json`, with the same shell and its screen intact,
# and `lnsh doctor` against a loopback listener passes.
# Needs root (else skipped, 77), and useradd for the throwaway user.
set -u
. "$(dirname "$0")/lib.sh"
lnsh_setup service-linux

[ "$(id -u)" = 0 ] || { echo "SKIP: service-linux: needs root"; exit 77; }
command -v useradd >/dev/null 2>&1 && command -v userdel >/dev/null 2>&1 ||
    { echo "SKIP: service-linux: no useradd for a throwaway user"; exit 77; }
LNSHD=$B/lnshd
LNSH=$B/lnsh
LNSH_HOLDER=$B/holder/lnsh-holder
PY=${PYTHON3:-$(command -v python3)}
for f in "$LNSHD" "$LNSH" "$LNSH_HOLDER"; do
	[ -x "$f" ] || fail "$f not built"
done
[ -n "$PY" ] || fail "python3 not found: it is a declared dependency"
LNSH_CONFIG_DIR=$T/client
LNSH_TIMEOUT=5
export LNSH_HOLDER LNSH_CONFIG_DIR LNSH_TIMEOUT
unset LNSH_USER

# The throwaway user, whose sessions these are; the cleanup ends them all.
chmod 711 "$T"
U=lnsv$$
UCREATED=0
LPID=""
svc_cleanup() {
	[ -n "$LPID" ] && kill -KILL "$LPID" 2>/dev/null
	if [ $UCREATED = 1 ]; then
		[ -n "${D:-}" ] && "$LNSHD" kill-all $D >/dev/null 2>&1
		wait_for 10 sh -c "! pgrep -u $U >/dev/null" ||
		    pkill -KILL -u "$U" 2>/dev/null
		wait_for 10 sh -c "! pgrep -u $U >/dev/null"
		userdel "$U" 2>/dev/null
	fi
	lnsh_cleanup
}
trap svc_cleanup EXIT
# Not locked ('*', not useradd's '!'): lnshd's account check allows it.
useradd -M -d "$T/home" -s /bin/sh -p '*' "$U" ||
    { echo "SKIP: service-linux: useradd failed"; exit 77; }
UCREATED=1
su "$U" -s /bin/sh -c "test -x '$LNSH_HOLDER'" ||
    { echo "SKIP: service-linux: $U cannot run $LNSH_HOLDER"; exit 77; }

# --- install into a temporary root: the unit only, no systemctl run.
ROOT=$T/root
UNIT=$ROOT/etc/systemd/system/lnshd.service
mkdir -p "$ROOT/etc/systemd/system" || fail "mkdir"
"$LNSHD" install --platform systemd --root "$ROOT" >"$T/install.out" \
    2>"$T/install.err" || fail "install: $(cat "$T/install.err")"
grep -qx "wrote $UNIT owner root:root (0:0) mode 0644" "$T/install.out" ||
    fail "install output: $(cat "$T/install.out")"
grep -qx 'skip systemctl daemon-reload' "$T/install.out" &&
    grep -qx 'skip systemctl enable lnshd.service' "$T/install.out" &&
    grep -qx 'skip systemctl restart lnshd.service' "$T/install.out" ||
    fail "commands not skipped: $(cat "$T/install.out")"
[ -f "$UNIT" ] || fail "no $UNIT"
set -- $(ls -ln "$UNIT")
[ "$1" = "-rw-r--r--" ] && [ "$3" = 0 ] && [ "$4" = 0 ] ||
    fail "unit is $1 $3:$4, want -rw-r--r-- 0:0"
ls "$ROOT/etc/systemd/system" | grep -qvx lnshd.service &&
    fail "left over: $(ls "$ROOT/etc/systemd/system")"
for kv in Type=simple Restart=always KillMode=process TasksMax=infinity LimitNOFILE=65536 \
    WantedBy=multi-user.target; do
	grep -qx "$kv" "$UNIT" || fail "unit lacks $kv"
done
grep -Eq '^(User|Group|DynamicUser)=' "$UNIT" && fail "unit sets a user"
# What make builds from the template, where it has been built.
if [ -f "$B/launchd/lnshd.service" ]; then
	cmp -s "$UNIT" "$B/launchd/lnshd.service" ||
	    fail "unit differs from launchd/lnshd.service"
fi
"$LNSHD" service-status --platform systemd --root "$ROOT" \
    >"$T/status.out" 2>&1 || fail "service-status: $(cat "$T/status.out")"

# --- ExecStart: the program (an absolute path to lnshd) and its arguments.
EXEC=$(sed -n 's/^ExecStart=//p' "$UNIT")
set -- $EXEC
[ $# -ge 1 ] || fail "no ExecStart"
case $1 in
/*/lnshd) ;;
*) fail "ExecStart runs $1, not an absolute lnshd" ;;
esac
shift
EXEC_ARGS="$*"
: >"$T/empty.conf"
STATE=$T/state
D="--config $T/empty.conf --state-dir $STATE"

# start_unit NAME ADDR: lnshd as ExecStart runs it, plus the test's
# options; waits for it and sets $LPID and $PORT. It must not fork: the
# pid we started is the daemon.
start_unit() {
	spawn "$1" "$LNSHD" $EXEC_ARGS $D --listen "$2"
	LPID=$LASTPID
	wait_line 10 "$T/$1.err" 'lnshd started' ||
	    fail "$1 did not start"
	grep -q 'root mode' "$T/$1.err" || fail "$1 not in root mode"
	kill -0 "$LPID" 2>/dev/null || fail "$1 forked away or died"
	PORT=$(listen_port "$T/$1.err")
	[ -n "$PORT" ] || fail "$1: no port"
}
start_unit lnshd1 127.0.0.1:0

# The client's key, admitted for $U; the hosts line.
mkdir -p "$T/home/.config/lnsh"
"$LNSH" keygen >/dev/null || fail "lnsh keygen"
"$LNSH" pubkey >"$T/home/.config/lnsh/authorized_keys" || fail "pubkey"
chmod 600 "$T/home/.config/lnsh/authorized_keys"
chown -R "$U" "$T/home"
chmod 700 "$T/home"
KEY=$("$LNSHD" pubkey $D) || fail "lnshd pubkey"
echo "h 127.0.0.1:$PORT $KEY" >"$LNSH_CONFIG_DIR/hosts"
H=$U@h

screen_has() {
	"$LNSH" capture "$H" "$1" 2>/dev/null | grep -q -- "$2"
}
# shell_pid NAME: the pid ls --json gives for session NAME, if running.
shell_pid() {
	"$LNSH" ls "$H" --json >"$T/ls.json" || return 1
	"$PY" - "$T/ls.json" "$1" <<'PYEOF'
import json, sys
for s in json.load(open(sys.argv[1])):
    if s["name"] == sys.argv[2] and s["state"] == "running":
        print(s["pid"])
PYEOF
}

# --- a session, with something on its screen.
"$LNSH" new "$H" s1 -- /bin/sh || fail "lnsh new"
"$LNSH" send "$H" s1 'echo mark-$((40+2)) $(id -un)\r' || fail "lnsh send"
wait_for 10 screen_has s1 "mark-42 $U" || fail "s1 screen"
PID1=$(shell_pid s1) && [ -n "$PID1" ] || fail "s1 not listed"

# --- a crash: SIGKILL. The session's shell lives on.
kill -KILL "$LPID"
wait_exit 10 "$LPID" || fail "lnshd did not die"
LPID=""
kill -0 "$PID1" 2>/dev/null || fail "s1's shell died with lnshd"

# --- started again the same way, on the same port: s1 is back.
start_unit lnshd2 "127.0.0.1:$PORT"
grep -q '1 sessions\{0,1\} adopted' "$T/lnshd2.err" ||
    fail "not adopted: $(cat "$T/lnshd2.err")"
PID2=$(shell_pid s1) && [ -n "$PID2" ] || fail "s1 gone: $(cat "$T/ls.json")"
[ "$PID2" = "$PID1" ] || fail "s1's shell is $PID2, was $PID1"
wait_for 10 screen_has s1 "mark-42 $U" || fail "s1 screen lost"
"$LNSH" send "$H" s1 'echo after-$((1+1))\r' || fail "send after restart"
wait_for 10 screen_has s1 'after-2' || fail "s1 input after restart"

# --- lnsh doctor, from a session of the restarted lnshd.
spawn listener "$PY" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
while True:
    s.accept()[0].close()
'
wait_for 10 test -s "$T/listener.out" || fail "listener did not start"
LPORT=$(head -n 1 "$T/listener.out")
"$LNSH" doctor "$H" --lan "127.0.0.1:$LPORT" --wait 1 >"$T/doctor.out" \
    2>"$T/doctor.err" || fail "doctor: $(cat "$T/doctor.err")"
grep -q '^OK: ' "$T/doctor.out" || fail "doctor: $(cat "$T/doctor.out")"

pass "unit in a temporary root; lnshd as ExecStart; s1 survived kill -9;" \
    "doctor OK"
