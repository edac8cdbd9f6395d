/*
 * holder-wire.c: frames of the holder <-> lnshd protocol. Both ends treat
 * what they read as untrusted: the holder runs as the session's user, who
 * may also connect to lnshd's side of nothing but can tamper with the
 * holder, so every frame is bounded, decoded by protobuf-c and checked for
 * the fields each message must have before anyone acts on it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "holder.pb-c.h"
#include "sessdir.h"

/* Is this a valid session name (proto/names.c has the one rule)? */
int
hwire_name_ok(const char *name)
{
	return (ln_session_name_check(name, NULL) == 0);
}

/*
 * Once the 4-byte header is in, says how long the whole frame is (header
 * included), refusing bodies over max. A stream reader waits for more bytes
 * on LN_DROP_SHORT and gives up on the connection for anything else.
 */
int
hwire_frame_size(const uint8_t *p, size_t len, size_t max, size_t *size)
{
	struct buf	b;
	uint8_t		hdr[HOLDER_FRAME_HDR];
	uint32_t	body;

	buf_reader(&b, p, len);
	if (buf_get_bytes(&b, hdr, sizeof hdr) != 0)
		return (LN_E_DROP(LN_DROP_SHORT));
	body = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	    (uint32_t)hdr[2] << 8 | hdr[3];
	if (body == 0 || body > max)
		return (LN_E_DROP(LN_DROP_FRAME));
	*size = HOLDER_FRAME_HDR + (size_t)body;
	return (0);
}

/* Packs any message behind a frame header into a new buffer. */
static int
hwire_pack(const ProtobufCMessage *msg, uint8_t **out, size_t *outlen)
{
	struct buf	 b;
	uint8_t		*frame, *body;
	size_t		 len;

	len = protobuf_c_message_get_packed_size(msg);
	if (len == 0 || len > HOLDER_MAX_FRAME)
		return (LN_E_NOSPACE);
	frame = xmalloc(HOLDER_FRAME_HDR + len);
	buf_writer(&b, frame, HOLDER_FRAME_HDR + len);
	buf_put_u8(&b, (uint8_t)(len >> 24));
	buf_put_u8(&b, (uint8_t)(len >> 16));
	buf_put_u8(&b, (uint8_t)(len >> 8));
	buf_put_u8(&b, (uint8_t)len);
	if ((body = buf_put_ptr(&b, len)) == NULL ||
	    protobuf_c_message_pack(msg, body) != len) {
		free(frame);
		return (LN_E_NOSPACE);
	}
	*out = frame;
	*outlen = HOLDER_FRAME_HDR + len;
	return (0);
}

/* Frames a request (lnshd -> holder). */
int
hwire_pack_request(const Lnsh__Holder__Request *req, uint8_t **out,
    size_t *outlen)
{
	return (hwire_pack(&req->base, out, outlen));
}

/* Frames a reply (holder -> lnshd). */
int
hwire_pack_reply(const Lnsh__Holder__Reply *rep, uint8_t **out,
    size_t *outlen)
{
	return (hwire_pack(&rep->base, out, outlen));
}

/*
 * Takes exactly one whole frame and returns its body. Shorter is truncated,
 * longer has trailing garbage; both are refused.
 */
static int
hwire_body(const uint8_t *p, size_t len, size_t max, const uint8_t **body,
    size_t *bodylen)
{
	struct buf	 b;
	const uint8_t	*rest;
	size_t		 size, n;
	int		 r;

	if ((r = hwire_frame_size(p, len, max, &size)) != 0)
		return (r);
	if (len < size)
		return (LN_E_DROP(LN_DROP_SHORT));
	if (len > size)
		return (LN_E_DROP(LN_DROP_FRAME));
	buf_reader(&b, p, len);
	if (buf_get_ptr(&b, HOLDER_FRAME_HDR) == NULL ||
	    (rest = buf_get_rest(&b, &n)) == NULL)
		return (LN_E_DROP(LN_DROP_SHORT));
	*body = rest;
	*bodylen = n;
	return (0);
}

/* Does a string fit its bound? protobuf-c has already checked UTF-8. */
static int
hwire_str_ok(const char *s, size_t max)
{
	return (s != NULL && strnlen(s, max + 1) <= max);
}

