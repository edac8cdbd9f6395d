/*
 * test_ssp.c: SSP's two ends through an in-memory link with seeded loss,
 * duplication, reordering and delay, on a virtual clock: the client's
 * screen converges to the server's, intermediate frames are skipped under
 * a flood, input arrives exactly once and in order, a keystroke gets
 * through a flood quickly, idle traffic is bounded, garbage is counted
 * and ignored, and frames are compressed only to a client that takes it,
 * never decompressed past their bound.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zstd.h>

#include "proto.h"
#include "ssp.h"
#include "sync.pb-c.h"

#define MS		LN_NS_PER_MS
#define SEC		LN_NS_PER_SEC
#define MAXPKT		100000

/* A datagram in flight. */
struct pkt {
	uint64_t	 at;
	uint64_t	 seq;		/* ties go in sending order */
	int		 to_server;
	uint8_t		*p;
	size_t		 len;
};

/* Two ends, the link between them and what the server was given. */
struct world {
	uint64_t		 now;
	uint64_t		 rng;
	/* The link: percentages and delays. */
	int			 loss_c2s, loss_s2c, dup, down;
	int			 frag;	/* loss per fragment, as the channel */
	uint64_t		 delay, jitter;
	/* late_pct of the datagrams take late longer (a loaded machine). */
	int			 late_pct;
	uint64_t		 late;
	struct pkt		*q;
	size_t			 nq;
	uint64_t		 sent_c2s, sent_s2c;	/* sent */
	uint64_t		 bytes_s2c;
	uint64_t		 last_c2s_at, last_s2c_at;	/* sent */
	uint64_t		 seq;
	/* Compression seen on the link; old_client strips accept_zstd. */
	int			 old_client;
	uint64_t		 z_s2c, z_raw_s2c, z_bytes_s2c;
	uint64_t		 plain_s2c, plain_big_s2c, plain_lines_s2c;
	/* The ends. */
	struct fb		*screen;
	struct ssp_server	*srv;
	struct ssp_client	*cl;
	/* Events the server delivered. */
	uint64_t		 nevents;
	uint8_t			*keys;
	size_t			 nkeys;
	int			 cols, rows;
	/* when byte key_watch arrived */
	uint64_t		 key_at;
	int			 key_watch;
	int			 echo;	/* the server echoes keys at once */
	/*
	 * When the server sent each new screen state (not acks, nor a state
	 * sent again: a resend, a probe's answer), up to 64.
	 */
	uint64_t		 frame_at[64];
	size_t			 nframe;
	uint64_t		 newest_sent;
	/*
	 * Lines sent again that the server knew the client had: sb_of is
	 * each state's sb_total as sent (by num, modulo), sb_known the
	 * highest of those the client's acks have brought the server.
	 */
	uint64_t		 sb_of[1024];
	uint64_t		 sb_known;
	uint64_t		 sb_resent;
};

/* xorshift64*: the link's and the content's randomness, seeded. */
static uint64_t
rnd(struct world *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return (w->rng * 2685821657736338717ULL);
}

/* Whether a percentage chance comes up. */
static int
chance(struct world *w, int pct)
{
	return ((int)(rnd(w) % 100) < pct);
}

/*
 * Notes what the server sent: a zframe (its content's size) or a plain
 * message; checks a zframe is alone, smaller than its content and made
 * of at least SSP_Z_MIN bytes.
 */
static void
link_note_z(struct world *w, const uint8_t *p, size_t len)
{
	Lnsh__SyncMessage	*m;
	unsigned long long	 n;

	m = lnsh__sync_message__unpack(NULL, len, p);
	assert_non_null(m);
	if (m->has_zframe) {
		assert_int_equal(m->body_case,
		    LNSH__SYNC_MESSAGE__BODY__NOT_SET);
		assert_false(m->has_new_num || m->has_timestamp);
		n = ZSTD_getFrameContentSize(m->zframe.data, m->zframe.len);
		assert_true(n >= SSP_Z_MIN && n <= LN_SSP_ZFRAME_MAX);
		assert_true(len < n);
		w->z_s2c++;
		w->z_raw_s2c += n;
		w->z_bytes_s2c += len;
	} else {
		w->plain_s2c++;
		w->plain_lines_s2c += m->n_line;
		if (len >= SSP_Z_MIN)
			w->plain_big_s2c++;
	}
	lnsh__sync_message__free_unpacked(m, NULL);
}

/* Packs a message into a new buffer; its length in *len. */
static uint8_t *
pack_msg(const Lnsh__SyncMessage *m, size_t *len)
{
	uint8_t	*p;

	*len = lnsh__sync_message__get_packed_size(m);
	p = xmalloc(*len + 1);
	lnsh__sync_message__pack(m, p);
	return (p);
}

/* An old client's message: the same without accept_zstd. */
static uint8_t *
link_strip_accept(const uint8_t *p, size_t *len)
{
	Lnsh__SyncMessage	*m;
	uint8_t			*q;

	m = lnsh__sync_message__unpack(NULL, *len, p);
	assert_non_null(m);
	m->has_accept_zstd = 0;
	q = pack_msg(m, len);
	lnsh__sync_message__free_unpacked(m, NULL);
	return (q);
}

/* Puts a copy of a datagram on the link, maybe twice, maybe never. */
static void
link_put(struct world *w, int to_server, const uint8_t *p, size_t len)
{
	int	 copies = 1, i;
	uint8_t	*old = NULL;

	size_t	 nfrag = 1, f;

	if (to_server && w->old_client)
		p = old = link_strip_accept(p, &len);
	if (!to_server)
		link_note_z(w, p, len);
	if (to_server) {
		w->sent_c2s++;
		w->last_c2s_at = w->now;
	} else {
		w->sent_s2c++;
		w->bytes_s2c += len;
		w->last_s2c_at = w->now;
	}
	/*
	 * The channel splits a message into fragments of LN_FRAG_DATA_MAX
	 * and loses it if it loses any: model that when asked.
	 */
	if (w->frag && len > LN_FRAG_DATA_MAX)
		nfrag = (len + LN_FRAG_DATA_MAX - 1) / LN_FRAG_DATA_MAX;
	if (w->down)
		goto out;
	for (f = 0; f < nfrag; f++) {
		if (chance(w, to_server ? w->loss_c2s : w->loss_s2c))
			goto out;
	}
	if (chance(w, w->dup))
		copies = 2;
	for (i = 0; i < copies; i++) {
		struct pkt	*k;

		assert_true(w->nq < MAXPKT);
		k = &w->q[w->nq++];
		k->at = w->now + w->delay +
		    (w->jitter ? rnd(w) % w->jitter : 0);
		if (w->late_pct > 0 && chance(w, w->late_pct))
			k->at += w->late;
		k->to_server = to_server;
		k->seq = w->seq++;
		k->p = xmemdup(p, len);
		k->len = len;
	}
out:
	free(old);
}

/* A message as its receiver reads it: a zframe's content unpacked. */
static Lnsh__SyncMessage *
msg_unpack(const uint8_t *p, size_t len)
{
	Lnsh__SyncMessage	*m, *in;
	unsigned long long	 n;
	uint8_t			*raw;

	m = lnsh__sync_message__unpack(NULL, len, p);
	assert_non_null(m);
	if (!m->has_zframe)
		return (m);
	n = ZSTD_getFrameContentSize(m->zframe.data, m->zframe.len);
	raw = xmalloc((size_t)n);
	assert_int_equal(ZSTD_decompress(raw, (size_t)n, m->zframe.data,
	    m->zframe.len), n);
	in = lnsh__sync_message__unpack(NULL, (size_t)n, raw);
	assert_non_null(in);
	free(raw);
	lnsh__sync_message__free_unpacked(m, NULL);
	return (in);
}

/*
 * Notes a server message's state and its lines: those at or below a
 * state the server has the client's ack for were sent again for nothing.
 */
static void
note_lines(struct world *w, const Lnsh__SyncMessage *m)
{
	uint64_t	 first;

	if (!m->has_new_num || !m->has_sb_total)
		return;
	w->sb_of[m->new_num % 1024] = m->sb_total;
	if (m->n_line == 0)
		return;
	first = m->sb_total - m->n_line + 1;
	if (first <= w->sb_known)
		w->sb_resent += (w->sb_known < m->sb_total ? w->sb_known :
		    m->sb_total) - first + 1;
}

/* The server's send callback; notes when new screen states went. */
static int
srv_send(void *arg, const uint8_t *p, size_t len)
{
	struct world		*w = arg;
	Lnsh__SyncMessage	*m = msg_unpack(p, len);
	uint64_t		 n = m->new_num;

	note_lines(w, m);
	lnsh__sync_message__free_unpacked(m, NULL);
	if (n > w->newest_sent) {
		w->newest_sent = n;
		if (w->nframe < sizeof w->frame_at / sizeof w->frame_at[0])
			w->frame_at[w->nframe++] = w->now;
	}
	link_put(arg, 0, p, len);
	return (0);
}

/* The client's send callback. */
static int
cl_send(void *arg, const uint8_t *p, size_t len)
{
	link_put(arg, 1, p, len);
	return (0);
}

/* The server's event callback: checks order, records keys and size. */
static void
on_event(void *arg, const struct ssp_event *ev)
{
	struct world	*w = arg;
	size_t		 i;

	assert_int_equal(ev->num, w->nevents + 1);
	w->nevents = ev->num;
	if (ev->type == SSP_EV_RESIZE) {
		w->cols = ev->cols;
		w->rows = ev->rows;
		return;
	}
	w->keys = xreallocarray(w->keys, w->nkeys + ev->len, 1);
	memcpy(w->keys + w->nkeys, ev->data, ev->len);
	if (w->echo) {
		struct fb_pen	 pen = { 0, 0, 0 };

		for (i = 0; i < ev->len; i++)
			fb_put1(w->screen, (int)((w->nkeys + i) %
			    (size_t)w->screen->cols), 0, ev->data[i], &pen);
		ssp_server_update(w->srv, w->screen, w->now);
	}
	for (i = 0; i < ev->len; i++) {
		if (w->key_watch >= 0 && ev->data[i] == w->key_watch &&
		    w->key_at == 0)
			w->key_at = w->now;
	}
	w->nkeys += ev->len;
}

/* A world with both ends attached, on a link of the given impairments. */
static struct world *
world_new(uint64_t seed, int loss, int dup, uint64_t delay, uint64_t jitter)
{
	struct world	*w;

	w = xcalloc(1, sizeof *w);
	w->rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	w->loss_c2s = w->loss_s2c = loss;
	w->dup = dup;
	w->delay = delay;
	w->jitter = jitter;
	w->q = xcalloc(MAXPKT, sizeof *w->q);
	w->now = 1000 * SEC;
	w->key_watch = -1;
	w->screen = fb_new(80, 24);
	w->srv = ssp_server_new(w->screen, srv_send, w, w->now);
	w->cl = ssp_client_new(80, 24, cl_send, w, w->now);
	assert_non_null(w->cl);
	return (w);
}

