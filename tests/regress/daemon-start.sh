#!/bin/sh
# daemon-start.sh: how lnshd starts, and how it refuses to (issue 13). A
# start that fails (the port in use, the state dir another lnshd's) leaves
# nothing behind: no host key, no state dir, not even the default one.
# An lnsh-holder that is missing or unfit to run stops lnshd at start,
# with the path and the fix (in root mode: root's, not writable by others).
# Help goes to stdout (exit 0), usage errors to stderr (2); -V names the
# libraries lnshd was built with. `lnshd pair` as root says to name the
# user.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup daemon-start

# --- help on stdout with exit 0; a usage error on stderr with 2; -V.
rc=0
"$LNSHD" --help >"$T/help.out" 2>"$T/help.err" || rc=$?
[ "$rc" = 0 ] || fail "lnshd --help exited $rc"
[ -s "$T/help.err" ] && fail "lnshd --help wrote stderr: $(cat "$T/help.err")"
grep -q '^usage: lnshd' "$T/help.out" || fail "--help: $(cat "$T/help.out")"
rc=0
"$LNSHD" --no-such-option >"$T/bad.out" 2>"$T/bad.err" || rc=$?
[ "$rc" = 2 ] || fail "lnshd --no-such-option exited $rc, not 2"
[ -s "$T/bad.out" ] && fail "a usage error on stdout: $(cat "$T/bad.out")"
grep -q '^lnshd: unknown option --no-such-option' "$T/bad.err" ||
    fail "usage error: $(cat "$T/bad.err")"
for v in -V --version; do
	"$LNSHD" $v >"$T/v.out" 2>"$T/v.err" || fail "lnshd $v failed"
	grep -q '^lnshd [0-9][^ ]* (protocol [0-9]*)$' "$T/v.out" ||
	    fail "lnshd $v: $(cat "$T/v.out" "$T/v.err")"
	grep -Eq '^built with libsodium [0-9.]+, protobuf-c [0-9.]+, libevent [0-9][^,]*, libvterm [0-9]+\.[0-9]+$' \
	    "$T/v.out" || fail "lnshd $v: no library versions: $(cat "$T/v.out")"
done

# A running lnshd holds $PORT and its state dir $STATE.
verbs_daemon

# --- the port in use: exit 1, and the fresh state dir is not there.
rc=0
"$LNSHD" --single-user --state-dir "$T/fresh/state" \
    --listen "127.0.0.1:$PORT" >"$T/second.out" 2>"$T/second.err" || rc=$?
[ "$rc" = 1 ] || fail "second lnshd on a used port exited $rc"
[ -e "$T/fresh" ] && fail "a failed start left $(find "$T/fresh")"
# The same with the default state dir (\$HOME/.local/state/lnsh).
mkdir -p "$T/home2"
rc=0
env HOME="$T/home2" XDG_STATE_HOME= "$LNSHD" --single-user \
    --listen "127.0.0.1:$PORT" >"$T/third.out" 2>"$T/third.err" || rc=$?
[ "$rc" = 1 ] || fail "lnshd with the default state dir exited $rc"
[ -e "$T/home2/.local" ] &&
    fail "a failed start left $(find "$T/home2/.local")"

# --- the state dir locked by the running lnshd: its key is untouched,
# and nothing else appears there.
ls "$STATE" >"$T/before"
cp "$STATE/host_key" "$T/key.before"
rc=0
"$LNSHD" --single-user --state-dir "$STATE" --listen 127.0.0.1:0 \
    >"$T/fourth.out" 2>"$T/fourth.err" || rc=$?
[ "$rc" = 1 ] || fail "second lnshd on a used state dir exited $rc"
grep -q "another lnshd is running" "$T/fourth.err" ||
    fail "locked: $(cat "$T/fourth.err")"
ls "$STATE" >"$T/after"
cmp -s "$T/before" "$T/after" || fail "state dir changed: $(cat "$T/after")"
cmp -s "$STATE/host_key" "$T/key.before" || fail "host key changed"

# A start that succeeds still writes its new key, once, mode 0600.
expect 0 "$LNSH" ls mini
[ "$(ls -l "$STATE/host_key" | cut -c1-10)" = "-rw-------" ] ||
    fail "host key mode: $(ls -l "$STATE/host_key")"

# --- lnsh-holder: missing, not executable; in root mode, not root's or
# writable by others. Each refuses the start, names the path and the fix,
# and creates nothing.
# start_refused MODE HOLDER WANT: lnshd in MODE (--single-user, or root
# for root mode) with lnsh-holder at HOLDER exits 1 saying WANT.
start_refused() {
	if [ "$1" = root ]; then set -- "" "$2" "$3"; fi
	spawn h env LNSH_HOLDER="$2" "$LNSHD" $1 --state-dir "$T/h/state" \
	    --config "$T/empty.conf" --listen 127.0.0.1:0
	wait_exit 10 "$LASTPID" || fail "$2: lnshd started anyway"
	[ "$EXITCODE" = 1 ] ||
	    fail "$2: lnshd exited $EXITCODE, not 1: $(cat "$T/h.err")"
	grep -qF -- "$3" "$T/h.err" || fail "$2: want '$3': $(cat "$T/h.err")"
	[ -e "$T/h" ] && fail "$2: a refused start left $(find "$T/h")"
	return 0
}
: >"$T/empty.conf"
start_refused --single-user "$T/nowhere/lnsh-holder" \
    "lnsh-holder is not at $T/nowhere/lnsh-holder"
grep -qF "holder-path" "$T/h.err" || fail "no fix named: $(cat "$T/h.err")"
H=$T/holder-copy
cp "$LNSH_HOLDER" "$H"
chmod 644 "$H"
start_refused --single-user "$H" "not executable: chmod 755 $H"
if [ "$(id -u)" = 0 ]; then
	# Root mode: the owner and the modes matter.
	chmod 777 "$H"
	start_refused root "$H" "chmod go-w $H"
	chmod 755 "$H"
	chown 1:1 "$H" || fail "chown 1:1 $H as root"
	start_refused root "$H" "chown root $H"
	chown 0:0 "$H"
	chmod 754 "$H"
	start_refused root "$H" "chmod 755 $H"
fi

# --- lnshd pair as root must be told the user (no code for "(none)").
if [ "$(id -u)" = 0 ]; then
	rc=0
	"$LNSHD" pair --state-dir "$T/p/state" --config "$T/empty.conf" \
	    >"$T/pair.out" 2>"$T/pair.err" || rc=$?
	[ "$rc" = 2 ] || fail "lnshd pair as root exited $rc, not 2"
	grep -qxF "lnshd pair: as root, name the user the code is for: lnshd pair --user NAME" \
	    "$T/pair.err" || fail "lnshd pair as root: $(cat "$T/pair.err")"
	[ -e "$T/p" ] && fail "lnshd pair left $(find "$T/p")"
fi
pass "help, -V; a failed start leaves nothing behind; lnsh-holder" \
    "checked at start; lnshd pair as root names --user"
