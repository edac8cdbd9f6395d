#!/bin/sh
# portable-scripts.sh: the shell scripts a Mac runs (tests, benchmarks,
# helpers, completion) use no GNU-only option without a fallback
# (tests/check-portable.py lists what and why).
set -u
. "$(dirname "$0")/lib.sh"
lnsh_setup portable-scripts
PY=${PYTHON3:-$(command -v python3)}
[ -n "$PY" ] || fail "python3 not found: it is a declared dependency"
cd "$S" || fail "no source dir $S"
# Every script parses as sh: an apostrophe inside install-deps' quoted
# package table once ended the string, and CI stopped before building.
for f in tests/regress/*.sh tests/e2e/*.sh tests/try.sh bench/*.sh scripts/*; do
	sh -n "$f" 2>"$T/sh-n" || fail "$f does not parse: $(cat "$T/sh-n")"
done
"$PY" tests/check-portable.py tests/regress/*.sh tests/e2e/*.sh tests/try.sh \
    bench/*.sh scripts/test scripts/install-deps scripts/try \
    scripts/debian-source \
    completion/lnsh.bash completion/lnshd.bash completion/_lnsh \
    >"$T/out" 2>&1 || fail "$(cat "$T/out")"
pass "$(tail -n 1 "$T/out")"
