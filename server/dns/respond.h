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
 * Start prefetching what answering req will read first (see zone_pf_t):
 * the question's name is read (lowercased) just far enough to pick the zone
 * and its first lookup. Touches nothing and decides nothing; a request
 * respond() would reject only wastes a few loads.
 */
void respond_prefetch(const zoneset_t *zs, const uint8_t *req, size_t len, zone_pf_t *pf);

#endif
