# mk/protodump.mk: the worked example of docs/protocol.md. tests/protodump
# prints a real exchange from fixed keys (and reads it back: as a check
# program it fails if a packet does not round-trip); protocol-doc.sh fails
# when the doc's appendix no longer matches what the code sends.
# Included from Makefile.am after client.mk and pair.mk.

check_PROGRAMS += tests/protodump
tests_protodump_SOURCES = tests/protodump.c
tests_protodump_LDADD = libpbclient.a libpbpair.a $(PROTO_LIBS)
$(tests_protodump_OBJECTS): proto/lnsh.pb-c.h proto/rpc.pb-c.h \
	proto/pair.pb-c.h

PROTODOC_TESTS = tests/regress/protocol-doc.sh
TESTS += $(PROTODOC_TESTS)
EXTRA_DIST += $(PROTODOC_TESTS) tests/protocol-doc.py