/* Frees a world and whatever is still in flight. */
static void
world_free(struct world *w)
{
	size_t	 i;

	for (i = 0; i < w->nq; i++)
		free(w->q[i].p);
	free(w->q);
	ssp_server_free(w->srv);
	ssp_client_free(w->cl);
	fb_free(w->screen);
	free(w->keys);
	free(w);
}

/* A client message reaches the server: the lines of the state it acks. */
static void
note_ack(struct world *w, const uint8_t *p, size_t len)
{
	Lnsh__SyncMessage	*m;

	if ((m = lnsh__sync_message__unpack(NULL, len, p)) == NULL)
		return;
	if (m->has_ack_num && m->ack_num > 0 &&
	    w->sb_of[m->ack_num % 1024] > w->sb_known)
		w->sb_known = w->sb_of[m->ack_num % 1024];
	lnsh__sync_message__free_unpacked(m, NULL);
}

/* Delivers the earliest datagram due by now; 0 if there is none. */
static int
deliver_one(struct world *w)
{
	size_t		 i, best = w->nq;
	struct pkt	 k;

	for (i = 0; i < w->nq; i++) {
		const struct pkt	*a = &w->q[i], *b = &w->q[best];

		if (a->at <= w->now && (best == w->nq || a->at < b->at ||
		    (a->at == b->at && a->seq < b->seq)))
			best = i;
	}
	if (best == w->nq)
		return (0);
	k = w->q[best];
	w->q[best] = w->q[--w->nq];
	if (k.to_server) {
		note_ack(w, k.p, k.len);
		if (w->srv != NULL)
			ssp_server_input(w->srv, k.p, k.len, w->now, on_event,
			    w);
	} else
		ssp_client_input(w->cl, k.p, k.len, w->now);
	free(k.p);
	return (1);
}

/* Runs the world's clock to `until`, firing timers and deliveries. */
static void
run(struct world *w, uint64_t until)
{
	uint64_t	 t, u;
	size_t		 i;

	for (;;) {
		while (deliver_one(w))
			;
		t = ssp_client_tick(w->cl, w->now);
		if (w->srv != NULL &&
		    (u = ssp_server_tick(w->srv, w->now)) < t)
			t = u;
		for (i = 0; i < w->nq; i++) {
			if (w->q[i].at < t)
				t = w->q[i].at;
		}
		if (t <= w->now)
			continue;
		if (t > until) {
			w->now = until;
			return;
		}
		w->now = t;
	}
}

/* Random content: characters, a scroll, a title, a cursor move. */
static void
scribble(struct world *w)
{
	struct fb_pen	 pen = { 0, 0, 0 };
	int		 i, n, y;
	uint32_t	 cp;
	char		 title[16];

	switch (rnd(w) % 8) {
	case 0:
		fb_scroll(w->screen, 0, w->screen->rows, 0, w->screen->cols,
		    1, 0, 0, NULL, NULL);
		break;
	case 1:
		n = snprintf(title, sizeof title, "t%u",
		    (unsigned)(rnd(w) % 1000));
		fb_set_title(w->screen, title, (size_t)n);
		break;
	default:
		n = 1 + (int)(rnd(w) % 40);
		y = (int)(rnd(w) % (uint64_t)w->screen->rows);
		pen.fg = chance(w, 30) ? FB_COLOR_IDX(rnd(w) % 256) : 0;
		pen.attr = chance(w, 20) ? FB_BOLD : 0;
		for (i = 0; i < n; i++) {
			cp = 0x21 + (uint32_t)(rnd(w) % 90);
			fb_put1(w->screen, (int)(rnd(w) %
			    (uint64_t)w->screen->cols), y, cp, &pen);
		}
		break;
	}
	w->screen->cursor.x = (int)(rnd(w) % (uint64_t)w->screen->cols);
	w->screen->cursor.y = (int)(rnd(w) % (uint64_t)w->screen->rows);
	ssp_server_update(w->srv, w->screen, w->now);
}

/* Lets the link heal and the ends settle, then the screens must match. */
static void
heal_and_check(struct world *w)
{
	w->loss_c2s = w->loss_s2c = w->dup = w->down = 0;
	run(w, w->now + 10 * SEC);
	assert_true(fb_equal(ssp_client_screen(w->cl), w->screen));
}

/* Hundreds of random updates at random times over a bad link converge. */
static void
test_converges(void **state)
{
	uint64_t	 seed;
	int		 i;

	(void)state;
	for (seed = 1; seed <= 4; seed++) {
		struct world	*w;

		w = world_new(seed, 20, 10, 30 * MS, 40 * MS);
		for (i = 0; i < 300; i++) {
			scribble(w);
			run(w, w->now + rnd(w) % (60 * MS));
		}
		heal_and_check(w);
		/* The client told the server its size, once. */
		assert_int_equal(w->cols, 80);
		assert_int_equal(w->rows, 24);
		world_free(w);
	}
}

/*
 * Acks lost for long (the client piles up states past its bound, the
 * server culls its own), then frames lost for long: each heals.
 */
static void
test_one_way_outages(void **state)
{
	struct world	*w;
	int		 i;

	(void)state;
	w = world_new(41, 0, 0, 20 * MS, 20 * MS);
	run(w, w->now + SEC);
	w->loss_c2s = 100;
	for (i = 0; i < 3000; i++) {
		scribble(w);
		run(w, w->now + 3 * MS);
	}
	heal_and_check(w);
	w->loss_s2c = 95;
	for (i = 0; i < 3000; i++) {
		scribble(w);
		run(w, w->now + 3 * MS);
	}
	heal_and_check(w);
	world_free(w);
}

/* A flood: far fewer frames than updates, and the last screen arrives. */
static void
test_flood_skips(void **state)
{
	struct world		*w;
	const struct ln_counters *sc;
	int			 i;

	(void)state;
	w = world_new(7, 0, 0, 25 * MS, 0);
	run(w, w->now + SEC);
	for (i = 0; i < 5000; i++) {
		scribble(w);
		run(w, w->now + MS / 5);	/* 5000 updates a second */
	}
	heal_and_check(w);
	sc = ssp_server_counters(w->srv);
	/* One frame per ~SRTT/2 (25 ms here) at most: ~40 in the second. */
	assert_true(sc->messages_out < 100);
	assert_true(sc->messages_out > 10);
	/* The RTT estimate found the 50 ms round trip. */
	assert_true(ssp_server_srtt(w->srv) > 40 * MS);
	assert_true(ssp_server_srtt(w->srv) < 80 * MS);
	world_free(w);
}

/* Keystrokes at 30% loss each way: every byte once, in order. */
static void
test_keys_exactly_once(void **state)
{
	struct world	*w;
	uint8_t		 typed[3000];
	size_t		 n = 0, k, j;
	int		 i;

	(void)state;
	w = world_new(11, 30, 10, 50 * MS, 30 * MS);
	for (i = 0; i < 600; i++) {
		k = 1 + rnd(w) % 5;
		for (j = 0; j < k; j++, n++)
			typed[n] = (uint8_t)(n * 7 + 1);
		assert_int_equal(ssp_client_send_keys(w->cl, typed + n - k, k,
		    w->now), 0);
		if (i % 50 == 0)
			assert_int_equal(ssp_client_resize(w->cl,
			    80 + i / 50, 24, w->now), 0);
		if (i % 10 == 0)
			scribble(w);
		run(w, w->now + rnd(w) % (80 * MS));
	}
	heal_and_check(w);
	assert_int_equal(ssp_client_pending(w->cl), 0);
	assert_int_equal(w->cols, 80 + 550 / 50);
	assert_int_equal(w->nkeys, n);
	assert_memory_equal(w->keys, typed, n);
	world_free(w);
}

/* Pastes one way over a link; returns how long until all of it arrived. */
static uint64_t
paste(struct world *w, size_t len, uint64_t limit)
{
	uint8_t		*p;
	uint64_t	 start = w->now;
	size_t		 i;

	p = xmalloc(len);
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i % 251);
	assert_int_equal(ssp_client_send_keys(w->cl, p, len, w->now), 0);
	while (w->nkeys < len && w->now - start < limit)
		run(w, w->now + 100 * MS);
	assert_int_equal(w->nkeys, len);
	assert_memory_equal(w->keys, p, len);
	free(p);
	return (w->now - start);
}

/* Pastes bigger than the window arrive whole and in order, lossy or not. */
static void
test_paste(void **state)
{
	struct world	*w;
	uint8_t		 big[4096];

	(void)state;
	w = world_new(13, 30, 5, 20 * MS, 10 * MS);
	paste(w, 100 * 1024, 60 * SEC);
	run(w, w->now + 5 * SEC);
	assert_int_equal(ssp_client_pending(w->cl), 0);
	world_free(w);

	/* A clean 50 ms RTT: the window keeps the pipe busy. */
	w = world_new(14, 0, 0, 25 * MS, 0);
	assert_true(paste(w, 512 * 1024, 60 * SEC) < 5 * SEC);
	world_free(w);

	/* With the server gone, the queue fills and says so. */
	w = world_new(15, 0, 0, 25 * MS, 0);
	w->down = 1;
	memset(big, 'a', sizeof big);
	while (ssp_client_pending(w->cl) + sizeof big <= SSP_INPUT_QUEUE_MAX)
		assert_int_equal(ssp_client_send_keys(w->cl, big, sizeof big,
		    w->now), 0);
	assert_int_equal(ssp_client_send_keys(w->cl, big, sizeof big, w->now),
	    LN_E_FULL);
	world_free(w);
}

/*
 * Ctrl-C typed into a flood (the 1000th of `frames` updates, 0.5 ms
 * apart, after `settle`) on a link of `loss` percent and one-way `delay`:
 * how long it took to reach the server.
 */
static uint64_t
ctrl_c_latency(uint64_t seed, int loss, uint64_t delay, uint64_t settle,
    int frames)
{
	struct world	*w;
	uint64_t	 sent = 0, took;
	uint8_t		 ctrl_c = 3;
	int		 i;

	w = world_new(seed, loss, 0, delay, 0);
	w->key_watch = 3;
	run(w, w->now + settle);
	for (i = 0; i < frames; i++) {
		scribble(w);
		if (i == 1000) {
			sent = w->now;
			assert_int_equal(ssp_client_send_keys(w->cl,
			    &ctrl_c, 1, w->now), 0);
		}
		run(w, w->now + MS / 2);
	}
	assert_int_not_equal(w->key_at, 0);
	took = w->key_at - sent;
	world_free(w);
	return (took);
}

/* Ctrl-C typed during a flood reaches the server within a few RTTs. */
static void
test_ctrl_c_in_flood(void **state)
{
	(void)state;
	/* One way is 50 ms; allow nothing for pacing. */
	assert_true(ctrl_c_latency(17, 0, 50 * MS, SEC, 2000) <= 51 * MS);
}

