/*
 * attachctl.c: a small attach client for the attach-server regress tests,
 * standing in for lnsh's interactive client. It connects to lnshd on
 * 127.0.0.1:PORT, attaches to a session (creating it), types KEYS once the
 * first screen arrived, waits until the screen shows TEXT, then prints
 * "line N TEXT" for every scrollback line received and "screen TEXT" for
 * every screen row, and exits 0. When the session ends it prints
 * "ended STATUS" and exits with that status; on timeout it exits 3.
 *
 * usage: attachctl [-H] [-T TRIGGER] [-W COLS] PORT SERVER-KEY-LINE
 *     CLIENT-KEY-FILE NAME KEYS TEXT SECS [CMD ARGS...]
 * KEYS may contain \n and \r; "-" types nothing. CMD is what a session
 * created by this attach runs instead of the user's login shell, whose
 * dotfiles a test cannot control (a slow ~/.bashrc delays the prompt).
 *
 * "ready" is printed once the first screen arrived. TEXT counts as shown
 * once no scrollback line before that screen is still to come. -T: type
 * KEYS only once the screen shows TRIGGER. -H (hold): after printing the
 * screen, print "shown" and stay attached until SECS pass (exit 0), for
 * tests that run several clients at once or kill one. -W: attach COLS
 * columns wide (default 80), for tests of long lines.
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
#include "ssp.h"

struct actl {
	int			 fd;
	struct chan_client	*cc;
	struct ssp_client	*ssp;
	int			 asked, attached, typed;
	int			 cols;
	int			 ended, refused, status;
	const char		*name;
	char			**argv;		/* for a created session */
	size_t			 argc;
	char			*keys;
};

/* chan_client send: the datagram to lnshd. */
static void
actl_udp_send(void *arg, const uint8_t *p, size_t len)
{
	struct actl	*a = arg;

	(void)send(a->fd, p, len, 0);
}

/* ssp send: one unreliable channel message. */
static int
actl_ssp_send(void *arg, const uint8_t *p, size_t len)
{
	struct actl	*a = arg;

	return (chan_client_send(a->cc, p, len, 0, ln_now_ns()));
}

/* ssp lines: printed as they come, in order. */
static void
actl_lines(void *arg, const struct ssp_line *l, size_t n, uint64_t skipped)
{
	size_t	 i;

	if (skipped > 0)
		printf("skipped %llu\n", (unsigned long long)skipped);
	for (i = 0; i < n; i++)
		printf("line %llu %.*s\n", (unsigned long long)l[i].num,
		    (int)l[i].len, l[i].text);
}

/* A message from lnshd: a Reply (reliable) or SSP (unreliable). */
static void
actl_message(void *arg, const uint8_t *p, size_t len, int reliable)
{
	struct actl	*a = arg;
	Lnsh__Reply	*rep;

	if (!reliable) {
		if (a->ssp != NULL)
			(void)ssp_client_input(a->ssp, p, len, ln_now_ns());
		return;
	}
	if ((rep = lnsh__reply__unpack(NULL, len, p)) == NULL)
		return;
	if (rep->result_case == LNSH__REPLY__RESULT_ENDED) {
		a->ended = 1;
		a->status = rep->ended->exit_status;
	} else if (rep->id == 1) {
		if (rep->status != 0) {
			fprintf(stderr, "attach: status %d: %s\n", rep->status,
			    rep->error);
			a->refused = 1;
			a->status = rep->status;
		} else if (a->ssp == NULL) {
			a->attached = 1;
			a->ssp = ssp_client_new(a->cols, 24, actl_ssp_send, a,
			    ln_now_ns());
			ssp_client_set_lines(a->ssp, actl_lines, a);
		}
	}
	lnsh__reply__free_unpacked(rep, NULL);
}

/* The handshake completed: ask to attach. */
static void
actl_connected(void *arg, int resumed)
{
	struct actl		*a = arg;
	Lnsh__Request		 req = LNSH__REQUEST__INIT;
	Lnsh__AttachRequest	 ar = LNSH__ATTACH_REQUEST__INIT;
	uint8_t			*p;
	size_t			 len;

	if (a->asked)
		return;
	a->asked = 1;
	ar.name = (char *)(uintptr_t)a->name;
	ar.create = 1;
	ar.argv = a->argv;
	ar.n_argv = a->argc;
	ar.cols = (uint32_t)a->cols;
	ar.rows = 24;
	req.id = 1;
	req.op_case = LNSH__REQUEST__OP_ATTACH;
	req.attach = &ar;
	len = lnsh__request__get_packed_size(&req);
	p = xmalloc(len);
	lnsh__request__pack(&req, p);
	(void)chan_client_send(a->cc, p, len, CHAN_RELIABLE, ln_now_ns());
	free(p);
}

/* Whether the screen shows text on some row. */
static int
actl_shows(const struct fb *fb, const char *text, int print)
{
	struct fb_text	 t;
	int		 y, found = 0;

	for (y = 0; y < fb->rows; y++) {
		memset(&t, 0, sizeof t);
		fb_row_text(&t, fb->row[y], 0);
		fb_text_add(&t, "", 1);
		if (strstr(t.p, text) != NULL)
			found = 1;
		if (print)
			printf("screen %s\n", t.p);
		free(t.p);
	}
	return (found);
}

