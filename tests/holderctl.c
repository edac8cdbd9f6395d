/*
 * holderctl.c: drives session holders directly, for the shell tests.
 *
 * holderctl SOCKDIR new NAME [-c COLS] [-r ROWS] [-t TERM] [-e K=V]...
 *     [-- CMD ARGS...]
 * holderctl SOCKDIR ls
 * holderctl SOCKDIR info NAME		(a lister: consumes an exit report)
 * holderctl SOCKDIR peek NAME		(info that consumes nothing)
 * holderctl SOCKDIR send NAME TEXT	(\n \r \t \e \xHH \\ interpreted)
 * holderctl SOCKDIR capture NAME [-a | -S LINES] [-e]
 * holderctl SOCKDIR resize NAME COLS ROWS	(attaches a client of that size,
 *					as lnshd does, and detaches it)
 * holderctl SOCKDIR kill NAME
 * holderctl SOCKDIR hello NAME VERSION	(raw Hello; prints the answer)
 * holderctl SOCKDIR garbage NAME	(raw junk; the holder must hang up)
 * holderctl SOCKDIR attachmany NAME N
 *	N attaches on one connection, as lnshd's; prints "attached A
 *	refused R clients C" (C: the holder's count after them) and the
 *	first refusal
 * holderctl SOCKDIR flood NAME BYTES
 *	through the event-loop API: print "open", wait for a line of input
 *	(the test stops the holder meanwhile), queue Inputs of 64 KB until
 *	BYTES or a refusal, print "queued N" and the refusal, then wait for
 *	end of input (so that a test can read our RSS) and exit
 * holderctl SOCKDIR watch NAME TEXT EXPECT
 *	through the event-loop API, as lnshd attaches a client: attach as
 *	client 1 with an SSP client of our own, type TEXT through SSP, and
 *	wait until the screen the holder's SSP server synced to us contains
 *	EXPECT (or, for EXPECT "exit:N", the child exits with N); then
 *	print the info
 *
 * ls, info, peek, send, capture and resize go through the event-loop API,
 * as lnshd does, each exchange within HOLDER_IO_TIMEOUT_SEC.
 *
 * new -u USER (as root) spawns the holder as USER; every other verb takes
 * -u USER before the verb's arguments to expect sockets owned by USER.
 *
 * Exit codes as lnsh's: 0 ok, 1 other error, 2 usage, 4 no such session,
 * 5 session exists.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <protobuf-c/protobuf-c.h>

#include <event2/event.h>

#include "holder.pb-c.h"
#include "sessdir.h"
#include "ssp.h"

#define EXIT_USAGE	2
#define EXIT_NOSESSION	4
#define EXIT_EXISTS	5

/* Whose sockets to expect: the current user, or -u USER. */
static uid_t	owner;

/* Says how to run us and stops. */
static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: holderctl SOCKDIR new NAME [-c COLS] "
	    "[-r ROWS] [-t TERM] [-e K=V]... [-- CMD...] | ls | info NAME | "
	    "flood NAME BYTES | "
	    "peek NAME | "
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

	if (holder_conn_open(dir, name, owner, &c, err, sizeof err) == 0)
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

/*
 * One connection through the event-loop API, as lnshd uses it: each verb
 * queues a request with call_done and waits for it in call_wait.
 */
struct call {
	struct event_base	*base;
	struct holder_conn	*conn;
	/* The answer, while it is valid (the request's done callback). */
	void			(*use)(struct call *,
				    const struct holder_conn_result *);
	int			 done;
	int			 err;
	char			 why[512];
};

/* ops->sync: SSP messages for the client resize attached, unread. */
static void
call_sync(void *arg, struct holder_conn *c, uint32_t id, const uint8_t *p,
    size_t len)
{
}

/* Puts an open connection on an event loop of its own. */
static void
call_watch(struct call *k, struct holder_conn *c)
{
	static const struct holder_conn_ops ops = { .sync = call_sync };

	memset(k, 0, sizeof *k);
	k->conn = c;
	if ((k->base = event_base_new()) == NULL ||
	    holder_conn_watch(c, k->base, &ops, k) != 0) {
		fprintf(stderr, "holderctl: cannot watch a holder\n");
		exit(1);
	}
}