/* Same, at 30% loss: within a bounded time still. */
static void
test_ctrl_c_lossy(void **state)
{
	int	 trial;

	(void)state;
	for (trial = 0; trial < 5; trial++)
		assert_true(ctrl_c_latency(100 + trial, 30, 100 * MS, 2 * SEC,
		    4000) <= 1500 * MS);
}

/* Once converged and idle, about one packet each way every 3 s. */
static void
test_idle_traffic(void **state)
{
	struct world	*w;
	uint64_t	 c2s, s2c;

	(void)state;
	w = world_new(19, 0, 0, 10 * MS, 0);
	scribble(w);
	run(w, w->now + 30 * SEC);
	c2s = w->sent_c2s;
	s2c = w->sent_s2c;
	run(w, w->now + 60 * SEC);
	assert_true(w->sent_c2s - c2s <= 21);
	assert_true(w->sent_s2c - s2c <= 21);
	assert_true(w->sent_c2s - c2s >= 15);	/* but alive */
	assert_int_equal(ssp_client_silence(w->cl, w->now), 0);
	world_free(w);
}

/* A server whose client has gone quiet stops; with no traffic, no timer. */
static void
test_no_client(void **state)
{
	struct world	*w;
	uint64_t	 s2c;
	int		 i;

	(void)state;
	w = world_new(23, 0, 0, 10 * MS, 0);
	run(w, w->now + SEC);
	/* Converged and idle: the server has nothing to time. */
	assert_int_equal(ssp_server_tick(w->srv, w->now), UINT64_MAX);
	/* The client vanishes while the screen keeps changing. */
	ssp_client_free(w->cl);
	w->cl = ssp_client_new(80, 24, cl_send, w, w->now);
	w->down = 1;
	for (i = 0; i < 100; i++) {
		scribble(w);
		(void)ssp_server_tick(w->srv, w->now);
		w->now += 200 * MS;
	}
	s2c = w->sent_s2c;
	/* After SSP_ACTIVE_RETRY_NS of silence: nothing fires, nothing sent. */
	for (i = 0; i < 100; i++) {
		scribble(w);
		assert_int_equal(ssp_server_tick(w->srv, w->now), UINT64_MAX);
		w->now += SEC;
	}
	assert_int_equal(w->sent_s2c, s2c);
	world_free(w);
}

/* The client notices silence within about a second, and probes. */
static void
test_client_notices_silence(void **state)
{
	struct world	*w;
	uint64_t	 cut, c2s;

	(void)state;
	w = world_new(29, 0, 0, 20 * MS, 0);
	scribble(w);
	run(w, w->now + 20 * SEC);	/* idle: heartbeats every 3 s */
	assert_int_equal(ssp_client_silence(w->cl, w->now), 0);
	w->down = 1;
	cut = w->now;
	/* Typing after the cut: the missing ack is noticed quickly. */
	assert_int_equal(ssp_client_send_keys(w->cl, (const uint8_t *)"x", 1,
	    w->now), 0);
	run(w, cut + 1200 * MS);
	assert_true(ssp_client_silence(w->cl, w->now) > 0);
	/* While silent it probes at most every 500 ms. */
	c2s = w->sent_c2s;
	run(w, w->now + 10 * SEC);
	assert_true(w->sent_c2s - c2s >= 15);
	assert_true(w->sent_c2s - c2s <= 45);
	/* The path returns: the screen is current within a second. */
	scribble(w);
	w->down = 0;
	run(w, w->now + SEC);
	assert_true(fb_equal(ssp_client_screen(w->cl), w->screen));
	assert_int_equal(ssp_client_silence(w->cl, w->now), 0);
	assert_int_equal(w->nkeys, 1);
	world_free(w);
}

/* Garbage and misdirected messages are counted, ignored, harmless. */
static void
test_garbage(void **state)
{
	struct world		*w;
	uint8_t			 junk[256];
	const uint8_t		 bad_nums[] = { 0x08, 0x05, 0x10, 0x01 };
	size_t			 i, n;
	int			 r;

	(void)state;
	w = world_new(31, 0, 0, 5 * MS, 0);
	run(w, w->now + SEC);
	for (i = 0; i < 500; i++) {
		n = rnd(w) % sizeof junk;
		for (size_t j = 0; j < n; j++)
			junk[j] = (uint8_t)rnd(w);
		r = ssp_server_input(w->srv, junk, n, w->now, on_event, w);
		assert_true(r <= 0);
		r = ssp_client_input(w->cl, junk, n, w->now);
		assert_true(r <= 1);
	}
	/* old_num > new_num: refused by both. */
	assert_int_equal(ssp_server_input(w->srv, bad_nums, sizeof bad_nums,
	    w->now, on_event, w), LN_E_DROP(LN_DROP_MESSAGE));
	assert_int_equal(ssp_client_input(w->cl, bad_nums, sizeof bad_nums,
	    w->now), LN_E_DROP(LN_DROP_MESSAGE));
	assert_true(ssp_server_counters(w->srv)->drop[LN_DROP_MESSAGE] > 0);
	assert_true(ssp_client_counters(w->cl)->drop[LN_DROP_MESSAGE] > 0);
	/* Still in sync afterwards. */
	scribble(w);
	assert_int_equal(ssp_client_send_keys(w->cl, (const uint8_t *)"ok", 2,
	    w->now), 0);
	heal_and_check(w);
	assert_int_equal(w->nkeys, 2);
	assert_memory_equal(w->keys, "ok", 2);
	world_free(w);
}

/* One input message resizing to cols x rows, continuing w's events. */
static uint8_t *
resize_msg(const struct world *w, uint32_t cols, uint32_t rows, size_t *len)
{
	Lnsh__SyncMessage	 m;
	Lnsh__SyncInput		 in;
	Lnsh__SyncEvent		 ev, *evp[1];
	Lnsh__SyncResize	 rs;

	lnsh__sync_message__init(&m);
	lnsh__sync_input__init(&in);
	lnsh__sync_event__init(&ev);
	lnsh__sync_resize__init(&rs);
	rs.has_cols = rs.has_rows = 1;
	rs.cols = cols;
	rs.rows = rows;
	ev.kind_case = LNSH__SYNC_EVENT__KIND_RESIZE;
	ev.resize = &rs;
	evp[0] = &ev;
	in.n_event = 1;
	in.event = evp;
	m.has_old_num = m.has_new_num = 1;
	m.old_num = w->nevents;
	m.new_num = w->nevents + 1;
	m.body_case = LNSH__SYNC_MESSAGE__BODY_INPUT;
	m.input = &in;
	return (pack_msg(&m, len));
}

/*
 * A resize beyond what the emulator holds (FB_MAX_COLS x FB_MAX_ROWS) is
 * dropped by the server and never delivered, so it cannot reach the
 * session's pty (holder/holder-sync.c resizes it to what is delivered);
 * the largest is delivered.
 */
static void
test_resize_bounds(void **state)
{
	struct world	*w;
	uint8_t		*p;
	uint64_t	 before;
	size_t		 len;

	(void)state;
	w = world_new(37, 0, 0, 5 * MS, 0);
	run(w, w->now + SEC);
	assert_int_equal(w->cols, 80);
	before = w->nevents;
	p = resize_msg(w, FB_MAX_COLS + 1, 24, &len);
	assert_int_equal(ssp_server_input(w->srv, p, len, w->now, on_event,
	    w), LN_E_DROP(LN_DROP_MESSAGE));
	free(p);
	p = resize_msg(w, 80, FB_MAX_ROWS + 1, &len);
	assert_int_equal(ssp_server_input(w->srv, p, len, w->now, on_event,
	    w), LN_E_DROP(LN_DROP_MESSAGE));
	free(p);
	assert_int_equal(w->nevents, before);
	assert_int_equal(w->cols, 80);
	p = resize_msg(w, FB_MAX_COLS, FB_MAX_ROWS, &len);
	assert_int_equal(ssp_server_input(w->srv, p, len, w->now, on_event,
	    w), 0);
	free(p);
	assert_int_equal(w->nevents, before + 1);
	assert_int_equal(w->cols, FB_MAX_COLS);
	assert_int_equal(w->rows, FB_MAX_ROWS);
	world_free(w);
}

/* A screen message reaching the server, input reaching the client. */
static void
test_misdirected(void **state)
{
	struct world	*w;
	size_t		 i, n;

	(void)state;
	w = world_new(37, 0, 0, 5 * MS, 0);
	/* Catch the client's first message (its size) and the first frame. */
	ssp_client_tick(w->cl, w->now);
	ssp_server_tick(w->srv, w->now);
	n = w->nq;
	assert_true(n >= 2);
	for (i = 0; i < n; i++) {
		struct pkt	*k = &w->q[i];

		if (k->to_server)
			assert_int_equal(ssp_client_input(w->cl, k->p, k->len,
			    w->now), LN_E_DROP(LN_DROP_MESSAGE));
		else
			assert_int_equal(ssp_server_input(w->srv, k->p,
			    k->len, w->now, on_event, w),
			    LN_E_DROP(LN_DROP_MESSAGE));
	}
	assert_int_equal(w->nevents, 0);
	heal_and_check(w);
	world_free(w);
}

/* ------------------------------------------------------------ scrollback */

/* The server's scrollback: a ring of cap lines "line N", N = number. */
struct sbsrc {
	uint64_t	 total;
	uint64_t	 cap;		/* lines held */
	uint64_t	 bad;		/* a line it cannot give; 0: none */
	/* Texts stay valid for one frame's worth of fetches. */
	char		 text[SSP_SB_FRAME_LINES + 1][32];
	/* What the client received. */
	uint64_t	 last;		/* newest line number delivered */
	uint64_t	 got, skipped;
	uint64_t	 streak;	/* delivered since the last skip */
	size_t		 max_batch;
	uint64_t	 batches;	/* sb_got calls that gave lines */
	int		 in_order;
	uint64_t	 fetches;	/* sb_fetch calls that gave a line */
};

/* ssp_line_fn: line num while the ring holds it. */
static int
sb_fetch(void *arg, uint64_t num, struct ssp_line *l)
{
	struct sbsrc	*sb = arg;
	int		 n;

	if (num < 1 || num > sb->total || num + sb->cap <= sb->total ||
	    num == sb->bad)
		return (LN_E_STATE);
	n = snprintf(sb->text[num % (SSP_SB_FRAME_LINES + 1)], 32,
	    "line %llu", (unsigned long long)num);
	l->num = num;
	l->text = sb->text[num % (SSP_SB_FRAME_LINES + 1)];
	l->len = (size_t)n;
	l->wrapped = (num % 7) == 0;
	sb->fetches++;
	return (0);
}

