# mk/service.mk: lnshd as a service (issue 6). The launchd plist and the
# systemd unit are built from launchd/*.in with the configured paths,
# installed into $(pkgdatadir) by `make install`, and written into place by
# `lnshd install`, whose logic (server/install.c) is built into
# libservice.a for lnshd to link.

# ---------------------------------------------------------------- files
SERVICE_IN = launchd/org.lnsh.lnshd.plist.in launchd/lnshd.service.in
SERVICE_FILES = launchd/org.lnsh.lnshd.plist launchd/lnshd.service
EXTRA_DIST += $(SERVICE_IN)
CLEANFILES += $(SERVICE_FILES)
pkgdata_DATA = $(SERVICE_FILES)
# lnshd's PAM policy (server/account.c), for reference: `lnshd install`
# writes the one for its platform to /etc/pam.d/lnshd; `make install`
# writes nothing under /etc.
dist_pkgdata_DATA = launchd/pam.d-lnshd.linux launchd/pam.d-lnshd.macos

# Substituted at make time, not by configure: configure leaves sbindir as
# ${exec_prefix}/sbin, which only make expands (the autoconf manual's advice
# for installation directories). The [@] keeps config.status from
# substituting the pattern in this rule itself.
SERVICE_SUBST = $(MKDIR_P) launchd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g'
SERVICE_PLIST_IN = $(top_srcdir)/launchd/org.lnsh.lnshd.plist.in
SERVICE_UNIT_IN = $(top_srcdir)/launchd/lnshd.service.in
launchd/org.lnsh.lnshd.plist: $(SERVICE_PLIST_IN) Makefile
	$(AM_V_GEN)$(SERVICE_SUBST) $(SERVICE_PLIST_IN) >$@.tmp && mv $@.tmp $@
launchd/lnshd.service: $(SERVICE_UNIT_IN) Makefile
	$(AM_V_GEN)$(SERVICE_SUBST) $(SERVICE_UNIT_IN) >$@.tmp && mv $@.tmp $@

# ---------------------------------------------------------------- library
# lnshd links libservice.a and calls service_install() and friends. The
# default lnshd path comes from here, for the same reason as above.
noinst_LIBRARIES += libservice.a
libservice_a_SOURCES = server/install.c compat/service-os.c server/server.h
libservice_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server \
	$(VTERM_CFLAGS) -DLNSH_SBINDIR='"$(sbindir)"'

# ---------------------------------------------------------------- tests
# test_install joins TESTS through $(check_PROGRAMS) in Makefile.am.
check_PROGRAMS += tests/unit/test_install
tests_unit_test_install_SOURCES = tests/unit/test_install.c proto/xmalloc.c
tests_unit_test_install_CPPFLAGS = $(libservice_a_CPPFLAGS) \
	-DSERVICE_BUILT_DIR='"$(abs_top_builddir)/launchd"' \
	-DSERVICE_SRC_DIR='"$(abs_top_srcdir)/launchd"'
tests_unit_test_install_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_install_LDADD = libservice.a $(UNIT_LIBS)
# Built before any test runs: the files test_install compares against, and
# the sbindir that tests/regress/service-files.sh reads.
EXTRA_tests_unit_test_install_DEPENDENCIES = $(SERVICE_FILES) \
	launchd/service-test.env

# The files themselves, checked by Python's plistlib and systemd-analyze.
# The script reads the configured sbindir and python3 from
# launchd/service-test.env.
TESTS += tests/regress/service-files.sh
CLEANFILES += launchd/service-test.env
launchd/service-test.env: Makefile
	$(AM_V_GEN)$(MKDIR_P) launchd && \
	{ echo "sbindir='$(sbindir)'"; echo "PYTHON3='$(PYTHON3)'"; } \
	    >$@.tmp && mv $@.tmp $@
EXTRA_DIST += tests/regress/service-files.sh tests/check-service-files.py
