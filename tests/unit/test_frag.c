/*
 * test_frag.c: messages survive fragmentation, loss, duplication and
 * reordering intact; garbage is refused with the right reason; memory held
 * for reassembly stays within its slots and budget.
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

#define D	LN_FRAG_DATA_MAX
#define SEC	LN_NS_PER_SEC

/* A deterministic PRNG (xorshift64*) so failures reproduce. */
static uint64_t
rng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (*s * 2685821657736338717ULL);
}

/* A message whose bytes depend on its id and position. */
static uint8_t *
make_msg(uint64_t id, size_t len)
{
	uint8_t	*m = malloc(len == 0 ? 1 : len);
	size_t	 i;

	assert_non_null(m);
	for (i = 0; i < len; i++)
		m[i] = (uint8_t)(id * 31 + i * 7 + (i >> 8));
	return (m);
}

/* Builds a fragment frame of a message, asserting success. */
static size_t
build(uint64_t id, const uint8_t *m, size_t len, unsigned index,
    uint8_t *out)
{
	size_t	 n = 0;

	assert_int_equal(frag_build(id, m, len, index, out, LN_MAX_PLAINTEXT,
	    &n), 0);
	return (n);
}

/* Fragment counts at the boundaries. */
static void
test_count(void **state)
{
	assert_int_equal(frag_count(0), 1);
	assert_int_equal(frag_count(1), 1);
	assert_int_equal(frag_count(D), 1);
	assert_int_equal(frag_count(D + 1), 2);
	assert_int_equal(frag_count(2 * D), 2);
	assert_int_equal(frag_count(LN_MAX_MESSAGE), LN_FRAG_MAX_COUNT);
	/* A full fragment frame is exactly one transport plaintext. */
	assert_int_equal(LN_FRAG_HDR_LEN + D, LN_MAX_PLAINTEXT);
}

/* The frame layout byte by byte, and the builder's refusals. */
static void
test_build_layout(void **state)
{
	uint8_t		 out[LN_MAX_PLAINTEXT + 8], *m;
	size_t		 n, len = D + 5;

	m = make_msg(3, len);
	n = build(0x0102030405060708ULL, m, len, 1, out);
	assert_int_equal(n, LN_FRAG_HDR_LEN + 5);
	assert_int_equal(out[0], LN_FRAME_FRAGMENT);
	assert_int_equal(out[1], 0x08);		/* id, little-endian */
	assert_int_equal(out[8], 0x01);
	assert_int_equal(out[9], 1);		/* index */
	assert_int_equal(out[10], 0);
	assert_int_equal(out[11], 2);		/* count */
	assert_int_equal(out[12], 0);
	assert_memory_equal(out + 13, m + D, 5);

	n = build(7, m, len, 0, out);
	assert_int_equal(n, LN_MAX_PLAINTEXT);
	assert_memory_equal(out + 13, m, D);

	assert_int_equal(frag_build(7, m, len, 2, out, sizeof out, &n),
	    LN_E_INVAL);
	assert_int_equal(frag_build(7, m, len, 0, out, LN_MAX_PLAINTEXT - 1,
	    &n), LN_E_NOSPACE);
	assert_int_equal(frag_build(7, m, LN_MAX_MESSAGE + 1, 0, out,
	    sizeof out, &n), LN_E_INVAL);

	/* A zero-length message: one fragment, header only. */
	n = build(9, NULL, 0, 0, out);
	assert_int_equal(n, LN_FRAG_HDR_LEN);
	assert_int_equal(out[11], 1);
	free(m);
}

/* One-fragment messages come straight out and take no slot. */
static void
test_single(void **state)
{
	struct ln_counters	 c;
	struct frag_asm		 a;
	uint8_t			 f[LN_MAX_PLAINTEXT], *m, *got = NULL;
	size_t			 n, gotlen = 99;

	memset(&c, 0, sizeof c);
	frag_init(&a, &c);
	n = build(1, NULL, 0, 0, f);
	assert_int_equal(frag_input(&a, f, n, 0, &got, &gotlen), 0);
	assert_non_null(got);
	assert_int_equal(gotlen, 0);
	free(got);

	m = make_msg(2, D);
	n = build(2, m, D, 0, f);
	assert_int_equal(frag_input(&a, f, n, 0, &got, &gotlen), 0);
	assert_int_equal(gotlen, D);
	assert_memory_equal(got, m, D);
	free(got);
	free(m);
	assert_null(a.slots[0]);
	assert_int_equal(a.held, 0);
	assert_int_equal(frag_deadline(&a), UINT64_MAX);
	frag_free(&a);
}

