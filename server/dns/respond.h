/*
 * respond.h -- the engine's entry point for queries: request bytes ->
 * response bytes.
 *
 * Every query answered outside server/dns/ goes through this header: the
 * network layer (server/net/worker.c), glued --check, the resolver
 * simulation, gluecheck's tests, bench/engine, the golden and fuzz tests.
 * Zone transfers and NOTIFY have the engine's other entry point,
 * xfr_answer() in xfr.h. respond() answers them as a server without
 * transfer settings does (AXFR over UDP NOTIMP; AXFR and IXFR REFUSED at
 * the apex of a zone served here, else NOTAUTH; NOTIFY NOTIMP, like every
 * opcode but QUERY); for a server whose zones have transfer settings
 * (zoneset_t.nxfr), net/worker.c hands the requests xfr_is_transfer() picks
 * out of respond()'s parse to xfr_answer() instead.
 *
 * Two ways in for queries, with the same answers:
 *
 *   respond()            one request: parse, judge, plan, encode.
 *   respond_batch_*()    many requests (a recvmmsg batch): each is parsed
 *                        and its zone lookup prefetched as it is added, the
 *                        prefetches of the whole batch finish together, and
 *                        then each is answered, byte for byte and
 *                        explanation for explanation what respond() would
 *                        have given it over UDP.
 *
 * What happens inside (query_parse -> class and meta-type checks ->
 * answer_plan -> encode_response) is the engine's business; callers never
 * see a prefetch or a zone. Pure: no I/O, no allocation on the query path
 * (a batch is allocated once, by respond_batch_new), no locks; safe to call
 * from many threads on the same zoneset, each with its own batch.
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
 * A batch of UDP requests answered together, so that the cache misses of
 * their zone lookups overlap instead of following one another
 * (docs/performance.md). At most RESPOND_BATCH_MAX requests: as many as
 * libuv 1.44 reads with one recvmmsg call.
 *
 * Use: respond_batch_add() each request as it arrives (it is parsed, its
 * zone picked and its lookup's first cache line prefetched; the requests
 * added a few places before it take their next prefetch step, so each
 * load has had the time of a few parses to arrive), respond_batch_finish()
 * once the batch is complete, respond_batch_answer() each entry, then
 * respond_batch_clear() before the next batch. The requests' bytes need
 * not outlive respond_batch_add; the zonesets must outlive the answers.
 */
#define RESPOND_BATCH_MAX 20

typedef struct respond_batch respond_batch_t;

/* An empty batch, or NULL when memory is short. */
respond_batch_t *respond_batch_new(void);

/* Free b. Safe on NULL. */
void respond_batch_free(respond_batch_t *b);

/*
 * Add the request req (len bytes) to be answered from zs. Returns its index
 * in the batch (0, 1, ...). Pre: respond_batch_count(b) <
 * RESPOND_BATCH_MAX.
 */
unsigned respond_batch_add(respond_batch_t *b, const zoneset_t *zs, const uint8_t *req, size_t len);

/* The number of requests in b. */
unsigned respond_batch_count(const respond_batch_t *b);

/* The batch is complete: take every prefetch of b to its end. */
void respond_batch_finish(respond_batch_t *b);

/*
 * Answer request i of b into out (RESPOND_MAX bytes): exactly what
 * respond(zs, req, len, false, out, NULL, ex) returns and writes, and the
 * same explanation in ex (may be NULL). Pre: i < respond_batch_count(b),
 * and respond_batch_finish ran after the last add (answering earlier is
 * correct, only slower).
 */
size_t respond_batch_answer(const respond_batch_t *b, unsigned i, uint8_t *out, explain_t *ex);

/* The parsed query of request i (for the query log), as respond() would
 * have filled q. Pre: i < respond_batch_count(b). */
const query_t *respond_batch_query(const respond_batch_t *b, unsigned i);

/* Empty b for the next batch. */
void respond_batch_clear(respond_batch_t *b);

#endif
