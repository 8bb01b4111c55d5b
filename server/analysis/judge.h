/*
 * judge.h -- the delegation judgements, over plain facts.
 *
 * glued --check reads its facts from the zones it loaded; gluecheck reads
 * them off the wire. Both put them in the same shape (names in wire form,
 * addresses, a response read by sim_msg_read) and ask these functions, so
 * a lame server, a glue mismatch or an NS set mismatch means the same in
 * both tools. The words and the finding codes (check.h) are the callers'.
 *
 * Pure: no I/O, no allocation.
 */
#ifndef GLUED_JUDGE_H
#define GLUED_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/sim.h"

/* Is name (wire form) in set[0..n)? Case-insensitive. */
bool judge_name_in(const uint8_t *const *set, size_t n, const uint8_t *name);

/*
 * The parent's NS set against the child's: parent_only[i] is set when
 * parent[i] is not in the child's set, child_only[j] when child[j] is not
 * in the parent's (either array may be NULL). Returns how many names are
 * on one side only: 0 when the sets agree.
 */
size_t judge_ns_sets(const uint8_t *const *parent, size_t np, const uint8_t *const *child,
		     size_t nc, bool *parent_only, bool *child_only);

/* Does an NS name need glue at the cut (it is at or below it, RFC 9471
 * in-domain), and is it missing (nglue addresses given)? */
bool judge_glue_missing(const uint8_t *ns, const uint8_t *cut, size_t nglue);

enum judge_glue {
	JUDGE_GLUE_SAME = 0,         /* the glue is the child's own addresses */
	JUDGE_GLUE_MISSING_IN_CHILD, /* glue, but the child has no address */
	JUDGE_GLUE_MISMATCH,         /* glue and child addresses differ */
};

/* The glue addresses of one NS name against the child's own ones for it
 * (both as sets). Returns enum judge_glue. */
int judge_glue(const sim_addr_t *glue, size_t ng, const sim_addr_t *child, size_t nc);

enum judge_auth {
	JUDGE_AUTHORITATIVE = 0, /* AA, NOERROR, with the zone's SOA */
	JUDGE_LAME_RCODE,        /* an error rcode (REFUSED: lame) */
	JUDGE_LAME_UPWARD,       /* AA=0, a referral to a zone above */
	JUDGE_LAME_REFERRAL,     /* AA=0, a referral instead of the SOA */
	JUDGE_LAME_NO_AA,        /* AA=0, no referral */
	JUDGE_AA_NO_SOA,         /* AA, but no SOA of the zone in ANSWER */
};

/* What a server's response m to "zone SOA" says about its authority for
 * zone. Returns enum judge_auth. */
int judge_authority(const sim_msg_t *m, const uint8_t *zone);

#endif
