/*
 * tsig.c -- TSIG (RFC 8945) on OpenSSL 3's EVP_MAC HMAC.
 *
 * Every digest is fed to an EVP_MAC_CTX piece by piece, so nothing is
 * assembled in a temporary buffer and the messages of a zone transfer that
 * go unsigned can be added as they pass. The EVP_MAC_CTX is freed as soon
 * as its MAC is made: a context owns libcrypto state only while unsigned
 * messages are pending, and is plain data (movable by value) otherwise.
 */
#include "dns/tsig.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "dns/header.h"
#include "dns/rdata.h"
#include "dns/wire.h"

/* Where an exchange is. A zeroed context is TS_NONE and can do nothing. */
enum tsig_state {
	TS_NONE = 0,
	TS_FRESH,         /* client: key set, request not signed yet */
	TS_SENT,          /* client: request signed, no response verified yet */
	TS_CLIENT_STREAM, /* client: a response verified, more may follow */
	TS_SERVER_REQ,    /* server: request verified (or BADTIME), reply next */
	TS_SERVER_ERR,    /* server: BADKEY or BADSIG, an unsigned reply next */
	TS_SERVER_STREAM, /* server: first response signed, more may follow */
	TS_DONE,          /* server: an error reply went out, nothing more */
	TS_FAILED,        /* client: a response failed, nothing more */
};

#define TIME48_MASK 0xFFFFFFFFFFFFull
#define BADTIME_OTHER_LEN 6
/* type, class, TTL, rdlength */
#define RR_FIXED_LEN 10
/* time signed, fudge, MAC size, original ID, error, other length */
#define TSIG_RDATA_FIXED_LEN 16

static const struct {
	const uint8_t *wire;
	const char *text;
	const char *digest; /* OpenSSL's name for it */
	size_t maclen;
} algs[TSIG_ALG_COUNT] = {
	[TSIG_HMAC_SHA256] = { (const uint8_t *)"\x0bhmac-sha256", "hmac-sha256", "SHA256", 32 },
	[TSIG_HMAC_SHA1] = { (const uint8_t *)"\x09hmac-sha1", "hmac-sha1", "SHA1", 20 },
	[TSIG_HMAC_SHA384] = { (const uint8_t *)"\x0bhmac-sha384", "hmac-sha384", "SHA384", 48 },
	[TSIG_HMAC_SHA512] = { (const uint8_t *)"\x0bhmac-sha512", "hmac-sha512", "SHA512", 64 },
};

int tsig_alg_from_text(const char *s, uint8_t *alg)
{
	if (s == NULL)
		return ST_EINVAL;
	size_t n = strlen(s);
	if (n > 0 && s[n - 1] == '.')
		n--;
	for (uint8_t i = 0; i < TSIG_ALG_COUNT; i++)
		if (strlen(algs[i].text) == n && strncasecmp(s, algs[i].text, n) == 0) {
			*alg = i;
			return ST_OK;
		}
	return ST_EINVAL;
}

const uint8_t *tsig_alg_name(uint8_t alg) { return alg < TSIG_ALG_COUNT ? algs[alg].wire : NULL; }

const char *tsig_alg_str(uint8_t alg) { return alg < TSIG_ALG_COUNT ? algs[alg].text : "unknown"; }

size_t tsig_mac_size(uint8_t alg) { return alg < TSIG_ALG_COUNT ? algs[alg].maclen : 0; }

const char *tsig_error_str(uint16_t error)
{
	switch (error) {
	case TSIG_OK:
		return "NOERROR";
	case TSIG_BADSIG:
		return "BADSIG";
	case TSIG_BADKEY:
		return "BADKEY";
	case TSIG_BADTIME:
		return "BADTIME";
	case TSIG_BADTRUNC:
		return "BADTRUNC";
	default:
		return "TSIG?";
	}
}

/* --- keys ------------------------------------------------------------ */

static int fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t cap, const char *fmt, ...)
{
	if (err != NULL && cap > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, cap, fmt, ap);
		va_end(ap);
	}
	return ST_EINVAL;
}

