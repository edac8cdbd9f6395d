/*
 * fbdiff.c: a ScreenDiff (proto/screen.proto) between two framebuffers,
 * and its application. Rows are compared by pointer first: a snapshot
 * shares the rows it did not see change, and a scroll only moves them, so
 * the common case never looks at a cell. Applying is a parser of bytes from
 * the network: every count is bounded and a diff is applied whole or not
 * at all.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "fb.h"
#include "screen.pb-c.h"

/* What an encoded row owns, so that it can be freed in one go. */
struct diff_row {
	Lnsh__ScreenRow	  msg;
	Lnsh__ScreenRun	 *runs;
	Lnsh__ScreenRun	**runp;
	Lnsh__ScreenComb *combs;
	Lnsh__ScreenComb **combp;
	uint32_t	 *cps;
	uint32_t	 *combcps;	/* apart: a run's cps are contiguous */
};

/* The cells a row's content needs, trailing default blanks cut. */
static int
diff_row_extent(const struct fb_row *r)
{
	int	 x = r->used;

	while (x > 0) {
		const struct fb_cell *c = &r->cells[x - 1];

		if (c->cp != ' ' || c->fg != 0 || c->bg != 0 || c->attr != 0 ||
		    c->comb != 0)
			break;
		x--;
	}
	return (x);
}

/* Encodes a row's cells as runs of one pen. */
static void
diff_row_encode(struct diff_row *d, const struct fb_row *r, int index)
{
	Lnsh__ScreenRun	*run = NULL;
	const uint32_t	*comb;
	size_t		 ncp = 0, ncomb = 0, ncombcp = 0, nc = 0, k;
	int		 end, x;

	lnsh__screen_row__init(&d->msg);
	d->msg.index = (uint32_t)index;
	d->msg.wrapped = r->wrapped ? 1 : 0;
	end = diff_row_extent(r);
	/*
	 * Sized before any run is made: runs point into cps, combcps and
	 * combp, so these arrays must not move while they fill.
	 */
	for (x = 0; x < end; x++) {
		if ((comb = fb_cell_comb(r, &r->cells[x])) != NULL) {
			ncomb++;
			while (*comb++ != 0)
				ncombcp++;
		}
	}
	d->runs = xreallocarray(NULL, (size_t)end + 1, sizeof *d->runs);
	d->runp = xreallocarray(NULL, (size_t)end + 1, sizeof *d->runp);
	d->cps = xreallocarray(NULL, (size_t)end + 1, sizeof *d->cps);
	d->combcps = xreallocarray(NULL, ncombcp + 1, sizeof *d->combcps);
	d->combs = xreallocarray(NULL, ncomb + 1, sizeof *d->combs);
	d->combp = xreallocarray(NULL, ncomb + 1, sizeof *d->combp);
	ncomb = 0;
	for (x = 0; x < end; x++) {
		const struct fb_cell	*c = &r->cells[x];
		uint32_t		 attr;

		/* A wide character's second half: FB_WIDE on the first says so. */
		if (c->attr & FB_CONT)
			continue;
		attr = c->attr & (FB_ATTR_MASK | FB_WIDE);
		if (run == NULL || run->attr != attr || run->fg != c->fg ||
		    run->bg != c->bg) {
			run = &d->runs[d->msg.n_run];
			d->runp[d->msg.n_run++] = run;
			lnsh__screen_run__init(run);
			run->attr = attr;
			run->fg = c->fg;
			run->bg = c->bg;
			run->cp = &d->cps[ncp];
			run->comb = &d->combp[ncomb];
		}
		d->cps[ncp++] = c->cp;
		if ((comb = fb_cell_comb(r, c)) != NULL) {
			Lnsh__ScreenComb	*sc = &d->combs[ncomb];

			lnsh__screen_comb__init(sc);
			sc->at = (uint32_t)run->n_cp;
			sc->cp = &d->combcps[nc];
			for (k = 0; comb[k] != 0; k++)
				d->combcps[nc++] = comb[k];
			sc->n_cp = k;
			d->combp[ncomb++] = sc;
			run->n_comb++;
		}
		run->n_cp++;
	}
	d->msg.run = d->runp;
}

