/*
 * test_replay.c: the replay window accepts each counter at most once, only
 * within the newest LN_REPLAY_WINDOW counters, and never a spent counter.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto.h"

#define DROP_REPLAY	LN_E_DROP(LN_DROP_REPLAY)
#define DROP_EXPIRED	LN_E_DROP(LN_DROP_EXPIRED)

/* Checks and, if allowed, accepts: what transport_open does. */
static int
take(struct replay *r, uint64_t counter)
{
	int	 error;

	if ((error = replay_check(r, counter)) == 0)
		replay_accept(r, counter);
	return (error);
}

/* An empty window takes counter 0 and then refuses it. */
static void
test_first_and_duplicate(void **state)
{
	struct replay	r;

	replay_init(&r);
	assert_int_equal(replay_check(&r, 0), 0);
	assert_int_equal(replay_check(&r, 0), 0);	/* check is pure */
	assert_int_equal(take(&r, 0), 0);
	assert_int_equal(take(&r, 0), DROP_REPLAY);
	assert_int_equal(take(&r, 1), 0);
	assert_int_equal(take(&r, 1), DROP_REPLAY);
	assert_int_equal(take(&r, 0), DROP_REPLAY);
}

/* The oldest counter still in the window is accepted; one older is not. */
static void
test_window_edges(void **state)
{
	struct replay	r;
	uint64_t	top = 10000;

	replay_init(&r);
	assert_int_equal(take(&r, top), 0);
	/* The window holds top - W + 1 .. top. */
	assert_int_equal(take(&r, top - LN_REPLAY_WINDOW), DROP_REPLAY);
	assert_int_equal(take(&r, top - LN_REPLAY_WINDOW + 1), 0);
	assert_int_equal(take(&r, top - LN_REPLAY_WINDOW + 1), DROP_REPLAY);
	assert_int_equal(take(&r, top - 1), 0);
	assert_int_equal(take(&r, top - 1), DROP_REPLAY);
	/* Moving up by one pushes the oldest out, as old, not as a dup. */
	assert_int_equal(take(&r, top + 1), 0);
	assert_int_equal(replay_check(&r, top - LN_REPLAY_WINDOW + 1),
	    DROP_REPLAY);
	assert_int_equal(take(&r, top - LN_REPLAY_WINDOW + 2), 0);
}

/* Counters that were skipped are accepted late, once, in any order. */
static void
test_reorder(void **state)
{
	struct replay	r;
	uint64_t	c;

	replay_init(&r);
	for (c = 0; c < 3 * LN_REPLAY_WINDOW; c += 2)
		assert_int_equal(take(&r, c), 0);
	/* The odd ones within the window are still available. */
	for (c = 3 * LN_REPLAY_WINDOW - 1; c > 2 * LN_REPLAY_WINDOW; c -= 2)
		assert_int_equal(take(&r, c), 0);
	for (c = 3 * LN_REPLAY_WINDOW - 1; c > 2 * LN_REPLAY_WINDOW; c -= 2)
		assert_int_equal(take(&r, c), DROP_REPLAY);
	/* Those that slid out are gone for good. */
	assert_int_equal(take(&r, 2 * LN_REPLAY_WINDOW - 1), DROP_REPLAY);
	assert_int_equal(take(&r, 1), DROP_REPLAY);
}

/* A jump of a window or more forgets everything below it. */
static void
test_far_jump(void **state)
{
	struct replay	r;
	uint64_t	c;

	replay_init(&r);
	for (c = 0; c < 100; c++)
		assert_int_equal(take(&r, c), 0);
	c = 99 + 5 * LN_REPLAY_WINDOW + 17;
	assert_int_equal(take(&r, c), 0);
	/* Every slot was cleared: all counters below c in the window pass. */
	assert_int_equal(take(&r, c - 1), 0);
	assert_int_equal(take(&r, c - LN_REPLAY_WINDOW + 1), 0);
	/* Including those whose slots were used before the jump. */
	assert_int_equal(take(&r, c - (c % LN_REPLAY_WINDOW) + 5), 0);
	assert_int_equal(take(&r, 50), DROP_REPLAY);

	/* A jump of exactly one window clears every slot too. */
	replay_init(&r);
	for (c = 0; c < LN_REPLAY_WINDOW; c++)
		assert_int_equal(take(&r, c), 0);
	assert_int_equal(take(&r, 2 * LN_REPLAY_WINDOW - 1), 0);
	for (c = LN_REPLAY_WINDOW; c < 2 * LN_REPLAY_WINDOW - 1; c++)
		assert_int_equal(take(&r, c), 0);
}

