/*
 * check.c -- offline delegation checks.
 *
 * For every delegation (zone cut) of every zone of every virtual server:
 * the parent's glue against the NS names, the policy that shapes it, the
 * child zone when some server of the configuration serves it (NS set and
 * addresses), every server the glue points at (does anything answer there,
 * and authoritatively?), the referral's size, data hidden below the cut,
 * and the outcome an iterating resolver would reach (sim.c).
 */
#include "analysis/check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/judge.h"
#include "analysis/msg.h"
#include "analysis/offline.h"
#include "analysis/validate.h"
#include "dns/query.h"
#include "dns/rdata.h"
#include "dns/respond.h"
#include "dns/wire.h"
#include "dnssec/key.h"
#include "util/text.h"

typedef struct run {
	const check_server_t *servers;
	size_t n;
	check_net_t net;
	sim_net_t sim; /* net, for the simulated resolver */
	sim_opts_t opts;
	check_report_fn report;
	check_predict_fn predict;
	void *ctx;
	check_summary_t *sum;
	/* Current parent. */
	const check_server_t *srv;
	const zone_t *zone;
	char zone_text[NAME_TEXT_MAX];
	/* Root addresses for predictions. */
	sim_addr_t roots[32];
	size_t nroots;
	/* Address families some server listens on (4, 16). */
	bool fam4, fam6;
	uint8_t req[512];
	uint8_t resp[RESPOND_MAX];
	msg_rr_t rr;
} run_t;

/*
 * Every code, once: its usual severity, a title in the words operators use,
 * and the fix line. glued --check (below) and gluecheck (tools/gluecheck.c)
 * both take the fix from here; docs/checks.md explains each code.
 */
static const check_code_info_t codes[] = {
	{ "MISSING_GLUE_FOR_NS_NAME", CHECK_ERROR, "missing glue",
	  "add A/AAAA glue for the NS name in the parent (register a host record at the registrar)" },
	{ "GLUE_WITHHELD_BY_POLICY", CHECK_ERROR, "glue withheld by policy",
	  "set the glue policy back to full (RFC 9471)" },
	{ "GLUE_MISMATCH", CHECK_ERROR, "glue mismatch",
	  "update the glue (host record at the registrar) to the child's addresses" },
	{ "GLUE_MISSING_IN_CHILD", CHECK_WARNING, "glue the child lacks",
	  "add the same A/AAAA records for the NS name in the child zone" },
	{ "NS_SET_MISMATCH", CHECK_WARNING, "parent and child NS sets differ",
	  "make the NS set at the parent (registrar) and at the child apex the same" },
	{ "LAME_DELEGATION", CHECK_ERROR, "lame delegation",
	  "serve the zone on that server, or remove the NS record from the delegation" },
	{ "NO_SERVER_AT_ADDRESS", CHECK_ERROR, "no server at the address",
	  "point the glue (or the NS name's A/AAAA) at a server that serves the zone" },
	{ "NS_NAME_WITHOUT_ADDRESS", CHECK_ERROR, "NS name without address",
	  "add A/AAAA records for the NS name in the zone (named-checkzone refuses the zone)" },
	{ "NS_NAME_IS_CNAME", CHECK_ERROR, "NS name is a CNAME",
	  "point the NS record at the canonical name, or give the name its own A/AAAA (RFC 2181 10.3)" },
	{ "NOT_CHECKED_OFFLINE", CHECK_INFO, "not checked offline",
	  "load the zone served there too (-z), or check the live servers with gluecheck" },
	{ "UDP_UNRESPONSIVE", CHECK_ERROR, "no answer over UDP",
	  "let UDP port 53 through to the server (firewall, rate limit) and check it listens on UDP" },
	{ "TCP_UNRESPONSIVE", CHECK_WARNING, "no answer over TCP",
	  "let TCP port 53 through to the server and serve TCP (RFC 7766: required)" },
	{ "TRUNCATION_POLICY", CHECK_WARNING, "non-standard truncation",
	  "set truncation back to rfc9471" },
	{ "REFERRAL_EXCEEDS_512", CHECK_WARNING, "referral over 512 bytes",
	  "use fewer or shorter in-domain NS names (or fewer addresses per name)" },
	{ "REFERRAL_EXCEEDS_1232", CHECK_ERROR, "referral over 1232 bytes",
	  "use fewer or shorter in-domain NS names (or fewer addresses per name)" },
	{ "CYCLIC_SIBLING_GLUE", CHECK_INFO, "cyclic dependency (sibling glue)",
	  "give each delegation at least one NS name that does not depend on the other" },
	{ "OUT_OF_DOMAIN_NS_CYCLE", CHECK_ERROR, "cyclic dependency (out-of-domain)",
	  "give the delegation an NS name whose address does not depend on it, with glue" },
	{ "OCCLUDED_NS", CHECK_WARNING, "occluded NS below a cut",
	  "remove it from the parent: it belongs in the child zone" },
	{ "OCCLUDED_DATA", CHECK_WARNING, "occluded data below a cut",
	  "move the record into the child zone" },
	{ "EXTRA_GLUE", CHECK_WARNING, "extra glue",
	  "remove the address from the parent, or add the name to an NS set" },
	{ "DS_MATCHES_NO_DNSKEY", CHECK_ERROR, "DS matches no DNSKEY",
	  "publish in the parent the DS of a key that signs the child's DNSKEY RRset (or remove the stale DS)" },
	{ "RRSIG_EXPIRED", CHECK_ERROR, "expired signatures",
	  "sign the zone again, and re-sign it before the signatures expire" },
	{ "RRSIG_NOT_YET_VALID", CHECK_ERROR, "signatures not yet valid",
	  "sign with an inception in the past (check the signer's clock)" },
	{ "RRSIG_MISSING", CHECK_ERROR, "RRset without signature",
	  "sign the zone again so that every authoritative RRset has an RRSIG" },
	{ "NSEC_CHAIN_BROKEN", CHECK_ERROR, "broken NSEC/NSEC3 chain",
	  "sign the zone again: the chain must link every name in order, each with its types" },
	{ "NSEC3_ITERATIONS_HIGH", CHECK_WARNING, "NSEC3 iterations above 0",
	  "sign with NSEC3 iterations 0 and an empty salt (RFC 9276)" },
	{ "DNSKEY_ALGORITHM_UNSUPPORTED", CHECK_WARNING,
	  "DNSKEY algorithm validators do not support",
	  "sign with algorithm 13 (ECDSAP256SHA256) or 15 (ED25519), and publish its DS" },
	{ "DNSSEC_BOGUS", CHECK_ERROR, "bogus answer (DNSSEC)",
	  "repair what the reason names (the DNSSEC codes of docs/checks.md), or remove the DS in the parent to make the zone insecure" },
	{ "DNSKEY_NO_SEP", CHECK_INFO, "no DNSKEY with the SEP flag",
	  "give the key the DS points at flags 257 (SEP), as registries and key tools expect" },
};

const check_code_info_t *check_code_info(const char *code)
{
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(codes[i].code, code) == 0)
			return &codes[i];
	return NULL;
}

const check_code_info_t *check_code_at(size_t i)
{
	return i < sizeof(codes) / sizeof(codes[0]) ? &codes[i] : NULL;
}

void check_finding_set(check_finding_t *f, uint8_t severity, const char *code, const char *fix)
{
	const check_code_info_t *ci = check_code_info(code);
	f->severity = severity;
	f->code = ci ? ci->code : code;
	snprintf(f->fix, sizeof(f->fix), "%s", fix ? fix : ci ? ci->fix : "");
}

const char *check_severity_str(uint8_t severity)
{
	static const char *const s[] = { "error", "warning", "info" };
	return severity < 3 ? s[severity] : "?";
}