/* holder_conn_done_fn: the answer, used while valid; the wait ends. */
static void
call_done(void *arg, struct holder_conn *c,
    const struct holder_conn_result *res)
{
	struct call	*k = arg;

	k->done = 1;
	k->err = res->err;
	if (res->err != 0)
		snprintf(k->why, sizeof k->why, "%s", holder_conn_error(c));
	else if (k->use != NULL)
		k->use(k, res);
	event_base_loopbreak(k->base);
}

/* The holder did not answer in time. */
static void
call_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct call	*k = arg;

	k->err = LN_E_SYSTEM;
	snprintf(k->why, sizeof k->why, "holder did not answer within %d s",
	    HOLDER_IO_TIMEOUT_SEC);
	event_base_loopbreak(k->base);
}

/*
 * Waits for the answer to the request that queuing returned r for, within
 * HOLDER_IO_TIMEOUT_SEC, as lnshd's one deadline: 0, or an error that
 * k->why explains.
 */
static int
call_wait(struct call *k, int r)
{
	struct event	*timer;
	struct timeval	 tv = { HOLDER_IO_TIMEOUT_SEC, 0 };

	if (r != 0) {
		snprintf(k->why, sizeof k->why, "%s",
		    holder_conn_error(k->conn));
		return (r);
	}
	k->done = k->err = 0;
	timer = evtimer_new(k->base, call_timeout, k);
	evtimer_add(timer, &tv);
	while (!k->done && k->err == 0)
		if (event_base_dispatch(k->base) == -1)
			k->err = LN_E_SYSTEM;
	event_free(timer);
	return (k->err);
}

/* Reports a failed call and exits. */
static void __attribute__((noreturn))
call_fail(struct call *k)
{
	fprintf(stderr, "holderctl: %s\n", k->why);
	exit(1);
}

/* Closes the connection and its loop. */
static void
call_close(struct call *k)
{
	holder_conn_close(k->conn);
	event_base_free(k->base);
}

/*
 * sessdir_spawn_start(), then wait (at most HOLDER_IO_TIMEOUT_SEC) for the
 * holder to listen. LN_E_STATE: a session of that name exists. On failure
 * the holder has been reaped and err says why.
 */
static int
spawn(const struct sessdir_spawn *sp, pid_t *pid, char *err, size_t errlen)
{
	struct pollfd	pfd;
	pid_t		child;
	int		fd, lfd, r, status;

	if ((r = sessdir_spawn_start(sp, &child, &fd, &lfd, err,
	    errlen)) != 0)
		return (r);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while ((r = poll(&pfd, 1, HOLDER_IO_TIMEOUT_SEC * 1000)) == -1 &&
	    errno == EINTR)
		;
	if (r <= 0) {
		snprintf(err, errlen, "the holder did not start in time");
		r = LN_E_SYSTEM;
	} else
		r = sessdir_spawn_ready(fd, err, errlen);
	close(fd);
	if (r != 0) {
		/* A holder that failed exits at once; one that hangs goes. */
		if (waitpid(child, &status, WNOHANG) == 0) {
			kill(child, SIGKILL);
			(void)waitpid(child, &status, 0);
		}
		if (lfd != -1)
			close(lfd);
		return (r);
	}
	*pid = child;
	return (0);
}

/* new: spawn a holder for the current user. */
static int
cmd_new(const char *dir, int argc, char **argv)
{
	struct sessdir_spawn	 sp;
	struct passwd		*pw;
	char			 err[512];
	pid_t			 pid;
	char			*env[16];
	size_t			 nenv = 0;
	int			 ch, r;

	memset(&sp, 0, sizeof sp);
	sp.scrollback = -1;
	sp.name = argv[0];
	optind = 1;
	pw = getpwuid(owner);
	while ((ch = getopt(argc, argv, "+c:r:t:e:")) != -1) {
		switch (ch) {
		case 'c':
			sp.cols = (int)number(optarg);
			break;
		case 't':
			sp.term = optarg;
			break;
		case 'e':
			if (nenv == sizeof env / sizeof env[0] - 1)
				usage();
			env[nenv++] = optarg;
			break;
		case 'r':
			sp.rows = (int)number(optarg);
			break;
		default:
			usage();
		}
	}
	env[nenv] = NULL;
	sp.env = env;
	if (optind < argc)
		sp.argv = argv + optind;
	if (pw == NULL) {
		fprintf(stderr, "holderctl: no passwd entry for uid %ld\n",
		    (long)owner);
		return (1);
	}
	sp.pw = pw;
	sp.dir = dir;
	sp.keep_stderr = 1;
	if ((r = spawn(&sp, &pid, err, sizeof err)) != 0) {
		fprintf(stderr, "holderctl: %s\n", err);
		return (r == LN_E_STATE ? EXIT_EXISTS : 1);
	}
	printf("%ld\n", (long)pid);
	return (0);
}

