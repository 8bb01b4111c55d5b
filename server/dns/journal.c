/*
 * journal.c -- zone diffs for IXFR: two zones' records sorted and merged.
 */
#include "dns/journal.h"

#include <stdlib.h>
#include <string.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/wire.h"

/* One record in a blob: where it starts and how long it is. */
typedef struct recref {
	const uint8_t *p;
	uint32_t len;
} recref_t;

bool rec_blob_put(rec_blob_t *b, const zone_rec_t *r)
{
	size_t olen = name_len(r->owner);
	size_t need = olen + 8u + r->rdlen;
	if (b->cap - b->len < need) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap - b->len < need)
			cap *= 2;
		uint8_t *nb = realloc(b->buf, cap);
		if (!nb)
			return false;
		b->buf = nb;
		b->cap = cap;
	}
	uint8_t *p = b->buf + b->len;
	memcpy(p, r->owner, olen);
	p += olen;
	wire_put16(p, r->type);
	wire_put32(p + 2, r->ttl);
	wire_put16(p + 6, r->rdlen);
	memcpy(p + 8, r->rd, r->rdlen);
	b->len += need;
	b->n++;
	return true;
}

void rec_blob_free(rec_blob_t *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

bool journal_rec(const uint8_t *blob, size_t len, size_t *pos, zone_rec_t *r)
{
	size_t p = *pos;
	if (p >= len)
		return false;
	int n = name_check(blob + p, len - p);
	if (n < 0 || len - p - (size_t)n < 8)
		return false;
	r->owner = blob + p;
	p += (size_t)n;
	r->type = wire_get16(blob + p);
	r->ttl = wire_get32(blob + p + 2);
	r->rdlen = wire_get16(blob + p + 6);
	p += 8;
	if (len - p < r->rdlen)
		return false;
	r->rd = blob + p;
	*pos = p + r->rdlen;
	return true;
}

static int recref_cmp(const void *a, const void *b)
{
	const recref_t *x = a, *y = b;
	uint32_t l = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, l);
	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Every record of z but the SOA, in a blob, and sorted references to them. */
static bool collect(const zone_t *z, rec_blob_t *b, recref_t **refs)
{
	zone_iter_t it;
	zone_rec_t r;
	zone_iter_init(&it, z);
	while (zone_iter_next(&it, &r))
		if (r.type != RR_SOA && !rec_blob_put(b, &r))
			return false;
	*refs = malloc((b->n ? b->n : 1) * sizeof(**refs));
	if (!*refs)
		return false;
	size_t pos = 0;
	for (uint32_t i = 0; i < b->n; i++) {
		size_t at = pos;
		(void)journal_rec(b->buf, b->len, &pos, &r);
		(*refs)[i].p = b->buf + at;
		(*refs)[i].len = (uint32_t)(pos - at);
	}
	qsort(*refs, b->n, sizeof(**refs), recref_cmp);
	return true;
}

static bool put_ref(rec_blob_t *b, const recref_t *ref)
{
	zone_rec_t r;
	size_t pos = 0;
	return journal_rec(ref->p, ref->len, &pos, &r) && rec_blob_put(b, &r);
}

journal_diff_t *journal_diff(const zone_t *old, const zone_t *cur)
{
	rec_blob_t bo = { 0 }, bc = { 0 }, del = { 0 }, add = { 0 };
	recref_t *ro = NULL, *rc = NULL;
	journal_diff_t *d = NULL;
	zone_rec_t so, sc;

	if (!zone_soa_rec(old, &so) || !zone_soa_rec(cur, &sc))
		return NULL;
	if (!rec_blob_put(&del, &so) || !rec_blob_put(&add, &sc) || !collect(old, &bo, &ro) ||
	    !collect(cur, &bc, &rc))
		goto out;
	uint32_t i = 0, j = 0;
	while (i < bo.n || j < bc.n) {
		int c = i == bo.n ? 1 : j == bc.n ? -1 : recref_cmp(&ro[i], &rc[j]);
		bool ok = true;
		if (c < 0)
			ok = put_ref(&del, &ro[i++]);
		else if (c > 0)
			ok = put_ref(&add, &rc[j++]);
		else
			i++, j++;
		if (!ok)
			goto out;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		goto out;
	atomic_init(&d->refs, 1);
	d->from = zone_serial(old);
	d->to = zone_serial(cur);
	d->del = del.buf, d->dellen = del.len, d->ndel = del.n;
	d->add = add.buf, d->addlen = add.len, d->nadd = add.n;
	del.buf = add.buf = NULL;
out:
	free(bo.buf);
	free(bc.buf);
	free(ro);
	free(rc);
	free(del.buf);
	free(add.buf);
	return d;
}

void journal_diff_release(journal_diff_t *d)
{
	if (d && atomic_fetch_sub(&d->refs, 1) == 1) {
		free(d->del);
		free(d->add);
		free(d);
	}
}

journal_t *journal_extend(const journal_t *j, journal_diff_t *d)
{
	size_t keep = 0, first = 0, bytes = d->dellen + d->addlen;
	if (j) {
		/* Newest first, as many as the bounds allow. */
		keep = j->n;
		size_t b = bytes;
		for (size_t k = j->n; k-- > 0;) {
			b += j->d[k]->dellen + j->d[k]->addlen;
			if (j->n - k + 1 > JOURNAL_MAX_DIFFS || b > JOURNAL_MAX_BYTES) {
				first = k + 1;
				break;
			}
		}
		keep = j->n - first;
	}
	journal_t *nj = malloc(sizeof(*nj) + (keep + 1) * sizeof(nj->d[0]));
	if (!nj) {
		journal_diff_release(d);
		return NULL;
	}
	atomic_init(&nj->refs, 1);
	nj->n = keep + 1;
	nj->bytes = bytes;
	for (size_t k = 0; k < keep; k++) {
		journal_diff_t *od = j->d[first + k];
		atomic_fetch_add(&od->refs, 1);
		nj->d[k] = od;
		nj->bytes += od->dellen + od->addlen;
	}
	nj->d[keep] = d;
	return nj;
}

void journal_hold(const journal_t *j)
{
	if (j)
		atomic_fetch_add(&((journal_t *)j)->refs, 1);
}

void journal_release(const journal_t *j)
{
	journal_t *m = (journal_t *)j;
	if (!m || atomic_fetch_sub(&m->refs, 1) != 1)
		return;
	for (size_t k = 0; k < m->n; k++)
		journal_diff_release(m->d[k]);
	free(m);
}

long journal_find(const journal_t *j, uint32_t serial)
{
	for (size_t k = 0; j && k < j->n; k++)
		if (j->d[k]->from == serial)
			return (long)k;
	return -1;
}
