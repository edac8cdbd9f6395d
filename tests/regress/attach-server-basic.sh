#!/bin/sh
# attach-server-basic.sh: lnshd serves attach to tests/attachctl: attach
# creates the session; keys reach the shell; `seq 1 3000` arrives with
# every scrolled line in order in the received scrollback; a second
# client sees the same screen; the shell's exit sends SessionEnded with
# its status.
. "$(dirname "$0")/lib.sh"
lnsh_setup attach-server-basic

LNSHD=$B/lnshd
LNSH=$B/lnsh
ACTL=$B/tests/attachctl
LNSH_HOLDER=$B/server/lnsh-holder
export LNSH_HOLDER
for f in "$LNSHD" "$LNSH" "$ACTL" "$LNSH_HOLDER"; do
	[ -x "$f" ] || fail "$f not built"
done
HOME=$T/home
LNSH_CONFIG_DIR=$HOME/.config/lnsh
SHELL=/bin/sh
export HOME LNSH_CONFIG_DIR SHELL
mkdir -p "$HOME"
STATE=$T/state
D="--single-user --state-dir $STATE"
KEY=$("$LNSHD" pubkey $D) || fail "lnshd pubkey"
"$LNSH" keygen >/dev/null || fail "lnsh keygen"
"$LNSH" pubkey >"$LNSH_CONFIG_DIR/authorized_keys" || fail "pubkey"
chmod 600 "$LNSH_CONFIG_DIR/authorized_keys"
CK=$(ls "$LNSH_CONFIG_DIR"/*key* | grep -v '\.pub$' | grep -v authorized |
    head -1)
spawn lnshd "$LNSHD" $D --listen 127.0.0.1:0
wait_line 10 "$T/lnshd.err" 'lnshd started' || fail "lnshd did not start"
PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
    "$T/lnshd.err" | head -n 1)
[ -n "$PORT" ] || fail "no port in the log"

# --- attach creates the session; keys reach the shell.
"$ACTL" "$PORT" "$KEY" "$CK" s1 'echo hel""lo-attach\n' 'hello-attach' 10 \
    >"$T/a1.out" 2>&1 || fail "attach 1: $(cat "$T/a1.out" "$T/lnshd.err")"

# --- seq 1 3000: every scrolled line, in order.
"$ACTL" "$PORT" "$KEY" "$CK" s1 'seq 1 3000; echo do""ne-seq\n' \
    'done-seq' 20 >"$T/a2.out" 2>&1 || fail "attach 2: $(tail "$T/a2.out")"
grep '^line ' "$T/a2.out" | sed 's/^line [0-9]* //' |
    grep -x '[0-9]*' >"$T/nums"
first=$(head -1 "$T/nums")
[ -n "$first" ] || fail "no numbers in the scrollback"
seq "$first" "$(tail -1 "$T/nums")" | cmp -s - "$T/nums" ||
    fail "scrollback lines not complete and in order"
last_screen=$(grep '^screen [0-9]' "$T/a2.out" | head -1 | sed 's/screen //')
[ "$(tail -1 "$T/nums")" -eq $((last_screen - 1)) ] ||
    fail "scrollback ends at $(tail -1 "$T/nums"), screen at $last_screen"
[ "$first" -eq 1 ] || fail "scrollback starts at $first"

# --- a new client sees the same screen (the earlier ones are gone).
"$ACTL" "$PORT" "$KEY" "$CK" s1 - 'done-seq' 10 >"$T/a3.out" 2>&1 ||
    fail "reattach: $(cat "$T/a3.out")"

# --- the shell's exit: SessionEnded with its status.
"$ACTL" "$PORT" "$KEY" "$CK" s1 'exit 7\n' '' 10 >"$T/a4.out" 2>&1
st=$?
[ $st -eq 7 ] || fail "exit status $st: $(cat "$T/a4.out")"
grep -q '^ended 7' "$T/a4.out" || fail "no SessionEnded"
"$LNSHD" kill-all $D >/dev/null 2>&1
pass