/* ls's line for one session. */
static void
ls_line(struct call *k, const struct holder_conn_result *res)
{
	const struct holder_conn_info	*info = res->info;

	if (info->exited)
		printf("%s exited %d %d\n", info->name, info->exit_status,
		    info->exit_signal);
	else
		printf("%s running %ld\n", info->name, info->pid);
}

/* ls: one line per live session. */
static int
cmd_ls(const char *dir)
{
	struct holder_conn	*c;
	struct call		 k;
	char			**names, err[512];
	size_t			 n, i;

	if (sessdir_list(dir, owner, &names, &n) != 0) {
		fprintf(stderr, "holderctl: %s: %s\n", dir, strerror(errno));
		return (1);
	}
	for (i = 0; i < n; i++) {
		if (holder_conn_open(dir, names[i], owner, &c, err,
		    sizeof err) != 0)
			continue;
		call_watch(&k, c);
		k.use = ls_line;
		(void)call_wait(&k, holder_conn_async_info(c, 1, call_done,
		    &k));
		call_close(&k);
	}
	sessdir_free_list(names, n);
	return (0);
}

/* info / peek's key=value lines. */
static void
info_lines(struct call *k, const struct holder_conn_result *res)
{
	const struct holder_conn_info	*info = res->info;

	printf("name=%s\nstate=%s\nexit_status=%d\nexit_signal=%d\n"
	    "pid=%ld\ncols=%d\nrows=%d\nclients=%u\ncreated_ns=%llu\n"
	    "activity_ns=%llu\ncommand=%s\ntitle=%s\nevent_method=%s\n",
	    info->name,
	    info->exited ? "exited" : "running", info->exit_status,
	    info->exit_signal, info->pid, info->cols, info->rows,
	    info->clients, (unsigned long long)info->created_ns,
	    (unsigned long long)info->activity_ns, info->command, info->title,
	    holder_conn_event_method(k->conn));
}

/* info / peek: key=value lines. */
static int
cmd_info(const char *dir, const char *name, int consume)
{
	struct call	k;

	call_watch(&k, open_session(dir, name));
	k.use = info_lines;
	if (call_wait(&k, holder_conn_async_info(k.conn, consume, call_done,
	    &k)) != 0)
		call_fail(&k);
	call_close(&k);
	return (0);
}

/* capture's text. */
static void
capture_text(struct call *k, const struct holder_conn_result *res)
{
	fwrite(res->text, 1, res->len, stdout);
}

/* capture: the screen as text. */
static int
cmd_capture(const char *dir, int argc, char **argv)
{
	struct call	 k;
	long		 lines = 0;
	int		 ch, escapes = 0;

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
	call_watch(&k, open_session(dir, argv[0]));
	k.use = capture_text;
	if (call_wait(&k, holder_conn_async_capture(k.conn, lines, escapes,
	    call_done, &k)) != 0)
		call_fail(&k);
	call_close(&k);
	return (0);
}

/* send: types TEXT, in Inputs of at most HOLDER_MAX_INPUT. */
static int
cmd_send(const char *dir, const char *name, char *text)
{
	struct call	 k;
	size_t		 len, off = 0, n;

	len = unescape(text);
	call_watch(&k, open_session(dir, name));
	do {
		n = len - off < HOLDER_MAX_INPUT ? len - off :
		    HOLDER_MAX_INPUT;
		if (call_wait(&k, holder_conn_async_send_keys(k.conn,
		    text + off, n, call_done, &k)) != 0)
			call_fail(&k);
		off += n;
	} while (off < len);
	call_close(&k);
	return (0);
}

/*
 * resize: as lnshd gives a session its client's size: attach a client of
 * COLS x ROWS (the latest, whose size the session takes), then detach it.
 * The Info after the detach answers once the holder has done both.
 */
