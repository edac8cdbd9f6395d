# make check-valgrind: the unit tests, and the regress tests that start
# lnshd or lnsh-holder (daemon-*, holder-*, verbs-basic), under valgrind's
# memcheck (tests/vg-run.sh; tests/regress/lib.sh wraps the daemons). It
# fails on any memcheck error or definite leak in any of their reports,
# kept in vg-logs/. Slow (docs/security.md, "valgrind"): not part of check.
# daemon-fdlimit.sh is left out: valgrind keeps descriptors of its own at
# the top of the range and shows the program a lower soft limit, so the
# limits that test sets and reads are not lnshd's own under it.
EXTRA_DIST += tests/vg-run.sh
VG_LOGDIR = $(abs_builddir)/vg-logs

check-valgrind: all
	@tests=`for t in $(TESTS); do case $$t in \
	    tests/regress/daemon-fdlimit.sh) ;; \
	    tests/unit/*|tests/regress/daemon-*|tests/regress/holder-*| \
	    tests/regress/verbs-basic.sh) echo $$t;; esac; done`; \
	rm -rf $(VG_LOGDIR) && mkdir $(VG_LOGDIR) && \
	chmod 1777 $(VG_LOGDIR) && \
	LNSH_VG_LOGDIR=$(VG_LOGDIR) $(MAKE) $(AM_MAKEFLAGS) check \
	    TESTS="`echo $$tests`" \
	    LOG_COMPILER="$(SHELL) $(abs_top_srcdir)/tests/vg-run.sh"; \
	rc=$$?; \
	n=`ls $(VG_LOGDIR) | wc -l | tr -d ' '`; \
	bad=`grep -lE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' \
	    $(VG_LOGDIR)/*.log`; \
	echo "check-valgrind: $$n memcheck reports in $(VG_LOGDIR)"; \
	if [ -n "$$bad" ]; then \
	    echo "check-valgrind: errors or definite leaks in:" $$bad; \
	    exit 1; fi; \
	[ "$$n" -gt 0 ] || { echo "check-valgrind: no reports"; exit 1; }; \
	exit $$rc

.PHONY: check-valgrind
