/*
 * validate.c -- DNSSEC validation over RRsets (validate.h).
 *
 * Three layers: reading a message into RRsets with their RRSIGs; checking
 * one RRset's signatures and one zone's DNSKEY RRset against its DS; and
 * the proofs a response must carry (RFC 4035 5.4, RFC 5155 8), with the
 * keys of each signer asked of the caller.
 */
#include "analysis/validate.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/msg.h"
#include "dns/header.h"
#include "dns/rdata.h"
#include "dns/wire.h"
#include "dnssec/key.h"

#define ZONE_KEY 0x0100u /* DNSKEY flags: Zone Key (RFC 4034 2.1.1) */
#define NSEC3_OPTOUT 0x01

const char *val_status_str(uint8_t status)
{
	static const char *const s[] = { "secure", "insecure", "bogus" };
	return status < 3 ? s[status] : "?";
}

const char *val_ede_str(uint16_t ede)
{
	switch (ede) {
	case VAL_EDE_UNSUPPORTED_ALG:
		return "Unsupported DNSKEY Algorithm";
	case VAL_EDE_UNSUPPORTED_DIGEST:
		return "Unsupported DS Digest Type";
	case VAL_EDE_BOGUS:
		return "DNSSEC Bogus";
	case VAL_EDE_SIG_EXPIRED:
		return "Signature Expired";
	case VAL_EDE_SIG_NOT_YET_VALID:
		return "Signature Not Yet Valid";
	case VAL_EDE_DNSKEY_MISSING:
		return "DNSKEY Missing";
	case VAL_EDE_RRSIGS_MISSING:
		return "RRSIGs Missing";
	case VAL_EDE_NSEC_MISSING:
		return "NSEC Missing";
	case VAL_EDE_NSEC3_ITERATIONS:
		return "Unsupported NSEC3 Iterations Value";
	default:
		return "";
	}
}

void val_result_set(val_result_t *r, uint8_t status, uint16_t ede, const char *fmt, ...)
{
	r->status = status;
	r->ede = ede;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

static void secure(val_result_t *r)
{
	r->status = VAL_SECURE;
	r->ede = VAL_EDE_NONE;
	r->reason[0] = 0;
}

/* Keep the worse of two results in acc: bogus, then insecure, then secure. */
static void worst(val_result_t *acc, const val_result_t *x)
{
	if (x->status > acc->status)
		*acc = *x;
}

/* Text of a name / a type, for reasons. */
typedef struct ntext {
	char s[NAME_TEXT_MAX];
} ntext_t;

static ntext_t nt(const uint8_t *name)
{
	ntext_t t;
	name_str(name, t.s, sizeof(t.s));
	return t;
}

typedef struct ttext {
	char s[16];
} ttext_t;

static ttext_t tt(uint16_t type)
{
	ttext_t t;
	char buf[16];
	snprintf(t.s, sizeof(t.s), "%s", rrtype_to_text(type, buf));
	return t;
}

/* A signature time as RRSIG presentation, YYYYMMDDHHMMSS (UTC). */
static void sigtime(uint32_t t, char buf[20])
{
	time_t tt_ = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt_, &tm) == NULL || strftime(buf, 20, "%Y%m%d%H%M%S", &tm) == 0)
		snprintf(buf, 20, "%u", t);
}

/* ---- reading a message ------------------------------------------------------------ */

typedef struct ent {
	uint8_t section;
	bool used;
	uint16_t type, covered;
	uint32_t ttl;
	uint32_t owner; /* offset in names */
	uint32_t rd;    /* offset in raw */
	uint16_t rdlen;
} ent_t;

