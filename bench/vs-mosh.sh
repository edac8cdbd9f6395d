#!/bin/sh
# vs-mosh.sh: lnsh beside mosh, in the same run, through the same
# impairment relay (tests/impair), each client in a 120x40 tmux pane.
#
#	LNSH_BUILDDIR=BUILD sh bench/vs-mosh.sh [IDLE_SECONDS]
#
# (`make bench-mosh` in a build directory does exactly that.) Measures, for
# mosh 1.4 (mosh-server new / mosh-client, no SSH) and for lnsh (lnshd
# single-user on loopback, `lnsh attach`):
#
#   1. `seq 1 3000000` until its marker and the prompt show: wall time
#      (and how much of it seq itself ran, timed inside the session),
#      server CPU (mosh-server; lnshd + the session's lnsh-holder, each
#      also shown on its own), bytes each way as the relay counted them;
#      through a relay with no delay, then through one with 50 ms each way
#      (100 ms RTT). Two runs each (VS_MOSH_SEQ_RUNS=N for N),
#      alternating; the one with the shorter wall time counts. The same
#      flood in a tmux pane directly (its own tmux server, so that its CPU
#      is the pane's alone) gives the tmux column: wall and the tmux
#      server's CPU, the target for a program that also parses every byte
#      and keeps history.
#   2. keystroke to echo at 100 ms RTT, prediction off and on (mosh:
#      MOSH_PREDICTION_DISPLAY=never|always; lnsh: --predict=never|always):
#      median of 20 keys, and the first key after 1.5 s of quiet. The same
#      in a pane running the shell directly gives the harness's floor
#      (send-keys, tmux, capture-pane), which the echo goals allow for.
#   3. idle attached for IDLE_SECONDS (default 60): packets and bytes each
#      way.
#   4. resume after a roam (the relay's SIGUSR1: a new source port, so the
#      server sees a new client address) and after a 10 s outage (the
#      relay's --pause-file), to a screen showing a clock line printed after
#      the event.
#
# Every session runs `env PS1='$ ' ENV= /bin/sh`, so both see the same
# shell. Each client has its own relay, so its counters are its own. The
# table goes to stdout, with issue 14's goals as ratios measured in this
# run (a benchmark prints them: it never fails on one); with
# VS_MOSH_RESULTS=FILE the raw figures are kept;
# VS_MOSH_PARTS="seq echo resume idle" (the default) picks the parts.
# Linux only (server CPU from /proc, in cpu_ticks); needs tmux, python3,
# mosh-server and mosh-client (scripts/install-deps --bench).

set -u

B=${LNSH_BUILDDIR:-$(pwd)}
S=${LNSH_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
IDLE=${1:-60}
PROBE="python3 $S/bench/vs-mosh-probe.py"
LNSH=$B/lnsh
LNSHD=$B/lnshd
IMPAIR=$B/tests/impair
CLOCKMS=$B/tests/clockms
LNSH_HOLDER=$B/holder/lnsh-holder
SOCK=vs-mosh-$$
PIDS=""
MOSH_PIDS=""
LANG=C.UTF-8
LC_ALL=C.UTF-8
export LANG LC_ALL LNSH_HOLDER

die() {
	echo "vs-mosh: $*" >&2
	exit 1
}

for p in "$LNSH" "$LNSHD" "$IMPAIR" "$CLOCKMS" "$LNSH_HOLDER"; do
	[ -x "$p" ] || die "$p not built (run from the build directory)"
done
for c in tmux python3 mosh-server mosh-client; do
	command -v $c >/dev/null 2>&1 ||
	    die "no $c (scripts/install-deps --bench installs mosh)"
done

# /tmp, not $TMPDIR: lnshd's sockets live under $T, and sun_path is short.
T=$(mktemp -d /tmp/vs-mosh.XXXXXX) || exit 1
RES=$T/results

# Ends everything this run started: tmux, relays, lnshd and its sessions,
# the mosh servers (which detach, so they are killed by pid).
cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	tmux -L "$SOCK-tmux" kill-server >/dev/null 2>&1
	if [ -n "${STATE:-}" ]; then
		"$LNSHD" kill-all --single-user --state-dir "$STATE" \
		    >/dev/null 2>&1
	fi
	for p in $PIDS $MOSH_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	if [ -n "${VS_MOSH_RESULTS:-}" ] && [ -f "$RES" ]; then
		cp "$RES" "$VS_MOSH_RESULTS"
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# A closed output (`| head`) or terminal: cleanup still runs, or lnshd,
# the holders, the mosh servers and the relays outlive the run.
trap 'exit 141' PIPE
trap 'exit 129' HUP

# Seconds since the epoch with microseconds, as the sessions' clocks print
# (python3: macOS's date has no %N).
now() {
	python3 -c 'import time; print("%.6f" % time.time())'
}

# The clock a session runs for m_resume, one line every 50 ms.
CLOCK_LOOP="python3 -uc 'import time; [(print(\"%.6f\" % time.time()), time.sleep(0.05)) for _ in iter(int, 1)]'"

# wait_for SECS CMD...: polls CMD every 50 ms until it succeeds.
wait_for() {
	wf_end=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -gt "$wf_end" ] && return 1
		sleep 0.05
	done
}

