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
#include <time.h>

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
	o->anchor = NULL;
	o->nanchor = 0;
	o->now = (uint32_t)time(NULL);
	o->on_referral = NULL;
	o->observer = NULL;
}

const char *sim_dnssec_str(uint8_t dnssec)
{
	/* SIM_DNSSEC_SECURE.. are the validator's statuses, one up. */
	_Static_assert(SIM_DNSSEC_SECURE == VAL_SECURE + 1 &&
			       SIM_DNSSEC_INSECURE == VAL_INSECURE + 1 &&
			       SIM_DNSSEC_BOGUS == VAL_BOGUS + 1,
		       "sim's DNSSEC states follow validate.h's");
	return dnssec == SIM_DNSSEC_NONE ? "" : val_status_str((uint8_t)(dnssec - 1));
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

bool sim_addr_equal(const sim_addr_t *a, const sim_addr_t *b)
{
	return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

const char *sim_addr_str(const sim_addr_t *a, char *buf, size_t cap)
{
	if (!inet_ntop(a->len == 4 ? AF_INET : AF_INET6, a->bytes, buf, (socklen_t)cap))
		snprintf(buf, cap, "?");
	return buf;
}

#define SIM_MAX_KEYS 48
#define SIM_MAX_DS 8

/* What the chain of trust knows of one name: a zone whose DS is known and
 * whose DNSKEY is not fetched yet, a zone with trusted keys, an insecure or
 * a bogus one, or a name that is inside another entry's zone (found by a
 * DS query on the way down to a signer). */
enum key_state { KEY_PENDING, KEY_SECURE, KEY_INSECURE, KEY_BOGUS, KEY_INZONE };

typedef struct key_entry {
	uint8_t name[NAME_MAXLEN];
	uint8_t state;             /* enum key_state */
	int zone;                  /* KEY_INZONE: the entry of the zone it is in */
	bool anchor;               /* the DS is the trust anchor's */
	uint8_t from[NAME_MAXLEN]; /* else the parent zone it came from */
	val_ds_t ds[SIM_MAX_DS];
	size_t nds;
	sim_addr_t servers[SIM_MAX_ADDRS]; /* where to ask for the DNSKEY */
	size_t nservers;
	uint8_t *keydata; /* KEY_SECURE: the trusted DNSKEY RRset's records */
	val_rrset_t dnskey;
	val_result_t why; /* KEY_INSECURE, KEY_BOGUS: why */
} key_entry_t;

typedef struct sim {
	sim_net_t net;
	sim_opts_t o;
	sim_result_t *out;
	const sim_addr_t *roots;
	size_t nroots;
	uint8_t resolving[SIM_MAX_DEPTH + 1][NAME_MAXLEN]; /* NS names in progress */
	int nresolving;
	sim_addr_t last; /* the address ask() last got a useful answer or referral from */
	uint8_t req[512];
	uint8_t resp[65535];
	size_t resp_len; /* of the last useful answer ask() got */
	msg_rr_t rr;
	/* Validation (a trust anchor was given). */
	bool validating;
	key_entry_t *keys;
	size_t nkeys;
	const sim_addr_t *cur; /* the servers of the response being validated */
	size_t ncur;
	bool nodescend;   /* checking a referral's DS: no DS queries on the side */
	int descending;   /* DS queries in progress, nested */
	val_result_t val; /* the worst over the walk */
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
					      CLASS_IN, EDNS_ADVERTISED, s->validating);
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
			reason_add(why, whycap, "%s: %s %s is not in the loaded zone files", as,
				   qtext, ttext);
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
			s->resp_len = n;
			return 0;
		}
		/* A referral must lead downwards, towards the name. */
		if (m->nns > 0 && m->rcode == RCODE_NOERROR && name_is_sub(qname, m->ns_owner) &&
		    name_labels(m->ns_owner) > name_labels(zone)) {
			char otext[NAME_TEXT_MAX];
			name_to_text(m->ns_owner, otext, sizeof(otext));
			tracef(s, "%s ? %s %s -> referral to %s (%u NS, %u glue)\n", as, qtext,
			       ttext, otext, m->nns, m->nglue);
			s->last = addrs[i];
			s->resp_len = n;
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
	uint16_t ede; /* SIM_CAUSE_DNSSEC */
} res_t;

static int resolve(sim_t *s, const uint8_t *name, uint16_t qtype, int depth, res_t *r, char *why,
		   size_t whycap);

/* ---- the chain of trust ------------------------------------------------------ */

/* The entry of exactly name, or -1. */
static int key_find(const sim_t *s, const uint8_t *name)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (name_equal(s->keys[i].name, name))
			return (int)i;
	return -1;
}

