/*
 * mkseeds.c: writes the committed seeds of the parser targets that need
 * code to make them, from the pty output captured in fuzz/seeds/fuzz-emu/
 * (script(1) sessions: ls, vim, top, the alternate screen):
 *
 *	mkseeds SRCDIR/fuzz/seeds
 *
 * replays each capture through the emulator and writes, for
 *	fuzz-fbapply	the ScreenDiffs between the screens it went through
 *	fuzz-sgr	its scrollback and screen as SGR text (emu_capture)
 *	fuzz-ssp	what an SSP server serving that screen sent its client,
 *			and what the client sent back
 *	fuzz-zframe	what the server sent its client again, with each
 *			zframe's zstd frame and content as records of their
 *			own; and decompression bombs
 *	fuzz-holder	the holder's frames: Hello, Info, Attached, the Syncs of
 *			the session, Capture, Exited; and lnshd's requests
 * Not run by make: the seeds are committed, so rerun it by hand when the
 * captures or the formats change (the targets' grown corpora are beside).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "fuzz.h"
#include "fb.h"
#include "ssp.h"
#include "sync.pb-c.h"
#include "holder.pb-c.h"
#include "holder.h"

static const char *root;
static const char *captures[] = { "shell", "vim", "top", "alt" };
#define NCAPTURES	(sizeof captures / sizeof captures[0])

/* Writes root/target/name. */
static void
put(const char *target, const char *name, const void *p, size_t len)
{
	char	 path[1024];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", root, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "mkseeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    (len > 0 && fwrite(p, len, 1, f) != 1) || fclose(f) != 0) {
		fprintf(stderr, "mkseeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Reads root/fuzz-emu/name whole. */
static uint8_t *
get(const char *name, size_t *len)
{
	char	 path[1024];
	uint8_t	*p = NULL;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof path, "%s/fuzz-emu/%s", root, name);
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (p = malloc((size_t)n)) == NULL ||
	    fread(p, (size_t)n, 1, f) != 1) {
		fprintf(stderr, "mkseeds: %s: cannot read\n", path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return (p);
}

/* A holder frame: big-endian length, then the body. */
static void
frame(struct fuzz_out *o, const ProtobufCMessage *m)
{
	uint8_t	*p, hdr[4];
	size_t	 n;

	n = protobuf_c_message_get_packed_size(m);
	p = xmalloc(n + 1);
	protobuf_c_message_pack(m, p);
	hdr[0] = (uint8_t)(n >> 24);
	hdr[1] = (uint8_t)(n >> 16);
	hdr[2] = (uint8_t)(n >> 8);
	hdr[3] = (uint8_t)n;
	fuzz_out_bytes(o, hdr, 4);
	fuzz_out_bytes(o, p, n);
	free(p);
}

/* The emulator's replies: ignored. */
static void
reply(void *arg, const uint8_t *p, size_t len)
{
	(void)arg;
	(void)p;
	(void)len;
}

/* SSP both ways in memory: each side's received messages, as scripts. */
struct link {
	struct fuzz_out	 to_client, to_server, zframes;
	struct ssp_client *cl;
	struct ssp_server *srv;
	uint64_t	 now;
	uint8_t		*pend[2][64];
	size_t		 pendlen[2][64], npend[2];
};

/*
 * fuzz-zframe's records of a message the server sent: the message (op 0)
 * and, for a zframe, the zstd frame (op 1) and its content (op 3).
 */
static void
zframe_recs(struct fuzz_out *o, const uint8_t *p, size_t len)
{
	Lnsh__SyncMessage	*m;
	struct ssp_link		 l;
	uint8_t			*raw;
	size_t			 rawlen;

	fuzz_out_rec(o, FUZZ_OP_DGRAM, p, len);
	if ((m = lnsh__sync_message__unpack(NULL, len, p)) == NULL)
		exit(1);
	memset(&l, 0, sizeof l);
	if (m->has_zframe) {
		fuzz_out_rec(o, FUZZ_OP_DGRAM_ALT, m->zframe.data,
		    m->zframe.len);
		if (ssp_unzframe(&l, m->zframe.data, m->zframe.len, &raw,
		    &rawlen) != 0)
			exit(1);
		fuzz_out_rec(o, FUZZ_OP_SEND, raw, rawlen);
		free(raw);
	}
	ssp_link_free(&l);
	lnsh__sync_message__free_unpacked(m, NULL);
}

/* Keeps a copy of (p, len) for the other side: dir 0 to the client. */
static void
enqueue(struct link *l, int dir, const uint8_t *p, size_t len)
{
	if (l->npend[dir] < 64) {
		l->pend[dir][l->npend[dir]] = xmemdup(p, len);
		l->pendlen[dir][l->npend[dir]++] = len;
	}
}

/* Records and queues a message the server sent. */
static int
srv_send(void *arg, const uint8_t *p, size_t len)
{
	struct link	*l = arg;

	fuzz_out_rec(&l->to_client, FUZZ_OP_DGRAM, p, len);
	zframe_recs(&l->zframes, p, len);
	enqueue(l, 0, p, len);
	return (0);
}

/* Records and queues a message the client sent. */
static int
cl_send(void *arg, const uint8_t *p, size_t len)
{
	struct link	*l = arg;

	fuzz_out_rec(&l->to_server, FUZZ_OP_DGRAM, p, len);
	enqueue(l, 1, p, len);
	return (0);
}

/* Delivers what is queued both ways, advancing the clock 20 ms. */
static void
exchange(struct link *l)
{
	uint8_t	 tick[4] = { 20, 0, 0, 0 };
	size_t	 i;

	l->now += 20 * LN_NS_PER_MS;
	fuzz_out_rec(&l->to_client, FUZZ_OP_TICK, tick, 4);
	fuzz_out_rec(&l->to_server, FUZZ_OP_TICK, tick, 4);
	fuzz_out_rec(&l->zframes, FUZZ_OP_TICK, tick, 4);
	(void)ssp_server_tick(l->srv, l->now);
	(void)ssp_client_tick(l->cl, l->now);
	for (i = 0; i < l->npend[0]; i++) {
		(void)ssp_client_input(l->cl, l->pend[0][i], l->pendlen[0][i],
		    l->now);
		free(l->pend[0][i]);
	}
	for (i = 0; i < l->npend[1]; i++) {
		(void)ssp_server_input(l->srv, l->pend[1][i],
		    l->pendlen[1][i], l->now, fuzz_ssp_event, NULL);
		free(l->pend[1][i]);
	}
	l->npend[0] = l->npend[1] = 0;
}

/* Replays one capture and writes its seeds. */
static void
one(const char *name)
{
	Lnsh__Holder__Reply		 rep = LNSH__HOLDER__REPLY__INIT;
	Lnsh__Holder__Hello		 hello = LNSH__HOLDER__HELLO__INIT;
	Lnsh__Holder__Info		 info = LNSH__HOLDER__INFO__INIT;
	Lnsh__Holder__Capture		 cap = LNSH__HOLDER__CAPTURE__INIT;
	Lnsh__Holder__Exited		 ex = LNSH__HOLDER__EXITED__INIT;
	Lnsh__Holder__Attached		 at = LNSH__HOLDER__ATTACHED__INIT;
	Lnsh__Holder__Sync		 sy = LNSH__HOLDER__SYNC__INIT;
	static uint8_t			 token[LN_HOLDER_TOKEN_LEN];
	int				 full = 1;
	struct fuzz_out			 diffs = { NULL, 0, 0 };
	struct fuzz_out			 sgr = { NULL, 0, 0 };
	struct fuzz_out			 hold = { NULL, 0, 0 };
	struct link			 l;
	struct fuzz_rec			 rec;
	struct buf			 b;
	struct emu			*e;
	struct fb			*prev, *shown;
	uint8_t				*data, *d, sel, cols;
	char				*text, seedname[64];
	size_t				 len, dlen, tlen;
	uint64_t			 total = 10;
	uint32_t			 v;

	data = get(name, &len);
	e = emu_new(80, 24, 200, reply, NULL);
	prev = fb_snapshot(emu_screen(e));
	memset(&l, 0, sizeof l);
	l.now = FUZZ_T0;
	shown = fb_snapshot(emu_screen(e));
	l.srv = ssp_server_new(shown, srv_send, &l, l.now);
	ssp_server_set_lines(l.srv, 5, fuzz_ssp_line, &total);
	l.cl = ssp_client_new(80, 24, cl_send, &l, l.now);
	sel = 0;
	fuzz_out_bytes(&l.to_client, &sel, 1);
	sel = 1;
	fuzz_out_bytes(&l.to_server, &sel, 1);
	sel = 0;
	fuzz_out_bytes(&hold, &sel, 1);

	hello.version = HOLDER_PROTO_VERSION;
	hello.name = (char *)(uintptr_t)"main";
	hello.pid = 4242;
	hello.event_method = (char *)(uintptr_t)"epoll";
	hello.term = (char *)(uintptr_t)"xterm-256color";
	rep.id = 1;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_HELLO;
	rep.hello = &hello;
	frame(&hold, &rep.base);
	info.name = (char *)(uintptr_t)"main";
	info.created_ns = FUZZ_WALL0;
	info.activity_ns = FUZZ_WALL0 + LN_NS_PER_SEC;
	info.clients = 1;
	info.cols = 80;
	info.rows = 24;
	info.pid = 4243;
	info.command = (char *)(uintptr_t)"/bin/sh -l";
	info.title = (char *)(uintptr_t)name;
	rep.id = 2;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_INFO;
	rep.info = &info;
	frame(&hold, &rep.base);
	memset(token, 0x5a, sizeof token);
	at.token.data = token;
	at.token.len = sizeof token;
	rep.id = 3;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_ATTACHED;
	rep.attached = &at;
	frame(&hold, &rep.base);

	buf_reader(&b, data, len);
	while (fuzz_next_rec(&b, &rec) == 0) {
		if (rec.op == FUZZ_OP_TICK) {
			v = fuzz_u32(rec.data, rec.len);
			emu_resize(e, 1 + (int)((v & 0xffff) % 300),
			    1 + (int)((v >> 16) % 100));
		} else
			emu_input(e, rec.data, rec.len);
		if (fb_diff(full ? NULL : prev, emu_screen(e), &d,
		    &dlen) != 0)
			exit(1);
		/* fuzz-fbapply starts from an empty 80x24 screen. */
		if (!full)
			fuzz_out_rec(&diffs, FUZZ_OP_DGRAM, d, dlen);
		else {
			uint8_t	*d0;
			size_t	 d0len;
			struct fb *empty = fb_new(80, 24);

			if (fb_diff(empty, emu_screen(e), &d0, &d0len) != 0)
				exit(1);
			fuzz_out_rec(&diffs, FUZZ_OP_DGRAM, d0, d0len);
			free(d0);
			fb_free(empty);
		}
		/* Opaque to lnshd: any bytes stand for an SSP message. */
		sy.client = 1;
		sy.data.data = d;
		sy.data.len = dlen;
		rep.id = 0;
		rep.msg_case = LNSH__HOLDER__REPLY__MSG_SYNC;
		rep.sync = &sy;
		frame(&hold, &rep.base);
		free(d);
		full = 0;
		fb_free(prev);
		prev = fb_snapshot(emu_screen(e));

		fb_free(shown);
		shown = fb_snapshot(emu_screen(e));
		total++;
		ssp_server_scrolled(l.srv, total, total - 10, l.now);
		ssp_server_update(l.srv, shown, l.now);
		(void)ssp_client_send_keys(l.cl, (const uint8_t *)"ls\r", 3,
		    l.now);
		exchange(&l);
		exchange(&l);
	}

	if (emu_capture(e, -1, 1, &text, &tlen) != 0)
		exit(1);
	cols = 79;
	fuzz_out_bytes(&sgr, &cols, 1);
	fuzz_out_bytes(&sgr, text, tlen);
	snprintf(seedname, sizeof seedname, "%s-80", name);
	put("fuzz-sgr", seedname, sgr.p, sgr.len);
	sgr.p[0] = 9;
	snprintf(seedname, sizeof seedname, "%s-10", name);
	put("fuzz-sgr", seedname, sgr.p, sgr.len);
	cap.text.data = (uint8_t *)text;
	cap.text.len = tlen < 4000 ? tlen : 4000;
	rep.id = 4;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_CAPTURE;
	rep.capture = &cap;
	frame(&hold, &rep.base);
	free(text);
	ex.exit_status = 0;
	rep.id = 0;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_EXITED;
	rep.exited = &ex;
	frame(&hold, &rep.base);

	put("fuzz-fbapply", name, diffs.p, diffs.len);
	snprintf(seedname, sizeof seedname, "%s-client", name);
	put("fuzz-ssp", seedname, l.to_client.p, l.to_client.len);
	snprintf(seedname, sizeof seedname, "%s-server", name);
	put("fuzz-ssp", seedname, l.to_server.p, l.to_server.len);
	snprintf(seedname, sizeof seedname, "%s-replies", name);
	put("fuzz-holder", seedname, hold.p, hold.len);
	put("fuzz-zframe", name, l.zframes.p, l.zframes.len);

	fuzz_out_free(&diffs);
	fuzz_out_free(&sgr);
	fuzz_out_free(&hold);
	fuzz_out_free(&l.to_client);
	fuzz_out_free(&l.to_server);
	fuzz_out_free(&l.zframes);
	ssp_client_free(l.cl);
	ssp_server_free(l.srv);
	fb_free(shown);
	fb_free(prev);
	emu_free(e);
	free(data);
}

/* lnshd's requests to a holder, one of each, in one stream. */
static void
requests(void)
{
	Lnsh__Holder__Request		 req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__Hello		 hello = LNSH__HOLDER__HELLO__INIT;
	Lnsh__Holder__InfoRequest	 info = LNSH__HOLDER__INFO_REQUEST__INIT;
	Lnsh__Holder__Input		 in = LNSH__HOLDER__INPUT__INIT;
	Lnsh__Holder__CaptureRequest	 cr = LNSH__HOLDER__CAPTURE_REQUEST__INIT;
	Lnsh__Holder__Kill		 k = LNSH__HOLDER__KILL__INIT;
	Lnsh__Holder__Attach		 at = LNSH__HOLDER__ATTACH__INIT;
	Lnsh__Holder__Sync		 sy = LNSH__HOLDER__SYNC__INIT;
	Lnsh__Holder__Detach		 de = LNSH__HOLDER__DETACH__INIT;
	static uint8_t			 token[LN_HOLDER_TOKEN_LEN];
	struct fuzz_out			 o = { NULL, 0, 0 };
	uint8_t				 sel = 1;

	fuzz_out_bytes(&o, &sel, 1);
	hello.version = HOLDER_PROTO_VERSION;
	hello.name = (char *)(uintptr_t)"main";
	req.id = 1;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_HELLO;
	req.hello = &hello;
	frame(&o, &req.base);
	info.consume = 1;
	req.id = 2;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_INFO;
	req.info = &info;
	frame(&o, &req.base);
	in.data.data = (uint8_t *)(uintptr_t)"echo hi\r";
	in.data.len = 8;
	req.id = 3;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_INPUT;
	req.input = &in;
	frame(&o, &req.base);
	cr.scrollback_lines = -1;
	cr.escapes = 1;
	req.id = 5;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_CAPTURE;
	req.capture = &cr;
	frame(&o, &req.base);
	at.client = 7;
	at.cols = 80;
	at.rows = 24;
	memset(token, 0x5a, sizeof token);
	at.resume.data = token;
	at.resume.len = sizeof token;
	req.id = 6;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_ATTACH;
	req.attach = &at;
	frame(&o, &req.base);
	sy.client = 7;
	sy.data.data = (uint8_t *)(uintptr_t)"\x08\x01";
	sy.data.len = 2;
	req.id = 0;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_SYNC;
	req.sync = &sy;
	frame(&o, &req.base);
	de.client = 7;
	de.keep = 1;
	req.id = 0;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_DETACH;
	req.detach = &de;
	frame(&o, &req.base);
	req.id = 8;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_KILL;
	req.kill = &k;
	frame(&o, &req.base);
	put("fuzz-holder", "requests", o.p, o.len);
	fuzz_out_free(&o);
}

/* A zstd frame of (p, len) at level 1, its size declared or not. */
static uint8_t *
zstd_of(const void *p, size_t len, int sized, size_t *zlen)
{
	ZSTD_CCtx	*cc;
	uint8_t		*z;
	size_t		 cap = ZSTD_compressBound(len);

	z = xmalloc(cap);
	if ((cc = ZSTD_createCCtx()) == NULL ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel,
	    1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag,
	    sized)) ||
	    ZSTD_isError(*zlen = ZSTD_compress2(cc, z, cap, p, len)))
		exit(1);
	ZSTD_freeCCtx(cc);
	return (z);
}

