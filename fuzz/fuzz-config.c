/*
 * fuzz-config.c: lnshd's config file parser (server/config.c). The input
 * is the file's text. A parse either succeeds, and what it gives is freed,
 * or fails with a cause naming every error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "server.h"

/* Parses one config text. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 c;
	char		*cause = NULL;

	if (config_parse("config", data, size, &c, &cause) == 0) {
		if (c.nlisten > CONFIG_LISTEN_MAX)
			abort();
		config_free(&c);
	} else if (cause == NULL)
		abort();
	free(cause);
	return (0);
}
