/*
 * attach.c: the interactive client's one wait loop: the channel's
 * sockets, the keyboard and the terminal's events in; SSP keys and
 * resizes out, SSP screens through the predictive overlay to the display.
 * The wait includes the terminal, so it is compat_waitfd() (select(2) on
 * macOS, whose poll(2) cannot wait on a tty), never poll(2) itself.
 *
 * The AttachRequest goes out as soon as the channel is up, and the
 * terminal is touched only once the daemon has accepted it, so every
 * refusal is a plain one-line error. From then on the loop keeps the
 * session whatever the network does (docs/attach.md):
 *	- a send that fails for want of a path (our address went away): a
 *	  fresh socket at once and the same datagram again through it;
 *	- silence past att_hop_after (about 1 s when idle, down to 300 ms
 *	  while input or output is flowing): a fresh socket (new source
 *	  port), our last SSP datagram again and a keepalive at once, so a
 *	  NAT that forgot us or a new address is learnt by the server and it
 *	  answers at once; hops at most every ATTACH_HOP_GAP_NS, the gap
 *	  doubling to ATTACH_HOP_NS while the silence lasts;
 *	- a hop that got no answer within max(ATTACH_HOP_ACTIVE_NS,
 *	  3 x SRTT), silence of ATTACH_REHS_NS, or no usable keys (after a
 *	  sleep): a fresh handshake (a restarted daemon knows only a new
 *	  one), the first at once, then at most one per rehs_gap, which
 *	  doubles from ATTACH_REHS_GAP_NS to ATTACH_REHS_NS while the
 *	  silence lasts;
 *	- a handshake the daemon did not resume (it was restarted), or an
 *	  SSP that stays silent while the channel answers: the same
 *	  AttachRequest again, without creating, with the token of the last
 *	  attach: the holder kept our SSP state, so the SSP endpoint (and
 *	  the keys typed meanwhile) carries on when it resumes;
 *	- a notice bar after ATTACH_NOTICE_NS of silence, gone at the
 *	  first word from the server.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "compat.h"
#include "rpc.pb-c.h"
#include "fb.h"
#include "ssp.h"
#include "client.h"

#define ATTACH_DRAW_NS		(10 * LN_NS_PER_MS)	/* frames: at most */
#define ATTACH_HOP_NS		(1000 * LN_NS_PER_MS)	/* idle: hop after */
#define ATTACH_HOP_ACTIVE_NS	(300 * LN_NS_PER_MS)	/* busy: at least */
#define ATTACH_HOP_GAP_NS	(250 * LN_NS_PER_MS)	/* between hops */
#define ATTACH_REHS_GAP_NS	(1000 * LN_NS_PER_MS)	/* between them */
#define ATTACH_REHS_NS		(3000 * LN_NS_PER_MS)	/* at most */
#define ATTACH_NOTICE_NS	(2000 * LN_NS_PER_MS)
#define ATTACH_LOST_NS		(5000 * LN_NS_PER_MS)
#define ATTACH_DETACH_WAIT_NS	(1000 * LN_NS_PER_MS)
#define ATTACH_IDLE_WAKE_NS	(1000 * LN_NS_PER_MS)	/* notice bar clock */
#define ATTACH_SILENT_WAKE_NS	(250 * LN_NS_PER_MS)
#define ATTACH_TELL_NS		(10000 * LN_NS_PER_MS)	/* a server's notice */
#define ATTACH_HINT_NS		(5000 * LN_NS_PER_MS)	/* --hint's alone */
#define ATTACH_TELL_MAX		200			/* its bytes */
#define ATTACH_READ_MAX		4096
#define ATTACH_DEFAULT_TERM	"xterm-256color"
#define ATTACH_POLL_MAX		(UDP_MAX_ADDRS + 2)
#define ATTACH_TEST_PAUSE_NS	(20000 * LN_NS_PER_MS)	/* test hook: at most */

extern char	**environ;

struct attach {
	const struct attach_opts *o;
	struct rpc_target	 t;
	struct udp_conn		 u;
	struct ssp_client	*ssp;
	struct display		*d;
	struct predict		*pr;
	int			 cols, rows;
	int			 raw;		/* the terminal is ours */
	const char		*term;
	char			**env;
	size_t			 nenv;

	uint64_t		 next_id;
	uint64_t		 attach_id;	/* AttachRequest out; 0: none */
	uint64_t		 detach_id;	/* DetachRequest out */
	uint64_t		 detach_by;	/* give up waiting then */
	int			 attached;
	int			 ever_attached;
	/* The holder's token that resumes this attach's SSP state. */
	uint8_t			 token[LN_HOLDER_TOKEN_LEN];
	int			 have_token;
	uint64_t		 lost_at;	/* attach lost: since when */
	uint64_t		 attached_at;	/* the last attach reply */

