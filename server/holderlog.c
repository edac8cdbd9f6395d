/*
 * holderlog.c: what a holder writes on its stderr, in lnshd's log.
 *
 * A holder runs as its user, who may ptrace it and write anything on its
 * stderr. Left as lnshd's own stderr, that reached lnshd's log raw and
 * could forge lnshd's lines ("... lnshd[1] warn: ..."). So lnshd gives each
 * holder it spawns a pipe as stderr and reads it here: each line becomes
 * one log line of lnshd's, "holder NAME (uid U): TEXT", its text cut at
 * LN_HOLDER_LOG_LINE_MAX bytes and cleaned by log.c (termtext.c), and at
 * most LN_HOLDER_LOG_LINES lines per holder per LN_HOLDER_LOG_WINDOW_NS are
 * logged; the rest are counted and the count logged once the window ends.
 *
 * A holder adopted by a restarted lnshd kept the old pipe, whose reader is
 * gone: its writes fail (EPIPE; holders ignore SIGPIPE) and are lost.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "server.h"

struct holderlog {
	struct event		*ev;
	int			 fd;
	char			 name[LN_SESSION_NAME_MAX + 1];
	uid_t			 uid;
	char			 line[LN_HOLDER_LOG_LINE_MAX + 1];
	size_t			 len;
	int			 cut;		/* the line went past the max */
	uint64_t		 window_ns;	/* when the window began */
	unsigned		 lines;		/* logged in this window */
	unsigned long		 dropped;	/* not logged in this window */
	struct holderlog	*next;
};

static struct holderlog	*holderlogs;

/* Logs one line of a holder's, within its budget. */
static void
holderlog_line(struct holderlog *hl)
{
	char		 prefix[sizeof "lnsh-holder : " + LN_SESSION_NAME_MAX];
	const char	*text = hl->line;
	uint64_t	 now = ln_now_ns();

	hl->line[hl->len] = '\0';
	if (now - hl->window_ns >= LN_HOLDER_LOG_WINDOW_NS) {
		if (hl->dropped > 0)
			log_warn("holder %s (uid %lu): %lu more lines not "
			    "logged", hl->name, (unsigned long)hl->uid,
			    hl->dropped);
		hl->window_ns = now;
		hl->lines = 0;
		hl->dropped = 0;
	}
	if (hl->lines >= LN_HOLDER_LOG_LINES) {
		hl->dropped++;
		goto out;
	}
	hl->lines++;
	/* The holder names itself; the name is ours to say. */
	snprintf(prefix, sizeof prefix, "lnsh-holder %s: ", hl->name);
	if (strncmp(text, prefix, strlen(prefix)) == 0)
		text += strlen(prefix);
	log_warn("holder %s (uid %lu): %s%s", hl->name, (unsigned long)hl->uid,
	    text, hl->cut ? " [cut]" : "");
out:
	hl->len = 0;
	hl->cut = 0;
}

/* Unlinks and frees one reader. */
static void
holderlog_free(struct holderlog *hl)
{
	struct holderlog	**pp;

	for (pp = &holderlogs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == hl) {
			*pp = hl->next;
			break;
		}
	}
	event_free(hl->ev);
	close(hl->fd);
	free(hl);
}

/* The pipe is readable: log its complete lines; at its end, free it. */
static void
holderlog_read(evutil_socket_t fd, short what, void *arg)
{
	struct holderlog	*hl = arg;
	char			 b[4096];
	ssize_t			 n;
	size_t			 i;

	(void)what;
	n = read(fd, b, sizeof b);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		if (hl->len > 0 || hl->cut)
			holderlog_line(hl);
		holderlog_free(hl);
		return;
	}
	for (i = 0; i < (size_t)n; i++) {
		if (b[i] == '\n') {
			holderlog_line(hl);
			continue;
		}
		if (hl->len < LN_HOLDER_LOG_LINE_MAX)
			hl->line[hl->len++] = b[i];
		else
			hl->cut = 1;
	}
}

/*
 * Reads a spawned holder's stderr (fd, the pipe's read end, now ours) into
 * the log until the holder and everything it started close it.
 */
void
holderlog_start(struct event_base *base, int fd, const char *name,
    uid_t uid)
{
	struct holderlog	*hl;

	hl = xcalloc(1, sizeof *hl);
	hl->fd = fd;
	snprintf(hl->name, sizeof hl->name, "%s", name);
	hl->uid = uid;
	hl->window_ns = ln_now_ns();
	evutil_make_socket_nonblocking(fd);
	evutil_make_socket_closeonexec(fd);
	hl->ev = event_new(base, fd, EV_READ | EV_PERSIST, holderlog_read, hl);
	event_add(hl->ev, NULL);
	hl->next = holderlogs;
	holderlogs = hl;
}

/* Stops reading every holder's stderr (lnshd is stopping). */
void
holderlog_stop_all(void)
{
	while (holderlogs != NULL)
		holderlog_free(holderlogs);
}