/* ssp_lines_fn: every line must be the one after the last (or a skip). */
static void
sb_got(void *arg, const struct ssp_line *l, size_t n, uint64_t skipped)
{
	struct sbsrc	*sb = arg;
	char		 want[32];
	size_t		 i;

	if (n > sb->max_batch)
		sb->max_batch = n;
	if (n > 0)
		sb->batches++;
	sb->skipped += skipped;
	if (skipped > 0)
		sb->streak = 0;
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof want, "line %llu",
		    (unsigned long long)l[i].num);
		if (sb->got > 0 && l[i].num != sb->last + 1 +
		    (i == 0 ? skipped : 0))
			sb->in_order = 0;
		if (l[i].len != strlen(want) ||
		    memcmp(l[i].text, want, l[i].len) != 0 ||
		    l[i].wrapped != ((l[i].num % 7) == 0))
			sb->in_order = 0;
		sb->last = l[i].num;
		sb->got++;
		sb->streak++;
	}
}

/* Scrolls k lines off the server's screen. */
static void
sb_scroll(struct world *w, struct sbsrc *sb, uint64_t k)
{
	struct fb_pen	 pen = { 0, 0, 0 };

	sb->total += k;
	fb_put1(w->screen, 0, 0, 0x41 + (uint32_t)(sb->total % 26), &pen);
	ssp_server_update(w->srv, w->screen, w->now);
	ssp_server_scrolled(w->srv, sb->total, sb->total > sb->cap ?
	    sb->total - sb->cap + 1 : 1, w->now);
}

/* An empty scrollback source keeping the newest cap lines. */
static void
sb_init(struct sbsrc *sb, uint64_t cap)
{
	memset(sb, 0, sizeof *sb);
	sb->cap = cap;
}

/* Sets up both ends' scrollback; the client is taken to hold 1..base. */
static void
sb_attach(struct world *w, struct sbsrc *sb, uint64_t base)
{
	sb->in_order = 1;
	ssp_server_set_lines(w->srv, base, sb_fetch, sb);
	ssp_server_scrolled(w->srv, sb->total, sb->total > sb->cap ?
	    sb->total - sb->cap + 1 : 1, w->now);
	ssp_client_set_lines(w->cl, sb_got, sb);
}

/*
 * Lines scrolled in bursts over a lossy, reordering link arrive every
 * one, in order, once, in frames of at most SSP_SB_FRAME_LINES, with
 * frames skipped in between.
 */
static void
test_sb_complete(void **state)
{
	struct sbsrc	 sb;
	uint64_t	 seed;
	int		 i;

	(void)state;
	for (seed = 1; seed <= 3; seed++) {
		struct world	*w;

		sb_init(&sb, 100000);
		w = world_new(seed, 25, 10, 20 * MS, 30 * MS);
		sb_attach(w, &sb, 0);
		for (i = 0; i < 400; i++) {
			sb_scroll(w, &sb, rnd(w) % 300);
			run(w, w->now + rnd(w) % (10 * MS));
		}
		heal_and_check(w);
		assert_true(sb.in_order);
		assert_int_equal(sb.skipped, 0);
		assert_int_equal(sb.got, sb.total);
		assert_int_equal(sb.last, sb.total);
		assert_int_equal(ssp_client_lines(w->cl), sb.total);
		assert_true(sb.max_batch <= SSP_SB_FRAME_LINES);
		world_free(w);
	}
}

/*
 * A line the source cannot give in the middle of the ones a frame would
 * carry: the lines before it go, and it is skipped, so that every line
 * delivered has its own number (the client numbers a frame's lines back
 * from its total: a gap inside a frame gave the older lines the next
 * one's numbers).
 */
static void
test_sb_line_unavailable(void **state)
{
	struct sbsrc	 sb;
	struct world	*w;

	(void)state;
	sb_init(&sb, 100000);
	sb.bad = 5;
	w = world_new(1, 0, 0, 20 * MS, 0);
	sb_attach(w, &sb, 0);
	sb_scroll(w, &sb, 10);
	heal_and_check(w);
	assert_true(sb.in_order);
	assert_int_equal(sb.skipped, 1);
	assert_int_equal(sb.got, 9);
	assert_int_equal(sb.last, 10);
	world_free(w);
}

/*
 * Each line a frame carries is fetched once for it: the server measures
 * the lines a new state can carry and sends those, rather than fetching
 * them again (a holder encodes a line on each fetch). On a clean link
 * (no resend) the fetches are the lines the frames carried (a line goes
 * again until a frame carrying it is acked) plus, per frame, at most the
 * one that did not fit. Plain frames (an old client) to count the lines.
 */
static void
test_sb_fetched_once(void **state)
{
	struct sbsrc	 sb;
	struct world	*w;
	uint64_t	 frames;
	int		 i;

	(void)state;
	sb_init(&sb, 100000);
	w = world_new(7, 0, 0, 10 * MS, 0);
	w->old_client = 1;
	sb_attach(w, &sb, 0);
	run(w, w->now + SEC);
	for (i = 0; i < 100; i++) {
		sb_scroll(w, &sb, 1 + rnd(w) % 40);
		run(w, w->now + 60 * MS);
	}
	/* And a backlog of several frames' worth, after a pause. */
	run(w, w->now + SEC);
	sb_scroll(w, &sb, 3 * SSP_SB_FRAME_LINES);
	heal_and_check(w);
	assert_true(sb.in_order);
	assert_int_equal(sb.got, sb.total);
	assert_int_equal(w->z_s2c, 0);
	assert_int_equal(ssp_server_counters(w->srv)->retransmits, 0);
	frames = ssp_server_counters(w->srv)->messages_out;
	assert_true(sb.fetches <= w->plain_lines_s2c + frames);
	world_free(w);
}

/*
 * A backlog far larger than one frame is split across frames, not cut;
 * while it lasts the client knows its screen is ahead of its lines, and
 * acking each share at once makes the whole take about a round trip and
 * a frame interval per share, not a delayed ack each.
 */
static void
test_sb_split(void **state)
{
	struct sbsrc	 sb;
	struct world	*w;

	(void)state;
	sb_init(&sb, 100000);
	w = world_new(7, 0, 0, 10 * MS, 0);
	sb_attach(w, &sb, 0);
	sb_scroll(w, &sb, 30000);
	/*
	 * The first frame carries the screen alone (the server has not
	 * heard the client yet: docs/sync.md, "Compression"); the lines
	 * start with the next, sent once the server has heard the client
	 * and a frame interval (50 ms before any RTT sample) has passed:
	 * here 80-90 ms after the attach, at 10 ms each way.
	 */
	run(w, w->now + 100 * MS);
	assert_true(sb.got > 0 && sb.got < 30000);
	assert_int_equal(ssp_client_lines_behind(w->cl), 1);
	run(w, w->now + 15 * (40 * MS));
	assert_int_equal(sb.got, 30000);
	assert_int_equal(ssp_client_lines_behind(w->cl), 0);
	run(w, w->now + 30 * SEC);
	assert_int_equal(ssp_client_lines_behind(w->cl), 0);
	assert_true(sb.in_order);
	assert_int_equal(sb.skipped, 0);
	assert_int_equal(sb.got, 30000);
	assert_int_equal(sb.max_batch, SSP_SB_FRAME_LINES);
	assert_true(fb_equal(ssp_client_screen(w->cl), w->screen));
	world_free(w);
}

/*
 * Lines the server no longer holds (its ring is small, the link was down)
 * are reported as skipped; the rest still arrive in order, ending with
 * the newest.
 */
static void
test_sb_evicted(void **state)
{
	struct sbsrc	 sb;
	struct world	*w;
	int		 i;

	(void)state;
	sb_init(&sb, 500);
	w = world_new(9, 0, 0, 10 * MS, 0);
	sb_attach(w, &sb, 0);
	sb_scroll(w, &sb, 100);
	run(w, w->now + SEC);
	assert_int_equal(sb.got, 100);
	w->down = 1;
	for (i = 0; i < 50; i++) {
		sb_scroll(w, &sb, 100);
		run(w, w->now + 20 * MS);
	}
	w->down = 0;
	heal_and_check(w);
	assert_true(sb.in_order);
	assert_int_equal(sb.last, sb.total);
	assert_int_equal(sb.got, 100 + sb.cap);
	assert_int_equal(sb.skipped, sb.total - 100 - sb.cap);
	world_free(w);
}

/* On attach the client gets the lines after the base it was given. */
static void
test_sb_attach_push(void **state)
{
	struct sbsrc	 sb;
	struct world	*w;

	(void)state;
	sb_init(&sb, 10000);
	sb.total = 7000;
	w = world_new(11, 10, 0, 10 * MS, 5 * MS);
	sb_attach(w, &sb, 7000 - 1000);
	heal_and_check(w);
	assert_true(sb.in_order);
	assert_int_equal(sb.got, 1000);
	assert_int_equal(sb.last, 7000);
	assert_int_equal(sb.skipped, 0);
	world_free(w);
}

/*
 * A session keeping no scrollback (lnshd.conf's scrollback-lines 0): the
 * holder attaches with every line scrolled so far as the base and none
 * held (oldest past total). The screen still converges, no line is
 * fetched or sent, the client learns the count and is not left behind.
 */
static void
test_sb_none(void **state)
{
	struct sbsrc	 sb;
	struct world	*w;
	int		 i;

	(void)state;
	sb_init(&sb, 0);
	sb.total = 100;
	w = world_new(13, 10, 0, 10 * MS, 5 * MS);
	sb_attach(w, &sb, sb.total);
	for (i = 0; i < 50; i++) {
		sb_scroll(w, &sb, 1 + rnd(w) % 20);
		run(w, w->now + 20 * MS);
	}
	heal_and_check(w);
	assert_int_equal(sb.got, 0);
	assert_int_equal(sb.fetches, 0);
	assert_int_equal(ssp_client_lines(w->cl), sb.total);
	assert_int_equal(ssp_client_lines_behind(w->cl), 0);
	world_free(w);
}

/*
 * A flood of lines over a link that loses 30% of fragments each way (so a
 * frame of n fragments arrives with probability 0.7^n, and a frame of 2000
 * lines almost never): once the output stops, the client's screen matches
 * within a bounded time, because frames shrink to what gets through; and
 * every line still arrives, in order, once, while the loss goes on.
 */
