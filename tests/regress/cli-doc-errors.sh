#!/bin/sh
# cli-doc-errors.sh: docs/cli.md tells the truth about lnsh's errors and
# verbs. Every error message it quotes (an indented block after an
# "<!-- error: ID -->" comment) is triggered here and must be what lnsh
# prints, line for line; a marked block this test does not know, or an ID
# it knows that the doc lost, fails. Only the example's names, addresses
# and times are replaced by the test's (see doc_lines), and the
# resolver's own words, which are the C library's. The verbs `lnsh
# --help` lists are the verbs the doc's synopsis and its sections give.

set -u
. "$(dirname "$0")/verbs-lib.sh"
verbs_setup cli-doc-errors
DOC=$S/docs/cli.md
[ -f "$DOC" ] || fail "no $DOC"

# --- the verbs: `lnsh --help`, the synopsis, the "### `lnsh VERB" sections.
"$LNSH" --help >"$T/help.out" 2>&1 || fail "lnsh --help: $(cat "$T/help.out")"
sed -n 's/^  lnsh \([a-z][a-z-]*\).*/\1/p' "$T/help.out" | sort -u \
    >"$T/verbs.help"
[ -s "$T/verbs.help" ] || fail "no verbs in lnsh --help"
# The synopsis: the first indented block; `lnsh help` is --help's other
# spelling, `lnsh [attach] HOST` the attach verb.
awk '/^    lnsh/ { b = 1; w = $2; if (w == "[attach]") w = "attach"
	if (w ~ /^[a-z]/ && w != "help") print w; next }
    b && /^$/ { exit }' "$DOC" | sort -u >"$T/verbs.synopsis"
sed -n 's/^### `lnsh \[\{0,1\}\([a-z][a-z-]*\).*/\1/p' "$DOC" | sort -u \
    >"$T/verbs.sections"
for w in synopsis sections; do
	cmp -s "$T/verbs.help" "$T/verbs.$w" && continue
	fail "lnsh --help and docs/cli.md's $w list different verbs:" \
	    "only in --help: $(comm -23 "$T/verbs.help" "$T/verbs.$w" |
	    tr '\n' ' ')only in the doc: $(comm -13 "$T/verbs.help" \
	    "$T/verbs.$w" | tr '\n' ' ')"
done

# --- the quoted errors: "ID<TAB>LINE" for every line of every marked block.
# A block is the lines indented four spaces or more after the blank line
# that follows the marker.
awk '/<!-- error: [a-z-]+ -->/ { id = $3; inb = 0; next }
    id != "" && !inb && /^[ \t]*$/ { next }
    id != "" && /^    / { inb = 1; sub(/^ +/, ""); print id "\t" $0; next }
    { id = "" }' "$DOC" \
    >"$T/doc.errors"
cut -f 1 "$T/doc.errors" | sort -u >"$T/doc.ids"
[ -s "$T/doc.ids" ] || fail "no <!-- error: ID --> blocks in $DOC"

