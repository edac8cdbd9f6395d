# mk/display.mk: the client's display (terminfo rendering of a framebuffer,
# native scrollback, notice bar), the local tty, the fbplay test tool and
# the end-to-end tests through tmux. Included from Makefile.am.

DISPLAY_SRCS = client/display.c client/tty.c client/locale.c \
	client/client.h compat/waitfd.c compat/compat.h
DISPLAY_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/client \
	-I$(top_srcdir)/server $(CURSES_CFLAGS)
# proto/ is searched only for quoted includes, so that none of its headers
# can stand in for a system one such as terminfo's <term.h>.
DISPLAY_LIB_CPPFLAGS = -iquote $(top_srcdir)/proto -I$(top_builddir)/proto \
	-I$(top_srcdir)/compat -I$(top_srcdir)/client $(SODIUM_CFLAGS) \
	$(PROTOBUF_C_CFLAGS) $(CURSES_CFLAGS)

# The display as a library, for lnsh's attach client to link.
noinst_LIBRARIES += libdisplay.a
libdisplay_a_SOURCES = $(DISPLAY_SRCS)
libdisplay_a_CPPFLAGS = $(DISPLAY_LIB_CPPFLAGS)
DISPLAY_LIBS = libdisplay.a $(CURSES_LIBS)

# fbplay: bytes -> emulator -> display, so that the display can be tested
# in tmux without any network (not a test itself, so not check_PROGRAMS).
noinst_PROGRAMS += tests/fbplay
tests_fbplay_SOURCES = tests/fbplay.c tests/fbplay-emu.c tests/fbplay.h \
	$(PROTO_CORE)
tests_fbplay_CPPFLAGS = $(DISPLAY_CPPFLAGS) $(VTERM_CFLAGS)
tests_fbplay_LDADD = $(DISPLAY_LIBS) $(TERM_EMU_LIBS) $(SODIUM_LIBS)

# End-to-end tests: each starts its own tmux server; SKIP (77) without
# tmux. They run fbplay from the top build directory.
DISPLAY_E2E = tests/e2e/basic.sh tests/e2e/fullscreen.sh \
	tests/e2e/scrollback.sh tests/e2e/notice.sh
TESTS += $(DISPLAY_E2E)
EXTRA_DIST += $(DISPLAY_E2E) tests/e2e/lib-e2e.sh
