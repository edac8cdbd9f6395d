/*
 * install.c: `lnshd install`, `lnshd uninstall` and `lnshd service-status`.
 * Installs lnshd as a root LaunchDaemon (macOS) or a systemd system unit
 * (Linux), removes it, and reports on it. With dry_run set nothing is
 * written and nothing is run: every file is printed with its path, owner,
 * mode and content, and every command with its arguments, so the whole
 * procedure can be tested on any machine. docs/service.md explains every
 * key of both files.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#ifndef LNSH_SBINDIR
#error "LNSH_SBINDIR must be defined: Makefile.am's AM_CPPFLAGS define it"
#endif

#define SERVICE_LABEL		"org.lnsh.lnshd"
#define SERVICE_PLIST	"/Library/LaunchDaemons/" SERVICE_LABEL ".plist"
#define SERVICE_UNIT_NAME	"lnshd.service"
#define SERVICE_UNIT		"/etc/systemd/system/" SERVICE_UNIT_NAME
#define SERVICE_MODE		0644
#define SERVICE_MAX_FILE	65536	/* larger is not ours */

/*
 * The two files, with LNSHD_AT where the lnshd path goes. They are
 * launchd/org.lnsh.lnshd.plist.in and launchd/lnshd.service.in byte for
 * byte; test_install compares the results, so `make install` and `lnshd
 * install` ship the same file.
 */
