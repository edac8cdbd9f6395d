/*
 * buf.c: the bounded buffer every untrusted byte passes through. A reader
 * walks received bytes, a writer fills fixed storage; neither can step
 * outside its bounds, and the first failure sticks so a sequence of gets or
 * puts can be checked once at the end.
 */
#include "config.h"

#include <string.h>

#include "proto.h"

/* Starts reading len bytes at p. */
void
buf_reader(struct buf *b, const void *p, size_t len)
{
	b->data = (uint8_t *)(uintptr_t)p;
	b->size = len;
	b->off = 0;
	b->err = 0;
}

/* Starts writing into cap bytes of storage at p. */
void
buf_writer(struct buf *b, void *p, size_t cap)
{
	b->data = p;
	b->size = cap;
	b->off = 0;
	b->err = 0;
}

/* Bytes left to read, or room left to write. */
size_t
buf_left(const struct buf *b)
{
	return (b->err ? 0 : b->size - b->off);
}

/* Bytes read or written so far. */
size_t
buf_used(const struct buf *b)
{
	return (b->off);
}

/* Claims the next n bytes, or fails (for good) if there are not n left. */
static uint8_t *
buf_take(struct buf *b, size_t n)
{
	uint8_t	*p;

	if (b->err || n > b->size - b->off) {
		b->err = 1;
		return (NULL);
	}
	p = b->data + b->off;
	b->off += n;
	return (p);
}

int
buf_get_u8(struct buf *b, uint8_t *v)
{
	const uint8_t	*p;

	if ((p = buf_take(b, 1)) == NULL)
		return (LN_E_DROP(LN_DROP_SHORT));
	*v = p[0];
	return (0);
}

int
buf_get_u16le(struct buf *b, uint16_t *v)
{
	const uint8_t	*p;

	if ((p = buf_take(b, 2)) == NULL)
		return (LN_E_DROP(LN_DROP_SHORT));
	*v = (uint16_t)(p[0] | (p[1] << 8));
	return (0);
}

int
buf_get_u32le(struct buf *b, uint32_t *v)
{
	const uint8_t	*p;

	if ((p = buf_take(b, 4)) == NULL)
		return (LN_E_DROP(LN_DROP_SHORT));
	*v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
	return (0);
}

int
buf_get_u64le(struct buf *b, uint64_t *v)
{
	const uint8_t	*p;
	uint64_t	 x = 0;
	int		 i;

	if ((p = buf_take(b, 8)) == NULL)
		return (LN_E_DROP(LN_DROP_SHORT));
	for (i = 7; i >= 0; i--)
		x = (x << 8) | p[i];
	*v = x;
	return (0);
}

/* Copies the next n bytes out. */
int
buf_get_bytes(struct buf *b, void *out, size_t n)
{
	const uint8_t	*p;

	if ((p = buf_take(b, n)) == NULL)
		return (LN_E_DROP(LN_DROP_SHORT));
	memcpy(out, p, n);
	return (0);
}

/* Returns the next n bytes in place, or NULL if there are fewer. */
const uint8_t *
buf_get_ptr(struct buf *b, size_t n)
{
	return (buf_take(b, n));
}

/* Returns all remaining bytes in place and their count. */
const uint8_t *
buf_get_rest(struct buf *b, size_t *n)
{
	size_t	 left = buf_left(b);

	*n = left;
	return (buf_take(b, left));
}

int
buf_put_u8(struct buf *b, uint8_t v)
{
	uint8_t	*p;

	if ((p = buf_take(b, 1)) == NULL)
		return (LN_E_NOSPACE);
	p[0] = v;
	return (0);
}

int
buf_put_u16le(struct buf *b, uint16_t v)
{
	uint8_t	*p;

	if ((p = buf_take(b, 2)) == NULL)
		return (LN_E_NOSPACE);
	p[0] = v & 0xff;
	p[1] = v >> 8;
	return (0);
}

int
buf_put_u32le(struct buf *b, uint32_t v)
{
	uint8_t	*p;
	int	 i;

	if ((p = buf_take(b, 4)) == NULL)
		return (LN_E_NOSPACE);
	for (i = 0; i < 4; i++)
		p[i] = (v >> (8 * i)) & 0xff;
	return (0);
}

int
buf_put_u64le(struct buf *b, uint64_t v)
{
	uint8_t	*p;
	int	 i;

	if ((p = buf_take(b, 8)) == NULL)
		return (LN_E_NOSPACE);
	for (i = 0; i < 8; i++)
		p[i] = (v >> (8 * i)) & 0xff;
	return (0);
}

int
buf_put_bytes(struct buf *b, const void *in, size_t n)
{
	uint8_t	*p;

	if ((p = buf_take(b, n)) == NULL)
		return (LN_E_NOSPACE);
	if (n != 0)
		memcpy(p, in, n);
	return (0);
}

/* Reserves the next n bytes for the caller to fill; NULL if no room. */
uint8_t *
buf_put_ptr(struct buf *b, size_t n)
{
	return (buf_take(b, n));
}
