/*
 * sim.h -- an iterating resolver, simulated against glued's own virtual
 * servers, to predict what a real resolver will make of a configuration.
 *
 * It starts at the root servers, asks each server with the engine itself
 * (respond(), UDP with EDNS 1232, TCP after TC), follows referrals using
 * the glue it is given, resolves NS names without glue from the root when
 * they are not inside the zone being resolved (in-domain names without glue
 * have no other path), skips servers that time out, refuse, fail or answer
 * without authority (lame), and follows CNAMEs. It is deterministic and does
 * no I/O: "the network" is a function from an address to the virtual server
 * listening there (NULL: nothing answers).
 */
#ifndef GLUED_SIM_H
#define GLUED_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/msg.h"
#include "dns/zoneset.h"

typedef struct sim_addr {
	uint8_t len;        /* 4 (IPv4) or 16 (IPv6) */
	uint8_t bytes[16];
} sim_addr_t;

/* The virtual server listening at addr, or NULL when nothing answers. */
typedef const zoneset_t *(*sim_server_fn)(void *ctx, const sim_addr_t *addr);

typedef struct sim_opts {
	uint32_t timeout_ms;  /* a delayed answer longer than this is a timeout (1500) */
	unsigned max_queries; /* give up after this many queries in all (200) */
	bool ipv6;            /* use AAAA glue too (true) */
} sim_opts_t;

#define SIM_WHY_MAX 512
#define SIM_TRACE_MAX 8192

typedef struct sim_result {
	uint8_t rcode;        /* NOERROR, NXDOMAIN or SERVFAIL */
	bool nodata;          /* NOERROR without data of the type */
	bool has_addr;        /* the answer's first A/AAAA */
	sim_addr_t addr;
	unsigned queries;     /* queries sent */
	unsigned tcp;         /* of which over TCP (after TC) */
	char why[SIM_WHY_MAX];     /* SERVFAIL: why, in one line */
	char trace[SIM_TRACE_MAX]; /* one line per query: server, question, outcome */
} sim_result_t;

#define SIM_MAX_NS 32
#define SIM_MAX_GLUE 64
#define SIM_MAX_ADDRS 32

/* What one response says, in a resolver's terms; names lowercased. */
typedef struct sim_msg {
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
	unsigned nanswer;   /* records in ANSWER */
	unsigned naddr;     /* A/AAAA of the final name in ANSWER */
	sim_addr_t addr[SIM_MAX_ADDRS];
	unsigned nans_ns;   /* NS of the final name in ANSWER */
	uint8_t ans_ns[SIM_MAX_NS][NAME_MAXLEN];
	bool soa;           /* SOA of the final name in ANSWER */
	bool has_type;      /* ANSWER holds the asked type for the final name */
	bool cname;         /* the chain in ANSWER ends in a CNAME target */
	uint8_t target[NAME_MAXLEN]; /* the final name of the chain */
} sim_msg_t;

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
 * Resolve qname/qtype starting at the root addresses. Fills out and
 * returns 0; only bad arguments fail (ST_EINVAL).
 */
int sim_resolve(const sim_addr_t *roots, size_t nroots, sim_server_fn fn, void *ctx,
		const uint8_t *qname, uint16_t qtype, const sim_opts_t *opts, sim_result_t *out);

/* "127.0.0.1" / "fd00::1" for an address. buf holds at least 48 bytes. */
const char *sim_addr_str(const sim_addr_t *a, char *buf, size_t cap);

#endif
