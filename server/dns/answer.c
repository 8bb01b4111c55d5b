/*
 * answer.c -- RFC 1034 4.3.2 as amended by RFC 9471, as a plan of RRsets.
 *
 * The whole decision: pick the deepest zone; find the closest encloser of
 * the name; if it lies at or below a cut, refer (DS at the cut excepted);
 * otherwise answer, follow a CNAME, synthesize from a wildcard, or deny.
 * Everything the plan points to is immutable zone data, so planning never
 * allocates and never copies.
 */
#include "dns/answer.h"

#include <stddef.h>
#include <string.h>

#include "dns/denial.h"
#include "dns/name.h"
#include "dns/rdata.h"

#define CNAME_MAX 8 /* chain length guard, as NSD's */

typedef struct ctx {
	const zoneset_t *zs;
	const query_t *q;
	plan_t *plan;
	explain_t *ex;
	/* The name being looked up: its length, and whether it is the
	 * question's (not a CNAME target). */
	size_t lnamelen;
	bool at_question;
} ctx_t;

static bool plan_has_from(const plan_t *p, uint16_t from, const rrset_t *rs)
{
	for (uint16_t i = from; i < p->n; i++)
		if (p->rr[i].rrset == rs)
			return true;
	return false;
}

static bool plan_has(const plan_t *p, const rrset_t *rs) { return plan_has_from(p, 0, rs); }

static plan_rr_t *plan_add(plan_t *p, uint8_t section, const uint8_t *owner, const rrset_t *rs)
{
	if (p->n >= PLAN_MAX || rs == NULL)
		return NULL;
	plan_rr_t *r = &p->rr[p->n++];
	r->owner = owner;
	r->qskip = 0;
	r->rrset = rs;
	r->ttl = PLAN_TTL_ZONE;
	r->section = section;
	r->required = false;
	r->sig = false;
	r->ns_index = -1;
	return r;
}

/* Signatures and proofs go in for a query with DO=1 to a signed zone. */
static bool dnssec(ctx_t *c, const zone_t *z)
{
	bool on = c->q->do_bit && zone_signed(z);
	if (on) {
		c->ex->dnssec = true;
		/* A DNSSEC fault the signer built in: the DS asked of the
		 * parent at its cut, else the zone's own. */
		if (c->ex->dfault == NULL)
			c->ex->dfault =
				zone_dnssec_fault_at(z, c->q->qtype == RR_DS ? c->q->lname : NULL);
	}
	return on;
}

/* With DNSSEC, the RRSIGs over the entry r just planned (its owner,
 * section and TTL set) go right after it. Returns r. */
static plan_rr_t *sign(ctx_t *c, const zone_t *z, plan_rr_t *r)
{
	if (!r || !dnssec(c, z))
		return r;
	const rrset_t *sig = zone_rrsigs(z, r->rrset);
	plan_rr_t *s = sig ? plan_add(c->plan, r->section, r->owner, sig) : NULL;
	if (s) {
		s->qskip = r->qskip;
		s->ttl = r->ttl;
		s->sig = true;
		c->plan->sigs = true;
	}
	return r;
}

/* A denial proof, signed, in AUTHORITY: each RRset once. */
static void add_proof(ctx_t *c, const zone_t *z, const denial_rr_t *d, int n)
{
	for (int i = 0; i < n; i++)
		if (!plan_has(c->plan, d[i].rrset))
			sign(c, z, plan_add(c->plan, SEC_AUTHORITY, d[i].owner, d[i].rrset));
}

/* Addresses of NS/MX/SRV targets, from the zone's precomputed list (with
 * their RRSIGs when they are the zone's own signed data). */
static void add_additional(ctx_t *c, const zone_t *z, const rrset_t *rs)
{
	plan_t *p = c->plan;
	if (!rs->addl)
		return;
	for (uint16_t i = 0; i < rs->count; i++) {
		const addl_t *a = &rs->addl[i];
		if (a->a && !plan_has(p, a->a))
			sign(c, z, plan_add(p, SEC_ADDITIONAL, a->target, a->a));
		if (a->aaaa && !plan_has(p, a->aaaa))
			sign(c, z, plan_add(p, SEC_ADDITIONAL, a->target, a->aaaa));
	}
}

