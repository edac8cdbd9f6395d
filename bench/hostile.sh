#!/bin/sh
# hostile.sh: lnshd under a stranger's flood while a person types (issue
# 12). Run by `make bench-hostile` from the top build directory, never by
# make check (tests/regress/hostile-flood.sh is its 2-second form there).
#
# lnshd runs in one network namespace, the attached client (lnsh in a tmux
# pane, prediction off) and tests/hostile-flood in another, joined by a
# veth pair whose addresses exist only inside the two. Two floods, one
# after the other, each RATE datagrams a second for SECS seconds (default
# 10,000 and 20):
#
#   garbage   random bytes, initiations with a wrong mac1, transport
#             packets with a live index and a wrong tag, replays of a real
#             connection's transport packets, truncated initiations
#   mac1      the same plus initiations with a valid mac1: the real
#             connection's initiation replayed, and initiations made from
#             the server's public key with broken Noise (the one kind that
#             costs lnshd a Diffie-Hellman when it is not under load)
#
# For each it prints: datagrams sent and answered (counted at the
# sender, on the flood's own sockets: garbage must get no answer; a
# valid-mac1 initiation may get a cookie reply once lnshd is under load),
# the largest answer beside the smallest datagram of its kind (no
# amplification), lnshd's drops by reason and what the kernel dropped for
# a full receive buffer (Udp RcvbufErrors of the server's namespace):
# together at least what the flood sent, and at most what the client
# namespace sent in all (the kernel drops the typing client's datagrams
# too, and those are not the flood's), lnshd's
# CPU during the flood, and the attached client's keystroke-to-echo time
# (bench/vs-mosh-probe.py: median of 40 keys and of 3 first keys after a
# pause) before and during the flood (goal: during <= 2x before). Exit 1
# when a hard property fails (garbage answered, amplification, a datagram not
# accounted for), 77 without root, ip(8), tmux or python3.
#
# hostile.sh [RATE [SECS]]

set -u
. "$(dirname "$0")/lib.sh"
. "$LNSH_SRCDIR/tests/regress/roam-lib.sh"

RATE=${1:-10000}
SECS=${2:-20}
NET=10.213.9
PROBE=$LNSH_SRCDIR/bench/vs-mosh-probe.py

if [ "$(id -u)" != 0 ]; then
	echo "hostile: needs root for network namespaces" >&2
	exit 77
fi
for c in ip tmux python3; do
	command -v $c >/dev/null 2>&1 || {
		echo "hostile: needs $c" >&2
		exit 77
	}
done

verbs_setup hostile-bench
FLOOD=$B/tests/hostile-flood
[ -x "$FLOOD" ] || fail "$FLOOD not built"
SOCK=lnsh-hostile-$$
hb_cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	verbs_cleanup
	netns_del
}
trap hb_cleanup EXIT
netns_pair "$NET" || fail "ip netns add"
D="--single-user --state-dir $STATE"
netns_daemon "$NET"
other_key "$T/flood"
wait_for 10 lnsh_quiet "$LNSHD" status $D || fail "lnshd status"
LNSHD_PID=$("$LNSHD" status $D | sed -n 's/^pid //p')

# The typing client: a session whose shell's prompt is "$ ", attached
# from a tmux pane in the client's namespace, prediction off so that
# every echo makes the round trip through lnshd.
ip netns exec "$NS_C" "$LNSH" new mini typing -- env 'PS1=$ ' ENV= /bin/sh \
    >"$T/new.out" 2>"$T/new.err" || fail "lnsh new: $(cat "$T/new.err")"
ip netns exec "$NS_C" tmux -L "$SOCK" -f /dev/null new-session -d -s a \
    -x 80 -y 24 "HOME='$HOME' LNSH_CONFIG_DIR='$LNSH_CONFIG_DIR' \
    TERM=tmux-256color '$LNSH' attach mini typing --predict=never \
    2>'$T/attach.err'; exec sleep 100000" || fail "tmux"
pane_prompt() {
	tmux -L "$SOCK" capture-pane -p -t a | grep -q '^\$'
}
wait_for 20 pane_prompt || fail "the attached pane shows no prompt"

# status_sum: every drop lnshd counted, channel and pairing.
status_sum() {
	"$LNSHD" status $D >"$T/status.$1" || fail "lnshd status"
	awk '$1 == "drops" || $1 == "pair_drops" { n += $2 } END { print n }' \
	    "$T/status.$1"
}
# udp NS FIELD: a Udp counter of /proc/net/snmp in namespace NS:
# RcvbufErrors (datagrams the kernel dropped, receive buffer full),
# OutDatagrams (datagrams sent from it).
udp() {
	ip netns exec "$1" cat /proc/net/snmp | awk -v f="$2" '
	    $1 == "Udp:" && $2 == "InDatagrams" {
		for (i = 2; i <= NF; i++) if ($i == f) c = i
		next }
	    $1 == "Udp:" && c { print $c; exit }'
}
# echo_ms: the probe's "first MS" and "median MS" of the typing pane.
echo_ms() {
	"$PROBE" keys "$SOCK" a 40 0.3 3 >"$T/probe.out" 2>"$T/probe.err" ||
	    fail "echo probe: $(cat "$T/probe.err")"
	echo "$(sed -n 's/^median //p' "$T/probe.out") $(sed -n \
	    's/^first //p' "$T/probe.out")"
}
val() {
	sed -n "s/^$1 //p" "$T/flood.$2"
}

