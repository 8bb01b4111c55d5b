/*
 * trace.h -- walk the delegation of one domain like `dig +trace`, and probe
 * every server of every zone on the way.
 *
 * The walk is the simulated resolver's (sim.h), asking for the domain's NS
 * from the starting server and following referrals as a resolver does;
 * trace observes it (sim_opts_t.on_referral). At each referral it asks the
 * parent's server again with EDNS 512 (TC -> 1232 -> TCP) for the size
 * resolvers with small buffers see, and asks every server the referral
 * lists - by its glue or, for NS names without usable glue outside the
 * child, by resolving the name from the starting server with the same
 * resolver - for the child's SOA and NS, over UDP and over TCP. Per
 * server: authoritative or lame, unresponsive over UDP or TCP; per
 * delegation: glue missing or against the child's own addresses, the NS
 * sets of parent and child, a referral that does not fit 512 or 1232
 * bytes. The judgements are judge.h's, the codes and fix lines check.h's.
 *
 * Every query goes through the network given (sim_net_t): gluecheck gives
 * real UDP and TCP sockets. The walk only asks the starting address, the
 * addresses it was referred to, and the child addresses in its options.
 * The result is plain data for the caller to print.
 */
#ifndef GLUED_TRACE_H
#define GLUED_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/check.h"
#include "analysis/msg.h"
#include "analysis/sim.h"
#include "dns/name.h"

#define TRACE_MAX_NS 16
#define TRACE_MAX_GLUE 64
#define TRACE_MAX_ADDRS 16
#define TRACE_MAX_LEVELS 16
#define TRACE_MAX_ROWS 96
#define TRACE_MAX_FINDINGS 128
#define TRACE_MAX_CHILD 8

typedef struct trace_opts {
	uint8_t domain[NAME_MAXLEN];       /* lowercased wire form */
	sim_addr_t start;                  /* where the walk begins (taken to serve ".") */
	sim_addr_t child[TRACE_MAX_CHILD]; /* also asked for the domain's own zone */
	size_t nchild;
	bool ipv6;         /* use AAAA glue and addresses too */
	int tries;         /* UDP tries the network makes: for the words */
	uint16_t first_id; /* query IDs count up from here */
} trace_opts_t;

/* One answer off the wire, or why there was none. */
typedef struct trace_reply {
	uint8_t buf[65535];
	size_t len;
	int err; /* 0, or the network's errno (sim.h: sim_send_fn) */
	bool tcp;
} trace_reply_t;

/* One server of one zone, as probed. */
typedef struct trace_row {
	int level;
	char ns[NAME_TEXT_MAX]; /* NS name, "(start)" or "(--child)" */
	sim_addr_t addr;
	bool has_addr;
	char glue[40];                    /* how its address was found */
	char udp[24], tcp[24];            /* "ok", "timeout", "refused", "-" */
	char status[NAME_TEXT_MAX + 160]; /* "authoritative", "lame: REFUSED", ... */
	bool auth;
	bool given; /* a child address of the options */
	unsigned nns;
	uint8_t ns_set[TRACE_MAX_NS][NAME_MAXLEN];
	bool ns_known;
	bool bad;
} trace_row_t;

/* One zone of the chain and the referral that led to it. */
typedef struct trace_level {
	uint8_t zone[NAME_MAXLEN];
	uint8_t parent[NAME_MAXLEN];
	char ztext[NAME_TEXT_MAX], ptext[NAME_TEXT_MAX];
	bool referral; /* level 0 (the start) has none */
	char from[64]; /* the parent server that gave it */
	unsigned nns;
	uint8_t ns[TRACE_MAX_NS][NAME_MAXLEN];
	unsigned nglue;
	size_t size; /* of the referral used */
	bool tc512, tc1232, over_tcp;
	bool broken;
	char why[512];
} trace_level_t;

typedef struct trace_finding {
	check_finding_t f;
	char server[64];
	int level, row; /* where it was found (row -1: the zone) */
} trace_finding_t;

typedef struct trace {
	trace_opts_t o;
	sim_net_t net;
	trace_level_t levels[TRACE_MAX_LEVELS];
	int nlevels;
	trace_row_t rows[TRACE_MAX_ROWS];
	int nrows;
	trace_finding_t findings[TRACE_MAX_FINDINGS];
	int nfindings;
	unsigned errors, warnings, infos;
	bool complete;    /* the walk reached the domain */
	char result[512]; /* why not, when it did not */
	/* scratch */
	uint16_t next_id;
	trace_reply_t reply;
	msg_rr_t rr;
} trace_t;

/* Walk t->o.domain from t->o.start through t->net and fill the rest of t.
 * t is large: make it static or allocate it. */
void trace_run(trace_t *t);

/* "ns1.lab. ns2.lab." for a list of names ("-" for none). */
void trace_names_text(const uint8_t (*set)[NAME_MAXLEN], unsigned n, char *buf, size_t cap);

/* "ok", "timeout", "refused", "reset", "unreachable" or "error". */
const char *trace_err_text(int err);

#endif
