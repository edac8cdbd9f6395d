#!/bin/sh
# holder-rss.sh: the resident memory of real lnsh-holder processes (issue
# 3): one idle with sh, and one holding 10,000 lines of 80-column coloured
# scrollback, each against its goal. Run by `make bench-holder` (never by
# make check) from the top build directory; LNSH_HOLDER and HOLDERCTL may
# point elsewhere.
#
# holder-rss.sh [-m]
#	-m	also run the 10,000-line holder under valgrind's massif and
#		print where its heap goes (slow; needs valgrind and ms_print)
#
# The goal figures are RSS as ps(1) reports it, of the holder process
# alone: its child shell has a process (and an RSS) of its own, printed
# beside it for information. RSS counts every resident page mapped, shared
# library pages included, so a floor is printed too: the RSS of sleep(1),
# the smallest dynamically linked process the same C library gives. Where
# /proc/PID/smaps_rollup exists (Linux), the RSS is split into anonymous
# memory (heap, stacks, written data: what this holder alone costs) and
# file-backed pages (program and libraries, shared with every process
# that maps them), with PSS; the mappings with most resident pages follow.

set -u
top=$(pwd)
HOLDERCTL=${HOLDERCTL:-$top/tests/holderctl}
LNSH_HOLDER=${LNSH_HOLDER:-$top/holder/lnsh-holder}
export LNSH_HOLDER
LINES_WANTED=10000
GOAL_IDLE=1536		# KB: 1.5 MB
GOAL_FULL=4096		# KB: 4 MB

massif=0
case ${1:-} in
-m)	massif=1 ;;
'')	;;
*)	echo "usage: holder-rss.sh [-m]" >&2; exit 2 ;;
esac
for f in "$HOLDERCTL" "$LNSH_HOLDER"; do
	[ -x "$f" ] || { echo "holder-rss: $f not built" >&2; exit 1; }
done

# /tmp, not $TMPDIR: socket paths must stay short (104 bytes on macOS).
tmp=$(mktemp -d /tmp/lnsh-holder-rss.XXXXXX) || exit 1
dir=$tmp/sock
floorpid=

