#include "net/worker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "log.h"
#include "net/tcp.h"
#include "net/udp.h"

static const char *type_name(int type)
{
	return type == SOCK_DGRAM ? "udp" : "tcp";
}

static int bind_error(const listen_addr_t *a, int type, int e, char *err, size_t errcap)
{
	if (e == EADDRINUSE)
		snprintf(err, errcap, "cannot listen on %s (%s): address already in use", a->text,
			 type_name(type));
	else if (e == EADDRNOTAVAIL)
		snprintf(err, errcap, "cannot listen on %s (%s): no such address on this host",
			 a->text, type_name(type));
	else if (e == EACCES)
		snprintf(err, errcap, "cannot listen on %s (%s): permission denied (ports below 1024 need privileges)",
			 a->text, type_name(type));
	else
		snprintf(err, errcap, "cannot listen on %s (%s): %s", a->text, type_name(type),
			 strerror(e));
	return -e;
}

/* Best effort: each option that the kernel refuses keeps its default. */
static void udp_tune(int fd, int family)
{
	int size = WORKER_UDP_BUFSIZE;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	/* Never set DF nor learn a path MTU from ICMP: a forged "fragmentation
	 * needed" cannot shrink our answers, and answers stay <= 1232 bytes. */
#if defined(IP_MTU_DISCOVER) && defined(IP_PMTUDISC_OMIT)
	if (family == AF_INET) {
		int v = IP_PMTUDISC_OMIT;
		(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v));
	}
#endif
#if defined(IPV6_MTU_DISCOVER) && defined(IPV6_PMTUDISC_OMIT)
	if (family == AF_INET6) {
		int v = IPV6_PMTUDISC_OMIT;
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v, sizeof(v));
	}
#endif
	(void)family;
}

int worker_bind(const listen_addr_t *a, int type, char *err, size_t errcap)
{
	int one = 1;
	int fd = socket(a->ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return bind_error(a, type, errno, err, errcap);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    (a->ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->sslen) < 0) {
		int e = errno;
		close(fd);
		return bind_error(a, type, e, err, errcap);
	}
	if (type == SOCK_DGRAM)
		udp_tune(fd, a->ss.ss_family);
	return fd;
}

/* Bind without SO_REUSEPORT: fails if any socket already holds the port. */
static int probe_one(const listen_addr_t *a, int type, char *err, size_t errcap)
{
	int one = 1;
	int fd = socket(a->ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return bind_error(a, type, errno, err, errcap);
	/* TCP: SO_REUSEADDR ignores TIME_WAIT leftovers of a previous run but
	 * still refuses a live listener. UDP: no option, so any holder counts. */
	if ((type == SOCK_STREAM &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
	    (a->ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->sslen) < 0) {
		int e = errno;
		close(fd);
		return bind_error(a, type, e, err, errcap);
	}
	close(fd);
	return 0;
}

int worker_probe(const listen_addr_t *a, char *err, size_t errcap)
{
	int r = probe_one(a, SOCK_DGRAM, err, errcap);
	if (r == 0)
		r = probe_one(a, SOCK_STREAM, err, errcap);
	return r;
}

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

size_t worker_respond(worker_t *w, size_t server, const struct sockaddr *peer, bool tcp,
		      const uint8_t *req, size_t len)
{
	return worker_respond_into(w, server, peer, tcp, req, len, w->out);
}

/* The query-log line of one answer, when enabled. */
static void worker_log(worker_t *w, size_t server, const struct sockaddr *peer, bool tcp,
		       const query_t *q, size_t n)
{
	char client[INET6_ADDRSTRLEN + 8];
	format_peer(peer, client, sizeof(client));
	/* A malformed query has no explanation; a drop fault has one. */
	const explain_t *ex = n > 0 || w->ex.fault != NULL ? &w->ex : NULL;
	log_query(w->log_format, client, w->view->zs[server]->name, tcp, q, ex);
}

size_t worker_respond_into(worker_t *w, size_t server, const struct sockaddr *peer, bool tcp,
			   const uint8_t *req, size_t len, uint8_t *out)
{
	const zoneset_t *zs = w->view->zs[server];

	/* The explanation is always asked for: it carries the delay. The
	 * query is zeroed first only for the log, so a drop that fills
	 * nothing still logs sanely. */
	if (w->log_queries)
		memset(&w->q, 0, sizeof(w->q));
	size_t n = respond(zs, req, len, tcp, out, &w->q, &w->ex);
	if (w->log_queries)
		worker_log(w, server, peer, tcp, &w->q, n);
	return n;
}

void worker_prepare(worker_t *w, size_t server, const uint8_t *req, size_t len, prepared_t *p)
{
	/* Zeroed only for the log, as above. */
	if (w->log_queries)
		memset(&p->q, 0, sizeof(p->q));
	respond_prepare(w->view->zs[server], req, len, p);
}

size_t worker_respond_prepared(worker_t *w, size_t server, const struct sockaddr *peer,
			       const prepared_t *p, uint8_t *out)
{
	size_t n = respond_prepared(w->view->zs[server], p, false, out, &w->ex);
	if (w->log_queries)
		worker_log(w, server, peer, false, &p->q, n);
	return n;
}

bool worker_delay_admit(worker_t *w)
{
	if (w->ndelayed < WORKER_MAX_DELAYED)
		return true;
	w->stats.delay_dropped++;
	return false;
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
	udp_delayed_close_all(w);
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
			int fd = worker_bind(a, SOCK_DGRAM, err, errcap);
			if (fd < 0)
				return fd;
			bool steered = udp_steer(fd, a->ss.ss_family, opts->nworkers) == 0;
			w->udp[w->nudp].steered = steered;
			r = udp_start(&w->udp[w->nudp++], w, s, fd);
			if (r < 0) {
				snprintf(err, errcap, "cannot listen on %s (udp): %s", a->text,
					 uv_strerror(r));
				return r;
			}
			fd = worker_bind(a, SOCK_STREAM, err, errcap);
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
		for (size_t k = 0; k < sc->servers[s].nlisten && j < w->nudp; k++, j++)
			if (w->udp[j].steered)
				udp_add_sender(&w->udp[j], &sc->servers[s].listen[k]);
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

void worker_stop(worker_t *w)
{
	uv_async_send(&w->stop);
}

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
		udp_delayed_close_all(w);
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