#define LNSHD_AT		"@sbindir@/lnshd"
#define LNSHD_LEN		(sizeof LNSHD_AT - 1)
static const char plist_in[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
    "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
    "<!-- lnshd as a root LaunchDaemon: `lnshd install` writes this file to\n"
    "     /Library/LaunchDaemons (root:wheel, 0644). Every key and why: see\n"
    "     docs/service.md. There is deliberately no UserName key. -->\n"
    "<plist version=\"1.0\">\n"
    "<dict>\n"
    "\t<key>Label</key>\n"
    "\t<string>" SERVICE_LABEL "</string>\n"
    "\t<key>ProgramArguments</key>\n"
    "\t<array>\n"
    "\t\t<string>" LNSHD_AT "</string>\n"
    "\t</array>\n"
    "\t<key>RunAtLoad</key>\n"
    "\t<true/>\n"
    "\t<key>KeepAlive</key>\n"
    "\t<true/>\n"
    "\t<key>AbandonProcessGroup</key>\n"
    "\t<true/>\n"
    "\t<key>ProcessType</key>\n"
    "\t<string>Interactive</string>\n"
    "\t<key>StandardErrorPath</key>\n"
    "\t<string>/Library/Logs/lnshd.log</string>\n"
    "\t<key>SoftResourceLimits</key>\n"
    "\t<dict>\n"
    "\t\t<key>NumberOfFiles</key>\n"
    "\t\t<integer>10240</integer>\n"
    "\t</dict>\n"
    "\t<key>HardResourceLimits</key>\n"
    "\t<dict>\n"
    "\t\t<key>NumberOfFiles</key>\n"
    "\t\t<integer>10240</integer>\n"
    "\t</dict>\n"
    "</dict>\n"
    "</plist>\n";

static const char unit_in[] =
    "# lnshd as a systemd system service: `lnshd install` writes this file to\n"
    "# /etc/systemd/system (root:root, 0644). Every key and why: see\n"
    "# docs/service.md. There is deliberately no User= (lnshd runs as root).\n"
    "[Unit]\n"
    "Description=lnsh session daemon\n"
    "After=network.target\n"
    "\n"
    "[Service]\n"
    "Type=simple\n"
    "ExecStart=" LNSHD_AT "\n"
    "Restart=always\n"
    "RestartSec=2s\n"
    "KillMode=process\n"
    "TasksMax=infinity\n"
    "LimitNOFILE=65536\n"
    "\n"
    "[Install]\n"
    "WantedBy=multi-user.target\n";

/*
 * The PAM policy of service "lnshd" (server/account.c), written to
 * SERVICE_PAM where configure found PAM, unless there is one already: it
 * is the administrator's to edit after that, and no reinstall undoes it.
 * launchd/pam.d-lnshd.macos and .linux byte for byte (test_install
 * compares them); `make install` puts both in $(pkgdatadir).
 */
#define SERVICE_PAM		"/etc/pam.d/lnshd"
static const char pam_macos[] =
    "# lnshd's PAM policy (macOS). `lnshd install` writes this file\n"
    "# to /etc/pam.d/lnshd (root:wheel, 0644) when there is none, and\n"
    "# leaves it to you after that. lnshd runs only the account stack\n"
    "# (pam_acct_mgmt) once the client's key has authenticated it, as\n"
    "# sshd does for key logins: see docs/security.md. These are the\n"
    "# account lines of macOS's /etc/pam.d/sshd but pam_sacl (ssh's\n"
    "# Remote Login access list; to apply it to lnsh as well, add\n"
    "# \"account required pam_sacl.so sacl_service=ssh\").\n"
    "account    required       pam_nologin.so\n"
    "account    required       pam_opendirectory.so\n";
static const char pam_linux[] =
    "# lnshd's PAM policy (Linux). `lnshd install` writes this file\n"
    "# to /etc/pam.d/lnshd (root:root, 0644) when there is none, and\n"
    "# leaves it to you after that. lnshd runs only the account stack\n"
    "# (pam_acct_mgmt) once the client's key has authenticated it, as\n"
    "# sshd does for key logins: see docs/security.md. Debian and\n"
    "# Ubuntu call the shared stack common-account; elsewhere use the\n"
    "# one /etc/pam.d/sshd includes (Fedora: password-auth).\n"
    "@include common-account\n";

/*
 * How a command's exit status is taken. launchctl needs two of its own:
 * `bootout` returns before the old job has exited, and a `bootstrap` of
 * the same label before then fails with status 5 (EIO, "Bootstrap
 * failed: 5: Input/output error"). So install waits for `print` to stop
 * finding the job, and still retries a bootstrap that says 5, each a
 * bounded number of times (SERVICE_POLLS, SERVICE_POLL_MS).
 */
enum svc_kind {
	SVC_MUST,		/* a failure stops the verb */
	SVC_MAY_FAIL,		/* a stop of something that may not run */
	SVC_UNTIL_FAIL,		/* repeat until it fails: the job is gone */
	SVC_RETRY_EIO		/* repeat while it exits with status 5 */
};
#define SVC_EIO_STATUS		5

/*
 * One command and how its status is taken. An absolute argv[0] runs as
 * it is (under service_opts.tool_root in the tests); a bare name is found
 * through PATH.
 */
struct svc_cmd {
	const char	*argv[6];
	enum svc_kind	 kind;
};

/*
 * launchctl by its absolute path, not through PATH: install runs as root
 * under sudo, and what runs as root must not depend on the caller's PATH.
 * `enable` comes before `bootstrap`: launchd remembers a `disable` of the
 * label across reboots and refuses to load a disabled label otherwise.
 */
#define LAUNCHCTL		"/bin/launchctl"
static const struct svc_cmd launchd_install[] = {
	{ { LAUNCHCTL, "bootout", "system/" SERVICE_LABEL }, SVC_MAY_FAIL },
	{ { LAUNCHCTL, "print", "system/" SERVICE_LABEL }, SVC_UNTIL_FAIL },
	{ { LAUNCHCTL, "enable", "system/" SERVICE_LABEL }, SVC_MUST },
	{ { LAUNCHCTL, "bootstrap", "system", SERVICE_PLIST }, SVC_RETRY_EIO },
	{ { NULL }, SVC_MUST }
};
static const struct svc_cmd launchd_uninstall[] = {
	{ { LAUNCHCTL, "bootout", "system/" SERVICE_LABEL }, SVC_MAY_FAIL },
	{ { NULL }, SVC_MUST }
};
static const struct svc_cmd launchd_status[] = {
	{ { LAUNCHCTL, "print", "system/" SERVICE_LABEL }, SVC_MUST },
	{ { NULL }, SVC_MUST }
};
static const struct svc_cmd systemd_install[] = {
	{ { "systemctl", "daemon-reload" }, SVC_MUST },
	{ { "systemctl", "enable", SERVICE_UNIT_NAME }, SVC_MUST },
	{ { "systemctl", "restart", SERVICE_UNIT_NAME }, SVC_MUST },
	{ { NULL }, SVC_MUST }
};
static const struct svc_cmd systemd_uninstall[] = {
	{ { "systemctl", "disable", "--now", SERVICE_UNIT_NAME },
	  SVC_MAY_FAIL },
	{ { NULL }, SVC_MUST }
};
static const struct svc_cmd systemd_after_remove[] = {
	{ { "systemctl", "daemon-reload" }, SVC_MUST },
	{ { NULL }, SVC_MUST }
};
static const struct svc_cmd systemd_status[] = {
	{ { "systemctl", "status", "--no-pager", SERVICE_UNIT_NAME },
	  SVC_MUST },
	{ { NULL }, SVC_MUST }
};
static const struct svc_cmd no_cmds[] = {
	{ { NULL }, SVC_MUST }
};

/* Everything that differs between the two service managers. */
struct svc_desc {
	enum service_platform	 platform;
	const char		*name;
	const char		*path;		/* the service file */
	const char		*owner;		/* uid 0, gid 0 */
	const char		*tmpl;		/* the .in file */
	const struct svc_cmd	*install;
	const struct svc_cmd	*uninstall;	/* before removal */
	const struct svc_cmd	*after_remove;
	const struct svc_cmd	*status;
	const char		*pam;		/* SERVICE_PAM's content */
};

/* What a verb works on, from prepare: the platform, its file, the content. */
struct svc_job {
	const struct svc_desc	*d;
	char			 path[PATH_MAX];	/* under --root */
	char			*content;		/* what install writes */
};

static const struct svc_desc svc_descs[] = {
	{ SERVICE_LAUNCHD, "launchd", SERVICE_PLIST, "root:wheel", plist_in,
	  launchd_install, launchd_uninstall, no_cmds, launchd_status,
	  pam_macos },
	{ SERVICE_SYSTEMD, "systemd", SERVICE_UNIT, "root:root", unit_in,
	  systemd_install, systemd_uninstall, systemd_after_remove,
	  systemd_status, pam_linux },
};

/* Format a message for the user into *cause, if the caller wants one. */
static void __attribute__((format(printf, 2, 3)))
set_cause(char **cause, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*cause = xstrdup("(unprintable message)");
		return;
	}
	*cause = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(*cause, (size_t)n + 1, fmt, ap);
	va_end(ap);
}