const zoneset_t *check_net_at(const check_net_t *net, const sim_addr_t *addr)
{
	for (size_t i = 0; i < net->n; i++)
		for (size_t k = 0; k < net->servers[i].naddrs; k++) {
			const sim_addr_t *a = &net->servers[i].addrs[k];
			if (sim_addr_equal(a, addr))
				return net->servers[i].zs;
		}
	return NULL;
}

int check_net_send(void *ctx, const sim_addr_t *addr, bool tcp, const uint8_t *q, size_t qlen,
		   uint8_t *resp, size_t cap, size_t *rlen)
{
	const check_net_t *net = ctx;
	*rlen = 0;
	if (net->files) {
		query_t qq;
		if (query_parse(q, qlen, &qq) == 0 && qq.has_question &&
		    offline_outside(net->files, addr, qq.lname, qq.qtype))
			return ENOENT;
	}
	const zoneset_t *zs = check_net_at(net, addr);
	if (!zs)
		return net->files ? ENOENT : ECONNREFUSED;
	if (cap < RESPOND_MAX)
		return EMSGSIZE;
	explain_t ex;
	size_t n = respond(zs, q, qlen, tcp, resp, NULL, &ex);
	if (n == 0)
		return ETIMEDOUT;
	*rlen = n;
	return ex.delay_ms >= net->timeout_ms ? ETIME : 0;
}

static void text(const uint8_t *name, char *buf, size_t cap)
{
	if (name_to_text(name, buf, cap) < 0)
		snprintf(buf, cap, "?");
}

static void finding(run_t *r, uint8_t sev, const char *code, const uint8_t *cut,
		    const uint8_t *name, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static void finding(run_t *r, uint8_t sev, const char *code, const uint8_t *cut,
		    const uint8_t *name, const char *fix, const char *fmt, ...)
{
	check_finding_t f;
	memset(&f, 0, sizeof(f));
	check_finding_set(&f, sev, code, fix);
	f.server = r->srv ? r->srv->name : NULL;
	snprintf(f.zone, sizeof(f.zone), "%s", r->zone_text);
	if (cut)
		text(cut, f.delegation, sizeof(f.delegation));
	if (name)
		text(name, f.name, sizeof(f.name));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f.message, sizeof(f.message), fmt, ap);
	va_end(ap);
	if (sev == CHECK_ERROR)
		r->sum->errors++;
	else if (sev == CHECK_WARNING)
		r->sum->warnings++;
	else
		r->sum->infos++;
	r->report(r->ctx, &f);
}

/* Addresses of an RRset as sim addresses. */
static size_t rrset_addrs(const rrset_t *rs, sim_addr_t *out, size_t cap)
{
	size_t n = 0;
	uint32_t pos = 0;
	const uint8_t *rd;
	uint16_t len;
	while (rs && n < cap && rrset_next(rs, &pos, &rd, &len)) {
		if (len != 4 && len != 16)
			continue;
		out[n].len = (uint8_t)len;
		memcpy(out[n].bytes, rd, len);
		n++;
	}
	return n;
}

/* The child zone of a delegation, if some server serves it. */
static const zone_t *find_child(const run_t *r, const uint8_t *cut, const check_server_t **where)
{
	for (size_t i = 0; i < r->n; i++) {
		const zone_t *z = zoneset_find(r->servers[i].zs, cut);
		if (z && name_equal(zone_origin(z), cut)) {
			if (where)
				*where = &r->servers[i];
			return z;
		}
	}
	return NULL;
}

/* probe()'s answer for an address the zone files say nothing about. */
static const char OFFLINE_UNKNOWN[] = "no loaded zone file says what answers there";

/* Ask the server at addr for the child's SOA, as a resolver would check a
 * server (judge_authority). Returns "" when it answers with authority, else
 * why not. */
static const char *probe(run_t *r, const sim_addr_t *addr, const uint8_t *cut)
{
	size_t qlen =
		msg_build_query(r->req, sizeof(r->req), 0x6c75, 0, cut, RR_SOA, CLASS_IN, 0, false);
	size_t n = 0;
	int err = check_net_send(&r->net, addr, true, r->req, qlen, r->resp, sizeof(r->resp), &n);
	if (err == ECONNREFUSED)
		return "nothing answers at this address";
	if (err == ENOENT)
		return OFFLINE_UNKNOWN;
	if (err != 0)
		return "it does not answer (timeout)";
	sim_msg_t *m = malloc(sizeof(*m));
	if (!m)
		return "";
	int auth = sim_msg_read(r->resp, n, cut, RR_SOA, true, &r->rr, m) < 0
			   ? -1
			   : judge_authority(m, cut);
	bool refused = m->rcode == RCODE_REFUSED;
	free(m);
	switch (auth) {
	case -1:
		return "it answers with a malformed response";
	case JUDGE_LAME_RCODE:
		return refused ? "it answers REFUSED: not authoritative for the zone"
			       : "it answers with an error";
	case JUDGE_LAME_UPWARD:
	case JUDGE_LAME_REFERRAL:
	case JUDGE_LAME_NO_AA:
		return "it answers without authority (AA=0)";
	default:
		return ""; /* authoritative (an AA answer without the SOA is not lame) */
	}
}

/* The names of an NS RRset (pointers into its rdata), with room for one
 * flag per name; both arrays are the caller's to free (NULL on no memory). */
static size_t rrset_names(const rrset_t *ns, const uint8_t ***names, bool **flags)
{
	*names = NULL;
	*flags = NULL;
	if (!ns || ns->count == 0)
		return 0;
	*names = malloc(ns->count * sizeof(**names));
	*flags = malloc(ns->count * sizeof(**flags));
	if (!*names || !*flags) {
		free(*names);
		free(*flags);
		*names = NULL;
		*flags = NULL;
		return ns->count;
	}
	uint32_t pos = 0;
	const uint8_t *rd;
	uint16_t len;
	size_t n = 0;
	while (n < ns->count && rrset_next(ns, &pos, &rd, &len))
		(*names)[n++] = rd;
	return n;
}

/* The parent's NS set at cut against the child zone's own (judge_ns_sets). */
static void check_ns_sets(run_t *r, const node_t *cut, const zone_t *child)
{
	const uint8_t **pn = NULL, **cn = NULL;
	bool *ponly = NULL, *conly = NULL;
	size_t np = rrset_names(node_rrset(cut, RR_NS), &pn, &ponly);
	size_t nc = rrset_names(node_rrset(zone_apex(child), RR_NS), &cn, &conly);
	char only_parent[512] = "", only_child[512] = "";
	if ((np && !pn) || (nc && !cn)) {
		np = nc = 0; /* out of memory: no judgement */
	} else if (judge_ns_sets(pn, np, cn, nc, ponly, conly) > 0) {
		for (size_t i = 0; i < np; i++)
			if (ponly[i]) {
				char t[NAME_TEXT_MAX];
				text(pn[i], t, sizeof(t));
				text_appendf(only_parent, sizeof(only_parent), "%s%s",
					     only_parent[0] ? " " : "", t);
			}
		for (size_t i = 0; i < nc; i++)
			if (conly[i]) {
				char t[NAME_TEXT_MAX];
				text(cn[i], t, sizeof(t));
				text_appendf(only_child, sizeof(only_child), "%s%s",
					     only_child[0] ? " " : "", t);
			}
	}
	free(pn);
	free(ponly);
	free(cn);
	free(conly);
	/* Each side that lists something the other does not, and only those. */
	char msg[sizeof(only_parent) + sizeof(only_child) + 96] = "";
	if (only_parent[0])
		text_appendf(msg, sizeof(msg), "the parent lists [%s] that the child does not",
			     only_parent);
	if (only_child[0])
		text_appendf(msg, sizeof(msg), "%sthe child lists [%s] that the parent does not",
			     msg[0] ? "; " : "", only_child);
	if (msg[0])
		finding(r, CHECK_WARNING, "NS_SET_MISMATCH", cut->name, NULL, NULL, "%s", msg);
}