	int			 esc_pending;
	int			 dirty;
	uint64_t		 last_draw;
	uint64_t		 hop_at, rehs_at;
	uint64_t		 hop_gap;	/* until the next hop */
	uint64_t		 hop_first;	/* first of this silence */
	uint64_t		 rehs_gap;	/* until the next handshake */
	uint64_t		 last_frame;	/* a new screen came */
	int			 in_ssp;	/* att_send: SSP's */
	uint8_t			 last_ssp[LN_MAX_DATAGRAM];
	size_t			 last_ssp_len;
	long			 notice_secs;	/* shown; -1: none */
	/* The debug log's: the silence, the last failures said. */
	uint64_t		 sil_seen;
	int			 send_errno;	/* 0 after a send went */
	int			 hop_failed;	/* since a hop went */
	char			*tell;		/* the server's notice, once */
	uint64_t		 tell_ns;	/* for how long */
	uint64_t		 tell_until;	/* shown until; 0: not yet */
	int			 told;
	int			 hinted;	/* --hint added to tell */

	int			 done;
	int			 exit_code;
	char			*msg;		/* for stdout after restore */
	uint8_t			*last;		/* an exited session's screen */
	size_t			 last_len;
	char			*error;		/* for stderr after restore */
};

/* Ends the loop with an exit code and what to say. */
static void
att_finish(struct attach *a, int code, char *msg, char *error)
{
	if (a->done) {
		free(msg);
		free(error);
		return;
	}
	a->done = 1;
	a->exit_code = code;
	a->msg = msg;
	a->error = error;
}

/* An allocated printf string. */
static char *
att_fmt(const char *fmt, ...) __attribute__((__format__(__printf__, 1, 2)));
static char *
att_fmt(const char *fmt, ...)
{
	va_list	ap;
	char	s[512];

	va_start(ap, fmt);
	vsnprintf(s, sizeof s, fmt, ap);
	va_end(ap);
	return (xstrdup(s));
}

/* Sends one request as a reliable channel message; its id. */
static uint64_t
att_request(struct attach *a, Lnsh__Request *req)
{
	uint8_t		*buf;
	size_t		 len;

	req->id = ++a->next_id;
	len = lnsh__request__get_packed_size(req);
	buf = xmalloc(len > 0 ? len : 1);
	lnsh__request__pack(req, buf);
	(void)chan_client_send(a->u.cc, buf, len, CHAN_RELIABLE,
	    ln_now_ns());
	free(buf);
	return (req->id);
}

/*
 * Asks to attach to the session, creating it only on the first attach
 * when allowed: after a lost attach the session must be the same one.
 */
static void
att_send_attach(struct attach *a)
{
	Lnsh__Request		req = LNSH__REQUEST__INIT;
	Lnsh__AttachRequest	ar = LNSH__ATTACH_REQUEST__INIT;

	ar.name = (char *)a->o->name;
	ar.create = a->o->create && !a->ever_attached;
	if (ar.create) {
		ar.n_argv = a->o->argc;
		ar.argv = a->o->argv;
	}
	ar.term = (char *)a->term;
	ar.n_env = a->nenv;
	ar.env = a->env;
	ar.cols = (uint32_t)a->cols;
	ar.rows = (uint32_t)a->rows;
	/* After a lost attach: the same SSP state, if the holder kept it. */
	if (a->have_token && a->ssp != NULL) {
		ar.resume.data = a->token;
		ar.resume.len = sizeof a->token;
	}
	req.op_case = LNSH__REQUEST__OP_ATTACH;
	req.attach = &ar;
	a->attach_id = att_request(a, &req);
	debuglog("attach request %llu%s%s", (unsigned long long)a->attach_id,
	    ar.create ? ", may create" : "",
	    ar.resume.len > 0 ? ", resuming" : "");
}

/* Leaves the session; the loop ends at the reply or after a second. */
static void
att_send_detach(struct attach *a)
{
	Lnsh__Request		req = LNSH__REQUEST__INIT;
	Lnsh__DetachRequest	dr = LNSH__DETACH_REQUEST__INIT;

	req.op_case = LNSH__REQUEST__OP_DETACH;
	req.detach = &dr;
	a->detach_id = att_request(a, &req);
	a->detach_by = ln_now_ns() + ATTACH_DETACH_WAIT_NS;
	if (!chan_client_connected(a->u.cc))
		a->detach_by = ln_now_ns();
}

/*
 * SSP's send callback: one unreliable channel message. The datagram it
 * becomes is kept (att_send) to go again at once after a port hop.
 */
static int
att_ssp_send(void *arg, const uint8_t *msg, size_t len)
{
	struct attach	*a = arg;
	int		 r;

	a->in_ssp = 1;
	r = chan_client_send(a->u.cc, msg, len, 0, ln_now_ns());
	a->in_ssp = 0;
	return (r);
}

/*
 * SSP's scrollback callback: lines that left the session's screen, for
 * the local terminal's own history, before the screen that follows them.
 */
static void
att_lines(void *arg, const struct ssp_line *l, size_t n, uint64_t skipped)
{
	struct attach	*a = arg;
	size_t		 i;

	(void)skipped;	/* gone from the server: nothing to show */
	for (i = 0; i < n; i++)
		display_scroll_in_text(a->d, l[i].text, l[i].len,
		    l[i].wrapped);
	if (n > 0)
		a->dirty = 1;
}

/*
 * The daemon accepted the attach: a fresh SSP endpoint for it, or, when
 * the holder resumed the one we kept (resumed), that one: its screen
 * states and unacknowledged keys carry on, and nothing is sent again.
 */
