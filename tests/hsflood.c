/*
 * hsflood.c: handshake traffic for the regress tests and the benchmarks,
 * aimed at an lnshd on this machine (loopback, or a namespace the caller
 * made), never anywhere else.
 *
 *	hsflood flood ADDR PORT KEY RATE SECONDS [SOURCES]
 *	hsflood record ADDR PORT FILE
 *	hsflood replay ADDR PORT FILE WAIT_MS
 *
 * flood: initiations from someone who knows the server's public key KEY
 * (base64, or the line `lnshd pubkey` prints) but no
 * admitted client key: a valid mac1 over 148 bytes of junk, so each one
 * passes mac1 and fails Noise after a Diffie-Hellman, unless the server
 * answers it with a cookie. RATE a second for SECONDS, from SOURCES
 * sockets (default 64: as many source ports) in turn. Replies are read
 * and counted. Prints one line: "flood sent N seconds S rate R replies M
 * reply_bytes B max_reply L sent_bytes SB".
 *
 * record: a relay for one client: prints "listening 127.0.0.1 PORT" (a
 * port of its own on loopback), forwards what arrives there to ADDR:PORT
 * and the answers back, and appends every datagram the client sent to
 * FILE (2-byte big-endian length, then the bytes). Runs until SIGTERM.
 *
 * replay: sends every datagram of FILE to ADDR:PORT in order, from one
 * new socket, then waits WAIT_MS for answers. Prints "replayed N replies
 * M".
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "proto.h"
#include "netutil.h"

#define FLOOD_LEN	152	/* header, index, 128 bytes of junk, mac1 */
#define FLOOD_SOURCES	64
#define MAX_SOURCES	1024

static volatile sig_atomic_t	stop;

/* Says what went wrong and exits 2. */
static void
die(const char *what)
{
	fprintf(stderr, "hsflood: %s\n", what);
	exit(2);
}

/* SIGTERM, SIGINT: stop at the next turn of the loop. */
static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Resolves a numeric address and port. */
static void
resolve(const char *host, const char *port, struct chan_addr *a)
{
	struct addrinfo	hints, *res;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0 || res == NULL)
		die("not a numeric address and port");
	memset(a, 0, sizeof *a);
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = (socklen_t)res->ai_addrlen;
	freeaddrinfo(res);
}

/* A non-blocking UDP socket of a's family, bound to any port. */
static int
udp_socket(const struct chan_addr *a)
{
	int	fd;

	if ((fd = socket(a->ss.ss_family, SOCK_DGRAM, 0)) == -1 ||
	    net_nonblock(fd) != 0)
		die("socket");
	return (fd);
}

/* Reads every datagram waiting on fd: counts them and their bytes. */
static void
drain(int fd, uint64_t *n, uint64_t *bytes, size_t *max)
{
	uint8_t	buf[LN_MAX_DATAGRAM + 1];
	ssize_t	r;

	while ((r = recv(fd, buf, sizeof buf, 0)) >= 0) {
		(*n)++;
		*bytes += (uint64_t)r;
		if ((size_t)r > *max)
			*max = (size_t)r;
	}
}

