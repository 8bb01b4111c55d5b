/*
 * zone_dnssec.h -- the DNSSEC part of building a signed zone, run by
 * zone_build.c once the nodes, cuts and checks are done: the RRSIGs
 * grouped per covered RRset, the NSEC chain in canonical order or the NSEC3
 * chain by hash with what every name hashes to, and the load-time checks
 * of signed data. The query path reads the result through zone.h and
 * denial.h; nothing is validated there.
 */
#ifndef GLUED_ZONE_DNSSEC_H
#define GLUED_ZONE_DNSSEC_H

#include <stddef.h>
#include <stdint.h>

#include "dns/status.h"
#include "dns/zone.h"

/* One warning about signed data, to be told with the file:line of the
 * record it is about (owner, type and, for an RRSIG, the type covered). */
typedef struct dnssec_note {
	const uint8_t *name; /* lowercased wire form */
	uint16_t type;
	uint16_t covered; /* RRSIG: the type it covers; else 0 */
	char text[200];
} dnssec_note_t;

#define DNSSEC_NOTES_MAX 16

typedef struct dnssec_notes {
	dnssec_note_t note[DNSSEC_NOTES_MAX];
	size_t n;
	size_t more; /* warnings beyond the first DNSSEC_NOTES_MAX */
} dnssec_notes_t;

/*
 * Build the DNSSEC data of z when it is signed (zone_signed); nothing for an
 * unsigned zone. now (seconds since 1970, mod 2^32) decides which
 * signatures have expired: they are served anyway, with a warning. The
 * warnings go into notes: RRSIG without its RRset, NSEC chain broken, NSEC3
 * parameters inconsistent, NSEC3 chain broken, expired signatures. Returns
 * 0 or ST_ENOMEM.
 */
int zone_dnssec_build(zone_t *z, uint32_t now, dnssec_notes_t *notes) MUST_CHECK;

#endif
