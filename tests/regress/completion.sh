#!/bin/sh
# completion.sh: the bash completion scripts load in a non-interactive
# bash without a word on stderr, register `complete -F` for lnsh and
# lnshd, and offer: the verbs and the host aliases for the first word,
# host rm's aliases, a verb's options, and session names asked of a real
# lnshd; lnshd's subcommands. (zsh: onboard-zsh.sh.)

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup completion
command -v bash >/dev/null 2>&1 || fail "bash not found"
verbs_daemon
"$LNSH" new mini alpha >/dev/null 2>&1 || fail "lnsh new alpha"
"$LNSH" new mini beta >/dev/null 2>&1 || fail "lnsh new beta"
PATH=$B:$PATH
export PATH

# comp SCRIPT FUNC WORD...: COMPREPLY, one a line, for the words given
# (the last is the one being completed).
comp() {
	script=$1 func=$2
	shift 2
	bash --norc --noprofile -c '
		. "$1" || exit 1
		func=$2
		shift 2
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		"$func"
		printf "%s\n" "${COMPREPLY[@]}"
	' comp "$S/completion/$script" "$func" "$@"
}

for s in lnsh.bash lnshd.bash; do
	bash --norc --noprofile -c '. "$1"' x "$S/completion/$s" \
	    >"$T/load.out" 2>"$T/load.err" || fail "$s does not load"
	[ -s "$T/load.err" ] && fail "$s: stderr: $(cat "$T/load.err")"
done
bash --norc --noprofile -c '. "$1"; complete -p lnsh' x \
    "$S/completion/lnsh.bash" | grep -q -- '-F _lnsh lnsh$' ||
    fail "no complete -F _lnsh lnsh"
bash --norc --noprofile -c '. "$1"; complete -p lnshd' x \
    "$S/completion/lnshd.bash" | grep -q -- '-F _lnshd lnshd$' ||
    fail "no complete -F _lnshd lnshd"

comp lnsh.bash _lnsh lnsh "" >"$T/c" 2>"$T/c.err" || fail "_lnsh failed"
for v in ls new kill wait capture send keygen pubkey pair host hosts doctor mini
do
	grep -qx "$v" "$T/c" || fail "'$v' not offered: $(cat "$T/c")"
done
[ -s "$T/c.err" ] && fail "stderr: $(cat "$T/c.err")"
[ "$(comp lnsh.bash _lnsh lnsh ca)" = capture ] || fail "'ca' not capture"
[ "$(comp lnsh.bash _lnsh lnsh host r)" = rm ] || fail "host r"
[ "$(comp lnsh.bash _lnsh lnsh host rm m)" = mini ] || fail "host rm m"
[ "$(comp lnsh.bash _lnsh lnsh ls mini --j)" = --json ] || fail "--json"
[ "$(comp lnsh.bash _lnsh lnsh kill mini a)" = alpha ] ||
    fail "session names: $(comp lnsh.bash _lnsh lnsh kill mini a)"
[ "$(comp lnsh.bash _lnsh lnsh mini b)" = beta ] || fail "attach NAME"
[ "$(comp lnsh.bash _lnsh lnsh wait mini a)" = alpha ] ||
    fail "wait NAME: $(comp lnsh.bash _lnsh lnsh wait mini a)"
[ "$(comp lnsh.bash _lnsh lnsh wait mini alpha --t)" = --timeout ] ||
    fail "wait --t"
comp lnshd.bash _lnshd lnshd auth >"$T/c"
[ "$(tr '\n' ' ' <"$T/c")" = "authorize authorized " ] ||
    fail "lnshd auth: $(cat "$T/c")"
[ "$(comp lnshd.bash _lnshd lnshd authorize --com)" = --comment ] ||
    fail "lnshd authorize --com"
pass "bash completion: verbs, aliases, options, session names"
