/*
 * zoneset.c -- load a virtual server's zones and apply its policies.
 */
#include "dns/zone_build.h"
#include "dns/zoneset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/wire.h"
#include "dns/journal.h"
#include "dns/xfr.h"
#include "dns/xfrin.h"
#include "dnssec/sign.h"

void zoneset_free(zoneset_t *zs)
{
	if (!zs)
		return;
	if (zs->journal)
		for (size_t i = 0; i < zs->nzones && !zs->borrowed; i++)
			journal_release(zs->journal[i]);
	free(zs->xfr);
	free(zs->journal);
	if (zs->borrowed) {
		free(zs->zones);
		free(zs->zfaults);
		free(zs->nzfaults);
		free(zs);
		return;
	}
	for (size_t i = 0; i < zs->nzones; i++)
		zone_free(zs->zones[i]);
	free(zs->zones);
	free(zs->faults);
	if (zs->zfaults)
		for (size_t i = 0; i < zs->nzones; i++)
			free(zs->zfaults[i]);
	free(zs->zfaults);
	free(zs->nzfaults);
	free(zs->rules);
	free(zs->name);
	arena_free(&zs->arena);
	free(zs);
}

/* A level's where, field by field (rule_slot_t): the gluectl mark of
 * zoneset.h says which field gluectl set; the other is the file's. */
static void where_split(const char *where, char glue[96], char trunc[96])
{
	const char *mark = strstr(where, RULE_WHERE_MARK RULE_WHERE_CONTROL ": ");
	const char *field = NULL;
	size_t base = 0;
	if (mark != NULL) {
		field = mark + strlen(RULE_WHERE_MARK);
		base = (size_t)(mark - where);
	} else if (strncmp(where, RULE_WHERE_CONTROL ": ", strlen(RULE_WHERE_CONTROL) + 2) == 0) {
		field = where;
	}
	snprintf(glue, 96, "%s", where);
	snprintf(trunc, 96, "%s", where);
	if (field == NULL)
		return;
	bool g = strcmp(field, RULE_WHERE_CONTROL_GLUE) == 0;
	snprintf(g ? glue : trunc, 96, "%s", RULE_WHERE_CONTROL);
	snprintf(g ? trunc : glue, 96, "%.*s", (int)base, where);
}

static void slot_set(rule_slot_t *slot, const glue_rule_t *rule, const char *where)
{
	slot->rule = *rule;
	snprintf(slot->where, sizeof(slot->where), "%s", where);
	where_split(where, slot->glue_where, slot->truncation_where);
}

/* The server's rule: INHERIT at the top means the RFC defaults. */
static glue_rule_t server_rule(const glue_rule_t *r)
{
	glue_rule_t out = *r;
	if (out.mode == GLUE_INHERIT)
		out.mode = GLUE_FULL;
	if (out.truncation == TRUNC_INHERIT)
		out.truncation = TRUNC_RFC9471;
	return out;
}

static zoneset_t *zoneset_new(size_t nzones)
{
	zoneset_t *zs = calloc(1, sizeof(*zs));
	if (!zs)
		return NULL;
	arena_init(&zs->arena);
	zs->zones = calloc(nzones ? nzones : 1, sizeof(*zs->zones));
	zs->zfaults = calloc(nzones ? nzones : 1, sizeof(*zs->zfaults));
	zs->nzfaults = calloc(nzones ? nzones : 1, sizeof(*zs->nzfaults));
	zs->xfr = calloc(nzones ? nzones : 1, sizeof(*zs->xfr));
	zs->journal = calloc(nzones ? nzones : 1, sizeof(*zs->journal));
	if (!zs->zones || !zs->zfaults || !zs->nzfaults || !zs->xfr || !zs->journal) {
		zoneset_free(zs);
		return NULL;
	}
	return zs;
}