/* A fragment as it travels in the random test. */
struct frame {
	uint64_t	id;
	uint8_t		data[LN_MAX_PLAINTEXT];
	size_t		len;
};

/*
 * Rounds of a few messages whose fragments arrive shuffled, some lost, some
 * duplicated. A message whose every fragment arrived comes out intact; one
 * that lost a fragment never comes out; nothing comes out corrupted; the
 * budget is never exceeded and partial leftovers time out.
 */
static void
test_random_reassembly(void **state)
{
	enum { ROUNDS = 300, PER = 3, MAXF = 6, QMAX = 2 * PER * MAXF };
	struct ln_counters	 c;
	struct frag_asm		 a;
	struct frame		*q, tmp;
	uint8_t			*msgs[PER], *got;
	size_t			 lens[PER], gotlen, nq, i, j, k;
	uint64_t		 s = 0x1234567887654321ULL, now = 0, id = 100;
	int			 lost[PER], outs[PER], round, error;
	int			 delivered = 0, lossy = 0, overlaps = 0;

	q = calloc(QMAX, sizeof *q);
	assert_non_null(q);
	memset(&c, 0, sizeof c);
	frag_init(&a, &c);
	for (round = 0; round < ROUNDS; round++) {
		nq = 0;
		for (i = 0; i < PER; i++) {
			lens[i] = rng(&s) % (MAXF * D + 1);
			msgs[i] = make_msg(id + i, lens[i]);
			lost[i] = 0;
			outs[i] = 0;
			for (k = 0; k < frag_count(lens[i]); k++) {
				if (rng(&s) % 20 == 0) {
					lost[i] = 1;
					continue;
				}
				q[nq].id = id + i;
				q[nq].len = build(id + i, msgs[i], lens[i],
				    (unsigned)k, q[nq].data);
				nq++;
				if (rng(&s) % 8 == 0) {
					q[nq] = q[nq - 1];
					nq++;
				}
			}
		}
		/* Fisher-Yates. */
		for (i = nq; i > 1; i--) {
			j = rng(&s) % i;
			tmp = q[i - 1];
			q[i - 1] = q[j];
			q[j] = tmp;
		}
		for (i = 0; i < nq; i++) {
			now += 1000;
			got = NULL;
			error = frag_input(&a, q[i].data, q[i].len, now, &got,
			    &gotlen);
			assert_true(a.held <= LN_FRAG_BUDGET);
			if (error == LN_E_DROP(LN_DROP_FRAG_OVERLAP)) {
				overlaps++;
				continue;
			}
			assert_int_equal(error, 0);
			if (got == NULL)
				continue;
			k = q[i].id - id;
			assert_false(lost[k]);
			assert_int_equal(gotlen, lens[k]);
			assert_memory_equal(got, msgs[k], gotlen);
			outs[k]++;
			free(got);
		}
		for (i = 0; i < PER; i++) {
			if (lost[i])
				lossy++;
			else {
				/* Late duplicates may rebuild it once more. */
				assert_true(outs[i] >= 1);
				delivered++;
			}
			free(msgs[i]);
		}
		/* Whatever is left is partial: it times out. */
		now += LN_FRAG_TIMEOUT_NS;
		frag_expire(&a, now);
		assert_null(a.slots[0]);
		assert_int_equal(a.held, 0);
		id += PER;
	}
	assert_int_equal(c.drop[LN_DROP_FRAG_EVICTED], 0);
	assert_true(delivered > ROUNDS);
	assert_true(lossy > 10);
	assert_true(overlaps > 10);
	assert_true(c.drop[LN_DROP_FRAG_TIMEOUT] > 10);
	frag_free(&a);
	free(q);
}

/* Writes a raw frame header with any values. */
static size_t
raw(uint8_t *f, uint8_t kind, uint64_t id, uint16_t index, uint16_t count,
    size_t datalen)
{
	struct buf	w;

	buf_writer(&w, f, LN_MAX_PLAINTEXT);
	buf_put_u8(&w, kind);
	buf_put_u64le(&w, id);
	buf_put_u16le(&w, index);
	buf_put_u16le(&w, count);
	assert_non_null(buf_put_ptr(&w, datalen));
	return (buf_used(&w));
}

