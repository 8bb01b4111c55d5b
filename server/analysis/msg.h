/*
 * msg.h -- read any DNS message record by record, with rdata decompressed,
 * and print it as dig-like text.
 *
 * Used where glued reads answers rather than queries: the golden tests, the
 * fuzz targets' invariant checks, and live delegation checks. Bounds-checked
 * throughout; never trusts counts.
 */
#ifndef GLUED_MSG_H
#define GLUED_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/name.h"

#define MSG_RD_MAX (65535 + 2 * NAME_MAXLEN)

typedef struct msg {
	const uint8_t *buf;
	size_t len;
	uint16_t id;
	uint16_t flags;
	uint16_t count[4]; /* QD, AN, NS, AR */
	size_t pos;        /* next record */
	int section;       /* 0 question .. 3 additional, 4 = end */
	uint16_t left;     /* records left in section */
} msg_t;

typedef struct msg_rr {
	int section; /* 0 question, 1 answer, 2 authority, 3 additional */
	uint8_t owner[NAME_MAXLEN];
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;   /* 0 in the question */
	uint16_t rdlen; /* decompressed length */
	uint8_t rd[MSG_RD_MAX];
} msg_rr_t;

/*
 * Write a query for qname/qtype/class IN into buf (cap bytes): header with
 * id and flags (e.g. 0, or DNS_RD), the question, and an OPT advertising
 * edns_size with DO as asked when edns_size > 0 (no OPT when 0). Returns
 * the length, or 0 if it does not fit.
 */
size_t msg_build_query(uint8_t *buf, size_t cap, uint16_t id, uint16_t flags, const uint8_t *qname,
		       uint16_t qtype, uint16_t qclass, uint16_t edns_size, bool do_bit);

/* Read the header. Returns 0, or ST_ETRUNC if shorter than 12 bytes. */
int msg_open(msg_t *m, const uint8_t *buf, size_t len) MUST_CHECK;

/*
 * Read the next record (question entries included, with section 0).
 * Returns 1 with rr filled, 0 at the end, or a negative status when the
 * message is malformed. Names inside rdata of the RFC 1035 types are
 * decompressed; other rdata is copied as is.
 */
int msg_next(msg_t *m, msg_rr_t *rr) MUST_CHECK;

/*
 * The whole message as text: a header line
 * ";; opcode QUERY rcode NOERROR flags qr aa id 1234", then each section
 * (";; QUESTION", ";; ANSWER", ";; AUTHORITY", ";; ADDITIONAL") with one
 * "owner ttl class type rdata" line per record (tab-separated), the OPT
 * shown as ";; OPT udp=1232 version=0 flags do ext-rcode=0 rdlen=N", followed
 * by " ede=CODE" and " ede-text=\"...\"" for an Extended DNS Error (RFC
 * 8914; bytes outside printable ASCII, '"' and '\\' as \DDD).
 * Returns the text length or a negative status.
 */
int msg_to_text(const uint8_t *buf, size_t len, char *out, size_t cap);

#endif
