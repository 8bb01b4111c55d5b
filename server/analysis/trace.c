/*
 * trace.c -- the delegation walk of gluecheck, over any network (trace.h).
 */
#include "analysis/trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/judge.h"
#include "dns/header.h"
#include "dns/query.h"
#include "dns/rdata.h"
#include "dns/wire.h"
#include "util/text.h"

static void ntext(const uint8_t *name, char *buf, size_t cap)
{
	if (name_to_text(name, buf, cap) < 0)
		snprintf(buf, cap, "?");
}

/* ---- findings --------------------------------------------------------------- */

static void add_finding(trace_t *t, int level, int row, const char *code, const uint8_t *name,
			const sim_addr_t *addr, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static void add_finding(trace_t *t, int level, int row, const char *code, const uint8_t *name,
			const sim_addr_t *addr, const char *fmt, ...)
{
	if (t->nfindings >= TRACE_MAX_FINDINGS)
		return;
	trace_finding_t *fd = &t->findings[t->nfindings++];
	const check_code_info_t *ci = check_code_info(code);
	memset(fd, 0, sizeof(*fd));
	check_finding_set(&fd->f, ci ? ci->severity : CHECK_ERROR, code, NULL);
	fd->level = level;
	fd->row = row;
	const trace_level_t *l = &t->levels[level];
	snprintf(fd->f.zone, sizeof(fd->f.zone), "%s", l->referral ? l->ptext : l->ztext);
	if (l->referral)
		memcpy(fd->f.delegation, l->ztext, sizeof(fd->f.delegation));
	if (name)
		ntext(name, fd->f.name, sizeof(fd->f.name));
	if (addr) {
		sim_addr_str(addr, fd->server, sizeof(fd->server));
		fd->f.server = fd->server;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fd->f.message, sizeof(fd->f.message), fmt, ap);
	va_end(ap);
	if (fd->f.severity == CHECK_ERROR)
		t->errors++;
	else if (fd->f.severity == CHECK_WARNING)
		t->warnings++;
	else
		t->infos++;
	if (row >= 0)
		t->rows[row].bad = t->rows[row].bad || fd->f.severity == CHECK_ERROR;
}

/* ---- the network ------------------------------------------------------------ */

static size_t build_query(trace_t *t, uint8_t *q, const uint8_t *qname, uint16_t qtype,
			  uint16_t bufsize)
{
	/* RD=0: we iterate. */
	return msg_build_query(q, 512, ++t->next_id, 0, qname, qtype, CLASS_IN, bufsize, false);
}

/* One exchange through the network: 0, or -1 with rep->err set. */
static int xchg(trace_t *t, bool tcp, const sim_addr_t *a, const uint8_t *q, size_t qlen,
		trace_reply_t *rep)
{
	rep->tcp = tcp;
	rep->len = 0;
	rep->err = t->net.send(t->net.ctx, a, tcp, q, qlen, rep->buf, sizeof(rep->buf), &rep->len);
	return rep->err == 0 ? 0 : -1;
}

const char *trace_err_text(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case ETIMEDOUT:
		return "timeout";
	case ECONNREFUSED:
		return "refused";
	case ECONNRESET:
		return "reset";
	case ENETUNREACH:
	case EHOSTUNREACH:
		return "unreachable";
	default:
		return "error";
	}
}

/* ---- reading responses ---------------------------------------------------------- */

static int parse(trace_t *t, const trace_reply_t *rep, const uint8_t *qname, uint16_t qtype,
		 sim_msg_t *m)
{
	int rc = sim_msg_read(rep->buf, rep->len, qname, qtype, true, &t->rr, m);
	/* The first TRACE_MAX_* of each list: what the rows and walks hold. */
	if (m->nns > TRACE_MAX_NS)
		m->nns = TRACE_MAX_NS;
	if (m->nans_ns > TRACE_MAX_NS)
		m->nans_ns = TRACE_MAX_NS;
	if (m->naddr > TRACE_MAX_ADDRS)
		m->naddr = TRACE_MAX_ADDRS;
	if (m->nglue > TRACE_MAX_GLUE)
		m->nglue = TRACE_MAX_GLUE;
	return rc;
}