/*
 * Add an RRset owned by name (namelen bytes), an ancestor of the name being
 * looked up (a cut, a zone's origin). When that name is the question's, the
 * owner is written as the question's suffix: the pointer the compressor
 * would find, without searching for it.
 */
static plan_rr_t *plan_add_above(ctx_t *c, uint8_t section, const uint8_t *name, size_t namelen,
				 const rrset_t *rs)
{
	if (!c->at_question || namelen > c->lnamelen)
		return plan_add(c->plan, section, name, rs);
	plan_rr_t *r = plan_add(c->plan, section, NULL, rs);
	if (r)
		r->qskip = (uint8_t)(c->lnamelen - namelen);
	return r;
}

static void add_negative(ctx_t *c, const zone_t *z, uint8_t kind)
{
	plan_rr_t *r =
		plan_add_above(c, SEC_AUTHORITY, zone_origin(z), zone_origin_len(z), zone_soa(z));
	if (r)
		r->ttl = zone_negative_ttl(z);
	sign(c, z, r);
	c->plan->kind = kind;
	if (kind == ANSWER_NXDOMAIN)
		c->plan->rcode = RCODE_NXDOMAIN;
}

/* Referral: NS in AUTHORITY, unsigned (the child's data); with DO, from a
 * signed zone, DS and its RRSIGs or the proof that the cut has no DS (an
 * unsigned parent has neither, and NSD and Knot send no DS then); glue by
 * class and rule, never signed. */
static void refer(ctx_t *c, const zone_t *z, const node_t *cut)
{
	plan_t *p = c->plan;
	explain_t *ex = c->ex;
	const glue_rule_t *rule;
	glue_rule_effective(z, cut, &c->zs->rule, &rule, &p->truncation);

	p->kind = ANSWER_REFERRAL;
	if (p->n == 0)
		p->aa = false; /* a referral only; after a CNAME the answer stays AA */
	plan_add_above(c, SEC_AUTHORITY, cut->name, cut->namelen, node_rrset(cut, RR_NS));
	if (c->q->do_bit && zone_signed(z))
		ex->dfault = zone_dnssec_fault_at(z, cut->name);
	if (dnssec(c, z)) {
		const rrset_t *ds = node_rrset(cut, RR_DS);
		if (ds) {
			sign(c, z, plan_add_above(c, SEC_AUTHORITY, cut->name, cut->namelen, ds));
		} else {
			denial_rr_t d[DENIAL_MAX];
			add_proof(c, z, d, denial_nodata(z, cut, d));
		}
	}

	bool wrong = rule->mode == GLUE_WRONG;
	ex->cut = cut->name;
	ex->policy = rule->mode;
	ex->ns_total = (uint8_t)(cut->nglue > 255 ? 255 : cut->nglue);
	ex->nns = 0;
	/* Which NS names the rule keeps glue for, decided once: bit i for
	 * the first 64, glue_rule_keeps again for any beyond. */
	uint64_t keep = 0;
	for (uint16_t i = 0; i < cut->nglue && i < 64; i++)
		if (glue_rule_keeps(rule, &cut->glue[i], i))
			keep |= 1ull << i;
	for (uint16_t i = 0; i < cut->nglue && ex->nns < EXPLAIN_MAX_NS; i++) {
		const glue_t *g = &cut->glue[i];
		explain_ns_t *e = &ex->ns[ex->nns++];
		e->name = g->name;
		e->cls = g->cls;
		e->n_a = (uint8_t)(g->a ? (g->a->count > 255 ? 255 : g->a->count) : 0);
		e->n_aaaa = (uint8_t)(g->aaaa ? (g->aaaa->count > 255 ? 255 : g->aaaa->count) : 0);
		if (g->cls == GLUE_CLASS_OUT_OF_ZONE)
			e->fate = FATE_OUT_OF_ZONE;
		else if (!g->a && !g->aaaa)
			e->fate = FATE_NO_ADDRESS;
		else if (!(keep >> i & 1) || (wrong && !g->wrong_a && !g->wrong_aaaa))
			e->fate = FATE_POLICY;
		else
			e->fate = wrong ? FATE_WRONG : FATE_ADDED;
	}

	/* Required glue first, then optional; within each, every A before
	 * any AAAA, so that a response cut short by size still carries an
	 * address for as many NS names as possible. */
	uint16_t first_glue = p->n;
	for (int required = 1; required >= 0; required--) {
		for (int k = 0; k < 2; k++) {
			for (uint16_t i = 0; i < cut->nglue; i++) {
				const glue_t *g = &cut->glue[i];
				if ((g->cls == GLUE_CLASS_IN_DOMAIN) != required)
					continue;
				if (i < 64 ? !(keep >> i & 1) : !glue_rule_keeps(rule, g, i))
					continue;
				const rrset_t *rs = k == 0 ? (wrong ? g->wrong_a : g->a)
							   : (wrong ? g->wrong_aaaa : g->aaaa);
				/* The same NS name listed twice reaches the same
				 * RRset twice: add it once. */
				if (!rs || plan_has_from(p, first_glue, rs))
					continue;
				plan_rr_t *r = plan_add(p, SEC_ADDITIONAL, g->name, rs);
				if (r) {
					r->required = required;
					r->ns_index = (int8_t)(i < EXPLAIN_MAX_NS ? i : -1);
				}
			}
		}
	}
}

