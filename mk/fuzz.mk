# mk/fuzz.mk: the libFuzzer targets (fuzz/), their seed corpus and their
# short runs in make check. Only ./configure CC=clang-14 --enable-fuzzing
# builds any of it: that configuration compiles every object with
# -fsanitize=fuzzer-no-link,address,undefined (SAN_CFLAGS), and the targets
# link with -fsanitize=fuzzer. Elsewhere these rules do nothing.
#
# The channel targets' seed corpus is not committed: fuzz/mkcorpus writes
# it into the build tree (fuzz/corpus/TARGET/) from a real in-memory
# session. The parser targets' seeds are committed in fuzz/seeds/TARGET/
# (fuzz/seeds/README: where each came from, with each campaign's minimised
# corpus). Inputs that once failed are in fuzz/regress/TARGET/. make check
# runs each target over those of the three directories that exist for
# FUZZ_RUNS executions (FUZZ_RUNS_ENDPOINT for the two whole endpoints,
# FUZZ_RUNS_SLOW for fuzz-emu and fuzz-sgr), FUZZ_MAX_TIME seconds at most
# as a safety
# net; new inputs go to fuzz/work/TARGET/, never into the seeds, and what
# fails to fuzz/work/TARGET.crash/. A longer campaign, e.g.:
#	fuzz/fuzz-frag -max_total_time=600 fuzz/work/fuzz-frag \
#	    fuzz/corpus/fuzz-frag
# FUZZ_VERBOSE=1 fuzz/fuzz-chan-server FILE says what one input did.
# The tarball carries fuzz/ through the targets' _SOURCES, which automake
# distributes even when FUZZING is off; naming the directory would copy a
# VPATH build's fuzz/ (objects, corpus, binaries) instead of the source's.

if FUZZING
FUZZ_TARGETS = fuzz/fuzz-transport fuzz/fuzz-initiation fuzz/fuzz-response \
	fuzz/fuzz-frag fuzz/fuzz-rel fuzz/fuzz-protobuf \
	fuzz/fuzz-chan-server fuzz/fuzz-chan-client \
	fuzz/fuzz-fbapply fuzz/fuzz-emu fuzz/fuzz-emu-fast fuzz/fuzz-ssp \
	fuzz/fuzz-holder \
	fuzz/fuzz-sgr fuzz/fuzz-config fuzz/fuzz-authkeys fuzz/fuzz-hosts \
	fuzz/fuzz-userconf fuzz/fuzz-pairing fuzz/fuzz-cookie \
	fuzz/fuzz-zframe
FUZZ_RUNS = 20000
# The whole endpoints do a handshake (six X25519) in most runs.
FUZZ_RUNS_ENDPOINT = 5000
# The emulator (about 400 a second under ASan) and the scrollback-line
# parser, which draws every line it queues (about 1,500).
FUZZ_RUNS_SLOW = 2000
FUZZ_MAX_TIME = 25

noinst_PROGRAMS += $(FUZZ_TARGETS) fuzz/mkcorpus fuzz/mkseeds

# The protobuf types fuzz-protobuf decodes that libpb.a does not carry.
# Generated code builds without -Werror, as libpb.a does.
noinst_LIBRARIES += libfuzzpb.a
nodist_libfuzzpb_a_SOURCES = proto/rpc.pb-c.c proto/rpc.pb-c.h \
	proto/screen.pb-c.c proto/screen.pb-c.h \
	proto/holder.pb-c.c proto/holder.pb-c.h \
	proto/sync.pb-c.c proto/sync.pb-c.h
libfuzzpb_a_CFLAGS = $(SAN_CFLAGS)
CLEANFILES += proto/rpc.pb-c.c proto/rpc.pb-c.h

FUZZ_COMMON = fuzz/fuzz.h fuzz/fuzz-common.c
# What drives SSP's ends, for the SSP targets and mkseeds.
FUZZ_SSP = fuzz/fuzz-ssp-drive.c $(FUZZ_COMMON)
FUZZ_LINK_FLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
FUZZ_LINK_LIBS = $(PROTO_LIBS)
FUZZ_PB_HDRS = $(PROTO_GEN_H) proto/rpc.pb-c.h proto/screen.pb-c.h \
	proto/holder.pb-c.h proto/sync.pb-c.h

fuzz_fuzz_transport_SOURCES = fuzz/fuzz-transport.c $(FUZZ_COMMON)
fuzz_fuzz_transport_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_transport_LDADD = $(FUZZ_LINK_LIBS)

fuzz_fuzz_initiation_SOURCES = fuzz/fuzz-initiation.c $(FUZZ_COMMON)
fuzz_fuzz_initiation_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_initiation_LDADD = $(FUZZ_LINK_LIBS)

