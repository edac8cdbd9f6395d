#!/bin/sh
# attach-basic.sh: `lnsh mini` in a tmux pane against a real lnshd: typed
# text echoes; colours and UTF-8 look as they do in a direct pane; Ctrl-^ .
# detaches and a new client process shows the same screen; two clients on
# one session both see input from either; `exit 7` makes lnsh exit 7.
. "$(dirname "$0")/attach-lib.sh"
attach_setup attach-basic

attach_pane a mini -- /bin/sh
attach_ready a
tm send-keys -t a 'echo hi' Enter
wait_screen 10 a '^hi$'

# Colours and UTF-8: the same printf in a direct pane and through lnsh.
E='\033'
printf "plain caf\303\251 \346\227\245\346\234\254 e\314\201 ${E}[1mbold${E}[0m ${E}[31mred${E}[42mongreen${E}[0m ${E}[38;5;100m256${E}[0m ${E}[38;2;10;200;30mrgb${E}[0m ${E}[4munder${E}[0m end\n" >"$T/scen"
tm new-session -d -s d -x 80 -y 24 "TERM=tmux-256color sh -c 'clear; cat \"$T/scen\"; exec sleep 100000'"
tm send-keys -t a "clear; cat '$T/scen'" Enter
wait_screen 10 a 'end$'
wait_screen 10 d 'end$'
tm capture-pane -p -e -t d | grep 'end' >"$T/d.line"
tm capture-pane -p -e -t a | grep 'plain' | grep 'end' >"$T/a.line"
cmp -s "$T/d.line" "$T/a.line" || {
	cat -v "$T/d.line" "$T/a.line"
	fail "colours or UTF-8 differ from the direct pane"
}

# Detach: the session keeps running; a new client shows the same screen.
tm send-keys -t a 'echo before-detach' Enter
wait_screen 10 a '^before-detach$'
tm send-keys -t a C-^ .
wait_for 10 test -s "$T/a.rc" || fail "Ctrl-^ . did not detach"
[ "$(cat "$T/a.rc")" = 0 ] || fail "detach exited $(cat "$T/a.rc")"
screen_has a 'detached from main on mini' || fail "no detach message"
attach_pane b mini
wait_screen 15 b '^before-detach$'

# Two clients on one session: each sees the other's input.
attach_pane c attach mini main
wait_screen 15 c '^before-detach$'
tm send-keys -t b 'echo from-b' Enter
wait_screen 10 c '^from-b$'
tm send-keys -t c 'echo from-c' Enter
wait_screen 10 b '^from-c$'

# The shell's exit status becomes lnsh's.
attach_pane x mini other -- /bin/sh
attach_ready x
tm send-keys -t x 'exit 7' Enter
wait_for 15 test -s "$T/x.rc" || fail "lnsh did not exit with the session"
[ "$(cat "$T/x.rc")" = 7 ] || fail "lnsh exited $(cat "$T/x.rc"), not 7"
screen_has x 'session other exited with status 7' || fail "no exit message"

# --no-create on a missing session: exit 4, nothing created.
attach_pane n attach mini nosuch --no-create
wait_for 15 test -s "$T/n.rc" || fail "--no-create did not end"
[ "$(cat "$T/n.rc")" = 4 ] || fail "--no-create exited $(cat "$T/n.rc")"
pass "echo, colours, detach/reattach, two clients, exit status"
