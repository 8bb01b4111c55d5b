/*
 * pull.c -- one zone fetched from its primary over TCP.
 */
#include "net/pull.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/journal.h"
#include "dns/rdata.h"

#define PULL_IDLE_MS 15000
#define PULL_TOTAL_MS (10 * 60 * 1000)

enum { ST_CONNECTING, ST_SOA, ST_AXFR, ST_DONE };

struct pull {
	uv_tcp_t tcp;
	uv_timer_t idle, total;
	uv_connect_t conn;
	uv_write_t wr;
	int state;
	int closed;
	xfr_spec_t spec;
	uint8_t origin[NAME_MAXLEN];
	char name[NAME_TEXT_MAX];
	char source[96];
	bool have;
	uint32_t have_serial, serial;
	uint16_t id;
	bool tsig_on;
	tsig_ctx_t tsig;
	xfrin_t in;
	pull_done_fn done;
	void *ctx;
	uint8_t wbuf[2 + 1024];
	uint8_t *rbuf;
	size_t rlen, rcap;
};

static void close_cb(uv_handle_t *h)
{
	pull_t *p = h->data;
	if (++p->closed == 3) {
		if (p->tsig_on)
			tsig_ctx_free(&p->tsig);
		xfrin_free(&p->in);
		free(p->rbuf);
		free(p);
	}
}

static void pull_close(pull_t *p)
{
	if (p->state == ST_DONE)
		return;
	p->state = ST_DONE;
	uv_close((uv_handle_t *)&p->tcp, close_cb);
	uv_close((uv_handle_t *)&p->idle, close_cb);
	uv_close((uv_handle_t *)&p->total, close_cb);
}

static void finish(pull_t *p, int status, const char *fmt, const char *detail)
{
	char err[512] = "";
	if (p->state == ST_DONE)
		return;
	if (fmt)
		snprintf(err, sizeof(err), fmt, detail);
	pull_done_fn done = p->done;
	p->done = NULL;
	zone_copy_t copy = { 0 };
	if (status == PULL_NEW)
		xfrin_take(&p->in, &copy);
	pull_close(p);
	if (done)
		done(p->ctx, status, &copy, p->serial, err);
	else
		zone_copy_free(&copy);
}

static void idle_cb(uv_timer_t *t)
{
	pull_t *p = t->data;
	finish(p, PULL_FAILED, "%s: no answer for 15 s", p->source);
}

static void total_cb(uv_timer_t *t)
{
	pull_t *p = t->data;
	finish(p, PULL_FAILED, "%s: the transfer took more than 10 minutes", p->source);
}

static void write_cb(uv_write_t *req, int status)
{
	pull_t *p = req->data;
	if (status < 0 && p->state != ST_DONE)
		finish(p, PULL_FAILED, "sending the request: %s", uv_strerror(status));
}

/* Send a request for qtype, signed when the zone has a key. */
static int send_request(pull_t *p, uint16_t qtype)
{
	uint64_t now = (uint64_t)time(NULL);
	p->id = (uint16_t)(rand() & 0xFFFF);
	if (p->tsig_on)
		tsig_ctx_free(&p->tsig);
	p->tsig_on = p->spec.has_key;
	if (p->tsig_on)
		tsig_ctx_init(&p->tsig, &p->spec.key);
	size_t n = xfr_build_request(p->wbuf + 2, sizeof(p->wbuf) - 2, p->id, p->origin, qtype,
				     p->tsig_on ? &p->tsig : NULL, now);
	if (n == 0)
		return UV_ENOBUFS;
	p->wbuf[0] = (uint8_t)(n >> 8);
	p->wbuf[1] = (uint8_t)n;
	uv_buf_t b = uv_buf_init((char *)p->wbuf, (unsigned)(n + 2));
	p->wr.data = p;
	return uv_write(&p->wr, (uv_stream_t *)&p->tcp, &b, 1, write_cb);
}

