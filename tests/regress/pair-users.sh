#!/bin/sh
# pair-users.sh: pairing with a root-mode lnshd and two throwaway users. A
# code made by user A (`lnshd pair` as A) never admits a key for user B:
# asking for B with it is refused and writes nothing; a code file that B
# plants under A's uid is ignored, then removed; A's code admits a key for
# A, written as A into A's authorized_keys, even when B has filled the
# directory with 2000 junk files named by uids (they used to count towards
# the 64 files read per attempt). Needs root and useradd: else skipped (77).
. "$(dirname "$0")/lib.sh"
lnsh_setup pair-users

users_setup pair-users lnp
lnshd_programs
users_can_run pair-users "$LNSHD"

lnshd_options
lnshd_listen $D -v
wait_for 10 test -d "$STATE/pairing" || fail "no pairing dir"

# code_as USER: `lnshd pair` run by USER; sets $CODE.
code_as() {
	su "$1" -s /bin/sh -c "'$LNSHD' pair $D" >"$T/pair.out" 2>&1 ||
	    fail "lnshd pair as $1: $(cat "$T/pair.out")"
	CODE=$(grep -Eo '[0-9A-Z]{4}(-[0-9A-Z]{4}){4}' "$T/pair.out" |
	    head -n 1)
	[ -n "$CODE" ] || fail "no code: $(cat "$T/pair.out")"
}
AKA=$T/home-$UA/.config/lnsh/authorized_keys
AKB=$T/home-$UB/.config/lnsh/authorized_keys
export LNSH_CONFIG_DIR=$T/client LNSH_TIMEOUT=3

# A's code, asking for B: refused, nothing written anywhere.
code_as "$UA"
rc=0
"$LNSH" pair hb "$UB@127.0.0.1:$PORT" "$CODE" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "A's code for B exited $rc: $(cat "$T/err")"
grep -q "not for user $UB" "$T/err" || fail "message: $(cat "$T/err")"
[ -e "$AKA" ] || [ -e "$AKB" ] && fail "a refused pairing wrote keys"
[ -e "$LNSH_CONFIG_DIR/hosts" ] && fail "a refused pairing wrote hosts"

# B plants a code file under A's uid: lnshd ignores it.
code_as "$UB"
UIDA=$(id -u "$UA")
UIDB=$(id -u "$UB")
rm -f "$STATE/pairing/$UIDA"
su "$UB" -s /bin/sh -c "cp '$STATE/pairing/$UIDB' '$STATE/pairing/$UIDA'" ||
    fail "B could not write in the pairing dir"
rc=0
"$LNSH" pair ha "$UA@127.0.0.1:$PORT" "$CODE" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "B's code for A exited $rc"
[ -e "$AKA" ] && fail "B's code admitted a key for A"
[ -e "$STATE/pairing/$UIDA" ] && fail "B's file under A's uid was kept"
grep -q "pairing: removed $STATE/pairing/$UIDA: not a file of uid $UIDA" \
    "$T/lnshd.err" || fail "the removal was not logged"

# A's own code for A: admitted, A's file, as A, despite B's junk files.
code_as "$UA"
su "$UB" -s /bin/sh -c "cd '$STATE/pairing' && i=200000 &&
    while [ \$i -lt 202000 ]; do : >\$i; i=\$((i + 1)); done" ||
    fail "B could not write junk in the pairing dir"
"$LNSH" pair ha "$UA@127.0.0.1:$PORT" "$CODE" >"$T/out" 2>"$T/err" ||
    fail "A's code for A: $(cat "$T/err")"
[ "$(file_owner "$AKA")" = "$UA" ] || fail "authorized_keys not A's"
[ "$(file_mode "$AKA")" = 600 ] || fail "authorized_keys not 0600"
[ "$(file_mode "$(dirname "$AKA")")" = 700 ] || fail "dir not 0700"
[ "$(grep -c '^lnsh-x25519 ' "$AKA")" = 1 ] || fail "A's keys: $(cat "$AKA")"
[ -e "$AKB" ] && fail "B got a key"
pass "a code of one user never admits a key for another; junk is removed"
