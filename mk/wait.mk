# mk/wait.mk: the waits on ttys and ptys (compat/waitfd.c, linked into the
# client through libdisplay.a; compat/event-base.c, the holder's libevent
# base, through libholder.a) and their unit test. configure picks select(2)
# on macOS or with --enable-select-wait (LNSH_SELECT_WAIT), poll(2) and
# libevent's own choice elsewhere. Included from Makefile.am.

check_PROGRAMS += tests/unit/test_wait
tests_unit_test_wait_SOURCES = tests/unit/test_wait.c compat/waitfd.c \
	compat/event-base.c compat/compat.h
tests_unit_test_wait_CPPFLAGS = $(AM_CPPFLAGS) $(EVENT_CFLAGS)
tests_unit_test_wait_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_wait_LDADD = $(EVENT_LIBS) $(UNIT_LIBS)