/* Feeds a frame that must be refused with `want`, and counts it. */
static void
refuse(struct frag_asm *a, struct ln_counters *c, const uint8_t *f,
    size_t len, enum ln_drop want)
{
	uint8_t	*got = (uint8_t *)a;	/* must stay untouched */
	size_t	 gotlen = 12345;
	int	 error;

	error = frag_input(a, f, len, 0, &got, &gotlen);
	assert_int_equal(error, LN_E_DROP(want));
	assert_ptr_equal(got, (uint8_t *)a);
	assert_int_equal(gotlen, 12345);
	ln_count(c, error);
}

/* Each kind of bad frame is refused under its own reason. */
static void
test_garbage(void **state)
{
	struct ln_counters	 c;
	struct frag_asm		 a;
	uint8_t			 f[LN_MAX_PLAINTEXT];
	uint8_t			 big[LN_MAX_PLAINTEXT + 1];
	size_t			 n;

	memset(f, 0, sizeof f);
	memset(&c, 0, sizeof c);
	frag_init(&a, &c);

	refuse(&a, &c, f, 0, LN_DROP_FRAME);
	n = raw(f, LN_FRAME_KEEPALIVE, 1, 0, 1, 0);
	refuse(&a, &c, f, n, LN_DROP_FRAME);
	n = raw(f, 77, 1, 0, 1, 0);
	refuse(&a, &c, f, n, LN_DROP_FRAME);
	assert_int_equal(c.drop[LN_DROP_FRAME], 3);

	n = raw(f, LN_FRAME_FRAGMENT, 1, 0, 1, 0);
	/* Truncated header; count 0; index >= count. */
	refuse(&a, &c, f, n - 1, LN_DROP_FRAG_BAD);
	n = raw(f, LN_FRAME_FRAGMENT, 1, 0, 0, 0);
	refuse(&a, &c, f, n, LN_DROP_FRAG_BAD);
	n = raw(f, LN_FRAME_FRAGMENT, 1, 2, 2, 10);
	refuse(&a, &c, f, n, LN_DROP_FRAG_BAD);
	/* A short fragment that is not the last; an empty last of two. */
	n = raw(f, LN_FRAME_FRAGMENT, 1, 0, 2, D - 1);
	refuse(&a, &c, f, n, LN_DROP_FRAG_BAD);
	n = raw(f, LN_FRAME_FRAGMENT, 1, 1, 2, 0);
	refuse(&a, &c, f, n, LN_DROP_FRAG_BAD);
	/* One byte more than a fragment can carry. */
	memset(big, 0, sizeof big);
	n = raw(big, LN_FRAME_FRAGMENT, 1, 0, 1, 0);
	refuse(&a, &c, big, sizeof big, LN_DROP_FRAG_BAD);
	assert_int_equal(c.drop[LN_DROP_FRAG_BAD], 6);

	n = raw(f, LN_FRAME_FRAGMENT, 1, 0, LN_FRAG_MAX_COUNT + 1, D);
	refuse(&a, &c, f, n, LN_DROP_FRAG_OVERSIZE);
	n = raw(f, LN_FRAME_FRAGMENT, 1, 0, 0xffff, D);
	refuse(&a, &c, f, n, LN_DROP_FRAG_OVERSIZE);
	assert_int_equal(c.drop[LN_DROP_FRAG_OVERSIZE], 2);

	/* Nothing above took a slot. */
	assert_null(a.slots[0]);
	assert_int_equal(a.held, 0);
	assert_int_equal(ln_drops_total(&c), 11);
	frag_free(&a);
}

/* The same index twice, or the same id with another count, overlaps. */
static void
test_overlap(void **state)
{
	struct ln_counters	 c;
	struct frag_asm		 a;
	uint8_t			 f[LN_MAX_PLAINTEXT], *m, *got;
	size_t			 n, gotlen, len = 2 * D + 1;

	memset(&c, 0, sizeof c);
	frag_init(&a, &c);
	m = make_msg(5, len);
	n = build(5, m, len, 1, f);
	got = (uint8_t *)&a;
	assert_int_equal(frag_input(&a, f, n, 0, &got, &gotlen), 0);
	assert_null(got);
	refuse(&a, &c, f, n, LN_DROP_FRAG_OVERLAP);
	/* Same id, a count of 2: conflicting. */
	n = raw(f, LN_FRAME_FRAGMENT, 5, 0, 2, D);
	refuse(&a, &c, f, n, LN_DROP_FRAG_OVERLAP);
	assert_int_equal(c.drop[LN_DROP_FRAG_OVERLAP], 2);

	/* The message still completes from the right fragments. */
	n = build(5, m, len, 0, f);
	assert_int_equal(frag_input(&a, f, n, 0, &got, &gotlen), 0);
	assert_null(got);
	n = build(5, m, len, 2, f);
	assert_int_equal(frag_input(&a, f, n, 0, &got, &gotlen), 0);
	assert_non_null(got);
	assert_int_equal(gotlen, len);
	assert_memory_equal(got, m, len);
	free(got);
	free(m);
	assert_null(a.slots[0]);
	assert_int_equal(a.held, 0);
	frag_free(&a);
}

