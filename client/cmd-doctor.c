/*
 * cmd-doctor.c: `lnsh doctor HOST [--lan ADDR:PORT] [--wait SEC]`, the
 * check that a program inside an lnsh session on HOST keeps its access to
 * the local network once no client is connected (docs/macos.md).
 *
 * It creates a throwaway session (doctor-XXXXXXXX) running DOCTOR_SCRIPT,
 * a POSIX sh script that finds the target (ADDR:PORT, or HOST's default
 * gateway on port 80), makes a TCP connection to it at once ("probe 1"),
 * then waits for Enter. Every verb is one request on its own connection,
 * so by then the connection that created the session is gone. After
 * --wait seconds (default 5) with no client at all, `send` types Enter
 * and the session connects again ("probe 2"). Each probe prints one line,
 *
 *	lnsh-doctor N OK
 *	lnsh-doctor N ERR <the error text, e.g. No route to host>
 *
 * which `capture` reads back. The session is killed whatever happens.
 * Exit 0 when both connections were made, 1 when one failed (the error
 * and what to do on one stderr line), 3 when HOST does not answer.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "rpc.pb-c.h"
#include "client.h"

#define DOCTOR_WAIT_DEFAULT_S	5
#define DOCTOR_PROBE_WAIT_S	20	/* for a probe's line: 3 s connect */
#define DOCTOR_POLL_MS		250	/* within LN_INIT_PER_KEY_PER_SEC */
#define DOCTOR_LIFE_EXTRA_S	300	/* a forgotten session ends itself */
#define DOCTOR_DEFAULT_PORT	"80"
#define DOCTOR_TAG		"lnsh-doctor "
#define DOCTOR_LINE_MAX		128
#define DOCTOR_DOCS		"docs/macos.md"

/*
 * The probe, run as: sh -c DOCTOR_SCRIPT lnsh-doctor ADDR PORT LIFE.
 *
 * The connection is made with nc (netcat), which every Mac has in
 * /usr/bin and Linux distributions package (netcat-openbsd on Debian):
 * python3 cannot be relied on on a stock Mac, where /usr/bin/python3 is a
 * stub that asks to install the developer tools, and macOS's sh has no
 * /dev/tcp. Where nc is missing, python3 does the same. LC_ALL=C keeps the
 * error text in English, which is what lnsh matches its advice against.
 *
 * gateway() is the one place where macOS and Linux differ: BSD route(8)
 * prints "gateway: ADDR" for `route -n get default`; Linux has ip(8), whose
 * `ip route show default` says "default via ADDR ...". Each command fails
 * quietly on the other system, so both are simply tried in turn.
 *
 * A background sleep kills the shell after LIFE seconds, so that a doctor
 * interrupted before its kill leaves nothing running for long.
 */
