#!/bin/sh
# sessions-limit.sh: a script creating sessions in a loop stops at the
# 65th (max-sessions-per-user, default 64) with one clear line that names
# the limit, the option and where to set it; ending one makes room.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup sessions-limit
verbs_daemon

i=1
while [ $i -le 64 ]; do
	expect 0 "$LNSH" new mini "s$i" -- sh -c 'exec sleep 600'
	i=$((i + 1))
done
expect 1 "$LNSH" new mini s65 -- sh -c 'exec sleep 600'
for want in '64 sessions' 'max-sessions-per-user' 'lnshd.conf' \
    "lnsh kill"; do
	grep -q "$want" "$T/err" || fail "no '$want' in: $(cat "$T/err")"
done
expect 0 "$LNSH" kill mini s1
expect 0 "$LNSH" new mini s65 -- sh -c 'exec sleep 600'
pass "the 65th session is refused with the limit and how to raise it"