int tsig_key_init(tsig_key_t *k, const char *name, const char *alg, const char *secret_b64,
		  char *err, size_t errcap)
{
	memset(k, 0, sizeof(*k));
	if (name == NULL || name[0] == '\0')
		return fail(err, errcap, "TSIG key without a name");
	size_t n = strlen(name);
	if (n >= sizeof(k->text))
		return fail(err, errcap, "TSIG key name too long");
	/* A key name is absolute whether or not it ends in a dot. */
	if (name_from_text(name, n, (const uint8_t *)"", k->name) < 0) {
		memset(k, 0, sizeof(*k));
		return fail(err, errcap, "TSIG key %s: not a domain name", name);
	}
	name_lower(k->name, k->name);
	memcpy(k->text, name, n + 1);
	if (tsig_alg_from_text(alg, &k->alg) != ST_OK) {
		memset(k, 0, sizeof(*k));
		return fail(
			err, errcap,
			"TSIG key %s: algorithm %s is not hmac-sha1, hmac-sha256, hmac-sha384 or "
			"hmac-sha512",
			name, alg != NULL ? alg : "(none)");
	}
	int len = secret_b64 != NULL ? rdata_base64_decode(secret_b64, k->secret, sizeof(k->secret))
				     : -1;
	if (len <= 0) {
		OPENSSL_cleanse(k, sizeof(*k));
		return fail(err, errcap, "TSIG key %s: secret is not base64 of 1 to %d bytes", name,
			    TSIG_SECRET_MAX);
	}
	k->secretlen = (size_t)len;
	return ST_OK;
}

/* --- the HMAC -------------------------------------------------------- */

static EVP_MAC *hmac_impl;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

/* Fetched once for the process and kept: fetching per message costs a
 * lookup under a lock in OpenSSL 3. */
static void hmac_fetch(void) { hmac_impl = EVP_MAC_fetch(NULL, "HMAC", NULL); }

/* Start a digest keyed with ctx's key. */
static int mac_start(tsig_ctx_t *ctx)
{
	if (!ctx->has_key || ctx->key.alg >= TSIG_ALG_COUNT)
		return ST_EINVAL;
	pthread_once(&hmac_once, hmac_fetch);
	if (hmac_impl == NULL)
		return ST_ENOMEM;
	if (ctx->hmac == NULL && (ctx->hmac = EVP_MAC_CTX_new(hmac_impl)) == NULL)
		return ST_ENOMEM;
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)algs[ctx->key.alg].digest, 0),
		OSSL_PARAM_construct_end(),
	};
	if (EVP_MAC_init(ctx->hmac, ctx->key.secret, ctx->key.secretlen, params) != 1)
		return ST_ENOMEM;
	ctx->running = false;
	return ST_OK;
}

/* Forget the digest in progress, if any. */
static void mac_drop(tsig_ctx_t *ctx)
{
	EVP_MAC_CTX_free(ctx->hmac);
	ctx->hmac = NULL;
	ctx->running = false;
}

static int mac_add(tsig_ctx_t *ctx, const uint8_t *data, size_t len)
{
	if (len == 0)
		return ST_OK;
	return EVP_MAC_update(ctx->hmac, data, len) == 1 ? ST_OK : ST_ENOMEM;
}

/* A MAC as it prefixes the next digest: 2-byte length, then the MAC. */
static int mac_add_prior(tsig_ctx_t *ctx, const uint8_t *mac, uint16_t maclen)
{
	uint8_t l[2];
	wire_put16(l, maclen);
	int st = mac_add(ctx, l, 2);
	return st == ST_OK ? mac_add(ctx, mac, maclen) : st;
}

/* A message that held a TSIG RR at start, as it was before: the RR cut
 * off, ARCOUNT one less, the ID the original one (RFC 8945 4.3.1). */
