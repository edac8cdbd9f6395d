/*
 * test_udp.c: the client's UDP loop tries every address a host resolves to
 * at once, keeps the one that answers and sends only there from then on,
 * and gives up at its deadline when nothing answers. The server is a
 * channel echo server in a child process on a loopback socket; the "dead"
 * address is a socket that is never read, as a black-holed route.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "client.h"

#define SEC	LN_NS_PER_SEC

/* The echo server's state (in the child). */
struct echo_srv {
	int			 fd;
	struct chan_server	*cs;
	struct chan_peer	*peer;
	uint8_t			 msg[64];
	size_t			 len;
	int			 pending;
};

/* The client side's state. */
struct echo_cli {
	struct udp_conn	 u;
	int		 echoes;
};

/* A non-blocking UDP socket bound to a free loopback port; its address. */
static int
bound_socket(struct chan_addr *a)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&a->ss;
	int			 fd;

	memset(a, 0, sizeof *a);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->len = sizeof *sin;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a->ss, a->len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a->ss, &a->len),
	    0);
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	return (fd);
}

/* Server ops->send. */
static void
srv_send(void *arg, const struct chan_addr *to, const uint8_t *pkt,
    size_t len)
{
	struct echo_srv	*s = arg;

	(void)sendto(s->fd, pkt, len, 0, (const struct sockaddr *)&to->ss,
	    to->len);
}

/* Server ops->authorize: every key. */
static int
srv_authorize(void *arg, const uint8_t *pk, const char *user)
{
	(void)arg;
	(void)pk;
	(void)user;
	return (0);
}

/* Server ops->connect and ->disconnect: nothing to do. */
static void
srv_peer(void *arg, struct chan_peer *peer)
{
	(void)arg;
	(void)peer;
}

/* Server ops->message: remember it, echoed once input returns. */
static void
srv_message(void *arg, struct chan_peer *peer, const uint8_t *msg,
    size_t len, int reliable)
{
	struct echo_srv	*s = arg;

	(void)reliable;
	if (len > sizeof s->msg)
		return;
	memcpy(s->msg, msg, len);
	s->len = len;
	s->peer = peer;
	s->pending = 1;
}

/* The child: an echo server until killed (or 20 s, as a safety net). */
static void __attribute__((noreturn))
echo_server(int fd, const uint8_t *sk)
{
	static const struct chan_server_ops ops = {
		.send = srv_send,
		.authorize = srv_authorize,
		.connect = srv_peer,
		.disconnect = srv_peer,
		.message = srv_message,
	};
	struct echo_srv		 s;
	struct chan_config	 cfg;
	struct chan_addr	 from;
	struct pollfd		 pfd;
	uint8_t			 pkt[LN_MAX_DATAGRAM + 1];
	uint64_t		 now, end, next;
	ssize_t			 n;

	memset(&s, 0, sizeof s);
	memset(&cfg, 0, sizeof cfg);
	s.fd = fd;
	if ((s.cs = chan_server_new(&cfg, sk, &ops, &s)) == NULL)
		_exit(1);
	end = ln_now_ns() + 20 * SEC;
	while ((now = ln_now_ns()) < end) {
		next = chan_server_tick(s.cs, now);
		pfd.fd = fd;
		pfd.events = POLLIN;
		(void)poll(&pfd, 1, ln_wait_ms(now, ln_min(next,
		    now + 100 * LN_NS_PER_MS)));
		for (;;) {
			from.len = sizeof from.ss;
			n = recvfrom(fd, pkt, sizeof pkt, 0,
			    (struct sockaddr *)&from.ss, &from.len);
			if (n == -1)
				break;
			chan_server_input(s.cs, pkt, (size_t)n, &from,
			    ln_now_ns());
			if (s.pending) {
				(void)chan_server_send(s.cs, s.peer, s.msg,
				    s.len, CHAN_RELIABLE, ln_now_ns());
				s.pending = 0;
			}
		}
	}
	_exit(0);
}

/* Client ops->send. */
static void
cli_send(void *arg, const uint8_t *pkt, size_t len)
{
	struct echo_cli	*c = arg;

	udp_send(&c->u, pkt, len);
}

/* Client ops->message: count echoes. */
static void
cli_message(void *arg, const uint8_t *msg, size_t len, int reliable)
{
	struct echo_cli	*c = arg;

	(void)msg;
	(void)len;
	(void)reliable;
	c->echoes++;
}

/* Client ops->connected. */
static void
cli_connected(void *arg, int resumed)
{
	(void)arg;
	(void)resumed;
}

/* udp_run's test: the handshake is done. */
static int
is_connected(void *arg)
{
	struct echo_cli	*c = arg;

	return (chan_client_connected(c->u.cc));
}

/* udp_run's test: two echoes are back. */
static int
got_two(void *arg)
{
	struct echo_cli	*c = arg;

	return (c->echoes >= 2);
}

/* udp_run's test: never done, so it runs to its deadline. */
static int
never(void *arg)
{
	(void)arg;
	return (0);
}