static int check_duplicates(zoneset_t *zs, char *err, size_t errcap)
{
	for (size_t i = 0; i < zs->nzones; i++) {
		for (size_t j = 0; j < i; j++) {
			if (!name_equal(zone_origin(zs->zones[i]), zone_origin(zs->zones[j])))
				continue;
			char origin[NAME_TEXT_MAX];
			name_to_text(zone_origin(zs->zones[i]), origin, sizeof(origin));
			snprintf(err, errcap, "%s: zone %s is already loaded from %s",
				 zone_file(zs->zones[i]), origin, zone_file(zs->zones[j]));
			return ST_EEXIST;
		}
	}
	return ST_OK;
}

int zoneset_from_zones(zone_t **zones, size_t n, uint8_t glue_mode, zoneset_t **out, char *err,
		       size_t errcap)
{
	zoneset_t *zs = zoneset_new(n);
	if (!zs) {
		for (size_t i = 0; i < n; i++)
			zone_free(zones[i]);
		snprintf(err, errcap, "out of memory");
		return ST_ENOMEM;
	}
	memcpy(zs->zones, zones, n * sizeof(*zones));
	zs->nzones = n;
	zs->rule = server_rule(&(glue_rule_t){ .mode = glue_mode, .truncation = TRUNC_INHERIT });
	snprintf(zs->truncation_where, sizeof(zs->truncation_where), "default");
	int rc = check_duplicates(zs, err, errcap);
	for (size_t i = 0; rc == ST_OK && i < n; i++)
		rc = zone_prepare_rules(zs->zones[i], &zs->rule);
	if (rc != ST_OK) {
		if (rc == ST_ENOMEM)
			snprintf(err, errcap, "out of memory");
		zoneset_free(zs);
		return rc;
	}
	*out = zs;
	return ST_OK;
}

int zoneset_subset(const zoneset_t *of, const size_t *which, size_t n, zoneset_t **out)
{
	zoneset_t *zs = zoneset_new(n);
	if (!zs)
		return ST_ENOMEM;
	zs->borrowed = true;
	zs->name = of->name;
	zs->rule = of->rule;
	memcpy(zs->where, of->where, sizeof(zs->where));
	memcpy(zs->glue_where, of->glue_where, sizeof(zs->glue_where));
	memcpy(zs->truncation_where, of->truncation_where, sizeof(zs->truncation_where));
	zs->rules = of->rules; /* for zoneset_rule_where; the subset frees none */
	zs->nrules = of->nrules;
	zs->faults = of->faults;
	zs->nfaults = of->nfaults;
	for (size_t i = 0; i < n; i++) {
		zs->zones[i] = of->zones[which[i]];
		zs->zfaults[i] = of->zfaults[which[i]];
		zs->nzfaults[i] = of->nzfaults[which[i]];
	}
	zs->nzones = n;
	*out = zs;
	return ST_OK;
}

/* ". NS name..." for an upward referral, in the zoneset's arena. */
static const rrset_t *upward_rrset(zoneset_t *zs, const fault_t *f)
{
	size_t bytes = 0;
	for (uint8_t i = 0; i < f->nupward; i++)
		bytes += 2 + name_len(f->upward[i]);
	rrset_t *rs = arena_calloc(&zs->arena, sizeof(*rs));
	uint8_t *data = arena_alloc(&zs->arena, bytes ? bytes : 1);
	if (!rs || !data)
		return NULL;
	size_t pos = 0;
	for (uint8_t i = 0; i < f->nupward; i++) {
		size_t l = name_len(f->upward[i]);
		wire_put16(data + pos, (uint16_t)l);
		memcpy(data + pos + 2, f->upward[i], l);
		pos += 2 + l;
	}
	rs->type = RR_NS;
	rs->count = f->nupward;
	rs->ttl = 518400; /* the root NS TTL */
	rs->data = data;
	rs->datalen = (uint32_t)pos;
	return rs;
}