# listen_port LOG: the port of lnshd's first "listening on 127.0.0.1:PORT"
# line in LOG (tests/regress/lib.sh's, which this script does not source).
listen_port() {
	sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$1" |
	    head -n 1
}

# cpu_ticks PID...: user+system CPU of the PIDs, in clock ticks. The one
# Linux-only piece: fields 14 and 15 of /proc/PID/stat, counted after the
# parenthesised command name, which may hold spaces.
cpu_ticks() {
	ct_sum=0
	for ct_p in "$@"; do
		ct_t=$(sed 's/.*) //' "/proc/$ct_p/stat" 2>/dev/null |
		    awk '{ print $12 + $13 }')
		ct_sum=$((ct_sum + ${ct_t:-0}))
	done
	echo "$ct_sum"
}
HZ=$(getconf CLK_TCK)

# relay NAME DELAY_MS TO_PORT: an impair relay; sets RPORT, its pid in
# $T/NAME.pid, counters in $T/NAME.stats, outage switch $T/NAME.pause.
relay() {
	# Made first: the first look for its line may come before the
	# relay's shell has opened the file.
	: >"$T/$1.out"
	"$IMPAIR" --listen 127.0.0.1:0 --to "127.0.0.1:$3" --delay "$2" \
	    --seed 1 --stats "$T/$1.stats" --pause-file "$T/$1.pause" \
	    >"$T/$1.out" 2>"$T/$1.err" &
	echo $! >"$T/$1.pid"
	PIDS="$PIDS $!"
	wait_for 10 grep -q '^listening' "$T/$1.out" ||
	    die "relay $1 did not start: $(cat "$T/$1.err")"
	RPORT=$(awk '/^listening/ { print $3; exit }' "$T/$1.out")
}

# stats NAME: the relay's counters now, as shell assignments (c2s_tx=...).
stats() {
	rm -f "$T/$1.stats"
	kill -USR2 "$(cat "$T/$1.pid")"
	wait_for 5 test -s "$T/$1.stats" || die "relay $1 wrote no stats"
	sed -n 's/^\([a-z0-9_]*\) \([0-9]*\)$/\1=\2/p' "$T/$1.stats"
}

# stat_delta BEFORE AFTER NAME: AFTER's counter NAME minus BEFORE's.
stat_delta() {
	sd_a=$(echo "$1" | sed -n "s/^$3=//p")
	sd_b=$(echo "$2" | sed -n "s/^$3=//p")
	echo $((sd_b - sd_a))
}

# put MEASURE SYSTEM VALUE: one figure into the results.
put() {
	echo "$1 $2 $3" >>"$RES"
}

# pane NAME CMD: a detached 120x40 tmux session running CMD.
pane() {
	tmux -L "$SOCK" new-session -d -s "$1" -x 120 -y 40 \
	    "$2 2>'$T/$1.cerr'; echo \"client exited \$?\"; exec sleep 100000" ||
	    die "cannot start pane $1"
}

screen() {
	tmux -L "$SOCK" capture-pane -p -t "$1"
}

keys() {
	tmux -L "$SOCK" send-keys -t "$@"
}

# on_sock SOCK CMD...: CMD with the pane helpers on tmux server SOCK.
on_sock() {
	os_save=$SOCK
	SOCK=$1
	shift
	"$@"
	os_rc=$?
	SOCK=$os_save
	return $os_rc
}

# screen_has PANE ERE: a row of PANE's screen matches.
screen_has() {
	screen "$1" | grep -Eq "$2"
}

