#!/bin/sh
# attach-c1.sh: text from a session never drives the user's own terminal.
# A session sets its title to "a ST CSI 6n" with ST and CSI as UTF-8 C1
# controls (C2 9C, C2 9B): lnsh's raw output (tmux pipe-pane) must hold no
# C1 control, so the OSC it writes is not ended early and no cursor query
# reaches the terminal; the pane's title is "a6n". `lnsh ls` shows the
# same title and a command line holding C1 bytes with '?' for each.
. "$(dirname "$0")/attach-lib.sh"
attach_setup attach-c1

# has_c1 FILE: FILE holds a C1 control, UTF-8 encoded or raw 8-bit after
# an ASCII byte (od, for a Mac's tools as well as GNU ones).
has_c1() {
	od -An -v -tx1 "$1" | tr -s ' \n' '\n\n' | awk '
	    prev == "c2" && $0 ~ /^[89]/ { bad = 1 }
	    $0 ~ /^[89]/ && prev != "" && prev !~ /^[89a-f]/ { bad = 1 }
	    { prev = $0 } END { exit !bad }'
}

attach_pane a mini -- /bin/sh
attach_ready a
tm pipe-pane -o -t a "cat >>'$T/a.raw'" || fail "pipe-pane"
# The title bytes come from printf's octal escapes: what is typed is ASCII.
tm send-keys -t a "printf '\\033]0;a\\302\\234\\302\\2336n\\007'; echo c1-done" \
    Enter
wait_screen 10 a '^c1-done$'
# lnsh writes the title as OSC 2 (ESC ] 2 ; ... BEL).
wait_for 10 grep -q ']2;a' "$T/a.raw" || fail "lnsh wrote no title"
tm pipe-pane -t a
if has_c1 "$T/a.raw"; then
	od -c "$T/a.raw" | grep -n '302' | head
	fail "lnsh wrote a C1 control to its terminal"
fi
title_is() {
	[ "$(tm display-message -p -t a '#{pane_title}')" = "$1" ]
}
wait_for 10 title_is a6n || fail "pane title is \
'$(tm display-message -p -t a '#{pane_title}')', not a6n"

# The listing: the title, and a command line with raw C1 in an argument.
"$LNSH" new mini c1cmd -- /bin/sh -c 'exec sleep 100000' \
    "$(printf 'x\302\233y\033z')" >"$T/new.out" 2>&1 ||
    fail "lnsh new: $(cat "$T/new.out")"
"$LNSH" ls mini >"$T/ls.out" 2>"$T/ls.err" || fail "lnsh ls: $(cat "$T/ls.err")"
grep -Eq 'a6n|a\?\?6n' "$T/ls.out" || { cat "$T/ls.out"; fail "no title in ls"; }
grep -q 'x?y?z' "$T/ls.out" || { cat "$T/ls.out"; fail "no x?y?z in ls"; }
if has_c1 "$T/ls.out"; then
	cat -v "$T/ls.out"
	fail "lnsh ls wrote a C1 control"
fi
pass "no C1 control from a session's title or command reaches the terminal"
