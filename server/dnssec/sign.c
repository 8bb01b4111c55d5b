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

#include <nettle/sha1.h>

#define N3_HASH_LEN 20 /* SHA-1 */

typedef struct n3ent {
	uint8_t hash[N3_HASH_LEN];
	uint32_t map;    /* offset of its type bitmap in signer_t.maps */
	uint16_t maplen; /* bitmap bytes */
} n3ent_t;

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
	/* The DNSKEY as served (a dnskey: fault changes it) and what the
	 * RRSIGs say of it. */
	uint8_t dnskey[DNSKEY_RDATA_MAX];
	uint16_t dnskey_len;
	uint8_t alg;
	uint16_t tag;
	/* The zone's faults (dns/policy.h), 0 for none. */
	uint8_t f_rrsig, f_dnskey, f_denial;
	uint8_t cut_rrsig; /* the RRset being signed is at a cut with this rrsig: fault */
	/* NSEC3: one entry per owner, sorted by hash before the chain is made. */
	n3ent_t *n3;
	size_t nn3, capn3;
	uint8_t *maps; /* the entries' type bitmaps, back to back */
	size_t nmaps, capmaps;
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
		/* An empty non-terminal has no NSEC (RFC 4035 2.3) but an NSEC3
		 * (RFC 5155 7.1). */
		if (n->nrrsets == 0 && n->cut == NULL && s->o->denial != DNSSEC_DENIAL_NSEC3)
			return;
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

/* How far an rrsig: fault moves the validity out of the present: a week,
 * beyond the clock skew validators allow (Unbound: up to a day). */
#define FAULT_SHIFT (7u * 86400u)

/* The validity of one RRSIG: the zone's, unless an rrsig: fault moves it
 * (same length, ending or starting FAULT_SHIFT from the load). */
static void validity(const signer_t *s, uint8_t fault, uint32_t *inc, uint32_t *exp)
{
	uint32_t i = s->o->inception, e = s->o->expiration, d = e - i;
	if (fault == DF_RRSIG_EXPIRED) {
		e = i - FAULT_SHIFT;
		i = e - d;
	} else if (fault == DF_RRSIG_NOT_YET_VALID) {
		i = i + FAULT_SHIFT;
		e = i + d;
	}
	*inc = i;
	*exp = e;
}

/*
 * Sign one RRset (count records of datalen bytes in the rrset_t layout:
 * u16 rdlen, rdata, ...) owned by owner (lowercased, ownerlen bytes, labels
 * labels), and hand its RRSIG on.
 */
static int sign_rrset(signer_t *s, const uint8_t *owner, uint8_t ownerlen, uint8_t labels,
		      uint16_t type, uint32_t ttl, const uint8_t *data, uint32_t datalen,
		      uint16_t count)
{
	uint8_t fault = s->cut_rrsig ? s->cut_rrsig : s->f_rrsig;
	if (fault == DF_RRSIG_MISSING)
		return ST_OK;
	const dnskey_t *k = s->o->key;
	const uint8_t *signer = zone_origin(s->z);
	size_t slen = zone_origin_len(s->z);
	size_t hdr = 18 + slen;
	size_t per = (size_t)ownerlen + 10;
	size_t need = 2 * hdr + DNSKEY_SIG_MAX + 2 * (size_t)datalen + (size_t)count * per;
	if (grow(&s->buf, &s->bufcap, need, 1) != ST_OK ||
	    grow(&s->recs, &s->caprecs, count, sizeof(*s->recs)) != ST_OK)
		return ST_ENOMEM;
	uint32_t inc, exp;
	validity(s, fault, &inc, &exp);
	uint8_t *rrsig = s->buf; /* the RRSIG rdata, then its signature */
	put16(rrsig, type);
	rrsig[2] = s->alg;
	rrsig[3] = (uint8_t)(labels - (name_is_wildcard(owner) ? 1 : 0));
	put32(rrsig + 4, ttl);
	put32(rrsig + 8, exp);
	put32(rrsig + 12, inc);
	put16(rrsig + 16, s->tag);
	memcpy(rrsig + 18, signer, slen);
	/* Canonical copies of the records, sorted (RFC 4034 6.3). */
	uint8_t *copy = rrsig + hdr + DNSKEY_SIG_MAX;
	memcpy(copy, data, datalen);
	size_t nrec = 0;
	for (uint32_t pos = 0; pos < datalen && nrec < count;) {
		uint16_t l = (uint16_t)(copy[pos] << 8 | copy[pos + 1]);
		rdata_canon(type, copy + pos + 2, l);
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
		memcpy(sd + len, owner, ownerlen);
		len += ownerlen;
		put16(sd + len, type);
		put16(sd + len + 2, CLASS_IN);
		put32(sd + len + 4, ttl);
		len += 8;
		memcpy(sd + len, s->recs[i], 2u + l);
		len += 2u + l;
	}
	int siglen = dnskey_sign(k, sd, len, rrsig + hdr);
	if (siglen < 0) {
		char text[NAME_TEXT_MAX];
		snprintf(s->err, s->errcap, "%s: signing: %s with %s failed", zone_file(s->z),
			 name_str(owner, text, sizeof(text)), k->file);
		return siglen;
	}
	if (fault == DF_RRSIG_BOGUS)
		rrsig[hdr + (size_t)siglen / 2] ^= 0x5a; /* no longer the key's signature */
	return emit(s, owner, RR_RRSIG, ttl, rrsig, (uint16_t)(hdr + (size_t)siglen));
}