static void
test_sb_lossy_flood(void **state)
{
	struct sbsrc	 sb;
	uint64_t	 seed, stop, took, worst = 0;
	int		 i;

	(void)state;
	for (seed = 1; seed <= 6; seed++) {
		struct world	*w;

		sb_init(&sb, 100000);
		w = world_new(seed, 30, 0, 100 * MS, 0);
		w->frag = 1;
		sb_attach(w, &sb, 0);
		run(w, w->now + 2 * SEC);
		/* `yes`: 100 lines every 10 ms for 3 s. */
		for (i = 0; i < 300; i++) {
			sb_scroll(w, &sb, 100);
			run(w, w->now + 10 * MS);
		}
		/* Ctrl-C: the last change; the screen must follow soon. */
		scribble(w);
		stop = w->now;
		while (!fb_equal(ssp_client_screen(w->cl), w->screen) &&
		    w->now - stop < 60 * SEC)
			run(w, w->now + 10 * MS);
		took = w->now - stop;
		if (took > worst)
			worst = took;
		print_message("seed %llu: screen %llu ms after the flood, "
		    "%llu of %llu lines\n", (unsigned long long)seed,
		    (unsigned long long)(took / MS),
		    (unsigned long long)sb.got,
		    (unsigned long long)sb.total);
		assert_true(took <= 3 * SEC);
		/* Still at 30% loss: the backlog drains, in order. */
		run(w, w->now + 300 * SEC);
		assert_true(sb.in_order);
		assert_int_equal(sb.skipped, 0);
		assert_int_equal(sb.got, sb.total);
		assert_int_equal(sb.last, sb.total);
		assert_int_equal(ssp_client_lines(w->cl), sb.total);
		assert_int_equal(ssp_client_lines_behind(w->cl), 0);
		assert_true(fb_equal(ssp_client_screen(w->cl), w->screen));
		heal_and_check(w);
		world_free(w);
	}
	print_message("worst: %llu ms\n", (unsigned long long)(worst / MS));
}

/*
 * Real loss still cuts the line budget, and a clean link gives it back:
 * a flood over a link losing 30% of fragments each way at 100 ms RTT
 * brings the budget down to a few fragments' worth; once the loss stops,
 * each acknowledged frame adds its step, so the backlog and a trickle
 * of output after it restore the whole budget, and a backlog of three
 * frames' worth then goes in three full frames.
 */
static void
test_sb_budget_loss(void **state)
{
	struct sbsrc	 sb;
	struct world	*w;
	size_t		 least = SSP_SB_FRAME_BYTES, b;
	uint64_t	 batches, got;
	int		 i;

	(void)state;
	sb_init(&sb, 100000);
	w = world_new(61, 30, 0, 50 * MS, 0);
	w->frag = 1;
	sb_attach(w, &sb, 0);
	run(w, w->now + 2 * SEC);
	/* `yes`: 100 lines every 10 ms for 3 s. */
	for (i = 0; i < 300; i++) {
		sb_scroll(w, &sb, 100);
		run(w, w->now + 10 * MS);
		if ((b = ssp_server_sb_budget(w->srv)) < least)
			least = b;
	}
	print_message("budget at least %zu bytes under loss\n", least);
	assert_true(least <= 4 * SSP_SB_BUDGET_MIN);
	/* The loss stops: the backlog drains, then a line every 30 ms. */
	w->loss_c2s = w->loss_s2c = 0;
	run(w, w->now + 30 * SEC);
	assert_int_equal(sb.got, sb.total);
	for (i = 0; i < 1000 &&
	    ssp_server_sb_budget(w->srv) < SSP_SB_FRAME_BYTES; i++) {
		sb_scroll(w, &sb, 1);
		run(w, w->now + 30 * MS);
	}
	print_message("budget whole after %d lines, 30 ms apart\n", i);
	assert_int_equal(ssp_server_sb_budget(w->srv), SSP_SB_FRAME_BYTES);
	run(w, w->now + SEC);
	batches = sb.batches;
	got = sb.got;
	sb_scroll(w, &sb, 3 * SSP_SB_FRAME_LINES);
	run(w, w->now + 5 * SEC);
	assert_int_equal(sb.got - got, 3 * SSP_SB_FRAME_LINES);
	assert_int_equal(sb.batches - batches, 3);
	assert_true(sb.in_order);
	assert_int_equal(sb.skipped, 0);
	assert_int_equal(sb.last, sb.total);
	heal_and_check(w);
	world_free(w);
}

/*
 * A flood of lines far longer than the server's ring (`seq 1 3000000`):
 * while it lasts the frames carry the screen, not the lines, which would
 * only be pushed out of the client's scrollback by the ones after them;
 * once it stops the client gets the last ring's worth, unbroken and in
 * order, once. So what crosses the link is about one ring of lines plus
 * the screens, not the whole flood.
 */
static void
test_sb_flood_deferred(void **state)
{
	struct sbsrc	 sb;
	struct world	*w;
	uint64_t	 line_cost, bytes;
	int		 i;

	(void)state;
	sb_init(&sb, 10000);
	w = world_new(17, 0, 0, 10 * MS, 0);
	sb_attach(w, &sb, 0);
	run(w, w->now + SEC);
	/* 500,000 lines in 2 s: 250 a millisecond, 50 rings. */
	for (i = 0; i < 1000; i++) {
		sb_scroll(w, &sb, 500);
		run(w, w->now + 2 * MS);
	}
	/* The screens kept coming during the flood. */
	assert_true(ssp_client_screen_num(w->cl) > 40);
	assert_true(sb.got <= 2 * SSP_SB_FRAME_LINES);
	run(w, w->now + 5 * SEC);
	assert_true(fb_equal(ssp_client_screen(w->cl), w->screen));
	assert_int_equal(ssp_client_lines_behind(w->cl), 0);
	assert_true(sb.in_order);
	assert_int_equal(sb.last, sb.total);
	assert_int_equal(ssp_client_lines(w->cl), sb.total);
	assert_true(sb.streak >= sb.cap);
	assert_int_equal(sb.got + sb.skipped, sb.total);
	/*
	 * At most about a ring of lines in all (and a frame's worth sent
	 * before the output counted as a flood), and bytes to match.
	 */
	assert_true(sb.got <= sb.cap + 2 * SSP_SB_FRAME_LINES);
	line_cost = strlen("line 500000") + SSP_SB_LINE_COST;
	bytes = w->bytes_s2c;
	print_message("%llu lines, %llu delivered, %llu bytes to the client\n",
	    (unsigned long long)sb.total, (unsigned long long)sb.got,
	    (unsigned long long)bytes);
	assert_true(bytes <= 2 * sb.cap * line_cost + 100 * 1024);
	world_free(w);
}

/*
 * A flood whose writes arrive in lumps with gaps longer than a frame
 * interval but shorter than SSP_FLOOD_PAUSE_NS (a loaded machine) is
 * still one flood: its lines are deferred, not sent a frame's worth at a
 * time; a slow tail afterwards (a line every 30 ms) streams at once.
 */
static void
test_sb_flood_gaps(void **state)
{
	struct sbsrc	 sb;
	struct world	*w;
	uint64_t	 got;
	int		 i;

	(void)state;
	sb_init(&sb, 10000);
	w = world_new(19, 0, 0, 10 * MS, 0);
	sb_attach(w, &sb, 0);
	run(w, w->now + SEC);
	/* 200,000 lines in lumps of 5000, 25-45 ms apart. */
	for (i = 0; i < 40; i++) {
		sb_scroll(w, &sb, 5000);
		run(w, w->now + 25 * MS + (rnd(w) % 21) * MS);
	}
	assert_true(sb.got <= 2 * SSP_SB_FRAME_LINES);
	run(w, w->now + 5 * SEC);
	assert_true(sb.in_order);
	assert_int_equal(sb.last, sb.total);
	assert_true(sb.streak >= sb.cap);
	assert_int_equal(sb.got + sb.skipped, sb.total);
	assert_true(sb.got <= sb.cap + 2 * SSP_SB_FRAME_LINES);
	/* A slow tail: each line reaches the client before the next. */
	for (i = 0; i < 20; i++) {
		got = sb.got;
		sb_scroll(w, &sb, 1);
		run(w, w->now + 30 * MS);
		assert_int_equal(sb.got, got + 1);
		assert_int_equal(sb.last, sb.total);
	}
	assert_true(fb_equal(ssp_client_screen(w->cl), w->screen));
	world_free(w);
}

/*
 * The client's acks under a flood like `seq 1 3000000` (lines deferred,
 * a screen every frame interval): coalesced to one per
 * SSP_ACK_COALESCE_NS, where it used to ack every frame (each said more
 * lines were behind), yet early enough that the server never resends
 * and never cuts its line budget (the lines drain whole afterwards). At
 * 1 ms and at 100 ms RTT.
 */
static void
test_ack_coalesced(void **state)
{
	static const uint64_t	 delays[] = { MS / 2, 50 * MS };
	const struct ln_counters *sc;
	struct sbsrc		 sb;
	struct world		*w;
	uint64_t		 c2s, start;
	size_t			 d;
	int			 i;

	(void)state;
	for (d = 0; d < sizeof delays / sizeof delays[0]; d++) {
		sb_init(&sb, 10000);
		w = world_new(23 + d, 0, 0, delays[d], 0);
		sb_attach(w, &sb, 0);
		run(w, w->now + SEC);
		c2s = w->sent_c2s;
		start = w->now;
		/* 2 s of flood: 500 lines every 2 ms. */
		for (i = 0; i < 1000; i++) {
			sb_scroll(w, &sb, 500);
			run(w, w->now + 2 * MS);
		}
		print_message("RTT %llu us: %llu client messages in 2 s of "
		    "flood, %llu frames\n",
		    (unsigned long long)(2 * delays[d] / 1000),
		    (unsigned long long)(w->sent_c2s - c2s),
		    (unsigned long long)ssp_client_screen_num(w->cl));
		/* One ack per 100 ms, and a few for the lines sent first. */
		assert_true(w->sent_c2s - c2s <=
		    (w->now - start) / SSP_ACK_COALESCE_NS + 4);
		assert_true(ssp_client_screen_num(w->cl) > 20);
		sc = ssp_server_counters(w->srv);
		assert_int_equal(sc->retransmits, 0);
		assert_int_equal(ssp_server_sb_budget(w->srv),
		    SSP_SB_FRAME_BYTES);
		run(w, w->now + 5 * SEC);
		/* No resend after the flood either: the last ack was early. */
		assert_int_equal(sc->retransmits, 0);
		assert_int_equal(ssp_server_sb_budget(w->srv),
		    SSP_SB_FRAME_BYTES);
		assert_true(fb_equal(ssp_client_screen(w->cl), w->screen));
		assert_true(sb.in_order);
		assert_int_equal(sb.last, sb.total);
		assert_true(sb.streak >= sb.cap);
		world_free(w);
	}
}

/*
 * The line budget stays whole through a flood on a clean link whose
 * datagrams are now and then late (one in ten by 20 ms, either way: the
 * holder, lnshd and the client share a loaded machine with the flood),
 * at 1 ms and at 100 ms RTT: no frame is judged lost, so the lines the
 * flood deferred drain in full frames (the ring's 10,000 in five).
 */
