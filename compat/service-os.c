/*
 * service-os.c: which service manager starts daemons on this machine. The
 * one place that knows how to tell launchd from systemd, so that install.c
 * holds no platform test of its own.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <unistd.h>

#include "server.h"

/*
 * The service manager that is running here, found at run time rather than
 * by the compiler's platform macros: launchd where launchctl exists (every
 * macOS), systemd where /run/systemd/system is a directory (the test that
 * sd_booted(3) documents), else none.
 */
enum service_platform
service_os_platform(void)
{
	struct stat	st;

	if (access("/bin/launchctl", X_OK) == 0)
		return (SERVICE_LAUNCHD);
	if (lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode))
		return (SERVICE_SYSTEMD);
	return (SERVICE_NONE);
}
