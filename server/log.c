/*
 * log.c: lnshd's log. One line per event on stderr, with a UTC timestamp
 * and a level; launchd (StandardErrorPath) and systemd (the journal) keep
 * it. Lines at a level above the configured one are not written. Secrets
 * never reach this file: callers log fingerprints, not keys.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#define LOG_LINE_MAX	2048

static enum config_log_level log_level = CONFIG_LOG_INFO;

/* Sets the level from the config (or -v) before anything is logged. */
void
log_init(enum config_log_level level)
{
	log_level = level;
}

/* Would a line at this level be written? Saves formatting debug lines. */
int
log_enabled(enum config_log_level level)
{
	return (level <= log_level);
}

/*
 * Writes one line: "2024-05-01T12:00:00Z lnshd[PID] LEVEL: text". The line
 * goes out in one write so lines of different processes do not interleave,
 * and control characters are replaced, so nothing a client or holder says
 * can forge a line.
 */
static void __attribute__((__format__(__printf__, 2, 0)))
log_vline(enum config_log_level level, const char *fmt, va_list ap)
{
	char		 line[LOG_LINE_MAX], stamp[32];
	struct tm	 tm;
	time_t		 t;
	size_t		 n;
	int		 k;

	if (!log_enabled(level))
		return;
	t = (time_t)(ln_wall_ns() / LN_NS_PER_SEC);
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(stamp, sizeof stamp, "-");
	k = snprintf(line, sizeof line, "%s lnshd[%ld] %s: ", stamp,
	    (long)getpid(), config_log_level_name(level));
	n = k < 0 ? 0 : (size_t)k;
	if (n >= sizeof line)
		n = sizeof line - 1;
	(void)vsnprintf(line + n, sizeof line - n, fmt, ap);
	/* Peer and holder text in a message: no control, valid UTF-8. */
	tt_clean_str(line + n, sizeof line - n);
	n = strlen(line);
	if (n >= sizeof line - 1)
		n = sizeof line - 2;
	line[n++] = '\n';
	(void)write(STDERR_FILENO, line, n);
}

/* Something failed that an operator must look at. */
void
log_error(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline(CONFIG_LOG_ERROR, fmt, ap);
	va_end(ap);
}

/* Something was refused or went wrong for one client or session. */
void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline(CONFIG_LOG_WARN, fmt, ap);
	va_end(ap);
}

/* The daemon's life: start, clients, sessions, stop. */
void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline(CONFIG_LOG_INFO, fmt, ap);
	va_end(ap);
}

/* Every request and drop, for finding out why something happened. */
void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline(CONFIG_LOG_DEBUG, fmt, ap);
	va_end(ap);
}

/* An address as "ADDR:PORT" or "[V6ADDR]:PORT", for log lines. */
const char *
log_addr(const struct chan_addr *a, char *s, size_t len)
{
	char	host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)&a->ss, a->len, host,
	    sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV))
		snprintf(s, len, "?");
	else if (strchr(host, ':') != NULL)
		snprintf(s, len, "[%s]:%s", host, serv);
	else
		snprintf(s, len, "%s:%s", host, serv);
	return (s);
}
