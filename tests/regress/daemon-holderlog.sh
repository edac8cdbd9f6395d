#!/bin/sh
# daemon-holderlog.sh: what a holder writes on its stderr (its user may
# ptrace it and write anything there) reaches lnshd's log only as lines of
# lnshd's own, "holder NAME (uid U): TEXT": a line made to look like one
# of lnshd's stays inside that prefix, escapes and C1 controls are cleaned,
# a long line is cut, and at most 20 lines per holder per minute are
# logged. The holder here is lnsh-holder behind a script that writes such
# lines first, as a ptraced holder could.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup daemon-holderlog
REAL=$LNSH_HOLDER
LNSH_HOLDER=$T/holder-wrap
cat >"$LNSH_HOLDER" <<EOS
#!/bin/sh
printf '2030-01-01T00:00:00Z lnshd[1] warn: forged by the holder\n' >&2
printf 'esc \033[31m c1 \302\233 6n\n' >&2
head -c 3000 /dev/zero | tr '\0' x >&2
echo >&2
i=0
while [ \$i -lt 100 ]; do echo "spam \$i" >&2; i=\$((i + 1)); done
exec '$REAL' "\$@"
EOS
chmod 755 "$LNSH_HOLDER"
export LNSH_HOLDER
verbs_daemon

expect 0 "$LNSH" new mini main -- /bin/sh -c 'exec sleep 100000'
U=$(id -u)
P="lnshd\[[0-9]+\] warn: holder main \(uid $U\): "
wait_line 10 "$T/lnshd.err" "${P}spam 16$" ||
    fail "the holder's lines were not logged: $(cat "$T/lnshd.err")"

grep -q '^2030-01-01' "$T/lnshd.err" && fail "a holder forged a log line"
grep -Eq "${P}2030-01-01T00:00:00Z lnshd\[1\] warn: forged by the holder$" \
    "$T/lnshd.err" || fail "the forged line is not the holder's"
grep -Eq "${P}esc \?\[31m c1 \? 6n$" "$T/lnshd.err" ||
    fail "escapes not cleaned: $(grep 'esc' "$T/lnshd.err" | od -c | head)"
grep -Eq "${P}x{512} \[cut\]$" "$T/lnshd.err" || fail "long line not cut"
n=$(grep -Ec "$P" "$T/lnshd.err")
[ "$n" = 20 ] || fail "$n lines of the holder's logged, not 20"
grep -q 'spam 17' "$T/lnshd.err" && fail "the 21st line was logged"
pass "a holder's stderr is logged as its own, cleaned and bounded"
