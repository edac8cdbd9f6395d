/*
 * test_holderwire.c: holder protocol frames round-trip, and truncated,
 * oversized, trailing-garbage and garbage frames are refused, never crash.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <protobuf-c/protobuf-c.h>

#include "holder.pb-c.h"
#include "sessdir.h"

/* A framed Input request carrying data. */
static void
frame_input(const void *data, size_t len, uint8_t **frame, size_t *flen)
{
	Lnsh__Holder__Request	req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__Input	in = LNSH__HOLDER__INPUT__INIT;

	in.data.data = (uint8_t *)(uintptr_t)data;
	in.data.len = len;
	req.id = 7;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_INPUT;
	req.input = &in;
	assert_int_equal(hwire_pack_request(&req, frame, flen), 0);
}

/* A request survives framing, with a big-endian length in front. */
static void
test_request_round_trip(void **state)
{
	Lnsh__Holder__Request	*out;
	uint8_t			*frame;
	size_t			 len, size;

	frame_input("echo hello\n", 11, &frame, &len);
	assert_int_equal(frame[0], 0);
	assert_int_equal((size_t)frame[3] + HOLDER_FRAME_HDR, len);
	assert_int_equal(hwire_frame_size(frame, len, HOLDER_MAX_REQUEST,
	    &size), 0);
	assert_int_equal(size, len);
	assert_int_equal(hwire_unpack_request(frame, len, &out), 0);
	assert_int_equal(out->id, 7);
	assert_int_equal(out->msg_case, LNSH__HOLDER__REQUEST__MSG_INPUT);
	assert_int_equal(out->input->data.len, 11);
	assert_memory_equal(out->input->data.data, "echo hello\n", 11);
	lnsh__holder__request__free_unpacked(out, NULL);
	free(frame);
}

/* An Info reply survives framing with its strings. */
static void
test_reply_round_trip(void **state)
{
	Lnsh__Holder__Reply	 rep = LNSH__HOLDER__REPLY__INIT, *out;
	Lnsh__Holder__Info	 info = LNSH__HOLDER__INFO__INIT;
	uint8_t			*frame;
	size_t			 len;

	info.name = (char *)"main";
	info.state = LNSH__HOLDER__STATE__STATE_EXITED;
	info.exit_status = 3;
	info.cols = 80;
	info.rows = 24;
	info.command = (char *)"/bin/sh";
	info.title = (char *)"t";
	rep.id = 9;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_INFO;
	rep.info = &info;
	assert_int_equal(hwire_pack_reply(&rep, &frame, &len), 0);
	assert_int_equal(hwire_unpack_reply(frame, len, &out), 0);
	assert_int_equal(out->id, 9);
	assert_string_equal(out->info->name, "main");
	assert_int_equal(out->info->exit_status, 3);
	assert_string_equal(out->info->command, "/bin/sh");
	lnsh__holder__reply__free_unpacked(out, NULL);
	free(frame);
}

/* Every proper prefix of a frame is refused as short. */
static void
test_truncated(void **state)
{
	Lnsh__Holder__Request	*out = NULL;
	uint8_t			*frame;
	size_t			 len, i;

	frame_input("abc", 3, &frame, &len);
	for (i = 0; i < len; i++) {
		assert_int_equal(hwire_unpack_request(frame, i, &out),
		    LN_E_DROP(LN_DROP_SHORT));
		assert_null(out);
	}
	free(frame);
}

/* A frame followed by more bytes is not one frame. */
static void
test_trailing(void **state)
{
	Lnsh__Holder__Request	*out = NULL;
	uint8_t			*frame, *longer;
	size_t			 len;

	frame_input("abc", 3, &frame, &len);
	longer = calloc(1, len + 1);
	memcpy(longer, frame, len);
	assert_int_equal(hwire_unpack_request(longer, len + 1, &out),
	    LN_E_DROP(LN_DROP_FRAME));
	assert_null(out);
	free(longer);
	free(frame);
}

/* A declared length over the bound, or zero, is refused from the header. */
static void
test_oversized(void **state)
{
	uint8_t		hdr[HOLDER_FRAME_HDR];
	size_t		size = 0;
	uint32_t	body = HOLDER_MAX_REQUEST + 1;

	hdr[0] = (uint8_t)(body >> 24);
	hdr[1] = (uint8_t)(body >> 16);
	hdr[2] = (uint8_t)(body >> 8);
	hdr[3] = (uint8_t)body;
	assert_int_equal(hwire_frame_size(hdr, sizeof hdr,
	    HOLDER_MAX_REQUEST, &size), LN_E_DROP(LN_DROP_FRAME));
	assert_int_equal(size, 0);
	/* The same length is fine for a reply, which may carry a capture. */
	assert_int_equal(hwire_frame_size(hdr, sizeof hdr, HOLDER_MAX_FRAME,
	    &size), 0);
	assert_int_equal(size, HOLDER_FRAME_HDR + body);
	memset(hdr, 0, sizeof hdr);
	assert_int_equal(hwire_frame_size(hdr, sizeof hdr, HOLDER_MAX_FRAME,
	    &size), LN_E_DROP(LN_DROP_FRAME));
	memset(hdr, 0xff, sizeof hdr);
	assert_int_equal(hwire_frame_size(hdr, sizeof hdr, HOLDER_MAX_FRAME,
	    &size), LN_E_DROP(LN_DROP_FRAME));
}