static int
cmd_resize(const char *dir, const char *name, const char *cols,
    const char *rows)
{
	struct call	 k;

	call_watch(&k, open_session(dir, name));
	if (call_wait(&k, holder_conn_async_attach(k.conn, 1, (int)number(cols),
	    (int)number(rows), NULL, call_done, &k)) != 0)
		call_fail(&k);
	if (holder_conn_async_detach(k.conn, 1, 0) != 0 ||
	    call_wait(&k, holder_conn_async_info(k.conn, 0, call_done,
	    &k)) != 0)
		call_fail(&k);
	call_close(&k);
	return (0);
}

/* A plain connection to dir/name, for the raw verbs. */
static int
raw_connect(const char *dir, const char *name)
{
	struct sockaddr_un	sun;
	struct timeval		tv = { HOLDER_IO_TIMEOUT_SEC, 0 };
	char			err[1024];
	int			fd;

	if (unixsock_addr(&sun, dir, name, "the directory", err,
	    sizeof err) != 0) {
		fprintf(stderr, "holderctl: %s\n", err);
		exit(EXIT_NOSESSION);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		fprintf(stderr, "holderctl: %s: %s\n", sun.sun_path,
		    strerror(errno));
		exit(EXIT_NOSESSION);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return (fd);
}

/* Reads one reply frame; NULL when the holder hung up without one. */
static Lnsh__Holder__Reply *
raw_reply(int fd)
{
	Lnsh__Holder__Reply	*rep;
	uint8_t			*frame;
	size_t			 size, got = 0;
	ssize_t			 n;

	frame = xmalloc(HOLDER_FRAME_HDR);
	while (got < HOLDER_FRAME_HDR &&
	    (n = read(fd, frame + got, HOLDER_FRAME_HDR - got)) > 0)
		got += (size_t)n;
	if (got < HOLDER_FRAME_HDR ||
	    hwire_frame_size(frame, got, HOLDER_MAX_FRAME, &size) != 0) {
		free(frame);
		return (NULL);
	}
	frame = xreallocarray(frame, 1, size);
	while (got < size && (n = read(fd, frame + got, size - got)) > 0)
		got += (size_t)n;
	if (got < size || hwire_unpack_reply(frame, size, &rep) != 0)
		rep = NULL;
	free(frame);
	return (rep);
}

/* hello: a Hello of any version; prints "ok" or the holder's error. */
static int
cmd_hello(const char *dir, const char *name, const char *version)
{
	Lnsh__Holder__Request	 req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__Hello	 hello = LNSH__HOLDER__HELLO__INIT;
	Lnsh__Holder__Reply	*rep;
	uint8_t			*frame;
	size_t			 len;
	int			 fd, r = 1;

	hello.version = (uint32_t)number(version);
	req.id = 1;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_HELLO;
	req.hello = &hello;
	fd = raw_connect(dir, name);
	if (hwire_pack_request(&req, &frame, &len) != 0 ||
	    write(fd, frame, len) != (ssize_t)len)
		exit(1);
	free(frame);
	if ((rep = raw_reply(fd)) == NULL)
		printf("no reply\n");
	else if (rep->msg_case == LNSH__HOLDER__REPLY__MSG_HELLO) {
		printf("ok %u\n", rep->hello->version);
		r = 0;
	} else if (rep->msg_case == LNSH__HOLDER__REPLY__MSG_ERROR)
		printf("error %d %s\n", rep->error->code, rep->error->message);
	if (rep != NULL)
		lnsh__holder__reply__free_unpacked(rep, NULL);
	close(fd);
	return (r);
}

/*
 * garbage: junk frames and junk bytes; exits 0 if the holder hung up
 * without answering any of them, as it must.
 */
static int
cmd_garbage(const char *dir, const char *name)
{
	static const uint8_t	junk[][8] = {
		{ 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4 },	/* oversized */
		{ 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff },	/* not protobuf */
		{ 0, 0, 0, 2, 0x08, 0x05, 0, 0 },	/* no message */
	};
	Lnsh__Holder__Reply	*rep;
	size_t			 i;
	int			 fd, bad = 0;

	for (i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		fd = raw_connect(dir, name);
		if (write(fd, junk[i], sizeof junk[i]) != sizeof junk[i])
			exit(1);
		if ((rep = raw_reply(fd)) != NULL) {
			printf("junk %zu answered\n", i);
			lnsh__holder__reply__free_unpacked(rep, NULL);
			bad = 1;
		}
		close(fd);
	}
	return (bad);
}

/* State of the watch verb's event loop: an SSP client, as lnsh's. */
struct watch {
	struct event_base	*base;
	struct holder_conn	*conn;
	struct ssp_client	*ssp;
	struct event		*tick;
	char			*text;
	size_t			 len;
	const char		*expect;
	int			 seen;
	int			 failed;
};

/* An async request failed: say so and stop. */
static void
watch_check(struct watch *w, const struct holder_conn_result *res)
{
	if (res->err != 0 && !w->failed) {
		fprintf(stderr, "holderctl: %s\n", holder_conn_error(w->conn));
		w->failed = 1;
		event_base_loopbreak(w->base);
	}
}

/* Runs the SSP client's timers and sets its event for the next one. */
static void
watch_arm(struct watch *w)
{
	struct timeval	 tv;
	uint64_t	 now = ln_now_ns(), t, wait;

	t = ssp_client_tick(w->ssp, now);
	if (t == UINT64_MAX)
		return;
	wait = t > now ? t - now : 0;
	ln_ns_timeval(wait, &tv);
	evtimer_add(w->tick, &tv);
}

/* The SSP client's timer. */
static void
watch_tick(evutil_socket_t fd, short events, void *arg)
{
	watch_arm(arg);
}

/* ssp_send_fn: a message to the holder's SSP server for us, client 1. */
static int
watch_ssp_send(void *arg, const uint8_t *p, size_t len)
{
	struct watch	*w = arg;

	return (holder_conn_async_sync(w->conn, 1, p, len));
}

/* Does the synced screen show what we wait for? */
static int
watch_screen_has(const struct fb *fb, const char *expect)
{
	struct fb_text	t;
	int		y, found;

	memset(&t, 0, sizeof t);
	for (y = 0; y < fb->rows; y++) {
		fb_row_text(&t, fb->row[y], 0);
		fb_text_add(&t, "\n", 1);
	}
	fb_text_add(&t, "", 1);
	found = strstr(t.p, expect) != NULL;
	free(t.p);
	return (found);
}

/* ops->sync: an SSP message for us; the screen it makes is checked. */
static void
watch_sync(void *arg, struct holder_conn *c, uint32_t id, const uint8_t *p,
    size_t len)
{
	struct watch	*w = arg;

	if (id != 1 || w->ssp == NULL) {
		fprintf(stderr, "holderctl: a sync message for client %u\n",
		    id);
		w->failed = 1;
		event_base_loopbreak(w->base);
		return;
	}
	if (ssp_client_input(w->ssp, p, len, ln_now_ns()) == 1 &&
	    strncmp(w->expect, "exit:", 5) != 0 &&
	    watch_screen_has(ssp_client_screen(w->ssp), w->expect)) {
		w->seen = 1;
		event_base_loopbreak(w->base);
	}
	watch_arm(w);
}

/* The holder attached us: sync, and type. */
static void
watch_attached(void *arg, struct holder_conn *c,
    const struct holder_conn_result *res)
{
	struct watch	*w = arg;

	watch_check(w, res);
	if (res->err != 0)
		return;
	w->ssp = ssp_client_new(80, 24, watch_ssp_send, w, ln_now_ns());
	if (ssp_client_send_keys(w->ssp, (uint8_t *)w->text, w->len,
	    ln_now_ns()) != 0) {
		w->failed = 1;
		event_base_loopbreak(w->base);
		return;
	}
	watch_arm(w);
}

/* The child exited: the end we wait for, if EXPECT is "exit:N". */
static void
watch_exited(void *arg, struct holder_conn *c, int status, int sig)
{
	struct watch	*w = arg;
	char		 want[32];

	snprintf(want, sizeof want, "exit:%d", status);
	if (strcmp(want, w->expect) == 0) {
		w->seen = 1;
		event_base_loopbreak(w->base);
	}
}

/* The holder hung up. */
static void
watch_closed(void *arg, struct holder_conn *c, int err)
{
	struct watch	*w = arg;

	if (!w->seen) {
		fprintf(stderr, "holderctl: %s\n", holder_conn_error(c));
		w->failed = 1;
	}
	event_base_loopbreak(w->base);
}

/* The info after a watch. */
static void
watch_info(void *arg, struct holder_conn *c,
    const struct holder_conn_result *res)
{
	struct watch	*w = arg;

	watch_check(w, res);
	if (res->err == 0)
		printf("clients=%u state=%s\n", res->info->clients,
		    res->info->exited ? "exited" : "running");
	event_base_loopbreak(w->base);
}

/* Ran out of time. */
static void
watch_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct watch	*w = arg;

	fprintf(stderr, "holderctl: timed out waiting for \"%s\"\n",
	    w->expect);
	w->failed = 1;
	event_base_loopbreak(w->base);
}

