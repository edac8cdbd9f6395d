#!/bin/sh
# attach-server-basic.sh: lnshd serves attach to tests/attachctl: attach
# creates the session; keys reach the shell; `seq 1 3000` arrives with
# every scrolled line in order in the received scrollback, and so does a
# burst that forces frames to be skipped (`seq 1 50000`), up to the
# scrollback limit; two clients on one session see each other's input; a
# client killed with -9 leaves the session as it was for the next one;
# the shell's exit sends SessionEnded with its status, also to a client
# that attaches after the session ended.
#
# Sessions run /bin/sh, not the login shell: root's dotfiles are not the
# test's (a slow ~/.bashrc once held the first prompt past every timeout).
. "$(dirname "$0")/lib.sh"
lnsh_setup attach-server-basic

LNSHD=$B/lnshd
LNSH=$B/lnsh
ACTL=$B/tests/attachctl
HOLDERCTL=$B/tests/holderctl
LNSH_HOLDER=$B/holder/lnsh-holder
export LNSH_HOLDER
for f in "$LNSHD" "$LNSH" "$ACTL" "$HOLDERCTL" "$LNSH_HOLDER"; do
	[ -x "$f" ] || fail "$f not built"
done
HOME=$T/home
LNSH_CONFIG_DIR=$HOME/.config/lnsh
SHELL=/bin/sh
export HOME LNSH_CONFIG_DIR SHELL
mkdir -p "$HOME"
STATE=$T/state
D="--single-user --state-dir $STATE"
KEY=$("$LNSHD" pubkey $D) || fail "lnshd pubkey"
"$LNSH" keygen >/dev/null || fail "lnsh keygen"
"$LNSH" pubkey >"$LNSH_CONFIG_DIR/authorized_keys" || fail "pubkey"
chmod 600 "$LNSH_CONFIG_DIR/authorized_keys"
CK=$(ls "$LNSH_CONFIG_DIR"/*key* | grep -v '\.pub$' | grep -v authorized |
    head -1)
# Holders outlive lnshd by design: end them on every way out, a failed
# check's too.
trap '"$LNSHD" kill-all $D >/dev/null 2>&1; lnsh_cleanup' EXIT
spawn lnshd "$LNSHD" $D --listen 127.0.0.1:0
wait_line 10 "$T/lnshd.err" 'lnshd started' || fail "lnshd did not start"
PORT=$(listen_port "$T/lnshd.err")
[ -n "$PORT" ] || fail "no port in the log"

# actl ARGS...: attachctl against this lnshd (options first).
actl() {
	ac_opts=""
	while [ $# -gt 0 ]; do
		case $1 in
		-H) ac_opts="$ac_opts -H"; shift ;;
		-T) ac_opts="$ac_opts -T $2"; shift 2 ;;
		*) break ;;
		esac
	done
	"$ACTL" $ac_opts "$PORT" "$KEY" "$CK" "$@"
}

# check_lines OUT MARK FIRST LAST: the "line N TEXT" rows of OUT after the
# one that holds MARK (the command; lines pushed on attach come before),
# or, if no line holds it, after the first skip (the command was among
# the skipped), are numbers in order, each line's text its number less
# FIRST's offset, ending at LAST (the line before the screen's first
# number), with nothing missing but what a "skipped" row accounts for;
# prints the length of the final run.
#
# A skip before the line holding MARK is not the command's: during a
# flood the server holds lines back until the output pauses, and then
# sends from the oldest its ring still holds, which may be one of the
# rows the screen showed before the command (the attach's own screen).
check_lines() {
	awk -v mark="$2" -v first="$3" -v last="$4" '
	FNR == NR {
		if (!at && $1 == "line" && index($0, mark) > 0) at = FNR
		next
	}
	!go {
		if (at > 0) { if (FNR == at) go = 1; next }
		if ($1 != "skipped") next
		go = 1		# the command itself was among the skipped
	}
	/^skipped / { skip += $2; gap = 1; next }
	/^line / && $3 ~ /^[0-9]+$/ {
		if (seen && !gap && $3 != prev + 1) {
			print "line " $2 " holds " $3 " after " prev; bad = 1
		}
		if (seen && gap && $3 <= prev) {
			print "line " $2 " holds " $3 " after " prev; bad = 1
		}
		if (seen && $2 - $3 != off) {
			print "line " $2 " holds " $3; bad = 1
		}
		if (!seen) { off = $2 - $3; lo = $3 }
		if (gap) run = 0
		seen = 1; gap = 0; prev = $3; run++
	}
	END {
		if (!seen) { print "no numbered lines"; exit 1 }
		if (lo != first && skip == 0) {
			print "starts at " lo; bad = 1
		}
		if (prev != last) { print "ends at " prev; bad = 1 }
		if (bad) exit 1
		print run
	}' "$1" "$1"
}

# first_screen_num OUT: the first screen row that is a number.
first_screen_num() {
	grep '^screen [0-9][0-9]*$' "$1" | head -1 | sed 's/screen //'
}

# The check itself, on made-up output. A skip among the rows the screen
# showed before the command (here the ring's oldest was line 9 when the
# held-back lines went; lines 8-9 hold 5-6 of an earlier seq) is the
# server's, not a lost command (a run once failed as "line 3006 holds 1
# after 3000" when the ring's oldest landed there). A gap after the
# command with no skip row is a loss.
printf '%s\n' 'line 7 4' 'skipped 1' 'line 9 6' 'line 10 $ seq; do""ne' \
    'line 11 1' 'line 12 2' 'screen 3' >"$T/made.out"
check_lines "$T/made.out" 'do""ne' 1 2 >"$T/check" ||
    fail "check_lines: an old skip taken for a loss: $(cat "$T/check")"
[ "$(cat "$T/check")" = 2 ] || fail "check_lines: run $(cat "$T/check")"
printf '%s\n' 'line 7 4' 'skipped 5' 'line 13 10' 'line 14 11' \
    'screen 12' >"$T/made.out"
check_lines "$T/made.out" 'do""ne' 1 11 >/dev/null ||
    fail "check_lines: a skip that took the command refused"
printf '%s\n' 'line 10 $ seq; do""ne' 'line 11 1' 'line 13 3' 'screen 4' \
    >"$T/made.out"
check_lines "$T/made.out" 'do""ne' 1 3 >/dev/null &&
    fail "check_lines: a gap with no skip passed"

# --- attach creates the session; keys reach the shell.
actl s1 'echo hel""lo-attach\n' 'hello-attach' 10 /bin/sh \
    >"$T/a1.out" 2>&1 || fail "attach 1: $(cat "$T/a1.out" "$T/lnshd.err")"
grep -qx ready "$T/a1.out" || fail "no first screen"

# --- seq 1 3000: every scrolled line, in order, before the screen shows
# the end.
actl s1 'seq 1 3000; echo do""ne-seq\n' 'done-seq' 20 >"$T/a2.out" 2>&1 ||
    fail "attach 2: $(tail "$T/a2.out")"
grep -q '^skipped' "$T/a2.out" && fail "seq 1 3000 skipped lines"
last_screen=$(first_screen_num "$T/a2.out")
[ -n "$last_screen" ] || fail "no number on the screen"
check_lines "$T/a2.out" 'do""ne-seq' 1 $((last_screen - 1)) >"$T/check" ||
    fail "seq 1 3000: $(cat "$T/check")"

# --- a burst: frames are skipped, lines are not (beyond the limit).
actl s1 'seq 1 50000; echo do""ne-burst\n' 'done-burst' 30 \
    >"$T/a3.out" 2>&1 || fail "burst: $(tail "$T/a3.out")"
last_screen=$(first_screen_num "$T/a3.out")
[ -n "$last_screen" ] || fail "no number on the burst's screen"
check_lines "$T/a3.out" 'do""ne-burst' 1 $((last_screen - 1)) >"$T/check" ||
    fail "seq 1 50000: $(cat "$T/check")"
run=$(cat "$T/check")
# Whatever was skipped, the lines since are a whole scrollback's worth
# (MIRROR_LINES, 10000), or all of them.
if grep -q '^skipped' "$T/a3.out"; then
	[ "$run" -ge 10000 ] || fail "only $run lines after the last skip"
else
	[ "$run" -ge 49000 ] || fail "only $run lines"
fi

# --- two clients at once: each sees what the other typed. A types once
# it sees B's line; B waits for A's.
spawn ca "$ACTL" -H -T from-b "$PORT" "$KEY" "$CK" s1 'echo fr""om-a\n' \
    'from-a' 20
CA=$LASTPID
wait_line 10 "$T/ca.out" '^ready$' || fail "client A: no screen"
actl s1 'echo fr""om-b\n' 'from-a' 10 >"$T/cb.out" 2>&1 ||
    fail "client B did not see A's input: $(tail "$T/cb.out")"
wait_line 10 "$T/ca.out" '^shown$' || fail "client A: no from-a"
grep -q '^screen from-b$' "$T/ca.out" || fail "client A did not see B's"
kill "$CA" 2>/dev/null

# --- kill -9 of an attached client; the next sees the session's screen.
spawn ck "$ACTL" -H "$PORT" "$KEY" "$CK" s1 'echo ki""ll-mark\n' \
    'kill-mark' 30
wait_line 10 "$T/ck.out" '^shown$' || fail "killed client: no kill-mark"
kill -9 "$LASTPID"
# same_screen: a new attach shows what the holder shows (polled: the
# prompt after kill-mark may still be on its way).
same_screen() {
	actl s1 - 'kill-mark' 10 >"$T/a5.out" 2>&1 || return 1
	sed -n 's/^screen //p' "$T/a5.out" | sed 's/[[:space:]]*$//' \
	    >"$T/a5.screen"
	"$HOLDERCTL" "$STATE/holders/0" capture s1 |
	    sed 's/[[:space:]]*$//' >"$T/cap.screen" || return 1
	cmp -s "$T/a5.screen" "$T/cap.screen"
}
[ -d "$STATE/holders/0" ] || fail "no holder directory at $STATE/holders/0"
wait_for 10 same_screen ||
    fail "after kill -9: $(diff "$T/a5.screen" "$T/cap.screen")"

# --- the shell's exit: SessionEnded with its status.
actl s1 'exit 7\n' '' 10 >"$T/a4.out" 2>&1
st=$?
[ $st -eq 7 ] || fail "exit status $st: $(cat "$T/a4.out")"
grep -q '^ended 7' "$T/a4.out" || fail "no SessionEnded"

# --- ended before the attach: the next attach hears the real status, and
# so does one to a session whose command ended before lnshd knew it.
actl s1 - '' 10 >"$T/a6.out" 2>&1
st=$?
[ $st -eq 7 ] || fail "attach to the ended s1: $st: $(cat "$T/a6.out")"
# Whether such a command's end reaches lnshd before or after the attach
# reply is a race (it went each way under ASan): a few rounds, so that a
# session forgotten by the attach that created it is seen.
for n in 2 3 4 5 6 7 8 9; do
	actl s$n - '' 10 /bin/sh -c 'exit 9' >"$T/a7.out" 2>&1
	st=$?
	[ $st -eq 9 ] || fail "s$n, exit 9: $st: $(cat "$T/a7.out")"
	actl s$n - '' 10 >"$T/a8.out" 2>&1
	st=$?
	[ $st -eq 9 ] ||
	    fail "attach to the ended s$n: $st: $(cat "$T/a8.out")"
done
"$LNSHD" kill-all $D >/dev/null 2>&1
pass
