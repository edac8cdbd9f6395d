/*
 * clock.c: the two clocks lnsh reads. Every timer uses the elapsed-time
 * one; the wall clock only stamps handshake initiations.
 *
 * The elapsed-time clock counts through a laptop's sleep on every
 * platform, so that time asleep is time elapsed: keys older than
 * LN_REJECT_AFTER_NS are known expired the moment the machine wakes and
 * the client re-handshakes at once, instead of sending under keys the
 * server has long refused and waiting for silence to say so. macOS's
 * CLOCK_MONOTONIC counts through sleep; Linux's does not, its
 * CLOCK_BOOTTIME does (configure checks for it). docs/attach.md says what
 * the client does after a wake.
 */
#include "config.h"

#include <sys/time.h>

#include <limits.h>
#include <stdlib.h>
#include <time.h>

#include "proto.h"

#if HAVE_DECL_CLOCK_BOOTTIME
#define LN_CLOCK_ELAPSED	CLOCK_BOOTTIME
#else
#define LN_CLOCK_ELAPSED	CLOCK_MONOTONIC
#endif

/*
 * Elapsed time in nanoseconds, sleep included: for every timer and
 * timeout. A kernel older than its headers may refuse CLOCK_BOOTTIME
 * (Linux before 2.6.39): then CLOCK_MONOTONIC, decided once, so the
 * clock never switches under a running timer.
 */
uint64_t
ln_now_ns(void)
{
	static int	use_monotonic;
	struct timespec	ts;

	if (use_monotonic ||
	    clock_gettime(LN_CLOCK_ELAPSED, &ts) != 0) {
		use_monotonic = 1;
		clock_gettime(CLOCK_MONOTONIC, &ts);
	}
	return ((uint64_t)ts.tv_sec * LN_NS_PER_SEC + (uint64_t)ts.tv_nsec);
}

/* The earlier of two deadlines (or the smaller of two counts). */
uint64_t
ln_min(uint64_t a, uint64_t b)
{
	return (a < b ? a : b);
}

/*
 * A wait of ns nanoseconds as a timeval for a timer, rounded up to the
 * microsecond: a timer that fired before its deadline would find nothing
 * due and be armed again for the rest, a wasted wake-up.
 */
void
ln_ns_timeval(uint64_t ns, struct timeval *tv)
{
	uint64_t	us = ns / 1000 + (ns % 1000 != 0);

	tv->tv_sec = (time_t)(us / 1000000);
	tv->tv_usec = (suseconds_t)(us % 1000000);
}

/*
 * Milliseconds from now until deadline, rounded up so that a wait does not
 * wake just before it, for poll() and its like: 0 once it has passed, at
 * most INT_MAX (a deadline of UINT64_MAX, none, too: no sum overflows).
 */
int
ln_wait_ms(uint64_t now, uint64_t deadline)
{
	uint64_t	ns, ms;

	if (deadline <= now)
		return (0);
	ns = deadline - now;
	ms = ns / LN_NS_PER_MS + (ns % LN_NS_PER_MS != 0);
	return (ms > INT_MAX ? INT_MAX : (int)ms);
}

/* Wall-clock time in nanoseconds since the epoch: for replay timestamps. */
uint64_t
ln_wall_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * LN_NS_PER_SEC + (uint64_t)ts.tv_nsec);
}

/*
 * Test only (docs/hacking.md): the duration the environment variable var
 * gives, a decimal count of unit_ns from min to max, in ns; 0 when it is
 * unset or not such a count, and the caller keeps its default. Every
 * LNSH_TEST_* duration is read here, in this one way.
 */
uint64_t
ln_test_env_ns(const char *var, uint64_t unit_ns, unsigned long min,
    unsigned long max)
{
	const char	*v = getenv(var);
	char		*end;
	unsigned long	 n;

	if (v == NULL || *v < '0' || *v > '9')
		return (0);
	n = strtoul(v, &end, 10);
	if (*end != '\0' || n < min || n > max)
		return (0);
	return ((uint64_t)n * unit_ns);
}