/* An RRset of records in the rrset_t layout, handed on and signed. */
static int emit_signed(signer_t *s, const uint8_t *owner, uint8_t labels, uint16_t type,
		       uint32_t ttl, const uint8_t *data, uint32_t datalen, uint16_t count)
{
	int rc = ST_OK;
	for (uint32_t pos = 0; pos < datalen && rc == ST_OK;) {
		uint16_t l = (uint16_t)(data[pos] << 8 | data[pos + 1]);
		rc = emit(s, owner, type, ttl, data + pos + 2, l);
		pos += 2u + l;
	}
	if (rc != ST_OK)
		return rc;
	return sign_rrset(s, owner, (uint8_t)name_len(owner), labels, type, ttl, data, datalen,
			  count);
}

/* An RRset of one record, signed. */
static int emit_signed1(signer_t *s, const uint8_t *owner, uint8_t labels, uint16_t type,
			uint32_t ttl, const uint8_t *rd, uint16_t rdlen)
{
	uint8_t one[2 + 6 + 255 + NAME_MAXLEN + 34 * 32]; /* the longest NSEC or NSEC3 */
	if (rdlen > sizeof(one) - 2)
		return ST_EINVAL;
	put16(one, rdlen);
	memcpy(one + 2, rd, rdlen);
	return emit_signed(s, owner, labels, type, ttl, one, 2u + rdlen, 1);
}

/* The type bitmap of an NSEC or NSEC3 (RFC 4034 4.1.2) from a sorted list. */
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

/* The at_cut fault of this kind at cut lname, or NULL. */
static const dnssec_fault_t *cut_fault(const signer_t *s, const uint8_t *lname, uint8_t kind)
{
	for (size_t i = 0; i < s->o->nfaults; i++) {
		const dnssec_fault_t *f = &s->o->faults[i];
		if (f->at_cut && f->kind == kind && name_equal(f->cut, lname))
			return f;
	}
	return NULL;
}

/*
 * The DS RRset of cut n: the file's, else the child's that glued signs,
 * with the cut's ds: fault applied; handed on and signed. *has_ds says
 * whether one went out.
 */