static void
test_sb_budget_clean(void **state)
{
	static const uint64_t	 delays[] = { MS / 2, 50 * MS };
	struct sbsrc		 sb;
	struct world		*w;
	uint64_t		 got, batches, end;
	size_t			 d;
	int			 i, seed;

	(void)state;
	for (d = 0; d < sizeof delays / sizeof delays[0]; d++) {
		for (seed = 1; seed <= 3; seed++) {
			sb_init(&sb, 10000);
			w = world_new(50 + seed, 0, 0, delays[d], 0);
			w->late_pct = 10;
			w->late = 20 * MS;
			sb_attach(w, &sb, 0);
			run(w, w->now + SEC);
			/* 2 s of flood: 500 lines every 2 ms. */
			for (i = 0; i < 1000; i++) {
				sb_scroll(w, &sb, 500);
				run(w, w->now + 2 * MS);
				assert_int_equal(ssp_server_sb_budget(w->srv),
				    SSP_SB_FRAME_BYTES);
			}
			got = sb.got;
			batches = sb.batches;
			end = w->now + 5 * SEC;
			while (w->now < end) {
				run(w, w->now + 10 * MS);
				assert_int_equal(ssp_server_sb_budget(w->srv),
				    SSP_SB_FRAME_BYTES);
			}
			assert_true(sb.in_order);
			assert_int_equal(sb.last, sb.total);
			assert_int_equal(sb.got - got, sb.cap);
			assert_int_equal(sb.batches - batches,
			    sb.cap / SSP_SB_FRAME_LINES);
			assert_true(fb_equal(ssp_client_screen(w->cl),
			    w->screen));
			assert_int_equal(w->sb_resent, 0);
			world_free(w);
		}
	}
}

/*
 * A line the server knows the client holds is not sent again. A short
 * flood at 100 ms RTT: the first frames carry the lines, a later one,
 * made while the backlog exceeded a frame's share, is deferred and
 * records the base's lines of its time; acked after the others, it
 * became the base and took the server's count of the client's lines
 * back, and the frame after the flood sent 600 of them again.
 */
static void
test_sb_no_resend(void **state)
{
	static const uint64_t	 delays[] = { MS / 2, 10 * MS, 50 * MS };
	static const int	 rates[] = { 50, 100, 300, 600 };
	struct sbsrc		 sb;
	struct world		*w;
	size_t			 d, r;
	int			 i;

	(void)state;
	for (d = 0; d < sizeof delays / sizeof delays[0]; d++) {
		for (r = 0; r < sizeof rates / sizeof rates[0]; r++) {
			sb_init(&sb, 100000);
			w = world_new(70 + r, 0, 0, delays[d], 0);
			sb_attach(w, &sb, 0);
			run(w, w->now + SEC);
			for (i = 0; i < 40; i++) {
				sb_scroll(w, &sb, rates[r]);
				run(w, w->now + 10 * MS);
			}
			run(w, w->now + 5 * SEC);
			assert_true(sb.in_order);
			assert_int_equal(sb.got, sb.total);
			assert_int_equal(w->sb_resent, 0);
			world_free(w);
		}
	}
}

/*
 * A lone frame (an echo, a prompt) is acked SSP_ACK_DELAY_NS after it
 * arrives, so the ack reaches the server before its resend timer, at
 * any RTT; so does the ack of a short burst of frames. The server never
 * resends on a clean link.
 */
static void
test_ack_before_rto(void **state)
{
	static const uint64_t	 delays[] = { MS / 2, 50 * MS, 200 * MS };
	const struct ln_counters *sc;
	struct world		*w;
	uint64_t		 c2s, arrive;
	size_t			 d;
	int			 i, j;

	(void)state;
	for (d = 0; d < sizeof delays / sizeof delays[0]; d++) {
		w = world_new(31 + d, 0, 0, delays[d], 0);
		run(w, w->now + 2 * SEC);
		/*
		 * A new screen puts the heartbeat SSP_HB_MIN_NS after the
		 * ack: frames this close keep the ack the only message.
		 */
		scribble(w);
		run(w, w->now + 2 * delays[d] + 100 * MS);
		for (i = 0; i < 10; i++) {
			c2s = w->sent_c2s;
			scribble(w);
			run(w, w->now + SSP_COLLECT_NS);
			arrive = w->last_s2c_at + delays[d];
			run(w, arrive + SSP_ACK_DELAY_NS - MS);
			/* Delayed, not sent with the frame... */
			assert_int_equal(w->sent_c2s, c2s);
			run(w, arrive + SSP_ACK_DELAY_NS);
			/* ...and then at once. */
			assert_int_equal(w->sent_c2s, c2s + 1);
			assert_int_equal(w->last_c2s_at,
			    arrive + SSP_ACK_DELAY_NS);
			run(w, w->now + 150 * MS);
		}
		/* Bursts of 2 to 6 frames, then quiet. */
		for (i = 0; i < 10; i++) {
			for (j = 0; j < 2 + i % 5; j++) {
				scribble(w);
				run(w, w->now + ssp_server_srtt(w->srv) / 2 +
				    SSP_SEND_MIN_NS);
			}
			run(w, w->now + 2 * SEC);
		}
		sc = ssp_server_counters(w->srv);
		assert_int_equal(sc->retransmits, 0);
		assert_true(fb_equal(ssp_client_screen(w->cl), w->screen));
		world_free(w);
	}
}

/*
 * Echo is not slowed: with the server echoing each key, every echo is on
 * the client's screen one RTT and the collection interval after the key,
 * the next key carries the ack of the last echo, and the last echo is
 * acked SSP_ACK_DELAY_NS after it came. No resends.
 */
static void
test_ack_echo(void **state)
{
	struct world	*w;
	const struct fb	*cfb;
	uint64_t	 t0, c2s, delay = 50 * MS;
	uint8_t		 ch;
	int		 i;

	(void)state;
	w = world_new(41, 0, 0, delay, 0);
	w->echo = 1;
	run(w, w->now + 2 * SEC);
	for (i = 0; i < 20; i++) {
		ch = (uint8_t)('a' + i);
		t0 = w->now;
		c2s = w->sent_c2s;
		assert_int_equal(ssp_client_send_keys(w->cl, &ch, 1, w->now),
		    0);
		run(w, t0 + 2 * delay + SSP_COLLECT_NS);
		cfb = ssp_client_screen(w->cl);
		assert_true(fb_equal(cfb, w->screen));
		/* The key's message only: the echo's ack is not due yet. */
		assert_int_equal(w->sent_c2s, c2s + 1);
		run(w, t0 + 2 * delay + SSP_COLLECT_NS + 30 * MS);
	}
	c2s = w->sent_c2s;
	run(w, w->now + SSP_ACK_DELAY_NS);
	assert_int_equal(w->sent_c2s, c2s + 1);
	run(w, w->now + 2 * SEC);
	assert_int_equal(ssp_server_counters(w->srv)->retransmits, 0);
	assert_int_equal(w->nkeys, 20);
	world_free(w);
}

/* Types one key and runs until the server delivered it (one way). */
static void
type_key(struct world *w, uint8_t ch)
{
	uint64_t	 n = w->nkeys, t0 = w->now;

	assert_int_equal(ssp_client_send_keys(w->cl, &ch, 1, w->now), 0);
	while (w->nkeys == n && w->now - t0 < SEC)
		run(w, w->now + MS / 10);
	assert_int_equal(w->nkeys, n + 1);
}

/* The program on the server writes ch at column x of row y. */
static void
put_at(struct world *w, int x, int y, uint8_t ch)
{
	struct fb_pen	 pen = { 0, 0, 0 };

	fb_put1(w->screen, x, y, ch, &pen);
	w->screen->cursor.x = x + 1;
	ssp_server_update(w->srv, w->screen, w->now);
}

/*
 * The program on the server writes ch at (x, y) and nothing more for
 * 100 ms: the one frame that makes went this long after the write.
 */
static uint64_t
put_frame_after(struct world *w, int x, int y, uint8_t ch)
{
	uint64_t	 at;

	w->nframe = 0;
	put_at(w, x, y, ch);
	at = w->now;
	run(w, at + 100 * MS);
	assert_int_equal(w->nframe, 1);
	return (w->frame_at[0] - at);
}

/*
 * An echo goes at once: a change within SSP_ECHO_NS of a key, after
 * quiet, is sent when it happens, not SSP_COLLECT_NS later, so the key
 * shows one RTT plus the echo's own delay after it was typed. Output that
 * follows the echo (a command's, after Enter) is collected as before,
 * not held for the frame interval; a change later than SSP_ECHO_NS after
 * the key, or without a key, waits the collection interval.
 */
static void
test_echo_at_once(void **state)
{
	struct world	*w;
	uint64_t	 t0, at, iv;
	int		 i;

	(void)state;
	w = world_new(43, 0, 0, 50 * MS, 0);
	run(w, w->now + 2 * SEC);
	/* Each key typed as soon as the last one's echo shows. */
	for (i = 0; i < 10; i++) {
		t0 = w->now;
		type_key(w, (uint8_t)('a' + i));
		assert_int_equal(w->now, t0 + 50 * MS);
		/* The shell echoes 200 us after the key arrived. */
		run(w, w->now + MS / 5);
		w->nframe = 0;
		put_at(w, i, 0, (uint8_t)('a' + i));
		at = w->now;
		run(w, at);
		assert_int_equal(w->nframe, 1);
		assert_int_equal(w->frame_at[0], at);
		run(w, at + 50 * MS);
		assert_true(fb_equal(ssp_client_screen(w->cl), w->screen));
	}
	run(w, w->now + 200 * MS);

	/* Enter: its echo at once, the command's output 1 ms later. */
	t0 = w->now;
	type_key(w, '\r');
	w->nframe = 0;
	put_at(w, 0, 1, '$');
	at = w->now;
	run(w, at + MS);
	put_at(w, 0, 2, 'o');
	run(w, w->now + 100 * MS);
	assert_int_equal(w->nframe, 2);
	assert_int_equal(w->frame_at[0], at);
	assert_int_equal(w->frame_at[1], at + MS + SSP_COLLECT_NS);
	assert_true(fb_equal(ssp_client_screen(w->cl), w->screen));
	run(w, w->now + 200 * MS);

	/* A slow echo, and output with no key, are collected. */
	type_key(w, 'z');
	run(w, w->now + SSP_ECHO_NS + MS);
	assert_int_equal(put_frame_after(w, 0, 3, 'z'), SSP_COLLECT_NS);
	run(w, w->now + 200 * MS);
	assert_int_equal(put_frame_after(w, 0, 4, 'q'), SSP_COLLECT_NS);

	/*
	 * Keys typed into a flood: the output never pauses, so no echo goes
	 * early and the frames keep the frame interval (at least
	 * SSP_SEND_MIN_NS apart; SRTT/2 here).
	 */
	iv = ssp_server_srtt(w->srv) / 2;
	if (iv < SSP_SEND_MIN_NS)
		iv = SSP_SEND_MIN_NS;
	for (i = 0; i < 200; i++) {
		if (i == 100)
			w->nframe = 0;
		if (i >= 100 && i % 10 == 0)
			assert_int_equal(ssp_client_send_keys(w->cl,
			    (const uint8_t *)"k", 1, w->now), 0);
		put_at(w, i % 80, 5 + i % 10, (uint8_t)('0' + i % 10));
		run(w, w->now + MS);
	}
	assert_true(w->nframe >= 2);
	for (i = 1; i < (int)w->nframe; i++)
		assert_true(w->frame_at[i] - w->frame_at[i - 1] >= iv - MS);
	heal_and_check(w);
	world_free(w);
}