/*
 * fuzz-zframe's bombs, each a zstd frame (op 1): zeros declaring one
 * byte over LN_SSP_ZFRAME_MAX, and exactly it; a frame declaring no size;
 * a screen message whose declared size was lowered by one.
 */
static void
zbombs(void)
{
	Lnsh__SyncMessage	 m;
	struct fuzz_out		 o = { NULL, 0, 0 };
	uint8_t			*zeros, *z, *raw, scr[1000];
	size_t			 zlen, rawlen;

	zeros = xcalloc(1, LN_SSP_ZFRAME_MAX + 1);
	z = zstd_of(zeros, LN_SSP_ZFRAME_MAX + 1, 1, &zlen);
	fuzz_out_rec(&o, FUZZ_OP_DGRAM_ALT, z, zlen);
	put("fuzz-zframe", "bomb-over", o.p, o.len);
	fuzz_out_free(&o);
	free(z);
	z = zstd_of(zeros, LN_SSP_ZFRAME_MAX, 1, &zlen);
	fuzz_out_rec(&o, FUZZ_OP_DGRAM_ALT, z, zlen);
	put("fuzz-zframe", "bomb-exact", o.p, o.len);
	fuzz_out_free(&o);
	free(z);
	z = zstd_of(zeros, 4096, 0, &zlen);
	fuzz_out_rec(&o, FUZZ_OP_DGRAM_ALT, z, zlen);
	put("fuzz-zframe", "bomb-nosize", o.p, o.len);
	fuzz_out_free(&o);
	free(z);
	free(zeros);

	memset(scr, 0, sizeof scr);
	lnsh__sync_message__init(&m);
	m.has_old_num = m.has_new_num = 1;
	m.new_num = 1;
	m.body_case = LNSH__SYNC_MESSAGE__BODY_SCREEN;
	m.screen.data = scr;
	m.screen.len = sizeof scr;
	rawlen = lnsh__sync_message__get_packed_size(&m);
	raw = xmalloc(rawlen);
	lnsh__sync_message__pack(&m, raw);
	z = zstd_of(raw, rawlen, 1, &zlen);
	/* Single segment, 2-byte content size (size - 256) after byte 4. */
	if ((z[4] & 0xe0) != 0x60)
		exit(1);
	if (z[5]-- == 0)
		z[6]--;
	fuzz_out_rec(&o, FUZZ_OP_DGRAM_ALT, z, zlen);
	put("fuzz-zframe", "bomb-lowered", o.p, o.len);
	fuzz_out_free(&o);
	free(z);
	free(raw);
}

/* Writes the seeds under argv[1], which holds fuzz-emu/. */
int
main(int argc, char **argv)
{
	size_t	 i;

	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds SRCDIR/fuzz/seeds\n");
		return (2);
	}
	root = argv[1];
	fuzz_init();
	for (i = 0; i < NCAPTURES; i++)
		one(captures[i]);
	requests();
	zbombs();
	return (0);
}