static int cut_ds(signer_t *s, const node_t *n, bool *has_ds)
{
	const rrset_t *file = node_rrset(n, RR_DS);
	const dnssec_fault_t *f = cut_fault(s, n->name, DF_DS);
	uint8_t one[2 + DS_SHA256_RDLEN];
	const uint8_t *data = NULL;
	uint32_t datalen = 0;
	uint16_t count = 0;
	uint32_t ttl = 0;
	*has_ds = false;
	if (file != NULL) {
		data = file->data;
		datalen = file->datalen;
		count = file->count;
		ttl = file->ttl;
	} else if (s->o->child_ds && s->o->child_ds(s->o->ctx, n->name, one + 2)) {
		const rrset_t *ns = node_rrset(n, RR_NS);
		put16(one, DS_SHA256_RDLEN);
		data = one;
		datalen = sizeof(one);
		count = 1;
		ttl = ns ? ns->ttl : zone_negative_ttl(s->z);
	}
	if (f != NULL && f->value != DF_DS_MISSING && data == NULL) {
		char text[NAME_TEXT_MAX], what[64];
		snprintf(s->err, s->errcap,
			 "%s: %s at %s: the delegation has no DS to break (sign the child with "
			 "glued, or write its DS into %s)",
			 f->where, dnssec_fault_str(f, what, sizeof(what)),
			 name_str(n->name, text, sizeof(text)), zone_file(s->z));
		return ST_EINVAL;
	}
	if (data == NULL || (f != NULL && f->value == DF_DS_MISSING))
		return ST_OK;
	if (f != NULL) {
		/* sign_rrset uses s->buf: the copy goes into maps' spare room. */
		if (grow(&s->maps, &s->capmaps, s->nmaps + datalen, 1) != ST_OK)
			return ST_ENOMEM;
		uint8_t *c = s->maps + s->nmaps;
		memcpy(c, data, datalen);
		for (uint32_t pos = 0; pos + 6 <= datalen;) {
			uint16_t l = (uint16_t)(c[pos] << 8 | c[pos + 1]);
			uint8_t *rd = c + pos + 2; /* tag(2) alg(1) type(1) digest */
			if (l > 4 && f->value == DF_DS_MISMATCH)
				for (uint16_t i = 4; i < l; i++)
					rd[i] ^= 0xff;
			else if (l >= 4 && f->value == DF_DS_UNKNOWN_DIGEST)
				rd[3] = DF_UNSUPPORTED_ALG;
			else if (l >= 4 && f->value == DF_DS_UNKNOWN_ALG)
				rd[2] = DF_UNSUPPORTED_ALG;
			pos += 2u + l;
		}
		data = c;
	}
	*has_ds = true;
	const dnssec_fault_t *rf = cut_fault(s, n->name, DF_RRSIG);
	s->cut_rrsig = rf ? rf->value : 0;
	int rc = emit_signed(s, n->name, n->labels, RR_DS, ttl, data, datalen, count);
	s->cut_rrsig = 0;
	return rc;
}

/* SHA-1 of a lowercased name under the zone's salt and iterations
 * (RFC 5155 5). */
static void n3_hash(const signer_t *s, const uint8_t *lname, size_t len, uint8_t out[N3_HASH_LEN])
{
	struct sha1_ctx c;
	sha1_init(&c);
	sha1_update(&c, len, lname);
	sha1_update(&c, s->o->saltlen, s->o->salt);
	sha1_digest(&c, N3_HASH_LEN, out);
	for (unsigned i = 0; i < s->o->iterations; i++) {
		sha1_update(&c, N3_HASH_LEN, out);
		sha1_update(&c, s->o->saltlen, s->o->salt);
		sha1_digest(&c, N3_HASH_LEN, out);
	}
}

/* Keep owner n's NSEC3 entry for the chain made at the end. */
static int n3_add(signer_t *s, const node_t *n, const uint8_t *map, size_t maplen)
{
	if (grow(&s->n3, &s->capn3, s->nn3 + 1, sizeof(*s->n3)) != ST_OK ||
	    grow(&s->maps, &s->capmaps, s->nmaps + maplen, 1) != ST_OK)
		return ST_ENOMEM;
	n3ent_t *e = &s->n3[s->nn3++];
	n3_hash(s, n->name, n->namelen, e->hash);
	e->map = (uint32_t)s->nmaps;
	e->maplen = (uint16_t)maplen;
	memcpy(s->maps + s->nmaps, map, maplen);
	s->nmaps += maplen;
	return ST_OK;
}

/* One authoritative owner: its data (signed where it is the zone's), the
 * DS at a cut, DNSKEY, CDS (and NSEC3PARAM) at the apex, and its NSEC to
 * next, or its NSEC3 entry. */
