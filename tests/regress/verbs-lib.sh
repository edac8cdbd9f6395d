# verbs-lib.sh: what the verbs-*.sh tests share, on top of lib.sh: one
# lnshd in single-user mode on a free loopback port, with a temporary HOME
# (where lnshd finds authorized_keys) and a separate LNSH_CONFIG_DIR (where
# lnsh keeps its key and hosts file), and a cleanup that ends the sessions,
# which outlive lnshd by design.
#
#   verbs_setup NAME      lib.sh's lnsh_setup, then the programs and dirs
#   verbs_daemon [OPT...] starts lnshd (with OPTs, e.g. --config FILE); sets
#                         $PORT and $HOSTKEY, writes the hosts line
#                         "mini 127.0.0.1:$PORT HOSTKEY"
#   mini_daemon OPTION... the same without -v (the benches: no debug log
#                         in their figures)
#   status_clients        prints the count of lnshd status's "clients N"
#                         line (the whole status is left in $T/status.out;
#                         $T/lnshd.conf is passed when there is one)
#   clients_are N         the count is N (for wait_for)
#   expect CODE CMD...    runs CMD, output in $T/out and $T/err; fails unless
#                         it exits CODE and, when CODE != 0, says why in
#                         exactly one stderr line starting "lnsh: "
#   sess_state NAME       session NAME on mini, from `lnsh ls mini --json`:
#                         "running", "exited N", "gone REASON" (its holder
#                         went without a word) or "absent"
#   is_state NAME STATE   sess_state NAME is STATE
#   attach_ends NAME CODE OUT
#                         `lnsh attach mini NAME --no-create` in a pty until
#                         it ends (15 s at most), what it showed in OUT;
#                         true if it exited CODE
#   lnshd_status KEY      one value of the test's lnshd's `lnshd status`
#   holder_pid NAME       the pid of session NAME's holder, from it
#   tx_stops WHAT         waits until lnshd stops sending (after WHAT, for
#                         the failures); $TX_STOP_MS and $TX_SENT
#   ms_now                milliseconds on lnsh's elapsed-time clock (lib.sh)
#
# For the tests that drive lnsh in tmux panes (tests/regress/roam-lib.sh,
# tests/e2e/attach-lib.sh), with $TM_SOCK naming the test's tmux server and
# a pane P's lnsh writing its stderr to $T/P.err:
#
#   tm ARGS...             tmux on the test's private server
#   screen_has P RE        the visible screen of P matches the ERE RE
#   screen_lacks P RE      it does not (or P is gone)
#   wait_screen SECS P RE  until it does, else fail showing the screen

command -v lnsh_setup >/dev/null 2>&1 || . "$(dirname "$0")/lib.sh"

verbs_setup() {
	lnsh_setup "$1"
	LNSH=$B/lnsh
	LNSHD=$B/lnshd
	LNSH_HOLDER=${LNSH_HOLDER:-$B/holder/lnsh-holder}
	PY=${PYTHON3:-$(command -v python3)}
	for f in "$LNSH" "$LNSHD" "$LNSH_HOLDER"; do
		[ -x "$f" ] || fail "$f not built"
	done
	[ -n "$PY" ] || fail "python3 not found: it is a declared dependency"
	HOME=$T/home
	LNSH_CONFIG_DIR=$T/client
	STATE=$T/state
	LNSH_TIMEOUT=10
	export HOME LNSH_CONFIG_DIR LNSH_HOLDER LNSH_TIMEOUT
	unset LNSH_USER
	mkdir -p "$HOME/.config/lnsh" "$STATE" || fail "mkdir"
	chmod 700 "$HOME" "$HOME/.config" "$HOME/.config/lnsh"
	trap verbs_cleanup EXIT
	lnsh_vg_wrap
}

# Ends every session of the test's lnshd, then lib.sh's cleanup.
verbs_cleanup() {
	if [ -n "${STATE:-}" ] && [ -x "${LNSHD:-}" ]; then
		"$LNSHD" kill-all --single-user --state-dir "$STATE" \
		    >/dev/null 2>&1
	fi
	lnsh_cleanup
}

# Starts lnshd on a free port, authorizes our key, writes the hosts line.
verbs_daemon() {
	mini_daemon -v "$@"
}

# mini_daemon OPTION...: verbs_daemon's lnshd, run with the OPTIONs only.
mini_daemon() {
	own_key
	lnshd_listen --single-user --state-dir "$STATE" "$@"
	DAEMON_PID=$LPID
	HOSTKEY=$("$LNSHD" pubkey --single-user --state-dir "$STATE") ||
	    fail "lnshd pubkey"
	echo "mini 127.0.0.1:$PORT $HOSTKEY" >"$LNSH_CONFIG_DIR/hosts"
}

# The client count lnshd status reports; the status is in $T/status.out.
status_clients() {
	if [ -f "$T/lnshd.conf" ]; then
		set -- --config "$T/lnshd.conf"
	else
		set --
	fi
	"$LNSHD" status --single-user --state-dir "$STATE" "$@" \
	    >"$T/status.out" || fail "lnshd status"
	sed -n 's/^clients \([0-9]*\)$/\1/p' "$T/status.out"
}

