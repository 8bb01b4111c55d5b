/*
 * sign.c -- a zone signed at load (sign.h).
 *
 * The signer is a record source for the zone builder: it walks the loaded
 * zone, hands every record on, and adds what signing makes, so the signed
 * zone goes through the same checks and layout as one read from a file.
 */
#include "dnssec/sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/name.h"
#include "dns/rdata.h"

typedef struct signer {
	const zone_t *z;
	const sign_opts_t *o;
	zf_rr_cb cb;
	void *ctx;
	char *err;
	size_t errcap;
	const node_t **auth; /* NSEC owners, sorted canonically at run */
	size_t nauth, capauth;
	const node_t **other; /* data below a cut (glue): handed on unsigned */
	size_t nother, capother;
	bool nomem;
	uint8_t *buf; /* signed data of one RRset */
	size_t bufcap;
	const uint8_t **recs; /* one RRset's canonical records, for sorting */
	size_t caprecs;
} signer_t;

static int grow(void *pp, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return ST_OK;
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	void *p = realloc(*(void **)pp, n * size);
	if (p == NULL)
		return ST_ENOMEM;
	*(void **)pp = p;
	*cap = n;
	return ST_OK;
}

static void collect(void *ctx, const node_t *n)
{
	signer_t *s = ctx;
	if (n->cut == NULL || n->cut == n) {
		if (n->nrrsets == 0 && n->cut == NULL)
			return; /* an empty non-terminal: no NSEC (RFC 4035 2.3) */
		if (grow(&s->auth, &s->capauth, s->nauth + 1, sizeof(*s->auth)) != ST_OK) {
			s->nomem = true;
			return;
		}
		s->auth[s->nauth++] = n;
	} else if (n->nrrsets > 0) {
		if (grow(&s->other, &s->capother, s->nother + 1, sizeof(*s->other)) != ST_OK) {
			s->nomem = true;
			return;
		}
		s->other[s->nother++] = n;
	}
}

static int node_cmp(const void *a, const void *b)
{
	return name_canon_cmp((*(const node_t *const *)a)->name, (*(const node_t *const *)b)->name);
}

/* What the file held that the signer makes itself. */
static bool replaced(uint16_t type)
{
	return type == RR_RRSIG || type == RR_NSEC || type == RR_NSEC3 || type == RR_NSEC3PARAM ||
	       type == RR_DNSKEY || type == RR_CDS || type == RR_CDNSKEY;
}

static int emit(signer_t *s, const uint8_t *owner, uint16_t type, uint32_t ttl, const uint8_t *rd,
		uint16_t rdlen)
{
	zf_rr_t rr = { .owner = owner,
		       .type = type,
		       .rclass = CLASS_IN,
		       .ttl = ttl,
		       .rdata = rd,
		       .rdlen = rdlen,
		       .file = zone_file(s->z),
		       .line = 0 };
	return s->cb(s->ctx, &rr, s->err, s->errcap);
}

static void lower_name_at(uint8_t *rd, size_t rdlen, size_t *off)
{
	while (*off < rdlen && rd[*off] != 0) {
		size_t l = rd[*off];
		for (size_t i = 1; i <= l && *off + i < rdlen; i++)
			rd[*off + i] = name_lower_byte(rd[*off + i]);
		*off += l + 1;
	}
	(*off)++;
}

/* The canonical form of an rdata (RFC 4034 6.2, as RFC 6840 5.1 corrects
 * it): the domain names of the RFC 1035 types, and those that follow
 * them, in lowercase. */
static void canon_rdata(uint16_t type, uint8_t *rd, size_t rdlen)
{
	size_t off = 0;
	switch (type) {
	case RR_NS:
	case RR_CNAME:
	case RR_PTR:
	case RR_DNAME:
	case RR_MD:
	case RR_MF:
	case RR_MB:
	case RR_MG:
	case RR_MR:
		lower_name_at(rd, rdlen, &off);
		break;
	case RR_SOA:
	case RR_RP:
	case RR_MINFO:
		lower_name_at(rd, rdlen, &off);
		lower_name_at(rd, rdlen, &off);
		break;
	case RR_MX:
	case RR_KX:
	case RR_AFSDB:
		off = 2;
		lower_name_at(rd, rdlen, &off);
		break;
	case RR_SRV:
		off = 6;
		lower_name_at(rd, rdlen, &off);
		break;
	default:
		break;
	}
}

