/*
 * offline.c -- a hierarchy of zone files as the Internet has it.
 *
 * Each loaded zone is served at the addresses of its own NS names: the
 * child's addresses for names inside it, else the authoritative addresses
 * the loaded files hold (or, failing those, glue). One virtual server per
 * address, with the zones served there, and one made-up start server for
 * the top zones the files give no address for.
 */
#include "analysis/offline.h"

#include <stdlib.h>
#include <string.h>

#include "dns/rdata.h"

typedef struct pair {
	sim_addr_t addr;
	size_t zone; /* index in files->zones */
} pair_t;

typedef struct acc {
	pair_t *p;
	size_t n, cap;
	bool failed;
} acc_t;

static void add(acc_t *a, const sim_addr_t *addr, size_t zone)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->p[i].zone == zone && a->p[i].addr.len == addr->len &&
		    memcmp(a->p[i].addr.bytes, addr->bytes, addr->len) == 0)
			return;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		pair_t *np = realloc(a->p, cap * sizeof(*np));
		if (!np) {
			a->failed = true;
			return;
		}
		a->p = np;
		a->cap = cap;
	}
	a->p[a->n].addr = *addr;
	a->p[a->n].zone = zone;
	a->n++;
}

/* The A and AAAA records at node n, for zone index zi. */
static bool add_node(acc_t *a, const node_t *n, size_t zi)
{
	bool any = false;
	static const uint16_t types[2] = { RR_A, RR_AAAA };
	for (int t = 0; n && t < 2; t++) {
		const rrset_t *rs = node_rrset(n, types[t]);
		uint32_t pos = 0;
		const uint8_t *rd;
		uint16_t len;
		while (rs && rrset_next(rs, &pos, &rd, &len)) {
			if (len != (t ? 16 : 4))
				continue;
			sim_addr_t addr = { .len = (uint8_t)len };
			memcpy(addr.bytes, rd, len);
			add(a, &addr, zi);
			any = true;
		}
	}
	return any;
}

/* Where the NS name ns (lowercased) of zone zi answers, as the files say. */
static void ns_addrs(acc_t *a, const zoneset_t *files, size_t zi, const uint8_t *ns)
{
	const zone_t *z = files->zones[zi];
	size_t len = name_len(ns);
	if (name_is_sub(ns, zone_origin(z))) {
		add_node(a, zone_find(z, ns, len), zi);
		return;
	}
	const zone_t *auth = zoneset_find(files, ns);
	if (auth) {
		const node_t *n = zone_find(auth, ns, len);
		if (n && !n->cut && add_node(a, n, zi))
			return;
	}
	for (size_t k = 0; k < files->nzones; k++)
		add_node(a, zone_find(files->zones[k], ns, len), zi);
}

/* Is zone i below another loaded zone? */
static bool has_parent(const zoneset_t *files, size_t i)
{
	const uint8_t *o = zone_origin(files->zones[i]);
	for (size_t k = 0; k < files->nzones; k++)
		if (k != i && name_is_sub(o, zone_origin(files->zones[k])))
			return true;
	return false;
}

/* Does a have an address for zone i? */
static bool served(const acc_t *a, size_t i)
{
	for (size_t k = 0; k < a->n; k++)
		if (a->p[k].zone == i)
			return true;
	return false;
}

/* The made-up start server's address: the first of 100::1, 100::2, ...
 * (RFC 6666's discard-only prefix) that no NS name of the files has. */
static sim_addr_t start_addr(const acc_t *a)
{
	sim_addr_t s = { .len = 16, .bytes = { 0x01, 0x00 } };
	for (unsigned k = 1; k <= 0xFFFF; k++) {
		s.bytes[14] = (uint8_t)(k >> 8);
		s.bytes[15] = (uint8_t)k;
		bool used = false;
		for (size_t i = 0; i < a->n && !used; i++)
			used = sim_addr_equal(&a->p[i].addr, &s);
		if (!used)
			break;
	}
	return s;
}

static int cmp_pair(const void *x, const void *y)
{
	const pair_t *a = x, *b = y;
	if (a->addr.len != b->addr.len)
		return a->addr.len < b->addr.len ? -1 : 1;
	int c = memcmp(a->addr.bytes, b->addr.bytes, a->addr.len);
	if (c)
		return c;
	return a->zone < b->zone ? -1 : a->zone > b->zone;
}

