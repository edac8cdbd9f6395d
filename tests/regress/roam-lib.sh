# roam-lib.sh: what roam-*.sh share: lnshd in one network namespace, lnsh
# (in a tmux pane) in another, joined by a veth pair with addresses from
# 10.213.7.0/24 that exist only inside the two namespaces. Root only
# (SKIP 77 otherwise, or without ip(8) netns or tmux); CI runs as root.
#
#   roam_setup NAME   namespaces, link, lnshd in $NS_S, hosts line "mini"
#   cns CMD...        CMD in the client's namespace
#   ms_now            milliseconds, for the printed measurements
#
# and verbs-lib.sh's tm, screen_has, screen_lacks and wait_screen (the
# test's tmux server runs in the client's namespace).

. "$(dirname "$0")/verbs-lib.sh"

ROAM_NET=10.213.7

roam_setup() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: $1: needs root for network namespaces"
		exit 77
	fi
	for c in ip tmux; do
		command -v $c >/dev/null 2>&1 || {
			echo "SKIP: $1: no $c"
			exit 77
		}
	done
	verbs_setup "$1"
	NS_C=lnsh-c$$
	NS_S=lnsh-s$$
	TM_SOCK="lnsh-roam-$1-$$"
	trap roam_cleanup EXIT
	ip netns add "$NS_C" && ip netns add "$NS_S" || {
		echo "SKIP: $1: cannot create network namespaces here"
		exit 77
	}
	ip link add vc$$ type veth peer name vs$$ || fail "veth"
	ip link set vc$$ netns "$NS_C" && ip link set vs$$ netns "$NS_S" ||
	    fail "moving the veth ends"
	ip -n "$NS_S" addr add "$ROAM_NET.1/24" dev vs$$ || fail "address"
	ip -n "$NS_C" addr add "$ROAM_NET.2/24" dev vc$$ || fail "address"
	for ns in "$NS_C" "$NS_S"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_S" link set vs$$ up && ip -n "$NS_C" link set vc$$ up ||
	    fail "link up"
	CDEV=vc$$

	"$LNSH" keygen >"$T/keygen.out" 2>&1 || fail "lnsh keygen"
	"$LNSH" pubkey >"$HOME/.config/lnsh/authorized_keys" ||
	    fail "lnsh pubkey"
	chmod 600 "$HOME/.config/lnsh/authorized_keys"
	# /bin/sh explicitly, not the user's login shell and dotfiles (see
	# tests/e2e/attach-lib.sh); its prompt is "$ ", or "# " as root.
	PROMPT_RE='^[$#]( |$)'
	spawn lnshd ip netns exec "$NS_S" "$LNSHD" --single-user \
	    --state-dir "$STATE" --listen "$ROAM_NET.1:0" -v
	wait_line 10 "$T/lnshd.err" "listening on $ROAM_NET\\.1:[0-9]+" ||
	    fail "lnshd did not start"
	PORT=$(sed -n "s/.*listening on $ROAM_NET\\.1:\\([0-9]*\\).*/\\1/p" \
	    "$T/lnshd.err" | head -n 1)
	HOSTKEY=$("$LNSHD" pubkey --single-user --state-dir "$STATE") ||
	    fail "lnshd pubkey"
	echo "mini $ROAM_NET.1:$PORT $HOSTKEY" >"$LNSH_CONFIG_DIR/hosts"

	cns tmux -L "$TM_SOCK" -f /dev/null start-server \; \
	    set -g remain-on-exit on \; \
	    new-session -d -s a -x 80 -y 24 \
	    "HOME='$HOME' LNSH_CONFIG_DIR='$LNSH_CONFIG_DIR' \
	    TERM=tmux-256color '$LNSH' mini -- /bin/sh 2>'$T/a.err'; \
	    echo \$? >'$T/a.rc'; exec sleep 100000" ||
	    fail "cannot start tmux in the client namespace"
	wait_screen 20 a "$PROMPT_RE"
	tm send-keys -t a 'echo attached' Enter
	wait_screen 10 a '^attached$'
}

roam_cleanup() {
	tm kill-server >/dev/null 2>&1
	verbs_cleanup
	ip netns del "$NS_C" >/dev/null 2>&1
	ip netns del "$NS_S" >/dev/null 2>&1
}

cns() {
	ip netns exec "$NS_C" "$@"
}

# ms_now: wall-clock milliseconds. GNU date's %N: these tests need Linux
# network namespaces and skip everywhere else.
ms_now() {
	echo $(( $(date +%s%N) / 1000000 ))	# portable: Linux-only test
}