cleanup() {
	[ -n "$floorpid" ] && kill "$floorpid" 2>/dev/null
	for s in $("$HOLDERCTL" "$dir" ls 2>/dev/null | cut -d' ' -f1); do
		"$HOLDERCTL" "$dir" kill "$s" >/dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM PIPE HUP

fail() {
	echo "holder-rss: $*" >&2
	exit 1
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s.
wait_for() {
	limit=$(($1 * 10))
	what=$2
	shift 2
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le $limit ] || fail "timed out waiting for $what"
		sleep 0.1
	done
}

# screen_has NAME REGEX: a line of the screen (not the scrollback, whose
# capture would itself grow the holder's heap) matches REGEX.
screen_has() {
	"$HOLDERCTL" "$dir" capture "$1" | sed 's/[[:space:]]*$//' |
	    grep -q -- "$2"
}

# rss PID: resident set size in KB, as ps reports it.
rss() {
	ps -o rss= -p "$1" | tr -d ' '
}

# rollup PID FIELD: a field of /proc/PID/smaps_rollup in KB, or "-".
rollup() {
	if [ -r "/proc/$1/smaps_rollup" ]; then
		sed -n "s/^$2: *\([0-9]*\) kB/\1/p" "/proc/$1/smaps_rollup"
	else
		echo -
	fi
}

# mappings PID: resident KB per mapped file (or [heap], [anon], ...),
# largest first, with the anonymous part of each.
mappings() {
	[ -r "/proc/$1/smaps" ] || return 0
	awk '
	/^[0-9a-f]+-[0-9a-f]+ / {
		name = (NF >= 6) ? $6 : "[anon]"
		sub(".*/", "", name)
	}
	/^Rss:/ { rss[name] += $2 }
	/^Anonymous:/ { anon[name] += $2 }
	END {
		for (n in rss)
			if (rss[n] > 0)
				printf "    %6d KB resident %6d KB anonymous  %s\n",
				    rss[n], anon[n], n
	}' "/proc/$1/smaps" | sort -rn
}

# start NAME: a holder running /bin/sh, once its prompt shows; prints its
# pid.
start() {
	"$HOLDERCTL" "$dir" new "$1" -- /bin/sh || fail "holderctl new $1"
	wait_for 30 "the prompt of $1" screen_has "$1" '[#$]$'
}

# shellpid NAME: the pid of the session's child (peek consumes nothing).
shellpid() {
	"$HOLDERCTL" "$dir" peek "$1" | sed -n 's/^pid=//p'
}

# verdict KB GOAL: PASS or MISS.
verdict() {
	if [ "$1" -le "$2" ]; then echo PASS; else echo MISS; fi
}

# The output: 10,000 lines of exactly 80 columns, eight 10-column fields a
# line, each with its own colour and bold on or off (16 SGR sequences a
# line, as ls --color or a compiler's diagnostics would give), then a
# marker to wait for.
cat >"$tmp/lines.awk" <<EOF
BEGIN {
	for (i = 1; i <= $LINES_WANTED; i++) {
		s = ""
		for (j = 0; j < 8; j++)
			s = s sprintf("\033[%d;3%dm%-10s", j % 2 ? 1 : 22,
			    (i + j) % 8, sprintf("L%05d-%d", i, j))
		printf "%s\033[0m\n", s
	}
	print "RSS" "-DONE"
}
EOF

# --- the floor: sleep(1), dynamically linked against the same C library.
sleep 600 &
floorpid=$!
sleep 0.5
floor=$(rss $floorpid)
floor_anon=$(rollup $floorpid Anonymous)
floor_pss=$(rollup $floorpid Pss)

# --- an idle holder with sh.
ipid=$(start idle) || exit 1
ispid=$(shellpid idle)
sleep 0.5
idle=$(rss "$ipid")
idle_anon=$(rollup "$ipid" Anonymous)
idle_pss=$(rollup "$ipid" Pss)
idle_sh=$(rss "$ispid")
idle_map=$(mappings "$ipid")

# --- a holder with 10,000 lines of coloured scrollback (the default
# scrollback is 10,000 lines). The RSS is read before any capture of the
# scrollback, which would allocate its text inside the holder.
fill() {
	"$HOLDERCTL" "$dir" send "$1" "awk -f $tmp/lines.awk\\n" ||
	    fail "send to $1"
	wait_for "$2" "$LINES_WANTED lines in $1" screen_has "$1" '^RSS-DONE$'
	# Let the holder finish the prompt that follows.
	wait_for 10 "the prompt after the lines" screen_has "$1" '[#$]$'
}
fpid=$(start full) || exit 1
fspid=$(shellpid full)
fill full 120
sleep 0.5
full=$(rss "$fpid")
full_anon=$(rollup "$fpid" Anonymous)
full_pss=$(rollup "$fpid" Pss)
full_sh=$(rss "$fspid")
full_map=$(mappings "$fpid")
have=$("$HOLDERCTL" "$dir" capture full -a | grep -c '^L[0-9]\{5\}-0 ')
[ "$have" -eq "$LINES_WANTED" ] ||
    fail "the holder kept $have of the $LINES_WANTED lines"
# --- the same holder once it has served the whole scrollback with its
# colours (lnsh capture -a -e): what the transient reply leaves behind.
"$HOLDERCTL" "$dir" capture full -a -e >/dev/null || fail "capture -a -e"
sleep 0.5
cap=$(rss "$fpid")
cap_anon=$(rollup "$fpid" Anonymous)
cap_pss=$(rollup "$fpid" Pss)

echo "lnsh holder memory: RSS of lnsh-holder alone, KB (1 KB = 1024 bytes)"
echo "$(uname -sr), $(uname -m)"
echo
printf '%-32s %7s %7s %7s %7s  %-12s %s\n' what RSS anon PSS +floor goal \
    result
printf '%-32s %7s %7s %7s %7s\n' "floor: sleep(1)" "$floor" "$floor_anon" \
    "$floor_pss" 0
printf '%-32s %7s %7s %7s %7s  %-12s %s\n' "idle holder, sh" "$idle" \
    "$idle_anon" "$idle_pss" $((idle - floor)) "<= $GOAL_IDLE" \
    "$(verdict "$idle" $GOAL_IDLE)"
printf '%-32s %7s %7s %7s %7s  %-12s %s\n' "holder, $LINES_WANTED coloured lines" \
    "$full" "$full_anon" "$full_pss" $((full - floor)) "<= $GOAL_FULL" \
    "$(verdict "$full" $GOAL_FULL)"
printf '%-32s %7s %7s %7s %7s  %-12s %s\n' "  the same, after capture -a -e" \
    "$cap" "$cap_anon" "$cap_pss" $((cap - floor)) "<= $GOAL_FULL" \
    "$(verdict "$cap" $GOAL_FULL)"
echo
echo "the child shell, not counted above: idle $idle_sh KB," \
    "after the lines $full_sh KB;"
echo "holder and shell together: idle $((idle + idle_sh)) KB," \
    "after the lines $((full + full_sh)) KB"
echo "the $LINES_WANTED lines cost the holder $((full - idle)) KB of RSS" \
    "($(((full - idle) * 1024 / LINES_WANTED)) bytes a line)"
if [ -n "$idle_map" ]; then
	echo
	echo "idle holder, resident pages by mapping:"
	echo "$idle_map"
	echo
	echo "holder with $LINES_WANTED lines, resident pages by mapping:"
	echo "$full_map"
fi

[ $massif -eq 1 ] || exit 0

# --- massif: the same 10,000 lines, in a holder run under valgrind. The
# holder is started through a wrapper because the spawner builds the
# holder's environment afresh and runs $LNSH_HOLDER as given.
vg=$(command -v valgrind) || fail "no valgrind"
msp=$(command -v ms_print) || fail "no ms_print"
real=$LNSH_HOLDER
cat >"$tmp/wrap" <<EOF
#!/bin/sh
exec $vg -q --tool=massif --massif-out-file=$tmp/massif.out \
    --threshold=0.5 --detailed-freq=1 $real "\$@"
EOF
chmod +x "$tmp/wrap"
LNSH_HOLDER=$tmp/wrap
mpid=$(start massif) || exit 1
fill massif 600
# massif writes its file when the holder exits.
"$HOLDERCTL" "$dir" kill massif >/dev/null 2>&1
wait_for 60 "massif's output" sh -c "! kill -0 $mpid 2>/dev/null"
[ -s "$tmp/massif.out" ] || fail "massif wrote nothing"
echo
echo "massif, holder with $LINES_WANTED lines: heap at its peak"
"$msp" --threshold=1 "$tmp/massif.out" >"$tmp/massif.txt"
peak=$(sed -n 's/.*[[ ]\([0-9]*\) (peak).*/\1/p' "$tmp/massif.txt")
# The peak's header and the first two levels of its allocation tree.
awk -v peak="$peak" '
	$1 == peak && NF == 6 { on = 1; print hdr; print; next }
	/^ *n +time/ { hdr = $0 }
	on && /^-----/ { exit }
	on && /^([0-9]|->|\| ->)/ { print }' "$tmp/massif.txt"
exit 0
