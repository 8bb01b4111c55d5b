/*
 * xfrd.c -- pulls, histories and notifies (xfrd.h).
 */
#include "xfrd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns/journal.h"
#include "dns/rdata.h"
#include "dns/wire.h"
#include "dns/xfr.h"
#include "dns/xfrin.h"
#include "log.h"
#include "net/pull.h"

#define NOTIFY_TRIES 5
#define NOTIFY_FIRST_MS 1000
#define QUEUE_MAX 64

/* A zone glued pulls from its primary. */
typedef struct secondary {
	xfrd_t *x;
	char server[128];
	uint8_t origin[NAME_MAXLEN];
	char name[NAME_TEXT_MAX];
	xfr_spec_t spec;
	char *file; /* where each copy is written, or NULL */
	zone_copy_t copy;
	bool have;
	pull_t *pull;
	uv_timer_t timer;
	unsigned fails;
	bool configured; /* still in the configuration (xfrd_built's mark) */
	bool closing;
} secondary_t;

/* A NOTIFY on its way to one secondary. */
typedef struct notify_out {
	xfrd_t *x;
	uv_udp_t udp;
	uv_timer_t timer;
	struct sockaddr_storage to;
	char who[80], zone[NAME_TEXT_MAX];
	uint16_t id;
	uint32_t serial;
	unsigned tries;
	int closed;
	bool done;
	size_t len;
	uint8_t msg[1024];
	uint8_t rbuf[4096];
	struct notify_out *next;
} notify_out_t;

typedef struct queued {
	size_t server;
	uint8_t origin[NAME_MAXLEN];
} queued_t;

struct xfrd {
	uv_loop_t *loop;
	xfrd_rebuild_fn rebuild;
	void *ctx;
	secondary_t **sec;
	size_t nsec;
	notify_out_t *notifies; /* on their way */
	notify_out_t *queued;   /* sent once the workers serve the new view */
	char (*servers)[128];   /* server names by index, for NOTIFYs from workers */
	size_t nservers;
	uv_timer_t again; /* a rebuild that could not happen yet */
	bool want_rebuild;
	uv_async_t async; /* NOTIFYs from the workers */
	uv_mutex_t lock;
	queued_t queue[QUEUE_MAX];
	size_t nqueue;
	bool stopping;
	int open_handles;
};

static void sec_pull(secondary_t *s);

static void handle_closed(uv_handle_t *h)
{
	xfrd_t *x = h->data;
	if (--x->open_handles == 0) {
		uv_mutex_destroy(&x->lock);
		free(x->servers);
		free(x->sec);
		free(x);
	}
}

/* ---- rebuilding ---------------------------------------------------------- */

static void again_cb(uv_timer_t *t)
{
	xfrd_t *x = t->data;
	if (!x->want_rebuild || x->stopping)
		return;
	if (x->rebuild(x->ctx) == 0)
		x->want_rebuild = false;
	else
		uv_timer_start(&x->again, again_cb, 200, 0);
}

static void want_rebuild(xfrd_t *x)
{
	x->want_rebuild = true;
	uv_timer_start(&x->again, again_cb, 0, 0);
}

/* ---- secondaries ---------------------------------------------------------- */

/* The SOA's refresh and retry of a copy (RFC 1035 3.3.13). */
static void soa_timers(const zone_copy_t *c, uint32_t *refresh, uint32_t *retry)
{
	zone_rec_t r;
	size_t pos = 0;
	*refresh = 3600, *retry = 600;
	if (c->recs.n > 0 && journal_rec(c->recs.buf, c->recs.len, &pos, &r) && r.type == RR_SOA &&
	    r.rdlen >= 20) {
		*refresh = wire_get32(r.rd + r.rdlen - 16);
		*retry = wire_get32(r.rd + r.rdlen - 12);
	}
}

static void sec_timer_cb(uv_timer_t *t) { sec_pull(t->data); }

static void sec_schedule(secondary_t *s, bool failed)
{
	uint32_t refresh, retry;
	soa_timers(&s->copy, &refresh, &retry);
	uint64_t secs;
	if (!failed) {
		secs = refresh;
	} else {
		/* Soon while there is no copy, then the SOA's retry. */
		unsigned f = s->fails < 6 ? s->fails : 6;
		secs = (uint64_t)1 << f;
		if (s->have && secs > retry)
			secs = retry;
	}
	if (secs < 1)
		secs = 1;
	if (secs > 86400)
		secs = 86400;
	uv_timer_start(&s->timer, sec_timer_cb, secs * 1000, 0);
}