void val_msg_free(val_msg_t *m)
{
	free(m->sets);
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

int val_msg_parse(val_msg_t *m, const uint8_t *wire, size_t len)
{
	memset(m, 0, sizeof(*m));
	msg_t msg;
	msg_rr_t *rr = malloc(sizeof(*rr));
	ent_t *ents = NULL;
	uint8_t *raw = NULL, *names = NULL;
	int rc = ST_ENOMEM;
	if (rr == NULL)
		goto out;
	rc = msg_open(&msg, wire, len);
	if (rc != ST_OK)
		goto out;
	m->flags = msg.flags;
	m->rcode = (uint8_t)(msg.flags & 0xF);

	/* Count first, so that every buffer is allocated once. */
	msg_t scan = msg;
	size_t n = 0, bytes = 0;
	while ((rc = msg_next(&scan, rr)) == 1)
		if (rr->section > 0 && rr->type != RR_OPT) {
			n++;
			bytes += rr->rdlen;
		}
	if (rc < 0)
		goto out;
	rc = ST_ENOMEM;
	ents = calloc(n ? n : 1, sizeof(*ents));
	raw = malloc(bytes + 1);
	names = malloc(n * NAME_MAXLEN + 1);
	m->sets = calloc(n ? n : 1, sizeof(*m->sets));
	m->buf = malloc(n * (NAME_MAXLEN + 2) + bytes + 1);
	if (!ents || !raw || !names || !m->sets || !m->buf)
		goto out;
	size_t k = 0, rawpos = 0, namepos = 0;
	while ((rc = msg_next(&msg, rr)) == 1 && k < n) {
		if (rr->section == 0 || rr->type == RR_OPT)
			continue;
		ent_t *e = &ents[k++];
		e->section = (uint8_t)rr->section;
		e->type = rr->type;
		e->covered = rr->type == RR_RRSIG && rr->rdlen >= 2 ? wire_get16(rr->rd) : 0;
		e->ttl = rr->ttl;
		e->owner = (uint32_t)namepos;
		namepos += name_lower(names + namepos, rr->owner);
		e->rd = (uint32_t)rawpos;
		e->rdlen = rr->rdlen;
		memcpy(raw + rawpos, rr->rd, rr->rdlen);
		rawpos += rr->rdlen;
	}
	if (rc < 0)
		goto out;

	/* The RRsets, in the order their first record came. */
	size_t used = 0;
	for (size_t i = 0; i < k; i++) {
		if (ents[i].used || ents[i].type == RR_RRSIG)
			continue;
		val_rrset_t *s = &m->sets[m->nsets++];
		const uint8_t *owner = names + ents[i].owner;
		size_t ol = name_len(owner);
		memcpy(m->buf + used, owner, ol);
		s->owner = m->buf + used;
		used += ol;
		s->type = ents[i].type;
		s->section = ents[i].section;
		s->ttl = ents[i].ttl;
		s->data = m->buf + used;
		for (size_t j = i; j < k; j++) {
			ent_t *e = &ents[j];
			if (e->used || e->type != s->type || e->section != s->section ||
			    !name_equal(names + e->owner, owner))
				continue;
			e->used = true;
			m->buf[used] = (uint8_t)(e->rdlen >> 8);
			m->buf[used + 1] = (uint8_t)e->rdlen;
			memcpy(m->buf + used + 2, raw + e->rd, e->rdlen);
			used += 2u + e->rdlen;
			s->count++;
			if (e->ttl < s->ttl)
				s->ttl = e->ttl;
		}
		s->datalen = (uint32_t)(m->buf + used - s->data);
	}
	/* Each RRset's RRSIGs, from its own section. */
	for (size_t si = 0; si < m->nsets; si++) {
		val_rrset_t *s = &m->sets[si];
		s->sigs = m->buf + used;
		for (size_t j = 0; j < k; j++) {
			ent_t *e = &ents[j];
			if (e->used || e->type != RR_RRSIG || e->covered != s->type ||
			    e->section != s->section || !name_equal(names + e->owner, s->owner))
				continue;
			e->used = true;
			m->buf[used] = (uint8_t)(e->rdlen >> 8);
			m->buf[used + 1] = (uint8_t)e->rdlen;
			memcpy(m->buf + used + 2, raw + e->rd, e->rdlen);
			used += 2u + e->rdlen;
			s->nsigs++;
		}
		s->sigslen = (uint32_t)(m->buf + used - s->sigs);
	}
	rc = ST_OK;
out:
	free(rr);
	free(ents);
	free(raw);
	free(names);
	return rc;
}

const val_rrset_t *val_msg_find(const val_msg_t *m, int section, const uint8_t *owner,
				uint16_t type)
{
	for (size_t i = 0; i < m->nsets; i++) {
		const val_rrset_t *s = &m->sets[i];
		if ((section == 0 || s->section == section) && s->type == type &&
		    name_equal(s->owner, owner))
			return s;
	}
	return NULL;
}

/* Iterate the records (or the RRSIGs) of an RRset: as rrset_next. */
static bool next_rec(const uint8_t *data, uint32_t len, uint32_t *pos, const uint8_t **rd,
		     uint16_t *rdlen)
{
	if (*pos + 2 > len)
		return false;
	uint16_t l = (uint16_t)(data[*pos] << 8 | data[*pos + 1]);
	if (*pos + 2u + l > len)
		return false;
	*rd = data + *pos + 2;
	*rdlen = l;
	*pos += 2u + l;
	return true;
}

/* ---- algorithms, digests, hashes ------------------------------------------------ */

bool val_alg_supported(uint8_t alg)
{
	return alg == DNSSEC_ALG_RSASHA256 || alg == DNSSEC_ALG_ECDSAP256SHA256 ||
	       alg == DNSSEC_ALG_ED25519;
}

static const EVP_MD *digest_md(uint8_t type, size_t *len)
{
	switch (type) {
	case 1:
		*len = 20;
		return EVP_sha1();
	case 2:
		*len = 32;
		return EVP_sha256();
	case 4:
		*len = 48;
		return EVP_sha384();
	default:
		*len = 0;
		return NULL;
	}
}

bool val_digest_supported(uint8_t type)
{
	size_t len;
	return digest_md(type, &len) != NULL;
}

size_t val_ds_from_rrset(const val_rrset_t *rs, val_ds_t *out, size_t cap)
{
	size_t n = 0;
	uint32_t pos = 0;
	const uint8_t *rd;
	uint16_t len;
	while (rs && n < cap && next_rec(rs->data, rs->datalen, &pos, &rd, &len)) {
		if (len < 4 || len > VAL_DS_RDATA_MAX)
			continue;
		out[n].len = (uint8_t)len;
		memcpy(out[n].rd, rd, len);
		n++;
	}
	return n;
}

int val_ds_matches(const uint8_t *owner, const uint8_t *dnskey, size_t dnskeylen, const uint8_t *ds,
		   size_t dslen)
{
	size_t dlen;
	if (dslen < 4 || dnskeylen < 4 || dnskeylen > DNSKEY_RDATA_MAX)
		return ST_EINVAL;
	const EVP_MD *md = digest_md(ds[3], &dlen);
	if (md == NULL)
		return ST_EINVAL;
	if (wire_get16(ds) != dnskey_tag(dnskey, dnskeylen) || ds[2] != dnskey[3] ||
	    dslen != 4 + dlen)
		return 0;
	uint8_t buf[NAME_MAXLEN + DNSKEY_RDATA_MAX], out[EVP_MAX_MD_SIZE];
	size_t n = name_lower(buf, owner);
	memcpy(buf + n, dnskey, dnskeylen);
	unsigned int olen = 0;
	if (EVP_Digest(buf, n + dnskeylen, out, &olen, md, NULL) != 1 || olen != dlen)
		return ST_EINVAL;
	return memcmp(out, ds + 4, dlen) == 0;
}

int val_nsec3_hash(const uint8_t *name, const uint8_t *salt, uint8_t saltlen, uint16_t iterations,
		   uint8_t out[VAL_NSEC3_HASH_LEN])
{
	uint8_t buf[NAME_MAXLEN + 255];
	size_t n = name_lower(buf, name);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return ST_ENOMEM;
	int ok = 1;
	for (unsigned i = 0; ok && i <= iterations; i++) {
		const uint8_t *in = i == 0 ? buf : out;
		size_t inlen = i == 0 ? n : VAL_NSEC3_HASH_LEN;
		unsigned int olen = 0;
		ok = EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
		     EVP_DigestUpdate(ctx, in, inlen) == 1 &&
		     (saltlen == 0 || EVP_DigestUpdate(ctx, salt, saltlen) == 1) &&
		     EVP_DigestFinal_ex(ctx, out, &olen) == 1 && olen == VAL_NSEC3_HASH_LEN;
	}
	EVP_MD_CTX_free(ctx);
	return ok ? ST_OK : ST_ENOMEM;
}

int val_nsec3_owner_hash(const uint8_t *owner, uint8_t *out, size_t cap)
{
	size_t l = owner[0];
	if (l == 0 || l % 8 != 0 || l / 8 * 5 > cap)
		return -1;
	size_t n = 0;
	uint64_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 1; i <= l; i++) {
		uint8_t c = owner[i];
		int v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'v')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'V')
			v = c - 'A' + 10;
		else
			return -1;
		acc = acc << 5 | (uint64_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return (int)n;
}

bool val_bitmap_has(const uint8_t *bm, size_t len, uint16_t type)
{
	uint8_t win = (uint8_t)(type >> 8), lo = (uint8_t)type;
	for (size_t p = 0; p + 2 <= len;) {
		uint8_t w = bm[p], bl = bm[p + 1];
		if (bl == 0 || bl > 32 || p + 2 + bl > len)
			return false;
		if (w == win)
			return lo / 8 < bl && (bm[p + 2 + lo / 8] & (0x80 >> (lo % 8))) != 0;
		p += 2u + bl;
	}
	return false;
}

int val_sig_time(uint32_t inception, uint32_t expiration, uint32_t now, bool skew)
{
	int32_t life = (int32_t)(expiration - inception);
	if (life < 0)
		return 1; /* expires before it starts: never valid */
	uint32_t sk = 0;
	if (skew) {
		sk = (uint32_t)life / 10;
		sk = sk < 3600 ? 3600 : sk > 86400 ? 86400 : sk;
	}
	if ((int32_t)(now - (inception - sk)) < 0)
		return -1;
	if ((int32_t)((expiration + sk) - now) < 0)
		return 1;
	return 0;
}

