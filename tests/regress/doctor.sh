#!/bin/sh
# doctor.sh: `lnsh doctor` against a real lnshd. A TCP listener on
# loopback stands for the local-network host: both probes connect, exit 0.
# A closed loopback port: exit 1, one stderr line with the error text
# (Connection refused) and what to do. No answer from HOST: exit 3. Bad
# --lan and --wait: exit 2. Without --lan the target is the host's default
# gateway, the one `route -n get default` (macOS) or `ip route` (Linux)
# shows; as root on Linux, a second lnshd in a mount namespace whose
# /opt/homebrew/bin (first in a session's PATH) holds a stub of macOS's
# route(8) takes the macOS path of the doctor's script. The throwaway
# sessions are gone after each run.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup doctor
verbs_daemon

# A loopback listener that accepts and closes every connection.
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
# A port nothing listens on: bound once for a free number, then closed.
CPORT=$("$PY" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
')

# no_doctor_sessions: the listing holds no doctor-* session.
no_doctor_sessions() {
	"$LNSH" ls mini --json >"$T/ls.json" 2>/dev/null &&
	    ! grep -q '"name":"doctor-' "$T/ls.json"
}

# --- a listener: both probes connect.
expect 0 "$LNSH" doctor mini --lan "127.0.0.1:$LPORT" --wait 1
grep -q "TCP connection to 127\.0\.0\.1:$LPORT\$" "$T/out" ||
    fail "target: $(cat "$T/out")"
grep -q '^probe 1, .*: OK, connected$' "$T/out" ||
    fail "probe 1: $(cat "$T/out")"
grep -q '^waiting 1 s' "$T/out" || fail "wait: $(cat "$T/out")"
grep -q '^probe 2, .*: OK, connected$' "$T/out" ||
    fail "probe 2: $(cat "$T/out")"
grep -q '^OK: ' "$T/out" || fail "verdict: $(cat "$T/out")"
[ -s "$T/err" ] && fail "stderr on success: $(cat "$T/err")"
wait_for 10 no_doctor_sessions || fail "session left: $(cat "$T/ls.json")"

# --- a closed port: the errno text, what to do, exit 1.
expect 1 "$LNSH" doctor mini --lan "127.0.0.1:$CPORT" --wait=0
grep -q '^probe 1, .*: ERR Connection refused$' "$T/out" ||
    fail "probe 1: $(cat "$T/out")"
grep -q '^probe 2, .*: ERR Connection refused$' "$T/out" ||
    fail "probe 2: $(cat "$T/out")"
RE="^lnsh: doctor: probe 2 to 127\.0\.0\.1:$CPORT .*failed: Connection refused;"
grep -q "$RE .*--lan ADDR:PORT.*docs/macos\.md" "$T/err" ||
    fail "message: $(cat "$T/err")"
grep -q '^OK' "$T/out" && fail "OK on a closed port"
wait_for 10 no_doctor_sessions || fail "session left: $(cat "$T/ls.json")"

# --- usage errors, before anything is created.
expect 2 "$LNSH" doctor mini --lan 127.0.0.1
expect 2 "$LNSH" doctor mini --lan "127.0.0.1:0"
expect 2 "$LNSH" doctor mini --lan "-x:80"
expect 2 "$LNSH" doctor mini --wait -1
expect 2 "$LNSH" doctor mini --wait 5s
expect 2 "$LNSH" doctor

# --- no answer from HOST: exit 3 (a hosts line for a port with no lnshd).
echo "dead 127.0.0.1:$CPORT $HOSTKEY" >>"$LNSH_CONFIG_DIR/hosts"
LNSH_TIMEOUT=1 expect 3 "$LNSH" doctor dead --lan "127.0.0.1:$LPORT"

# --- no --lan: the default gateway on port 80, where there is one. Its
# answer depends on the network (exit 0 or 1); the target must be right.
GW=$(route -n get default 2>/dev/null |
    awk '$1 == "gateway:" { print $2; exit }')
[ -n "$GW" ] || GW=$(ip route show default 2>/dev/null |
    awk '$1 == "default" && $2 == "via" { print $3; exit }')
if [ -n "$GW" ]; then
	rc=0
	"$LNSH" doctor mini --wait 0 >"$T/out" 2>"$T/err" || rc=$?
	[ $rc = 0 ] || [ $rc = 1 ] || fail "gateway: exit $rc: $(cat "$T/err")"
	grep -q "TCP connection to $GW:80 (the host's default gateway)\$" \
	    "$T/out" || fail "gateway $GW: $(cat "$T/out") $(cat "$T/err")"
	wait_for 10 no_doctor_sessions || fail "session left"
	GWMSG="gateway $GW"
else
	GWMSG="no default route here"
fi

# --- macOS's gateway path: `route -n get default` through a stub. The
# session's PATH starts with /opt/homebrew/bin (docs/lnshd.md); a mount
# namespace puts the stub there for a second lnshd and its sessions only.
# The stub's gateway is a loopback address `ip route` never shows.
if [ "$(uname -s)" = Linux ] && [ "$(id -u)" = 0 ] && [ -d /opt ] &&
    unshare -m true >/dev/null 2>&1; then
	mkdir -p "$T/opt/homebrew/bin" "$T/state2"
	{
		echo '#!/bin/sh'
		echo "# route(8) as macOS prints \`route -n get default\`."
		echo "echo \"route \$*\" >>'$T/route.log'"
		echo '[ "$*" = "-n get default" ] || exit 1'
		echo 'echo "   route to: default"'
		echo 'echo "destination: default"'
		echo 'echo "       mask: default"'
		echo 'echo "    gateway: 127.0.0.7"'
		echo 'echo "  interface: en0"'
	} >"$T/opt/homebrew/bin/route"
	chmod 755 "$T/opt/homebrew/bin/route"
	spawn lnshd2 unshare -m sh -c "mount --bind '$T/opt' /opt &&
	    exec '$LNSHD' --single-user --state-dir '$T/state2' \
	    --listen 127.0.0.1:0 -v"
	wait_line 10 "$T/lnshd2.err" 'listening on 127\.0\.0\.1:[0-9]+' ||
	    fail "the second lnshd did not start"
	PORT2=$(listen_port "$T/lnshd2.err")
	KEY2=$("$LNSHD" pubkey --single-user --state-dir "$T/state2") ||
	    fail "lnshd pubkey"
	echo "mac 127.0.0.1:$PORT2 $KEY2" >>"$LNSH_CONFIG_DIR/hosts"
	rc=0
	"$LNSH" doctor mac --wait 0 >"$T/out" 2>"$T/err" || rc=$?
	"$LNSHD" kill-all --single-user --state-dir "$T/state2" \
	    >/dev/null 2>&1
	[ $rc = 0 ] || [ $rc = 1 ] ||
	    fail "stub gateway: exit $rc: $(cat "$T/err")"
	grep -q '^route -n get default$' "$T/route.log" 2>/dev/null ||
	    fail "the session did not run the stub route"
	grep -q "TCP connection to 127\.0\.0\.7:80 (the host's default gateway)\$" \
	    "$T/out" || fail "stub gateway: $(cat "$T/out") $(cat "$T/err")"
	GWMSG="$GWMSG; macOS route path through a stub"
else
	echo "note: doctor: macOS route path not tried (needs Linux, root" \
	    "and unshare -m)"
fi

pass "listener OK, closed port exit 1 with the errno text, exit 2, 3; $GWMSG"
