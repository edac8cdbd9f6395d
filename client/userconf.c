/*
 * userconf.c: the client's config file, $LNSH_CONFIG_DIR/config
 * (docs/files.md, lnsh(1)): per-host options in ssh_config-like blocks,
 *
 *	# comment
 *	Host fraktal-* !fraktal-old
 *		Session work
 *		Timeout 2
 *	Host *
 *		EscapeKey ^]
 *
 * Each Host line starts a block whose patterns (fnmatch(3) globs, "!" to
 * exclude) are matched against the alias the user typed; lines before the
 * first Host apply to every host. As in ssh, the first value found for an
 * option wins, so specific blocks go first. Keywords are case-insensitive
 * and may be followed by "=". Any malformed line makes the whole file an
 * error naming file:line, and an unknown keyword names the closest known
 * one: a typo silently ignored would be an option silently not applied.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"

/* The options, in the order lnsh(1) lists them; "Host" is not one. */
enum uc_opt {
	UC_SESSION,
	UC_PREDICT,
	UC_ESCAPE,
	UC_TIMEOUT,
	UC_USER,
	UC_NOPTS
};
static const char *uc_names[UC_NOPTS] = {
	"Session", "Predict", "EscapeKey", "Timeout", "User"
};

/* One option line, already checked. */
struct uc_setting {
	enum uc_opt	 opt;
	char		 value[UC_VALUE_MAX];
	unsigned	 line;
};

/* One Host block (block 0: the lines before the first Host, for all). */
struct uc_block {
	char			**patterns;	/* NULL-terminated */
	struct uc_setting	 *settings;
	size_t			  nsettings;
};

struct userconf {
	char		*path;
	struct uc_block	*blocks;
	size_t		 nblocks;
};

/* Is s a name of [A-Za-z0-9._-]{1,max}, not starting with '-'? */
static int
uc_name_ok(const char *s, size_t max)
{
	size_t	n = strlen(s);

	if (n == 0 || n > max || s[0] == '-')
		return (0);
	return (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") == n);
}

/* The edit distance of a and b, case-insensitive (both are short). */
static size_t
uc_distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, d[32][32];

	if (la >= 32 || lb >= 32)
		return ((size_t)-1);
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			d[i][j] = d[i - 1][j - 1] +
			    (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));
			if (d[i - 1][j] + 1 < d[i][j])
				d[i][j] = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < d[i][j])
				d[i][j] = d[i][j - 1] + 1;
		}
	}
	return (d[la][lb]);
}

/*
 * The known keyword closest to word (one it begins, else the nearest by
 * edit distance), or NULL when none is close.
 */
static const char *
uc_closest(const char *word)
{
	const char	*best = NULL;
	size_t		 d, bestd = (size_t)-1, i, limit;

	limit = strlen(word) / 3 > 2 ? strlen(word) / 3 : 2;
	/* A keyword cut short ("escape") is the likeliest slip. */
	for (i = 0; i < UC_NOPTS && strlen(word) >= 3; i++)
		if (strncasecmp(word, uc_names[i], strlen(word)) == 0)
			return (uc_names[i]);
	for (i = 0; i <= UC_NOPTS; i++) {
		d = uc_distance(word, i < UC_NOPTS ? uc_names[i] : "Host");
		if (d < bestd) {
			bestd = d;
			best = i < UC_NOPTS ? uc_names[i] : "Host";
		}
	}
	return (bestd <= limit ? best : NULL);
}

/* Parses "^X" (or "none") into an escape byte; -1 if it is neither. */
static int
uc_escape(const char *s)
{
	int	c;

	if (strcasecmp(s, "none") == 0)
		return (USERCONF_ESCAPE_NONE);
	if (s[0] != '^' || s[1] == '\0' || s[2] != '\0')
		return (-1);
	if (s[1] == '?')
		return (0x7f);
	c = toupper((unsigned char)s[1]);
	if (c < '@' || c > '_')
		return (-1);
	return (c - '@');
}

