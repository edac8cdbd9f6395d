#!/bin/sh
# protocol-doc.sh: docs/protocol.md's appendix is what the code sends.
# tests/protodump prints a real exchange from fixed keys (section
# "Appendix A"); this test fails when the block between the protodump
# markers of the doc differs from it, so the doc cannot drift silently
# from handshake.c, transport.c, frag.c, pairing.c or the schemas. When
# python3 has the `cryptography` package, tests/protocol-doc.py then
# rebuilds the same packets from the doc's description alone, with
# another Noise implementation, and compares them too.
. "$(dirname "$0")/lib.sh"
lnsh_setup protocol-doc

DOC=$S/docs/protocol.md
DUMP=$B/tests/protodump
[ -x "$DUMP" ] || fail "no $DUMP: build it with make check"

"$DUMP" > "$T/dump.txt" || fail "protodump failed (a packet did not read back)"
sed -n '/^<!-- protodump begin -->$/,/^<!-- protodump end -->$/p' "$DOC" |
    sed -e '1,2d' -e '$d' | sed -e '$d' > "$T/doc.txt"
[ -s "$T/doc.txt" ] || fail "no protodump block in $DOC"
if ! diff -u "$T/doc.txt" "$T/dump.txt" > "$T/diff.txt"; then
	cat "$T/diff.txt" >&2
	fail "docs/protocol.md appendix A differs from tests/protodump:" \
	    "update the doc (and the sections the change touches)"
fi

# Section 10 quotes the empty-oneof Request the appendix shows.
req=$(sed -n 's/^Request (protobuf) *//p' "$T/dump.txt" | sed 's/../& /g;s/ $//')
[ -n "$req" ] || fail "no Request line in the protodump output"
grep -q "list: ListRequest{}}\` is \`$req\`" "$DOC" ||
    fail "section 10 does not say that Request{id 1, list {}} is $req"

if python3 -c 'import cryptography.hazmat.primitives.asymmetric.x25519' \
    2>/dev/null; then
	python3 "$S/tests/protocol-doc.py" "$T/dump.txt" > "$T/py.out" 2>&1 ||
	    { cat "$T/py.out" >&2; fail "an independent implementation of" \
	    "docs/protocol.md does not produce the same packets"; }
	pass "appendix matches the code, and the doc's rules rebuild it"
fi
pass "appendix matches the code (no python3 cryptography: independent" \
    "rebuild skipped)"
