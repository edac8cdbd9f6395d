#!/bin/sh
# formula.sh: packaging/homebrew/lnsh.rb, as far as it can be checked
# without a Mac (brew audit cannot run here): Ruby accepts its syntax
# (ruby -c); it depends on every Homebrew formula configure.ac names for a
# missing dependency (the third argument of LNSH_MISSING); its url names
# the tarball of configure.ac's version; the make variables it sets and the
# files it installs by name exist in the tree; its caveats say
# `sudo lnshd install`. Skips (77) only where ruby is not installed
# (scripts/install-deps installs it; CI has it).

set -u
. "$(dirname "$0")/lib.sh"
lnsh_setup formula
F=$S/packaging/homebrew/lnsh.rb
[ -f "$F" ] || fail "$F is missing"

command -v ruby >/dev/null 2>&1 ||
    { echo "SKIP: formula: no ruby (scripts/install-deps installs it)"; exit 77; }
ruby -c "$F" >"$T/ruby.out" 2>&1 || fail "ruby -c $F: $(cat "$T/ruby.out")"
grep -q '^Syntax OK$' "$T/ruby.out" || fail "ruby -c said: $(cat "$T/ruby.out")"

# Every LNSH_MISSING([what], [debian], [homebrew]) in configure.ac. Only
# python3 has another name in a formula: macOS provides it, and Homebrew
# spells that `uses_from_macos "python"`.
sed -n 's/.*LNSH_MISSING(\[[^]]*\], *\[[^]]*\], *\[\([^]]*\)\]).*/\1/p' \
    "$S/configure.ac" | sort -u >"$T/deps"
[ -s "$T/deps" ] || fail "no LNSH_MISSING(...) found in $S/configure.ac"
while read -r dep; do
	name=$dep
	[ "$dep" = python3 ] && name=python
	grep -Eq "^  (depends_on|uses_from_macos) \"$name\"" "$F" ||
	    fail "configure.ac requires the Homebrew formula $dep;" \
		"add depends_on \"$name\" (=> :build if only the build needs it)" \
		"to $F"
done <"$T/deps"

# The url's tarball is what make dist makes of configure.ac's AC_INIT.
pv=$(sed -n 's/^AC_INIT(\[\([^]]*\)\], *\[\([^]]*\)\].*/\1-\2/p' \
    "$S/configure.ac")
[ -n "$pv" ] || fail "no AC_INIT([name], [version]) in configure.ac"
grep -Eq "^  url \"[^\"]*/$pv\\.tar\\.gz\"" "$F" ||
    fail "the url in $F does not name $pv.tar.gz (configure.ac's version)"
grep -Eq '^  sha256 "[0-9a-f]{64}"' "$F" || fail "no sha256 of 64 hex digits"

# Make variables the formula overrides must exist, or the override does
# nothing and the file lands elsewhere without a word.
for v in $(sed -n 's/.*"\([a-z_]*\)=#{[^}]*}".*/\1/p' "$F"); do
	grep -Eq "^$v[[:space:]]*=" "$S/Makefile.am" ||
	    fail "$F sets $v on make's command line; Makefile.am does not define it"
done
# Files it installs by name.
for f in $(sed -n 's/^ *doc\.install //p' "$F" | tr -d '",'); do
	[ -f "$S/$f" ] || fail "$F installs $f, which is not in the tree"
done

grep -q 'sudo lnshd install' "$F" || fail "the caveats do not say sudo lnshd install"
pass "ruby -c: Syntax OK; the formula names $(tr '\n' ' ' <"$T/deps")and $pv.tar.gz"