/*
 * ANY (RFC 8482 4.1): one RRset, over UDP and TCP alike, the one NSD 4.6
 * gives for the node: in zone-file order the first A, AAAA, SOA, MX or
 * PTR; without one, the last RRset of another type; without one of those,
 * the last DNSKEY, NSEC or RRSIG. NSEC3 is never the answer, nor RRSIG
 * with DO in a signed zone (signatures go with what they sign). Returns
 * false when nothing is left (NODATA).
 */
static bool answer_any(ctx_t *c, const zone_t *z, const node_t *n, const uint8_t *owner)
{
	const rrset_t *pick[3] = { NULL, NULL, NULL }; /* preferred, other, last resort */
	bool no_sigs = c->q->do_bit && zone_signed(z);
	for (uint16_t i = 0; i < n->nrrsets; i++) {
		const rrset_t *rs = &n->rrsets[i];
		int k = 1;
		switch (rs->type) {
		case RR_A:
		case RR_AAAA:
		case RR_SOA:
		case RR_MX:
		case RR_PTR:
			k = 0;
			break;
		case RR_NSEC3:
			continue;
		case RR_RRSIG:
			if (no_sigs)
				continue;
			k = 2;
			break;
		case RR_DNSKEY:
		case RR_NSEC:
			k = 2;
			break;
		default:
			break;
		}
		if (!pick[k] || (k == 0 ? rs->seq < pick[k]->seq : rs->seq >= pick[k]->seq))
			pick[k] = rs;
	}
	for (int k = 0; k < 3; k++) {
		if (pick[k]) {
			sign(c, z, plan_add(c->plan, SEC_ANSWER, owner, pick[k]));
			return true;
		}
	}
	return false;
}

/*
 * Answer from node n (an exact match or a wildcard standing in for the
 * name). Returns the CNAME target to follow, or NULL when done.
 */
