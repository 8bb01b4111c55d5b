/*
 * judge.c -- the delegation judgements of glued --check and gluecheck.
 */
#include "analysis/judge.h"

#include <string.h>

#include "dns/header.h"
#include "dns/name.h"

bool judge_name_in(const uint8_t *const *set, size_t n, const uint8_t *name)
{
	for (size_t i = 0; i < n; i++)
		if (name_equal(set[i], name))
			return true;
	return false;
}

size_t judge_ns_sets(const uint8_t *const *parent, size_t np, const uint8_t *const *child,
		     size_t nc, bool *parent_only, bool *child_only)
{
	size_t diff = 0;
	for (size_t i = 0; i < np; i++) {
		bool only = !judge_name_in(child, nc, parent[i]);
		if (parent_only)
			parent_only[i] = only;
		diff += only;
	}
	for (size_t i = 0; i < nc; i++) {
		bool only = !judge_name_in(parent, np, child[i]);
		if (child_only)
			child_only[i] = only;
		diff += only;
	}
	return diff;
}

bool judge_glue_missing(const uint8_t *ns, const uint8_t *cut, size_t nglue)
{
	return nglue == 0 && name_is_sub(ns, cut);
}

static bool addr_in(const sim_addr_t *a, const sim_addr_t *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sim_addr_equal(&set[i], a))
			return true;
	return false;
}

int judge_glue(const sim_addr_t *glue, size_t ng, const sim_addr_t *child, size_t nc)
{
	if (nc == 0)
		return JUDGE_GLUE_MISSING_IN_CHILD;
	bool same = ng == nc;
	for (size_t i = 0; same && i < ng; i++)
		same = addr_in(&glue[i], child, nc);
	return same ? JUDGE_GLUE_SAME : JUDGE_GLUE_MISMATCH;
}

int judge_authority(const sim_msg_t *m, const uint8_t *zone)
{
	if (m->rcode != RCODE_NOERROR)
		return JUDGE_LAME_RCODE;
	if (!(m->flags & DNS_AA)) {
		if (m->nns > 0 && !name_is_sub(m->ns_owner, zone))
			return JUDGE_LAME_UPWARD;
		return m->nns > 0 ? JUDGE_LAME_REFERRAL : JUDGE_LAME_NO_AA;
	}
	return m->soa ? JUDGE_AUTHORITATIVE : JUDGE_AA_NO_SOA;
}