fuzz_fuzz_response_SOURCES = fuzz/fuzz-response.c $(FUZZ_COMMON)
fuzz_fuzz_response_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_response_LDADD = $(FUZZ_LINK_LIBS)

fuzz_fuzz_cookie_SOURCES = fuzz/fuzz-cookie.c $(FUZZ_COMMON)
fuzz_fuzz_cookie_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_cookie_LDADD = $(FUZZ_LINK_LIBS)

fuzz_fuzz_frag_SOURCES = fuzz/fuzz-frag.c $(FUZZ_COMMON)
fuzz_fuzz_frag_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_frag_LDADD = $(FUZZ_LINK_LIBS)

fuzz_fuzz_rel_SOURCES = fuzz/fuzz-rel.c $(FUZZ_COMMON)
fuzz_fuzz_rel_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_rel_LDADD = $(FUZZ_LINK_LIBS)

fuzz_fuzz_protobuf_SOURCES = fuzz/fuzz-protobuf.c fuzz/fuzz-pb.c \
	$(FUZZ_COMMON)
fuzz_fuzz_protobuf_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_protobuf_LDADD = libfuzzpb.a $(FUZZ_LINK_LIBS)

fuzz_fuzz_chan_server_SOURCES = fuzz/fuzz-chan-server.c $(FUZZ_COMMON)
fuzz_fuzz_chan_server_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_chan_server_LDADD = $(FUZZ_LINK_LIBS)

fuzz_fuzz_chan_client_SOURCES = fuzz/fuzz-chan-client.c $(FUZZ_COMMON)
fuzz_fuzz_chan_client_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_chan_client_LDADD = $(FUZZ_LINK_LIBS)

# The parsers beyond the channel: seeds committed in fuzz/seeds/TARGET/.
fuzz_fuzz_fbapply_SOURCES = fuzz/fuzz-fbapply.c $(FUZZ_COMMON)
fuzz_fuzz_fbapply_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_fbapply_LDADD = $(TERM_FB_LIBS) $(FUZZ_LINK_LIBS)

fuzz_fuzz_emu_SOURCES = fuzz/fuzz-emu.c $(FUZZ_COMMON)
fuzz_fuzz_emu_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server
fuzz_fuzz_emu_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_emu_LDADD = $(TERM_EMU_LIBS) $(FUZZ_LINK_LIBS)

# The fast path against libvterm alone, on the same scripts.
fuzz_fuzz_emu_fast_SOURCES = fuzz/fuzz-emu-fast.c $(FUZZ_COMMON)
fuzz_fuzz_emu_fast_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server
fuzz_fuzz_emu_fast_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_emu_fast_LDADD = $(TERM_EMU_LIBS) $(FUZZ_LINK_LIBS)

fuzz_fuzz_ssp_SOURCES = fuzz/fuzz-ssp.c $(FUZZ_SSP)
fuzz_fuzz_ssp_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_ssp_LDADD = $(SSP_LIBS) $(FUZZ_LINK_LIBS)

fuzz_fuzz_zframe_SOURCES = fuzz/fuzz-zframe.c $(FUZZ_SSP)
fuzz_fuzz_zframe_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_zframe_LDADD = $(SSP_LIBS) $(FUZZ_LINK_LIBS)

fuzz_fuzz_holder_SOURCES = fuzz/fuzz-holder.c $(FUZZ_COMMON)
fuzz_fuzz_holder_CPPFLAGS = $(HOLDER_CPPFLAGS)
fuzz_fuzz_holder_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_holder_LDADD = $(HOLDER_LIBS) $(TERM_FB_LIBS) $(FUZZ_LINK_LIBS)
$(fuzz_fuzz_holder_OBJECTS): proto/holder.pb-c.h

fuzz_fuzz_sgr_SOURCES = fuzz/fuzz-sgr.c $(FUZZ_COMMON)
fuzz_fuzz_sgr_CPPFLAGS = $(DISPLAY_CPPFLAGS)
fuzz_fuzz_sgr_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_sgr_LDADD = $(DISPLAY_LIBS) $(TERM_FB_LIBS) $(FUZZ_LINK_LIBS)

fuzz_fuzz_config_SOURCES = fuzz/fuzz-config.c $(FUZZ_COMMON) \
	server/config.c server/paths.c
fuzz_fuzz_config_CPPFLAGS = $(KEYS_CPPFLAGS)
fuzz_fuzz_config_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_config_LDADD = $(FUZZ_LINK_LIBS)

fuzz_fuzz_authkeys_SOURCES = fuzz/fuzz-authkeys.c $(FUZZ_COMMON) \
	server/authkeys.c server/paths.c
fuzz_fuzz_authkeys_CPPFLAGS = $(KEYS_CPPFLAGS)
fuzz_fuzz_authkeys_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_authkeys_LDADD = $(FUZZ_LINK_LIBS)