static void check_child(run_t *r, const node_t *cut)
{
	const check_server_t *cs = NULL;
	const zone_t *child = find_child(r, cut->name, &cs);
	if (!child)
		return;
	check_ns_sets(r, cut, child);

	/* Glue against the child's own addresses for its NS names. */
	for (uint16_t i = 0; i < cut->nglue; i++) {
		const glue_t *g = &cut->glue[i];
		if (g->cls != GLUE_CLASS_IN_DOMAIN || (!g->a && !g->aaaa))
			continue;
		const node_t *cn = zone_find(child, g->name, name_len(g->name));
		sim_addr_t pa[32], ca[32];
		size_t np = rrset_addrs(g->a, pa, 16);
		np += rrset_addrs(g->aaaa, pa + np, 16);
		size_t nc = 0;
		if (cn && !cn->cut) {
			nc = rrset_addrs(node_rrset(cn, RR_A), ca, 16);
			nc += rrset_addrs(node_rrset(cn, RR_AAAA), ca + nc, 16);
		}
		int glue = judge_glue(pa, np, ca, nc);
		if (glue == JUDGE_GLUE_MISSING_IN_CHILD) {
			finding(r, CHECK_WARNING, "GLUE_MISSING_IN_CHILD", cut->name, g->name, NULL,
				"the parent has glue for this NS name but the child zone has no address for it");
		} else if (glue == JUDGE_GLUE_MISMATCH) {
			char pt[256], ct[256];
			sim_addrs_str(pa, np, pt, sizeof(pt));
			sim_addrs_str(ca, nc, ct, sizeof(ct));
			finding(r, CHECK_ERROR, "GLUE_MISMATCH", cut->name, g->name, NULL,
				"parent glue says %s, the child zone says %s", pt, ct);
		}
	}
}

/*
 * Is addr part of what the configuration describes? With a root zone the
 * configuration is a closed world (the bundled lab): every address of a
 * family it listens on is checked, and nothing answering there is a fault.
 * Addresses of a family no server listens on (the lab's AAAA glue, when it
 * listens on IPv4 only) are out of reach of any resolver it serves, as a
 * resolver with IPv6 off: not checked. Without a root (-z, a partial
 * configuration) only the addresses of its own servers are known.
 */
static bool in_world(const run_t *r, const sim_addr_t *addr)
{
	if (r->net.files)
		return true; /* offline: probed, and what is unknown is said so */
	if (r->nroots == 0)
		return check_net_at(&r->net, addr) != NULL;
	return addr->len == 4 ? r->fam4 : r->fam6;
}

static void check_servers(run_t *r, const node_t *cut, uint8_t mode)
{
	char unknown[512] = "";
	for (uint16_t i = 0; i < cut->nglue; i++) {
		const glue_t *g = &cut->glue[i];
		sim_addr_t a[32];
		size_t na = 0;
		if (mode == GLUE_WRONG) {
			na = rrset_addrs(g->wrong_a, a, 16);
			na += rrset_addrs(g->wrong_aaaa, a + na, 16);
		} else if (g->a || g->aaaa) {
			na = rrset_addrs(g->a, a, 16);
			na += rrset_addrs(g->aaaa, a + na, 16);
		} else if (g->cls == GLUE_CLASS_OUT_OF_ZONE && r->nroots) {
			/* Where a resolver would find it: resolve it. */
			sim_result_t *res = malloc(sizeof(*res));
			if (!res)
				continue;
			if (sim_resolve(r->roots, r->nroots, &r->sim, g->name, RR_A, &r->opts,
					res) == 0 &&
			    res->has_addr)
				a[na++] = res->addr;
			free(res);
		}
		for (size_t k = 0; k < na; k++) {
			if (!in_world(r, &a[k]))
				continue;
			const char *why = probe(r, &a[k], cut->name);
			if (!why[0])
				continue;
			char as[48];
			sim_addr_str(&a[k], as, sizeof(as));
			if (why == OFFLINE_UNKNOWN) {
				if (!strstr(unknown, as))
					text_appendf(unknown, sizeof(unknown), "%s%s",
						     unknown[0] ? " " : "", as);
				continue;
			}
			bool nothing = check_net_at(&r->net, &a[k]) == NULL;
			finding(r, CHECK_ERROR,
				nothing ? "NO_SERVER_AT_ADDRESS" : "LAME_DELEGATION", cut->name,
				g->name,
				nothing ? "point the glue (or the NS name's A/AAAA) at a server that serves the zone"
					: NULL,
				"%s: %s", as, why);
		}
	}
	if (unknown[0])
		finding(r, CHECK_INFO, "NOT_CHECKED_OFFLINE", cut->name, NULL, NULL,
			"%s: no loaded zone file says what answers there for this delegation",
			unknown);
}

static void check_policy(run_t *r, const node_t *cut, uint8_t mode, const glue_rule_t *src,
			 uint8_t trunc)
{
	for (uint16_t i = 0; i < cut->nglue; i++) {
		const glue_t *g = &cut->glue[i];
		if (g->cls != GLUE_CLASS_IN_DOMAIN)
			continue;
		if (!g->a && !g->aaaa) {
			finding(r, CHECK_ERROR, "MISSING_GLUE_FOR_NS_NAME", cut->name, g->name,
				NULL,
				"in-domain NS name without glue in the parent: resolvers cannot reach it");
			continue;
		}
		if (!glue_rule_keeps(src, g, i))
			finding(r, CHECK_ERROR, "GLUE_WITHHELD_BY_POLICY", cut->name, g->name, NULL,
				"the parent has glue for this in-domain NS name but glue policy '%s' leaves it out of referrals",
				glue_mode_str(mode));
		else if (mode == GLUE_WRONG)
			finding(r, CHECK_ERROR, "GLUE_MISMATCH", cut->name, g->name,
				check_code_info("GLUE_WITHHELD_BY_POLICY")->fix,
				"glue policy 'wrong' rewrites the glue of this in-domain NS name to other addresses");
	}
	if (trunc == TRUNC_LEGACY || trunc == TRUNC_ALWAYS)
		finding(r, CHECK_WARNING, "TRUNCATION_POLICY", cut->name, NULL, NULL,
			trunc == TRUNC_LEGACY
				? "truncation 'legacy' drops in-domain glue that does not fit without setting TC (breaks RFC 9471 3.1)"
				: "truncation 'always' sets TC on every UDP answer: every resolver must retry over TCP");
}

/* Does the referral with all in-domain glue fit 512 and 1232 bytes? */
static void check_size(run_t *r, const node_t *cut, uint8_t trunc)
{
	if (trunc != TRUNC_RFC9471)
		return; /* the truncation policy is reported already */
	static const uint16_t sizes[2] = { 512, 1232 };
	for (int k = 0; k < 2; k++) {
		/* Without EDNS for 512, with an OPT advertising 1232 for 1232. */
		size_t qlen = msg_build_query(r->req, sizeof(r->req), 1, 0, cut->name, RR_A,
					      CLASS_IN, k ? sizes[k] : 0, false);
		explain_t ex;
		size_t n = respond(r->srv->zs, r->req, qlen, false, r->resp, NULL, &ex);
		if (n && ex.tc == TC_REQUIRED_GLUE) {
			finding(r, k ? CHECK_ERROR : CHECK_WARNING,
				k ? "REFERRAL_EXCEEDS_1232" : "REFERRAL_EXCEEDS_512", cut->name,
				NULL, NULL,
				"the referral with all in-domain glue does not fit %u bytes: TC is set and resolvers must retry over TCP",
				sizes[k]);
			return; /* 1232 implies 512 */
		}
	}
}

