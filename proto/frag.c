/*
 * frag.c: splitting a message into fragment frames, and reassembling them.
 *
 * A message (an encoded Envelope) larger than one transport plaintext is
 * carried as several fragment frames, each the whole plaintext of one
 * transport packet:
 *
 *	offset size field
 *	0      1    kind: LN_FRAME_FRAGMENT (1)
 *	1      8    message id, little-endian
 *	9      2    fragment index, little-endian, 0 .. count - 1
 *	11     2    fragment count, little-endian, 1 .. LN_FRAG_MAX_COUNT
 *	13     n    data
 *
 * Fragment i carries message bytes [i * D, i * D + n) where
 * D = LN_FRAG_DATA_MAX. Every fragment but the last carries exactly D
 * bytes; the last carries the rest, 1 .. D bytes, so a message of L > 0
 * bytes has ceil(L / D) fragments. A zero-length message is one fragment
 * with no data.
 *
 * Message ids: a sender sends a message again (a retransmission) under the
 * same id with the same bytes, so the fragments of every try add up here.
 * Even ids are for messages that may be sent again, and a message needed
 * later has a later id (serially: (int64_t)(a - b) > 0); odd ids are for
 * messages sent once (channel.c says how ids are made).
 *
 * The receiver reassembles at most LN_FRAG_SLOTS messages at once and holds
 * at most LN_FRAG_BUDGET bytes for them: a slot is charged count * D bytes,
 * the most its message can need, when its first fragment arrives. When a
 * new message does not fit, partial messages are evicted (FRAG_EVICTED),
 * least needed first: odd ids (nobody resends their lost fragments), oldest
 * first; then, for a new even id, even ids later than it, latest first. If
 * that does not make room the new message is refused (FRAG_EVICTED comes
 * back for the caller to count) and will come again: the message the
 * reader waits for is never pushed out by later ones. The ids of the last
 * LN_FRAG_DONE messages completed are remembered, and a fragment of one of
 * them (a late duplicate, or a try that crossed the ack) is dropped
 * (FRAG_OVERLAP) rather than starting a message that could never finish. A
 * partial message older than LN_FRAG_TIMEOUT_NS is freed by frag_expire
 * (FRAG_TIMEOUT). A message of one fragment is delivered at once and needs
 * no slot.
 *
 * Rejected frames come back as LN_E_DROP(reason) for the caller to count:
 *	FRAME          not a fragment frame
 *	FRAG_BAD       truncated header, count 0, index >= count, wrong data
 *	               length for the fragment's place
 *	FRAG_OVERSIZE  count > LN_FRAG_MAX_COUNT (so larger than
 *	               LN_MAX_MESSAGE), or more than the budget could hold
 *	FRAG_OVERLAP   a known message id with another count, a fragment
 *	               index already held, or a message lately completed
 *	FRAG_EVICTED   a new message with no room for it
 * Evictions of held messages and timeouts are counted here, in
 * asm->counters.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "proto.h"

/* One message being reassembled. */
struct frag_slot {
	uint64_t	 msg_id;
	uint64_t	 first_ns;	/* when its first fragment arrived */
	uint16_t	 count;
	uint16_t	 have;		/* distinct fragments held */
	size_t		 last_len;	/* data in the last fragment */
	size_t		 charged;	/* bytes counted in the budget */
	uint8_t		*data;		/* count * LN_FRAG_DATA_MAX */
	uint8_t		 seen[LN_FRAG_MAX_COUNT / 8];
};

/* How many fragments a message of len bytes travels in. */
size_t
frag_count(size_t len)
{
	if (len == 0)
		return (1);
	return ((len + LN_FRAG_DATA_MAX - 1) / LN_FRAG_DATA_MAX);
}