# screen_empty PANE: nothing on PANE's screen but the prompt.
screen_empty() {
	[ "$(screen "$1" | grep -c .)" = 1 ] && screen_has "$1" '^\$ ?$'
}

# ready PANE: the session's shell answers in PANE.
ready_tok=0
ready() {
	ready_tok=$((ready_tok + 1))
	wait_for 20 screen_has "$1" '^\$( |$)' || return 1
	keys "$1" "clear; echo rdy$ready_tok\$((40 + 2))" Enter
	wait_for 15 screen_has "$1" "^rdy${ready_tok}42\$"
}

# cp_answered PANE: PANE's screen changed from $cp_before and ends with
# a bare prompt: the shell answered the C-c.
cp_answered() {
	cp_now=$(screen "$1")
	[ "$cp_now" != "$cp_before" ] &&
	    echo "$cp_now" | grep . | tail -n 1 | grep -Eq '^\$ ?$'
}

# clear_pane PANE: an empty screen with the prompt, after whatever ran.
# The C-c is answered before `clear` is typed: a terminal flushes its
# input on ^C, and mosh and lnsh, which send the keys typed since their
# last message together, had the session read "^Cclear\r" at once and
# lose the `clear` (6 s lost to a retry, now and then). Both mosh and
# lnsh with prediction "always" have been seen to leave the screen blank
# after `clear` until more output came: say so, and retry.
clear_pane() {
	for cp_try in 1 2 3; do
		cp_before=$(screen "$1")
		keys "$1" C-c
		wait_for 3 cp_answered "$1"
		keys "$1" "clear" Enter
		wait_for 6 screen_empty "$1" && return 0
		echo "  $1: the screen did not show the prompt after clear" \
		    "within 6 s (try $cp_try)" >&2
	done
	return 1
}

# ---- mosh: one server per client, each behind its own relay.
# mosh_server NAME: starts it; sets MPORT and MKEY, records its pid.
mosh_server() {
	mosh-server new -i 127.0.0.1 -p 0 -- env 'PS1=$ ' ENV= /bin/sh \
	    >"$T/$1.srv.out" 2>"$T/$1.srv.err" </dev/null ||
	    die "mosh-server: $(cat "$T/$1.srv.err")"
	MPORT=$(awk '/^MOSH CONNECT/ { print $3 }' "$T/$1.srv.out")
	MKEY=$(awk '/^MOSH CONNECT/ { print $4 }' "$T/$1.srv.out")
	mp=$(sed -n 's/.*detached, pid = \([0-9]*\).*/\1/p' "$T/$1.srv.err")
	[ -n "$MPORT" ] && [ -n "$mp" ] || die "mosh-server said nothing useful"
	MOSH_PIDS="$MOSH_PIDS $mp"
	echo "$mp" >"$T/$1.srvpid"
}

# mosh_pane NAME DELAY PREDICT
mosh_pane() {
	mosh_server "$1"
	relay "r$1" "$2" "$MPORT"
	pane "$1" "MOSH_KEY=$MKEY MOSH_PREDICTION_DISPLAY=$3 \
	    TERM=tmux-256color mosh-client 127.0.0.1 $RPORT"
}

# ---- lnsh: one lnshd, one session per client, each behind its own relay.
lnsh_daemon() {
	HOME=$T/home
	LNSH_CONFIG_DIR=$T/client
	STATE=$T/state
	export HOME LNSH_CONFIG_DIR
	unset LNSH_USER
	mkdir -p "$HOME/.config/lnsh" "$STATE" "$LNSH_CONFIG_DIR" || die mkdir
	chmod 700 "$HOME" "$HOME/.config" "$HOME/.config/lnsh"
	"$LNSH" keygen >/dev/null 2>&1 || die "lnsh keygen"
	"$LNSH" pubkey >"$HOME/.config/lnsh/authorized_keys" ||
	    die "lnsh pubkey"
	chmod 600 "$HOME/.config/lnsh/authorized_keys"
	: >"$T/lnshd.err"	# as in relay
	"$LNSHD" --single-user --state-dir "$STATE" --listen 127.0.0.1:0 -v \
	    >"$T/lnshd.out" 2>"$T/lnshd.err" &
	LNSHD_PID=$!
	PIDS="$PIDS $!"
	wait_for 10 grep -q 'listening on 127\.0\.0\.1:' "$T/lnshd.err" ||
	    die "lnshd did not start: $(cat "$T/lnshd.err")"
	DPORT=$(listen_port "$T/lnshd.err")
	HOSTKEY=$("$LNSHD" pubkey --single-user --state-dir "$STATE") ||
	    die "lnshd pubkey"
	echo "direct 127.0.0.1:$DPORT $HOSTKEY" >"$LNSH_CONFIG_DIR/hosts"
}