/* Data at or below a cut that the parent never serves. */
typedef struct cut_list {
	const node_t **cuts;
	size_t n, cap;
} cut_list_t;

static void collect_cuts(void *arg, const node_t *n)
{
	cut_list_t *l = arg;
	if (!(n->flags & NODE_CUT))
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		const node_t **c = realloc(l->cuts, cap * sizeof(*c));
		if (!c)
			return;
		l->cuts = c;
		l->cap = cap;
	}
	l->cuts[l->n++] = n;
}

/* The nodes that are NS targets of the zone (a delegation's, or the
 * apex's: the root's a.root-servers.* names live under a delegation of
 * the root and their addresses are glue for the apex NS set), as a set of
 * node pointers, so that finding unused glue stays linear in big zones. */
typedef struct target_set {
	const node_t **slots;
	size_t mask;
} target_set_t;

static size_t target_slot(const target_set_t *t, const node_t *n)
{
	uint64_t h = (uint64_t)(uintptr_t)n * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & t->mask;
}

static void target_add(target_set_t *t, const zone_t *z, const uint8_t *name)
{
	const node_t *n = zone_find(z, name, name_len(name));
	if (!n)
		return;
	size_t i = target_slot(t, n);
	while (t->slots[i] && t->slots[i] != n)
		i = (i + 1) & t->mask;
	t->slots[i] = n;
}

static bool target_has(const target_set_t *t, const node_t *n)
{
	for (size_t i = target_slot(t, n); t->slots[i]; i = (i + 1) & t->mask)
		if (t->slots[i] == n)
			return true;
	return false;
}

static int targets_build(target_set_t *t, const zone_t *z, const cut_list_t *cuts)
{
	size_t n = 16;
	for (size_t i = 0; i < cuts->n; i++)
		n += cuts->cuts[i]->nglue;
	const rrset_t *apex_ns = node_rrset(zone_apex(z), RR_NS);
	n += apex_ns ? apex_ns->count : 0;
	size_t size = 32;
	while (size < 2 * n)
		size *= 2;
	t->slots = calloc(size, sizeof(*t->slots));
	if (!t->slots)
		return ST_ENOMEM;
	t->mask = size - 1;
	for (size_t i = 0; i < cuts->n; i++)
		for (uint16_t k = 0; k < cuts->cuts[i]->nglue; k++)
			target_add(t, z, cuts->cuts[i]->glue[k].name);
	uint32_t pos = 0;
	const uint8_t *rd;
	uint16_t len;
	uint8_t lname[NAME_MAXLEN];
	while (apex_ns && rrset_next(apex_ns, &pos, &rd, &len)) {
		name_lower(lname, rd);
		target_add(t, z, lname);
	}
	return ST_OK;
}

typedef struct occl_walk {
	run_t *r;
	const target_set_t *targets;
} occl_walk_t;

static void occluded_cb(void *arg, const node_t *n)
{
	occl_walk_t *w = arg;
	if (!n->cut)
		return;
	for (uint16_t i = 0; i < n->nrrsets; i++) {
		uint16_t t = n->rrsets[i].type;
		char tb[16];
		if (n == n->cut && (t == RR_NS || t == RR_DS || t == RR_RRSIG || t == RR_NSEC))
			continue;
		if (n != n->cut && t == RR_NS) {
			finding(w->r, CHECK_WARNING, "OCCLUDED_NS", n->cut->name, n->name, NULL,
				"NS records below the delegation point are never served by the parent");
			continue;
		}
		if (t == RR_A || t == RR_AAAA) {
			if (target_has(w->targets, n))
				continue;
			finding(w->r, CHECK_WARNING, "EXTRA_GLUE", n->cut->name, n->name, NULL,
				"%s record below the delegation point is glue for no NS name",
				rrtype_to_text(t, tb));
			continue;
		}
		finding(w->r, CHECK_WARNING, "OCCLUDED_DATA", n->cut->name, n->name, NULL,
			"%s record at or below the delegation point is occluded: the parent refers instead of answering",
			rrtype_to_text(t, tb));
	}
}

static void check_cycles(run_t *r, const cut_list_t *cuts)
{
	/* Cyclic sibling glue: A's NS under B and B's NS under A. */
	for (size_t i = 0; i < cuts->n; i++) {
		const node_t *a = cuts->cuts[i];
		for (uint16_t k = 0; k < a->nglue; k++) {
			if (a->glue[k].cls != GLUE_CLASS_SIBLING)
				continue;
			const node_t *ce = zone_closest(r->zone, a->glue[k].name, false);
			const node_t *b = ce->cut;
			if (!b || b == a || b < a)
				continue; /* report each pair once */
			for (uint16_t m = 0; m < b->nglue; m++) {
				if (b->glue[m].cls != GLUE_CLASS_SIBLING ||
				    !name_is_sub(b->glue[m].name, a->name))
					continue;
				char bt[NAME_TEXT_MAX];
				text(b->name, bt, sizeof(bt));
				bool glued = (a->glue[k].a || a->glue[k].aaaa) &&
					     (b->glue[m].a || b->glue[m].aaaa);
				finding(r, glued ? CHECK_INFO : CHECK_ERROR, "CYCLIC_SIBLING_GLUE",
					a->name, a->glue[k].name, NULL,
					"%s and %s each have their NS inside the other: %s",
					"this delegation", bt,
					glued ? "it resolves only thanks to the glue"
					      : "without glue neither resolves");
				break;
			}
		}
	}
}

/* The first questions of one walk that the loaded files cannot answer
 * (check_net_send's ENOENT), to say where the walk left them. */
#define OUTSIDE_MAX 16
typedef struct outside {
	check_net_t *net;
	size_t n;
	struct {
		sim_addr_t addr;
		uint8_t lname[NAME_MAXLEN];
		uint16_t qtype;
	} q[OUTSIDE_MAX];
} outside_t;

/* check_net_send, noting each question it answers ENOENT. */
static int outside_send(void *ctx, const sim_addr_t *addr, bool tcp, const uint8_t *q, size_t qlen,
			uint8_t *resp, size_t cap, size_t *rlen)
{
	outside_t *o = ctx;
	int err = check_net_send(o->net, addr, tcp, q, qlen, resp, cap, rlen);
	query_t qq;
	if (err != ENOENT || o->n == OUTSIDE_MAX || query_parse(q, qlen, &qq) != 0 ||
	    !qq.has_question)
		return err;
	for (size_t i = 0; i < o->n; i++)
		if (o->q[i].qtype == qq.qtype && name_equal(o->q[i].lname, qq.lname) &&
		    sim_addr_equal(&o->q[i].addr, addr))
			return err;
	o->q[o->n].addr = *addr;
	memcpy(o->q[o->n].lname, qq.lname, name_len(qq.lname));
	o->q[o->n].qtype = qq.qtype;
	o->n++;
	return err;
}

/*
 * Why the files cannot answer one of o's questions, as the subject of a
 * sentence (head) that its addresses complete: the name is in no loaded
 * zone (no address: the question could be asked anywhere), it is below a
 * delegation whose child is not loaded, or no loaded zone is served at
 * the address (offline_outside and check_net_send decide the same way).
 */
enum outside_kind { OUTSIDE_NAME, OUTSIDE_CHILD, OUTSIDE_ADDR };