/* The table entry of a platform, or NULL for SERVICE_NONE. */
static const struct svc_desc *
svc_find(enum service_platform platform)
{
	size_t	i;

	for (i = 0; i < sizeof svc_descs / sizeof svc_descs[0]; i++) {
		if (svc_descs[i].platform == platform)
			return (&svc_descs[i]);
	}
	return (NULL);
}

/* Parse "launchd" or "systemd" (lnshd install --platform NAME). */
int
service_platform_parse(const char *name, enum service_platform *out)
{
	size_t	i;

	for (i = 0; i < sizeof svc_descs / sizeof svc_descs[0]; i++) {
		if (strcmp(name, svc_descs[i].name) == 0) {
			*out = svc_descs[i].platform;
			return (0);
		}
	}
	return (LN_E_INVAL);
}

/*
 * The PAM file `lnshd install` writes for a platform, or NULL when lnshd
 * was built without PAM (or for no platform).
 */
const char *
service_pam(enum service_platform platform)
{
#ifdef LNSH_PAM
	const struct svc_desc	*d = svc_find(platform);

	return (d == NULL ? NULL : d->pam);
#else
	(void)platform;
	return (NULL);
#endif
}

/* The lnshd that `make install` put in place. */
const char *
service_default_lnshd(void)
{
	return (LNSH_SBINDIR "/lnshd");
}

/*
 * A path that can go into both files unquoted: absolute, and only
 * characters that neither XML nor systemd's command-line syntax treat
 * specially. Anything else is refused rather than escaped, because an
 * escaping mistake here would run the wrong program as root.
 */
static int
path_ok(const char *path)
{
	const char	*p;

	if (path[0] != '/' || strlen(path) >= PATH_MAX)
		return (0);
	for (p = path; *p != '\0'; p++) {
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._+-@", *p) == NULL)
			return (0);
	}
	return (1);
}

