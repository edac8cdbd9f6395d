/*
 * config.c: lnshd's config file: "keyword value" lines and # comments
 * (docs/files.md lists every keyword). A file with any error is rejected
 * whole, with every error reported as file:line, so that lnshd never runs
 * on half of what the administrator wrote; the caller exits before it
 * touches any session.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define CONFIG_DEFAULT_LISTEN		"[::]"	/* dual-stack */

/* Errors found so far in one file, one "file:line: what" per line. */
struct config_errors {
	char		*text;
	size_t		 len;
	unsigned	 n;
};

/* Parses a value into the config; *why says what was expected. */
typedef int (*config_set_fn)(struct config *, const char *, const char **);

struct config_keyword {
	const char	*name;
	config_set_fn	 set;
	int		 path;		/* value is the rest of the line */
	int		 repeat;	/* may appear more than once */
};

static const char *log_level_names[] = { "error", "warn", "info", "debug" };

/* Fills in every default (docs/files.md). */
void
config_defaults(struct config *c)
{
	const char	*why;

	memset(c, 0, sizeof *c);
	(void)config_parse_listen(CONFIG_DEFAULT_LISTEN, &c->listen[0], &why);
	c->nlisten = 1;
	c->scrollback_lines = SB_DEFAULT_LINES;
	c->log_level = CONFIG_LOG_INFO;
	c->max_sessions_per_user = CONFIG_DEFAULT_SESSIONS;
	c->max_clients = CONFIG_DEFAULT_CLIENTS;
	c->keep_exited_sec = HOLDER_EXITED_KEEP_SEC;
}

/* Frees the strings of a config. */
void
config_free(struct config *c)
{
	free(c->holder_path);
	free(c->state_dir);
	c->holder_path = c->state_dir = NULL;
}

/* The name of a log level, as the config file spells it. */
const char *
config_log_level_name(enum config_log_level l)
{
	if ((unsigned)l >= sizeof log_level_names / sizeof log_level_names[0])
		return ("unknown");
	return (log_level_names[l]);
}

/* Parses "error", "warn", "info" or "debug". */
int
config_log_level_parse(const char *s, enum config_log_level *l)
{
	size_t	i;

	for (i = 0; i < sizeof log_level_names / sizeof log_level_names[0];
	    i++) {
		if (strcmp(s, log_level_names[i]) == 0) {
			*l = (enum config_log_level)i;
			return (0);
		}
	}
	return (LN_E_INVAL);
}

/*
 * Parses a listen address, ADDR[:PORT] with a numeric IPv4 address or an
 * IPv6 one in brackets ([::]:60100); no names, so that starting lnshd
 * never waits for DNS. Also for lnshd --listen.
 */
int
config_parse_listen(const char *s, struct config_listen *l,
    const char **why)
{
	struct config_listen	 out;
	struct in6_addr		 a6;
	struct in_addr		 a4;

	if (ln_split_hostport(s, out.host, sizeof out.host, &out.port,
	    LN_DEFAULT_PORT, why) != 0)
		return (LN_E_INVAL);
	if (strchr(out.host, ':') != NULL ?
	    inet_pton(AF_INET6, out.host, &a6) != 1 :
	    inet_pton(AF_INET, out.host, &a4) != 1) {
		*why = "expected a numeric IPv4 address or an IPv6 address in "
		    "brackets, as in 0.0.0.0:60100 or [::]:60100";
		return (LN_E_INVAL);
	}
	*l = out;
	return (0);
}

/* Parses a decimal number from lo to hi. */
static int
number(const char *s, unsigned long lo, unsigned long hi, unsigned *v)
{
	unsigned long	 n;
	char		*end;

	if (*s < '0' || *s > '9')
		return (LN_E_INVAL);
	errno = 0;
	n = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || n < lo || n > hi)
		return (LN_E_INVAL);
	*v = (unsigned)n;
	return (0);
}

/* listen ADDR[:PORT]: may repeat; the first one replaces the default. */
static int
set_listen(struct config *c, const char *v, const char **why)
{
	struct config_listen	l;
	size_t			i;

	if (config_parse_listen(v, &l, why) != 0)
		return (LN_E_INVAL);
	for (i = 0; i < c->nlisten; i++) {
		if (strcmp(c->listen[i].host, l.host) == 0 &&
		    c->listen[i].port == l.port) {
			*why = "this address and port are already listed";
			return (LN_E_INVAL);
		}
	}
	if (c->nlisten == CONFIG_LISTEN_MAX) {
		*why = "too many listen lines (at most "
		    LN_STR(CONFIG_LISTEN_MAX) ")";
		return (LN_E_INVAL);
	}
	c->listen[c->nlisten++] = l;
	return (0);
}