static int mac_add_stripped(tsig_ctx_t *ctx, const uint8_t *msg, size_t start, uint16_t orig_id)
{
	uint8_t hdr[DNS_HEADER_LEN];
	memcpy(hdr, msg, DNS_HEADER_LEN);
	wire_put16(hdr, orig_id);
	wire_put16(hdr + 10, (uint16_t)(wire_get16(hdr + 10) - 1));
	int st = mac_add(ctx, hdr, DNS_HEADER_LEN);
	return st == ST_OK ? mac_add(ctx, msg + DNS_HEADER_LEN, start - DNS_HEADER_LEN) : st;
}

/* The TSIG variables (RFC 8945 4.3.3), names in canonical (lowercase,
 * uncompressed) form; with timers_only, Time Signed and Fudge alone. */
static int mac_add_vars(tsig_ctx_t *ctx, bool timers_only, uint64_t time, uint16_t fudge,
			uint16_t error, const uint8_t *other, uint16_t otherlen)
{
	uint8_t buf[2 * NAME_MAXLEN + 18];
	wire_wr_t w;
	wire_wr_init(&w, buf, sizeof(buf));
	if (!timers_only) {
		wire_wr_bytes(&w, ctx->keyname, name_len(ctx->keyname));
		wire_wr_u16(&w, TSIG_CLASS_ANY);
		wire_wr_u32(&w, 0);
		wire_wr_bytes(&w, ctx->algname, name_len(ctx->algname));
	}
	wire_wr_u16(&w, (uint16_t)(time >> 32));
	wire_wr_u32(&w, (uint32_t)time);
	wire_wr_u16(&w, fudge);
	if (!timers_only) {
		wire_wr_u16(&w, error);
		wire_wr_u16(&w, otherlen);
	}
	if (w.err)
		return w.err;
	int st = mac_add(ctx, buf, w.pos);
	return st == ST_OK && !timers_only ? mac_add(ctx, other, otherlen) : st;
}

static int mac_final(tsig_ctx_t *ctx, uint8_t out[TSIG_MAC_MAX])
{
	size_t outl = 0;
	int ok = EVP_MAC_final(ctx->hmac, out, &outl, TSIG_MAC_MAX) == 1 &&
		 outl == algs[ctx->key.alg].maclen;
	mac_drop(ctx);
	return ok ? ST_OK : ST_ENOMEM;
}

/* The digest of a multi-message run begins with the prior MAC; started
 * only when a second message comes, so single answers never pay for it. */
static int stream_begin(tsig_ctx_t *ctx)
{
	if (ctx->running)
		return ST_OK;
	int st = mac_start(ctx);
	if (st == ST_OK)
		st = mac_add_prior(ctx, ctx->mac, ctx->maclen);
	ctx->running = st == ST_OK;
	return st;
}

/* RFC 8945 5.2.2.1: a MAC no longer than the algorithm's and at least 10
 * bytes and half of it. */
static bool mac_len_ok(uint8_t alg, uint16_t maclen)
{
	size_t full = tsig_mac_size(alg);
	size_t min = (full + 1) / 2 > 10 ? (full + 1) / 2 : 10;
	return full > 0 && maclen <= full && maclen >= min;
}

static bool time_ok(uint64_t now, uint64_t signed_at, uint16_t fudge)
{
	uint64_t skew = now > signed_at ? now - signed_at : signed_at - now;
	return skew <= fudge;
}

/* --- finding the TSIG RR --------------------------------------------- */

static uint8_t alg_of(const uint8_t *lower_name)
{
	for (uint8_t i = 0; i < TSIG_ALG_COUNT; i++)
		if (name_len(algs[i].wire) == name_len(lower_name) &&
		    memcmp(algs[i].wire, lower_name, name_len(lower_name)) == 0)
			return i;
	return TSIG_ALG_UNKNOWN;
}

static bool same_name(const uint8_t *a, const uint8_t *b)
{
	size_t n = name_len(a);
	return n == name_len(b) && memcmp(a, b, n) == 0;
}

/* The TSIG RR whose owner (already read into owner) starts at start and
 * whose type field is at pos; the caller checked that its rdata ends the
 * message. */
