#include "net/worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "dns/xfr.h"
#include "log.h"
#include "net/delay.h"
#include "net/sock.h"
#include "net/tcp.h"
#include "net/udp.h"
#include "stats.h"
#include "view.h"

static void format_peer(const struct sockaddr *sa, char *buf, size_t cap)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		uv_ip4_name(sin, host, sizeof(host));
		port = ntohs(sin->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		uv_ip6_name(sin6, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
	}
	snprintf(buf, cap, "%s#%u", host, port);
}

/* The query-log line of one answer, when enabled. */
static void worker_log(worker_t *w, size_t server, const struct sockaddr *peer, bool tcp,
		       const query_t *q, size_t n)
{
	char client[INET6_ADDRSTRLEN + 8];
	format_peer(peer, client, sizeof(client));
	/* A malformed query has no explanation; a drop fault has one. */
	explain_t *ex = n > 0 || w->ex.fault != NULL ? &w->ex : NULL;
	if (ex)
		answer_explain_where(w->view->zs[server], ex);
	log_query(w->log_format, client, w->view->zs[server]->name, tcp, q, ex);
}

/* The counters for gluectl stats (stats.h): the worker's own slots. */
static inline void worker_count(const worker_t *w, size_t server, size_t n)
{
	const view_stats_t *s = w->view->stats;
	if (s != NULL)
		stats_count(s->worker[w->id], s->base, server, &w->ex, n);
}

/* A zone transfer or NOTIFY (dns/xfr.h): each is logged, as NSD and Knot
 * log theirs. */
static __attribute__((noinline)) reply_t worker_transfer(worker_t *w, size_t server,
							 const struct sockaddr *peer, bool tcp,
							 const uint8_t *req, size_t len,
							 uint8_t *out)
{
	xfr_result_t res;
	reply_t r = { out, 0, 0, NULL, NULL };
	const zoneset_t *zs = w->view->zs[server];
	if (xfr_answer(zs, req, len, tcp, peer, (uint64_t)time(NULL), out, &res) < 0)
		log_warn("%s: out of memory", res.why);
	else if (res.why[0])
		log_info("%s%s%s", zs->name ? zs->name : "", zs->name ? ": " : "", res.why);
	switch (res.outcome) {
	case XFR_STREAM:
		view_hold(w->view);
		r.stream = res.stream;
		r.stream_view = w->view;
		break;
	case XFR_NOTIFIED:
		if (w->notify)
			w->notify(w->notify_ctx, server, res.origin, res.serial);
		r.len = (uint32_t)res.len;
		break;
	case XFR_REPLY:
		r.len = (uint32_t)res.len;
		break;
	default:
		break;
	}
	return r;
}

bool worker_wants_single(const worker_t *w, size_t server, const uint8_t *req, size_t len)
{
	return w->view->zs[server]->nxfr > 0 && xfr_peek(req, len);
}

reply_t worker_answer(worker_t *w, size_t server, const struct sockaddr *peer, bool tcp,
		      const uint8_t *req, size_t len, uint8_t *out)
{
	const zoneset_t *zs = w->view->zs[server];
	if (out == NULL)
		out = w->out;

	/* The explanation is always asked for: it carries the delay. The
	 * query is zeroed first only for the log, so a drop that fills
	 * nothing still logs sanely. */
	if (w->log_queries)
		memset(&w->q, 0, sizeof(w->q));
	size_t n = respond(zs, req, len, tcp, out, &w->q, &w->ex);
	if (zs->nxfr > 0 && xfr_is_transfer(&w->q))
		return worker_transfer(w, server, peer, tcp, req, len, out);
	worker_count(w, server, n);
	if (w->log_queries)
		worker_log(w, server, peer, tcp, &w->q, n);
	return (reply_t){ out, (uint32_t)n, n > 0 ? w->ex.delay_ms : 0, NULL, NULL };
}

void worker_batch_add(worker_t *w, respond_batch_t *b, size_t server, const uint8_t *req,
		      size_t len)
{
	(void)respond_batch_add(b, w->view->zs[server], req, len);
}

/* worker_batch_answer with the query-log line: out of line, so that the
 * path without it keeps only w and out across the engine's call. */
static __attribute__((noinline)) size_t batch_answer_logged(worker_t *w, const respond_batch_t *b,
							    unsigned i, size_t server,
							    const struct sockaddr *peer,
							    uint8_t *out)
{
	size_t n = respond_batch_answer(b, i, out, &w->ex);
	worker_log(w, server, peer, false, respond_batch_query(b, i), n);
	return n;
}

reply_t worker_batch_answer(worker_t *w, const respond_batch_t *b, unsigned i, size_t server,
			    const struct sockaddr *peer, uint8_t *out)
{
	size_t n = w->log_queries ? batch_answer_logged(w, b, i, server, peer, out)
				  : respond_batch_answer(b, i, out, &w->ex);
	worker_count(w, server, n);
	return (reply_t){ out, (uint32_t)n, n > 0 ? w->ex.delay_ms : 0, NULL, NULL };
}

static void close_walk_cb(uv_handle_t *handle, void *arg)
{
	(void)arg;
	if (!uv_is_closing(handle))
		uv_close(handle, NULL);
}

static void stop_cb(uv_async_t *async)
{
	worker_t *w = async->data;
	/* Connections and delayed responses free themselves in their close
	 * callbacks; everything else is embedded in w and needs no callback. */
	tcp_close_all(w);
	delay_close_all(&w->udp_delayed);
	uv_walk(&w->loop, close_walk_cb, NULL);
}