/* Seconds, fractions allowed, > 0 and at most an hour, into ms. */
static int
uc_timeout(const char *s, uint64_t *ms)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(d > 0) ||
	    d > RPC_TIMEOUT_MAX_SEC)
		return (-1);
	*ms = (uint64_t)(d * 1000);
	if (*ms == 0)
		*ms = 1;
	return (0);
}

/* Checks an option's value; NULL if good, else why not. */
static const char *
uc_check(enum uc_opt opt, const char *v)
{
	uint64_t	ms;

	switch (opt) {
	case UC_SESSION:
		if (!uc_name_ok(v, LN_SESSION_NAME_MAX))
			return ("want a session name of letters, digits, "
			    "'.', '_' and '-', at most "
			    LN_STR(LN_SESSION_NAME_MAX));
		break;
	case UC_PREDICT:
		if (strcasecmp(v, "adaptive") != 0 &&
		    strcasecmp(v, "always") != 0 &&
		    strcasecmp(v, "never") != 0)
			return ("want adaptive, always or never");
		break;
	case UC_ESCAPE:
		if (uc_escape(v) == -1)
			return ("want ^ and a character from @A-Z[\\]^_ or ?, "
			    "such as ^^ or ^], or none");
		break;
	case UC_TIMEOUT:
		if (uc_timeout(v, &ms) != 0)
			return ("want seconds, more than 0 and at most "
			    LN_STR(RPC_TIMEOUT_MAX_SEC));
		break;
	case UC_USER:
		if (!uc_name_ok(v, LN_USER_NAME_MAX))
			return ("want a user name of letters, digits, '.', "
			    "'_' and '-'");
		break;
	default:
		return ("unknown option");
	}
	return (NULL);
}

/* Frees a parsed config. */
void
userconf_free(struct userconf *uc)
{
	size_t	i, j;

	if (uc == NULL)
		return;
	for (i = 0; i < uc->nblocks; i++) {
		for (j = 0; uc->blocks[i].patterns[j] != NULL; j++)
			free(uc->blocks[i].patterns[j]);
		free(uc->blocks[i].patterns);
		free(uc->blocks[i].settings);
	}
	free(uc->blocks);
	free(uc->path);
	free(uc);
}

/* Adds a block with the words of s as its patterns. */
static void
uc_add_block(struct userconf *uc, const char *s)
{
	struct uc_block	*b;
	size_t		 n = 0, len;

	uc->blocks = xreallocarray(uc->blocks, uc->nblocks + 1,
	    sizeof *uc->blocks);
	b = &uc->blocks[uc->nblocks++];
	memset(b, 0, sizeof *b);
	b->patterns = xcalloc(1, sizeof *b->patterns);
	for (;;) {
		s += strspn(s, " \t");
		if ((len = strcspn(s, " \t")) == 0)
			break;
		b->patterns = xreallocarray(b->patterns, n + 2,
		    sizeof *b->patterns);
		b->patterns[n] = xmemdup(s, len + 1);
		b->patterns[n][len] = '\0';
		b->patterns[++n] = NULL;
		s += len;
	}
}

/*
 * Parses one line (no newline) into uc. On error *why says what is wrong
 * (in why, of len bytes).
 */