/*
 * With every slot taken, a new message displaces the least needed: the
 * latest even id if it is later than the newcomer, any odd id first; the
 * earliest messages, the ones the reader waits for, are never pushed out.
 */
static void
test_evict_slots(void **state)
{
	struct ln_counters	 c;
	struct frag_asm		 a;
	uint8_t			 f[LN_MAX_PLAINTEXT], *got;
	uint8_t			*m[LN_FRAG_SLOTS + 3];
	size_t			 n, gotlen, len = D + 10;
	uint64_t		 id, top = 2 * LN_FRAG_SLOTS;
	unsigned		 i;

	memset(&c, 0, sizeof c);
	frag_init(&a, &c);
	for (i = 0; i < LN_FRAG_SLOTS + 3; i++)
		m[i] = make_msg(i, len);
	/* Even ids 2 .. top, one fragment each: every slot taken. */
	for (id = 2; id <= top; id += 2) {
		n = build(id, m[id / 2], len, 0, f);
		assert_int_equal(frag_input(&a, f, n, id, &got, &gotlen), 0);
		assert_null(got);
	}
	assert_int_equal(a.held, LN_FRAG_SLOTS * 2 * D);
	/* Later ones wait: refused, for the caller to count. */
	n = build(top + 2, m[LN_FRAG_SLOTS + 1], len, 0, f);
	assert_int_equal(frag_input(&a, f, n, 200, &got, &gotlen),
	    LN_E_DROP(LN_DROP_FRAG_EVICTED));
	n = build(top + 1, m[LN_FRAG_SLOTS + 1], len, 0, f);
	assert_int_equal(frag_input(&a, f, n, 200, &got, &gotlen),
	    LN_E_DROP(LN_DROP_FRAG_EVICTED));
	assert_int_equal(c.drop[LN_DROP_FRAG_EVICTED], 0);
	/* An earlier one pushes out the latest (top). */
	n = build(0, m[0], len, 0, f);
	assert_int_equal(frag_input(&a, f, n, 201, &got, &gotlen), 0);
	assert_int_equal(c.drop[LN_DROP_FRAG_EVICTED], 1);
	n = build(top, m[top / 2], len, 1, f);
	assert_int_equal(frag_input(&a, f, n, 202, &got, &gotlen),
	    LN_E_DROP(LN_DROP_FRAG_EVICTED));
	/* Serially earlier across the wrap counts as earlier. */
	n = build(UINT64_MAX - 1, m[LN_FRAG_SLOTS + 2], len, 0, f);
	assert_int_equal(frag_input(&a, f, n, 203, &got, &gotlen), 0);
	assert_int_equal(c.drop[LN_DROP_FRAG_EVICTED], 2);	/* top - 2 */

	/* id 2 completes; a resent fragment of it is no new message. */
	n = build(2, m[1], len, 1, f);
	assert_int_equal(frag_input(&a, f, n, 204, &got, &gotlen), 0);
	assert_non_null(got);
	assert_memory_equal(got, m[1], len);
	free(got);
	n = build(2, m[1], len, 0, f);
	assert_int_equal(frag_input(&a, f, n, 205, &got, &gotlen),
	    LN_E_DROP(LN_DROP_FRAG_OVERLAP));
	/* An odd id takes the free slot, and is the first to go. */
	n = build(7, m[3], len, 0, f);
	assert_int_equal(frag_input(&a, f, n, 206, &got, &gotlen), 0);
	n = build(top + 2, m[LN_FRAG_SLOTS + 1], len, 0, f);
	assert_int_equal(frag_input(&a, f, n, 207, &got, &gotlen), 0);
	assert_int_equal(c.drop[LN_DROP_FRAG_EVICTED], 3);
	n = build(7, m[3], len, 1, f);
	assert_int_equal(frag_input(&a, f, n, 208, &got, &gotlen),
	    LN_E_DROP(LN_DROP_FRAG_EVICTED));
	/* The deadline is that of the oldest left (id 4, at time 4). */
	assert_int_equal(frag_deadline(&a), 4 + LN_FRAG_TIMEOUT_NS);
	for (i = 0; i < LN_FRAG_SLOTS + 3; i++)
		free(m[i]);
	frag_free(&a);
	assert_int_equal(a.held, 0);
}

