/*
 * hostile-flood.c: a stranger's garbage at lnshd, for bench/hostile.sh
 * (`make bench-hostile`) and the regress test hostile-flood.sh. It first
 * makes one real connection with CLIENT-KEY-FILE (an authorized key) on a
 * socket of its own and keeps the packets that connection sends: its
 * initiation and a few transport packets (keepalives). Then, from other
 * sockets, it sends RATE datagrams a second for SECS seconds at
 * ADDR:PORT, cycling through the kinds below, each kind from sockets of
 * its own so that an answer can be traced to what caused it:
 *
 *	random		random bytes, 0 to 1500 of them (past the largest
 *			datagram lnsh sends)
 *	badmac		the initiation's size and header, random body: mac1 wrong
 *	badtag		the captured transport header (a live receiver index),
 *			a fresh counter, random ciphertext: the AEAD tag fails
 *	replay		the captured transport packets again, unchanged
 *	truncated	the initiation cut short, anywhere
 *	replayinit	(-m) the captured initiation again, unchanged: its
 *			mac1 is valid, its timestamp old
 *	mac1		(-m) the initiation with its Noise bytes changed and a
 *			valid mac1 recomputed from the server's public key:
 *			what someone who knows that key can send, and the only
 *			kind that costs lnshd a Diffie-Hellman
 *
 * The last two are what a cookie reply may answer (lnshd under load):
 * "replies_garbage N" counts the answers to the others, which must be 0.
 * Then it waits a second for stragglers and prints one "key value" line
 * each: "sent N", "sent_KIND N", "bytes_KIND N", "replies_KIND N",
 * "reply_bytes_KIND N", "max_reply_KIND N" (the largest datagram that
 * came back on that kind's sockets), "min_sent_KIND N" (the smallest
 * datagram that kind sent), "replies N" (all kinds), "replies_garbage N"
 * (the kinds without a valid mac1), "amplified N" (answers larger than
 * the smallest packet of their kind), "legit_rx N"
 * (datagrams the real connection got; it must stay up). Exit 0 when it
 * ran, 2 on a usage or setup error, 3 if the real handshake failed.
 *
 * usage: hostile-flood [-m] [-n SOCKETS] ADDR PORT SERVER-KEY-LINE
 *     CLIENT-KEY-FILE RATE SECS
 *
 * Plain sendto(2), one datagram per call, so that it builds everywhere
 * the tree does; at 10,000 a second that is well within one core.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "proto.h"
#include "clientutil.h"

/*
 * The kinds before FL_GARBAGE carry no valid mac1: nothing may answer
 * them. The ones after are initiations with a valid mac1, which lnshd
 * under load answers with a cookie reply (no larger than the initiation).
 */
enum fl_kind { FL_RANDOM, FL_BADMAC, FL_BADTAG, FL_REPLAY, FL_TRUNC,
    FL_GARBAGE, FL_REPLAYINIT = FL_GARBAGE, FL_MAC1, FL_KINDS };
static const char *fl_names[FL_KINDS] = { "random", "badmac", "badtag",
    "replay", "truncated", "replayinit", "mac1" };

#define FL_CAPTURE	16		/* packets of the real connection kept */
#define FL_SOCKS_MAX	64		/* sockets per kind */
#define FL_RANDOM_MAX	1500		/* random datagrams: 0 to this */

struct fl_pkt {
	uint8_t		b[LN_MAX_DATAGRAM];
	size_t		len;
};

struct flood {
	int			 legit_fd;
	int			 connected;
	unsigned long		 legit_rx;
	struct fl_pkt		 cap[FL_CAPTURE];	/* [0]: the initiation */
	size_t			 ncap;
	int			 have_init;

	int			 fds[FL_KINDS][FL_SOCKS_MAX];
	size_t			 nfds;
	unsigned long		 sent[FL_KINDS], bytes[FL_KINDS];
	size_t			 min_sent[FL_KINDS];
	unsigned long		 replies[FL_KINDS], reply_bytes[FL_KINDS];
	size_t			 max_reply[FL_KINDS];
	unsigned long		 amplified;
	uint64_t		 counter;		/* badtag's counters */
};

/* chan_client send: the datagram to lnshd, kept if there is room. */
static void
fl_udp_send(void *arg, const uint8_t *p, size_t len)
{
	struct flood	*f = arg;
	struct fl_pkt	*c;

	(void)send(f->legit_fd, p, len, 0);
	if (len == 0 || len > LN_MAX_DATAGRAM)
		return;
	if (p[0] == LN_PKT_INITIATION && !f->have_init) {
		memcpy(f->cap[0].b, p, len);
		f->cap[0].len = len;
		f->have_init = 1;
		if (f->ncap == 0)
			f->ncap = 1;
	} else if (p[0] == LN_PKT_TRANSPORT && f->have_init &&
	    f->ncap < FL_CAPTURE) {
		c = &f->cap[f->ncap++];
		memcpy(c->b, p, len);
		c->len = len;
	}
}

