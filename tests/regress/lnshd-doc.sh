#!/bin/sh
# lnshd-doc.sh: docs/lnshd.md's synopsis (the first indented block under
# "## Command line") names every subcommand `lnshd --help` lists, and no
# other: a verb added to the program and not to the doc fails here.
set -u
. "$(dirname "$0")/lib.sh"
lnsh_setup lnshd-doc

doc=$S/docs/lnshd.md
[ -f "$doc" ] || fail "no $doc"
"$B/lnshd" --help >"$T/help.out" 2>"$T/help.err" ||
    fail "lnshd --help exited $?"
# "usage: lnshd VERB ..." and "       lnshd VERB ...": the words that are
# not options.
sed -n 's/^[a-z: ]*lnshd \([a-z][a-z-]*\).*/\1/p' "$T/help.out" |
    sort -u >"$T/help.verbs"
[ -s "$T/help.verbs" ] || fail "no verbs in lnshd --help"
awk '/^## Command line/ { f = 1; next } /^## / { f = 0 }
    f && /^    lnshd/ { b = 1; if ($2 ~ /^[a-z]/) print $2; next }
    b && /^$/ { exit }' "$doc" | sort -u >"$T/doc.verbs"
[ -s "$T/doc.verbs" ] || fail "no synopsis in $doc"
if ! cmp -s "$T/help.verbs" "$T/doc.verbs"; then
	echo "only in lnshd --help: $(comm -23 "$T/help.verbs" "$T/doc.verbs" |
	    tr '\n' ' ')" >"$T/diff.out"
	echo "only in $doc: $(comm -13 "$T/help.verbs" "$T/doc.verbs" |
	    tr '\n' ' ')" >>"$T/diff.out"
	fail "docs/lnshd.md's synopsis and lnshd --help differ"
fi
pass "docs/lnshd.md's synopsis lists the $(wc -l <"$T/help.verbs" |
    tr -d ' ') verbs of lnshd --help"
