# mk/faults.mk: issue 12's fault tests (docs/security.md, "Faults"): what
# lnshd and its holders do when processes die, clients vanish, the state
# dir fills or a session floods with nobody attached. The quick ones run
# in make check; the long ones in `make bench-faults`, each printing its
# figures.
FAULT_TESTS = tests/regress/fault-holder-kill.sh
TESTS += $(FAULT_TESTS)
EXTRA_DIST += $(FAULT_TESTS)
