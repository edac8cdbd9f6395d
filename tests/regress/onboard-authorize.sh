#!/bin/sh
# onboard-authorize.sh: the manual path to admit a client, against a real
# lnshd in single-user mode: `lnshd authorize` creates authorized_keys
# (0600, in a 0700 directory) and never adds a key twice, in quoted and
# unquoted form; `lnshd authorized` lists the keys, and a key's last use
# once it has logged in; `lnshd revoke` by comment refuses a comment that
# names two keys (file unchanged), removes by key, fingerprint, comment,
# and a revoked key gets no answer (exit 3).

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup onboard-authorize

D() { "$LNSHD" --single-user --state-dir "$STATE" "$@"; }
mode() { ls -ld "$1" | cut -c1-10; }
nkeys() { grep -c '^lnsh-x25519 ' "$AK"; }

"$LNSH" keygen >/dev/null 2>&1 || fail "lnsh keygen"
PUB=$("$LNSH" pubkey) || fail "lnsh pubkey"
LNSH_CONFIG_DIR=$T/c2 "$LNSH" keygen >/dev/null 2>&1 || fail "keygen 2"
PUB2=$(LNSH_CONFIG_DIR=$T/c2 "$LNSH" pubkey) || fail "pubkey 2"
LNSH_CONFIG_DIR=$T/c3 "$LNSH" keygen >/dev/null 2>&1 || fail "keygen 3"
PUB3=$(LNSH_CONFIG_DIR=$T/c3 "$LNSH" pubkey) || fail "pubkey 3"
rm -rf "$HOME/.config"
AK=$HOME/.config/lnsh/authorized_keys

# Creation, modes, no duplicates.
D authorize "$PUB" --comment laptop >"$T/out" 2>"$T/err" ||
    fail "authorize: $(cat "$T/err")"
[ -f "$AK" ] || fail "authorized_keys not created"
[ "$(mode "$AK")" = "-rw-------" ] || fail "file mode $(mode "$AK")"
[ "$(mode "$HOME/.config/lnsh")" = "drwx------" ] ||
    fail "dir mode $(mode "$HOME/.config/lnsh")"
grep -q ' laptop$' "$AK" || fail "--comment not used: $(cat "$AK")"
D authorize "$PUB" >"$T/out" 2>&1 || fail "authorize again: $(cat "$T/out")"
grep -q 'already admits' "$T/out" || fail "no 'already': $(cat "$T/out")"
[ "$(nkeys)" = 1 ] || fail "duplicate line added: $(cat "$AK")"
# shellcheck disable=SC2086 # unquoted on purpose: the words are joined
D authorize $PUB2 --comment=other >/dev/null 2>"$T/err" ||
    fail "unquoted authorize: $(cat "$T/err")"
[ "$(nkeys)" = 2 ] || fail "want 2 keys: $(cat "$AK")"

# Usage errors.
rc=0; D authorize not-a-key >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "bad key exited $rc, not 2"
rc=0; D authorize "$PUB" --bogus >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "unknown option exited $rc, not 2"
rc=0; D authorized --user nobody-else-here >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "another user in single-user mode exited $rc"
rc=0; "$LNSHD" --single-user pubkey --user x >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "pubkey took --user (exit $rc)"

# Listing: fingerprints, never used yet.
FP=$(D authorized | awk '$NF == "laptop" { print $1 }')
case $FP in BLAKE2B:*) ;; *) fail "no laptop line: $(D authorized)" ;; esac
D authorized | grep -q 'never *laptop$' || fail "laptop used already?"

# A login records the last use.
lnshd_listen --single-user --state-dir "$STATE" -v
HOSTKEY=$(D pubkey) || fail "lnshd pubkey"
"$LNSH" host add mini "127.0.0.1:$PORT" "$HOSTKEY" >/dev/null ||
    fail "host add"
expect 0 "$LNSH" ls mini
D authorized >"$T/list" || fail "authorized"
grep ' laptop$' "$T/list" | grep -Eq \
    ' [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z +laptop$' ||
    fail "no last use recorded: $(cat "$T/list")"
grep -q 'never *other$' "$T/list" || fail "other used?: $(cat "$T/list")"

# Revoke: an ambiguous comment changes nothing and lists both keys.
D authorize "$PUB3" --comment laptop >/dev/null || fail "authorize 3"
cp "$AK" "$T/ak.before"
rc=0; D revoke laptop >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "ambiguous revoke exited $rc"
[ "$(grep -c 'line [0-9]*: BLAKE2B:' "$T/err")" = 2 ] ||
    fail "ambiguous revoke did not list both: $(cat "$T/err")"
cmp -s "$AK" "$T/ak.before" || fail "ambiguous revoke changed the file"
B64=$(LNSH_CONFIG_DIR=$T/c3 "$LNSH" pubkey | cut -d' ' -f2)
D revoke "$B64" >/dev/null 2>"$T/err" ||
    fail "revoke by base64: $(cat "$T/err")"
[ "$(nkeys)" = 2 ] || fail "revoke by key: $(cat "$AK")"
D revoke laptop >"$T/out" 2>"$T/err" || fail "revoke: $(cat "$T/err")"
grep -q "revoked $FP" "$T/out" || fail "revoke said: $(cat "$T/out")"
[ "$(nkeys)" = 1 ] && grep -q ' other$' "$AK" ||
    fail "wrong lines left: $(cat "$AK")"
[ "$(mode "$AK")" = "-rw-------" ] || fail "mode after revoke $(mode "$AK")"
rc=0; D revoke laptop >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "revoking nothing exited $rc"
rc=0; D revoke "$(D authorized | awk '$NF == "other" { print $1 }')" \
    >/dev/null 2>&1 || rc=$?
[ "$rc" = 0 ] && [ "$(nkeys)" = 0 ] || fail "revoke by fingerprint"

# The revoked key no longer gets an answer.
LNSH_TIMEOUT=1 expect 3 "$LNSH" ls mini
pass "authorize, authorized with last use, revoke"