/* Input over HOLDER_MAX_INPUT is refused even inside a valid frame size. */
static void
test_input_bound(void **state)
{
	Lnsh__Holder__Request	*out = NULL;
	uint8_t			*data, *frame;
	size_t			 len;

	data = calloc(1, HOLDER_MAX_INPUT + 1);
	frame_input(data, HOLDER_MAX_INPUT + 1, &frame, &len);
	assert_int_equal(hwire_unpack_request(frame, len, &out),
	    LN_E_DROP(LN_DROP_MESSAGE));
	assert_null(out);
	free(frame);
	free(data);
}

/*
 * A request with no message, or an unknown one, is refused; so is the
 * Resize that field 5 carried before it was removed (holder.proto).
 */
static void
test_empty_oneof(void **state)
{
	Lnsh__Holder__Request	*out = NULL;
	/* id = 5 only (field 1 varint), then an unknown field 15 varint. */
	uint8_t			 f1[] = { 0, 0, 0, 2, 0x08, 0x05 };
	uint8_t			 f2[] = { 0, 0, 0, 4, 0x08, 0x05, 0x78, 0x01 };
	/* id = 4, then field 5 (length 4): Resize{cols 80, rows 24}. */
	uint8_t			 f3[] = { 0, 0, 0, 8, 0x08, 0x04, 0x2a, 0x04,
				     0x08, 0x50, 0x10, 0x18 };

	assert_int_equal(hwire_unpack_request(f1, sizeof f1, &out),
	    LN_E_DROP(LN_DROP_MESSAGE));
	assert_int_equal(hwire_unpack_request(f2, sizeof f2, &out),
	    LN_E_DROP(LN_DROP_MESSAGE));
	assert_int_equal(hwire_unpack_request(f3, sizeof f3, &out),
	    LN_E_DROP(LN_DROP_MESSAGE));
	assert_null(out);
}

/* Random bodies behind a correct header: refused or accepted, never worse. */
static void
test_garbage(void **state)
{
	Lnsh__Holder__Request	*req;
	Lnsh__Holder__Reply	*rep;
	uint8_t			 frame[HOLDER_FRAME_HDR + 64];
	size_t			 i, j, n;
	uint32_t		 x = 12345;
	int			 refused = 0;

	for (i = 0; i < 20000; i++) {
		n = 1 + i % 64;
		frame[0] = frame[1] = frame[2] = 0;
		frame[3] = (uint8_t)n;
		for (j = 0; j < n; j++) {
			x = x * 1103515245 + 12345;
			frame[HOLDER_FRAME_HDR + j] = (uint8_t)(x >> 16);
		}
		if (hwire_unpack_request(frame, HOLDER_FRAME_HDR + n,
		    &req) == 0)
			lnsh__holder__request__free_unpacked(req, NULL);
		else
			refused++;
		if (hwire_unpack_reply(frame, HOLDER_FRAME_HDR + n,
		    &rep) == 0)
			lnsh__holder__reply__free_unpacked(rep, NULL);
	}
	assert_true(refused > 10000);
}

/* A Sync request: id 0 and at most LN_RELAY_UP_MAX bytes, or refused. */
static int
sync_request_ok(uint32_t id, size_t len)
{
	Lnsh__Holder__Request	 req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__Sync	 sy = LNSH__HOLDER__SYNC__INIT;
	Lnsh__Holder__Request	*out;
	uint8_t			*data, *frame;
	size_t			 flen;
	int			 r;

	data = calloc(1, len + 1);
	assert_non_null(data);
	sy.client = 3;
	sy.data.data = data;
	sy.data.len = len;
	req.id = id;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_SYNC;
	req.sync = &sy;
	assert_int_equal(hwire_pack_request(&req, &frame, &flen), 0);
	r = hwire_unpack_request(frame, flen, &out);
	if (r == 0) {
		assert_int_equal(out->sync->client, 3);
		assert_int_equal(out->sync->data.len, len);
		lnsh__holder__request__free_unpacked(out, NULL);
	}
	free(frame);
	free(data);
	return (r);
}