static int rec_cmp(const void *a, const void *b)
{
	const uint8_t *x = *(const uint8_t *const *)a, *y = *(const uint8_t *const *)b;
	size_t lx = (size_t)x[0] << 8 | x[1], ly = (size_t)y[0] << 8 | y[1];
	int c = memcmp(x + 2, y + 2, lx < ly ? lx : ly);
	return c != 0 ? c : (lx > ly) - (lx < ly);
}

/*
 * The data an RRSIG (sig, siglen bytes of rdata, whose signer name is
 * signerlen bytes at sig + 18) signs over rs (RFC 4034 3.1.8.1): its rdata
 * up to the signature with the signer name lowercased, then each record in
 * canonical form and order, duplicates once, owned by the owner (or the
 * wildcard the label count names) with the original TTL. Returns a
 * malloc'd buffer and its length in *outlen, or NULL.
 */
static uint8_t *signed_data(const val_rrset_t *rs, const uint8_t *sig, size_t signerlen,
			    size_t *outlen)
{
	uint8_t owner[NAME_MAXLEN];
	int labels = name_labels(rs->owner), siglabels = sig[3];
	size_t ol;
	if (siglabels < labels) {
		owner[0] = 1;
		owner[1] = '*';
		const uint8_t *base = name_skip(rs->owner, labels - siglabels);
		size_t bl = name_len(base);
		if (bl + 2 > NAME_MAXLEN)
			return NULL;
		name_lower(owner + 2, base);
		ol = bl + 2;
	} else {
		ol = name_lower(owner, rs->owner);
	}
	size_t hdr = 18 + signerlen;
	size_t cap = hdr + (size_t)rs->count * (ol + 10) + rs->datalen;
	uint8_t *out = malloc(cap + rs->datalen + 1);
	const uint8_t **recs = malloc((rs->count ? rs->count : 1) * sizeof(*recs));
	if (out == NULL || recs == NULL) {
		free(out);
		free(recs);
		return NULL;
	}
	uint8_t *copy = out + cap; /* the canonical records, sorted in place */
	memcpy(copy, rs->data, rs->datalen);
	size_t nrec = 0;
	for (uint32_t pos = 0; pos + 2 <= rs->datalen && nrec < rs->count;) {
		uint16_t l = (uint16_t)(copy[pos] << 8 | copy[pos + 1]);
		if (pos + 2u + l > rs->datalen)
			break;
		rdata_canon(rs->type, copy + pos + 2, l);
		recs[nrec++] = copy + pos;
		pos += 2u + l;
	}
	qsort(recs, nrec, sizeof(*recs), rec_cmp);
	memcpy(out, sig, hdr);
	name_lower(out + 18, out + 18);
	size_t len = hdr;
	uint32_t ttl = wire_get32(sig + 4);
	for (size_t i = 0; i < nrec; i++) {
		if (i > 0 && rec_cmp(&recs[i - 1], &recs[i]) == 0)
			continue;
		uint16_t l = (uint16_t)(recs[i][0] << 8 | recs[i][1]);
		memcpy(out + len, owner, ol);
		len += ol;
		wire_put16(out + len, rs->type);
		wire_put16(out + len + 2, CLASS_IN);
		wire_put32(out + len + 4, ttl);
		len += 8;
		memcpy(out + len, recs[i], 2u + l);
		len += 2u + l;
	}
	free(recs);
	*outlen = len;
	return out;
}

/* ---- one RRset's signatures ----------------------------------------------------------- */

void val_verify(const val_rrset_t *rs, const val_rrset_t *dnskey, const uint8_t *zone, uint32_t now,
		val_result_t *r, int *wild)
{
	/* The most telling failure so far: 1 no RRSIG by zone, 2 none by a key
	 * of it, 3 one that does not verify, 4 one out of its validity. */
	int best = 0;
	val_result_t fail = { 0 };
	int owner_labels = name_labels(rs->owner);
	ntext_t o = nt(rs->owner), z = nt(zone);
	ttext_t t = tt(rs->type);
	uint32_t pos = 0;
	const uint8_t *sig;
	uint16_t siglen;
	if (wild)
		*wild = -1;
	while (next_rec(rs->sigs, rs->sigslen, &pos, &sig, &siglen)) {
		int sl = siglen > 18 ? name_check(sig + 18, siglen - 18u) : -1;
		if (sl < 0 || wire_get16(sig) != rs->type)
			continue;
		const uint8_t *signer = sig + 18;
		uint8_t alg = sig[2], labels = sig[3];
		uint16_t tag = wire_get16(sig + 16);
		if (!name_equal(signer, zone)) {
			if (best < 1) {
				best = 1;
				val_result_set(&fail, VAL_BOGUS, VAL_EDE_RRSIGS_MISSING,
					       "no RRSIG by %s over %s %s (the one there is by %s)",
					       z.s, o.s, t.s, nt(signer).s);
			}
			continue;
		}
		if (labels > owner_labels) {
			if (best < 3) {
				best = 3;
				val_result_set(
					&fail, VAL_BOGUS, VAL_EDE_BOGUS,
					"RRSIG over %s %s by %s claims %u labels, more than the owner has",
					o.s, t.s, z.s, labels);
			}
			continue;
		}
		bool keyed = false, dated = false;
		uint32_t kpos = 0;
		const uint8_t *key;
		uint16_t keylen;
		uint8_t *data = NULL;
		size_t dlen = 0;
		while (dnskey && next_rec(dnskey->data, dnskey->datalen, &kpos, &key, &keylen)) {
			if (keylen < 4 || !(wire_get16(key) & ZONE_KEY) || key[2] != 3 ||
			    key[3] != alg || dnskey_tag(key, keylen) != tag)
				continue;
			keyed = true;
			if (!val_alg_supported(alg))
				continue;
			int when =
				val_sig_time(wire_get32(sig + 12), wire_get32(sig + 8), now, true);
			if (when != 0) {
				dated = true;
				if (best < 4) {
					char ts[20];
					best = 4;
					sigtime(when > 0 ? wire_get32(sig + 8)
							 : wire_get32(sig + 12),
						ts);
					val_result_set(&fail, VAL_BOGUS,
						       when > 0 ? VAL_EDE_SIG_EXPIRED
								: VAL_EDE_SIG_NOT_YET_VALID,
						       "RRSIG over %s %s by %s key %u %s %s", o.s,
						       t.s, z.s, tag,
						       when > 0 ? "expired at"
								: "is not valid before",
						       ts);
				}
				break; /* the dates are checked before the signature */
			}
			if (data == NULL)
				data = signed_data(rs, sig, (size_t)sl, &dlen);
			if (data == NULL)
				break;
			size_t off = 18u + (size_t)sl;
			if (dnskey_verify(key, keylen, data, dlen, sig + off, siglen - off) == 1) {
				free(data);
				secure(r);
				if (wild && labels < owner_labels)
					*wild = labels;
				return;
			}
		}
		free(data);
		if (!keyed && best < 2) {
			best = 2;
			val_result_set(
				&fail, VAL_BOGUS, VAL_EDE_DNSKEY_MISSING,
				"RRSIG over %s %s names key %u/%u, which is not a DNSKEY of %s",
				o.s, t.s, tag, alg, z.s);
		} else if (keyed && !val_alg_supported(alg) && best < 2) {
			best = 2;
			val_result_set(
				&fail, VAL_BOGUS, VAL_EDE_UNSUPPORTED_ALG,
				"RRSIG over %s %s by %s key %u uses algorithm %u, which is not supported",
				o.s, t.s, z.s, tag, alg);
		} else if (keyed && !dated && val_alg_supported(alg) && best < 3) {
			best = 3;
			val_result_set(&fail, VAL_BOGUS, VAL_EDE_BOGUS,
				       "RRSIG over %s %s by %s key %u does not verify", o.s, t.s,
				       z.s, tag);
		}
	}
	if (best == 0)
		val_result_set(&fail, VAL_BOGUS, VAL_EDE_RRSIGS_MISSING,
			       "no RRSIG over %s %s (zone %s is signed)", o.s, t.s, z.s);
	*r = fail;
}