/*
 * watch: the event-loop API and the holder's SSP server end to end:
 * attach as client 1 (80x24), type TEXT through SSP, and wait until the
 * screen SSP synced to us shows EXPECT.
 */
static int
cmd_watch(const char *dir, const char *name, char *text, const char *expect)
{
	static const struct holder_conn_ops ops = {
		.exited = watch_exited,
		.closed = watch_closed,
		.sync = watch_sync,
	};
	struct watch	 w;
	struct event	*timer;
	struct timeval	 tv = { 10, 0 };

	memset(&w, 0, sizeof w);
	w.expect = expect;
	w.base = event_base_new();
	w.tick = evtimer_new(w.base, watch_tick, &w);
	w.conn = open_session(dir, name);
	if (holder_conn_watch(w.conn, w.base, &ops, &w) != 0)
		fail(w.conn);
	w.len = unescape(text);
	w.text = text;
	if (holder_conn_async_attach(w.conn, 1, 80, 24, NULL, watch_attached,
	    &w) != 0)
		fail(w.conn);
	timer = evtimer_new(w.base, watch_timeout, &w);
	evtimer_add(timer, &tv);
	event_base_dispatch(w.base);
	if (!w.failed && strncmp(expect, "exit:", 5) != 0) {
		if (holder_conn_async_info(w.conn, 0, watch_info, &w) != 0)
			fail(w.conn);
		event_base_dispatch(w.base);
	}
	event_free(timer);
	event_free(w.tick);
	ssp_client_free(w.ssp);
	holder_conn_close(w.conn);
	event_base_free(w.base);
	return (w.failed || !w.seen);
}