/* scrollback-lines N: lines kept per session, 0 to CONFIG_MAX_SCROLLBACK. */
static int
set_scrollback(struct config *c, const char *v, const char **why)
{
	*why = "expected a number of lines from 0 to "
	    LN_STR(CONFIG_MAX_SCROLLBACK);
	return (number(v, 0, CONFIG_MAX_SCROLLBACK, &c->scrollback_lines));
}

/* log-level error|warn|info|debug. */
static int
set_log_level(struct config *c, const char *v, const char **why)
{
	*why = "expected error, warn, info or debug";
	return (config_log_level_parse(v, &c->log_level));
}

/* max-sessions-per-user N. */
static int
set_max_sessions(struct config *c, const char *v, const char **why)
{
	*why = "expected a number from 1 to " LN_STR(CONFIG_MAX_SESSIONS);
	return (number(v, 1, CONFIG_MAX_SESSIONS, &c->max_sessions_per_user));
}

/* max-clients N. */
static int
set_max_clients(struct config *c, const char *v, const char **why)
{
	*why = "expected a number from 1 to " LN_STR(CONFIG_MAX_CLIENTS);
	return (number(v, 1, CONFIG_MAX_CLIENTS, &c->max_clients));
}

/*
 * keep-exited DURATION: how long an exited session stays listed, nobody
 * having attached to it or killed it: seconds, or a number followed by s,
 * m, h or d; from 1 second to CONFIG_MAX_KEEP_EXITED_DAYS days.
 */
static int
set_keep_exited(struct config *c, const char *v, const char **why)
{
	unsigned long	 n, unit = 1;
	char		*end;

	*why = "expected a duration from 1s to "
	    LN_STR(CONFIG_MAX_KEEP_EXITED_DAYS) "d, as in 30s, 90m, 24h or 7d";
	if (*v < '0' || *v > '9')
		return (LN_E_INVAL);
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0)
		return (LN_E_INVAL);
	if (*end != '\0') {
		if (end[1] != '\0')
			return (LN_E_INVAL);
		switch (*end) {
		case 's':
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 60 * 60;
			break;
		case 'd':
			unit = 24 * 60 * 60;
			break;
		default:
			return (LN_E_INVAL);
		}
	}
	if (n == 0 || n > CONFIG_MAX_KEEP_EXITED / unit)
		return (LN_E_INVAL);
	c->keep_exited_sec = (unsigned)(n * unit);
	return (0);
}

/* Sets a string option to an absolute path. */
static int
set_path(char **p, const char *v, const char **why)
{
	if (v[0] != '/') {
		*why = "expected an absolute path";
		return (LN_E_INVAL);
	}
	free(*p);
	*p = xstrdup(v);
	return (0);
}

/* holder-path FILE: the lnsh-holder program lnshd runs for a session. */
static int
set_holder_path(struct config *c, const char *v, const char **why)
{
	return (set_path(&c->holder_path, v, why));
}

/* state-dir DIR: host key, holder sockets, control socket. */
static int
set_state_dir(struct config *c, const char *v, const char **why)
{
	return (set_path(&c->state_dir, v, why));
}

static const struct config_keyword keywords[] = {
	{ "listen",		  set_listen,		0, 1 },
	{ "scrollback-lines",	  set_scrollback,	0, 0 },
	{ "log-level",		  set_log_level,	0, 0 },
	{ "max-sessions-per-user", set_max_sessions,	0, 0 },
	{ "max-clients",	  set_max_clients,	0, 0 },
	{ "keep-exited",	  set_keep_exited,	0, 0 },
	{ "holder-path",	  set_holder_path,	1, 0 },
	{ "state-dir",		  set_state_dir,	1, 0 },
};
#define NKEYWORDS	(sizeof keywords / sizeof keywords[0])

/* Edit distance between two short words, for "did you mean". */
static size_t
distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, prev, cur, tmp;
	size_t	row[64];

	if (la >= 64 || lb >= 64)
		return ((size_t)-1);
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < cur)
				cur = row[j] + 1;
			if (row[j - 1] + 1 < cur)
				cur = row[j - 1] + 1;
			tmp = row[j];
			row[j] = cur;
			prev = tmp;
		}
	}
	return (row[lb]);
}

/* The known keyword closest to word, if it is close enough to be meant. */
static const char *
closest(const char *word)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = (size_t)-1, limit;

	limit = strlen(word) / 3 < 2 ? 2 : strlen(word) / 3;
	for (i = 0; i < NKEYWORDS; i++) {
		d = distance(word, keywords[i].name);
		if (d < bestd) {
			bestd = d;
			best = keywords[i].name;
		}
	}
	return (bestd <= limit ? best : NULL);
}

static void	error_add(struct config_errors *, const char *, unsigned,
		    const char *, ...)
		    __attribute__((__format__(__printf__, 4, 5)));