/* ---- one zone's keys --------------------------------------------------------------------- */

void val_dnskey(const val_rrset_t *dnskey, const val_ds_t *ds, size_t nds, const uint8_t *zone,
		const uint8_t *parent, uint32_t now, val_result_t *r)
{
	ntext_t z = nt(zone);
	char from[NAME_TEXT_MAX + 16];
	if (parent)
		snprintf(from, sizeof(from), "in %s", nt(parent).s);
	else
		snprintf(from, sizeof(from), "of the trust anchor");
	/* Which DS count: supported ones; SHA-1 only without a stronger digest. */
	bool strong = false, any_alg = false;
	for (size_t i = 0; i < nds; i++) {
		if (ds[i].len < 4 || !val_alg_supported(ds[i].rd[2]))
			continue;
		any_alg = true;
		strong |= val_digest_supported(ds[i].rd[3]) && ds[i].rd[3] != 1;
	}
	size_t usable = 0;
	for (size_t i = 0; i < nds; i++)
		if (ds[i].len >= 4 && val_alg_supported(ds[i].rd[2]) &&
		    val_digest_supported(ds[i].rd[3]) && !(strong && ds[i].rd[3] == 1))
			usable++;
	if (nds > 0 && usable == 0) {
		const val_ds_t *d = &ds[0];
		for (size_t i = 0; i < nds; i++)
			if (any_alg == (ds[i].len >= 4 && val_alg_supported(ds[i].rd[2])))
				d = &ds[i];
		unsigned tag = d->len >= 4 ? wire_get16(d->rd) : 0,
			 alg = d->len >= 4 ? d->rd[2] : 0, dt = d->len >= 4 ? d->rd[3] : 0;
		if (!any_alg)
			val_result_set(
				r, VAL_INSECURE, VAL_EDE_UNSUPPORTED_ALG,
				"DS %u/%u/%u %s: algorithm %u is not supported, so %s is insecure",
				tag, alg, dt, from, alg, z.s);
		else
			val_result_set(
				r, VAL_INSECURE, VAL_EDE_UNSUPPORTED_DIGEST,
				"DS %u/%u/%u %s: digest type %u is not supported, so %s is insecure",
				tag, alg, dt, from, dt, z.s);
		return;
	}
	const val_ds_t *first = NULL;
	for (size_t i = 0; i < nds && first == NULL; i++)
		if (ds[i].len >= 4 && val_alg_supported(ds[i].rd[2]) &&
		    val_digest_supported(ds[i].rd[3]) && !(strong && ds[i].rd[3] == 1))
			first = &ds[i];
	if (first == NULL) {
		val_result_set(r, VAL_INSECURE, VAL_EDE_NONE, "no DS for %s", z.s);
		return;
	}
	if (dnskey == NULL || dnskey->count == 0) {
		val_result_set(r, VAL_BOGUS, VAL_EDE_DNSKEY_MISSING,
			       "%s has no DNSKEY, but DS %u/%u/%u %s says it is signed", z.s,
			       wire_get16(first->rd), first->rd[2], first->rd[3], from);
		return;
	}
	bool matched = false;
	val_result_t fail = { 0 };
	for (size_t i = 0; i < nds; i++) {
		const val_ds_t *d = &ds[i];
		if (d->len < 4 || !val_alg_supported(d->rd[2]) || !val_digest_supported(d->rd[3]) ||
		    (strong && d->rd[3] == 1))
			continue;
		uint32_t pos = 0;
		const uint8_t *key;
		uint16_t keylen;
		while (next_rec(dnskey->data, dnskey->datalen, &pos, &key, &keylen)) {
			if (keylen < 4 || !(wire_get16(key) & ZONE_KEY) ||
			    val_ds_matches(zone, key, keylen, d->rd, d->len) != 1)
				continue;
			/* This key, alone, must sign the DNSKEY RRset. */
			uint8_t one[2 + DNSKEY_RDATA_MAX];
			wire_put16(one, keylen);
			memcpy(one + 2, key, keylen);
			val_rrset_t k1 = { .owner = zone,
					   .type = RR_DNSKEY,
					   .count = 1,
					   .data = one,
					   .datalen = 2u + keylen };
			val_result_t vr;
			val_verify(dnskey, &k1, zone, now, &vr, NULL);
			if (vr.status == VAL_SECURE) {
				secure(r);
				return;
			}
			if (!matched) {
				fail = vr;
				/* As Unbound: a key set its DS key does not validly sign
				 * is "DNSKEY Missing"; out of date stays 7 or 8. */
				if (vr.ede == VAL_EDE_BOGUS)
					fail.ede = VAL_EDE_DNSKEY_MISSING;
				if (vr.ede == VAL_EDE_DNSKEY_MISSING ||
				    vr.ede == VAL_EDE_RRSIGS_MISSING)
					val_result_set(
						&fail, VAL_BOGUS, VAL_EDE_RRSIGS_MISSING,
						"DS %u/%u/%u %s names DNSKEY %u of %s, but no RRSIG by it covers the DNSKEY RRset",
						wire_get16(d->rd), d->rd[2], d->rd[3], from,
						dnskey_tag(key, keylen), z.s);
			}
			matched = true;
		}
	}
	if (!matched) {
		val_result_set(r, VAL_BOGUS, VAL_EDE_DNSKEY_MISSING,
			       "DS %u/%u/%u %s matches no DNSKEY of %s", wire_get16(first->rd),
			       first->rd[2], first->rd[3], from, z.s);
		return;
	}
	*r = fail;
}

/* ---- the records of denial --------------------------------------------------------------- */

