/*
 * sim.h -- an iterating resolver, simulated against glued's own virtual
 * servers, to predict what a real resolver will make of a configuration.
 *
 * It starts at the root servers, asks each server (UDP with EDNS 1232, TCP
 * after TC), follows referrals using the glue it is given, resolves NS names
 * without glue from the root when they are not inside the zone being
 * resolved (in-domain names without glue have no other path), skips servers
 * that time out, refuse, fail or answer without authority (lame), and
 * follows CNAMEs.
 *
 * Given a trust anchor (sim_opts_t.anchor) it validates as well, as Unbound
 * does with one (RFC 4035 5): every query has DO=1, each referral's DS (or
 * the NSEC/NSEC3 proof that there is none) is checked with the parent's
 * keys, each secure zone is asked for its DNSKEY RRset (through the same
 * network, counted in queries) and the keys are trusted through the DS,
 * and the final answer (positive, CNAME chain, wildcard, NXDOMAIN, NODATA)
 * is checked with analysis/validate.h. Bogus is SERVFAIL with cause
 * SIM_CAUSE_DNSSEC, the EDE a resolver attaches and the reason in why;
 * secure sets ad. A signer below the zones the walk was referred to (one
 * server serving a parent and its child) is reached as a resolver reaches
 * it: a DS query per label to the servers that answered. Names of NS
 * records without glue are resolved without validation.
 *
 * It does no I/O itself: "the network" is a sim_net_t, a function from an
 * address and query bytes to response bytes (or why there are none). glued
 * --check plugs in its virtual servers, answered in process (check.h:
 * check_net_send), so the walk is deterministic; gluecheck plugs in real
 * UDP and TCP sockets. One walk serves both: gluecheck's trace (trace.h)
 * is this walk with an observer (sim_opts_t.on_referral) that probes every
 * server of each zone it is referred to.
 */
#ifndef GLUED_SIM_H
#define GLUED_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/msg.h"
#include "analysis/validate.h"
#include "dns/name.h"

typedef struct sim_addr {
	uint8_t len; /* 4 (IPv4) or 16 (IPv6) */
	uint8_t bytes[16];
} sim_addr_t;

/*
 * Send the query (qlen bytes at q) to addr over UDP, or TCP when tcp is
 * set, and put the response into resp (cap bytes), its length in *rlen.
 * Returns 0, or why there is no usable response, in errno's words:
 *   ECONNREFUSED  nothing listens at the address
 *   ETIME         a response came (in resp), later than the resolver waits
 *   ETIMEDOUT     no response
 *   ENOENT        the network does not know what answers there (glued
 *                 --check on zone files alone: no loaded zone says so)
 *   anything else the exchange failed (reset, unreachable, ...)
 */
typedef int (*sim_send_fn)(void *ctx, const sim_addr_t *addr, bool tcp, const uint8_t *q,
			   size_t qlen, uint8_t *resp, size_t cap, size_t *rlen);

typedef struct sim_msg sim_msg_t;

typedef struct sim_net {
	sim_send_fn send;
	void *ctx;
} sim_net_t;

typedef struct sim_opts {
	/* How long the resolver waits (1500): an in-process network
	 * (check_net_send) turns a later answer into ETIME; a real one has
	 * its own timeouts. */
	uint32_t timeout_ms;
	unsigned max_queries; /* give up after this many queries in all (200) */
	bool ipv6;            /* use AAAA glue too (true) */
	/* The trust anchor: the DS rdata of the root's key(s), which must
	 * outlive the call. nanchor 0 (the default): no validation, DO=0, and
	 * the result's dnssec fields stay SIM_DNSSEC_NONE / false / 0. */
	const val_ds_t *anchor;
	size_t nanchor;
	/* The time signatures are checked at, seconds since 1970
	 * (sim_opts_default: the clock's). */
	uint32_t now;
	/* Told of each referral the walk follows (the walk for qname itself,
	 * not the lookups of NS names' addresses), before the child's servers
	 * are asked: parent is the zone whose server at from gave ref, the
	 * response's rlen bytes at resp. gluecheck's trace (trace.h) probes
	 * every server of the child there. NULL (the default): nobody is told. */
	void (*on_referral)(void *ctx, const uint8_t *parent, const sim_addr_t *from,
			    const struct sim_msg *ref, const uint8_t *resp, size_t rlen);
	void *observer; /* on_referral's ctx */
} sim_opts_t;

#define SIM_WHY_MAX 512
#define SIM_TRACE_MAX 8192

#define SIM_MAX_ADDRS 32

/* Why a resolution failed (SERVFAIL), as data; why[] says it in words. */
enum sim_cause {
	SIM_CAUSE_NONE = 0,    /* it did not fail */
	SIM_CAUSE_NO_ROOTS,    /* no root server to start from */
	SIM_CAUSE_NO_ANSWER,   /* no server of a zone answered usefully (timeout,
				 * error, lame) */
	SIM_CAUSE_NO_ADDRESS,  /* no NS of a zone has a usable address */
	SIM_CAUSE_CNAME_CHAIN, /* CNAME chain too long */
	SIM_CAUSE_RESOURCES,   /* out of memory */
	SIM_CAUSE_DNSSEC,      /* the answer (or the chain of trust) is bogus */
};

/* What validation made of the answer (sim_result_t.dnssec). */
enum sim_dnssec {
	SIM_DNSSEC_NONE = 0, /* not validated: no trust anchor, or it failed otherwise */
	SIM_DNSSEC_SECURE,   /* a validating resolver sets AD */
	SIM_DNSSEC_INSECURE, /* below an insecure delegation, or an insecure proof: no AD */
	SIM_DNSSEC_BOGUS,    /* SERVFAIL (cause SIM_CAUSE_DNSSEC) */
};

