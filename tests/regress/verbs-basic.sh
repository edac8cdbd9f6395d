#!/bin/sh
# verbs-basic.sh: lnsh's scripting verbs against a real lnshd: new, ls
# (table and --json, the JSON parsed and checked by python3), send with
# escapes, capture of the screen, of scrollback and with SGR escapes, a
# command's exit status shown by ls, kill; exit codes 4 and 5; a command of
# 256 words whole and 257 refused.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup verbs-basic
verbs_daemon

# check_ls SPEC...: runs `lnsh ls mini --json` and checks it with python3.
# Each argument is NAME:STATE[:STATUS[:COMMAND-PART]], and the listing
# must hold exactly those sessions; exit 3 from python means "not yet" (a
# session still running that should have exited), for ls_until.
check_ls() {
	"$LNSH" ls mini --json >"$T/ls.json" 2>"$T/ls.err" || return 2
	"$PY" - "$T/ls.json" "$@" <<'PYEOF'
import json, re, sys

KEYS = ["name", "state", "exit_status", "created", "activity", "clients",
        "cols", "rows", "pid", "command", "title", "reason"]
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

def bad(why):
    print("ls --json: %s: %s" % (why, open(sys.argv[1]).read()),
          file=sys.stderr)
    sys.exit(2)

with open(sys.argv[1], encoding="utf-8") as f:
    data = json.load(f)
if not isinstance(data, list):
    bad("not an array")
want = {}
for spec in sys.argv[2:]:
    parts = spec.split(":")
    want[parts[0]] = parts[1:]
got = {}
for s in data:
    if list(s.keys()) != KEYS:
        bad("keys %s, want %s" % (list(s.keys()), KEYS))
    if not isinstance(s["name"], str) or s["name"] in got:
        bad("bad or repeated name")
    got[s["name"]] = s
    if s["state"] not in ("running", "exited"):
        bad("state %r" % s["state"])
    if s["state"] == "running" and s["exit_status"] is not None:
        bad("running with an exit_status")
    if s["state"] == "exited" and not isinstance(s["exit_status"], int):
        bad("exited without an integer exit_status")
    for k in ("created", "activity"):
        if not isinstance(s[k], str) or not RFC3339.match(s[k]):
            bad("%s %r is not RFC 3339 UTC" % (k, s[k]))
    if s["activity"] < s["created"]:
        bad("activity before created")
    for k in ("clients", "cols", "rows", "pid"):
        if not isinstance(s[k], int) or isinstance(s[k], bool) or s[k] < 0:
            bad("%s %r" % (k, s[k]))
    if s["cols"] != 80 or s["rows"] != 24:
        bad("size %dx%d, want 80x24" % (s["cols"], s["rows"]))
    if s["pid"] <= 0 or s["clients"] != 0:
        bad("pid or clients")
    for k in ("command", "title"):
        if not isinstance(s[k], str):
            bad(k)
if sorted(data, key=lambda s: s["name"]) != data:
    bad("not sorted by name")
if sorted(got) != sorted(want):
    bad("sessions %s, want %s" % (sorted(got), sorted(want)))
for name, w in want.items():
    s = got[name]
    if s["state"] != w[0]:
        if w[0] == "exited" and s["state"] == "running":
            sys.exit(3)
        bad("%s is %s, want %s" % (name, s["state"], w[0]))
    if len(w) > 1 and w[1] != "" and s["exit_status"] != int(w[1]):
        bad("%s exit_status %r, want %s" % (name, s["exit_status"], w[1]))
    if len(w) > 2 and w[2] not in s["command"]:
        bad("%s command %r lacks %r" % (name, s["command"], w[2]))
PYEOF
}

# ls_until SECS SPEC...: check_ls until it passes; a wrong listing fails.
ls_until() {
	lu_end=$(($(ms_now) + $1 * 1000))
	shift
	while :; do
		lu_rc=0
		check_ls "$@" || lu_rc=$?
		[ $lu_rc = 0 ] && return 0
		[ $lu_rc = 3 ] || fail "ls --json: $(cat "$T/ls.err")"
		[ "$(ms_now)" -gt "$lu_end" ] && fail "ls: $* not reached"
		lnsh_tick
	done
}

# screen NAME ERE [OPTS]: a captured line matches ERE.
screen() {
	sc_name=$1
	sc_re=$2
	shift 2
	"$LNSH" capture mini "$sc_name" "$@" >"$T/cap" 2>"$T/cap.err" &&
	    grep -Eq -- "$sc_re" "$T/cap"
}

# --- nothing yet: an empty array, and a table with only its header.
check_ls || fail "empty ls --json: $(cat "$T/ls.err")"
[ "$(cat "$T/ls.json")" = "[]" ] || fail "empty ls: $(cat "$T/ls.json")"
expect 0 "$LNSH" ls mini
[ "$(wc -l <"$T/out" | tr -d ' ')" = 1 ] || fail "empty table: $(cat "$T/out")"

# --- new: a login shell, and sh running commands; a repeat is exit 5.
expect 0 "$LNSH" new mini main
[ -s "$T/out" ] && fail "new printed: $(cat "$T/out")"
expect 0 "$LNSH" new mini s1 -- /bin/sh
expect 5 "$LNSH" new mini s1 -- /bin/sh
grep -q "already exists" "$T/err" || fail "exit 5 message: $(cat "$T/err")"
ls_until 10 main:running s1:running::/bin/sh

