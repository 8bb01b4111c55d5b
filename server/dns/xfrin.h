/*
 * xfrin.h -- a zone pulled from its primary: the AXFR response (RFC 5936),
 * message by message, read into a copy that zone_load_source builds the
 * zone from, under the same checks and limits as a zone file.
 *
 * Pure: the network layer (server/net/pull.c) hands in the messages as
 * they arrive. Every message is bounds-checked; a primary that sends
 * garbage, the wrong zone, an error rcode, a bad TSIG or more than the
 * limits allow ends the transfer with a message saying so, and the old
 * copy (if any) stays.
 */
#ifndef GLUED_XFRIN_H
#define GLUED_XFRIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/journal.h"
#include "dns/name.h"
#include "dns/tsig.h"
#include "dns/zone_build.h"

/* The records of a transferred zone, back to back in journal.h's form
 * (owner, type, TTL, RDLENGTH, RDATA; names uncompressed), SOA first. */
typedef struct zone_copy {
	rec_blob_t recs;
	uint32_t serial;
	uint8_t origin[NAME_MAXLEN];
	char source[96]; /* stands for the file in messages: "primary 127.0.0.1:53" */
} zone_copy_t;

void zone_copy_free(zone_copy_t *c);

/* zone_build.h's zone_source_fn over a copy (arg: the zone_copy_t):
 * record i is reported as line i + 1 of the copy's source. */
int zone_copy_source(void *arg, zf_rr_cb cb, void *ctx, char *err, size_t errcap);

/* One AXFR being received. */
typedef struct xfrin {
	zone_copy_t copy;
	uint16_t id;
	unsigned soas; /* SOA records seen: the second one ends it */
	unsigned msgs;
	uint64_t bytes; /* of messages received */
	zone_limits_t limits;
	tsig_ctx_t *tsig; /* verifies every message when not NULL */
	char err[256];
} xfrin_t;

/* Start receiving the AXFR of origin (wire form) asked for with id.
 * limits NULL: zone_limits_default(). tsig (may be NULL) is the context
 * the request was signed with. */
void xfrin_init(xfrin_t *x, const uint8_t *origin, uint16_t id, const zone_limits_t *limits,
		tsig_ctx_t *tsig, const char *source);

/* One message of the response. Returns 0 when more must follow, 1 when
 * the transfer is complete, or a negative status with x->err set. */
int xfrin_feed(xfrin_t *x, const uint8_t *msg, size_t len, uint64_t now);

/* The copy, once complete: moved into out (x keeps nothing). */
void xfrin_take(xfrin_t *x, zone_copy_t *out);

/* Free what x holds (after a failure, or instead of taking). */
void xfrin_free(xfrin_t *x);

/* Read the serial of the SOA in the ANSWER of an SOA-query response for
 * origin: 1 and *serial, 0 when it has none, negative when malformed or
 * id does not match. */
int xfrin_soa_serial(const uint8_t *msg, size_t len, uint16_t id, const uint8_t *origin,
		     uint32_t *serial);

#endif
