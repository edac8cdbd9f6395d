/*
 * hosts.c: the client's hosts file: which address and host key an alias
 * stands for. The host key is what keeps a man in the middle out, so the
 * file is refused whole when any line is malformed or others can write it,
 * and it is only ever replaced atomically.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "client.h"

/* What to tell someone who has no usable line for a server. */
#define HOSTS_HOW_TO_ADD						\
	"add it with `lnsh host add ALIAS ADDRESS[:PORT] HOSTKEY` (HOSTKEY " \
	"is what `lnshd pubkey` prints on the server) or pair with "	\
	"`lnsh pair ALIAS ADDRESS[:PORT] CODE`"

/* Is s a valid alias: 1 to HOSTS_ALIAS_MAX [A-Za-z0-9._-], no leading '-'? */
int
hosts_alias_ok(const char *s)
{
	size_t	i;

	if (s[0] == '\0' || s[0] == '-')
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= HOSTS_ALIAS_MAX)
			return (0);
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return (0);
	}
	return (1);
}

/*
 * Is s an account name for a hosts line: 1 to LN_USER_NAME_MAX of
 * [A-Za-z0-9._-]?
 */
int
hosts_user_ok(const char *s)
{
	size_t	i;

	if (s[0] == '\0' || s[0] == '-')
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= LN_USER_NAME_MAX)
			return (0);
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return (0);
	}
	return (1);
}

/* "host:port", or "[v6]:port" when the host has a colon, into out. */
int
hosts_format_address(const char *addr, uint16_t port, char *out, size_t len)
{
	int	n;

	if (strchr(addr, ':') != NULL)
		n = snprintf(out, len, "[%s]:%u", addr, (unsigned)port);
	else
		n = snprintf(out, len, "%s:%u", addr, (unsigned)port);
	if (n < 0 || (size_t)n >= len)
		return (LN_E_NOSPACE);
	return (0);
}

/* The line of the hosts file that stands for an entry, without "\n". */
int
hosts_format_line(const struct host_entry *e, char *out, size_t len)
{
	char	addr[HOSTS_ADDR_MAX + 16], key[LN_KEY_TEXT_MAX];
	int	n, r;

	if ((r = hosts_format_address(e->addr, e->port, addr,
	    sizeof addr)) != 0)
		return (r);
	if ((r = key_format(e->key, e->comment, key, sizeof key)) != 0)
		return (r);
	n = snprintf(out, len, "%s %s%s%s %s", e->alias, e->user,
	    e->user[0] != '\0' ? "@" : "", addr, key);
	if (n < 0 || (size_t)n >= len)
		return (LN_E_NOSPACE);
	return (0);
}

/*
 * Splits off the next blank-separated field of s into out (cap bytes).
 * Returns the rest of s, or NULL if there is no field or it is too long.
 */
static const char *
next_field(const char *s, char *out, size_t cap)
{
	size_t	n;

	s += strspn(s, " \t");
	n = strcspn(s, " \t");
	if (n == 0 || n >= cap)
		return (NULL);
	memcpy(out, s, n);
	out[n] = '\0';
	return (s + n);
}

/*
 * Parses one line's fields into e; *why says what was expected when it
 * fails. The key must carry its "lnsh-x25519" prefix here.
 */
static int
parse_line(const char *line, struct host_entry *e, const char **why)
{
	char		 field[LN_USER_NAME_MAX + HOSTS_ADDR_MAX + 16];
	const char	*s, *addr, *at;

	if ((s = next_field(line, e->alias, sizeof e->alias)) == NULL ||
	    !hosts_alias_ok(e->alias)) {
		*why = "expected an alias ([A-Za-z0-9._-], at most "
		    LN_STR(HOSTS_ALIAS_MAX) ", not starting with '-') as the "
		    "first field of "
		    "\"ALIAS ADDRESS[:PORT] " LN_KEY_TYPE " BASE64\"";
		return (LN_E_INVAL);
	}
	if ((s = next_field(s, field, sizeof field)) == NULL) {
		*why = "expected [USER@]ADDRESS[:PORT] after the alias";
		return (LN_E_INVAL);
	}
	/* USER@: the account on the server (lnsh pair stores it). */
	addr = field;
	e->user[0] = '\0';
	if ((at = strchr(field, '@')) != NULL) {
		if ((size_t)(at - field) > LN_USER_NAME_MAX) {
			*why = "expected a user name of at most "
			    LN_STR(LN_USER_NAME_MAX) " characters before '@'";
			return (LN_E_INVAL);
		}
		memcpy(e->user, field, (size_t)(at - field));
		e->user[at - field] = '\0';
		if (!hosts_user_ok(e->user)) {
			*why = "expected a user name of letters, digits, '.', "
			    "'_' and '-' before '@'";
			return (LN_E_INVAL);
		}
		addr = at + 1;
	}
	if (ln_split_hostport(addr, e->addr, sizeof e->addr, &e->port,
	    LN_DEFAULT_PORT, why) != 0)
		return (LN_E_INVAL);
	if (*(s + strspn(s, " \t")) == '\0') {
		*why = "expected the host key \"" LN_KEY_TYPE " BASE64\" "
		    "after the address";
		return (LN_E_INVAL);
	}
	return (key_parse(s, e->key, e->comment, why));
}