static int outside_head(const run_t *r, const uint8_t *lname, uint16_t qtype, char *head,
			size_t cap)
{
	char tb[16];
	const zone_t *z = zoneset_find(r->net.files, lname);
	const node_t *n = z ? zone_closest(z, lname, true) : NULL;
	if (!z || (zone_origin(z)[0] == 0 && n == zone_apex(z) && lname[0] != 0)) {
		text(lname, head, cap);
		return OUTSIDE_NAME;
	}
	if (n && (n->flags & NODE_CUT) && !(qtype == RR_DS && name_equal(n->name, lname))) {
		text(n->name, head, cap);
		return OUTSIDE_CHILD;
	}
	text(lname, head, cap);
	text_appendf(head, cap, " %s", rrtype_to_text(qtype, tb));
	return OUTSIDE_ADDR;
}

/* Where the walk o watched left the files, in words, into buf: one
 * sentence per subject, with its addresses, joined by "; ". */
static void outside_text(const run_t *r, const outside_t *o, char *buf, size_t cap)
{
	struct {
		int kind;
		char head[NAME_TEXT_MAX + 16];
		char addrs[256];
		unsigned naddrs;
	} s[OUTSIDE_MAX];
	size_t ns = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < o->n; i++) {
		char head[NAME_TEXT_MAX + 16], as[48];
		int kind = outside_head(r, o->q[i].lname, o->q[i].qtype, head, sizeof(head));
		size_t k = 0;
		while (k < ns && (s[k].kind != kind || strcmp(s[k].head, head) != 0))
			k++;
		if (k == ns) {
			s[ns].kind = kind;
			snprintf(s[ns].head, sizeof(s[ns].head), "%s", head);
			s[ns].addrs[0] = '\0';
			s[ns].naddrs = 0;
			ns++;
		}
		sim_addr_str(&o->q[i].addr, as, sizeof(as));
		if (!strstr(s[k].addrs, as)) {
			text_appendf(s[k].addrs, sizeof(s[k].addrs), "%s%s", s[k].naddrs ? " " : "",
				     as);
			s[k].naddrs++;
		}
	}
	for (size_t k = 0; k < ns; k++) {
		const char *sep = k ? "; " : "";
		if (s[k].kind == OUTSIDE_NAME)
			text_appendf(buf, cap, "%s%s is in no loaded zone file", sep, s[k].head);
		else if (s[k].kind == OUTSIDE_CHILD)
			text_appendf(
				buf, cap,
				"%s%s is not loaded: the files do not say what %s answer%s for it",
				sep, s[k].head, s[k].addrs, s[k].naddrs == 1 ? "s" : "");
		else
			text_appendf(
				buf, cap,
				"%sno loaded zone is served at %s, where the walk asked for %s",
				sep, s[k].addrs, s[k].head);
	}
}

static void predict(run_t *r, const node_t *cut)
{
	if (!r->predict || r->nroots == 0)
		return;
	check_prediction_t p;
	memset(&p, 0, sizeof(p));
	text(cut->name, p.delegation, sizeof(p.delegation));
	p.server = r->srv->name;
	sim_result_t *res = malloc(sizeof(*res));
	if (!res)
		return;
	outside_t o = { .net = &r->net };
	sim_net_t net = r->net.files ? (sim_net_t){ outside_send, &o } : r->sim;
	if (sim_resolve(r->roots, r->nroots, &net, cut->name, RR_SOA, &r->opts, res) == 0) {
		p.rcode = res->rcode;
		p.unchecked = res->rcode == RCODE_SERVFAIL && (res->seen & SIM_SEEN_UNKNOWN);
		p.queries = res->queries;
		p.tcp = res->tcp;
		p.dnssec = res->dnssec;
		p.ede = res->ede;
		if (res->dnssec == SIM_DNSSEC_SECURE || res->dnssec == SIM_DNSSEC_INSECURE) {
			p.rrsigs = res->rrsigs;
			p.nsecs = res->nsecs;
		}
		snprintf(p.why, sizeof(p.why), "%s", res->why);
		if (p.unchecked)
			outside_text(r, &o, p.outside, sizeof(p.outside));
		if (res->rcode == RCODE_SERVFAIL && (res->seen & SIM_SEEN_CYCLE))
			finding(r, CHECK_ERROR, "OUT_OF_DOMAIN_NS_CYCLE", cut->name, NULL, NULL,
				"the NS names can only be resolved through this delegation itself: %s",
				res->why);
	}
	free(res);
	r->predict(r->ctx, &p);
}

/* The apex NS names inside the zone, as named-checkzone checks them: each
 * has an address, and none is a CNAME (RFC 2181 10.3). */
static void check_apex(run_t *r)
{
	const zone_t *z = r->zone;
	const rrset_t *ns = node_rrset(zone_apex(z), RR_NS);
	uint32_t pos = 0;
	const uint8_t *rd;
	uint16_t len;
	uint8_t lname[NAME_MAXLEN];
	while (ns && rrset_next(ns, &pos, &rd, &len)) {
		name_lower(lname, rd);
		if (!name_is_sub(lname, zone_origin(z)))
			continue;
		const node_t *n = zone_find(z, lname, name_len(lname));
		if (n && !n->cut && node_rrset(n, RR_CNAME))
			finding(r, CHECK_ERROR, "NS_NAME_IS_CNAME", NULL, lname, NULL,
				"the apex NS name is an alias (CNAME): resolvers may not follow it");
		else if (!n || (!node_rrset(n, RR_A) && !node_rrset(n, RR_AAAA)))
			finding(r, CHECK_ERROR, "NS_NAME_WITHOUT_ADDRESS", NULL, lname, NULL,
				"the apex NS name is inside the zone but has no A or AAAA record");
	}
}

/* ---- DNSSEC of signed zones ------------------------------------------------------ */

/* An RRset of a zone, with its RRSIGs, as validate.h reads it. */
static val_rrset_t zone_vset(const zone_t *z, const node_t *n, const rrset_t *rs)
{
	const rrset_t *sig = zone_rrsigs(z, rs);
	return (val_rrset_t){ .owner = n->name,
			      .type = rs->type,
			      .ttl = rs->ttl,
			      .count = rs->count,
			      .data = rs->data,
			      .datalen = rs->datalen,
			      .nsigs = sig ? sig->count : 0,
			      .sigs = sig ? sig->data : NULL,
			      .sigslen = sig ? sig->datalen : 0 };
}

static void sigtime_text(uint32_t t, char buf[20])
{
	time_t tt_ = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt_, &tm) == NULL || strftime(buf, 20, "%Y%m%d%H%M%S", &tm) == 0)
		snprintf(buf, 20, "%u", t);
}

/* One kind of problem over a whole zone: how many, and the first. */
typedef struct tally {
	size_t n;
	const uint8_t *name;
	uint16_t type;
	uint32_t when;
	char text[384];
} tally_t;

typedef struct sig_walk {
	const zone_t *z;
	uint32_t now;
	size_t rrsets; /* authoritative RRsets */
	tally_t expired, notyet, missing;
} sig_walk_t;

/* Whether a node's RRset of this type is the zone's own data, which a
 * signed zone signs: authoritative data, and at a cut its DS and NSEC. */
static bool signed_here(const node_t *n, uint16_t type)
{
	if (type == RR_RRSIG)
		return false;
	if (n->cut == NULL)
		return true;
	return n->cut == n && (type == RR_DS || type == RR_NSEC);
}

