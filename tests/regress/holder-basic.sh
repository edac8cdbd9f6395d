#!/bin/sh
# holder-basic.sh: session holders driven through holderctl: typing and
# capture, the environment and size of the pty, an exit status reported
# exactly once, kill, uniqueness of names, survival of the spawning
# process, and the socket directory's permissions.
#
# Run by `make check` from the top build directory; LNSH_HOLDER and
# HOLDERCTL may point elsewhere.

set -u
. "$(dirname "$0")/lib.sh"
holder_setup holder-basic
tmp=$T
dir=$tmp/sock

cleanup() {
	for s in $("$HOLDERCTL" "$dir" ls 2>/dev/null | cut -d' ' -f1); do
		"$HOLDERCTL" "$dir" kill "$s" >/dev/null 2>&1
	done
	lnsh_cleanup
}
trap cleanup EXIT

# screen_has NAME REGEX: a captured line matches REGEX (whole line).
screen_has() {
	"$HOLDERCTL" "$dir" capture "$1" | sed 's/[[:space:]]*$//' |
	    grep -qx -- "$2"
}

# field NAME KEY: a value from `holderctl peek` (consumes nothing).
field() {
	"$HOLDERCTL" "$dir" peek "$1" | sed -n "s/^$2=//p"
}

is_exited() {
	[ "$(field "$1" state)" = exited ]
}

# --- typing and capture; the holder outlives holderctl, which spawned it.
hpid=$("$HOLDERCTL" "$dir" new s1 -- /bin/sh) || fail "new s1"
kill -0 "$hpid" 2>/dev/null || fail "holder gone after holderctl exited"
"$HOLDERCTL" "$dir" send s1 'echo hello\n' || fail "send"
# The shell's prompt may come before or after the echoed input.
wait_or_fail "hello on the screen" screen_has s1 '\(.*[#$] \)\{0,1\}hello'
[ "$(field s1 state)" = running ] || fail "s1 not running"
[ "$(field s1 name)" = s1 ] || fail "info name"
# The loop runs on the method configure chose: select on macOS, where
# kqueue and poll cannot wait on the pty, and in the select-wait build.
m=$(field s1 event_method)
holder_method_ok "$m" || fail "holder's event loop on '$m' (config.h: $(grep \
    LNSH_SELECT_WAIT "$B/config.h"))"
# lnshd's signals are not the holder's: SIGHUP (lnshd's terminal going)
# is ignored, and the holder is in a session of its own.
kill -HUP "$hpid"
[ "$(field s1 state)" = running ] || fail "holder gone after SIGHUP"

# --- the socket directory is private, and so is the socket.
case $(ls -ld "$dir") in
drwx------*) ;;
*) fail "socket dir mode: $(ls -ld "$dir")" ;;
esac
case $(ls -l "$dir/s1") in
srw-------*) ;;
*) fail "socket mode: $(ls -l "$dir/s1")" ;;
esac

# --- names are unique.
"$HOLDERCTL" "$dir" new s1 -- /bin/sh 2>/dev/null
[ $? -eq 5 ] || fail "second s1 not refused as existing"
"$HOLDERCTL" "$dir" new 'bad/name' -- /bin/sh 2>/dev/null &&
    fail "bad name accepted"

# --- a group-accessible socket directory is refused, not used.
mkdir -m 755 "$tmp/open"
"$HOLDERCTL" "$tmp/open" new x -- /bin/sh 2>"$tmp/err" &&
    fail "group-accessible dir accepted"
grep -q 'chmod 700' "$tmp/err" || fail "no useful message: $(cat "$tmp/err")"

