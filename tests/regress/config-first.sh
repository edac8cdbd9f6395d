#!/bin/sh
# config-first.sh: every C source includes "config.h" before anything
# else. config.h carries AC_USE_SYSTEM_EXTENSIONS (_GNU_SOURCE on Linux,
# _DARWIN_C_SOURCE on macOS); a source that includes a system header first
# is compiled under whatever feature macros other flags bring: with
# ncurses' -D_XOPEN_SOURCE=600 and no _DARWIN_C_SOURCE, macOS's headers
# hide SIGWINCH. Generated protoc-c output (*.pb-c.c) is exempt.
. "$(dirname "$0")/lib.sh"
lnsh_setup config-first

bad=""
n=0
for dir in proto server client compat tests fuzz bench; do
	[ -d "$S/$dir" ] || continue
	for f in $(find "$S/$dir" -name '*.c' ! -name '*.pb-c.c' | sort); do
		n=$((n + 1))
		first=$(awk '/^#[ \t]*include/ { print; exit }' "$f")
		[ "$first" = '#include "config.h"' ] ||
		    bad="$bad
  ${f#"$S"/}: ${first:-no #include}"
	done
done
[ "$n" -gt 0 ] || fail "no C sources found under $S"
[ -z "$bad" ] || fail "these sources must include \"config.h\" first:$bad"
pass "$n C sources include config.h first"
