# mk/bench.mk: benchmarks, built and run on demand, never by make check.
# `make bench` runs every benchmark; each area adds its own target as a
# prerequisite of bench (mk/term.mk adds the emulator's). The figures and
# the commands that produced them are kept in docs/benchmarks.md.
# Build in a plain configuration: the sanitizers distort every figure.
# The bench scripts share bench/lib.sh (on top of tests/regress/lib.sh).
EXTRA_DIST += bench/lib.sh

# The channel: responder handshakes and transport packets per second on one
# core, each beside the raw libsodium primitive (bench/chan-bench.c).
EXTRA_PROGRAMS += bench/chan-bench
bench_chan_bench_SOURCES = bench/chan-bench.c
bench_chan_bench_LDADD = $(PROTO_LIBS)
$(bench_chan_bench_OBJECTS): $(PROTO_GEN_H)
CLEANFILES += bench/chan-bench$(EXEEXT)

.PHONY: bench bench-channel
bench: bench-channel
bench-channel: bench/chan-bench$(EXEEXT)
	./bench/chan-bench

# The holder: RSS of a real lnsh-holder, idle and with 10,000 lines of
# coloured scrollback, against issue 3's goals (bench/holder-rss.sh;
# HOLDER_RSS_FLAGS=-m adds a massif profile of the heap).
EXTRA_DIST += bench/holder-rss.sh bench/holder-flood.sh
.PHONY: bench-holder
bench: bench-holder
bench-holder: server/lnsh-holder$(EXEEXT) tests/holderctl$(EXEEXT)
	$(SHELL) $(top_srcdir)/bench/holder-rss.sh $(HOLDER_RSS_FLAGS)

# lnsh beside mosh 1.4 in one run, through tests/impair, in 120x40 tmux
# panes: seq, echo latency, idle traffic, roam and outage resume, against
# issue 4's goals (bench/vs-mosh.sh; VS_MOSH_IDLE sets the idle seconds).
# Needs tmux, python3, mosh-server and mosh-client.
EXTRA_DIST += bench/vs-mosh.sh bench/vs-mosh-probe.py
.PHONY: bench-mosh
bench: bench-mosh
bench-mosh: lnsh$(EXEEXT) lnshd$(EXEEXT) server/lnsh-holder$(EXEEXT) \
    tests/impair$(EXEEXT)
	LNSH_BUILDDIR=$(abs_builddir) LNSH_SRCDIR=$(abs_top_srcdir) \
	    $(SHELL) $(top_srcdir)/bench/vs-mosh.sh $(VS_MOSH_IDLE)

# A script's loop of `lnsh ls` beside `tmux ls` (bench/ls-loop.sh; LS_LOOP_N
# calls of each, default 1000): the distribution, and a failure if one
# lnsh call took more than 50 ms.
EXTRA_DIST += bench/ls-loop.sh
.PHONY: bench-ls
bench: bench-ls
bench-ls: lnsh$(EXEEXT) lnshd$(EXEEXT) server/lnsh-holder$(EXEEXT)
	LNSH_BUILDDIR=$(abs_builddir) LNSH_SRCDIR=$(abs_top_srcdir) \
	    $(SHELL) $(top_srcdir)/bench/ls-loop.sh $(LS_LOOP_N)

# Bytes each way while `seq 1 3000000` floods an attached lnsh, through
# tests/impair with no delay (bench/flood-bytes.sh): the compression
# figure of docs/benchmarks.md without vs-mosh's hour. Needs tmux, python3.
EXTRA_DIST += bench/flood-bytes.sh
.PHONY: bench-flood
bench: bench-flood
bench-flood: lnsh$(EXEEXT) lnshd$(EXEEXT) server/lnsh-holder$(EXEEXT) \
    tests/impair$(EXEEXT)
	LNSH_BUILDDIR=$(abs_builddir) $(SHELL) $(top_srcdir)/bench/flood-bytes.sh