# --- the environment is built from scratch; the size is the one asked.
s2holder=$(LNSH_LEAK=yes "$HOLDERCTL" "$dir" new s2 -c 100 -r 30 -- /bin/sh -c \
    'echo "env:$LNSH_SESSION:$TERM:$USER:${LNSH_LEAK:-none}:$COLORTERM"; stty size;
     read x; stty size; sleep 100') || fail "new s2"
wait_or_fail "s2 environment" screen_has s2 \
    "env:s2:xterm-256color:$(id -un):none:truecolor"
wait_or_fail "s2 size" screen_has s2 '30 100'
"$HOLDERCTL" "$dir" new s5 -c 120 -t vt100 -e LANG=C.UTF-8 -e LC_TIME=C \
    -e EVIL=1 -e PATH=/evil -- /bin/sh -c \
    'echo "loc:$TERM:$LANG:$LC_TIME:${EVIL:-none}"; echo "path:$PATH";
     sleep 100' \
    >/dev/null || fail "new s5"
wait_or_fail "only locale variables passed" screen_has s5 \
    'loc:vt100:C.UTF-8:C:none'
wait_or_fail "PATH with Homebrew's directories first" screen_has s5 \
    'path:/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin'
"$HOLDERCTL" "$dir" kill s5 || fail "kill s5"
# --- a TERM with no terminfo entry here falls back to xterm-256color.
"$HOLDERCTL" "$dir" new s6 -t lnsh-no-such-term -- /bin/sh -c \
    'echo "term:$TERM"; sleep 100' >/dev/null || fail "new s6"
wait_or_fail "an unknown TERM replaced" screen_has s6 'term:xterm-256color'
"$HOLDERCTL" "$dir" kill s6 || fail "kill s6"
# --- erasing a character in a cooked read takes all its bytes (IUTF8, as
# tmux and mosh set it): e-acute (two bytes), erase, "a" leaves one byte.
"$HOLDERCTL" "$dir" new s7 -- /bin/sh -c \
    'echo ready; read x; echo "len:${#x}"; sleep 100' >/dev/null ||
    fail "new s7"
wait_or_fail "s7 to read" screen_has s7 ready
"$HOLDERCTL" "$dir" send s7 '\xc3\xa9\x7fa\n' || fail "send to s7"
wait_or_fail "s7's line" screen_has s7 'len:[0-9]*'
screen_has s7 'len:1' || fail "an erase left part of a character (no \
IUTF8?): $("$HOLDERCTL" "$dir" capture s7 | grep len:)"
"$HOLDERCTL" "$dir" kill s7 || fail "kill s7"
"$HOLDERCTL" "$dir" resize s2 90 20 || fail "resize"
"$HOLDERCTL" "$dir" send s2 '\n' || fail "send to s2"
wait_or_fail "s2 new size" screen_has s2 '20 90'
[ "$(field s2 cols)" = 90 ] || fail "info cols after resize"
# No larger than the emulator holds (FB_MAX_COLS x FB_MAX_ROWS), so that
# the pty never says more than the screen shows: refused, never passed on.
"$HOLDERCTL" "$dir" resize s2 1024 512 || fail "resize to 1024x512"
"$HOLDERCTL" "$dir" resize s2 1025 20 2>/dev/null &&
    fail "a resize to 1025 columns was accepted"
"$HOLDERCTL" "$dir" resize s2 90 513 2>/dev/null &&
    fail "a resize to 513 rows was accepted"
[ "$(field s2 cols)x$(field s2 rows)" = 1024x512 ] ||
    fail "size after refused resizes: $(field s2 cols)x$(field s2 rows)"
"$HOLDERCTL" "$dir" new wide -c 1025 -- /bin/sh >/dev/null 2>&1 &&
    fail "a holder of 1025 columns started"
"$HOLDERCTL" "$dir" resize s2 90 20 || fail "resize back"

# --- an exit status is kept until listed once, then the holder goes.
"$HOLDERCTL" "$dir" new s3 -- /bin/sh >/dev/null || fail "new s3"
"$HOLDERCTL" "$dir" send s3 'exit 3\n' || fail "send exit"
wait_or_fail "s3 to exit" is_exited s3
[ "$(field s3 exit_status)" = 3 ] || fail "peek exit status"
"$HOLDERCTL" "$dir" info s3 >"$tmp/info" || fail "info s3"
grep -qx 'exit_status=3' "$tmp/info" || fail "exit status: $(cat "$tmp/info")"
grep -qx 'state=exited' "$tmp/info" || fail "state: $(cat "$tmp/info")"
"$HOLDERCTL" "$dir" info s3 >/dev/null 2>&1
[ $? -eq 4 ] || fail "exited s3 reported twice"
[ ! -e "$dir/s3" ] || fail "s3 socket left behind"
"$HOLDERCTL" "$dir" ls | grep -q '^s3 ' && fail "ls still lists s3"

# --- lnshd's event-loop API, as lnshd attaches a client: the holder's SSP
# server syncs the screen that shows what was typed through SSP, info
# counts the client, and the exit is notified.
"$HOLDERCTL" "$dir" new s4 -- /bin/sh >/dev/null || fail "new s4"
out=$("$HOLDERCTL" "$dir" watch s4 'echo wat""ched\n' watched) ||
    fail "watch did not see the output"
[ "$out" = "clients=1 state=running" ] || fail "watch info: $out"
"$HOLDERCTL" "$dir" watch s4 'exit 7\n' exit:7 >/dev/null ||
    fail "watch did not see the exit"
"$HOLDERCTL" "$dir" info s4 | grep -qx 'exit_status=7' || fail "s4 status"

# --- bounds: at most LN_HOLDER_CLIENTS_MAX clients (proto/wire.h, 64);
# four more are refused, saying why. Those a closed connection leaves are
# kept for resuming but not counted, and make room for new attaches.
MAX=$(sed -n 's/^#define LN_HOLDER_CLIENTS_MAX[[:space:]]*\([0-9]*\).*/\1/p' \
    "$S/proto/wire.h")
[ -n "$MAX" ] || fail "no LN_HOLDER_CLIENTS_MAX in $S/proto/wire.h"
# Issue 12: 20 clients on one session.
[ "$MAX" -ge 20 ] || fail "a holder serves $MAX clients, fewer than 20"
"$HOLDERCTL" "$dir" new s5 -- /bin/sh >/dev/null || fail "new s5"
out=$("$HOLDERCTL" "$dir" attachmany s5 $((MAX + 4))) ||
    fail "attachmany: $out"
echo "$out" | grep -qx "attached $MAX refused 4 clients $MAX" ||
    fail "$((MAX + 4)) attaches: $out"
echo "$out" | grep -q 'refusal: .*as many as it serves: detach one' ||
    fail "the refusal does not say why: $out"
wait_for 5 sh -c "'$HOLDERCTL' '$dir' peek s5 | grep -qx clients=0" ||
    fail "clients left by a closed connection are counted"
out=$("$HOLDERCTL" "$dir" attachmany s5 "$MAX") || fail "attachmany: $out"
[ "$out" = "attached $MAX refused 0 clients $MAX" ] ||
    fail "kept clients did not make room: $out"
"$HOLDERCTL" "$dir" kill s5 || fail "kill s5"

# --- kill ends the shell and everything in its group, and the holder.
spid=$(field s1 pid)
kill -0 "$spid" 2>/dev/null || fail "shell pid $spid not alive"
"$HOLDERCTL" "$dir" kill s1 || fail "kill s1"
[ ! -e "$dir/s1" ] || fail "s1 socket left after kill"
wait_or_fail "shell $spid to go" sh -c "! kill -0 $spid"
wait_or_fail "holder $hpid to go" sh -c "! kill -0 $hpid || \
    ps -o stat= -p $hpid | grep -q Z"
"$HOLDERCTL" "$dir" send s1 'x' 2>/dev/null
[ $? -eq 4 ] || fail "killed session still answers"

# --- a stale socket (holder gone, here by SIGKILL) is removed by ls.
"$HOLDERCTL" "$dir" ls | cut -d' ' -f1 >"$tmp/ls"
[ "$(cat "$tmp/ls")" = s2 ] || fail "ls: $(cat "$tmp/ls")"
kill -9 $s2holder
wait_or_fail "s2 holder to die" sh -c "! kill -0 $s2holder || \
    ps -o stat= -p $s2holder | grep -q Z"
[ -S "$dir/s2" ] || fail "s2 socket vanished by itself"
"$HOLDERCTL" "$dir" ls >"$tmp/ls"
[ ! -s "$tmp/ls" ] || fail "ls lists a dead holder: $(cat "$tmp/ls")"
[ ! -e "$dir/s2" ] || fail "stale s2 socket not removed"

exit 0
