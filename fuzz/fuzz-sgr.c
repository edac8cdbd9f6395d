/*
 * fuzz-sgr.c: the client's parser of scrollback lines (client/display.c,
 * display_scroll_in_text): UTF-8 text with SGR escapes, which the server
 * sends and the client turns into cells for its terminal's history. The
 * first input byte sets the terminal's width (1 + byte % 200 columns), the
 * rest is lines separated by newlines; a line ending in CR is marked
 * wrapped. The lines are queued, drawn and flushed to /dev/null.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "fb.h"
#include "client.h"

static struct display	*fuzz_display;
static struct fb	*fuzz_screen;

/* Opens one display on /dev/null for every run. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*cause = NULL;
	int	 fd;

	(void)argc;
	(void)argv;
	fuzz_init();
	if ((fd = open("/dev/null", O_WRONLY)) == -1 ||
	    display_new(fd, "xterm", 80, 4, &fuzz_display, &cause) != 0) {
		fprintf(stderr, "fuzz-sgr: %s\n", cause != NULL ? cause :
		    "cannot open /dev/null");
		exit(1);
	}
	return (0);
}

/* Queues the lines of one input and draws them. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p, *end, *nl;
	int		 cols, wrapped;
	size_t		 n;

	if (size < 1)
		return (0);
	cols = 1 + data[0] % 200;
	if (fuzz_screen == NULL || fuzz_screen->cols != cols) {
		fb_free(fuzz_screen);
		fuzz_screen = fb_new(cols, 4);
		display_resize(fuzz_display, cols, 4);
	}
	p = (const char *)data + 1;
	end = (const char *)data + size;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		wrapped = n > 0 && p[n - 1] == '\r';
		display_scroll_in_text(fuzz_display, p, n, wrapped);
		p += n + (nl != NULL);
	}
	display_draw(fuzz_display, fuzz_screen);
	/* As the client does after each draw: the output is not kept. */
	(void)display_flush(fuzz_display);
	return (0);
}
