#!/bin/sh
# cli-errors.sh: errors that name the real cause (issue 13). A mistyped
# verb is called one, with the closest verb, not taken for a host; `lnsh
# help` is the help, and --help shows `lnsh HOST [NAME]` first; -V says
# which libraries lnsh was built with. Session names "." and ".." are refused by lnsh with
# the reason, and the server side (lnsh-holder, as lnshd) gives the same.
# A host name that does not resolve (under .invalid, which never does) is
# an "lnsh: " line from both the request path and pairing. No answer
# lists every cause, in order, naming the account that was asked for. An
# LNSH_DEBUG_LOG that cannot be opened is said, and the verb goes on.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup cli-errors

# expect_err PATTERN: the last expect's stderr line holds PATTERN (fixed).
expect_err() {
	grep -qF -- "$1" "$T/err" ||
	    fail "want '$1' on stderr, got: $(cat "$T/err")"
}

# --- mistyped verbs: usage (2), the closest verb named, no hosts talk.
expect 2 "$LNSH" lss mini
expect_err "lnsh: unknown verb 'lss'; did you mean 'ls'?"
expect 2 "$LNSH" list mini
expect_err "lnsh: unknown verb 'list'; did you mean 'ls'?"
expect 2 "$LNSH" kil mini main
expect_err "lnsh: unknown verb 'kil'; did you mean 'kill'?"
expect 2 "$LNSH" captur mini main
expect_err "did you mean 'capture'?"
expect 2 "$LNSH" zzz mini
expect_err "lnsh: unknown verb 'zzz', and no host of that name"
expect 0 "$LNSH" help
grep -q '^usage: lnsh' "$T/out" || fail "lnsh help: $(cat "$T/out")"

# --- help names the form every doc uses first; -V the libraries.
expect 0 "$LNSH" --help
grep -q '^usage: lnsh HOST \[NAME\]' "$T/out" ||
    fail "--help without lnsh HOST [NAME]: $(head -n 3 "$T/out")"
for v in -V --version; do
	expect 0 "$LNSH" $v
	grep -Eq '^lnsh [0-9][^ ]* \(protocol [0-9]+, terminal wait (select|poll)\)$' \
	    "$T/out" ||
	    fail "$v: $(cat "$T/out")"
	grep -Eq '^built with libsodium [0-9.]+, protobuf-c [0-9.]+, ncurses [0-9]' \
	    "$T/out" || fail "$v: no library versions: $(cat "$T/out")"
done

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

verbs_daemon
# A known alias is a host, even one that looks like a verb's typo: this
# is an attach (which wants a terminal here), not "unknown verb".
echo "lss 127.0.0.1:$PORT $HOSTKEY" >>"$LNSH_CONFIG_DIR/hosts"
expect 2 "$LNSH" lss main </dev/null
expect_err "attach needs a terminal"
expect 0 "$LNSH" ls lss

# --- a host name that does not resolve: "lnsh: " and the name.
echo "nowhere fraktal-mini.invalid:$PORT $HOSTKEY" >>"$LNSH_CONFIG_DIR/hosts"
expect 1 "$LNSH" ls nowhere
expect_err "lnsh: cannot resolve fraktal-mini.invalid"
expect 1 "$LNSH" pair mb fraktal-mini.invalid ABCD-EFGH-JKMN-PQRS-TVWX
expect_err "lnsh: cannot resolve fraktal-mini.invalid"

# --- no answer: the causes, likeliest first, with the account asked for.
DEAD=$("$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
echo "dead 127.0.0.1:$DEAD $HOSTKEY" >>"$LNSH_CONFIG_DIR/hosts"
expect 3 env LNSH_TIMEOUT=0.5 "$LNSH" ls alice@dead
"$PY" - "$T/err" <<'PYEOF' || fail "no answer: $(cat "$T/err")"
import sys
err = open(sys.argv[1]).read()
want = ["lnsh: no answer from dead (127.0.0.1:", "'lnshd status' there",
        "compare 'lnshd pubkey' there with 'lnsh hosts'",
        "the account 'alice' is not authorized there",
        "clock ran ahead and was set back"]
at = [err.find(w) for w in want]
sys.exit(0 if -1 not in at and at == sorted(at) else 1)
PYEOF
# --- a debug log that cannot be opened is said, and the verb goes on.
expect 0 env LNSH_DEBUG_LOG="$T/no-such-dir/lnsh.log" "$LNSH" --version
expect_err "lnsh: LNSH_DEBUG_LOG: cannot open $T/no-such-dir/lnsh.log: "
expect_err "; going on without a debug log"
grep -q '^lnsh ' "$T/out" || fail "no version after the log's error"

pass "mistyped verbs, help, '.' and '..', unresolvable hosts, no answer," \
    "a debug log that cannot be opened"
