/*
 * holderctl.c: drives session holders directly, for the shell tests.
 *
 * holderctl SOCKDIR new NAME [-c COLS] [-r ROWS] [-- CMD ARGS...]
 * holderctl SOCKDIR ls
 * holderctl SOCKDIR info NAME		(a lister: consumes an exit report)
 * holderctl SOCKDIR peek NAME		(info that consumes nothing)
 * holderctl SOCKDIR send NAME TEXT	(\n \r \t \e \xHH \\ interpreted)
 * holderctl SOCKDIR capture NAME [-a | -S LINES] [-e]
 * holderctl SOCKDIR resize NAME COLS ROWS
 * holderctl SOCKDIR kill NAME
 *
 * Exit codes as lnsh's: 0 ok, 1 other error, 2 usage, 4 no such session,
 * 5 session exists.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

#define EXIT_USAGE	2
#define EXIT_NOSESSION	4
#define EXIT_EXISTS	5

/* Says how to run us and stops. */
static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: holderctl SOCKDIR new NAME [-c COLS] "
	    "[-r ROWS] [-- CMD...] | ls | info NAME | peek NAME | "
	    "send NAME TEXT | capture NAME [-a|-S N] [-e] | "
	    "resize NAME COLS ROWS | kill NAME\n");
	exit(EXIT_USAGE);
}

/* A number argument, or usage. */
static long
number(const char *s)
{
	char	*end;
	long	 v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0')
		usage();
	return (v);
}

/* Connects to a session or exits with 4 (none) or 1. */
static struct holder_conn *
open_session(const char *dir, const char *name)
{
	struct holder_conn	*c;
	char			 err[512];

	if (holder_open(dir, name, getuid(), &c, err, sizeof err) == 0)
		return (c);
	fprintf(stderr, "holderctl: %s\n", err);
	if (errno == ENOENT || errno == ECONNREFUSED)
		exit(EXIT_NOSESSION);
	exit(1);
}

/* Reports a failed request and exits. */
static void __attribute__((noreturn))
fail(struct holder_conn *c)
{
	fprintf(stderr, "holderctl: %s\n", holder_conn_error(c));
	exit(1);
}

/* Decodes C-style escapes in place; returns the new length. */
static size_t
unescape(char *s)
{
	char	*in = s, *out = s, hex[3];

	while (*in != '\0') {
		if (*in != '\\' || in[1] == '\0') {
			*out++ = *in++;
			continue;
		}
		in++;
		switch (*in) {
		case 'n':
			*out++ = '\n';
			break;
		case 'r':
			*out++ = '\r';
			break;
		case 't':
			*out++ = '\t';
			break;
		case 'e':
			*out++ = '\033';
			break;
		case 'x':
			if (in[1] == '\0' || in[2] == '\0')
				usage();
			hex[0] = in[1];
			hex[1] = in[2];
			hex[2] = '\0';
			*out++ = (char)strtol(hex, NULL, 16);
			in += 2;
			break;
		default:
			*out++ = *in;
			break;
		}
		in++;
	}
	*out = '\0';
	return ((size_t)(out - s));
}