/* Frees what diff_row_encode allocated. */
static void
diff_row_free(struct diff_row *d)
{
	free(d->runs);
	free(d->runp);
	free(d->cps);
	free(d->combcps);
	free(d->combs);
	free(d->combp);
}

/* Where row p of the new screen was in the old one, or -1. */
static int
diff_find(const struct fb *old, const struct fb_row *p, int y, int *hint)
{
	int	 j;

	if (y + *hint >= 0 && y + *hint < old->rows &&
	    old->row[y + *hint] == p)
		return (y + *hint);
	for (j = 0; j < old->rows; j++) {
		if (old->row[j] == p) {
			*hint = j - y;
			return (j);
		}
	}
	return (-1);
}

/*
 * Encodes what turns old (NULL: an empty screen) into new; *out is
 * allocated and the caller frees it.
 */
int
fb_diff(const struct fb *old, const struct fb *new, uint8_t **out,
    size_t *outlen)
{
	Lnsh__ScreenDiff	  m = LNSH__SCREEN_DIFF__INIT;
	struct diff_row		 *rows;
	Lnsh__ScreenRow		**rowp;
	uint8_t			 *buf;
	size_t			  n = 0, len, i;
	int			  y, j, hint = 0, same_cols;

	same_cols = old != NULL && old->cols == new->cols;
	rows = xcalloc((size_t)new->rows, sizeof *rows);
	rowp = xcalloc((size_t)new->rows, sizeof *rowp);
	for (y = 0; y < new->rows; y++) {
		const struct fb_row	*p = new->row[y];

		/*
		 * Snapshots share rows and copy one before writing it, so the
		 * same pointer is the same content: unchanged in place, or a
		 * move (from is 1-based, 0 meaning none). Only a row that is
		 * not shared is compared cell by cell, or sent whole.
		 */
		if (same_cols && y < old->rows && old->row[y] == p)
			continue;
		if (same_cols && (j = diff_find(old, p, y, &hint)) >= 0) {
			lnsh__screen_row__init(&rows[n].msg);
			rows[n].msg.index = (uint32_t)y;
			rows[n].msg.from = (uint32_t)j + 1;
		} else if (same_cols && y < old->rows &&
		    fb_row_equal(old->row[y], p))
			continue;
		else
			diff_row_encode(&rows[n], p, y);
		rowp[n] = &rows[n].msg;
		n++;
	}
	m.cols = (uint32_t)new->cols;
	m.rows = (uint32_t)new->rows;
	m.n_row = n;
	m.row = rowp;
	m.cursor_x = (uint32_t)new->cursor.x;
	m.cursor_y = (uint32_t)new->cursor.y;
	m.cursor_visible = new->cursor.visible ? 1 : 0;
	m.cursor_style = (uint32_t)new->cursor.style;
	m.modes = new->modes & FB_MODE_MASK;
	m.bells = new->bells;
	if (old == NULL || strcmp(old->title, new->title) != 0) {
		m.title_set = 1;
		m.title.data = (uint8_t *)new->title;
		m.title.len = strlen(new->title);
	}
	if (old == NULL ? new->clipgen != 0 : old->clipgen != new->clipgen) {
		m.clip_set = 1;
		m.clip.data = new->clip;
		m.clip.len = new->cliplen;
	}
	m.clipgen = new->clipgen;
	len = lnsh__screen_diff__get_packed_size(&m);
	buf = xmalloc(len);
	lnsh__screen_diff__pack(&m, buf);
	for (i = 0; i < n; i++)
		diff_row_free(&rows[i]);
	free(rows);
	free(rowp);
	*out = buf;
	*outlen = len;
	return (0);
}