# clients_are N: lnshd counts N clients.
clients_are() {
	[ "$(status_clients)" = "$1" ]
}

# expect CODE CMD...: CMD exits CODE; an error is one "lnsh: " line.
expect() {
	ex_want=$1
	shift
	ex_rc=0
	"$@" >"$T/out" 2>"$T/err" || ex_rc=$?
	[ "$ex_rc" = "$ex_want" ] ||
	    fail "'$*' exited $ex_rc, not $ex_want: $(cat "$T/err")"
	if [ "$ex_want" != 0 ]; then
		[ "$(wc -l <"$T/err" | tr -d ' ')" = 1 ] ||
		    fail "'$*': want one line on stderr, got: $(cat "$T/err")"
		grep -q '^lnsh: ' "$T/err" ||
		    fail "'$*': stderr does not start 'lnsh: '"
	fi
}

# sess_state NAME: NAME's state as `lnsh ls mini --json` gives it.
sess_state() {
	"$LNSH" ls mini --json >"$T/ls.json" 2>"$T/ls.err" || return 1
	"$PY" - "$T/ls.json" "$1" <<'PYEOF'
import json, sys
for s in json.load(open(sys.argv[1])):
    if s["name"] == sys.argv[2]:
        if s["state"] == "running":
            print("running")
        elif s["state"] == "gone":
            print("gone %s" % s["reason"])
        else:
            print("exited %s" % s["exit_status"])
        break
else:
    print("absent")
PYEOF
}

# is_state NAME STATE: NAME is in STATE (sess_state's words).
is_state() {
	[ "$(sess_state "$1")" = "$2" ]
}

# attach_ends NAME CODE OUT: lnsh attach of NAME, in a pty, exits CODE
# within 15 s; OUT gets what it showed.
attach_ends() {
	"$PY" - "$LNSH" "$1" "$2" "$3" <<'PYEOF'
import os, pty, select, sys, time
lnsh, name, code, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    sys.argv[4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(lnsh, [lnsh, "attach", "mini", name, "--no-create"])
out, end = b"", time.monotonic() + 15
while time.monotonic() < end:
    r, _, _ = select.select([fd], [], [], 1)
    if not r:
        continue
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
_, st = os.waitpid(pid, 0)
open(path, "wb").write(out)
sys.exit(0 if os.WEXITSTATUS(st) == code else 1)
PYEOF
}

# lnshd_status KEY: the value of KEY in `lnshd status` of the test's lnshd.
lnshd_status() {
	"$LNSHD" status --single-user --state-dir "$STATE" |
	    awk -v k="$1" '$1 == k { print $2; exit }'
}

# holder_pid NAME: the pid of NAME's holder, from `lnshd status`.
holder_pid() {
	"$LNSHD" status --single-user --state-dir "$STATE" |
	    awk -v n="$1" '$1 == "session" && $3 == n { print $NF }'
}

# tx_stops WHAT: after WHAT (a client gone silent), polls lnshd's
# tx_packets every 0.25 s until it has not moved for 3 s, at most 25 s:
# the time of its last change is when lnshd stopped sending. Sets
# $TX_STOP_MS (that time, in ms from the call) and $TX_SENT (the packets
# sent meanwhile). Fails if lnshd still sends after 25 s, or sent nothing
# at all (then the test would see nothing).
tx_stops() {
	ts_t0=$(ms_now)
	ts_tx0=$(lnshd_status tx_packets)
	ts_last=$ts_t0
	ts_txl=$ts_tx0
	while :; do
		lnsh_tick; lnsh_tick; lnsh_tick; lnsh_tick; lnsh_tick
		ts_now=$(ms_now)
		ts_tx=$(lnshd_status tx_packets)
		if [ "$ts_tx" != "$ts_txl" ]; then
			ts_txl=$ts_tx
			ts_last=$ts_now
		fi
		[ $((ts_now - ts_last)) -ge 3000 ] && break
		[ $((ts_now - ts_t0)) -ge 25000 ] &&
		    fail "lnshd still sends 25 s after $1"
	done
	[ "$ts_txl" -gt "$ts_tx0" ] ||
	    fail "lnshd sent nothing after $1: the test sees nothing"
	TX_STOP_MS=$((ts_last - ts_t0))
	TX_SENT=$((ts_txl - ts_tx0))
}

# tm ARGS...: tmux on the test's private server $TM_SOCK.
tm() {
	tmux -L "$TM_SOCK" "$@"
}

# screen_has P RE: what pane P shows matches the ERE RE.
screen_has() {
	tm capture-pane -p -t "$1" 2>/dev/null | grep -Eq "$2"
}

# screen_lacks P RE: P shows nothing matching RE, for waiting until a
# notice has gone.
screen_lacks() {
	! screen_has "$1" "$2"
}

# wait_screen SECS P RE: P shows RE within SECS seconds, else the test fails
# with the screen and P's lnsh's stderr.
wait_screen() {
	wait_for "$1" screen_has "$2" "$3" || {
		tm capture-pane -p -t "$2" | sed 's/^/| /'
		fail "pane $2 did not show /$3/ within $1 s: $(cat "$T/$2.err" \
		    2>/dev/null)"
	}
}