/* The deepest entry at or above name (the root's always is). */
static int key_deepest(const sim_t *s, const uint8_t *name)
{
	int best = -1, labels = -1;
	for (size_t i = 0; i < s->nkeys; i++) {
		int l = name_labels(s->keys[i].name);
		if (l > labels && name_is_sub(name, s->keys[i].name)) {
			best = (int)i;
			labels = l;
		}
	}
	return best;
}

/* The entry for name, made when missing (all zero but the name); -1 when
 * the table is full. */
static int key_add(sim_t *s, const uint8_t *name)
{
	int k = key_find(s, name);
	if (k >= 0)
		return k;
	if (s->nkeys >= SIM_MAX_KEYS)
		return -1;
	key_entry_t *e = &s->keys[s->nkeys];
	memset(e, 0, sizeof(*e));
	name_lower(e->name, name);
	return (int)s->nkeys++;
}

/* The entry of the zone an entry belongs to. */
static int key_zone(const sim_t *s, int k)
{
	for (int i = 0; i < SIM_MAX_KEYS && s->keys[k].state == KEY_INZONE; i++)
		k = s->keys[k].zone;
	return k;
}

/* Ask a pending zone's servers for its DNSKEY RRset and trust it through
 * its DS (val_dnskey). */
static void key_fetch(sim_t *s, int k)
{
	key_entry_t *e = &s->keys[k];
	char why[SIM_WHY_MAX] = "", zt[NAME_TEXT_MAX];
	name_to_text(e->name, zt, sizeof(zt));
	sim_msg_t *m = malloc(sizeof(*m));
	val_msg_t vm = { 0 };
	if (m == NULL) {
		val_result_set(&e->why, VAL_BOGUS, VAL_EDE_BOGUS, "out of memory");
	} else if (ask(s, e->servers, e->nservers, e->name, e->name, RR_DNSKEY, m, why,
		       sizeof(why)) != 0) {
		val_result_set(&e->why, VAL_BOGUS, VAL_EDE_DNSKEY_MISSING,
			       "no server of %s answered the DNSKEY query: %s", zt, why);
	} else if (val_msg_parse(&vm, s->resp, s->resp_len) != ST_OK) {
		val_result_set(&e->why, VAL_BOGUS, VAL_EDE_DNSKEY_MISSING,
			       "the answer to %s DNSKEY is malformed", zt);
	} else {
		const val_rrset_t *dk = val_msg_find(&vm, 1, e->name, RR_DNSKEY);
		val_dnskey(dk, e->ds, e->nds, e->name, e->anchor ? NULL : e->from, s->o.now,
			   &e->why);
		if (e->why.status == VAL_SECURE) {
			e->keydata = malloc(dk->datalen ? dk->datalen : 1);
			if (e->keydata == NULL) {
				val_result_set(&e->why, VAL_BOGUS, VAL_EDE_BOGUS, "out of memory");
			} else {
				memcpy(e->keydata, dk->data, dk->datalen);
				e->dnskey = (val_rrset_t){ .owner = e->name,
							   .type = RR_DNSKEY,
							   .section = 1,
							   .ttl = dk->ttl,
							   .count = dk->count,
							   .data = e->keydata,
							   .datalen = dk->datalen };
			}
		}
	}
	val_msg_free(&vm);
	free(m);
	e->state = e->why.status == VAL_SECURE     ? KEY_SECURE
		   : e->why.status == VAL_INSECURE ? KEY_INSECURE
						   : KEY_BOGUS;
	tracef(s, "  dnssec: %s DNSKEY %s%s%s\n", zt, val_status_str(e->why.status),
	       e->why.reason[0] ? ": " : "", e->why.reason);
}

static uint8_t keys_cb(void *ctx, const uint8_t *name, bool is_signer, const val_rrset_t **dnskey,
		       const uint8_t **zone, val_result_t *r);

/*
 * One step down from entry k (inside the secure zone of entry zk) towards
 * name: ask the servers that answered for the DS of the next label and
 * record what it is (a signed zone, an insecure delegation, a name inside
 * zk's zone). Unbound walks down to a signer it has no key for this way.
 */
