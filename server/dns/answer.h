/*
 * answer.h -- decide the answer: (zoneset, query) -> plan + explanation.
 *
 * RFC 1034 4.3.2 as amended by RFC 9471 (see DESIGN.md 2), and for a query
 * with DO=1 to a signed zone RFC 4035 3.1 and RFC 5155 7.2: every RRset of
 * the zone's own data in ANSWER and AUTHORITY with its RRSIGs, the NSEC or
 * NSEC3 proofs of what does not exist (dns/denial.h), and DS or the proof
 * of no DS beside a referral's NS. A plan is a list of RRsets with their
 * sections; encode.c turns it into bytes and owns the size rules. Pure and
 * allocation-free.
 */
#ifndef GLUED_ANSWER_H
#define GLUED_ANSWER_H

#include <stdbool.h>
#include <stdint.h>

#include "dns/ede.h"
#include "dns/query.h"
#include "dns/zone.h"
#include "dns/zoneset.h"

enum section { SEC_ANSWER = 0, SEC_AUTHORITY = 1, SEC_ADDITIONAL = 2 };

/* What kind of answer this is, for logs and tests. */
enum answer_kind {
	ANSWER_POSITIVE = 0, /* data in ANSWER, AA=1 */
	ANSWER_NODATA,       /* name exists, type does not: SOA in AUTHORITY */
	ANSWER_NXDOMAIN,
	ANSWER_REFERRAL, /* AA=0, NS in AUTHORITY, glue in ADDITIONAL */
	ANSWER_REFUSED,  /* not in any served zone, class not IN, a zone transfer */
	ANSWER_ERROR,    /* FORMERR / NOTIMP / BADVERS from query_parse, NOTIMP /
			  * NOTAUTH for a zone transfer */
	ANSWER_FAULT,    /* REFUSED / SERVFAIL / no answer, by a configured fault */
};

#define PLAN_MAX 96
#define PLAN_TTL_ZONE 0xFFFFFFFFu /* plan_rr.ttl: use the RRset's own TTL */

typedef struct plan_rr {
	const uint8_t *owner; /* wire name; NULL = the qname as received, */
	uint8_t qskip;        /* ... from this byte on (a suffix of it) */
	const rrset_t *rrset;
	uint32_t ttl;    /* PLAN_TTL_ZONE or a TTL to write instead */
	uint8_t section; /* enum section */
	bool required;   /* ADDITIONAL only: if it does not fit, set TC */
	bool sig;        /* the RRSIGs of the entry before: left out with it */
	int8_t ns_index; /* glue: index into explain.ns, else -1 */
} plan_rr_t;

typedef struct plan {
	uint8_t kind; /* enum answer_kind */
	uint8_t rcode;
	bool aa;
	bool drop;          /* a fault says: send nothing */
	uint8_t truncation; /* enum trunc_mode that applies to this response */
	uint32_t delay_ms;  /* a fault says: send it this much later */
	ede_t ede;          /* the Extended DNS Error to send (RFC 8914), if set */
	bool sigs;          /* some entry is the RRSIGs of the one before (plan_rr_t.sig) */
	uint16_t n;
	plan_rr_t rr[PLAN_MAX]; /* sections in order: ANSWER, AUTHORITY, ADDITIONAL */
} plan_t;

/* Why a glue address set is or is not in the response. */
enum glue_fate {
	FATE_ADDED = 0,
	FATE_NO_ADDRESS,  /* the zone has no A/AAAA for this name */
	FATE_OUT_OF_ZONE, /* never glue */
	FATE_POLICY,      /* left out by the glue policy */
	FATE_SIZE,        /* did not fit (optional: silently; required: TC) */
	FATE_WRONG,       /* added, rewritten to the wrong address by policy */
};

enum tc_reason {
	TC_NONE = 0,
	TC_REQUIRED_GLUE, /* in-domain glue did not fit (RFC 9471 3.1) */
	TC_SIZE,          /* answer or authority data did not fit */
	TC_ALWAYS,        /* truncation policy "always" */
};

#define EXPLAIN_MAX_NS 16

typedef struct explain_ns {
	const uint8_t *name; /* NS name, lowercased wire form */
	uint8_t cls;         /* enum glue_class */
	uint8_t fate;        /* enum glue_fate */
	uint8_t n_a, n_aaaa; /* addresses the zone has for it */
} explain_ns_t;

/* Everything needed to say why the response looks the way it does. */
typedef struct explain {
	uint8_t kind;        /* enum answer_kind */
	const uint8_t *zone; /* origin of the zone chosen, or NULL */
	uint32_t zone_slot;  /* 1 + that zone's index in its zoneset; 0: none */
	const uint8_t *cut;  /* referral: the delegation point */
	uint8_t policy;      /* referral: the glue mode applied (enum glue_mode) */
	uint8_t truncation;  /* the truncation mode applied (enum trunc_mode) */
	/* Where the glue rule (referral) and the truncation mode were set,
	 * as zoneset_rule_where says: "lab.yaml:40", "control", "default".
	 * Not filled on the query path: answer_explain_where does it, for
	 * the query log. */
	const char *policy_where;
	const char *truncation_where;
	const fault_t *fault; /* the fault that shaped the response, or NULL */
	uint32_t delay_ms;    /* a delay fault: send the response this much later */
	bool legacy_dropped;  /* legacy truncation left required glue out, TC=0 */
	uint8_t nns;          /* referral: entries in ns (at most EXPLAIN_MAX_NS) */
	uint8_t ns_total;     /* referral: NS names at the cut */
	explain_ns_t ns[EXPLAIN_MAX_NS];
	bool wildcard;                /* answer synthesized from a wildcard */
	uint8_t cnames;               /* CNAMEs followed */
	bool dnssec;                  /* DO=1 to a signed zone: RRSIGs and proofs planned */
	const dnssec_fault_t *dfault; /* a DNSSEC fault built into what went out */
	/* Filled by encode: */
	uint16_t rrsigs; /* RRSIG records written */
	uint16_t nsecs;  /* NSEC and NSEC3 records written */
	uint8_t tc;      /* enum tc_reason */
	uint16_t flags;  /* response header flags */
	uint8_t rcode;
	uint16_t count[3]; /* ANSWER, AUTHORITY, ADDITIONAL records written */
	uint16_t size;     /* response bytes */
	uint16_t limit;    /* size limit that applied */
	bool ede_sent;     /* an EDE option went out (only with an OPT) ... */
	uint16_t ede;      /* ... with this INFO-CODE */
} explain_t;

/*
 * Plan the answer to a parsed query (query_parse returned QUERY_OK). tcp
 * tells whether the query came over TCP (truncation "always" applies to
 * UDP only). ex (may be NULL) receives the explanation. Never fails:
 * REFUSED and the like are plans too.
 */
void answer_plan(const zoneset_t *zs, const query_t *q, bool tcp, plan_t *plan, explain_t *ex);

/* The same, with the zone zoneset_find_at(zs, q->lname, &zi) gave already
 * known (z may be NULL: no zone). */
void answer_plan_in(const zoneset_t *zs, const query_t *q, bool tcp, const zone_t *z, size_t zi,
		    plan_t *plan, explain_t *ex);

/* Fill ex->policy_where and ex->truncation_where (zoneset_rule_where) for
 * the answer zs planned into ex: the query log's, looked up only when a
 * line is written. */
void answer_explain_where(const zoneset_t *zs, explain_t *ex);

/* Names of enum values, for logs. */
const char *answer_kind_str(uint8_t kind);
const char *glue_class_str(uint8_t cls);
const char *glue_fate_str(uint8_t fate);

#endif