/* Write a copy as zone-file text (a temporary file renamed over it). */
static void sec_save(secondary_t *s)
{
	char tmp[4200], owner[NAME_TEXT_MAX], type[16];
	static char rd[65535 * 4 + 64];
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->file);
	FILE *f = fopen(tmp, "w");
	bool ok = f != NULL;
	if (ok)
		fprintf(f, "; %s, serial %u, transferred from %s\n", s->name, s->copy.serial,
			s->copy.source);
	zone_rec_t r;
	size_t pos = 0;
	while (ok && pos < s->copy.recs.len &&
	       journal_rec(s->copy.recs.buf, s->copy.recs.len, &pos, &r)) {
		name_to_text(r.owner, owner, sizeof(owner));
		if (rdata_to_text(r.type, r.rd, r.rdlen, rd, sizeof(rd)) < 0)
			ok = false;
		else if (fprintf(f, "%s\t%u\tIN\t%s\t%s\n", owner, r.ttl,
				 rrtype_to_text(r.type, type), rd) < 0)
			ok = false;
	}
	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (ok && rename(tmp, s->file) == 0)
		return;
	log_warn("%s: cannot write the copy to %s", s->name, s->file);
	unlink(tmp);
}

static void pulled(void *ctx, int status, zone_copy_t *copy, uint32_t serial, const char *err)
{
	secondary_t *s = ctx;
	s->pull = NULL;
	if (status == PULL_FAILED) {
		s->fails++;
		log_warn("%s: transfer from its primary failed, %s: %s", s->name,
			 s->have ? "serving the copy it has" : "not served until a transfer works",
			 err);
		sec_schedule(s, true);
		return;
	}
	if (status == PULL_NEW) {
		/* Built once here, so that a copy that does not make a zone is
		 * never the one kept (and the reload it would fail, never made). */
		char why[1024];
		zone_t *z = NULL;
		if (zone_load_source(copy->source, zone_copy_source, copy, copy->recs.len,
				     s->origin, NULL, NULL, &z, why, sizeof(why)) != ST_OK) {
			zone_copy_free(copy);
			s->fails++;
			log_warn("%s: the zone transferred from its primary does not load, %s: %s",
				 s->name, s->have ? "serving the copy it has" : "not served", why);
			sec_schedule(s, true);
			return;
		}
		zone_free(z);
	}
	s->fails = 0;
	if (status == PULL_CURRENT) {
		log_info("%s: serial %u at the primary, the copy is current", s->name, serial);
		sec_schedule(s, false);
		return;
	}
	log_info("%s: transferred serial %u from %s: %u records", s->name, serial, copy->source,
		 copy->recs.n);
	zone_copy_free(&s->copy);
	s->copy = *copy;
	s->have = true;
	if (s->file)
		sec_save(s);
	sec_schedule(s, false);
	want_rebuild(s->x);
}

static void sec_pull(secondary_t *s)
{
	if (s->pull || s->closing || s->x->stopping)
		return;
	uv_timer_stop(&s->timer);
	int r = pull_start(s->x->loop, &s->spec, s->origin, s->have, s->copy.serial, pulled, s,
			   &s->pull);
	if (r < 0) {
		s->fails++;
		log_warn("%s: cannot start a transfer: %s", s->name, uv_strerror(r));
		sec_schedule(s, true);
	}
}

static void sec_closed(uv_handle_t *h)
{
	secondary_t *s = h->data;
	xfrd_t *x = s->x;
	zone_copy_free(&s->copy);
	free(s->file);
	free(s);
	handle_closed((uv_handle_t *)&x->again);
}

static void sec_close(secondary_t *s)
{
	s->closing = true;
	pull_cancel(s->pull);
	s->pull = NULL;
	uv_close((uv_handle_t *)&s->timer, sec_closed);
}

static secondary_t *sec_find(xfrd_t *x, const char *server, const uint8_t *origin)
{
	for (size_t i = 0; i < x->nsec; i++)
		if (strcmp(x->sec[i]->server, server) == 0 && name_equal(x->sec[i]->origin, origin))
			return x->sec[i];
	return NULL;
}