# lnsh_pane NAME DELAY PREDICT: session NAME (the same shell as mosh's)
# and a client attached to it through relay rNAME.
lnsh_pane() {
	"$LNSH" new direct "$1" -- env 'PS1=$ ' ENV= /bin/sh \
	    >"$T/$1.new.out" 2>&1 || {
		echo "lnsh new $1: $(cat "$T/$1.new.out")" >&2
		return 1
	}
	hp=$(sed -n "s/.*new session $1 for .*holder pid \([0-9]*\).*/\1/p" \
	    "$T/lnshd.err" | tail -n 1)
	echo "$hp" >"$T/$1.srvpid"
	relay "r$1" "$2" "$DPORT"
	echo "r$1 127.0.0.1:$RPORT $HOSTKEY" >>"$LNSH_CONFIG_DIR/hosts"
	pane "$1" "HOME='$HOME' LNSH_CONFIG_DIR='$LNSH_CONFIG_DIR' \
	    TERM=tmux-256color '$LNSH' attach r$1 $1 --predict=$3"
}

# server_pids SYSTEM PANE: the processes whose CPU counts as the server's;
# for lnsh lnshd first, then the session's holder.
server_pids() {
	case $1 in
	mosh)	cat "$T/$2.srvpid" ;;
	tmux)	tmux -L "$SOCK-tmux" display-message -p -t "$2" '#{pid}' ;;
	*)	echo "$LNSHD_PID $(cat "$T/$2.srvpid")" ;;
	esac
}

# secs T0 T1: the CPU between two cpu_ticks, in seconds.
secs() {
	echo "$1 $2 $HZ" | awk '{ printf "%.3f", ($2 - $1) / $3 }'
}

# ---- the measures.

# m_seq SYSTEM PANE TAG: seq 1 3000000 in PANE; figures under seqTAG_*.
# SYSTEM tmux: the pane runs the shell directly, on its own tmux server,
# with no relay (so no bytes).
seq_tok=100
m_seq() {
	seq_tok=$((seq_tok + 1))
	sq_sock=$SOCK
	[ "$1" = tmux ] && sq_sock=$SOCK-tmux
	on_sock "$sq_sock" clear_pane "$2" ||
	    { put "seq$3_wall" "$1" timeout; return; }
	sleep 1
	sq_pids=$(server_pids "$1" "$2")
	sq_h0=0
	sq_h1=0
	[ "$1" = tmux ] || sq_before=$(stats "r$2")
	# shellcheck disable=SC2086
	sq_c0=$(cpu_ticks $sq_pids)
	[ "$1" = lnsh ] && sq_h0=$(cpu_ticks "$(cat "$T/$2.srvpid")")
	sq_out=$($PROBE seq "$sq_sock" "$2" "$seq_tok$$" 120 \
	    "$CLOCKMS" "$T/stamps")
	sq_wall=${sq_out%% *}
	sq_flood=$(echo "$sq_out" | awk '{ print $2 }')
	sq_rest=$(echo "$sq_out" | awk '{ print $3 }')
	# shellcheck disable=SC2086
	sq_c1=$(cpu_ticks $sq_pids)
	[ "$1" = lnsh ] && sq_h1=$(cpu_ticks "$(cat "$T/$2.srvpid")")
	[ "$1" = tmux ] || sq_after=$(stats "r$2")
	sq_cpu=$(secs "$sq_c0" "$sq_c1")
	sq_holder=$(secs "$sq_h0" "$sq_h1")
	sq_lnshd=$(secs "$((sq_c0 - sq_h0))" "$((sq_c1 - sq_h1))")
	case $1 in
	lnsh)	echo "  $1 seq$3: wall $sq_wall s (seq $sq_flood s, after" \
		    "$sq_rest s), server CPU $sq_cpu s (holder $sq_holder s," \
		    "lnshd $sq_lnshd s)" >&2 ;;
	*)	echo "  $1 seq$3: wall $sq_wall s (seq $sq_flood s, after" \
		    "$sq_rest s), server CPU $sq_cpu s" >&2 ;;
	esac
	# Of the runs, the one with the shortest wall time counts.
	sq_best=$(sed -n "s/^seq$3_wall $1 //p" "$RES")
	case $sq_wall in
	timeout) [ -n "$sq_best" ] && return ;;
	*)	[ -n "$sq_best" ] && [ "$sq_best" != timeout ] &&
		    awk -v a="$sq_wall" -v b="$sq_best" 'BEGIN { exit !(a >= b) }' &&
		    return ;;
	esac
	sed "/^seq$3_[a-z0-9]* $1 /d" "$RES" >"$RES.new" && mv "$RES.new" "$RES"
	put "seq$3_wall" "$1" "$sq_wall"
	put "seq$3_flood" "$1" "$sq_flood"
	put "seq$3_after" "$1" "$sq_rest"
	put "seq$3_cpu" "$1" "$sq_cpu"
	if [ "$1" = lnsh ]; then
		put "seq$3_cpuholder" "$1" "$sq_holder"
		put "seq$3_cpulnshd" "$1" "$sq_lnshd"
	fi
	[ "$1" = tmux ] && return
	put "seq$3_s2c" "$1" "$(stat_delta "$sq_before" "$sq_after" s2c_tx_bytes)"
	put "seq$3_c2s" "$1" "$(stat_delta "$sq_before" "$sq_after" c2s_tx_bytes)"
}