/* flood: see the top of the file. */
static int
cmd_flood(int argc, char **argv)
{
	struct chan_addr a;
	struct buf	 w;
	uint8_t		 pk[LN_KEY_LEN], mkey[LN_KEY_LEN], pkt[FLOOD_LEN];
	uint8_t		*p;
	const char	*b64;
	uint64_t	 rate, secs, nsrc, start, now, due, sent = 0;
	uint64_t	 replies = 0, rbytes = 0;
	size_t		 klen, rmax = 0, i;
	int		 fds[MAX_SOURCES];

	if (argc < 6)
		die("usage: hsflood flood ADDR PORT KEY RATE SECONDS [SOURCES]");
	resolve(argv[1], argv[2], &a);
	/* "lnsh-x25519 BASE64 [comment]", or the base64 alone. */
	b64 = argv[3];
	if (strncmp(b64, LN_KEY_TYPE " ", strlen(LN_KEY_TYPE) + 1) == 0)
		b64 += strlen(LN_KEY_TYPE) + 1;
	if (sodium_base642bin(pk, sizeof pk, b64, strcspn(b64, " \t\n"),
	    NULL, &klen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    klen != LN_KEY_LEN)
		die("not a key");
	rate = net_parse_u64("rate", argv[4], die);
	secs = net_parse_u64("seconds", argv[5], die);
	nsrc = argc > 6 ? net_parse_u64("sources", argv[6], die) :
	    FLOOD_SOURCES;
	if (rate == 0 || nsrc == 0 || nsrc > MAX_SOURCES)
		die("rate and sources must be 1 or more (sources at most 1024)");
	hs_mac1_key(pk, mkey);
	for (i = 0; i < nsrc; i++)
		fds[i] = udp_socket(&a);
	start = ln_now_ns();
	while (!stop) {
		now = ln_now_ns();
		if (now - start >= secs * LN_NS_PER_SEC)
			break;
		/* Sends what is due by now, then reads what came back. */
		due = (now - start) * rate / LN_NS_PER_SEC;
		for (; sent < due; sent++) {
			buf_writer(&w, pkt, sizeof pkt);
			(void)hs_put_header(&w, LN_PKT_INITIATION);
			p = buf_put_ptr(&w, FLOOD_LEN - LN_HDR_LEN - LN_MAC_LEN);
			randombytes_buf(p, FLOOD_LEN - LN_HDR_LEN - LN_MAC_LEN);
			(void)hs_put_mac1(&w, pkt, mkey);
			(void)sendto(fds[sent % nsrc], pkt, sizeof pkt, 0,
			    (const struct sockaddr *)&a.ss, a.len);
		}
		for (i = 0; i < nsrc; i++)
			drain(fds[i], &replies, &rbytes, &rmax);
		usleep(500);
	}
	/* Answers still on their way. */
	usleep(100000);
	for (i = 0; i < nsrc; i++)
		drain(fds[i], &replies, &rbytes, &rmax);
	printf("flood sent %llu seconds %llu rate %llu replies %llu "
	    "reply_bytes %llu max_reply %zu sent_bytes %llu\n",
	    (unsigned long long)sent, (unsigned long long)secs,
	    (unsigned long long)rate, (unsigned long long)replies,
	    (unsigned long long)rbytes, rmax,
	    (unsigned long long)(sent * FLOOD_LEN));
	return (0);
}

/* record: see the top of the file. */
static int
cmd_record(int argc, char **argv)
{
	struct chan_addr	 up, lo, client, from;
	struct pollfd		 pfd[2];
	uint8_t			 buf[LN_MAX_DATAGRAM + 1], hdr[2];
	FILE			*f;
	ssize_t			 n;
	int			 lfd, ufd, have_client = 0;

	if (argc < 4)
		die("usage: hsflood record ADDR PORT FILE");
	resolve(argv[1], argv[2], &up);
	if ((f = fopen(argv[3], "wb")) == NULL)
		die("cannot create the record file");
	resolve("127.0.0.1", "0", &lo);
	lfd = udp_socket(&lo);
	if (bind(lfd, (const struct sockaddr *)&lo.ss, lo.len) == -1)
		die("bind");
	lo.len = sizeof lo.ss;
	if (getsockname(lfd, (struct sockaddr *)&lo.ss, &lo.len) == -1)
		die("getsockname");
	ufd = udp_socket(&up);
	printf("listening 127.0.0.1 %u\n", (unsigned)ntohs(
	    ((struct sockaddr_in *)&lo.ss)->sin_port));
	fflush(stdout);
	while (!stop) {
		pfd[0].fd = lfd;
		pfd[1].fd = ufd;
		pfd[0].events = pfd[1].events = POLLIN;
		if (poll(pfd, 2, 200) == -1 && errno != EINTR)
			die("poll");
		from.len = sizeof from.ss;
		while ((n = recvfrom(lfd, buf, sizeof buf, 0,
		    (struct sockaddr *)&from.ss, &from.len)) >= 0) {
			client = from;
			have_client = 1;
			hdr[0] = (uint8_t)(n >> 8);
			hdr[1] = (uint8_t)n;
			if (fwrite(hdr, 1, 2, f) != 2 ||
			    fwrite(buf, 1, (size_t)n, f) != (size_t)n ||
			    fflush(f) != 0)
				die("cannot write the record file");
			(void)sendto(ufd, buf, (size_t)n, 0,
			    (const struct sockaddr *)&up.ss, up.len);
			from.len = sizeof from.ss;
		}
		while ((n = recv(ufd, buf, sizeof buf, 0)) >= 0)
			if (have_client)
				(void)sendto(lfd, buf, (size_t)n, 0,
				    (const struct sockaddr *)&client.ss,
				    client.len);
	}
	fclose(f);
	return (0);
}

/* replay: see the top of the file. */
static int
cmd_replay(int argc, char **argv)
{
	struct chan_addr a;
	uint8_t		 buf[65536], hdr[2];
	FILE		*f;
	uint64_t	 wait, start, sent = 0, replies = 0, rbytes = 0;
	size_t		 len, rmax = 0;
	int		 fd;

	if (argc < 5)
		die("usage: hsflood replay ADDR PORT FILE WAIT_MS");
	resolve(argv[1], argv[2], &a);
	if ((f = fopen(argv[3], "rb")) == NULL)
		die("cannot open the record file");
	wait = net_parse_u64("wait", argv[4], die);
	fd = udp_socket(&a);
	while (fread(hdr, 1, 2, f) == 2) {
		len = (size_t)hdr[0] << 8 | hdr[1];
		if (fread(buf, 1, len, f) != len)
			die("the record file is cut short");
		(void)sendto(fd, buf, len, 0, (const struct sockaddr *)&a.ss,
		    a.len);
		sent++;
	}
	fclose(f);
	start = ln_now_ns();
	while (ln_now_ns() - start < wait * LN_NS_PER_MS) {
		drain(fd, &replies, &rbytes, &rmax);
		usleep(10000);
	}
	printf("replayed %llu replies %llu\n", (unsigned long long)sent,
	    (unsigned long long)replies);
	return (0);
}

int
main(int argc, char **argv)
{
	struct sigaction	sa;

	if (sodium_init() < 0)
		die("libsodium");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (argc >= 2 && strcmp(argv[1], "flood") == 0)
		return (cmd_flood(argc - 1, argv + 1));
	if (argc >= 2 && strcmp(argv[1], "record") == 0)
		return (cmd_record(argc - 1, argv + 1));
	if (argc >= 2 && strcmp(argv[1], "replay") == 0)
		return (cmd_replay(argc - 1, argv + 1));
	die("usage: hsflood flood|record|replay ...");
	return (2);
}
