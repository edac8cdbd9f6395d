/*
 * test_wait.c: the waits on ttys and ptys (compat/waitfd.c,
 * compat/event-base.c). Every waitfd test runs against select(2) and
 * poll(2) behind the same contract, whichever this build uses; then the
 * build's own choice (compat_waitfd) and the holder's event base are
 * checked against what configure asked for.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "compat.h"

typedef int (*wait_fn)(struct pollfd *, size_t, int);

struct impl {
	const char	*name;
	wait_fn		 fn;
};

static struct impl impl_select = { "select", compat_waitfd_select };
static struct impl impl_poll = { "poll", compat_waitfd_poll };

/* Monotonic milliseconds, for measuring the timeouts. */
static long long
now_ms(void)
{
	struct timespec	ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* A pty pair, the slave raw so single bytes are readable at once. */
static void
pty_pair(int *master, int *slave)
{
	struct termios	tio;

	assert_int_equal(openpty(master, slave, NULL, NULL, NULL), 0);
	assert_int_equal(tcgetattr(*slave, &tio), 0);
	cfmakeraw(&tio);
	assert_int_equal(tcsetattr(*slave, TCSANOW, &tio), 0);
}

/* Nothing to read: 0 after about the timeout; 0 at once for 0 ms. */
static void
test_timeout(void **state)
{
	struct impl	*im = *state;
	struct pollfd	 pfd;
	int		 p[2];
	long long	 t0, dt;

	assert_int_equal(pipe(p), 0);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	pfd.revents = POLLERR;		/* must be cleared */
	t0 = now_ms();
	assert_int_equal(im->fn(&pfd, 1, 0), 0);
	assert_true(now_ms() - t0 < 100);
	assert_int_equal(pfd.revents, 0);

	t0 = now_ms();
	assert_int_equal(im->fn(&pfd, 1, 120), 0);
	dt = now_ms() - t0;
	assert_true(dt >= 110);		/* clocks may round down a little */
	assert_true(dt < 2000);
	assert_int_equal(pfd.revents, 0);

	/* Seconds and milliseconds both: 1.05 s. */
	t0 = now_ms();
	assert_int_equal(im->fn(&pfd, 1, 1050), 0);
	dt = now_ms() - t0;
	assert_true(dt >= 1040);
	assert_true(dt < 3000);

	/* No descriptors at all: a plain sleep. */
	t0 = now_ms();
	assert_int_equal(im->fn(NULL, 0, 50), 0);
	assert_true(now_ms() - t0 >= 40);
	close(p[0]);
	close(p[1]);
}

/* Only the readable entry is reported, in its own slot. */
static void
test_pipe_readable(void **state)
{
	struct impl	*im = *state;
	struct pollfd	 pfd[3];
	int		 a[2], b[2];

	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	pfd[0].fd = a[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = -1;			/* skipped, as poll(2) skips it */
	pfd[1].events = POLLIN;
	pfd[1].revents = POLLIN;
	pfd[2].fd = b[0];
	pfd[2].events = POLLIN;
	assert_int_equal(write(b[1], "x", 1), 1);
	assert_int_equal(im->fn(pfd, 3, 5000), 1);
	assert_int_equal(pfd[0].revents, 0);
	assert_int_equal(pfd[1].revents, 0);
	assert_true(pfd[2].revents & POLLIN);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

/*
 * A pty pair, both ways, as the holder (master) and a client's terminal
 * (slave) see it: nothing ready, then the byte the other side wrote.
 */
static void
test_pty(void **state)
{
	struct impl	*im = *state;
	struct pollfd	 pfd[2];
	int		 m, s;
	char		 c;

	pty_pair(&m, &s);
	pfd[0].fd = m;
	pfd[0].events = POLLIN;
	pfd[1].fd = s;
	pfd[1].events = POLLIN;
	assert_int_equal(im->fn(pfd, 2, 50), 0);

	/* Typed into the terminal: the slave has it. */
	assert_int_equal(write(m, "k", 1), 1);
	assert_int_equal(im->fn(pfd, 2, 5000), 1);
	assert_int_equal(pfd[0].revents, 0);
	assert_true(pfd[1].revents & POLLIN);
	assert_int_equal(read(s, &c, 1), 1);
	assert_int_equal(c, 'k');

	/* Written by the program: the master has it. */
	assert_int_equal(write(s, "o", 1), 1);
	assert_int_equal(im->fn(pfd, 2, 5000), 1);
	assert_true(pfd[0].revents & POLLIN);
	assert_int_equal(pfd[1].revents, 0);
	assert_int_equal(read(m, &c, 1), 1);
	assert_int_equal(c, 'o');

	/* Both writable (a display flushing to its terminal). */
	pfd[0].events = POLLOUT;
	pfd[1].events = POLLOUT;
	assert_int_equal(im->fn(pfd, 2, 5000), 2);
	assert_true(pfd[0].revents & POLLOUT);
	assert_true(pfd[1].revents & POLLOUT);

	/* The program's side closes: the master's wait ends (EOF or EIO). */
	close(s);
	pfd[0].events = POLLIN;
	assert_int_equal(im->fn(pfd, 1, 5000), 1);
	assert_int_not_equal(pfd[0].revents, 0);
	close(m);
}

/* A closed descriptor is POLLNVAL in its slot, not a failed wait. */
static void
test_closed_fd(void **state)
{
	struct impl	*im = *state;
	struct pollfd	 pfd[2];
	int		 p[2], q[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	close(q[0]);
	close(q[1]);
	pfd[0].fd = p[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = q[0];		/* closed (and not reused: q[1] too) */
	pfd[1].events = POLLIN;
	assert_int_equal(im->fn(pfd, 2, 1000), 1);
	assert_int_equal(pfd[0].revents, 0);
	assert_true(pfd[1].revents & POLLNVAL);
	close(p[0]);
	close(p[1]);
}

static volatile sig_atomic_t alarms;

/* Counts SIGALRM; installed without SA_RESTART. */
static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/*
 * A signal during the wait ends it with EINTR and no entry set, long
 * before the timeout: the caller's loop then handles the signal.
 */
static void
test_eintr(void **state)
{
	struct impl		*im = *state;
	struct sigaction	 sa, old;
	struct itimerval	 it;
	struct pollfd		 pfd;
	long long		 t0;
	int			 p[2], r, e;

	assert_int_equal(pipe(p), 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	memset(&it, 0, sizeof it);
	it.it_value.tv_usec = 50000;
	alarms = 0;
	pfd.fd = p[0];
	pfd.events = POLLIN;
	pfd.revents = POLLIN;
	t0 = now_ms();
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	r = im->fn(&pfd, 1, 10000);
	e = errno;
	assert_int_equal(r, -1);
	assert_int_equal(e, EINTR);
	assert_int_equal(alarms, 1);
	assert_int_equal(pfd.revents, 0);
	assert_true(now_ms() - t0 < 5000);

	/* And the next wait works as before. */
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(im->fn(&pfd, 1, 5000), 1);
	assert_true(pfd.revents & POLLIN);
	assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
	close(p[0]);
	close(p[1]);
}

/*
 * A descriptor numbered FD_SETSIZE: select refuses it (ERANGE, and words
 * that name the limit), and waits on nothing; poll just waits on it.
 */
static void
test_fd_setsize(void **state)
{
	struct pollfd	 pfd[2];
	struct rlimit	 rl, saved;
	const char	*msg;
	char		 limit[32];
	int		 p[2], hi, e;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	rl = saved;
	if (rl.rlim_cur <= FD_SETSIZE) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max <= FD_SETSIZE)
			skip();		/* this process may not have one */
		rl.rlim_cur = FD_SETSIZE + 1;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	assert_int_equal(pipe(p), 0);
	hi = dup2(p[0], FD_SETSIZE);
	assert_int_equal(hi, FD_SETSIZE);
	assert_int_equal(write(p[1], "x", 1), 1);

	pfd[0].fd = p[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = hi;
	pfd[1].events = POLLIN;
	assert_int_equal(compat_waitfd_select(pfd, 2, 5000), -1);
	e = errno;
	assert_int_equal(e, ERANGE);
	msg = compat_waitfd_strerror(e);
	snprintf(limit, sizeof limit, "FD_SETSIZE (%d)", (int)FD_SETSIZE);
	assert_non_null(strstr(msg, limit));
	assert_non_null(strstr(msg, "select"));
	/* Other errors are the system's words. */
	assert_string_equal(compat_waitfd_strerror(EBADF), strerror(EBADF));

	assert_int_equal(compat_waitfd_poll(pfd, 2, 5000), 2);
	assert_true(pfd[1].revents & POLLIN);

	/* What this build does with it is what it does for ttys. */
	e = 0;
	if (compat_waitfd(pfd, 2, 5000) == -1)
		e = errno;
	if (strcmp(compat_waitfd_method(), "select") == 0)
		assert_int_equal(e, ERANGE);
	else
		assert_int_equal(e, 0);
	close(hi);
	close(p[0]);
	close(p[1]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

/* configure's choice: select with LNSH_SELECT_WAIT, else poll. */
static void
test_build_choice(void **state)
{
	(void)state;
#ifdef LNSH_SELECT_WAIT
	assert_string_equal(compat_waitfd_method(), "select");
	assert_string_equal(compat_event_method(), "select");
#else
	assert_string_equal(compat_waitfd_method(), "poll");
	assert_null(compat_event_method());
#endif
}

static int	pty_reads;

/* The event base's read callback on the pty master. */
static void
on_pty(evutil_socket_t fd, short what, void *arg)
{
	struct event_base	*base = arg;
	char			 c;

	if ((what & EV_READ) && read(fd, &c, 1) == 1 && c == 'z')
		pty_reads++;
	event_base_loopbreak(base);
}

/*
 * The holder's base: the method configure asked for (select), even with
 * libevent's environment saying no to it, and it sees a pty's output.
 */
static void
test_event_base(void **state)
{
	struct event_base	*base;
	struct event		*ev;
	struct timeval		 tv = { 5, 0 };
	const char		*want = compat_event_method();
	int			 m, s;

	(void)state;
	if (want != NULL)
		assert_int_equal(setenv("EVENT_NOSELECT", "1", 1), 0);
	base = compat_event_base();
	assert_non_null(base);
	if (want != NULL)
		assert_string_equal(event_base_get_method(base), want);
	unsetenv("EVENT_NOSELECT");

	pty_pair(&m, &s);
	ev = event_new(base, m, EV_READ | EV_PERSIST, on_pty, base);
	assert_non_null(ev);
	assert_int_equal(event_add(ev, &tv), 0);
	pty_reads = 0;
	assert_int_equal(write(s, "z", 1), 1);
	assert_int_equal(event_base_dispatch(base), 0);
	assert_int_equal(pty_reads, 1);
	event_free(ev);
	event_base_free(base);
	close(m);
	close(s);
}

/* A test twice: against select(2), then poll(2). */
#define BOTH(f) \
	{ #f "/select", f, NULL, NULL, &impl_select }, \
	{ #f "/poll", f, NULL, NULL, &impl_poll }

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_timeout),
		BOTH(test_pipe_readable),
		BOTH(test_pty),
		BOTH(test_closed_fd),
		BOTH(test_eintr),
		cmocka_unit_test(test_fd_setsize),
		cmocka_unit_test(test_build_choice),
		cmocka_unit_test(test_event_base),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
