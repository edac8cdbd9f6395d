#!/bin/sh
# attach-scrollback.sh: native scrollback through a real lnshd: after
# `seq 1 5000` in a 24-line session, the local tmux pane's own history
# holds 1..5000, in order, each once; after a burst that forces frames to
# be skipped (`seq 1 50000`), the history ends with a run, complete and in
# order, of at least the lnshd's scrollback (MIRROR_LINES, 10,000 lines;
# docs/sync.md) up to 50000, and nothing before it is out of order.
. "$(dirname "$0")/attach-lib.sh"
attach_setup attach-scrollback

attach_pane a mini -- /bin/sh
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

# The burst, in a second session and pane whose history holds no other
# numbers. The screen shows burst-done with the frame that follows the
# burst's last lines.
attach_pane b mini burst -- /bin/sh
attach_ready b
tm send-keys -t b 'seq 1 50000; echo burst-done' Enter
wait_screen 60 b '^burst-done$'
# burst_check: the numbers in the history only ever grow, and the run
# that ends at 50000 (the line before burst-done) is unbroken and at
# least 10,000 long or starts at 1; prints "RUN FIRST COUNT": its length,
# where it starts, all numeric lines. Polled: the screen is never held
# back for the lines (docs/sync.md), so burst-done shows before the last
# of them reach the history.
burst_check() {
	tm capture-pane -p -S - -t b >"$T/burst"
	awk '
	/^[0-9]+$/ {
		n++
		if (seen && $1 <= prev) {
			print "out of order: " $1 " after " prev; bad = 1
		}
		if (!seen || $1 != prev + 1) { run = 0; first = $1 }
		run++; prev = $1; seen = 1; next
	}
	/^burst-done$/ { done = 1; if (prev != 50000) bad = 1; exit }
	END {
		print run, first, n
		if (!done || bad || (run < 10000 && first != 1)) exit 1
	}' "$T/burst" >"$T/burst.check"
}
ok=0
wait_for 20 burst_check && ok=1
read run first count <"$T/burst.check"
echo "burst: the history ends with ${first}..50000 ($run lines, unbroken);" \
    "$count numeric lines in all"
[ $ok = 1 ] || {
	awk '/^[0-9]+$/ { if (p != "" && $1 != p + 1) print p " -> " $1
	    p = $1 }' "$T/burst" | head
	fail "the history does not end with 10,000 unbroken lines" \
	    "up to 50000, in order"
}
pass "seq 1 5000 in the local history, in order; seq 1 50000 ends with" \
    "$run unbroken lines"
