# mk/term.mk: the terminal core (framebuffer, screen diff, emulator,
# scrollback), its unit tests and its benchmark. Owned by the terminal
# engineer; included from Makefile.am.

# The screen diff schema, built like proto/lnsh.proto into its own library.
PROTO_SCHEMAS += proto/screen.proto
BUILT_SOURCES += proto/screen.pb-c.h
CLEANFILES += proto/screen.pb-c.c proto/screen.pb-c.h
noinst_LIBRARIES += libpbterm.a
nodist_libpbterm_a_SOURCES = proto/screen.pb-c.c proto/screen.pb-c.h
libpbterm_a_CFLAGS = $(SAN_CFLAGS)

# The framebuffer, shared by server and client.
TERM_FB_SRCS = proto/term.h proto/fb.c proto/fbdiff.c
noinst_LIBRARIES += libterm.a
libterm_a_SOURCES = $(TERM_FB_SRCS)
TERM_FB_LIBS = libterm.a libpbterm.a $(PROTOBUF_C_LIBS)

check_PROGRAMS += tests/unit/test_fb
tests_unit_test_fb_SOURCES = tests/unit/test_fb.c $(PROTO_CORE)
tests_unit_test_fb_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_fb_LDADD = $(TERM_FB_LIBS) $(UNIT_LIBS)