/* Turns \n and \r into the bytes. */
static char *
actl_unescape(const char *s)
{
	char	*o = xmalloc(strlen(s) + 1), *q = o;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*q++ = '\n';
			s++;
		} else if (s[0] == '\\' && s[1] == 'r') {
			*q++ = '\r';
			s++;
		} else
			*q++ = *s;
	}
	*q = '\0';
	return (o);
}

/* Connects, attaches, types, waits, prints. */
int
main(int argc, char **argv)
{
	static const struct chan_client_ops ops = {
		.send = actl_udp_send,
		.message = actl_message,
		.connected = actl_connected,
	};
	struct actl		 a;
	struct chan_config	 cfg;
	struct sockaddr_in	 sin;
	struct passwd		*pw;
	struct pollfd		 pfd;
	uint8_t			 spk[LN_KEY_LEN], sk[LN_KEY_LEN];
	uint8_t			 pkt[2048];
	const char		*trigger = NULL, *text;
	uint64_t		 now, end, t, u;
	ssize_t			 n;
	int			 ch, hold = 0, ready = 0, shown = 0, rc = 0;
	int			 cols = 80;

	while ((ch = getopt(argc, argv, "+HT:W:")) != -1) {
		switch (ch) {
		case 'H':
			hold = 1;
			break;
		case 'T':
			trigger = optarg;
			break;
		case 'W':
			cols = atoi(optarg);
			if (cols < 1 || cols > 4096)
				return (2);
			break;
		default:
			return (2);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 8) {
		fprintf(stderr, "usage: attachctl [-H] [-T TRIGGER] [-W COLS] "
		    "PORT SERVER-KEY CLIENT-KEY NAME KEYS TEXT SECS "
		    "[CMD...]\n");
		return (2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&a, 0, sizeof a);
	a.cols = cols;
	a.name = argv[4];
	a.argv = argv + 8;
	a.argc = (size_t)(argc - 8);
	a.keys = strcmp(argv[5], "-") == 0 ? NULL : actl_unescape(argv[5]);
	text = argv[6];
	if (cu_client_keys("attachctl", argv[2], argv[3], spk, sk) != 0)
		return (2);
	if ((pw = getpwuid(getuid())) == NULL)
		return (2);
	if ((a.fd = cu_udp_connect(NULL, argv[1], &sin)) == -1) {
		perror("attachctl: socket");
		return (2);
	}
	memset(&cfg, 0, sizeof cfg);
	a.cc = chan_client_new(&cfg, sk, spk, pw->pw_name, &ops, &a);
	sodium_memzero(sk, sizeof sk);
	if (a.cc == NULL)
		return (2);
	now = ln_now_ns();
	end = now + (uint64_t)atoi(argv[7]) * LN_NS_PER_SEC;
	(void)chan_client_connect(a.cc, now);
	pfd.fd = a.fd;
	pfd.events = POLLIN;
	for (;;) {
		now = ln_now_ns();
		if (a.refused) {
			rc = a.status;
			break;
		}
		if (a.ended) {
			printf("ended %d\n", a.status);
			rc = a.status;
			break;
		}
		if (a.ssp != NULL && ssp_client_screen_num(a.ssp) > 0) {
			const struct fb	*fb = ssp_client_screen(a.ssp);

			if (!ready)
				printf("ready\n");
			ready = 1;
			if (!a.typed && (trigger == NULL ||
			    actl_shows(fb, trigger, 0))) {
				if (a.keys != NULL)
					(void)ssp_client_send_keys(a.ssp,
					    (const uint8_t *)a.keys,
					    strlen(a.keys), now);
				a.typed = 1;
			}
			if (!shown && *text != '\0' &&
			    !ssp_client_lines_behind(a.ssp) &&
			    actl_shows(fb, text, 0)) {
				actl_shows(fb, text, 1);
				if (!hold)
					break;
				printf("shown\n");
				shown = 1;
			}
		}
		if (now >= end) {
			if (shown)
				break;
			fprintf(stderr, "attachctl: timeout\n");
			if (a.ssp != NULL)
				actl_shows(ssp_client_screen(a.ssp), "", 1);
			rc = 3;
			break;
		}
		t = chan_client_tick(a.cc, now);
		if (a.ssp != NULL && (u = ssp_client_tick(a.ssp, now)) < t)
			t = u;
		if (t > end)
			t = end;
		(void)poll(&pfd, 1, ln_wait_ms(now, t));
		while ((n = recv(a.fd, pkt, sizeof pkt, MSG_DONTWAIT)) > 0)
			chan_client_input(a.cc, pkt, (size_t)n, ln_now_ns());
	}
	ssp_client_free(a.ssp);
	chan_client_free(a.cc);
	close(a.fd);
	free(a.keys);
	return (rc);
}