/*
 * Sliding by less than a word must clear only the slots that now stand for
 * new counters, not the rest of their word, which is still in the window.
 */
static void
test_partial_word_slide(void **state)
{
	struct replay	r;
	uint64_t	c, step;

	for (step = 1; step <= 130; step++) {
		replay_init(&r);
		for (c = 0; c < LN_REPLAY_WINDOW; c++)
			assert_int_equal(take(&r, c), 0);
		c = LN_REPLAY_WINDOW - 1 + step;
		assert_int_equal(take(&r, c), 0);
		/* Still in the window, still seen. */
		for (c = step; c < LN_REPLAY_WINDOW; c++)
			assert_int_equal(replay_check(&r, c), DROP_REPLAY);
		/* Skipped on the way up: available. */
		for (c = LN_REPLAY_WINDOW; c < LN_REPLAY_WINDOW - 1 + step;
		    c++)
			assert_int_equal(replay_check(&r, c), 0);
	}
}

/* A forged (unaccepted) counter does not move the window. */
static void
test_check_does_not_move(void **state)
{
	struct replay	r;

	replay_init(&r);
	assert_int_equal(take(&r, 5), 0);
	assert_int_equal(replay_check(&r, 1000000), 0);
	assert_int_equal(take(&r, 4), 0);
	assert_int_equal(take(&r, 3), 0);
}

/* Counters from LN_REJECT_AFTER_MSGS on are spent; the last one is not. */
static void
test_exhaustion(void **state)
{
	struct replay	r;

	replay_init(&r);
	assert_int_equal(take(&r, LN_REJECT_AFTER_MSGS), DROP_EXPIRED);
	assert_int_equal(take(&r, UINT64_MAX), DROP_EXPIRED);
	assert_int_equal(take(&r, LN_REJECT_AFTER_MSGS - 1), 0);
	assert_int_equal(take(&r, LN_REJECT_AFTER_MSGS - 1), DROP_REPLAY);
	assert_int_equal(take(&r, LN_REJECT_AFTER_MSGS - 2), 0);
	assert_int_equal(take(&r, LN_REJECT_AFTER_MSGS), DROP_EXPIRED);
	/* replay_accept ignores what check refuses. */
	replay_accept(&r, UINT64_MAX);
	assert_int_equal(r.top, LN_REJECT_AFTER_MSGS);
}

/* A deterministic PRNG (xorshift64*) so failures reproduce. */
static uint64_t
rng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (*s * 2685821657736338717ULL);
}

/*
 * Against a trivially correct model: the set of counters accepted so far
 * and the highest of them. A counter passes iff it is below the spent
 * limit, not in the set, and within the window of the highest.
 */
static void
test_random_against_model(void **state)
{
	enum { SPAN = 16 * 1024 * 1024, ROUNDS = 100000 };
	struct replay	 r;
	uint8_t		*seen;
	uint64_t	 s = 0x9e3779b97f4a7c15ULL, c, hi = 0, pick;
	int		 any = 0, want, got, i, accepted = 0, refused = 0;

	seen = calloc(SPAN, 1);
	assert_non_null(seen);
	replay_init(&r);
	for (i = 0; i < ROUNDS; i++) {
		/*
		 * Mostly just behind or just ahead of the front, sometimes
		 * anything older, now and then a jump of windows ahead.
		 */
		pick = rng(&s) % 128;
		if (pick == 0)
			c = hi + LN_REPLAY_WINDOW - 1 +
			    rng(&s) % (3 * LN_REPLAY_WINDOW);
		else if (pick < 8)
			c = rng(&s) % (hi + 1);
		else if (pick < 24)
			c = hi + rng(&s) % 64;
		else
			c = hi > 300 ? hi - 300 + rng(&s) % 310 : rng(&s) % 310;
		assert_true(c < SPAN);
		want = !seen[c] &&
		    (!any || c > hi || hi - c < LN_REPLAY_WINDOW);
		got = take(&r, c) == 0;
		assert_int_equal(got, want);
		if (got) {
			seen[c] = 1;
			if (!any || c > hi)
				hi = c;
			any = 1;
			accepted++;
		} else
			refused++;
	}
	/* The run exercised both outcomes plenty. */
	assert_true(accepted > 1000);
	assert_true(refused > 1000);
	free(seen);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_and_duplicate),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_far_jump),
		cmocka_unit_test(test_partial_word_slide),
		cmocka_unit_test(test_check_does_not_move),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_random_against_model),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
