/*
 * offline.h -- glued --check on zone files alone (-z, no configuration):
 * the hierarchy modelled as the Internet has it, for the checks and the
 * simulated resolver (check.h).
 *
 * Each loaded zone is served at the addresses of its own NS names, as the
 * loaded files give them (the zone's own A/AAAA for names inside it, else
 * the authoritative ones, else glue); one virtual server per address. The
 * resolver starts where the top zones (no loaded parent) are served. A top
 * zone whose NS names have no address in the files (a zone hosted at a
 * provider, exported with the children it delegates to) is served by a
 * made-up start server, so that the walk still begins at it. What the
 * files do not say is not guessed: offline_outside() names the questions
 * no loaded file can answer.
 */
#ifndef GLUED_OFFLINE_H
#define GLUED_OFFLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/check.h"
#include "dns/zoneset.h"

typedef struct offline {
	check_server_t *servers; /* one per address; zonesets borrow files' zones */
	size_t n;
	sim_addr_t *addrs; /* storage for the servers' addresses */
	sim_addr_t *roots; /* where the top zones are served */
	size_t nroots;
	/* The top zones whose NS names have no address in the files, as
	 * indexes into files->zones (nstart of them, 0: none), all served by
	 * one made-up start server at start, which is also in roots. start is
	 * in 100::/64, the discard-only prefix (RFC 6666), and no NS name of
	 * the files has it. */
	size_t *start_zones;
	size_t nstart;
	sim_addr_t start;
} offline_t;

/* Build the model of files, which must outlive it. ST_OK or ST_ENOMEM. */
int offline_build(const zoneset_t *files, offline_t *out) MUST_CHECK;
void offline_free(offline_t *o);

/*
 * Is the question lname/qtype, asked at addr, one the files cannot
 * answer: a name in no loaded zone, a top-level domain the root file does
 * not have, or a name below a delegation whose child is not loaded, asked
 * at one of that delegation's addresses (its parent's servers still
 * refer)? lname lowercased.
 */
bool offline_outside(const zoneset_t *files, const sim_addr_t *addr, const uint8_t *lname,
		     uint16_t qtype);

#endif