static const char DOCTOR_SCRIPT[] =
	"a=$1 p=$2\n"
	"LC_ALL=C; export LC_ALL\n"
	"(sleep \"$3\"; kill $$) </dev/null >/dev/null 2>&1 &\n"
	"PY='import socket, sys\n"
	"try:\n"
	"    socket.create_connection((sys.argv[1], int(sys.argv[2])), 3)"
	".close()\n"
	"except socket.timeout:\n"
	"    print(\"timed out (no answer in 3 s)\"); sys.exit(1)\n"
	"except OSError as e:\n"
	"    print(e.strerror or e); sys.exit(1)\n"
	"'\n"
	"gateway() {\n"
	"\tg=$(route -n get default 2>/dev/null |\n"
	"\t    awk '$1 == \"gateway:\" { print $2; exit }')\n"
	"\t[ -n \"$g\" ] || g=$(ip route show default 2>/dev/null |\n"
	"\t    awk '$1 == \"default\" && $2 == \"via\" { print $3; exit }')\n"
	"\techo \"$g\"\n"
	"}\n"
	"probe() {\n"
	"\tif command -v nc >/dev/null 2>&1; then\n"
	"\t\te=$(nc -z -v -w 3 \"$a\" \"$p\" 2>&1) && "
	"{ echo \"lnsh-doctor $1 OK\"; return; }\n"
	"\t\tcase $e in\n"
	"\t\t*\"timed out\"*) e=\"timed out (no answer in 3 s)\";;\n"
	"\t\t*) e=$(printf '%s\\n' \"$e\" | sed -n '$s/.*: //p');;\n"
	"\t\tesac\n"
	"\telif python3 -c '' >/dev/null 2>&1; then\n"
	"\t\te=$(python3 -c \"$PY\" \"$a\" \"$p\" 2>&1) && "
	"{ echo \"lnsh-doctor $1 OK\"; return; }\n"
	"\telse\n"
	"\t\te=\"no probe tool: neither nc nor python3 is installed\"\n"
	"\tfi\n"
	"\techo \"lnsh-doctor $1 ERR ${e:-unknown error}\"\n"
	"}\n"
	"[ -n \"$a\" ] || a=$(gateway)\n"
	"if [ -z \"$a\" ]; then\n"
	"\techo \"lnsh-doctor target - $p\"\n"
	"\techo \"lnsh-doctor 1 ERR no default gateway found\"\n"
	"\twait; exit 1\n"
	"fi\n"
	"echo \"lnsh-doctor target $a $p\"\n"
	"probe 1\n"
	"read x\n"
	"probe 2\n"
	"wait\n";

static int	cmd_doctor_exec(const struct cmd_entry *, struct cmd_args *);

static const struct cmd_opt cmd_doctor_opts[] = {
	{ "lan", 1 },
	{ "wait", 1 },
	{ NULL, 0 }
};

const struct cmd_entry cmd_doctor_entry = {
	.name = "doctor",
	.usage = "HOST [--lan ADDR:PORT] [--wait SEC]",
	.summary = "check that a detached session on HOST keeps local-network "
	    "access (docs/macos.md)",
	.opts = cmd_doctor_opts,
	.lower = 1,
	.upper = 1,
	.exec = cmd_doctor_exec,
};

/*
 * Splits --lan's "ADDR:PORT" or "[V6ADDR]:PORT" into its parts. ADDR is
 * kept to the characters of host names and IP addresses: it is handed to
 * a shell script as an argument, never interpolated, but a stray option
 * or space would still make nc say something confusing.
 */
