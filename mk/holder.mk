# mk/holder.mk: the session holder (lnsh-holder), lnshd's side of the
# holder socket (libholder.a), the holder protocol schema, holderctl and
# the holder tests. Included from Makefile.am.

# The holder <-> lnshd schema, built like proto/lnsh.proto into its own
# library (generated code, so no -Werror).
PROTO_SCHEMAS += proto/holder.proto
BUILT_SOURCES += proto/holder.pb-c.h
CLEANFILES += proto/holder.pb-c.c proto/holder.pb-c.h
noinst_LIBRARIES += libpbholder.a
nodist_libpbholder_a_SOURCES = proto/holder.pb-c.c proto/holder.pb-c.h
libpbholder_a_CFLAGS = $(SAN_CFLAGS)

# Where lnshd finds lnsh-holder unless $LNSH_HOLDER says otherwise.
HOLDER_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server $(EVENT_CFLAGS) \
	-DLNSH_HOLDER_PATH='"$(libexecdir)/lnsh-holder"'

# lnshd links libholder.a: framing, connections to holders, the socket
# directory, spawning (privdrop), and the pty code the holder uses.
noinst_LIBRARIES += libholder.a
libholder_a_SOURCES = server/holder-wire.c server/holder-conn.c \
	server/sessdir.c server/privdrop.c server/pty.c server/unixsock.c \
	server/termcheck.c server/accept.c server/fdlimit.c \
	compat/peercred.c compat/malloc-tune.c compat/event-base.c \
	compat/compat.h server/server.h
libholder_a_CPPFLAGS = $(HOLDER_CPPFLAGS)
HOLDER_LIBS = libholder.a libpbholder.a libproto.a $(PROTOBUF_C_LIBS) \
	$(EVENT_LIBS) $(SODIUM_LIBS)

# holderctl: drives holders from the shell tests (not a test itself, so
# not in check_PROGRAMS, which Makefile.am turns into TESTS).
noinst_PROGRAMS += tests/holderctl
tests_holderctl_SOURCES = tests/holderctl.c
tests_holderctl_CPPFLAGS = $(HOLDER_CPPFLAGS)
tests_holderctl_LDADD = libssp.a libpbsync.a $(TERM_FB_LIBS) $(HOLDER_LIBS) \
	$(ZSTD_LIBS)
$(tests_holderctl_OBJECTS): proto/holder.pb-c.h proto/sync.pb-c.h

check_PROGRAMS += tests/unit/test_holderwire
tests_unit_test_holderwire_SOURCES = tests/unit/test_holderwire.c
tests_unit_test_holderwire_CPPFLAGS = $(HOLDER_CPPFLAGS)
tests_unit_test_holderwire_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_holderwire_LDADD = $(HOLDER_LIBS) $(UNIT_LIBS)

# lnsh-holder: lnshd execs it as the session's user. Installed in
# $(libexecdir); lnshd and the tests find the built one via $LNSH_HOLDER.
libexec_PROGRAMS = server/lnsh-holder
# It runs the server end of SSP for each attached client (holder-sync.c).
server_lnsh_holder_SOURCES = server/holder-main.c server/holder.c \
	server/holder-sync.c
server_lnsh_holder_CPPFLAGS = $(HOLDER_CPPFLAGS)
server_lnsh_holder_LDADD = libssp.a libpbsync.a $(TERM_EMU_LIBS) \
	$(HOLDER_LIBS) $(ZSTD_LIBS)
$(server_lnsh_holder_OBJECTS): proto/holder.pb-c.h proto/sync.pb-c.h

# Shell tests: run from the top build directory, where they find
# tests/holderctl and server/lnsh-holder.
HOLDER_REGRESS = tests/regress/holder-basic.sh \
	tests/regress/holder-privdrop.sh tests/regress/holder-trickle.sh \
	tests/regress/holder-reply-flood.sh tests/regress/holder-stopped.sh \
	tests/regress/holder-upgrade.sh
TESTS += $(HOLDER_REGRESS)
EXTRA_DIST += $(HOLDER_REGRESS) tests/trickle-holder.py tests/old-holder.py
