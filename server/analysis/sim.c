/*
 * sim.c -- a small iterating resolver over in-process virtual servers.
 *
 * Deliberately close to what Unbound does with a delegation, and no more:
 * parent-side NS sets and glue, NS names without glue resolved from the root
 * unless they sit inside the zone being resolved (then there is no other
 * path), servers tried in order until one gives a useful answer.
 */
#include "analysis/sim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/msg.h"
#include "dns/query.h"
#include "dns/rdata.h"
#include "dns/header.h"
#include "dns/wire.h"
#include "util/text.h"

#define SIM_MAX_DEPTH 6
#define SIM_MAX_CNAMES 8

void sim_opts_default(sim_opts_t *o)
{
	o->timeout_ms = 1500;
	o->max_queries = 200;
	o->ipv6 = true;
}

void sim_addrs_str(const sim_addr_t *a, size_t n, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && used + 50 < cap; i++) {
		char one[48];
		used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? " " : "",
					 sim_addr_str(&a[i], one, sizeof(one)));
	}
	if (n == 0)
		snprintf(buf, cap, "none");
}

const char *sim_addr_str(const sim_addr_t *a, char *buf, size_t cap)
{
	if (!inet_ntop(a->len == 4 ? AF_INET : AF_INET6, a->bytes, buf, (socklen_t)cap))
		snprintf(buf, cap, "?");
	return buf;
}

typedef struct sim {
	sim_net_t net;
	sim_opts_t o;
	sim_result_t *out;
	const sim_addr_t *roots;
	size_t nroots;
	uint8_t resolving[SIM_MAX_DEPTH + 1][NAME_MAXLEN]; /* NS names in progress */
	int nresolving;
	sim_addr_t last; /* the address ask() last got a useful answer from */
	uint8_t req[512];
	uint8_t resp[65535];
	msg_rr_t rr;
} sim_t;