static const uint8_t *answer_node(ctx_t *c, const zone_t *z, const node_t *n, const uint8_t *owner)
{
	uint16_t qtype = c->q->qtype;
	if (n->nrrsets == 0) {
		add_negative(c, z, ANSWER_NODATA); /* empty non-terminal */
		return NULL;
	}
	if (qtype == RR_ANY) {
		if (answer_any(c, z, n, owner))
			c->plan->kind = ANSWER_POSITIVE;
		else
			add_negative(c, z, ANSWER_NODATA);
		return NULL;
	}
	if (qtype == RR_RRSIG && zone_signed(z)) {
		/* Every RRSIG at the name, each group with its own TTL. */
		uint16_t before = c->plan->n;
		for (uint16_t i = 0; i < n->nrrsets; i++) {
			const rrset_t *sig = zone_rrsigs(z, &n->rrsets[i]);
			if (sig)
				plan_add(c->plan, SEC_ANSWER, owner, sig);
		}
		if (c->plan->n > before) {
			c->plan->kind = ANSWER_POSITIVE;
			return NULL;
		}
	}
	const rrset_t *rs = node_rrset(n, qtype);
	if (rs) {
		sign(c, z, plan_add(c->plan, SEC_ANSWER, owner, rs));
		add_additional(c, z, rs);
		c->plan->kind = ANSWER_POSITIVE;
		return NULL;
	}
	const rrset_t *cname = node_rrset(n, RR_CNAME);
	if (cname) {
		sign(c, z, plan_add(c->plan, SEC_ANSWER, owner, cname));
		c->plan->kind = ANSWER_POSITIVE;
		return cname->data + 2; /* the one record's rdata: the target */
	}
	add_negative(c, z, ANSWER_NODATA);
	return NULL;
}

/*
 * One step of the lookup in zone z for lname (lowercased); owner is the
 * name to write (NULL = the question). Returns the CNAME target to follow.
 */
static const uint8_t *lookup(ctx_t *c, const zone_t *z, const uint8_t *lname, const uint8_t *owner,
			     int step)
{
	/* The closest encloser, or the topmost cut above the name, which is
	 * all a referral needs. */
	const node_t *n = zone_closest(z, lname, true);
	c->lnamelen = name_len(lname);
	c->at_question = owner == NULL;
	bool exact = n->namelen == c->lnamelen;
	denial_rr_t d[DENIAL_MAX];

	if (n->cut) {
		/* DS at the cut is the parent's own data (RFC 4035 3.1.4.1). */
		if (exact && n == n->cut && c->q->qtype == RR_DS && step == 0) {
			const rrset_t *ds = node_rrset(n, RR_DS);
			if (ds) {
				sign(c, z, plan_add(c->plan, SEC_ANSWER, owner, ds));
				c->plan->kind = ANSWER_POSITIVE;
			} else {
				add_negative(c, z, ANSWER_NODATA);
				if (dnssec(c, z))
					add_proof(c, z, d, denial_nodata(z, n, d));
			}
			return NULL;
		}
		refer(c, z, n->cut);
		return NULL;
	}
	if (exact) {
		const uint8_t *next = answer_node(c, z, n, owner);
		if (c->plan->kind == ANSWER_NODATA && dnssec(c, z))
			add_proof(c, z, d, denial_nodata(z, n, d));
		return next;
	}

	if (n->flags & NODE_WILDCARD_CHILD) {
		uint8_t wild[NAME_MAXLEN];
		size_t wl = 2u + n->namelen;
		if (wl <= NAME_MAXLEN) {
			wild[0] = 1, wild[1] = '*';
			memcpy(wild + 2, n->name, n->namelen);
			const node_t *w = zone_find(z, wild, wl);
			if (w) {
				c->ex->wildcard = true;
				const uint8_t *next = answer_node(c, z, w, owner);
				if (!dnssec(c, z))
					return next;
				/* The proof that no closer name exists (RFC 4035
				 * 3.1.3.3, RFC 5155 7.2.5 and 7.2.6). */
				if (c->plan->kind == ANSWER_NODATA)
					add_proof(c, z, d,
						  denial_wildcard_nodata(z, n, w, lname, d));
				else
					add_proof(c, z, d, denial_wildcard(z, n, lname, d));
				return next;
			}
		}
	}
	add_negative(c, z, ANSWER_NXDOMAIN);
	if (dnssec(c, z))
		add_proof(c, z, d, denial_nxdomain(z, n, lname, d));
	return NULL;
}