int offline_build(const zoneset_t *files, offline_t *out)
{
	memset(out, 0, sizeof(*out));
	acc_t a = { 0 };
	uint8_t lname[NAME_MAXLEN];
	for (size_t i = 0; i < files->nzones; i++) {
		const rrset_t *ns = node_rrset(zone_apex(files->zones[i]), RR_NS);
		uint32_t pos = 0;
		const uint8_t *rd;
		uint16_t len;
		while (ns && rrset_next(ns, &pos, &rd, &len)) {
			name_lower(lname, rd);
			ns_addrs(&a, files, i, lname);
		}
	}
	if (a.failed)
		goto nomem;

	/* A top zone whose NS names have no address in the files (hosted at
	 * a provider whose zones are not loaded) is served by a made-up start
	 * server, so that the walk begins at it and follows its referrals to
	 * the loaded children. */
	out->start_zones = calloc(files->nzones ? files->nzones : 1, sizeof(*out->start_zones));
	if (!out->start_zones)
		goto nomem;
	for (size_t i = 0; i < files->nzones; i++)
		if (!has_parent(files, i) && !served(&a, i))
			out->start_zones[out->nstart++] = i;
	if (out->nstart > 0) {
		out->start = start_addr(&a);
		for (size_t i = 0; i < out->nstart; i++)
			add(&a, &out->start, out->start_zones[i]);
		if (a.failed)
			goto nomem;
	}
	qsort(a.p, a.n, sizeof(*a.p), cmp_pair);

	/* One server per distinct address; the roots are where the top zones
	 * (no loaded parent) are served. */
	out->addrs = calloc(a.n ? a.n : 1, sizeof(*out->addrs));
	out->servers = calloc(a.n ? a.n : 1, sizeof(*out->servers));
	out->roots = calloc(a.n ? a.n : 1, sizeof(*out->roots));
	size_t *which = calloc(files->nzones ? files->nzones : 1, sizeof(*which));
	if (!out->addrs || !out->servers || !out->roots || !which) {
		free(which);
		goto nomem;
	}
	for (size_t i = 0; i < a.n;) {
		size_t j = i, n = 0;
		bool root = false;
		while (j < a.n &&
		       cmp_pair(&(pair_t){ a.p[i].addr, 0 }, &(pair_t){ a.p[j].addr, 0 }) == 0) {
			which[n++] = a.p[j].zone;
			root = root || !has_parent(files, a.p[j].zone);
			j++;
		}
		check_server_t *cs = &out->servers[out->n];
		out->addrs[out->n] = a.p[i].addr;
		if (zoneset_subset(files, which, n, (zoneset_t **)&cs->zs) != ST_OK) {
			free(which);
			goto nomem;
		}
		cs->name = NULL;
		cs->addrs = &out->addrs[out->n];
		cs->naddrs = 1;
		out->n++;
		if (root)
			out->roots[out->nroots++] = a.p[i].addr;
		i = j;
	}
	free(which);
	free(a.p);
	return ST_OK;
nomem:
	free(a.p);
	offline_free(out);
	return ST_ENOMEM;
}

void offline_free(offline_t *o)
{
	for (size_t i = 0; o->servers && i < o->n; i++)
		zoneset_free((zoneset_t *)o->servers[i].zs);
	free(o->servers);
	free(o->addrs);
	free(o->roots);
	free(o->start_zones);
	memset(o, 0, sizeof(*o));
}

bool offline_outside(const zoneset_t *files, const sim_addr_t *addr, const uint8_t *lname,
		     uint16_t qtype)
{
	const zone_t *z = zoneset_find(files, lname);
	if (!z)
		return true;
	const node_t *n = zone_closest(z, lname, true);
	if (zone_origin(z)[0] == 0 && n == zone_apex(z) && lname[0] != 0)
		return true; /* a top-level domain the root file does not have */
	if (!n || !(n->flags & NODE_CUT) || (qtype == RR_DS && name_equal(n->name, lname)))
		return false;
	/* Below a delegation whose child is not loaded: its servers (the
	 * delegation's addresses) are unknown; its parent's still refer. */
	acc_t a = { 0 };
	uint32_t pos = 0;
	const uint8_t *rd;
	uint16_t len;
	uint8_t ns[NAME_MAXLEN];
	const rrset_t *nsset = node_rrset(n, RR_NS);
	while (nsset && rrset_next(nsset, &pos, &rd, &len)) {
		name_lower(ns, rd);
		add_node(&a, zone_find(z, ns, name_len(ns)), 0);
		for (size_t k = 0; k < files->nzones; k++)
			add_node(&a, zone_find(files->zones[k], ns, name_len(ns)), 0);
	}
	bool there = false;
	for (size_t i = 0; i < a.n && !there; i++)
		there = a.p[i].addr.len == addr->len &&
			memcmp(a.p[i].addr.bytes, addr->bytes, addr->len) == 0;
	free(a.p);
	return there;
}
