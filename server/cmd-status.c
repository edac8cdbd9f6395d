/*
 * cmd-status.c: `lnshd status`: what the running lnshd says of itself over
 * its control socket: sockets, clients, sessions, and the channel's
 * counters with every drop reason (docs/lnshd.md lists the lines).
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>

#include "server.h"

/* Prints the daemon's status; 1 with a clear message if none runs. */
static int
lnshd_status_exec(const struct lnshd_opts *o, int argc, char **argv)
{
	struct config	 cfg;
	char		*state_dir = NULL, *cause = NULL;
	int		 rc;

	if ((rc = lnshd_noargs_config(o, "status", argc, argv, &cfg,
	    &state_dir)) != 0)
		return (rc);
	if (status_query(state_dir, "status", stdout, &cause) != 0) {
		fprintf(stderr, "lnshd status: %s\n", cause);
		rc = 1;
	}
	free(cause);
	free(state_dir);
	config_free(&cfg);
	return (rc);
}

const struct lnshd_cmd lnshd_status_entry = {
	.name = "status",
	.usage = "",
	.options = 0,
	.exec = lnshd_status_exec,
};