static void key_descend(sim_t *s, int k, int zk, const uint8_t *name)
{
	const uint8_t *x = name_skip(name, name_labels(name) - name_labels(s->keys[k].name) - 1);
	int nk = key_add(s, x);
	if (nk < 0) {
		/* Full: say so on the deepest entry, which ends the walk down. */
		val_result_set(&s->keys[k].why, VAL_BOGUS, VAL_EDE_BOGUS,
			       "too many zones to validate");
		s->keys[k].state = KEY_BOGUS;
		return;
	}
	key_entry_t *e = &s->keys[nk];
	const key_entry_t *z = &s->keys[zk];
	char why[SIM_WHY_MAX] = "", xt[NAME_TEXT_MAX], ztext[NAME_TEXT_MAX];
	name_to_text(x, xt, sizeof(xt));
	name_to_text(z->name, ztext, sizeof(ztext));
	sim_msg_t *m = malloc(sizeof(*m));
	val_msg_t vm = { 0 };
	s->descending++;
	if (m == NULL) {
		val_result_set(&e->why, VAL_BOGUS, VAL_EDE_BOGUS, "out of memory");
		e->state = KEY_BOGUS;
	} else if (ask(s, s->cur, s->ncur, z->name, x, RR_DS, m, why, sizeof(why)) != 0 ||
		   val_msg_parse(&vm, s->resp, s->resp_len) != ST_OK) {
		val_result_set(&e->why, VAL_BOGUS, VAL_EDE_BOGUS, "no usable answer to %s DS: %s",
			       xt, why[0] ? why : "malformed");
		e->state = KEY_BOGUS;
	} else {
		size_t nds = 0;
		bool cut = false, found = false;
		val_ds(&vm, x, z->name, keys_cb, s, s->o.now, e->ds, SIM_MAX_DS, &nds, &cut, &found,
		       &e->why);
		e->nds = nds;
		if (e->why.status == VAL_BOGUS) {
			e->state = KEY_BOGUS;
		} else if (e->why.status == VAL_INSECURE) {
			e->state = KEY_INSECURE;
		} else if (nds > 0) {
			e->state = KEY_PENDING;
			memcpy(e->from, z->name, name_len(z->name));
			e->nservers = s->ncur;
			memcpy(e->servers, s->cur, s->ncur * sizeof(*s->cur));
		} else if (cut) {
			e->state = KEY_INSECURE;
			val_result_set(&e->why, VAL_INSECURE, VAL_EDE_NONE,
				       "%s is an insecure delegation: %s proves it has no DS", xt,
				       ztext);
		} else {
			e->state = KEY_INZONE;
			e->zone = zk;
		}
	}
	s->descending--;
	val_msg_free(&vm);
	free(m);
}

/* The keys of a signer (or of the zone holding a name) for validate.h. */
static uint8_t keys_cb(void *ctx, const uint8_t *name, bool is_signer, const val_rrset_t **dnskey,
		       const uint8_t **zone, val_result_t *r)
{
	sim_t *s = ctx;
	for (int guard = 0; guard < 2 * NAME_MAXLEN; guard++) {
		int k = key_deepest(s, name);
		if (k < 0)
			break;
		int zk = key_zone(s, k);
		key_entry_t *z = &s->keys[zk];
		switch (z->state) {
		case KEY_PENDING:
			key_fetch(s, zk);
			continue;
		case KEY_INSECURE:
		case KEY_BOGUS:
			*r = z->why;
			return z->why.status;
		default:
			break;
		}
		bool at = name_equal(s->keys[k].name, name);
		if (at || (!is_signer && (s->nodescend || s->descending > 0)) ||
		    s->descending > 1) {
			*dnskey = &z->dnskey;
			*zone = z->name;
			return VAL_SECURE;
		}
		key_descend(s, k, zk, name);
	}
	val_result_set(r, VAL_BOGUS, VAL_EDE_DNSKEY_MISSING, "no chain of trust to %s",
		       name_str(name, (char[NAME_TEXT_MAX]){ 0 }, NAME_TEXT_MAX));
	return VAL_BOGUS;
}

/*
 * A referral from parent (asked at servers) to child: its DS, or the proof
 * it has none, checked with the parent's keys; when the referral carries
 * neither, the parent is asked for the DS. Returns the child's state
 * (KEY_PENDING with ds / *nds, KEY_INSECURE, KEY_BOGUS) with why in *res.
 */