/* State of the attachmany verb. */
struct many {
	struct event_base	*base;
	unsigned		 want, answered, attached, refused;
	char			 why[256];
};

/* One attach answered. */
static void
many_attached(void *arg, struct holder_conn *c,
    const struct holder_conn_result *res)
{
	struct many	*m = arg;

	if (res->err == 0)
		m->attached++;
	else if (m->refused++ == 0)
		snprintf(m->why, sizeof m->why, "%s", holder_conn_error(c));
	if (++m->answered == m->want)
		event_base_loopbreak(m->base);
}

/* ops->sync: the clients' SSP messages, unread (we run no SSP here). */
static void
many_sync(void *arg, struct holder_conn *c, uint32_t id, const uint8_t *p,
    size_t len)
{
}

/* Ran out of time. */
static void
many_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct many	*m = arg;

	event_base_loopbreak(m->base);
}

/* The info after them: how many clients the holder counts. */
static void
many_info(void *arg, struct holder_conn *c,
    const struct holder_conn_result *res)
{
	struct many	*m = arg;

	if (res->err == 0)
		printf("attached %u refused %u clients %u\n", m->attached,
		    m->refused, res->info->clients);
	if (m->refused > 0)
		printf("refusal: %s\n", m->why);
	event_base_loopbreak(m->base);
}

/*
 * attachmany: N attaches (clients 1..N, 80x24) on one connection, as
 * lnshd's would be; prints how many the holder took and refused and how
 * many clients it then counts. Exiting leaves them to the holder to keep
 * for resuming.
 */