static int copy_faults(zoneset_t *zs, const fault_t *src, size_t n, fault_rt_t **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (n == 0)
		return ST_OK;
	fault_rt_t *f = calloc(n, sizeof(*f));
	if (!f)
		return ST_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		f[i].f = src[i];
		if (f[i].f.every == 0)
			f[i].f.every = 1;
		atomic_init(&f[i].seen, 0);
		if (src[i].action == FAULT_UPWARD) {
			if (src[i].nupward == 0) {
				/* The usual upward referral points at the root. */
				memcpy(f[i].f.upward[0], "\1a\014root-servers\3net\0", 20);
				f[i].f.nupward = 1;
			}
			if (!(f[i].upward = upward_rrset(zs, &f[i].f))) {
				free(f);
				return ST_ENOMEM;
			}
		}
	}
	*out = f;
	*nout = n;
	return ST_OK;
}

/* Signing at load: every zone glued signs keeps its key in its key
 * directory ("keys/" beside its zone file unless configured), made there
 * on first use (dnssec/key.h). */
#define PATH_MAX_KEYDIR 4096
#define SIGN_BACKDATE 3600u /* RRSIGs valid from an hour before the load, for clock skew */

static bool signs(const server_spec_t *s, const zone_spec_t *z, dnssec_spec_t *e)
{
	dnssec_spec_effective(&s->dnssec, &z->dnssec, e);
	return e->mode == DNSSEC_SIGN;
}

static void key_dir(const dnssec_spec_t *e, const char *file, char *dir, size_t cap)
{
	const char *slash = file ? strrchr(file, '/') : NULL;
	if (e->keydir != NULL)
		snprintf(dir, cap, "%s", e->keydir);
	else if (slash == NULL)
		snprintf(dir, cap, "keys");
	else
		snprintf(dir, cap, "%.*s/keys", (int)(slash - file), file);
}

/* The zone's key, made now if it is new. */
static int zone_key(const dnssec_spec_t *e, const zone_spec_t *z, const uint8_t *origin,
		    dnskey_t *k, char *err, size_t errcap)
{
	char dir[PATH_MAX_KEYDIR];
	key_dir(e, z->file, dir, sizeof(dir));
	return dnskey_get(dir, origin, e->algorithm, DNSKEY_FLAG_ZONE | DNSKEY_FLAG_SEP, k, NULL,
			  err, errcap);
}

/* The DS of child lname when a server of the view signs it (the first zone
 * with that origin, as configured), for the DNSKEY the child serves (its
 * dnskey: faults change it). Its key is made now if it is new: the child's
 * own load then finds it. */
static bool child_ds(void *ctx, const uint8_t *lname, uint8_t ds[DS_SHA256_RDLEN])
{
	const server_spec_t *self = ctx;
	size_t n = self->view ? self->nview : 1;
	for (size_t v = 0; v < n; v++) {
		const server_spec_t *s = self->view ? self->view[v] : self;
		for (size_t i = 0; i < s->nzones; i++) {
			const zone_spec_t *z = &s->zones[i];
			uint8_t o[NAME_MAXLEN];
			dnssec_spec_t e;
			if (!z->origin || !signs(s, z, &e) ||
			    name_from_text(z->origin, strlen(z->origin), (const uint8_t *)"", o) <
				    0)
				continue;
			name_lower(o, o);
			if (!name_equal(o, lname))
				continue;
			char err[256];
			dnskey_t k = { 0 };
			uint8_t rd[DNSKEY_RDATA_MAX];
			uint16_t rdlen = 0;
			bool ok = zone_key(&e, z, o, &k, err, sizeof(err)) == ST_OK;
			if (ok) {
				sign_served_dnskey(&k, z->dfaults, z->ndfaults, rd, &rdlen);
				ok = dnskey_ds(o, rd, rdlen, ds) == ST_OK;
			}
			dnskey_free(&k);
			return ok;
		}
	}
	return false;
}