static int parse_tsig(const uint8_t *msg, size_t len, size_t start, const uint8_t *owner,
		      size_t pos, tsig_rr_t *out)
{
	wire_rd_t r;
	wire_rd_init(&r, msg, len);
	r.pos = pos + 2; /* past the type */
	uint16_t rclass = wire_rd_u16(&r);
	uint32_t ttl = wire_rd_u32(&r);
	uint16_t rdlen = wire_rd_u16(&r);
	if (r.err)
		return r.err;
	if (rclass != TSIG_CLASS_ANY || ttl != 0 || r.pos + rdlen != len)
		return ST_EMALF;
	/* Names in TSIG rdata are never compressed (RFC 8945 4.2). */
	int n = name_check(msg + r.pos, rdlen);
	if (n < 0)
		return ST_EMALF;
	memset(out, 0, sizeof(*out));
	name_lower(out->algname, msg + r.pos);
	r.pos += (size_t)n;
	uint64_t hi = wire_rd_u16(&r);
	out->time = hi << 32 | wire_rd_u32(&r);
	out->fudge = wire_rd_u16(&r);
	out->maclen = wire_rd_u16(&r);
	out->mac = wire_rd_skip(&r, out->maclen);
	out->orig_id = wire_rd_u16(&r);
	out->error = wire_rd_u16(&r);
	out->otherlen = wire_rd_u16(&r);
	out->other = wire_rd_skip(&r, out->otherlen);
	if (r.err || r.pos != len) {
		memset(out, 0, sizeof(*out));
		return ST_EMALF;
	}
	out->start = start;
	name_lower(out->key, owner);
	out->alg = alg_of(out->algname);
	return 1;
}

int tsig_find(const uint8_t *msg, size_t len, tsig_rr_t *out)
{
	if (len < DNS_HEADER_LEN)
		return ST_ETRUNC;
	uint8_t name[NAME_MAXLEN];
	size_t pos = DNS_HEADER_LEN;
	unsigned qd = wire_get16(msg + 4);
	unsigned ar = wire_get16(msg + 10);
	unsigned rrs = (unsigned)wire_get16(msg + 6) + wire_get16(msg + 8) + ar;
	for (unsigned i = 0; i < qd; i++) {
		int n = name_unpack(msg, len, &pos, name);
		if (n < 0)
			return n;
		if (len - pos < 4)
			return ST_ETRUNC;
		pos += 4;
	}
	for (unsigned i = 0; i < rrs; i++) {
		size_t start = pos;
		int n = name_unpack(msg, len, &pos, name);
		if (n < 0)
			return n;
		if (len - pos < RR_FIXED_LEN)
			return ST_ETRUNC;
		uint16_t type = wire_get16(msg + pos);
		size_t rdlen = wire_get16(msg + pos + 8);
		if (len - pos - RR_FIXED_LEN < rdlen)
			return ST_ETRUNC;
		if (type == TSIG_RRTYPE) {
			/* Only as the very last record, of the additional
			 * section, ending the message. */
			if (i != rrs - 1 || ar == 0)
				return ST_EMALF;
			return parse_tsig(msg, len, start, name, pos, out);
		}
		pos += RR_FIXED_LEN + rdlen;
	}
	return 0;
}

/* --- contexts -------------------------------------------------------- */

void tsig_ctx_init(tsig_ctx_t *ctx, const tsig_key_t *key)
{
	memset(ctx, 0, sizeof(*ctx));
	if (key == NULL || key->alg >= TSIG_ALG_COUNT || key->secretlen == 0 ||
	    key->secretlen > TSIG_SECRET_MAX)
		return; /* TS_NONE: tsig_sign refuses */
	ctx->key = *key;
	ctx->has_key = true;
	memcpy(ctx->keyname, key->name, name_len(key->name));
	memcpy(ctx->algname, algs[key->alg].wire, name_len(algs[key->alg].wire));
	ctx->state = TS_FRESH;
}

