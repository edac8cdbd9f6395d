#!/bin/sh
# attach-scenarios.sh: basic.sh's scenarios (tests/e2e/scenarios.sh) played
# in a session of a real lnshd seen through `lnsh mini` in one tmux pane,
# and directly in another pane of the same size, as mosh's own suite does:
# cells with attributes (capture-pane -e), text, cursor and modes agree.
# Then a resize (a program that redraws its size on SIGWINCH, both panes
# grown and shrunk), and vi driven by the same keys in both panes.
#
# Each scenario gets its own session running the same `sh -c` as the
# direct pane: no prompt or typed command to tell them apart. A file the
# command touches after `cat` says the bytes are written; the captures are
# then polled until they agree (10 s), else the difference is shown.
. "$(dirname "$0")/attach-lib.sh"
. "$(dirname "$0")/scenarios.sh"
attach_setup attach-scenarios

SC_TERM=tmux-256color
SC_RUN=0

# What must agree besides the cells: lib-e2e.sh's E2E_STATE.
SC_STATE='#{cursor_x},#{cursor_y} cursor=#{cursor_flag} keys=#{keypad_cursor_flag},#{keypad_flag} mouse=#{mouse_standard_flag},#{mouse_button_flag},#{mouse_any_flag},#{mouse_sgr_flag},#{mouse_utf8_flag} title=#{pane_title}'

# sc_start WHAT CMD: CMD (a shell command line, no single quotes) runs
# directly in tmux session d and as a new lnsh session in tmux session a,
# both 80x24 with the same TERM; each touches its marker ($T/d.done,
# $T/a.done) when CMD ends.
sc_start() {
	sc_what=$1
	SC_RUN=$((SC_RUN + 1))
	tm kill-session -t d >/dev/null 2>&1
	tm kill-session -t a >/dev/null 2>&1
	rm -f "$T/d.done" "$T/a.done"
	tm new-session -d -s d -x 80 -y 24 \
	    "TERM=$SC_TERM COLORTERM=truecolor /bin/sh -c '$2; : >\"$T/d.done\"; \
	    exec sleep 100000'" || fail "cannot start tmux session d"
	attach_pane a "mini s$SC_RUN -- /bin/sh -c '$2; : >\"$T/a.done\"; \
	    exec sleep 100000'"
}

# sc_pair WHAT CMD: sc_start, then until both markers are there and lnsh
# is still attached.
sc_pair() {
	sc_start "$@"
	wait_for 15 test -e "$T/d.done" || fail "$sc_what: direct run did not end"
	wait_for 15 sc_up || fail "$sc_what: lnsh did not attach or run:" \
	    "$(cat "$T/a.err")"
}

# The session's command ran; lnsh is still attached (an lnsh that exited
# is a failure, as in attach_up).
sc_up() {
	if [ -s "$T/a.rc" ]; then
		fail "$sc_what: lnsh exited $(cat "$T/a.rc"): $(cat "$T/a.err")"
	fi
	test -e "$T/a.done"
}

# The cells of a capture-pane -e: for each row, each character (with its
# combining marks) and the pen it was drawn with, the SGR state being
# interpreted as a terminal would. Trailing blanks with the default pen
# are cut: the screen diff lnsh sends cuts them as a terminal shows them
# (proto/fbdiff.c), and tmux tells a cell written with a default blank
# from one never written only by the SGR codes capture-pane -e emits.
cat >"$T/cells.py" <<'PY'
import re, sys, unicodedata
data = open(sys.argv[1], encoding="utf-8", errors="surrogateescape").read()
pen = {}
def sgr(p):
    ps = p.split(";") if p else ["0"]
    i = 0
    while i < len(ps):
        x = ps[i]
        i += 1
        if ":" in x:
            a = x.split(":", 1)[0]
            pen["ul" if a == "4" else a] = x
            if x == "4:0":
                pen.pop("ul")
            continue
        n = int(x or 0)
        if n == 0:
            pen.clear()
        elif n in (38, 48, 58) and i < len(ps) and ps[i] in ("5", "2"):
            k = 2 if ps[i] == "5" else 4
            pen[str(n)] = ":".join(ps[i:i + k])
            i += k
        elif n in (39, 49, 59):
            pen.pop(str(n - 1), None)
        elif 30 <= n <= 37 or 90 <= n <= 97:
            pen["38"] = "p%d" % (n % 10 + (8 if n >= 90 else 0))
        elif 40 <= n <= 47 or 100 <= n <= 107:
            pen["48"] = "p%d" % (n % 10 + (8 if n >= 100 else 0))
        elif n == 22:
            pen.pop("a1", None)
            pen.pop("a2", None)
        elif n == 24:
            pen.pop("ul", None)
        elif n == 4:
            pen["ul"] = "4"
        elif n in (23, 25, 27, 28, 29, 55):
            pen.pop("a%d" % (n - 20 if n != 55 else 53), None)
        else:
            pen["a%d" % n] = 1
rows, row = [], []
for m in re.finditer(r"\x1b\[([0-9;:]*)m|\n|.", data, re.S):
    c = m.group(0)
    if m.group(1) is not None:
        sgr(m.group(1))
    elif c == "\n":
        rows.append(row)
        row = []
    elif row and unicodedata.combining(c):
        row[-1] = (row[-1][0] + c, row[-1][1])
    else:
        row.append((c, sorted(pen.items())))
rows.append(row)
for r in rows:
    while r and r[-1] == (" ", []):
        r.pop()
    print(ascii(r))
PY

