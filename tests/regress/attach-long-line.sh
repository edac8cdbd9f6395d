#!/bin/sh
# attach-long-line.sh: a scrollback line whose SGR encoding is longer than
# lnshd accepts (1024 cells, each in its own 24-bit colour with a combining
# mark: about 25 KB) costs neither the session nor the attach: the holder
# cuts the line at LN_SB_LINE_MAX where it encodes it, the attached client
# keeps its screen and sees what follows, `lnsh ls` still lists the
# session and lnshd logs no bad update. Before, lnshd dropped the holder
# on the line: the session vanished from the listing while its shell ran.
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup attach-long-line
ACTL=$B/tests/attachctl
[ -x "$ACTL" ] || fail "$ACTL not built"
SHELL=/bin/sh
export SHELL
verbs_daemon
CK=$(ls "$LNSH_CONFIG_DIR"/*key* | grep -v '\.pub$' | head -1)

# The line: 1024 cells 'a'..'z', colour i, U+0301 on each; a reset and a
# newline after it.
awk 'BEGIN {
	for (i = 0; i < 1024; i++)
		printf "\033[38;2;%d;%d;%dm%c\314\201", i % 256,
		    int(i / 4) % 256, (i * 7) % 256, 97 + i % 26
	printf "\033[0m\n"
}' >"$T/line" || fail "awk"
[ "$(wc -c <"$T/line" | tr -d ' ')" -gt 20480 ] || fail "line too short"

# Attach 1024 columns wide; the line scrolls off under 40 more lines.
"$ACTL" -W 1024 "$PORT" "$HOSTKEY" "$CK" wide \
    "cat $T/line; seq 1 40; echo do\"\"ne-wide\\n" 'done-wide' 20 /bin/sh \
    >"$T/a1.out" 2>&1 || fail "attach: $(tail -n 5 "$T/a1.out")"
grep -q '^screen done-wide' "$T/a1.out" || fail "the screen was not kept"
# The line arrives cut, within the limit every hop accepts.
grep '38;2;0;0;0m' "$T/a1.out" | grep '^line ' >"$T/long" ||
    fail "the long line did not arrive in the scrollback"
len=$(head -n 1 "$T/long" | sed 's/^line [0-9]* //' | wc -c | tr -d ' ')
[ "$len" -gt 8000 ] && [ "$len" -le 16385 ] ||
    fail "the long line arrived with $len bytes, not cut at 16 KiB"
grep -q 'bad screen update' "$T/lnshd.err" &&
    fail "lnshd refused an update: $(grep 'bad screen' "$T/lnshd.err")"

# The session is still lnshd's: listed, and attachable again.
expect 0 "$LNSH" ls mini
grep -q '^wide' "$T/out" || fail "wide is not listed: $(cat "$T/out")"
"$ACTL" -W 1024 "$PORT" "$HOSTKEY" "$CK" wide 'echo ag""ain\n' 'again' 20 \
    >"$T/a2.out" 2>&1 || fail "attach again: $(tail -n 5 "$T/a2.out")"
pass "a 25 KB escaped line keeps the attach, the listing and the screen"
