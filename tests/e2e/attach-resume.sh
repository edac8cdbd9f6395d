#!/bin/sh
# attach-resume.sh: lnshd killed with -9 while lnsh is attached, keys
# typed into lnsh while no lnshd runs, a new lnshd on the same port and
# state dir: lnsh resumes the SSP state the holder kept (holder protocol
# 2, docs/sync.md "Where SSP runs"). Every key arrives exactly once, and
# what the new lnshd sends until then is far below a full screen resync,
# which a second, fresh attach of the same screen measures. Both figures
# are printed.
. "$(dirname "$0")/attach-lib.sh"
attach_setup attach-resume

# keys_are S: the session's key log holds exactly S.
keys_are() {
	[ "$(cat "$T/keys" 2>/dev/null)" = "$1" ]
}

attach_pane a mini -- /bin/sh
attach_ready a

# A screen that costs something to send whole: 22 rows, every cell in its
# own colour. Then a key logger that echoes nothing, so the screen stays
# as it is: what is sent after the restart is sync overhead, not news.
cat >"$T/fill.sh" <<'EOF'
clear
awk 'BEGIN { for (r = 0; r < 22; r++) { s = ""
	for (c = 0; c < 79; c++)
		s = s sprintf("\033[38;5;%dm%c", (r * 79 + c) % 216 + 16,
		    65 + (r + c) % 26)
	printf "%s\033[0m\n", s } }'
EOF
tm send-keys -t a "sh '$T/fill.sh'; echo logger-\$((40+2)); " \
    "stty raw -echo; exec cat >'$T/keys'" Enter
wait_screen 10 a '^logger-42'
# The holder must know that lnsh has this screen before lnshd dies, or it
# rightly resends all of it: lnsh acknowledges a lone frame only a little
# later (SSP_ACK_DELAY_NS), which under ASan on a loaded machine came after
# the kill. Every SSP message lnsh sends carries its screen ack, so a key
# typed now and logged by the session says the holder has the ack.
tm send-keys -t a -l k
wait_for 10 keys_are k ||
    fail "a key typed before the restart: '$(cat "$T/keys")', want 'k'"

# --- kill -9 of lnshd; keys typed while none runs.
daemon_kill
KEYS=typed-while-down-0123456789
tm send-keys -t a -l "$KEYS"
# lnsh holds them (no lnshd to take them): none may have arrived.
keys_are k || fail "keys arrived with no lnshd: $(cat "$T/keys")"
KEYS=k$KEYS

daemon_again 2
wait_for 30 keys_are "$KEYS" || fail "the keys typed while lnshd was" \
    "down did not arrive once within 30 s: '$(cat "$T/keys")'" \
    "(lnshd: $(grep -E 'attach|resum' "$T/lnshd2.err"))"
resumed=$(lnshd_status tx_bytes)
[ -n "$resumed" ] || fail "no tx_bytes from lnshd status"
grep -q 'attached to main, resumed' "$T/lnshd2.err" ||
    fail "the attach was not resumed: $(cat "$T/lnshd2.err")"
# One more key after them: anything sent twice would come before it.
tm send-keys -t a -l Z
wait_for 10 keys_are "${KEYS}Z" ||
    fail "keys after the restart: '$(cat "$T/keys")', want '${KEYS}Z'"
still_attached a

# --- the same screen sent whole: a fresh attach of a second client.
before=$(lnshd_status tx_bytes)
attach_pane b mini
wait_screen 15 b '^logger-42'
wait_screen 15 b 'YZABCDEFG'
full=$(($(lnshd_status tx_bytes) - before))
echo "after the restart: ${resumed} bytes sent until every key arrived" \
    "(resumed); a fresh attach of the same screen: ${full} bytes"
[ "$resumed" -lt $((full / 4)) ] || fail "the resume sent $resumed bytes," \
    "not far below a full resync ($full)"
pass "every key typed while lnshd was down arrived once; the resume" \
    "sent $resumed bytes, a full screen $full"
