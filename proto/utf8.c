/*
 * utf8.c: the one UTF-8 decoder for text from elsewhere (JSON output of
 * names and commands, scrollback lines drawn by the client). It follows
 * RFC 3629: overlong forms, surrogates and code points above U+10FFFF are
 * not characters, so that no byte string has two spellings (an overlong
 * "/" or NUL must not slip past a check made on the decoded text).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/*
 * The character at s (n > 0 bytes there): its length, with its code point
 * in *cp; or 0 when the bytes are not one (*cp untouched).
 */
size_t
ln_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
	size_t		len, i;
	uint32_t	c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return (1);
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else
		return (0);
	if (len > n)
		return (0);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (len);
}

/*
 * How many bytes at s (n > 0 there) a reader replaces with one U+FFFD when
 * ln_utf8_decode refuses them: a stray byte alone, else the lead byte and
 * the continuation bytes that follow it, up to the length it announces.
 */
size_t
ln_utf8_skip(const uint8_t *s, size_t n)
{
	size_t	len, i;

	if ((s[0] & 0xe0) == 0xc0)
		len = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4;
	else
		return (1);
	for (i = 1; i < len && i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			break;
	return (i);
}
