/*
 * mirror.c: lnshd's copy of one session's screen while clients are
 * attached, kept from the holder's ScreenUpdates (proto/holder.proto), and
 * a ring of the newest scrollback lines with their numbers, from which
 * each client's SSP server sends what its client lacks.
 *
 * The holder runs as the session's user: an update is untrusted. A diff
 * that does not apply or lines that do not add up make mirror_apply fail,
 * and the caller closes that holder's connection. A line too long is not
 * worth that (our holder cuts lines at LN_SB_LINE_MAX; another one only
 * spoils its own session): it is held empty, and counted.
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

struct mirror_line {
	char		*text;
	size_t		 len;
	int		 wrapped;
};

struct mirror {
	struct fb		*fb;		/* NULL until a full update */
	struct mirror_line	*ring;		/* MIRROR_LINES slots */
	size_t			 start, count;
	uint64_t		 total;		/* lines ever scrolled */
	struct ln_counters	*ctr;		/* drops, or NULL */
};

/*
 * An empty mirror: no screen until the holder's first (full) update. ctr
 * (or NULL) counts the lines it refuses.
 */
struct mirror *
mirror_new(struct ln_counters *ctr)
{
	struct mirror	*m;

	m = xcalloc(1, sizeof *m);
	m->ctr = ctr;
	m->ring = xcalloc(MIRROR_LINES, sizeof *m->ring);
	return (m);
}

/* Forgets every line held. */
static void
mirror_clear_lines(struct mirror *m)
{
	size_t	 i;

	for (i = 0; i < m->count; i++)
		free(m->ring[(m->start + i) % MIRROR_LINES].text);
	m->start = m->count = 0;
}

/* Frees a mirror and its lines. */
void
mirror_free(struct mirror *m)
{
	if (m == NULL)
		return;
	mirror_clear_lines(m);
	free(m->ring);
	if (m->fb != NULL)
		fb_free(m->fb);
	free(m);
}

/*
 * Appends a line as the newest, dropping the oldest when full. A line
 * over HOLDER_LINE_MAX is held empty (its number kept), and counted.
 */
static void
mirror_push(struct mirror *m, const struct holder_line *l)
{
	struct mirror_line	*slot;
	size_t			 len = l->len;

	if (len > HOLDER_LINE_MAX) {
		if (m->ctr != NULL)
			ln_count(m->ctr, LN_E_DROP(LN_DROP_LINE_OVERSIZE));
		len = 0;
	}
	if (m->count == MIRROR_LINES) {
		free(m->ring[m->start].text);
		m->start = (m->start + 1) % MIRROR_LINES;
		m->count--;
	}
	slot = &m->ring[(m->start + m->count) % MIRROR_LINES];
	slot->text = xmalloc(len > 0 ? len : 1);
	if (len > 0)
		memcpy(slot->text, l->text, len);
	slot->len = len;
	slot->wrapped = l->wrapped != 0;
	m->count++;
}

/*
 * Applies one update: 0, or LN_E_INVAL with *cause saying what was wrong
 * (the mirror is then unusable and the caller frees it). A full update
 * starts again from the empty screen and a fresh line count.
 */
int
mirror_apply(struct mirror *m, const struct holder_update *u, char **cause)
{
	struct fb	*fb = NULL;
	uint64_t	 first;
	size_t		 i;

	if (!u->full && m->fb == NULL) {
		ln_cause(cause, "an update before the full screen");
		return (LN_E_INVAL);
	}
	if (u->nlines > u->sb_total ||
	    (!u->full && u->sb_total < m->total) ||
	    (!u->full && u->nlines > u->sb_total - m->total)) {
		ln_cause(cause, "scrollback lines that do not add up");
		return (LN_E_INVAL);
	}
	if (u->full) {
		fb = fb_new(1, 1);
		if (fb_apply(fb, u->diff, u->difflen) != 0) {
			fb_free(fb);
			ln_cause(cause, "a full screen that does not decode");
			return (LN_E_INVAL);
		}
		if (m->fb != NULL)
			fb_free(m->fb);
		m->fb = fb;
		mirror_clear_lines(m);
		m->total = u->sb_total - u->nlines;
	} else if (fb_apply(m->fb, u->diff, u->difflen) != 0) {
		ln_cause(cause, "a screen diff that does not apply");
		return (LN_E_INVAL);
	}
	/* Lines the holder left out leave a gap: the ring stays contiguous. */
	first = u->sb_total - u->nlines + 1;
	if (first > m->total + 1)
		mirror_clear_lines(m);
	for (i = 0; i < u->nlines; i++)
		mirror_push(m, &u->lines[i]);
	m->total = u->sb_total;
	return (0);
}

/* The screen, or NULL before the first full update. */
const struct fb *
mirror_screen(const struct mirror *m)
{
	return (m->fb);
}

/* Lines ever scrolled off the session's screen. */
uint64_t
mirror_total(const struct mirror *m)
{
	return (m->total);
}

/* The number of the oldest line held (total + 1 when none is). */
uint64_t
mirror_oldest(const struct mirror *m)
{
	return (m->total - m->count + 1);
}

/* Line num (1: the first ever): 0, or LN_E_STATE when not held. */
int
mirror_line(const struct mirror *m, uint64_t num, const char **text,
    size_t *len, int *wrapped)
{
	const struct mirror_line	*l;

	if (num < mirror_oldest(m) || num > m->total)
		return (LN_E_STATE);
	l = &m->ring[(m->start + (size_t)(num - mirror_oldest(m))) %
	    MIRROR_LINES];
	*text = l->text;
	*len = l->len;
	*wrapped = l->wrapped;
	return (0);
}