static void sig_cb(void *arg, const node_t *n)
{
	sig_walk_t *w = arg;
	for (uint16_t i = 0; i < n->nrrsets; i++) {
		const rrset_t *rs = &n->rrsets[i];
		if (!signed_here(n, rs->type))
			continue;
		w->rrsets++;
		const rrset_t *sig = zone_rrsigs(w->z, rs);
		if (sig == NULL) {
			if (w->missing.n++ == 0) {
				w->missing.name = n->name;
				w->missing.type = rs->type;
			}
			continue;
		}
		bool exp = false, early = false;
		uint32_t texp = 0, tinc = 0, pos = 0;
		const uint8_t *rd;
		uint16_t len;
		while (rrset_next(sig, &pos, &rd, &len)) {
			if (len < 18)
				continue;
			int when = val_sig_time(wire_get32(rd + 12), wire_get32(rd + 8), w->now,
						false);
			if (when > 0 && !exp) {
				exp = true;
				texp = wire_get32(rd + 8);
			} else if (when < 0 && !early) {
				early = true;
				tinc = wire_get32(rd + 12);
			}
		}
		if (exp && w->expired.n++ == 0) {
			w->expired.name = n->name;
			w->expired.type = rs->type;
			w->expired.when = texp;
		}
		if (early && w->notyet.n++ == 0) {
			w->notyet.name = n->name;
			w->notyet.type = rs->type;
			w->notyet.when = tinc;
		}
	}
}

/* The types a name's NSEC (or NSEC3) must list: those it holds, and at a
 * cut only NS, DS and their RRSIG and NSEC. Sorted, at most cap. */
static size_t node_types(const node_t *n, uint16_t *out, size_t cap)
{
	size_t k = 0;
	for (uint16_t i = 0; i < n->nrrsets && k < cap; i++) {
		uint16_t t = n->rrsets[i].type;
		if (n->cut == n && t != RR_NS && t != RR_DS && t != RR_RRSIG && t != RR_NSEC)
			continue;
		out[k++] = t;
	}
	return k;
}

/* Compare a type bitmap with the types a name holds; "" when they agree,
 * else what differs ("lists AAAA", "omits MX"). */
static void bitmap_diff(const uint8_t *bm, size_t bmlen, const uint16_t *types, size_t nt,
			bool nsec3, char *out, size_t cap)
{
	out[0] = 0;
	for (size_t i = 0; i < nt; i++) {
		if (nsec3 && types[i] == RR_NSEC3)
			continue;
		if (!val_bitmap_has(bm, bmlen, types[i])) {
			char tb[16];
			text_appendf(out, cap, "%somits %s", out[0] ? ", " : "",
				     rrtype_to_text(types[i], tb));
		}
	}
	for (size_t p = 0; p + 2 <= bmlen;) {
		uint8_t win = bm[p], bl = bm[p + 1];
		if (bl == 0 || bl > 32 || p + 2 + bl > bmlen)
			break;
		for (unsigned b = 0; b < 8u * bl; b++) {
			if (!(bm[p + 2 + b / 8] & (0x80 >> (b % 8))))
				continue;
			uint16_t t = (uint16_t)(win << 8 | b);
			bool held = t == RR_RRSIG; /* missing RRSIGs are RRSIG_MISSING's */
			for (size_t i = 0; i < nt && !held; i++)
				held = types[i] == t;
			if (!held) {
				char tb[16];
				text_appendf(out, cap, "%slists %s", out[0] ? ", " : "",
					     rrtype_to_text(t, tb));
			}
		}
		p += 2u + bl;
	}
}

typedef struct node_list {
	const node_t **v;
	size_t n, cap;
	bool nomem;
} node_list_t;

static void node_push(node_list_t *l, const node_t *n)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		const node_t **v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			l->nomem = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = n;
}

static void nsec_owner_cb(void *arg, const node_t *n)
{
	/* RFC 4035 2.3: each authoritative name with data, and each cut. */
	if ((n->cut == NULL && n->nrrsets > 0) || n->cut == n)
		node_push(arg, n);
}

static int canon_node_cmp(const void *a, const void *b)
{
	return name_canon_cmp((*(const node_t *const *)a)->name, (*(const node_t *const *)b)->name);
}

static void tally_add(tally_t *t, const uint8_t *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tally_add(tally_t *t, const uint8_t *name, const char *fmt, ...)
{
	if (t->n++ > 0)
		return;
	t->name = name;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->text, sizeof(t->text), fmt, ap);
	va_end(ap);
}

/* The NSEC chain (RFC 4034 4.1, RFC 4035 2.3): every owner, in canonical
 * order, pointing at the next and the last at the apex, with its types. */
static void check_nsec_chain(const zone_t *z, tally_t *t)
{
	node_list_t l = { 0 };
	zone_walk(z, nsec_owner_cb, &l);
	if (l.nomem) {
		free(l.v);
		return;
	}
	qsort(l.v, l.n, sizeof(*l.v), canon_node_cmp);
	for (size_t i = 0; i < l.n; i++) {
		const node_t *n = l.v[i], *next = l.v[(i + 1) % l.n];
		char on[NAME_TEXT_MAX], xn[NAME_TEXT_MAX], have[NAME_TEXT_MAX];
		name_str(n->name, on, sizeof(on));
		name_str(next->name, xn, sizeof(xn));
		const rrset_t *ns = node_rrset(n, RR_NSEC);
		const uint8_t *rd;
		uint16_t len;
		uint32_t pos = 0;
		int nl;
		if (!ns || !rrset_next(ns, &pos, &rd, &len) || (nl = name_check(rd, len)) < 0) {
			tally_add(t, n->name, "%s has no NSEC: the chain skips it", on);
			continue;
		}
		if (!name_equal(rd, next->name)) {
			tally_add(t, n->name,
				  "the NSEC at %s points at %s, but the next name is %s", on,
				  name_str(rd, have, sizeof(have)), xn);
			continue;
		}
		uint16_t types[300];
		size_t nt = node_types(n, types, 300);
		char diff[192];
		bitmap_diff(rd + nl, len - (size_t)nl, types, nt, false, diff, sizeof(diff));
		if (diff[0])
			tally_add(t, n->name, "the NSEC at %s %s", on, diff);
	}
	free(l.v);
}

typedef struct n3rec {
	uint8_t hash[VAL_NSEC3_HASH_LEN];
	uint8_t next[VAL_NSEC3_HASH_LEN];
	bool optout;
	const node_t *node;
	const uint8_t *bm;
	size_t bmlen;
} n3rec_t;

typedef struct n3_walk {
	const zone_t *z;
	n3rec_t *v;
	size_t n, cap;
	bool nomem, optout;
	node_list_t names; /* the names that need an NSEC3 of their own */
} n3_walk_t;

static void n3_cb(void *arg, const node_t *n)
{
	n3_walk_t *w = arg;
	const rrset_t *rs = node_rrset(n, RR_NSEC3);
	bool hashed = rs && n->parent == zone_apex(w->z);
	if (hashed) {
		uint32_t pos = 0;
		const uint8_t *rd;
		uint16_t len;
		if (rrset_next(rs, &pos, &rd, &len) && len >= 5) {
			size_t p = 5u + rd[4];
			n3rec_t x = { 0 };
			if (p + 1 + VAL_NSEC3_HASH_LEN <= len && rd[p] == VAL_NSEC3_HASH_LEN &&
			    val_nsec3_owner_hash(n->name, x.hash, sizeof(x.hash)) ==
				    VAL_NSEC3_HASH_LEN) {
				memcpy(x.next, rd + p + 1, VAL_NSEC3_HASH_LEN);
				x.optout = rd[1] & 1;
				x.node = n;
				x.bm = rd + p + 1 + VAL_NSEC3_HASH_LEN;
				x.bmlen = len - (p + 1 + VAL_NSEC3_HASH_LEN);
				w->optout |= x.optout;
				if (w->n == w->cap) {
					size_t cap = w->cap ? w->cap * 2 : 64;
					n3rec_t *v = realloc(w->v, cap * sizeof(*v));
					if (!v) {
						w->nomem = true;
						return;
					}
					w->v = v;
					w->cap = cap;
				}
				w->v[w->n++] = x;
			}
		}
		if (n->nrrsets == 1 + (node_rrset(n, RR_RRSIG) != NULL))
			return; /* the NSEC3's own name is no name of the zone */
	}
	if (n->cut == NULL || n->cut == n)
		node_push(&w->names, n);
}