/* An NSEC record: its next name and type bitmap. */
static bool nsec_parse(const uint8_t *rd, uint16_t len, const uint8_t **next, const uint8_t **bm,
		       size_t *bmlen)
{
	int n = name_check(rd, len);
	if (n < 0)
		return false;
	*next = rd;
	*bm = rd + n;
	*bmlen = len - (size_t)n;
	return true;
}

/* Does the NSEC owner -> next cover name (strictly between, the last NSEC
 * wrapping round to the apex)? */
static bool nsec_covers(const uint8_t *owner, const uint8_t *next, const uint8_t *name)
{
	int on = name_canon_cmp(owner, name), nn = name_canon_cmp(name, next);
	if (name_canon_cmp(owner, next) < 0)
		return on < 0 && nn < 0;
	return on < 0 || nn < 0; /* the last NSEC: next is the apex */
}

/* The NSEC3 records of a message's AUTHORITY for zone, in a usable form. */
typedef struct n3 {
	const val_rrset_t *rs;
	uint8_t flags;
	uint16_t iterations;
	uint8_t saltlen;
	const uint8_t *salt;
	uint8_t owner[VAL_NSEC3_HASH_LEN];
	uint8_t next[VAL_NSEC3_HASH_LEN];
	const uint8_t *bm;
	size_t bmlen;
} n3_t;

#define VAL_MAX_N3 16

static size_t n3_collect(const val_msg_t *m, const uint8_t *zone, n3_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nsets && n < VAL_MAX_N3; i++) {
		const val_rrset_t *s = &m->sets[i];
		if (s->section != 2 || s->type != RR_NSEC3 || s->owner[0] == 0 ||
		    !name_equal(name_skip(s->owner, 1), zone))
			continue;
		uint32_t pos = 0;
		const uint8_t *rd;
		uint16_t len;
		if (!next_rec(s->data, s->datalen, &pos, &rd, &len) || len < 5)
			continue;
		n3_t *x = &out[n];
		x->rs = s;
		x->flags = rd[1];
		x->iterations = wire_get16(rd + 2);
		x->saltlen = rd[4];
		x->salt = rd + 5;
		size_t p = 5u + x->saltlen;
		/* RFC 5155 8.1, 8.2: SHA-1 only; unknown flags: ignore the record. */
		if (rd[0] != 1 || rd[1] > 1 || p + 1 > len || rd[p] != VAL_NSEC3_HASH_LEN ||
		    p + 1 + VAL_NSEC3_HASH_LEN > len ||
		    val_nsec3_owner_hash(s->owner, x->owner, sizeof(x->owner)) !=
			    VAL_NSEC3_HASH_LEN)
			continue;
		memcpy(x->next, rd + p + 1, VAL_NSEC3_HASH_LEN);
		x->bm = rd + p + 1 + VAL_NSEC3_HASH_LEN;
		x->bmlen = len - (p + 1 + VAL_NSEC3_HASH_LEN);
		n++;
	}
	return n;
}

/* The record of l[0..n) that matches (cover false) or covers (cover true)
 * name, or -1. */
static int n3_find(const n3_t *l, size_t n, const uint8_t *name, bool cover)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t h[VAL_NSEC3_HASH_LEN];
		if (val_nsec3_hash(name, l[i].salt, l[i].saltlen, l[i].iterations, h) != ST_OK)
			continue;
		int on = memcmp(l[i].owner, h, sizeof(h)), hn = memcmp(h, l[i].next, sizeof(h));
		if (!cover) {
			if (on == 0)
				return (int)i;
			continue;
		}
		bool c = memcmp(l[i].owner, l[i].next, sizeof(h)) < 0 ? on < 0 && hn < 0
								      : on < 0 || hn < 0;
		if (c)
			return (int)i;
	}
	return -1;
}

/*
 * The closest encloser proof (RFC 5155 8.3) for name in zone: the deepest
 * ancestor with a matching NSEC3 (not a delegation's, nor a DNAME's) whose
 * next closer name has a covering one. Fills ce (the encloser) and the
 * indexes; returns false when there is none.
 */
static bool n3_closest(const n3_t *l, size_t n, const uint8_t *name, const uint8_t *zone,
		       uint8_t ce[NAME_MAXLEN], int *ce_i, int *nc_i)
{
	int labels = name_labels(name), zl = name_labels(zone);
	for (int k = 1; k <= labels - zl; k++) {
		const uint8_t *cand = name_skip(name, k);
		int m = n3_find(l, n, cand, false);
		if (m < 0)
			continue;
		if ((val_bitmap_has(l[m].bm, l[m].bmlen, RR_NS) &&
		     !val_bitmap_has(l[m].bm, l[m].bmlen, RR_SOA)) ||
		    val_bitmap_has(l[m].bm, l[m].bmlen, RR_DNAME))
			return false;
		int c = n3_find(l, n, name_skip(name, k - 1), true);
		if (c < 0)
			return false;
		memcpy(ce, cand, name_len(cand));
		*ce_i = m;
		*nc_i = c;
		return true;
	}
	return false;
}

static bool n3_too_many(const n3_t *l, size_t n, val_result_t *r, const uint8_t *zone)
{
	for (size_t i = 0; i < n; i++)
		if (l[i].iterations > VAL_NSEC3_MAX_ITERATIONS) {
			val_result_set(
				r, VAL_INSECURE, VAL_EDE_NSEC3_ITERATIONS,
				"NSEC3 of %s use %u iterations, above %u: treated as insecure (RFC 9276)",
				nt(zone).s, l[i].iterations, VAL_NSEC3_MAX_ITERATIONS);
			return true;
		}
	return false;
}

/* The wildcard name "*.ce". */
static bool wildcard_of(const uint8_t *ce, uint8_t out[NAME_MAXLEN])
{
	size_t l = name_len(ce);
	if (l + 2 > NAME_MAXLEN)
		return false;
	out[0] = 1;
	out[1] = '*';
	memcpy(out + 2, ce, l);
	return true;
}

/* The longest common ancestor of a and b (both at or below some zone). */
static const uint8_t *common(const uint8_t *a, const uint8_t *b)
{
	int la = name_labels(a), lb = name_labels(b);
	const uint8_t *x = name_skip(a, la > lb ? la - lb : 0);
	const uint8_t *y = name_skip(b, lb > la ? lb - la : 0);
	while (!name_equal(x, y)) {
		x = name_skip(x, 1);
		y = name_skip(y, 1);
	}
	return x;
}

/* ---- responses ------------------------------------------------------------------------- */

typedef struct vctx {
	const val_msg_t *m;
	val_keys_fn keys;
	void *ctx;
	uint32_t now;
	val_result_t *r; /* the worst so far */
} vctx_t;

/* The signer an RRset's RRSIGs name, if one is at or above its owner
 * (strictly above for a DS, which its parent signs). */
static const uint8_t *signer_of(const val_rrset_t *rs)
{
	uint32_t pos = 0;
	const uint8_t *sig;
	uint16_t len;
	while (next_rec(rs->sigs, rs->sigslen, &pos, &sig, &len)) {
		if (len <= 18 || name_check(sig + 18, len - 18u) < 0)
			continue;
		const uint8_t *s = sig + 18;
		if (name_is_sub(rs->owner, s) && !(rs->type == RR_DS && name_equal(rs->owner, s)))
			return s;
	}
	return NULL;
}

