/*
 * check.h -- offline delegation checks over every virtual server of a
 * configuration, in the vocabulary operators already use (dnsviz,
 * Zonemaster): missing glue, glue mismatch, lame delegation, NS set
 * mismatch, cycles, occluded data, referral size, the DNSSEC of signed
 * zones (a DS that matches no DNSKEY, expired or missing signatures, a
 * broken NSEC/NSEC3 chain, NSEC3 iterations, key algorithms and flags),
 * and a predicted outcome per delegation from the resolver simulation
 * (sim.h), validating when the configuration's root zone is signed
 * (check_anchor).
 *
 * Pure: no I/O. Findings go to a callback, one at a time.
 */
#ifndef GLUED_CHECK_H
#define GLUED_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/name.h"
#include "analysis/sim.h"
#include "dns/zoneset.h"
#include "util/json.h"

/* One virtual server as the checks see it. */
typedef struct check_server {
	const char *name; /* may be NULL */
	const zoneset_t *zs;
	const sim_addr_t *addrs; /* where it listens (ports are assumed equal) */
	size_t naddrs;
} check_server_t;

enum check_severity { CHECK_ERROR = 0, CHECK_WARNING = 1, CHECK_INFO = 2 };

typedef struct check_finding {
	uint8_t severity;               /* enum check_severity */
	const char *code;               /* stable, e.g. "MISSING_GLUE_FOR_NS_NAME" */
	const char *server;             /* the server holding the parent zone, or NULL */
	char zone[NAME_TEXT_MAX];       /* the parent zone */
	char delegation[NAME_TEXT_MAX]; /* the delegation (zone cut), or "" */
	char name[NAME_TEXT_MAX];       /* the NS or record name involved, or "" */
	char message[768];              /* what is wrong, one line */
	char fix[256];                  /* how to fix it, one line */
} check_finding_t;

typedef void (*check_report_fn)(void *ctx, const check_finding_t *f);

/* One predicted outcome per delegation (sim.h), reported separately. */
typedef struct check_prediction {
	char delegation[NAME_TEXT_MAX];
	const char *server; /* parent's server */
	uint8_t rcode;      /* NOERROR, NXDOMAIN, SERVFAIL */
	bool unchecked;     /* SERVFAIL only because the walk left the loaded files */
	unsigned queries;
	unsigned tcp;   /* of which over TCP (after TC) */
	uint8_t dnssec; /* enum sim_dnssec: NONE unless validating */
	uint16_t ede;   /* the EDE of a bogus (or insecure) outcome, 0: none */
	/* A secure or insecure answer: the RRSIG and the NSEC/NSEC3 records
	 * of the response that ended the walk (sim_result_t); else 0. */
	unsigned rrsigs, nsecs;
	char why[SIM_WHY_MAX]; /* SERVFAIL: why (bogus: the validation's reason) */
	/* unchecked: which part of the walk the loaded files cannot follow,
	 * in words ("ns.provider.net. is in no loaded zone file"); else "". */
	char outside[SIM_WHY_MAX];
} check_prediction_t;

typedef void (*check_predict_fn)(void *ctx, const check_prediction_t *p);

typedef struct check_summary {
	unsigned errors, warnings, infos;
	unsigned delegations;
	bool have_root; /* predictions need a server for "." */
} check_summary_t;

typedef struct check_net check_net_t;

/*
 * Run every check over the zones of servers[0..n). The network the probes
 * and the simulated resolver ask is net, or (NULL) those servers at their
 * addresses. report gets each finding, predict (may be NULL) each
 * delegation's predicted outcome. opts (NULL: sim_opts_default) are the
 * simulated resolver's: its trust anchor makes the predictions validate,
 * and its now is the time the signatures of the DNSSEC checks are
 * compared with. Returns 0, or ST_ENOMEM.
 */
int check_run(const check_server_t *servers, size_t n, const check_net_t *net,
	      const sim_opts_t *opts, check_report_fn report, check_predict_fn predict, void *ctx,
	      check_summary_t *sum) MUST_CHECK;

