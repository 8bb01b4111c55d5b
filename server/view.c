/*
 * view.c -- one zoneset per virtual server, loaded together.
 */
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/rdata.h"
#include "dnssec/key.h"
#include "log.h"
#include "stats.h"

view_t *view_new(size_t n)
{
	view_t *v = calloc(1, sizeof(view_t) + n * sizeof(zoneset_t *));
	if (v != NULL) {
		atomic_init(&v->refs, 1);
		v->n = n;
	}
	return v;
}

void view_hold(const view_t *v) { atomic_fetch_add(&((view_t *)v)->refs, 1); }

void view_free(view_t *v)
{
	if (v == NULL || atomic_fetch_sub(&v->refs, 1) != 1)
		return;
	for (size_t i = 0; i < v->n; i++)
		zoneset_free(v->zs[i]);
	view_stats_free(v->stats);
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

size_t view_trust_anchor(const view_t *v, char *buf, size_t cap)
{
	buf[0] = '\0';
	for (size_t i = 0; i < v->n; i++) {
		const zoneset_t *zs = v->zs[i];
		for (size_t k = 0; zs != NULL && k < zs->nzones; k++) {
			const zone_t *z = zs->zones[k];
			const rrset_t *keys = node_rrset(zone_apex(z), RR_DNSKEY);
			if (zone_origin(z)[0] != 0 || !zone_signed(z) || keys == NULL)
				continue;
			/* The key-signing keys; a root whose keys all lack the SEP
			 * flag (dnskey: no-sep) is anchored at every key. */
			size_t n = 0, len = 0;
			for (int pass = 0; pass < 2 && n == 0; pass++) {
				uint32_t pos = 0;
				const uint8_t *rd;
				uint16_t rdlen;
				while (rrset_next(keys, &pos, &rd, &rdlen)) {
					uint8_t ds[DS_SHA256_RDLEN];
					char line[32 + 2 * DS_SHA256_RDLEN];
					if (rdlen < 4 ||
					    (pass == 0 && !(rd[1] & DNSKEY_FLAG_SEP)) ||
					    dnskey_ds((const uint8_t *)"", rd, rdlen, ds) != ST_OK)
						continue;
					int w = snprintf(line, sizeof(line), ". IN DS %u %u %u ",
							 (unsigned)(ds[0] << 8 | ds[1]), ds[2],
							 ds[3]);
					for (size_t b = 4; b < sizeof(ds); b++)
						w += snprintf(line + w, sizeof(line) - (size_t)w,
							      "%02X", ds[b]);
					if (len + (size_t)w + 2 > cap)
						return n; /* what fits, whole lines only */
					memcpy(buf + len, line, (size_t)w);
					len += (size_t)w;
					buf[len++] = '\n';
					buf[len] = '\0';
					n++;
				}
			}
			return n;
		}
	}
	return 0;
}
