# mk/ssp.mk: the State Synchronisation Protocol (proto/ssp*.c, sync.proto,
# docs/sync.md) and its unit test. Included from Makefile.am.

# The SyncMessage schema, built like proto/lnsh.proto into its own library.
PROTO_SCHEMAS += proto/sync.proto
BUILT_SOURCES += proto/sync.pb-c.h
CLEANFILES += proto/sync.pb-c.c proto/sync.pb-c.h
noinst_LIBRARIES += libpbsync.a
nodist_libpbsync_a_SOURCES = proto/sync.pb-c.c proto/sync.pb-c.h
libpbsync_a_CFLAGS = $(SAN_CFLAGS)

# Both ends of SSP; lnshd and lnsh link SSP_LIBS (it brings the
# framebuffer too, and libzstd for the frames).
SSP_SRCS = proto/ssp.h proto/ssp.c proto/ssp-server.c proto/ssp-client.c
noinst_LIBRARIES += libssp.a
libssp_a_SOURCES = $(SSP_SRCS)
SSP_LIBS = libssp.a libpbsync.a $(TERM_FB_LIBS) $(ZSTD_LIBS)
$(libssp_a_OBJECTS): proto/sync.pb-c.h

check_PROGRAMS += tests/unit/test_ssp
tests_unit_test_ssp_SOURCES = tests/unit/test_ssp.c $(PROTO_CORE)
tests_unit_test_ssp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ssp_LDADD = $(SSP_LIBS) $(UNIT_LIBS)
$(tests_unit_test_ssp_OBJECTS): proto/sync.pb-c.h

# lnshd's side of attach: relaying each attached client's SSP messages to
# and from its session's holder, which runs the SSP server
# (server/attach.c; server/holder-sync.c). lnshd parses none of them.
lnshd_SOURCES += server/attach.c
lnshd_LDADD += $(PROTO_LIBS)

# attachctl: a small attach client for the attach-server regress tests.
noinst_PROGRAMS += tests/attachctl
tests_attachctl_SOURCES = tests/attachctl.c tests/clientutil.c tests/clientutil.h
tests_attachctl_LDADD = libpbdaemon.a $(SSP_LIBS) $(PROTO_LIBS)
$(tests_attachctl_OBJECTS): proto/rpc.pb-c.h proto/sync.pb-c.h
TESTS += tests/regress/attach-server-basic.sh
EXTRA_DIST += tests/regress/attach-server-basic.sh
TESTS += tests/regress/attach-long-line.sh
EXTRA_DIST += tests/regress/attach-long-line.sh

# replyflood: asks lnshd for answers and never acknowledges them.
noinst_PROGRAMS += tests/replyflood
tests_replyflood_SOURCES = tests/replyflood.c tests/clientutil.c \
    tests/clientutil.h
tests_replyflood_LDADD = libpbdaemon.a $(SSP_LIBS) $(PROTO_LIBS)
$(tests_replyflood_OBJECTS): proto/rpc.pb-c.h
TESTS += tests/regress/rpc-reply-budget.sh
EXTRA_DIST += tests/regress/rpc-reply-budget.sh
