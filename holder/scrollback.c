/*
 * scrollback.c: lines that scrolled off the top of the primary screen.
 * A line is kept as its UTF-8 text plus the points where the pen changes,
 * not as cells: an 80-column coloured line takes ~100-200 bytes instead of
 * 1280. The store is a ring bounded by a line count; the oldest line goes
 * first.
 *
 * Lines are encoded lazily. A line enters the ring as a compact copy of
 * the cells it uses, appended in order to an arena of chunks (the screen
 * keeps its row and reuses it in place, still in cache), and is encoded
 * only when someone reads it or when the burst of output that pushed it
 * ends (sb_settle, from the holder's loop); a line whose copy would take
 * the copies past LN_SB_PENDING_MAX is encoded at once, as every line was
 * before. A flood scrolls millions of lines
 * through a ring of ten thousand: the ones pushed out of the ring before
 * the burst ends are dropped as copies, never encoded. A copy holds what
 * the encoder reads of the row (cells up to the last non-blank one, their
 * combining characters, the wrap flag), so encoding it later gives the
 * bytes encoding the row at once would have.
 *
 * A copy: flags (1 byte: SB_C_*), a 0, 2 bytes of cell count, the cells
 * as struct fb_cell, 4 bytes of combining pool size and the row's pool.
 * Copies stay 4-byte aligned. Which chunk a copy lives in is kept in its
 * slot, not in the copy: see sb_release.
 *
 * A stored line: flags (1 byte: wrapped), varint text length, the text,
 * then runs until the end: varint byte offset from the previous run,
 * varint attributes, varint fg, varint bg (colour codes: 0 default,
 * 1 + index, 257 + rgb). Text before the first run has the default pen.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "fb.h"
#include "holder.h"

/*
 * Bytes of an arena chunk: a copy never takes more than 40 KB (1024
 * cells and their combining characters). Past the allocator's mmap
 * threshold (compat_malloc_tune pins it at 128 KiB), so that a chunk
 * freed goes back to the system rather than leaving a hole in the heap
 * among the encoded lines.
 */
#define SB_CHUNK	(128 * 1024)
/* Chunks that hold copies at once: LN_SB_PENDING_MAX bounds their bytes. */
#define SB_CHUNKS	(LN_SB_PENDING_MAX / SB_CHUNK)
#define SB_NOCHUNK	UINT32_MAX

/*
 * A copy's flags. The wrap flag is the low bit of the first byte in a
 * copy and in a stored line alike, so sb_wrapped reads either.
 */
#define SB_C_WRAPPED	0x01	/* the line continues on the next one */

/*
 * A piece of the arena: copies appended in order, freed when none lives.
 * The chunks' counts are kept together in struct sb_lazy, apart from
 * their data, so that letting a copy go touches neither the copy nor its
 * chunk.
 */
struct sb_chunk {
	uint8_t		*data;		/* SB_CHUNK bytes; NULL: entry free */
	uint32_t	 used;
	uint32_t	 live;		/* copies in it still pending */
};

/*
 * One slot of the ring: the encoded line, or its copy not yet encoded
 * (len SB_PENDING) and the chunk that copy lives in. 16 bytes, as before
 * lines were encoded lazily: there are 10,000 of them.
 */
struct sb_line {
	uint8_t		*p;		/* the line, or its copy */
	uint32_t	 len;
	uint32_t	 chunk;		/* a copy's, in sb_lazy.chunk */
};
#define SB_PENDING	UINT32_MAX

/* A copy's header: flags, 0, count (2 bytes). */
#define SB_HDR		4

/*
 * What a read may change. Reading a pending line encodes it, through a
 * const store: the text read is the same either way, and callers (the
 * holder's readers, capture) hold the store as const. The ring's slots
 * are reached through a pointer and so stay writable; the rest of what
 * encoding changes lives here, behind one.
 */
struct sb_lazy {
	struct fb_text	 scratch;
	size_t		 npend;		/* slots holding a copy */
	size_t		 nchunk;	/* chunks holding copies, cur too */
	uint64_t	 pfirst;	/* no pending line is older */
	uint32_t	 cur;		/* copies are appended here */
	uint8_t		*spare;		/* a dead chunk's data, for reuse */
	struct sb_chunk	 chunk[SB_CHUNKS];
};

