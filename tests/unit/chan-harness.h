/*
 * chan-harness.h: what test_channel.c and test_byteflip.c both use to run
 * channel endpoints in memory on a virtual clock. Include after proto.h.
 */
#ifndef LNSH_CHAN_HARNESS_H
#define LNSH_CHAN_HARNESS_H

#include <stdint.h>

#define MS		LN_NS_PER_MS
#define SEC		LN_NS_PER_SEC
#define WALL_BASE	(1700000000ULL * SEC)	/* virtual wall clock, 2023 */

struct chan_addr;

uint64_t		 rnd(uint64_t *);
struct chan_addr	 mkaddr(int, int);

#endif /* LNSH_CHAN_HARNESS_H */