static void
att_attached(struct attach *a, int resumed)
{
	uint64_t	now = ln_now_ns();

	if (!resumed || a->ssp == NULL) {
		ssp_client_free(a->ssp);
		a->ssp = ssp_client_new(a->cols, a->rows, att_ssp_send, a,
		    now);
		if (a->ssp == NULL) {
			att_finish(a, LNSH_EXIT_ERROR, NULL, att_fmt("terminal "
			    "size %dx%d is too large", a->cols, a->rows));
			return;
		}
		ssp_client_set_lines(a->ssp, att_lines, a);
		if (a->pr != NULL)
			predict_reset(a->pr);
	}
	a->attached = 1;
	a->ever_attached = 1;
	a->lost_at = 0;
	a->attached_at = now;
	a->hop_at = a->rehs_at = now;
	a->hop_gap = ATTACH_HOP_GAP_NS;
	a->hop_first = 0;
	a->rehs_gap = ATTACH_REHS_GAP_NS;
	a->last_ssp_len = 0;
}

/*
 * The attach is gone (daemon restarted): ask again. With the holder's
 * token the SSP endpoint stays, and keys typed meanwhile queue in it, to
 * arrive once the holder resumes our state; without one it starts again.
 */
static void
att_lost(struct attach *a)
{
	debuglog("attach lost%s", a->have_token ? "" : ", no token to resume");
	if (!a->have_token) {
		ssp_client_free(a->ssp);
		a->ssp = NULL;
	}
	a->attached = 0;
	a->lost_at = ln_now_ns();
	att_send_attach(a);
}

/*
 * Keeps a notice the daemon gave with its attach reply (a TERM the server
 * has no terminfo entry for), to show once on the top row for
 * ATTACH_TELL_NS. It comes from the server: only printable bytes of it,
 * and a bounded number, reach the terminal.
 */
static void
att_tell(struct attach *a, const char *notice)
{
	size_t	i, n;
	char	*s;

	if (a->told || notice == NULL || *notice == '\0')
		return;
	a->told = 1;
	s = xmalloc(sizeof "lnsh: " + ATTACH_TELL_MAX);
	memcpy(s, "lnsh: ", 6);
	n = 6;
	for (i = 0; notice[i] != '\0' && i < ATTACH_TELL_MAX; i++) {
		if ((unsigned char)notice[i] >= 0x20 && notice[i] != 0x7f)
			s[n++] = notice[i];
	}
	s[n] = '\0';
	a->tell = s;
	a->tell_ns = ATTACH_TELL_NS;
}

/* How the detach key reads in a notice: "Ctrl-^ ." */
static void
att_key_name(const struct attach *a, char *buf, size_t size)
{
	if (a->o->escape >= 0)
		snprintf(buf, size, "Ctrl-%c .", (a->o->escape + 0x40) & 0x7f);
	else
		snprintf(buf, size, "kill lnsh");
}

/*
 * --hint: how to detach, on the top row for ATTACH_HINT_NS after the
 * first attach (after the server's notice, and for as long, if it gave
 * one), for scripts/try, whose own instructions the attach clears.
 */
static void
att_hint(struct attach *a)
{
	char	 key[32], *s;
	size_t	 len;

	if (!a->o->hint || a->hinted)
		return;
	a->hinted = 1;
	att_key_name(a, key, sizeof key);
	if (a->tell == NULL) {
		len = sizeof "lnsh:  detaches" + strlen(key);
		s = xmalloc(len);
		snprintf(s, len, "lnsh: %s detaches", key);
		a->tell_ns = ATTACH_HINT_NS;
	} else {
		len = strlen(a->tell) + sizeof " \342\200\224  detaches" +
		    strlen(key);
		s = xmalloc(len);
		snprintf(s, len, "%s \342\200\224 %s detaches", a->tell, key);
		free(a->tell);
	}
	a->tell = s;
}

/*
 * Shows the server's notice (or --hint's) from the first frame on, and
 * takes it away after tell_ns unless the silence bar has taken its place.
 */
static void
att_tell_show(struct attach *a, uint64_t now)
{
	if (a->tell == NULL)
		return;
	if (a->tell_until == 0) {
		a->tell_until = now + a->tell_ns;
		display_notice(a->d, a->tell, DISPLAY_NOTICE_TOP);
		a->dirty = 1;
		return;
	}
	if (now < a->tell_until)
		return;
	if (a->notice_secs < 0) {
		display_notice_clear(a->d);
		a->dirty = 1;
	}
	free(a->tell);
	a->tell = NULL;
}