struct scrollback {
	struct sb_line	*ring;
	size_t		 cap;		/* slots allocated, <= limit */
	size_t		 limit;
	size_t		 start;		/* oldest */
	size_t		 count;
	uint64_t	 total;		/* lines ever pushed */
	struct sb_lazy	*lz;
};

static void	sb_encode_slot(struct sb_lazy *, struct sb_line *);
static void	sb_release(struct sb_lazy *, struct sb_line *);

/*
 * An empty store keeping at most limit lines. 0 keeps none, as tmux's
 * history-limit 0: lines that leave the screen are counted, not stored.
 */
struct scrollback *
sb_new(size_t limit)
{
	struct scrollback	*sb;

	sb = xcalloc(1, sizeof *sb);
	sb->limit = limit;
	sb->lz = xcalloc(1, sizeof *sb->lz);
	sb->lz->cur = SB_NOCHUNK;
	return (sb);
}

/* Frees the store, every line and every copy it holds. */
void
sb_free(struct scrollback *sb)
{
	size_t	 i;

	if (sb == NULL)
		return;
	for (i = 0; i < sb->cap; i++) {
		if (sb->ring[i].len == SB_PENDING)
			sb_release(sb->lz, &sb->ring[i]);
		else
			free(sb->ring[i].p);
	}
	free(sb->ring);
	if (sb->lz->cur != SB_NOCHUNK)
		free(sb->lz->chunk[sb->lz->cur].data);
	free(sb->lz->spare);
	free(sb->lz->scratch.p);
	free(sb->lz);
	free(sb);
}

/* Lines held now. */
size_t
sb_count(const struct scrollback *sb)
{
	return (sb->count);
}

/* Lines ever pushed: a reader can tell how many it missed. */
uint64_t
sb_total(const struct scrollback *sb)
{
	return (sb->total);
}

/* Lines held as copies, not yet encoded, and (if bytes) what they take. */
size_t
sb_pending(const struct scrollback *sb, size_t *bytes)
{
	if (bytes != NULL)
		*bytes = sb->lz->nchunk * SB_CHUNK;
	return (sb->lz->npend);
}

/* Writes an unsigned LEB128 varint at p; returns its length. */
static size_t
sb_put_varint(uint8_t *p, uint32_t v)
{
	size_t	 n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return (n);
}

