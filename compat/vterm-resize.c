/*
 * vterm-resize.c: what lnsh's state-layer resize callback owes libvterm,
 * whatever its version.
 *
 * 0.1.x reallocates its one line-info array before it calls the callback
 * and adds the delta the callback hands back to the cursor. From 0.2 on
 * the state keeps two arrays (primary and alternate screen) and, when a
 * resize callback is set, copies them and the cursor into a
 * VTermStateFields, calls the callback and takes them back as they are:
 * the callback must reallocate both arrays to the new row count itself,
 * or libvterm goes on indexing arrays of the old size (past their end
 * after a grow). libvterm frees them later with its allocator, so the
 * terminal is made here with one whose functions this file uses too.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

/* <>, not "": compat/vterm.h through -I, so its #include_next works. */
#include <vterm.h>

#include "proto.h"

/* libvterm's allocations: zeroed, as it requires, and never failing. */
static void *
vt_alloc(size_t size, void *data)
{
	return (xcalloc(1, size));
}

/* Frees what vt_alloc gave libvterm or vt_resized. */
static void
vt_release(void *p, void *data)
{
	free(p);
}

static VTermAllocatorFunctions vt_allocator = {
	.malloc = vt_alloc,
	.free = vt_release,
};

/* A terminal of rows x cols whose memory vt_resized may replace. */
VTerm *
vt_new(int rows, int cols)
{
	return (vterm_new_with_allocator(rows, cols, &vt_allocator, NULL));
}

#ifdef HAVE_VTERM_RESIZE_FIELDS
/*
 * One line-info array resized from orows to rows; the first up rows
 * (those scrolled off the top) are dropped, rows added at the bottom
 * are blank. Frees the old array; an array libvterm has not made stays
 * unmade.
 */
static VTermLineInfo *
vt_lineinfo_resize(VTermLineInfo *old, int orows, int rows, int up)
{
	VTermLineInfo	*li;
	int		 n;

	if (old == NULL)
		return (NULL);
	li = xcalloc((size_t)rows, sizeof *li);
	n = orows - up < rows ? orows - up : rows;
	if (n > 0)
		memcpy(li, old + up, (size_t)n * sizeof *li);
	vt_release(old, NULL);
	return (li);
}
#endif

/*
 * The callback's part of a resize from orows to rows, after the screen
 * scrolled its top up rows away (the cursor with them): alt says the
 * alternate screen is shown, so its line info scrolled and the primary
 * one did not. a is NULL when libvterm did not call back at all.
 */
void
vt_resized(vt_resize_arg *a, int orows, int rows, int up, int alt)
{
	if (a == NULL)
		return;
#ifdef HAVE_VTERM_RESIZE_FIELDS
	if (rows != orows || up != 0) {
		a->lineinfos[0] = vt_lineinfo_resize(a->lineinfos[0], orows,
		    rows, alt ? 0 : up);
		a->lineinfos[1] = vt_lineinfo_resize(a->lineinfos[1], orows,
		    rows, alt ? up : 0);
	}
	a->pos.row -= up;
#else
	/* libvterm has resized its line info and adds this to the cursor. */
	a->row -= up;
#endif
}