static uint8_t referral_ds(sim_t *s, const sim_addr_t *servers, size_t nservers,
			   const uint8_t *parent, const uint8_t *child, val_ds_t *ds, size_t *nds,
			   val_result_t *res)
{
	char ct[NAME_TEXT_MAX], pt[NAME_TEXT_MAX], why[SIM_WHY_MAX] = "";
	name_to_text(child, ct, sizeof(ct));
	name_to_text(parent, pt, sizeof(pt));
	val_msg_t vm = { 0 };
	bool cut = false, found = false;
	*nds = 0;
	s->cur = servers;
	s->ncur = nservers;
	s->nodescend = true;
	if (val_msg_parse(&vm, s->resp, s->resp_len) != ST_OK) {
		val_result_set(res, VAL_BOGUS, VAL_EDE_BOGUS, "the referral to %s is malformed",
			       ct);
	} else {
		val_ds(&vm, child, parent, keys_cb, s, s->o.now, ds, SIM_MAX_DS, nds, &cut, &found,
		       res);
		sim_msg_t *m = found ? NULL : malloc(sizeof(*m));
		val_msg_free(&vm);
		if (m != NULL &&
		    ask(s, servers, nservers, parent, child, RR_DS, m, why, sizeof(why)) == 0 &&
		    val_msg_parse(&vm, s->resp, s->resp_len) == ST_OK)
			val_ds(&vm, child, parent, keys_cb, s, s->o.now, ds, SIM_MAX_DS, nds, &cut,
			       &found, res);
		free(m);
	}
	val_msg_free(&vm);
	s->nodescend = false;
	if (res->status == VAL_SECURE && *nds == 0 && !cut)
		val_result_set(res, VAL_BOGUS, VAL_EDE_BOGUS,
			       "%s refers to %s, but its NSEC/NSEC3 proof says %s is no delegation",
			       pt, ct, ct);
	if (res->status == VAL_SECURE && *nds == 0)
		val_result_set(res, VAL_INSECURE, VAL_EDE_NONE,
			       "%s is an insecure delegation: %s proves it has no DS", ct, pt);
	uint8_t st = res->status == VAL_BOGUS      ? KEY_BOGUS
		     : res->status == VAL_INSECURE ? KEY_INSECURE
						   : KEY_PENDING;
	if (st == KEY_PENDING)
		tracef(s, "  dnssec: %s has %zu DS in %s\n", ct, *nds, pt);
	else
		tracef(s, "  dnssec: %s %s: %s\n", ct, val_status_str(res->status), res->reason);
	return st;
}

/* Validate the authoritative answer in s->resp (from servers) for
 * qname/qtype into the walk's result; returns its status. */
static uint8_t answer_check(sim_t *s, const sim_addr_t *servers, size_t nservers,
			    const uint8_t *qname, uint16_t qtype, val_result_t *vr)
{
	val_msg_t vm = { 0 };
	s->cur = servers;
	s->ncur = nservers;
	if (val_msg_parse(&vm, s->resp, s->resp_len) != ST_OK)
		val_result_set(vr, VAL_BOGUS, VAL_EDE_BOGUS, "the answer is malformed");
	else
		val_response(&vm, qname, qtype, keys_cb, s, s->o.now, vr);
	val_msg_free(&vm);
	if (vr->status > s->val.status)
		s->val = *vr;
	tracef(s, "  dnssec: answer %s%s%s\n", val_status_str(vr->status),
	       vr->reason[0] ? ": " : "", vr->reason);
	return vr->status;
}

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

