/*
 * holder-main.c: lnsh-holder's command line. lnshd forks, drops to the
 * session's user and execs this, so the holder starts from a fresh image
 * with nothing of lnshd's memory (the host key above all) in it.
 *
 * lnsh-holder --name NAME --dir SOCKDIR [--cols C] [--rows R]
 *     [--scrollback N] [--term T] [--env K=V ...] [--ready-fd FD]
 *     [-- CMD ARGS...]
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "holder.h"

/* Says how to run us and stops. */
static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: lnsh-holder --name NAME --dir SOCKDIR "
	    "[--cols C] [--rows R] [--scrollback N] [--keep-exited SEC] "
	    "[--term T] "
	    "[--env K=V ...] [--ready-fd FD] [-- CMD ARGS...]\n");
	exit(2);
}

/* A number option within [min, max], or the bounds and usage. */
static long
number(const char *s, long min, long max)
{
	char	*end;
	long	 v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "lnsh-holder: '%s': give a number from %ld "
		    "to %ld\n", s, min, max);
		usage();
	}
	return (v);
}

/* Parses the command line and runs the session. */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name",	required_argument,	NULL, 'n' },
		{ "dir",	required_argument,	NULL, 'd' },
		{ "cols",	required_argument,	NULL, 'c' },
		{ "rows",	required_argument,	NULL, 'r' },
		{ "scrollback",	required_argument,	NULL, 's' },
		{ "term",	required_argument,	NULL, 't' },
		{ "env",	required_argument,	NULL, 'e' },
		{ "ready-fd",	required_argument,	NULL, 'f' },
		{ "keep-exited", required_argument,	NULL, 'k' },
		{ NULL,		0,			NULL, 0 }
	};
	struct holder_opts	 opts;
	const char		*why;
	char			*env[LN_SESSION_MAX_ENV + 1];
	size_t			 nenv = 0;
	int			 ch;

	memset(&opts, 0, sizeof opts);
	opts.cols = 80;
	opts.rows = 24;
	opts.scrollback = SB_DEFAULT_LINES;
	opts.ready_fd = -1;
	opts.keep_exited = HOLDER_EXITED_KEEP_SEC;
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			opts.name = optarg;
			break;
		case 'd':
			opts.dir = optarg;
			break;
		case 'c':
			opts.cols = (int)number(optarg, 1, HOLDER_MAX_COLS);
			break;
		case 'r':
			opts.rows = (int)number(optarg, 1, HOLDER_MAX_ROWS);
			break;
		case 's':
			opts.scrollback = number(optarg, 0,
			    CONFIG_MAX_SCROLLBACK);
			break;
		case 't':
			opts.term = optarg;
			break;
		case 'e':
			if (nenv == LN_SESSION_MAX_ENV)
				usage();
			env[nenv++] = optarg;
			break;
		case 'k':
			opts.keep_exited = number(optarg, 1, INT_MAX);
			break;
		case 'f':
			opts.ready_fd = (int)number(optarg, 3, INT_MAX);
			break;
		default:
			usage();
		}
	}
	env[nenv] = NULL;
	opts.env = env;
	if (optind < argc)
		opts.argv = argv + optind;
	if (opts.name == NULL || opts.dir == NULL)
		usage();
	if (ln_session_name_check(opts.name, &why) != 0) {
		fprintf(stderr, "lnsh-holder: bad session name \"%s\": %s\n",
		    opts.name, why);
		return (2);
	}
	compat_malloc_tune();
	return (holder_run(&opts));
}
