/*
 * event-base.c: the libevent base for a loop that waits on a pty (the
 * holder's).
 *
 * libevent takes kqueue on macOS when it can, and Darwin's kqueue and
 * poll have not worked on anything but sockets, ptys included: tmux's
 * osdep-darwin.c keeps libevent off both there. So where configure
 * defines LNSH_SELECT_WAIT (macOS, or --enable-select-wait) the base is
 * built for select(2) alone: every other method this libevent has is
 * avoided, and libevent's EVENT_NO* environment variables are ignored, so
 * nothing inherited can switch the holder back to another method or leave
 * it with none. Elsewhere libevent chooses (epoll on Linux).
 */
#include "config.h"

#include <string.h>

#include <event2/event.h>

#include "compat.h"

#define EVENT_BASE_SELECT	"select"

/* The method compat_event_base() insists on; NULL: libevent's choice. */
const char *
compat_event_method(void)
{
#ifdef LNSH_SELECT_WAIT
	return (EVENT_BASE_SELECT);
#else
	return (NULL);
#endif
}

/* A base for a pty's loop, or NULL (no such method in this libevent). */
struct event_base *
compat_event_base(void)
{
	struct event_config	*cfg;
	struct event_base	*base = NULL;
	const char		**m, *want = compat_event_method();

	if (want == NULL)
		return (event_base_new());
	if ((cfg = event_config_new()) == NULL)
		return (NULL);
	if (event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV) != 0)
		goto out;
	for (m = event_get_supported_methods(); m != NULL && *m != NULL; m++) {
		if (strcmp(*m, want) != 0 &&
		    event_config_avoid_method(cfg, *m) != 0)
			goto out;
	}
	base = event_base_new_with_config(cfg);
	if (base != NULL && strcmp(event_base_get_method(base), want) != 0) {
		event_base_free(base);
		base = NULL;
	}
out:
	event_config_free(cfg);
	return (base);
}