/* Replace *zp by its signed self. */
static int sign_zone(const server_spec_t *spec, const zone_spec_t *zsp, const dnssec_spec_t *e,
		     zone_t **zp, zone_warn_cb warn, void *warn_ctx, char *err, size_t errcap)
{
	dnskey_t k = { 0 };
	int rc = zone_key(e, zsp, zone_origin(*zp), &k, err, errcap);
	if (rc != ST_OK)
		return rc;
	uint32_t now = (uint32_t)time(NULL);
	sign_opts_t o = { .key = &k,
			  .inception = now - SIGN_BACKDATE,
			  .expiration = now + e->validity,
			  .denial = e->denial,
			  .iterations = e->iterations,
			  .saltlen = e->saltlen,
			  .salt = e->salt,
			  .optout = e->optout == 2,
			  .child_ds = child_ds,
			  .ctx = (void *)spec,
			  .faults = zsp->dfaults,
			  .nfaults = zsp->ndfaults };
	/* nsec3: iterations N signs with NSEC3 and N iterations. */
	for (size_t i = 0; i < zsp->ndfaults; i++) {
		if (!zsp->dfaults[i].at_cut && zsp->dfaults[i].kind == DF_NSEC3) {
			o.denial = DNSSEC_DENIAL_NSEC3;
			o.iterations = zsp->dfaults[i].iterations;
		}
	}
	zone_t *signed_zone = NULL;
	rc = zone_sign(*zp, &o, warn, warn_ctx, &signed_zone, err, errcap);
	dnskey_free(&k);
	if (rc != ST_OK)
		return rc;
	zone_free(*zp);
	*zp = signed_zone;
	return ST_OK;
}

/* Load zone i of the server, sign it if it is to be, and apply its rules
 * and faults. */
static int load_zone(zoneset_t *zs, const server_spec_t *spec, const zone_spec_t *zsp, size_t i,
		     zone_warn_cb warn, void *warn_ctx, char *err, size_t errcap)
{
	uint8_t origin[NAME_MAXLEN];
	const uint8_t *op = NULL;
	int rc;
	if (zsp->origin) {
		rc = name_from_text(zsp->origin, strlen(zsp->origin), (const uint8_t *)"", origin);
		if (rc < 0) {
			snprintf(err, errcap, "%s: bad zone origin '%s': %s", zsp->file,
				 zsp->origin, status_str(rc));
			return rc;
		}
		op = origin;
	}
	if (zsp->copy)
		rc = zone_load_source(zsp->copy->source, zone_copy_source, (void *)zsp->copy,
				      zsp->copy->recs.len, op, warn, warn_ctx, &zs->zones[i], err,
				      errcap);
	else if (zsp->file)
		rc = zone_load(zsp->file, op, warn, warn_ctx, &zs->zones[i], err, errcap);
	else
		rc = ST_EINVAL,
		snprintf(err, errcap, "%s: zone %s has no copy from its primary yet", zsp->where,
			 zsp->origin ? zsp->origin : "?");
	dnssec_spec_t e;
	if (rc == ST_OK && signs(spec, zsp, &e))
		rc = sign_zone(spec, zsp, &e, &zs->zones[i], warn, warn_ctx, err, errcap);
	if (rc != ST_OK)
		return rc;
	zone_t *z = zs->zones[i];
	if (zsp->ndfaults > 0) {
		size_t bytes = zsp->ndfaults * sizeof(*zsp->dfaults);
		dnssec_fault_t *df = arena_alloc_align(&zs->arena, bytes, _Alignof(dnssec_fault_t));
		if (df == NULL) {
			snprintf(err, errcap, "%s: out of memory", zsp->file);
			return ST_ENOMEM;
		}
		memcpy(df, zsp->dfaults, bytes);
		zone_set_dnssec_faults(z, df, zsp->ndfaults);
	}

	rule_slot_t *zr = &zs->rules[zs->nrules++];
	slot_set(zr, &zsp->rule, zsp->where);
	zone_set_rule(z, &zr->rule);
	for (size_t d = 0; d < zsp->ndelegs; d++) {
		rule_slot_t *dr = &zs->rules[zs->nrules++];
		slot_set(dr, &zsp->delegs[d].rule, zsp->delegs[d].where);
		rc = zone_set_cut_rule(z, zsp->delegs[d].name, &dr->rule);
		if (rc != ST_OK) {
			char dname[NAME_TEXT_MAX], zname[NAME_TEXT_MAX];
			name_to_text(zsp->delegs[d].name, dname, sizeof(dname));
			name_to_text(zone_origin(z), zname, sizeof(zname));
			snprintf(err, errcap, "%s: %s is not a delegation of zone %s (%s)",
				 zsp->delegs[d].where[0] ? zsp->delegs[d].where : zsp->file, dname,
				 zname,
				 rc == ST_ENOENT ? "no such name in the zone"
						 : "no NS records there, or it is the apex");
			rc = ST_EINVAL;
			break;
		}
	}
	if (rc == ST_OK)
		rc = copy_faults(zs, zsp->faults, zsp->nfaults, &zs->zfaults[i], &zs->nzfaults[i]);
	if (rc == ST_OK)
		rc = zone_prepare_rules(z, &zs->rule);
	if (rc == ST_OK && zsp->xfr) {
		xfr_spec_t *x = arena_alloc_align(&zs->arena, sizeof(*x), _Alignof(xfr_spec_t));
		if (x == NULL)
			return ST_ENOMEM;
		*x = *zsp->xfr;
		zs->xfr[i] = x;
		zs->nxfr++;
	}
	return rc;
}

