# verbs-lib.sh: what the verbs-*.sh tests share, on top of lib.sh: one
# lnshd in single-user mode on a free loopback port, with a temporary HOME
# (where lnshd finds authorized_keys) and a separate LNSH_CONFIG_DIR (where
# lnsh keeps its key and hosts file), and a cleanup that ends the sessions,
# which outlive lnshd by design.
#
#   verbs_setup NAME      lib.sh's lnsh_setup, then the programs and dirs
#   verbs_daemon          starts lnshd; sets $PORT and $HOSTKEY, writes the
#                         hosts line "mini 127.0.0.1:$PORT HOSTKEY"
#   expect CODE CMD...    runs CMD, output in $T/out and $T/err; fails unless
#                         it exits CODE and, when CODE != 0, says why in
#                         exactly one stderr line starting "lnsh: "

command -v lnsh_setup >/dev/null 2>&1 || . "$(dirname "$0")/lib.sh"

verbs_setup() {
	lnsh_setup "$1"
	LNSH=$B/lnsh
	LNSHD=$B/lnshd
	LNSH_HOLDER=${LNSH_HOLDER:-$B/server/lnsh-holder}
	PY=${PYTHON3:-$(command -v python3)}
	for f in "$LNSH" "$LNSHD" "$LNSH_HOLDER"; do
		[ -x "$f" ] || fail "$f not built"
	done
	[ -n "$PY" ] || fail "python3 not found: it is a declared dependency"
	HOME=$T/home
	LNSH_CONFIG_DIR=$T/client
	STATE=$T/state
	LNSH_TIMEOUT=10
	export HOME LNSH_CONFIG_DIR LNSH_HOLDER LNSH_TIMEOUT
	unset LNSH_USER
	mkdir -p "$HOME/.config/lnsh" "$STATE" || fail "mkdir"
	chmod 700 "$HOME" "$HOME/.config" "$HOME/.config/lnsh"
	trap verbs_cleanup EXIT
	lnsh_vg_wrap
}

# Ends every session of the test's lnshd, then lib.sh's cleanup.
verbs_cleanup() {
	if [ -n "${STATE:-}" ] && [ -x "${LNSHD:-}" ]; then
		"$LNSHD" kill-all --single-user --state-dir "$STATE" \
		    >/dev/null 2>&1
	fi
	lnsh_cleanup
}

# Starts lnshd on a free port, authorizes our key, writes the hosts line.
verbs_daemon() {
	own_key
	lnshd_listen --single-user --state-dir "$STATE" -v
	DAEMON_PID=$LPID
	HOSTKEY=$("$LNSHD" pubkey --single-user --state-dir "$STATE") ||
	    fail "lnshd pubkey"
	echo "mini 127.0.0.1:$PORT $HOSTKEY" >"$LNSH_CONFIG_DIR/hosts"
}

# expect CODE CMD...: CMD exits CODE; an error is one "lnsh: " line.
expect() {
	ex_want=$1
	shift
	ex_rc=0
	"$@" >"$T/out" 2>"$T/err" || ex_rc=$?
	[ "$ex_rc" = "$ex_want" ] ||
	    fail "'$*' exited $ex_rc, not $ex_want: $(cat "$T/err")"
	if [ "$ex_want" != 0 ]; then
		[ "$(wc -l <"$T/err" | tr -d ' ')" = 1 ] ||
		    fail "'$*': want one line on stderr, got: $(cat "$T/err")"
		grep -q '^lnsh: ' "$T/err" ||
		    fail "'$*': stderr does not start 'lnsh: '"
	fi
}
