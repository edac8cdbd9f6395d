#!/bin/sh
# flood-bytes.sh: bytes each way while a command floods an attached lnsh,
# a shorter figure than vs-mosh.sh's (no mosh, one run, one relay):
#
#	LNSH_BUILDDIR=BUILD sh bench/flood-bytes.sh [CMD...]
#
# (`make bench-flood` in a build directory runs it with its default
# commands.) Starts lnshd single-user on loopback, a session running
# `env PS1='$ ' ENV= /bin/sh`, and `lnsh attach` in a 120x40 tmux pane
# through tests/impair (no delay); then, for each CMD (default
# `seq 1 3000000`), types `CMD; echo MARK` and waits for the marker on
# the screen. Prints one line per command: wall seconds to the marker,
# and the bytes the relay counted server->client and client->server from
# the keystrokes until 2 s after the marker (the scrollback that follows
# a flood included). Needs tmux and python3; Linux or macOS.

set -u
. "$(dirname "$0")/lib.sh"
LANG=C.UTF-8
LC_ALL=C.UTF-8
export LANG LC_ALL

for c in tmux python3; do
	command -v $c >/dev/null 2>&1 || { echo "flood-bytes: no $c" >&2; exit 1; }
done
[ $# -gt 0 ] || set -- "seq 1 3000000"
verbs_setup flood-bytes
IMPAIR=$B/tests/impair
[ -x "$IMPAIR" ] || fail "$IMPAIR not built"
SOCK=flood-bytes-$$
fb_cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	verbs_cleanup
}
trap fb_cleanup EXIT

now() {
	"$PY" -c 'import time; print("%.6f" % time.time())'
}

screen_has() {
	tmux -L "$SOCK" capture-pane -p -t p | grep -Eq "$1"
}

# stat NAME: the relay's counter NAME now.
stat() {
	rm -f "$T/r.stats"
	kill -USR2 "$RPID"
	wait_for 5 test -s "$T/r.stats" || fail "the relay wrote no stats"
	sed -n "s/^$1 //p" "$T/r.stats"
}

verbs_daemon
spawn r "$IMPAIR" --listen 127.0.0.1:0 --to "127.0.0.1:$PORT" --delay 0 \
    --seed 1 --stats "$T/r.stats"
RPID=$LASTPID
wait_line 10 "$T/r.out" '^listening' || fail "the relay did not start"
RPORT=$(awk '/^listening/ { print $3; exit }' "$T/r.out")
echo "r 127.0.0.1:$RPORT $HOSTKEY" >"$LNSH_CONFIG_DIR/hosts"
"$LNSH" new r flood -- env 'PS1=$ ' ENV= /bin/sh >"$T/new.out" 2>&1 ||
    fail "lnsh new: $(cat "$T/new.out")"
tmux -L "$SOCK" -f /dev/null new-session -d -s p -x 120 -y 40 \
    "TERM=tmux-256color '$LNSH' attach r flood 2>'$T/c.err'; exec sleep 100000" ||
    fail "cannot start tmux"
wait_for 20 screen_has '^\$' || fail "lnsh did not attach: $(cat "$T/c.err")"
sleep 1

n=0
for cmd in "$@"; do
	n=$((n + 1))
	tmux -L "$SOCK" send-keys -t p "clear" Enter
	wait_for 10 screen_has '^\$ ?$' || fail "the screen did not clear"
	sleep 1
	s0=$(stat s2c_tx_bytes)
	c0=$(stat c2s_tx_bytes)
	t0=$(now)
	tmux -L "$SOCK" send-keys -t p "$cmd; echo mark$n\$((40 + 2))" Enter
	wait_for 300 screen_has "^mark${n}42" || fail "no marker after $cmd"
	t1=$(now)
	sleep 2
	s1=$(stat s2c_tx_bytes)
	c1=$(stat c2s_tx_bytes)
	awk -v c="$cmd" -v t0="$t0" -v t1="$t1" -v s="$((s1 - s0))" \
	    -v k="$((c1 - c0))" 'BEGIN { printf "%-32s wall %.2f s  server->client %d B  client->server %d B\n", c, t1 - t0, s, k }'
done
