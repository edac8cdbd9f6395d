/*
 * version.c: `lnsh -V`: lnsh's version, protocol and terminal wait, and
 * the versions of the libraries it was built with (at run time, where a
 * library says).
 */
#include "config.h"

#include <stdio.h>

#include <curses.h>
#include <protobuf-c/protobuf-c.h>
#include <sodium.h>

#include "compat.h"
#include "client.h"

/* Prints the version lines on fp. */
void
lnsh_version(FILE *fp)
{
	/* The terminal wait too: a Mac must say select. */
	fprintf(fp, "lnsh %s (protocol %d, terminal wait %s)\n",
	    PACKAGE_VERSION, LN_PROTO_VERSION, compat_waitfd_method());
	fprintf(fp, "built with libsodium %s, protobuf-c %s, %s\n",
	    sodium_version_string(), protobuf_c_version(), curses_version());
}
