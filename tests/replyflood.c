/*
 * replyflood.c: a client that asks lnshd for many answers and never
 * acknowledges them, for the rpc-reply-budget regress test. It connects
 * to lnshd on 127.0.0.1:PORT with its acknowledgements muted
 * (chan_client_mute_acks), sends COUNT `capture` requests of session NAME
 * with its whole scrollback, prints "sent N" once they are queued, then
 * runs the channel (its requests are resent until lnshd has them) until
 * SECS seconds have passed and exits 0: every reply lnshd sends stays
 * unacknowledged, held by lnshd. On the way out it prints "replies N
 * busy M": the replies that reached it, M of them BUSY. Exit 2 on a usage
 * or setup error, 3 if the handshake did not complete.
 *
 * usage: replyflood PORT SERVER-KEY-LINE CLIENT-KEY-FILE NAME COUNT SECS
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <protobuf-c/protobuf-c.h>
#include <sodium.h>

#include "proto.h"
#include "clientutil.h"
#include "rpc.pb-c.h"

struct rflood {
	int			 fd;
	int			 connected;
	unsigned long		 replies, busy;
};

/* chan_client send: the datagram to lnshd. */
static void
rf_udp_send(void *arg, const uint8_t *p, size_t len)
{
	struct rflood	*f = arg;

	(void)send(f->fd, p, len, 0);
}

/* chan_client message: a reply (each arrives once, and is never acked). */
static void
rf_message(void *arg, const uint8_t *p, size_t len, int reliable)
{
	struct rflood	*f = arg;
	Lnsh__Reply	*rep;

	if (!reliable || (rep = lnsh__reply__unpack(NULL, len, p)) == NULL)
		return;
	f->replies++;
	if (rep->error != NULL && strstr(rep->error, "busy") != NULL)
		f->busy++;
	lnsh__reply__free_unpacked(rep, NULL);
}

/* chan_client connected: the requests can go. */
static void
rf_connected(void *arg, int resumed)
{
	struct rflood	*f = arg;

	f->connected = 1;
}

/* Sends one capture request of name with id; the channel's answer. */
static int
rf_capture(struct chan_client *cc, const char *name, uint64_t id)
{
	Lnsh__Request		req = LNSH__REQUEST__INIT;
	Lnsh__CaptureRequest	cap = LNSH__CAPTURE_REQUEST__INIT;
	uint8_t			buf[256];
	size_t			len;

	cap.name = (char *)(uintptr_t)name;
	cap.scrollback = -1;
	cap.escapes = 1;
	req.id = id;
	req.op_case = LNSH__REQUEST__OP_CAPTURE;
	req.capture = &cap;
	if (lnsh__request__get_packed_size(&req) > sizeof buf)
		return (LN_E_INVAL);
	len = lnsh__request__pack(&req, buf);
	return (chan_client_send(cc, buf, len, CHAN_RELIABLE, ln_now_ns()));
}

/* Connects, floods, goes deaf. */
int
main(int argc, char **argv)
{
	static const struct chan_client_ops ops = {
		.send = rf_udp_send,
		.message = rf_message,
		.connected = rf_connected,
	};
	struct rflood		 f;
	struct chan_config	 cfg;
	struct chan_client	*cc;
	struct sockaddr_in	 sin;
	struct pollfd		 pfd;
	struct passwd		*pw;
	uint8_t			 sk[LN_KEY_LEN], spk[LN_KEY_LEN], pkt[2048];
	uint64_t		 now, end, t;
	unsigned long		 count, sent = 0;
	ssize_t			 n;

	if (argc != 7) {
		fprintf(stderr, "usage: replyflood PORT SERVER-KEY CLIENT-KEY "
		    "NAME COUNT SECS\n");
		return (2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sodium_init() < 0)
		return (2);
	memset(&f, 0, sizeof f);
	if ((count = strtoul(argv[5], NULL, 10)) == 0)
		return (2);
	if (cu_client_keys("replyflood", argv[2], argv[3], spk, sk) != 0)
		return (2);
	if ((pw = getpwuid(getuid())) == NULL)
		return (2);
	if ((f.fd = cu_udp_connect(NULL, argv[1], &sin)) == -1) {
		perror("replyflood: socket");
		return (2);
	}
	memset(&cfg, 0, sizeof cfg);
	cc = chan_client_new(&cfg, sk, spk, pw->pw_name, &ops, &f);
	sodium_memzero(sk, sizeof sk);
	if (cc == NULL)
		return (2);
	now = ln_now_ns();
	end = now + (uint64_t)atoi(argv[6]) * LN_NS_PER_SEC;
	(void)chan_client_connect(cc, now);
	pfd.fd = f.fd;
	pfd.events = POLLIN;
	for (;;) {
		now = ln_now_ns();
		if (now >= end)
			break;
		if (f.connected && sent == 0) {
			chan_client_mute_acks(cc);
			while (sent < count && rf_capture(cc, argv[4],
			    sent + 1) == 0)
				sent++;
			printf("sent %lu\n", sent);
		}
		t = chan_client_tick(cc, now);
		if (t > end)
			t = end;
		(void)poll(&pfd, 1, ln_wait_ms(now, t));
		while ((n = recv(f.fd, pkt, sizeof pkt, MSG_DONTWAIT)) > 0)
			chan_client_input(cc, pkt, (size_t)n, ln_now_ns());
	}
	if (!f.connected) {
		fprintf(stderr, "replyflood: no handshake\n");
		return (3);
	}
	printf("replies %lu busy %lu\n", f.replies, f.busy);
	chan_client_free(cc);
	close(f.fd);
	return (0);
}