# sc_cmp ARGS: whether capture-pane ARGS agree for both panes (with -e,
# as cells: see cells.py).
sc_cmp() {
	capture_pair a "$@" || return 1
	cmp -s "$T/cap.d" "$T/cap.a" && return 0
	[ "$1" = -e ] || return 1
	"$PY" "$T/cells.py" "$T/cap.d" >"$T/cells.d" &&
	    "$PY" "$T/cells.py" "$T/cap.a" >"$T/cells.a" &&
	    cmp -s "$T/cells.d" "$T/cells.a"
}

# sc_same ARGS: capture-pane ARGS agree within 10 s, else fails showing
# both captures and their difference.
sc_same() {
	wait_for 10 sc_cmp "$@" && return 0
	echo "--- direct / +++ lnsh: capture-pane -p $* ($sc_what)"
	diff -u "$T/cap.d" "$T/cap.a" | cat -v | head -80
	echo "direct capture:"
	cat -v "$T/cap.d" | sed 's/^/| /'
	echo "lnsh capture:"
	cat -v "$T/cap.a" | sed 's/^/| /'
	if [ "$1" = -e ]; then
		echo "--- direct / +++ lnsh: cells"
		diff -u "$T/cells.d" "$T/cells.a" | head -40
	fi
	fail "$sc_what: capture-pane -p $* differs between direct and lnsh"
}

sc_state_cmp() {
	tm display-message -p -t d "$SC_STATE" >"$T/st.d" &&
	    tm display-message -p -t a "$SC_STATE" >"$T/st.a" &&
	    cmp -s "$T/st.d" "$T/st.a"
}

# sc_state_same: cursor and modes agree within 10 s, else fails.
sc_state_same() {
	wait_for 10 sc_state_cmp && return 0
	echo "direct: $(cat "$T/st.d")"
	echo "lnsh:   $(cat "$T/st.a")"
	fail "$sc_what: cursor or modes differ between direct and lnsh"
}

# sc_check WHAT: cells with attributes, text, cursor and modes agree.
sc_check() {
	sc_what=$1
	sc_same -e
	sc_same
	sc_state_same
}

scenarios_write "$T"

# Each scenario whole, as `cat` writes it.
for f in title $SCENARIOS; do
	sc_pair "$f" "cat \"$T/$f\""
	sc_check "$f"
done

# The same bytes a few at a time, so that lnsh's frames split them: a
# line that wraps at the last column then continues in a later frame,
# a scroll region set in one frame and used in the next. The pauses make
# frame boundaries likely, they synchronise nothing.
cat >"$T/pace.py" <<'PY'
import os, sys, time
data = open(sys.argv[1], "rb").read()
n = int(sys.argv[2])
for i in range(0, len(data), n):
    os.write(1, data[i:i + n])
    time.sleep(0.004)
PY
for f in wrap region insdel utf8; do
	sc_pair "$f paced" "\"$PY\" \"$T/pace.py\" \"$T/$f\" 7"
	sc_check "$f paced"
done

# Resize: a program that redraws on SIGWINCH, marking the corners (the
# last cell of the last row included) and saying its size. Both panes
# grow, then shrink; each time the screens must agree once redrawn.
cat >"$T/size.py" <<'PY'
import os, signal
def draw(*_):
    c, r = os.get_terminal_size(1)
    out = "\033[H\033[2J\033[7m<\033[0m\033[%dG>\033[%d;1H[" % (c, r)
    out += "\033[%d;%dH]\033[%d;%dHsize %d %d" % (r, c, r // 2, 3, r, c)
    out += "\033[%d;3H" % (r // 2 + 1)
    os.write(1, out.encode())
signal.signal(signal.SIGWINCH, draw)
draw()
while True:
    signal.pause()
PY
sc_start resize "\"$PY\" \"$T/size.py\""
for sz in "80 24" "100 30" "60 15" "80 24"; do
	set -- $sz
	tm resize-window -t d -x "$1" -y "$2" || fail "cannot resize d"
	tm resize-window -t a -x "$1" -y "$2" || fail "cannot resize a"
	wait_screen 10 d "size $2 $1\$"
	wait_screen 10 a "size $2 $1\$"
	sc_check "resize to $1x$2"
done

# A full-screen program: vi, the same keys sent to both panes, on vi's
# screen and after it leaves the alternate screen.
VI=$(command -v vim || command -v vi) || VI=
if [ -z "$VI" ]; then
	echo "SKIP (part): no vi, the full-screen check did not run"
	pass "$SC_RUN scenario runs and the resize agree; vi NOT checked"
fi
i=1
while [ $i -le 60 ]; do
	printf 'line %d: caf\303\251 \346\227\245\346\234\254 text to edit\n' $i
	i=$((i + 1))
done >"$T/text"
sc_start vi "printf \"before vi\\\\n\"; \"$VI\" -u NONE -N -n -i NONE \
    \"$T/text\""
for p in d a; do
	wait_screen 10 $p '^line 1: '
done
sc_check "vi opened"
for p in d a; do
	tm send-keys -t $p 30G dd ':set ruler' Enter
done
for p in d a; do
	wait_screen 10 $p '^line 31: '
done
sc_check "vi after 30Gdd"
for p in d a; do
	tm send-keys -t $p ':q!' Enter
done
for p in d a; do
	wait_for 10 test -e "$T/$p.done" || fail "vi did not quit in $p"
done
wait_for 5 sc_up || fail "lnsh did not stay attached after vi"
sc_check "vi quit"
# Under --enable-sanitizers a report in a log is a failure too.
if grep -El 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "$T"/*.err; then
	fail "a sanitizer reported (files above)"
fi
pass "$SC_RUN runs (9 scenarios whole, 4 paced, resize, vi) agree"
