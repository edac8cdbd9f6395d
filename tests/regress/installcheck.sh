#!/bin/sh
# installcheck.sh: lnsh as `make install` left it, run by `make installcheck`
# (so by `make distcheck` too), never by `make check`: every file where the
# configured directories say, the version, and a session started by the
# installed lnshd with no $LNSH_HOLDER set, so that it execs the installed
# lnsh-holder. That is the path a package's user takes and the build-tree
# tests (which all set $LNSH_HOLDER) never do.
#
# Makefile.am passes the directories in the environment: bindir sbindir
# libexecdir mandir pkgdatadir bashcompdir zshcompdir fishcompdir, and
# VERSION.

set -u
. "$(dirname "$0")/lib.sh"
# /tmp: the holders' socket paths must stay short (104 bytes on macOS).
lnsh_setup installcheck /tmp

for v in bindir sbindir libexecdir mandir pkgdatadir bashcompdir \
    zshcompdir fishcompdir VERSION; do
	eval "val=\${$v:-}"
	[ -n "$val" ] || fail "\$$v is not set: run this through make installcheck"
done

LNSH=$bindir/lnsh
LNSHD=$sbindir/lnshd
for f in "$LNSH" "$LNSHD" "$libexecdir/lnsh-holder"; do
	[ -x "$f" ] || fail "$f is not installed (run make install first)"
done
for f in "$mandir/man1/lnsh.1" "$mandir/man8/lnshd.8" \
    "$bashcompdir/lnsh.bash" "$bashcompdir/lnshd.bash" \
    "$zshcompdir/_lnsh" "$fishcompdir/lnsh.fish" \
    "$pkgdatadir/org.lnsh.lnshd.plist" \
    "$pkgdatadir/lnshd.service"; do
	[ -s "$f" ] || fail "$f is not installed"
done
# The service files name the installed lnshd, not the build tree's.
for f in "$pkgdatadir/org.lnsh.lnshd.plist" "$pkgdatadir/lnshd.service"; do
	grep -q "$sbindir/lnshd" "$f" || fail "$f does not run $sbindir/lnshd"
done

"$LNSH" --version >"$T/version.out" 2>&1 || fail "lnsh --version failed"
grep -q "^lnsh $VERSION " "$T/version.out" ||
    fail "lnsh --version says '$(cat "$T/version.out")', not lnsh $VERSION"

# A single-user lnshd on a free loopback port, as tests/regress/verbs-lib.sh
# starts one, but with nothing pointing at the build tree.
unset LNSH_HOLDER LNSH_USER
HOME=$T/home
LNSH_CONFIG_DIR=$T/client
STATE=$T/state
LNSH_TIMEOUT=10
export HOME LNSH_CONFIG_DIR LNSH_TIMEOUT
mkdir -p "$HOME/.config/lnsh" "$LNSH_CONFIG_DIR" "$STATE" || fail "mkdir"
chmod 700 "$HOME" "$HOME/.config" "$HOME/.config/lnsh"

# Ends the sessions (they outlive lnshd by design), then lib.sh's cleanup.
installcheck_cleanup() {
	"$LNSHD" kill-all --single-user --state-dir "$STATE" >/dev/null 2>&1
	lnsh_cleanup
}
trap installcheck_cleanup EXIT

own_key
lnshd_listen --single-user --state-dir "$STATE" -v
HOSTKEY=$("$LNSHD" pubkey --single-user --state-dir "$STATE") ||
    fail "lnshd pubkey"
echo "mini 127.0.0.1:$PORT $HOSTKEY" >"$LNSH_CONFIG_DIR/hosts"

"$LNSH" new mini inst -- /bin/sh >"$T/new.out" 2>&1 ||
    fail "lnsh new: the installed lnshd could not start" \
	"$libexecdir/lnsh-holder: $(cat "$T/new.out")"
"$LNSH" send mini inst 'echo installed-$((6*7))\n' >"$T/send.out" 2>&1 ||
    fail "lnsh send: $(cat "$T/send.out")"
# Not anchored: the keys may arrive before the shell's first prompt, and
# then the answer shares the prompt's line ("# installed-42"). The typed
# line itself says $((6*7)), never 42.
captured() {
	"$LNSH" capture mini inst >"$T/capture.out" 2>&1 &&
	    grep -q 'installed-42' "$T/capture.out"
}
wait_for 10 captured ||
    fail "the session did not run the command: $(cat "$T/capture.out")"
"$LNSH" kill mini inst >"$T/kill.out" 2>&1 || fail "lnsh kill"
pass "installed files in place; $LNSHD ran a session in $libexecdir/lnsh-holder"
