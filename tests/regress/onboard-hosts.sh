#!/bin/sh
# onboard-hosts.sh: lnsh host add / rm and lnsh hosts against a real
# lnshd: the listing shows the fingerprint `lnshd` has; adding the same
# entry again is a no-op; a different host key under an existing alias,
# or for an address stored under another alias, is refused loudly with
# both fingerprints and the fix, and leaves the file unchanged; a stored
# key that is not the server's gets no answer (exit 3) and the server
# logs no client; a name resolving to several addresses (localhost: ::1
# and 127.0.0.1, lnshd on the second only) still connects.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup onboard-hosts

own_key
lnshd_listen --single-user --state-dir "$STATE" -v
HOSTKEY=$("$LNSHD" pubkey --single-user --state-dir "$STATE") ||
    fail "lnshd pubkey"
FP=$(sed -n 's/.*host key \(BLAKE2B:[^,]*\),.*/\1/p' "$T/lnshd.err" |
    head -n 1)
[ -n "$FP" ] || fail "no fingerprint in the lnshd log"
H=$LNSH_CONFIG_DIR/hosts

# Add (the key unquoted, as `lnshd pubkey` prints it), list, again.
# shellcheck disable=SC2086
expect 0 "$LNSH" host add mini "127.0.0.1:$PORT" $HOSTKEY
expect 0 "$LNSH" hosts
grep -q "^mini  *127\.0\.0\.1:$PORT  *$FP " "$T/out" ||
    fail "hosts listing: $(cat "$T/out")"
expect 0 "$LNSH" hosts --aliases
[ "$(cat "$T/out")" = mini ] || fail "--aliases: $(cat "$T/out")"
expect 0 "$LNSH" host add mini "127.0.0.1:$PORT" "$HOSTKEY"
grep -q 'already known' "$T/out" || fail "re-add said: $(cat "$T/out")"
[ "$(grep -c '^mini ' "$H")" = 1 ] || fail "re-add duplicated the line"
expect 0 "$LNSH" ls mini

# A different key under the alias: loud, both fingerprints, nothing
# changed; the same for the address under another alias.
LNSH_CONFIG_DIR=$T/other "$LNSH" keygen >/dev/null 2>&1 || fail "keygen"
OTHER=$(LNSH_CONFIG_DIR=$T/other "$LNSH" pubkey) || fail "pubkey other"
cp "$H" "$T/hosts.before"
rc=0
"$LNSH" host add mini "127.0.0.1:$PORT" "$OTHER" >"$T/out" 2>"$T/err" ||
    rc=$?
[ "$rc" = 1 ] || fail "changed key accepted (exit $rc)"
grep -q 'REFUSED: HOST KEY MISMATCH' "$T/err" ||
    fail "not loud: $(cat "$T/err")"
grep -q "$FP" "$T/err" || fail "stored fingerprint not shown"
[ "$(grep -c 'BLAKE2B:' "$T/err")" -ge 2 ] || fail "new fingerprint not shown"
grep -q 'lnsh host rm mini' "$T/err" || fail "no fix given: $(cat "$T/err")"
cmp -s "$H" "$T/hosts.before" || fail "hosts file changed"
rc=0
"$LNSH" host add twin "127.0.0.1:$PORT" "$OTHER" >"$T/out" 2>"$T/err" ||
    rc=$?
[ "$rc" = 1 ] && grep -q 'stored as alias' "$T/err" ||
    fail "same address, other key accepted: $(cat "$T/err")"
cmp -s "$H" "$T/hosts.before" || fail "hosts file changed (twin)"
expect 0 "$LNSH" host add twin "127.0.0.1:$PORT" "$HOSTKEY"
expect 1 "$LNSH" host add mini "127.0.0.2:$PORT" "$HOSTKEY"

# A stored key that is not the server's: nothing it can read is sent.
expect 0 "$LNSH" host rm twin
printf 'wrong 127.0.0.1:%s %s\n' "$PORT" "$OTHER" >>"$H"
n0=$(grep -c 'connected from' "$T/lnshd.err")
LNSH_TIMEOUT=1 expect 3 "$LNSH" ls wrong
[ "$(grep -c 'connected from' "$T/lnshd.err")" = "$n0" ] ||
    fail "the server accepted a client for a wrong host key"

# rm, then the alias is gone; rm of a missing alias fails.
expect 0 "$LNSH" host rm wrong
expect 1 "$LNSH" host rm wrong
expect 2 "$LNSH" host frob x
expect 2 "$LNSH" host add only-alias

# Every address a name resolves to is tried.
if getent hosts localhost >/dev/null 2>&1 || [ "$(uname)" = Darwin ]; then
	expect 0 "$LNSH" host add loc "localhost:$PORT" "$HOSTKEY"
	expect 0 "$LNSH" ls loc
fi
pass "host add/rm, hosts, key mismatch refused, resolver"
