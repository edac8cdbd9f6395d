/*
 * cmd-run.c: `lnshd` itself, the daemon. It stays in the foreground (launchd
 * and systemd supervise it, and it must never fork itself away), logs to
 * stderr, and runs one libevent loop until SIGTERM or SIGINT. Stopping
 * leaves every session running: their holders are separate processes in
 * their own sessions, and the next lnshd adopts them.
 */
#include "config.h"

#include <sys/types.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "server.h"

/* SIGTERM or SIGINT: leave the loop; the sessions stay. */
static void
run_stop_cb(int sig, short what, void *arg)
{
	struct lnshd	*d = arg;

	log_info("signal %d: stopping, leaving %u sessions running", sig,
	    d->nsessions);
	event_base_loopbreak(d->base);
}

/* SIGHUP: nothing to reread without a restart yet; say so. */
static void
run_hup_cb(int sig, short what, void *arg)
{
	log_info("SIGHUP ignored: restart lnshd to read its config again "
	    "(the sessions survive a restart)");
}

/*
 * Every holder a previous lnshd left has answered, or failed to in time:
 * lnshd has started (tests and people wait for this line).
 */
static void
run_adopted(struct lnshd *d, unsigned adopted)
{
	char	fp[LN_FINGERPRINT_LEN];

	key_fingerprint(d->host_pk, fp);
	log_info("lnshd started: %s mode, state dir %s, host key %s, "
	    "%u sessions adopted, at most %u sessions (%lu descriptors)",
	    d->single_user ? "single-user" : "root", d->state_dir, fp,
	    adopted, d->max_sessions, d->nofile);
}

/* Frees what the daemon set up, in reverse order; holders keep running. */
static void
run_teardown(struct lnshd *d)
{
	listen_close(d);	/* tells clients.c every client went */
	clients_free(d);
	sessions_free(d);
	status_close(d);
	if (d->base != NULL)
		event_base_free(d->base);
	config_free(&d->cfg);
	free(d->state_dir);
	sodium_memzero(d->host_sk, sizeof d->host_sk);
}

/* The daemon. Exit 1 for anything that stops it starting. */
static int
lnshd_run_exec(const struct lnshd_opts *o, int argc, char **argv)
{
	struct lnshd	 d;
	struct event	*ev_term = NULL, *ev_int = NULL, *ev_hup = NULL;
	char		*cause = NULL;
	char		*holders = NULL, *new_top = NULL, *new_holders = NULL;
	char		*key;
	size_t		 n;
	int		 r, rc = 1, fresh = 0, wrote_key = 0;

	memset(&d, 0, sizeof d);
	d.single_user = o->single_user;
	d.started_ns = ln_now_ns();
	if ((r = lnshd_noargs_config(o, NULL, argc, argv, &d.cfg,
	    &d.state_dir)) != 0)
		return (r);
	log_init(o->verbose > 0 ? CONFIG_LOG_DEBUG : d.cfg.log_level);
	signal(SIGPIPE, SIG_IGN);
	d.nofile = fdlimit_raise();
	d.max_sessions = fdlimit_sessions(d.nofile);
	if ((r = sessdir_holder_check(!d.single_user, &cause)) != 0)
		goto fail;
	/*
	 * A start that fails (the port in use, another lnshd on this state
	 * dir) leaves nothing behind: what it would create is noted here and
	 * removed on failure. A new host key is written once the control
	 * socket (the state dir's lock) is ours, before the ports open (so
	 * that whoever reads it after "listening" reads the key in use), and
	 * removed again if they cannot.
	 */
	n = strlen(d.state_dir) + sizeof "/" PATHS_HOLDERS;
	holders = xmalloc(n);
	snprintf(holders, n, "%s/%s", d.state_dir, PATHS_HOLDERS);
	new_top = lnshd_first_missing(d.state_dir);
	new_holders = lnshd_first_missing(holders);
	if ((r = lnshd_host_key_open(d.state_dir, d.single_user, d.host_sk,
	    d.host_pk, &fresh, &cause)) != 0)
		goto fail;
	if ((d.base = event_base_new()) == NULL) {
		ln_cause(&cause, "cannot create the event loop");
		goto fail;
	}
	clients_init(&d);
	if ((r = status_open(&d, &cause)) != 0 ||
	    (r = sessions_init(&d, &cause)) != 0)
		goto fail;
	if (fresh && (r = lnshd_host_key_save(d.state_dir, d.host_sk,
	    d.host_pk, &wrote_key, &cause)) != 0)
		goto fail;
	if ((r = listen_open(&d, d.cfg.listen, d.cfg.nlisten, &cause)) != 0)
		goto fail;
	/* Started: from here on the key is the server's, whatever happens. */
	wrote_key = 0;
	free(new_top);
	free(new_holders);
	new_top = new_holders = NULL;
	ev_term = evsignal_new(d.base, SIGTERM, run_stop_cb, &d);
	ev_int = evsignal_new(d.base, SIGINT, run_stop_cb, &d);
	ev_hup = evsignal_new(d.base, SIGHUP, run_hup_cb, &d);
	evsignal_add(ev_term, NULL);
	evsignal_add(ev_int, NULL);
	evsignal_add(ev_hup, NULL);
	/*
	 * The holders a previous lnshd left are adopted from the loop, each
	 * under one deadline, while everyone else is served: run_adopted
	 * says "started" once they all answered.
	 */
	sessions_adopt(&d, run_adopted);
	listen_kick(&d);
	if (event_base_dispatch(d.base) == -1) {
		ln_cause(&cause, "the event loop failed");
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	log_error("%s", cause != NULL ? cause : "cannot start");
out:
	if (ev_term != NULL)
		event_free(ev_term);
	if (ev_int != NULL)
		event_free(ev_int);
	if (ev_hup != NULL)
		event_free(ev_hup);
	free(cause);
	if (rc != 0 && wrote_key) {
		key = paths_host_key(d.state_dir);
		(void)unlink(key);
		free(key);
	}
	run_teardown(&d);
	if (rc != 0 && new_holders != NULL)
		lnshd_unmake_dirs(holders, new_holders);
	if (rc != 0 && new_top != NULL)
		lnshd_unmake_dirs(holders, new_top);
	free(holders);
	free(new_holders);
	free(new_top);
	if (rc == 0)
		log_info("stopped");
	return (rc);
}

const struct lnshd_cmd lnshd_run_entry = {
	.name = "run",
	.usage = " [--listen ADDR:PORT] [-v]",
	.options = LNSHD_OPT_LISTEN,
	.exec = lnshd_run_exec,
};
