/*
 * hs-rate.c: sustained new connections per second against a running
 * lnshd, for bench/hostile-many.sh (`make bench-hostile`). It makes KEYS
 * client keys, appends their public lines to AUTHORIZED-KEYS (the file
 * the lnshd under test reads), then for SECS seconds keeps up to
 * INFLIGHT handshakes going, each a new connection from a new socket
 * with the next key in turn: a connection counts once its handshake
 * completes, and is dropped at once. A handshake that has not completed
 * within 2 s counts as failed. Prints "handshakes N", "per_sec N",
 * "failed N", "median_ms X" and "p99_ms X" (handshake times).
 *
 * lnshd limits initiations per key (LN_INIT_PER_KEY_PER_SEC) and overall
 * (LN_INIT_GLOBAL_PER_SEC): KEYS sets how much of the first a run uses.
 *
 * usage: hs-rate [-k KEYFILE] PORT SERVER-KEY-LINE AUTHORIZED-KEYS KEYS
 *     INFLIGHT SECS
 *
 * -k: the private keys are kept in KEYFILE (raw, 32 bytes each): a run
 * that finds it uses its keys and authorizes nothing. lnshd records each
 * key's first handshake (and then one a minute) with a synced file
 * write, so new keys measure those writes as well as the handshakes.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "proto.h"
#include "../tests/clientutil.h"

#define HR_TIMEOUT_NS	(2ULL * LN_NS_PER_SEC)
#define HR_INFLIGHT_MAX	256
#define HR_SAMPLES	(1 << 20)

struct hr_conn {
	int			 fd;
	struct chan_client	*cc;
	uint64_t		 started;
	int			 connected;
};

/* chan_client send: the datagram to lnshd. */
static void
hr_send(void *arg, const uint8_t *p, size_t len)
{
	struct hr_conn	*c = arg;

	(void)send(c->fd, p, len, 0);
}

/* chan_client message: nothing to do with it. */
static void
hr_message(void *arg, const uint8_t *p, size_t len, int reliable)
{
}

/* chan_client connected: counted by the loop. */
static void
hr_connected(void *arg, int resumed)
{
	struct hr_conn	*c = arg;

	c->connected = 1;
}

