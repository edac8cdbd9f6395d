#!/bin/sh
# daemon-spawn-stall.sh: a new session's holder that never says it is
# ready (its user can stop it; here a stand-in that sleeps) holds up no one
# else: while `lnsh new` waits for it, another `lnsh ls` is answered, and
# the new is refused once HOLDER_IO_TIMEOUT_SEC (5 s) passed. Before, lnshd
# waited for the ready line inside its event loop: the ls was answered
# only after the new had timed out. No clock is read: the ls must finish
# while the new is still waiting.
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup daemon-spawn-stall
# The stand-in holder: says where it is, keeps the ready pipe open, sleeps.
cat >"$T/stuck-holder" <<EOS || fail "stuck-holder"
#!/bin/sh
echo \$\$ >"$T/stuck.pid"
exec sleep 60
EOS
chmod 755 "$T/stuck-holder"
LNSH_HOLDER=$T/stuck-holder
export LNSH_HOLDER
verbs_daemon

spawn new "$LNSH" new mini stuck -- /bin/sh
NEWPID=$!
wait_for 10 test -s "$T/stuck.pid" || fail "the stand-in holder did not run"
expect 0 "$LNSH" ls mini
lnsh_gone "$NEWPID" &&
    fail "lnsh ls was answered only after lnsh new: lnshd waited for the holder"
wait_exit 15 "$NEWPID" || fail "lnsh new did not end"
[ "$EXITCODE" = 1 ] || fail "lnsh new exited $EXITCODE, not 1"
grep -q 'did not start in time' "$T/new.err" ||
    fail "lnsh new: $(cat "$T/new.err")"
# The holder that never answered is gone, and the name is free again.
wait_for 10 lnsh_gone "$(cat "$T/stuck.pid")" ||
    fail "the stand-in holder was not stopped"
pass "a holder that never says ready stalls no other client"
