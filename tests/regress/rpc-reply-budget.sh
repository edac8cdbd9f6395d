#!/bin/sh
# rpc-reply-budget.sh: lnshd keeps at most LN_RPC_CONN_MAX (4 MiB) of
# replies per client connection and LN_RPC_KEY_MAX (16 MiB) per key,
# queued or sent and unacknowledged; past them a request is answered BUSY
# (counted rpc_busy in `lnshd status`) or, past a small reserve, its reply
# is dropped (rpc_dropped). Twelve tests/replyflood clients of one key
# each send 100 whole-scrollback captures of a session with about 100 KB
# of scrollback and never acknowledge a reply (chan_client_mute_acks). Before, lnshd held every
# reply (about 120 MB here; 600 captures took it from 7 MB to 335 MB in
# the review). The RSS is read with ps -o rss= (kilobytes, GNU and BSD).
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup rpc-reply-budget
RF=$B/tests/replyflood
[ -x "$RF" ] || fail "$RF not built"
GROWTH_KB=40960
NCONN=12
# Under ASan freed blocks wait in a quarantine (256 MB by default) before
# they are reused, so RSS would measure the quarantine, not lnshd's
# budget: keep it small. Other builds ignore the variable.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
export ASAN_OPTIONS
verbs_daemon
CK=$(ls "$LNSH_CONFIG_DIR"/*key* | grep -v '\.pub$' | head -1)

# A second key, whose own budget lets its capture through: the sync point.
mkdir -m 700 "$T/client2" || fail "mkdir"
LNSH_CONFIG_DIR=$T/client2 "$LNSH" keygen >/dev/null 2>&1 || fail "keygen 2"
LNSH_CONFIG_DIR=$T/client2 "$LNSH" pubkey \
    >>"$HOME/.config/lnsh/authorized_keys" || fail "pubkey 2"
cp "$LNSH_CONFIG_DIR/hosts" "$T/client2/hosts" || fail "hosts"

# 1000 lines of 100 characters; the session keeps them in its scrollback.
expect 0 "$LNSH" new mini big -- sh -c 'awk "BEGIN { for (i = 0; i < 1000;
    i++) { printf \"%04d \", i; for (j = 0; j < 19; j++) printf \"abcde\";
    print \"\" } }"; echo end-of-""lines; exec sleep 600'
wait_or_fail "the scrollback" sh -c '"$1" capture mini big --all |
    grep -q "^end-of-lines"' sh "$LNSH"
"$LNSH" capture mini big --all >"$T/cap.out" ||
    fail "capture"
echo "one capture: $(wc -c <"$T/cap.out" | tr -d ' ') bytes"
rss0=$(ps -o rss= -p "$DAEMON_PID" | tr -d ' ')

# requests N: lnshd has received at least N requests.
got() {
	"$LNSHD" status --single-user --state-dir "$STATE" |
	    awk -v want="$1" '$1 == "requests" && $2 >= want { f = 1 }
	    END { exit !f }'
}
# One client at a time, each until lnshd has all its requests.
base=$("$LNSHD" status --single-user --state-dir "$STATE" |
    awk '$1 == "requests" { print $2 }')
total=0
i=0
while [ $i -lt $NCONN ]; do
	spawn "rf$i" "$RF" "$PORT" "$HOSTKEY" "$CK" big 100 120
	wait_line 20 "$T/rf$i.out" '^sent ' ||
	    fail "replyflood $i: $(cat "$T/rf$i.err")"
	total=$((total + $(sed -n 's/^sent //p' "$T/rf$i.out")))
	wait_for 20 got $((base + total)) ||
	    fail "lnshd did not get $total requests: $("$LNSHD" status \
	    --single-user --state-dir "$STATE" | grep '^requests')"
	i=$((i + 1))
done
# The second key's capture, which the holder answers after all of theirs.
LNSH_CONFIG_DIR=$T/client2 "$LNSH" capture mini big --all \
    >"$T/cap2.out" 2>&1 || fail "the second key's capture: $(cat "$T/cap2.out")"
grep -q '^end-of-lines' "$T/cap2.out" || fail "the second key's capture"
rss1=$(ps -o rss= -p "$DAEMON_PID" | tr -d ' ')
"$LNSHD" status --single-user --state-dir "$STATE" >"$T/status.out" ||
    fail "lnshd status"
busy=$(awk '$1 == "rpc_busy" { print $2 }' "$T/status.out")
dropped=$(awk '$1 == "rpc_dropped" { print $2 }' "$T/status.out")
echo "$total captures unacknowledged: lnshd RSS $rss0 KB -> $rss1 KB," \
    "rpc_busy ${busy:-none} rpc_dropped ${dropped:-none}"
[ $((rss1 - rss0)) -lt "$GROWTH_KB" ] ||
    fail "lnshd grew by $((rss1 - rss0)) KB, over $GROWTH_KB KB"
[ -n "$busy" ] && [ "$busy" -gt 0 ] || fail "no BUSY counted"
pass "replies held for clients stay within their budgets"