/* Whether a code point may be drawn (no controls, no surrogates). */
static int
diff_cp_ok(uint32_t cp)
{
	return (FB_CP_OK(cp));
}

/* Whether a colour from the wire is one of the FB_COLOR_* forms. */
static int
diff_color_ok(uint32_t c)
{
	switch (FB_COLOR_TYPE(c)) {
	case FB_COLOR_DEFAULT:
		return (c == 0);
	case FB_COLOR_PALETTE:
		return ((c & 0x00ffff00u) == 0);
	case FB_COLOR_RGB:
		return (1);
	}
	return (0);
}

/* Checks a row's runs against the limits; returns the cells they fill. */
static int
diff_row_check(const Lnsh__ScreenRow *mr, int cols)
{
	size_t	 i, k, c, cells = 0;

	if (mr->n_run > (size_t)cols)
		return (-1);
	for (i = 0; i < mr->n_run; i++) {
		const Lnsh__ScreenRun	*run = mr->run[i];

		if ((run->attr & ~(uint32_t)(FB_ATTR_MASK | FB_WIDE)) != 0 ||
		    !diff_color_ok(run->fg) || !diff_color_ok(run->bg) ||
		    run->n_cp > (size_t)cols || run->n_comb > run->n_cp)
			return (-1);
		cells += run->n_cp * ((run->attr & FB_WIDE) ? 2 : 1);
		if (cells > (size_t)cols)
			return (-1);
		for (k = 0; k < run->n_cp; k++) {
			if (!diff_cp_ok(run->cp[k]))
				return (-1);
		}
		for (k = 0; k < run->n_comb; k++) {
			const Lnsh__ScreenComb	*sc = run->comb[k];

			if (sc->at >= run->n_cp || sc->n_cp == 0 ||
			    sc->n_cp > FB_MAX_COMB)
				return (-1);
			for (c = 0; c < sc->n_cp; c++) {
				if (!diff_cp_ok(sc->cp[c]))
					return (-1);
			}
		}
	}
	return ((int)cells);
}

/* Builds a row from checked runs. */
static struct fb_row *
diff_row_build(const Lnsh__ScreenRow *mr, int cols)
{
	struct fb_row	*r = fb_row_new(cols);
	size_t		 i, k;
	int		 x = 0;

	r->wrapped = mr->wrapped ? 1 : 0;
	for (i = 0; i < mr->n_run; i++) {
		const Lnsh__ScreenRun	*run = mr->run[i];
		struct fb_pen		 pen;
		int			 width = (run->attr & FB_WIDE) ? 2 : 1;

		pen.fg = run->fg;
		pen.bg = run->bg;
		pen.attr = (uint16_t)(run->attr & FB_ATTR_MASK);
		for (k = 0; k < run->n_cp; k++) {
			struct fb_cell	*c = &r->cells[x];

			c->cp = run->cp[k];
			c->fg = pen.fg;
			c->bg = pen.bg;
			c->attr = pen.attr | (width == 2 ? FB_WIDE : 0);
			c->comb = 0;
			if (width == 2) {
				c[1] = *c;
				c[1].cp = 0;
				c[1].attr = pen.attr | FB_CONT;
			}
			x += width;
		}
		for (k = 0; k < run->n_comb; k++) {
			const Lnsh__ScreenComb	*sc = run->comb[k];
			int			 at;

			/* The run's at'th character: count back from x. */
			at = x - (int)(run->n_cp - sc->at) * width;
			fb_row_set_comb(r, at, sc->cp, sc->n_cp);
		}
	}
	r->used = x;
	return (r);
}

/*
 * Applies a diff to fb, which must equal the diff's base. On any error fb
 * is unchanged and the result is LN_E_DROP(LN_DROP_MESSAGE).
 */
