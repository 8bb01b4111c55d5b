/*
 * gluectl -- talk to a running glued over its control socket.
 *
 *   gluectl [-s PATH] [--json] [--timeout S] COMMAND [ARGS...]
 *
 * The commands (status, set, clear, reload, stats, wait-ready, stop) are
 * glued's: gluectl sends them as one line and prints the reply, so glued
 * validates everything and gluectl stays small (glued(8), CONTROL). The
 * socket is -s PATH, else $GLUED_CONTROL. --json may come anywhere among
 * the words. An argument with blanks (ede-text="not here") goes to glued
 * in double quotes. Exit status: 0 when glued says ok, 1 when it refuses
 * the command (the reason on stderr; with --json the JSON reply on
 * stdout), 2 for bad usage or no glued to talk to (no socket, EACCES: not
 * the socket's owner, a timeout; with --json as JSON on stdout too).
 *
 * wait-ready waits (up to --timeout, default 30 s) for the socket to
 * appear: glued opens it once every listen socket is bound and every zone
 * loaded, but for a zone pulled from a primary that has no copy yet (it
 * is served from its first transfer on). A change that finds glued still
 * handing the previous one to its workers ("busy") is retried until the
 * timeout.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 4096
#define REPLY_MAX (1u << 20)

static const char usage[] =
	"usage: gluectl [-s PATH] [--json] [--timeout S] COMMAND [ARGS...]\n"
	"  -s, --socket PATH   glued's control socket (glued --control PATH, or the\n"
	"                      YAML's control:); default $GLUED_CONTROL\n"
	"      --json          the reply as one JSON object (anywhere among the words)\n"
	"      --timeout S     give up after S seconds (default 30)\n"
	"commands:\n"
	"  status                                     servers, zones, serials, rules\n"
	"  set TARGET glue full|in-domain|none     TARGET: SERVER[/ZONE[/DELEGATION]]\n"
	"  set TARGET glue partial N|first=N|names=NS,...\n"
	"  set TARGET glue wrong ADDR [ADDR] | address=ADDR[,ADDR]\n"
	"  set TARGET truncation rfc9471|legacy|always\n"
	"  set TARGET fault refuse|servfail|drop|lame|delay D|upward [NS...] [KEY=VALUE...]\n"
	"      KEY: name=NAME type=TYPE every=N; refuse, servfail: ede=CODE|none ede-text=TEXT\n"
	"  clear TARGET [glue|truncation|fault]\n"
	"  reload [ZONE]                              reload the configuration and zones\n"
	"  stats [--reset]                            queries, referrals, TC, rcodes, faults\n"
	"  wait-ready                                 wait until glued serves\n"
	"  stop                                       stop glued\n";

/* A failure of gluectl's own (no socket, no reply): one line on stderr,
 * or with --json one JSON object on stdout, as glued's errors are. */
__attribute__((format(printf, 2, 3))) static void complain(bool json, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!json) {
		fprintf(stderr, "gluectl: %s\n", msg);
		return;
	}
	fputs("{\"ok\":false,\"error\":\"", stdout);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7F)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	fputs("\"}\n", stdout);
}

/* Append argument a to line (at *len, room for LINE_MAX_BYTES) as glued
 * splits it back: in double quotes, with \" and \\ inside, when it is
 * empty or holds a blank, a quote or a backslash (of a KEY=VALUE word,
 * the value: ede-text="not here"). Returns -1 when it does not fit. */