/* chan_client message: nothing to do with it. */
static void
fl_message(void *arg, const uint8_t *p, size_t len, int reliable)
{
}

/* chan_client connected. */
static void
fl_connected(void *arg, int resumed)
{
	struct flood	*f = arg;

	f->connected = 1;
}

/* A random number below n (n > 0). */
static size_t
fl_rand(size_t n)
{
	return ((size_t)randombytes_uniform((uint32_t)n));
}

/*
 * One datagram of kind k into p (FL_RANDOM_MAX bytes); its length.
 * mac1key: the server's mac1 key, for the mac1 kind.
 */
static size_t
fl_make(struct flood *f, enum fl_kind k, const uint8_t *mac1key, uint8_t *p)
{
	const struct fl_pkt	*init = &f->cap[0], *c;
	size_t			 len, i;

	switch (k) {
	case FL_RANDOM:
		len = fl_rand(FL_RANDOM_MAX + 1);
		randombytes_buf(p, len);
		return (len);
	case FL_BADMAC:
		memcpy(p, init->b, LN_HDR_LEN);
		randombytes_buf(p + LN_HDR_LEN, init->len - LN_HDR_LEN);
		return (init->len);
	case FL_BADTAG:
		/* A transport packet's header: type, version, index. */
		c = f->ncap > 1 ? &f->cap[1 + fl_rand(f->ncap - 1)] : init;
		len = LN_TRANSPORT_HDR_LEN + LN_TAG_LEN + fl_rand(1100);
		memcpy(p, c->b, 8);
		f->counter++;
		for (i = 0; i < 8; i++)
			p[8 + i] = (uint8_t)((f->counter + (1ULL << 40)) >>
			    (8 * i));
		randombytes_buf(p + LN_TRANSPORT_HDR_LEN,
		    len - LN_TRANSPORT_HDR_LEN);
		return (len);
	case FL_REPLAY:
		c = &f->cap[1 + fl_rand(f->ncap - 1)];
		memcpy(p, c->b, c->len);
		return (c->len);
	case FL_REPLAYINIT:
		memcpy(p, init->b, init->len);
		return (init->len);
	case FL_TRUNC:
		len = fl_rand(init->len);
		memcpy(p, init->b, len);
		return (len);
	case FL_MAC1:
		/*
		 * Change the Noise bytes after the header and the sender
		 * index, then sign the whole again: mac1 is the last
		 * LN_MAC_LEN bytes, over everything before it.
		 */
		memcpy(p, init->b, init->len);
		randombytes_buf(p + LN_HDR_LEN + 4 + LN_KEY_LEN, 16);
		crypto_generichash(p + init->len - LN_MAC_LEN, LN_MAC_LEN, p,
		    init->len - LN_MAC_LEN, mac1key, LN_KEY_LEN);
		return (init->len);
	default:
		return (0);
	}
}