int zoneset_load(const server_spec_t *spec, zone_warn_cb warn, void *warn_ctx, zoneset_t **out,
		 char *err, size_t errcap)
{
	return zoneset_load_each(spec, warn, warn_ctx, NULL, NULL, out, err, errcap);
}

int zoneset_load_each(const server_spec_t *spec, zone_warn_cb warn, void *warn_ctx,
		      zoneset_zone_cb each, void *each_ctx, zoneset_t **out, char *err,
		      size_t errcap)
{
	bool failed = false;
	zoneset_t *zs = zoneset_new(spec->nzones);
	size_t nrules = spec->nzones;
	for (size_t i = 0; i < spec->nzones; i++)
		nrules += spec->zones[i].ndelegs;
	if (zs)
		zs->rules = calloc(nrules ? nrules : 1, sizeof(*zs->rules));
	if (!zs || !zs->rules || (spec->name && !(zs->name = strdup(spec->name)))) {
		zoneset_free(zs);
		snprintf(err, errcap, "out of memory");
		return ST_ENOMEM;
	}
	snprintf(zs->where, sizeof(zs->where), "%s", spec->where);
	zs->rule = server_rule(&spec->rule);
	where_split(spec->where, zs->glue_where, zs->truncation_where);
	if (spec->rule.mode == GLUE_INHERIT)
		snprintf(zs->glue_where, sizeof(zs->glue_where), "default");
	if (spec->rule.truncation == TRUNC_INHERIT)
		snprintf(zs->truncation_where, sizeof(zs->truncation_where), "default");
	int rc = copy_faults(zs, spec->faults, spec->nfaults, &zs->faults, &zs->nfaults);

	for (size_t i = 0; rc == ST_OK && i < spec->nzones; i++) {
		zs->nzones = i + 1; /* zones[i] is freed with the set if it fails */
		rc = load_zone(zs, spec, &spec->zones[i], i, warn, warn_ctx, err, errcap);
		if (each && rc != ST_ENOMEM) {
			each(each_ctx, i, rc, err, rc == ST_OK ? zs->zones[i] : NULL);
			if (rc != ST_OK) {
				/* Go on with the next zone: the checker names them all. */
				zone_free(zs->zones[i]);
				zs->zones[i] = NULL;
				failed = true;
				rc = ST_OK;
			}
		}
	}
	if (rc == ST_OK && spec->nwaiting > 0) {
		zs->waiting = arena_alloc_align(&zs->arena, spec->nwaiting * sizeof(*zs->waiting),
						_Alignof(zoneset_waiting_t));
		rc = zs->waiting ? ST_OK : ST_ENOMEM;
	}
	for (size_t i = 0; rc == ST_OK && i < spec->nwaiting; i++) {
		const zone_spec_t *w = &spec->waiting[i];
		zoneset_waiting_t *zw = &zs->waiting[zs->nwaiting];
		if (!w->xfr || !w->origin ||
		    name_from_text(w->origin, strlen(w->origin), (const uint8_t *)"", zw->origin) <
			    0)
			continue;
		name_lower(zw->origin, zw->origin);
		zw->xfr = arena_alloc_align(&zs->arena, sizeof(xfr_spec_t), _Alignof(xfr_spec_t));
		if (zw->xfr == NULL) {
			rc = ST_ENOMEM;
			break;
		}
		*zw->xfr = *w->xfr;
		zs->nwaiting++;
		zs->nxfr++;
	}
	if (rc == ST_OK && failed)
		rc = ST_EINVAL;
	if (rc == ST_OK)
		rc = check_duplicates(zs, err, errcap);
	if (rc != ST_OK) {
		if (rc == ST_ENOMEM)
			snprintf(err, errcap, "out of memory");
		zoneset_free(zs);
		return rc < 0 ? rc : ST_EINVAL;
	}
	*out = zs;
	return ST_OK;
}