/*
 * The last screen of a flood leaves once the output has been quiet for
 * SSP_QUIET_NS, not up to a frame interval later (50 ms at 100 ms RTT,
 * where it used to wait): a `seq`-like flood (a screen every interval,
 * lines deferred) stopping at ten phases of the interval shows its final
 * screen on the client SSP_QUIET_NS and one way after its last change,
 * and its lines follow. During the flood the frames keep the interval.
 * Output that stutters (gaps longer than SSP_QUIET_NS) gets a quiet
 * frame per gap at most once per interval: frames i < j are at least
 * (j - i - 1) intervals apart, one frame more than strict pacing allows
 * over any span, never more (an interval here: SRTT/2 less 1 ms, as
 * SRTT moves by tens of microseconds with the client's ack delays).
 */
static void
test_quiet_frame(void **state)
{
	struct sbsrc	 sb;
	struct world	*w;
	uint64_t	 delay = 50 * MS, iv, last;
	size_t		 i, j, n, close = 0;
	int		 k, t;

	(void)state;
	sb_init(&sb, 10000);
	w = world_new(47, 0, 0, delay, 0);
	sb_attach(w, &sb, 0);
	run(w, w->now + SEC);
	for (k = 0; k < 10; k++) {
		w->nframe = 0;
		/* 300 + 7k ms of flood: 300 lines a millisecond. */
		for (t = 0; t < 300 + 7 * k; t++) {
			if (t > 0)
				run(w, w->now + MS);
			sb_scroll(w, &sb, 300);
		}
		last = w->now;
		iv = ssp_server_srtt(w->srv) / 2;
		assert_in_range(iv, 45 * MS, 55 * MS);
		run(w, last + SSP_QUIET_NS + delay);
		assert_true(fb_equal(ssp_client_screen(w->cl), w->screen));
		n = w->nframe;
		assert_true(n >= 6);
		assert_true(w->frame_at[n - 1] <= last + SSP_QUIET_NS);
		for (i = 1; i + 1 < n; i++)
			assert_true(w->frame_at[i] - w->frame_at[i - 1] >=
			    iv - MS);
		/* The lines drain after the flood, the last ring in order. */
		run(w, w->now + 2 * SEC);
		assert_int_equal(ssp_client_lines_behind(w->cl), 0);
		assert_true(sb.in_order);
		assert_int_equal(sb.last, sb.total);
		assert_true(sb.streak >= sb.cap);
	}

	/* 1 s of output in 3 ms spurts, 7 ms apart. */
	w->nframe = 0;
	for (t = 0; t < 100; t++) {
		for (k = 0; k < 3; k++) {
			put_at(w, (t + k) % 80, 5 + t % 10,
			    (uint8_t)('0' + k));
			run(w, w->now + MS);
		}
		run(w, w->now + 7 * MS);
	}
	iv = ssp_server_srtt(w->srv) / 2;
	n = w->nframe;
	assert_true(n >= 15);
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++)
			assert_true(w->frame_at[j] - w->frame_at[i] >=
			    (j - i - 1) * (iv - MS));
		if (i > 0 && w->frame_at[i] - w->frame_at[i - 1] < iv - MS)
			close++;
	}
	/* The quiet frames did go early. */
	assert_true(close > 0);
	heal_and_check(w);
	world_free(w);
}

/* Garbage lines (too many, too long) drop the frame, never deliver. */
static void
test_sb_bounds(void **state)
{
	Lnsh__SyncMessage	 m;
	Lnsh__SyncLine		 line, *lp[1];
	struct sbsrc		 sb;
	struct world		*w;
	uint8_t			*p, *big;
	size_t			 len;
	int			 r;

	(void)state;
	lnsh__sync_message__init(&m);
	lnsh__sync_line__init(&line);
	sb_init(&sb, 0);
	w = world_new(13, 0, 0, 10 * MS, 0);
	ssp_client_set_lines(w->cl, sb_got, &sb);
	big = xcalloc(1, LN_SB_LINE_MAX + 1);
	memset(big, 'x', LN_SB_LINE_MAX + 1);
	line.has_text = 1;
	line.text.data = big;
	line.text.len = LN_SB_LINE_MAX + 1;
	lp[0] = &line;
	m.has_old_num = m.has_new_num = 1;
	m.new_num = 1;
	m.body_case = LNSH__SYNC_MESSAGE__BODY_SCREEN;
	m.has_sb_total = 1;
	m.sb_total = 1;
	m.n_line = 1;
	m.line = lp;
	p = pack_msg(&m, &len);
	r = ssp_client_input(w->cl, p, len, w->now);
	assert_int_equal(r, LN_E_DROP(LN_DROP_MESSAGE));
	free(p);
	/* sb_total below the number of lines carried. */
	line.text.len = 4;
	m.sb_total = 0;
	p = pack_msg(&m, &len);
	r = ssp_client_input(w->cl, p, len, w->now);
	assert_int_equal(r, LN_E_DROP(LN_DROP_MESSAGE));
	assert_int_equal(sb.got, 0);
	free(p);
	free(big);
	world_free(w);
}

/* ----------------------------------------------------------- compression */

/* A message whose only field is zframe = z. */
static uint8_t *
zmsg(const uint8_t *z, size_t zlen, size_t *len)
{
	Lnsh__SyncMessage	 m;

	lnsh__sync_message__init(&m);
	m.has_zframe = 1;
	m.zframe.data = (uint8_t *)z;
	m.zframe.len = zlen;
	return (pack_msg(&m, len));
}

/* One zstd frame of (p, len), declaring its size; its length in *zlen. */
static uint8_t *
zstd_of(const uint8_t *p, size_t len, size_t *zlen)
{
	uint8_t	*z;
	size_t	 cap = ZSTD_compressBound(len), n;

	z = xmalloc(cap);
	n = ZSTD_compress(z, cap, p, len, 1);
	assert_false(ZSTD_isError(n));
	*zlen = n;
	return (z);
}

/* Feeds the client a zframe of content (p, len); its verdict. */
static int
client_zinput(struct world *w, const uint8_t *p, size_t len)
{
	uint8_t	*z, *m;
	size_t	 zlen, mlen;
	int	 r;

	z = zstd_of(p, len, &zlen);
	m = zmsg(z, zlen, &mlen);
	r = ssp_client_input(w->cl, m, mlen, w->now);
	free(m);
	free(z);
	return (r);
}

/*
 * A coloured screen and 1000 lines of attach push, then updates: frames
 * go compressed once the server has heard the client, the client ends
 * with the screen and every line, and the bytes are a fraction of the
 * frames'; keystroke-sized frames go plain.
 */
static void
test_z_round_trip(void **state)
{
	struct sbsrc	 sb;
	struct world	*w;
	uint64_t	 z0, p0, b0;
	int		 i;

	(void)state;
	sb_init(&sb, 10000);
	sb.total = 5000;
	w = world_new(41, 5, 0, 10 * MS, 5 * MS);
	sb_attach(w, &sb, 5000 - 1000);
	for (i = 0; i < 200; i++) {
		scribble(w);
		if (i % 4 == 0)
			sb_scroll(w, &sb, 3);
		run(w, w->now + 15 * MS);
	}
	heal_and_check(w);
	assert_true(sb.in_order);
	assert_int_equal(sb.last, sb.total);
	assert_int_equal(sb.skipped, 0);
	assert_true(w->z_s2c > 10);
	/*
	 * What went compressed took under 2/3 of its size on the wire (the
	 * random screen content here compresses to about half), and no
	 * line went plain: the first frame, sent before the server heard
	 * the client, carried the screen alone, and the attach push
	 * followed compressed.
	 */
	assert_true(w->z_bytes_s2c * 3 < w->z_raw_s2c * 2);
	assert_int_equal(w->plain_lines_s2c, 0);

	/*
	 * The cursor moves (a row changed is sent whole, so this is what a
	 * keystroke's frame is on a full screen of random cells): a frame
	 * under SSP_Z_MIN, sent plain.
	 */
	z0 = w->z_s2c;
	p0 = w->plain_s2c;
	b0 = w->bytes_s2c;
	w->screen->cursor.x = (w->screen->cursor.x + 1) % w->screen->cols;
	ssp_server_update(w->srv, w->screen, w->now);
	run(w, w->now + 20 * MS);
	assert_true(fb_equal(ssp_client_screen(w->cl), w->screen));
	assert_int_equal(w->z_s2c, z0);
	assert_true(w->plain_s2c > p0);
	assert_true(w->bytes_s2c - b0 < SSP_Z_MIN * (w->plain_s2c - p0));
	world_free(w);
}

/*
 * A client that never says accept_zstd (an older lnsh) gets no zframe,
 * however large the frames; and a server never takes one.
 */
static void
test_z_old_client(void **state)
{
	struct sbsrc	 sb;
	struct world	*w;
	uint8_t		 content[400], *m, *z;
	size_t		 mlen, zlen;
	int		 i;

	(void)state;
	sb_init(&sb, 10000);
	sb.total = 3000;
	w = world_new(43, 0, 0, 10 * MS, 0);
	w->old_client = 1;
	sb_attach(w, &sb, 3000 - 1000);
	for (i = 0; i < 50; i++) {
		scribble(w);
		run(w, w->now + 25 * MS);
	}
	heal_and_check(w);
	assert_int_equal(sb.got, 1000);
	assert_int_equal(w->z_s2c, 0);
	assert_true(w->plain_big_s2c > 0);

	memset(content, 'a', sizeof content);
	z = zstd_of(content, sizeof content, &zlen);
	m = zmsg(z, zlen, &mlen);
	assert_int_equal(ssp_server_input(w->srv, m, mlen, w->now, on_event,
	    w), LN_E_DROP(LN_DROP_MESSAGE));
	free(m);
	free(z);
	world_free(w);
}

/*
 * Decompression bombs: a frame declaring more than LN_SSP_ZFRAME_MAX, or
 * no size at all, is refused before any decompression and counted
 * (zframe_oversize); one whose content overflows what it declares fails
 * inside the bound (bad_zframe).
 */
