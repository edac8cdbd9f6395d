#!/bin/sh
# cli-errors.sh: errors that name the real cause (issue 13). Session names
# "." and ".." are refused by lnsh with the reason, and the server side
# (lnsh-holder, as lnshd) gives the same reason.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup cli-errors

# expect_err PATTERN: the last expect's stderr line holds PATTERN (fixed).
expect_err() {
	grep -qF -- "$1" "$T/err" ||
	    fail "want '$1' on stderr, got: $(cat "$T/err")"
}

# --- session names: the reason, from lnsh itself (usage, 2).
for n in . ..; do
	for v in new kill capture; do
		expect 2 "$LNSH" $v mini "$n"
		expect_err "bad session name '$n': '.' and '..' name directories"
	done
done
# The server side applies the same check, with the same reason: the
# holder, which lnshd spawns and which checks its --name again.
"$LNSH_HOLDER" --name .. --dir "$T" >"$T/holder.out" 2>"$T/holder.err" &&
    fail "lnsh-holder took the name '..'"
grep -qF "'.' and '..' name directories" "$T/holder.err" ||
    fail "lnsh-holder --name ..: $(cat "$T/holder.err")"
pass "'.' and '..' refused with the reason"
