/*
 * replay.c: the sliding replay window of RFC 6479, as WireGuard keeps it.
 *
 * A transport packet's 64-bit counter (bytes 8-15 of its header) is
 * accepted once, and only if it is among the newest LN_REPLAY_WINDOW
 * counters seen. The window is a ring of LN_REPLAY_WINDOW bits indexed by
 * counter modulo the window; `top` is one past the highest counter
 * accepted, so the ring holds exactly the counters
 *
 *	[top - LN_REPLAY_WINDOW, top - 1]
 *
 * A counter >= top is new and slides the window forward, clearing the bits
 * of the counters it passes over (all of them after a far jump). A counter
 * below top - LN_REPLAY_WINDOW is too old to tell and is refused. Counters
 * from LN_REJECT_AFTER_MSGS on are refused for good: the key pair is spent.
 *
 * replay_check is pure so a packet is tested before it is decrypted and
 * marked (replay_accept) only after it authenticated; a forged packet
 * cannot move the window.
 */
#include "config.h"

#include <string.h>

#include "proto.h"

#define REPLAY_WORD_BITS	64
#define REPLAY_WORDS		(LN_REPLAY_WINDOW / REPLAY_WORD_BITS)

/* The window must be a whole number of 64-bit words. */
typedef char replay_window_is_words[
    (LN_REPLAY_WINDOW % REPLAY_WORD_BITS == 0 && REPLAY_WORDS > 0) ? 1 : -1];

/* Starts an empty window: nothing seen yet. */
void
replay_init(struct replay *r)
{
	memset(r, 0, sizeof *r);
}

/* Is the bit for this counter set in the ring? */
static int
replay_bit(const struct replay *r, uint64_t counter)
{
	uint64_t	bit = counter % LN_REPLAY_WINDOW;

	return ((r->bits[bit / REPLAY_WORD_BITS] >>
	    (bit % REPLAY_WORD_BITS)) & 1);
}

/* 0 if the counter may be accepted, else the reason to drop the packet. */
int
replay_check(const struct replay *r, uint64_t counter)
{
	if (counter >= LN_REJECT_AFTER_MSGS)
		return (LN_E_DROP(LN_DROP_EXPIRED));
	if (counter >= r->top)
		return (0);
	if (r->top - counter > LN_REPLAY_WINDOW)
		return (LN_E_DROP(LN_DROP_REPLAY));	/* too old to tell */
	if (replay_bit(r, counter))
		return (LN_E_DROP(LN_DROP_REPLAY));
	return (0);
}

/*
 * Slides the window so that its newest counter is `counter`: the slots of
 * counters top..counter now stand for those counters and start clear.
 * Whole words are cleared at once; a jump of a window or more clears all.
 */
static void
replay_advance(struct replay *r, uint64_t counter)
{
	uint64_t	n, bit;

	if (counter - r->top >= LN_REPLAY_WINDOW) {
		memset(r->bits, 0, sizeof r->bits);
		return;
	}
	for (n = r->top; n <= counter; ) {
		bit = n % LN_REPLAY_WINDOW;
		if (bit % REPLAY_WORD_BITS == 0 &&
		    counter - n >= REPLAY_WORD_BITS - 1) {
			r->bits[bit / REPLAY_WORD_BITS] = 0;
			n += REPLAY_WORD_BITS;
		} else {
			r->bits[bit / REPLAY_WORD_BITS] &=
			    ~(1ULL << (bit % REPLAY_WORD_BITS));
			n++;
		}
	}
}

/*
 * Marks a counter as seen. Callers call it only after replay_check allowed
 * the counter and the packet authenticated; anything else is ignored.
 */
void
replay_accept(struct replay *r, uint64_t counter)
{
	uint64_t	bit;

	if (replay_check(r, counter) != 0)
		return;
	if (counter >= r->top) {
		replay_advance(r, counter);
		r->top = counter + 1;
	}
	bit = counter % LN_REPLAY_WINDOW;
	r->bits[bit / REPLAY_WORD_BITS] |= 1ULL << (bit % REPLAY_WORD_BITS);
}