/* A Reply from the daemon: to our attach or detach, or unasked. */
static void
att_reply(struct attach *a, const Lnsh__Reply *r)
{
	const char	*why, *gone;

	if (r->id == 0 && r->result_case == LNSH__REPLY__RESULT_ENDED) {
		/* It had ended before we came: show how it looked. */
		if (r->ended->last_screen.len > 0 && a->last == NULL) {
			a->last = xmalloc(r->ended->last_screen.len);
			memcpy(a->last, r->ended->last_screen.data,
			    r->ended->last_screen.len);
			a->last_len = r->ended->last_screen.len;
		}
		att_finish(a, r->ended->exit_status, att_fmt("[session %s "
		    "exited with status %d]", a->o->name,
		    r->ended->exit_status), NULL);
		return;
	}
	if (r->id != 0 && r->id == a->detach_id) {
		att_finish(a, LNSH_EXIT_OK, att_fmt("[detached from %s on "
		    "%s]", a->o->name, a->o->host), NULL);
		return;
	}
	if (r->id == 0 || r->id != a->attach_id)
		return;
	a->attach_id = 0;
	debuglog("attach reply %llu: status %d%s", (unsigned long long)r->id,
	    (int)r->status, r->result_case == LNSH__REPLY__RESULT_ATTACH &&
	    r->attach->resumed ? ", resumed" : "");
	if (r->status == 0) {
		int	resumed = 0;

		if (r->result_case == LNSH__REPLY__RESULT_ATTACH) {
			att_tell(a, r->attach->notice);
			resumed = r->attach->resumed;
			a->have_token = r->attach->resume.len ==
			    sizeof a->token;
			if (a->have_token)
				memcpy(a->token, r->attach->resume.data,
				    sizeof a->token);
		}
		att_hint(a);
		att_attached(a, resumed);
		return;
	}
	why = r->error != NULL && *r->error != '\0' ? r->error :
	    "the attach failed (lnshd gave no reason; its log may)";
	if (r->status == LNSH_EXIT_NOSESSION &&
	    (gone = rpc_gone_why(why)) != NULL)
		att_finish(a, LNSH_EXIT_NOSESSION, NULL, att_fmt("session "
		    "'%s' on %s is gone (%s)", a->o->name, a->o->host, gone));
	else if (r->status == LNSH_EXIT_NOSESSION)
		att_finish(a, LNSH_EXIT_NOSESSION, NULL, att_fmt("no such "
		    "session '%s' on %s%s", a->o->name, a->o->host,
		    a->ever_attached ? " any more" : "; see 'lnsh ls' or "
		    "drop --no-create"));
	else
		att_finish(a, r->status == LNSH_EXIT_EXISTS ?
		    LNSH_EXIT_EXISTS : LNSH_EXIT_ERROR, NULL,
		    att_fmt("%s: %s", a->o->host, why));
}

/* ops->message: Replies (reliable) and SSP messages (unreliable). */
static void
att_message(void *arg, const uint8_t *msg, size_t len, int reliable)
{
	struct attach	*a = arg;
	Lnsh__Reply	*r;
	uint64_t	 now;

	if (reliable) {
		if ((r = lnsh__reply__unpack(NULL, len, msg)) == NULL)
			return;
		att_reply(a, r);
		lnsh__reply__free_unpacked(r, NULL);
		return;
	}
	if (!a->attached || a->ssp == NULL)
		return;
	now = ln_now_ns();
	if (ssp_client_input(a->ssp, msg, len, now) == 1) {
		a->dirty = 1;
		a->last_frame = now;
	}
}

/*
 * Moves to a fresh socket (new source port, and a source address that
 * exists), at most once per hop_gap, which doubles up to ATTACH_HOP_NS
 * while the server stays silent (att_roam resets it when it answers):
 * a quiet or dead link never sees a storm of hops.
 */
static int
att_hop(struct attach *a, uint64_t now)
{
	char	*cause = NULL;

	if (a->hop_at != 0 && now - a->hop_at < a->hop_gap)
		return (LN_E_STATE);
	if (a->hop_first <= chan_client_last_heard(a->u.cc))
		a->hop_first = now;
	a->hop_at = now;
	a->hop_gap *= 2;
	if (a->hop_gap > ATTACH_HOP_NS)
		a->hop_gap = ATTACH_HOP_NS;
	if (a->hop_gap < ATTACH_HOP_GAP_NS)
		a->hop_gap = ATTACH_HOP_GAP_NS;
	if (udp_rebind(&a->u, &cause) != 0) {
		if (!a->hop_failed)
			debuglog("new port: %s (said once until one is made)",
			    cause);
		a->hop_failed = 1;
		free(cause);
		return (LN_E_SYSTEM);
	}
	a->hop_failed = 0;
	debuglog("new port (the next in %llu ms at the soonest)",
	    (unsigned long long)(a->hop_gap / LN_NS_PER_MS));
	return (0);
}

/*
 * ops->send: through the sockets. A send the kernel refuses for want of
 * a path (our address went away: a connected socket keeps the old one)
 * moves to a fresh socket at once and goes again through it; the
 * datagram never left, so to the server it is simply the next one.
 */
static void
att_send(void *arg, const uint8_t *pkt, size_t len)
{
	struct attach	*a = arg;

	if (a->in_ssp && len <= sizeof a->last_ssp) {
		memcpy(a->last_ssp, pkt, len);
		a->last_ssp_len = len;
	}
	if (udp_send_status(&a->u, pkt, len) == 0) {
		a->send_errno = 0;
		return;
	}
	if (a->send_errno != errno) {
		a->send_errno = errno;
		debuglog("send: %s (said once until a send goes)",
		    strerror(a->send_errno));
	}
	if (att_hop(a, ln_now_ns()) == 0)
		(void)udp_send_status(&a->u, pkt, len);
}

