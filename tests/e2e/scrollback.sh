#!/bin/sh
# scrollback.sh: lines scrolled off the emulated screen reach the local
# terminal's own scrollback, in order and complete, with frames drawn
# after every chunk, only every k-th chunk (skipped frames), and all at
# once; long lines keep their wrapping, colours their colours.
. "$(dirname "$0")/lib-e2e.sh"
e2e_setup scrollback

seq 1 5000 >"$T/seq"
seq 1 5000 >"$T/seq.want"

# has_seq: the fbplay pane's history and screen hold 1..5000 in order.
has_seq() {
	tm capture-pane -p -S - -E - -t p | grep -v '^$' >"$T/got" &&
	    cmp -s "$T/got" "$T/seq.want"
}

for opts in "-n 4096" "-n 100 -k 7" "-n 1000000" "-n 17 -k 50"; do
	# shellcheck disable=SC2086
	e2e_pair "$T/seq" -s $opts
	if ! wait_for 10 has_seq; then
		diff "$T/seq.want" "$T/got" | head -20
		fail "history is not 1..5000 in order with fbplay -s $opts"
	fi
	# And exactly what the pane that ran seq directly holds.
	e2e_same -S - -E -
done

# Long, coloured lines: history joined (-J) and with escapes (-e).
i=1
: >"$T/long"
while [ $i -le 150 ]; do
	printf '\033[3%dmline %d %s\033[0m tail\n' $((i % 8)) $i \
	    "$(printf '%0*d' $((i % 170)) 0)" >>"$T/long"
	i=$((i + 1))
done
for opts in "-n 4096" "-u -n 50 -k 3"; do
	# shellcheck disable=SC2086
	e2e_pair "$T/long" -s $opts
	e2e_same -S - -E - -J
	e2e_same -S - -E - -e
done
pass "seq 1 5000 complete and in order in the native scrollback"
