# mk/daemon.mk: lnshd, the daemon (docs/lnshd.md), and its regress tests.
# Included from Makefile.am.

# proto/rpc.proto, the scripting verbs' requests and replies. Built into
# lnshd's own library, as mk/client.mk does for lnsh, so that neither
# program's build depends on the other's rules.
BUILT_SOURCES += proto/rpc.pb-c.h
CLEANFILES += proto/rpc.pb-c.c proto/rpc.pb-c.h
EXTRA_DIST += proto/rpc.proto
noinst_LIBRARIES += libpbdaemon.a
nodist_libpbdaemon_a_SOURCES = proto/rpc.pb-c.c proto/rpc.pb-c.h
libpbdaemon_a_CFLAGS = $(SAN_CFLAGS)

# lnshd: main and one file per subcommand, then the daemon's parts.
sbin_PROGRAMS += lnshd
lnshd_SOURCES = server/lnshd.c server/cmd-run.c server/cmd-pubkey.c \
	server/cmd-status.c server/cmd-kill-all.c server/cmd-install.c \
	server/cmd-uninstall.c server/cmd-service-status.c \
	server/listen.c server/rpc.c server/sessions.c server/status.c \
	server/lost.c \
	server/log.c server/authz.c server/account.c compat/shadow.c \
	compat/pam-account.c server/holderlog.c server/stamps.c \
	$(KEYS_SERVER_SRCS)
lnshd_CPPFLAGS = $(HOLDER_CPPFLAGS) -I$(top_srcdir)/client $(VTERM_CFLAGS)
lnshd_LDADD = libservice.a libpbdaemon.a $(HOLDER_LIBS) $(PROTO_LIBS) \
	$(PAM_LIBS)
$(lnshd_OBJECTS): proto/rpc.pb-c.h proto/holder.pb-c.h

# Shell regress tests: run from the top build directory with $srcdir
# exported; they find lnshd, lnsh-holder and holderctl there.
DAEMON_TESTS = tests/regress/daemon-basic.sh tests/regress/daemon-restart.sh \
	tests/regress/daemon-config.sh tests/regress/daemon-users.sh \
	tests/regress/authkeys-devices.sh tests/regress/account-policy.sh \
	tests/regress/daemon-sockpath.sh \
	tests/regress/daemon-start.sh tests/regress/lnshd-doc.sh \
	tests/regress/daemon-holderlog.sh tests/regress/daemon-fdlimit.sh \
	tests/regress/daemon-spawn-stall.sh tests/regress/daemon-adopt-wait.sh
TESTS += $(DAEMON_TESTS)
EXTRA_DIST += $(DAEMON_TESTS)
