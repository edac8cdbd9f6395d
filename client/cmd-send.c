/*
 * cmd-send.c: `lnsh send HOST NAME TEXT...`, type TEXT into the session as
 * if at its keyboard. Several TEXT arguments are joined with spaces, and
 * C-style escapes are interpreted (escape.c), so "\n" is Enter.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rpc.pb-c.h"
#include "client.h"

static int	cmd_send_exec(const struct cmd_entry *, struct cmd_args *);

const struct cmd_entry cmd_send_entry = {
	.name = "send",
	.usage = "HOST NAME TEXT...",
	.summary = "type TEXT into session NAME; escapes \\n \\r \\t \\e "
	    "\\xHH \\\\",
	.opts = NULL,
	.lower = 3,
	.upper = -1,
	.exec = cmd_send_exec,
};

/* lnsh send HOST NAME TEXT... */
static int
cmd_send_exec(const struct cmd_entry *e, struct cmd_args *a)
{
	Lnsh__Request		 req = LNSH__REQUEST__INIT;
	Lnsh__SendRequest	 sr = LNSH__SEND_REQUEST__INIT;
	Lnsh__Reply		*reply = NULL;
	uint8_t			*data = NULL, *part;
	const char		*why;
	size_t			 len = 0, plen, where;
	int			 i, ex;

	if (!cmd_session_name_ok(a->argv[1]))
		return (cmd_session_name_usage(e, a->argv[1]));
	for (i = 2; i < a->argc; i++) {
		if (escape_decode(a->argv[i], &part, &plen, &why, &where)
		    != 0) {
			free(data);
			return (cmd_usage(e, "TEXT '%s': %s at byte %zu; "
			    "escapes are \\n \\r \\t \\e \\xHH \\\\",
			    a->argv[i], why, where + 1));
		}
		data = xreallocarray(data, len + plen + 2, 1);
		if (i > 2)
			data[len++] = ' ';
		memcpy(data + len, part, plen);
		len += plen;
		free(part);
	}
	sr.name = a->argv[1];
	sr.data.data = data;
	sr.data.len = len;
	req.op_case = LNSH__REQUEST__OP_SEND;
	req.send = &sr;
	ex = rpc_run(a->argv[0], a->argv[1], &req, &reply);
	if (ex == LNSH_EXIT_OK)
		lnsh__reply__free_unpacked(reply, NULL);
	free(data);
	return (ex);
}
