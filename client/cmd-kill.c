/*
 * cmd-kill.c: `lnsh kill HOST NAME`, end a session: its shell and
 * everything in it, or forget an exited session.
 */
#include "config.h"

#include <stdlib.h>

#include "rpc.pb-c.h"
#include "client.h"

static int	cmd_kill_exec(const struct cmd_entry *, struct cmd_args *);

const struct cmd_entry cmd_kill_entry = {
	.name = "kill",
	.usage = "HOST NAME",
	.summary = "end session NAME and everything running in it",
	.opts = NULL,
	.lower = 2,
	.upper = 2,
	.exec = cmd_kill_exec,
};

/* lnsh kill HOST NAME */
static int
cmd_kill_exec(const struct cmd_entry *e, struct cmd_args *a)
{
	Lnsh__Request		 req = LNSH__REQUEST__INIT;
	Lnsh__KillRequest	 kr = LNSH__KILL_REQUEST__INIT;
	Lnsh__Reply		*reply = NULL;
	int			 ex;

	if (!cmd_session_name_ok(a->argv[1]))
		return (cmd_session_name_usage(e, a->argv[1]));
	kr.name = a->argv[1];
	req.op_case = LNSH__REQUEST__OP_KILL;
	req.kill = &kr;
	ex = rpc_run(a->argv[0], a->argv[1], &req, &reply);
	if (ex == LNSH_EXIT_OK)
		lnsh__reply__free_unpacked(reply, NULL);
	return (ex);
}
