# roam-lib.sh: what roam-*.sh share: lnshd in one network namespace, lnsh
# (in a tmux pane) in another, joined by a veth pair with addresses from
# 10.213.7.0/24 that exist only inside the two namespaces. Root only
# (SKIP 77 otherwise, or without ip(8) netns or tmux); CI runs as root.
#
#   roam_setup NAME   namespaces, link, lnshd in $NS_S, hosts line "mini"
#   cns CMD...        CMD in the client's namespace
#
# and verbs-lib.sh's ms_now, tm, screen_has, screen_lacks and wait_screen
# (the test's tmux server runs in the client's namespace). bench/hostile.sh
# builds on the two parts of roam_setup (Linux only, root):
#
#   netns_pair NET    namespaces $NS_C and $NS_S joined by a veth pair,
#                     NET.2 the client's end ($CDEV), NET.1 the server's;
#                     1 if no namespace can be made; netns_del removes them
#   netns_daemon NET OPTION...  own_key, then a single-user lnshd on
#                     $STATE with the OPTIONs in $NS_S on NET.1; $PORT,
#                     $HOSTKEY and the hosts line "mini"

command -v verbs_setup >/dev/null 2>&1 || . "$(dirname "$0")/verbs-lib.sh"

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
	TM_SOCK="lnsh-roam-$1-$$"
	trap roam_cleanup EXIT
	netns_pair "$ROAM_NET" || {
		echo "SKIP: $1: cannot create network namespaces here"
		exit 77
	}
	# /bin/sh explicitly, not the user's login shell and dotfiles (see
	# tests/e2e/attach-lib.sh); its prompt is "$ ", or "# " as root.
	# lnsh's debug log, $T/a.log, is printed by a failure.
	PROMPT_RE='^[$#]( |$)'
	netns_daemon "$ROAM_NET" -v

	cns tmux -L "$TM_SOCK" -f /dev/null start-server \; \
	    set -g remain-on-exit on \; \
	    new-session -d -s a -x 80 -y 24 \
	    "HOME='$HOME' LNSH_CONFIG_DIR='$LNSH_CONFIG_DIR' \
	    LNSH_DEBUG_LOG='$T/a.log' TERM=tmux-256color \
	    '$LNSH' mini -- /bin/sh 2>'$T/a.err'; \
	    echo \$? >'$T/a.rc'; exec sleep 100000" ||
	    fail "cannot start tmux in the client namespace"
	wait_screen 20 a "$PROMPT_RE"
	tm send-keys -t a 'echo attached' Enter
	wait_screen 10 a '^attached$'
}

roam_cleanup() {
	tm kill-server >/dev/null 2>&1
	verbs_cleanup
	netns_del
}

# netns_pair NET: $NS_C and $NS_S, a veth pair between them ($CDEV the
# client's end, NET.2; NET.1 the server's), every link up. Returns 1 when
# the first namespace cannot be made (the caller skips); fails after that.
netns_pair() {
	NS_C=lnsh-c$$
	NS_S=lnsh-s$$
	ip netns add "$NS_C" && ip netns add "$NS_S" || return 1
	ip link add vc$$ type veth peer name vs$$ || fail "veth"
	ip link set vc$$ netns "$NS_C" && ip link set vs$$ netns "$NS_S" ||
	    fail "moving the veth ends"
	ip -n "$NS_S" addr add "$1.1/24" dev vs$$ || fail "address"
	ip -n "$NS_C" addr add "$1.2/24" dev vc$$ || fail "address"
	for ns in "$NS_C" "$NS_S"; do
		ip -n "$ns" link set lo up || fail "lo up in $ns"
	done
	ip -n "$NS_S" link set vs$$ up && ip -n "$NS_C" link set vc$$ up ||
	    fail "link up"
	CDEV=vc$$
}

# Removes netns_pair's namespaces (the veth pair goes with them).
netns_del() {
	[ -n "${NS_C:-}" ] && ip netns del "$NS_C" >/dev/null 2>&1
	[ -n "${NS_S:-}" ] && ip netns del "$NS_S" >/dev/null 2>&1
	return 0
}

# netns_daemon NET OPTION...: own_key, then lnshd single-user on $STATE with
# the OPTIONs, in $NS_S on NET.1, a port it picks; $PORT and $HOSTKEY set,
# the hosts line "mini" written.
netns_daemon() {
	nd_net=$1
	shift
	own_key
	spawn lnshd ip netns exec "$NS_S" "$LNSHD" --single-user \
	    --state-dir "$STATE" --listen "$nd_net.1:0" "$@"
	wait_line 10 "$T/lnshd.err" "listening on $nd_net\\.1:[0-9]+" ||
	    fail "lnshd did not start"
	PORT=$(listen_port "$T/lnshd.err" "$nd_net\\.1")
	HOSTKEY=$("$LNSHD" pubkey --single-user --state-dir "$STATE") ||
	    fail "lnshd pubkey"
	echo "mini $nd_net.1:$PORT $HOSTKEY" >"$LNSH_CONFIG_DIR/hosts"
}

cns() {
	ip netns exec "$NS_C" "$@"
}