/* Verify one RRset with its signer's keys; merge the result. Returns its
 * status; *zone (may be NULL) is the zone whose keys were used. */
static uint8_t check_set(vctx_t *v, const val_rrset_t *rs, uint8_t zone_out[NAME_MAXLEN], int *wild)
{
	const uint8_t *signer = signer_of(rs);
	const val_rrset_t *dnskey = NULL;
	const uint8_t *zone = NULL;
	val_result_t kr;
	secure(&kr);
	uint8_t st;
	if (wild)
		*wild = -1;
	if (signer) {
		st = v->keys(v->ctx, signer, true, &dnskey, &zone, &kr);
	} else {
		const uint8_t *name = rs->owner;
		if (rs->type == RR_DS && name[0] != 0)
			name = name_skip(name, 1);
		st = v->keys(v->ctx, name, false, &dnskey, &zone, &kr);
	}
	if (st != VAL_SECURE) {
		if (kr.status == VAL_SECURE)
			val_result_set(&kr, st, VAL_EDE_NONE,
				       "%s %s is below an insecure delegation", nt(rs->owner).s,
				       tt(rs->type).s);
		kr.status = st;
		worst(v->r, &kr);
		return st;
	}
	val_result_t res;
	val_verify(rs, dnskey, zone, v->now, &res, wild);
	worst(v->r, &res);
	if (zone_out && zone)
		memcpy(zone_out, zone, name_len(zone));
	return res.status;
}

static bool has_denial(const val_msg_t *m)
{
	for (size_t i = 0; i < m->nsets; i++)
		if (m->sets[i].section == 2 &&
		    (m->sets[i].type == RR_NSEC || m->sets[i].type == RR_NSEC3))
			return true;
	return false;
}

/* The NSEC of zone in AUTHORITY that matches (exact) or covers name. */
static bool nsec_find(const val_msg_t *m, const uint8_t *zone, const uint8_t *name, bool exact,
		      const val_rrset_t **out, const uint8_t **next, const uint8_t **bm,
		      size_t *bmlen)
{
	for (size_t i = 0; i < m->nsets; i++) {
		const val_rrset_t *s = &m->sets[i];
		uint32_t pos = 0;
		const uint8_t *rd;
		uint16_t len;
		if (s->section != 2 || s->type != RR_NSEC || !name_is_sub(s->owner, zone) ||
		    !next_rec(s->data, s->datalen, &pos, &rd, &len) ||
		    !nsec_parse(rd, len, next, bm, bmlen))
			continue;
		if (exact ? name_equal(s->owner, name) : nsec_covers(s->owner, *next, name)) {
			*out = s;
			return true;
		}
	}
	return false;
}

/* The proof that the answer for sname, expanded from a wildcard (labels:
 * the RRSIG's label count), is right: no closer name exists. */
static void wildcard_proof(vctx_t *v, const uint8_t *sname, int labels, const uint8_t *zone)
{
	const val_msg_t *m = v->m;
	val_result_t r;
	int sl = name_labels(sname);
	const uint8_t *ce = name_skip(sname, sl - labels);
	const val_rrset_t *s;
	const uint8_t *next, *bm;
	size_t bml;
	if (nsec_find(m, zone, sname, false, &s, &next, &bm, &bml))
		return;
	n3_t l[VAL_MAX_N3];
	size_t n = n3_collect(m, zone, l);
	if (n > 0) {
		if (n3_too_many(l, n, &r, zone)) {
			worst(v->r, &r);
			return;
		}
		if (n3_find(l, n, name_skip(sname, sl - labels - 1), true) >= 0)
			return;
	}
	val_result_set(
		&r, VAL_BOGUS, has_denial(m) ? VAL_EDE_BOGUS : VAL_EDE_NSEC_MISSING,
		"the answer for %s is expanded from *.%s, but no NSEC or NSEC3 of %s proves that %s does not exist",
		nt(sname).s, nt(ce).s, nt(zone).s, nt(sname).s);
	worst(v->r, &r);
}

/* NSEC: the name error or the no data for sname/qtype in zone. */
static void nsec_negative(vctx_t *v, const uint8_t *zone, const uint8_t *sname, uint16_t qtype,
			  bool nx)
{
	const val_msg_t *m = v->m;
	val_result_t r;
	const val_rrset_t *s, *w;
	const uint8_t *next, *bm, *wnext, *wbm;
	size_t bml, wbml;
	ntext_t sn = nt(sname);
	ttext_t qt = tt(qtype);
	if (!nx && nsec_find(m, zone, sname, true, &s, &next, &bm, &bml)) {
		if (val_bitmap_has(bm, bml, qtype) || val_bitmap_has(bm, bml, RR_CNAME))
			val_result_set(&r, VAL_BOGUS, VAL_EDE_BOGUS,
				       "the NSEC at %s says it has %s, yet the answer has none",
				       sn.s, val_bitmap_has(bm, bml, qtype) ? qt.s : "a CNAME");
		else if (qtype != RR_DS && val_bitmap_has(bm, bml, RR_NS) &&
			 !val_bitmap_has(bm, bml, RR_SOA))
			val_result_set(
				&r, VAL_BOGUS, VAL_EDE_BOGUS,
				"the NSEC at %s is the parent's, at a delegation: it proves nothing about %s",
				sn.s, qt.s);
		else if (qtype == RR_DS && val_bitmap_has(bm, bml, RR_SOA) && sname[0] != 0)
			val_result_set(
				&r, VAL_BOGUS, VAL_EDE_BOGUS,
				"the NSEC at %s is the child's apex, not the parent's: it cannot deny a DS",
				sn.s);
		else
			return;
		worst(v->r, &r);
		return;
	}
	if (!nsec_find(m, zone, sname, false, &s, &next, &bm, &bml)) {
		val_result_set(&r, VAL_BOGUS, VAL_EDE_BOGUS, "no NSEC of %s %s %s", nt(zone).s,
			       nx ? "covers" : "matches or covers", sn.s);
		worst(v->r, &r);
		return;
	}
	/* A delegation above sname can prove nothing below it. */
	if (name_is_sub(sname, s->owner) && val_bitmap_has(bm, bml, RR_NS) &&
	    !val_bitmap_has(bm, bml, RR_SOA) && !name_equal(s->owner, zone)) {
		val_result_set(&r, VAL_BOGUS, VAL_EDE_BOGUS,
			       "the NSEC that covers %s is at the delegation %s, above it", sn.s,
			       nt(s->owner).s);
		worst(v->r, &r);
		return;
	}
	/* An empty non-terminal: the covering NSEC's next name is below it. */
	if (!nx && name_is_sub(next, sname) && !name_equal(next, sname))
		return;
	/* The closest encloser, and its wildcard. */
	const uint8_t *a = common(sname, s->owner), *b = common(sname, next);
	const uint8_t *ce = name_labels(a) > name_labels(b) ? a : b;
	if (!name_is_sub(ce, zone))
		ce = zone;
	uint8_t wc[NAME_MAXLEN];
	if (!wildcard_of(ce, wc)) {
		val_result_set(&r, VAL_BOGUS, VAL_EDE_BOGUS, "no wildcard name below %s", nt(ce).s);
		worst(v->r, &r);
		return;
	}
	if (nx) {
		if (nsec_find(m, zone, wc, false, &w, &wnext, &wbm, &wbml))
			return;
		val_result_set(
			&r, VAL_BOGUS, VAL_EDE_BOGUS,
			"an NSEC proves that %s does not exist, but none that the wildcard %s does not",
			sn.s, nt(wc).s);
		worst(v->r, &r);
		return;
	}
	if (nsec_find(m, zone, wc, true, &w, &wnext, &wbm, &wbml) &&
	    !val_bitmap_has(wbm, wbml, qtype) && !val_bitmap_has(wbm, wbml, RR_CNAME))
		return; /* a wildcard NODATA (RFC 4035 3.1.3.4) */
	val_result_set(&r, VAL_BOGUS, VAL_EDE_BOGUS,
		       "the NSEC says %s does not exist, but the answer says it has no %s (NODATA)",
		       sn.s, qt.s);
	worst(v->r, &r);
}