/* Faults that replace the answer entirely. Returns true when handled. */
static bool apply_fault(ctx_t *c, const fault_rt_t *f)
{
	plan_t *p = c->plan;
	switch (f->f.action) {
	case FAULT_REFUSE:
	case FAULT_SERVFAIL:
		p->kind = ANSWER_FAULT;
		p->rcode = f->f.action == FAULT_REFUSE ? RCODE_REFUSED : RCODE_SERVFAIL;
		p->aa = false;
		if (f->f.has_ede)
			p->ede = (ede_t){ true, f->f.ede_textlen, f->f.ede_code, f->f.ede_text };
		return true;
	case FAULT_DROP:
		p->kind = ANSWER_FAULT;
		p->drop = true;
		return true;
	case FAULT_UPWARD:
		/* What a lame server often says: go ask the root. */
		p->kind = ANSWER_REFERRAL;
		p->aa = false;
		plan_add(p, SEC_AUTHORITY, (const uint8_t *)"", f->upward);
		c->ex->cut = (const uint8_t *)"";
		return true;
	default:
		return false; /* delay and lame shape the normal answer */
	}
}

void answer_plan(const zoneset_t *zs, const query_t *q, bool tcp, plan_t *plan, explain_t *ex)
{
	size_t zi;
	const zone_t *z = zoneset_find_at(zs, q->lname, &zi);
	answer_plan_in(zs, q, tcp, z, zi, plan, ex);
}

void answer_explain_where(const zoneset_t *zs, explain_t *ex)
{
	const zone_t *z = NULL;
	const node_t *cut = NULL;
	if (ex->zone_slot > 0 && ex->zone_slot <= zs->nzones)
		z = zs->zones[ex->zone_slot - 1];
	if (z && ex->kind == ANSWER_REFERRAL && ex->cut)
		cut = zone_find(z, ex->cut, name_len(ex->cut));
	zoneset_rule_where(zs, z, cut, &ex->policy_where, &ex->truncation_where);
}

