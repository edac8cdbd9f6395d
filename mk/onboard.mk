# mk/onboard.mk: getting started without SSH (issue 5), the parts beside
# pairing: lnshd authorize/authorized/revoke, lnsh host add|rm and hosts,
# the client's config file (client/userconf.c), the man pages, bash, zsh
# and fish completion (bash-completion finds NAME.bash by the command name),
# and their tests. Included last from Makefile.am: it adds
# to the lnsh and lnshd rules of mk/client.mk and mk/daemon.mk.

lnshd_SOURCES += server/cmd-authorize.c server/cmd-authorized.c \
	server/cmd-revoke.c
lnsh_SOURCES += client/cmd-host.c client/cmd-hosts.c client/userconf.c

# ---------------------------------------------------------------- install
dist_man_MANS = man/lnsh.1 man/lnshd.8
bashcompdir = $(datadir)/bash-completion/completions
dist_bashcomp_DATA = completion/lnsh.bash completion/lnshd.bash
zshcompdir = $(datadir)/zsh/site-functions
dist_zshcomp_DATA = completion/_lnsh
fishcompdir = $(datadir)/fish/vendor_completions.d
dist_fishcomp_DATA = completion/lnsh.fish

# ---------------------------------------------------------------- tests
check_PROGRAMS += tests/unit/test_userconf
tests_unit_test_userconf_SOURCES = tests/unit/test_userconf.c \
	client/userconf.c server/paths.c $(KEYS_TEST_CORE)
tests_unit_test_userconf_CPPFLAGS = $(KEYS_CPPFLAGS)
tests_unit_test_userconf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_userconf_LDADD = $(UNIT_LIBS)

ONBOARD_TESTS = tests/regress/onboard-authorize.sh \
	tests/regress/onboard-hosts.sh tests/regress/completion.sh \
	tests/regress/onboard-zsh.sh tests/regress/onboard-fish.sh
TESTS += $(ONBOARD_TESTS)
EXTRA_DIST += $(ONBOARD_TESTS)