/* The fields a request must carry, within their bounds. */
static int
hwire_request_ok(const Lnsh__Holder__Request *req)
{
	switch (req->msg_case) {
	case LNSH__HOLDER__REQUEST__MSG_HELLO:
		return (req->hello != NULL &&
		    hwire_str_ok(req->hello->name, LN_SESSION_NAME_MAX));
	case LNSH__HOLDER__REQUEST__MSG_INFO:
		return (req->info != NULL);
	case LNSH__HOLDER__REQUEST__MSG_INPUT:
		return (req->input != NULL &&
		    req->input->data.len <= HOLDER_MAX_INPUT);
	case LNSH__HOLDER__REQUEST__MSG_CAPTURE:
		return (req->capture != NULL &&
		    req->capture->scrollback_lines >= -1);
	case LNSH__HOLDER__REQUEST__MSG_KILL:
		return (req->kill != NULL);
	case LNSH__HOLDER__REQUEST__MSG_ATTACH:
		return (req->attach != NULL && req->attach->client != 0 &&
		    req->attach->cols <= HOLDER_MAX_COLS &&
		    req->attach->rows <= HOLDER_MAX_ROWS &&
		    (req->attach->resume.len == 0 ||
		    req->attach->resume.len == LN_HOLDER_TOKEN_LEN));
	case LNSH__HOLDER__REQUEST__MSG_SYNC:
		return (req->sync != NULL && req->id == 0 &&
		    req->sync->data.len <= LN_RELAY_UP_MAX);
	case LNSH__HOLDER__REQUEST__MSG_DETACH:
		return (req->detach != NULL && req->id == 0);
	default:
		return (0);
	}
}

/* The fields a reply must carry, within their bounds. */
static int
hwire_reply_ok(const Lnsh__Holder__Reply *rep)
{
	const Lnsh__Holder__Info	*i;

	switch (rep->msg_case) {
	case LNSH__HOLDER__REPLY__MSG_HELLO:
		return (rep->hello != NULL &&
		    hwire_str_ok(rep->hello->name, LN_SESSION_NAME_MAX) &&
		    hwire_str_ok(rep->hello->event_method, HOLDER_MAX_METHOD));
	case LNSH__HOLDER__REPLY__MSG_ERROR:
		return (rep->error != NULL &&
		    hwire_str_ok(rep->error->message, HOLDER_MAX_ERROR));
	case LNSH__HOLDER__REPLY__MSG_OK:
		return (rep->ok != NULL);
	case LNSH__HOLDER__REPLY__MSG_INFO:
		if ((i = rep->info) == NULL)
			return (0);
		return (hwire_name_ok(i->name) &&
		    (i->state == LNSH__HOLDER__STATE__STATE_RUNNING ||
		    i->state == LNSH__HOLDER__STATE__STATE_EXITED) &&
		    i->cols <= HOLDER_MAX_COLS && i->rows <= HOLDER_MAX_ROWS &&
		    i->exit_signal < 256 && i->pid <= INT32_MAX &&
		    hwire_str_ok(i->command, HOLDER_MAX_COMMAND) &&
		    hwire_str_ok(i->title, HOLDER_MAX_TITLE));
	case LNSH__HOLDER__REPLY__MSG_CAPTURE:
		return (rep->capture != NULL);
	case LNSH__HOLDER__REPLY__MSG_EXITED:
		return (rep->exited != NULL && rep->id == 0 &&
		    rep->exited->exit_signal < 256);
	case LNSH__HOLDER__REPLY__MSG_ATTACHED:
		return (rep->attached != NULL && rep->id != 0 &&
		    rep->attached->token.len == LN_HOLDER_TOKEN_LEN);
	case LNSH__HOLDER__REPLY__MSG_SYNC:
		return (rep->sync != NULL && rep->id == 0 &&
		    rep->sync->data.len <= LN_MAX_MESSAGE);
	case LNSH__HOLDER__REPLY__MSG_EVICTED:
		return (rep->evicted != NULL && rep->id == 0);
	default:
		return (0);
	}
}

/* Decodes one whole request frame; the caller frees it with _free_unpacked. */
int
hwire_unpack_request(const uint8_t *p, size_t len,
    Lnsh__Holder__Request **out)
{
	Lnsh__Holder__Request	*req;
	const uint8_t		*body;
	size_t			 n;
	int			 r;

	if ((r = hwire_body(p, len, HOLDER_MAX_REQUEST, &body, &n)) != 0)
		return (r);
	if ((req = lnsh__holder__request__unpack(NULL, n, body)) == NULL)
		return (LN_E_DROP(LN_DROP_MESSAGE));
	if (!hwire_request_ok(req)) {
		lnsh__holder__request__free_unpacked(req, NULL);
		return (LN_E_DROP(LN_DROP_MESSAGE));
	}
	*out = req;
	return (0);
}

/* Decodes one whole reply frame; the caller frees it with _free_unpacked. */
int
hwire_unpack_reply(const uint8_t *p, size_t len, Lnsh__Holder__Reply **out)
{
	Lnsh__Holder__Reply	*rep;
	const uint8_t		*body;
	size_t			 n;
	int			 r;

	if ((r = hwire_body(p, len, HOLDER_MAX_FRAME, &body, &n)) != 0)
		return (r);
	if ((rep = lnsh__holder__reply__unpack(NULL, n, body)) == NULL)
		return (LN_E_DROP(LN_DROP_MESSAGE));
	if (!hwire_reply_ok(rep)) {
		lnsh__holder__reply__free_unpacked(rep, NULL);
		return (LN_E_DROP(LN_DROP_MESSAGE));
	}
	*out = rep;
	return (0);
}