/* The service file for a platform and an lnshd path, newly allocated. */
int
service_render(enum service_platform platform, const char *lnshd,
    char **out, char **cause)
{
	const struct svc_desc	*d = svc_find(platform);
	const char		*at;
	char			*s;
	size_t			 pre, len, post;

	if (d == NULL) {
		set_cause(cause, "no service manager (launchd or systemd)");
		return (LN_E_INVAL);
	}
	if (lnshd == NULL)
		lnshd = service_default_lnshd();
	if (!path_ok(lnshd)) {
		set_cause(cause, "%s: lnshd must be an absolute path of "
		    "letters, digits and /._+-@", lnshd);
		return (LN_E_INVAL);
	}
	at = strstr(d->tmpl, LNSHD_AT);
	pre = (size_t)(at - d->tmpl);
	post = strlen(at + LNSHD_LEN);
	len = strlen(lnshd);
	s = xmalloc(pre + len + post + 1);
	memcpy(s, d->tmpl, pre);
	memcpy(s + pre, lnshd, len);
	memcpy(s + pre + len, at + LNSHD_LEN, post + 1);
	*out = s;
	return (0);
}

/* The staging root with no trailing slash; "" for the live system. */
static int
root_of(const struct service_opts *o, char *root, size_t size, char **cause)
{
	size_t	len;

	if (o->root == NULL || o->root[0] == '\0') {
		root[0] = '\0';
		return (0);
	}
	len = strlen(o->root);
	if (o->root[0] != '/' || len >= size) {
		set_cause(cause, "%s: the root must be an absolute path",
		    o->root);
		return (LN_E_INVAL);
	}
	memcpy(root, o->root, len + 1);
	while (len > 0 && root[len - 1] == '/')
		root[--len] = '\0';
	return (0);
}

/* Print a command as a shell would take it (none of ours needs quotes). */
static void
print_cmd(FILE *out, const char *verb, const struct svc_cmd *c)
{
	size_t	i;

	fprintf(out, "%s", verb);
	for (i = 0; c->argv[i] != NULL; i++)
		fprintf(out, " %s", c->argv[i]);
	switch (c->kind) {
	case SVC_MAY_FAIL:
		fprintf(out, "  (a failure is ignored: it may not be loaded)");
		break;
	case SVC_UNTIL_FAIL:
		fprintf(out, "  (until it fails: the old job is gone; at most "
		    "%d s)", SERVICE_POLLS * SERVICE_POLL_MS / 1000);
		break;
	case SVC_RETRY_EIO:
		fprintf(out, "  (again while it exits with status %d, the old "
		    "job still exiting; at most %d s)", SVC_EIO_STATUS,
		    SERVICE_POLLS * SERVICE_POLL_MS / 1000);
		break;
	case SVC_MUST:
		break;
	}
	fprintf(out, "\n");
}

/*
 * Run one command with fork and exec, never through a shell, and wait for
 * it. Only a command that must succeed shows its output: "not loaded" is
 * the expected answer of a stop on a first install, and of the wait after
 * it, and a bootstrap that will be retried says "Input/output error".
 */