static void tracef(sim_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tracef(sim_t *s, const char *fmt, ...)
{
	size_t used = strlen(s->out->trace);
	if (used + 1 >= SIM_TRACE_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->out->trace + used, SIM_TRACE_MAX - used, fmt, ap);
	va_end(ap);
}

int sim_msg_read(const uint8_t *buf, size_t len, const uint8_t *qname, uint16_t qtype,
		 bool aaaa_glue, msg_rr_t *rr, sim_msg_t *m)
{
	msg_t msg;
	m->flags = 0;
	m->rcode = 0;
	m->nns = m->nglue = m->nanswer = m->naddr = m->nans_ns = 0;
	m->soa = m->has_type = m->cname = false;
	if (msg_open(&msg, buf, len) != 0)
		return -1;
	m->flags = msg.flags;
	m->rcode = (uint8_t)(msg.flags & 0xF);
	name_lower(m->target, qname);
	int rc;
	while ((rc = msg_next(&msg, rr)) == 1) {
		name_lower(rr->owner, rr->owner);
		bool addr = (rr->type == RR_A && rr->rdlen == 4) ||
			    (rr->type == RR_AAAA && rr->rdlen == 16);
		if (rr->section == 1) {
			m->nanswer++;
			if (!name_equal(rr->owner, m->target))
				continue;
			if (rr->type == RR_CNAME && qtype != RR_CNAME) {
				name_lower(m->target, rr->rd);
				m->cname = true;
			} else if (rr->type == qtype) {
				m->has_type = true;
				m->cname = false;
				if (rr->type == RR_SOA) {
					m->soa = true;
				} else if (rr->type == RR_NS) {
					if (m->nans_ns < SIM_MAX_NS)
						name_lower(m->ans_ns[m->nans_ns++], rr->rd);
				} else if (addr && m->naddr < SIM_MAX_ADDRS) {
					sim_addr_t *a = &m->addr[m->naddr++];
					a->len = (uint8_t)rr->rdlen;
					memcpy(a->bytes, rr->rd, rr->rdlen);
				}
			}
		} else if (rr->section == 2 && rr->type == RR_NS) {
			if (m->nns == 0)
				memcpy(m->ns_owner, rr->owner, name_len(rr->owner));
			if (m->nns < SIM_MAX_NS && name_equal(rr->owner, m->ns_owner))
				name_lower(m->ns[m->nns++], rr->rd);
		} else if (rr->section == 3 && addr && m->nglue < SIM_MAX_GLUE) {
			if (rr->type == RR_AAAA && !aaaa_glue)
				continue;
			memcpy(m->glue[m->nglue].name, rr->owner, name_len(rr->owner));
			m->glue[m->nglue].addr.len = (uint8_t)rr->rdlen;
			memcpy(m->glue[m->nglue].addr.bytes, rr->rd, rr->rdlen);
			m->nglue++;
		}
	}
	return rc < 0 ? -1 : 0;
}

/* Append "; " + text to a reason buffer. */
static void reason_add(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reason_add(char *buf, size_t cap, const char *fmt, ...)
{
	size_t used = strlen(buf);
	if (used && used + 3 < cap) {
		memcpy(buf + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, cap - used, fmt, ap);
	va_end(ap);
}

/*
 * Ask each address in turn until one gives a useful answer for a name in
 * zone: an authoritative answer, or a referral below zone. Returns 0 with m
 * filled, or -1 with the reasons of every address in why.
 */
static int ask(sim_t *s, const sim_addr_t *addrs, size_t naddrs, const uint8_t *zone,
	       const uint8_t *qname, uint16_t qtype, sim_msg_t *m, char *why, size_t whycap)
{
	char as[48], qtext[NAME_TEXT_MAX], tbuf[16], ztext[NAME_TEXT_MAX];
	name_to_text(qname, qtext, sizeof(qtext));
	name_to_text(zone, ztext, sizeof(ztext));
	const char *ttext = rrtype_to_text(qtype, tbuf);
	for (size_t i = 0; i < naddrs; i++) {
		sim_addr_str(&addrs[i], as, sizeof(as));
		if (s->out->queries >= s->o.max_queries) {
			s->out->seen |= SIM_SEEN_MAX_QUERIES;
			reason_add(why, whycap, "gave up after %u queries", s->out->queries);
			return -1;
		}
		s->out->queries++;
		/* RD=0: an iterating resolver. */
		size_t qlen = msg_build_query(s->req, sizeof(s->req),
					      (uint16_t)(s->out->queries & 0xFFFF), 0, qname, qtype,
					      CLASS_IN, EDNS_ADVERTISED, false);
		size_t n = 0;
		int err = s->net.send(s->net.ctx, &addrs[i], false, s->req, qlen, s->resp,
				      sizeof(s->resp), &n);
		if (err == ECONNREFUSED) {
			s->out->seen |= SIM_SEEN_NOBODY;
			tracef(s, "%s ? %s %s -> timeout (nothing answers there)\n", as, qtext,
			       ttext);
			reason_add(why, whycap, "%s: timeout, nothing answers", as);
			continue;
		}
		if (err == ENOENT) {
			s->out->seen |= SIM_SEEN_UNKNOWN;
			tracef(s, "%s ? %s %s -> not checked offline\n", as, qtext, ttext);
			reason_add(why, whycap, "%s: not in the loaded zone files", as);
			continue;
		}
		if ((err == 0 || err == ETIME) && n >= DNS_HEADER_LEN &&
		    (wire_get16(s->resp + 2) & DNS_TC)) {
			s->out->tcp++;
			n = 0;
			err = s->net.send(s->net.ctx, &addrs[i], true, s->req, qlen, s->resp,
					  sizeof(s->resp), &n);
			tracef(s, "%s ? %s %s -> TC, again over TCP\n", as, qtext, ttext);
		}
		if (err != 0) {
			s->out->seen |= SIM_SEEN_TIMEOUT;
			tracef(s, "%s ? %s %s -> timeout%s\n", as, qtext, ttext,
			       err == ETIME ? " (answer delayed past the timeout)"
					    : " (no response)");
			reason_add(why, whycap, "%s: timeout", as);
			continue;
		}
		if (sim_msg_read(s->resp, n, qname, qtype, s->o.ipv6, &s->rr, m) != 0) {
			s->out->seen |= SIM_SEEN_ERROR;
			tracef(s, "%s ? %s %s -> malformed response\n", as, qtext, ttext);
			reason_add(why, whycap, "%s: malformed response", as);
			continue;
		}
		if (m->rcode != RCODE_NOERROR && m->rcode != RCODE_NXDOMAIN) {
			s->out->seen |= m->rcode == RCODE_REFUSED ? SIM_SEEN_LAME : SIM_SEEN_ERROR;
			tracef(s, "%s ? %s %s -> %s\n", as, qtext, ttext, rcode_str(m->rcode));
			reason_add(why, whycap, "%s: %s%s", as, rcode_str(m->rcode),
				   m->rcode == RCODE_REFUSED ? " (lame: not authoritative for "
							     : "");
			if (m->rcode == RCODE_REFUSED) {
				size_t used = strlen(why);
				text_setf(why + used, whycap - used, "%s)", ztext);
			}
			continue;
		}
		if (m->flags & DNS_AA) {
			tracef(s, "%s ? %s %s -> %s aa, %u answer record(s)\n", as, qtext, ttext,
			       rcode_str(m->rcode), m->nanswer);
			s->last = addrs[i];
			return 0;
		}
		/* A referral must lead downwards, towards the name. */
		if (m->nns > 0 && m->rcode == RCODE_NOERROR && name_is_sub(qname, m->ns_owner) &&
		    name_labels(m->ns_owner) > name_labels(zone)) {
			char otext[NAME_TEXT_MAX];
			name_to_text(m->ns_owner, otext, sizeof(otext));
			tracef(s, "%s ? %s %s -> referral to %s (%u NS, %u glue)\n", as, qtext,
			       ttext, otext, m->nns, m->nglue);
			return 0;
		}
		s->out->seen |= SIM_SEEN_LAME;
		tracef(s, "%s ? %s %s -> lame (no aa and no referral below %s)\n", as, qtext, ttext,
		       ztext);
		reason_add(why, whycap, "%s: lame (answer without authority for %s)", as, ztext);
	}
	return -1;
}

typedef struct res {
	uint8_t rcode;
	uint8_t cause;             /* enum sim_cause */
	uint8_t zone[NAME_MAXLEN]; /* where it failed */
	sim_addr_t by;             /* who gave the final answer */
	bool nodata;
	unsigned naddr;
	sim_addr_t addr[SIM_MAX_ADDRS];
} res_t;

static int resolve(sim_t *s, const uint8_t *name, uint16_t qtype, int depth, res_t *r, char *why,
		   size_t whycap);

/* Addresses of an NS name with no glue: from the root, unless that is a
 * cycle. Appends to addrs; notes why not into notes. */
static void ns_addresses(sim_t *s, const uint8_t *ns, const uint8_t *zone, int depth,
			 sim_addr_t *addrs, size_t *naddrs, char *notes, size_t notescap)
{
	char ntext[NAME_TEXT_MAX], ztext[NAME_TEXT_MAX];
	name_to_text(ns, ntext, sizeof(ntext));
	name_to_text(zone, ztext, sizeof(ztext));
	if (name_is_sub(ns, zone)) {
		s->out->seen |= SIM_SEEN_NO_GLUE;
		reason_add(notes, notescap, "%s has no glue and no other path (it is inside %s)",
			   ntext, ztext);
		return;
	}
	for (int i = 0; i < s->nresolving; i++) {
		if (name_equal(s->resolving[i], ns)) {
			s->out->seen |= SIM_SEEN_CYCLE;
			reason_add(notes, notescap,
				   "%s: cyclic dependency (its address needs %s itself)", ntext,
				   ztext);
			return;
		}
	}
	if (depth >= SIM_MAX_DEPTH || s->nresolving > SIM_MAX_DEPTH) {
		s->out->seen |= SIM_SEEN_TOO_DEEP;
		reason_add(notes, notescap, "%s: NS name chain too deep", ntext);
		return;
	}
	memcpy(s->resolving[s->nresolving++], ns, name_len(ns));
	uint16_t types[2] = { RR_A, RR_AAAA };
	bool any = false;
	char sub[SIM_WHY_MAX] = "";
	for (int t = 0; t < (s->o.ipv6 ? 2 : 1); t++) {
		res_t *r = malloc(sizeof(*r));
		if (!r)
			break;
		if (resolve(s, ns, types[t], depth + 1, r, sub, sizeof(sub)) == 0 &&
		    r->rcode == RCODE_NOERROR) {
			for (unsigned k = 0; k < r->naddr && *naddrs < SIM_MAX_ADDRS; k++)
				addrs[(*naddrs)++] = r->addr[k];
			any = any || r->naddr > 0;
		}
		free(r);
	}
	s->nresolving--;
	if (!any)
		reason_add(notes, notescap, "%s: no address (%s)", ntext,
			   sub[0] ? sub : "no A/AAAA");
}

static int resolve(sim_t *s, const uint8_t *qname_in, uint16_t qtype, int depth, res_t *r,
		   char *why, size_t whycap)
{
	uint8_t qname[NAME_MAXLEN], zone[NAME_MAXLEN];
	name_lower(qname, qname_in);
	zone[0] = 0;
	sim_addr_t *servers = malloc(SIM_MAX_ADDRS * sizeof(*servers));
	sim_msg_t *m = malloc(sizeof(*m));
	if (!servers || !m) {
		free(servers);
		free(m);
		snprintf(why, whycap, "out of memory");
		r->rcode = RCODE_SERVFAIL;
		r->cause = SIM_CAUSE_RESOURCES;
		r->zone[0] = 0;
		return -1;
	}
	size_t nservers = s->nroots < SIM_MAX_ADDRS ? s->nroots : SIM_MAX_ADDRS;
	memcpy(servers, s->roots, nservers * sizeof(*servers));
	unsigned cnames = 0;
	int rc = -1;
	memset(r, 0, sizeof(*r));
	r->rcode = RCODE_SERVFAIL;

	for (int step = 0; step < 64; step++) {
		char reasons[SIM_WHY_MAX] = "";
		if (ask(s, servers, nservers, zone, qname, qtype, m, reasons, sizeof(reasons)) !=
		    0) {
			char ztext[NAME_TEXT_MAX];
			name_to_text(zone, ztext, sizeof(ztext));
			text_setf(why, whycap, "no server of %s answered usefully: %s", ztext,
				  reasons);
			r->cause = SIM_CAUSE_NO_ANSWER;
			memcpy(r->zone, zone, name_len(zone));
			break;
		}
		if (m->flags & DNS_AA) {
			r->by = s->last;
			if (m->rcode == RCODE_NXDOMAIN) {
				r->rcode = RCODE_NXDOMAIN;
				rc = 0;
				break;
			}
			if (m->has_type || !m->cname) {
				r->rcode = RCODE_NOERROR;
				r->nodata = !m->has_type;
				r->naddr = m->naddr;
				memcpy(r->addr, m->addr, m->naddr * sizeof(m->addr[0]));
				rc = 0;
				break;
			}
			/* The chain leaves this server's data: start over. */
			if (++cnames > SIM_MAX_CNAMES) {
				snprintf(why, whycap, "CNAME chain longer than %d", SIM_MAX_CNAMES);
				r->cause = SIM_CAUSE_CNAME_CHAIN;
				break;
			}
			memcpy(qname, m->target, name_len(m->target));
			zone[0] = 0;
			nservers = s->nroots < SIM_MAX_ADDRS ? s->nroots : SIM_MAX_ADDRS;
			memcpy(servers, s->roots, nservers * sizeof(*servers));
			continue;
		}
		/* A referral: the next servers are the NS names' addresses. */
		memcpy(zone, m->ns_owner, name_len(m->ns_owner));
		nservers = 0;
		char notes[SIM_WHY_MAX] = "";
		for (unsigned i = 0; i < m->nns; i++) {
			size_t before = nservers;
			for (unsigned g = 0; g < m->nglue && nservers < SIM_MAX_ADDRS; g++)
				if (name_equal(m->glue[g].name, m->ns[i]))
					servers[nservers++] = m->glue[g].addr;
			if (nservers == before)
				ns_addresses(s, m->ns[i], zone, depth, servers, &nservers, notes,
					     sizeof(notes));
		}
		if (nservers == 0) {
			char ztext[NAME_TEXT_MAX];
			name_to_text(zone, ztext, sizeof(ztext));
			text_setf(why, whycap, "no NS of %s has a usable address: %s", ztext,
				  notes);
			r->cause = SIM_CAUSE_NO_ADDRESS;
			memcpy(r->zone, zone, name_len(zone));
			break;
		}
	}
	free(servers);
	free(m);
	return rc;
}

int sim_resolve(const sim_addr_t *roots, size_t nroots, const sim_net_t *net, const uint8_t *qname,
		uint16_t qtype, const sim_opts_t *opts, sim_result_t *out)
{
	if (!net || !net->send || !qname || !out)
		return ST_EINVAL;
	sim_t *s = calloc(1, sizeof(*s));
	res_t *r = malloc(sizeof(*r));
	if (!s || !r) {
		free(s);
		free(r);
		return ST_ENOMEM;
	}
	memset(out, 0, sizeof(*out));
	s->net = *net;
	if (opts)
		s->o = *opts;
	else
		sim_opts_default(&s->o);
	s->out = out;
	s->roots = roots;
	s->nroots = nroots;
	if (nroots == 0) {
		out->rcode = RCODE_SERVFAIL;
		out->cause = SIM_CAUSE_NO_ROOTS;
		snprintf(out->why, sizeof(out->why), "no root servers");
	} else if (resolve(s, qname, qtype, 0, r, out->why, sizeof(out->why)) == 0) {
		out->rcode = r->rcode;
		out->answered = true;
		out->answered_by = r->by;
		out->nodata = r->nodata;
		out->has_addr = r->naddr > 0;
		if (r->naddr)
			out->addr = r->addr[0];
		out->naddrs = r->naddr;
		memcpy(out->addrs, r->addr, r->naddr * sizeof(r->addr[0]));
	} else {
		out->rcode = RCODE_SERVFAIL;
		out->cause = r->cause;
		memcpy(out->cause_zone, r->zone, name_len(r->zone));
	}
	free(r);
	free(s);
	return ST_OK;
}