/* Adds one "file:line: what" to the errors. */
static void
error_add(struct config_errors *e, const char *path, unsigned line,
    const char *fmt, ...)
{
	char	msg[LN_TEXT_LINE_MAX + 256];
	size_t	n;
	va_list	ap;

	snprintf(msg, sizeof msg, "%s:%u: ", path, line);
	n = strlen(msg);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof msg - n, fmt, ap);
	va_end(ap);
	n = strlen(msg);
	e->text = xreallocarray(e->text, 1, e->len + n + 2);
	if (e->len > 0)
		e->text[e->len++] = '\n';
	memcpy(e->text + e->len, msg, n + 1);
	e->len += n;
	e->n++;
}

/* Applies one non-comment line; problems go to e. */
static void
config_line(struct config *c, const char *path, unsigned lineno, char *s,
    unsigned *seen, int *listen_set, struct config_errors *e)
{
	const struct config_keyword	*k = NULL;
	const char			*hint, *why = "bad value";
	char				*v, *end;
	size_t				 i, n;

	n = strcspn(s, " \t");
	v = s + n;
	if (*v != '\0')
		*v++ = '\0';
	v += strspn(v, " \t");
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';

	for (i = 0; i < NKEYWORDS; i++) {
		if (strcmp(s, keywords[i].name) == 0) {
			k = &keywords[i];
			break;
		}
	}
	if (k == NULL) {
		if ((hint = closest(s)) != NULL)
			error_add(e, path, lineno, "unknown keyword '%s' (did "
			    "you mean '%s'?)", s, hint);
		else
			error_add(e, path, lineno, "unknown keyword '%s' "
			    "(known: listen, scrollback-lines, log-level, "
			    "max-sessions-per-user, max-clients, holder-path, "
			    "state-dir)", s);
		return;
	}
	if (*v == '\0') {
		error_add(e, path, lineno, "'%s' needs a value", k->name);
		return;
	}
	if (!k->path && strcspn(v, " \t") != strlen(v)) {
		error_add(e, path, lineno, "'%s' takes one value; remove what "
		    "follows it", k->name);
		return;
	}
	if (!k->repeat && seen[i] != 0) {
		error_add(e, path, lineno, "'%s' is already set at line %u",
		    k->name, seen[i]);
		return;
	}
	seen[i] = lineno;
	if (k->set == set_listen && !*listen_set) {
		c->nlisten = 0;		/* the file's list replaces [::] */
		*listen_set = 1;
	}
	if (k->set(c, v, &why) != 0)
		error_add(e, path, lineno, "bad value for '%s': %s", k->name,
		    why);
}

/*
 * Parses the text of a config file (path only names it in messages) over
 * the defaults. With any error nothing is written to *out and *cause lists
 * every error found, one per line.
 */
int
config_parse(const char *path, const uint8_t *data, size_t len,
    struct config *out, char **cause)
{
	struct config		 c;
	struct config_errors	 e = { NULL, 0, 0 };
	struct buf		 b;
	char			 line[LN_TEXT_LINE_MAX], *s;
	unsigned		 lineno = 0, seen[NKEYWORDS];
	int			 r, listen_set = 0;

	config_defaults(&c);
	memset(seen, 0, sizeof seen);
	buf_reader(&b, data, len);
	while ((r = ln_text_line(&b, line, sizeof line)) != 0) {
		lineno++;
		if (r < 0) {
			error_add(&e, path, lineno, "%s", r == LN_E_NOSPACE ?
			    "line too long" : "line holds a NUL byte");
			continue;
		}
		s = line + strspn(line, " \t");
		if (*s == '\0' || *s == '#')
			continue;
		config_line(&c, path, lineno, s, seen, &listen_set, &e);
	}
	if (e.n != 0) {
		if (cause != NULL)
			*cause = e.text;
		else
			free(e.text);
		config_free(&c);
		return (LN_E_INVAL);
	}
	*out = c;
	return (0);
}

/*
 * Loads lnshd's config file. A file others can write is refused (it says
 * which program lnshd runs). With missing_ok, an absent file gives the
 * defaults: that is how the default location behaves; a file named on
 * the command line must exist.
 */
int
config_load(const char *path, int missing_ok, struct config *out,
    char **cause)
{
	uint8_t	*data = NULL;
	size_t	 len = 0;
	int	 r;

	r = ln_file_read(path, LN_FILE_NO_OTHER_WRITE | LN_FILE_OWNED |
	    (missing_ok ? LN_FILE_MISSING_OK : 0), &data, &len, cause);
	if (r != 0)
		return (r);
	if (data == NULL) {
		config_defaults(out);
		return (0);
	}
	r = config_parse(path, data, len, out, cause);
	free(data);
	return (r);
}
