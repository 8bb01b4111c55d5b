/*
 * gluectl -- talk to a running glued over its control socket.
 *
 *   gluectl [-s PATH] [--json] [--timeout S] COMMAND [ARGS...]
 *
 * The commands (status, set, clear, reload, stats, wait-ready, stop) are
 * glued's: gluectl sends them as one line and prints the reply, so glued
 * validates everything and gluectl stays small (glued(8), CONTROL). The
 * socket is -s PATH, else $GLUED_CONTROL. Exit status: 0 when glued says
 * ok, 1 when it refuses the command (the reason on stderr), 2 for bad
 * usage or no glued to talk to (no socket, EACCES: not the socket's
 * owner, a timeout).
 *
 * wait-ready waits (up to --timeout, default 30 s) for the socket to
 * appear: glued opens it once every listen socket is bound and every zone
 * loaded. A change that finds glued still handing the previous one to its
 * workers ("busy") is retried until the timeout.
 */
#include <errno.h>
#include <poll.h>
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
	"      --json          the reply as one JSON object\n"
	"      --timeout S     give up after S seconds (default 30)\n"
	"commands:\n"
	"  status                                     servers, zones, serials, rules\n"
	"  set SERVER[/ZONE[/DELEGATION]] glue full|in-domain|none|partial N|wrong ADDR...\n"
	"  set SERVER[/ZONE[/DELEGATION]] truncation rfc9471|legacy|always\n"
	"  set SERVER[/ZONE[/DELEGATION]] fault refuse|servfail|drop|lame|delay D|upward NS...\n"
	"  clear SERVER[/ZONE[/DELEGATION]] [glue|truncation|fault]\n"
	"  reload [ZONE]                              reload the configuration and zones\n"
	"  stats [--reset]                            queries, referrals, TC, rcodes, faults\n"
	"  wait-ready                                 wait until glued serves\n"
	"  stop                                       stop glued\n";

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
	if (path == NULL || path[0] == '\0') {
		fprintf(stderr, "gluectl: no control socket: give -s PATH or set GLUED_CONTROL\n");
		return 2;
	}
	char line[LINE_MAX_BYTES + 2];
	size_t len = 0;
	for (int k = i; k < argc; k++) {
		size_t n = strlen(argv[k]);
		if (len + n + 10 > LINE_MAX_BYTES) {
			fprintf(stderr, "gluectl: the command is too long\n");
			return 2;
		}
		if (strchr(argv[k], '\n') != NULL) {
			fprintf(stderr, "gluectl: an argument holds a newline\n");
			return 2;
		}
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s", len ? " " : "",
					argv[k]);
	}
	if (json)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " --json");
	snprintf(line + len, sizeof(line) - len, "\n");

	bool waiting = strcmp(argv[i], "wait-ready") == 0;
	double deadline = now_s() + timeout;
	char *buf = malloc(REPLY_MAX);
	if (buf == NULL) {
		fprintf(stderr, "gluectl: out of memory\n");
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
			fprintf(stderr, "gluectl: cannot connect to %s: %s\n", path,
				strerror(errno));
			free(buf);
			return 2;
		}
		long n = exchange(fd, line, buf, REPLY_MAX, deadline);
		int e = errno;
		close(fd);
		if (n < 0) {
			fprintf(stderr, "gluectl: %s: %s\n", path,
				e == ETIMEDOUT ? "no reply in time" : strerror(e));
			free(buf);
			return 2;
		}
		bool ok = strncmp(buf, "ok\n", 3) == 0;
		bool err = strncmp(buf, "error\n", 6) == 0;
		if (!ok && !err) {
			fprintf(stderr, "gluectl: %s: not a glued control reply\n", path);
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
