/*
 * fuzz-zframe.c: compressed SSP frames (SyncMessage.zframe) as a client
 * receives them: the bounded decompression (ssp_unzframe) and the message
 * inside. The input is a script (fuzz.h) whose records, by op byte
 * modulo 4, are:
 *
 *	0	a message as the server sent it (zframe or plain), to the
 *		client
 *	1	a zstd frame: decompressed alone, then sent to the client as
 *		the zframe of a message
 *	2	advance the clock (u32le ms) and tick
 *	3	a message's content: compressed (level 1, its size declared),
 *		then sent as a zframe, so that mutations reach the checks
 *		behind the decompression
 *
 * Whatever ssp_unzframe takes, it gives out exactly the size the frame
 * declares and never more than LN_SSP_ZFRAME_MAX; the client's screen
 * stays within its limits.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "fuzz.h"
#include "ssp.h"
#include "sync.pb-c.h"

/* Sends the client a message whose only field is zframe = (z, zlen). */
static void
fuzz_zframe_wrap(struct ssp_client *c, const uint8_t *z, size_t zlen,
    uint64_t now)
{
	Lnsh__SyncMessage	 m;
	uint8_t			*p;
	size_t			 len;

	lnsh__sync_message__init(&m);
	m.has_zframe = 1;
	m.zframe.data = (uint8_t *)(uintptr_t)z;
	m.zframe.len = zlen;
	len = lnsh__sync_message__get_packed_size(&m);
	p = xmalloc(len);
	lnsh__sync_message__pack(&m, p);
	(void)ssp_client_input(c, p, len, now);
	free(p);
}

/* Decompresses a frame alone and checks what came out against its bound. */
static void
fuzz_zframe_alone(struct ssp_link *l, const uint8_t *z, size_t zlen)
{
	unsigned long long	 declared;
	uint8_t			*out;
	size_t			 outlen;

	if (ssp_unzframe(l, z, zlen, &out, &outlen) != 0)
		return;
	declared = ZSTD_getFrameContentSize(z, zlen);
	if (outlen != declared || outlen == 0 || outlen > LN_SSP_ZFRAME_MAX)
		abort();
	free(out);
}

/* Runs one script. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ssp_client	*c;
	struct ssp_link		 l;
	struct fuzz_rec		 rec;
	struct buf		 b;
	uint64_t		 now = FUZZ_T0;
	uint8_t			*z;
	size_t			 zcap, zlen;

	c = ssp_client_new(80, 24, fuzz_ssp_drop, NULL, now);
	memset(&l, 0, sizeof l);
	buf_reader(&b, data, size);
	while (fuzz_next_rec(&b, &rec) == 0) {
		switch (rec.rawop % 4) {
		case 0:
			(void)ssp_client_input(c, rec.data, rec.len, now);
			break;
		case 1:
			fuzz_zframe_alone(&l, rec.data, rec.len);
			fuzz_zframe_wrap(c, rec.data, rec.len, now);
			break;
		case 2:
			now += (uint64_t)fuzz_u32(rec.data, rec.len) *
			    LN_NS_PER_MS;
			(void)ssp_client_tick(c, now);
			break;
		default:
			zcap = ZSTD_compressBound(rec.len);
			z = xmalloc(zcap);
			zlen = ZSTD_compress(z, zcap, rec.data, rec.len, 1);
			if (!ZSTD_isError(zlen)) {
				fuzz_zframe_alone(&l, z, zlen);
				fuzz_zframe_wrap(c, z, zlen, now);
			}
			free(z);
			break;
		}
		fuzz_ssp_check_screen(c);
	}
	ssp_link_free(&l);
	ssp_client_free(c);
	return (0);
}
