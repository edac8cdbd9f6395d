#!/bin/sh
# attach-locale.sh: lnsh run in the C locale (LC_ALL=C, no LANG) still
# writes non-ASCII text into the local terminal's history: the session
# prints 60 lines with é, 日本, box drawing and an emoji in a 24-line
# screen, and the local pane's history must hold every one of them
# exactly, in order. The lines that scroll off reach the history as text
# the client measures itself (display_scroll_in_text), so character widths
# must not depend on the caller's LC_CTYPE (docs/display.md).
. "$(dirname "$0")/attach-lib.sh"
attach_setup attach-locale

# The client's environment: LC_ALL=C, and no LANG or LC_CTYPE in the
# tmux server's global environment that new panes start from.
tm set-environment -g -u LANG \; set-environment -g -u LC_CTYPE
tm show-environment -g 2>/dev/null | grep -E '^(LANG|LC_CTYPE)=' &&
    fail "LANG or LC_CTYPE still in the panes' environment"

# utf8 NN café 日本 ──── 😀 end, as octal escapes: the script itself
# may be read in any locale. Line 10 is followed by "utf8 wide " and 50
# times 日: 110 columns, which the session wraps after 35 of them; the
# client writes the first row to the last column and continues it without
# a newline only if it knows 日 takes two, and only then does the pane
# know the two rows as one line (capture-pane -J joins them).
i=1
while [ $i -le 60 ]; do
	printf 'utf8 %02d caf\303\251 \346\227\245\346\234\254 ' $i
	printf '\342\224\200\342\224\200\342\224\200\342\224\200 '
	printf '\360\237\230\200 end\n'
	if [ $i = 10 ]; then
		printf 'utf8 wide '
		j=0
		while [ $j -lt 50 ]; do
			printf '\346\227\245'
			j=$((j + 1))
		done
		printf '\n'
	fi
	i=$((i + 1))
done >"$T/want"

ATTACH_ENV='LC_ALL=C'
attach_pane a mini -- /bin/sh
attach_ready a
tm send-keys -t a "clear; cat '$T/want'; echo utf8-done" Enter
wait_screen 30 a '^utf8-done$'
# Lines 1..36 and the wide one are in the history, the rest on the
# screen; the history reaches the pane once the last frame is drawn. -J
# keeps the blanks a row was erased to: they are dropped.
in_history() {
	tm capture-pane -p -J -S - -t a | sed 's/ *$//' |
	    grep -E '^utf8 ' >"$T/got"
	cmp -s "$T/got" "$T/want"
}
wait_for 10 in_history || {
	diff "$T/want" "$T/got" | head -20
	fail "the pane's history does not hold the 61 UTF-8 lines as" \
	    "printed ($(wc -l <"$T/got") lines)"
}
pass "61 lines of é, 日本, ─ and 😀 in the local history under LC_ALL=C," \
    "the one wrapped after 35 wide characters joined"
