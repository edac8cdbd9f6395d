#!/bin/sh
# pair-basic.sh: `lnshd pair` and `lnsh pair` end to end on loopback with a
# real single-user lnshd. A wrong code, then the right one (which writes
# authorized_keys and hosts exactly once each, creates the client key, and
# after which `lnsh ls ALIAS` works), then the same code again, then an
# expired code: each failure exits 1 with the documented message and
# changes no file on either side. The wrong and the reused code are counted
# as pairing drops in `lnshd status`, apart from the channel's.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup pair-basic
AK=$HOME/.config/lnsh/authorized_keys
HOSTS=$LNSH_CONFIG_DIR/hosts
KEY=$LNSH_CONFIG_DIR/key
MSG="lnshd is not running there or not on that port (run 'lnshd status' there); the code is wrong, expired or already used (run 'lnshd pair' there for a new one)"

lnshd_listen --single-user --state-dir "$STATE" -v

# new_code [ENV=VALUE]: runs lnshd pair, sets $CODE.
new_code() {
	env "$@" "$LNSHD" pair --single-user --state-dir "$STATE" \
	    >"$T/pair.out" 2>"$T/pair.err" || fail "lnshd pair: $(cat "$T/pair.err")"
	CODE=$(grep -Eo '[0-9A-Z]{4}(-[0-9A-Z]{4}){4}' "$T/pair.out" | head -n 1)
	[ -n "$CODE" ] || fail "no code in: $(cat "$T/pair.out")"
	grep -q "127.0.0.1:$PORT" "$T/pair.out" ||
	    fail "lnshd pair does not show the listen address: $(cat "$T/pair.out")"
}

# pair_drop NAME: the count on lnshd status's "pair_drop NAME N" line.
pair_drop() {
	"$LNSHD" status --single-user --state-dir "$STATE" >"$T/status.out" ||
	    fail "lnshd status: $(cat "$T/status.out")"
	awk -v n="$1" '$1 == "pair_drop" && $2 == n { print $3 }' \
	    "$T/status.out"
}

# snapshot NAME: copies of every file that must not change.
snapshot() {
	for f in "$AK" "$HOSTS" "$KEY"; do
		if [ -e "$f" ]; then cat "$f"; else echo "(absent)"; fi
	done >"$T/snap.$1"
}

# must_fail ALIAS CODE: lnsh pair fails with the message, nothing changes.
must_fail() {
	snapshot before
	rc=0
	LNSH_TIMEOUT=3 "$LNSH" pair "$1" "127.0.0.1:$PORT" "$2" \
	    >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = 1 ] || fail "pair with a bad code exited $rc: $(cat "$T/err")"
	grep -qF "$MSG" "$T/err" || fail "message: $(cat "$T/err")"
	snapshot after
	cmp -s "$T/snap.before" "$T/snap.after" ||
	    fail "a failed pairing changed files"
}

new_code
GOOD=$CODE
# The stored file holds no code, only hashes.
NORM=$(echo "$GOOD" | tr -d -)
grep -rq "$NORM" "$STATE" && fail "the code itself is stored"
grep -rq "$GOOD" "$STATE" && fail "the code itself is stored"
[ "$(file_mode "$STATE/pairing/$(id -u)")" = 600 ] ||
    fail "code file is not 0600"

# 1. A wrong code (a fresh one the server never made).
new_code_text=$(echo "$GOOD" | tr '0123456789ABCDEFGHJKMNPQRSTVWXYZ' \
    '123456789ABCDEFGHJKMNPQRSTVWXYZ0')
must_fail mini "$new_code_text"
[ -e "$KEY" ] && fail "a failed pairing saved a client key"
grep -q 'no pending code matches' "$T/lnshd.err" ||
    fail "lnshd did not log the wrong code"
# No pending code's mac1 key fits a wrong code's init: a counted drop,
# which the channel's counters do not see.
[ "$(pair_drop bad_mac1)" -ge 1 ] ||
    fail "the wrong code is not a counted drop: $(grep drop "$T/status.out")"
grep -qx 'pair_drops [1-9][0-9]*' "$T/status.out" ||
    fail "pair_drops: $(grep drop "$T/status.out")"
grep -qx 'drops 0' "$T/status.out" ||
    fail "pairing drops counted as the channel's: $(grep drop "$T/status.out")"

# 2. The right code, typed in lower case without dashes.
LOWER=$(echo "$NORM" | tr 'A-Z' 'a-z')
"$LNSH" pair mini "127.0.0.1:$PORT" "$LOWER" >"$T/out" 2>"$T/err" ||
    fail "pairing failed: $(cat "$T/err")"
[ -f "$KEY" ] || fail "no client key after pairing"
[ "$(grep -c '^lnsh-x25519 ' "$AK")" = 1 ] ||
    fail "authorized_keys: $(cat "$AK")"
PUB=$("$LNSH" pubkey | awk '{print $2}')
grep -q "^lnsh-x25519 $PUB paired-from-" "$AK" ||
    fail "authorized_keys lacks our key: $(cat "$AK")"
[ "$(grep -c '^mini ' "$HOSTS")" = 1 ] || fail "hosts: $(cat "$HOSTS")"
HOSTKEY=$("$LNSHD" pubkey --single-user --state-dir "$STATE" | awk '{print $2}')
grep -q "^mini $(id -un)@127.0.0.1:$PORT lnsh-x25519 $HOSTKEY" "$HOSTS" ||
    fail "hosts line: $(cat "$HOSTS"), host key $HOSTKEY"
"$LNSH" ls mini >"$T/ls.out" 2>"$T/ls.err" ||
    fail "lnsh ls after pairing: $(cat "$T/ls.err")"

# 3. The same code again.
must_fail mini2 "$GOOD"
grep -q 'already used' "$T/lnshd.err" || fail "lnshd did not log the reuse"
[ "$(pair_drop pair_code_spent)" -ge 1 ] ||
    fail "the reused code is not a counted drop: $(grep drop "$T/status.out")"

# 4. An expired code (a lifetime of one second, then past it).
new_code LNSH_PAIR_TTL_SEC=1
end=$(($(ms_now) + 2000))
past() { [ "$(ms_now)" -gt "$end" ]; }
wait_for 5 past || fail "clock"
must_fail mini3 "$CODE"

# 5. Not a code at all: refused before anything is sent.
rc=0
"$LNSH" pair mini4 "127.0.0.1:$PORT" "not-a-code" >"$T/out" 2>"$T/err" ||
    rc=$?
[ "$rc" = 1 ] || fail "a malformed code exited $rc"

# 6. Pairing an alias again with the same server: still one line.
new_code
"$LNSH" pair mini "127.0.0.1:$PORT" "$CODE" >"$T/out" 2>"$T/err" ||
    fail "re-pairing mini: $(cat "$T/err")"
[ "$(grep -c '^mini ' "$HOSTS")" = 1 ] || fail "hosts: $(cat "$HOSTS")"

pass "wrong, reused, expired codes change nothing; a good one pairs once"