void answer_plan_in(const zoneset_t *zs, const query_t *q, bool tcp, const zone_t *z, size_t zi,
		    plan_t *plan, explain_t *ex)
{
	explain_t local;
	if (!ex)
		ex = &local;
	/* All but the NS entries, of which only the first nns are read. */
	memset(ex, 0, offsetof(explain_t, ns));
	memset(&ex->wildcard, 0, sizeof(*ex) - offsetof(explain_t, wildcard));
	plan->n = 0;
	plan->sigs = false;
	plan->rcode = RCODE_NOERROR;
	plan->aa = true;
	plan->drop = false;
	plan->delay_ms = 0;
	plan->ede = (ede_t){ 0 };
	plan->kind = ANSWER_POSITIVE;
	plan->truncation = zs->rule.truncation;

	ctx_t c = { zs, q, plan, ex, 0, false };
	const uint8_t *lname = q->lname;

	/* DS at a zone's apex belongs to the parent zone, if served here. */
	if (z && q->qtype == RR_DS && lname[0] != 0 && name_equal(lname, zone_origin(z))) {
		size_t pi;
		const zone_t *parent = zoneset_find_at(zs, name_skip(lname, 1), &pi);
		if (parent)
			z = parent, zi = pi;
	}
	if (z) {
		ex->zone = zone_origin(z);
		ex->zone_slot = (uint32_t)zi + 1;
	}

	const fault_rt_t *fault = zoneset_fault(zs, zi, lname, q->qtype);
	if (fault) {
		ex->fault = &fault->f;
		if (apply_fault(&c, fault))
			goto done;
		if (fault->f.action == FAULT_DELAY)
			plan->delay_ms = fault->f.delay_ms;
	}
	if (!z) {
		/* As NSD and Knot say it: EDE 20, no text (RFC 8914 4.21). */
		plan->kind = ANSWER_REFUSED;
		plan->rcode = RCODE_REFUSED;
		plan->aa = false;
		plan->ede = EDE_CODE(EDE_NOT_AUTHORITATIVE);
		goto done;
	}
	const glue_rule_t *unused;
	glue_rule_effective(z, NULL, &zs->rule, &unused, &plan->truncation);

	uint8_t target[NAME_MAXLEN];
	const uint8_t *owner = NULL;
	for (int step = 0;; step++) {
		const uint8_t *next = lookup(&c, z, lname, owner, step);
		if (!next || step + 1 >= CNAME_MAX)
			break;
		/* Follow the CNAME inside the zones served here. */
		name_lower(target, next);
		const zone_t *nz = zoneset_find(zs, target);
		if (!nz)
			break;
		/* A loop shows up as a target already in the answer. */
		bool seen = false;
		for (uint16_t i = 0; i < plan->n; i++) {
			const uint8_t *o = plan->rr[i].owner ? plan->rr[i].owner
							     : q->qname + plan->rr[i].qskip;
			if (plan->rr[i].section == SEC_ANSWER && name_equal(o, target))
				seen = true;
		}
		if (seen)
			break;
		ex->cnames++;
		owner = next;
		lname = target;
		z = nz;
	}
	/* A CNAME step's proofs went into AUTHORITY before the next step's
	 * answer: sections in order again, each entry's RRSIGs still after it. */
	for (uint16_t i = 1; i < plan->n; i++) {
		if (plan->rr[i].section >= plan->rr[i - 1].section)
			continue;
		plan_rr_t t = plan->rr[i];
		uint16_t j = i;
		for (; j > 0 && plan->rr[j - 1].section > t.section; j--)
			plan->rr[j] = plan->rr[j - 1];
		plan->rr[j] = t;
	}
	if (plan->kind == ANSWER_REFERRAL && plan->n > 0 && plan->rr[0].section == SEC_ANSWER)
		plan->aa = true;
	if (fault && fault->f.action == FAULT_LAME)
		plan->aa = false; /* the data, without authority */
done:
	/* "always" truncates UDP answers only: TCP is where the client goes. */
	if (plan->truncation == TRUNC_ALWAYS && tcp)
		plan->truncation = TRUNC_RFC9471;
	ex->kind = plan->kind;
	ex->truncation = plan->truncation;
	ex->delay_ms = plan->delay_ms;
}

const char *answer_kind_str(uint8_t kind)
{
	static const char *const s[] = {
		[ANSWER_POSITIVE] = "answer",   [ANSWER_NODATA] = "nodata",
		[ANSWER_NXDOMAIN] = "nxdomain", [ANSWER_REFERRAL] = "referral",
		[ANSWER_REFUSED] = "refused",   [ANSWER_ERROR] = "error",
		[ANSWER_FAULT] = "fault",
	};
	return kind < sizeof(s) / sizeof(s[0]) ? s[kind] : "?";
}

const char *glue_class_str(uint8_t cls)
{
	static const char *const s[] = {
		[GLUE_CLASS_IN_DOMAIN] = "in-domain",
		[GLUE_CLASS_SIBLING] = "sibling",
		[GLUE_CLASS_IN_ZONE] = "in-zone",
		[GLUE_CLASS_OUT_OF_ZONE] = "out-of-zone",
	};
	return cls < sizeof(s) / sizeof(s[0]) ? s[cls] : "?";
}

const char *glue_fate_str(uint8_t fate)
{
	static const char *const s[] = {
		[FATE_ADDED] = "glue",        [FATE_NO_ADDRESS] = "no-address",
		[FATE_OUT_OF_ZONE] = "never", [FATE_POLICY] = "policy",
		[FATE_SIZE] = "size",         [FATE_WRONG] = "wrong",
	};
	return fate < sizeof(s) / sizeof(s[0]) ? s[fate] : "?";
}
