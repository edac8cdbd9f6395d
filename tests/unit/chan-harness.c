/*
 * chan-harness.c: the pieces of the in-memory channel harness that
 * test_channel.c and test_byteflip.c share, kept once so both make the
 * same addresses and the same seeded random runs.
 */
#include "config.h"

#include <netinet/in.h>

#include <stdint.h>
#include <string.h>

#include "proto.h"
#include "chan-harness.h"

/* A small seeded PRNG (xorshift64*), so random runs repeat exactly. */
uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (*s * 2685821657736338717ULL);
}

/* An IPv4 address 10.0.0.host:port. */
struct chan_addr
mkaddr(int host, int port)
{
	struct chan_addr	 a;
	struct sockaddr_in	 sin;

	memset(&a, 0, sizeof a);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(0x0a000000U | (uint32_t)host);
	memcpy(&a.ss, &sin, sizeof sin);
	a.len = sizeof sin;
	return (a);
}
