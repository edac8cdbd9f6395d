# mk/hostile.mk: lnshd under fire (issue 12). tests/hostile-flood sends a
# stranger's garbage and counts what comes back; the regress test runs a
# short flood in make check, `make bench-hostile` the long flood, the
# idle sessions, many clients and handshakes, and prints the figures
# (bench/hostile*.sh; never run by make check; HOSTILE_SESSIONS sets the
# idle sessions, default 1,000). The flood needs root for its network
# namespaces and is skipped without (exit 77), the rest runs.
# docs/security.md quotes the figures with their commands.
noinst_PROGRAMS += tests/hostile-flood
tests_hostile_flood_SOURCES = tests/hostile-flood.c tests/clientutil.c \
    tests/clientutil.h
tests_hostile_flood_LDADD = $(PROTO_LIBS)
$(tests_hostile_flood_OBJECTS): $(PROTO_GEN_H)

# Sustained handshakes per second (bench/hs-rate.c), built on demand.
EXTRA_PROGRAMS += bench/hs-rate
bench_hs_rate_SOURCES = bench/hs-rate.c tests/clientutil.c tests/clientutil.h
bench_hs_rate_LDADD = $(PROTO_LIBS)
$(bench_hs_rate_OBJECTS): $(PROTO_GEN_H)
CLEANFILES += bench/hs-rate$(EXEEXT)

TESTS += tests/regress/hostile-flood.sh tests/regress/hostile-clients.sh
EXTRA_DIST += tests/regress/hostile-flood.sh tests/regress/hostile-clients.sh

EXTRA_DIST += bench/hostile.sh bench/hostile-load.sh bench/hostile-many.sh \
    bench/hostile-hs.sh
.PHONY: bench-hostile
bench: bench-hostile
bench-hostile: lnsh$(EXEEXT) lnshd$(EXEEXT) server/lnsh-holder$(EXEEXT) \
    tests/hostile-flood$(EXEEXT) tests/attachctl$(EXEEXT) tests/impair$(EXEEXT) \
    bench/hs-rate$(EXEEXT)
	LNSH_BUILDDIR=$(abs_builddir) LNSH_SRCDIR=$(abs_top_srcdir) \
	    $(SHELL) $(top_srcdir)/bench/hostile.sh || test $$? = 77
	LNSH_BUILDDIR=$(abs_builddir) LNSH_SRCDIR=$(abs_top_srcdir) \
	    $(SHELL) $(top_srcdir)/bench/hostile-load.sh $(HOSTILE_SESSIONS)
	LNSH_BUILDDIR=$(abs_builddir) LNSH_SRCDIR=$(abs_top_srcdir) \
	    $(SHELL) $(top_srcdir)/bench/hostile-many.sh
	LNSH_BUILDDIR=$(abs_builddir) LNSH_SRCDIR=$(abs_top_srcdir) \
	    $(SHELL) $(top_srcdir)/bench/hostile-hs.sh
