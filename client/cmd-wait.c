/*
 * cmd-wait.c: `lnsh wait HOST NAME [--timeout SECONDS]`, block until
 * session NAME has ended and exit with its status, as a shell reports a
 * child's: the exit code, or 128 + the signal that ended it. Waiting
 * changes nothing: the session stays listed until it is killed, attached
 * to or expires.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "rpc.pb-c.h"
#include "client.h"

static int	cmd_wait_exec(const struct cmd_entry *, struct cmd_args *);

static const struct cmd_opt cmd_wait_opts[] = {
	{ "timeout", 1 },
	{ NULL, 0 }
};

const struct cmd_entry cmd_wait_entry = {
	.name = "wait",
	.usage = "HOST NAME [--timeout SECONDS]",
	.summary = "wait for session NAME to end and exit with its status "
	    "(124 if SECONDS pass first)",
	.opts = cmd_wait_opts,
	.lower = 2,
	.upper = 2,
	.exec = cmd_wait_exec,
};

/* lnsh wait HOST NAME [--timeout SECONDS] */
static int
cmd_wait_exec(const struct cmd_entry *e, struct cmd_args *a)
{
	Lnsh__Request		 req = LNSH__REQUEST__INIT;
	Lnsh__WaitRequest	 wr = LNSH__WAIT_REQUEST__INIT;
	Lnsh__Reply		*reply = NULL;
	const char		*t;
	char			*end;
	uint64_t		 ms = UINT64_MAX;
	double			 sec;
	int			 ex;

	if ((t = cmd_opt_value(e, a, "timeout")) != NULL) {
		errno = 0;
		sec = strtod(t, &end);
		if (errno != 0 || end == t || *end != '\0' || !(sec > 0) ||
		    sec > WAIT_MAX_SEC)
			return (cmd_usage(e, "--timeout '%s': want seconds, "
			    "more than 0 and at most %.0f", t, WAIT_MAX_SEC));
		ms = (uint64_t)(sec * 1000);
		if (ms == 0)
			ms = 1;
	}
	if (!cmd_session_name_ok(a->argv[1]))
		return (cmd_session_name_usage(e, a->argv[1]));
	wr.name = a->argv[1];
	req.op_case = LNSH__REQUEST__OP_WAIT;
	req.wait = &wr;
	ex = rpc_run_wait(a->argv[0], a->argv[1], &req, &reply, ms);
	if (ex == LNSH_EXIT_WAITED) {
		cmd_error("session '%s' on %s is still running after %s s",
		    a->argv[1], a->argv[0], t);
		return (ex);
	}
	if (ex != LNSH_EXIT_OK)
		return (ex);
	if (reply->result_case != LNSH__REPLY__RESULT_ENDED) {
		cmd_error("%s answered the wait with something else; is lnshd "
		    "there a different version?", a->argv[0]);
		lnsh__reply__free_unpacked(reply, NULL);
		return (LNSH_EXIT_ERROR);
	}
	ex = reply->ended->exit_status;
	lnsh__reply__free_unpacked(reply, NULL);
	if (ex < 0 || ex > 255)
		ex = LNSH_EXIT_ERROR;
	return (ex);
}