static int
cmd_attachmany(const char *dir, const char *name, const char *count)
{
	static const struct holder_conn_ops ops = { .sync = many_sync };
	struct holder_conn	*c;
	struct many		 m;
	struct event		*timer;
	struct timeval		 tv = { 10, 0 };
	unsigned		 i;

	memset(&m, 0, sizeof m);
	m.want = (unsigned)number(count);
	m.base = event_base_new();
	c = open_session(dir, name);
	if (m.want == 0 || holder_conn_watch(c, m.base, &ops, &m) != 0)
		usage();
	for (i = 1; i <= m.want; i++)
		if (holder_conn_async_attach(c, i, 80, 24, NULL, many_attached,
		    &m) != 0)
			fail(c);
	timer = evtimer_new(m.base, many_timeout, &m);
	evtimer_add(timer, &tv);
	event_base_dispatch(m.base);
	if (m.answered != m.want) {
		fprintf(stderr, "holderctl: %u of %u attaches answered\n",
		    m.answered, m.want);
		return (1);
	}
	if (holder_conn_async_info(c, 0, many_info, &m) != 0)
		fail(c);
	event_base_dispatch(m.base);
	event_free(timer);
	holder_conn_close(c);
	event_base_free(m.base);
	return (0);
}

/*
 * flood: how much lnshd's side queues for a holder that reads nothing
 * (nothing is sent while the loop does not run: the same as a stopped
 * holder whose socket buffer is full).
 */
static int
cmd_flood(const char *dir, const char *name, const char *bytes)
{
	static const struct holder_conn_ops ops = { NULL, NULL, NULL };
	struct holder_conn	*c;
	struct event_base	*base;
	static uint8_t		 chunk[HOLDER_MAX_INPUT];
	unsigned long long	 want = (unsigned long long)number(bytes);
	unsigned long long	 queued = 0;
	char			 line[64];
	int			 r = 0;

	memset(chunk, 'x', sizeof chunk);
	c = open_session(dir, name);
	if ((base = event_base_new()) == NULL ||
	    holder_conn_watch(c, base, &ops, NULL) != 0) {
		fprintf(stderr, "holderctl: cannot watch %s\n", name);
		return (1);
	}
	printf("open\n");
	fflush(stdout);
	if (fgets(line, sizeof line, stdin) == NULL)
		return (1);
	/* One turn of the loop: what the socket takes now goes. */
	event_base_loop(base, EVLOOP_NONBLOCK);
	while (queued < want && (r = holder_conn_async_send_keys(c, chunk,
	    sizeof chunk, NULL, NULL)) == 0) {
		queued += sizeof chunk;
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	printf("queued %llu\n", queued);
	if (r != 0)
		printf("refused: %s\n", holder_conn_error(c));
	fflush(stdout);
	while (fgets(line, sizeof line, stdin) != NULL)
		;
	holder_conn_close(c);
	event_base_free(base);
	return (0);
}

/* Runs one verb. */
int
main(int argc, char **argv)
{
	struct holder_conn	*c;
	const char		*dir, *verb;

	struct passwd		*pw;

	signal(SIGPIPE, SIG_IGN);
	if (argc < 3)
		usage();
	dir = argv[1];
	verb = argv[2];
	argc -= 3;
	argv += 3;
	owner = getuid();
	if (argc >= 2 && strcmp(argv[0], "-u") == 0) {
		if ((pw = getpwnam(argv[1])) == NULL) {
			fprintf(stderr, "holderctl: no user %s\n", argv[1]);
			return (1);
		}
		owner = pw->pw_uid;
		argc -= 2;
		argv += 2;
	}
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
	if (strcmp(verb, "send") == 0 && argc == 2)
		return (cmd_send(dir, argv[0], argv[1]));
	if (strcmp(verb, "resize") == 0 && argc == 3)
		return (cmd_resize(dir, argv[0], argv[1], argv[2]));
	if (strcmp(verb, "hello") == 0 && argc == 2)
		return (cmd_hello(dir, argv[0], argv[1]));
	if (strcmp(verb, "flood") == 0 && argc == 2)
		return (cmd_flood(dir, argv[0], argv[1]));
	if (strcmp(verb, "watch") == 0 && argc == 3)
		return (cmd_watch(dir, argv[0], argv[1], argv[2]));
	if (strcmp(verb, "attachmany") == 0 && argc == 2)
		return (cmd_attachmany(dir, argv[0], argv[1]));
	if (strcmp(verb, "garbage") == 0)
		return (cmd_garbage(dir, argv[0]));
	if (strcmp(verb, "kill") == 0) {
		c = open_session(dir, argv[0]);
		if (holder_conn_kill(c) != 0)
			fail(c);
		holder_conn_close(c);
		return (0);
	}
	usage();
}
