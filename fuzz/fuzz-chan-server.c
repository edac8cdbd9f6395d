/*
 * fuzz-chan-server.c: a whole server endpoint. A script of records (fuzz.h)
 * drives chan_server_input with arbitrary datagrams from two addresses,
 * chan_server_tick on a virtual clock, and chan_server_send to the newest
 * peer. The seeds are the calls mkcorpus made on a server talking to a real
 * client, so they complete handshakes and carry messages. Every datagram
 * dropped before it authenticated must go unanswered (fuzz-common.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

static int	verbose;	/* FUZZ_VERBOSE set: say what each run did */

/* Installs the deterministic generator and the fixed keys. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	return (0);
}

/* Runs one script against a fresh server. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_ep	ep;
	struct fuzz_rec	rec;
	struct buf	b;

	fuzz_rng_reset();
	fuzz_ep_server(&ep, 0);
	buf_reader(&b, data, size);
	while (fuzz_next_rec(&b, &rec) == 0)
		fuzz_ep_apply(&ep, &rec);
	if (verbose)
		fuzz_ep_report(&ep, stderr);
	fuzz_ep_free(&ep);
	return (0);
}
