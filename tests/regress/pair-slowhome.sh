#!/bin/sh
# pair-slowhome.sh: in root mode the paired key is written by a child
# running as the user, and lnshd's loop does not wait for it: with user
# A's home on a frozen filesystem (a hung NFS or FUSE home looks the same),
# `lnshd status` still answers at once while A's pairing waits; after
# LN_PAIR_AUTHORIZE_NS (3 s) lnshd gives up, logs why, answers the client
# that the key could not be recorded, and the code can be used again.
# Needs root, useradd, loop devices, mkfs.ext4 and fsfreeze (Linux): else
# skipped (77).
. "$(dirname "$0")/lib.sh"
lnsh_setup pair-slowhome

users_setup pair-slowhome lns
for c in fsfreeze mkfs.ext4; do
	command -v $c >/dev/null 2>&1 || { echo "SKIP: no $c"; exit 77; }
done
lnshd_programs
users_can_run pair-slowhome "$LNSHD"

# A's home: a small ext4 filesystem of its own, so that it can be frozen.
HA=$T/home-$UA
FROZEN=""
MOUNTED=""
slow_cleanup() {
	[ -n "$FROZEN" ] && fsfreeze -u "$HA" 2>/dev/null
	# What runs as A may hold the filesystem: end it, then unmount.
	[ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null
	pkill -KILL -u "$UA" 2>/dev/null
	[ -n "$MOUNTED" ] && wait_for 10 umount "$HA" 2>/dev/null
	users_cleanup
}
trap slow_cleanup EXIT
dd if=/dev/zero of="$T/home.img" bs=1024 count=16384 2>/dev/null &&
    mkfs.ext4 -q -F "$T/home.img" >/dev/null 2>&1 ||
    fail "cannot make a filesystem image"
mount -o loop "$T/home.img" "$HA" 2>"$T/mount.err" || {
	echo "SKIP: pair-slowhome: no loop mount: $(cat "$T/mount.err")"
	exit 77
}
MOUNTED=1
chown "$UA" "$HA" && chmod 700 "$HA" || fail "chown $HA"

lnshd_options
lnshd_listen $D -v

su "$UA" -s /bin/sh -c "'$LNSHD' pair $D" >"$T/pair.out" 2>&1 ||
    fail "lnshd pair as $UA: $(cat "$T/pair.out")"
CODE=$(grep -Eo '[0-9A-Z]{4}(-[0-9A-Z]{4}){4}' "$T/pair.out" | head -n 1)
[ -n "$CODE" ] || fail "no code: $(cat "$T/pair.out")"

fsfreeze -f "$HA" || fail "fsfreeze $HA"
FROZEN=1
export LNSH_CONFIG_DIR=$T/client LNSH_TIMEOUT=15
"$LNSH" pair ha "$UA@127.0.0.1:$PORT" "$CODE" >"$T/cl.out" 2>"$T/cl.err" &
CPID=$!
# The child that writes the key runs as A, and hangs on the frozen home.
wait_for 10 pgrep -u "$UA" >/dev/null ||
    fail "no process of $UA writing the key: $(cat "$T/cl.err")"
"$LNSHD" status $D >"$T/status.out" 2>&1 &
SPID=$!
wait_for 2 lnsh_gone "$SPID" || {
	kill "$SPID"
	fail "lnshd did not answer status within 2 s while a home hangs"
}
wait "$SPID" || fail "lnshd status failed: $(cat "$T/status.out")"
grep -q 'sessions' "$T/status.out" || fail "status: $(cat "$T/status.out")"

wait_line 10 "$T/lnshd.err" "writing $UA's authorized_keys took more than 3 s" ||
    fail "lnshd did not give up on the hung home"
rc=0
wait "$CPID" || rc=$?
[ "$rc" = 1 ] || fail "lnsh pair exited $rc: $(cat "$T/cl.err")"
grep -q 'could not record the key' "$T/cl.err" ||
    fail "client message: $(cat "$T/cl.err")"
fsfreeze -u "$HA" || fail "fsfreeze -u"
FROZEN=""

# The code was given back: it still pairs, now that the home answers.
"$LNSH" pair ha2 "$UA@127.0.0.1:$PORT" "$CODE" >"$T/cl.out" 2>"$T/cl.err" ||
    fail "the code after the thaw: $(cat "$T/cl.err")"
grep -q '^lnsh-x25519 ' "$HA/.config/lnsh/authorized_keys" ||
    fail "no key written after the thaw"
pass "a hung home delays only its own pairing, never lnshd"
