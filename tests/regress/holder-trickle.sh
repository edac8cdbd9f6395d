#!/bin/sh
# holder-trickle.sh: a socket in the user's holder directory that answers
# a byte a second (tests/trickle-holder.py: a fake holder its user can put
# there, or swap in between a holder's bind and lnshd's connect) holds up
# no one. lnshd adopts from its loop: it listens at once and answers
# `lnsh ls` and `lnsh new` within 2 s while the fake would take 30 s, and
# gives up on the fake after its one deadline (HOLDER_IO_TIMEOUT_SEC, 5 s
# for the whole exchange). A blocking helper (holderctl) ends by the same
# deadline. Before, SO_RCVTIMEO applied per read: a byte every second
# kept lnshd from starting, or froze it for every user, for 30 s.
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup holder-trickle
HOLDERCTL=$B/tests/holderctl
[ -x "$HOLDERCTL" ] || fail "$HOLDERCTL not built"
HDIR=$STATE/holders/$(id -u)
mkdir -p "$HDIR" && chmod 700 "$STATE" "$STATE/holders" "$HDIR" ||
    fail "mkdir $HDIR"

spawn trickle "$PY" "$S/tests/trickle-holder.py" "$HDIR/fake" 30
wait_for 10 test -S "$HDIR/fake" || fail "the fake holder did not listen"

# lnshd listens while it adopts; ls and new answer at once.
verbs_daemon
spawn ls1 "$LNSH" ls mini
wait_exit 2 "$LASTPID" || fail "lnsh ls took over 2 s with the trickler"
[ "$EXITCODE" = 0 ] || fail "lnsh ls: $(cat "$T/ls1.err")"
spawn new1 "$LNSH" new mini real -- /bin/sh
wait_exit 2 "$LASTPID" || fail "lnsh new took over 2 s with the trickler"
[ "$EXITCODE" = 0 ] || fail "lnsh new: $(cat "$T/new1.err")"
spawn ls2 "$LNSH" ls mini
wait_exit 2 "$LASTPID" || fail "lnsh ls took over 2 s after new"
grep -q '^real' "$T/ls2.out" || fail "real not listed: $(cat "$T/ls2.out")"
grep -q '^fake' "$T/ls2.out" && fail "the fake holder is listed"

# One deadline for the whole exchange: lnshd gives up on the fake.
wait_line 10 "$T/lnshd.err" 'cannot adopt session fake' ||
    fail "lnshd still waits for the fake holder"
grep -q 'lnshd started: .* 0 sessions adopted' "$T/lnshd.err" ||
    fail "no 'started' line after the adoption"

# The blocking helpers too: holderctl gives up within the deadline.
spawn peek "$HOLDERCTL" "$HDIR" peek fake
wait_exit 8 "$LASTPID" || fail "holderctl waited past its deadline"
[ "$EXITCODE" != 0 ] || fail "holderctl peek of the fake succeeded"
pass "a trickling fake holder delays neither ls nor new, and is given up"
