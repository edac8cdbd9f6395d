/*
 * fuzz-chan-client.c: a whole client endpoint. A script of records (fuzz.h)
 * drives chan_client_connect, chan_client_input with arbitrary datagrams,
 * chan_client_tick on a virtual clock, and chan_client_send. The seeds are
 * the calls mkcorpus made on a client talking to a real server, so the
 * responses in them are genuine for this client's deterministic handshake.
 * Every datagram dropped before it authenticated must go unanswered.
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

/* Runs one script against a fresh client. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_ep	ep;
	struct fuzz_rec	rec;
	struct buf	b;

	fuzz_rng_reset();
	fuzz_ep_client(&ep, 0);
	buf_reader(&b, data, size);
	while (fuzz_next_rec(&b, &rec) == 0)
		fuzz_ep_apply(&ep, &rec);
	if (verbose)
		fuzz_ep_report(&ep, stderr);
	fuzz_ep_free(&ep);
	return (0);
}