/*
 * ops->connected: the first handshake asks to attach; a later one the
 * daemon did not resume means it forgot us: attach again.
 */
static void
att_connected(void *arg, int resumed)
{
	struct attach	*a = arg;

	debuglog("handshake answered: %s", resumed ? "resumed" :
	    "a new connection");
	if (!a->ever_attached) {
		if (a->attach_id == 0)
			att_send_attach(a);
		return;
	}
	if (!resumed)
		att_lost(a);
}

/* Keys for the session, shown at once where the prediction is sure. */
static void
att_keys(struct attach *a, const uint8_t *buf, size_t len)
{
	uint64_t	now = ln_now_ns();

	/* Not attached but resumable: the keys wait in SSP's queue. */
	if (len == 0 || a->ssp == NULL)
		return;
	if (ssp_client_send_keys(a->ssp, buf, len, now) != 0)
		return;
	predict_keys(a->pr, ssp_client_screen(a->ssp), buf, len, now);
	a->dirty = 1;
}

/*
 * Bytes from the keyboard: the escape key, then '.' detaches and the
 * escape key again sends it once; anything else goes with the key.
 */
static void
att_stdin(struct attach *a, const uint8_t *in, size_t n)
{
	uint8_t	out[ATTACH_READ_MAX * 2];
	size_t	i, k = 0;
	int	esc = a->o->escape;

	for (i = 0; i < n; i++) {
		if (a->esc_pending) {
			a->esc_pending = 0;
			if (in[i] == '.') {
				att_keys(a, out, k);
				att_send_detach(a);
				return;
			}
			out[k++] = (uint8_t)esc;
			if (in[i] == esc)
				continue;
		} else if (esc >= 0 && in[i] == esc) {
			a->esc_pending = 1;
			continue;
		}
		out[k++] = in[i];
	}
	att_keys(a, out, k);
}

/* How long the server has been silent, as the notice bar tells it. */
static uint64_t
att_silence(struct attach *a, uint64_t now)
{
	uint64_t	heard;

	if (a->ssp != NULL)
		return (ssp_client_silence(a->ssp, now));
	heard = chan_client_last_heard(a->u.cc);
	if (a->lost_at > heard)
		heard = a->lost_at;
	return (heard != 0 && now > heard ? now - heard : 0);
}

/*
 * How long a silence moves to a fresh port. Idle, about a second: a
 * quiet link must not churn. While the server owes us an ack for typed
 * keys, or frames were arriving, a path that works answers within a few
 * round trips plus the interval it sends at (its delayed ack, or its
 * slowest frame pace), so a longer silence means the path is gone.
 */
static uint64_t
att_hop_after(struct attach *a, uint64_t now)
{
	uint64_t	t;

	if (a->ssp == NULL)
		return (ATTACH_HOP_NS);
	if (ssp_client_pending(a->ssp) > 0)
		t = SSP_ACK_DELAY_NS;
	else if (a->last_frame != 0 && now - a->last_frame < ATTACH_HOP_NS)
		t = SSP_SEND_MAX_NS;
	else
		return (ATTACH_HOP_NS);
	t += 3 * ssp_client_srtt(a->ssp);
	if (t < ATTACH_HOP_ACTIVE_NS)
		t = ATTACH_HOP_ACTIVE_NS;
	return (t > ATTACH_HOP_NS ? ATTACH_HOP_NS : t);
}

/*
 * Whether the silence calls for a fresh handshake (csil: the channel's).
 * A hop the server did not answer within a few round trips means the
 * path is likely not the problem: a restarted daemon drops our packets
 * unanswered (it no longer knows our key index) and only a handshake
 * gets a reply from it. Else 3 s of silence, or no usable keys. The gap
 * between them doubles while nothing answers: a lossy or dead link sees
 * at most one a second, then one every ATTACH_REHS_NS.
 */
static int
att_rehs_due(struct attach *a, uint64_t now, uint64_t csil)
{
	uint64_t	wait;

	if (now - a->rehs_at < a->rehs_gap)
		return (0);
	if (!chan_client_connected(a->u.cc))
		return (1);
	if (csil == 0)
		return (0);
	if (csil >= ATTACH_REHS_NS)
		return (1);
	if (a->hop_first == 0 ||
	    a->hop_first <= chan_client_last_heard(a->u.cc))
		return (0);
	wait = a->ssp != NULL ? 3 * ssp_client_srtt(a->ssp) : 0;
	if (wait < ATTACH_HOP_ACTIVE_NS)
		wait = ATTACH_HOP_ACTIVE_NS;
	return (now - a->hop_first >= wait);
}

/*
 * Keeps the session reachable while the server is silent: a fresh port,
 * a fresh handshake, a fresh attach; and the notice bar.
 */
