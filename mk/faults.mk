# mk/faults.mk: issue 12's fault tests (docs/security.md, "Faults"): what
# lnshd and its holders do when processes die, clients vanish, the state
# dir fills or a session floods with nobody attached. The quick ones run
# in make check; the long ones in `make bench-faults`, each printing its
# figures.
FAULT_TESTS = tests/regress/fault-holder-kill.sh \
	tests/regress/fault-client-vanish.sh \
	tests/regress/fault-flood-detached.sh \
	tests/regress/fault-state-dir.sh tests/e2e/fault-sleep.sh \
	tests/regress/fault-link-cut.sh tests/e2e/fault-lnshd-kill.sh
TESTS += $(FAULT_TESTS)
EXTRA_DIST += $(FAULT_TESTS)

# The long runs: 1,000 connect-and-vanish cycles (fault-client-vanish.sh),
# a detached flood of 30,000,000 lines timed against bench/emu-bench
# (fault-flood-detached.sh).
.PHONY: bench-faults
bench: bench-faults
bench-faults: lnsh$(EXEEXT) lnshd$(EXEEXT) server/lnsh-holder$(EXEEXT) \
    bench/emu-bench$(EXEEXT)
	LNSH_BUILDDIR=$(abs_builddir) LNSH_SRCDIR=$(abs_top_srcdir) \
	    FAULT_FLOOD_N=30000000 FAULT_FLOOD_EMU=1 \
	    $(SHELL) $(top_srcdir)/tests/regress/fault-flood-detached.sh
	LNSH_BUILDDIR=$(abs_builddir) LNSH_SRCDIR=$(abs_top_srcdir) \
	    FAULT_VANISH_CYCLES=1000 \
	    $(SHELL) $(top_srcdir)/tests/regress/fault-client-vanish.sh
