#!/bin/sh
# attach-scrollback.sh: native scrollback through a real lnshd: after
# `seq 1 5000` in a 24-line session, the local tmux pane's own history
# holds 1..5000, in order, each once.
. "$(dirname "$0")/attach-lib.sh"
attach_setup attach-scrollback

attach_pane a mini
attach_ready a
tm send-keys -t a 'clear; seq 1 5000; echo seq-done' Enter
wait_screen 30 a '^seq-done$'
# The history reaches the pane once the last frame is drawn.
seq_in_history() {
	tm capture-pane -p -S - -t a | grep -E '^[0-9]+$' >"$T/got"
	seq 1 5000 >"$T/want"
	cmp -s "$T/got" "$T/want"
}
wait_for 10 seq_in_history || {
	diff "$T/want" "$T/got" | head -20
	fail "the pane's history does not hold 1..5000 in order" \
	    "($(wc -l <"$T/got") numeric lines)"
}
pass "seq 1 5000 in the local history, in order"
