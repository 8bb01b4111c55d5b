/*
 * stats.h -- what glued has answered, per virtual server and zone, for
 * gluectl stats.
 *
 * Each worker counts into its own slots of the view it serves from (one
 * writer per counter: relaxed loads and stores, no read-modify-write, no
 * lock, no allocation on the query path); the main thread reads them. When
 * a view is retired its counts are folded into the daemon's totals, kept
 * by server name and zone origin, so a reload or a control change loses
 * nothing. A reset takes a baseline instead of writing to the workers'
 * counters.
 */
#ifndef GLUED_STATS_H
#define GLUED_STATS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/answer.h"

enum stats_rc {
	STATS_NOERROR = 0,
	STATS_FORMERR,
	STATS_SERVFAIL,
	STATS_NXDOMAIN,
	STATS_REFUSED,
	STATS_OTHER_RCODE,
	STATS_NRC,
};

enum stats_field {
	STATS_QUERIES = 0,
	STATS_REFERRALS,   /* answers that were referrals */
	STATS_TC,          /* responses with TC set */
	STATS_FAULTS,      /* responses a fault (or a DNSSEC fault) shaped */
	STATS_GLUE_POLICY, /* NS names whose glue the glue rule left out */
	STATS_DROPPED,     /* queries with no response (drop fault, malformed) */
	STATS_RC0,         /* + enum stats_rc: responses by rcode */
	STATS_NFIELDS = STATS_RC0 + STATS_NRC,
};

/* One slot: a server's queries that matched none of its zones, or one
 * zone's. Aligned so that two workers never share a cache line. */
typedef struct stats_slot {
	_Atomic uint64_t v[STATS_NFIELDS];
} __attribute__((aligned(64))) stats_slot_t;

/* The counters of one view: per worker, slot base[s] is server s's
 * "no zone" slot and base[s] + 1 + i its zone i. */
typedef struct view_stats {
	unsigned nworkers;
	size_t nslots;
	size_t *base;          /* per server */
	stats_slot_t **worker; /* per worker: nslots slots */
} view_stats_t;

/* Count one response (n bytes, 0 for none) of server s to slots (the
 * worker's), as its explanation says. The query path calls this. */
static inline void stats_count(stats_slot_t *slots, const size_t *base, size_t s,
			       const explain_t *ex, size_t n)
{
	stats_slot_t *sl = &slots[base[s] + ex->zone_slot];
#define STATS_INC(f)                                                                     \
	atomic_store_explicit(&sl->v[f],                                                 \
			      atomic_load_explicit(&sl->v[f], memory_order_relaxed) + 1, \
			      memory_order_relaxed)
	STATS_INC(STATS_QUERIES);
	if (n == 0) {
		STATS_INC(STATS_DROPPED);
		return;
	}
	unsigned rc = ex->rcode;
	STATS_INC(STATS_RC0 + (rc == 0   ? STATS_NOERROR
			       : rc == 1 ? STATS_FORMERR
			       : rc == 2 ? STATS_SERVFAIL
			       : rc == 3 ? STATS_NXDOMAIN
			       : rc == 5 ? STATS_REFUSED
					 : STATS_OTHER_RCODE));
	if (ex->kind == ANSWER_REFERRAL)
		STATS_INC(STATS_REFERRALS);
	if (ex->tc != TC_NONE)
		STATS_INC(STATS_TC);
	if (ex->fault != NULL || ex->dfault != NULL)
		STATS_INC(STATS_FAULTS);
	if (ex->kind == ANSWER_REFERRAL) {
		unsigned policy = 0;
		for (unsigned i = 0; i < ex->nns && i < EXPLAIN_MAX_NS; i++)
			policy += ex->ns[i].fate == FATE_POLICY;
		if (policy > 0)
			atomic_store_explicit(&sl->v[STATS_GLUE_POLICY],
					      atomic_load_explicit(&sl->v[STATS_GLUE_POLICY],
								   memory_order_relaxed) +
						      policy,
					      memory_order_relaxed);
	}
#undef STATS_INC
}

/* The totals of one server or zone. */
typedef struct stats_row {
	char server[64];
	char zone[256]; /* origin text; "" for the server's own row */
	uint64_t v[STATS_NFIELDS];
} stats_row_t;

/* Totals kept by name, across views. */
typedef struct stats_table {
	stats_row_t *rows;
	size_t n, cap;
} stats_table_t;

struct view;

/* Counters for view v (servers and zones as it has them), nworkers
 * workers, all zero; attached to v, freed with it (view_free). */
int view_stats_init(struct view *v, unsigned nworkers);
void view_stats_free(view_stats_t *s);

/* Add what v's workers counted into t, by server name and zone origin. */
int stats_add_view(stats_table_t *t, const struct view *v);

/* Add the rows of from into t (sign -1: subtract, for a baseline). */
int stats_add_table(stats_table_t *t, const stats_table_t *from, int sign);

void stats_table_free(stats_table_t *t);

/* The table as text (one line per server, one per zone under it) or one
 * JSON object, into buf. */
size_t stats_format(const stats_table_t *t, bool json, char *buf, size_t cap);

#endif
