/*
 * checkcmd.c -- glued --check: every zone of every server, the policies
 * that break the RFCs, the delegation checks with their predictions, and
 * the lab's scenarios, as text or JSON lines.
 */
#include "checkcmd.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/check.h"
#include "analysis/offline.h"
#include "analysis/sim.h"
#include "banner.h"
#include "dns/header.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/wire.h"
#include "dns/zoneset.h"
#include "log.h"
#include "xfrd.h"
#include "util/json.h"
#include "util/text.h"
#include "view.h"

static void warn_cb(void *ctx, const char *msg)
{
	unsigned *count = ctx;
	log_warn("%s", msg);
	if (count != NULL)
		(*count)++;
}

typedef struct check_out {
	bool json;
	check_prediction_t *predictions;
	size_t npredictions, cap;
	unsigned lost; /* predictions dropped: out of memory */
} check_out_t;

/* Close the object j holds and print it as one line. */
static void json_line(json_t *j)
{
	json_obj_close(j);
	puts(j->buf);
}

static void check_finding_cb(void *ctx, const check_finding_t *f)
{
	const check_out_t *o = ctx;
	char line[2048];
	if (o->json) {
		json_t j;
		json_init(&j, line, sizeof(line));
		json_obj_open(&j, NULL);
		json_str(&j, "kind", "finding");
		check_finding_json(&j, f);
		json_line(&j);
	} else {
		check_format_text(f, line, sizeof(line));
		puts(line);
	}
}

/* Predictions are printed after every finding, as one block. */
static void check_predict_cb(void *ctx, const check_prediction_t *p)
{
	check_out_t *o = ctx;
	if (o->npredictions == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 32;
		check_prediction_t *n = realloc(o->predictions, cap * sizeof(*n));
		if (n == NULL) {
			o->lost++;
			return;
		}
		o->predictions = n;
		o->cap = cap;
	}
	o->predictions[o->npredictions++] = *p;
}

/* Did the walk end in an answer that validated, secure or insecure? Then
 * the response's signatures and proofs are worth saying. */
static bool validated_answer(uint8_t dnssec)
{
	return dnssec == SIM_DNSSEC_SECURE || dnssec == SIM_DNSSEC_INSECURE;
}

/* ", secure, rrsig=1 nsec=0": the verdict of an answer that validated and
 * what its response carried; "" for anything else. */
static void verdict_text(uint8_t dnssec, unsigned rrsigs, unsigned nsecs, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (validated_answer(dnssec))
		snprintf(buf, cap, ", %s, rrsig=%u nsec=%u", sim_dnssec_str(dnssec), rrsigs, nsecs);
}

static void print_prediction(const check_out_t *o, const check_prediction_t *p)
{
	char verdict[64];
	verdict_text(p->dnssec, p->rrsigs, p->nsecs, verdict, sizeof(verdict));
	if (o->json) {
		char buf[2048];
		json_t j;
		json_init(&j, buf, sizeof(buf));
		json_obj_open(&j, NULL);
		json_str(&j, "kind", "prediction");
		json_str(&j, "delegation", p->delegation);
		json_str(&j, "server", p->server ? p->server : "");
		json_str(&j, "rcode", rcode_str(p->rcode));
		json_bool(&j, "checked", !p->unchecked);
		json_uint(&j, "queries", p->queries);
		json_uint(&j, "tcp", p->tcp);
		if (p->dnssec != SIM_DNSSEC_NONE) {
			json_str(&j, "dnssec", sim_dnssec_str(p->dnssec));
			json_uint(&j, "ede", p->ede);
		}
		if (validated_answer(p->dnssec)) {
			json_uint(&j, "rrsigs", p->rrsigs);
			json_uint(&j, "nsecs", p->nsecs);
		}
		json_str(&j, "why", p->why);
		if (p->unchecked)
			json_str(&j, "outside", p->outside);
		json_line(&j);
	} else if (p->dnssec == SIM_DNSSEC_BOGUS) {
		printf("  %s: SERVFAIL (bogus, EDE %u: %s)\n", p->delegation, p->ede, p->why);
	} else if (p->rcode == RCODE_NOERROR) {
		printf("  %s: resolves%s (%u queries%s)\n", p->delegation, verdict, p->queries,
		       p->tcp ? ", TC then TCP" : "");
	} else if (p->unchecked && p->outside[0]) {
		/* Where the walk left the files first, then the resolver's reason. */
		printf("  %s: not checked offline: %s (%s)\n", p->delegation, p->outside, p->why);
	} else if (p->unchecked) {
		printf("  %s: not checked offline: %s\n", p->delegation, p->why);
	} else if (p->rcode == RCODE_SERVFAIL) {
		printf("  %s: SERVFAIL: %s\n", p->delegation, p->why);
	} else {
		printf("  %s: %s%s (%u queries)\n", p->delegation, rcode_str(p->rcode), verdict,
		       p->queries);
	}
}

