# mk/doctor.mk: the regress tests of `lnsh doctor` (client/cmd-doctor.c,
# built with the other verbs in mk/client.mk) and of lnshd started as the
# systemd unit would start it. Included from Makefile.am.

# doctor.sh: against a loopback listener and a closed port, with its own
# single-user lnshd (tests/regress/verbs-lib.sh). service-linux.sh: as
# root only (else skipped, exit 77): install into a temporary root, run
# the unit's ExecStart, kill -9 it, start it again, the session survives.
DOCTOR_TESTS = tests/regress/doctor.sh tests/regress/service-linux.sh
TESTS += $(DOCTOR_TESTS)
EXTRA_DIST += $(DOCTOR_TESTS)