# m_echo SYSTEM PANE MEASURE: keystroke-to-echo figures.
m_echo() {
	if ! clear_pane "$2"; then
		echo "  $1 $3: the screen did not clear:" >&2
		screen "$2" | grep . | tail -n 3 >&2
		put "$3" "$1" timeout
		return
	fi
	$PROBE keys "$SOCK" "$2" 20 1.5 3 >"$T/keys.out" || {
		echo "  $1 $3: no echo:" >&2
		screen "$2" | grep . | tail -n 3 >&2
		put "$3" "$1" timeout
		return
	}
	put "$3" "$1" "$(awk '$1 == "median" { print $2 }' "$T/keys.out")"
	put "$3_first" "$1" "$(awk '$1 == "first" { print $2 }' "$T/keys.out")"
	echo "  $1 $3: $(tr '\n' ' ' <"$T/keys.out")" >&2
}

# m_resume SYSTEM PANE: roam, then a 10 s outage, with a clock running.
m_resume() {
	clear_pane "$2" || { put roam "$1" timeout; return; }
	keys "$2" "$CLOCK_LOOP" Enter
	sleep 2
	t0=$(now)
	kill -USR1 "$(cat "$T/r$2.pid")"
	put roam "$1" "$($PROBE clock "$SOCK" "$2" "$t0" 30)"
	sleep 2
	touch "$T/r$2.pause"
	sleep 10
	t0=$(now)
	rm -f "$T/r$2.pause"
	put outage "$1" "$($PROBE clock "$SOCK" "$2" "$t0" 60)"
	keys "$2" C-c
	echo "  $1 resume: roam $(sed -n "s/^roam $1 //p" "$RES") s," \
	    "outage $(sed -n "s/^outage $1 //p" "$RES") s" >&2
}

# m_idle: every client idle for IDLE seconds, counted on the 0-delay relays.
m_idle() {
	sleep 3
	id_m0=$(stats rm0)
	if [ "$LNSH_OK" = 1 ]; then
		id_l0=$(stats rl0)
	fi
	sleep "$IDLE"
	id_m1=$(stats rm0)
	for c in c2s_tx:idle_c2s_pkts s2c_tx:idle_s2c_pkts \
	    c2s_tx_bytes:idle_c2s_bytes s2c_tx_bytes:idle_s2c_bytes; do
		put "${c#*:}" mosh "$(stat_delta "$id_m0" "$id_m1" "${c%:*}" |
		    awk -v s="$IDLE" '{ printf "%.0f", $1 * 60 / s }')"
	done
	if [ "$LNSH_OK" = 1 ]; then
		id_l1=$(stats rl0)
		for c in c2s_tx:idle_c2s_pkts s2c_tx:idle_s2c_pkts \
		    c2s_tx_bytes:idle_c2s_bytes s2c_tx_bytes:idle_s2c_bytes; do
			put "${c#*:}" lnsh "$(stat_delta "$id_l0" "$id_l1" \
			    "${c%:*}" | awk -v s="$IDLE" \
			    '{ printf "%.0f", $1 * 60 / s }')"
		done
	fi
}

