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

B=${LNSH_BUILDDIR:-$(pwd)}
LNSH=$B/lnsh
LNSHD=$B/lnshd
IMPAIR=$B/tests/impair
LNSH_HOLDER=$B/server/lnsh-holder
SOCK=flood-bytes-$$
PIDS=""
LANG=C.UTF-8
LC_ALL=C.UTF-8
export LANG LC_ALL LNSH_HOLDER

die() {
	echo "flood-bytes: $*" >&2
	exit 1
}

for p in "$LNSH" "$LNSHD" "$IMPAIR" "$LNSH_HOLDER"; do
	[ -x "$p" ] || die "$p not built (run from the build directory)"
done
for c in tmux python3; do
	command -v $c >/dev/null 2>&1 || die "no $c"
done
[ $# -gt 0 ] || set -- "seq 1 3000000"

# /tmp, not $TMPDIR: lnshd's sockets live under $T, and sun_path is short.
T=$(mktemp -d /tmp/flood-bytes.XXXXXX) || exit 1
cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	"$LNSHD" kill-all --single-user --state-dir "$T/state" \
	    >/dev/null 2>&1
	for p in $PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() {
	python3 -c 'import time; print("%.6f" % time.time())'
}

# wait_for SECS CMD...: polls CMD every 50 ms until it succeeds.
wait_for() {
	wf_end=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -gt "$wf_end" ] && return 1
		sleep 0.05
	done
}

screen_has() {
	tmux -L "$SOCK" capture-pane -p -t p | grep -Eq "$1"
}

# stat NAME: the relay's counter NAME now.
stat() {
	rm -f "$T/r.stats"
	kill -USR2 "$RPID"
	wait_for 5 test -s "$T/r.stats" || die "the relay wrote no stats"
	sed -n "s/^$1 //p" "$T/r.stats"
}

HOME=$T/home
LNSH_CONFIG_DIR=$T/client
export HOME LNSH_CONFIG_DIR
unset LNSH_USER
mkdir -p "$HOME/.config/lnsh" "$T/state" "$LNSH_CONFIG_DIR" || die mkdir
chmod 700 "$HOME" "$HOME/.config" "$HOME/.config/lnsh"
"$LNSH" keygen >/dev/null 2>&1 || die "lnsh keygen"
"$LNSH" pubkey >"$HOME/.config/lnsh/authorized_keys" || die "lnsh pubkey"
chmod 600 "$HOME/.config/lnsh/authorized_keys"
"$LNSHD" --single-user --state-dir "$T/state" --listen 127.0.0.1:0 -v \
    >"$T/lnshd.out" 2>"$T/lnshd.err" &
PIDS="$PIDS $!"
wait_for 10 grep -q 'listening on 127\.0\.0\.1:' "$T/lnshd.err" ||
    die "lnshd did not start: $(cat "$T/lnshd.err")"
DPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
    "$T/lnshd.err" | head -n 1)
HOSTKEY=$("$LNSHD" pubkey --single-user --state-dir "$T/state") ||
    die "lnshd pubkey"
"$IMPAIR" --listen 127.0.0.1:0 --to "127.0.0.1:$DPORT" --delay 0 \
    --seed 1 --stats "$T/r.stats" >"$T/r.out" 2>"$T/r.err" &
RPID=$!
PIDS="$PIDS $RPID"
wait_for 10 grep -q '^listening' "$T/r.out" ||
    die "the relay did not start: $(cat "$T/r.err")"
RPORT=$(awk '/^listening/ { print $3; exit }' "$T/r.out")
echo "r 127.0.0.1:$RPORT $HOSTKEY" >"$LNSH_CONFIG_DIR/hosts"
"$LNSH" new r flood -- env 'PS1=$ ' ENV= /bin/sh >"$T/new.out" 2>&1 ||
    die "lnsh new: $(cat "$T/new.out")"
tmux -L "$SOCK" -f /dev/null new-session -d -s p -x 120 -y 40 \
    "TERM=tmux-256color '$LNSH' attach r flood 2>'$T/c.err'; exec sleep 100000" ||
    die "cannot start tmux"
wait_for 20 screen_has '^\$' || die "lnsh did not attach: $(cat "$T/c.err")"
sleep 1

n=0
for cmd in "$@"; do
	n=$((n + 1))
	tmux -L "$SOCK" send-keys -t p "clear" Enter
	wait_for 10 screen_has '^\$ ?$' || die "the screen did not clear"
	sleep 1
	s0=$(stat s2c_tx_bytes)
	c0=$(stat c2s_tx_bytes)
	t0=$(now)
	tmux -L "$SOCK" send-keys -t p "$cmd; echo mark$n\$((40 + 2))" Enter
	wait_for 300 screen_has "^mark${n}42" || die "no marker after $cmd"
	t1=$(now)
	sleep 2
	s1=$(stat s2c_tx_bytes)
	c1=$(stat c2s_tx_bytes)
	awk -v c="$cmd" -v t0="$t0" -v t1="$t1" -v s="$((s1 - s0))" \
	    -v k="$((c1 - c0))" 'BEGIN { printf "%-32s wall %.2f s  server->client %d B  client->server %d B\n", c, t1 - t0, s, k }'
done