static int sign_node(signer_t *s, const node_t *n, const node_t *next)
{
	bool cut = n->cut == n;
	bool apex = n == zone_apex(s->z);
	bool nsec3 = s->o->denial == DNSSEC_DENIAL_NSEC3;
	uint16_t types[256 + 6];
	size_t nt = 0;
	int rc = ST_OK;
	bool has_ds = false;
	for (uint16_t i = 0; i < n->nrrsets && rc == ST_OK; i++) {
		const rrset_t *rs = &n->rrsets[i];
		if (replaced(rs->type) || (rs->type == RR_DS && (cut || apex)))
			continue;
		if (cut) {
			uint32_t pos = 0;
			const uint8_t *rd;
			uint16_t len;
			while (rc == ST_OK && rrset_next(rs, &pos, &rd, &len))
				rc = emit(s, n->name, rs->type, rs->ttl, rd, len);
		} else {
			rc = emit_signed(s, n->name, n->labels, rs->type, rs->ttl, rs->data,
					 rs->datalen, rs->count);
		}
		if (nt < 256)
			types[nt++] = rs->type;
	}
	if (rc == ST_OK && cut)
		rc = cut_ds(s, n, &has_ds);
	if (has_ds)
		types[nt++] = RR_DS;
	if (rc == ST_OK && apex) {
		uint32_t ttl = zone_soa(s->z)->ttl;
		uint8_t ds[DS_SHA256_RDLEN];
		if (s->f_dnskey != DF_DNSKEY_MISSING) {
			rc = emit_signed1(s, n->name, n->labels, RR_DNSKEY, ttl, s->dnskey,
					  s->dnskey_len);
			if (rc == ST_OK)
				rc = dnskey_ds(n->name, s->dnskey, s->dnskey_len, ds);
			if (rc == ST_OK)
				rc = emit_signed1(s, n->name, n->labels, RR_CDS, ttl, ds,
						  sizeof(ds));
			types[nt++] = RR_DNSKEY;
			types[nt++] = RR_CDS;
		}
		if (rc == ST_OK && nsec3 && s->f_denial != DF_DENIAL_MISSING) {
			uint8_t param[5 + 255];
			param[0] = 1; /* SHA-1 */
			param[1] = 0;
			put16(param + 2, s->o->iterations);
			param[4] = s->o->saltlen;
			if (s->o->saltlen > 0)
				memcpy(param + 5, s->o->salt, s->o->saltlen);
			rc = emit_signed1(s, n->name, n->labels, RR_NSEC3PARAM, 0, param,
					  (uint16_t)(5u + s->o->saltlen));
			types[nt++] = RR_NSEC3PARAM;
		}
	}
	if (rc != ST_OK || s->f_denial == DF_DENIAL_MISSING)
		return rc;
	uint8_t nsec[NAME_MAXLEN + 34 * 32];
	if (nsec3) {
		/* An insecure delegation under opt-out has no NSEC3 of its own. */
		if (cut && !has_ds && s->o->optout)
			return ST_OK;
		/* RRSIG wherever something is signed: not at a cut without DS,
		 * not at an empty non-terminal. */
		if ((!cut || has_ds) && nt > 0)
			types[nt++] = RR_RRSIG;
		qsort(types, nt, sizeof(types[0]), u16_cmp);
		return n3_add(s, n, nsec, type_bitmap(types, nt, nsec));
	}
	/* RRSIG too at a cut without DS: the NSEC itself is signed. */
	types[nt++] = RR_RRSIG;
	types[nt++] = RR_NSEC;
	qsort(types, nt, sizeof(types[0]), u16_cmp);
	size_t nl = name_len(next->name);
	if (s->f_denial == DF_DENIAL_WRONG && n->namelen + 2u <= NAME_MAXLEN) {
		/* The name right after the owner: the NSEC covers nothing. */
		nsec[0] = 1;
		nsec[1] = 0;
		memcpy(nsec + 2, n->name, n->namelen);
		nl = n->namelen + 2u;
	} else {
		memcpy(nsec, next->name, nl);
	}
	size_t len = nl + type_bitmap(types, nt, nsec + nl);
	return emit_signed1(s, n->name, n->labels, RR_NSEC, zone_negative_ttl(s->z), nsec,
			    (uint16_t)len);
}

static int n3_cmp(const void *a, const void *b)
{
	return memcmp(((const n3ent_t *)a)->hash, ((const n3ent_t *)b)->hash, N3_HASH_LEN);
}

/* Unpadded lowercase base32hex (RFC 4648 7), the NSEC3 owner label. */
static size_t base32hex(const uint8_t *in, size_t len, uint8_t *out)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuv";
	size_t n = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		acc = acc << 8 | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[n++] = (uint8_t)digits[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[n++] = (uint8_t)digits[(acc << (5 - bits)) & 31];
	return n;
}

