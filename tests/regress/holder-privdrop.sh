#!/bin/sh
# holder-privdrop.sh: as root, a holder spawned for another user runs as
# that user (and its shell too), creates that user's private socket
# directory, and root's own holders refuse a directory owned by someone
# else. Also: the holder refuses other protocol versions and hangs up on
# garbage without answering it. Skips (77) unless run as root with a
# `nobody` account that can reach the built lnsh-holder.

set -u
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
nuid=$(id -u nobody 2>/dev/null) || { echo "SKIP: no user nobody"; exit 77; }
holder_setup holder-privdrop
tmp=$T
chmod 711 "$tmp"
mkdir -m 1777 "$tmp/run"
dir=$tmp/run/nobody

cleanup() {
	for s in $("$HOLDERCTL" "$dir" ls -u nobody 2>/dev/null | cut -d' ' -f1)
	do
		"$HOLDERCTL" "$dir" kill -u nobody "$s" >/dev/null 2>&1
	done
	for s in $("$HOLDERCTL" "$tmp/root" ls 2>/dev/null | cut -d' ' -f1); do
		"$HOLDERCTL" "$tmp/root" kill "$s" >/dev/null 2>&1
	done
	lnsh_cleanup
}
trap cleanup EXIT

screen_has() {
	"$HOLDERCTL" "$dir" capture -u nobody "$1" |
	    sed 's/[[:space:]]*$//' | grep -qx -- "$2"
}

# --- a holder for nobody runs as nobody, its shell too.
if ! hpid=$("$HOLDERCTL" "$dir" new -u nobody s1 -- /bin/sh -c \
    'echo "uid:$(id -u):$(id -g):$USER"; sleep 100' 2>"$tmp/holder.log")
then
	if grep -q 'Permission denied' "$tmp/holder.log"; then
		echo "SKIP: nobody cannot reach $LNSH_HOLDER:"
		cat "$tmp/holder.log"
		exit 77
	fi
	fail "new as nobody: $(cat "$tmp/holder.log")"
fi
ngid=$(id -g nobody)
[ "$(ps -o uid= -p "$hpid" | tr -d ' ')" = "$nuid" ] ||
    fail "holder runs as uid $(ps -o uid= -p "$hpid")"
wait_or_fail "the shell's ids" screen_has s1 "uid:$nuid:$ngid:nobody"
case $(ls -ldn "$dir") in
"drwx------ "*" $nuid "*) ;;
*) fail "nobody's socket dir: $(ls -ldn "$dir")" ;;
esac

# --- root expecting its own socket refuses one that nobody owns.
"$HOLDERCTL" "$dir" peek s1 >/dev/null 2>"$tmp/err" &&
    fail "socket of the wrong owner accepted"
grep -q 'owned by uid 0' "$tmp/err" || fail "message: $(cat "$tmp/err")"
# ...and lnshd (root) is admitted by nobody's holder.
"$HOLDERCTL" "$dir" peek -u nobody s1 >/dev/null || fail "root refused"

# --- a root holder will not use a directory that nobody owns.
"$HOLDERCTL" "$dir" new s2 -- /bin/sh >/dev/null 2>"$tmp/err" &&
    fail "root holder used nobody's directory"
grep -q "owned by uid $nuid" "$tmp/err" || fail "message: $(cat "$tmp/err")"

# --- protocol versions must match; garbage gets no answer, no crash.
out=$("$HOLDERCTL" "$dir" hello -u nobody s1 99) &&
    fail "version 99 accepted"
case $out in
*"version mismatch"*) ;;
*) fail "version mismatch reply: $out" ;;
esac
"$HOLDERCTL" "$dir" garbage -u nobody s1 || fail "garbage answered"
"$HOLDERCTL" "$dir" peek -u nobody s1 >/dev/null ||
    fail "holder gone after garbage"

# --- the holder itself checks its peer: with the directory and socket
# opened up, a third user gets through to connect(2) and is still refused.
if command -v setpriv >/dev/null 2>&1 && id daemon >/dev/null 2>&1; then
	chmod 755 "$dir"
	chmod 666 "$dir/s1"
	setpriv --reuid=daemon --regid=daemon --clear-groups \
	    "$HOLDERCTL" "$dir" peek -u nobody s1 >/dev/null 2>"$tmp/err" &&
	    fail "holder served uid $(id -u daemon)"
	grep -Eq "(reading from|writing to) holder" "$tmp/err" ||
	    fail "daemon was not refused by the holder: $(cat "$tmp/err")"
	# The holder's stderr is holderctl new's, which went to holder.log.
	wait_or_fail "the holder's log line" grep -q \
	    "refused a connection from uid $(id -u daemon)" "$tmp/holder.log"
	chmod 700 "$dir"
	chmod 600 "$dir/s1"
else
	echo "note: no setpriv or no user daemon: peer check not tried"
fi

"$HOLDERCTL" "$dir" kill -u nobody s1 || fail "kill"
exit 0
