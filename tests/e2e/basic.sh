#!/bin/sh
# basic.sh: scenarios drawn directly by tmux and through fbplay agree, cell
# for cell with attributes (capture-pane -e), as text, and in cursor and
# modes; each with whole frames, byte-by-byte frames and skipped frames.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/scenarios.sh"
e2e_setup basic

scenarios_write "$T"
e2e_check "$T/title"

for f in $SCENARIOS; do
	e2e_check "$T/$f"
	e2e_check "$T/$f" -n 1
	e2e_check "$T/$f" -u -n 7 -k 3
	e2e_check "$T/$f" -u -n 5 -s
done
pass "9 scenarios x 4 framings, and the title, agree"