static void swap_cb(uv_async_t *async)
{
	worker_t *w = async->data;
	const view_t *view = atomic_load(&w->next);

	/* Coalesced sends still deliver the latest pointer; acknowledge only
	 * a real change so every swap is acknowledged exactly once. Delayed
	 * responses hold copies of their bytes: nothing keeps the old view. */
	if (view == NULL || view == w->view)
		return;
	/* Requests read but not answered yet were prepared against the old
	 * view (their zone pointers are its): answer them from it first.
	 * libuv ends every receive batch before any other callback runs, so
	 * there are none in practice; this keeps that an assumption no more. */
	udp_loop_end(&w->udp_check);
	w->view = view;
	if (w->ack != NULL)
		w->ack(w->ack_ctx);
}

int worker_init(worker_t *w, unsigned id, const srvconf_t *sc, const view_t *view,
		const worker_opts_t *opts, worker_ack_fn ack, void *ack_ctx, char *err,
		size_t errcap)
{
	int r;

	memset(w, 0, offsetof(worker_t, out));
	w->id = id;
	w->view = view;
	atomic_init(&w->next, view);
	w->ack = ack;
	w->ack_ctx = ack_ctx;
	w->log_queries = opts->log_queries;
	w->log_format = opts->log_format;

	r = uv_loop_init(&w->loop);
	if (r < 0) {
		snprintf(err, errcap, "worker %u: event loop: %s", id, uv_strerror(r));
		return r;
	}
	w->loop_ready = true;
	w->loop.data = w;
	if ((r = uv_async_init(&w->loop, &w->stop, stop_cb)) < 0 ||
	    (r = uv_async_init(&w->loop, &w->swap, swap_cb)) < 0) {
		snprintf(err, errcap, "worker %u: async handle: %s", id, uv_strerror(r));
		return r;
	}
	w->stop.data = w;
	w->swap.data = w;
	if ((r = uv_check_init(&w->loop, &w->udp_check)) < 0 ||
	    (r = uv_check_start(&w->udp_check, udp_loop_end)) < 0) {
		snprintf(err, errcap, "worker %u: check handle: %s", id, uv_strerror(r));
		return r;
	}
	w->udp_check.data = w;

	size_t nlisten = srvconf_nlisten(sc);
	w->udp = calloc(nlisten ? nlisten : 1, sizeof(*w->udp));
	w->tcp = calloc(nlisten ? nlisten : 1, sizeof(*w->tcp));
	if (w->udp == NULL || w->tcp == NULL) {
		snprintf(err, errcap, "out of memory");
		return UV_ENOMEM;
	}
	for (size_t s = 0; s < sc->nservers; s++) {
		for (size_t k = 0; k < sc->servers[s].nlisten; k++) {
			const listen_addr_t *a = &sc->servers[s].listen[k];
			int fd = sock_bind(a, SOCK_DGRAM, err, errcap);
			if (fd < 0)
				return fd;
			bool steered = sock_steer(fd, a->ss.ss_family, opts->nworkers) == 0;
			w->udp[w->nudp].steered = steered;
			r = udp_start(&w->udp[w->nudp++], w, s, fd);
			if (r < 0) {
				snprintf(err, errcap, "cannot listen on %s (udp): %s", a->text,
					 uv_strerror(r));
				return r;
			}
			fd = sock_bind(a, SOCK_STREAM, err, errcap);
			if (fd < 0)
				return fd;
			r = tcp_start(&w->tcp[w->ntcp++], w, s, fd);
			if (r < 0) {
				snprintf(err, errcap, "cannot listen on %s (tcp): %s", a->text,
					 uv_strerror(r));
				return r;
			}
		}
	}
	return 0;
}

void worker_add_senders(worker_t *w, const srvconf_t *sc)
{
	size_t j = 0;
	for (size_t s = 0; s < sc->nservers; s++)
		for (size_t k = 0; k < sc->servers[s].nlisten && j < w->nudp; k++, j++) {
			if (!w->udp[j].steered)
				continue;
			int fd = sock_bind_replier(&sc->servers[s].listen[k]);
			if (fd >= 0)
				udp_set_sender(&w->udp[j], fd);
		}
}

static void worker_main(void *arg)
{
	worker_t *w = arg;
	uv_run(&w->loop, UV_RUN_DEFAULT);
}

int worker_start(worker_t *w)
{
	int r = uv_thread_create(&w->thread, worker_main, w);
	if (r == 0)
		w->started = true;
	return r;
}

void worker_stop(worker_t *w) { uv_async_send(&w->stop); }

void worker_swap(worker_t *w, const view_t *view)
{
	atomic_store(&w->next, view);
	uv_async_send(&w->swap);
}

void worker_join(worker_t *w)
{
	if (w->started) {
		uv_thread_join(&w->thread);
		w->started = false;
	}
}

int worker_destroy(worker_t *w)
{
	int r = 0;

	if (w->loop_ready) {
		/* After a join everything is closed already; after a failed or
		 * never-started init, close here. */
		tcp_close_all(w);
		delay_close_all(&w->udp_delayed);
		uv_walk(&w->loop, close_walk_cb, NULL);
		uv_run(&w->loop, UV_RUN_DEFAULT);
		r = uv_loop_close(&w->loop);
		w->loop_ready = false;
	}
	for (size_t i = 0; i < w->nudp; i++)
		udp_free(&w->udp[i]);
	udp_batch_free(w);
	free(w->udp);
	free(w->tcp);
	w->udp = NULL;
	w->tcp = NULL;
	w->nudp = w->ntcp = 0;
	return r;
}
