#!/bin/sh
# notice.sh: the notice bar (client/display.c) shows its text as given,
# UTF-8 included: attach's "no contact" notice has an em dash, which the
# bar used to drop. Controls are dropped, and a notice wider than the
# terminal is cut on its own row, never wrapped onto the screen.
. "$(dirname "$0")/lib-e2e.sh"
e2e_setup notice

printf 'top line\n' >"$T/in"
DASH=$(printf '\342\200\224')
# The text attach shows (client/attach.c), and one with a control in it
# and far too long for 80 columns.
NOTICE="lnsh: no contact with mini for 4 s $DASH Ctrl-^ . to detach"
LONG="$(printf 'caf\303\251\tbar ')$(printf '%0100d' 0)"

# bar_is NOTICE WANT: fbplay -N NOTICE's bottom row reads WANT.
bar_is() {
	tm kill-session -t p >/dev/null 2>&1
	rm -f "$T/p.done"
	printf '%s' "$1" >"$T/notice"
	tm new-session -d -s p -x "$E2E_COLS" -y "$E2E_ROWS" \
	    "TERM=$E2E_TERM exec '$B/tests/fbplay' -H -m '$T/p.done' \
	    -N \"\$(cat '$T/notice')\" '$T/in' 2>'$T/p.err'" ||
	    fail "cannot start tmux session p"
	wait_for 20 test -e "$T/p.done" ||
	    fail "fbplay did not finish: $(cat "$T/p.err")"
	# The notice is drawn with the first frame, before p.done.
	tm capture-pane -p -t p >"$T/cap"
	tail -n 1 "$T/cap" | sed 's/ *$//' >"$T/bar"
	printf '%s\n' "$2" >"$T/want"
	cmp -s "$T/bar" "$T/want" ||
	    fail "bar: '$(cat "$T/bar")', want '$2'"
	[ "$(head -n 1 "$T/cap")" = "top line" ] ||
	    fail "the screen above the bar changed: $(head -n 2 "$T/cap")"
}

bar_is "$NOTICE" "$NOTICE"
bar_is "$LONG" "$(printf 'caf\303\251bar ')$(printf '%0*d' 71 0)"
pass "the notice bar shows UTF-8 (the em dash) and cuts at the width"