static void
test_z_bomb(void **state)
{
	struct world		*w;
	const struct ln_counters *c;
	ZSTD_CCtx		*cc;
	ZSTD_inBuffer		 in;
	ZSTD_outBuffer		 out;
	Lnsh__SyncMessage	 sm;
	uint8_t			*big, *z, *m, *raw, *scr;
	size_t			 zlen, mlen, rawlen, n;
	unsigned		 fhd, fcs;

	(void)state;
	w = world_new(47, 0, 0, 10 * MS, 0);
	run(w, w->now + SEC);
	c = ssp_client_counters(w->cl);

	/* Declares LN_SSP_ZFRAME_MAX + 1: about 40 bytes on the wire. */
	big = xcalloc(1, LN_SSP_ZFRAME_MAX + 1);
	z = zstd_of(big, LN_SSP_ZFRAME_MAX + 1, &zlen);
	assert_true(zlen < 200);
	m = zmsg(z, zlen, &mlen);
	assert_int_equal(ssp_client_input(w->cl, m, mlen, w->now),
	    LN_E_DROP(LN_DROP_ZFRAME_OVERSIZE));
	assert_int_equal(c->drop[LN_DROP_ZFRAME_OVERSIZE], 1);
	assert_int_equal(ssp_unzframe(&(struct ssp_link){ 0 }, z, zlen, &raw,
	    &rawlen), LN_E_DROP(LN_DROP_ZFRAME_OVERSIZE));
	free(m);
	free(z);

	/* Exactly the bound decompresses (and is no SyncMessage). */
	z = zstd_of(big, LN_SSP_ZFRAME_MAX, &zlen);
	{
		struct ssp_link	 l = { 0 };

		assert_int_equal(ssp_unzframe(&l, z, zlen, &raw, &rawlen), 0);
		assert_int_equal(rawlen, LN_SSP_ZFRAME_MAX);
		free(raw);
		ssp_link_free(&l);
	}
	free(z);

	/* No declared size. */
	cc = ZSTD_createCCtx();
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cc,
	    ZSTD_c_contentSizeFlag, 0)));
	z = xmalloc(ZSTD_compressBound(1000));
	in = (ZSTD_inBuffer){ big, 1000, 0 };
	out = (ZSTD_outBuffer){ z, ZSTD_compressBound(1000), 0 };
	assert_int_equal(ZSTD_compressStream2(cc, &out, &in, ZSTD_e_end), 0);
	assert_int_equal(ZSTD_getFrameContentSize(z, out.pos),
	    ZSTD_CONTENTSIZE_UNKNOWN);
	m = zmsg(z, out.pos, &mlen);
	assert_int_equal(ssp_client_input(w->cl, m, mlen, w->now),
	    LN_E_DROP(LN_DROP_ZFRAME_OVERSIZE));
	assert_int_equal(c->drop[LN_DROP_ZFRAME_OVERSIZE], 2);
	free(m);
	free(z);
	ZSTD_freeCCtx(cc);

	/*
	 * Declares one byte less than it holds: a real frame (a screen
	 * body of 1000 bytes) whose 2-byte content size (single segment:
	 * right after the header byte) is lowered.
	 */
	scr = xcalloc(1, 1000);
	lnsh__sync_message__init(&sm);
	sm.has_old_num = sm.has_new_num = 1;
	sm.old_num = 0;
	sm.new_num = 99;
	sm.body_case = LNSH__SYNC_MESSAGE__BODY_SCREEN;
	sm.screen.data = scr;
	sm.screen.len = 1000;
	raw = pack_msg(&sm, &rawlen);
	z = zstd_of(raw, rawlen, &zlen);
	fhd = z[4];
	fcs = fhd >> 6;
	assert_int_not_equal(fhd & 0x20, 0);
	assert_int_equal(fcs, 1);
	n = (size_t)z[5] | (size_t)z[6] << 8;
	assert_int_equal(n + 256, rawlen);
	z[5]--;
	if (z[5] == 0xff)
		z[6]--;
	m = zmsg(z, zlen, &mlen);
	assert_int_equal(ssp_client_input(w->cl, m, mlen, w->now),
	    LN_E_DROP(LN_DROP_ZFRAME));
	assert_int_equal(c->drop[LN_DROP_ZFRAME], 1);
	free(m);
	free(z);
	free(raw);
	free(scr);
	free(big);
	assert_int_not_equal(ssp_client_screen_num(w->cl), 99);
	heal_and_check(w);
	world_free(w);
}

/*
 * Truncated, corrupted and misplaced zframes: every one is dropped and
 * counted, none crashes, and the link goes on.
 */
static void
test_z_garbage(void **state)
{
	struct world		*w;
	const struct ln_counters *c;
	Lnsh__SyncMessage	 sm, *got;
	uint8_t			 junk[300], *p, *z, *m, *inner;
	size_t			 len = 0, zlen, mlen, innerlen, cut, i;
	uint64_t		 drops;
	int			 r;
	const LargestIntegralType zdrops[] = {
		(LargestIntegralType)LN_E_DROP(LN_DROP_ZFRAME),
		(LargestIntegralType)LN_E_DROP(LN_DROP_ZFRAME_OVERSIZE)
	};

	(void)state;
	w = world_new(53, 0, 0, 10 * MS, 0);
	run(w, w->now + SEC);
	c = ssp_client_counters(w->cl);

	/* A real compressed frame from the server: take one off the link. */
	for (i = 0; i < 3 * 80; i++)
		fb_put1(w->screen, i % 80, 5 + i / 80, 'a' + (uint32_t)(i % 7),
		    &(struct fb_pen){ 0, 0, 0 });
	ssp_server_update(w->srv, w->screen, w->now);
	ssp_server_tick(w->srv, w->now + 5 * MS);
	p = NULL;
	for (i = 0; i < w->nq; i++) {
		if (!w->q[i].to_server) {
			p = w->q[i].p;
			len = w->q[i].len;
			w->q[i] = w->q[--w->nq];
			break;
		}
	}
	assert_non_null(p);
	got = lnsh__sync_message__unpack(NULL, len, p);
	assert_non_null(got);
	assert_true(got->has_zframe);
	zlen = got->zframe.len;
	z = xmemdup(got->zframe.data, zlen);
	lnsh__sync_message__free_unpacked(got, NULL);

	/* Every truncation of the zstd frame. */
	for (cut = 0; cut < zlen; cut++) {
		drops = c->drop[LN_DROP_ZFRAME];
		m = zmsg(z, cut, &mlen);
		assert_int_equal(ssp_client_input(w->cl, m, mlen, w->now),
		    LN_E_DROP(LN_DROP_ZFRAME));
		assert_int_equal(c->drop[LN_DROP_ZFRAME], drops + 1);
		free(m);
	}
	/* Trailing bytes after the frame. */
	inner = xmalloc(zlen + 1);
	memcpy(inner, z, zlen);
	inner[zlen] = 0;
	m = zmsg(inner, zlen + 1, &mlen);
	assert_int_equal(ssp_client_input(w->cl, m, mlen, w->now),
	    LN_E_DROP(LN_DROP_ZFRAME));
	free(m);
	free(inner);
	/* Random bytes as a zframe. */
	for (i = 0; i < 300; i++) {
		size_t	 n = 1 + rnd(w) % sizeof junk, j;

		for (j = 0; j < n; j++)
			junk[j] = (uint8_t)rnd(w);
		m = zmsg(junk, n, &mlen);
		r = ssp_client_input(w->cl, m, mlen, w->now);
		assert_in_set(r, zdrops, 2);
		free(m);
	}
	/* A zframe beside another field. */
	lnsh__sync_message__init(&sm);
	sm.has_zframe = 1;
	sm.zframe.data = z;
	sm.zframe.len = zlen;
	sm.has_ack_num = 1;
	sm.ack_num = 1;
	m = pack_msg(&sm, &mlen);
	drops = c->drop[LN_DROP_MESSAGE];
	assert_int_equal(ssp_client_input(w->cl, m, mlen, w->now),
	    LN_E_DROP(LN_DROP_MESSAGE));
	free(m);
	/* A zframe inside a zframe. */
	inner = zmsg(z, zlen, &innerlen);
	assert_int_equal(client_zinput(w, inner, innerlen),
	    LN_E_DROP(LN_DROP_MESSAGE));
	free(inner);
	/* Content that is no SyncMessage. */
	memset(junk, 0xff, sizeof junk);
	assert_int_equal(client_zinput(w, junk, sizeof junk),
	    LN_E_DROP(LN_DROP_MESSAGE));
	assert_int_equal(c->drop[LN_DROP_MESSAGE], drops + 3);

	/* The frame itself, intact, still applies. */
	r = ssp_client_input(w->cl, p, len, w->now);
	assert_int_equal(r, 1);
	free(p);
	assert_true(fb_equal(ssp_client_screen(w->cl), w->screen));
	heal_and_check(w);

	/*
	 * Every single byte flipped: dropped and counted, or taken if still
	 * valid (the frame has no checksum: the channel authenticates what
	 * arrives, so a flipped literal is a screen a server could have
	 * sent).
	 */
	for (i = 0; i < zlen; i++) {
		z[i] ^= 0x5a;
		m = zmsg(z, zlen, &mlen);
		drops = ln_drops_total(c);
		r = ssp_client_input(w->cl, m, mlen, w->now);
		if (r < 0)
			assert_int_equal(ln_drops_total(c), drops + 1);
		else
			assert_in_range(r, 0, 1);
		free(m);
		z[i] ^= 0x5a;
	}
	free(z);
	world_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_converges),
		cmocka_unit_test(test_one_way_outages),
		cmocka_unit_test(test_flood_skips),
		cmocka_unit_test(test_keys_exactly_once),
		cmocka_unit_test(test_paste),
		cmocka_unit_test(test_ctrl_c_in_flood),
		cmocka_unit_test(test_ctrl_c_lossy),
		cmocka_unit_test(test_idle_traffic),
		cmocka_unit_test(test_no_client),
		cmocka_unit_test(test_client_notices_silence),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_resize_bounds),
		cmocka_unit_test(test_misdirected),
		cmocka_unit_test(test_sb_complete),
		cmocka_unit_test(test_sb_line_unavailable),
		cmocka_unit_test(test_sb_split),
		cmocka_unit_test(test_sb_fetched_once),
		cmocka_unit_test(test_sb_evicted),
		cmocka_unit_test(test_sb_attach_push),
		cmocka_unit_test(test_sb_none),
		cmocka_unit_test(test_sb_bounds),
		cmocka_unit_test(test_sb_flood_deferred),
		cmocka_unit_test(test_sb_flood_gaps),
		cmocka_unit_test(test_sb_lossy_flood),
		cmocka_unit_test(test_sb_budget_loss),
		cmocka_unit_test(test_ack_coalesced),
		cmocka_unit_test(test_sb_budget_clean),
		cmocka_unit_test(test_sb_no_resend),
		cmocka_unit_test(test_ack_before_rto),
		cmocka_unit_test(test_ack_echo),
		cmocka_unit_test(test_echo_at_once),
		cmocka_unit_test(test_quiet_frame),
		cmocka_unit_test(test_z_round_trip),
		cmocka_unit_test(test_z_old_client),
		cmocka_unit_test(test_z_bomb),
		cmocka_unit_test(test_z_garbage),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
