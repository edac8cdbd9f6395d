/*
 * test_clock.c: ln_now_ns() is the clock that counts through sleep
 * (CLOCK_BOOTTIME where the system has it, else CLOCK_MONOTONIC, which on
 * macOS counts through sleep), so time asleep is time elapsed on every
 * platform. tests/regress/clock-sleep.sh runs this program again in a
 * Linux time namespace whose boot clock is LNSH_TEST_SLEPT_SEC ahead of
 * its monotonic clock, as after that long asleep.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/time.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "proto.h"

#define SEC	LN_NS_PER_SEC

static uint64_t
raw_ns(clockid_t id)
{
	struct timespec	ts;

	assert_int_equal(clock_gettime(id, &ts), 0);
	return ((uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec);
}

/* The clock that counts sleep, read directly. */
static uint64_t
elapsed_ns(void)
{
#if HAVE_DECL_CLOCK_BOOTTIME
	return (raw_ns(CLOCK_BOOTTIME));
#else
	return (raw_ns(CLOCK_MONOTONIC));
#endif
}

/* ln_now_ns reads the clock that counts sleep, between two readings of it. */
static void
test_counts_sleep(void **state)
{
	uint64_t	before, now, after;

	before = elapsed_ns();
	now = ln_now_ns();
	after = elapsed_ns();
	assert_true(before <= now);
	assert_true(now <= after);
}

/*
 * In a time namespace made as after a sleep (clock-sleep.sh): the boot
 * clock is ahead of the monotonic one by that long, and so is ln_now_ns.
 */
static void
test_after_sleep(void **state)
{
	const char	*v = getenv("LNSH_TEST_SLEPT_SEC");
	uint64_t	 slept, mono, now;

	assert_non_null(v);
	slept = strtoull(v, NULL, 10) * SEC;
	mono = raw_ns(CLOCK_MONOTONIC);
	now = ln_now_ns();
	assert_true(now >= mono + slept - SEC);
	assert_true(now <= mono + slept + 10 * SEC);
}

/* Two readings never go backwards. */
static void
test_monotonic(void **state)
{
	uint64_t	a, b;
	int		i;

	for (i = 0; i < 1000; i++) {
		a = ln_now_ns();
		b = ln_now_ns();
		assert_true(b >= a);
	}
}

/*
 * A wait as a timer's timeval: rounded up to the microsecond, never
 * early, and never a tv_usec of a whole second.
 */
static void
test_ns_timeval(void **state)
{
	static const struct {
		uint64_t	ns;
		long long	sec, usec;
	} c[] = {
		{ 0, 0, 0 },
		{ 1, 0, 1 },
		{ 1000, 0, 1 },
		{ 1001, 0, 2 },
		{ 999999999, 1, 0 },
		{ 1000000000, 1, 0 },
		{ 2500000000ULL, 2, 500000 },
		{ 2999999001ULL, 3, 0 },
	};
	struct timeval	tv;
	size_t		i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		ln_ns_timeval(c[i].ns, &tv);
		assert_int_equal(tv.tv_sec, c[i].sec);
		assert_int_equal(tv.tv_usec, c[i].usec);
	}
}

/*
 * ln_wait_ms: a wait never ends before its deadline (rounded up), 0 once
 * it has passed, and a far one fits poll()'s int.
 */
static void
test_wait_ms(void **state)
{
	(void)state;
	assert_int_equal(ln_wait_ms(SEC, SEC), 0);
	assert_int_equal(ln_wait_ms(SEC, 1), 0);
	assert_int_equal(ln_wait_ms(0, 1), 1);
	assert_int_equal(ln_wait_ms(0, LN_NS_PER_MS), 1);
	assert_int_equal(ln_wait_ms(0, LN_NS_PER_MS + 1), 2);
	assert_int_equal(ln_wait_ms(5, 5 + 250 * LN_NS_PER_MS), 250);
	assert_int_equal(ln_wait_ms(0, UINT64_MAX), INT_MAX);
}

/* test_after_sleep only where clock-sleep.sh made the sleep. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_sleep),
		cmocka_unit_test(test_monotonic),
		cmocka_unit_test(test_ns_timeval),
		cmocka_unit_test(test_wait_ms),
	};
	const struct CMUnitTest slept[] = {
		cmocka_unit_test(test_counts_sleep),
		cmocka_unit_test(test_monotonic),
		cmocka_unit_test(test_ns_timeval),
		cmocka_unit_test(test_after_sleep),
	};

	if (getenv("LNSH_TEST_SLEPT_SEC") != NULL)
		return (cmocka_run_group_tests(slept, NULL, NULL));
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
