#!/bin/sh
# attach-term.sh: a client whose TERM the server has no terminfo entry for
# (macOS's system terminfo lacks tmux-256color, xterm-kitty, ...) gets a
# session that runs with TERM=xterm-256color, and is told so once: a
# notice on the top row when the attach created the session, gone after
# a while, and not again for a client attaching to the same session.
. "$(dirname "$0")/attach-lib.sh"
attach_setup attach-term

# The client's own terminfo knows lnsh-no-such-term (a copy of tmux's
# entry under that name, in a TERMINFO only lnsh sees); the server's
# directories and the session user's ~/.terminfo do not.
BT=tmux-256color
infocmp "$BT" >/dev/null 2>&1 || BT=screen-256color
infocmp -x "$BT" >"$T/base.ti" 2>/dev/null || fail "infocmp $BT"
sed "1,/^$BT|/s/^$BT|/lnsh-no-such-term|/" "$T/base.ti" >"$T/fake.ti"
grep -q '^lnsh-no-such-term|' "$T/fake.ti" || fail "renaming $BT failed"
tic -x -o "$T/terminfo" "$T/fake.ti" >"$T/tic.err" 2>&1 ||
    fail "tic: $(cat "$T/tic.err")"
TERMINFO=$T/terminfo infocmp lnsh-no-such-term >/dev/null 2>&1 ||
    fail "the client's terminfo lacks lnsh-no-such-term"
infocmp lnsh-no-such-term >/dev/null 2>&1 &&
    fail "this machine's terminfo has lnsh-no-such-term"

NOTICE='lnsh: no terminfo for lnsh-no-such-term on the server: TERM=xterm-256color'
ATTACH_TERM=lnsh-no-such-term
ATTACH_ENV="TERMINFO=$T/terminfo"
attach_pane a mini -- /bin/sh
wait_screen 15 a "^$NOTICE"
attach_ready a
tm send-keys -t a 'echo "term:$TERM"' Enter
wait_screen 10 a '^term:xterm-256color$'

# A second client on the same session is not told again.
attach_pane b mini
wait_screen 15 b '^term:xterm-256color$'
tm send-keys -t b 'echo second-client' Enter
wait_screen 10 b '^second-client$'
screen_has b 'no terminfo for' && fail "the second client was told too"

# The notice goes away by itself and does not come back.
wait_for 20 screen_lacks a 'no terminfo for' || fail "the notice stayed"
tm send-keys -t a 'echo after-notice' Enter
wait_screen 10 a '^after-notice$'
screen_has a 'no terminfo for' && fail "the notice came back"
[ "$(grep -c 'no terminfo for' "$T/a.err")" = 0 ] ||
    fail "the notice went to stderr too: $(cat "$T/a.err")"
pass "unknown TERM: xterm-256color in the session, told once"