/* Reads whatever came back on the flood sockets and the real one. */
static void
fl_drain(struct flood *f, struct chan_client *cc, int nkinds)
{
	uint8_t		buf[4096];
	ssize_t		n;
	size_t		i;
	int		k;

	while ((n = recv(f->legit_fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
		f->legit_rx++;
		chan_client_input(cc, buf, (size_t)n, ln_now_ns());
	}
	for (k = 0; k < nkinds; k++) {
		for (i = 0; i < f->nfds; i++) {
			while ((n = recv(f->fds[k][i], buf, sizeof buf,
			    MSG_DONTWAIT)) >= 0) {
				f->replies[k]++;
				f->reply_bytes[k] += (unsigned long)n;
				if ((size_t)n > f->max_reply[k])
					f->max_reply[k] = (size_t)n;
				if ((size_t)n > f->min_sent[k])
					f->amplified++;
			}
		}
	}
}

/* A nonblocking IPv4 UDP socket (its first sendto binds a port). */
static int
fl_socket(void)
{
	int	fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return (-1);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

static void
usage(void)
{
	fprintf(stderr, "usage: hostile-flood [-m] [-n SOCKETS] ADDR PORT "
	    "SERVER-KEY-LINE CLIENT-KEY-FILE RATE SECS\n");
	exit(2);
}

/* Connects for real, keeps its packets, floods, counts what came back. */
int
main(int argc, char **argv)
{
	static const struct chan_client_ops ops = {
		.send = fl_udp_send,
		.message = fl_message,
		.connected = fl_connected,
	};
	static struct flood	 f;
	struct chan_config	 cfg;
	struct chan_client	*cc;
	struct sockaddr_in	 sin;
	struct pollfd		 pfd;
	struct passwd		*pw;
	uint8_t			 sk[LN_KEY_LEN], spk[LN_KEY_LEN];
	uint8_t			 mac1key[LN_KEY_LEN];
	uint8_t			 pkt[FL_RANDOM_MAX];
	uint64_t		 now, start, end, t, due, done = 0;
	unsigned long		 rate, secs, total = 0;
	size_t			 i, len, rr = 0;
	int			 ch, nkinds = FL_GARBAGE, k;
	ssize_t			 n;

	f.nfds = 4;
	while ((ch = getopt(argc, argv, "mn:")) != -1) {
		switch (ch) {
		case 'm':
			nkinds = FL_KINDS;
			break;
		case 'n':
			f.nfds = strtoul(optarg, NULL, 10);
			if (f.nfds == 0 || f.nfds > FL_SOCKS_MAX)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 6)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sodium_init() < 0)
		return (2);
	rate = strtoul(argv[4], NULL, 10);
	secs = strtoul(argv[5], NULL, 10);
	if (rate == 0 || secs == 0)
		usage();
	if (cu_client_keys("hostile-flood", argv[2], argv[3], spk, sk) != 0)
		return (2);
	hs_mac1_key(spk, mac1key);
	if ((pw = getpwuid(getuid())) == NULL)
		return (2);
	if ((f.legit_fd = cu_udp_connect(argv[0], argv[1], &sin)) == -1) {
		if (errno == EINVAL)
			usage();
		perror("hostile-flood: socket");
		return (2);
	}
	for (k = 0; k < nkinds; k++) {
		f.min_sent[k] = SIZE_MAX;
		for (i = 0; i < f.nfds; i++) {
			if ((f.fds[k][i] = fl_socket()) == -1) {
				perror("hostile-flood: socket");
				return (2);
			}
		}
	}

	/* The real connection: a handshake, then a few keepalives. */
	memset(&cfg, 0, sizeof cfg);
	cc = chan_client_new(&cfg, sk, spk, pw->pw_name, &ops, &f);
	sodium_memzero(sk, sizeof sk);
	if (cc == NULL)
		return (2);
	now = ln_now_ns();
	end = now + 10 * LN_NS_PER_SEC;
	(void)chan_client_connect(cc, now);
	pfd.fd = f.legit_fd;
	pfd.events = POLLIN;
	while (f.ncap < 6 && (now = ln_now_ns()) < end) {
		if (f.connected)
			(void)chan_client_keepalive(cc, now);
		t = chan_client_tick(cc, now);
		if (t > now + 20 * LN_NS_PER_MS)
			t = now + 20 * LN_NS_PER_MS;
		(void)poll(&pfd, 1, ln_wait_ms(now, t));
		fl_drain(&f, cc, 0);
	}
	if (!f.connected || f.ncap < 2) {
		fprintf(stderr, "hostile-flood: no handshake\n");
		return (3);
	}

	/* The flood, paced per millisecond. */
	start = ln_now_ns();
	end = start + secs * LN_NS_PER_SEC;
	while ((now = ln_now_ns()) < end) {
		due = (unsigned long)((now - start) / 1000ULL * rate /
		    1000000ULL);
		for (; done < due; done++) {
			k = (int)(done % (uint64_t)nkinds);
			len = fl_make(&f, (enum fl_kind)k, mac1key, pkt);
			n = sendto(f.fds[k][rr++ % f.nfds], pkt, len, 0,
			    (struct sockaddr *)&sin, sizeof sin);
			if (n < 0)
				continue;	/* never left: not counted */
			f.sent[k]++;
			f.bytes[k] += len;
			if (len < f.min_sent[k])
				f.min_sent[k] = len;
			total++;
		}
		fl_drain(&f, cc, nkinds);
		(void)chan_client_tick(cc, now);
		(void)poll(NULL, 0, 1);
	}
	/* Stragglers: an answer may still be on its way. */
	end = ln_now_ns() + LN_NS_PER_SEC;
	while ((now = ln_now_ns()) < end) {
		(void)chan_client_tick(cc, now);
		(void)poll(NULL, 0, 10);
		fl_drain(&f, cc, nkinds);
	}

	printf("sent %lu\n", total);
	for (k = 0; k < nkinds; k++) {
		printf("sent_%s %lu\n", fl_names[k], f.sent[k]);
		printf("bytes_%s %lu\n", fl_names[k], f.bytes[k]);
		printf("min_sent_%s %zu\n", fl_names[k],
		    f.min_sent[k] == SIZE_MAX ? 0 : f.min_sent[k]);
		printf("replies_%s %lu\n", fl_names[k], f.replies[k]);
		printf("reply_bytes_%s %lu\n", fl_names[k], f.reply_bytes[k]);
		printf("max_reply_%s %zu\n", fl_names[k], f.max_reply[k]);
	}
	total = 0;
	for (k = 0; k < FL_GARBAGE; k++)
		total += f.replies[k];
	printf("replies_garbage %lu\n", total);
	for (k = FL_GARBAGE; k < nkinds; k++)
		total += f.replies[k];
	printf("replies %lu\n", total);
	printf("amplified %lu\n", f.amplified);
	printf("legit_rx %lu\n", f.legit_rx);
	chan_client_free(cc);
	return (0);
}
