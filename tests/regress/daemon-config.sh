#!/bin/sh
# daemon-config.sh: lnshd's config file. A malformed line is reported as
# file:line and lnshd exits non-zero without touching a running session;
# every subcommand reads the same file; a good file's listen address and
# log level are used; usage errors exit 2.
. "$(dirname "$0")/lib.sh"
lnsh_setup daemon-config

daemon_setup

# A session that must live through everything below.
"$LNSHD" pubkey $D >/dev/null || fail "pubkey"
mkdir -p "$STATE/holders" && chmod 700 "$STATE/holders"
HPID=$("$HOLDERCTL" "$HDIR" new s1 -- /bin/sh) || fail "holderctl new"
SPID=$("$HOLDERCTL" "$HDIR" peek s1 | sed -n 's/^pid=//p')

# --- a malformed line: file:line, non-zero exit, the session untouched.
CONF=$T/bad.conf
printf '# lnshd.conf\nlog-level info\nno-such-keyword 12\n' >"$CONF"
rc=0
"$LNSHD" $D --config "$CONF" --listen 127.0.0.1:0 2>"$T/bad.err" || rc=$?
[ $rc != 0 ] || fail "lnshd started with a bad config"
grep -q "$CONF:3" "$T/bad.err" || fail "no file:line: $(cat "$T/bad.err")"
kill -0 "$SPID" 2>/dev/null || fail "the session died"
kill -0 "$HPID" 2>/dev/null || fail "the holder died"
[ -S "$HDIR/s1" ] || fail "the holder's socket went"
[ ! -e "$STATE/lnshd.sock" ] || fail "lnshd got as far as its socket"
rc=0; "$LNSHD" status $D --config "$CONF" 2>"$T/bad2.err" || rc=$?
[ $rc = 1 ] && grep -q "$CONF:3" "$T/bad2.err" ||
    fail "status with a bad config: $rc $(cat "$T/bad2.err")"
printf 'log-level loud\n' >"$CONF"
rc=0; "$LNSHD" $D --config "$CONF" 2>"$T/bad3.err" || rc=$?
[ $rc != 0 ] && grep -q "$CONF:1" "$T/bad3.err" ||
    fail "bad value: $rc $(cat "$T/bad3.err")"
rc=0; "$LNSHD" $D --config "$T/missing.conf" 2>/dev/null || rc=$?
[ $rc != 0 ] || fail "a named config that does not exist was accepted"

# --- usage errors exit 2.
rc=0; "$LNSHD" --no-such-option 2>/dev/null || rc=$?
[ $rc = 2 ] || fail "unknown option gave $rc"
rc=0; "$LNSHD" no-such-command 2>/dev/null || rc=$?
[ $rc = 2 ] || fail "unknown command gave $rc"
rc=0; "$LNSHD" status --listen 127.0.0.1:1 $D 2>/dev/null || rc=$?
[ $rc = 2 ] || fail "status --listen gave $rc"

# --- a good config: its listen address and log level; adopts s1.
# Port 0 is for --listen only; the config gets a port that was free.
PORT=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET,
socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'listen 127.0.0.1:%s\nlog-level debug\n' "$PORT" >"$CONF"
spawn lnshd "$LNSHD" $D --config "$CONF"
LPID=$LASTPID
wait_line 10 "$T/lnshd.err" 'lnshd started' || fail "lnshd did not start"
grep -q "listening on 127.0.0.1:$PORT" "$T/lnshd.err" || fail "listen"
grep -q '1 sessions adopted' "$T/lnshd.err" || fail "s1 not adopted"
"$LNSHD" status $D --config "$CONF" | grep -qx "listen 127.0.0.1:$PORT" ||
    fail "status with the config"
kill -TERM "$LPID"
wait_exit 10 "$LPID" || fail "lnshd did not stop"
kill -0 "$SPID" 2>/dev/null || fail "the session died at the stop"
"$HOLDERCTL" "$HDIR" kill s1 || fail "holderctl kill"

pass "file:line errors, usage errors, config used, session untouched"