static int
run_cmd(const struct service_opts *o, const struct svc_cmd *c, int *status,
    char **cause)
{
	char	prog[PATH_MAX];
	pid_t	pid;
	int	fd, st;

	if (c->argv[0][0] == '/' && o->tool_root != NULL) {
		if ((size_t)snprintf(prog, sizeof prog, "%s%s", o->tool_root,
		    c->argv[0]) >= sizeof prog) {
			set_cause(cause, "%s: the tool root is too long",
			    o->tool_root);
			return (LN_E_INVAL);
		}
	} else
		(void)snprintf(prog, sizeof prog, "%s", c->argv[0]);
	fflush(NULL);
	if ((pid = fork()) == -1) {
		set_cause(cause, "fork: %s", strerror(errno));
		return (LN_E_SYSTEM);
	}
	if (pid == 0) {
		if (c->kind != SVC_MUST &&
		    (fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			if (fd > STDERR_FILENO)
				close(fd);
		}
		execvp(prog, (char * const *)c->argv);
		fprintf(stderr, "%s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1) {
		if (errno != EINTR) {
			set_cause(cause, "waitpid: %s", strerror(errno));
			return (LN_E_SYSTEM);
		}
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return (0);
}

/* Sleep between two tries of a command that is waited for. */
static void
poll_pause(void)
{
	struct timespec	ts;

	ts.tv_sec = SERVICE_POLL_MS / 1000;
	ts.tv_nsec = (long)((SERVICE_POLL_MS % 1000) * LN_NS_PER_MS);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Run one command as its kind says: once, or again every SERVICE_POLL_MS
 * until its status is the awaited one, at most SERVICE_POLLS times. The
 * bound is a count of tries, not a clock: only proto/clock.c reads clocks.
 */
static int
run_one(const struct service_opts *o, const struct svc_cmd *c, char **cause)
{
	int	r, status, tries, polls, secs;

	polls = o->polls > 0 ? o->polls : SERVICE_POLLS;
	secs = polls * SERVICE_POLL_MS / 1000;
	for (tries = 1;; tries++) {
		if ((r = run_cmd(o, c, &status, cause)) != 0)
			return (r);
		if (c->kind == SVC_UNTIL_FAIL ? status != 0 :
		    c->kind != SVC_RETRY_EIO || status != SVC_EIO_STATUS)
			break;
		if (tries >= polls)
			break;
		poll_pause();
	}
	if (c->kind == SVC_UNTIL_FAIL && status == 0) {
		set_cause(cause, "%s is still loaded %d s after bootout: see "
		    "`sudo %s print system/%s` and /Library/Logs/lnshd.log, "
		    "then run lnshd install again", SERVICE_LABEL, secs,
		    c->argv[0], SERVICE_LABEL);
		return (LN_E_STATE);
	}
	if (c->kind == SVC_RETRY_EIO && status == SVC_EIO_STATUS) {
		set_cause(cause, "%s %s still exits with status %d "
		    "(Input/output error) after %d s: the old %s has not "
		    "exited; see `sudo %s print system/%s`, then run lnshd "
		    "install again", c->argv[0], c->argv[1], status, secs,
		    SERVICE_LABEL, c->argv[0], SERVICE_LABEL);
		return (LN_E_STATE);
	}
	if (status != 0 && c->kind != SVC_MAY_FAIL &&
	    c->kind != SVC_UNTIL_FAIL) {
		set_cause(cause, "%s %s exited with status %d",
		    c->argv[0], c->argv[1], status);
		return (LN_E_STATE);
	}
	return (0);
}

/*
 * Print and (unless dry_run or the options say not to) run a list of
 * commands, stopping at the first that fails and is not allowed to.
 */
static int
run_cmds(const struct svc_cmd *list, const struct service_opts *o,
    int dry_run, FILE *out, char **cause)
{
	const struct svc_cmd	*c;
	int			 r;

	for (c = list; c->argv[0] != NULL; c++) {
		if (!dry_run && o->no_commands) {
			print_cmd(out, "skip", c);
			continue;
		}
		print_cmd(out, c->kind == SVC_UNTIL_FAIL ? "wait" : "run", c);
		if (dry_run)
			continue;
		if ((r = run_one(o, c, cause)) != 0)
			return (r);
	}
	return (0);
}

/* Print a file as dry_run shows it: path, owner, mode, then each line. */
static void
print_file(FILE *out, const char *verb, const char *path,
    const struct svc_desc *d, const char *content)
{
	const char	*p, *nl;

	fprintf(out, "%s %s owner %s (0:0) mode %04o\n", verb, path, d->owner,
	    SERVICE_MODE);
	if (content == NULL)
		return;
	for (p = content; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL) {
			fprintf(out, "\t%s\n", p);
			break;
		}
		fprintf(out, "\t%.*s\n", (int)(nl - p), p);
	}
}

/*
 * Write a file atomically: a temporary file beside it gets the content,
 * the mode and root's ownership, reaches the disk, and is renamed over the
 * target, so launchd or systemd never read half a file and never see one
 * with the wrong owner (launchd refuses a plist not owned by root).
 */
static int
write_file(const char *path, const char *content, int chown_root,
    char **cause)
{
	char	 tmp[PATH_MAX];
	size_t	 len = strlen(content), off = 0;
	ssize_t	 n;
	int	 fd = -1, r = LN_E_SYSTEM;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >=
	    sizeof tmp) {
		set_cause(cause, "%s: path too long", path);
		return (LN_E_INVAL);
	}
	if ((fd = mkstemp(tmp)) == -1) {
		set_cause(cause, "%s: %s", tmp, strerror(errno));
		return (LN_E_SYSTEM);
	}
	while (off < len) {
		n = write(fd, content + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			set_cause(cause, "%s: %s", tmp, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, SERVICE_MODE) == -1 ||
	    (chown_root && fchown(fd, 0, 0) == -1) ||
	    fsync(fd) == -1) {
		set_cause(cause, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		set_cause(cause, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	r = 0;
out:
	if (fd != -1)
		close(fd);
	if (r != 0)
		unlink(tmp);
	return (r);
}

/*
 * Check what is common to the three verbs: a known platform, a usable
 * lnshd path and root, and root privileges when the live system is to be
 * changed. Fills j with the full path of the service file and its content
 * (job_free frees it), and starts a dry run's output with a line that says
 * so, lest anybody mistake it for the real thing.
 */
static int
prepare(const struct service_opts *o, const char *verb, int dry_run,
    int changes, FILE *out, struct svc_job *j, char **cause)
{
	const struct svc_desc	*d;
	char			 root[PATH_MAX], *content = NULL;
	const char		*lnshd;
	int			 r;

	if ((d = svc_find(o->platform)) == NULL) {
		set_cause(cause, "neither launchd nor systemd runs here: "
		    "start lnshd yourself, as root, in the foreground");
		return (LN_E_INVAL);
	}
	if ((r = root_of(o, root, sizeof root, cause)) != 0)
		return (r);
	if ((size_t)snprintf(j->path, sizeof j->path, "%s%s", root,
	    d->path) >= sizeof j->path) {
		set_cause(cause, "%s: the root is too long", root);
		return (LN_E_INVAL);
	}
	lnshd = o->lnshd_path != NULL ? o->lnshd_path :
	    service_default_lnshd();
	if ((r = service_render(o->platform, lnshd, &content, cause)) != 0)
		return (r);
	if (changes && !dry_run && root[0] == '\0') {
		if (geteuid() != 0) {
			set_cause(cause, "only root can change the system's "
			    "services: run it with sudo");
			r = LN_E_STATE;
		} else if (access(lnshd, X_OK) == -1) {
			set_cause(cause, "%s: %s", lnshd, strerror(errno));
			r = LN_E_SYSTEM;
		}
		if (r != 0) {
			free(content);
			return (r);
		}
	}
	if (dry_run)
		fprintf(out, "# lnshd %s (%s), dry run: nothing is written or "
		    "run\n", verb, d->name);
	j->d = d;
	j->content = content;
	return (0);
}

/* Frees what prepare filled in. */
static void
job_free(struct svc_job *j)
{
	free(j->content);
	j->content = NULL;
}

/*
 * The PAM file, before lnshd starts: written where there is none yet (a
 * dry run says which it would do), kept where there is one, skipped with
 * a word where there is no /etc/pam.d.
 */
static int
install_pam(const struct service_opts *o, const struct svc_job *j,
    int dry_run, FILE *out, char **cause)
{
	const char	*pam = service_pam(j->d->platform);
	char		 root[PATH_MAX], path[PATH_MAX], dir[PATH_MAX];
	struct stat	 st;
	int		 r;

	if (pam == NULL)
		return (0);
	if ((r = root_of(o, root, sizeof root, cause)) != 0)
		return (r);
	if ((size_t)snprintf(path, sizeof path, "%s%s", root, SERVICE_PAM) >=
	    sizeof path) {
		set_cause(cause, "%s: the root is too long", root);
		return (LN_E_INVAL);
	}
	if (lstat(path, &st) == 0) {
		fprintf(out, "keep %s (there is one: yours to edit)\n", path);
		return (0);
	}
	if (errno != ENOENT) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		return (LN_E_SYSTEM);
	}
	/* No /etc/pam.d: PAM reads /etc/pam.conf, or a staging root. */
	memcpy(dir, path, sizeof dir);
	*strrchr(dir, '/') = '\0';
	if (lstat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		fprintf(out, "skip %s (no directory %s: add lnshd's account "
		    "policy to the PAM configuration by hand, "
		    "docs/security.md)\n", path, dir);
		return (0);
	}
	if (dry_run) {
		print_file(out, "write", path, j->d, pam);
		return (0);
	}
	if ((r = write_file(path, pam, !o->no_chown, cause)) != 0)
		return (r);
	print_file(out, "wrote", path, j->d, NULL);
	return (0);
}

/*
 * Install the service file (and the PAM file, where there is none) and
 * start lnshd through the service manager. A
 * second install replaces the file and restarts lnshd (the sessions live
 * on: see docs/service.md), which is how an upgraded lnshd takes over.
 */
int
service_install(const struct service_opts *o, int dry_run, FILE *out,
    char **cause)
{
	struct svc_job	j;
	int		r;

	if ((r = prepare(o, "install", dry_run, 1, out, &j, cause)) != 0)
		return (r);
	if (dry_run)
		print_file(out, "write", j.path, j.d, j.content);
	else {
		if ((r = write_file(j.path, j.content, !o->no_chown,
		    cause)) != 0)
			goto out;
		print_file(out, "wrote", j.path, j.d, NULL);
	}
	if ((r = install_pam(o, &j, dry_run, out, cause)) != 0)
		goto out;
	r = run_cmds(j.d->install, o, dry_run, out, cause);
out:
	job_free(&j);
	return (r);
}

/*
 * Stop lnshd through the service manager and remove the service file. The
 * session holders are left running: uninstalling the service is not a
 * reason to kill someone's shell. The PAM file stays too: install wrote
 * it only where there was none, and it may hold the administrator's
 * edits by now.
 */
int
service_uninstall(const struct service_opts *o, int dry_run, FILE *out,
    char **cause)
{
	struct svc_job	j;
	int		r;

	if ((r = prepare(o, "uninstall", dry_run, 1, out, &j, cause)) != 0)
		return (r);
	if ((r = run_cmds(j.d->uninstall, o, dry_run, out, cause)) != 0)
		goto out;
	fprintf(out, "%s %s\n", dry_run ? "remove" : "removed", j.path);
	if (!dry_run && unlink(j.path) == -1 && errno != ENOENT) {
		set_cause(cause, "%s: %s", j.path, strerror(errno));
		r = LN_E_SYSTEM;
		goto out;
	}
	r = run_cmds(j.d->after_remove, o, dry_run, out, cause);
out:
	job_free(&j);
	return (r);
}

/*
 * Whether the installed file is the one install would write, with root's
 * ownership and mode 0644 (launchd ignores a plist that others can write).
 */
static int
check_file(const struct service_opts *o, const char *path,
    const char *content, FILE *out, char **cause)
{
	struct stat	 st;
	char		*have = NULL;
	size_t		 len = strlen(content), off = 0;
	ssize_t		 n;
	int		 fd, r = LN_E_STATE;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW)) == -1) {
		if (errno != ENOENT) {
			set_cause(cause, "%s: %s", path, strerror(errno));
			return (LN_E_SYSTEM);
		}
		set_cause(cause, "%s: not installed (lnshd install)", path);
		return (LN_E_STATE);
	}
	if (fstat(fd, &st) == -1) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		r = LN_E_SYSTEM;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 07777) != SERVICE_MODE ||
	    (!o->no_chown && (st.st_uid != 0 || st.st_gid != 0))) {
		set_cause(cause, "%s: owner %lu:%lu mode %04o, not 0:0 %04o "
		    "(lnshd install)", path, (unsigned long)st.st_uid,
		    (unsigned long)st.st_gid, (unsigned)(st.st_mode & 07777),
		    SERVICE_MODE);
		goto out;
	}
	if ((size_t)st.st_size != len || len > SERVICE_MAX_FILE)
		goto differs;
	have = xmalloc(len + 1);
	while (off < len) {
		n = read(fd, have + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off != len || memcmp(have, content, len) != 0)
		goto differs;
	fprintf(out, "file %s: installed, as lnshd install writes it\n", path);
	r = 0;
	goto out;
differs:
	set_cause(cause, "%s: differs from what this lnshd installs "
	    "(lnshd install)", path);
out:
	free(have);
	close(fd);
	return (r);
}

/*
 * Report on the installed service: the file first, then what the service
 * manager says (launchctl print, systemctl status), whose output goes
 * straight to the terminal. Returns 0 only if both are well.
 */
int
service_status(const struct service_opts *o, int dry_run, FILE *out,
    char **cause)
{
	struct svc_job	j;
	int		r;

	if ((r = prepare(o, "service-status", dry_run, 0, out, &j,
	    cause)) != 0)
		return (r);
	if (dry_run)
		print_file(out, "check", j.path, j.d, NULL);
	else if ((r = check_file(o, j.path, j.content, out, cause)) != 0)
		goto out;
	r = run_cmds(j.d->status, o, dry_run, out, cause);
out:
	job_free(&j);
	return (r);
}
