/*
 * fuzz-cookie.c: the cookie mechanism's parsers (proto/cookie.c): the
 * client's cookie reply reader, and the server's mac2 check and reply
 * writer over whatever initiation gets past mac1. The client has sent one
 * fixed initiation (fixed keys, deterministic generator), so a reply the
 * server writes for it opens here. The first input byte is a mode, the
 * rest the packet:
 *
 *	mode % 4 = 0	a cookie reply, as it is
 *	mode % 4 = 1	a cookie reply whose sealed cookie is sealed again,
 *			under the right key and associated data, around
 *			its own bytes 32..47: it opens, and the cookie kept
 *			must be those bytes
 *	mode % 4 = 2	an initiation, as it is, to the server's checks
 *	mode % 4 = 3	an initiation whose mac1 is made right (and, for
 *			version 2, its mac2 for the source's cookie: then
 *			the mac2 check must pass)
 *
 * Invariants: a reply taken once is refused the second time; the reply to
 * any initiation that passes mac1 is exactly 64 bytes, no longer than the
 * initiation, and opens for a client that sent that initiation.
 *
 * Seeds: FUZZ_COOKIE_SEEDS=DIR fuzz/fuzz-cookie writes a genuine reply
 * (modes 0 and 1) and initiations of both versions (modes 2 and 3) into
 * DIR and exits.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fuzz.h"

#define FUZZ_COOKIE_MAX	2048

static uint8_t			srv_sk[LN_KEY_LEN], srv_pk[LN_KEY_LEN];
static uint8_t			srv_mac1_key[LN_KEY_LEN];
static struct cookie_checker	checker;
static struct cookie_maker	pristine;	/* after the fixed initiation */
static uint8_t			init_pkt[LN_MAX_DATAGRAM];
static size_t			init_len;
static struct chan_addr		from;

/* Writes one seed file: the mode byte, then the packet. */
static void
fuzz_cookie_seed(const char *dir, const char *name, uint8_t mode,
    const uint8_t *pkt, size_t len)
{
	char	 path[1024];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(&mode, 1, 1, f) != 1 ||
	    fwrite(pkt, len, 1, f) != 1 || fclose(f) != 0) {
		fprintf(stderr, "fuzz-cookie: %s: cannot write\n", path);
		exit(1);
	}
}

/* The seeds: a genuine reply, and initiations of versions 1 and 2. */
static void
fuzz_cookie_seeds(const char *dir)
{
	struct cookie_maker	 cm;
	struct noise_handshake	 hs;
	uint8_t			 cli_sk[LN_KEY_LEN], cli_pk[LN_KEY_LEN];
	uint8_t			 reply[LN_COOKIE_REPLY_LEN];
	uint8_t			 v2[LN_MAX_DATAGRAM];
	size_t			 n, v2len;

	if (cookie_reply(&checker, init_pkt, init_len, &from, FUZZ_T0, reply,
	    sizeof reply, &n) != 0)
		abort();
	fuzz_cookie_seed(dir, "reply", 0, reply, n);
	fuzz_cookie_seed(dir, "reply-reseal", 1, reply, n);
	fuzz_cookie_seed(dir, "init-v1", 2, init_pkt, init_len);
	fuzz_cookie_seed(dir, "init-v1-remac", 3, init_pkt, init_len);
	memcpy(&cm, &pristine, sizeof cm);
	if (cookie_consume_reply(&cm, reply, n, FUZZ_T0) != 0)
		abort();
	fuzz_client_key(cli_sk, cli_pk);
	if (hs_initiation_cookie(&hs, cli_sk, srv_pk, FUZZ_INIT_INDEX, NULL,
	    0, cookie_maker_get(&cm, FUZZ_T0), v2, sizeof v2, &v2len) != 0)
		abort();
	noise_wipe(&hs);
	fuzz_cookie_seed(dir, "init-v2", 2, v2, v2len);
	fuzz_cookie_seed(dir, "init-v2-remac", 3, v2, v2len);
	exit(0);
}

