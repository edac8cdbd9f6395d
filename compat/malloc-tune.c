/*
 * malloc-tune.c: keeps a long-lived process's heap from holding on to the
 * peak of one large, short-lived allocation.
 *
 * glibc raises its mmap threshold to the size of any mmap'd block that is
 * freed, so after one large capture reply every later large buffer comes
 * from the heap, which never shrinks: a holder measured 3.7 MB before a
 * `capture --all --escapes` of 10,000 lines and 5.1 MB for good after it.
 * Pinning the threshold keeps large buffers in mmap, returned on free.
 * Where there is no mallopt (macOS), the system allocator already returns
 * large blocks and there is nothing to do.
 *
 * Small blocks have the same problem in bulk: a burst's scrollback lines
 * are freed and allocated again as they are encoded when it ends
 * (holder/scrollback.c), and the heap keeps the pages. compat_malloc_trim
 * hands the free pages back (glibc's malloc_trim releases whole free pages
 * anywhere in the heap, not only at its top). macOS's allocator returns
 * free pages under memory pressure by itself.
 */
#include "config.h"

#if defined(HAVE_MALLOPT) || defined(HAVE_MALLOC_TRIM)
#include <malloc.h>
#endif

#include "compat.h"

/* Large blocks (>= 128 KiB) always come from mmap and go back on free. */
void
compat_malloc_tune(void)
{
#if defined(HAVE_MALLOPT) && defined(M_MMAP_THRESHOLD)
	(void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

/* Gives the heap's free pages back to the system, after a burst. */
void
compat_malloc_trim(void)
{
#ifdef HAVE_MALLOC_TRIM
	(void)malloc_trim(0);
#endif
}
