/*
 * cmd-uninstall.c: `lnshd uninstall`: stops lnshd through the service
 * manager and removes its file; the sessions keep running. Takes
 * --dry-run and --platform launchd|systemd; server/install.c does the
 * work (docs/service.md).
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>

#include "server.h"

/* Calls service_uninstall() for the platform. */
static int
lnshd_uninstall_exec(const struct lnshd_opts *o, int argc, char **argv)
{
	return (lnshd_service(o, argc, argv, "uninstall", service_uninstall));
}

const struct lnshd_cmd lnshd_uninstall_entry = {
	.name = "uninstall",
	.usage = " [--dry-run] [--platform launchd|systemd] [--root DIR]",
	.options = LNSHD_OPT_DRY_RUN,
	.exec = lnshd_uninstall_exec,
};
