/*
 * xmalloc.c: allocation wrappers that never return NULL. Running out of
 * memory is not something lnsh can recover from mid-packet, so it aborts
 * with a message instead of spreading NULL checks everywhere.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

/* Says what could not be allocated and stops. */
static void
xalloc_fail(size_t n)
{
	fprintf(stderr, "lnsh: out of memory allocating %zu bytes\n", n);
	abort();
}

/* malloc that never fails; a zero size still gives a unique pointer. */
void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		xalloc_fail(n);
	return (p);
}

/* calloc that never fails. */
void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		xalloc_fail(nmemb * size);
	return (p);
}

/* realloc of an array that checks the multiplication and never fails. */
void *
xreallocarray(void *old, size_t nmemb, size_t size)
{
	void	*p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		xalloc_fail(SIZE_MAX);
	if ((p = realloc(old, nmemb * size == 0 ? 1 : nmemb * size)) == NULL)
		xalloc_fail(nmemb * size);
	return (p);
}

/* strdup that never fails. */
char *
xstrdup(const char *s)
{
	return (xmemdup(s, strlen(s) + 1));
}

/* Copies n bytes into fresh memory. */
void *
xmemdup(const void *src, size_t n)
{
	void	*p = xmalloc(n);

	if (n != 0)
		memcpy(p, src, n);
	return (p);
}
