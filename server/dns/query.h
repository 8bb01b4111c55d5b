/*
 * query.h -- parse a request: header, question, OPT (RFC 1035, RFC 6891).
 */
#ifndef GLUED_QUERY_H
#define GLUED_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/header.h"
#include "dns/name.h"

#define EDNS_ADVERTISED 1232 /* our UDP payload size (DNS flag day 2020) */
#define UDP_MIN_LIMIT 512

/* What query_parse decided. */
enum query_verdict {
	QUERY_OK = 0,    /* answer it */
	QUERY_DROP = 1,  /* send nothing (QR=1, header unreadable) */
	QUERY_ERROR = 2, /* send an error response with q->rcode */
};

typedef struct query {
	uint16_t id;
	uint16_t flags; /* as received */
	uint8_t opcode;
	bool has_question;          /* the question was read (echo it in errors too) */
	uint8_t qname[NAME_MAXLEN]; /* as received (client's case) */
	uint8_t lname[NAME_MAXLEN]; /* lowercased */
	uint8_t qname_len;
	uint16_t qtype;
	uint16_t qclass;
	bool edns; /* a valid OPT was present */
	uint8_t edns_version;
	bool do_bit;
	uint16_t edns_size; /* the client's advertised UDP payload size */
	uint16_t rcode;     /* with QUERY_ERROR: the (possibly extended) rcode */
} query_t;

/*
 * Parse the request of len bytes into q. Returns an enum query_verdict:
 * QUERY_DROP for QR=1 or fewer than 12 bytes; QUERY_ERROR with q->rcode
 * FORMERR (bad question, QDCOUNT != 1, trailing garbage in counted sections,
 * several OPT, OPT not in ADDITIONAL or not owned by the root), NOTIMP
 * (opcode other than QUERY), BADVERS (EDNS version > 0; q->edns is set so
 * the answer carries an OPT); QUERY_OK otherwise. Unknown EDNS options and
 * flags are ignored. The class is not judged here.
 */
int query_parse(const uint8_t *req, size_t len, query_t *q);

/* UDP response size limit for this query: max(512, min(edns_size, 1232)),
 * 512 without EDNS. */
static inline size_t query_udp_limit(const query_t *q)
{
	if (!q->edns)
		return UDP_MIN_LIMIT;
	size_t s = q->edns_size < EDNS_ADVERTISED ? q->edns_size : EDNS_ADVERTISED;
	return s < UDP_MIN_LIMIT ? UDP_MIN_LIMIT : s;
}

#endif
