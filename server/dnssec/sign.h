/*
 * sign.h -- signing a zone at load: from a loaded, unsigned zone and its
 * key, a new zone with DNSKEY and CDS at the apex, an RRSIG over every
 * authoritative RRset (and the DS of each cut), and the NSEC chain
 * (RFC 4034, 4035 2) or the NSEC3 chain with its NSEC3PARAM (RFC 5155 7.1),
 * with the DNSSEC faults asked for built in. Glue and the NS of cuts stay unsigned. The result is
 * an ordinary signed zone_t, served like one signed by dnssec-signzone.
 * Load time only: it allocates and signs; the query path never calls it.
 */
#ifndef GLUED_SIGN_H
#define GLUED_SIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "dns/policy.h"
#include "dns/zone.h"
#include "dns/zone_build.h"
#include "dnssec/key.h"

typedef struct sign_opts {
	const dnskey_t *key; /* the zone's key: a combined signing key (SEP) */
	uint32_t inception;  /* RRSIG validity, seconds since the epoch */
	uint32_t expiration;
	uint8_t denial; /* DNSSEC_DENIAL_NSEC or _NSEC3 (dns/policy.h) */
	/* NSEC3 (RFC 5155): extra iterations, salt, and opt-out (insecure
	 * delegations get no NSEC3 of their own). */
	uint16_t iterations;
	uint8_t saltlen;
	const uint8_t *salt;
	bool optout;
	/* The DS (DS_SHA256_RDLEN bytes of rdata) of the child at cut lname
	 * (lowercased wire form) when that child is signed too: returns true
	 * and fills ds. Asked only for cuts whose zone file has no DS, so a
	 * DS written in the file stands. NULL: no DS is added. */
	bool (*child_ds)(void *ctx, const uint8_t *lname, uint8_t ds[DS_SHA256_RDLEN]);
	void *ctx;
	/* Faults to build in (dns/policy.h): the zone's, and at_cut ones for
	 * the DS (ds:, rrsig:) at that cut. */
	const dnssec_fault_t *faults;
	size_t nfaults;
} sign_opts_t;

/*
 * Sign in (which stays as it was) into *out. RRSIG, NSEC, NSEC3,
 * NSEC3PARAM, DNSKEY, CDS and CDNSKEY records of the file are replaced by
 * glued's own. Returns ST_OK, or a negative status with "file: signing:
 * ..." in err.
 */
int zone_sign(const zone_t *in, const sign_opts_t *o, zone_warn_cb warn, void *warn_ctx,
	      zone_t **out, char *err, size_t errcap) MUST_CHECK;

/*
 * The DNSKEY rdata a zone signed with key k serves, given its faults:
 * dnskey: no-sep clears the SEP flag, dnskey: unsupported-algorithm puts
 * DF_UNSUPPORTED_ALG in. A parent computes its DS for the child from it.
 * rdata holds DNSKEY_RDATA_MAX bytes.
 */
void sign_served_dnskey(const dnskey_t *k, const dnssec_fault_t *faults, size_t nfaults,
			uint8_t *rdata, uint16_t *rdlen);

#endif