static bool spec_origin(const zone_spec_t *z, uint8_t out[NAME_MAXLEN])
{
	if (!z->origin ||
	    name_from_text(z->origin, strlen(z->origin), (const uint8_t *)"", out) < 0)
		return false;
	name_lower(out, out);
	return true;
}

static const char *server_name(const vserver_t *v) { return v->name ? v->name : ""; }

void xfrd_attach(xfrd_t *x, srvconf_t *sc)
{
	for (size_t i = 0; i < sc->nservers; i++) {
		vserver_t *v = &sc->servers[i];
		zone_spec_t *zones = (zone_spec_t *)v->spec.zones;
		size_t keep = 0;
		for (size_t k = 0; k < v->spec.nzones; k++) {
			zone_spec_t *z = &zones[k];
			uint8_t origin[NAME_MAXLEN];
			if (z->xfr && z->xfr->has_primary && spec_origin(z, origin)) {
				secondary_t *s = x ? sec_find(x, server_name(v), origin) : NULL;
				if (s && s->have)
					z->copy = &s->copy;
				else if (!z->file || access(z->file, R_OK) != 0) {
					/* Nothing to serve yet: set aside. */
					zone_spec_t *w =
						realloc((zone_spec_t *)v->spec.waiting,
							(v->spec.nwaiting + 1) * sizeof(*w));
					if (w != NULL) {
						v->spec.waiting = w;
						w[v->spec.nwaiting++] = *z;
						continue;
					}
				}
			}
			zones[keep++] = *z;
		}
		v->spec.nzones = keep;
	}
}

/* ---- notifies ---------------------------------------------------------- */

static void notify_closed(uv_handle_t *h)
{
	notify_out_t *n = h->data;
	xfrd_t *x = n->x;
	if (++n->closed < 2)
		return;
	notify_out_t **pp = &x->notifies;
	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (*pp)
		*pp = n->next;
	free(n);
	handle_closed((uv_handle_t *)&x->again);
}

static void notify_end(notify_out_t *n)
{
	if (n->done)
		return;
	n->done = true;
	uv_close((uv_handle_t *)&n->udp, notify_closed);
	uv_close((uv_handle_t *)&n->timer, notify_closed);
}

static void notify_send(notify_out_t *n)
{
	uv_buf_t b = uv_buf_init((char *)n->msg, (unsigned)n->len);
	n->tries++;
	(void)uv_udp_try_send(&n->udp, &b, 1, (const struct sockaddr *)&n->to);
}

static void notify_timer_cb(uv_timer_t *t)
{
	notify_out_t *n = t->data;
	if (n->tries >= NOTIFY_TRIES) {
		log_warn("%s: NOTIFY to %s unanswered after %u tries", n->zone, n->who, n->tries);
		notify_end(n);
		return;
	}
	notify_send(n);
	uv_timer_start(&n->timer, notify_timer_cb, (uint64_t)NOTIFY_FIRST_MS << n->tries, 0);
}

static void notify_alloc(uv_handle_t *h, size_t s, uv_buf_t *buf)
{
	notify_out_t *n = h->data;
	(void)s;
	buf->base = (char *)n->rbuf;
	buf->len = sizeof(n->rbuf);
}

static void notify_recv(uv_udp_t *u, ssize_t nread, const uv_buf_t *buf,
			const struct sockaddr *addr, unsigned flags)
{
	notify_out_t *n = u->data;
	(void)flags;
	if (nread < DNS_HEADER_LEN || addr == NULL || n->done)
		return;
	const uint8_t *m = (const uint8_t *)buf->base;
	if (wire_get16(m) != n->id || !(m[2] & 0x80))
		return;
	unsigned rcode = m[3] & 0xF;
	if (rcode == RCODE_NOERROR)
		log_info("%s: NOTIFY to %s acknowledged", n->zone, n->who);
	else
		log_warn("%s: NOTIFY to %s answered %s", n->zone, n->who, rcode_str(rcode));
	notify_end(n);
}

/* A NOTIFY for z to one secondary, made now (z goes with its view) and
 * queued until the workers serve that view: a secondary that asks at
 * once must get the new serial. */
