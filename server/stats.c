/*
 * stats.c -- counters per server and zone (stats.h).
 */
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/name.h"
#include "util/json.h"
#include "view.h"

int view_stats_init(view_t *v, unsigned nworkers)
{
	view_stats_t *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -1;
	s->nworkers = nworkers;
	s->base = calloc(v->n ? v->n : 1, sizeof(*s->base));
	s->worker = calloc(nworkers ? nworkers : 1, sizeof(*s->worker));
	if (s->base == NULL || s->worker == NULL) {
		view_stats_free(s);
		return -1;
	}
	for (size_t i = 0; i < v->n; i++) {
		s->base[i] = s->nslots;
		s->nslots += 1 + v->zs[i]->nzones;
	}
	for (unsigned w = 0; w < nworkers; w++) {
		s->worker[w] =
			aligned_alloc(64, (s->nslots ? s->nslots : 1) * sizeof(stats_slot_t));
		if (s->worker[w] == NULL) {
			view_stats_free(s);
			return -1;
		}
		memset(s->worker[w], 0, (s->nslots ? s->nslots : 1) * sizeof(stats_slot_t));
	}
	v->stats = s;
	return 0;
}

void view_stats_free(view_stats_t *s)
{
	if (s == NULL)
		return;
	for (unsigned w = 0; s->worker != NULL && w < s->nworkers; w++)
		free(s->worker[w]);
	free(s->worker);
	free(s->base);
	free(s);
}

/* The row of server/zone in t, made (zero) if it is new; NULL: no memory. */
static stats_row_t *row(stats_table_t *t, const char *server, const char *zone)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->rows[i].server, server) == 0 && strcmp(t->rows[i].zone, zone) == 0)
			return &t->rows[i];
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		stats_row_t *r = realloc(t->rows, cap * sizeof(*r));
		if (r == NULL)
			return NULL;
		t->rows = r;
		t->cap = cap;
	}
	stats_row_t *r = &t->rows[t->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->server, sizeof(r->server), "%s", server);
	snprintf(r->zone, sizeof(r->zone), "%s", zone);
	return r;
}

int stats_add_view(stats_table_t *t, const view_t *v)
{
	const view_stats_t *s = v->stats;
	if (s == NULL)
		return 0;
	for (size_t i = 0; i < v->n; i++) {
		const zoneset_t *zs = v->zs[i];
		const char *server = zs->name ? zs->name : "-";
		for (size_t k = 0; k <= zs->nzones; k++) {
			char zone[NAME_TEXT_MAX] = "";
			if (k > 0)
				name_to_text(zone_origin(zs->zones[k - 1]), zone, sizeof(zone));
			stats_row_t *r = row(t, server, zone);
			if (r == NULL)
				return -1;
			for (unsigned w = 0; w < s->nworkers; w++) {
				const stats_slot_t *sl = &s->worker[w][s->base[i] + k];
				for (int f = 0; f < STATS_NFIELDS; f++)
					r->v[f] += atomic_load_explicit(&sl->v[f],
									memory_order_relaxed);
			}
		}
	}
	return 0;
}

int stats_add_table(stats_table_t *t, const stats_table_t *from, int sign)
{
	for (size_t i = 0; i < from->n; i++) {
		const stats_row_t *f = &from->rows[i];
		stats_row_t *r = row(t, f->server, f->zone);
		if (r == NULL)
			return -1;
		for (int k = 0; k < STATS_NFIELDS; k++)
			r->v[k] = sign < 0 ? (r->v[k] >= f->v[k] ? r->v[k] - f->v[k] : 0)
					   : r->v[k] + f->v[k];
	}
	return 0;
}

void stats_table_free(stats_table_t *t)
{
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

static const char *const field_names[STATS_NFIELDS] = {
	[STATS_QUERIES] = "queries",
	[STATS_REFERRALS] = "referrals",
	[STATS_TC] = "tc",
	[STATS_FAULTS] = "faults",
	[STATS_GLUE_POLICY] = "glue_withheld",
	[STATS_DROPPED] = "dropped",
	[STATS_RC0 + STATS_NOERROR] = "NOERROR",
	[STATS_RC0 + STATS_FORMERR] = "FORMERR",
	[STATS_RC0 + STATS_SERVFAIL] = "SERVFAIL",
	[STATS_RC0 + STATS_NXDOMAIN] = "NXDOMAIN",
	[STATS_RC0 + STATS_REFUSED] = "REFUSED",
	[STATS_RC0 + STATS_OTHER_RCODE] = "other",
};

/* A server's own row plus its zones' rows: the server's totals. */
static void server_total(const stats_table_t *t, const char *server, uint64_t *v)
{
	memset(v, 0, STATS_NFIELDS * sizeof(*v));
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->rows[i].server, server) == 0)
			for (int f = 0; f < STATS_NFIELDS; f++)
				v[f] += t->rows[i].v[f];
}

static size_t text_row(char *buf, size_t cap, const char *indent, const char *what,
		       const uint64_t *v)
{
	int n = snprintf(buf, cap, "%s%s:", indent, what);
	for (int f = 0; f < STATS_NFIELDS && n >= 0 && (size_t)n < cap; f++)
		n += snprintf(buf + n, cap - (size_t)n, " %s=%llu", field_names[f],
			      (unsigned long long)v[f]);
	if (n >= 0 && (size_t)n < cap)
		n += snprintf(buf + n, cap - (size_t)n, "\n");
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

static void json_fields(json_t *j, const uint64_t *v)
{
	for (int f = 0; f < STATS_RC0; f++)
		json_uint(j, field_names[f], v[f]);
	json_obj_open(j, "rcodes");
	for (int f = STATS_RC0; f < STATS_NFIELDS; f++)
		json_uint(j, field_names[f], v[f]);
	json_obj_close(j);
}

size_t stats_format(const stats_table_t *t, bool json, char *buf, size_t cap)
{
	uint64_t tot[STATS_NFIELDS];
	json_t j;
	size_t len = 0;
	if (json) {
		json_init(&j, buf, cap);
		json_obj_open(&j, NULL);
		json_bool(&j, "ok", true);
		json_arr_open(&j, "servers");
	}
	for (size_t i = 0; i < t->n; i++) {
		const char *server = t->rows[i].server;
		bool first = true;
		for (size_t k = 0; k < i && first; k++)
			first = strcmp(t->rows[k].server, server) != 0;
		if (!first)
			continue;
		server_total(t, server, tot);
		if (json) {
			json_obj_open(&j, NULL);
			json_str(&j, "server", server);
			json_fields(&j, tot);
			json_arr_open(&j, "zones");
		} else {
			char what[80];
			snprintf(what, sizeof(what), "server %s", server);
			len += text_row(buf + len, cap - len, "", what, tot);
		}
		for (size_t k = i; k < t->n; k++) {
			const stats_row_t *r = &t->rows[k];
			if (strcmp(r->server, server) != 0 || r->zone[0] == '\0')
				continue;
			if (json) {
				json_obj_open(&j, NULL);
				json_str(&j, "zone", r->zone);
				json_fields(&j, r->v);
				json_obj_close(&j);
			} else {
				char what[NAME_TEXT_MAX + 8];
				snprintf(what, sizeof(what), "zone %s", r->zone);
				len += text_row(buf + len, cap - len, "  ", what, r->v);
			}
		}
		if (json) {
			json_arr_close(&j);
			json_obj_close(&j);
		}
	}
	if (json) {
		json_arr_close(&j);
		json_obj_close(&j);
		len = json_len(&j);
		if (len + 1 < cap) {
			buf[len++] = '\n';
			buf[len] = '\0';
		}
	}
	return len;
}