/* Installs the generator, the keys, the client's fixed initiation. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct noise_handshake	 hs;
	struct sockaddr_in	 sin;
	uint8_t			 cli_sk[LN_KEY_LEN], cli_pk[LN_KEY_LEN];
	const char		*dir;

	(void)argc;
	(void)argv;
	fuzz_init();
	fuzz_server_key(srv_sk, srv_pk);
	fuzz_client_key(cli_sk, cli_pk);
	hs_mac1_key(srv_pk, srv_mac1_key);
	cookie_checker_init(&checker, srv_pk);
	cookie_maker_init(&pristine, srv_pk);
	fuzz_rng_reset();
	fuzz_rng_use(FUZZ_CLIENT);
	if (hs_initiation(&hs, cli_sk, srv_pk, FUZZ_INIT_INDEX, NULL, 0,
	    init_pkt, sizeof init_pkt, &init_len) != 0)
		abort();
	noise_wipe(&hs);
	cookie_maker_sent(&pristine, init_pkt, init_len);
	memset(&from, 0, sizeof from);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(4000);
	sin.sin_addr.s_addr = htonl(0x7f000001U);
	memcpy(&from.ss, &sin, sizeof sin);
	from.len = sizeof sin;
	if ((dir = getenv("FUZZ_COOKIE_SEEDS")) != NULL)
		fuzz_cookie_seeds(dir);
	return (0);
}

/* A cookie reply to the client (modes 0 and 1). */
static void
fuzz_reply(uint8_t *pkt, size_t len, int reseal)
{
	struct cookie_maker	 cm;
	uint8_t			 plain[LN_COOKIE_LEN];
	const uint8_t		*mac1;
	uint32_t		 sender;

	memcpy(&cm, &pristine, sizeof cm);
	memset(plain, 0, sizeof plain);
	if (reseal && len == LN_COOKIE_REPLY_LEN) {
		if (hs_initiation_fields(init_pkt, init_len, &sender,
		    &mac1) != 0)
			abort();
		memcpy(plain, pkt + 32, sizeof plain);
		crypto_aead_xchacha20poly1305_ietf_encrypt(pkt + 32, NULL,
		    plain, sizeof plain, mac1, LN_MAC_LEN, NULL, pkt + 8,
		    cm.dec_key);
	}
	if (cookie_consume_reply(&cm, pkt, len, FUZZ_T0) != 0)
		return;
	if (cookie_maker_get(&cm, FUZZ_T0) == NULL)
		abort();
	if (reseal && memcmp(cm.cookie, plain, sizeof plain) != 0)
		abort();
	/* Taken once: the same bytes again change nothing. */
	if (cookie_consume_reply(&cm, pkt, len, FUZZ_T0 + LN_NS_PER_SEC) == 0)
		abort();
	if (cm.cookie_ns != FUZZ_T0)
		abort();
}

/* An initiation to the server's cookie checks (modes 2 and 3). */
static void
fuzz_init_pkt(uint8_t *pkt, size_t len, int remac)
{
	struct cookie_maker	 cm;
	uint8_t			 reply[LN_COOKIE_REPLY_LEN];
	uint8_t			 cookie[LN_COOKIE_LEN];
	size_t			 tail, n;
	int			 r;

	tail = len >= 2 && pkt[1] == LN_PROTO_VERSION_COOKIE ?
	    2 * LN_MAC_LEN : LN_MAC_LEN;
	if (remac && len >= tail) {
		fuzz_fix_mac1(pkt, len - (tail - LN_MAC_LEN), srv_mac1_key);
		if (tail > LN_MAC_LEN) {
			if (cookie_make(&checker, &from, FUZZ_T0, cookie) != 0)
				abort();
			crypto_generichash(pkt + len - LN_MAC_LEN, LN_MAC_LEN,
			    pkt, len - LN_MAC_LEN, cookie, LN_COOKIE_LEN);
		}
	}
	if (hs_check_initiation(srv_mac1_key, pkt, len) != 0)
		return;
	r = cookie_check_mac2(&checker, pkt, len, &from, FUZZ_T0);
	if (remac && tail > LN_MAC_LEN && r != 0)
		abort();
	if (cookie_reply(&checker, pkt, len, &from, FUZZ_T0, reply,
	    sizeof reply, &n) != 0)
		abort();
	if (n != LN_COOKIE_REPLY_LEN || n >= len)
		abort();
	/* A client that sent this initiation takes the reply. */
	memcpy(&cm, &pristine, sizeof cm);
	cookie_maker_sent(&cm, pkt, len);
	if (cookie_consume_reply(&cm, reply, n, FUZZ_T0) != 0)
		abort();
}

/* One packet, by mode. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	pkt[FUZZ_COOKIE_MAX];
	size_t	len;

	if (size < 1 || size - 1 > sizeof pkt)
		return (0);
	len = size - 1;
	if (len != 0)
		memcpy(pkt, data + 1, len);
	if (data[0] % 4 < 2)
		fuzz_reply(pkt, len, data[0] % 4 == 1);
	else
		fuzz_init_pkt(pkt, len, data[0] % 4 == 3);
	return (0);
}