static void
att_roam(struct attach *a, uint64_t now)
{
	uint64_t	 sil = att_silence(a, now), heard, csil;
	char		 text[160], key[16];
	long		 secs;

	/*
	 * A new port or handshake helps only a path that carries nothing:
	 * while the channel still hears the server (fragments of a frame
	 * that loss keeps from completing, say) the path works, and a new
	 * handshake would throw away what is being reassembled.
	 */
	heard = chan_client_last_heard(a->u.cc);
	csil = heard != 0 && now > heard ? now - heard : sil;
	if (csil > sil)
		csil = sil;
	if (sil < a->sil_seen && a->sil_seen >= ATTACH_HOP_ACTIVE_NS)
		debuglog("the server is heard again after %llu ms",
		    (unsigned long long)(a->sil_seen / LN_NS_PER_MS));
	a->sil_seen = sil;
	if (sil == 0)
		a->hop_gap = ATTACH_HOP_GAP_NS;
	if (heard > a->rehs_at)
		a->rehs_gap = ATTACH_REHS_GAP_NS;
	/*
	 * After a hop the server must hear from the new port at once, and
	 * answer: the last SSP datagram again (an unanswered probe or input;
	 * to the server a copy of one it has is a replay, dropped, and one
	 * it never got is the newest, which moves its idea of our address)
	 * and a keepalive after it.
	 */
	if (csil > 0 && csil >= att_hop_after(a, now) &&
	    att_hop(a, now) == 0) {
		if (a->last_ssp_len > 0)
			(void)udp_send_status(&a->u, a->last_ssp,
			    a->last_ssp_len);
		(void)chan_client_keepalive(a->u.cc, now);
	}
	if (att_rehs_due(a, now, csil)) {
		a->rehs_at = now;
		a->rehs_gap *= 2;
		if (a->rehs_gap > ATTACH_REHS_NS)
			a->rehs_gap = ATTACH_REHS_NS;
		debuglog("handshake: channel silent %llu ms%s",
		    (unsigned long long)(csil / LN_NS_PER_MS),
		    chan_client_connected(a->u.cc) ? "" : ", no usable keys");
		(void)chan_client_connect(a->u.cc, now);
	}
	/*
	 * The channel answers but the session does not: attach again. The
	 * SSP silence must also have lasted ATTACH_LOST_NS since the last
	 * attach reply: a resumed endpoint keeps its silence (measured from
	 * the last frame, before the sleep) until the holder's first frame,
	 * and without this each reply set off the next attach at once, a
	 * storm that kept the holder from ever answering (fault-sleep.sh).
	 */
	if (a->attached && a->attach_id == 0 && sil >= ATTACH_LOST_NS &&
	    now - a->attached_at >= ATTACH_LOST_NS &&
	    heard != 0 && now - heard < ATTACH_HOP_NS)
		att_lost(a);
	else if (!a->attached && a->attach_id == 0 && a->ever_attached &&
	    chan_client_connected(a->u.cc))
		att_send_attach(a);

	if (!a->raw)
		return;
	att_tell_show(a, now);
	if (sil < ATTACH_NOTICE_NS) {
		if (a->notice_secs >= 0) {
			display_notice_clear(a->d);
			a->notice_secs = -1;
			a->dirty = 1;
		}
		return;
	}
	secs = (long)(sil / LN_NS_PER_SEC);
	if (secs == a->notice_secs)
		return;
	a->notice_secs = secs;
	att_key_name(a, key, sizeof key);
	snprintf(text, sizeof text, "lnsh: no contact with %s for %ld s "
	    "\342\200\224 %s to detach", a->o->host, secs, key);
	display_notice(a->d, text, DISPLAY_NOTICE_BOTTOM);
	a->dirty = 1;
}

/* Draws the newest screen with predictions over it, rate limited. */
static void
att_draw(struct attach *a, uint64_t now)
{
	const struct fb	*fb;

	if (!a->raw || a->ssp == NULL || !a->dirty ||
	    now - a->last_draw < ATTACH_DRAW_NS ||
	    ssp_client_screen_num(a->ssp) == 0)
		return;
	fb = ssp_client_screen(a->ssp);
	predict_set_srtt(a->pr, ssp_client_srtt(a->ssp));
	if (ssp_client_pending(a->ssp) == 0)
		predict_acked(a->pr, now);
	predict_update(a->pr, fb, now);
	display_draw(a->d, predict_apply(a->pr, fb, now));
	if (display_flush(a->d) != 0)
		att_finish(a, LNSH_EXIT_ERROR, NULL,
		    att_fmt("cannot write to the terminal"));
	a->last_draw = now;
	a->dirty = 0;
}

/* The terminal changed size or came back from a suspend. */
static void
att_tty_event(struct attach *a)
{
	int	ev = tty_events(), cols, rows;

	if ((ev & TTY_EV_RESIZE) && tty_size(STDOUT_FILENO, &cols,
	    &rows) == 0 && (cols != a->cols || rows != a->rows)) {
		a->cols = cols;
		a->rows = rows;
		display_resize(a->d, cols, rows);
		if (a->ssp != NULL)
			(void)ssp_client_resize(a->ssp, cols, rows,
			    ln_now_ns());
		debuglog("the terminal is now %dx%d", cols, rows);
		predict_reset(a->pr);
		a->dirty = 1;
	}
	if (ev & TTY_EV_REDRAW) {
		display_redraw(a->d);
		a->dirty = 1;
	}
}