/* Packs a request and unpacks its frame: the unpacking's verdict. */
static int
request_verdict(const Lnsh__Holder__Request *req)
{
	Lnsh__Holder__Request	*out;
	uint8_t			*frame;
	size_t			 flen;
	int			 r;

	assert_int_equal(hwire_pack_request(req, &frame, &flen), 0);
	if ((r = hwire_unpack_request(frame, flen, &out)) == 0)
		lnsh__holder__request__free_unpacked(out, NULL);
	free(frame);
	return (r);
}

/* Packs a reply and unpacks its frame: the unpacking's verdict. */
static int
reply_verdict(const Lnsh__Holder__Reply *rep)
{
	Lnsh__Holder__Reply	*out;
	uint8_t			*frame;
	size_t			 flen;
	int			 r;

	assert_int_equal(hwire_pack_reply(rep, &frame, &flen), 0);
	if ((r = hwire_unpack_reply(frame, flen, &out)) == 0)
		lnsh__holder__reply__free_unpacked(out, NULL);
	free(frame);
	return (r);
}

/* The relay's bounds: Sync sizes and ids, Attach tokens and clients. */
static void
test_relay_bounds(void **state)
{
	Lnsh__Holder__Request	 req = LNSH__HOLDER__REQUEST__INIT;
	Lnsh__Holder__Attach	 at = LNSH__HOLDER__ATTACH__INIT;
	Lnsh__Holder__Reply	 rep = LNSH__HOLDER__REPLY__INIT;
	Lnsh__Holder__Attached	 ad = LNSH__HOLDER__ATTACHED__INIT;
	Lnsh__Holder__Request	*rout;
	uint8_t			 token[LN_HOLDER_TOKEN_LEN + 1] = { 0 };
	uint8_t			*frame;
	size_t			 flen;

	assert_int_equal(sync_request_ok(0, LN_RELAY_UP_MAX), 0);
	assert_int_not_equal(sync_request_ok(0, LN_RELAY_UP_MAX + 1), 0);
	assert_int_not_equal(sync_request_ok(5, 10), 0);

	/* Attach: client 0 and a token of the wrong length are refused. */
	at.cols = 80;
	at.rows = 24;
	req.id = 9;
	req.msg_case = LNSH__HOLDER__REQUEST__MSG_ATTACH;
	req.attach = &at;
	assert_int_not_equal(request_verdict(&req), 0);
	at.client = 1;
	at.resume.data = token;
	at.resume.len = LN_HOLDER_TOKEN_LEN + 1;
	assert_int_not_equal(request_verdict(&req), 0);
	at.resume.len = LN_HOLDER_TOKEN_LEN;
	assert_int_equal(hwire_pack_request(&req, &frame, &flen), 0);
	assert_int_equal(hwire_unpack_request(frame, flen, &rout), 0);
	assert_int_equal(rout->attach->resume.len, LN_HOLDER_TOKEN_LEN);
	lnsh__holder__request__free_unpacked(rout, NULL);
	free(frame);

	/* Attached: an answer (id set) with a whole token. */
	ad.token.data = token;
	ad.token.len = LN_HOLDER_TOKEN_LEN - 1;
	rep.id = 9;
	rep.msg_case = LNSH__HOLDER__REPLY__MSG_ATTACHED;
	rep.attached = &ad;
	assert_int_not_equal(reply_verdict(&rep), 0);
	ad.token.len = LN_HOLDER_TOKEN_LEN;
	assert_int_equal(reply_verdict(&rep), 0);
	rep.id = 0;
	assert_int_not_equal(reply_verdict(&rep), 0);
}

/* Session names: the allowed set and length only. */
static void
test_names(void **state)
{
	char	long_name[LN_SESSION_NAME_MAX + 2];

	assert_true(hwire_name_ok("main"));
	assert_true(hwire_name_ok("a.b_c-9"));
	assert_false(hwire_name_ok(""));
	assert_false(hwire_name_ok("."));
	assert_false(hwire_name_ok(".."));
	assert_false(hwire_name_ok("a/b"));
	assert_false(hwire_name_ok("a b"));
	memset(long_name, 'x', sizeof long_name);
	long_name[LN_SESSION_NAME_MAX] = '\0';
	assert_true(hwire_name_ok(long_name));
	long_name[LN_SESSION_NAME_MAX] = 'x';
	long_name[LN_SESSION_NAME_MAX + 1] = '\0';
	assert_false(hwire_name_ok(long_name));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_round_trip),
		cmocka_unit_test(test_reply_round_trip),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_input_bound),
		cmocka_unit_test(test_empty_oneof),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_relay_bounds),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