/* NSEC3: the name error or the no data for sname/qtype in zone. */
static void nsec3_negative(vctx_t *v, const uint8_t *zone, const uint8_t *sname, uint16_t qtype,
			   bool nx, const n3_t *l, size_t n)
{
	val_result_t r;
	ntext_t sn = nt(sname);
	ttext_t qt = tt(qtype);
	if (n3_too_many(l, n, &r, zone)) {
		worst(v->r, &r);
		return;
	}
	int mi = n3_find(l, n, sname, false);
	if (mi >= 0) {
		const n3_t *x = &l[mi];
		if (nx)
			val_result_set(&r, VAL_BOGUS, VAL_EDE_BOGUS,
				       "an NSEC3 matches %s, which the answer says does not exist",
				       sn.s);
		else if (val_bitmap_has(x->bm, x->bmlen, qtype) ||
			 val_bitmap_has(x->bm, x->bmlen, RR_CNAME))
			val_result_set(&r, VAL_BOGUS, VAL_EDE_BOGUS,
				       "the NSEC3 of %s says it has %s, yet the answer has none",
				       sn.s,
				       val_bitmap_has(x->bm, x->bmlen, qtype) ? qt.s : "a CNAME");
		else if (qtype != RR_DS && val_bitmap_has(x->bm, x->bmlen, RR_NS) &&
			 !val_bitmap_has(x->bm, x->bmlen, RR_SOA))
			val_result_set(
				&r, VAL_BOGUS, VAL_EDE_BOGUS,
				"the NSEC3 of %s is the parent's, at a delegation: it proves nothing about %s",
				sn.s, qt.s);
		else if (qtype == RR_DS && val_bitmap_has(x->bm, x->bmlen, RR_SOA) && sname[0] != 0)
			val_result_set(
				&r, VAL_BOGUS, VAL_EDE_BOGUS,
				"the NSEC3 of %s is the child's apex, not the parent's: it cannot deny a DS",
				sn.s);
		else
			return;
		worst(v->r, &r);
		return;
	}
	uint8_t ce[NAME_MAXLEN], wc[NAME_MAXLEN];
	int ci, ni;
	if (!n3_closest(l, n, sname, zone, ce, &ci, &ni)) {
		val_result_set(&r, VAL_BOGUS, VAL_EDE_BOGUS,
			       "the NSEC3 records of %s give no closest encloser of %s%s",
			       nt(zone).s, sn.s, nx ? "" : ", and none matches it");
		worst(v->r, &r);
		return;
	}
	bool optout = (l[ni].flags & NSEC3_OPTOUT) != 0;
	if (!wildcard_of(ce, wc)) {
		val_result_set(&r, VAL_BOGUS, VAL_EDE_BOGUS, "no wildcard name below %s", nt(ce).s);
		worst(v->r, &r);
		return;
	}
	if (nx) {
		if (n3_find(l, n, wc, true) < 0) {
			val_result_set(
				&r, VAL_BOGUS, VAL_EDE_BOGUS,
				"the NSEC3 records prove that %s does not exist, but not that the wildcard %s does not",
				sn.s, nt(wc).s);
			worst(v->r, &r);
		} else if (optout) {
			val_result_set(
				&r, VAL_INSECURE, VAL_EDE_NONE,
				"the NSEC3 that covers the next closer name of %s has opt-out: an unsigned delegation may be there (RFC 5155 9.2)",
				sn.s);
			worst(v->r, &r);
		}
		return;
	}
	int wi = n3_find(l, n, wc, false);
	if (wi >= 0 && !val_bitmap_has(l[wi].bm, l[wi].bmlen, qtype) &&
	    !val_bitmap_has(l[wi].bm, l[wi].bmlen, RR_CNAME))
		return; /* a wildcard NODATA (RFC 5155 8.7) */
	if (optout) {
		/* RFC 5155 8.5 (errata 3441), 8.6: no data under opt-out. */
		val_result_set(
			&r, VAL_INSECURE, VAL_EDE_NONE,
			"no NSEC3 matches %s; the one that covers its next closer name has opt-out",
			sn.s);
		worst(v->r, &r);
		return;
	}
	val_result_set(
		&r, VAL_BOGUS, VAL_EDE_BOGUS,
		"the NSEC3 records say %s does not exist, but the answer says it has no %s (NODATA)",
		sn.s, qt.s);
	worst(v->r, &r);
}