static int ask(trace_t *t, const sim_addr_t *a, const uint8_t *qname, uint16_t qtype,
	       trace_reply_t *rep)
{
	uint8_t q[512];
	size_t qlen = build_query(t, q, qname, qtype, EDNS_ADVERTISED);
	if (qlen == 0 || xchg(t, false, a, q, qlen, rep) < 0)
		return -1;
	if (wire_get16(rep->buf + 2) & DNS_TC)
		return xchg(t, true, a, q, qlen, rep);
	return 0;
}

/* ---- resolving NS names without glue ---------------------------------------------- */

/*
 * The addresses (qtype A or AAAA) of an NS name without usable glue, as a
 * resolver finds them: the simulated resolver from the starting server,
 * through the same network. Appends to out; returns how many.
 */
static size_t resolve_addrs(trace_t *t, const uint8_t *name, uint16_t qtype, sim_addr_t *out,
			    size_t cap)
{
	sim_result_t *res = malloc(sizeof(*res));
	size_t found = 0;
	sim_opts_t o;
	sim_opts_default(&o);
	o.ipv6 = t->o.ipv6;
	if (res && sim_resolve(&t->o.start, 1, &t->net, name, qtype, &o, res) == 0 &&
	    res->rcode == RCODE_NOERROR)
		for (unsigned k = 0; k < res->naddrs && found < cap; k++)
			out[found++] = res->addrs[k];
	free(res);
	return found;
}

/* ---- probing one server of a zone --------------------------------------------------- */

static int add_row(trace_t *t, int level, const char *ns, const sim_addr_t *addr, const char *glue)
{
	if (t->nrows >= TRACE_MAX_ROWS)
		return -1;
	trace_row_t *r = &t->rows[t->nrows];
	memset(r, 0, sizeof(*r));
	r->level = level;
	snprintf(r->ns, sizeof(r->ns), "%s", ns);
	if (addr) {
		r->addr = *addr;
		r->has_addr = true;
	}
	snprintf(r->glue, sizeof(r->glue), "%s", glue);
	snprintf(r->udp, sizeof(r->udp), "-");
	snprintf(r->tcp, sizeof(r->tcp), "-");
	return t->nrows++;
}

