/*
 * xfrd.h -- glued talking to other servers about its zones: pulling the
 * zones it is a secondary for (AXFR in), keeping each zone's IXFR history,
 * and sending NOTIFY to the secondaries of a zone that changed.
 *
 * Lives on the daemon's loop (daemon.c). A reload goes through it three
 * times: xfrd_attach gives each pulled zone of the new configuration its
 * last copy before the view is built; xfrd_built, once it is built and
 * before the workers see it, hangs each zone's history on it (a diff
 * against the view it replaces when the serial went up), makes the
 * NOTIFYs of every zone whose serial changed, and starts pulling any zone
 * configured anew; xfrd_served, once every worker serves the new view,
 * sends those NOTIFYs (a secondary that asks at once gets the new serial). A pulled zone is refreshed on its SOA's refresh
 * timer, retried on failure, and pulled at once on a NOTIFY from its
 * primary; each new copy makes the daemon build a new view (the rebuild
 * function), and a failed pull keeps the old copy and says why.
 */
#ifndef GLUED_XFRD_H
#define GLUED_XFRD_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "config.h"
#include "view.h"

typedef struct xfrd xfrd_t;

/* Build and hand over a new view from the configuration and the copies:
 * 0, or -1 when that cannot happen now (xfrd tries again shortly). */
typedef int (*xfrd_rebuild_fn)(void *ctx);

xfrd_t *xfrd_new(uv_loop_t *loop, xfrd_rebuild_fn rebuild, void *ctx);

/* Cancel every pull and notify, close every handle (before the loop's
 * last run), and free x once they are closed. */
void xfrd_stop(xfrd_t *x);

/* Before view_build(sc): each pulled zone of sc gets its copy; one with
 * none (and no earlier copy in its file) is moved from spec.zones to the
 * server's waiting list. x may be NULL (glued --check, the first build):
 * then no zone has a copy. */
void xfrd_attach(xfrd_t *x, srvconf_t *sc);

/* After view_build(sc) gave v, replacing old (NULL at start). */
void xfrd_built(xfrd_t *x, const srvconf_t *sc, const view_t *old, view_t *v);

/* Every worker serves the view xfrd_built saw last: send its NOTIFYs. */
void xfrd_served(xfrd_t *x);

/* A worker accepted a NOTIFY for a pulled zone: pull it now. Any thread. */
void xfrd_notified(xfrd_t *x, size_t server, const uint8_t *origin, uint32_t serial);

#endif
