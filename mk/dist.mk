# mk/dist.mk: the release tarball (make dist) and its check (make
# distcheck: the tarball builds in a VPATH build from a read-only source
# tree, passes make check, installs into a prefix and with DESTDIR, passes
# make installcheck and uninstalls without leaving a file). scripts/test
# runs distcheck in CI; packaging/homebrew/lnsh.rb builds from the tarball.
# Included from Makefile.am after every other mk/*.mk.

# Files no program's sources name. The areas' own files are listed in their
# mk/*.mk; these belong to the tree as a whole.
EXTRA_DIST += .clang-format m4/.keep

# ---------------------------------------------------------------- make dist
# Every file git tracks must be in the tarball, or a release lacks it
# without any build noticing (a schema, a helper only a root test sources,
# a doc). Checked only when the source tree is a git checkout's top; CI
# files (.ci/) and .gitignore are the repository's, not the release's.
dist-hook: dist-check-tracked
dist-check-tracked:
	@top=`cd $(top_srcdir) && pwd -P`; \
	git=`git -C "$$top" rev-parse --show-toplevel 2>/dev/null` || exit 0; \
	test "x`cd "$$git" && pwd -P`" = "x$$top" || exit 0; \
	dd=`cd $(distdir) && pwd`; \
	missing=`cd "$$top" && git ls-files | \
	    grep -v -E '^(\.gitignore|\.ci/)' | \
	    while read f; do \
		test -e "$$f" && test ! -e "$$dd/$$f" && echo "$$f"; \
	    done`; \
	test -z "$$missing" || { \
	    echo "make dist: tracked by git but not in the tarball:" >&2; \
	    echo "$$missing" | sed 's/^/  /' >&2; \
	    echo "add each to EXTRA_DIST (or a _SOURCES) in its area's mk/*.mk" >&2; \
	    exit 1; }

# ---------------------------------------------------------------- distcheck
# distcheck makes the source tree read-only, but CI runs as root, which
# writes anyway: so a test that writes into $(srcdir) would pass there.
# distcheck-hook records the unpacked tree (names and checksums) before the
# build; installcheck, which distcheck runs after make check, compares.
DIST_SRCDIR_MANIFEST = ( find . \( -path ./_build -o -path ./_inst \) \
	-prune -o -print; \
	find . \( -path ./_build -o -path ./_inst \) -prune -o -type f \
	-exec cksum {} + ) | LC_ALL=C sort
distcheck-hook:
	$(AM_V_GEN)(cd $(distdir) && $(DIST_SRCDIR_MANIFEST)) \
	    >$(distdir)/_build/srcdir.manifest

# make installcheck: the installed programs and files (the test script says
# what it checks); under distcheck also the source tree against the record.
installcheck-local:
	bindir='$(bindir)' sbindir='$(sbindir)' libexecdir='$(libexecdir)' \
	    mandir='$(mandir)' pkgdatadir='$(pkgdatadir)' \
	    bashcompdir='$(bashcompdir)' zshcompdir='$(zshcompdir)' \
	    fishcompdir='$(fishcompdir)' \
	    VERSION='$(VERSION)' \
	    $(SHELL) $(top_srcdir)/tests/regress/installcheck.sh
	@m=$(abs_top_builddir)/../srcdir.manifest; \
	test -f "$$m" || exit 0; \
	(cd $(top_srcdir) && $(DIST_SRCDIR_MANIFEST)) >"$$m.after"; \
	if ! cmp -s "$$m" "$$m.after"; then \
	    echo "distcheck: the build or its tests wrote into the source tree:" >&2; \
	    diff "$$m" "$$m.after" >&2; \
	    echo "write into the build directory (\$$B, \$$T) instead" >&2; \
	    exit 1; \
	fi; \
	echo "distcheck: the source tree is as unpacked"
EXTRA_DIST += tests/regress/installcheck.sh

# ---------------------------------------------------------------- Homebrew
# The formula builds from the tarball; formula.sh checks it with ruby -c
# and against configure.ac's dependencies (skipped where ruby is absent).
EXTRA_DIST += packaging/homebrew/lnsh.rb tests/regress/formula.sh
TESTS += tests/regress/formula.sh