/* Ask the server of row ri for the zone's SOA (UDP, then TCP) and NS. */
static void probe(trace_t *t, int ri, const uint8_t *nsname)
{
	trace_row_t *r = &t->rows[ri];
	trace_level_t *l = &t->levels[r->level];
	trace_reply_t *rep = &t->reply;
	sim_msg_t *m = malloc(sizeof(*m));
	uint8_t q[512];
	char as[48];
	if (!m)
		return;
	sim_addr_str(&r->addr, as, sizeof(as));
	size_t qlen = build_query(t, q, l->zone, RR_SOA, EDNS_ADVERTISED);
	int udp = xchg(t, false, &r->addr, q, qlen, rep);
	int udp_err = rep->err;
	bool udp_tc = udp == 0 && (wire_get16(rep->buf + 2) & DNS_TC);
	snprintf(r->udp, sizeof(r->udp), "%s%s", trace_err_text(udp_err), udp_tc ? " (TC)" : "");
	/* TCP for every server: RFC 7766 makes it a must, and a TC needs it. */
	int tcp = xchg(t, true, &r->addr, q, qlen, rep);
	snprintf(r->tcp, sizeof(r->tcp), "%s", trace_err_text(tcp == 0 ? 0 : rep->err));
	if (udp < 0 && tcp < 0) {
		snprintf(r->status, sizeof(r->status), "unresponsive");
		add_finding(t, r->level, ri, "NO_SERVER_AT_ADDRESS", nsname, &r->addr,
			    "%s: no answer over UDP (%s, %d tr%s) or TCP (%s) for %s SOA", as,
			    trace_err_text(udp_err), t->o.tries, t->o.tries == 1 ? "y" : "ies",
			    r->tcp, l->ztext);
		goto out;
	}
	if (udp < 0)
		add_finding(t, r->level, ri, "UDP_UNRESPONSIVE", nsname, &r->addr,
			    "%s: answers over TCP but not over UDP (%s)", as,
			    trace_err_text(udp_err));
	else if (tcp < 0)
		add_finding(t, r->level, ri, "TCP_UNRESPONSIVE", nsname, &r->addr,
			    "%s: answers over UDP but not over TCP (%s)", as, r->tcp);
	if (tcp < 0) {
		/* Judge the UDP answer: ask again, the TCP attempt overwrote it. */
		if (xchg(t, false, &r->addr, q, qlen, rep) < 0) {
			snprintf(r->status, sizeof(r->status), "unresponsive (intermittent)");
			goto out;
		}
	}
	if (parse(t, rep, l->zone, RR_SOA, m) < 0) {
		snprintf(r->status, sizeof(r->status), "malformed response");
		add_finding(t, r->level, ri, "LAME_DELEGATION", nsname, &r->addr,
			    "%s: a malformed response to %s SOA", as, l->ztext);
		goto out;
	}
	char why[NAME_TEXT_MAX + 64], o[NAME_TEXT_MAX];
	const char *lame = why;
	switch (judge_authority(m, l->zone)) {
	case JUDGE_LAME_RCODE:
		snprintf(why, sizeof(why), "answers %s", rcode_str(m->rcode));
		break;
	case JUDGE_LAME_UPWARD:
		ntext(m->ns_owner, o, sizeof(o));
		snprintf(why, sizeof(why), "upward referral (to %s)", o);
		break;
	case JUDGE_LAME_REFERRAL:
		snprintf(why, sizeof(why), "a referral instead of the zone's SOA");
		break;
	case JUDGE_LAME_NO_AA:
		snprintf(why, sizeof(why), "answers without authority (AA=0)");
		break;
	case JUDGE_AA_NO_SOA:
		snprintf(why, sizeof(why), "authoritative answer without the zone's SOA");
		break;
	default:
		lame = NULL;
	}
	if (lame && r->level == 0 && !nsname) {
		/* The starting server need not serve the root: it is only where
		 * the walk begins (dig +trace @server). */
		snprintf(r->status, sizeof(r->status),
			 "starting point (not authoritative for .: %s)", lame);
		r->auth = true;
		goto out;
	}
	if (lame) {
		snprintf(r->status, sizeof(r->status), "lame: %s", lame);
		add_finding(t, r->level, ri, "LAME_DELEGATION", nsname, &r->addr,
			    "%s: %s for %s SOA: not authoritative for the zone", as, lame,
			    l->ztext);
		goto out;
	}
	r->auth = true;
	snprintf(r->status, sizeof(r->status), "authoritative");
	if (ask(t, &r->addr, l->zone, RR_NS, rep) == 0 && parse(t, rep, l->zone, RR_NS, m) == 0 &&
	    (m->flags & DNS_AA)) {
		r->ns_known = true;
		r->nns = m->nans_ns;
		memcpy(r->ns_set, m->ans_ns, sizeof(r->ns_set));
	}
out:
	free(m);
}

/* ---- one delegation ------------------------------------------------------------------ */

void trace_names_text(const uint8_t (*set)[NAME_MAXLEN], unsigned n, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < n && used + 2 < cap; i++) {
		char t[NAME_TEXT_MAX];
		ntext(set[i], t, sizeof(t));
		used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? " " : "", t);
	}
	if (n == 0)
		snprintf(buf, cap, "-");
}

/* The child's NS sets against the parent's; and between its servers. */
static void check_ns_sets(trace_t *t, int li, int first)
{
	trace_level_t *l = &t->levels[li];
	for (int i = first; i < t->nrows; i++) {
		trace_row_t *r = &t->rows[i];
		if (!r->auth || !r->ns_known)
			continue;
		const uint8_t *parent[TRACE_MAX_NS], *child[TRACE_MAX_NS];
		for (unsigned k = 0; k < l->nns; k++)
			parent[k] = l->ns[k];
		for (unsigned k = 0; k < r->nns; k++)
			child[k] = r->ns_set[k];
		if (judge_ns_sets(parent, l->nns, child, r->nns, NULL, NULL) == 0)
			continue;
		char pt[512], ct[512], as[48];
		trace_names_text(l->ns, l->nns, pt, sizeof(pt));
		trace_names_text(r->ns_set, r->nns, ct, sizeof(ct));
		add_finding(t, li, i, "NS_SET_MISMATCH", NULL, &r->addr,
			    "%s: the child's NS set [%s] differs from the parent's [%s]",
			    sim_addr_str(&r->addr, as, sizeof(as)), ct, pt);
	}
}