void tsig_ctx_free(tsig_ctx_t *ctx)
{
	EVP_MAC_CTX_free(ctx->hmac);
	OPENSSL_cleanse(ctx, sizeof(*ctx));
	memset(ctx, 0, sizeof(*ctx));
}

size_t tsig_space(const tsig_ctx_t *ctx)
{
	if (ctx->state == TS_NONE)
		return 0; /* nothing to sign with */
	return name_len(ctx->keyname) + RR_FIXED_LEN + name_len(ctx->algname) +
	       TSIG_RDATA_FIXED_LEN + (ctx->has_key ? tsig_mac_size(ctx->key.alg) : 0) +
	       BADTIME_OTHER_LEN;
}

/* --- server side ----------------------------------------------------- */

int tsig_verify_request(tsig_ctx_t *ctx, const tsig_key_t *keys, size_t n, const uint8_t *msg,
			size_t len, uint64_t now)
{
	memset(ctx, 0, sizeof(*ctx));
	tsig_rr_t rr;
	int st = tsig_find(msg, len, &rr);
	if (st < 0)
		return st;
	if (st == 0)
		return ST_ENOENT;
	memcpy(ctx->keyname, rr.key, name_len(rr.key));
	memcpy(ctx->algname, rr.algname, name_len(rr.algname));
	ctx->req_time = rr.time;
	ctx->state = TS_SERVER_ERR;

	const tsig_key_t *key = NULL;
	for (size_t i = 0; i < n && key == NULL; i++)
		if (keys[i].alg == rr.alg && same_name(keys[i].name, rr.key))
			key = &keys[i];
	if (key == NULL) {
		ctx->error = TSIG_BADKEY;
		return TSIG_BADKEY;
	}
	ctx->key = *key;
	ctx->has_key = true;
	if (!mac_len_ok(rr.alg, rr.maclen)) {
		ctx->state = TS_DONE; /* FORMERR goes out unsigned */
		return ST_EMALF;
	}
	memcpy(ctx->mac, rr.mac, rr.maclen);
	ctx->maclen = rr.maclen;

	uint8_t mac[TSIG_MAC_MAX];
	if ((st = mac_start(ctx)) != ST_OK ||
	    (st = mac_add_stripped(ctx, msg, rr.start, rr.orig_id)) != ST_OK ||
	    (st = mac_add_vars(ctx, false, rr.time, rr.fudge, rr.error, rr.other, rr.otherlen)) !=
		    ST_OK ||
	    (st = mac_final(ctx, mac)) != ST_OK) {
		mac_drop(ctx);
		ctx->state = TS_DONE;
		return st;
	}
	if (CRYPTO_memcmp(mac, rr.mac, rr.maclen) != 0) {
		ctx->error = TSIG_BADSIG;
		return TSIG_BADSIG;
	}
	ctx->state = TS_SERVER_REQ;
	/* After the MAC (RFC 8945 5.2.3): a stale request the key did sign
	 * gets a signed BADTIME. */
	if (!time_ok(now, rr.time, rr.fudge)) {
		ctx->error = TSIG_BADTIME;
		return TSIG_BADTIME;
	}
	return TSIG_OK;
}

int tsig_sign_skip(tsig_ctx_t *ctx, const uint8_t *msg, size_t len)
{
	if (ctx->state != TS_SERVER_STREAM)
		return ST_EINVAL;
	if (ctx->unsigned_run >= TSIG_MAX_UNSIGNED)
		return ST_ELIMIT;
	int st = stream_begin(ctx);
	if (st == ST_OK)
		st = mac_add(ctx, msg, len);
	if (st != ST_OK) {
		mac_drop(ctx); /* the run is broken: nothing more can be signed */
		ctx->state = TS_DONE;
		return st;
	}
	ctx->unsigned_run++;
	return ST_OK;
}

/* --- signing --------------------------------------------------------- */

enum sign_mode { SIGN_REQUEST, SIGN_FIRST, SIGN_NEXT, SIGN_NONE };