/* "secure", "insecure", "bogus", or "" for SIM_DNSSEC_NONE. */
const char *sim_dnssec_str(uint8_t dnssec);

/* Bits of sim_result_t.seen: what the walk ran into on its way (the causes
 * of the causes), whether or not it failed in the end. */
enum sim_seen {
	SIM_SEEN_TIMEOUT = 1 << 0,     /* a server did not answer (in time) */
	SIM_SEEN_NOBODY = 1 << 1,      /* nothing listens at an address */
	SIM_SEEN_LAME = 1 << 2,        /* REFUSED, or an answer without authority */
	SIM_SEEN_ERROR = 1 << 3,       /* SERVFAIL, FORMERR, a malformed response */
	SIM_SEEN_NO_GLUE = 1 << 4,     /* an in-domain NS name without glue */
	SIM_SEEN_CYCLE = 1 << 5,       /* an NS name whose address needs itself */
	SIM_SEEN_TOO_DEEP = 1 << 6,    /* NS name chain too deep */
	SIM_SEEN_MAX_QUERIES = 1 << 7, /* gave up after max_queries */
	SIM_SEEN_UNKNOWN = 1 << 8,     /* an address the network does not know (ENOENT) */
};

typedef struct sim_result {
	uint8_t rcode; /* NOERROR, NXDOMAIN or SERVFAIL */
	bool nodata;   /* NOERROR without data of the type */
	bool has_addr; /* the answer holds an A/AAAA: addr is the first */
	sim_addr_t addr;
	unsigned naddrs; /* every A/AAAA of the answer, up to SIM_MAX_ADDRS */
	sim_addr_t addrs[SIM_MAX_ADDRS];
	uint8_t cause;                   /* enum sim_cause */
	uint8_t cause_zone[NAME_MAXLEN]; /* the zone it failed at ("" for none) */
	uint16_t seen;                   /* enum sim_seen bits */
	bool answered;                   /* an authoritative answer ended the walk: */
	sim_addr_t answered_by;          /* the server that gave it */
	unsigned queries;                /* queries sent */
	unsigned tcp;                    /* of which over TCP (after TC) */
	uint8_t dnssec;                  /* enum sim_dnssec */
	bool ad;                         /* a validating resolver's AD: dnssec is SECURE */
	uint16_t ede;                    /* the EDE of a bogus (or insecure) answer; 0: none */
	char dnssec_why[SIM_WHY_MAX];    /* why it is insecure or bogus, "" when secure */
	/* What the response that ended the walk carried (validating: DO=1):
	 * its RRSIG records and its NSEC and NSEC3 records, all sections. */
	unsigned rrsigs, nsecs;
	char why[SIM_WHY_MAX];     /* SERVFAIL: why, in one line */
	char trace[SIM_TRACE_MAX]; /* one line per query: server, question, outcome */
} sim_result_t;

#define SIM_MAX_NS 32
#define SIM_MAX_GLUE 64

/* What one response says, in a resolver's terms; names lowercased. */
struct sim_msg {
	uint16_t flags;
	uint8_t rcode;
	uint8_t ns_owner[NAME_MAXLEN]; /* AUTHORITY NS owner */
	unsigned nns;
	uint8_t ns[SIM_MAX_NS][NAME_MAXLEN];
	unsigned nglue;
	struct {
		uint8_t name[NAME_MAXLEN];
		sim_addr_t addr;
	} glue[SIM_MAX_GLUE];
	unsigned nanswer; /* records in ANSWER */
	unsigned naddr;   /* A/AAAA of the final name in ANSWER */
	sim_addr_t addr[SIM_MAX_ADDRS];
	unsigned nans_ns; /* NS of the final name in ANSWER */
	uint8_t ans_ns[SIM_MAX_NS][NAME_MAXLEN];
	bool soa;                    /* SOA of the final name in ANSWER */
	bool has_type;               /* ANSWER holds the asked type for the final name */
	bool cname;                  /* the chain in ANSWER ends in a CNAME target */
	uint8_t target[NAME_MAXLEN]; /* the final name of the chain */
};

/*
 * Read the response of len bytes at buf to the question qname/qtype into m:
 * the CNAME chain from qname through ANSWER and what it holds for the final
 * name, the first NS owner's names in AUTHORITY, and the A (and with
 * aaaa_glue the AAAA) records in ADDITIONAL; each list keeps its first
 * SIM_MAX_* entries. rr is scratch. Returns 0, or -1 when the message is
 * malformed. The simulated resolver and gluecheck read responses with it.
 */
int sim_msg_read(const uint8_t *buf, size_t len, const uint8_t *qname, uint16_t qtype,
		 bool aaaa_glue, msg_rr_t *rr, sim_msg_t *m);

/* Defaults for opts (NULL opts means these). */
void sim_opts_default(sim_opts_t *o);

/*
 * Resolve qname/qtype starting at the root addresses, asking through net.
 * Fills out and returns 0; only bad arguments fail (ST_EINVAL, ST_ENOMEM).
 */
int sim_resolve(const sim_addr_t *roots, size_t nroots, const sim_net_t *net, const uint8_t *qname,
		uint16_t qtype, const sim_opts_t *opts, sim_result_t *out);

/* Whether a and b are the same address. */
bool sim_addr_equal(const sim_addr_t *a, const sim_addr_t *b);

/* "127.0.0.1" / "fd00::1" for an address. buf holds at least 48 bytes. */
const char *sim_addr_str(const sim_addr_t *a, char *buf, size_t cap);

/* "192.0.2.1 192.0.2.2" for n addresses ("none" for 0), truncated to cap. */
void sim_addrs_str(const sim_addr_t *a, size_t n, char *buf, size_t cap);

#endif