static int rec_cmp(const void *a, const void *b)
{
	const uint8_t *x = *(const uint8_t *const *)a, *y = *(const uint8_t *const *)b;
	size_t lx = (size_t)x[0] << 8 | x[1], ly = (size_t)y[0] << 8 | y[1];
	int c = memcmp(x + 2, y + 2, lx < ly ? lx : ly);
	return c != 0 ? c : (lx > ly) - (lx < ly);
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/*
 * Sign one RRset (count records of datalen bytes in the rrset_t layout:
 * u16 rdlen, rdata, ...) owned by node n, and hand its RRSIG on.
 */
static int sign_rrset(signer_t *s, const node_t *n, uint16_t type, uint32_t ttl,
		      const uint8_t *data, uint32_t datalen, uint16_t count)
{
	const dnskey_t *k = s->o->key;
	const uint8_t *signer = zone_origin(s->z);
	size_t slen = zone_origin_len(s->z);
	size_t hdr = 18 + slen;
	size_t per = (size_t)n->namelen + 10;
	size_t need = 2 * hdr + DNSKEY_SIG_MAX + 2 * (size_t)datalen + (size_t)count * per;
	if (grow(&s->buf, &s->bufcap, need, 1) != ST_OK ||
	    grow(&s->recs, &s->caprecs, count, sizeof(*s->recs)) != ST_OK)
		return ST_ENOMEM;
	uint8_t *rrsig = s->buf; /* the RRSIG rdata, then its signature */
	put16(rrsig, type);
	rrsig[2] = k->alg;
	rrsig[3] = (uint8_t)(n->labels - (name_is_wildcard(n->name) ? 1 : 0));
	put32(rrsig + 4, ttl);
	put32(rrsig + 8, s->o->expiration);
	put32(rrsig + 12, s->o->inception);
	put16(rrsig + 16, k->tag);
	memcpy(rrsig + 18, signer, slen);
	/* Canonical copies of the records, sorted (RFC 4034 6.3). */
	uint8_t *copy = rrsig + hdr + DNSKEY_SIG_MAX;
	memcpy(copy, data, datalen);
	size_t nrec = 0;
	for (uint32_t pos = 0; pos < datalen && nrec < count;) {
		uint16_t l = (uint16_t)(copy[pos] << 8 | copy[pos + 1]);
		canon_rdata(type, copy + pos + 2, l);
		s->recs[nrec++] = copy + pos;
		pos += 2u + l;
	}
	qsort(s->recs, nrec, sizeof(*s->recs), rec_cmp);
	/* The signed data: the RRSIG rdata without its signature, then each
	 * record as owner | type | class | TTL | rdlen | rdata. */
	uint8_t *sd = copy + datalen;
	size_t len = 0;
	memcpy(sd, rrsig, hdr);
	len = hdr;
	for (size_t i = 0; i < nrec; i++) {
		if (i > 0 && rec_cmp(&s->recs[i - 1], &s->recs[i]) == 0)
			continue; /* duplicates count once (RFC 4034 6.3) */
		uint16_t l = (uint16_t)(s->recs[i][0] << 8 | s->recs[i][1]);
		memcpy(sd + len, n->name, n->namelen);
		len += n->namelen;
		put16(sd + len, type);
		put16(sd + len + 2, CLASS_IN);
		put32(sd + len + 4, ttl);
		len += 8;
		memcpy(sd + len, s->recs[i], 2u + l);
		len += 2u + l;
	}
	int siglen = dnskey_sign(k, sd, len, rrsig + hdr);
	if (siglen < 0) {
		char owner[NAME_TEXT_MAX];
		snprintf(s->err, s->errcap, "%s: signing: %s with %s failed", zone_file(s->z),
			 name_str(n->name, owner, sizeof(owner)), k->file);
		return siglen;
	}
	return emit(s, n->name, RR_RRSIG, ttl, rrsig, (uint16_t)(hdr + (size_t)siglen));
}

/* An RRset of one record, signed. */
static int emit_signed1(signer_t *s, const node_t *n, uint16_t type, uint32_t ttl,
			const uint8_t *rd, uint16_t rdlen)
{
	int rc = emit(s, n->name, type, ttl, rd, rdlen);
	if (rc != ST_OK)
		return rc;
	uint8_t one[2 + 1024];
	if (rdlen > sizeof(one) - 2)
		return ST_EINVAL;
	put16(one, rdlen);
	memcpy(one + 2, rd, rdlen);
	return sign_rrset(s, n, type, ttl, one, 2u + rdlen, 1);
}

/* The type bitmap of an NSEC (RFC 4034 4.1.2) from a sorted list. */
static size_t type_bitmap(const uint16_t *types, size_t n, uint8_t *out)
{
	size_t len = 0;
	for (size_t i = 0; i < n;) {
		uint8_t win = (uint8_t)(types[i] >> 8);
		uint8_t bits[32] = { 0 };
		size_t top = 0;
		for (; i < n && (types[i] >> 8) == win; i++) {
			uint8_t lo = (uint8_t)types[i];
			bits[lo / 8] |= (uint8_t)(0x80 >> (lo % 8));
			top = lo / 8u + 1u;
		}
		out[len++] = win;
		out[len++] = (uint8_t)top;
		memcpy(out + len, bits, top);
		len += top;
	}
	return len;
}

static int u16_cmp(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return (x > y) - (x < y);
}

/* One NSEC owner: its data (signed where it is the zone's), the DS glued
 * adds at a cut, DNSKEY and CDS at the apex, and its NSEC to next. */
static int sign_node(signer_t *s, const node_t *n, const node_t *next)
{
	bool cut = n->cut == n;
	bool apex = n == zone_apex(s->z);
	uint16_t types[256 + 4];
	size_t nt = 0;
	int rc = ST_OK;
	bool has_ds = false;
	for (uint16_t i = 0; i < n->nrrsets && rc == ST_OK; i++) {
		const rrset_t *rs = &n->rrsets[i];
		if (replaced(rs->type) || (apex && rs->type == RR_DS))
			continue;
		uint32_t pos = 0;
		const uint8_t *rd;
		uint16_t len;
		while (rc == ST_OK && rrset_next(rs, &pos, &rd, &len))
			rc = emit(s, n->name, rs->type, rs->ttl, rd, len);
		if (rc == ST_OK && (!cut || rs->type == RR_DS))
			rc = sign_rrset(s, n, rs->type, rs->ttl, rs->data, rs->datalen, rs->count);
		has_ds |= rs->type == RR_DS;
		if (nt < 256)
			types[nt++] = rs->type;
	}
	const rrset_t *ns = node_rrset(n, RR_NS);
	uint8_t ds[DS_SHA256_RDLEN];
	if (rc == ST_OK && cut && !has_ds && s->o->child_ds &&
	    s->o->child_ds(s->o->ctx, n->name, ds)) {
		rc = emit_signed1(s, n, RR_DS, ns ? ns->ttl : zone_negative_ttl(s->z), ds,
				  sizeof(ds));
		types[nt++] = RR_DS;
		has_ds = true;
	}
	if (rc == ST_OK && apex) {
		const dnskey_t *k = s->o->key;
		uint32_t ttl = zone_soa(s->z)->ttl;
		rc = emit_signed1(s, n, RR_DNSKEY, ttl, k->rdata, k->rdlen);
		if (rc == ST_OK) {
			rc = dnskey_ds(n->name, k->rdata, k->rdlen, ds);
			if (rc == ST_OK)
				rc = emit_signed1(s, n, RR_CDS, ttl, ds, sizeof(ds));
		}
		types[nt++] = RR_DNSKEY;
		types[nt++] = RR_CDS;
	}
	if (rc != ST_OK)
		return rc;
	/* RRSIG too at a cut without DS: the NSEC itself is signed. */
	types[nt++] = RR_RRSIG;
	types[nt++] = RR_NSEC;
	qsort(types, nt, sizeof(types[0]), u16_cmp);
	uint8_t nsec[NAME_MAXLEN + 34 * 32];
	size_t nl = name_len(next->name);
	memcpy(nsec, next->name, nl);
	size_t len = nl + type_bitmap(types, nt, nsec + nl);
	return emit_signed1(s, n, RR_NSEC, zone_negative_ttl(s->z), nsec, (uint16_t)len);
}

static int run(void *arg, zf_rr_cb cb, void *ctx, char *err, size_t errcap)
{
	signer_t *s = arg;
	s->cb = cb;
	s->ctx = ctx;
	s->err = err;
	s->errcap = errcap;
	int rc = ST_OK;
	for (size_t i = 0; i < s->nauth && rc == ST_OK; i++)
		rc = sign_node(s, s->auth[i], s->auth[(i + 1) % s->nauth]);
	for (size_t i = 0; i < s->nother && rc == ST_OK; i++) {
		const node_t *n = s->other[i];
		for (uint16_t j = 0; j < n->nrrsets && rc == ST_OK; j++) {
			const rrset_t *rs = &n->rrsets[j];
			uint32_t pos = 0;
			const uint8_t *rd;
			uint16_t len;
			if (replaced(rs->type))
				continue;
			while (rc == ST_OK && rrset_next(rs, &pos, &rd, &len))
				rc = emit(s, n->name, rs->type, rs->ttl, rd, len);
		}
	}
	if (rc != ST_OK && err[0] == 0)
		snprintf(err, errcap, "%s: signing: %s", zone_file(s->z), status_str(rc));
	return rc;
}

int zone_sign(const zone_t *in, const sign_opts_t *o, zone_warn_cb warn, void *warn_ctx,
	      zone_t **out, char *err, size_t errcap)
{
	signer_t s = { .z = in, .o = o };
	err[0] = 0;
	zone_walk(in, collect, &s);
	int rc = ST_ENOMEM;
	if (!s.nomem && s.nauth > 0) {
		qsort(s.auth, s.nauth, sizeof(*s.auth), node_cmp);
		uint64_t hint = (uint64_t)zone_node_count(in) * 48u * 4u;
		rc = zone_load_source(zone_file(in), run, &s, hint, zone_origin(in), warn, warn_ctx,
				      out, err, errcap);
	} else {
		snprintf(err, errcap, "%s: signing: out of memory", zone_file(in));
	}
	free(s.auth);
	free(s.other);
	free(s.buf);
	free(s.recs);
	return rc;
}
