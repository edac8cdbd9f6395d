#!/bin/sh
# attach-sync.sh: a program's synchronized update (DEC mode 2026, which
# neovim and other full-screen programs wrap a redraw in) reaches the
# client whole. While the update is open the client keeps the screen from
# before it: a line printed inside it, 0.5 s before the next, never shows
# alone. When the program ends it, the client shows the result, and the
# lines that scrolled off inside it reach the pane's history. One the
# program leaves open shows after HOLDER_SYNC_MAX_MS (1 s), not when the
# program next prints. Prints how long that took.
. "$(dirname "$0")/attach-lib.sh"
attach_setup attach-sync

attach_pane a mini -- /bin/sh
attach_ready a

# half_shown: the pane shows the first line of the update and not the
# second (one capture, so both are judged on the same screen).
half_shown() {
	tm capture-pane -p -t a >"$T/cap" 2>/dev/null || return 1
	grep -q '^AAA$' "$T/cap" && ! grep -q '^BBB$' "$T/cap"
}

cmd="clear; printf '\\033[?2026h'; echo AA\"\"A; sleep 0.5; echo BB\"\"B"
tm send-keys -t a "$cmd; printf '\\033[?2026l'" Enter
end=$(($(ms_now) + 15000))
while screen_lacks a '^BBB$'; do
	if half_shown; then
		sed 's/^/| /' "$T/cap"
		fail "the update showed half done"
	fi
	[ "$(ms_now)" -gt "$end" ] && fail "the update never showed"
	lnsh_tick
done
screen_has a '^AAA$' || fail "the update showed without its first line"

# Lines that scroll off inside an update reach the pane's own history
# when it ends, every one, in order, none twice.
cmd="clear; printf '\\033[?2026h'; seq 1 200; sleep 0.3"
tm send-keys -t a "$cmd; printf '\\033[?2026l'; echo do\"\"ne-lines" Enter
wait_screen 15 a '^done-lines$'
numbers_whole() {
	tm capture-pane -p -S - -t a | grep -E '^[0-9]+$' >"$T/got"
	seq 1 200 | cmp -s - "$T/got"
}
wait_for 10 numbers_whole || fail "the update's lines in the pane's" \
    "history: $(tr '\n' ' ' <"$T/got" | cut -c1-200)"

# Left open: shown after the bound, long before the program prints again.
cmd="clear; printf '\\033[?2026h'; echo CC\"\"C; sleep 6; echo DD\"\"D"
tm send-keys -t a "$cmd" Enter
t0=$(ms_now)
wait_screen 5 a '^CCC$'
shown=$(($(ms_now) - t0))
screen_lacks a '^DDD$' || fail "the open update showed only with DDD"
wait_screen 10 a '^DDD$'
pass "an update showed whole; one left open showed after $shown ms" \
    "(the bound is 1000 ms)"