/* Datagrams waiting on a socket, all read. */
static int
drain(int fd)
{
	uint8_t	pkt[LN_MAX_DATAGRAM + 1];
	int	n = 0;

	while (recv(fd, pkt, sizeof pkt, 0) >= 0)
		n++;
	return (n);
}

/*
 * A dead address first, the live server second: the handshake goes to
 * both, completes through the live one, which is kept; later traffic
 * reaches only it.
 */
static void
test_every_address(void **state)
{
	static const struct chan_client_ops ops = {
		.send = cli_send,
		.message = cli_message,
		.connected = cli_connected,
	};
	struct echo_cli		 c;
	struct chan_config	 cfg;
	struct chan_addr	 addrs[2];
	uint8_t			 ssk[LN_KEY_LEN], spk[LN_KEY_LEN];
	uint8_t			 csk[LN_KEY_LEN], cpk[LN_KEY_LEN];
	char			*cause = NULL;
	int			 dead, live, status;
	pid_t			 pid;

	(void)state;
	assert_int_equal(noise_keypair(ssk, spk), 0);
	assert_int_equal(noise_keypair(csk, cpk), 0);
	dead = bound_socket(&addrs[0]);
	live = bound_socket(&addrs[1]);
	if ((pid = fork()) == 0) {
		close(dead);
		echo_server(live, ssk);
	}
	assert_true(pid > 0);
	close(live);

	memset(&c, 0, sizeof c);
	assert_int_equal(udp_open(&c.u, addrs, 2, &cause), 0);
	assert_int_equal(c.u.n, 2);
	assert_int_equal(c.u.chosen, -1);
	memset(&cfg, 0, sizeof cfg);
	c.u.cc = chan_client_new(&cfg, csk, spk, "test", &ops, &c);
	assert_non_null(c.u.cc);
	assert_int_equal(chan_client_connect(c.u.cc, ln_now_ns()), 0);
	assert_int_equal(udp_run(&c.u, ln_now_ns() + 5 * SEC, is_connected,
	    &c), 0);
	assert_int_equal(c.u.chosen, 1);
	assert_true(drain(dead) >= 1);		/* it was tried too */

	assert_int_equal(chan_client_send(c.u.cc, (const uint8_t *)"a", 1,
	    CHAN_RELIABLE, ln_now_ns()), 0);
	assert_int_equal(chan_client_send(c.u.cc, (const uint8_t *)"b", 1,
	    CHAN_RELIABLE, ln_now_ns()), 0);
	assert_int_equal(udp_run(&c.u, ln_now_ns() + 5 * SEC, got_two, &c),
	    0);
	assert_int_equal(drain(dead), 0);	/* nothing since the choice */

	/* A fresh socket for the chosen address still reaches the server. */
	assert_int_equal(udp_rebind(&c.u, &cause), 0);
	assert_int_equal(chan_client_keepalive(c.u.cc, ln_now_ns()), 0);
	assert_int_equal(chan_client_send(c.u.cc, (const uint8_t *)"c", 1,
	    CHAN_RELIABLE, ln_now_ns()), 0);
	c.echoes = 1;
	assert_int_equal(udp_run(&c.u, ln_now_ns() + 5 * SEC, got_two, &c),
	    0);

	chan_client_free(c.u.cc);
	udp_close(&c.u);
	close(dead);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

/* Nothing answers: udp_run gives up at its deadline, not before. */
static void
test_deadline(void **state)
{
	static const struct chan_client_ops ops = {
		.send = cli_send,
		.message = cli_message,
		.connected = cli_connected,
	};
	struct echo_cli		 c;
	struct chan_config	 cfg;
	struct chan_addr	 a;
	uint8_t			 sk[LN_KEY_LEN], pk[LN_KEY_LEN];
	char			*cause = NULL;
	uint64_t		 start;
	int			 dead;

	(void)state;
	assert_int_equal(noise_keypair(sk, pk), 0);
	dead = bound_socket(&a);
	memset(&c, 0, sizeof c);
	assert_int_equal(udp_open(&c.u, &a, 1, &cause), 0);
	memset(&cfg, 0, sizeof cfg);
	c.u.cc = chan_client_new(&cfg, sk, pk, "test", &ops, &c);
	assert_non_null(c.u.cc);
	assert_int_equal(chan_client_connect(c.u.cc, ln_now_ns()), 0);
	start = ln_now_ns();
	assert_int_equal(udp_run(&c.u, start + SEC / 4, never, &c),
	    RPC_E_NOANSWER);
	assert_true(ln_now_ns() - start >= SEC / 4);
	assert_true(ln_now_ns() - start < 2 * SEC);
	assert_int_equal(c.u.chosen, -1);
	assert_true(drain(dead) >= 1);
	assert_int_equal(udp_rebind(&c.u, &cause), LN_E_STATE);
	free(cause);
	chan_client_free(c.u.cc);
	udp_close(&c.u);
	close(dead);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_address),
		cmocka_unit_test(test_deadline),
	};

	if (sodium_init() < 0)
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
