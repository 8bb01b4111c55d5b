#include "net/tcp.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/xfr.h"
#include "log.h"
#include "net/delay.h"
#include "view.h"

/* A zone transfer keeps this many messages (or bytes) queued in libuv at
 * most: a client that reads slowly holds its connection, not memory. */
#define XFR_INFLIGHT 16
#define XFR_INFLIGHT_BYTES (256u << 10)

typedef struct conn {
	uv_tcp_t tcp;    /* tcp.data = this */
	uv_timer_t idle; /* idle.data = this */
	worker_t *w;
	size_t server; /* the virtual server of the listening address */
	struct conn *prev, *next;
	struct sockaddr_storage peer;
	unsigned writes;      /* replies queued in libuv, not yet written */
	size_t wbytes;        /* their bytes, length prefixes included */
	delay_list_t delayed; /* replies waiting for a delay fault */
	int closed_handles;   /* free the conn when this reaches 2 */
	bool closing;
	bool eof;    /* the client has finished sending */
	bool paused; /* too many pending writes: stop reading */
	bool reading;
	bool pumping;          /* conn_process is starting a transfer: it goes on */
	struct xfr_out *xfr;   /* a zone transfer being sent, or NULL */
	const view_t *xview;   /* the view it reads (a reference) */
	size_t len;            /* bytes in rx */
	uint8_t rx[2 + 65535]; /* any DNS message with its length fits */
} conn_t;

/* One reply: the request and both buffers' bytes in one block. */
typedef struct wblock {
	uv_write_t req;
	conn_t *c;
	uint8_t lenbe[2];
	uint8_t msg[];
} wblock_t;

static void conn_process(conn_t *c);
static void xfr_pump(conn_t *c);

static void xfr_end(conn_t *c)
{
	xfr_out_free(c->xfr);
	view_free((view_t *)c->xview);
	c->xfr = NULL;
	c->xview = NULL;
}

static void conn_close_cb(uv_handle_t *handle)
{
	conn_t *c = handle->data;
	if (++c->closed_handles == 2)
		free(c);
}

static void conn_close(conn_t *c)
{
	worker_t *w = c->w;

	if (c->closing)
		return;
	c->closing = true;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	w->nconns--;
	/* Delayed replies are never sent to a closed connection. */
	delay_close_all(&c->delayed);
	if (c->xfr) {
		uint32_t msgs;
		uint64_t recs, bytes;
		xfr_out_counts(c->xfr, &msgs, &recs, &bytes);
		log_info("zone transfer cut short: the connection closed after %u messages, "
			 "%llu records",
			 msgs, (unsigned long long)recs);
		xfr_end(c);
	}
	/* Pending writes get write_cb(UV_ECANCELED) before the close_cb. */
	uv_close((uv_handle_t *)&c->tcp, conn_close_cb);
	uv_close((uv_handle_t *)&c->idle, conn_close_cb);
}

void tcp_close_all(worker_t *w)
{
	while (w->conns != NULL)
		conn_close(w->conns);
}

static void idle_cb(uv_timer_t *timer)
{
	conn_t *c = timer->data;
	/* Waiting for a delayed reply is not idleness: the timer repeats. */
	if (c->delayed.n > 0)
		return;
	conn_close(c);
}

static void conn_alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	conn_t *c = handle->data;
	(void)suggested;
	/* Never empty: after conn_process a partial message, at most one
	 * byte short of a whole one, is all that can remain. */
	buf->base = (char *)c->rx + c->len;
	buf->len = sizeof(c->rx) - c->len;
}

static void write_cb(uv_write_t *req, int status)
{
	wblock_t *b = (wblock_t *)req;
	conn_t *c = b->c;

	c->wbytes -= 2u + ((size_t)b->lenbe[0] << 8 | b->lenbe[1]);
	free(b);
	c->writes--;
	if (c->closing)
		return;
	if (status < 0) {
		conn_close(c);
		return;
	}
	if (c->xfr) {
		/* Progress: the client reads. */
		uv_timer_again(&c->idle);
		xfr_pump(c);
		return;
	}
	if (c->eof && c->writes == 0 && c->delayed.n == 0) {
		conn_close(c);
		return;
	}
	if (c->paused && c->writes + c->delayed.n < TCP_MAX_PENDING / 2 &&
	    c->wbytes < TCP_MAX_PENDING_BYTES / 2) {
		c->paused = false;
		conn_process(c);
	}
}

