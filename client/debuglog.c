/*
 * debuglog.c: the client's debug log. With LNSH_DEBUG_LOG=FILE in its
 * environment, lnsh appends to FILE a line for each thing the attach
 * loop decides on its own while the server is silent or the network
 * moves (a new port, a new handshake, a new attach, the server heard
 * again), which nothing on the screen records: a user or a test can then
 * tell what the client did during an outage. Without it nothing is
 * written and each call costs a test of one pointer.
 *
 * A line: the wall-clock time in UTC to the millisecond, "lnsh[PID]:",
 * the event. The file is opened once, for appending, and created private
 * to the user (0600) if it does not exist.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "client.h"

static FILE	*debuglog_file;

/*
 * Opens the log LNSH_DEBUG_LOG names, if it names one. A log that cannot
 * be opened is said once on stderr, before the terminal is ours, and the
 * client goes on without it.
 */
void
debuglog_open(void)
{
	const char	*path = getenv("LNSH_DEBUG_LOG");
	int		 fd;

	if (path == NULL || *path == '\0' || debuglog_file != NULL)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1 || (debuglog_file = fdopen(fd, "a")) == NULL) {
		cmd_error("LNSH_DEBUG_LOG: cannot open %s: %s; going on "
		    "without a debug log", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return;
	}
	setvbuf(debuglog_file, NULL, _IOLBF, 0);
}

/* Appends one line to the log, if one is open. */
void
debuglog(const char *fmt, ...)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 when[32];
	va_list		 ap;

	if (debuglog_file == NULL)
		return;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL ||
	    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(when, sizeof when, "?");
	fprintf(debuglog_file, "%s.%03ldZ lnsh[%ld]: ", when,
	    (long)(ts.tv_nsec / 1000000), (long)getpid());
	va_start(ap, fmt);
	vfprintf(debuglog_file, fmt, ap);
	va_end(ap);
	fputc('\n', debuglog_file);
}