/* Count the RRSIG, NSEC and NSEC3 records of the last answer into out. */
static void count_dnssec(sim_t *s)
{
	msg_t mm;
	s->out->rrsigs = s->out->nsecs = 0;
	if (msg_open(&mm, s->resp, s->resp_len) != 0)
		return;
	while (msg_next(&mm, &s->rr) == 1) {
		if (s->rr.section == 0)
			continue;
		s->out->rrsigs += s->rr.type == RR_RRSIG;
		s->out->nsecs += s->rr.type == RR_NSEC || s->rr.type == RR_NSEC3;
	}
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
	/* Only the walk itself validates, not the NS names' addresses. */
	bool validate = s->validating && depth == 0;

	for (int step = 0; step < 64; step++) {
		char reasons[SIM_WHY_MAX] = "";
		if (ask(s, servers, nservers, zone, qname, qtype, m, reasons, sizeof(reasons)) !=
		    0) {
			char ztext[NAME_TEXT_MAX];
			name_to_text(zone, ztext, sizeof(ztext));
			/* zone is the root until the first referral: the
			 * servers the walk starts at, which need not serve it. */
			if (zone[0] == 0)
				text_setf(why, whycap, "no starting server answered usefully: %s",
					  reasons);
			else
				text_setf(why, whycap, "no server of %s answered usefully: %s",
					  ztext, reasons);
			r->cause = SIM_CAUSE_NO_ANSWER;
			memcpy(r->zone, zone, name_len(zone));
			break;
		}
		if (m->flags & DNS_AA) {
			r->by = s->last;
			if (depth == 0)
				count_dnssec(s);
			val_result_t vr;
			if (validate &&
			    answer_check(s, servers, nservers, qname, qtype, &vr) == VAL_BOGUS) {
				text_setf(why, whycap, "%s", vr.reason);
				r->cause = SIM_CAUSE_DNSSEC;
				r->ede = vr.ede;
				memcpy(r->zone, zone, name_len(zone));
				break;
			}
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
		/* A referral: its DS first, checked with the parent's keys. */
		uint8_t child_state = KEY_INSECURE;
		bool record = false; /* the child's state is news to the chain of trust */
		val_ds_t ds[SIM_MAX_DS];
		size_t nds = 0;
		val_result_t dr = { 0 };
		if (validate) {
			int pk = key_zone(s, key_deepest(s, zone));
			if (s->keys[pk].state != KEY_INSECURE) {
				child_state = referral_ds(s, servers, nservers, zone, m->ns_owner,
							  ds, &nds, &dr);
				record = true;
			}
			if (child_state == KEY_BOGUS) {
				text_setf(why, whycap, "%s", dr.reason);
				r->cause = SIM_CAUSE_DNSSEC;
				r->ede = dr.ede;
				memcpy(r->zone, zone, name_len(zone));
				break;
			}
		}
		if (depth == 0 && s->o.on_referral)
			s->o.on_referral(s->o.observer, zone, &s->last, m, s->resp, s->resp_len);
		/* The next servers are the NS names' addresses. */
		uint8_t parent[NAME_MAXLEN];
		memcpy(parent, zone, name_len(zone));
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
		int k = record ? key_add(s, zone) : -1;
		if (k >= 0 && (s->keys[k].state == KEY_PENDING || s->keys[k].state == KEY_INZONE)) {
			key_entry_t *e = &s->keys[k];
			e->state = child_state;
			e->anchor = false;
			e->why = dr;
			memcpy(e->from, parent, name_len(parent));
			memcpy(e->ds, ds, nds * sizeof(ds[0]));
			e->nds = nds;
			memcpy(e->servers, servers, nservers * sizeof(*servers));
			e->nservers = nservers;
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
	if (s->o.nanchor > 0 && s->o.anchor && nroots > 0) {
		/* The chain of trust starts at the root, with the anchor's DS. */
		s->keys = calloc(SIM_MAX_KEYS, sizeof(*s->keys));
		if (!s->keys) {
			free(s);
			free(r);
			return ST_ENOMEM;
		}
		s->validating = true;
		s->nkeys = 1;
		key_entry_t *root = &s->keys[0];
		root->state = KEY_PENDING;
		root->anchor = true;
		for (size_t i = 0; i < s->o.nanchor && root->nds < SIM_MAX_DS; i++)
			root->ds[root->nds++] = s->o.anchor[i];
		root->nservers = nroots < SIM_MAX_ADDRS ? nroots : SIM_MAX_ADDRS;
		memcpy(root->servers, roots, root->nservers * sizeof(*roots));
		s->val.status = VAL_SECURE;
	}
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
	if (s->validating) {
		if (out->answered) {
			out->dnssec = s->val.status == VAL_SECURE ? SIM_DNSSEC_SECURE
								  : SIM_DNSSEC_INSECURE;
			out->ad = out->dnssec == SIM_DNSSEC_SECURE;
			out->ede = s->val.ede;
			snprintf(out->dnssec_why, sizeof(out->dnssec_why), "%s", s->val.reason);
		} else if (out->cause == SIM_CAUSE_DNSSEC) {
			out->dnssec = SIM_DNSSEC_BOGUS;
			out->ede = r->ede;
			snprintf(out->dnssec_why, sizeof(out->dnssec_why), "%s", out->why);
		}
		for (size_t i = 0; i < s->nkeys; i++)
			free(s->keys[i].keydata);
		free(s->keys);
	}
	free(r);
	free(s);
	return ST_OK;
}