# ---- the run.
: >"$RES"
tmux -L "$SOCK" -f /dev/null start-server \; set -g history-limit 1000 \; \
    new-session -d -s idle -x 120 -y 40 "exec sleep 100000" ||
    die "cannot start tmux"

echo "vs-mosh: starting mosh and lnsh (idle part: $IDLE s)" >&2
mosh_pane m0 0 adaptive
mosh_pane m1 50 never
mosh_pane m2 50 always
for p in m0 m1 m2; do
	ready "$p" || die "mosh in $p did not come up: $(screen "$p")"
done

# The harness's own floor: the same shell straight in a pane.
# (Not through pane(): the shell's prompt goes to stderr.)
tmux -L "$SOCK" new-session -d -s direct -x 120 -y 40 \
    "env PS1='\$ ' ENV= /bin/sh" || die "cannot start the direct pane"
ready direct || die "the direct pane did not come up: $(screen direct)"

LNSH_OK=1
lnsh_daemon
for p in l0:0:adaptive l1:50:never l2:50:always; do
	set -- $(echo "$p" | tr : ' ')
	lnsh_pane "$1" "$2" "$3" || { LNSH_OK=0; break; }
done
if [ "$LNSH_OK" = 1 ]; then
	for p in l0 l1 l2; do
		ready "$p" && continue
		echo "vs-mosh: lnsh in $p did not attach: $(cat "$T/$p.cerr")" \
		    >&2
		screen "$p" | grep . | tail -n 5 >&2
		LNSH_OK=0
		break
	done
fi
[ "$LNSH_OK" = 1 ] || echo "note lnsh not measured (attach not working)" \
    >>"$RES"

# run_both FUNC MOSHPANE LNSHPANE ARGS...: mosh, then lnsh if it works.
run_both() {
	rb_f=$1
	rb_m=$2
	rb_l=$3
	shift 3
	$rb_f mosh "$rb_m" "$@"
	[ "$LNSH_OK" = 1 ] && $rb_f lnsh "$rb_l" "$@"
}

# part NAME: NAME is to run (VS_MOSH_PARTS, default all four).
part() {
	case " ${VS_MOSH_PARTS:-seq echo resume idle} " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

if part seq; then
	echo "vs-mosh: seq 1 3000000" >&2
	# The tmux column: the same shell straight in a pane of a tmux
	# server of its own (the other panes' rendering is not in its CPU).
	tmux -L "$SOCK-tmux" -f /dev/null start-server \; \
	    set -g history-limit 1000 \; \
	    new-session -d -s t0 -x 120 -y 40 "env PS1='\$ ' ENV= /bin/sh" ||
	    die "cannot start the tmux-direct server"
	on_sock "$SOCK-tmux" ready t0 ||
	    die "the tmux-direct pane did not come up"
	# A pty's throughput swings by tens of percent with scheduling on a
	# VM: more runs bring every column nearer what it can do.
	i=0
	while [ "$i" -lt "${VS_MOSH_SEQ_RUNS:-2}" ]; do
		i=$((i + 1))
		m_seq tmux t0 0
		run_both m_seq m0 l0 0
		run_both m_seq m1 l1 1
	done
	# At 100 ms RTT the goal against tmux is the same flood, direct.
	for f in wall flood after cpu; do
		sed -n "s/^seq0_$f tmux /seq1_$f tmux /p" "$RES" >>"$RES"
	done
	tmux -L "$SOCK-tmux" kill-server >/dev/null 2>&1
fi
if part echo; then
	echo "vs-mosh: keystroke to echo at 100 ms RTT" >&2
	m_echo local direct echo_floor
	run_both m_echo m1 l1 echo_off
	run_both m_echo m2 l2 echo_on
fi
if part resume; then
	echo "vs-mosh: roam and outage" >&2
	run_both m_resume m0 l0
	clear_pane m0
	[ "$LNSH_OK" = 1 ] && clear_pane l0
fi
if part idle; then
	echo "vs-mosh: idle for $IDLE s" >&2
	m_idle
fi

echo
echo "lnsh vs mosh $(mosh-server --version 2>&1 | head -n 1 |
    sed 's/.*(\(mosh [0-9.]*\)).*/\1/'), tmux panes 120x40," \
    "$(uname -sm), $(getconf _NPROCESSORS_ONLN) CPUs"
[ "$IDLE" = 60 ] || echo "(idle measured over $IDLE s, scaled to 60 s)"
echo
$PROBE table "$RES"