int tsig_sign(tsig_ctx_t *ctx, uint8_t *msg, size_t *len, size_t cap, uint64_t now, uint16_t error)
{
	bool unsigned_err = error == TSIG_BADKEY || error == TSIG_BADSIG;
	enum sign_mode mode;
	switch (ctx->state) {
	case TS_FRESH:
		if (error != 0)
			return ST_EINVAL;
		mode = SIGN_REQUEST;
		break;
	case TS_SERVER_REQ:
		/* A stale request must not get an answer signed as fresh. */
		if (ctx->error == TSIG_BADTIME && error != TSIG_BADTIME)
			return ST_EINVAL;
		mode = unsigned_err ? SIGN_NONE : SIGN_FIRST;
		break;
	case TS_SERVER_ERR:
		if (!unsigned_err)
			return ST_EINVAL;
		mode = SIGN_NONE;
		break;
	case TS_SERVER_STREAM:
		/* The timers-only digest does not cover an error field. */
		if (error != 0)
			return ST_EINVAL;
		mode = SIGN_NEXT;
		break;
	default:
		return ST_EINVAL;
	}
	if (*len < DNS_HEADER_LEN || *len > cap)
		return ST_EINVAL;
	uint16_t arcount = wire_get16(msg + 10);
	if (arcount == UINT16_MAX)
		return ST_ESPACE;

	uint64_t now48 = now & TIME48_MASK;
	uint64_t time = error == TSIG_BADTIME ? ctx->req_time : now48;
	uint8_t other[BADTIME_OTHER_LEN];
	uint16_t otherlen = 0;
	if (error == TSIG_BADTIME) {
		wire_put16(other, (uint16_t)(now48 >> 32));
		wire_put32(other + 2, (uint32_t)now48);
		otherlen = BADTIME_OTHER_LEN;
	}
	uint8_t mac[TSIG_MAC_MAX];
	uint16_t maclen = mode == SIGN_NONE ? 0 : (uint16_t)tsig_mac_size(ctx->key.alg);
	size_t klen = name_len(ctx->keyname), alen = name_len(ctx->algname);
	size_t rdlen = alen + TSIG_RDATA_FIXED_LEN + maclen + otherlen;
	if (cap - *len < klen + RR_FIXED_LEN + rdlen)
		return ST_ESPACE;

	int st = ST_OK;
	switch (mode) {
	case SIGN_REQUEST:
	case SIGN_FIRST:
		if ((st = mac_start(ctx)) == ST_OK && mode == SIGN_FIRST)
			st = mac_add_prior(ctx, ctx->mac, ctx->maclen);
		if (st == ST_OK && (st = mac_add(ctx, msg, *len)) == ST_OK)
			st = mac_add_vars(ctx, false, time, TSIG_FUDGE, error, other, otherlen);
		break;
	case SIGN_NEXT:
		if ((st = stream_begin(ctx)) == ST_OK && (st = mac_add(ctx, msg, *len)) == ST_OK)
			st = mac_add_vars(ctx, true, time, TSIG_FUDGE, 0, NULL, 0);
		break;
	case SIGN_NONE:
		break;
	}
	if (st == ST_OK && mode != SIGN_NONE)
		st = mac_final(ctx, mac);
	if (st != ST_OK) {
		mac_drop(ctx);
		ctx->state = TS_DONE;
		return st;
	}

	wire_wr_t w;
	wire_wr_init(&w, msg + *len, cap - *len);
	wire_wr_bytes(&w, ctx->keyname, klen);
	wire_wr_u16(&w, TSIG_RRTYPE);
	wire_wr_u16(&w, TSIG_CLASS_ANY);
	wire_wr_u32(&w, 0);
	wire_wr_u16(&w, (uint16_t)rdlen);
	wire_wr_bytes(&w, ctx->algname, alen);
	wire_wr_u16(&w, (uint16_t)(time >> 32));
	wire_wr_u32(&w, (uint32_t)time);
	wire_wr_u16(&w, TSIG_FUDGE);
	wire_wr_u16(&w, maclen);
	wire_wr_bytes(&w, mac, maclen);
	wire_wr_u16(&w, wire_get16(msg));
	wire_wr_u16(&w, error);
	wire_wr_u16(&w, otherlen);
	wire_wr_bytes(&w, other, otherlen);
	if (w.err)
		return w.err; /* cannot happen: the room was checked */
	wire_put16(msg + 10, (uint16_t)(arcount + 1));
	*len += w.pos;

	if (mode == SIGN_NONE) {
		ctx->state = TS_DONE;
		return ST_OK;
	}
	memcpy(ctx->mac, mac, maclen);
	ctx->maclen = maclen;
	ctx->unsigned_run = 0;
	ctx->nsigned++;
	if (mode == SIGN_REQUEST)
		ctx->state = TS_SENT;
	else
		ctx->state = error == 0 ? TS_SERVER_STREAM : TS_DONE;
	return ST_OK;
}

