#!/bin/sh
# daemon-scrollback.sh: lnshd.conf's scrollback-lines 0 keeps no history,
# as tmux's history-limit 0 does: after `seq 1 100` a capture with all of
# the scrollback is the screen alone. lnsh-holder's --scrollback stops at
# lnshd.conf's bound (CONFIG_MAX_SCROLLBACK) and says so.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup daemon-scrollback

# --- the holder's bound, printed. The bad name stops a holder that took
# the number before it could start.
rc=0
"$LNSH_HOLDER" --scrollback 1000001 --name .. --dir "$T" \
    >"$T/holder.out" 2>"$T/holder.err" || rc=$?
[ $rc = 2 ] || fail "lnsh-holder --scrollback 1000001 exited $rc"
grep -q "'1000001': give a number from 0 to 1000000" "$T/holder.err" ||
    fail "lnsh-holder --scrollback 1000001: $(cat "$T/holder.err")"

# --- scrollback-lines 0: nothing kept past the screen.
echo "scrollback-lines 0" >"$T/lnshd.conf"
chmod 644 "$T/lnshd.conf"
verbs_daemon --config "$T/lnshd.conf"
expect 0 "$LNSH" new mini none -- sh -c 'seq 1 100; exec sleep 600'
# cap_has RE: the screen of session none matches RE.
cap_has() {
	"$LNSH" capture mini none >"$T/screen" 2>"$T/screen.err" &&
	    grep -Eq -- "$1" "$T/screen"
}
wait_for 10 cap_has '^100$' || fail "seq: $(cat "$T/screen")"
grep -qx 1 "$T/screen" && fail "line 1 on the screen: $(cat "$T/screen")"
expect 0 "$LNSH" capture mini none --all
cmp -s "$T/out" "$T/screen" ||
    fail "--all with scrollback-lines 0 is more than the screen: $(cat \
    "$T/out")"
expect 0 "$LNSH" capture mini none --scrollback 10
cmp -s "$T/out" "$T/screen" ||
    fail "--scrollback 10 with scrollback-lines 0: $(cat "$T/out")"
pass "scrollback-lines 0 keeps no line; lnsh-holder's bound is 1000000"
