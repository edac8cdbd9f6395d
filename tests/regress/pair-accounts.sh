#!/bin/sh
# pair-accounts.sh: what lnsh pair stores and says beyond the code itself.
# The account the server admitted the key for goes into the hosts line
# (USER@ADDRESS), `lnsh hosts` shows it and lnsh connects as it. A server
# whose key differs from the one stored for the alias is refused before
# the final message: both fingerprints are shown, nothing changes on
# either side and the code still works. An address where nothing listens
# names both causes, the likelier first, with the check for each.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup pair-accounts
AK=$HOME/.config/lnsh/authorized_keys
HOSTS=$LNSH_CONFIG_DIR/hosts
ME=$(id -un)

lnshd_listen --single-user --state-dir "$STATE" -v

new_code() {
	"$LNSHD" pair --single-user --state-dir "$STATE" >"$T/pair.out" \
	    2>"$T/pair.err" || fail "lnshd pair: $(cat "$T/pair.err")"
	CODE=$(grep -Eo '[0-9A-Z]{4}(-[0-9A-Z]{4}){4}' "$T/pair.out" |
	    head -n 1)
	[ -n "$CODE" ] || fail "no code in: $(cat "$T/pair.out")"
}

# --- nothing listens: both causes, in order, each with its check.
DEAD=$("$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
new_code
expect 1 env LNSH_TIMEOUT=1 "$LNSH" pair dead "127.0.0.1:$DEAD" "$CODE"
"$PY" - "$T/err" <<'PYEOF' || fail "no answer: $(cat "$T/err")"
import sys
e = open(sys.argv[1]).read()
a = e.find("lnshd is not running there or not on that port")
b = e.find("'lnshd status' there")
c = e.find("the code is wrong, expired or already used")
d = e.find("'lnshd pair' there")
sys.exit(0 if 0 <= a < b < c < d else 1)
PYEOF
[ -e "$HOSTS" ] && fail "a failed pairing wrote hosts: $(cat "$HOSTS")"

# --- the account: stored, shown, used.
"$LNSH" pair mini "127.0.0.1:$PORT" "$CODE" >"$T/out" 2>"$T/err" ||
    fail "pair: $(cat "$T/err")"
grep -q "^paired: mini is $ME@127.0.0.1:$PORT" "$T/out" ||
    fail "pair output: $(cat "$T/out")"
grep -q "^mini $ME@127.0.0.1:$PORT lnsh-x25519 " "$HOSTS" ||
    fail "hosts line: $(cat "$HOSTS")"
expect 0 "$LNSH" hosts
grep -q "^mini  *$ME@127.0.0.1:$PORT " "$T/out" ||
    fail "lnsh hosts: $(cat "$T/out")"
expect 0 "$LNSH" ls mini
# The stored account is the one asked for: another name is refused.
sed "s/^mini $ME@/mini nosuchuser@/" "$HOSTS" >"$T/hosts.new"
cp "$T/hosts.new" "$HOSTS"
expect 3 env LNSH_TIMEOUT=1 "$LNSH" ls mini
grep -q "account 'nosuchuser'" "$T/err" || fail "asked as: $(cat "$T/err")"
sed "s/^mini nosuchuser@/mini $ME@/" "$HOSTS" >"$T/hosts.new"
cp "$T/hosts.new" "$HOSTS"
expect 0 "$LNSH" ls mini

# --- the alias stored with another key: refused before the finish.
OTHER=$("$PY" -c 'import base64, os
print(base64.b64encode(os.urandom(32)).decode())')
expect 0 "$LNSH" host add mb 127.0.0.2:60100 "$OTHER"
cp "$HOSTS" "$T/hosts.before"
cp "$AK" "$T/ak.before"
new_code
rc=0
"$LNSH" pair mb "127.0.0.1:$PORT" "$CODE" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "a key mismatch exited $rc: $(cat "$T/err")"
grep -q 'REFUSED: HOST KEY MISMATCH' "$T/err" || fail "$(cat "$T/err")"
[ "$(grep -c 'BLAKE2B:' "$T/err")" = 2 ] ||
    fail "want both fingerprints: $(cat "$T/err")"
grep -q 'the code was not used' "$T/err" || fail "$(cat "$T/err")"
cmp -s "$HOSTS" "$T/hosts.before" || fail "hosts changed"
cmp -s "$AK" "$T/ak.before" || fail "authorized_keys changed"
grep -q 'already used' "$T/lnshd.err" && fail "the code was spent"
# The code still works, for a free alias.
"$LNSH" pair mini2 "127.0.0.1:$PORT" "$CODE" >"$T/out" 2>"$T/err" ||
    fail "the unspent code: $(cat "$T/err")"

pass "pairing stores and uses the account; conflicts change nothing"