/* Writes fragment `index` of a message as a frame into out. */
int
frag_build(uint64_t msg_id, const uint8_t *msg, size_t len, unsigned index,
    uint8_t *out, size_t cap, size_t *outlen)
{
	struct buf	 w;
	size_t		 count, off, n;
	int		 error;

	if (len > LN_MAX_MESSAGE)
		return (LN_E_INVAL);
	count = frag_count(len);
	if (index >= count)
		return (LN_E_INVAL);
	off = (size_t)index * LN_FRAG_DATA_MAX;
	n = len - off < LN_FRAG_DATA_MAX ? len - off : LN_FRAG_DATA_MAX;

	buf_writer(&w, out, cap);
	buf_put_u8(&w, LN_FRAME_FRAGMENT);
	buf_put_u64le(&w, msg_id);
	buf_put_u16le(&w, (uint16_t)index);
	buf_put_u16le(&w, (uint16_t)count);
	if ((error = buf_put_bytes(&w, n == 0 ? NULL : msg + off, n)) != 0)
		goto out;
	*outlen = buf_used(&w);
out:
	return (error);
}

/* Starts an empty reassembler; counters receive evictions and timeouts. */
void
frag_init(struct frag_asm *a, struct ln_counters *counters)
{
	memset(a, 0, sizeof *a);
	a->counters = counters;
}

/* Frees slot i and closes the gap, keeping slots in order of age. */
static void
frag_drop_slot(struct frag_asm *a, int i)
{
	struct frag_slot	*s = a->slots[i];

	a->held -= s->charged;
	free(s->data);
	free(s);
	memmove(&a->slots[i], &a->slots[i + 1],
	    (LN_FRAG_SLOTS - 1 - i) * sizeof a->slots[0]);
	a->slots[LN_FRAG_SLOTS - 1] = NULL;
}

/* Number of slots in use; they are packed at the front, oldest first. */
static int
frag_used(const struct frag_asm *a)
{
	int	 i;

	for (i = 0; i < LN_FRAG_SLOTS && a->slots[i] != NULL; i++)
		;
	return (i);
}

/* The slot reassembling msg_id, or -1. */
static int
frag_find(const struct frag_asm *a, uint64_t msg_id)
{
	int	 i;

	for (i = 0; i < LN_FRAG_SLOTS && a->slots[i] != NULL; i++) {
		if (a->slots[i]->msg_id == msg_id)
			return (i);
	}
	return (-1);
}

/*
 * The partial message to evict to make room for msg_id, least needed
 * first; -1 if none is less needed than msg_id.
 */
static int
frag_victim(const struct frag_asm *a, uint64_t msg_id)
{
	int	 i, v = -1;

	for (i = 0; i < LN_FRAG_SLOTS && a->slots[i] != NULL; i++) {
		if (a->slots[i]->msg_id & 1)
			return (i);
	}
	if (msg_id & 1)
		return (-1);
	for (i = 0; i < LN_FRAG_SLOTS && a->slots[i] != NULL; i++) {
		if ((int64_t)(a->slots[i]->msg_id - msg_id) <= 0)
			continue;
		if (v == -1 ||
		    (int64_t)(a->slots[i]->msg_id - a->slots[v]->msg_id) > 0)
			v = i;
	}
	return (v);
}

/*
 * Opens a slot for a new message, evicting less needed ones until it
 * fits. Returns the slot, or -1 if the message must wait for room.
 */
static int
frag_open(struct frag_asm *a, uint64_t msg_id, uint16_t count, uint64_t now)
{
	struct frag_slot	*s;
	size_t			 need = (size_t)count * LN_FRAG_DATA_MAX;
	int			 used, v;

	while ((used = frag_used(a)) == LN_FRAG_SLOTS ||
	    a->held + need > LN_FRAG_BUDGET) {
		if ((v = frag_victim(a, msg_id)) == -1)
			return (-1);
		frag_drop_slot(a, v);
		if (a->counters != NULL)
			a->counters->drop[LN_DROP_FRAG_EVICTED]++;
	}
	s = xcalloc(1, sizeof *s);
	s->msg_id = msg_id;
	s->first_ns = now;
	s->count = count;
	s->charged = need;
	s->data = xmalloc(need);
	a->held += need;
	a->slots[used] = s;
	return (used);
}

/* Was msg_id completed lately? */
static int
frag_was_done(const struct frag_asm *a, uint64_t msg_id)
{
	unsigned	 i, n;

	n = a->ndone < LN_FRAG_DONE ? a->ndone : LN_FRAG_DONE;
	for (i = 0; i < n; i++) {
		if (a->done[i] == msg_id)
			return (1);
	}
	return (0);
}

/*
 * Takes one fragment frame. Returns 0 with *msg NULL while its message is
 * incomplete, 0 with the whole message (fresh memory, the caller frees it)
 * when this fragment completes it, or a drop.
 */
