/*
 * cmd-capture.c: `lnsh capture HOST NAME [--scrollback N|--all]
 * [--escapes]`, the session's screen (and the last N lines of scrollback,
 * or all of it) as text on stdout, or with SGR escapes for colours and
 * attributes.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "rpc.pb-c.h"
#include "client.h"

static int	cmd_capture_exec(const struct cmd_entry *, struct cmd_args *);

static const struct cmd_opt cmd_capture_opts[] = {
	{ "scrollback", 1 },
	{ "all", 0 },
	{ "escapes", 0 },
	{ NULL, 0 }
};

const struct cmd_entry cmd_capture_entry = {
	.name = "capture",
	.usage = "HOST NAME [--scrollback N | --all] [--escapes]",
	.summary = "print the screen of session NAME, with N or all lines of "
	    "scrollback, optionally with SGR escapes",
	.opts = cmd_capture_opts,
	.lower = 2,
	.upper = 2,
	.exec = cmd_capture_exec,
};

/* lnsh capture HOST NAME [--scrollback N|--all] [--escapes] */
static int
cmd_capture_exec(const struct cmd_entry *e, struct cmd_args *a)
{
	Lnsh__Request		 req = LNSH__REQUEST__INIT;
	Lnsh__CaptureRequest	 cr = LNSH__CAPTURE_REQUEST__INIT;
	Lnsh__Reply		*reply = NULL;
	const char		*sb, *all;
	char			*end;
	long long		 n = 0;
	int			 ex;

	sb = cmd_opt_value(e, a, "scrollback");
	all = cmd_opt_value(e, a, "all");
	if (sb != NULL && all != NULL)
		return (cmd_usage(e, "--scrollback and --all exclude each "
		    "other"));
	if (sb != NULL) {
		errno = 0;
		n = strtoll(sb, &end, 10);
		if (errno != 0 || end == sb || *end != '\0' || n < 0)
			return (cmd_usage(e, "--scrollback '%s': want a number "
			    "of lines, 0 or more", sb));
	}
	if (!cmd_session_name_ok(a->argv[1]))
		return (cmd_session_name_usage(e, a->argv[1]));
	cr.name = a->argv[1];
	cr.scrollback = all != NULL ? -1 : n;
	cr.escapes = cmd_opt_value(e, a, "escapes") != NULL;
	req.op_case = LNSH__REQUEST__OP_CAPTURE;
	req.capture = &cr;
	if ((ex = rpc_run(a->argv[0], a->argv[1], &req, &reply)) !=
	    LNSH_EXIT_OK)
		return (ex);
	if (reply->result_case == LNSH__REPLY__RESULT_CAPTURE &&
	    reply->capture->text.len > 0)
		fwrite(reply->capture->text.data, 1, reply->capture->text.len,
		    stdout);
	lnsh__reply__free_unpacked(reply, NULL);
	return (LNSH_EXIT_OK);
}