/*
 * Large messages that together exceed the budget: the earliest keeps its
 * room and later ones wait, unless an earlier one comes.
 */
static void
test_evict_budget(void **state)
{
	struct ln_counters	 c;
	struct frag_asm		 a;
	uint8_t			 f[LN_MAX_PLAINTEXT], *m, *got;
	size_t			 n, gotlen, len = LN_MAX_MESSAGE;
	uint64_t		 id;
	unsigned		 k;

	memset(&c, 0, sizeof c);
	frag_init(&a, &c);
	m = make_msg(1, len);
	/* Only one maximal message fits the budget. */
	assert_true(2 * (size_t)LN_MAX_MESSAGE > LN_FRAG_BUDGET);
	n = build(4, m, len, 0, f);
	assert_int_equal(frag_input(&a, f, n, 1, &got, &gotlen), 0);
	/* A later one waits. */
	n = build(6, m, len, 0, f);
	assert_int_equal(frag_input(&a, f, n, 2, &got, &gotlen),
	    LN_E_DROP(LN_DROP_FRAG_EVICTED));
	/* An earlier one evicts it, finishes and is intact. */
	for (k = 0; k < LN_FRAG_MAX_COUNT; k++) {
		id = 2;
		n = build(id, m, len, k, f);
		assert_int_equal(frag_input(&a, f, n, 3, &got, &gotlen), 0);
		assert_true(a.held <= LN_FRAG_BUDGET);
		if (k + 1 < LN_FRAG_MAX_COUNT)
			assert_null(got);
	}
	assert_int_equal(c.drop[LN_DROP_FRAG_EVICTED], 1);
	assert_non_null(got);
	assert_int_equal(gotlen, len);
	assert_memory_equal(got, m, len);
	free(got);
	assert_int_equal(a.held, 0);
	free(m);
	frag_free(&a);
}

/* A partial message lives LN_FRAG_TIMEOUT_NS and not a nanosecond more. */
static void
test_timeout(void **state)
{
	struct ln_counters	 c;
	struct frag_asm		 a;
	uint8_t			 f[LN_MAX_PLAINTEXT], *m, *got;
	size_t			 n, gotlen, len = 3 * D;
	uint64_t		 t0 = 5 * SEC;

	memset(&c, 0, sizeof c);
	frag_init(&a, &c);
	assert_int_equal(frag_deadline(&a), UINT64_MAX);
	m = make_msg(4, len);
	n = build(4, m, len, 0, f);
	assert_int_equal(frag_input(&a, f, n, t0, &got, &gotlen), 0);
	n = build(4, m, len, 1, f);
	assert_int_equal(frag_input(&a, f, n, t0 + SEC, &got, &gotlen), 0);
	assert_int_equal(frag_deadline(&a), t0 + LN_FRAG_TIMEOUT_NS);
	frag_expire(&a, t0 + LN_FRAG_TIMEOUT_NS - 1);
	assert_non_null(a.slots[0]);
	frag_expire(&a, t0 + LN_FRAG_TIMEOUT_NS);
	assert_null(a.slots[0]);
	assert_int_equal(a.held, 0);
	assert_int_equal(c.drop[LN_DROP_FRAG_TIMEOUT], 1);
	assert_int_equal(frag_deadline(&a), UINT64_MAX);
	/* The last fragment now arrives alone: it does not complete. */
	n = build(4, m, len, 2, f);
	assert_int_equal(frag_input(&a, f, n, t0 + LN_FRAG_TIMEOUT_NS, &got,
	    &gotlen), 0);
	assert_null(got);
	free(m);
	frag_free(&a);
	assert_int_equal(a.held, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_build_layout),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_random_reassembly),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_evict_slots),
		cmocka_unit_test(test_evict_budget),
		cmocka_unit_test(test_timeout),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