static int put_arg(char *line, size_t *len, const char *a)
{
	static const char special[] = " \t\r\"\\";
	size_t key = strcspn(a, "=");
	const char *v = a[key] == '=' && key > 0 && strcspn(a, special) > key ? a + key + 1 : a;
	bool quote = v[0] == '\0' || strpbrk(v, special) != NULL;
	if (*len + 1 + strlen(a) * 2 + 2 + 10 > LINE_MAX_BYTES)
		return -1;
	if (*len > 0)
		line[(*len)++] = ' ';
	for (const char *p = a; p < v; p++)
		line[(*len)++] = *p;
	if (quote)
		line[(*len)++] = '"';
	for (const char *p = v; *p; p++) {
		if (quote && (*p == '"' || *p == '\\'))
			line[(*len)++] = '\\';
		line[(*len)++] = *p;
	}
	if (quote)
		line[(*len)++] = '"';
	line[*len] = '\0';
	return 0;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A connected socket, or -1 with errno set. */
static int dial(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Send line, read the whole reply into buf (NUL-terminated). Returns its
 * length, or -1 (errno; ETIMEDOUT past deadline). */
static long exchange(int fd, const char *line, char *buf, size_t cap, double deadline)
{
	size_t len = strlen(line), off = 0;
	while (off < len) {
		ssize_t n = write(fd, line + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	size_t got = 0;
	for (;;) {
		int ms = (int)((deadline - now_s()) * 1000);
		if (ms <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		ssize_t n = read(fd, buf + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
		if (got == cap - 1)
			break;
	}
	buf[got] = '\0';
	return (long)got;
}

int main(int argc, char **argv)
{
	const char *path = getenv("GLUED_CONTROL");
	bool json = false;
	double timeout = 30;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if ((strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0) && i + 1 < argc) {
			path = argv[++i];
		} else if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
			char *end;
			timeout = strtod(argv[++i], &end);
			if (*end != '\0' || timeout <= 0 || timeout > 3600) {
				fprintf(stderr, "gluectl: bad --timeout '%s': 0-3600 seconds\n",
					argv[i]);
				return 2;
			}
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else {
			break; /* stats --reset and the like belong to the command */
		}
	}
	if (i >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	/* --json may come anywhere among the command's words too. */
	for (int k = i; k < argc; k++)
		json = json || strcmp(argv[k], "--json") == 0;
	if (path == NULL || path[0] == '\0') {
		complain(json, "no control socket: give -s PATH or set GLUED_CONTROL");
		return 2;
	}
	char line[LINE_MAX_BYTES + 2];
	size_t len = 0;
	const char *command = NULL;
	for (int k = i; k < argc; k++) {
		if (strcmp(argv[k], "--json") == 0)
			continue;
		if (command == NULL)
			command = argv[k];
		if (strchr(argv[k], '\n') != NULL) {
			complain(json, "an argument holds a newline");
			return 2;
		}
		if (put_arg(line, &len, argv[k]) < 0) {
			complain(json, "the command is too long");
			return 2;
		}
	}
	if (command == NULL) {
		fputs(usage, stderr);
		return 2;
	}
	if (json)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " --json");
	snprintf(line + len, sizeof(line) - len, "\n");

	bool waiting = strcmp(command, "wait-ready") == 0;
	double deadline = now_s() + timeout;
	char *buf = malloc(REPLY_MAX);
	if (buf == NULL) {
		complain(json, "out of memory");
		return 2;
	}
	for (;;) {
		int fd = dial(path);
		if (fd < 0) {
			if (waiting && (errno == ENOENT || errno == ECONNREFUSED) &&
			    now_s() < deadline) {
				usleep(50 * 1000);
				continue;
			}
			complain(json, "cannot connect to %s: %s", path, strerror(errno));
			free(buf);
			return 2;
		}
		long n = exchange(fd, line, buf, REPLY_MAX, deadline);
		int e = errno;
		close(fd);
		if (n < 0) {
			complain(json, "%s: %s", path,
				 e == ETIMEDOUT ? "no reply in time" : strerror(e));
			free(buf);
			return 2;
		}
		bool ok = strncmp(buf, "ok\n", 3) == 0;
		bool err = strncmp(buf, "error\n", 6) == 0;
		if (!ok && !err) {
			complain(json, "%s: not a glued control reply", path);
			free(buf);
			return 2;
		}
		const char *body = buf + (ok ? 3 : 6);
		if (err && strstr(body, "busy: ") != NULL && now_s() < deadline) {
			usleep(20 * 1000);
			continue; /* the previous change is still going out */
		}
		if (ok || json)
			fputs(body, stdout);
		else
			fprintf(stderr, "gluectl: %s", body);
		free(buf);
		return ok ? 0 : 1;
	}
}
