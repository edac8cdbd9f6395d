# mk/pair.mk: pairing a client with a one-time code (docs/protocol.md,
# "Pairing"): the packets (proto/pairing.c, in libproto.a), the codes and
# the server side (server/pair.c, `lnshd pair`), `lnsh pair`, and tests.
# Included from Makefile.am.

libproto_a_SOURCES += proto/pairing.c

# The payload schema, in its own library for both programs.
BUILT_SOURCES += proto/pair.pb-c.h
CLEANFILES += proto/pair.pb-c.c proto/pair.pb-c.h
EXTRA_DIST += proto/pair.proto
noinst_LIBRARIES += libpbpair.a
nodist_libpbpair_a_SOURCES = proto/pair.pb-c.c proto/pair.pb-c.h
libpbpair_a_CFLAGS = $(SAN_CFLAGS)

lnshd_SOURCES += server/pair.c server/cmd-pair.c
lnshd_LDADD += libpbpair.a $(PROTOBUF_C_LIBS)
lnsh_SOURCES += client/cmd-pair.c
lnsh_LDADD += libpbpair.a $(PROTOBUF_C_LIBS)
$(lnshd_OBJECTS) $(lnsh_OBJECTS): proto/pair.pb-c.h

# ---------------------------------------------------------------- tests
check_PROGRAMS += tests/unit/test_pairing
tests_unit_test_pairing_SOURCES = tests/unit/test_pairing.c $(PROTO_CORE) \
	$(PROTO_NOISE) proto/handshake.c proto/pairing.c
tests_unit_test_pairing_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_pairing_LDADD = $(UNIT_LIBS)

PAIR_TESTS = tests/regress/pair-basic.sh tests/regress/pair-users.sh \
	tests/regress/pair-accounts.sh tests/regress/pair-slowhome.sh
TESTS += $(PAIR_TESTS)
EXTRA_DIST += $(PAIR_TESTS)
