/*
 * fuzz-authkeys.c: the authorized_keys parser (server/authkeys.c), which
 * lnshd runs as root on a file its user writes. The input is the file's
 * text. A bad line is skipped with a one-line warning; the keys that
 * parse are looked up as a handshake does.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "server.h"

/* authkeys_parse's warnings: each must be one line of text. */
static void
fuzz_authkeys_warn(void *arg, const char *msg)
{
	unsigned	*n = arg;

	if (strchr(msg, '\n') != NULL)
		abort();
	(*n)++;
}

/* Parses one authorized_keys text and looks its keys up. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authkeys	 ak;
	uint8_t		 key[LN_KEY_LEN];
	unsigned	 warned = 0;
	size_t		 i;

	if (authkeys_parse("authorized_keys", data, size, &ak,
	    fuzz_authkeys_warn, &warned) != 0)
		return (0);
	for (i = 0; i < ak.nkeys; i++) {
		if (authkeys_find(&ak, ak.keys[i].key) == NULL)
			abort();
		if (memchr(ak.keys[i].comment, '\0',
		    sizeof ak.keys[i].comment) == NULL)
			abort();
	}
	memset(key, 0xa5, sizeof key);
	(void)authkeys_find(&ak, key);
	authkeys_free(&ak);
	return (0);
}
