# mk/loop.mk: the impairment relay, the channel demo, and the tests that
# run the channel through them (loopback regress test, byte flipping).

# impair: a UDP relay that drops, duplicates, reorders, delays and corrupts,
# and rebinds its source port; reused by regress tests and benchmarks.
noinst_PROGRAMS += tests/impair
tests_impair_SOURCES = tests/impair.c $(PROTO_CORE)
tests_impair_LDADD = $(SODIUM_LIBS)
