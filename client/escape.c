/*
 * escape.c: the C-style escapes `lnsh send` interprets in its TEXT, so that
 * a script can type Enter, Tab, Escape or any byte: \n \r \t \e \xHH \\.
 * Anything else after a backslash is refused rather than guessed at: a
 * typo must not type something the user did not mean into a live shell.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"

/* The value of a hex digit, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/*
 * Decodes s into *out (allocated, *outlen bytes, NUL-terminated for
 * convenience, the NUL not counted). On failure nothing is allocated, *why
 * says what is wrong and *where is the offset of the offending backslash.
 */
int
escape_decode(const char *s, uint8_t **out, size_t *outlen, const char **why,
    size_t *where)
{
	size_t	 len = strlen(s), i, n = 0;
	uint8_t	*d;
	int	 hi, lo;

	d = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (s[i] != '\\') {
			d[n++] = (uint8_t)s[i];
			continue;
		}
		*where = i;
		switch (s[++i]) {
		case 'n':
			d[n++] = '\n';
			break;
		case 'r':
			d[n++] = '\r';
			break;
		case 't':
			d[n++] = '\t';
			break;
		case 'e':
			d[n++] = 0x1b;
			break;
		case '\\':
			d[n++] = '\\';
			break;
		case 'x':
			/* s[i + 2] is read only after a digit, never past NUL. */
			if ((hi = hexval(s[i + 1])) == -1 ||
			    (lo = hexval(s[i + 2])) == -1) {
				*why = "\\x needs two hex digits";
				goto fail;
			}
			d[n++] = (uint8_t)(hi << 4 | lo);
			i += 2;
			break;
		case '\0':
			*why = "a lone backslash at the end";
			goto fail;
		default:
			*why = "unknown escape";
			goto fail;
		}
	}
	d[n] = '\0';
	*out = d;
	*outlen = n;
	return (0);
fail:
	free(d);
	return (LN_E_INVAL);
}
