/*
 * view.c -- one zoneset per virtual server, loaded together.
 */
#include "view.h"

#include <stdio.h>
#include <stdlib.h>

#include "log.h"

view_t *view_new(size_t n)
{
	view_t *v = calloc(1, sizeof(view_t) + n * sizeof(zoneset_t *));
	if (v != NULL)
		v->n = n;
	return v;
}

void view_free(view_t *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++)
		zoneset_free(v->zs[i]);
	free(v);
}

static void warn_cb(void *ctx, const char *msg)
{
	(void)ctx;
	log_warn("%s", msg);
}

int view_build(const srvconf_t *sc, view_t **out, char *err, size_t errcap)
{
	char e[CONFIG_ERR_MAX - 96];
	view_t *v = view_new(sc->nservers);
	if (v == NULL) {
		snprintf(err, errcap, "out of memory");
		return ST_ENOMEM;
	}
	/* Each server sees the others, for the DS of the children they sign. */
	const server_spec_t **all = calloc(sc->nservers ? sc->nservers : 1, sizeof(*all));
	if (all == NULL) {
		view_free(v);
		snprintf(err, errcap, "out of memory");
		return ST_ENOMEM;
	}
	for (size_t i = 0; i < sc->nservers; i++)
		all[i] = &sc->servers[i].spec;
	for (size_t i = 0; i < sc->nservers; i++) {
		server_spec_t spec = sc->servers[i].spec;
		spec.view = all;
		spec.nview = sc->nservers;
		int r = zoneset_load(&spec, warn_cb, NULL, &v->zs[i], e, sizeof(e));
		if (r < 0) {
			if (sc->file != NULL)
				snprintf(err, errcap, "%s (server %.64s)", e, sc->servers[i].name);
			else
				snprintf(err, errcap, "%s", e);
			view_free(v);
			free(all);
			return r;
		}
	}
	free(all);
	*out = v;
	return 0;
}

size_t view_zones(const view_t *v)
{
	size_t n = 0;
	for (size_t i = 0; i < v->n; i++)
		n += v->zs[i]->nzones;
	return n;
}
