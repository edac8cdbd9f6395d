/*
 * clock.c: the two clocks lnsh reads. Every timer uses the monotonic one;
 * the wall clock only stamps handshake initiations.
 */
#include <time.h>

#include "proto.h"

/* Monotonic time in nanoseconds: for every timer and timeout. */
uint64_t
ln_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
}

/* Wall-clock time in nanoseconds since the epoch: for replay timestamps. */
uint64_t
ln_wall_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
}