/*
 * One turn of the loop: timers, then a wait until the next deadline,
 * then whatever is readable. interactive: the keyboard and the terminal
 * are ours (after the attach was accepted).
 */
static int
att_turn(struct attach *a, int interactive, uint64_t limit)
{
	struct pollfd	 pfd[ATTACH_POLL_MAX];
	uint8_t		 in[ATTACH_READ_MAX];
	uint64_t	 now, next;
	size_t		 i, n = 0;
	ssize_t		 got;
	int		 kbd = -1, ev = -1;

	now = ln_now_ns();
	if (a->ever_attached)
		att_roam(a, now);
	next = UINT64_MAX;
	if (a->ssp != NULL)
		next = ssp_client_tick(a->ssp, now);
	next = ln_min(next, chan_client_tick(a->u.cc, now));
	if (a->pr != NULL &&
	    predict_deadline(a->pr) <= now)
		a->dirty = 1;
	att_draw(a, now);
	if (a->done)
		return (0);
	if (a->pr != NULL)
		next = ln_min(next, predict_deadline(a->pr));
	if (a->dirty)
		next = ln_min(next, a->last_draw + ATTACH_DRAW_NS);
	if (a->ever_attached)
		next = ln_min(next, now + (att_silence(a, now) > 0 ?
		    ATTACH_SILENT_WAKE_NS : ATTACH_IDLE_WAKE_NS));
	if (a->detach_id != 0)
		next = ln_min(next, a->detach_by);
	next = ln_min(next, limit);

	for (i = 0; i < a->u.n; i++) {
		pfd[n].fd = a->u.fds[i];
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	if (interactive) {
		kbd = (int)n;
		pfd[n].fd = STDIN_FILENO;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
		if (tty_event_fd() != -1) {
			ev = (int)n;
			pfd[n].fd = tty_event_fd();
			pfd[n].events = POLLIN;
			pfd[n++].revents = 0;
		}
	}
	if (compat_waitfd(pfd, n, ln_wait_ms(now, next)) == -1) {
		if (errno == EINTR)
			return (0);
		return (LN_E_SYSTEM);
	}
	for (i = 0; i < a->u.n; i++)
		if (pfd[i].revents != 0)
			udp_read(&a->u, i);
	if (ev != -1 && pfd[ev].revents != 0)
		att_tty_event(a);
	if (kbd != -1 && pfd[kbd].revents != 0 && a->detach_id == 0) {
		got = read(STDIN_FILENO, in, sizeof in);
		if (got > 0)
			att_stdin(a, in, (size_t)got);
		else if (got == 0 || (errno != EINTR && errno != EAGAIN))
			att_send_detach(a);	/* the terminal went away */
	}
	if (a->detach_id != 0 && ln_now_ns() >= a->detach_by)
		att_finish(a, LNSH_EXIT_OK, att_fmt("[detached from %s on "
		    "%s]", a->o->name, a->o->host), NULL);
	return (0);
}

/* TERM and the locale variables, for a session the attach creates. */
static void
att_environment(struct attach *a)
{
	size_t	i;

	if ((a->term = getenv("TERM")) == NULL || *a->term == '\0')
		a->term = ATTACH_DEFAULT_TERM;
	a->env = xreallocarray(NULL, 1, sizeof *a->env);
	for (i = 0; environ[i] != NULL; i++) {
		if (strncmp(environ[i], "LANG=", 5) != 0 &&
		    strncmp(environ[i], "LC_", 3) != 0)
			continue;
		a->env = xreallocarray(a->env, a->nenv + 2, sizeof *a->env);
		a->env[a->nenv++] = environ[i];
	}
}

/*
 * Test only (docs/hacking.md, tests/e2e/attach-winch.sh): with
 * LNSH_TEST_ATTACH_PAUSE=PATH, creates PATH once the terminal's size was
 * read and waits, at most ATTACH_TEST_PAUSE_NS, until it is removed, so a
 * test can resize the terminal at that very point.
 */
static void
att_test_pause(void)
{
	const char	*path = getenv("LNSH_TEST_ATTACH_PAUSE");
	struct timespec	 ts = { 0, 10 * LN_NS_PER_MS };
	uint64_t	 end;
	int		 fd;

	if (path == NULL || *path == '\0')
		return;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return;
	close(fd);
	end = ln_now_ns() + ATTACH_TEST_PAUSE_NS;
	while (access(path, F_OK) == 0 && ln_now_ns() < end)
		(void)nanosleep(&ts, NULL);
}

/*
 * Connects and attaches (a one-line error and exit 3 if HOST does not
 * answer in time), then takes over the terminal until detach or the end
 * of the session. Returns lnsh's exit code.
 */
int
attach_run(const struct attach_opts *o)
{
	static const struct chan_client_ops ops = {
		.send = att_send,
		.message = att_message,
		.connected = att_connected,
	};
	struct attach		 a;
	struct chan_config	 cfg;
	char			*cause = NULL, shown[HOSTS_ADDR_MAX + 16];
	char			*msg;
	uint64_t		 deadline;
	int			 ex, opened = 0, raw = 0, r;

	memset(&a, 0, sizeof a);
	a.o = o;
	a.hop_gap = ATTACH_HOP_GAP_NS;
	a.rehs_gap = ATTACH_REHS_GAP_NS;
	a.notice_secs = -1;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		cmd_error("attach needs a terminal; for scripts see 'lnsh "
		    "send' and 'lnsh capture'");
		return (LNSH_EXIT_USAGE);
	}
	/*
	 * SIGWINCH is caught before the size is read: a resize while we
	 * connect is then a TTY_EV_RESIZE, handled on the first turn
	 * after the attach, not lost until the next one.
	 */
	if (tty_watch(&cause) != 0) {
		cmd_error("%s", cause);
		ex = LNSH_EXIT_ERROR;
		goto out;
	}
	if (tty_size(STDOUT_FILENO, &a.cols, &a.rows) != 0) {
		a.cols = 80;
		a.rows = 24;
	}
	att_test_pause();
	att_environment(&a);
	if ((r = rpc_target(o->host, &a.t, &cause)) != 0) {
		cmd_error("%s", cause != NULL ? cause : ln_strerror(r));
		ex = LNSH_EXIT_ERROR;
		goto out;
	}
	if (udp_open(&a.u, a.t.addrs, a.t.n, &cause) != 0) {
		cmd_error("%s", cause);
		ex = LNSH_EXIT_ERROR;
		goto out;
	}
	opened = 1;
	memset(&cfg, 0, sizeof cfg);
	a.u.cc = chan_client_new(&cfg, a.t.sk, a.t.e.key, a.t.user, &ops, &a);
	sodium_memzero(a.t.sk, sizeof a.t.sk);
	if (a.u.cc == NULL) {
		cmd_error("cannot use the client key or user '%s'", a.t.user);
		ex = LNSH_EXIT_ERROR;
		goto out;
	}
	a.pr = predict_new(o->predict);
	/*
	 * The display measures characters in LC_CTYPE; nothing before it
	 * does, so the other verbs keep the C library's default (macOS
	 * classifies bytes 0x80-0xff as Latin-1 in a UTF-8 locale).
	 */
	if (locale_utf8(&cause) != 0) {
		cmd_error("%s", cause);
		free(cause);
		cause = NULL;
	}
	if (display_new(STDOUT_FILENO, NULL, a.cols, a.rows, &a.d,
	    &cause) != 0) {
		cmd_error("%s", cause);
		ex = LNSH_EXIT_ERROR;
		goto out;
	}

	/* Connect and attach before touching the terminal. */
	deadline = ln_now_ns() + a.t.timeout_ms * LN_NS_PER_MS;
	(void)chan_client_connect(a.u.cc, ln_now_ns());
	debuglog("handshake: the first, to %s", a.t.host);
	while (!a.attached && !a.done && ln_now_ns() < deadline)
		if (att_turn(&a, 0, deadline) != 0)
			break;
	if (!a.attached && !a.done) {
		(void)hosts_format_address(a.t.e.addr, a.t.e.port, shown,
		    sizeof shown);
		rpc_noanswer_cause(&cause, a.t.host, shown, a.t.timeout_ms,
		    a.t.user);
		cmd_error("%s", cause);
		ex = LNSH_EXIT_NOANSWER;
		goto out;
	}

	if (!a.done) {
		if (tty_raw(STDIN_FILENO, &cause) != 0) {
			cmd_error("%s", cause != NULL ? cause : "terminal");
			ex = LNSH_EXIT_ERROR;
			goto out;
		}
		raw = a.raw = 1;
		tty_set_restore(display_restore_string());
		a.dirty = 1;
	}
	while (!a.done)
		if (att_turn(&a, 1, UINT64_MAX) != 0) {
			att_finish(&a, LNSH_EXIT_ERROR, NULL,
			    att_fmt("waiting for input: %s",
			    compat_waitfd_strerror(errno)));
			break;
		}
	ex = a.exit_code;
out:
	if (a.d != NULL) {
		if (raw)
			display_finish(a.d);
		display_free(a.d);
	}
	if (raw)
		tty_restore();
	if (a.last != NULL) {
		/* Text and SGR escapes only (the holder's capture). */
		fwrite(a.last, 1, a.last_len, stdout);
		fputs("\033[m", stdout);
	}
	if (a.msg != NULL) {
		/* It may name the server's reason or a session: cleaned. */
		msg = tt_dup(a.msg, strlen(a.msg), 0);
		printf("%s\n", msg);
		fflush(stdout);
		free(msg);
	}
	if (a.error != NULL)
		cmd_error("%s", a.error);
	/* Leave promptly: tell the daemon what is outstanding first. */
	if (a.u.cc != NULL)
		(void)chan_client_tick(a.u.cc, ln_now_ns());
	ssp_client_free(a.ssp);
	predict_free(a.pr);
	if (a.u.cc != NULL)
		chan_client_free(a.u.cc);
	if (opened)
		udp_close(&a.u);
	sodium_memzero(a.t.sk, sizeof a.t.sk);
	free(a.t.user);
	free(a.env);
	free(a.msg);
	free(a.last);
	free(a.error);
	free(a.tell);
	free(cause);
	return (ex);
}