static int n3_cmp(const void *a, const void *b)
{
	return memcmp(((const n3rec_t *)a)->hash, ((const n3rec_t *)b)->hash, VAL_NSEC3_HASH_LEN);
}

/* The NSEC3 chain (RFC 5155 7.1): the records in hash order each pointing
 * at the next, and every name that needs one matched, with its types. An
 * opt-out chain need not hold unsigned delegations, nor the empty
 * non-terminals above only them: those are not required then. */
static void check_nsec3_chain(const zone_t *z, const zone_dnssec_info_t *di, tally_t *t)
{
	n3_walk_t w = { .z = z };
	zone_walk(z, n3_cb, &w);
	if (w.nomem || w.names.nomem || w.n == 0) {
		free(w.v);
		free(w.names.v);
		return;
	}
	qsort(w.v, w.n, sizeof(*w.v), n3_cmp);
	for (size_t i = 0; i < w.n; i++) {
		const n3rec_t *x = &w.v[i], *next = &w.v[(i + 1) % w.n];
		if (memcmp(x->next, next->hash, VAL_NSEC3_HASH_LEN) != 0) {
			char on[NAME_TEXT_MAX], xn[NAME_TEXT_MAX];
			tally_add(t, x->node->name,
				  "the NSEC3 %s does not point at the next one in hash order, %s",
				  name_str(x->node->name, on, sizeof(on)),
				  name_str(next->node->name, xn, sizeof(xn)));
		}
	}
	for (size_t i = 0; i < w.names.n; i++) {
		const node_t *n = w.names.v[i];
		bool cut = n->cut == n, ds = node_rrset(n, RR_DS) != NULL;
		if (w.optout && ((cut && !ds) || n->nrrsets == 0))
			continue;
		uint8_t h[VAL_NSEC3_HASH_LEN];
		if (val_nsec3_hash(n->name, di->salt, di->saltlen, di->iterations, h) != ST_OK)
			break;
		n3rec_t key;
		memcpy(key.hash, h, sizeof(h));
		const n3rec_t *m = bsearch(&key, w.v, w.n, sizeof(*w.v), n3_cmp);
		char on[NAME_TEXT_MAX];
		name_str(n->name, on, sizeof(on));
		if (m == NULL) {
			tally_add(t, n->name, "%s has no NSEC3: no record matches its hash", on);
			continue;
		}
		uint16_t types[300];
		size_t nt = node_types(n, types, 300);
		char diff[192];
		bitmap_diff(m->bm, m->bmlen, types, nt, true, diff, sizeof(diff));
		if (diff[0])
			tally_add(t, n->name, "the NSEC3 of %s %s", on, diff);
	}
	free(w.v);
	free(w.names.v);
}

/* The DNSSEC of the current zone, when it is signed (its apex has DNSKEY). */
static void check_dnssec(run_t *r)
{
	const zone_t *z = r->zone;
	const rrset_t *keys = node_rrset(zone_apex(z), RR_DNSKEY);
	if (keys == NULL)
		return;
	bool sep = false;
	uint32_t pos = 0;
	const uint8_t *rd;
	uint16_t len;
	while (rrset_next(keys, &pos, &rd, &len)) {
		if (len < 4)
			continue;
		uint16_t flags = wire_get16(rd);
		sep |= (flags & DNSKEY_FLAG_SEP) != 0;
		if (!val_alg_supported(rd[3]))
			finding(r, CHECK_WARNING, "DNSKEY_ALGORITHM_UNSUPPORTED", NULL,
				zone_origin(z), NULL,
				"DNSKEY %u/%u (flags %u) uses algorithm %u, which validators cannot check: without a DS of a supported algorithm the zone is insecure",
				dnskey_tag(rd, len), rd[3], flags, rd[3]);
	}
	if (!sep)
		finding(r, CHECK_INFO, "DNSKEY_NO_SEP", NULL, zone_origin(z), NULL,
			"no DNSKEY of the zone has the SEP flag (257): validators do not mind, registries and key tools look for it");

	sig_walk_t w = { .z = z, .now = r->opts.now };
	zone_walk(z, sig_cb, &w);
	char ts[20], on[NAME_TEXT_MAX], tb[16];
	if (w.expired.n) {
		sigtime_text(w.expired.when, ts);
		finding(r, CHECK_ERROR, "RRSIG_EXPIRED", NULL, w.expired.name, NULL,
			"%zu of %zu signed RRset(s) have RRSIGs that expired; the first: %s %s at %s: validators answer SERVFAIL",
			w.expired.n, w.rrsets, name_str(w.expired.name, on, sizeof(on)),
			rrtype_to_text(w.expired.type, tb), ts);
	}
	if (w.notyet.n) {
		sigtime_text(w.notyet.when, ts);
		finding(r, CHECK_ERROR, "RRSIG_NOT_YET_VALID", NULL, w.notyet.name, NULL,
			"%zu of %zu signed RRset(s) have RRSIGs that are not valid yet; the first: %s %s, from %s: validators answer SERVFAIL",
			w.notyet.n, w.rrsets, name_str(w.notyet.name, on, sizeof(on)),
			rrtype_to_text(w.notyet.type, tb), ts);
	}
	if (w.missing.n)
		finding(r, CHECK_ERROR, "RRSIG_MISSING", NULL, w.missing.name, NULL,
			"%zu of %zu authoritative RRset(s) of the signed zone have no RRSIG; the first: %s %s: validators answer SERVFAIL for it",
			w.missing.n, w.rrsets, name_str(w.missing.name, on, sizeof(on)),
			rrtype_to_text(w.missing.type, tb));

	zone_dnssec_info_t di;
	zone_dnssec_info(z, &di);
	tally_t chain = { 0 };
	if (di.denial && strcmp(di.denial, "NSEC") == 0)
		check_nsec_chain(z, &chain);
	else if (di.denial && strcmp(di.denial, "NSEC3") == 0)
		check_nsec3_chain(z, &di, &chain);
	if (di.denial && strcmp(di.denial, "none") == 0)
		finding(r, CHECK_ERROR, "NSEC_CHAIN_BROKEN", NULL, zone_origin(z), NULL,
			"the signed zone has no usable NSEC or NSEC3 chain: every NXDOMAIN and NODATA it gives is bogus");
	if (chain.n)
		finding(r, CHECK_ERROR, "NSEC_CHAIN_BROKEN", NULL, chain.name, NULL,
			"%zu problem(s) in the %s chain; the first: %s: denials that need it are bogus",
			chain.n, di.denial, chain.text);
	if (di.denial && strcmp(di.denial, "NSEC3") == 0 && di.iterations > 0) {
		bool high = di.iterations > VAL_NSEC3_MAX_ITERATIONS;
		finding(r, high ? CHECK_ERROR : CHECK_WARNING, "NSEC3_ITERATIONS_HIGH", NULL,
			zone_origin(z), NULL,
			high ? "NSEC3 with %u extra iterations: above %u, validators treat the zone's denials as insecure (RFC 9276)"
			     : "NSEC3 with %u extra iterations: RFC 9276 says 0 (resolvers stop trusting them above %u)",
			di.iterations, VAL_NSEC3_MAX_ITERATIONS);
	}
}

/* The DS the parent holds for a cut, against the child's DNSKEY when the
 * configuration serves the child. */
