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

#include "analysis/judge.h"
#include "analysis/msg.h"
#include "analysis/offline.h"
#include "dns/query.h"
#include "dns/rdata.h"
#include "dns/respond.h"
#include "dns/wire.h"
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
			if (a->len == addr->len && memcmp(a->bytes, addr->bytes, a->len) == 0)
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
	if (only_parent[0] || only_child[0])
		finding(r, CHECK_WARNING, "NS_SET_MISMATCH", cut->name, NULL, NULL,
			"the parent lists [%s] that the child does not; the child lists [%s] that the parent does not",
			only_parent[0] ? only_parent : "-", only_child[0] ? only_child : "-");
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
	if (sim_resolve(r->roots, r->nroots, &r->sim, cut->name, RR_SOA, &r->opts, res) == 0) {
		p.rcode = res->rcode;
		p.unchecked = res->rcode == RCODE_SERVFAIL && (res->seen & SIM_SEEN_UNKNOWN);
		p.queries = res->queries;
		p.tcp = res->tcp;
		snprintf(p.why, sizeof(p.why), "%s", res->why);
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

static void check_zone(run_t *r)
{
	cut_list_t cuts = { 0 };
	check_apex(r);
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
	if (!e->has_addr)
		return true;
	return r->has_addr && r->addr.len == e->addr.len &&
	       memcmp(r->addr.bytes, e->addr.bytes, e->addr.len) == 0;
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