/* Glue against the child's own addresses for its in-domain NS names. */
static void check_glue(trace_t *t, int li, int first, const sim_msg_t *ref)
{
	trace_level_t *l = &t->levels[li];
	const trace_row_t *auth = NULL;
	for (int i = first; i < t->nrows && !auth; i++)
		if (t->rows[i].auth)
			auth = &t->rows[i];
	sim_msg_t *m = malloc(sizeof(*m));
	if (!m)
		return;
	for (unsigned k = 0; k < l->nns; k++) {
		const uint8_t *ns = l->ns[k];
		sim_addr_t glue[TRACE_MAX_ADDRS], child[TRACE_MAX_ADDRS];
		size_t ng = 0, nc = 0;
		for (unsigned j = 0; j < ref->nglue && ng < TRACE_MAX_ADDRS; j++)
			if (name_equal(ref->glue[j].name, ns) &&
			    (ref->glue[j].addr.len == 4 || t->o.ipv6))
				glue[ng++] = ref->glue[j].addr;
		if (ng == 0 || !name_is_sub(ns, l->zone))
			continue;
		if (!auth) {
			char nt[NAME_TEXT_MAX], note[NAME_TEXT_MAX * 2 + 96];
			ntext(ns, nt, sizeof(nt));
			snprintf(
				note, sizeof(note),
				"glue of %s not compared: no server of %s answered (give one with --child ADDR)",
				nt, l->ztext);
			size_t used = strlen(l->why);
			snprintf(l->why + used, sizeof(l->why) - used, "%s%s", used ? "; " : "",
				 note);
			continue;
		}
		bool answered = false;
		uint16_t types[2] = { RR_A, RR_AAAA };
		for (int ty = 0; ty < (t->o.ipv6 ? 2 : 1); ty++) {
			if (ask(t, &auth->addr, ns, types[ty], &t->reply) < 0 ||
			    parse(t, &t->reply, ns, types[ty], m) < 0 || !(m->flags & DNS_AA) ||
			    m->rcode != RCODE_NOERROR)
				continue;
			answered = true;
			for (unsigned j = 0; j < m->naddr && nc < TRACE_MAX_ADDRS; j++)
				child[nc++] = m->addr[j];
		}
		char as[48];
		sim_addr_str(&auth->addr, as, sizeof(as));
		if (!answered)
			continue;
		int verdict = judge_glue(glue, ng, child, nc);
		if (verdict == JUDGE_GLUE_MISSING_IN_CHILD) {
			add_finding(
				t, li, -1, "GLUE_MISSING_IN_CHILD", ns, NULL,
				"the referral has glue for this NS name but the child (%s) has no address for it",
				as);
		} else if (verdict == JUDGE_GLUE_MISMATCH) {
			char gt[256], ct[256];
			sim_addrs_str(glue, ng, gt, sizeof(gt));
			sim_addrs_str(child, nc, ct, sizeof(ct));
			add_finding(
				t, li, -1, "GLUE_MISMATCH", ns, NULL,
				"the referral's glue says %s, the child (%s, authoritative) says %s",
				gt, as, ct);
		}
	}
	free(m);
}

/*
 * The servers of level li: each NS name of the referral by its glue (or
 * resolved), each address probed; then the --child addresses when this is
 * the domain's own zone.
 */
