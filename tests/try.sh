#!/bin/sh
# try.sh: the README's first command, as a new user runs it, in a copy of
# this tree's tracked files (a fresh clone's state: no configure, no
# build; and the developer's own _build/try is left alone). scripts/test
# runs it as the "try" tier.
#
#   - scripts/try in a terminal (a tmux pane) builds, starts lnshd and
#     attaches to session main, saying how to detach (--hint); the session
#     runs /bin/sh (`scripts/try -- /bin/sh`: tests never run a login
#     shell, whose dotfiles are the machine's);
#   - Ctrl-^ . detaches and says how to come back; the session runs on;
#   - scripts/try again reattaches to the same screen;
#   - without a terminal it shows the scripting verbs instead;
#   - scripts/try --stop ends the sessions and lnshd.
#
# Waits poll a condition with a deadline; no sleep is synchronisation.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# /tmp, not $TMPDIR: lnshd's sockets live under the copy, and sun_path is
# short.
T=$(mktemp -d /tmp/lnsh-try.XXXXXX) || exit 1
dir=$T/src
run=$dir/_build/try/run
SOCK=lnsh-try-$$
mark=try-$$

tm() {
	tmux -L "$SOCK" "$@"
}

cleanup() {
	tm kill-server >/dev/null 2>&1
	[ -x "$dir/scripts/try" ] && [ -f "$run/lnshd.pid" ] &&
	    "$dir/scripts/try" --stop >/dev/null 2>&1
	if [ "${LNSH_KEEP:-0}" = 1 ]; then
		echo "try.sh: kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE
trap 'exit 129' HUP

fail() {
	echo "FAIL: try: $*"
	if [ -n "${pane:-}" ]; then
		echo "--- the pane:"
		tm capture-pane -p -t t 2>/dev/null | sed '/^$/d'
	fi
	[ -f "$run/lnshd.log" ] && { echo "--- lnshd.log:"; tail -n 20 "$run/lnshd.log"; }
	exit 1
}

# wait_for TENTHS CMD...: 0 once CMD succeeds, 1 after about TENTHS tenths
# of a second.
wait_for() {
	wf_n=$1
	shift
	while ! "$@"; do
		wf_n=$((wf_n - 1))
		[ "$wf_n" -gt 0 ] || return 1
		sleep 0.1
	done
	return 0
}

# shows REGEX: a line of the pane matches REGEX (whole line, trailing
# blanks ignored).
shows() {
	tm capture-pane -p -t t | sed 's/[[:space:]]*$//' | grep -qx -- "$1"
}

# pane CMD: (re)starts the pane on CMD in the copy; its exit status is
# shown after it as "try-rc:N".
pane() {
	pane="cd '$dir' && $1; echo try-rc:\$?; exec sleep 100000"
	if tm has-session -t t 2>/dev/null; then
		tm respawn-pane -k -t t "$pane"
	else
		tm -f /dev/null start-server \; set -g default-shell /bin/sh \; \
		    new-session -d -s t -x 100 -y 30 "$pane"
	fi || fail "cannot start the tmux pane"
}

detach() {
	tm send-keys -t t C-^ . || fail "send-keys"
	wait_for 100 shows 'try-rc:[0-9]*' || fail "Ctrl-^ . did not end lnsh"
	shows 'try-rc:0' || fail "lnsh's exit status after a detach"
	shows "try: detached from main; 'scripts/try' reattaches, 'scripts/try --stop' ends it all" ||
	    fail "no word on the way back in after the detach"
}

command -v tmux >/dev/null 2>&1 || fail "no tmux (scripts/install-deps installs it)"
mkdir "$dir" || exit 1
(cd "$top" && git ls-files | tar -cf - -T -) | (cd "$dir" && tar -xf -) ||
    fail "cannot copy the tree"

# --- the first run: build, daemon, attach to a new "main".
pane "scripts/try -- /bin/sh"
# The build of a fresh tree takes a minute or two on two cores; a failed
# one ends scripts/try, which the pane shows.
attached_or_ended() {
	shows 'lnsh: Ctrl-^ \. detaches.*' || shows 'try-rc:[0-9]*'
}
wait_for 9000 attached_or_ended ||
    fail "no attach within 15 minutes (build: $(tail -n 5 \
    "$dir/_build/try/make.out" 2>/dev/null))"
shows 'try-rc:[0-9]*' && fail "scripts/try ended before attaching"
tm send-keys -t t "echo $mark-one" Enter
wait_for 100 shows "$mark-one" || fail "typing in the attached session"
detach

LNSH_CONFIG_DIR=$run/client
export LNSH_CONFIG_DIR
"$dir/_build/try/lnsh" ls local >"$T/ls" 2>&1 || fail "lnsh ls: $(cat "$T/ls")"
awk '$1 == "main" { print $2 }' "$T/ls" | grep -qx running ||
    fail "main is not running after the detach: $(cat "$T/ls")"

# --- the second run reattaches: the same screen, the same shell.
pane "scripts/try"
wait_for 300 shows "$mark-one" || fail "the reattach does not show the screen"
tm send-keys -t t "echo $mark-two" Enter
wait_for 100 shows "$mark-two" || fail "typing after the reattach"
detach
"$dir/_build/try/lnsh" ls local >"$T/ls" 2>&1 || fail "lnsh ls: $(cat "$T/ls")"
[ "$(awk '$1 == "main" { print $2 }' "$T/ls")" = running ] ||
    fail "not one main, running, after the reattach: $(cat "$T/ls")"

# --- no terminal: the scripting verbs.
(cd "$dir" && scripts/try </dev/null >"$T/noterm" 2>&1) ||
    fail "scripts/try without a terminal: $(cat "$T/noterm")"
grep -q 'hello from lnsh$' "$T/noterm" &&
    grep -q '^try: ok ' "$T/noterm" ||
    fail "scripts/try without a terminal: $(cat "$T/noterm")"

# --- --stop ends main and lnshd.
pid=$(cat "$run/lnshd.pid") || fail "no lnshd.pid"
(cd "$dir" && scripts/try --stop >"$T/stop" 2>&1) ||
    fail "scripts/try --stop: $(cat "$T/stop")"
grep -qx 'try: sessions ended, lnshd stopped' "$T/stop" ||
    fail "scripts/try --stop said: $(cat "$T/stop")"
wait_for 100 sh -c "! kill -0 $pid 2>/dev/null" ||
    fail "lnshd ($pid) still running after --stop"
"$dir/_build/try/lnsh" ls local >/dev/null 2>&1 &&
    fail "lnsh ls still answers after --stop"
echo "PASS: try: attach, detach, reattach, no terminal, --stop"
exit 0