/*
 * The virtual servers as a network for the simulated resolver: a query to
 * an address is answered in process by the server listening there
 * (respond(), UDP or TCP), and a delay fault of timeout_ms or more is a
 * response that came too late (ETIME). Use it as
 * (sim_net_t){ check_net_send, &net }.
 */
typedef struct check_net {
	const check_server_t *servers;
	size_t n;
	uint32_t timeout_ms;
	/* Zone files alone (offline.h): every loaded zone, and where the
	 * resolver starts; an address no server listens at, or a question
	 * offline_outside() names, is ENOENT (not checked offline). NULL for
	 * a configuration, where nothing at an address is ECONNREFUSED. */
	const zoneset_t *files;
	const sim_addr_t *roots;
	size_t nroots;
} check_net_t;

/* The virtual server listening at addr, or NULL. */
const zoneset_t *check_net_at(const check_net_t *net, const sim_addr_t *addr);

/* A sim_send_fn over a check_net_t (ctx); resp must hold RESPOND_MAX
 * bytes (respond.h). */
int check_net_send(void *ctx, const sim_addr_t *addr, bool tcp, const uint8_t *q, size_t qlen,
		   uint8_t *resp, size_t cap, size_t *rlen);

/* One finding as a text line / a JSON object (no newline). Returns the
 * length written (truncated to cap). */
size_t check_format_text(const check_finding_t *f, char *buf, size_t cap);
size_t check_format_json(const check_finding_t *f, char *buf, size_t cap);
/* The members of a finding, into the object j has open (util/json.h). */
void check_finding_json(json_t *j, const check_finding_t *f);

const char *check_severity_str(uint8_t severity);

/* What a code means, shared by glued --check and gluecheck: one table. */
typedef struct check_code_info {
	const char *code;  /* "MISSING_GLUE_FOR_NS_NAME" */
	uint8_t severity;  /* its usual severity */
	const char *title; /* "missing glue": operators' words */
	const char *fix;   /* the one-line fix */
} check_code_info_t;

/* The entry of code, or NULL. */
const check_code_info_t *check_code_info(const char *code);
/* Entry i of the table (for listing them all), NULL past the end. */
const check_code_info_t *check_code_at(size_t i);
/* Set f's severity, code (the table's string when known) and fix (fix,
 * or the table's when NULL). */
void check_finding_set(check_finding_t *f, uint8_t severity, const char *code, const char *fix);

/* What a scenario of the configuration says a real resolver gets. */
typedef struct check_expect {
	uint8_t rcode; /* NOERROR, SERVFAIL, NXDOMAIN, ... */
	bool has_addr; /* and, when set, this first address */
	sim_addr_t addr;
	uint8_t dnssec; /* enum sim_dnssec: what a validating resolver makes of it, or NONE */
	int ede;        /* the EDE of a bogus answer (RFC 8914); 0 or less: not said */
} check_expect_t;

/* Does the simulated resolver's result agree with the expectation: the
 * same rcode and, when an address is expected, that first address; and
 * when both the expectation and the result say something of DNSSEC (the
 * walk validated), secure with AD, insecure without, or bogus (with the
 * expected EDE, when one is)? */
bool check_agrees(const check_expect_t *e, const sim_result_t *r);

/*
 * The trust anchor a configuration implies, what glued --trust-anchor
 * writes: the DS (dnskey_ds, SHA-256) of each DNSKEY with the SEP flag of
 * the first signed root zone (origin ".") the servers serve, or of every
 * DNSKEY when none has the flag; at most cap. 0 when no root zone is
 * signed: then nothing is validated.
 */
size_t check_anchor(const check_server_t *servers, size_t n, val_ds_t *out, size_t cap);

/* The addresses of every server that serves the root zone ".", in server
 * order, at most cap. The start of every prediction. */
size_t check_roots(const check_server_t *servers, size_t n, sim_addr_t *out, size_t cap);

#endif