static void check_ds(run_t *r, const node_t *cut)
{
	const rrset_t *ds = node_rrset(cut, RR_DS);
	const zone_t *child = ds ? find_child(r, cut->name, NULL) : NULL;
	if (child == NULL)
		return;
	val_ds_t list[16];
	val_rrset_t vds = zone_vset(r->zone, cut, ds);
	size_t nds = val_ds_from_rrset(&vds, list, 16);
	const node_t *apex = zone_apex(child);
	const rrset_t *dk = node_rrset(apex, RR_DNSKEY);
	val_rrset_t vdk;
	if (dk)
		vdk = zone_vset(child, apex, dk);
	val_result_t res;
	val_dnskey(dk ? &vdk : NULL, list, nds, zone_origin(child), zone_origin(r->zone),
		   r->opts.now, &res);
	if (res.status == VAL_BOGUS &&
	    (res.ede == VAL_EDE_DNSKEY_MISSING || res.ede == VAL_EDE_RRSIGS_MISSING ||
	     res.ede == VAL_EDE_BOGUS))
		finding(r, CHECK_ERROR, "DS_MATCHES_NO_DNSKEY", cut->name, NULL, NULL,
			"%s: validators answer SERVFAIL for the whole child zone", res.reason);
}

static void check_zone(run_t *r)
{
	cut_list_t cuts = { 0 };
	check_apex(r);
	check_dnssec(r);
	zone_walk(r->zone, collect_cuts, &cuts);
	for (size_t i = 0; i < cuts.n; i++) {
		const node_t *cut = cuts.cuts[i];
		uint8_t mode, trunc;
		const glue_rule_t *src;
		glue_rule_effective(r->zone, cut, &r->srv->zs->rule, &src, &trunc);
		mode = src->mode;
		r->sum->delegations++;
		check_policy(r, cut, mode, src, trunc);
		check_child(r, cut);
		check_servers(r, cut, mode);
		check_size(r, cut, trunc);
		check_ds(r, cut);
		predict(r, cut);
	}
	check_cycles(r, &cuts);
	target_set_t targets;
	if (targets_build(&targets, r->zone, &cuts) == ST_OK) {
		occl_walk_t w = { r, &targets };
		zone_walk(r->zone, occluded_cb, &w);
		free(targets.slots);
	}
	free(cuts.cuts);
}

bool check_agrees(const check_expect_t *e, const sim_result_t *r)
{
	if (r->rcode != e->rcode)
		return false;
	if (e->dnssec != SIM_DNSSEC_NONE && r->dnssec != SIM_DNSSEC_NONE) {
		bool ok = e->dnssec == SIM_DNSSEC_SECURE ? r->ad
			  : e->dnssec == SIM_DNSSEC_INSECURE
				  ? r->dnssec == SIM_DNSSEC_INSECURE
				  : r->dnssec == SIM_DNSSEC_BOGUS &&
					    (e->ede <= 0 || e->ede == r->ede);
		if (!ok)
			return false;
	}
	if (!e->has_addr)
		return true;
	return r->has_addr && r->addr.len == e->addr.len &&
	       memcmp(r->addr.bytes, e->addr.bytes, e->addr.len) == 0;
}

size_t check_anchor(const check_server_t *servers, size_t n, val_ds_t *out, size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		const zone_t *z = zoneset_find(servers[i].zs, (const uint8_t *)"");
		if (!z || zone_origin(z)[0] != 0 || !zone_signed(z))
			continue;
		const rrset_t *keys = node_rrset(zone_apex(z), RR_DNSKEY);
		size_t count = 0;
		/* The key-signing keys; without one, every key (no SEP flag at
		 * all), as glued --trust-anchor writes them. */
		for (int pass = 0; pass < 2 && count == 0; pass++) {
			uint32_t pos = 0;
			const uint8_t *rd;
			uint16_t len;
			while (keys && count < cap && rrset_next(keys, &pos, &rd, &len)) {
				uint8_t ds[DS_SHA256_RDLEN];
				if (len < 4 || (pass == 0 && !(wire_get16(rd) & DNSKEY_FLAG_SEP)) ||
				    dnskey_ds(zone_origin(z), rd, len, ds) != ST_OK)
					continue;
				out[count].len = DS_SHA256_RDLEN;
				memcpy(out[count].rd, ds, DS_SHA256_RDLEN);
				count++;
			}
		}
		return count;
	}
	return 0;
}

size_t check_roots(const check_server_t *servers, size_t n, sim_addr_t *out, size_t cap)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		const zone_t *z = zoneset_find(servers[i].zs, (const uint8_t *)"");
		if (!z || zone_origin(z)[0] != 0)
			continue;
		for (size_t k = 0; k < servers[i].naddrs && count < cap; k++)
			out[count++] = servers[i].addrs[k];
	}
	return count;
}

int check_run(const check_server_t *servers, size_t n, const check_net_t *net,
	      const sim_opts_t *opts, check_report_fn report, check_predict_fn predict_cb,
	      void *ctx, check_summary_t *sum)
{
	run_t *r = calloc(1, sizeof(*r));
	if (!r)
		return ST_ENOMEM;
	memset(sum, 0, sizeof(*sum));
	r->servers = servers;
	r->n = n;
	if (opts)
		r->opts = *opts;
	else
		sim_opts_default(&r->opts);
	if (net)
		r->net = *net;
	else
		r->net = (check_net_t){ .servers = servers, .n = n };
	r->net.timeout_ms = r->opts.timeout_ms;
	r->sim = (sim_net_t){ check_net_send, &r->net };
	r->report = report;
	r->predict = predict_cb;
	r->ctx = ctx;
	r->sum = sum;
	if (r->net.files) {
		for (size_t i = 0;
		     i < r->net.nroots && r->nroots < sizeof(r->roots) / sizeof(r->roots[0]); i++)
			r->roots[r->nroots++] = r->net.roots[i];
	} else {
		r->nroots =
			check_roots(servers, n, r->roots, sizeof(r->roots) / sizeof(r->roots[0]));
	}
	for (size_t i = 0; i < r->net.n; i++)
		for (size_t k = 0; k < r->net.servers[i].naddrs; k++) {
			r->fam4 |= r->net.servers[i].addrs[k].len == 4;
			r->fam6 |= r->net.servers[i].addrs[k].len == 16;
		}
	sum->have_root = r->nroots > 0;
	for (size_t i = 0; i < n; i++) {
		r->srv = &servers[i];
		for (size_t k = 0; k < servers[i].zs->nzones; k++) {
			r->zone = servers[i].zs->zones[k];
			text(zone_origin(r->zone), r->zone_text, sizeof(r->zone_text));
			check_zone(r);
		}
	}
	free(r);
	return ST_OK;
}

size_t check_format_text(const check_finding_t *f, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%s %s%s%s zone=%s%s%s%s%s: %s (fix: %s)",
			 check_severity_str(f->severity), f->code, f->server ? " server=" : "",
			 f->server ? f->server : "", f->zone,
			 f->delegation[0] ? " delegation=" : "", f->delegation,
			 f->name[0] ? " name=" : "", f->name, f->message, f->fix);
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

void check_finding_json(json_t *j, const check_finding_t *f)
{
	json_str(j, "severity", check_severity_str(f->severity));
	json_str(j, "code", f->code);
	json_str(j, "server", f->server ? f->server : "");
	json_str(j, "zone", f->zone);
	json_str(j, "delegation", f->delegation);
	json_str(j, "name", f->name);
	json_str(j, "message", f->message);
	json_str(j, "fix", f->fix);
}

size_t check_format_json(const check_finding_t *f, char *buf, size_t cap)
{
	json_t j;
	if (cap == 0)
		return 0;
	json_init(&j, buf, cap);
	json_obj_open(&j, NULL);
	check_finding_json(&j, f);
	json_obj_close(&j);
	return json_len(&j);
}