/*
 * Builds an entry from `lnsh host add` arguments: alias, ADDRESS[:PORT],
 * and the host key as "lnsh-x25519 BASE64 [comment]" (what `lnshd pubkey`
 * prints) or just its BASE64.
 */
int
hosts_entry_make(const char *alias, const char *address, const char *key,
    struct host_entry *out, char **cause)
{
	struct host_entry	 e;
	const char		*why, *at;
	size_t			 klen;

	memset(&e, 0, sizeof e);
	if (!hosts_alias_ok(alias)) {
		ln_cause(cause, "bad alias '%s': use letters, digits, '.', "
		    "'_' and '-', at most %d, not starting with '-'", alias,
		    HOSTS_ALIAS_MAX);
		return (LN_E_INVAL);
	}
	snprintf(e.alias, sizeof e.alias, "%s", alias);
	if ((at = strchr(address, '@')) != NULL) {
		if ((size_t)(at - address) > LN_USER_NAME_MAX ||
		    (memcpy(e.user, address, (size_t)(at - address)),
		    e.user[at - address] = '\0', !hosts_user_ok(e.user))) {
			ln_cause(cause, "bad user in '%s': use letters, digits, "
			    "'.', '_' and '-', at most %d", address,
			    LN_USER_NAME_MAX);
			return (LN_E_INVAL);
		}
		address = at + 1;
	}
	if (ln_split_hostport(address, e.addr, sizeof e.addr, &e.port,
	    LN_DEFAULT_PORT, &why) != 0) {
		ln_cause(cause, "bad address '%s': %s", address, why);
		return (LN_E_INVAL);
	}
	klen = strlen(key);
	while (klen > 0 && isspace((unsigned char)key[klen - 1]))
		klen--;
	if (key_from_b64(key, klen, e.key) != 0 &&
	    key_parse(key, e.key, e.comment, &why) != 0) {
		ln_cause(cause, "bad host key: expected \"%s BASE64\" as "
		    "`lnshd pubkey` prints it on the server", LN_KEY_TYPE);
		return (LN_E_INVAL);
	}
	memcpy(out, &e, sizeof e);
	return (0);
}

void
hosts_free(struct hosts *h)
{
	free(h->entries);
	h->entries = NULL;
	h->n = 0;
}

/*
 * Parses the text of a hosts file (path only names it in messages). Any
 * malformed line or repeated alias fails the whole file with file:line.
 */
int
hosts_parse(const char *path, const uint8_t *data, size_t len,
    struct hosts *out, char **cause)
{
	struct hosts		 h = { NULL, 0 };
	struct host_entry	 e;
	struct buf		 b;
	char			 line[LN_TEXT_LINE_MAX];
	const char		*s, *why;
	unsigned		 lineno = 0;
	size_t			 i;
	int			 r;

	buf_reader(&b, data, len);
	while ((r = ln_text_line(&b, line, sizeof line)) != 0) {
		lineno++;
		if (r < 0) {
			ln_cause(cause, "%s:%u: line too long or not text",
			    path, lineno);
			goto fail;
		}
		s = line + strspn(line, " \t");
		if (*s == '\0' || *s == '#')
			continue;
		memset(&e, 0, sizeof e);
		if (parse_line(s, &e, &why) != 0) {
			ln_cause(cause, "%s:%u: %s", path, lineno, why);
			goto fail;
		}
		e.line = lineno;
		for (i = 0; i < h.n; i++) {
			if (strcmp(h.entries[i].alias, e.alias) == 0) {
				ln_cause(cause, "%s:%u: alias '%s' already "
				    "used at line %u", path, lineno, e.alias,
				    h.entries[i].line);
				goto fail;
			}
		}
		h.entries = xreallocarray(h.entries, h.n + 1,
		    sizeof *h.entries);
		h.entries[h.n++] = e;
	}
	*out = h;
	return (0);
fail:
	hosts_free(&h);
	return (LN_E_INVAL);
}

/* Reads the raw hosts file, checked; a missing one reads as empty. */
static int
hosts_read(const char *path, uint8_t **data, size_t *len, char **cause)
{
	int	r;

	r = ln_file_read(path, LN_FILE_NO_OTHER_WRITE | LN_FILE_OWNED |
	    LN_FILE_MISSING_OK, data, len, cause);
	if (r == 0 && *data == NULL) {
		*data = (uint8_t *)xstrdup("");
		*len = 0;
	}
	return (r);
}

/* Loads and parses a hosts file; a missing file has no entries. */
int
hosts_load(const char *path, struct hosts *out, char **cause)
{
	uint8_t	*data;
	size_t	 len;
	int	 r;

	if ((r = hosts_read(path, &data, &len, cause)) != 0)
		return (r);
	r = hosts_parse(path, data, len, out, cause);
	free(data);
	return (r);
}