/* The NSEC3 chain: sorted by hash, each entry pointing to the next. */
static int n3_chain(signer_t *s)
{
	const uint8_t *origin = zone_origin(s->z);
	size_t olen = zone_origin_len(s->z);
	uint8_t labels = (uint8_t)(zone_apex(s->z)->labels + 1);
	qsort(s->n3, s->nn3, sizeof(*s->n3), n3_cmp);
	int rc = ST_OK;
	for (size_t i = 0; i < s->nn3 && rc == ST_OK; i++) {
		const n3ent_t *e = &s->n3[i];
		if (i > 0 && memcmp(e->hash, s->n3[i - 1].hash, N3_HASH_LEN) == 0)
			continue; /* a SHA-1 collision: the first name keeps it */
		uint8_t owner[NAME_MAXLEN];
		owner[0] = 32;
		base32hex(e->hash, N3_HASH_LEN, owner + 1);
		if (olen + 33 > NAME_MAXLEN)
			return ST_EINVAL; /* checked in zone_sign */
		memcpy(owner + 33, origin, olen);
		uint8_t rd[6 + 255 + N3_HASH_LEN + 34 * 32];
		size_t len = 0;
		rd[len++] = 1; /* SHA-1 */
		rd[len++] = s->o->optout ? 1 : 0;
		put16(rd + len, s->o->iterations);
		len += 2;
		rd[len++] = s->o->saltlen;
		if (s->o->saltlen > 0)
			memcpy(rd + len, s->o->salt, s->o->saltlen);
		len += s->o->saltlen;
		rd[len++] = N3_HASH_LEN;
		memcpy(rd + len, s->n3[(i + 1) % s->nn3].hash, N3_HASH_LEN);
		if (s->f_denial == DF_DENIAL_WRONG) {
			/* The hash right after the owner's: it covers nothing. */
			memcpy(rd + len, e->hash, N3_HASH_LEN);
			for (int b = N3_HASH_LEN - 1; b >= 0 && ++rd[len + b] == 0; b--)
				;
		}
		len += N3_HASH_LEN;
		memcpy(rd + len, s->maps + e->map, e->maplen);
		len += e->maplen;
		rc = emit_signed1(s, owner, labels, RR_NSEC3, zone_negative_ttl(s->z), rd,
				  (uint16_t)len);
	}
	return rc;
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
	if (rc == ST_OK && s->o->denial == DNSSEC_DENIAL_NSEC3)
		rc = n3_chain(s);
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

void sign_served_dnskey(const dnskey_t *k, const dnssec_fault_t *faults, size_t nfaults,
			uint8_t *rdata, uint16_t *rdlen)
{
	memcpy(rdata, k->rdata, k->rdlen);
	*rdlen = k->rdlen;
	for (size_t i = 0; i < nfaults; i++) {
		const dnssec_fault_t *f = &faults[i];
		if (f->at_cut || f->kind != DF_DNSKEY)
			continue;
		if (f->value == DF_DNSKEY_NO_SEP)
			rdata[1] &= (uint8_t)~DNSKEY_FLAG_SEP;
		else if (f->value == DF_DNSKEY_UNSUPPORTED_ALG)
			rdata[3] = DF_UNSUPPORTED_ALG;
	}
}

int zone_sign(const zone_t *in, const sign_opts_t *o, zone_warn_cb warn, void *warn_ctx,
	      zone_t **out, char *err, size_t errcap)
{
	signer_t s = { .z = in, .o = o };
	err[0] = 0;
	if (o->denial == DNSSEC_DENIAL_NSEC3 && zone_origin_len(in) + 33 > NAME_MAXLEN) {
		snprintf(err, errcap, "%s: signing: the origin is too long for NSEC3 owner names",
			 zone_file(in));
		return ST_EINVAL;
	}
	for (size_t i = 0; i < o->nfaults; i++) {
		const dnssec_fault_t *f = &o->faults[i];
		if (f->at_cut)
			continue;
		if (f->kind == DF_RRSIG)
			s.f_rrsig = f->value;
		else if (f->kind == DF_DNSKEY)
			s.f_dnskey = f->value;
		else if (f->kind == DF_DENIAL)
			s.f_denial = f->value;
	}
	sign_served_dnskey(o->key, o->faults, o->nfaults, s.dnskey, &s.dnskey_len);
	s.alg = s.dnskey[3];
	s.tag = dnskey_tag(s.dnskey, s.dnskey_len);
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
	free(s.n3);
	free(s.maps);
	return rc;
}
