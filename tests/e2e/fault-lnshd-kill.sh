#!/bin/sh
# fault-lnshd-kill.sh (issue 12, faults): kill -9 of lnshd at four awkward
# moments, each followed by a new lnshd on the same port and state dir:
#   flood      the attached session is printing as fast as it can;
#   handshake  a second client's handshake is in flight (lnshd stopped
#              with SIGSTOP, the client's initiation queued in its socket,
#              then killed);
#   resize     the attached client's window was just resized (the resize
#              queued in the stopped lnshd's socket, then killed);
#   pairing    an `lnsh pair` is under way (its initiation queued in the
#              stopped lnshd's socket, then killed).
# Each time: no session is lost (`lnsh ls` lists all three, running), and
# the attached lnsh in a tmux pane recovers by itself, with no key press:
# it shows the session's counter past its value at the restart (and after
# the flood, the flood's end mark; after the resize, the new size, as the
# session sees it). The second client attaches; the pairing completes
# against the new lnshd (the code lives in the state dir). Prints each
# recovery time. (Keys typed while lnshd is down arriving exactly once is
# the holder-side SSP's, tested with it.)
. "$(dirname "$0")/attach-lib.sh"
attach_setup fault-lnshd-kill

# all_running: the three sessions are listed, running.
all_running() {
	"$LNSH" ls mini >"$T/ls.out" 2>"$T/ls.err" || return 1
	[ "$(grep -Ec '^(main|other|idle1) +running' "$T/ls.out")" = 3 ]
}
# session_size NAME: "COLSxROWS" from lnsh ls --json.
session_size() {
	"$LNSH" ls mini --json | "$PY" -c 'import json, sys
for s in json.load(sys.stdin):
    if s["name"] == sys.argv[1]:
        print("%dx%d" % (s["cols"], s["rows"]))' "$1"
}
size_is() {
	[ "$(session_size "$1")" = "$2" ]
}
N=0
# restart WHAT: kill -9 of lnshd, a new one on the same port and state
# dir; then the pane must catch up with no key press, every session must
# be there. Sets $RECOVERED (ms from the new lnshd's start).
restart() {
	daemon_kill
	N=$((N + 1))
	rs_t0=$(ms_now)
	rs_c0=$(tick_file)
	daemon_again "$N"
	wait_for 30 pane_past a "$rs_c0" || {
		tm capture-pane -p -t a | sed 's/^/| /'
		fail "$1: no screen update within 30 s of the restart (pane" \
		    "at $(tick_pane a), session at $(tick_file))"
	}
	RECOVERED=$(($(ms_now) - rs_t0))
	still_attached a
	wait_for 10 all_running || fail "$1: a session is lost:" \
	    "$(cat "$T/ls.out" "$T/ls.err")"
	grep -q ' 3 sessions adopted' "$T/lnshd$N.err" ||
	    fail "$1: not all adopted: $(grep adopted "$T/lnshd$N.err")"
}

expect 0 "$LNSH" new mini other -- /bin/sh
expect 0 "$LNSH" new mini idle1 -- /bin/sh
attach_pane a mini main -- /bin/sh
attach_ready a
ticker_start a

# --- flood: kill -9 while the session prints as fast as it can.
tm send-keys -t a "seq 1 3000000; echo flood-end-\$((40+2))" Enter
wait_for 10 screen_has a '^[0-9]{4,}$' || fail "the flood did not start"
restart flood
wait_screen 60 a '^flood-end-42( |$)'
echo "flood: the pane updated $RECOVERED ms after the new lnshd started;" \
    "the flood's end shown"
tm send-keys -t a 'clear' Enter

# --- handshake: a second client's initiation reaches a stopped lnshd.
kill -STOP "$DAEMON_PID" || fail "SIGSTOP lnshd"
attach_pane b mini other --no-create
# Its initiation is in lnshd's socket once its debug log says it went
# (a datagram on loopback is queued at the receiver before send returns).
wait_line 10 "$T/b.log" 'handshake: the first' ||
    fail "handshake: the second client sent none: $(cat "$T/b.err")"
restart handshake
wait_for 30 attach_up b || fail "handshake: the second client did not" \
    "attach: $(cat "$T/b.err")"
echo "handshake: the pane updated $RECOVERED ms after the new lnshd" \
    "started; the second client attached"
tm kill-session -t b

# --- resize: the client's resize reaches a stopped lnshd.
kill -STOP "$DAEMON_PID" || fail "SIGSTOP lnshd"
tm resize-window -t a -x 100 -y 30 || fail "tmux resize-window"
# SSP sends a resize at once; the log's line follows the send.
wait_line 10 "$T/a.log" 'the terminal is now 100x30' ||
    fail "resize: lnsh did not send it"
restart resize
wait_for 20 size_is main 100x30 || fail "resize: the session is" \
    "$(session_size main), not 100x30"
tm send-keys -t a 'stty size' Enter
wait_screen 10 a '^30 100$'
echo "resize: the pane updated $RECOVERED ms after the new lnshd started;" \
    "the session is 100x30"

# --- pairing: an lnsh pair's initiation reaches a stopped lnshd.
"$LNSHD" pair --single-user --state-dir "$STATE" >"$T/pair.out" \
    2>"$T/pair.err" || fail "lnshd pair: $(cat "$T/pair.err")"
CODE=$(grep -Eo '[0-9A-Z]{4}(-[0-9A-Z]{4}){4}' "$T/pair.out" | head -n 1)
[ -n "$CODE" ] || fail "no code in: $(cat "$T/pair.out")"
kill -STOP "$DAEMON_PID" || fail "SIGSTOP lnshd"
mkdir -p "$T/pairer"
LNSH_CONFIG_DIR=$T/pairer LNSH_TIMEOUT=30 LNSH_DEBUG_LOG=$T/pairer.log \
    "$LNSH" pair mini2 "127.0.0.1:$PORT" "$CODE" >"$T/pairer.out" \
    2>"$T/pairer.err" &
PAIRPID=$!
LNSH_PIDS="$LNSH_PIDS $PAIRPID"
wait_line 10 "$T/pairer.log" 'pairing: the initiation sent' ||
    fail "pairing: lnsh pair sent nothing: $(cat "$T/pairer.err")"
restart pairing
wait_exit 40 "$PAIRPID" || fail "pairing: lnsh pair still runs"
[ "$EXITCODE" = 0 ] || fail "pairing: lnsh pair exited $EXITCODE:" \
    "$(cat "$T/pairer.err")"
LNSH_CONFIG_DIR=$T/pairer "$LNSH" ls mini2 >"$T/out" 2>"$T/err" ||
    fail "pairing: the new client cannot list: $(cat "$T/err")"
echo "pairing: the pane updated $RECOVERED ms after the new lnshd" \
    "started; the pairing completed"

tm send-keys -t a 'echo done-$((40+2))' Enter
wait_screen 10 a '^done-42( |$)'
pass "kill -9 of lnshd during a flood, a handshake, a resize and a" \
    "pairing: no session lost, the client recovered by itself each time"
