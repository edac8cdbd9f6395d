# mk/client.mk: lnsh, the client: the scripting verbs (one cmd-*.c file per
# verb), the request/reply path to lnshd (rpc.c over udp.c), and their
# tests. Included from Makefile.am.

# The request/reply schema. Generated code builds without -Werror, as
# libpb.a does; if another area builds the same schema into its library,
# the linker takes lnsh's copy and never pulls the other.
BUILT_SOURCES += proto/rpc.pb-c.h
CLEANFILES += proto/rpc.pb-c.c proto/rpc.pb-c.h
noinst_LIBRARIES += libpbclient.a
nodist_libpbclient_a_SOURCES = proto/rpc.pb-c.c proto/rpc.pb-c.h
libpbclient_a_CFLAGS = $(SAN_CFLAGS)

CLIENT_VERB_SRCS = client/cmd-ls.c client/cmd-new.c client/cmd-kill.c \
	client/cmd-capture.c client/cmd-send.c client/cmd-keygen.c \
	client/cmd-pubkey.c client/cmd-doctor.c client/cmd-wait.c
CLIENT_SRCS = client/lnsh.c $(CLIENT_VERB_SRCS) client/rpc.c client/udp.c \
	client/escape.c client/json.c client/version.c client/client.h

bin_PROGRAMS += lnsh
lnsh_SOURCES = $(CLIENT_SRCS) $(KEYS_CLIENT_SRCS)
lnsh_CPPFLAGS = $(KEYS_CPPFLAGS)
lnsh_LDADD = libpbclient.a $(PROTO_LIBS)
$(lnsh_OBJECTS): proto/rpc.pb-c.h

# ---------------------------------------------------------------- tests
check_PROGRAMS += tests/unit/test_escape
tests_unit_test_escape_SOURCES = tests/unit/test_escape.c client/escape.c \
	$(PROTO_CORE)
tests_unit_test_escape_CPPFLAGS = $(KEYS_CPPFLAGS)
tests_unit_test_escape_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_escape_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_json
tests_unit_test_json_SOURCES = tests/unit/test_json.c client/json.c \
	$(PROTO_CORE)
tests_unit_test_json_CPPFLAGS = $(KEYS_CPPFLAGS)
tests_unit_test_json_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_json_LDADD = $(UNIT_LIBS)

# The UDP loop against an echo server in a child process.
check_PROGRAMS += tests/unit/test_udp
tests_unit_test_udp_SOURCES = tests/unit/test_udp.c client/udp.c
tests_unit_test_udp_CPPFLAGS = $(KEYS_CPPFLAGS)
tests_unit_test_udp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_udp_LDADD = $(PROTO_LIBS) $(UNIT_LIBS)

# Shell regress tests: each starts its own lnshd (single-user, free
# loopback port, temporary HOME and LNSH_CONFIG_DIR) from the top build
# directory, where they find lnsh, lnshd and lnsh-holder.
CLIENT_TESTS = tests/regress/verbs-basic.sh tests/regress/verbs-exit.sh \
	tests/regress/cli-errors.sh tests/regress/sessions-exited.sh \
	tests/regress/verbs-loop.sh tests/regress/sessions-limit.sh \
	tests/regress/clients-close.sh tests/regress/clients-evict.sh \
	tests/regress/cli-doc-errors.sh
TESTS += $(CLIENT_TESTS)
EXTRA_DIST += $(CLIENT_TESTS) tests/regress/verbs-lib.sh
