# mk/macos.mk: what keeps the tree building for macOS. The cross tier
# itself (scripts/cross-macos, run by scripts/test) builds the whole tree
# for arm64 and x86_64 Darwin with zig; tests/macos/ holds the headers
# macOS has and zig's set lacks, for that tier only. config-first.sh
# checks, on every platform, that each C source includes config.h first.
TESTS += tests/regress/config-first.sh
EXTRA_DIST += tests/regress/config-first.sh tests/macos
