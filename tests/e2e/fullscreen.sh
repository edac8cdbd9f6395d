#!/bin/sh
# fullscreen.sh: a real full-screen program's output (vi, recorded with
# script(1) in an 80x24 pane of the test's tmux) replayed directly and
# through fbplay: vi's own screen (the recording cut where it leaves the
# alternate screen) and the screen after it quit must agree.
. "$(dirname "$0")/lib-e2e.sh"
e2e_setup fullscreen

VI=$(command -v vim || command -v vi) || { echo "SKIP: no vi"; exit 77; }
command -v script >/dev/null 2>&1 || { echo "SKIP: no script"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }

i=1
while [ $i -le 60 ]; do
	printf 'line %d: caf\303\251 \346\227\245\346\234\254 text to edit\n' $i
	i=$((i + 1))
done >"$T/text"
printf 'before vi\n' >"$T/pre"

VICMD="$VI -u NONE -N -n -c 'set ruler' -c 'normal 30Gdd' -c 'redraw!' -c 'qa!' '$T/text'"
if script -q -c true /dev/null >/dev/null 2>&1; then
	REC="script -q -c \"$VICMD\" '$T/rec.raw'"	# util-linux
else
	REC="script -q '$T/rec.raw' sh -c \"$VICMD\""	# BSD, macOS
fi
tm new-session -d -s rec -x "$E2E_COLS" -y "$E2E_ROWS" \
    "TERM=$E2E_TERM $REC >/dev/null 2>&1; : > '$T/rec.done'; exec sleep 100000"
wait_for 20 test -e "$T/rec.done" || fail "recording vi did not finish"

# Drop script's own header and footer lines; cut before vi's last exit
# from the alternate screen for the full-screen state.
python3 - "$T/rec.raw" "$T/pre" "$T/vi.all" "$T/vi.screen" <<'PY' ||
import sys
raw = open(sys.argv[1], "rb").read()
lines = raw.split(b"\n")
if lines and lines[0].startswith(b"Script started"):
    raw = b"\n".join(lines[1:])
i = raw.rfind(b"\nScript done")
if i >= 0:
    raw = raw[:i + 1]
pre = open(sys.argv[2], "rb").read()
open(sys.argv[3], "wb").write(pre + raw)
cut = raw.rfind(b"\x1b[?1049l")
if cut < 0:
    sys.exit(1)
open(sys.argv[4], "wb").write(pre + raw[:cut])
PY
    {
	# Only a terminal without one excuses it: with 1049 in $E2E_TERM's
	# terminfo, a recording without it is a broken recording.
	infocmp -1 "$E2E_TERM" 2>/dev/null | grep -q 'rmcup=.*1049l' ||
	    { echo "SKIP: $E2E_TERM has no alternate screen"; exit 77; }
	fail "vi's recording never left the alternate screen" \
	    "($(wc -c <"$T/rec.raw") bytes recorded)"
}

for f in vi.screen vi.all; do
	e2e_pair "$T/$f" -L
	e2e_same -e
	e2e_same
	e2e_pair "$T/$f" -L -u -n 64 -k 3
	e2e_same -e
	e2e_same
done
pass "vi's screen and the screen after it agree"
