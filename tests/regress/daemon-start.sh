#!/bin/sh
# daemon-start.sh: how lnshd starts, and how it refuses to (issue 13). A
# start that fails (the port in use, the state dir another lnshd's) leaves
# nothing behind: no host key, no state dir, not even the default one.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup daemon-start

# A running lnshd holds $PORT and its state dir $STATE.
verbs_daemon

# --- the port in use: exit 1, and the fresh state dir is not there.
rc=0
"$LNSHD" --single-user --state-dir "$T/fresh/state" \
    --listen "127.0.0.1:$PORT" >"$T/second.out" 2>"$T/second.err" || rc=$?
[ "$rc" = 1 ] || fail "second lnshd on a used port exited $rc"
[ -e "$T/fresh" ] && fail "a failed start left $(find "$T/fresh")"
# The same with the default state dir (\$HOME/.local/state/lnsh).
mkdir -p "$T/home2"
rc=0
env HOME="$T/home2" XDG_STATE_HOME= "$LNSHD" --single-user \
    --listen "127.0.0.1:$PORT" >"$T/third.out" 2>"$T/third.err" || rc=$?
[ "$rc" = 1 ] || fail "lnshd with the default state dir exited $rc"
[ -e "$T/home2/.local" ] &&
    fail "a failed start left $(find "$T/home2/.local")"

# --- the state dir locked by the running lnshd: its key is untouched,
# and nothing else appears there.
ls "$STATE" >"$T/before"
cp "$STATE/host_key" "$T/key.before"
rc=0
"$LNSHD" --single-user --state-dir "$STATE" --listen 127.0.0.1:0 \
    >"$T/fourth.out" 2>"$T/fourth.err" || rc=$?
[ "$rc" = 1 ] || fail "second lnshd on a used state dir exited $rc"
grep -q "another lnshd is running" "$T/fourth.err" ||
    fail "locked: $(cat "$T/fourth.err")"
ls "$STATE" >"$T/after"
cmp -s "$T/before" "$T/after" || fail "state dir changed: $(cat "$T/after")"
cmp -s "$STATE/host_key" "$T/key.before" || fail "host key changed"

# A start that succeeds still writes its new key, once, mode 0600.
expect 0 "$LNSH" ls mini
[ "$(ls -l "$STATE/host_key" | cut -c1-10)" = "-rw-------" ] ||
    fail "host key mode: $(ls -l "$STATE/host_key")"
pass "a failed start leaves nothing behind"