# The table: a header and one row per session, state and size readable.
expect 0 "$LNSH" ls mini
grep -Eq '^main +running .* 80x24 ' "$T/out" || fail "table: $(cat "$T/out")"
grep -Eq '^s1 +running .*/bin/sh' "$T/out" || fail "table: $(cat "$T/out")"

# --- send and capture: escapes interpreted, TEXT arguments joined.
wait_for 10 screen s1 '[$#] *$' || fail "no prompt in s1: $(cat "$T/cap")"
expect 0 "$LNSH" send mini s1 'echo hello-$((6*7))\r'
wait_for 10 screen s1 '^hello-42 *$' || fail "send: $(cat "$T/cap")"
expect 0 "$LNSH" send mini s1 echo one 'two\x41\tend\r'
wait_for 10 screen s1 '^one twoA[[:space:]]+end *$' ||
    fail "joined TEXT and \\x41, \\t: $(cat "$T/cap")"
expect 0 "$LNSH" send mini s1 "printf 'x\\\\\\\\y\\\\n'\\r"
wait_for 10 screen s1 '^x\\y *$' || fail "\\\\: $(cat "$T/cap")"

# --- capture with SGR escapes: colour kept with --escapes, not without.
expect 0 "$LNSH" send mini s1 "printf '\\\\033[31mRED\\\\033[0m\\\\n'\\r"
wait_for 10 screen s1 '^RED *$' || fail "plain capture: $(cat "$T/cap")"
grep -q "$(printf '\033')" "$T/cap" && fail "escapes without --escapes"
screen s1 "$(printf '\033')\\[[0-9;]*31[0-9;]*mRED" --escapes ||
    fail "--escapes: $(od -c "$T/cap" | tail -n 5)"

# --- scrollback: the screen alone, the last N lines before it, or all.
expect 0 "$LNSH" new mini big -- sh -c 'seq 1 200; exec sleep 600'
wait_for 10 screen big '^200$' || fail "seq: $(cat "$T/cap")"
screen big '^177$' && fail "line 177 on a 24-row screen"
expect 0 "$LNSH" capture mini big --scrollback 10
grep -qx 168 "$T/out" && grep -qx 177 "$T/out" && grep -qx 200 "$T/out" ||
    fail "--scrollback 10: $(cat "$T/out")"
grep -qx 167 "$T/out" && fail "--scrollback 10 went past 10 lines"
expect 0 "$LNSH" capture mini big --all
[ "$(grep -Ec '^[0-9]+$' "$T/out")" = 200 ] || fail "--all: $(head "$T/out")"
grep -qx 1 "$T/out" || fail "--all lacks line 1"
expect 0 "$LNSH" capture mini big --scrollback=0
grep -qx 177 "$T/out" && fail "--scrollback=0 showed scrollback"

# --- a command's exit status, shown by ls as often as asked; kill forgets.
expect 0 "$LNSH" new mini ex -- sh -c 'exit 3'
ls_until 10 big:running ex:exited:3 main:running s1:running
check_ls big:running ex:exited:3 main:running s1:running ||
    fail "an exited session not listed twice: $(cat "$T/ls.json")"
expect 0 "$LNSH" kill mini ex
check_ls big:running main:running s1:running ||
    fail "a killed exited session still listed: $(cat "$T/ls.json")"

# --- kill; then every verb about it is exit 4.
expect 0 "$LNSH" kill mini s1
ls_until 10 big:running main:running
expect 4 "$LNSH" kill mini s1
grep -q "no such session 's1' on mini; see 'lnsh ls mini'" "$T/err" ||
    fail "exit 4 message: $(cat "$T/err")"
expect 4 "$LNSH" capture mini s1
expect 4 "$LNSH" send mini s1 'x'
expect 0 "$LNSH" kill mini main
expect 0 "$LNSH" kill mini big
check_ls || fail "ls after kill: $(cat "$T/ls.err")"
[ "$(cat "$T/ls.json")" = "[]" ] || fail "left: $(cat "$T/ls.json")"

# --- a command of 256 words (LN_SESSION_MAX_ARGS) arrives whole; one
# more is refused with the limit, never cut (the holder's argv once held
# about 150 and dropped the rest silently).
words=$(i=0; while [ $i -lt 252 ]; do printf ' a%d' $i; i=$((i + 1)); done)
expect 0 "$LNSH" new mini many -- sh -c \
    'echo "$# ${252}" >"$0.tmp" && mv "$0.tmp" "$0"; exec sleep 100000' \
    "$T/many.out" $words
wait_for 10 test -s "$T/many.out" || fail "the 256-word command did not run"
[ "$(cat "$T/many.out")" = "252 a251" ] ||
    fail "256 words arrived as: $(cat "$T/many.out")"
expect 0 "$LNSH" kill mini many
expect 1 "$LNSH" new mini toomany -- sh -c 'exec sleep 100000' "$T/x" \
    $words extra
grep -q 'too many arguments (257): .* at most 256' "$T/err" ||
    fail "257 words: $(cat "$T/err")"

# HOST as ADDRESS:PORT from the hosts file works as the alias does.
expect 0 "$LNSH" ls "127.0.0.1:$PORT" --json

pass "new, ls (table, --json), send, capture, exit status, kill"
