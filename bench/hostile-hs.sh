#!/bin/sh
# hostile-hs.sh: sustained new connections per second while 50 clients
# stay attached (issue 12). Run by `make bench-hostile` from the top build
# directory, never by make check.
#
# A single-user lnshd on loopback; 50 tests/attachctl clients, each with
# a key of its own, attached to 50 sessions that print the time every
# second and held (-H) for the whole run. Then bench/hs-rate makes
# handshakes with KEYS authorized keys in turn (made and used once in a
# 5 s warm-up), INFLIGHT at a time, for SECS seconds, once per INFLIGHT
# given (default 8, 32 and 128), each connection left behind as `lnsh ls`
# leaves its own, so that lnshd holds more clients run after run:
# completed handshakes per second, failures, median and 99th percentile
# handshake time, lnshd's CPU. At the end every attached client must
# still be attached, and the drops lnshd counted
# meanwhile are printed by reason: the first limit pushed shows there.
# "Still attached" is lnsh ls --json's count of clients per session.
#
# hostile-hs.sh [SECS [KEYS [INFLIGHT...]]]

set -u
SECS=${1:-20}
KEYS=${2:-200}
[ $# -gt 2 ] && shift 2 || set --
INFLIGHTS=${*:-8 32 128}
. "$(dirname "$0")/lib.sh"
bench_linux hostile-hs "CPU figures"
verbs_setup hostile-hs
ATTACHCTL=$B/tests/attachctl
HSRATE=$B/bench/hs-rate
for f in "$ATTACHCTL" "$HSRATE"; do
	[ -x "$f" ] || fail "$f not built"
done
D="--single-user --state-dir $STATE"
# hs-rate leaves every connection it made behind, as an lnsh older than
# the CloseRequest does: each holds a client slot until LN_PEER_IDLE_NS
# (15 min) of silence, or until lnshd evicts it at max-clients. The
# default here keeps them all, to measure lnshd holding thousands;
# HOSTILE_MAX_CLIENTS=256 measures the eviction at lnshd's default.
echo "max-clients ${HOSTILE_MAX_CLIENTS:-100000}" >"$T/lnshd.conf"
mini_daemon --config "$T/lnshd.conf"
AK=$HOME/.config/lnsh/authorized_keys

# status_to FILE: `lnshd status` saved in FILE.
status_to() {
	"$LNSHD" status $D >"$1" || fail "lnshd status"
}

nruns=0
for x in $INFLIGHTS; do
	nruns=$((nruns + 1))
done
HOLD=$((nruns * (SECS + 5) + 40))
pids=
k=1
while [ $k -le 50 ]; do
	other_key "$T/k$k"
	"$ATTACHCTL" -H "$PORT" "$HOSTKEY" "$T/k$k/key" "a$k" - "tick" \
	    "$HOLD" /bin/sh -c 'while :; do echo tick $(date +%s); sleep 1; done' \
	    >"$T/a$k.out" 2>"$T/a$k.err" &
	pids="$pids $!"
	k=$((k + 1))
done
all_shown() {
	[ "$(cat "$T"/a*.out | grep -c '^shown$')" -ge 50 ]
}
wait_for 60 all_shown ||
    fail "only $(cat "$T"/a*.out | grep -c '^shown$') of 50 clients attached"
echo "50 clients attached to 50 sessions (a line a second each);" \
    "handshakes: $KEYS keys in turn, $SECS s per run"
status_to "$T/status.0"
# The keys' first handshakes: lnshd records each key's first use with a
# synced file write (then one a minute), which is not what is measured.
"$HSRATE" -k "$T/hs.keys" "$PORT" "$HOSTKEY" "$AK" "$KEYS" 8 5 \
    >"$T/hs.warm" 2>"$T/hs.warm.err" || fail "hs-rate: $(cat "$T/hs.warm.err")"
echo "warm-up, each key's first handshake (5 s, 8 in flight):" \
    "$(sed -n 's/^per_sec //p' "$T/hs.warm") handshakes/s"
for inflight in $INFLIGHTS; do
	c0=$(cpu_ticks "$LPID")
	t0=$(ms_now)
	"$HSRATE" -k "$T/hs.keys" "$PORT" "$HOSTKEY" "$AK" "$KEYS" \
	    "$inflight" "$SECS" \
	    >"$T/hs.$inflight" 2>"$T/hs.$inflight.err" ||
	    fail "hs-rate: $(cat "$T/hs.$inflight.err")"
	t1=$(ms_now)
	c1=$(cpu_ticks "$LPID")
	v() {
		sed -n "s/^$1 //p" "$T/hs.$inflight"
	}
	echo "in flight $inflight: $(v per_sec) handshakes/s ($(v handshakes)" \
	    "in $SECS s), failed $(v failed), median $(v median_ms) ms," \
	    "p99 $(v p99_ms) ms; lnshd CPU $(( (c1 - c0) * 100000 / HZ / (t1 - t0) ))% of a core"
done
status_to "$T/status.1"
echo "lnshd drops during the runs, by reason:"
drops_moved "$T/status.0" "$T/status.1"
echo "clients lnshd holds at the end: $(sed -n 's/^clients //p' "$T/status.1")"
echo "lnshd handshakes counted: $(( $(sed -n 's/^handshakes //p' "$T/status.1") - \
    $(sed -n 's/^handshakes //p' "$T/status.0") ))"
# Still attached: each of the 50 sessions has its client.
"$LNSH" ls --json mini >"$T/ls.json" 2>"$T/ls.err" ||
    fail "lnsh ls: $(cat "$T/ls.err")"
still=$("$PY" -c '
import json, sys
print(sum(1 for s in json.load(open(sys.argv[1]))
          if s["name"].startswith("a") and s["clients"] >= 1))' "$T/ls.json")
for p in $pids; do
	kill "$p" 2>/dev/null
done
echo "sessions with their client still attached at the end: $still of 50"
[ "$still" = 50 ]