/* Orders doubles. */
static int
hr_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* Makes, authorizes and rotates keys; counts completed handshakes. */
int
main(int argc, char **argv)
{
	static const struct chan_client_ops ops = {
		.send = hr_send,
		.message = hr_message,
		.connected = hr_connected,
	};
	static struct hr_conn	 conn[HR_INFLIGHT_MAX];
	static struct pollfd	 pfd[HR_INFLIGHT_MAX];
	struct chan_config	 cfg;
	struct sockaddr_in	 sin;
	struct passwd		*pw;
	uint8_t			 spk[LN_KEY_LEN], (*sk)[LN_KEY_LEN];
	uint8_t			 pk[LN_KEY_LEN], pkt[2048];
	char			 line[256];
	const char		*why = NULL;
	double			*ms;
	FILE			*f;
	uint64_t		 now, end, t;
	unsigned long		 nkeys, inflight, secs, done = 0, failed = 0;
	unsigned long		 next = 0, i;
	ssize_t			 n;
	const char		*keyfile = NULL;
	int			 ch, reuse = 0;

	while ((ch = getopt(argc, argv, "k:")) != -1) {
		if (ch != 'k')
			return (2);
		keyfile = optarg;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 7) {
		fprintf(stderr, "usage: hs-rate PORT SERVER-KEY-LINE "
		    "AUTHORIZED-KEYS KEYS INFLIGHT SECS\n");
		return (2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sodium_init() < 0)
		return (2);
	nkeys = strtoul(argv[4], NULL, 10);
	inflight = strtoul(argv[5], NULL, 10);
	secs = strtoul(argv[6], NULL, 10);
	if (nkeys == 0 || inflight == 0 || inflight > HR_INFLIGHT_MAX ||
	    secs == 0 || key_parse(argv[2], spk, NULL, &why) != 0) {
		fprintf(stderr, "hs-rate: bad arguments%s%s\n", why ? ": " : "",
		    why ? why : "");
		return (2);
	}
	if ((pw = getpwuid(getuid())) == NULL)
		return (2);
	sk = xcalloc(nkeys, sizeof *sk);
	ms = xcalloc(HR_SAMPLES, sizeof *ms);
	if (keyfile != NULL && (f = fopen(keyfile, "rb")) != NULL) {
		reuse = fread(sk, sizeof *sk, nkeys, f) == nkeys;
		fclose(f);
		if (!reuse) {
			fprintf(stderr, "hs-rate: %s: fewer than %lu keys\n",
			    keyfile, nkeys);
			return (2);
		}
	}
	if (!reuse) {
		if ((f = fopen(argv[3], "a")) == NULL) {
			perror(argv[3]);
			return (2);
		}
		for (i = 0; i < nkeys; i++) {
			if (key_generate(sk[i], pk) != 0 ||
			    key_format(pk, "hs-rate", line, sizeof line) != 0)
				return (2);
			fprintf(f, "%s\n", line);
		}
		if (fclose(f) != 0) {
			perror(argv[3]);
			return (2);
		}
	}
	if (!reuse && keyfile != NULL) {
		if ((f = fopen(keyfile, "wb")) == NULL ||
		    fwrite(sk, sizeof *sk, nkeys, f) != nkeys ||
		    fclose(f) != 0) {
			perror(keyfile);
			return (2);
		}
	}
	memset(&cfg, 0, sizeof cfg);

	now = ln_now_ns();
	end = now + secs * LN_NS_PER_SEC;
	for (;;) {
		now = ln_now_ns();
		/* Finished, failed, or an empty slot: start the next. */
		for (i = 0; i < inflight; i++) {
			struct hr_conn	*c = &conn[i];

			if (c->cc != NULL && (c->connected ||
			    now - c->started > HR_TIMEOUT_NS)) {
				if (c->connected) {
					if (done < HR_SAMPLES)
						ms[done] = (double)(now -
						    c->started) / 1e6;
					done++;
				} else
					failed++;
				chan_client_free(c->cc);
				close(c->fd);
				c->cc = NULL;
			}
			if (c->cc == NULL && now < end) {
				c->fd = cu_udp_connect(NULL, argv[1], &sin);
				if (c->fd == -1) {
					perror("hs-rate: socket");
					return (2);
				}
				c->connected = 0;
				c->started = now;
				c->cc = chan_client_new(&cfg,
				    sk[next++ % nkeys], spk, pw->pw_name,
				    &ops, c);
				if (c->cc == NULL)
					return (2);
				(void)chan_client_connect(c->cc, now);
			}
			pfd[i].fd = c->cc != NULL ? c->fd : -1;
			pfd[i].events = POLLIN;
		}
		if (now >= end) {
			for (i = 0; i < inflight; i++)
				if (conn[i].cc != NULL)
					break;
			if (i == inflight)
				break;
		}
		t = now + 10 * LN_NS_PER_MS;
		for (i = 0; i < inflight; i++) {
			uint64_t u;

			if (conn[i].cc != NULL &&
			    (u = chan_client_tick(conn[i].cc, now)) < t)
				t = u;
		}
		(void)poll(pfd, inflight, t > now ?
		    (int)((t - now) / 1000000 + 1) : 0);
		for (i = 0; i < inflight; i++) {
			if (conn[i].cc == NULL)
				continue;
			while ((n = recv(conn[i].fd, pkt, sizeof pkt,
			    MSG_DONTWAIT)) > 0)
				chan_client_input(conn[i].cc, pkt, (size_t)n,
				    ln_now_ns());
		}
	}
	n = done < HR_SAMPLES ? (ssize_t)done : HR_SAMPLES;
	qsort(ms, (size_t)n, sizeof *ms, hr_cmp);
	printf("handshakes %lu\n", done);
	printf("per_sec %lu\n", done / secs);
	printf("failed %lu\n", failed);
	printf("median_ms %.1f\n", n > 0 ? ms[n / 2] : 0.0);
	printf("p99_ms %.1f\n", n > 0 ? ms[n * 99 / 100] : 0.0);
	sodium_memzero(sk, nkeys * sizeof *sk);
	return (0);
}