int
frag_input(struct frag_asm *a, const uint8_t *frame, size_t len,
    uint64_t now, uint8_t **msg, size_t *msglen)
{
	struct buf		 r;
	struct frag_slot	*s;
	const uint8_t		*data;
	uint64_t		 msg_id;
	uint16_t		 index, count;
	uint8_t			 kind;
	size_t			 n, total;
	int			 i, error = 0;

	buf_reader(&r, frame, len);
	if (buf_get_u8(&r, &kind) != 0 || kind != LN_FRAME_FRAGMENT)
		return (LN_E_DROP(LN_DROP_FRAME));
	buf_get_u64le(&r, &msg_id);
	buf_get_u16le(&r, &index);
	if (buf_get_u16le(&r, &count) != 0)
		return (LN_E_DROP(LN_DROP_FRAG_BAD));
	data = buf_get_rest(&r, &n);

	if (count == 0 || index >= count)
		return (LN_E_DROP(LN_DROP_FRAG_BAD));
	if (count > LN_FRAG_MAX_COUNT ||
	    (size_t)count * LN_FRAG_DATA_MAX > LN_FRAG_BUDGET)
		return (LN_E_DROP(LN_DROP_FRAG_OVERSIZE));
	if (index + 1 < count ? n != LN_FRAG_DATA_MAX :
	    (n > LN_FRAG_DATA_MAX || (count > 1 && n == 0)))
		return (LN_E_DROP(LN_DROP_FRAG_BAD));

	if (count == 1) {
		*msg = xmemdup(data, n);
		*msglen = n;
		return (0);
	}

	if ((i = frag_find(a, msg_id)) == -1) {
		if (frag_was_done(a, msg_id))
			return (LN_E_DROP(LN_DROP_FRAG_OVERLAP));
		if ((i = frag_open(a, msg_id, count, now)) == -1)
			return (LN_E_DROP(LN_DROP_FRAG_EVICTED));
	}
	s = a->slots[i];
	if (s->count != count || (s->seen[index / 8] & (1 << (index % 8))))
		return (LN_E_DROP(LN_DROP_FRAG_OVERLAP));

	s->seen[index / 8] |= 1 << (index % 8);
	s->have++;
	memcpy(s->data + (size_t)index * LN_FRAG_DATA_MAX, data, n);
	if (index + 1 == count)
		s->last_len = n;
	if (s->have < s->count) {
		*msg = NULL;
		*msglen = 0;
		goto out;
	}

	/* Complete: hand the buffer over, trimmed to the message. */
	total = (size_t)(count - 1) * LN_FRAG_DATA_MAX + s->last_len;
	*msg = xreallocarray(s->data, total, 1);
	*msglen = total;
	s->data = NULL;
	a->done[a->ndone % LN_FRAG_DONE] = msg_id;
	a->ndone++;
	frag_drop_slot(a, i);
out:
	return (error);
}

/* Frees every partial message older than LN_FRAG_TIMEOUT_NS. */
void
frag_expire(struct frag_asm *a, uint64_t now)
{
	int	 i = 0;

	while (i < LN_FRAG_SLOTS && a->slots[i] != NULL) {
		if (now >= a->slots[i]->first_ns + LN_FRAG_TIMEOUT_NS) {
			frag_drop_slot(a, i);
			if (a->counters != NULL)
				a->counters->drop[LN_DROP_FRAG_TIMEOUT]++;
		} else
			i++;
	}
}

/* When frag_expire next has work to do; UINT64_MAX if never. */
uint64_t
frag_deadline(const struct frag_asm *a)
{
	uint64_t	 when = UINT64_MAX;
	int		 i;

	for (i = 0; i < LN_FRAG_SLOTS && a->slots[i] != NULL; i++) {
		if (a->slots[i]->first_ns + LN_FRAG_TIMEOUT_NS < when)
			when = a->slots[i]->first_ns + LN_FRAG_TIMEOUT_NS;
	}
	return (when);
}

/* Frees every partial message. */
void
frag_free(struct frag_asm *a)
{
	while (a->slots[0] != NULL)
		frag_drop_slot(a, 0);
	a->held = 0;
	a->ndone = 0;
}
