#!/bin/sh
# account-policy.sh: a root-mode lnshd serves an account only when the
# account may log in (issue 11, item 2; server/account.c): an expired
# account (chage -E), a locked one (usermod -L) and one whose login shell
# /etc/shells does not list (nologin) are each refused after the handshake:
# `lnsh ls` and `lnsh new` exit 1 with a one-line reason, and lnshd logs
# which check refused which user. The same user, put back, is served; so is
# another, normal user throughout. Every case runs and is reported, so that
# a build without the check shows each one failing. Needs root, useradd,
# usermod and chage: else skipped (77).
. "$(dirname "$0")/lib.sh"
lnsh_setup account-policy

users_setup account-policy lnq
for c in usermod chage; do
	command -v $c >/dev/null 2>&1 ||
	    { echo "SKIP: account-policy: no $c"; exit 77; }
done
NOLOGIN=/usr/sbin/nologin
[ -x "$NOLOGIN" ] || NOLOGIN=/sbin/nologin
[ -x "$NOLOGIN" ] || NOLOGIN=/bin/false
grep -qx "$NOLOGIN" /etc/shells 2>/dev/null &&
    { echo "SKIP: account-policy: /etc/shells lists $NOLOGIN"; exit 77; }
lnshd_programs
LNSH_TIMEOUT=5
export LNSH_TIMEOUT
users_can_run account-policy "$LNSH_HOLDER"

lnshd_options
users_daemon
# as USER VERB ARGS...: lnsh with USER's key, served as USER.
as() {
	u=$1 v=$2
	shift 2
	LNSH_CONFIG_DIR=$T/client-$u "$LNSH" "$v" "$u@h" "$@"
}

as $UA ls >/dev/null || fail "$UA not served"
as $UB ls >/dev/null || fail "$UB not served before any change"

BAD=""
# refused CASE WORDS: $UB's ls and new exit 1 with one line naming the
# account and WORDS (an ERE), and lnshd logs the refusal; else notes CASE.
refused() {
	rf_case=$1 rf_re=$2
	for v in ls new; do
		rc=0
		if [ $v = ls ]; then
			as $UB ls >"$T/$rf_case-$v.out" 2>"$T/$rf_case-$v.err" ||
			    rc=$?
		else
			as $UB new "s-$rf_case" -- /bin/sh \
			    >"$T/$rf_case-$v.out" 2>"$T/$rf_case-$v.err" ||
			    rc=$?
		fi
		if [ $rc != 1 ]; then
			echo "$rf_case: lnsh $v exited $rc, not 1" >&2
			BAD="$BAD $rf_case"
			return
		fi
		if [ "$(wc -l <"$T/$rf_case-$v.err")" -ne 1 ] ||
		    ! grep -Eq "refuses the account $UB: .*($rf_re)" \
		    "$T/$rf_case-$v.err"; then
			echo "$rf_case: lnsh $v said: $(cat "$T/$rf_case-$v.err")" >&2
			BAD="$BAD $rf_case"
			return
		fi
	done
	if ! grep -Eq "account $UB refused: .*($rf_re)" "$T/lnshd.err"; then
		echo "$rf_case: refusal not logged" >&2
		BAD="$BAD $rf_case"
	fi
	as $UA ls >/dev/null || fail "$UA not served while $UB is $rf_case"
}

chage -E 2000-01-01 "$UB" || fail "chage -E"
refused expired 'expired'
chage -E -1 "$UB" || fail "chage -E -1"
as $UB ls >/dev/null || fail "$UB not served once no longer expired"

usermod -L "$UB" || fail "usermod -L"
refused locked 'locked'
usermod -U "$UB" || fail "usermod -U"
as $UB ls >/dev/null || fail "$UB not served once unlocked"

usermod -s "$NOLOGIN" "$UB" || fail "usermod -s $NOLOGIN"
refused nologin "shell $NOLOGIN is not listed in /etc/shells"
usermod -s /bin/sh "$UB" || fail "usermod -s /bin/sh"
as $UB ls >/dev/null || fail "$UB not served with /bin/sh again"

# A bare '!' (or '!!') is useradd's "no password yet", not a lock: a
# key-only account made with plain useradd is served, as sshd with PAM does.
for pw in '!' '!!'; do
	usermod -p "$pw" "$UB" || fail "usermod -p '$pw'"
	as $UB ls >/dev/null || fail "$UB refused with password field '$pw'"
done
usermod -p '*' "$UB" || fail "usermod -p '*'"

[ -z "$BAD" ] || fail "served though refused:$BAD"
as $UB new ok -- /bin/sh || fail "new for $UB"
as $UB kill ok || fail "kill for $UB"
pass "expired, locked and nologin accounts refused, normal ones served"