verbs_daemon
# The doc's examples name fraktal-mini and mini: both are this lnshd.
echo "fraktal-mini 127.0.0.1:$PORT $HOSTKEY" >>"$LNSH_CONFIG_DIR/hosts"
# A port where nothing answers: lnshd's, once it is stopped, is not
# known to be free; a fresh UDP socket's port that is closed at once is.
DEAD=$("$PY" -c 'import socket; s = socket.socket(socket.AF_INET,
    socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
CODE=K7QF9XH2M4TAPC3WR8ZD

# doc_lines ID SED: the doc's lines for ID, with SED applied (the
# example's values made the test's).
doc_lines() {
	awk -F '\t' -v id="$1" '$1 == id { print $2 }' "$T/doc.errors" |
	    sed "$2" >"$T/want"
}

# run ID CODE CMD...: CMD exits CODE with one "lnsh: " line, appended to
# $T/got.
run() {
	expect "$2" sh -c 'shift 2; exec "$@"' sh "$@"
	cat "$T/err" >>"$T/got"
}

# check ID: $T/got is the doc's text for ID.
check() {
	cmp -s "$T/want" "$T/got" || {
		diff "$T/want" "$T/got" >"$T/diff.out"
		fail "docs/cli.md's '$1' error is not what lnsh prints (diff.out: doc, then lnsh)"
	}
	echo "$1" >>"$T/tested"
}

: >"$T/tested"
while read -r id; do
	: >"$T/got"
	case $id in
	bad-name)
		doc_lines "$id" ''
		run "$id" 2 "$LNSH" new mini ..
		;;
	unknown-verb)
		doc_lines "$id" ''
		run "$id" 2 "$LNSH" lss mini
		run "$id" 2 "$LNSH" zzz mini
		;;
	wait-timeout)
		doc_lines "$id" ''
		expect 0 "$LNSH" new fraktal-mini build -- /bin/sh
		run "$id" 124 "$LNSH" wait fraktal-mini build --timeout 0.5
		;;
	pubkey-nokey)
		doc_lines "$id" "s|~/.config/lnsh|$T/nokey|"
		mkdir -p "$T/nokey"
		run "$id" 1 env LNSH_CONFIG_DIR="$T/nokey" "$LNSH" pubkey
		;;
	host-rm)
		doc_lines "$id" "s|~/.config/lnsh|$LNSH_CONFIG_DIR|"
		run "$id" 1 "$LNSH" host rm mb
		;;
	pair-noanswer)
		doc_lines "$id" "s|mini\.local:60100|127.0.0.1:$DEAD|;
		    s|within 5\.0 s|within 0.5 s|"
		run "$id" 1 env LNSH_TIMEOUT=0.5 "$LNSH" pair new \
		    "127.0.0.1:$DEAD" "$CODE"
		;;
	noanswer)
		echo "dead 127.0.0.1:$DEAD $HOSTKEY" >>"$LNSH_CONFIG_DIR/hosts"
		doc_lines "$id" "s|from mini (10\.0\.0\.5:60100) within 5\.0 s|from dead (127.0.0.1:$DEAD) within 0.5 s|"
		run "$id" 3 env LNSH_TIMEOUT=0.5 "$LNSH" ls anna@dead
		;;
	resolve | pair-resolve)
		# Names under .invalid never resolve (RFC 6761), where the
		# doc's .local may; what the resolver says is the C
		# library's (glibc's in the doc).
		doc_lines "$id" 's|fraktal-mini\.local|fraktal-mini.invalid|'
		gai=$(sed -n 's/^lnsh: cannot resolve [^:]*: \(.*\); check the name.*/\1/p' \
		    "$T/want")
		[ -n "$gai" ] || fail "no resolver text in '$id': $(cat "$T/want")"
		if [ "$id" = resolve ]; then
			# hosts line 3, as the doc's example has it.
			head -n 2 "$LNSH_CONFIG_DIR/hosts" >"$T/hosts3"
			echo "fm fraktal-mini.invalid:60100 $HOSTKEY" >>"$T/hosts3"
			mkdir -p "$T/c3"
			cp "$LNSH_CONFIG_DIR/key" "$T/c3/key"
			cp "$T/hosts3" "$T/c3/hosts"
			expect 1 env LNSH_CONFIG_DIR="$T/c3" "$LNSH" ls fm
		else
			expect 1 "$LNSH" pair new fraktal-mini.invalid "$CODE"
		fi
		sed "s/^\(lnsh: cannot resolve [^:]*\): .*\(; check the name.*\)/\1: $gai\2/" \
		    "$T/err" >"$T/got"
		;;
	no-session)
		doc_lines "$id" ''
		run "$id" 4 "$LNSH" capture fraktal-mini x
		;;
	*)
		fail "docs/cli.md quotes an error '$id' that this test does not trigger: add it here"
		;;
	esac
	check "$id"
done <"$T/doc.ids"

# Every ID above is still in the doc (a renamed marker is not a pass).
for id in bad-name unknown-verb wait-timeout pubkey-nokey host-rm \
    pair-noanswer noanswer resolve pair-resolve no-session; do
	grep -qx "$id" "$T/tested" || fail "docs/cli.md lost its '$id' error"
done

# The host key mismatch, which the doc describes rather than quotes:
# several "lnsh: " lines, the first "REFUSED: HOST KEY MISMATCH", the
# stored fingerprint with file:line, and the fix.
rc=0
"$LNSH" host add mini "127.0.0.1:$PORT" "$("$LNSH" pubkey)" >"$T/out" \
    2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "host add with another key exited $rc"
[ "$(grep -vc '^lnsh: ' "$T/err")" = 0 ] ||
    fail "a mismatch line without 'lnsh: ': $(cat "$T/err")"
head -n 1 "$T/err" | grep -q '^lnsh: REFUSED: HOST KEY MISMATCH' ||
    fail "the mismatch does not start REFUSED: $(cat "$T/err")"
grep -q "$LNSH_CONFIG_DIR/hosts:1: BLAKE2B:" "$T/err" &&
    grep -q 'lnshd pubkey' "$T/err" && grep -q 'lnsh host rm mini' "$T/err" ||
    fail "the mismatch lacks file:line, lnshd pubkey or host rm: $(cat "$T/err")"

pass "docs/cli.md: $(wc -l <"$T/tested" | tr -d ' ') quoted errors as lnsh prints them, and the verbs of lnsh --help"
