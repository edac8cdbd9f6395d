#!/bin/sh
# daemon-users.sh: lnshd in root mode with two throwaway users. Each
# client is admitted only as the user whose authorized_keys holds its key;
# each user's sessions run as that user and are invisible and untouchable
# to the other (ls, capture, send and kill of the other's session answer 4
# "no such session"); an authorized_keys that others can write is refused
# with a log line naming it. Needs root, useradd and lnsh: else skipped.
. "$(dirname "$0")/lib.sh"
lnsh_setup daemon-users

users_setup daemon-users lns
[ -x "$B/lnsh" ] || { echo "SKIP: daemon-users: lnsh not built"; exit 77; }
lnshd_programs
LNSH_TIMEOUT=3
export LNSH_TIMEOUT

users_can_run daemon-users "$LNSH_HOLDER"

# A client key each (root's files), admitted for its own user only.
lnshd_options
users_daemon
# as CLIENT USER VERB ARGS...: lnsh with CLIENT's key, served as USER.
as() {
	c=$1 u=$2 v=$3
	shift 3
	LNSH_CONFIG_DIR=$T/client-$c "$LNSH" "$v" "$u@h" "$@"
}

as $UA $UA new sa -- /bin/sh || fail "new for $UA"
as $UB $UB new sb -- /bin/sh || fail "new for $UB"
as $UA $UA send sa 'echo I-am-$(id -un)\n' || fail "send $UA"
sa_has() { as $UA $UA capture sa | grep -q "I-am-$UA"; }
wait_for 10 sa_has || fail "sa does not run as $UA"
as $UA $UA ls >"$T/ls-a" || fail "ls $UA"
grep -q sa "$T/ls-a" && ! grep -q sb "$T/ls-a" || fail "$UA sees: $(cat "$T/ls-a")"
as $UB $UB ls >"$T/ls-b" || fail "ls $UB"
grep -q sb "$T/ls-b" && ! grep -q sa "$T/ls-b" || fail "$UB sees: $(cat "$T/ls-b")"
for v in capture kill; do
	rc=0; as $UA $UA $v sb >/dev/null 2>&1 || rc=$?
	[ $rc = 4 ] || fail "$UA $v of $UB's session gave $rc, not 4"
done
rc=0; as $UA $UA send sb 'x' >/dev/null 2>&1 || rc=$?
[ $rc = 4 ] || fail "$UA send to $UB's session gave $rc, not 4"
# A's key asking to be B: no answer at all.
rc=0; as $UA $UB ls >/dev/null 2>&1 || rc=$?
[ $rc = 3 ] || fail "$UA's key admitted as $UB ($rc)"
grep -q "not admitted for $UB" "$T/lnshd.err" || fail "no refusal logged"
# The holders' sockets are in per-user directories of mode 0700.
for u in $UA $UB; do
	d=$STATE/holders/$(id -u "$u")
	case $(ls -ld "$d") in
	drwx------*" $u "*) ;;
	*) fail "socket dir: $(ls -ld "$d")" ;;
	esac
done

# An authorized_keys others can write is refused, naming the file.
AK=$T/home-$UA/.config/lnsh/authorized_keys
chmod 666 "$AK"
rc=0; as $UA $UA ls >/dev/null 2>&1 || rc=$?
[ $rc = 3 ] || fail "unsafe authorized_keys admitted ($rc)"
grep -q "$AK" "$T/lnshd.err" || fail "the refusal does not name $AK"
chmod 600 "$AK"
as $UA $UA kill sa || fail "kill sa"
as $UB $UB kill sb || fail "kill sb"

pass "two users, each sees and touches only its own sessions"