static int
uc_line(struct userconf *uc, char *line, unsigned lineno, char *why,
    size_t len)
{
	struct uc_block		*b;
	struct uc_setting	*st;
	const char		*hint, *bad;
	char			*s, *kw, *v, *e;
	size_t			 n;
	int			 opt;

	s = line + strspn(line, " \t");
	if (*s == '\0' || *s == '#')
		return (0);
	kw = s;
	n = strcspn(s, " \t=");
	s += n;
	if (*s != '\0')
		*s++ = '\0';
	s += strspn(s, " \t");
	if (*s == '=')
		s += 1 + strspn(s + 1, " \t");
	v = s;
	for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t'); )
		*--e = '\0';

	if (strcasecmp(kw, "Host") == 0) {
		if (*v == '\0') {
			snprintf(why, len, "Host needs at least one pattern");
			return (-1);
		}
		if (strcspn(v, "\"'") != strlen(v)) {
			snprintf(why, len, "Host patterns are not quoted");
			return (-1);
		}
		uc_add_block(uc, v);
		return (0);
	}
	for (opt = 0; opt < UC_NOPTS; opt++)
		if (strcasecmp(kw, uc_names[opt]) == 0)
			break;
	if (opt == UC_NOPTS) {
		if ((hint = uc_closest(kw)) != NULL)
			snprintf(why, len, "unknown option '%.64s'; did you "
			    "mean '%s'?", kw, hint);
		else
			snprintf(why, len, "unknown option '%.64s'; known: "
			    "Host, Session, Predict, EscapeKey, Timeout, User",
			    kw);
		return (-1);
	}
	if (*v == '\0') {
		snprintf(why, len, "%s needs a value", uc_names[opt]);
		return (-1);
	}
	if (strcspn(v, " \t") != strlen(v)) {
		snprintf(why, len, "%s takes one value, not '%.64s'",
		    uc_names[opt], v);
		return (-1);
	}
	if (strlen(v) >= UC_VALUE_MAX ||
	    (bad = uc_check((enum uc_opt)opt, v)) != NULL) {
		snprintf(why, len, "%s %.64s: %s", uc_names[opt], v,
		    strlen(v) >= UC_VALUE_MAX ? "too long" : bad);
		return (-1);
	}
	if (uc->nblocks == 0)
		uc_add_block(uc, "*");
	b = &uc->blocks[uc->nblocks - 1];
	b->settings = xreallocarray(b->settings, b->nsettings + 1,
	    sizeof *b->settings);
	st = &b->settings[b->nsettings++];
	st->opt = (enum uc_opt)opt;
	snprintf(st->value, sizeof st->value, "%s", v);
	st->line = lineno;
	return (0);
}

/*
 * Parses config text (name only names it in messages). On failure
 * *cause is "NAME:LINE: what is wrong".
 */
int
userconf_parse(const char *name, const uint8_t *data, size_t len,
    struct userconf **out, char **cause)
{
	struct userconf	*uc;
	struct buf	 b;
	char		 line[LN_TEXT_LINE_MAX], why[512];
	unsigned	 lineno = 0;
	int		 r;

	uc = xcalloc(1, sizeof *uc);
	uc->path = xstrdup(name);
	buf_reader(&b, data, len);
	while ((r = ln_text_line(&b, line, sizeof line)) != 0) {
		lineno++;
		if (r < 0) {
			ln_cause(cause, "%s:%u: line too long or not text",
			    name, lineno);
			goto fail;
		}
		if (uc_line(uc, line, lineno, why, sizeof why) != 0) {
			ln_cause(cause, "%s:%u: %s", name, lineno, why);
			goto fail;
		}
	}
	*out = uc;
	return (0);
fail:
	userconf_free(uc);
	return (LN_E_INVAL);
}

/*
 * Loads the config file at path: not a symlink, ours, writable by nobody
 * else. A missing file is an empty config.
 */
int
userconf_load(const char *path, struct userconf **out, char **cause)
{
	uint8_t	*data = NULL;
	size_t	 len = 0;
	int	 r;

	r = ln_file_read(path, LN_FILE_NO_OTHER_WRITE | LN_FILE_OWNED |
	    LN_FILE_MISSING_OK, &data, &len, cause);
	if (r != 0)
		return (r);
	r = userconf_parse(path, data != NULL ? data : (const uint8_t *)"",
	    len, out, cause);
	free(data);
	return (r);
}

