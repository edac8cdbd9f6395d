#!/bin/sh
# daemon-sockpath.sh: a Unix socket path longer than sun_path holds (104
# bytes on macOS, 108 on Linux) is refused with an error that names the
# whole path and says what to shorten, never cut short: the control socket
# of a state dir whose socket path is 110 bytes stops lnshd, and a session
# whose holder socket path is 110 bytes is refused to the client.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup daemon-sockpath

# pad N: N characters of padding.
pad() {
	awk -v n="$1" 'BEGIN { while (n-- > 0) printf "x" }'
}

# A state dir whose control socket, STATE/lnshd.sock, is 110 bytes.
base="$T/"
long="$base$(pad $((110 - ${#base} - 11)))"
sock="$long/lnshd.sock"
[ ${#sock} = 110 ] || fail "test bug: $sock is ${#sock} bytes"
mkdir -p "$long"
rc=0
"$LNSHD" --single-user --state-dir "$long" --listen 127.0.0.1:0 \
    >"$T/long.out" 2>"$T/long.err" || rc=$?
[ "$rc" != 0 ] || fail "lnshd started with a 110-byte control socket path"
grep -qF "$sock: 110 bytes, longer than the" "$T/long.err" ||
    fail "no error naming $sock: $(cat "$T/long.err")"
grep -q 'a Unix socket path can have here: shorten the state dir' \
    "$T/long.err" || fail "the error does not say what to shorten: \
$(cat "$T/long.err")"
[ ! -e "$long/lnshd.soc" ] && [ ! -e "$long/lnshd.so" ] ||
    fail "a truncated socket was created"

# A state dir that fits, with a session whose holder socket is 110 bytes.
STATE="$T/$(pad 20)"
mkdir -p "$STATE"
verbs_daemon
hdir="$STATE/holders/$(id -u)/"
name=$(pad $((110 - ${#hdir})))
[ ${#name} -le 64 ] || fail "test bug: name of ${#name} bytes"
expect 1 "$LNSH" new mini "$name" -- /bin/sh
grep -qF "$hdir$name: 110 bytes, longer than the" "$T/err" ||
    fail "no error naming the holder socket: $(cat "$T/err")"
grep -q 'shorten the state dir .* or the session name' "$T/err" ||
    fail "the error does not say what to shorten: $(cat "$T/err")"
ls "$hdir" >"$T/hdir.ls" 2>/dev/null
[ ! -s "$T/hdir.ls" ] || fail "something was created in $hdir: \
$(cat "$T/hdir.ls")"
# A shorter name in the same state dir works.
expect 0 "$LNSH" new mini short -- /bin/sh
pass "110-byte socket paths refused by name, with what to shorten"