static int conn_send(conn_t *c, const uint8_t *msg, size_t len)
{
	wblock_t *b = malloc(sizeof(*b) + len);
	if (b == NULL)
		return UV_ENOMEM;
	b->c = c;
	b->lenbe[0] = (uint8_t)(len >> 8);
	b->lenbe[1] = (uint8_t)len;
	memcpy(b->msg, msg, len);
	uv_buf_t bufs[2] = {
		uv_buf_init((char *)b->lenbe, 2),
		uv_buf_init((char *)b->msg, (unsigned)len),
	};
	int r = uv_write(&b->req, (uv_stream_t *)&c->tcp, bufs, 2, write_cb);
	if (r < 0) {
		free(b);
		return r;
	}
	c->writes++;
	c->wbytes += 2u + len;
	return 0;
}

/* delay.h's send function: a reply a delay fault held back. A failed
 * write closes the connection. */
static bool conn_send_delayed(void *owner, const struct sockaddr *peer, const uint8_t *bytes,
			      size_t len)
{
	conn_t *c = owner;
	(void)peer;
	if (conn_send(c, bytes, len) < 0) {
		conn_close(c);
		return false;
	}
	return true;
}

static void conn_read_cb(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

/* Queue the transfer's next messages while few are in flight; at its end,
 * go back to the requests. */
static void xfr_pump(conn_t *c)
{
	worker_t *w = c->w;
	while (c->xfr && c->writes < XFR_INFLIGHT && c->wbytes < XFR_INFLIGHT_BYTES) {
		size_t n = xfr_out_next(c->xfr, w->out, RESPOND_MAX);
		if (n == 0) {
			bool failed = xfr_out_failed(c->xfr);
			xfr_end(c);
			if (failed) {
				log_warn(
					"zone transfer failed: a record does not fit in a message");
				conn_close(c);
				return;
			}
			/* Back to the requests, unless conn_process is below us
			 * on the stack and goes on by itself. */
			if (!c->pumping)
				conn_process(c);
			return;
		}
		if (conn_send(c, w->out, n) < 0) {
			conn_close(c);
			return;
		}
	}
}

/* Answer every complete message in rx, then move the rest to the front. */
static void conn_process(conn_t *c)
{
	worker_t *w = c->w;
	size_t off = 0;
	bool xfr = false;

	if (c->xfr)
		return;
	while (c->len - off >= 2) {
		size_t mlen = (size_t)c->rx[off] << 8 | c->rx[off + 1];
		if (mlen == 0) {
			conn_close(c);
			return;
		}
		if (c->len - off - 2 < mlen)
			break;
		w->stats.tcp_queries++;
		reply_t r = worker_answer(w, c->server, (const struct sockaddr *)&c->peer, true,
					  c->rx + off + 2, mlen, NULL);
		off += 2 + mlen;
		if (r.stream) {
			c->xfr = r.stream;
			c->xview = r.stream_view;
			/* The requests after it wait until it is sent. */
			if (c->reading) {
				uv_read_stop((uv_stream_t *)&c->tcp);
				c->reading = false;
			}
			uv_timer_again(&c->idle);
			c->pumping = true;
			xfr_pump(c);
			c->pumping = false;
			if (c->closing)
				return;
			if (c->xfr) {
				xfr = true;
				break;
			}
			continue; /* sent whole at once */
		}
		if (r.len > 0 && r.delay_ms > 0) {
			(void)delay_hold(w, &c->delayed, conn_send_delayed, c, NULL, r.bytes, r.len,
					 r.delay_ms);
		} else if (r.len > 0 && conn_send(c, r.bytes, r.len) < 0) {
			conn_close(c);
			return;
		}
		uv_timer_again(&c->idle);
		if (c->writes + c->delayed.n >= TCP_MAX_PENDING ||
		    c->wbytes >= TCP_MAX_PENDING_BYTES) {
			c->paused = true;
			break;
		}
	}
	if (off > 0) {
		memmove(c->rx, c->rx + off, c->len - off);
		c->len -= off;
	}
	if (xfr)
		return; /* write_cb pumps the rest, then comes back here */
	if (c->eof) {
		if (c->writes == 0 && c->delayed.n == 0)
			conn_close(c);
		return;
	}
	if (c->paused && c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = false;
	} else if (!c->paused && !c->reading) {
		if (uv_read_start((uv_stream_t *)&c->tcp, conn_alloc_cb, conn_read_cb) < 0) {
			conn_close(c);
			return;
		}
		c->reading = true;
	}
}

static void conn_read_cb(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	conn_t *c = stream->data;
	(void)buf;

	if (nread == 0)
		return;
	if (nread == UV_EOF) {
		/* Whatever incomplete message is left will never complete. */
		c->eof = true;
		c->reading = false;
		uv_read_stop(stream);
		if (c->writes == 0 && c->delayed.n == 0)
			conn_close(c);
		return;
	}
	if (nread < 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)nread;
	conn_process(c);
}

/* Over the limit: take the connection off the queue and close it, so the
 * client sees a clean close instead of a hanging SYN. */
static void refuse_close_cb(uv_handle_t *handle) { free(handle); }

static void refuse(uv_stream_t *server, worker_t *w)
{
	uv_tcp_t *t = malloc(sizeof(*t));
	if (t == NULL)
		return;
	if (uv_tcp_init(&w->loop, t) < 0) {
		free(t);
		return;
	}
	(void)uv_accept(server, (uv_stream_t *)t);
	uv_close((uv_handle_t *)t, refuse_close_cb);
	w->stats.tcp_refused++;
}

static void connection_cb(uv_stream_t *server, int status)
{
	tcp_listener_t *l = server->data;
	worker_t *w = l->w;

	if (status < 0)
		return;
	if (w->nconns >= TCP_MAX_CONNS) {
		refuse(server, w);
		return;
	}
	conn_t *c = malloc(sizeof(*c));
	if (c == NULL) {
		refuse(server, w);
		return;
	}
	memset(c, 0, offsetof(conn_t, rx));
	c->w = w;
	c->server = l->server;
	if (uv_tcp_init(&w->loop, &c->tcp) < 0) {
		free(c);
		return;
	}
	c->tcp.data = c;
	/* From here on the conn is freed only through conn_close. */
	if (uv_timer_init(&w->loop, &c->idle) < 0) {
		c->closed_handles = 1;
		uv_close((uv_handle_t *)&c->tcp, conn_close_cb);
		return;
	}
	c->idle.data = c;
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	w->nconns++;

	if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
		conn_close(c);
		return;
	}
	w->stats.tcp_accepted++;
	int namelen = sizeof(c->peer);
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&c->peer, &namelen) < 0)
		c->peer.ss_family = AF_UNSPEC;
	uv_tcp_nodelay(&c->tcp, 1);
	if (uv_timer_start(&c->idle, idle_cb, TCP_IDLE_MS, TCP_IDLE_MS) < 0 ||
	    uv_read_start((uv_stream_t *)&c->tcp, conn_alloc_cb, conn_read_cb) < 0) {
		conn_close(c);
		return;
	}
	c->reading = true;
}

int tcp_start(tcp_listener_t *l, worker_t *w, size_t server, int fd)
{
	int r;

	l->w = w;
	l->server = server;
	r = uv_tcp_init(&w->loop, &l->handle);
	if (r < 0) {
		close(fd);
		return r;
	}
	l->handle.data = l;
	r = uv_tcp_open(&l->handle, fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	return uv_listen((uv_stream_t *)&l->handle, TCP_BACKLOG, connection_cb);
}