void val_response(const val_msg_t *m, const uint8_t *qname, uint16_t qtype, val_keys_fn keys,
		  void *ctx, uint32_t now, val_result_t *r)
{
	vctx_t v = { m, keys, ctx, now, r };
	uint8_t sname[NAME_MAXLEN];
	secure(r);
	name_lower(sname, qname);
	bool found = false;
	int chain = 0;
	for (int i = 0; i < 16; i++) {
		const val_rrset_t *rs = val_msg_find(m, 1, sname, qtype), *use = rs;
		if (!use && qtype != RR_CNAME)
			use = val_msg_find(m, 1, sname, RR_CNAME);
		if (!use)
			break;
		int wild;
		uint8_t zone[NAME_MAXLEN];
		if (check_set(&v, use, zone, &wild) == VAL_SECURE && wild >= 0)
			wildcard_proof(&v, sname, wild, zone);
		if (rs) {
			found = true;
			break;
		}
		uint32_t pos = 0;
		const uint8_t *rd;
		uint16_t len;
		if (!next_rec(use->data, use->datalen, &pos, &rd, &len) || name_check(rd, len) < 0)
			break;
		name_lower(sname, rd);
		chain++;
	}
	/* AUTHORITY: every RRset, and where the negative answer's zone is. */
	uint8_t negzone[NAME_MAXLEN];
	bool have_zone = false, soa = false;
	for (size_t i = 0; i < m->nsets; i++) {
		const val_rrset_t *s = &m->sets[i];
		if (s->section != 2)
			continue;
		uint8_t z[NAME_MAXLEN];
		soa |= s->type == RR_SOA;
		if (check_set(&v, s, z, NULL) == VAL_SECURE &&
		    (s->type == RR_SOA ||
		     (!have_zone && (s->type == RR_NSEC || s->type == RR_NSEC3)))) {
			memcpy(negzone, z, name_len(z));
			have_zone = true;
		}
	}
	bool nx = m->rcode == RCODE_NXDOMAIN;
	bool negative = nx || (!found && (chain == 0 || soa));
	if (!negative || r->status != VAL_SECURE)
		return;
	val_result_t x;
	if (!have_zone) {
		const val_rrset_t *dk;
		const uint8_t *z;
		secure(&x);
		uint8_t st = keys(ctx, sname, false, &dk, &z, &x);
		if (st != VAL_SECURE) {
			x.status = st;
			worst(r, &x);
			return;
		}
		memcpy(negzone, z, name_len(z));
	}
	n3_t l[VAL_MAX_N3];
	size_t n3 = n3_collect(m, negzone, l);
	bool nsec = false;
	for (size_t i = 0; i < m->nsets && !nsec; i++)
		nsec = m->sets[i].section == 2 && m->sets[i].type == RR_NSEC &&
		       name_is_sub(m->sets[i].owner, negzone);
	if (!nsec && n3 == 0) {
		val_result_set(&x, VAL_BOGUS, VAL_EDE_NSEC_MISSING,
			       "no NSEC or NSEC3 of %s proves that %s %s", nt(negzone).s,
			       nt(sname).s, nx ? "does not exist" : "has no data of the type");
		worst(r, &x);
		return;
	}
	if (nsec)
		nsec_negative(&v, negzone, sname, qtype, nx);
	else
		nsec3_negative(&v, negzone, sname, qtype, nx, l, n3);
}

void val_ds(const val_msg_t *m, const uint8_t *child, const uint8_t *parent, val_keys_fn keys,
	    void *ctx, uint32_t now, val_ds_t *ds, size_t cap, size_t *nds, bool *cut, bool *found,
	    val_result_t *r)
{
	vctx_t v = { m, keys, ctx, now, r };
	*nds = 0;
	*cut = false;
	*found = true;
	secure(r);
	const val_rrset_t *dk;
	const uint8_t *z;
	uint8_t st = keys(ctx, parent, false, &dk, &z, r);
	if (st != VAL_SECURE) {
		r->status = st;
		return;
	}
	ntext_t cn = nt(child), pn = nt(parent);
	const val_rrset_t *dsset = val_msg_find(m, 0, child, RR_DS);
	if (dsset && dsset->count > 0) {
		*cut = true;
		if (check_set(&v, dsset, NULL, NULL) == VAL_SECURE)
			*nds = val_ds_from_rrset(dsset, ds, cap);
		/* As Unbound: a DS whose signature does not verify leaves the
		 * child's key unproven, "DNSKEY Missing"; out of date stays 7
		 * or 8. */
		else if (r->status == VAL_BOGUS && r->ede == VAL_EDE_BOGUS)
			r->ede = VAL_EDE_DNSKEY_MISSING;
		return;
	}
	bool any = false;
	for (size_t i = 0; i < m->nsets; i++) {
		const val_rrset_t *s = &m->sets[i];
		if (s->section == 2 && (s->type == RR_NSEC || s->type == RR_NSEC3)) {
			any = true;
			check_set(&v, s, NULL, NULL);
		}
	}
	if (r->status != VAL_SECURE)
		return;
	if (!any) {
		*found = false;
		val_result_set(r, VAL_BOGUS, VAL_EDE_NSEC_MISSING,
			       "%s has no DS in %s, and no NSEC or NSEC3 proves it has none", cn.s,
			       pn.s);
		return;
	}
	const val_rrset_t *s;
	const uint8_t *next, *bm;
	size_t bml;
	if (nsec_find(m, parent, child, true, &s, &next, &bm, &bml)) {
		if (val_bitmap_has(bm, bml, RR_DS))
			val_result_set(
				r, VAL_BOGUS, VAL_EDE_BOGUS,
				"the NSEC at %s lists a DS, but no DS came with the delegation",
				cn.s);
		else if (val_bitmap_has(bm, bml, RR_SOA) && child[0] != 0)
			val_result_set(
				r, VAL_BOGUS, VAL_EDE_BOGUS,
				"the NSEC at %s is the child's apex, not the parent's: it cannot deny a DS",
				cn.s);
		*cut = val_bitmap_has(bm, bml, RR_NS);
		return;
	}
	if (nsec_find(m, parent, child, false, &s, &next, &bm, &bml)) {
		if (name_is_sub(child, s->owner) && val_bitmap_has(bm, bml, RR_NS) &&
		    !val_bitmap_has(bm, bml, RR_SOA) && !name_equal(s->owner, parent))
			val_result_set(r, VAL_BOGUS, VAL_EDE_BOGUS,
				       "the NSEC that covers %s is at the delegation %s, above it",
				       cn.s, nt(s->owner).s);
		return; /* no such name in parent: not a cut */
	}
	n3_t l[VAL_MAX_N3];
	size_t n = n3_collect(m, parent, l);
	if (n == 0) {
		val_result_set(r, VAL_BOGUS, VAL_EDE_BOGUS,
			       "no NSEC or NSEC3 of %s matches or covers %s", pn.s, cn.s);
		return;
	}
	if (n3_too_many(l, n, r, parent))
		return;
	int mi = n3_find(l, n, child, false);
	if (mi >= 0) {
		if (val_bitmap_has(l[mi].bm, l[mi].bmlen, RR_DS))
			val_result_set(
				r, VAL_BOGUS, VAL_EDE_BOGUS,
				"the NSEC3 of %s lists a DS, but no DS came with the delegation",
				cn.s);
		else if (val_bitmap_has(l[mi].bm, l[mi].bmlen, RR_SOA) && child[0] != 0)
			val_result_set(
				r, VAL_BOGUS, VAL_EDE_BOGUS,
				"the NSEC3 of %s is the child's apex, not the parent's: it cannot deny a DS",
				cn.s);
		*cut = val_bitmap_has(l[mi].bm, l[mi].bmlen, RR_NS);
		return;
	}
	uint8_t ce[NAME_MAXLEN];
	int ci, ni;
	if (!n3_closest(l, n, child, parent, ce, &ci, &ni)) {
		val_result_set(r, VAL_BOGUS, VAL_EDE_BOGUS,
			       "no NSEC3 of %s matches %s, and they give no closest encloser of it",
			       pn.s, cn.s);
		return;
	}
	/* Opt-out: an unsigned delegation may be there (RFC 5155 8.6). */
	*cut = (l[ni].flags & NSEC3_OPTOUT) != 0;
}
