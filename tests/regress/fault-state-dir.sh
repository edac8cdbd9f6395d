#!/bin/sh
# fault-state-dir.sh (issue 12, faults): lnshd's state dir on a small
# tmpfs this test mounts, full (of blocks, of inodes) or read-only, at
# start and while lnshd runs. Each time: an error that names the path and
# says what to do (ln_fs_hint: "its file system is full: free space there
# and try again" / "read-only: make it writable"), no running session
# touched (it still answers and is listed), lnshd still running, and
# recovery by itself once space or writability returns.
# Root and Linux (mount -t tmpfs) only: skipped (77) elsewhere.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup fault-state-dir
if [ "$(id -u)" != 0 ] || [ "$(uname -s)" != Linux ]; then
	echo "SKIP: fault-state-dir: needs root on Linux (mounts a tmpfs)"
	exit 77
fi
MNT=$T/mnt
mkdir -p "$MNT"
# nr_inodes bounds the sockets and files it can hold, size the bytes.
mount -t tmpfs -o size=256k,nr_inodes=48,mode=700 tmpfs "$MNT" || {
	echo "SKIP: fault-state-dir: cannot mount a tmpfs here"
	exit 77
}
STATE=$MNT/state
DAEMON_PID=""
# Holders first (their sockets are on the tmpfs), then lnshd, then the
# mount, then verbs_cleanup's own.
fsd_cleanup() {
	mount -o remount,rw "$MNT" 2>/dev/null
	"$LNSHD" kill-all --single-user --state-dir "$STATE" >/dev/null 2>&1
	[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null
	[ -n "$DAEMON_PID" ] && wait_exit 10 "$DAEMON_PID"
	umount "$MNT" 2>/dev/null || umount -l "$MNT"
	verbs_cleanup
}
trap fsd_cleanup EXIT
mkdir -m 700 "$STATE"

# fill: writes zeros until the tmpfs has no block left.
fill() {
	dd if=/dev/zero of="$MNT/fill" bs=4096 >/dev/null 2>&1
	[ "$(df -k "$MNT" | awk 'NR == 2 { print $4 }')" = 0 ] ||
	    fail "the tmpfs is not full: $(df -k "$MNT")"
}
# fill_inodes: creates files until no inode is left.
fill_inodes() {
	fi_n=0
	while touch "$MNT/i$fi_n" 2>/dev/null; do
		fi_n=$((fi_n + 1))
		[ "$fi_n" -lt 1000 ] || fail "inodes never ran out"
	done
}
unfill() {
	rm -f "$MNT/fill" "$MNT"/i[0-9]*
}
# start_fails WHAT RE: lnshd refuses to start, exit not 0, with an error
# on stderr matching the ERE RE.
start_fails() {
	sf_rc=0
	"$LNSHD" --single-user --state-dir "$STATE" --listen 127.0.0.1:0 \
	    >"$T/start.out" 2>"$T/start.err" &
	sf_pid=$!
	wait_exit 10 "$sf_pid" || { kill "$sf_pid"; fail "$1: lnshd ran on"; }
	[ "$EXITCODE" != 0 ] || fail "$1: lnshd exited 0"
	grep -Eq "$2" "$T/start.err" ||
	    fail "$1: no error matching '$2': $(cat "$T/start.err")"
	echo "$1: $(grep -E "$2" "$T/start.err" | head -n 1 |
	    sed 's/^[^ ]* [^ ]* //')"
}
# a_answers TAG: session a echoes TAG back and is listed running.
a_answers() {
	expect 0 "$LNSH" send mini a "echo $1-\$((6*7))\\n"
	wait_for 10 sh -c "'$LNSH' capture mini a | grep -q '$1-42'" ||
	    fail "session a does not answer ($1)"
	expect 0 "$LNSH" ls mini
	grep -Eq '^a +running' "$T/out" || fail "ls ($1): $(cat "$T/out")"
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "lnshd died ($1)"
}
S_RE=$(printf '%s' "$STATE" | sed 's/[.[\*^$]/\\&/g')	# as an ERE

# --- at start: full (the host key cannot be written), then read-only.
fill
start_fails "start, full" \
    "$S_RE/host_key: .*No space left.*file system is full: free space"
unfill
mount -o remount,ro "$MNT" || fail "remount ro"
start_fails "start, read-only" \
    "$S_RE/[a-z_.]+: .*file system is read-only: make it writable"
mount -o remount,rw "$MNT" || fail "remount rw"
# Recovery: the same command now starts.
verbs_daemon
expect 0 "$LNSH" new mini a -- /bin/sh
a_answers start

# --- while running, blocks full: nothing needs blocks to serve sessions
# (sockets take none); lastuse cannot be written, which is logged, with
# what to do, not fatal (when it is next due).
fill
a_answers blocks-full
expect 0 "$LNSH" new mini b -- /bin/sh
# (lastuse/UID is rewritten at most once a minute, LN_LASTUSE_EVERY_SEC:
# its warning, with the path and the hint, may not come within the test.)
unfill

# --- while running, inodes full: a new session's socket cannot be made.
fill_inodes
expect 1 "$LNSH" new mini c -- /bin/sh
grep -Eq "$S_RE/holders/[0-9]+/c: .*file system is full: free space" \
    "$T/err" || fail "new, inodes full: $(cat "$T/err")"
echo "running, inodes full: $(cat "$T/err")"
a_answers inodes-full
unfill
expect 0 "$LNSH" new mini c -- /bin/sh

# --- read-only with sessions running. A running lnshd keeps its
# handshake-stamps journal open for appending (server/stamps.c), so the
# kernel refuses to remount the file system read-only under it (EBUSY):
# checked here, since it is what protects the journal. So lnshd is
# killed (-9: the holders run on), the file system made read-only, and a
# new lnshd started on it: it refuses, naming the path; the sessions'
# holders run on untouched; made writable, the next start adopts them.
if mount -o remount,ro "$MNT" 2>/dev/null; then
	fail "remounted read-only under a running lnshd: is the stamps" \
	    "journal not open?"
fi
expect 0 "$LNSH" new mini d -- /bin/sh
HOLDERS=$("$LNSHD" status --single-user --state-dir "$STATE" |
    awk '$1 == "session" { print $NF }')
[ "$(echo $HOLDERS | wc -w | tr -d ' ')" = 4 ] || fail "holders: $HOLDERS"
kill -9 "$DAEMON_PID"
wait_exit 10 "$DAEMON_PID" || fail "lnshd did not die"
DAEMON_PID=""
mount -o remount,ro "$MNT" || fail "remount ro"
start_fails "sessions running, read-only" \
    "$S_RE/[a-z_.]+: .*file system is read-only: make it writable"
for h in $HOLDERS; do
	kill -0 "$h" 2>/dev/null || fail "holder $h died"
done
mount -o remount,rw "$MNT" || fail "remount rw"
spawn lnshd2 "$LNSHD" --single-user --state-dir "$STATE" \
    --listen "127.0.0.1:$PORT" -v
DAEMON_PID=$LASTPID
wait_line 10 "$T/lnshd2.err" ' 4 sessions adopted' ||
    fail "the sessions were not adopted: $(grep adopted "$T/lnshd2.err")"
a_answers recovered
expect 0 "$LNSH" ls mini
[ "$(grep -Ec '^[abcd] +running' "$T/out")" = 4 ] ||
    fail "after recovery: $(cat "$T/out")"

pass "full or read-only state dir: errors name the path and what to do;" \
    "sessions untouched; lnshd recovers"