/* Writes a character as UTF-8 at p; returns its length. */
static size_t
sb_put_utf8(uint8_t *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (uint8_t)cp;
		return (1);
	}
	if (cp > FB_MAX_CP || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x800) {
		p[0] = (uint8_t)(0xc0 | cp >> 6);
		p[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return (2);
	}
	if (cp < 0x10000) {
		p[0] = (uint8_t)(0xe0 | cp >> 12);
		p[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		p[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return (3);
	}
	p[0] = (uint8_t)(0xf0 | cp >> 18);
	p[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	p[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	p[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return (4);
}

/* Reads a varint through the bounded buffer. */
static int
sb_get_varint(struct buf *b, uint32_t *v)
{
	uint32_t	x = 0;
	uint8_t		c;
	int		shift;

	for (shift = 0; shift < 35; shift += 7) {
		if (buf_get_u8(b, &c) != 0)
			return (-1);
		x |= (uint32_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return (0);
		}
	}
	return (-1);
}

/* A colour as a small code: 0 default, 1 + index, 257 + rgb. */
static uint32_t
sb_color_code(uint32_t c)
{
	switch (FB_COLOR_TYPE(c)) {
	case FB_COLOR_PALETTE:
		return (1 + (c & 0xff));
	case FB_COLOR_RGB:
		return (257 + (c & 0xffffff));
	}
	return (0);
}

/* The colour a code stands for. */
static uint32_t
sb_color_decode(uint32_t v)
{
	if (v == 0)
		return (FB_COLOR_DEFAULT);
	if (v <= 256)
		return (FB_COLOR_IDX(v - 1));
	return (FB_COLOR_RGB | ((v - 257) & 0xffffff));
}

/*
 * The fg, bg and attr + comb words of a cell in this pen without
 * combining characters, laid out as struct fb_cell lays them out.
 */
static void
sb_pen_words(const struct fb_pen *pen, uint64_t *w8, uint32_t *w4)
{
	struct fb_cell	 c;

	c.cp = 0;
	c.fg = pen->fg;
	c.bg = pen->bg;
	c.attr = pen->attr;
	c.comb = 0;
	memcpy(w8, (const char *)&c + offsetof(struct fb_cell, fg), 8);
	memcpy(w4, (const char *)&c + offsetof(struct fb_cell, attr), 4);
}

/*
 * The cells of a row up to its last non-blank one: trailing blanks are
 * not stored.
 */
static int
sb_row_end(const struct fb_row *r)
{
	int	 end = r->used > 0 ? r->used : 0;

	while (end > 0) {
		const struct fb_cell *c = &r->cells[end - 1];

		if (c->cp != ' ' || c->bg != 0 || c->attr != 0)
			break;
		end--;
	}
	return (end);
}

/*
 * Encodes a line's first end cells (its last is not blank), with the
 * combining pool their comb fields index (ncomb entries), into t,
 * replacing what it held. This ran for every line that scrolled off
 * (millions for `seq`) before lines were encoded lazily, and still may
 * under memory pressure, so it writes into storage sized once for the
 * worst case instead of appending piece by piece.
 */
static void
sb_encode(struct fb_text *t, const struct fb_cell *cells, int end,
    const uint32_t *pool, uint32_t ncomb, int wrapped)
{
	struct fb_pen	 pen = { 0, 0, 0 };
	const uint32_t	*comb;
	uint8_t		*p, *runs, *rp;
	size_t		 n, last = 0, worst;
	int		 x;
	uint32_t	 v, w4, pen4;
	uint64_t	 w8, pen8;

	/* Per cell: 4 bytes for it, 4 per combining one, 20 for a run. */
	worst = 6 + (size_t)end * (4 * (1 + FB_MAX_COMB) + 20);
	if (t->cap < 2 * worst) {
		t->cap = 2 * worst;
		t->p = xreallocarray(t->p, t->cap, 1);
	}
	p = (uint8_t *)t->p;
	runs = rp = p + worst;
	p[0] = wrapped ? 1 : 0;
	n = 6;
	sb_pen_words(&pen, &pen8, &pen4);
	for (x = 0; x < end; x++) {
		const struct fb_cell	*c = &cells[x];
		uint16_t		 attr = c->attr & FB_ATTR_MASK;

		/*
		 * Most cells: ASCII without combining characters, in the pen
		 * of the one before. fg, bg, attr and comb are compared as
		 * two words against the same fields of a model cell.
		 */
		memcpy(&w8, (const char *)c + offsetof(struct fb_cell, fg),
		    sizeof w8);
		memcpy(&w4, (const char *)c + offsetof(struct fb_cell, attr),
		    sizeof w4);
		if (c->cp < 0x80 && w8 == pen8 && w4 == pen4) {
			p[n++] = (uint8_t)c->cp;
			continue;
		}
		if (c->attr & FB_CONT)
			continue;
		if (c->fg != pen.fg || c->bg != pen.bg || attr != pen.attr) {
			pen.fg = c->fg;
			pen.bg = c->bg;
			pen.attr = attr;
			sb_pen_words(&pen, &pen8, &pen4);
			rp += sb_put_varint(rp, (uint32_t)(n - 6 - last));
			rp += sb_put_varint(rp, attr);
			rp += sb_put_varint(rp, sb_color_code(pen.fg));
			rp += sb_put_varint(rp, sb_color_code(pen.bg));
			last = n - 6;
		}
		if (c->cp < 0x80)
			p[n++] = (uint8_t)c->cp;
		else
			n += sb_put_utf8(p + n, c->cp);
		if (c->comb != 0 && c->comb <= ncomb) {
			comb = &pool[c->comb - 1];
			while (*comb != 0)
				n += sb_put_utf8(p + n, *comb++);
		}
	}
	/* A fixed 5-byte varint for the text length: no shifting after. */
	v = (uint32_t)(n - 6);
	p[1] = (uint8_t)(v | 0x80);
	p[2] = (uint8_t)(v >> 7 | 0x80);
	p[3] = (uint8_t)(v >> 14 | 0x80);
	p[4] = (uint8_t)(v >> 21 | 0x80);
	p[5] = (uint8_t)(v >> 28);
	if (rp > runs)
		memmove(p + n, runs, (size_t)(rp - runs));
	t->len = n + (size_t)(rp - runs);
}

/*
 * Lets a pending line's copy go, leaving the slot empty: its chunk is
 * freed once none lives. The copy itself is not read: during a flood the
 * line pushed out of the ring was copied ten thousand lines ago, and is
 * out of the cache.
 */
static void
sb_release(struct sb_lazy *lz, struct sb_line *l)
{
	struct sb_chunk	*ch = &lz->chunk[l->chunk];

	l->p = NULL;
	l->len = 0;
	lz->npend--;
	if (--ch->live > 0)
		return;
	if (l->chunk == lz->cur) {
		ch->used = 0;
		return;
	}
	lz->nchunk--;
	if (lz->spare == NULL)
		lz->spare = ch->data;
	else
		free(ch->data);
	ch->data = NULL;
}

/*
 * Room for a copy of need bytes at the end of the current chunk: a new
 * chunk (the spare, if one is kept) when it has no more. NULL if the copy
 * cannot be held: larger than a chunk, or another chunk would take the
 * copies past LN_SB_PENDING_MAX (every entry of the table is in use).
 */
static uint8_t *
sb_room(struct sb_lazy *lz, size_t need)
{
	struct sb_chunk	*ch;
	uint32_t	 i;

	if (need > SB_CHUNK)
		return (NULL);
	if (lz->cur != SB_NOCHUNK) {
		ch = &lz->chunk[lz->cur];
		if (SB_CHUNK - ch->used >= need)
			return (ch->data + ch->used);
	}
	if (lz->nchunk == SB_CHUNKS)
		return (NULL);
	for (i = 0; lz->chunk[i].data != NULL; i++)
		;
	ch = &lz->chunk[i];
	if (lz->spare != NULL) {
		ch->data = lz->spare;
		lz->spare = NULL;
	} else
		ch->data = xmalloc(SB_CHUNK);
	ch->used = 0;
	ch->live = 0;
	lz->nchunk++;
	lz->cur = i;
	return (ch->data);
}

/* Stores the line just encoded into the scratch buffer in slot l. */
static void
sb_keep(struct sb_lazy *lz, struct sb_line *l)
{
	l->p = xmalloc(lz->scratch.len);
	memcpy(l->p, lz->scratch.p, lz->scratch.len);
	l->len = (uint32_t)lz->scratch.len;
}

/*
 * Copies what the encoder reads of a row into the arena for slot l: the
 * cells up to the last non-blank one, and the row's combining pool if it
 * has one. One memcpy: for `seq`, a hundred bytes or so. A row whose copy
 * would take the arena past LN_SB_PENDING_MAX is encoded at once instead,
 * as every line was before lines were encoded lazily: copying it and
 * encoding an older copy to make room would do both jobs.
 */
static void
sb_copy(struct sb_lazy *lz, struct sb_line *l, const struct fb_row *r)
{
	uint8_t		*p;
	uint16_t	 n16;
	uint32_t	 nc = r->ncomb;
	size_t		 cells, need;
	int		 end = sb_row_end(r);

	cells = (size_t)end * sizeof r->cells[0];
	need = SB_HDR + cells + 4 + (size_t)nc * sizeof *r->comb;
	if ((p = sb_room(lz, need)) == NULL) {
		sb_encode(&lz->scratch, r->cells, end, r->comb, r->ncomb,
		    r->wrapped);
		sb_keep(lz, l);
		return;
	}
	p[0] = r->wrapped ? SB_C_WRAPPED : 0;
	p[1] = 0;
	n16 = (uint16_t)end;
	memcpy(p + 2, &n16, sizeof n16);
	memcpy(p + SB_HDR, r->cells, cells);
	memcpy(p + SB_HDR + cells, &nc, sizeof nc);
	if (nc > 0)
		memcpy(p + SB_HDR + cells + 4, r->comb, (size_t)nc *
		    sizeof *r->comb);
	lz->chunk[lz->cur].used += (uint32_t)need;
	lz->chunk[lz->cur].live++;
	l->p = p;
	l->len = SB_PENDING;
	l->chunk = lz->cur;
	lz->npend++;
}

/*
 * Encodes a pending slot: its copy becomes the compact line, in a buffer
 * of its own, and the copy is let go.
 */
static void
sb_encode_slot(struct sb_lazy *lz, struct sb_line *l)
{
	struct fb_text	*t = &lz->scratch;
	const uint8_t	*cp = l->p;
	uint16_t	 n;
	uint32_t	 nc;

	memcpy(&n, cp + 2, sizeof n);
	memcpy(&nc, cp + SB_HDR + (size_t)n * sizeof (struct fb_cell),
	    sizeof nc);
	sb_encode(t, (const struct fb_cell *)(const void *)(cp + SB_HDR), n,
	    (const uint32_t *)(const void *)(cp + SB_HDR + 4 +
	    (size_t)n * sizeof (struct fb_cell)), nc, cp[0] & SB_C_WRAPPED);
	sb_release(lz, l);
	sb_keep(lz, l);
}

/* The slot of line i, 0 the oldest; i < count. */
static struct sb_line *
sb_slot(const struct scrollback *sb, size_t i)
{
	i += sb->start;
	if (i >= sb->cap)
		i -= sb->cap;
	return (&sb->ring[i]);
}

/*
 * Encodes every pending line: the burst that pushed them has ended. The
 * arena goes with them. Pending lines are looked for from lz->pfirst (an
 * absolute line number: none older waits) to the newest, once.
 */
void
sb_settle(struct scrollback *sb)
{
	struct sb_lazy	*lz = sb->lz;
	uint64_t	 oldest = sb->total - sb->count, n;
	struct sb_line	*l;

	if (lz->pfirst < oldest)
		lz->pfirst = oldest;
	for (n = lz->pfirst; n < sb->total && lz->npend > 0; n++) {
		l = sb_slot(sb, (size_t)(n - oldest));
		if (l->len == SB_PENDING)
			sb_encode_slot(lz, l);
	}
	lz->pfirst = sb->total;
	if (lz->npend > 0)
		return;		/* never: every copy lives in the ring */
	if (lz->cur != SB_NOCHUNK) {
		lz->nchunk--;
		free(lz->chunk[lz->cur].data);
		lz->chunk[lz->cur].data = NULL;
		lz->cur = SB_NOCHUNK;
	}
	free(lz->spare);
	lz->spare = NULL;
}

/* Grows the ring towards the limit, unwrapping it into the new array. */
static void
sb_grow(struct scrollback *sb)
{
	struct sb_line	*tmp;
	size_t		 ncap = sb->cap ? sb->cap * 2 : 64, i;

	if (ncap > sb->limit)
		ncap = sb->limit;
	sb->ring = xreallocarray(sb->ring, ncap, sizeof *sb->ring);
	memset(&sb->ring[sb->cap], 0, (ncap - sb->cap) * sizeof *sb->ring);
	if (sb->start != 0) {
		tmp = xreallocarray(NULL, sb->cap, sizeof *tmp);
		for (i = 0; i < sb->cap; i++)
			tmp[i] = sb->ring[(sb->start + i) % sb->cap];
		memcpy(sb->ring, tmp, sb->cap * sizeof *tmp);
		free(tmp);
		sb->start = 0;
	}
	sb->cap = ncap;
}

/*
 * Stores a copy of a row that left the screen (the screen keeps the row);
 * drops the oldest line when full, unencoded if it still waits.
 */
void
sb_push(struct scrollback *sb, const struct fb_row *r)
{
	struct sb_lazy	*lz = sb->lz;
	struct sb_line	*l;
	size_t		 slot;

	if (sb->limit == 0) {
		sb->total++;
		return;
	}
	if (sb->count == sb->cap && sb->cap < sb->limit)
		sb_grow(sb);
	if (sb->count == sb->cap) {
		slot = sb->start;
		if (++sb->start == sb->cap)
			sb->start = 0;
	} else {
		slot = sb->start + sb->count;
		if (slot >= sb->cap)
			slot -= sb->cap;
		sb->count++;
	}
	l = &sb->ring[slot];
	if (l->len == SB_PENDING)
		sb_release(lz, l);	/* pushed out before anyone needed it */
	else
		free(l->p);
	sb_copy(lz, l, r);
	sb->total++;
}

/*
 * Room for one line's bytes: LN_SB_LINE_MAX, less the 4 of the reset that
 * may close it.
 */
#define SB_LINE_ROOM	(LN_SB_LINE_MAX - 4)

/*
 * Appends what fits of n bytes of text to a line begun at keep, cut
 * before a UTF-8 continuation byte so the cut ends on a whole character.
 * Returns 1 if it had to cut.
 */
static int
sb_add_bounded(struct fb_text *t, size_t keep, const uint8_t *p, size_t n)
{
	size_t	used = t->len - keep, room;

	room = used < SB_LINE_ROOM ? SB_LINE_ROOM - used : 0;
	if (n <= room) {
		fb_text_add(t, p, n);
		return (0);
	}
	n = room;
	while (n > 0 && (p[n] & 0xc0) == 0x80)
		n--;
	fb_text_add(t, p, n);
	return (1);
}

/*
 * Appends line i (0 the oldest) as text, or with SGR escapes, without
 * trailing blanks or a newline. Returns 0, or LN_E_INVAL for no such line.
 *
 * A line never takes more than LN_SB_LINE_MAX bytes: every hop after the
 * holder refuses longer ones, so a line whose escapes would take more
 * (1024 cells each in its own colour, with combining marks) is cut here,
 * at a character before the escape or text that does not fit.
 *
 * A line still pending is encoded first, and stays encoded: the text is
 * what it would have been had the line been encoded when it was pushed.
 */
int
sb_line(const struct scrollback *sb, size_t i, int escapes,
    struct fb_text *t)
{
	struct sb_line		*l;
	struct buf		 b;
	struct fb_pen		 pen = { 0, 0, 0 }, shown = { 0, 0, 0 };
	const uint8_t		*text;
	uint32_t		 textlen, off = 0, delta, v[3];
	uint8_t			 flags;
	size_t			 keep, done = 0, before;
	int			 cut = 0;

	if (i >= sb->count)
		return (LN_E_INVAL);
	l = sb_slot(sb, i);
	if (l->len == SB_PENDING)
		sb_encode_slot(sb->lz, l);
	buf_reader(&b, l->p, l->len);
	if (buf_get_u8(&b, &flags) != 0 || sb_get_varint(&b, &textlen) != 0 ||
	    (text = buf_get_ptr(&b, textlen)) == NULL)
		return (LN_E_INVAL);
	keep = t->len;
	while (!cut && buf_left(&b) > 0) {
		if (sb_get_varint(&b, &delta) != 0 ||
		    sb_get_varint(&b, &v[0]) != 0 ||
		    sb_get_varint(&b, &v[1]) != 0 ||
		    sb_get_varint(&b, &v[2]) != 0 || delta > textlen - off)
			return (LN_E_INVAL);
		off += delta;
		if ((cut = sb_add_bounded(t, keep, text + done,
		    off - done)) != 0)
			break;
		done = off;
		pen.attr = (uint16_t)(v[0] & FB_ATTR_MASK);
		pen.fg = sb_color_decode(v[1]);
		pen.bg = sb_color_decode(v[2]);
		if (escapes) {
			before = t->len;
			fb_text_sgr(t, &pen);
			if (t->len - keep > SB_LINE_ROOM) {
				fb_text_trim(t, before);
				cut = 1;
			} else
				shown = pen;
		}
	}
	if (!cut)
		(void)sb_add_bounded(t, keep, text + done, textlen - done);
	if (!escapes) {
		size_t	n = t->len;

		while (n > keep && t->p[n - 1] == ' ')
			n--;
		fb_text_trim(t, n);
	} else if (shown.fg != 0 || shown.bg != 0 || shown.attr != 0)
		fb_text_add(t, "\033[0m", 4);
	return (0);
}

/* Whether line i (0 the oldest) continues on the next one. */
int
sb_wrapped(const struct scrollback *sb, size_t i)
{
	if (i >= sb->count)
		return (0);
	return (sb_slot(sb, i)->p[0] & SB_C_WRAPPED);
}