/* Copies a checked value (it fits) into a field of cap bytes. */
static void
uc_copy(char *dst, size_t cap, const char *src)
{
	size_t	n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * Does a block's pattern list match alias: some pattern matches and no
 * "!pattern" does (as ssh_config).
 */
static int
uc_block_matches(const struct uc_block *b, const char *alias)
{
	const char	*p;
	size_t		 i;
	int		 yes = 0;

	for (i = 0; (p = b->patterns[i]) != NULL; i++) {
		if (p[0] == '!') {
			if (fnmatch(p + 1, alias, 0) == 0)
				return (0);
		} else if (fnmatch(p, alias, 0) == 0)
			yes = 1;
	}
	return (yes);
}

/*
 * The options for alias: the defaults, then the first value of each
 * option from the blocks that match, in file order. Every field is set;
 * the *_line fields say where a value came from (0: the default).
 */
void
userconf_match(const struct userconf *uc, const char *alias,
    struct userconf_host *h)
{
	const struct uc_setting	*st;
	size_t			 i, j;
	unsigned		 seen[UC_NOPTS];

	memset(h, 0, sizeof *h);
	memset(seen, 0, sizeof seen);
	snprintf(h->session, sizeof h->session, "%s",
	    USERCONF_DEFAULT_SESSION);
	h->predict = USERCONF_PREDICT_ADAPTIVE;
	h->escape = USERCONF_DEFAULT_ESCAPE;
	for (i = 0; uc != NULL && i < uc->nblocks; i++) {
		if (!uc_block_matches(&uc->blocks[i], alias))
			continue;
		for (j = 0; j < uc->blocks[i].nsettings; j++) {
			st = &uc->blocks[i].settings[j];
			if (seen[st->opt])
				continue;
			seen[st->opt] = st->line;
			switch (st->opt) {
			case UC_SESSION:
				uc_copy(h->session, sizeof h->session,
				    st->value);
				break;
			case UC_PREDICT:
				h->predict = strcasecmp(st->value, "always")
				    == 0 ? USERCONF_PREDICT_ALWAYS :
				    strcasecmp(st->value, "never") == 0 ?
				    USERCONF_PREDICT_NEVER :
				    USERCONF_PREDICT_ADAPTIVE;
				break;
			case UC_ESCAPE:
				h->escape = uc_escape(st->value);
				break;
			case UC_TIMEOUT:
				(void)uc_timeout(st->value, &h->timeout_ms);
				break;
			case UC_USER:
				uc_copy(h->user, sizeof h->user, st->value);
				break;
			default:
				break;
			}
		}
	}
	h->session_line = seen[UC_SESSION];
	h->predict_line = seen[UC_PREDICT];
	h->escape_line = seen[UC_ESCAPE];
	h->timeout_line = seen[UC_TIMEOUT];
	h->user_line = seen[UC_USER];
}

/*
 * The options for alias from $LNSH_CONFIG_DIR/config (the attach client's
 * entry point). A config error fails, naming file:line.
 */
int
userconf_for_alias(const char *alias, struct userconf_host *h, char **cause)
{
	struct userconf	*uc = NULL;
	char		*path = NULL;
	int		 r;

	if ((r = paths_config_file(USERCONF_FILE, &path, cause)) != 0)
		return (r);
	if ((r = userconf_load(path, &uc, cause)) == 0)
		userconf_match(uc, alias, h);
	userconf_free(uc);
	free(path);
	return (r);
}

/*
 * For rpc.c: applies Timeout (unless $LNSH_TIMEOUT is set: the command
 * line's environment is more specific than a file) and User (unless spec
 * says USER@HOST) for the host's alias.
 */
int
userconf_rpc(const char *spec, const char *alias, uint64_t *ms, char **user,
    char **cause)
{
	struct userconf_host	 h;
	const char		*env;
	int			 r;

	if ((r = userconf_for_alias(alias, &h, cause)) != 0)
		return (r);
	env = getenv("LNSH_TIMEOUT");
	if (h.timeout_line != 0 && (env == NULL || *env == '\0'))
		*ms = h.timeout_ms;
	if (h.user_line != 0 && strchr(spec, '@') == NULL) {
		free(*user);
		*user = xstrdup(h.user);
	}
	return (0);
}