bad=0
echo "lnshd under a flood: $RATE datagrams/s for $SECS s, from $NET.2 to" \
    "lnshd on $NET.1 (network namespaces $NS_C, $NS_S)"
set -- $(echo_ms)
echo_before=$1 first_before=$2
echo "keystroke to echo, no flood: median $echo_before ms of 40 keys," \
    "first key after a pause $first_before ms"

for kind in garbage mac1; do
	flag=
	[ $kind = mac1 ] && flag=-m
	d0=$(status_sum $kind.0)
	k0=$(udp "$NS_S" RcvbufErrors)
	o0=$(udp "$NS_C" OutDatagrams)
	c0=$(cpu_ticks "$LNSHD_PID")
	t0=$(date +%s)
	ip netns exec "$NS_C" "$FLOOD" $flag -n 16 "$NET.1" "$PORT" \
	    "$HOSTKEY" "$T/flood/key" "$RATE" "$SECS" >"$T/flood.$kind" \
	    2>"$T/flood.$kind.err" &
	fpid=$!
	# Typing while the flood runs, once it is under way.
	sleep 2
	set -- $(echo_ms)
	echo_during=$1 first_during=$2
	c1=$(cpu_ticks "$LNSHD_PID")
	t1=$(date +%s)
	wait $fpid || fail "hostile-flood exited $?: $(cat "$T/flood.$kind.err")"
	c2=$(cpu_ticks "$LNSHD_PID")
	t2=$(date +%s)
	d1=$(status_sum $kind.1)
	k1=$(udp "$NS_S" RcvbufErrors)
	o1=$(udp "$NS_C" OutDatagrams)
	sent=$(val sent $kind)
	drops=$((d1 - d0))
	kdrops=$((k1 - k0))
	allsent=$((o1 - o0))
	echo
	echo "== $kind flood ($FLOOD $flag -n 16 $NET.1 PORT KEY KEYFILE $RATE $SECS)"
	echo "sent $sent datagrams ($((sent / SECS))/s), answered" \
	    "$(val replies $kind) ($(val replies_garbage $kind) of them garbage)"
	printf '  %-10s %8s %8s %10s %12s\n' kind sent answered max-answer smallest-sent
	for k in random badmac badtag replay truncated replayinit mac1; do
		[ -n "$(val sent_$k $kind)" ] || continue
		printf '  %-10s %8s %8s %10s %12s\n' $k "$(val sent_$k $kind)" \
		    "$(val replies_$k $kind)" "$(val max_reply_$k $kind)" \
		    "$(val min_sent_$k $kind)"
	done
	echo "answers larger than the smallest datagram of their kind: $(val amplified $kind)"
	echo "lnshd drops: $drops, kernel receive-buffer drops: $kdrops," \
	    "sum $((drops + kdrops)); sent by the flood $sent, by the client" \
	    "namespace in all (the typing client too) $allsent"
	# Reasons that moved, and by how much.
	drops_moved "$T/status.$kind.0" "$T/status.$kind.1"
	# CPU: over the whole flood, and over the part the probe typed in.
	echo "lnshd CPU during the flood: $(( (c2 - c0) * 100 / HZ / \
	    (t2 - t0 > 0 ? t2 - t0 : 1) ))% of one core over $((t2 - t0)) s"
	echo "keystroke to echo during the flood: median $echo_during ms" \
	    "(before $echo_before), first key $first_during ms (before" \
	    "$first_before)"
	awk -v a="$echo_during" -v b="$echo_before" 'BEGIN {
	    printf "  ratio %.2f (goal <= 2)\n", a / b }'
	[ "$(val replies_garbage $kind)" = 0 ] ||
	    { echo "FAIL: garbage answered"; bad=1; }
	[ "$(val amplified $kind)" = 0 ] || { echo "FAIL: amplification"; bad=1; }
	# Every flood datagram is counted; what is counted beyond them can
	# only be the real clients' own (the kernel drops theirs too).
	[ $((drops + kdrops)) -ge "$sent" ] &&
	    [ $((drops + kdrops)) -le "$allsent" ] || {
		echo "FAIL: $sent sent, $((drops + kdrops)) accounted for"
		bad=1
	}
done
kill -0 "$LNSHD_PID" 2>/dev/null || { echo "FAIL: lnshd died"; bad=1; }
exit $bad
