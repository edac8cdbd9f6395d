# mk/cookie.mk: handshake floods and replays (issue 12): the tool that
# sends them (tests/hsflood), the regress test of a replay across an
# lnshd restart, and the handshake-flood benchmark.

# hsflood: valid-mac1 initiation floods, a recording relay, replays.
noinst_PROGRAMS += tests/hsflood
tests_hsflood_SOURCES = tests/hsflood.c tests/netutil.c tests/netutil.h
tests_hsflood_LDADD = $(PROTO_LIBS)

COOKIE_TESTS = tests/regress/replay-restart.sh tests/regress/hs-flood.sh
TESTS += $(COOKIE_TESTS)
EXTRA_DIST += $(COOKIE_TESTS)

# A flood of valid-mac1 initiations at lnshd while a real lnsh connects
# (bench/hs-flood.sh; HS_FLOOD_RATE a second, default 10000, for
# HS_FLOOD_SECS, default 10): connect time, lnshd's X25519 operations,
# cookie replies, and the largest answer beside the flood packet's size.
EXTRA_DIST += bench/hs-flood.sh
.PHONY: bench-hsflood
bench: bench-hsflood
bench-hsflood: lnsh$(EXEEXT) lnshd$(EXEEXT) server/lnsh-holder$(EXEEXT) \
    tests/hsflood$(EXEEXT)
	LNSH_BUILDDIR=$(abs_builddir) LNSH_SRCDIR=$(abs_top_srcdir) \
	    $(SHELL) $(top_srcdir)/bench/hs-flood.sh $(HS_FLOOD_RATE) \
	    $(HS_FLOOD_SECS)
