/*
 * fuzz-holder.c: the holder protocol as lnshd decodes it (server/
 * holder-wire.c, used by holder-conn.c). A holder runs as its user, who
 * can ptrace it, so every reply is untrusted. The first input byte selects
 * the direction (even: replies, as lnshd reads them; odd: requests, as a
 * holder reads lnshd's), the rest is the byte stream, cut into frames as
 * holder-conn.c cuts it. Each frame that decodes must encode again and
 * decode to the same encoding (but see fuzz_holder_tag0); the strings
 * lnshd shows from an Info are cleaned (tt_dup), after which they hold no
 * C0, DEL or C1 control. Sync messages (SSP for an attached client) are
 * bytes lnshd relays unread: only their bounds are lnshd's to check
 * (holder-wire.c), and the client's SSP decoder has its own target
 * (fuzz-ssp). The stream ends at the first frame lnshd would close the
 * connection for.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "holder.pb-c.h"
#include "sessdir.h"

/* Cleans s as lnshd does before showing it (tt_dup), and checks it. */
static void
fuzz_holder_clean(const char *s)
{
	unsigned char	*t;
	size_t		 i;

	if (s == NULL)
		return;
	t = (unsigned char *)tt_dup(s, strlen(s), 0);
	for (i = 0; t[i] != '\0'; i++) {
		if (t[i] < 0x20 || t[i] == 0x7f || (t[i] == 0xc2 &&
		    t[i + 1] >= 0x80 && t[i + 1] <= 0x9f)) {
			fprintf(stderr, "fuzz-holder: a control character "
			    "survived cleaning\n");
			abort();
		}
	}
	free(t);
}

/*
 * Does m, or any message in it, hold an unknown field numbered 0? protobuf-c
 * 1.4 keeps one written as an overlong tag (80 00) but refuses its own
 * minimal encoding of it (fuzz-protobuf.c says more). lnshd and the holder
 * never re-encode what they decoded, so such frames are only decoded.
 */
static int
fuzz_holder_tag0(const ProtobufCMessage *m)
{
	const ProtobufCFieldDescriptor	*f;
	const ProtobufCMessage		*sub, **arr;
	const uint8_t			*base = (const uint8_t *)m;
	unsigned			 i;
	uint32_t			 which;
	size_t				 j, n;

	/* Fields are read with memcpy: the offsets come from a descriptor. */
	for (i = 0; i < m->n_unknown_fields; i++)
		if (m->unknown_fields[i].tag == 0)
			return (1);
	for (i = 0; i < m->descriptor->n_fields; i++) {
		f = &m->descriptor->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			memcpy(&which, base + f->quantifier_offset,
			    sizeof which);
			if (which != f->id)
				continue;
		}
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			memcpy(&n, base + f->quantifier_offset, sizeof n);
			memcpy(&arr, base + f->offset, sizeof arr);
			for (j = 0; j < n; j++)
				if (fuzz_holder_tag0(arr[j]))
					return (1);
			continue;
		}
		memcpy(&sub, base + f->offset, sizeof sub);
		if (sub != NULL && fuzz_holder_tag0(sub))
			return (1);
	}
	return (0);
}

/* One reply frame: decode, check, encode, decode again; -1: closed. */
static int
fuzz_holder_reply(const uint8_t *p, size_t len)
{
	Lnsh__Holder__Reply	*rep, *again;
	uint8_t			*out, *out2;
	size_t			 olen, olen2;
	int			 r = 0;

	if (hwire_unpack_reply(p, len, &rep) != 0)
		return (-1);
	if (rep->msg_case == LNSH__HOLDER__REPLY__MSG_INFO) {
		fuzz_holder_clean(rep->info->name);
		fuzz_holder_clean(rep->info->command);
		fuzz_holder_clean(rep->info->title);
	}
	if (rep->msg_case == LNSH__HOLDER__REPLY__MSG_ERROR)
		fuzz_holder_clean(rep->error->message);
	if (rep->msg_case == LNSH__HOLDER__REPLY__MSG_SYNC &&
	    rep->sync->data.len > LN_MAX_MESSAGE)
		abort();
	if (fuzz_holder_tag0(&rep->base)) {
		lnsh__holder__reply__free_unpacked(rep, NULL);
		return (r);
	}
	if (hwire_pack_reply(rep, &out, &olen) != 0)
		abort();
	if (hwire_unpack_reply(out, olen, &again) != 0) {
		fprintf(stderr, "fuzz-holder: own reply refused\n");
		abort();
	}
	if (hwire_pack_reply(again, &out2, &olen2) != 0 || olen2 != olen ||
	    memcmp(out, out2, olen) != 0)
		abort();
	free(out);
	free(out2);
	lnsh__holder__reply__free_unpacked(again, NULL);
	lnsh__holder__reply__free_unpacked(rep, NULL);
	return (r);
}

/* One request frame: decode, encode, decode again; -1: refused. */
static int
fuzz_holder_request(const uint8_t *p, size_t len)
{
	Lnsh__Holder__Request	*req, *again;
	uint8_t			*out;
	size_t			 olen;

	if (hwire_unpack_request(p, len, &req) != 0)
		return (-1);
	if (fuzz_holder_tag0(&req->base)) {
		lnsh__holder__request__free_unpacked(req, NULL);
		return (0);
	}
	if (hwire_pack_request(req, &out, &olen) != 0)
		abort();
	if (hwire_unpack_request(out, olen, &again) != 0) {
		fprintf(stderr, "fuzz-holder: own request refused\n");
		abort();
	}
	free(out);
	lnsh__holder__request__free_unpacked(again, NULL);
	lnsh__holder__request__free_unpacked(req, NULL);
	return (0);
}

/* Cuts the stream into frames and decodes each. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t			 off = 1, fsize;
	int			 replies, r;

	if (size < 1)
		return (0);
	replies = data[0] % 2 == 0;
	while (off < size) {
		if (hwire_frame_size(data + off, size - off, replies ?
		    HOLDER_MAX_FRAME : HOLDER_MAX_REQUEST, &fsize) != 0)
			break;
		if (fsize > size - off)
			fsize = size - off;	/* truncated: refused */
		if (replies)
			r = fuzz_holder_reply(data + off, fsize);
		else
			r = fuzz_holder_request(data + off, fsize);
		if (r != 0)
			break;
		off += fsize;
	}
	return (0);
}