/* One whole message from the primary. */
static void on_message(pull_t *p, const uint8_t *msg, size_t len)
{
	uint64_t now = (uint64_t)time(NULL);
	if (p->state == ST_SOA) {
		if (p->tsig_on) {
			int t = tsig_verify_response(&p->tsig, msg, len, now);
			if (t != 0 || tsig_verify_done(&p->tsig) != 0) {
				finish(p, PULL_FAILED, "%s: the SOA answer fails TSIG", p->source);
				return;
			}
		}
		int r = xfrin_soa_serial(msg, len, p->id, p->origin, &p->serial);
		if (r <= 0) {
			finish(p, PULL_FAILED, "%s: no SOA for the zone in its answer", p->source);
			return;
		}
		if (p->have && !serial_gt(p->serial, p->have_serial)) {
			finish(p, PULL_CURRENT, NULL, NULL);
			return;
		}
		if (send_request(p, RR_AXFR) < 0) {
			finish(p, PULL_FAILED, "%s: cannot send the AXFR request", p->source);
			return;
		}
		xfrin_init(&p->in, p->origin, p->id, NULL, p->tsig_on ? &p->tsig : NULL, p->source);
		p->state = ST_AXFR;
		return;
	}
	int r = xfrin_feed(&p->in, msg, len, now);
	if (r < 0) {
		finish(p, PULL_FAILED, "%s", p->in.err);
		return;
	}
	if (r == 1) {
		p->serial = p->in.copy.serial;
		finish(p, PULL_NEW, NULL, NULL);
	}
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	pull_t *p = h->data;
	(void)suggested;
	buf->base = (char *)p->rbuf + p->rlen;
	buf->len = p->rcap - p->rlen;
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	pull_t *p = s->data;
	(void)buf;
	if (p->state == ST_DONE || nread == 0)
		return;
	if (nread < 0) {
		finish(p, PULL_FAILED,
		       nread == UV_EOF ? "%s: the primary closed the connection mid-answer"
				       : "%s: read error",
		       p->source);
		return;
	}
	uv_timer_again(&p->idle);
	p->rlen += (size_t)nread;
	size_t off = 0;
	while (p->state != ST_DONE && p->rlen - off >= 2) {
		size_t m = (size_t)p->rbuf[off] << 8 | p->rbuf[off + 1];
		if (p->rlen - off - 2 < m)
			break;
		on_message(p, p->rbuf + off + 2, m);
		off += 2 + m;
	}
	if (p->state == ST_DONE)
		return;
	memmove(p->rbuf, p->rbuf + off, p->rlen - off);
	p->rlen -= off;
}

static void connect_cb(uv_connect_t *req, int status)
{
	pull_t *p = req->data;
	if (p->state == ST_DONE)
		return;
	if (status < 0) {
		finish(p, PULL_FAILED, "cannot connect: %s", uv_strerror(status));
		return;
	}
	p->state = ST_SOA;
	if (send_request(p, RR_SOA) < 0 ||
	    uv_read_start((uv_stream_t *)&p->tcp, alloc_cb, read_cb) < 0)
		finish(p, PULL_FAILED, "%s: cannot send the SOA query", p->source);
}

int pull_start(uv_loop_t *loop, const xfr_spec_t *spec, const uint8_t *origin, bool have_copy,
	       uint32_t have_serial, pull_done_fn done, void *ctx, pull_t **out)
{
	pull_t *p = calloc(1, sizeof(*p));
	if (!p)
		return UV_ENOMEM;
	p->rcap = 2 + 65535;
	p->rbuf = malloc(p->rcap);
	if (!p->rbuf) {
		free(p);
		return UV_ENOMEM;
	}
	p->spec = *spec;
	memcpy(p->origin, origin, name_len(origin));
	name_to_text(origin, p->name, sizeof(p->name));
	char a[80];
	snprintf(p->source, sizeof(p->source), "primary %s",
		 xfr_addr_str(&spec->primary, a, sizeof(a)));
	p->have = have_copy;
	p->have_serial = have_serial;
	p->done = done;
	p->ctx = ctx;
	p->state = ST_CONNECTING;
	uv_tcp_init(loop, &p->tcp);
	uv_timer_init(loop, &p->idle);
	uv_timer_init(loop, &p->total);
	p->tcp.data = p->idle.data = p->total.data = p;
	p->conn.data = p;
	struct sockaddr_storage ss;
	(void)xfr_addr_sockaddr(&spec->primary, &ss);
	int r = uv_tcp_connect(&p->conn, &p->tcp, (const struct sockaddr *)&ss, connect_cb);
	if (r < 0) {
		p->done = NULL;
		pull_close(p);
		return r;
	}
	uv_timer_start(&p->idle, idle_cb, PULL_IDLE_MS, PULL_IDLE_MS);
	uv_timer_start(&p->total, total_cb, PULL_TOTAL_MS, 0);
	*out = p;
	return 0;
}

void pull_cancel(pull_t *p)
{
	if (!p)
		return;
	p->done = NULL;
	pull_close(p);
}
