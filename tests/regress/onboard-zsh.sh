#!/bin/sh
# onboard-zsh.sh: the zsh completion function loads under compinit with
# nothing on stderr and registers itself for lnsh. Skipped (77) when zsh
# is not installed (scripts/install-deps installs it on Debian).

set -u
. "$(dirname "$0")/lib.sh"
lnsh_setup onboard-zsh
if ! command -v zsh >/dev/null 2>&1; then
	echo "SKIP: onboard-zsh: zsh is not installed"
	exit 77
fi
HOME=$T
export HOME
zsh -f -c 'autoload -U compinit; compinit -u -d "$1/zcompdump";
    source "$2" && print -r -- $_comps[lnsh]' x "$T" \
    "$S/completion/_lnsh" >"$T/zsh.out" 2>"$T/zsh.err" ||
    fail "_lnsh does not load"
[ -s "$T/zsh.err" ] && fail "stderr: $(cat "$T/zsh.err")"
[ "$(cat "$T/zsh.out")" = _lnsh ] || fail "not registered for lnsh"
# Every verb lnsh --help lists is offered (the verbs table in _lnsh).
for v in $("$B/lnsh" --help | sed -n 's/^  lnsh \([a-z]*\) .*/\1/p'); do
	grep -q "'$v:" "$S/completion/_lnsh" ||
	    fail "_lnsh does not offer '$v'"
done
pass "zsh completion loads and registers _lnsh for lnsh"
