# mk/term.mk: the terminal core (framebuffer, screen diff, emulator,
# scrollback), its unit tests and its benchmark. Included from
# Makefile.am.

# The screen diff schema, built like proto/lnsh.proto into its own library.
PROTO_SCHEMAS += proto/screen.proto
BUILT_SOURCES += proto/screen.pb-c.h
CLEANFILES += proto/screen.pb-c.c proto/screen.pb-c.h
noinst_LIBRARIES += libpbterm.a
nodist_libpbterm_a_SOURCES = proto/screen.pb-c.c proto/screen.pb-c.h
libpbterm_a_CFLAGS = $(SAN_CFLAGS)

# The framebuffer, shared by server and client.
TERM_FB_SRCS = proto/fb.h proto/fb.c proto/fbdiff.c
noinst_LIBRARIES += libterm.a
libterm_a_SOURCES = $(TERM_FB_SRCS)
TERM_FB_LIBS = libterm.a libpbterm.a $(PROTOBUF_C_LIBS)

check_PROGRAMS += tests/unit/test_fb
tests_unit_test_fb_SOURCES = tests/unit/test_fb.c $(PROTO_CORE)
tests_unit_test_fb_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_fb_LDADD = $(TERM_FB_LIBS) $(UNIT_LIBS)

# The emulator and scrollback, linked into the session holder.
TERM_EMU_SRCS = server/emu.c server/scrollback.c compat/vterm.h \
	compat/vterm-resize.c
noinst_LIBRARIES += libemu.a
libemu_a_SOURCES = $(TERM_EMU_SRCS)
libemu_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server $(VTERM_CFLAGS)
TERM_EMU_LIBS = libemu.a $(TERM_FB_LIBS) $(VTERM_LIBS)

check_PROGRAMS += tests/unit/test_scrollback
tests_unit_test_scrollback_SOURCES = tests/unit/test_scrollback.c $(PROTO_CORE)
tests_unit_test_scrollback_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server
tests_unit_test_scrollback_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_scrollback_LDADD = $(TERM_EMU_LIBS) $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_emu
tests_unit_test_emu_SOURCES = tests/unit/test_emu.c $(PROTO_CORE)
tests_unit_test_emu_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server
tests_unit_test_emu_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_emu_LDADD = $(TERM_EMU_LIBS) $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_emu_resize
tests_unit_test_emu_resize_SOURCES = tests/unit/test_emu_resize.c $(PROTO_CORE)
tests_unit_test_emu_resize_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server
tests_unit_test_emu_resize_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_emu_resize_LDADD = $(TERM_EMU_LIBS) $(UNIT_LIBS)

# The benchmark: built by `make bench`, never run by make check.
EXTRA_PROGRAMS = bench/emu-bench
bench_emu_bench_SOURCES = bench/emu-bench.c $(PROTO_CORE)
bench_emu_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server $(VTERM_CFLAGS)
bench_emu_bench_LDADD = $(TERM_EMU_LIBS) $(SODIUM_LIBS)
CLEANFILES += bench/emu-bench$(EXEEXT)
# Not .PHONY (fuzz.mk declares it under a condition, which automake
# refuses to mix); the empty rule makes `bench` always out of date even
# though the build tree has a bench/ directory.
bench: bench/emu-bench$(EXEEXT) term-bench-force
term-bench-force:
