/*
 * denial.h -- which NSEC or NSEC3 RRsets prove what a signed zone does not
 * hold (RFC 4035 3.1.3, RFC 5155 7.2), for answer.c. Each function fills
 * out with at most DENIAL_MAX RRsets (owner and RRset, in the order they
 * go into AUTHORITY, no RRset twice) and returns how many; 0 when the zone
 * has no chain to prove it with. The chains and what every existing name
 * hashes to were built at load (zone_dnssec.c): only a name that does not
 * exist is hashed here. No allocation.
 */
#ifndef GLUED_DENIAL_H
#define GLUED_DENIAL_H

#include <stddef.h>
#include <stdint.h>

#include "dns/zone.h"

typedef struct denial_rr {
	const uint8_t *owner; /* lowercased wire form */
	const rrset_t *rrset; /* NSEC or NSEC3 */
} denial_rr_t;

#define DENIAL_MAX 3

/* Name error: lname (lowercased) does not exist; ce is its closest encloser,
 * authoritative data of z. NSEC: the NSECs covering lname and "*.ce".
 * NSEC3: the closest encloser's, the next closer name's and the wildcard's. */
int denial_nxdomain(const zone_t *z, const node_t *ce, const uint8_t *lname,
		    denial_rr_t out[DENIAL_MAX]);

/* No data: n exists (an empty non-terminal, or a name without the type),
 * authoritative data or a cut (a DS query, a referral without DS). NSEC:
 * n's own NSEC, or for a name without one the NSEC covering it. NSEC3: the
 * one matching n, or without one (opt-out) the closest provable encloser's
 * and the one covering the next closer name. */
int denial_nodata(const zone_t *z, const node_t *n, denial_rr_t out[DENIAL_MAX]);

/* An answer from the wildcard below ce for lname: the proof that no closer
 * name exists. NSEC: the NSEC covering lname; NSEC3: the one covering the
 * next closer name. */
int denial_wildcard(const zone_t *z, const node_t *ce, const uint8_t *lname,
		    denial_rr_t out[DENIAL_MAX]);

/* No data at the wildcard wild below ce for lname. NSEC: the NSEC covering
 * lname and the wildcard's own; NSEC3: the closest encloser's, the next
 * closer name's and the wildcard's. */
int denial_wildcard_nodata(const zone_t *z, const node_t *ce, const node_t *wild,
			   const uint8_t *lname, denial_rr_t out[DENIAL_MAX]);

#endif