/*
 * Finds the server a HOST argument names: an alias, else ADDRESS[:PORT]
 * that some line has (the first such line). Nothing found is an error
 * that says how to add the server.
 */
int
hosts_lookup(const char *path, const char *host, struct host_entry *out,
    char **cause)
{
	struct hosts	 h;
	char		 addr[HOSTS_ADDR_MAX + 1], shown[HOSTS_ADDR_MAX + 16];
	const char	*why;
	uint16_t	 port;
	size_t		 i;
	int		 r;

	if ((r = hosts_load(path, &h, cause)) != 0)
		return (r);
	for (i = 0; i < h.n; i++) {
		if (strcmp(h.entries[i].alias, host) == 0)
			goto found;
	}
	if (ln_split_hostport(host, addr, sizeof addr, &port,
	    LN_DEFAULT_PORT, &why) != 0) {
		ln_cause(cause, "'%s' is not an alias in %s, nor an address: "
		    "%s", host, path, why);
		r = LN_E_INVAL;
		goto out;
	}
	for (i = 0; i < h.n; i++) {
		if (strcasecmp(h.entries[i].addr, addr) == 0 &&
		    h.entries[i].port == port)
			goto found;
	}
	(void)hosts_format_address(addr, port, shown, sizeof shown);
	ln_cause(cause, "'%s' is not an alias in %s and no line there has the "
	    "address %s, so its host key is unknown: " HOSTS_HOW_TO_ADD, host,
	    path, shown);
	r = LN_E_INVAL;
	goto out;
found:
	*out = h.entries[i];
	r = 0;
out:
	hosts_free(&h);
	return (r);
}

/* Replaces the hosts file with text, creating its directory if needed. */
static int
hosts_write(const char *path, const char *text, size_t len, char **cause)
{
	char	*copy;
	int	 r;

	copy = xstrdup(path);
	r = ln_mkdir(dirname(copy), 0700, cause);
	free(copy);
	if (r != 0)
		return (r);
	return (ln_file_write(path, text, len, 0600, 0, cause));
}

/*
 * Appends a line for e, refusing an alias that is already there. The rest
 * of the file, comments included, is kept byte for byte.
 */
int
hosts_add(const char *path, const struct host_entry *e, char **cause)
{
	struct hosts	 h;
	uint8_t		*data = NULL;
	char		 line[LN_TEXT_LINE_MAX], *text = NULL;
	size_t		 len = 0, i, n;
	int		 r;

	if (hosts_format_line(e, line, sizeof line) != 0 ||
	    !hosts_alias_ok(e->alias)) {
		ln_cause(cause, "%s: bad entry for alias '%s'", path,
		    e->alias);
		return (LN_E_INVAL);
	}
	if ((r = hosts_read(path, &data, &len, cause)) != 0)
		return (r);
	if ((r = hosts_parse(path, data, len, &h, cause)) != 0)
		goto out;
	for (i = 0; i < h.n; i++) {
		if (strcmp(h.entries[i].alias, e->alias) == 0) {
			ln_cause(cause, "%s:%u: alias '%s' already exists; "
			    "remove it first with `lnsh host rm %s`", path,
			    h.entries[i].line, e->alias, e->alias);
			r = LN_E_INVAL;
			break;
		}
	}
	hosts_free(&h);
	if (r != 0)
		goto out;

	n = len + 1 + strlen(line) + 2;
	text = xmalloc(n);
	memcpy(text, data, len);
	if (len > 0 && text[len - 1] != '\n')
		text[len++] = '\n';
	snprintf(text + len, n - len, "%s\n", line);
	r = hosts_write(path, text, strlen(text), cause);
out:
	free(text);
	free(data);
	return (r);
}

/* Removes the line of an alias; the other lines are kept byte for byte. */
int
hosts_remove(const char *path, const char *alias, char **cause)
{
	struct hosts	 h;
	struct buf	 b;
	uint8_t		*data = NULL;
	char		*text = NULL, line[LN_TEXT_LINE_MAX];
	size_t		 len = 0, i, start, used = 0;
	unsigned	 lineno = 0, target = 0;
	int		 r;

	if ((r = hosts_read(path, &data, &len, cause)) != 0)
		return (r);
	if ((r = hosts_parse(path, data, len, &h, cause)) != 0)
		goto out;
	for (i = 0; i < h.n; i++) {
		if (strcmp(h.entries[i].alias, alias) == 0)
			target = h.entries[i].line;
	}
	hosts_free(&h);
	if (target == 0) {
		ln_cause(cause, "no alias '%s' in %s", alias, path);
		r = LN_E_INVAL;
		goto out;
	}

	/* Copy every line but the target's, exactly as it was. */
	text = xmalloc(len + 1);
	buf_reader(&b, data, len);
	for (;;) {
		start = buf_used(&b);
		if (ln_text_line(&b, line, sizeof line) == 0)
			break;
		if (++lineno == target)
			continue;
		memcpy(text + used, data + start, buf_used(&b) - start);
		used += buf_used(&b) - start;
	}
	r = hosts_write(path, text, used, cause);
out:
	free(text);
	free(data);
	return (r);
}
