/*
 * cmd-service-status.c: `lnshd service-status`: checks the installed
 * service file and asks the service manager about lnshd. Takes --dry-run
 * and --platform launchd|systemd; server/install.c does the work
 * (docs/service.md).
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>

#include "server.h"

/* Calls service_status() for the platform. */
static int
lnshd_service_status_exec(const struct lnshd_opts *o, int argc, char **argv)
{
	return (lnshd_service(o, argc, argv, "service-status", service_status));
}

const struct lnshd_cmd lnshd_service_status_entry = {
	.name = "service-status",
	.usage = " [--dry-run] [--platform launchd|systemd] [--root DIR]",
	.options = LNSHD_OPT_DRY_RUN,
	.exec = lnshd_service_status_exec,
};