/* --- client side ----------------------------------------------------- */

static int verify_one(tsig_ctx_t *ctx, const uint8_t *msg, size_t len, uint64_t now)
{
	tsig_rr_t rr;
	int st = tsig_find(msg, len, &rr);
	if (st < 0)
		return st;
	bool first = ctx->state == TS_SENT;
	if (st == 0) {
		if (first)
			return ST_ENOENT;
		if (ctx->unsigned_run >= TSIG_MAX_UNSIGNED)
			return ST_ELIMIT;
		if ((st = stream_begin(ctx)) == ST_OK && (st = mac_add(ctx, msg, len)) == ST_OK)
			ctx->unsigned_run++;
		return st;
	}
	if (!same_name(rr.key, ctx->keyname) || !same_name(rr.algname, ctx->algname))
		return TSIG_BADKEY;
	if (rr.maclen == 0) {
		/* The server's unsigned BADKEY/BADSIG (RFC 8945 5.3.2). */
		if (rr.error == 0)
			return TSIG_BADSIG;
		ctx->peer_error = rr.error;
		return rr.error;
	}
	if (!mac_len_ok(ctx->key.alg, rr.maclen))
		return ST_EMALF;

	uint8_t mac[TSIG_MAC_MAX];
	if (first) {
		if ((st = mac_start(ctx)) == ST_OK)
			st = mac_add_prior(ctx, ctx->mac, ctx->maclen);
	} else {
		st = stream_begin(ctx);
	}
	if (st == ST_OK)
		st = mac_add_stripped(ctx, msg, rr.start, rr.orig_id);
	if (st == ST_OK)
		st = mac_add_vars(ctx, !first, rr.time, rr.fudge, rr.error, rr.other, rr.otherlen);
	if (st == ST_OK)
		st = mac_final(ctx, mac);
	if (st != ST_OK)
		return st;
	if (CRYPTO_memcmp(mac, rr.mac, rr.maclen) != 0)
		return TSIG_BADSIG;
	if (!time_ok(now, rr.time, rr.fudge))
		return TSIG_BADTIME;
	if (rr.error != 0) {
		ctx->peer_error = rr.error;
		return rr.error;
	}
	memcpy(ctx->mac, rr.mac, rr.maclen);
	ctx->maclen = rr.maclen;
	ctx->unsigned_run = 0;
	ctx->nsigned++;
	ctx->state = TS_CLIENT_STREAM;
	return TSIG_OK;
}

int tsig_verify_response(tsig_ctx_t *ctx, const uint8_t *msg, size_t len, uint64_t now)
{
	if (ctx->state != TS_SENT && ctx->state != TS_CLIENT_STREAM)
		return ST_EINVAL;
	int st = verify_one(ctx, msg, len, now);
	if (st != TSIG_OK) {
		mac_drop(ctx);
		ctx->state = TS_FAILED;
	}
	return st;
}

int tsig_verify_done(const tsig_ctx_t *ctx)
{
	switch (ctx->state) {
	case TS_CLIENT_STREAM:
		return ctx->unsigned_run == 0 ? ST_OK : ST_ENOENT;
	case TS_SENT:
		return ST_ENOENT;
	default:
		return ST_EINVAL;
	}
}