static void notify_queue(xfrd_t *x, const zone_t *z, const xfr_spec_t *xs, const xfr_addr_t *to)
{
	notify_out_t *n = calloc(1, sizeof(*n));
	if (!n)
		return;
	n->x = x;
	n->id = (uint16_t)(rand() & 0xFFFF);
	xfr_addr_str(to, n->who, sizeof(n->who));
	name_to_text(zone_origin(z), n->zone, sizeof(n->zone));
	tsig_ctx_t ctx;
	if (xs->has_key)
		tsig_ctx_init(&ctx, &xs->key);
	n->len = xfr_build_notify(n->msg, sizeof(n->msg), n->id, z, xs->has_key ? &ctx : NULL,
				  (uint64_t)time(NULL));
	if (xs->has_key)
		tsig_ctx_free(&ctx);
	(void)xfr_addr_sockaddr(to, &n->to);
	n->serial = zone_serial(z);
	if (n->len == 0) {
		free(n);
		return;
	}
	n->next = x->queued;
	x->queued = n;
}

static void notify_launch(xfrd_t *x, notify_out_t *n)
{
	if (uv_udp_init(x->loop, &n->udp) < 0) {
		free(n);
		return;
	}
	uv_timer_init(x->loop, &n->timer);
	n->udp.data = n->timer.data = n;
	x->open_handles++;
	n->next = x->notifies;
	x->notifies = n;
	/* From any address of the family, an ephemeral port. */
	struct sockaddr_storage any;
	memset(&any, 0, sizeof(any));
	any.ss_family = n->to.ss_family;
	(void)uv_udp_bind(&n->udp, (const struct sockaddr *)&any, 0);
	(void)uv_udp_recv_start(&n->udp, notify_alloc, notify_recv);
	log_info("%s: serial %u, sending NOTIFY to %s", n->zone, n->serial, n->who);
	notify_send(n);
	uv_timer_start(&n->timer, notify_timer_cb, NOTIFY_FIRST_MS, 0);
}

/* ---- after a build ---------------------------------------------------------- */

void xfrd_built(xfrd_t *x, const srvconf_t *sc, const view_t *old, view_t *v)
{
	if (x->stopping)
		return;
	/* Histories and notifies, zone by zone. */
	for (size_t i = 0; i < v->n; i++) {
		zoneset_t *zs = v->zs[i];
		const zoneset_t *ozs = old && i < old->n ? old->zs[i] : NULL;
		for (size_t k = 0; k < zs->nzones; k++) {
			const xfr_spec_t *xs = zs->xfr[k];
			if (xs == NULL)
				continue;
			const zone_t *z = zs->zones[k];
			size_t ok = SIZE_MAX;
			const zone_t *oz = ozs ? zoneset_find_at(ozs, zone_origin(z), &ok) : NULL;
			if (oz && !name_equal(zone_origin(oz), zone_origin(z)))
				oz = NULL;
			if (oz == NULL)
				continue;
			uint32_t was = zone_serial(oz), now = zone_serial(z);
			const journal_t *oj = ozs->journal[ok];
			if (was == now) {
				zoneset_set_journal(zs, k, oj);
				continue;
			}
			if (serial_gt(now, was) && xs->nallow > 0) {
				journal_diff_t *d = journal_diff(oz, z);
				bool chained = oj && oj->n > 0 && oj->d[oj->n - 1]->to == was;
				journal_t *nj = d ? journal_extend(chained ? oj : NULL, d) : NULL;
				zoneset_set_journal(zs, k, nj);
				journal_release(nj);
			}
			for (size_t t = 0; t < xs->nnotify; t++)
				notify_queue(x, z, xs, &xs->notify[t]);
		}
	}
	/* Server names by index, for the NOTIFYs workers pass on. */
	char(*names)[128] = calloc(sc->nservers ? sc->nservers : 1, sizeof(*names));
	if (names) {
		for (size_t i = 0; i < sc->nservers; i++)
			snprintf(names[i], sizeof(names[i]), "%s", server_name(&sc->servers[i]));
		uv_mutex_lock(&x->lock);
		free(x->servers);
		x->servers = names;
		x->nservers = sc->nservers;
		uv_mutex_unlock(&x->lock);
	}
	/* The pulled zones: new ones start now, gone ones stop. */
	for (size_t i = 0; i < x->nsec; i++)
		x->sec[i]->configured = false;
	for (size_t i = 0; i < sc->nservers; i++) {
		const vserver_t *sv = &sc->servers[i];
		for (size_t k = 0; k < sv->spec.nzones + sv->spec.nwaiting; k++) {
			const zone_spec_t *z = k < sv->spec.nzones
						       ? &sv->spec.zones[k]
						       : &sv->spec.waiting[k - sv->spec.nzones];
			uint8_t origin[NAME_MAXLEN];
			if (!z->xfr || !z->xfr->has_primary || !spec_origin(z, origin))
				continue;
			secondary_t *s = sec_find(x, server_name(sv), origin);
			if (s) {
				s->spec = *z->xfr;
				s->configured = true;
				continue;
			}
			secondary_t **ns = realloc(x->sec, (x->nsec + 1) * sizeof(*ns));
			if (!ns || !(s = calloc(1, sizeof(*s)))) {
				if (ns)
					x->sec = ns;
				log_error("out of memory");
				continue;
			}
			x->sec = ns;
			x->sec[x->nsec++] = s;
			s->x = x;
			snprintf(s->server, sizeof(s->server), "%s", server_name(sv));
			memcpy(s->origin, origin, name_len(origin));
			name_to_text(origin, s->name, sizeof(s->name));
			s->spec = *z->xfr;
			s->file = z->file ? strdup(z->file) : NULL;
			s->configured = true;
			uv_timer_init(x->loop, &s->timer);
			s->timer.data = s;
			x->open_handles++;
			char a[80];
			log_info("%s: pulling it from %s", s->name,
				 xfr_addr_str(&s->spec.primary, a, sizeof(a)));
			sec_pull(s);
		}
	}
	size_t keep = 0;
	for (size_t i = 0; i < x->nsec; i++) {
		if (x->sec[i]->configured)
			x->sec[keep++] = x->sec[i];
		else
			sec_close(x->sec[i]);
	}
	x->nsec = keep;
}

