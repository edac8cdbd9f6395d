# mk/loop.mk: the impairment relay, the channel demo, and the tests that
# run the channel through them (loopback regress test, byte flipping).

# impair: a UDP relay that drops, duplicates, reorders, delays and corrupts,
# and rebinds its source port; reused by regress tests and benchmarks.
noinst_PROGRAMS += tests/impair
tests_impair_SOURCES = tests/impair.c tests/netutil.c tests/netutil.h \
	$(PROTO_CORE)
tests_impair_LDADD = $(SODIUM_LIBS)

# chandemo: the channel demo (scripts/try) and the loopback test's driver.
noinst_PROGRAMS += tests/chandemo
tests_chandemo_SOURCES = tests/chandemo.c tests/netutil.c tests/netutil.h
tests_chandemo_LDADD = $(PROTO_LIBS)

# Shell regress tests: run from the build directory with $srcdir exported,
# which is how tests/regress/lib.sh finds the programs in a VPATH build.
TESTS += tests/regress/channel-loopback.sh
EXTRA_DIST += tests/regress/lib.sh tests/regress/channel-loopback.sh

# Byte flipping (issue 2): every bit flip and truncation of captured
# handshake and transport packets, and random datagrams, in memory.
check_PROGRAMS += tests/unit/test_byteflip
tests_unit_test_byteflip_SOURCES = tests/unit/test_byteflip.c \
	tests/unit/chan-harness.c tests/unit/chan-harness.h
tests_unit_test_byteflip_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_byteflip_LDADD = $(PROTO_LIBS) $(UNIT_LIBS)