int
fb_apply(struct fb *fb, const uint8_t *p, size_t len)
{
	Lnsh__ScreenDiff	 *m;
	struct fb_row		**nrow = NULL;
	int			  cols, rows, y, error = LN_E_DROP(LN_DROP_MESSAGE);
	size_t			  i;

	if ((m = lnsh__screen_diff__unpack(NULL, len, p)) == NULL)
		return (error);
	if (m->cols < 1 || m->cols > FB_MAX_COLS || m->rows < 1 ||
	    m->rows > FB_MAX_ROWS || m->n_row > m->rows ||
	    m->cursor_x >= m->cols || m->cursor_y >= m->rows ||
	    m->cursor_style >= FB_CURSOR_STYLES ||
	    (m->modes & ~(uint32_t)FB_MODE_MASK) != 0)
		goto out;
	if (m->title_set && (m->title.len > FB_MAX_TITLE ||
	    (m->title.len > 0 &&
	    memchr(m->title.data, 0, m->title.len) != NULL)))
		goto out;
	if (m->clip_set && m->clip.len > FB_MAX_CLIPBOARD)
		goto out;
	/*
	 * The clipboard travels with its generation, as fb_diff sends it: a
	 * payload exactly when clipgen moves from the base's. A payload
	 * under the base's generation is a screen no diff can express
	 * (fb_diff would never send it again) and the display never writes
	 * (it writes OSC 52 when clipgen moves); a new generation without
	 * its payload would have the display write the old one again.
	 */
	if ((m->clip_set != 0) != (m->clipgen != fb->clipgen))
		goto out;
	cols = (int)m->cols;
	rows = (int)m->rows;
	for (i = 0; i < m->n_row; i++) {
		const Lnsh__ScreenRow	*mr = m->row[i];

		if (mr->index >= m->rows)
			goto out;
		if (mr->from != 0) {
			if (mr->from > (uint32_t)fb->rows || mr->n_run != 0 ||
			    fb->row[mr->from - 1]->cols != cols)
				goto out;
		} else if (diff_row_check(mr, cols) < 0)
			goto out;
	}

	/* Checked: nothing below can fail. */
	nrow = xreallocarray(NULL, (size_t)rows, sizeof *nrow);
	for (y = 0; y < rows; y++)
		nrow[y] = NULL;
	for (i = 0; i < m->n_row; i++) {
		const Lnsh__ScreenRow	*mr = m->row[i];

		fb_row_unref(nrow[mr->index]);
		if (mr->from != 0) {
			nrow[mr->index] = fb->row[mr->from - 1];
			nrow[mr->index]->refs++;
		} else
			nrow[mr->index] = diff_row_build(mr, cols);
	}
	for (y = 0; y < rows; y++) {
		if (nrow[y] != NULL)
			continue;
		if (y < fb->rows && fb->row[y]->cols == cols) {
			nrow[y] = fb->row[y];
			nrow[y]->refs++;
		} else if (y < fb->rows)
			nrow[y] = fb_row_resized(fb->row[y], cols);
		else
			nrow[y] = fb_row_new(cols);
	}
	for (y = 0; y < fb->rows; y++)
		fb_row_unref(fb->row[y]);
	free(fb->row);
	fb->row = nrow;
	fb->cols = cols;
	fb->rows = rows;
	fb->cursor.x = (int)m->cursor_x;
	fb->cursor.y = (int)m->cursor_y;
	fb->cursor.visible = m->cursor_visible ? 1 : 0;
	fb->cursor.style = (int)m->cursor_style;
	fb->modes = m->modes;
	fb->bells = m->bells;
	if (m->title_set)
		fb_set_title(fb, (const char *)m->title.data, m->title.len);
	if (m->clip_set)
		fb_set_clip(fb, m->clip.data, m->clip.len);
	fb->clipgen = m->clipgen;
	error = 0;
out:
	lnsh__screen_diff__free_unpacked(m, NULL);
	return (error);
}