void xfrd_served(xfrd_t *x)
{
	if (!x || x->stopping)
		return;
	notify_out_t *n = x->queued;
	x->queued = NULL;
	while (n) {
		notify_out_t *next = n->next;
		notify_launch(x, n);
		n = next;
	}
}

/* ---- NOTIFYs from the workers ---------------------------------------------------- */

void xfrd_notified(xfrd_t *x, size_t server, const uint8_t *origin, uint32_t serial)
{
	(void)serial;
	uv_mutex_lock(&x->lock);
	if (x->nqueue < QUEUE_MAX) {
		queued_t *q = &x->queue[x->nqueue++];
		q->server = server;
		memcpy(q->origin, origin, name_len(origin));
	}
	uv_mutex_unlock(&x->lock);
	uv_async_send(&x->async);
}

static void async_cb(uv_async_t *a)
{
	xfrd_t *x = a->data;
	queued_t q[QUEUE_MAX];
	char names[QUEUE_MAX][128];
	size_t n;
	uv_mutex_lock(&x->lock);
	n = x->nqueue;
	memcpy(q, x->queue, n * sizeof(q[0]));
	for (size_t i = 0; i < n; i++)
		snprintf(names[i], sizeof(names[i]), "%s",
			 q[i].server < x->nservers ? x->servers[q[i].server] : "");
	x->nqueue = 0;
	uv_mutex_unlock(&x->lock);
	for (size_t i = 0; i < n && !x->stopping; i++) {
		secondary_t *s = sec_find(x, names[i], q[i].origin);
		if (s)
			sec_pull(s);
	}
}

/* ---- life cycle ---------------------------------------------------------- */

xfrd_t *xfrd_new(uv_loop_t *loop, xfrd_rebuild_fn rebuild, void *ctx)
{
	xfrd_t *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->loop = loop;
	x->rebuild = rebuild;
	x->ctx = ctx;
	if (uv_mutex_init(&x->lock) < 0) {
		free(x);
		return NULL;
	}
	uv_timer_init(loop, &x->again);
	x->again.data = x;
	uv_async_init(loop, &x->async, async_cb);
	x->async.data = x;
	x->open_handles = 2;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	return x;
}

void xfrd_stop(xfrd_t *x)
{
	if (!x || x->stopping)
		return;
	x->stopping = true;
	for (size_t i = 0; i < x->nsec; i++)
		sec_close(x->sec[i]);
	x->nsec = 0;
	for (notify_out_t *n = x->notifies; n; n = n->next)
		notify_end(n);
	while (x->queued) {
		notify_out_t *n = x->queued;
		x->queued = n->next;
		free(n);
	}
	uv_close((uv_handle_t *)&x->again, handle_closed);
	uv_close((uv_handle_t *)&x->async, handle_closed);
}