static void probe_level(trace_t *t, int li, const sim_msg_t *ref)
{
	trace_level_t *l = &t->levels[li];
	int first = t->nrows;
	for (unsigned k = 0; k < l->nns; k++) {
		const uint8_t *ns = l->ns[k];
		char nt[NAME_TEXT_MAX];
		ntext(ns, nt, sizeof(nt));
		bool in_domain = name_is_sub(ns, l->zone);
		bool in_parent = name_is_sub(ns, l->parent);
		sim_addr_t addrs[TRACE_MAX_ADDRS];
		size_t na = 0, nglue_any = 0;
		for (unsigned j = 0; j < ref->nglue; j++) {
			if (!name_equal(ref->glue[j].name, ns))
				continue;
			nglue_any++;
			if ((ref->glue[j].addr.len == 4 || t->o.ipv6) && na < TRACE_MAX_ADDRS)
				addrs[na++] = ref->glue[j].addr;
		}
		const char *how = in_domain   ? "glue (in-domain)"
				  : in_parent ? "glue (sibling)"
					      : "glue";
		if (judge_glue_missing(ns, l->zone, nglue_any)) {
			int ri = add_row(t, li, nt, NULL, "MISSING");
			if (ri >= 0)
				snprintf(t->rows[ri].status, sizeof(t->rows[ri].status),
					 "no address: in-domain and no glue");
			add_finding(
				t, li, ri, "MISSING_GLUE_FOR_NS_NAME", ns, NULL,
				"the referral from %s names %s, inside %s, without its address: no resolver can reach it",
				l->from, nt, l->ztext);
			continue;
		}
		if (na == 0) {
			uint16_t types[2] = { RR_A, RR_AAAA };
			for (int ty = 0; ty < (t->o.ipv6 ? 2 : 1); ty++)
				na += resolve_addrs(t, ns, types[ty], addrs + na,
						    TRACE_MAX_ADDRS - na);
			how = nglue_any   ? "glue (IPv6 only), resolved"
			      : in_parent ? "no glue (sibling), resolved"
					  : "out-of-zone, resolved";
		}
		if (na == 0) {
			int ri = add_row(t, li, nt, NULL, nglue_any ? "IPv6 glue only" : "none");
			if (ri >= 0) {
				snprintf(t->rows[ri].status, sizeof(t->rows[ri].status),
					 "no address: the name does not resolve");
				t->rows[ri].bad = true;
			}
			continue;
		}
		for (size_t j = 0; j < na; j++) {
			int ri = add_row(t, li, nt, &addrs[j], how);
			if (ri >= 0)
				probe(t, ri, ns);
		}
	}
	if (name_equal(l->zone, t->o.domain)) {
		for (size_t c = 0; c < t->o.nchild; c++) {
			int ri = add_row(t, li, "(--child)", &t->o.child[c], "given");
			if (ri >= 0) {
				t->rows[ri].given = true;
				probe(t, ri, NULL);
			}
		}
	}
	check_ns_sets(t, li, first);
	check_glue(t, li, first, ref);
}

/*
 * How the referral from the server at addr looks to resolvers with small
 * buffers: asked again for the domain's NS with EDNS 512, then 1232 if
 * that is truncated, then over TCP (its full size).
 */
typedef struct fetched {
	bool tc512, tc1232, tcp;
	size_t size;
} fetched_t;

static void referral_size(trace_t *t, const sim_addr_t *addr, fetched_t *fx)
{
	trace_reply_t *rep = &t->reply;
	uint8_t q[512];
	size_t qlen = build_query(t, q, t->o.domain, RR_NS, 512);
	if (xchg(t, false, addr, q, qlen, rep) < 0)
		return;
	fx->size = rep->len;
	fx->tc512 = wire_get16(rep->buf + 2) & DNS_TC;
	if (!fx->tc512)
		return;
	qlen = build_query(t, q, t->o.domain, RR_NS, EDNS_ADVERTISED);
	if (xchg(t, false, addr, q, qlen, rep) == 0)
		fx->tc1232 = wire_get16(rep->buf + 2) & DNS_TC;
	if (xchg(t, true, addr, q, qlen, rep) == 0) {
		fx->tcp = true;
		fx->size = rep->len;
	}
}

/*
 * The walk (sim.h) took a referral from parent's server at from to the
 * zone ref->ns_owner: a new level, its referral's size, every server of it
 * probed and judged.
 */
static void on_referral(void *ctx, const uint8_t *parent, const sim_addr_t *from,
			const sim_msg_t *ref, const uint8_t *resp, size_t rlen)
{
	trace_t *t = ctx;
	if (t->nlevels >= TRACE_MAX_LEVELS)
		return;
	sim_msg_t *m = malloc(sizeof(*m));
	if (!m)
		return;
	/* Read again with every glue record, AAAA too (the walk reads only
	 * what it uses): the level shows the referral whole. */
	*m = *ref;
	if (rlen <= sizeof(t->reply.buf)) {
		memcpy(t->reply.buf, resp, rlen);
		t->reply.len = rlen;
		if (parse(t, &t->reply, t->o.domain, RR_NS, m) < 0)
			*m = *ref;
	}
	if (m->nns > TRACE_MAX_NS)
		m->nns = TRACE_MAX_NS;
	if (m->nglue > TRACE_MAX_GLUE)
		m->nglue = TRACE_MAX_GLUE;
	trace_level_t *c = &t->levels[t->nlevels];
	memset(c, 0, sizeof(*c));
	memcpy(c->zone, m->ns_owner, name_len(m->ns_owner));
	memcpy(c->parent, parent, name_len(parent));
	ntext(c->zone, c->ztext, sizeof(c->ztext));
	ntext(c->parent, c->ptext, sizeof(c->ptext));
	c->referral = true;
	sim_addr_str(from, c->from, sizeof(c->from));
	c->nns = m->nns;
	memcpy(c->ns, m->ns, sizeof(c->ns));
	c->nglue = m->nglue;
	fetched_t fx = { 0 };
	referral_size(t, from, &fx);
	c->tc512 = fx.tc512;
	c->tc1232 = fx.tc1232;
	c->over_tcp = fx.tcp;
	c->size = fx.size;
	int ci = t->nlevels++;
	if (c->tc1232)
		add_finding(
			t, ci, -1, "REFERRAL_EXCEEDS_1232", NULL, NULL,
			"the referral from %s is truncated (TC) even with EDNS 1232; %zu bytes over TCP",
			c->from, c->size);
	else if (c->tc512)
		add_finding(
			t, ci, -1, "REFERRAL_EXCEEDS_512", NULL, NULL,
			"the referral from %s is truncated (TC) with EDNS 512; %zu bytes over TCP",
			c->from, c->size);
	probe_level(t, ci, m);
	free(m);
}

