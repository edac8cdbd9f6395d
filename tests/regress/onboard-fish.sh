#!/bin/sh
# onboard-fish.sh: the fish completion (completion/lnsh.fish) loads with
# nothing on stderr and offers, through fish's own `complete -C`: the
# verbs and host aliases for the first word, host rm's aliases, a verb's
# options, and session names asked of a real lnshd, for a verb and for
# `lnsh HOST NAME`. Completing changes nothing: the sessions and the hosts
# file are as they were. Skipped (77) when fish is not installed
# (scripts/install-deps installs it on Debian).

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup onboard-fish
if ! command -v fish >/dev/null 2>&1; then
	echo "SKIP: onboard-fish: fish is not installed"
	exit 77
fi
verbs_daemon
"$LNSH" new mini alpha >"$T/new.out" 2>&1 || fail "lnsh new alpha: $(cat "$T/new.out")"
"$LNSH" new mini beta >"$T/new.out" 2>&1 || fail "lnsh new beta: $(cat "$T/new.out")"
PATH=$B:$PATH
# fish keeps history and variables under these; keep them in $T.
XDG_CONFIG_HOME=$T/fish-config
XDG_DATA_HOME=$T/fish-data
XDG_CACHE_HOME=$T/fish-cache
export PATH XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME

# comp LINE: the candidates fish offers for LINE, one a line, without
# their descriptions.
comp() {
	fish --no-config -c 'source $argv[1]; and complete -C $argv[2]' \
	    "$S/completion/lnsh.fish" "$1" 2>"$T/fish.err" | cut -f1
	[ -s "$T/fish.err" ] && fail "'$1': stderr: $(cat "$T/fish.err")"
	return 0
}

"$LNSH" ls mini >"$T/ls.before" || fail "lnsh ls before"
cp "$LNSH_CONFIG_DIR/hosts" "$T/hosts.before"

comp 'lnsh ' >"$T/c"
for v in ls new kill wait capture send keygen pubkey pair host hosts doctor mini
do
	grep -qx "$v" "$T/c" || fail "'$v' not offered: $(cat "$T/c")"
done
[ "$(comp 'lnsh ca')" = capture ] || fail "'ca' not capture"
[ "$(comp 'lnsh host r')" = rm ] || fail "host r: $(comp 'lnsh host r')"
[ "$(comp 'lnsh host rm m')" = mini ] || fail "host rm m"
[ "$(comp 'lnsh ls m')" = mini ] || fail "ls m: $(comp 'lnsh ls m')"
[ "$(comp 'lnsh ls mini --j')" = --json ] || fail "--json"
[ "$(comp 'lnsh kill mini a')" = alpha ] ||
    fail "session names: $(comp 'lnsh kill mini a')"
comp 'lnsh capture mini ' >"$T/c"
[ "$(tr '\n' ' ' <"$T/c")" = "alpha beta " ] ||
    fail "capture mini: $(cat "$T/c")"
[ "$(comp 'lnsh mini b')" = beta ] || fail "attach NAME: $(comp 'lnsh mini b')"
[ "$(comp 'lnsh attach mini a')" = alpha ] || fail "attach verb NAME"
[ "$(comp 'lnsh wait mini a')" = alpha ] || fail "wait NAME"
[ "$(comp 'lnsh wait mini alpha --t')" = --timeout ] || fail "wait --t"
comp 'lnsh -' | LC_ALL=C sort >"$T/c"
[ "$(tr '\n' ' ' <"$T/c")" = "--help --version -V -h " ] ||
    fail "options: $(cat "$T/c")"

# Nothing changed.
"$LNSH" ls mini >"$T/ls.after" || fail "lnsh ls after"
cut -c1-20 "$T/ls.before" >"$T/a"
cut -c1-20 "$T/ls.after" >"$T/b"
cmp -s "$T/a" "$T/b" || fail "sessions changed: $(cat "$T/ls.after")"
cmp -s "$LNSH_CONFIG_DIR/hosts" "$T/hosts.before" || fail "hosts changed"
pass "fish completion: verbs, aliases, options, session names; no change"
