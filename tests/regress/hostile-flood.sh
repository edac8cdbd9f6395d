#!/bin/sh
# hostile-flood.sh: a stranger's garbage at lnshd (issue 12), the short
# run of bench/hostile.sh. tests/hostile-flood keeps the packets of one
# real connection, then sends 2,000 datagrams a second for 2 s from other
# sockets: random bytes, initiations with a wrong mac1, transport packets
# with a live index and a wrong tag, the captured packets replayed,
# truncated initiations, and initiations with a valid mac1 (replayed, or
# with broken Noise). Nothing without a valid mac1 may be answered; the
# valid-mac1 initiations may get a cookie reply (lnshd under load), never
# larger than the initiation; lnshd's drop counters must account for every datagram (with
# the kernel's receive-buffer drops, where /proc/net/snmp shows them), and
# lnshd must serve a real client afterwards. As root the whole test runs
# in a network namespace of its own, so that no other program's UDP
# traffic mixes into the kernel's counters.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup hostile-flood
FLOOD=$B/tests/hostile-flood
[ -x "$FLOOD" ] || fail "$FLOOD not built"

NS=
NSX=
hf_cleanup() {
	verbs_cleanup
	[ -n "$NS" ] && ip netns del "$NS" >/dev/null 2>&1
}
trap hf_cleanup EXIT
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null 2>&1 &&
    ip netns add "lnsh-hf$$" >/dev/null 2>&1; then
	NS=lnsh-hf$$
	NSX="ip netns exec $NS"
	ip -n "$NS" link set lo up || fail "lo up in $NS"
fi

own_key
# A second authorized key: the connection whose packets the flood replays.
other_key "$T/flood"
KEYFILE=$T/flood/key
[ -f "$KEYFILE" ] || fail "no private key in $T/flood: $(ls "$T/flood")"

D="--single-user --state-dir $STATE"
spawn lnshd $NSX "$LNSHD" $D -v --listen 127.0.0.1:0
LPID=$LASTPID
wait_line 10 "$T/lnshd.err" 'lnshd started' || fail "lnshd did not start"
PORT=$(listen_port "$T/lnshd.err")
HOSTKEY=$("$LNSHD" pubkey $D) || fail "lnshd pubkey"
echo "mini 127.0.0.1:$PORT $HOSTKEY" >"$LNSH_CONFIG_DIR/hosts"

# drops: every drop lnshd counted, channel and pairing.
drops() {
	"$LNSHD" status $D >"$T/status" || fail "lnshd status"
	awk '$1 == "drops" || $1 == "pair_drops" { n += $2 } END { print n }' \
	    "$T/status"
}
# rcvbuf: datagrams the kernel dropped for a full receive buffer (Linux).
rcvbuf() {
	$NSX cat /proc/net/snmp 2>/dev/null | awk '
	    $1 == "Udp:" && $2 == "InDatagrams" {
		for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") c = i
		next }
	    $1 == "Udp:" && c { print $c; exit }
	    END { if (!c) print 0 }'
}

d0=$(drops)
k0=$(rcvbuf)
$NSX "$FLOOD" -m 127.0.0.1 "$PORT" "$HOSTKEY" "$KEYFILE" 2000 2 \
    >"$T/flood.out" 2>"$T/flood.err" || fail "hostile-flood exited $?"
d1=$(drops)
k1=$(rcvbuf)
val() {
	sed -n "s/^$1 //p" "$T/flood.out"
}
sent=$(val sent)
counted=$((d1 - d0 + k1 - k0))
echo "sent $sent, dropped by lnshd $((d1 - d0)), by the kernel $((k1 - k0))"
grep '^drop.* [1-9]' "$T/status" | sed 's/^/  /'
[ "$sent" -gt 3000 ] || fail "only $sent datagrams left the flooder"
[ "$(val replies_garbage)" = 0 ] ||
    fail "lnshd answered the garbage: $(grep '^replies' "$T/flood.out")"
echo "cookie replies to valid-mac1 initiations: $(val replies_replayinit) +" \
    "$(val replies_mac1), at most $(val max_reply_replayinit) and" \
    "$(val max_reply_mac1) bytes for $(val min_sent_mac1)-byte initiations"
[ "$(val amplified)" = 0 ] || fail "answers larger than their cause"
[ "$counted" = "$sent" ] ||
    fail "sent $sent datagrams but lnshd and the kernel counted $counted"
[ "$(val legit_rx)" -gt 0 ] || fail "the real connection heard nothing"
kill -0 "$LPID" 2>/dev/null || fail "lnshd died"

# A real client still gets in and is served.
$NSX env HOME="$HOME" LNSH_CONFIG_DIR="$LNSH_CONFIG_DIR" "$LNSH" new mini \
    after -- /bin/sh -c 'exec sleep 100000' >"$T/out" 2>"$T/err" ||
    fail "lnsh new after the flood: $(cat "$T/err")"
$NSX env HOME="$HOME" LNSH_CONFIG_DIR="$LNSH_CONFIG_DIR" "$LNSH" ls mini \
    >"$T/out" 2>"$T/err" || fail "lnsh ls: $(cat "$T/err")"
grep -q after "$T/out" || fail "the session is not listed: $(cat "$T/out")"
pass "$sent datagrams, no garbage answered, nothing amplified, every one counted"