void zoneset_set_journal(zoneset_t *zs, size_t i, const journal_t *j)
{
	journal_hold(j);
	journal_release(zs->journal[i]);
	zs->journal[i] = j;
}

const zone_t *zoneset_find_at(const zoneset_t *zs, const uint8_t *lname, size_t *index)
{
	/* One walk over the labels marks where each suffix starts; then an
	 * origin of olen bytes matches when a suffix starts at len - olen and
	 * the bytes are equal (both are lowercased). */
	uint8_t starts[NAME_MAXLEN / 8 + 1] = { 0 };
	size_t len = 0;
	for (;;) {
		starts[len >> 3] |= (uint8_t)(1u << (len & 7));
		if (lname[len] == 0)
			break;
		len += 1u + lname[len];
	}
	len++;

	const zone_t *best = NULL;
	size_t bestlen = 0, besti = SIZE_MAX;
	for (size_t i = 0; i < zs->nzones; i++) {
		const uint8_t *origin = zone_origin(zs->zones[i]);
		size_t olen = zone_origin_len(zs->zones[i]);
		if (olen > len || (best && olen <= bestlen))
			continue;
		size_t at = len - olen;
		if ((starts[at >> 3] & (1u << (at & 7))) && memcmp(lname + at, origin, olen) == 0) {
			best = zs->zones[i];
			bestlen = olen;
			besti = i;
		}
	}
	if (index)
		*index = besti;
	return best;
}

const zone_t *zoneset_find(const zoneset_t *zs, const uint8_t *lname)
{
	return zoneset_find_at(zs, lname, NULL);
}

const fault_rt_t *zoneset_fault(const zoneset_t *zs, size_t zone_index, const uint8_t *lname,
				uint16_t qtype)
{
	const fault_rt_t *f = NULL;
	if (zone_index < zs->nzones && zs->nzfaults[zone_index])
		f = fault_firing(zs->zfaults[zone_index], zs->nzfaults[zone_index], lname, qtype);
	if (!f && zs->nfaults)
		f = fault_firing(zs->faults, zs->nfaults, lname, qtype);
	return f;
}

/* The slot of rule r if it is one of zs's, else NULL (a rule hung on
 * the zone by other means, as tests do). */
static const rule_slot_t *slot_of(const zoneset_t *zs, const glue_rule_t *r)
{
	uintptr_t p = (uintptr_t)r, base = (uintptr_t)zs->rules;
	if (zs->rules == NULL || p < base || p >= base + zs->nrules * sizeof(rule_slot_t) ||
	    (p - base) % sizeof(rule_slot_t) != 0)
		return NULL;
	return (const rule_slot_t *)r;
}