/*
 * The walk's network: t's, except that an address every probe found
 * unresponsive over UDP and TCP is not waited for again.
 */
static int walk_send(void *ctx, const sim_addr_t *addr, bool tcp, const uint8_t *q, size_t qlen,
		     uint8_t *resp, size_t cap, size_t *rlen)
{
	trace_t *t = ctx;
	for (int i = 0; i < t->nrows; i++) {
		const trace_row_t *r = &t->rows[i];
		if (r->has_addr && sim_addr_equal(&r->addr, addr) && strcmp(r->udp, "ok") != 0 &&
		    strncmp(r->udp, "ok ", 3) != 0 && strcmp(r->tcp, "ok") != 0)
			return ETIMEDOUT;
	}
	return t->net.send(t->net.ctx, addr, tcp, q, qlen, resp, cap, rlen);
}

void trace_run(trace_t *t)
{
	t->nlevels = t->nrows = t->nfindings = 0;
	t->errors = t->warnings = t->infos = 0;
	t->complete = false;
	t->result[0] = '\0';
	t->next_id = t->o.first_id;
	sim_result_t *res = malloc(sizeof(*res));
	if (!res) {
		snprintf(t->result, sizeof(t->result), "out of memory");
		return;
	}
	/* Level 0: the starting server, taken to serve the root. */
	trace_level_t *l = &t->levels[0];
	memset(l, 0, sizeof(*l));
	snprintf(l->ztext, sizeof(l->ztext), ".");
	t->nlevels = 1;
	int ri = add_row(t, 0, "(start)", &t->o.start, "given");
	if (ri >= 0)
		probe(t, ri, NULL);
	/* The resolver's walk for the domain's NS from the starting server;
	 * each referral it follows becomes a level (on_referral). */
	sim_opts_t o;
	sim_opts_default(&o);
	o.ipv6 = t->o.ipv6;
	o.on_referral = on_referral;
	o.observer = t;
	sim_net_t net = { .send = walk_send, .ctx = t };
	int rc = sim_resolve(&t->o.start, 1, &net, t->o.domain, RR_NS, &o, res);
	l = &t->levels[t->nlevels - 1];
	bool any_auth = false;
	for (int i = 0; i < t->nrows; i++)
		any_auth |=
			t->rows[i].level == t->nlevels - 1 && t->rows[i].auth && !t->rows[i].given;
	if (rc == 0 && res->answered && res->rcode == RCODE_NOERROR) {
		t->complete = true; /* the domain's zone, or a zone it is inside */
	} else if (rc == 0 && res->answered) {
		char as[48];
		text_setf(t->result, sizeof(t->result), "%s (%s) answers %s for it", l->ztext,
			  sim_addr_str(&res->answered_by, as, sizeof(as)), rcode_str(res->rcode));
	} else if (!any_auth) {
		l->broken = true;
		text_setf(t->result, sizeof(t->result),
			  "no server of %s answers authoritatively%s%s", l->ztext,
			  l->why[0] ? ": " : "", l->why);
	} else {
		l->broken = true;
		text_setf(t->result, sizeof(t->result),
			  "no server of %s gives an answer or a referral for the domain: %s",
			  l->ztext, rc == 0 ? res->why : "bad arguments");
	}
	free(res);
}
