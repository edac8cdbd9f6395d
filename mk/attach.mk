# mk/attach.mk: `lnsh [attach] HOST [NAME]`, the interactive client: the
# attach loop (client/attach.c) over the channel, SSP and the display,
# predictive echo (client/predict.c), and their tests. Included from
# Makefile.am after client.mk, display.mk and ssp.mk, whose lnsh rules it
# extends.

lnsh_SOURCES += client/cmd-attach.c client/attach.c client/predict.c
lnsh_CPPFLAGS += $(CURSES_CFLAGS)
lnsh_LDADD += $(DISPLAY_LIBS) $(SSP_LIBS)
$(lnsh_OBJECTS): proto/sync.pb-c.h

# ---------------------------------------------------------------- tests
check_PROGRAMS += tests/unit/test_predict
tests_unit_test_predict_SOURCES = tests/unit/test_predict.c client/predict.c \
	$(PROTO_CORE)
tests_unit_test_predict_CPPFLAGS = $(KEYS_CPPFLAGS)
tests_unit_test_predict_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_predict_LDADD = $(TERM_FB_LIBS) $(UNIT_LIBS)

# End-to-end through tmux against a real lnshd (SKIP 77 without tmux), and
# roaming in network namespaces (SKIP 77 unless root).
ATTACH_TESTS = tests/e2e/attach-basic.sh tests/e2e/attach-scrollback.sh \
	tests/e2e/attach-loss.sh tests/e2e/attach-restart.sh \
	tests/e2e/attach-scenarios.sh tests/e2e/attach-term.sh \
	tests/e2e/attach-locale.sh tests/e2e/attach-hint.sh \
	tests/e2e/attach-c1.sh tests/e2e/attach-resume.sh tests/e2e/attach-sizes.sh \
	tests/e2e/attach-winch.sh tests/e2e/attach-orphan.sh \
	tests/regress/roam-address.sh tests/regress/roam-outage.sh
TESTS += $(ATTACH_TESTS)
EXTRA_DIST += $(ATTACH_TESTS) tests/e2e/attach-lib.sh tests/regress/roam-lib.sh \
	tests/e2e/scenarios.sh
