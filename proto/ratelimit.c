/*
 * ratelimit.c: token buckets, used to bound handshake initiations (each
 * costs the server several Diffie-Hellman operations) globally and per
 * client key, as WireGuard's ratelimiter does.
 *
 * A bucket holds at most `burst` tokens and gains `per_sec` tokens a second.
 * Tokens are counted in nanotokens (10^-9 token) so that refilling from a
 * nanosecond clock is exact integer arithmetic: every nanosecond adds
 * per_sec nanotokens. The clock is the caller's `now`, so tests drive it.
 */
#include "config.h"

#include "proto.h"

#define NANO	LN_NS_PER_SEC	/* nanotokens in a token, ns in a second */

/* Starts a full bucket at time now. */
void
ratelimit_init(struct ratelimit *rl, unsigned per_sec, unsigned burst,
    uint64_t now)
{
	rl->per_sec = per_sec;
	rl->burst = burst;
	rl->tokens = (uint64_t)burst * NANO;
	rl->last_ns = now;
}

/* Adds the tokens earned since the last call, up to the burst. */
static void
ratelimit_refill(struct ratelimit *rl, uint64_t now)
{
	uint64_t	max = (uint64_t)rl->burst * NANO;
	uint64_t	elapsed;

	/* A clock that steps back earns nothing (it is monotonic anyway). */
	if (now <= rl->last_ns)
		return;
	elapsed = now - rl->last_ns;
	rl->last_ns = now;
	if (rl->tokens >= max || rl->per_sec == 0)
		return;
	/*
	 * Once elapsed * per_sec would reach the room left the bucket is
	 * full; testing that by division first keeps the product from
	 * overflowing after a long quiet spell.
	 */
	if (elapsed >= (max - rl->tokens) / rl->per_sec + 1)
		rl->tokens = max;
	else
		rl->tokens += elapsed * rl->per_sec;
	if (rl->tokens > max)
		rl->tokens = max;
}

/*
 * Gives back one token an allowed event turned out not to need (a
 * handshake its client completed), never beyond the burst.
 */
void
ratelimit_refund(struct ratelimit *rl, uint64_t now)
{
	uint64_t	max = (uint64_t)rl->burst * NANO;

	ratelimit_refill(rl, now);
	rl->tokens = rl->tokens + NANO < max ? rl->tokens + NANO : max;
}

/* Takes one token if there is one: 1 allowed, 0 over the limit. */
int
ratelimit_allow(struct ratelimit *rl, uint64_t now)
{
	ratelimit_refill(rl, now);
	if (rl->tokens < NANO)
		return (0);
	rl->tokens -= NANO;
	return (1);
}
