/*
 * test_install.c: `lnshd install / uninstall / service-status` print, write
 * and run exactly what docs/service.md says, for launchd and for systemd,
 * whatever machine the test runs on.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "server.h"

#define PLIST	"/Library/LaunchDaemons/org.lnsh.lnshd.plist"
#define UNIT	"/etc/systemd/system/lnshd.service"
#define PAM	"/etc/pam.d/lnshd"

/* A staging root with the two service directories, and a bin/ for PATH. */
struct fixture {
	char	root[256];
	char	log[PATH_MAX];
	char	*old_path;
};

/* Run a shell command line, failing the test if it fails. */
static void sh(const char *, ...) __attribute__((format(printf, 1, 2)));
static void
sh(const char *fmt, ...)
{
	char	cmd[4 * PATH_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* Read a whole file into a new string, or NULL if it is not there. */
static char *
slurp(const char *path)
{
	FILE	*f;
	char	*s;
	long	 len;

	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	s = xmalloc((size_t)len + 1);
	assert_int_equal(fread(s, 1, (size_t)len, f), (size_t)len);
	s[len] = '\0';
	fclose(f);
	return (s);
}

/* Everything written to a stream since it was opened, as a string. */
static char *
drain(FILE *f)
{
	char	*s;
	long	 len;

	fflush(f);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	s = xmalloc((size_t)len + 1);
	assert_int_equal(fread(s, 1, (size_t)len, f), (size_t)len);
	s[len] = '\0';
	fclose(f);
	return (s);
}

/* A file as a dry run shows it: every line behind a tab. */
static char *
indent(const char *content)
{
	char		*s = xmalloc(2 * strlen(content) + 2), *q = s;
	const char	*p;
	int		 bol = 1;

	for (p = content; *p != '\0'; p++) {
		if (bol)
			*q++ = '\t';
		*q++ = *p;
		bol = (*p == '\n');
	}
	*q = '\0';
	return (s);
}

/* Make the staging root, and a bin/ directory first in PATH. */
static int
setup(void **state)
{
	struct fixture	*fx = xcalloc(1, sizeof *fx);
	const char	*path = getenv("PATH");
	char		 newpath[3 * PATH_MAX];

	snprintf(fx->root, sizeof fx->root, "%s/lnsh-install.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(fx->root) == NULL)
		return (-1);
	sh("mkdir -p '%s/Library/LaunchDaemons' '%s/etc/systemd/system' "
	    "'%s/etc/pam.d' '%s/bin'", fx->root, fx->root, fx->root, fx->root);
	snprintf(fx->log, sizeof fx->log, "%s/commands.log", fx->root);
	fx->old_path = xstrdup(path != NULL ? path : "/usr/bin:/bin");
	snprintf(newpath, sizeof newpath, "%s/bin:%s", fx->root,
	    fx->old_path);
	setenv("PATH", newpath, 1);
	*state = fx;
	return (0);
}

/* Remove the staging root and restore PATH. */
static int
teardown(void **state)
{
	struct fixture	*fx = *state;

	sh("rm -rf '%s'", fx->root);
	setenv("PATH", fx->old_path, 1);
	free(fx->old_path);
	free(fx);
	return (0);
}

/*
 * A stand-in for launchctl or systemctl in the staging bin/: it appends
 * its arguments to the log and exits with the given status, or with 1
 * when its first argument is `fail_on`.
 */
static void
fake_tool(struct fixture *fx, const char *name, const char *fail_on)
{
	char	 path[PATH_MAX];
	FILE	*f;

	snprintf(path, sizeof path, "%s/bin/%s", fx->root, name);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "#!/bin/sh\necho \"%s $*\" >>'%s'\n"
	    "[ \"$1\" = '%s' ] && exit 1\nexit 0\n", name, fx->log,
	    fail_on != NULL ? fail_on : "");
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

/*
 * A stand-in for launchd's /bin/launchctl at tools/bin/launchctl under the
 * staging root (the tests' tool_root is root/tools). It logs "/bin/launchctl ARGS" and answers
 * as launchd does while an old job exits: `print` finds the job for the
 * first `found` calls (status 0), then not (113); `bootstrap` fails with
 * status 5 for the first `eio` calls, then exits with `boot_status`.
 */
static void
fake_launchctl(struct fixture *fx, int found, int eio, int boot_status)
{
	char	 path[PATH_MAX];
	FILE	*f;

	sh("mkdir -p '%s/tools/bin'", fx->root);
	snprintf(path, sizeof path, "%s/tools/bin/launchctl", fx->root);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "#!/bin/sh\n"
	    "echo \"/bin/launchctl $*\" >>'%s'\n"
	    "n=$(grep -c \"^/bin/launchctl $1 \" '%s')\n"
	    "case $1 in\n"
	    "print) [ \"$n\" -le %d ] && exit 0; exit 113;;\n"
	    "bootstrap) [ \"$n\" -le %d ] && exit 5; exit %d;;\n"
	    "esac\n"
	    "exit 0\n", fx->log, fx->log, found, eio, boot_status);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

/* The files `make install` ships are exactly what `lnshd install` writes. */
static void
test_render_matches_built_files(void **state)
{
	char	*want, *got, *cause = NULL;

	want = slurp(SERVICE_BUILT_DIR "/org.lnsh.lnshd.plist");
	assert_non_null(want);
	assert_int_equal(service_render(SERVICE_LAUNCHD, NULL, &got, &cause),
	    0);
	assert_string_equal(got, want);
	assert_non_null(strstr(got, "<string>" LNSH_SBINDIR "/lnshd</string>"));
	free(want);
	free(got);

	want = slurp(SERVICE_BUILT_DIR "/lnshd.service");
	assert_non_null(want);
	assert_int_equal(service_render(SERVICE_SYSTEMD, NULL, &got, &cause),
	    0);
	assert_string_equal(got, want);
	assert_non_null(strstr(got, "\nExecStart=" LNSH_SBINDIR "/lnshd\n"));
	free(want);
	free(got);
	assert_null(cause);

	/* The PAM files, where lnshd has PAM. */
#ifdef LNSH_PAM
	want = slurp(SERVICE_SRC_DIR "/pam.d-lnshd.macos");
	assert_non_null(want);
	assert_string_equal(service_pam(SERVICE_LAUNCHD), want);
	free(want);
	want = slurp(SERVICE_SRC_DIR "/pam.d-lnshd.linux");
	assert_non_null(want);
	assert_string_equal(service_pam(SERVICE_SYSTEMD), want);
	free(want);
#else
	assert_null(service_pam(SERVICE_LAUNCHD));
	assert_null(service_pam(SERVICE_SYSTEMD));
#endif
	assert_null(service_pam(SERVICE_NONE));
}

/*
 * What a dry install says about the PAM file of a platform on this
 * machine: nothing without PAM, "keep" where there is one, else the
 * whole file it would write. Allocated.
 */
static char *
dry_pam(enum service_platform platform, const char *owner)
{
	const char	*pam = service_pam(platform);
	char		*body, *s;
	struct stat	 st;
	size_t		 len;

	if (pam == NULL)
		return (xstrdup(""));
	if (lstat(PAM, &st) == 0)
		return (xstrdup("keep " PAM " (there is one: yours to edit)\n"));
	body = indent(pam);
	len = strlen(body) + 128;
	s = xmalloc(len);
	snprintf(s, len, "write " PAM " owner %s (0:0) mode 0644\n%s", owner,
	    body);
	free(body);
	return (s);
}

/* Run a dry install of one platform and compare every line of it. */
static void
check_dry_install(enum service_platform platform, const char *built,
    const char *head, const char *owner, const char *cmds)
{
	struct service_opts	 o = { .platform = platform };
	char			*file, *body, *want, *out, *cause = NULL;
	char			*pam;
	FILE			*f;
	size_t			 len;

	file = slurp(built);
	assert_non_null(file);
	body = indent(file);
	pam = dry_pam(platform, owner);
	len = strlen(head) + strlen(body) + strlen(pam) + strlen(cmds) + 1;
	want = xmalloc(len);
	snprintf(want, len, "%s%s%s%s", head, body, pam, cmds);
	free(pam);

	assert_non_null(f = tmpfile());
	assert_int_equal(service_install(&o, 1, f, &cause), 0);
	out = drain(f);
	assert_string_equal(out, want);
	assert_null(cause);
	free(out);
	free(want);
	free(body);
	free(file);
}

/*
 * launchd: the plist, root:wheel 0644, then bootout, a wait until the old
 * job is gone, enable and bootstrap, by launchctl's absolute path.
 */
static void
test_dry_install_launchd(void **state)
{
	check_dry_install(SERVICE_LAUNCHD,
	    SERVICE_BUILT_DIR "/org.lnsh.lnshd.plist",
	    "# lnshd install (launchd), dry run: nothing is written or run\n"
	    "write " PLIST " owner root:wheel (0:0) mode 0644\n", "root:wheel",
	    "run /bin/launchctl bootout system/org.lnsh.lnshd"
	    "  (a failure is ignored: it may not be loaded)\n"
	    "wait /bin/launchctl print system/org.lnsh.lnshd"
	    "  (until it fails: the old job is gone; at most 10 s)\n"
	    "run /bin/launchctl enable system/org.lnsh.lnshd\n"
	    "run /bin/launchctl bootstrap system " PLIST
	    "  (again while it exits with status 5, the old job still "
	    "exiting; at most 10 s)\n");
}

/* systemd: the unit, root:root 0644, then reload, enable and restart. */
static void
test_dry_install_systemd(void **state)
{
	check_dry_install(SERVICE_SYSTEMD, SERVICE_BUILT_DIR "/lnshd.service",
	    "# lnshd install (systemd), dry run: nothing is written or run\n"
	    "write " UNIT " owner root:root (0:0) mode 0644\n", "root:root",
	    "run systemctl daemon-reload\n"
	    "run systemctl enable lnshd.service\n"
	    "run systemctl restart lnshd.service\n");
}

/* Run one verb dry and return what it printed. */
static char *
dry(int (*fn)(const struct service_opts *, int, FILE *, char **),
    enum service_platform platform, const char *root)
{
	struct service_opts	 o = { .platform = platform, .root = root };
	char			*cause = NULL;
	FILE			*f;

	assert_non_null(f = tmpfile());
	assert_int_equal(fn(&o, 1, f, &cause), 0);
	assert_null(cause);
	return (drain(f));
}

/* Uninstall and service-status, dry, on both platforms. */
static void
test_dry_uninstall_status(void **state)
{
	char	*out;

	out = dry(service_uninstall, SERVICE_LAUNCHD, NULL);
	assert_string_equal(out,
	    "# lnshd uninstall (launchd), dry run: nothing is written or run\n"
	    "run /bin/launchctl bootout system/org.lnsh.lnshd"
	    "  (a failure is ignored: it may not be loaded)\n"
	    "remove " PLIST "\n");
	free(out);
	out = dry(service_uninstall, SERVICE_SYSTEMD, NULL);
	assert_string_equal(out,
	    "# lnshd uninstall (systemd), dry run: nothing is written or run\n"
	    "run systemctl disable --now lnshd.service"
	    "  (a failure is ignored: it may not be loaded)\n"
	    "remove " UNIT "\n"
	    "run systemctl daemon-reload\n");
	free(out);
	out = dry(service_status, SERVICE_LAUNCHD, NULL);
	assert_string_equal(out,
	    "# lnshd service-status (launchd), dry run: nothing is written "
	    "or run\n"
	    "check " PLIST " owner root:wheel (0:0) mode 0644\n"
	    "run /bin/launchctl print system/org.lnsh.lnshd\n");
	free(out);
	out = dry(service_status, SERVICE_SYSTEMD, NULL);
	assert_string_equal(out,
	    "# lnshd service-status (systemd), dry run: nothing is written "
	    "or run\n"
	    "check " UNIT " owner root:root (0:0) mode 0644\n"
	    "run systemctl status --no-pager lnshd.service\n");
	free(out);
}

/* A dry run into a staging root shows the staged paths and writes nothing. */
static void
test_dry_run_writes_nothing(void **state)
{
	struct fixture	*fx = *state;
	char		 path[PATH_MAX], line[2 * PATH_MAX], *out;
	struct stat	 st;

	out = dry(service_install, SERVICE_LAUNCHD, fx->root);
	snprintf(line, sizeof line, "\nwrite %s" PLIST " owner", fx->root);
	assert_non_null(strstr(out, line));
	free(out);
	snprintf(path, sizeof path, "%s" PLIST, fx->root);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
	out = dry(service_install, SERVICE_SYSTEMD, fx->root);
	free(out);
	snprintf(path, sizeof path, "%s" UNIT, fx->root);
	assert_int_equal(stat(path, &st), -1);
	sh("test -z \"$(ls -A '%s/Library/LaunchDaemons')\"", fx->root);
	sh("test -z \"$(ls -A '%s/etc/systemd/system')\"", fx->root);
	sh("test -z \"$(ls -A '%s/etc/pam.d')\"", fx->root);
}

/*
 * After a real install into the staging root: the PAM file as shipped,
 * 0644, alone in its directory; a second install keeps an edited one.
 * Removed at the end, for the other platform's turn.
 */
static void
check_real_pam(struct fixture *fx, enum service_platform platform,
    int no_chown)
{
	struct service_opts	 o = {
		.platform = platform,
		.lnshd_path = "/opt/lnsh/sbin/lnshd",
		.root = fx->root,
		.no_commands = 1,
		.no_chown = no_chown,
	};
	const char		*pam = service_pam(platform);
	char			 path[PATH_MAX], *got, *out, *cause = NULL;
	struct stat		 st;
	FILE			*f;

	snprintf(path, sizeof path, "%s" PAM, fx->root);
	if (pam == NULL) {
		assert_int_equal(stat(path, &st), -1);
		return;
	}
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	if (!no_chown)
		assert_int_equal(st.st_uid, 0);
	got = slurp(path);
	assert_string_equal(got, pam);
	free(got);
	sh("test $(ls -A '%s/etc/pam.d' | wc -l) -eq 1", fx->root);
	sh("echo '# edited' >>'%s'", path);
	assert_non_null(f = tmpfile());
	assert_int_equal(service_install(&o, 0, f, &cause), 0);
	out = drain(f);
	assert_non_null(strstr(out, "keep "));
	free(out);
	got = slurp(path);
	assert_non_null(strstr(got, "# edited"));
	free(got);
	assert_int_equal(unlink(path), 0);
	/* Put it back for the rest of check_real_install. */
	assert_non_null(f = tmpfile());
	assert_int_equal(service_install(&o, 0, f, &cause), 0);
	free(drain(f));
	assert_int_equal(stat(path, &st), 0);
}

/* Install into the staging root for real, check it, then remove it. */
static void
check_real_install(struct fixture *fx, enum service_platform platform,
    const char *where)
{
	struct service_opts	 o = {
		.platform = platform,
		.lnshd_path = "/opt/lnsh/sbin/lnshd",
		.root = fx->root,
		.no_commands = 1,
		.no_chown = (geteuid() != 0),
	};
	char			 path[PATH_MAX], *got, *want, *out;
	char			*cause = NULL;
	struct stat		 st;
	FILE			*f;

	snprintf(path, sizeof path, "%s%s", fx->root, where);
	assert_non_null(f = tmpfile());
	assert_int_equal(service_install(&o, 0, f, &cause), 0);
	out = drain(f);
	assert_non_null(strstr(out, "wrote "));
	assert_non_null(strstr(out, "\nskip "));
	assert_null(strstr(out, "\nrun "));
	free(out);

	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	if (!o.no_chown) {
		assert_int_equal(st.st_uid, 0);
		assert_int_equal(st.st_gid, 0);
	}
	assert_int_equal(service_render(platform, o.lnshd_path, &want, &cause),
	    0);
	got = slurp(path);
	assert_string_equal(got, want);
	assert_non_null(strstr(got, "/opt/lnsh/sbin/lnshd"));
	free(got);
	free(want);
	/* Only the file: no temporary file is left beside it. */
	sh("test $(ls -A \"$(dirname '%s')\" | wc -l) -eq 1", path);
	check_real_pam(fx, platform, o.no_chown);

	/* service-status agrees, and notices a wrong mode. */
	assert_non_null(f = tmpfile());
	assert_int_equal(service_status(&o, 0, f, &cause), 0);
	free(drain(f));
	assert_int_equal(chmod(path, 0666), 0);
	assert_non_null(f = tmpfile());
	assert_int_equal(service_status(&o, 0, f, &cause), LN_E_STATE);
	assert_non_null(strstr(cause, "mode 0666"));
	free(cause);
	cause = NULL;
	free(drain(f));

	/* A second install puts the mode right again. */
	assert_non_null(f = tmpfile());
	assert_int_equal(service_install(&o, 0, f, &cause), 0);
	free(drain(f));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);

	/* Uninstall removes it; status then says so. */
	assert_non_null(f = tmpfile());
	assert_int_equal(service_uninstall(&o, 0, f, &cause), 0);
	free(drain(f));
	assert_int_equal(stat(path, &st), -1);
	assert_non_null(f = tmpfile());
	assert_int_equal(service_status(&o, 0, f, &cause), LN_E_STATE);
	assert_non_null(strstr(cause, "not installed"));
	free(cause);
	free(drain(f));
	/* Uninstall leaves the PAM policy, the administrator's by now. */
	if (service_pam(platform) != NULL) {
		snprintf(path, sizeof path, "%s" PAM, fx->root);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(unlink(path), 0);
	}
}

/* Both platforms, into the staging root. */
static void
test_real_install(void **state)
{
	check_real_install(*state, SERVICE_LAUNCHD, PLIST);
	check_real_install(*state, SERVICE_SYSTEMD, UNIT);
}

/*
 * The commands really run, through PATH and in order, with fake tools in
 * the staging bin/; a failing stop is ignored, a failing start is not.
 */
static void
test_commands_run(void **state)
{
	struct fixture		*fx = *state;
	struct service_opts	 o = {
		.platform = SERVICE_SYSTEMD,
		.lnshd_path = "/opt/lnsh/sbin/lnshd",
		.root = fx->root,
		.no_chown = (geteuid() != 0),
	};
	char			 tools[PATH_MAX], *log, *cause = NULL;
	FILE			*f;

	fake_tool(fx, "systemctl", "disable");
	assert_non_null(f = tmpfile());
	assert_int_equal(service_install(&o, 0, f, &cause), 0);
	free(drain(f));
	assert_non_null(f = tmpfile());
	assert_int_equal(service_uninstall(&o, 0, f, &cause), 0);
	free(drain(f));
	log = slurp(fx->log);
	assert_string_equal(log,
	    "systemctl daemon-reload\n"
	    "systemctl enable lnshd.service\n"
	    "systemctl restart lnshd.service\n"
	    "systemctl disable --now lnshd.service\n"
	    "systemctl daemon-reload\n");
	free(log);

	o.platform = SERVICE_LAUNCHD;
	snprintf(tools, sizeof tools, "%s/tools", fx->root);
	o.tool_root = tools;
	fake_launchctl(fx, 0, 0, 1);
	assert_non_null(f = tmpfile());
	assert_int_equal(service_install(&o, 0, f, &cause), LN_E_STATE);
	assert_string_equal(cause,
	    "/bin/launchctl bootstrap exited with status 1");
	free(cause);
	free(drain(f));
	log = slurp(fx->log);
	assert_non_null(strstr(log,
	    "/bin/launchctl bootout system/org.lnsh.lnshd\n"
	    "/bin/launchctl print system/org.lnsh.lnshd\n"
	    "/bin/launchctl enable system/org.lnsh.lnshd\n"
	    "/bin/launchctl bootstrap system " PLIST "\n"));
	free(log);
}

/*
 * launchd after a bootout: the old job stays visible to `launchctl print`
 * for three polls and the first bootstrap fails with status 5, as it does
 * while the old job is still exiting. install waits for the job to go,
 * enables the label, retries the bootstrap, and succeeds; the launchctl
 * that runs is the absolute /bin/launchctl (under tool_root), never one
 * found through PATH.
 */
static void
test_launchd_sequence(void **state)
{
	struct fixture		*fx = *state;
	struct service_opts	 o = {
		.platform = SERVICE_LAUNCHD,
		.lnshd_path = "/opt/lnsh/sbin/lnshd",
		.root = fx->root,
		.no_chown = (geteuid() != 0),
	};
	char			 tools[PATH_MAX], *log, *cause = NULL;
	FILE			*f;

	/* A launchctl in PATH that must not run. */
	fake_tool(fx, "launchctl", NULL);
	snprintf(tools, sizeof tools, "%s/tools", fx->root);
	o.tool_root = tools;
	fake_launchctl(fx, 3, 1, 0);
	assert_non_null(f = tmpfile());
	assert_int_equal(service_install(&o, 0, f, &cause), 0);
	assert_null(cause);
	free(drain(f));
	log = slurp(fx->log);
	assert_string_equal(log,
	    "/bin/launchctl bootout system/org.lnsh.lnshd\n"
	    "/bin/launchctl print system/org.lnsh.lnshd\n"
	    "/bin/launchctl print system/org.lnsh.lnshd\n"
	    "/bin/launchctl print system/org.lnsh.lnshd\n"
	    "/bin/launchctl print system/org.lnsh.lnshd\n"
	    "/bin/launchctl enable system/org.lnsh.lnshd\n"
	    "/bin/launchctl bootstrap system " PLIST "\n"
	    "/bin/launchctl bootstrap system " PLIST "\n");
	free(log);

	/* A job that never goes: a bounded wait, then a clear error. */
	sh("rm -f '%s'", fx->log);
	fake_launchctl(fx, 1000, 0, 0);
	o.polls = 3;
	assert_non_null(f = tmpfile());
	assert_int_equal(service_install(&o, 0, f, &cause), LN_E_STATE);
	assert_non_null(strstr(cause, "org.lnsh.lnshd is still loaded"));
	assert_non_null(strstr(cause, "run lnshd install again"));
	free(cause);
	cause = NULL;
	free(drain(f));
	log = slurp(fx->log);
	assert_string_equal(log,
	    "/bin/launchctl bootout system/org.lnsh.lnshd\n"
	    "/bin/launchctl print system/org.lnsh.lnshd\n"
	    "/bin/launchctl print system/org.lnsh.lnshd\n"
	    "/bin/launchctl print system/org.lnsh.lnshd\n");
	free(log);

	/* A bootstrap that keeps saying 5: bounded too. */
	sh("rm -f '%s'", fx->log);
	fake_launchctl(fx, 0, 1000, 0);
	assert_non_null(f = tmpfile());
	assert_int_equal(service_install(&o, 0, f, &cause), LN_E_STATE);
	assert_non_null(strstr(cause, "/bin/launchctl bootstrap still exits "
	    "with status 5 (Input/output error)"));
	free(cause);
	free(drain(f));
	log = slurp(fx->log);
	assert_string_equal(log,
	    "/bin/launchctl bootout system/org.lnsh.lnshd\n"
	    "/bin/launchctl print system/org.lnsh.lnshd\n"
	    "/bin/launchctl enable system/org.lnsh.lnshd\n"
	    "/bin/launchctl bootstrap system " PLIST "\n"
	    "/bin/launchctl bootstrap system " PLIST "\n"
	    "/bin/launchctl bootstrap system " PLIST "\n");
	free(log);
}

/* Paths that could smuggle XML or systemd syntax, and no platform. */
static void
test_refusals(void **state)
{
	struct fixture		*fx = *state;
	struct service_opts	 o = { .platform = SERVICE_LAUNCHD,
				       .root = fx->root, .no_commands = 1,
				       .no_chown = 1 };
	const char		*bad[] = { "lnshd", "/usr/sbin/ln shd",
				    "/usr/sbin/lnshd</string>", "/a;b", "" };
	char			*cause = NULL, *s = NULL;
	size_t			 i;
	FILE			*f;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		o.lnshd_path = bad[i];
		assert_non_null(f = tmpfile());
		assert_int_equal(service_install(&o, 0, f, &cause),
		    LN_E_INVAL);
		assert_non_null(cause);
		free(cause);
		cause = NULL;
		free(s = drain(f));
		assert_int_equal(service_render(SERVICE_SYSTEMD, bad[i], &s,
		    &cause), LN_E_INVAL);
		free(cause);
		cause = NULL;
	}
	o.lnshd_path = NULL;
	o.platform = SERVICE_NONE;
	assert_non_null(f = tmpfile());
	assert_int_equal(service_install(&o, 1, f, &cause), LN_E_INVAL);
	assert_non_null(strstr(cause, "neither launchd nor systemd"));
	free(cause);
	cause = NULL;
	free(drain(f));
	o.platform = SERVICE_LAUNCHD;
	o.root = "relative/root";
	assert_non_null(f = tmpfile());
	assert_int_equal(service_install(&o, 1, f, &cause), LN_E_INVAL);
	free(cause);
	free(drain(f));
	sh("test -z \"$(ls -A '%s/Library/LaunchDaemons')\"", fx->root);
}

/* A missing service directory fails cleanly and leaves nothing behind. */
static void
test_missing_directory(void **state)
{
	struct fixture		*fx = *state;
	struct service_opts	 o = { .platform = SERVICE_SYSTEMD,
				       .root = fx->root, .no_commands = 1,
				       .no_chown = 1 };
	char			*cause = NULL;
	FILE			*f;

	sh("rmdir '%s/etc/systemd/system'", fx->root);
	assert_non_null(f = tmpfile());
	assert_int_equal(service_install(&o, 0, f, &cause), LN_E_SYSTEM);
	assert_non_null(strstr(cause, "/etc/systemd/system/lnshd.service"));
	free(cause);
	assert_string_equal((char *)(cause = drain(f)), "");
	free(cause);
	sh("test -z \"$(ls -A '%s/etc/systemd')\"", fx->root);
}

/* No /etc/pam.d under the root: the service is installed, the PAM file
 * skipped with a word (where lnshd has PAM). */
static void
test_no_pam_directory(void **state)
{
	struct fixture		*fx = *state;
	struct service_opts	 o = { .platform = SERVICE_SYSTEMD,
				       .root = fx->root, .no_commands = 1,
				       .no_chown = 1 };
	char			*cause = NULL, *out, line[PATH_MAX + 16];
	FILE			*f;

	sh("rmdir '%s/etc/pam.d'", fx->root);
	assert_non_null(f = tmpfile());
	assert_int_equal(service_install(&o, 0, f, &cause), 0);
	out = drain(f);
	assert_non_null(strstr(out, "wrote "));
	snprintf(line, sizeof line, "\nskip %s" PAM " (no directory",
	    fx->root);
	if (service_pam(SERVICE_SYSTEMD) != NULL)
		assert_non_null(strstr(out, line));
	free(out);
	sh("test ! -e '%s/etc/pam.d'", fx->root);
}

/* Platform names parse, and detection gives one of the three. */
static void
test_platform_names(void **state)
{
	enum service_platform	p = SERVICE_NONE;
	const LargestIntegralType platforms[] = {
		SERVICE_NONE, SERVICE_LAUNCHD, SERVICE_SYSTEMD
	};

	assert_int_equal(service_platform_parse("launchd", &p), 0);
	assert_int_equal(p, SERVICE_LAUNCHD);
	assert_int_equal(service_platform_parse("systemd", &p), 0);
	assert_int_equal(p, SERVICE_SYSTEMD);
	assert_int_equal(service_platform_parse("upstart", &p), LN_E_INVAL);
	assert_int_equal(p, SERVICE_SYSTEMD);
	p = service_os_platform();
	assert_in_set(p, platforms, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_matches_built_files),
		cmocka_unit_test(test_dry_install_launchd),
		cmocka_unit_test(test_dry_install_systemd),
		cmocka_unit_test(test_dry_uninstall_status),
		cmocka_unit_test_setup_teardown(test_dry_run_writes_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_install,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_commands_run,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_launchd_sequence,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_directory,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_pam_directory,
		    setup, teardown),
		cmocka_unit_test(test_platform_names),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
