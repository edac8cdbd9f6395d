/*
 * termtext.c: the one sanitiser for text that reaches a terminal and did
 * not come from us: a session's title and clipboard, session names and
 * commands in a listing, a server's or a holder's error message, comments
 * in key and hosts files.
 *
 * A terminal acts on C0 controls (U+0000-U+001F), DEL and C1 controls
 * (U+0080-U+009F); a UTF-8 terminal takes C1 in its two-byte encoding
 * (C2 9B is CSI, C2 9C ends an OSC), so stripping bytes below 0x20 is not
 * enough: a title "a\xc2\x9c\xc2\x9b6n" would end our OSC early and send
 * the user's terminal a cursor position query. Input is decoded strictly
 * by proto/utf8.c (no overlong forms, no surrogates, nothing above
 * U+10FFFF); each ill-formed sequence becomes U+FFFD, each control '?' or
 * nothing. What comes out is valid UTF-8 (a protobuf string field may
 * carry it) with no control at all.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

/*
 * Decodes one character at p (len > 0) with ln_utf8_decode. Returns the
 * bytes it spans and sets *cp, or U+FFFD for an ill-formed sequence: the
 * longest start of it that the decoder would take if it went on (the
 * lead byte and the continuation bytes that were still possible:
 * Unicode's "maximal subpart"), so that a cut sequence never swallows
 * the next character. A lead byte alone is always one.
 */
static size_t
tt_decode(const uint8_t *p, size_t len, uint32_t *cp)
{
	uint8_t		 q[4];
	size_t		 n, k;
	uint32_t	 c;

	if ((n = ln_utf8_decode(p, len, cp)) != 0)
		return (n);
	*cp = TT_REPLACEMENT;
	/* A start that continuation bytes would complete was cut short. */
	for (k = len < 3 ? len : 3; k > 1; k--) {
		memset(q, 0x80, sizeof q);
		memcpy(q, p, k);
		if (ln_utf8_decode(q, sizeof q, &c) > k)
			return (k);
	}
	return (1);
}

/* Whether a terminal would act on this character. */
static int
tt_control(uint32_t cp)
{
	return (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f));
}

/* Encodes cp (a valid scalar value) as UTF-8 into b; returns its length. */
static size_t
tt_encode(uint32_t cp, uint8_t b[4])
{
	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		return (1);
	}
	if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return (2);
	}
	if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return (3);
	}
	b[0] = (uint8_t)(0xf0 | cp >> 18);
	b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	b[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return (4);
}

/*
 * Writes src (len bytes, NULs included) into dst (size dstsz > 0) as text
 * safe to show: controls become '?' (dropped with TT_DROP), ill-formed
 * UTF-8 becomes U+FFFD. Stops before a character that would not fit, so
 * that dst is never cut inside one. Always NUL-terminates; returns the
 * bytes written, NUL excluded.
 */
size_t
tt_clean(char *dst, size_t dstsz, const void *src, size_t len, int flags)
{
	const uint8_t	*p = src;
	uint8_t		 b[4];
	size_t		 i = 0, o = 0, n, k;
	uint32_t	 cp;

	while (i < len) {
		i += tt_decode(p + i, len - i, &cp);
		if (tt_control(cp)) {
			if (flags & TT_DROP)
				continue;
			cp = '?';
		}
		k = tt_encode(cp, b);
		if (k >= dstsz - o)
			break;
		for (n = 0; n < k; n++)
			dst[o++] = (char)b[n];
	}
	dst[o] = '\0';
	return (o);
}

/* tt_clean into a new string big enough for all of src; free it. */
char *
tt_dup(const void *src, size_t len, int flags)
{
	char	*s;

	/* One byte never becomes more than the 3 of U+FFFD. */
	s = xmalloc(3 * len + 1);
	tt_clean(s, 3 * len + 1, src, len, flags);
	return (s);
}

/* tt_clean of a C string into itself, cut to its own size; '?' only. */
void
tt_clean_str(char *s, size_t size)
{
	char	*t;

	t = tt_dup(s, strlen(s), 0);
	tt_clean(s, size, t, strlen(t), 0);
	free(t);
}
