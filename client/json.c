/*
 * json.c: a small JSON writer (RFC 8259) for `lnsh ls --json`. Output only,
 * so hand-written: it places the commas and colons, escapes strings, and
 * guarantees valid UTF-8 whatever bytes a session's command or title hold
 * (an invalid sequence becomes U+FFFD), since a script's JSON parser would
 * otherwise reject the whole listing for one odd window title.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"

#define JSON_REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

/* Appends n bytes. */
static void
json_put(struct json *j, const char *s, size_t n)
{
	size_t	cap;

	if (j->len + n + 1 > j->cap) {
		cap = j->cap == 0 ? 256 : j->cap;
		while (j->len + n + 1 > cap)
			cap *= 2;
		j->buf = xreallocarray(j->buf, cap, 1);
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

/* Appends a C string. */
static void
json_puts(struct json *j, const char *s)
{
	json_put(j, s, strlen(s));
}

/* Starts a value: a comma before it unless it is first or follows a key. */
static void
json_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth > 0 && j->need_comma[j->depth - 1])
		json_puts(j, ",");
	if (j->depth > 0)
		j->need_comma[j->depth - 1] = 1;
}

void
json_init(struct json *j)
{
	memset(j, 0, sizeof *j);
	json_put(j, "", 0);
}

/* Frees the writer's buffer. */
void
json_free(struct json *j)
{
	free(j->buf);
	memset(j, 0, sizeof *j);
}

/* Opens a container; nesting beyond JSON_MAX_DEPTH is a programming error. */
static void
json_open(struct json *j, const char *c)
{
	json_value(j);
	if (j->depth == JSON_MAX_DEPTH)
		abort();
	j->need_comma[j->depth++] = 0;
	json_puts(j, c);
}

static void
json_close(struct json *j, const char *c)
{
	if (j->depth == 0)
		abort();
	j->depth--;
	json_puts(j, c);
}

/* "[". */
void
json_begin_array(struct json *j)
{
	json_open(j, "[");
}

/* "]". */
void
json_end_array(struct json *j)
{
	json_close(j, "]");
}

/* "{". */
void
json_begin_object(struct json *j)
{
	json_open(j, "{");
}

/* "}". */
void
json_end_object(struct json *j)
{
	json_close(j, "}");
}

/* A member name and its colon; the next value is the member's. */
void
json_key(struct json *j, const char *key)
{
	json_cstring(j, key);
	json_puts(j, ":");
	j->after_key = 1;
}

/* A string value of n bytes, escaped, as valid UTF-8. */
void
json_string(struct json *j, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			 esc[8];
	size_t			 i = 0, k;
	uint32_t		 cp;

	json_value(j);
	json_puts(j, "\"");
	while (i < n) {
		switch (p[i]) {
		case '"':
			json_puts(j, "\\\"");
			break;
		case '\\':
			json_puts(j, "\\\\");
			break;
		case '\n':
			json_puts(j, "\\n");
			break;
		case '\r':
			json_puts(j, "\\r");
			break;
		case '\t':
			json_puts(j, "\\t");
			break;
		case '\b':
			json_puts(j, "\\b");
			break;
		case '\f':
			json_puts(j, "\\f");
			break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f) {
				snprintf(esc, sizeof esc, "\\u%04x", p[i]);
				json_puts(j, esc);
				break;
			}
			if ((k = ln_utf8_decode(p + i, n - i, &cp)) == 0) {
				json_puts(j, JSON_REPLACEMENT);
				break;
			}
			/* C1 controls escaped as C0 are: json | cat is shown. */
			if (cp >= 0x80 && cp <= 0x9f) {
				snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
				json_puts(j, esc);
				i += k;
				continue;
			}
			json_put(j, s + i, k);
			i += k;
			continue;
		}
		i++;
	}
	json_puts(j, "\"");
}

/* A string value from a C string; NULL is written as null. */
void
json_cstring(struct json *j, const char *s)
{
	if (s == NULL)
		json_null(j);
	else
		json_string(j, s, strlen(s));
}

void
json_int(struct json *j, long long v)
{
	char	s[32];

	json_value(j);
	snprintf(s, sizeof s, "%lld", v);
	json_puts(j, s);
}

void
json_null(struct json *j)
{
	json_value(j);
	json_puts(j, "null");
}

/*
 * Seconds since the epoch as an RFC 3339 UTC timestamp,
 * "2006-01-02T15:04:05Z", into out (at least 21 bytes).
 */
int
json_rfc3339(int64_t t, char *out, size_t len)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
	    tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999 ||
	    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return (LN_E_INVAL);
	return (0);
}

/* A timestamp value (RFC 3339, UTC); null if it cannot be one. */
int
json_time(struct json *j, int64_t t)
{
	char	s[32];

	if (json_rfc3339(t, s, sizeof s) != 0) {
		json_null(j);
		return (LN_E_INVAL);
	}
	json_cstring(j, s);
	return (0);
}
