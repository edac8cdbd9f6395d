#!/bin/sh
# verbs-exit.sh: lnsh's exit codes, each with its one-line message: 2 for
# every kind of bad usage, 3 when nothing answers (nothing listening on the
# port, and an lnshd that does not admit our key, which must look the
# same), 1 for other failures; 4 and 5 are in verbs-basic.sh.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup verbs-exit

# --- 2: usage. Nothing here needs a server.
expect 2 "$LNSH"
expect 2 "$LNSH" frobnicate
expect 2 "$LNSH" ls
expect 2 "$LNSH" ls a b
expect 2 "$LNSH" ls mini --jsn
expect 2 "$LNSH" ls mini -j
expect 2 "$LNSH" ls mini --json=yes
expect 2 "$LNSH" new mini
expect 2 "$LNSH" new mini 'bad name'
expect 2 "$LNSH" new mini x sh
expect 2 "$LNSH" new mini x --
expect 2 "$LNSH" kill mini "$(printf 'a%.0s' $(seq 1 65))"
expect 2 "$LNSH" kill mini x y
expect 2 "$LNSH" capture mini x --scrollback
expect 2 "$LNSH" capture mini x --scrollback -1
expect 2 "$LNSH" capture mini x --scrollback ten
expect 2 "$LNSH" capture mini x --scrollback 5 --all
expect 2 "$LNSH" send mini x
expect 2 "$LNSH" send mini x 'bad \q'
grep -q 'unknown escape' "$T/err" || fail "bad escape: $(cat "$T/err")"
expect 2 "$LNSH" send mini x 'trailing\'
expect 2 "$LNSH" send mini x '\x4'
expect 2 "$LNSH" keygen extra
expect 2 env LNSH_TIMEOUT=soon "$LNSH" ls mini
expect 2 env LNSH_TIMEOUT=0 "$LNSH" ls mini
# Help is not an error.
expect 0 "$LNSH" --help
grep -q '^  lnsh send ' "$T/out" || fail "--help: $(cat "$T/out")"
expect 0 "$LNSH" capture -h

# --- 1: no key yet, then no hosts entry for HOST.
expect 1 "$LNSH" pubkey
grep -q "lnsh keygen" "$T/err" || fail "no key: $(cat "$T/err")"
verbs_daemon
expect 1 "$LNSH" ls nowhere
expect 1 "$LNSH" ls "127.0.0.1:1"
grep -q "host key is unknown" "$T/err" || fail "unknown: $(cat "$T/err")"

# The daemon answers us: the baseline for what follows.
expect 0 "$LNSH" ls mini --json

# --- 3: a port where nothing listens. A UDP port is free once python's
# socket on it is closed; ICMP "port unreachable" must not make lnsh give
# up early or say anything different.
DEAD=$("$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
echo "dead 127.0.0.1:$DEAD $HOSTKEY" >>"$LNSH_CONFIG_DIR/hosts"
start=$(ms_now)
expect 3 env LNSH_TIMEOUT=1 "$LNSH" ls dead
end=$(ms_now)
[ $((end - start)) -le 4000 ] || fail "LNSH_TIMEOUT=1 took $((end - start)) ms"
grep -q "no answer from dead" "$T/err" || fail "exit 3: $(cat "$T/err")"
cp "$T/err" "$T/err.dead"

# --- 3: the running lnshd, with a key it does not know: the same answer.
OTHER=$T/other
mkdir -p "$OTHER"
LNSH_CONFIG_DIR=$OTHER "$LNSH" keygen >/dev/null || fail "keygen other"
echo "mini 127.0.0.1:$PORT $HOSTKEY" >"$OTHER/hosts"
expect 3 env LNSH_CONFIG_DIR="$OTHER" LNSH_TIMEOUT=1 "$LNSH" ls mini
grep -q "no answer from mini" "$T/err" || fail "unknown key: $(cat "$T/err")"
sed "s/dead (127.0.0.1:$DEAD)/H/" "$T/err.dead" >"$T/a"
sed "s/mini (127.0.0.1:$PORT)/H/" "$T/err" >"$T/b"
cmp -s "$T/a" "$T/b" || fail "unauthorized differs from unreachable:
$(cat "$T/a" "$T/b")"
expect 3 env LNSH_CONFIG_DIR="$OTHER" LNSH_TIMEOUT=1 "$LNSH" new mini x
expect 3 env LNSH_CONFIG_DIR="$OTHER" LNSH_TIMEOUT=1 "$LNSH" kill mini x

# --- 3: a host key in our hosts file that is not lnshd's.
WRONG=$("$LNSH" pubkey | cut -d' ' -f1,2)
echo "wrongkey 127.0.0.1:$PORT $WRONG" >>"$LNSH_CONFIG_DIR/hosts"
expect 3 env LNSH_TIMEOUT=1 "$LNSH" ls wrongkey

# Nothing above created a session.
expect 0 "$LNSH" ls mini --json
[ "$(cat "$T/out")" = "[]" ] || fail "sessions appeared: $(cat "$T/out")"

pass "usage 2; no answer 3 (nothing listening, unknown key, wrong" \
    "host key); other 1"
