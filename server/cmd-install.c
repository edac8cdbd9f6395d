/*
 * cmd-install.c: `lnshd install`: writes the service file (a launchd
 * plist or a systemd unit) and starts lnshd through the service manager.
 * Takes --dry-run and --platform launchd|systemd; server/install.c does
 * the work (docs/service.md).
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>

#include "server.h"

/* Calls service_install() for the platform. */
static int
lnshd_install_exec(const struct lnshd_opts *o, int argc, char **argv)
{
	return (lnshd_service(o, argc, argv, "install", service_install));
}

const struct lnshd_cmd lnshd_install_entry = {
	.name = "install",
	.usage = " [--dry-run] [--platform launchd|systemd] [--root DIR]",
	.options = LNSHD_OPT_DRY_RUN,
	.exec = lnshd_install_exec,
};