void zoneset_rule_where(const zoneset_t *zs, const zone_t *z, const node_t *cut, const char **glue,
			const char **truncation)
{
	/* The levels of glue_rule_effective, in its order. */
	const glue_rule_t *levels[2] = { cut ? cut->rule : NULL, z ? zone_rule(z) : NULL };
	const char *g = zs->glue_where, *t = zs->truncation_where;
	bool glue_found = false, trunc_found = false;
	for (int i = 0; i < 2; i++) {
		const glue_rule_t *r = levels[i];
		if (!r)
			continue;
		const rule_slot_t *slot = slot_of(zs, r);
		if (!glue_found && r->mode != GLUE_INHERIT)
			g = slot ? slot->glue_where : "", glue_found = true;
		if (!trunc_found && r->truncation != TRUNC_INHERIT)
			t = slot ? slot->truncation_where : "", trunc_found = true;
	}
	if (glue)
		*glue = g;
	if (truncation)
		*truncation = t;
}

typedef struct announce_walk {
	size_t *count;
	announce_t a;
	void (*fn)(void *ctx, const announce_t *a);
	void *ctx;
} announce_walk_t;

static void announce_cut(void *arg, const node_t *n)
{
	announce_walk_t *w = arg;
	if (!(n->flags & NODE_CUT) || !n->rule ||
	    !glue_rule_breaks_rfc(n->rule->mode, n->rule->truncation))
		return;
	w->a.cut = n->name;
	w->a.rule = n->rule;
	w->a.where = ((const rule_slot_t *)n->rule)->where;
	w->fn(w->ctx, &w->a);
	(*w->count)++;
}

size_t zoneset_announce(const zoneset_t *zs, void (*fn)(void *ctx, const announce_t *a), void *ctx)
{
	size_t count = 0;
	announce_t a = { .scope = ANNOUNCE_SERVER, .server = zs->name, .where = zs->where };
	if (glue_rule_breaks_rfc(zs->rule.mode, zs->rule.truncation)) {
		a.rule = &zs->rule;
		fn(ctx, &a);
		count++;
	}
	a.rule = NULL;
	for (size_t i = 0; i < zs->nfaults; i++, count++) {
		a.fault = &zs->faults[i].f;
		a.where = zs->faults[i].f.where;
		fn(ctx, &a);
	}
	for (size_t i = 0; i < zs->nzones; i++) {
		const zone_t *z = zs->zones[i];
		const glue_rule_t *r = zone_rule(z);
		a = (announce_t){ .scope = ANNOUNCE_ZONE,
				  .server = zs->name,
				  .zone = zone_origin(z) };
		if (r && glue_rule_breaks_rfc(r->mode, r->truncation)) {
			a.rule = r;
			a.where = ((const rule_slot_t *)r)->where;
			fn(ctx, &a);
			count++;
		}
		a.rule = NULL;
		for (size_t k = 0; k < zs->nzfaults[i]; k++, count++) {
			a.fault = &zs->zfaults[i][k].f;
			a.where = zs->zfaults[i][k].f.where;
			fn(ctx, &a);
		}
	}
	/* DNSSEC faults: the zone's, then those at its cuts. */
	for (size_t i = 0; i < zs->nzones; i++) {
		size_t n;
		const dnssec_fault_t *df = zone_dnssec_faults(zs->zones[i], &n);
		for (size_t k = 0; k < n; k++, count++) {
			a = (announce_t){ .scope = df[k].at_cut ? ANNOUNCE_DELEGATION
								: ANNOUNCE_ZONE,
					  .server = zs->name,
					  .zone = zone_origin(zs->zones[i]),
					  .cut = df[k].at_cut ? df[k].cut : NULL,
					  .dfault = &df[k],
					  .where = df[k].where };
			fn(ctx, &a);
		}
	}
	/* Delegation rules: walk each zone's cuts. */
	for (size_t i = 0; i < zs->nzones; i++) {
		announce_walk_t w = { &count,
				      { .scope = ANNOUNCE_DELEGATION,
					.server = zs->name,
					.zone = zone_origin(zs->zones[i]) },
				      fn,
				      ctx };
		zone_walk(zs->zones[i], announce_cut, &w);
	}
	return count;
}
