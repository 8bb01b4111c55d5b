/*
 * control.c -- the control socket (control.h).
 */
#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct control {
	uv_pipe_t listener;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	control_fn fn;
	void *ctx;
	control_req_t *conns; /* open connections, a list */
	size_t nconns;
	bool closing, listener_closed;
};

struct control_req {
	uv_pipe_t pipe;
	control_t *owner;
	control_req_t *prev, *next;
	char line[CONTROL_LINE_MAX + 1];
	size_t len;
	bool asked; /* the handler has the line: no more reading */
	bool replied;
	uv_write_t wr;
	char *out;
	void (*done)(void *ctx);
	void *done_ctx;
};

static void maybe_free(control_t *c)
{
	if (c->closing && c->listener_closed && c->nconns == 0)
		free(c);
}

static void conn_closed(uv_handle_t *h)
{
	control_req_t *r = h->data;
	control_t *c = r->owner;
	if (r->prev)
		r->prev->next = r->next;
	else
		c->conns = r->next;
	if (r->next)
		r->next->prev = r->prev;
	c->nconns--;
	void (*done)(void *) = r->done;
	void *done_ctx = r->done_ctx;
	free(r->out);
	free(r);
	/* After the memory is gone: "stop" closes the loop's handles. */
	if (done != NULL && !c->closing)
		done(done_ctx);
	maybe_free(c);
}

static void conn_close(control_req_t *r)
{
	if (!uv_is_closing((uv_handle_t *)&r->pipe))
		uv_close((uv_handle_t *)&r->pipe, conn_closed);
}

static void written(uv_write_t *wr, int status)
{
	(void)status; /* a client that went away: nothing to tell it */
	conn_close(wr->data);
}

void control_reply(control_req_t *r, bool ok, const char *body, size_t len, void (*done)(void *ctx),
		   void *done_ctx)
{
	if (r->replied)
		return;
	r->replied = true;
	r->done = done;
	r->done_ctx = done_ctx;
	if (r->owner->closing || uv_is_closing((uv_handle_t *)&r->pipe)) {
		conn_close(r);
		return;
	}
	const char *status = ok ? "ok\n" : "error\n";
	size_t slen = strlen(status);
	r->out = malloc(slen + len + 1);
	if (r->out == NULL) {
		conn_close(r);
		return;
	}
	memcpy(r->out, status, slen);
	memcpy(r->out + slen, body, len);
	uv_buf_t b = uv_buf_init(r->out, (unsigned)(slen + len));
	r->wr.data = r;
	if (uv_write(&r->wr, (uv_stream_t *)&r->pipe, &b, 1, written) != 0)
		conn_close(r);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	control_req_t *r = h->data;
	buf->base = r->line + r->len;
	buf->len = CONTROL_LINE_MAX - r->len;
}

static void ask(control_req_t *r)
{
	r->asked = true;
	uv_read_stop((uv_stream_t *)&r->pipe);
	r->line[r->len] = '\0';
	r->owner->fn(r->owner->ctx, r, r->line);
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	(void)buf;
	control_req_t *r = s->data;
	if (r->asked)
		return;
	if (n == UV_EOF) {
		if (r->len > 0)
			ask(r);
		else
			conn_close(r);
		return;
	}
	if (n < 0) {
		conn_close(r);
		return;
	}
	char *nl = memchr(r->line + r->len, '\n', (size_t)n);
	r->len += (size_t)n;
	if (nl != NULL) {
		r->len = (size_t)(nl - r->line);
		ask(r);
	} else if (r->len >= CONTROL_LINE_MAX) {
		r->asked = true;
		uv_read_stop(s);
		static const char msg[] = "command line too long\n";
		control_reply(r, false, msg, sizeof(msg) - 1, NULL, NULL);
	}
}

static void on_connection(uv_stream_t *server, int status)
{
	control_t *c = server->data;
	if (status < 0 || c->closing)
		return;
	control_req_t *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return;
	r->owner = c;
	if (uv_pipe_init(server->loop, &r->pipe, 0) != 0) {
		free(r);
		return;
	}
	r->pipe.data = r;
	r->next = c->conns;
	if (c->conns)
		c->conns->prev = r;
	c->conns = r;
	c->nconns++;
	if (uv_accept(server, (uv_stream_t *)&r->pipe) != 0 || c->nconns > CONTROL_CONNS_MAX ||
	    uv_read_start((uv_stream_t *)&r->pipe, alloc_cb, read_cb) != 0)
		conn_close(r);
}

static void listener_closed(uv_handle_t *h)
{
	control_t *c = h->data;
	c->listener_closed = true;
	maybe_free(c);
}

/* Is something answering on path? A plain connect() tells. */
static int in_use(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	close(fd);
	return r == 0 ? 1 : e == ECONNREFUSED || e == ENOENT ? 0 : -e;
}

int control_probe(const char *path, char *err, size_t errcap)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return 0;
	int u = S_ISSOCK(st.st_mode) ? in_use(path) : -1;
	if (!S_ISSOCK(st.st_mode) || u != 0) {
		snprintf(err, errcap, "control socket %s: %s", path,
			 !S_ISSOCK(st.st_mode) ? "exists and is not a socket"
			 : u > 0               ? "is in use (another glued answers on it)"
					       : strerror(-u));
		return -1;
	}
	return 0;
}

int control_open(uv_loop_t *loop, const char *path, control_fn fn, void *ctx, control_t **out,
		 char *err, size_t errcap)
{
	*out = NULL;
	control_t *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errcap, "control socket %s: out of memory", path);
		return -1;
	}
	if (strlen(path) >= sizeof(c->path)) {
		snprintf(err, errcap, "control socket %s: the path is too long (at most %zu bytes)",
			 path, sizeof(c->path) - 1);
		free(c);
		return -1;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->fn = fn;
	c->ctx = ctx;

	if (control_probe(path, err, errcap) < 0) {
		free(c);
		return -1;
	}
	unlink(path); /* left by a glued that is gone, if anything is there */
	int r = uv_pipe_init(loop, &c->listener, 0);
	if (r == 0) {
		c->listener.data = c;
		mode_t old = umask(0077); /* made 0600: owner only, from the start */
		r = uv_pipe_bind(&c->listener, path);
		umask(old);
		if (r == 0 && chmod(path, 0600) != 0)
			r = uv_translate_sys_error(errno);
		if (r == 0)
			r = uv_listen((uv_stream_t *)&c->listener, CONTROL_CONNS_MAX,
				      on_connection);
		if (r != 0) {
			snprintf(err, errcap, "control socket %s: %s", path, uv_strerror(r));
			if (r != UV_EADDRINUSE)
				unlink(path);
			/* The struct goes with the handle, when the loop runs. */
			c->closing = true;
			uv_close((uv_handle_t *)&c->listener, listener_closed);
			return -1;
		}
	} else {
		snprintf(err, errcap, "control socket %s: %s", path, uv_strerror(r));
		free(c);
		return -1;
	}
	*out = c;
	return 0;
}

void control_close(control_t *c)
{
	if (c == NULL || c->closing)
		return;
	c->closing = true;
	unlink(c->path);
	for (control_req_t *r = c->conns; r != NULL; r = r->next)
		conn_close(r);
	uv_close((uv_handle_t *)&c->listener, listener_closed);
}