static int
doctor_parse_lan(const char *s, char *addr, size_t asize, char *port,
    size_t psize)
{
	const char	*colon, *a = s;
	char		*end;
	size_t		 alen;
	long		 n;

	if (*s == '[') {
		a = s + 1;
		if ((colon = strchr(a, ']')) == NULL || colon[1] != ':')
			return (-1);
		alen = (size_t)(colon - a);
		colon++;
	} else {
		if ((colon = strchr(s, ':')) == NULL ||
		    strchr(colon + 1, ':') != NULL)
			return (-1);
		alen = (size_t)(colon - s);
	}
	if (alen == 0 || alen >= asize || *a == '-' ||
	    strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789.:-%_") < alen)
		return (-1);
	errno = 0;
	n = strtol(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || n < 1 ||
	    n > 65535)
		return (-1);
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	snprintf(port, psize, "%ld", n);
	return (0);
}

/*
 * Waits ms milliseconds. Waiting is what doctor is for: the second probe
 * must come after a while with no client, and a probe's answer appears in
 * the session when the session gets to it, so it is polled for.
 */
static void
doctor_pause(unsigned ms)
{
	struct timespec	ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)((ms % 1000) * LN_NS_PER_MS);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/*
 * Finds the captured line that starts with DOCTOR_TAG and then prefix,
 * and copies the rest of it, trailing blanks removed and control bytes
 * shown as '?', into out. Returns 1 if found.
 */
static int
doctor_find(const uint8_t *text, size_t len, const char *prefix, char *out,
    size_t size)
{
	const uint8_t	*line, *nl, *end = text + len;
	size_t		 tlen = strlen(DOCTOR_TAG), plen = strlen(prefix);
	size_t		 n, i;

	for (line = text; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		n = (size_t)(nl - line);
		if (n < tlen + plen || memcmp(line, DOCTOR_TAG, tlen) != 0 ||
		    memcmp(line + tlen, prefix, plen) != 0)
			continue;
		line += tlen + plen;
		n -= tlen + plen;
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\r'))
			n--;
		if (n >= size)
			n = size - 1;
		for (i = 0; i < n; i++)
			out[i] = line[i] < 0x20 || line[i] >= 0x7f ? '?' :
			    (char)line[i];
		out[n] = '\0';
		return (1);
	}
	return (0);
}

/*
 * The probe's target, from the line "lnsh-doctor target ADDR PORT", as
 * ADDR:PORT ([ADDR]:PORT for IPv6), into out; "" if there is none (no
 * default gateway was found).
 */
static void
doctor_target(const uint8_t *text, size_t len, char *out, size_t size)
{
	char		 line[DOCTOR_LINE_MAX], *sp, *end;
	long		 port;

	out[0] = '\0';
	if (!doctor_find(text, len, "target ", line, sizeof line) ||
	    (sp = strrchr(line, ' ')) == NULL)
		return;
	*sp++ = '\0';
	port = strtol(sp, &end, 10);
	if (strcmp(line, "-") == 0 || end == sp || *end != '\0' ||
	    port < 1 || port > 65535 ||
	    hosts_format_address(line, (uint16_t)port, out, size) != 0)
		out[0] = '\0';
}

/*
 * Captures session name on host until it shows probe number's line,
 * copying its result ("OK" or "ERR text") into result and, if wanted, the
 * target line into target. Returns an exit code: LNSH_EXIT_ERROR with a
 * message when the line does not come in time.
 */
static int
doctor_await(const char *host, const char *name, int number, char *result,
    size_t rsize, char *target, size_t tsize)
{
	Lnsh__Request		 req = LNSH__REQUEST__INIT;
	Lnsh__CaptureRequest	 cr = LNSH__CAPTURE_REQUEST__INIT;
	Lnsh__Reply		*reply;
	char			 prefix[16];
	uint64_t		 deadline;
	int			 ex, found = 0;

	snprintf(prefix, sizeof prefix, "%d ", number);
	cr.name = (char *)name;
	req.op_case = LNSH__REQUEST__OP_CAPTURE;
	req.capture = &cr;
	deadline = ln_now_ns() + DOCTOR_PROBE_WAIT_S * LN_NS_PER_SEC;
	for (;;) {
		reply = NULL;
		if ((ex = rpc_run(host, name, &req, &reply)) != LNSH_EXIT_OK)
			return (ex);
		if (reply->result_case == LNSH__REPLY__RESULT_CAPTURE) {
			found = doctor_find(reply->capture->text.data,
			    reply->capture->text.len, prefix, result, rsize);
			if (found && target != NULL)
				doctor_target(reply->capture->text.data,
				    reply->capture->text.len, target, tsize);
		}
		lnsh__reply__free_unpacked(reply, NULL);
		if (found)
			return (LNSH_EXIT_OK);
		if (ln_now_ns() > deadline)
			break;
		doctor_pause(DOCTOR_POLL_MS);
	}
	cmd_error("doctor: probe %d in session %s on %s gave no result in "
	    "%d s; see 'lnsh capture %s %s'", number, name, host,
	    DOCTOR_PROBE_WAIT_S, host, name);
	return (LNSH_EXIT_ERROR);
}

/* What to do about a failed probe, from its error text (in English). */
static const char *
doctor_advice(const char *err, int first_ok)
{
	if (strstr(err, "No route to host") != NULL)
		return (first_ok ? "the session lost local-network access once "
		    "on its own, the case lnsh exists to prevent: check "
		    "'lnshd service-status' on the host, report it with your "
		    "macOS version, and meanwhile use the macOS 15.5+ "
		    "fallback" :
		    "no local-network access even at the start, or really no "
		    "route: try the same address from Terminal on the host");
	if (strstr(err, "Connection refused") != NULL)
		return ("the host was reached and refused that port, so the "
		    "network path works but the check is not complete: give "
		    "--lan ADDR:PORT of a service that accepts connections");
	if (strstr(err, "timed out") != NULL)
		return ("nothing answered: the host is off or drops that port, "
		    "which proves nothing: give --lan ADDR:PORT of a host and "
		    "port that answer");
	if (strstr(err, "Network is unreachable") != NULL)
		return ("the host has no route to that network: check its "
		    "network settings");
	if (strstr(err, "no default gateway") != NULL)
		return ("give --lan ADDR:PORT of a machine on the host's "
		    "local network");
	if (strstr(err, "no probe tool") != NULL)
		return ("install nc (netcat) on the host");
	return ("see the table of results");
}

/* Kills the throwaway session; its failure is said but does not count. */
static void
doctor_kill(const char *host, const char *name)
{
	Lnsh__Request		 req = LNSH__REQUEST__INIT;
	Lnsh__KillRequest	 kr = LNSH__KILL_REQUEST__INIT;
	Lnsh__Reply		*reply = NULL;

	kr.name = (char *)name;
	req.op_case = LNSH__REQUEST__OP_KILL;
	req.kill = &kr;
	if (rpc_run(host, name, &req, &reply) == LNSH_EXIT_OK)
		lnsh__reply__free_unpacked(reply, NULL);
}

/* Types Enter into the session: the signal for probe 2. */
static int
doctor_send_enter(const char *host, const char *name)
{
	Lnsh__Request		 req = LNSH__REQUEST__INIT;
	Lnsh__SendRequest	 sr = LNSH__SEND_REQUEST__INIT;
	Lnsh__Reply		*reply = NULL;
	uint8_t			 enter = '\r';
	int			 ex;

	sr.name = (char *)name;
	sr.data.data = &enter;
	sr.data.len = 1;
	req.op_case = LNSH__REQUEST__OP_SEND;
	req.send = &sr;
	if ((ex = rpc_run(host, name, &req, &reply)) == LNSH_EXIT_OK)
		lnsh__reply__free_unpacked(reply, NULL);
	return (ex);
}

/* Creates the session running DOCTOR_SCRIPT with its arguments. */
static int
doctor_new(const char *host, const char *name, const char *addr,
    const char *port, long wait_s)
{
	Lnsh__Request	 req = LNSH__REQUEST__INIT;
	Lnsh__NewRequest nr = LNSH__NEW_REQUEST__INIT;
	Lnsh__Reply	*reply = NULL;
	char		 life[32], *argv[7];
	int		 ex;

	snprintf(life, sizeof life, "%ld", wait_s + 2 * DOCTOR_PROBE_WAIT_S +
	    DOCTOR_LIFE_EXTRA_S);
	argv[0] = (char *)"/bin/sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)DOCTOR_SCRIPT;
	argv[3] = (char *)"lnsh-doctor";
	argv[4] = (char *)addr;
	argv[5] = (char *)port;
	argv[6] = life;
	nr.name = (char *)name;
	nr.n_argv = 7;
	nr.argv = argv;
	nr.term = (char *)"dumb";
	nr.cols = 80;
	nr.rows = 24;
	req.op_case = LNSH__REQUEST__OP_NEW;
	req.new_ = &nr;
	if ((ex = rpc_run(host, name, &req, &reply)) == LNSH_EXIT_OK)
		lnsh__reply__free_unpacked(reply, NULL);
	return (ex);
}

/* Prints a probe's result for people, as it comes. */
static void
doctor_report(int number, const char *when, const char *result)
{
	if (strcmp(result, "OK") == 0)
		printf("probe %d, %s: OK, connected\n", number, when);
	else
		printf("probe %d, %s: %s\n", number, when, result);
	fflush(stdout);
}

/* lnsh doctor HOST [--lan ADDR:PORT] [--wait SEC] */
static int
cmd_doctor_exec(const struct cmd_entry *e, struct cmd_args *a)
{
	const char	*host = a->argv[0], *lan, *wv, *err = NULL;
	char		 addr[HOSTS_ADDR_MAX + 1] = "", port[8];
	char		 name[32], target[DOCTOR_LINE_MAX];
	char		 r1[DOCTOR_LINE_MAX], r2[DOCTOR_LINE_MAX], *end;
	uint8_t		 rnd[4];
	long		 wait_s = DOCTOR_WAIT_DEFAULT_S;
	int		 ex, failed = 0;

	snprintf(port, sizeof port, "%s", DOCTOR_DEFAULT_PORT);
	if ((lan = cmd_opt_value(e, a, "lan")) != NULL &&
	    doctor_parse_lan(lan, addr, sizeof addr, port, sizeof port) != 0)
		return (cmd_usage(e, "--lan '%s': want ADDR:PORT, or "
		    "[V6ADDR]:PORT, with a port from 1 to 65535", lan));
	if ((wv = cmd_opt_value(e, a, "wait")) != NULL) {
		errno = 0;
		wait_s = strtol(wv, &end, 10);
		if (errno != 0 || end == wv || *end != '\0' || wait_s < 0 ||
		    wait_s > DOCTOR_WAIT_MAX_S)
			return (cmd_usage(e, "--wait '%s': want whole seconds, "
			    "0 to %d", wv, DOCTOR_WAIT_MAX_S));
	}
	randombytes_buf(rnd, sizeof rnd);
	snprintf(name, sizeof name, "doctor-%02x%02x%02x%02x", rnd[0], rnd[1],
	    rnd[2], rnd[3]);

	if ((ex = doctor_new(host, name, addr, port, wait_s)) != LNSH_EXIT_OK)
		return (ex == LNSH_EXIT_NOANSWER || ex == LNSH_EXIT_USAGE ? ex :
		    LNSH_EXIT_ERROR);
	ex = doctor_await(host, name, 1, r1, sizeof r1, target, sizeof target);
	if (ex != LNSH_EXIT_OK)
		goto out;
	if (*target == '\0') {
		cmd_error("doctor: no default gateway found on %s; %s",
		    host, doctor_advice("no default gateway", 0));
		failed = 1;
		goto out;
	}
	printf("lnsh doctor: session %s on %s: TCP connection to %s%s\n",
	    name, host, target, lan != NULL ? "" :
	    " (the host's default gateway)");
	doctor_report(1, "as the session started", r1);
	printf("waiting %ld s, with no client connected to the session\n",
	    wait_s);
	fflush(stdout);
	doctor_pause((unsigned)wait_s * 1000);
	if ((ex = doctor_send_enter(host, name)) != LNSH_EXIT_OK)
		goto out;
	ex = doctor_await(host, name, 2, r2, sizeof r2, NULL, 0);
	if (ex != LNSH_EXIT_OK)
		goto out;
	doctor_report(2, "from the session on its own", r2);

	if (strcmp(r2, "OK") != 0) {
		err = strncmp(r2, "ERR ", 4) == 0 ? r2 + 4 : r2;
		cmd_error("doctor: probe 2 to %s from the detached session "
		    "failed: %s; %s; see %s", target, err,
		    doctor_advice(err, strcmp(r1, "OK") == 0), DOCTOR_DOCS);
		failed = 1;
	} else if (strcmp(r1, "OK") != 0) {
		err = strncmp(r1, "ERR ", 4) == 0 ? r1 + 4 : r1;
		cmd_error("doctor: probe 1 to %s failed: %s; %s; see %s",
		    target, err, doctor_advice(err, 0), DOCTOR_DOCS);
		failed = 1;
	} else
		printf("OK: a program in a session on %s reached %s after "
		    "the client had gone\n", host, target);
out:
	doctor_kill(host, name);
	if (ex != LNSH_EXIT_OK)
		return (ex == LNSH_EXIT_NOANSWER ? ex : LNSH_EXIT_ERROR);
	return (failed ? LNSH_EXIT_ERROR : LNSH_EXIT_OK);
}