/* new: spawn a holder for the current user. */
static int
cmd_new(const char *dir, int argc, char **argv)
{
	struct sessdir_spawn	 sp;
	struct passwd		*pw;
	char			 err[512];
	pid_t			 pid;
	int			 ch, r;

	memset(&sp, 0, sizeof sp);
	sp.scrollback = -1;
	sp.name = argv[0];
	optind = 1;
	while ((ch = getopt(argc, argv, "+c:r:")) != -1) {
		switch (ch) {
		case 'c':
			sp.cols = (int)number(optarg);
			break;
		case 'r':
			sp.rows = (int)number(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind < argc)
		sp.argv = argv + optind;
	if ((pw = getpwuid(getuid())) == NULL) {
		fprintf(stderr, "holderctl: no passwd entry for uid %ld\n",
		    (long)getuid());
		return (1);
	}
	sp.pw = pw;
	sp.dir = dir;
	if ((r = sessdir_spawn(&sp, &pid, err, sizeof err)) != 0) {
		fprintf(stderr, "holderctl: %s\n", err);
		return (r == LN_E_STATE ? EXIT_EXISTS : 1);
	}
	printf("%ld\n", (long)pid);
	return (0);
}

/* ls: one line per live session. */
static int
cmd_ls(const char *dir)
{
	struct holder_conn	*c;
	struct holder_info	 info;
	char			**names, err[512];
	size_t			 n, i;

	if (sessdir_list(dir, getuid(), &names, &n) != 0) {
		fprintf(stderr, "holderctl: %s: %s\n", dir, strerror(errno));
		return (1);
	}
	for (i = 0; i < n; i++) {
		if (holder_open(dir, names[i], getuid(), &c, err,
		    sizeof err) != 0)
			continue;
		if (holder_info(c, 1, &info) == 0) {
			if (info.exited)
				printf("%s exited %d %d\n", info.name,
				    info.exit_status, info.exit_signal);
			else
				printf("%s running %ld\n", info.name, info.pid);
			holder_info_free(&info);
		}
		holder_close(c);
	}
	sessdir_free_list(names, n);
	return (0);
}

/* info / peek: key=value lines. */
static int
cmd_info(const char *dir, const char *name, int consume)
{
	struct holder_conn	*c = open_session(dir, name);
	struct holder_info	 info;

	if (holder_info(c, consume, &info) != 0)
		fail(c);
	printf("name=%s\nstate=%s\nexit_status=%d\nexit_signal=%d\n"
	    "pid=%ld\ncols=%d\nrows=%d\nclients=%u\ncreated_ns=%llu\n"
	    "activity_ns=%llu\ncommand=%s\ntitle=%s\n", info.name,
	    info.exited ? "exited" : "running", info.exit_status,
	    info.exit_signal, info.pid, info.cols, info.rows, info.clients,
	    (unsigned long long)info.created_ns,
	    (unsigned long long)info.activity_ns, info.command, info.title);
	holder_info_free(&info);
	holder_close(c);
	return (0);
}

/* capture: the screen as text. */
static int
cmd_capture(const char *dir, int argc, char **argv)
{
	struct holder_conn	*c;
	char			*text;
	size_t			 len;
	long			 lines = 0;
	int			 ch, escapes = 0;

	optind = 1;
	while ((ch = getopt(argc, argv, "+aS:e")) != -1) {
		switch (ch) {
		case 'a':
			lines = -1;
			break;
		case 'S':
			lines = number(optarg);
			break;
		case 'e':
			escapes = 1;
			break;
		default:
			usage();
		}
	}
	c = open_session(dir, argv[0]);
	if (holder_capture(c, lines, escapes, &text, &len) != 0)
		fail(c);
	fwrite(text, 1, len, stdout);
	free(text);
	holder_close(c);
	return (0);
}

/* Runs one verb. */
int
main(int argc, char **argv)
{
	struct holder_conn	*c;
	const char		*dir, *verb;
	size_t			 len;

	signal(SIGPIPE, SIG_IGN);
	if (argc < 3)
		usage();
	dir = argv[1];
	verb = argv[2];
	argc -= 3;
	argv += 3;
	if (strcmp(verb, "ls") == 0)
		return (cmd_ls(dir));
	if (argc < 1)
		usage();
	if (strcmp(verb, "new") == 0)
		return (cmd_new(dir, argc, argv));
	if (strcmp(verb, "info") == 0)
		return (cmd_info(dir, argv[0], 1));
	if (strcmp(verb, "peek") == 0)
		return (cmd_info(dir, argv[0], 0));
	if (strcmp(verb, "capture") == 0)
		return (cmd_capture(dir, argc, argv));
	if (strcmp(verb, "send") == 0 && argc == 2) {
		c = open_session(dir, argv[0]);
		len = unescape(argv[1]);
		if (holder_input(c, argv[1], len) != 0)
			fail(c);
		holder_close(c);
		return (0);
	}
	if (strcmp(verb, "resize") == 0 && argc == 3) {
		c = open_session(dir, argv[0]);
		if (holder_resize(c, (int)number(argv[1]),
		    (int)number(argv[2])) != 0)
			fail(c);
		holder_close(c);
		return (0);
	}
	if (strcmp(verb, "kill") == 0) {
		c = open_session(dir, argv[0]);
		if (holder_kill(c) != 0)
			fail(c);
		holder_close(c);
		return (0);
	}
	usage();
}