/* The listen addresses of one server as the checks see them. */
static sim_addr_t *check_addrs(const vserver_t *vs, bool *ipv6)
{
	sim_addr_t *a = calloc(vs->nlisten ? vs->nlisten : 1, sizeof(*a));
	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < vs->nlisten; i++) {
		const struct sockaddr_storage *ss = &vs->listen[i].ss;
		if (ss->ss_family == AF_INET6) {
			a[i].len = 16;
			memcpy(a[i].bytes, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
			*ipv6 = true;
		} else {
			a[i].len = 4;
			memcpy(a[i].bytes, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		}
	}
	return a;
}

/* The virtual servers of sc (served as v) as the checks see them, or NULL
 * (out of memory); *ipv6 is set when one listens on IPv6. */
static check_server_t *check_servers_of(const srvconf_t *sc, const view_t *v, bool *ipv6)
{
	check_server_t *cs = calloc(sc->nservers ? sc->nservers : 1, sizeof(*cs));
	for (size_t i = 0; cs != NULL && i < sc->nservers; i++) {
		cs[i].name = sc->file != NULL ? sc->servers[i].name : NULL;
		cs[i].zs = v->zs[i];
		cs[i].naddrs = sc->servers[i].nlisten;
		cs[i].addrs = check_addrs(&sc->servers[i], ipv6);
		if (cs[i].addrs == NULL) {
			for (size_t k = 0; k < i; k++)
				free((void *)cs[k].addrs);
			free(cs);
			return NULL;
		}
	}
	return cs;
}

static void check_servers_free(check_server_t *cs, size_t n)
{
	for (size_t i = 0; cs != NULL && i < n; i++)
		free((void *)cs[i].addrs);
	free(cs);
}

int checkcmd_answering_server(const srvconf_t *sc, const view_t *v, const scenario_t *t)
{
	bool ipv6 = false;
	check_server_t *cs = check_servers_of(sc, v, &ipv6);
	sim_result_t *res = calloc(1, sizeof(*res));
	sim_addr_t roots[32];
	bool failed = cs == NULL || res == NULL;
	uint8_t qname[NAME_MAXLEN];
	uint16_t qtype = 0;
	int found = -1;
	sim_opts_t opts;
	sim_opts_default(&opts);
	opts.ipv6 = ipv6;
	size_t nroots =
		failed ? 0 : check_roots(cs, sc->nservers, roots, sizeof(roots) / sizeof(roots[0]));
	check_net_t net = { .servers = cs, .n = sc->nservers, .timeout_ms = opts.timeout_ms };
	if (nroots > 0 &&
	    name_from_text(t->qname, strlen(t->qname), (const uint8_t *)"", qname) >= 0 &&
	    rrtype_from_text(t->qtype, strlen(t->qtype), &qtype) >= 0 &&
	    sim_resolve(roots, nroots, &(sim_net_t){ check_net_send, &net }, qname, qtype, &opts,
			res) == 0 &&
	    res->answered) {
		for (size_t i = 0; i < sc->nservers && found < 0; i++)
			for (size_t k = 0; k < cs[i].naddrs; k++)
				if (cs[i].addrs[k].len == res->answered_by.len &&
				    memcmp(cs[i].addrs[k].bytes, res->answered_by.bytes,
					   res->answered_by.len) == 0)
					found = (int)i;
	}
	check_servers_free(cs, sc->nservers);
	free(res);
	return found;
}

/* What scenario t says a resolver gets, as data; false when the
 * configuration names no rcode or no address glued knows. */
static bool scenario_expect(const scenario_t *t, check_expect_t *e)
{
	int rc = rcode_from_str(t->resolver);
	memset(e, 0, sizeof(*e));
	if (rc < 0)
		return false;
	e->rcode = (uint8_t)rc;
	e->dnssec = t->dnssec == SCENARIO_DNSSEC_SECURE     ? SIM_DNSSEC_SECURE
		    : t->dnssec == SCENARIO_DNSSEC_INSECURE ? SIM_DNSSEC_INSECURE
		    : t->dnssec == SCENARIO_DNSSEC_BOGUS    ? SIM_DNSSEC_BOGUS
							    : SIM_DNSSEC_NONE;
	e->ede = e->dnssec == SIM_DNSSEC_BOGUS ? t->ede : -1;
	if (t->answer == NULL)
		return true;
	e->has_addr = true;
	if (inet_pton(AF_INET, t->answer, e->addr.bytes) == 1)
		e->addr.len = 4;
	else if (inet_pton(AF_INET6, t->answer, e->addr.bytes) == 1)
		e->addr.len = 16;
	else
		return false;
	return true;
}

/*
 * One scenario of the configuration: what the simulated resolver gets for
 * its question against what the file says a real resolver gets. Returns
 * true when they agree. With a trust anchor (a signed root) the walk
 * validates and the scenario's dnssec is judged too; without one a bogus
 * scenario (SERVFAIL from a validating resolver) is shown but not judged
 * (*unjudged).
 */
static bool check_scenario(const scenario_t *t, const sim_addr_t *roots, size_t nroots,
			   check_net_t *net, const sim_opts_t *opts, bool json, unsigned *unjudged)
{
	bool validating = opts->nanchor > 0;
	bool judged = validating || t->dnssec != SCENARIO_DNSSEC_BOGUS;
	const char *result;
	uint8_t qname[NAME_MAXLEN];
	uint16_t qtype = 0;
	char got[SIM_WHY_MAX + 128] = "", expected[160], addr[48];
	bool agree = false;
	sim_result_t *res = calloc(1, sizeof(*res));
	const char *exp_dnssec = !validating                             ? ""
				 : t->dnssec == SCENARIO_DNSSEC_SECURE   ? "secure"
				 : t->dnssec == SCENARIO_DNSSEC_INSECURE ? "insecure"
				 : t->dnssec == SCENARIO_DNSSEC_BOGUS    ? "bogus"
									 : "";

	char exp_ede[24] = "";
	if (validating && t->dnssec == SCENARIO_DNSSEC_BOGUS && t->ede > 0)
		snprintf(exp_ede, sizeof(exp_ede), ", EDE %d", t->ede);
	snprintf(expected, sizeof(expected), "%s%s%s%s%s%s", t->resolver, t->answer ? " " : "",
		 t->answer ? t->answer : "", exp_dnssec[0] ? ", " : "", exp_dnssec, exp_ede);
	if (res == NULL) {
		snprintf(got, sizeof(got), "out of memory");
	} else if (name_from_text(t->qname, strlen(t->qname), (const uint8_t *)"", qname) < 0 ||
		   rrtype_from_text(t->qtype, strlen(t->qtype), &qtype) < 0) {
		snprintf(got, sizeof(got), "(cannot read the question)");
	} else if (sim_resolve(roots, nroots, &(sim_net_t){ check_net_send, net }, qname, qtype,
			       opts, res) < 0) {
		snprintf(got, sizeof(got), "(simulation failed)");
	} else {
		const char *rc = rcode_str(res->rcode);
		char verdict[64];
		verdict_text(res->dnssec, res->rrsigs, res->nsecs, verdict, sizeof(verdict));
		if (res->dnssec == SIM_DNSSEC_BOGUS)
			snprintf(got, sizeof(got), "%s (bogus, EDE %u: %s)", rc, res->ede,
				 res->why);
		else if (res->rcode == RCODE_NOERROR && res->has_addr)
			snprintf(got, sizeof(got), "%s %s%s", rc,
				 sim_addr_str(&res->addr, addr, sizeof(addr)), verdict);
		else
			snprintf(got, sizeof(got), "%s%s", rc, verdict);
		check_expect_t e;
		agree = judged && scenario_expect(t, &e) && check_agrees(&e, res);
	}
	result = !judged ? "not judged (bogus: the simulation does not validate)"
		 : agree ? "agree"
			 : "DISAGREE";
	if (!judged)
		(*unjudged)++;
	if (json) {
		char buf[2048];
		json_t j;
		json_init(&j, buf, sizeof(buf));
		json_obj_open(&j, NULL);
		json_str(&j, "kind", "scenario");
		json_str(&j, "name", t->name);
		json_str(&j, "query", t->qname);
		json_str(&j, "type", t->qtype);
		json_str(&j, "expected", expected);
		json_str(&j, "predicted", got);
		json_uint(&j, "queries", res ? res->queries : 0);
		json_uint(&j, "tcp", res ? res->tcp : 0);
		if (validating && res != NULL) {
			json_str(&j, "expected_dnssec", exp_dnssec);
			json_str(&j, "dnssec", sim_dnssec_str(res->dnssec));
			json_bool(&j, "ad", res->ad);
			json_uint(&j, "ede", res->ede);
			if (validated_answer(res->dnssec)) {
				json_uint(&j, "rrsigs", res->rrsigs);
				json_uint(&j, "nsecs", res->nsecs);
			}
		}
		json_str(&j, "why", res ? res->why : "");
		json_str(&j, "result", judged ? result : "not judged");
		json_line(&j);
	} else {
		/* A bogus prediction says its reason already. */
		bool why = res && res->why[0] && res->dnssec != SIM_DNSSEC_BOGUS;
		printf("  %s: %s %s: expected %s, predicted %s: %s (%u queries%s%s%s)\n", t->name,
		       t->qname, t->qtype, expected, got, result, res ? res->queries : 0,
		       res && res->tcp ? ", TC then TCP" : "", why ? "; " : "",
		       why ? res->why : "");
	}
	free(res);
	return agree;
}

/* The top zones the offline walk starts at a made-up server for (their NS
 * names have no address in the files): "example.com.'s servers" or "the
 * servers of a., b." into buf, or origins "a. b." with json; "" for none. */
static void start_text(const offline_t *off, const zoneset_t *files, bool json, char *buf,
		       size_t cap)
{
	buf[0] = '\0';
	for (size_t i = 0; i < off->nstart; i++) {
		char origin[NAME_TEXT_MAX];
		name_str(zone_origin(files->zones[off->start_zones[i]]), origin, sizeof(origin));
		text_appendf(buf, cap, "%s%s", i == 0 ? "" : json ? " " : ", ", origin);
	}
	if (json || off->nstart == 0)
		return;
	char names[1024];
	snprintf(names, sizeof(names), "%s", buf);
	if (off->nstart == 1)
		snprintf(buf, cap, "%s's servers", names);
	else
		snprintf(buf, cap, "the servers of %s", names);
}

/* The delegation checks (analysis/check.h) over every server of a loaded
 * configuration, then its scenarios. Returns the number of errors. */
static unsigned check_delegations(const srvconf_t *sc, const view_t *v, bool json)
{
	bool ipv6 = false;
	check_server_t *cs = check_servers_of(sc, v, &ipv6);
	sim_addr_t roots[32];
	check_summary_t sum;
	check_out_t out = { .json = json };
	sim_opts_t opts;
	bool failed = cs == NULL;
	unsigned agree = 0, unjudged = 0;
	offline_t off = { 0 };
	/* Zone files alone (-z): the hierarchy as the Internet has it, each
	 * zone at the addresses of its NS names (offline.h), not at glued's
	 * own listeners. */
	bool offline = sc->file == NULL && sc->nservers == 1;

	/* A resolver uses IPv6 only where the configuration listens on it
	 * (the bundled lab is IPv4 only: its AAAA glue is never tried). */
	sim_opts_default(&opts);
	opts.ipv6 = ipv6 || offline;
	/* A signed root in the configuration is its trust anchor: the DS of
	 * its key-signing keys, as glued --trust-anchor writes it. */
	val_ds_t anchor[8];
	opts.nanchor = failed ? 0 : check_anchor(cs, sc->nservers, anchor, 8);
	opts.anchor = anchor;
	if (!failed && offline)
		failed = offline_build(v->zs[0], &off) != ST_OK;
	check_net_t net = { .servers = cs, .n = sc->nservers, .timeout_ms = opts.timeout_ms };
	if (offline)
		net = (check_net_t){ .servers = off.servers,
				     .n = off.n,
				     .timeout_ms = opts.timeout_ms,
				     .files = v->zs[0],
				     .roots = off.roots,
				     .nroots = off.nroots };
	if (failed || check_run(cs, sc->nservers, &net, &opts, check_finding_cb, check_predict_cb,
				&out, &sum) < 0) {
		log_error("out of memory");
		sum.errors = 1;
		goto out;
	}
	if (out.lost > 0)
		log_error("out of memory: %u prediction(s) not shown", out.lost);
	/* Zone files whose top zone has no address in them: the walk starts at
	 * a made-up server for it (offline.h), and says so. */
	char start[1200] = "";
	if (offline)
		start_text(&off, v->zs[0], false, start, sizeof(start));
	if (!json && sum.have_root) {
		printf("predictions (what %s resolver gets for each delegation",
		       opts.nanchor > 0 ? "a validating" : "an iterating");
		if (start[0])
			printf(", starting at %s, whose addresses are not in the files", start);
		if (opts.nanchor > 0) {
			printf("; trust anchor:");
			for (size_t i = 0; i < opts.nanchor; i++)
				printf(" DS %u/%u/%u", wire_get16(anchor[i].rd), anchor[i].rd[2],
				       anchor[i].rd[3]);
			printf(" of the signed root zone");
		}
		puts("):");
	} else if (!json)
		puts(offline ? "predictions: none (no loaded zone to start at)"
			     : "predictions: none (no server of the configuration serves the root zone)");
	for (size_t i = 0; i < out.npredictions; i++)
		print_prediction(&out, &out.predictions[i]);
	size_t nroots = check_roots(cs, sc->nservers, roots, sizeof(roots) / sizeof(roots[0]));
	for (size_t i = 0; i < sc->nscenarios && nroots > 0; i++) {
		if (i == 0 && !json)
			puts("scenarios (expected is what the configuration says a resolver gets):");
		agree += check_scenario(&sc->scenarios[i], roots, nroots, &net, &opts, json,
					&unjudged);
	}
	if (json) {
		char buf[2048];
		json_t j;
		json_init(&j, buf, sizeof(buf));
		json_obj_open(&j, NULL);
		json_str(&j, "kind", "summary");
		json_uint(&j, "errors", sum.errors);
		json_uint(&j, "warnings", sum.warnings);
		json_uint(&j, "infos", sum.infos);
		json_uint(&j, "delegations", sum.delegations);
		json_uint(&j, "predictions", (unsigned long)out.npredictions);
		json_uint(&j, "scenarios", nroots ? sc->nscenarios : 0);
		json_uint(&j, "scenarios_agree", agree);
		json_uint(&j, "scenarios_unjudged", unjudged);
		if (offline && off.nstart > 0) {
			start_text(&off, v->zs[0], true, start, sizeof(start));
			json_str(&j, "start_zones", start);
		}
		json_line(&j);
	} else {
		printf("%u delegation(s): %u error(s), %u warning(s), %u info(s)", sum.delegations,
		       sum.errors, sum.warnings, sum.infos);
		if (nroots > 0 && sc->nscenarios > 0)
			printf("; %u of %zu scenario(s) agree%s", agree, sc->nscenarios - unjudged,
			       unjudged ? " (the bogus ones not judged)" : "");
		putchar('\n');
	}
out:
	offline_free(&off);
	free(out.predictions);
	check_servers_free(cs, sc->nservers);
	return sum.errors;
}

/* One line per zone of --check, as each is loaded. */
typedef struct zone_line {
	bool json;
	const char *server; /* "" without a configuration file */
	const char *prefix; /* "server NAME: " or "" */
	const vserver_t *vs;
	unsigned warnings; /* counted by warn_cb since the last zone */
	unsigned failed;
} zone_line_t;

/* ", signed: NSEC3 (...), N RRsets signed" for a signed zone, else "". */
static void dnssec_text(const zone_t *z, char *buf, size_t len)
{
	zone_dnssec_info_t di;
	zone_dnssec_info(z, &di);
	buf[0] = '\0';
	if (di.denial == NULL)
		return;
	char salt[2 * 255 + 1] = "-";
	for (size_t i = 0; i < di.saltlen; i++)
		snprintf(salt + 2 * i, 3, "%02x", di.salt[i]);
	if (strcmp(di.denial, "NSEC3") == 0)
		snprintf(buf, len,
			 ", signed: NSEC3 (%zu records, salt %s, %u iterations, %zu opt-out), %zu "
			 "RRsets signed",
			 di.chain, salt, di.iterations, di.optout, di.signed_rrsets);
	else if (strcmp(di.denial, "NSEC") == 0)
		snprintf(buf, len, ", signed: NSEC (%zu records), %zu RRsets signed", di.chain,
			 di.signed_rrsets);
	else
		snprintf(buf, len, ", signed: no usable NSEC or NSEC3 chain, %zu RRsets signed",
			 di.signed_rrsets);
}

static void zone_line(void *ctx, size_t index, int rc, const char *err, const zone_t *z)
{
	zone_line_t *zl = ctx;
	const zone_spec_t *spec = &zl->vs->spec.zones[index];
	char origin[NAME_TEXT_MAX];
	bool ok = rc >= 0;
	if (!ok) {
		log_error("%s", err);
		zl->failed++;
	}
	if (zl->json) {
		char buf[1024];
		json_t j;
		json_init(&j, buf, sizeof(buf));
		json_obj_open(&j, NULL);
		json_str(&j, "kind", "zone");
		json_str(&j, "server", zl->server);
		json_str(&j, "file", spec->file);
		if (ok) {
			json_str(&j, "zone", name_str(zone_origin(z), origin, sizeof(origin)));
			json_uint(&j, "records", zone_record_count(z));
			json_uint(&j, "warnings", zl->warnings);
			zone_dnssec_info_t di;
			zone_dnssec_info(z, &di);
			json_bool(&j, "signed", di.denial != NULL);
			if (di.denial != NULL) {
				json_str(&j, "denial", di.denial);
				json_uint(&j, "signed_rrsets", di.signed_rrsets);
				json_uint(&j, "chain", di.chain);
				if (strcmp(di.denial, "NSEC3") == 0) {
					json_uint(&j, "iterations", di.iterations);
					json_uint(&j, "optout", di.optout);
				}
			}
		}
		json_str(&j, "status", ok ? "ok" : "FAILED");
		json_line(&j);
	} else if (!ok) {
		printf("%s%s: FAILED\n", zl->prefix, spec->file);
	} else {
		char sec[160];
		dnssec_text(z, sec, sizeof(sec));
		printf("%s%s: zone %s, %zu records, %zu names%s, %u warning(s): ok\n", zl->prefix,
		       spec->file, name_str(zone_origin(z), origin, sizeof(origin)),
		       zone_record_count(z), zone_node_count(z), sec, zl->warnings);
	}
	zl->warnings = 0;
}

/* --check: each zone of each server, loaded once (warnings and errors per
 * zone, with its delegation rules), then each server whole (duplicate
 * origins), then the policies that break the RFCs, then the delegation
 * checks over all of it. With --json, stdout is one JSON object per line. */
int checkcmd_run(const config_t *cfg)
{
	char err[CONFIG_ERR_MAX];
	unsigned failed = 0;
	srvconf_t sc;
	view_t *all = NULL;

	if (srvconf_load(cfg, &sc, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}
	/* A zone pulled from its primary is checked only from a copy on disk. */
	xfrd_attach(NULL, &sc);
	for (size_t i = 0; i < sc.nservers; i++)
		for (size_t k = 0; k < sc.servers[i].spec.nwaiting; k++)
			log_info("%s: zone %s is pulled from its primary: not checked offline",
				 sc.servers[i].spec.waiting[k].where,
				 sc.servers[i].spec.waiting[k].origin);
	all = view_new(sc.nservers);
	if (all == NULL) {
		log_error("out of memory");
		srvconf_free(&sc);
		return 1;
	}
	/* Each server sees the others, for the DS of the children they sign. */
	const server_spec_t **specs = calloc(sc.nservers ? sc.nservers : 1, sizeof(*specs));
	if (specs == NULL) {
		log_error("out of memory");
		view_free(all);
		srvconf_free(&sc);
		return 1;
	}
	for (size_t s = 0; s < sc.nservers; s++)
		specs[s] = &sc.servers[s].spec;
	for (size_t s = 0; s < sc.nservers; s++) {
		const vserver_t *vs = &sc.servers[s];
		server_spec_t spec = vs->spec;
		spec.view = specs;
		spec.nview = sc.nservers;
		char prefix[96] = "";
		if (sc.file != NULL)
			snprintf(prefix, sizeof(prefix), "server %s: ", vs->name);
		zone_line_t zl = { cfg->json, sc.file ? vs->name : "", prefix, vs, 0, 0 };
		zoneset_t *zs = NULL;
		int rc = zoneset_load_each(&spec, warn_cb, &zl.warnings, zone_line, &zl, &zs, err,
					   sizeof(err));
		failed += zl.failed;
		if (rc < 0 && zl.failed == 0) {
			log_error("%s", err); /* two zones with one origin */
			failed++;
		}
		if (rc < 0)
			continue;
		all->zs[s] = zs;
		if (sc.file != NULL) {
			size_t count = banner_announce(vs, all->zs[s]);
			if (!cfg->json)
				printf("server %s: %zu zone(s), %zu polic%s breaking the RFCs on purpose: ok\n",
				       vs->name, vs->spec.nzones, count, count == 1 ? "y" : "ies");
		}
	}
	/* The delegations only make sense over the whole configuration. */
	if (failed == 0 && check_delegations(&sc, all, cfg->json) > 0)
		failed++;
	free(specs);
	view_free(all);
	srvconf_free(&sc);
	return failed > 0 ? 1 : 0;
}