fuzz_fuzz_hosts_SOURCES = fuzz/fuzz-hosts.c $(FUZZ_COMMON) client/hosts.c
fuzz_fuzz_hosts_CPPFLAGS = $(KEYS_CPPFLAGS)
fuzz_fuzz_hosts_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_hosts_LDADD = $(FUZZ_LINK_LIBS)

fuzz_fuzz_userconf_SOURCES = fuzz/fuzz-userconf.c $(FUZZ_COMMON) \
	client/userconf.c server/paths.c
fuzz_fuzz_userconf_CPPFLAGS = $(KEYS_CPPFLAGS)
fuzz_fuzz_userconf_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_userconf_LDADD = $(FUZZ_LINK_LIBS)

fuzz_mkcorpus_SOURCES = fuzz/mkcorpus.c fuzz/fuzz-pb.c $(FUZZ_COMMON)
fuzz_mkcorpus_LDADD = libfuzzpb.a $(FUZZ_LINK_LIBS)

# fuzz/mkseeds: by hand only, fuzz/mkseeds $(srcdir)/fuzz/seeds
fuzz_fuzz_pairing_SOURCES = fuzz/fuzz-pairing.c $(FUZZ_COMMON)
fuzz_fuzz_pairing_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_pairing_LDADD = libpbpair.a $(FUZZ_LINK_LIBS)
$(fuzz_fuzz_pairing_OBJECTS): proto/pair.pb-c.h

fuzz_mkseeds_SOURCES = fuzz/mkseeds.c $(FUZZ_SSP)
fuzz_mkseeds_CPPFLAGS = $(HOLDER_CPPFLAGS)
fuzz_mkseeds_LDADD = $(TERM_EMU_LIBS) $(SSP_LIBS) $(HOLDER_LIBS) \
	$(FUZZ_LINK_LIBS)
$(fuzz_mkseeds_OBJECTS): proto/holder.pb-c.h proto/sync.pb-c.h

$(fuzz_fuzz_protobuf_OBJECTS) $(fuzz_mkcorpus_OBJECTS): $(FUZZ_PB_HDRS)
$(fuzz_fuzz_rel_OBJECTS): $(PROTO_GEN_H)

# The seed corpus, regenerated whenever mkcorpus (or the library) changes.
fuzz/corpus.stamp: fuzz/mkcorpus$(EXEEXT)
	$(AM_V_GEN)rm -rf fuzz/corpus && \
	ASAN_OPTIONS=detect_leaks=1 fuzz/mkcorpus fuzz/corpus && touch $@

# One small test script per target: a fixed, short run over its seeds.
# UBSan stops at the first finding, as ASan does.
FUZZ_TESTS = $(FUZZ_TARGETS:=.run)
TESTS += $(FUZZ_TESTS)
$(FUZZ_TESTS): $(FUZZ_TARGETS) fuzz/corpus.stamp Makefile
	$(AM_V_GEN)t=`basename $@ .run`; \
	case $$t in \
	fuzz-chan-*) runs=$(FUZZ_RUNS_ENDPOINT) ;; \
	fuzz-emu|fuzz-emu-fast|fuzz-sgr) runs=$(FUZZ_RUNS_SLOW) ;; \
	*) runs=$(FUZZ_RUNS) ;; \
	esac; { \
	echo '#!/bin/sh'; \
	echo "# $$t over its seed corpus: generated by mk/fuzz.mk"; \
	echo 'w=$(abs_top_builddir)/fuzz/work/'"$$t"; \
	echo 'rm -rf "$$w" "$$w.crash" || exit 1'; \
	echo 'mkdir -p "$$w" "$$w.crash" || exit 1'; \
	echo 'UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \'; \
	echo 'ASAN_OPTIONS=detect_leaks=1 \'; \
	echo 'exec $(abs_top_builddir)/fuzz/'"$$t"' -runs='"$$runs"' \'; \
	echo '    -max_total_time=$(FUZZ_MAX_TIME) -timeout=10 \'; \
	echo '    -rss_limit_mb=2048 -print_final_stats=1 \'; \
	echo '    -artifact_prefix="$$w.crash/" \'; \
	c=$(abs_top_builddir)/fuzz/corpus/$$t; \
	test -d $$c || c=; \
	s=$(abs_top_srcdir)/fuzz/seeds/$$t; \
	test -d $$s || s=; \
	r=$(abs_top_srcdir)/fuzz/regress/$$t; \
	test -d $$r || r=; \
	echo '    "$$w" '"$$c $$s $$r"; \
	} > $@.tmp && chmod +x $@.tmp && mv $@.tmp $@
CLEANFILES += $(FUZZ_TESTS) fuzz/corpus.stamp
endif

# The parser targets' seeds and minimised corpora (fuzz/seeds/README).
EXTRA_DIST += fuzz/seeds fuzz/regress
