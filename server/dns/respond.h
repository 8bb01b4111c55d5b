/*
 * respond.h -- the engine's one entry point: request bytes -> response bytes.
 *
 * query_parse -> answer_plan -> encode. Pure: no I/O, no allocation, no
 * locks; safe to call from many threads on the same zoneset.
 */
#ifndef GLUED_RESPOND_H
#define GLUED_RESPOND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/answer.h"
#include "dns/query.h"
#include "dns/zoneset.h"

#define RESPOND_MAX 65535

/*
 * Answer the request req (len bytes) from zs. tcp selects the size limit
 * (65535 over TCP, query_udp_limit() over UDP). out must hold RESPOND_MAX
 * bytes. q (may be NULL) receives the parsed query and ex (may be NULL) the
 * explanation, for logging. Returns the response length, or 0 when the
 * request must be dropped (malformed beyond answering, or a drop fault).
 * A delay fault still returns the response: the caller must send it
 * ex->delay_ms later, so callers that honour faults pass an ex.
 */
size_t respond(const zoneset_t *zs, const uint8_t *req, size_t len, bool tcp, uint8_t *out,
	       query_t *q, explain_t *ex);

/*
 * respond() in two halves, for a caller answering a batch (the UDP path):
 * respond_prepare parses the request, picks the zone and starts the first
 * lookup's prefetch (p->pf, see zone_pf_t); once every request of the batch
 * is prepared and their prefetches advanced, respond_prepared answers each,
 * exactly as respond() would have. p->q is the parsed query (for the log).
 */
typedef struct prepared {
	query_t q;
	int verdict;          /* query_parse's */
	bool zone_known;      /* zone and zi are zoneset_find_at's answer */
	const zone_t *zone;
	size_t zi;
	zone_pf_t pf;
} prepared_t;

void respond_prepare(const zoneset_t *zs, const uint8_t *req, size_t len, prepared_t *p);
size_t respond_prepared(const zoneset_t *zs, const prepared_t *p, bool tcp, uint8_t *out,
			explain_t *ex);

#endif
