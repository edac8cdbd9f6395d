# mk/keys.mk: keys and the files lnsh reads and writes (docs/files.md):
# key text and key files (proto/keys.c, in libproto.a for both programs),
# lnshd's authorized_keys, config and default paths (server/), and the
# client's hosts file (client/). lnshd and lnsh add the source lists below
# to their SOURCES; server/paths.c is shared by both programs.

libproto_a_SOURCES += proto/keys.c

# For the lnshd and lnsh program rules. Both need KEYS_CPPFLAGS.
KEYS_SERVER_SRCS = server/authkeys.c server/config.c server/paths.c \
	server/server.h
KEYS_CLIENT_SRCS = client/hosts.c server/paths.c client/client.h
KEYS_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server -I$(top_srcdir)/client \
	$(VTERM_CFLAGS)

# ---------------------------------------------------------------- tests
# Each lists the files it needs, so other modules being rewritten do not
# stop these from building. Every test works in a temporary directory.
KEYS_TEST_CORE = $(PROTO_CORE) proto/keys.c

check_PROGRAMS += tests/unit/test_keys
tests_unit_test_keys_SOURCES = tests/unit/test_keys.c $(KEYS_TEST_CORE)
tests_unit_test_keys_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_keys_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_hosts
tests_unit_test_hosts_SOURCES = tests/unit/test_hosts.c $(KEYS_TEST_CORE) \
	client/hosts.c client/client.h
tests_unit_test_hosts_CPPFLAGS = $(KEYS_CPPFLAGS)
tests_unit_test_hosts_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_hosts_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_authkeys
tests_unit_test_authkeys_SOURCES = tests/unit/test_authkeys.c \
	$(KEYS_TEST_CORE) server/authkeys.c server/paths.c
tests_unit_test_authkeys_CPPFLAGS = $(KEYS_CPPFLAGS)
tests_unit_test_authkeys_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_authkeys_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c \
	$(KEYS_TEST_CORE) server/config.c server/paths.c
tests_unit_test_config_CPPFLAGS = $(KEYS_CPPFLAGS)
tests_unit_test_config_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_config_LDADD = $(UNIT_LIBS)
