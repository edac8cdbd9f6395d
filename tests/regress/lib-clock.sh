#!/bin/sh
# lib-clock.sh: the tests' waits and durations run on lnsh's elapsed-time
# clock (tests/clockms, lib.sh's ms_now), never on the wall clock. CI's
# virtual machine was once paused and resumed in the middle of a run, its
# wall clock set some 9 s forward on resume: waits timed by date(1) that
# had begun gave up at once (holder-trickle: "holderctl waited past its
# deadline") and lnshd's 10 s timer measured 19 s (fault-client-vanish).
# Here a date(1) first on PATH reports that the wall clock jumped an hour
# at each reading: wait_for still waits for its condition, and ms_now
# moves by the time that passed.
. "$(dirname "$0")/lib.sh"
lnsh_setup lib-clock
mkdir "$T/bin" || fail "mkdir"
cat >"$T/bin/date" <<EOF
#!/bin/sh
# A wall clock that jumps an hour forward at each reading.
echo >>"$T/readings"
j=\$((\$(wc -l <"$T/readings") * 3600))
case "\$1" in
+%s)	echo \$((\$(/bin/date +%s) + j)) ;;
+%s%N)	echo \$((\$(/bin/date +%s) + j))000000000 ;;
*)	exec /bin/date "\$@" ;;
esac
EOF
chmod +x "$T/bin/date" || fail "chmod"
PATH=$T/bin:$PATH
export PATH
[ $(($(date +%s) + 1800)) -lt "$(date +%s)" ] ||
    fail "the jumping date(1) does not jump: the test sees nothing"

t0=$(ms_now)
spawn ready sh -c 'sleep 1 && : >"$1/ready"' sh "$T"
wait_for 10 test -e "$T/ready" ||
    fail "wait_for gave up on a condition met after 1 s"
t1=$(ms_now)
[ $((t1 - t0)) -ge 900 ] && [ $((t1 - t0)) -lt 10000 ] ||
    fail "ms_now moved $((t1 - t0)) ms over a wait of about 1 s"
pass "a wall clock that jumps an hour at each reading ends no wait;" \
    "ms_now moved $((t1 - t0)) ms in about 1 s"
