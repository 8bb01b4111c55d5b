/*
 * key.c -- DNSSEC keys in BIND's key-file format, on OpenSSL 3's libcrypto.
 *
 * A key is the pair K<zone>+<alg>+<tag>.key (the DNSKEY record, as
 * dnssec-keygen writes it) and .private (Private-key-format v1.3: the
 * private numbers in base64, one "Field: value" a line). The .key is the
 * truth for flags and algorithm; the .private must say the same algorithm
 * on its Algorithm line and hold the same public key. A file that is not
 * so is refused, with the file and the line at fault.
 */
#include "dnssec/key.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "dns/name.h"

#define P256_LEN 32
#define ED25519_LEN 32
#define RSA_BITS 2048

static int fail(char *err, size_t cap, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t cap, int code, const char *fmt, ...)
{
	if (err != NULL && cap > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, cap, fmt, ap);
		va_end(ap);
	}
	return code;
}

const char *dnssec_alg_name(uint8_t alg)
{
	switch (alg) {
	case DNSSEC_ALG_RSASHA256:
		return "RSASHA256";
	case DNSSEC_ALG_ECDSAP256SHA256:
		return "ECDSAP256SHA256";
	case DNSSEC_ALG_ED25519:
		return "ED25519";
	default:
		return NULL;
	}
}

int dnssec_alg_parse(const char *text)
{
	static const struct {
		const char *name;
		int alg;
	} names[] = {
		{ "RSASHA256", DNSSEC_ALG_RSASHA256 },
		{ "rsa-sha256", DNSSEC_ALG_RSASHA256 },
		{ "ECDSAP256SHA256", DNSSEC_ALG_ECDSAP256SHA256 },
		{ "ecdsa-p256-sha256", DNSSEC_ALG_ECDSAP256SHA256 },
		{ "ED25519", DNSSEC_ALG_ED25519 },
	};
	if (text == NULL || text[0] == '\0')
		return -1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(text, names[i].name) == 0)
			return names[i].alg;
	size_t n = strspn(text, "0123456789");
	if (n == 0 || n > 3 || text[n] != '\0')
		return -1;
	int v = atoi(text);
	return v >= 0 && v <= 255 && dnssec_alg_name((uint8_t)v) != NULL ? v : -1;
}

uint16_t dnskey_tag(const uint8_t *rdata, size_t rdlen)
{
	/* Algorithm 1 (RSA/MD5) is the one exception: the tag is the key's
	 * last bytes but one. glued never signs with it; kept for reading. */
	if (rdlen >= 4 && rdata[3] == 1) {
		if (rdlen < 7)
			return 0;
		return (uint16_t)(rdata[rdlen - 3] << 8 | rdata[rdlen - 2]);
	}
	uint32_t ac = 0;
	for (size_t i = 0; i < rdlen; i++)
		ac += (i & 1) ? rdata[i] : (uint32_t)rdata[i] << 8;
	ac += (ac >> 16) & 0xffff;
	return (uint16_t)(ac & 0xffff);
}

int dnskey_ds(const uint8_t *owner, const uint8_t *dnskey_rdata, size_t rdlen,
	      uint8_t out[DS_SHA256_RDLEN])
{
	if (owner == NULL || dnskey_rdata == NULL || rdlen < 4 || rdlen > DNSKEY_RDATA_MAX)
		return ST_EINVAL;
	uint8_t buf[NAME_MAXLEN + DNSKEY_RDATA_MAX];
	size_t n = name_lower(buf, owner);
	memcpy(buf + n, dnskey_rdata, rdlen);
	uint16_t tag = dnskey_tag(dnskey_rdata, rdlen);
	out[0] = (uint8_t)(tag >> 8);
	out[1] = (uint8_t)tag;
	out[2] = dnskey_rdata[3];
	out[3] = 2; /* SHA-256 */
	unsigned int dlen = 0;
	if (EVP_Digest(buf, n + rdlen, out + 4, &dlen, EVP_sha256(), NULL) != 1 || dlen != 32)
		return ST_ENOMEM;
	return ST_OK;
}

/* --- base64 ---------------------------------------------------------- */

/* Decode base64 text (whitespace is skipped) into out of cap bytes.
 * Returns the length, or -1 when the text is not base64 or too long. */
static int b64_decode(const char *text, uint8_t *out, size_t cap)
{
	size_t tlen = strlen(text);
	char *clean = malloc(tlen + 1);
	if (clean == NULL)
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < tlen; i++)
		if (!isspace((unsigned char)text[i]))
			clean[n++] = text[i];
	clean[n] = '\0';
	int ret = -1;
	if (n == 0 || n % 4 != 0 || n / 4 * 3 > cap + 2)
		goto out;
	size_t pad = 0;
	if (clean[n - 1] == '=')
		pad = clean[n - 2] == '=' ? 2 : 1;
	/* '=' only as padding at the very end. */
	if (memchr(clean, '=', n - pad) != NULL)
		goto out;
	uint8_t *tmp = malloc(n / 4 * 3);
	if (tmp == NULL)
		goto out;
	int len = EVP_DecodeBlock(tmp, (const unsigned char *)clean, (int)n);
	if (len >= 0 && (size_t)len >= pad && (size_t)len - pad <= cap) {
		memcpy(out, tmp, (size_t)len - pad);
		ret = len - (int)pad;
	}
	free(tmp);
out:
	free(clean);
	return ret;
}

/* The base64 of len bytes, malloc'd, or NULL. */
static char *b64_encode(const uint8_t *in, size_t len)
{
	char *out = malloc((len + 2) / 3 * 4 + 1);
	if (out != NULL)
		EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

/* --- keys <-> DNSKEY public key -------------------------------------- */

/* The DNSKEY public-key field of pkey into out (cap bytes): the length, or -1. */
static int pub_from_pkey(uint8_t alg, EVP_PKEY *pkey, uint8_t *out, size_t cap)
{
	switch (alg) {
	case DNSSEC_ALG_ECDSAP256SHA256: {
		uint8_t pt[1 + 2 * P256_LEN];
		size_t len = 0;
		if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt),
						    &len) != 1 ||
		    len != sizeof(pt) || pt[0] != 0x04 || cap < 2 * P256_LEN)
			return -1;
		memcpy(out, pt + 1, 2 * P256_LEN);
		return 2 * P256_LEN;
	}
	case DNSSEC_ALG_ED25519: {
		size_t len = cap;
		if (EVP_PKEY_get_raw_public_key(pkey, out, &len) != 1 || len != ED25519_LEN)
			return -1;
		return (int)len;
	}
	case DNSSEC_ALG_RSASHA256: {
		/* RFC 3110 2: exponent length (1 byte, or 0 then 2 bytes),
		 * exponent, modulus. */
		BIGNUM *n = NULL, *e = NULL;
		int ret = -1;
		if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
		    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1)
			goto rsa_out;
		size_t elen = (size_t)BN_num_bytes(e), nlen = (size_t)BN_num_bytes(n);
		size_t hdr = elen <= 255 ? 1 : 3;
		if (elen == 0 || elen > 0xffff || hdr + elen + nlen > cap)
			goto rsa_out;
		if (hdr == 1) {
			out[0] = (uint8_t)elen;
		} else {
			out[0] = 0;
			out[1] = (uint8_t)(elen >> 8);
			out[2] = (uint8_t)elen;
		}
		BN_bn2bin(e, out + hdr);
		BN_bn2bin(n, out + hdr + elen);
		ret = (int)(hdr + elen + nlen);
	rsa_out:
		BN_free(n);
		BN_free(e);
		return ret;
	}
	default:
		return -1;
	}
}

/* Fill k->rdata, rdlen and tag from k->alg, flags and pkey. */
static int rdata_build(dnskey_t *k)
{
	k->rdata[0] = (uint8_t)(k->flags >> 8);
	k->rdata[1] = (uint8_t)k->flags;
	k->rdata[2] = 3;
	k->rdata[3] = k->alg;
	int n = pub_from_pkey(k->alg, k->pkey, k->rdata + 4, sizeof(k->rdata) - 4);
	if (n <= 0)
		return ST_EINVAL;
	k->rdlen = (uint16_t)(4 + n);
	k->tag = dnskey_tag(k->rdata, k->rdlen);
	return ST_OK;
}

static EVP_PKEY *fromdata(const char *type, OSSL_PARAM_BLD *bld, int selection)
{
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

/* A P-256 key pair from its private scalar (big-endian): the public point
 * is computed here, as BIND's file holds only the scalar. */
static EVP_PKEY *p256_from_private(const uint8_t *d, size_t dlen)
{
	EVP_PKEY *pkey = NULL;
	EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *pt = group != NULL ? EC_POINT_new(group) : NULL;
	BIGNUM *priv = BN_bin2bn(d, (int)dlen, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	uint8_t pub[1 + 2 * P256_LEN];
	if (pt == NULL || priv == NULL || bld == NULL || BN_is_zero(priv) ||
	    BN_cmp(priv, EC_GROUP_get0_order(group)) >= 0 ||
	    EC_POINT_mul(group, pt, priv, NULL, NULL, NULL) != 1 ||
	    EC_POINT_point2oct(group, pt, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), NULL) !=
		    sizeof(pub))
		goto out;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
		    1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)) != 1)
		goto out;
	pkey = fromdata("EC", bld, EVP_PKEY_KEYPAIR);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(priv);
	EC_POINT_free(pt);
	EC_GROUP_free(group);
	return pkey;
}

/* A public key from a DNSKEY rdata, or NULL with *st set. */
static EVP_PKEY *pkey_from_rdata(const uint8_t *rdata, size_t rdlen, int *st)
{
	*st = ST_EINVAL;
	if (rdata == NULL || rdlen < 4 || rdata[2] != 3)
		return NULL;
	const uint8_t *pub = rdata + 4;
	size_t plen = rdlen - 4;
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *n = NULL, *e = NULL;
	switch (rdata[3]) {
	case DNSSEC_ALG_ECDSAP256SHA256: {
		if (plen != 2 * P256_LEN)
			return NULL;
		uint8_t pt[1 + 2 * P256_LEN];
		pt[0] = 0x04;
		memcpy(pt + 1, pub, plen);
		bld = OSSL_PARAM_BLD_new();
		if (bld == NULL)
			break;
		if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1",
						    0) == 1 &&
		    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
						     sizeof(pt)) == 1)
			pkey = fromdata("EC", bld, EVP_PKEY_PUBLIC_KEY);
		break;
	}
	case DNSSEC_ALG_ED25519:
		if (plen != ED25519_LEN)
			return NULL;
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, plen);
		break;
	case DNSSEC_ALG_RSASHA256: {
		size_t hdr = 1, elen;
		if (plen < 1)
			return NULL;
		elen = pub[0];
		if (elen == 0) {
			if (plen < 3)
				return NULL;
			elen = (size_t)pub[1] << 8 | pub[2];
			hdr = 3;
		}
		if (elen == 0 || hdr + elen >= plen || plen - hdr - elen > DNSKEY_SIG_MAX)
			return NULL;
		e = BN_bin2bn(pub + hdr, (int)elen, NULL);
		n = BN_bin2bn(pub + hdr + elen, (int)(plen - hdr - elen), NULL);
		bld = OSSL_PARAM_BLD_new();
		if (e == NULL || n == NULL || bld == NULL)
			break;
		if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) == 1 &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) == 1)
			pkey = fromdata("RSA", bld, EVP_PKEY_PUBLIC_KEY);
		break;
	}
	default:
		return NULL;
	}
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	if (pkey != NULL)
		*st = ST_OK;
	return pkey;
}

/* --- signing --------------------------------------------------------- */

static const EVP_MD *alg_md(uint8_t alg)
{
	/* Ed25519 hashes inside the signature: no digest is given. */
	return alg == DNSSEC_ALG_ED25519 ? NULL : EVP_sha256();
}

int dnskey_sign(const dnskey_t *k, const uint8_t *data, size_t len, uint8_t *sig)
{
	if (k == NULL || k->pkey == NULL || sig == NULL || dnssec_alg_name(k->alg) == NULL ||
	    (data == NULL && len > 0))
		return ST_EINVAL;
	EVP_PKEY *pkey = k->pkey;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t buf[DNSKEY_SIG_MAX + 16];
	size_t slen = sizeof(buf);
	int ret = ST_ENOMEM;
	if (ctx == NULL)
		return ST_ENOMEM;
	if ((size_t)EVP_PKEY_get_size(pkey) > sizeof(buf)) {
		ret = ST_EINVAL;
		goto out;
	}
	if (EVP_DigestSignInit(ctx, NULL, alg_md(k->alg), NULL, pkey) != 1 ||
	    EVP_DigestSign(ctx, buf, &slen, data, len) != 1)
		goto out;
	if (k->alg == DNSSEC_ALG_ECDSAP256SHA256) {
		/* OpenSSL writes DER; DNSSEC wants r and s, 32 bytes each. */
		const unsigned char *p = buf;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)slen);
		if (es == NULL)
			goto out;
		const BIGNUM *r = NULL, *s = NULL;
		ECDSA_SIG_get0(es, &r, &s);
		if (BN_bn2binpad(r, sig, P256_LEN) == P256_LEN &&
		    BN_bn2binpad(s, sig + P256_LEN, P256_LEN) == P256_LEN)
			ret = 2 * P256_LEN;
		ECDSA_SIG_free(es);
	} else if (slen <= DNSKEY_SIG_MAX) {
		memcpy(sig, buf, slen);
		ret = (int)slen;
	}
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

int dnskey_verify(const uint8_t *dnskey_rdata, size_t rdlen, const uint8_t *data, size_t len,
		  const uint8_t *sig, size_t siglen)
{
	int st;
	EVP_PKEY *pkey = pkey_from_rdata(dnskey_rdata, rdlen, &st);
	if (pkey == NULL)
		return st;
	uint8_t alg = dnskey_rdata[3];
	uint8_t der[2 * P256_LEN + 16];
	const uint8_t *s = sig;
	size_t slen = siglen;
	int ret = 0;
	EVP_MD_CTX *ctx = NULL;
	if (sig == NULL || (data == NULL && len > 0))
		goto out;
	if (alg == DNSSEC_ALG_ECDSAP256SHA256) {
		if (siglen != 2 * P256_LEN)
			goto out;
		ECDSA_SIG *es = ECDSA_SIG_new();
		BIGNUM *r = BN_bin2bn(sig, P256_LEN, NULL);
		BIGNUM *ss = BN_bin2bn(sig + P256_LEN, P256_LEN, NULL);
		if (es == NULL || r == NULL || ss == NULL || ECDSA_SIG_set0(es, r, ss) != 1) {
			ECDSA_SIG_free(es);
			BN_free(r);
			BN_free(ss);
			ret = ST_ENOMEM;
			goto out;
		}
		unsigned char *p = der;
		int dlen = i2d_ECDSA_SIG(es, NULL);
		if (dlen > 0 && (size_t)dlen <= sizeof(der))
			dlen = i2d_ECDSA_SIG(es, &p);
		ECDSA_SIG_free(es);
		if (dlen <= 0 || (size_t)dlen > sizeof(der))
			goto out;
		s = der;
		slen = (size_t)dlen;
	}
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL) {
		ret = ST_ENOMEM;
		goto out;
	}
	if (EVP_DigestVerifyInit(ctx, NULL, alg_md(alg), NULL, pkey) != 1) {
		ret = ST_EINVAL;
		goto out;
	}
	ret = EVP_DigestVerify(ctx, s, slen, data, len) == 1 ? 1 : 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ret;
}

void dnskey_free(dnskey_t *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
}

/* --- the .key file --------------------------------------------------- */

static bool parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	if (s == NULL || !isdigit((unsigned char)s[0]))
		return false;
	char *end;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *v <= max;
}

/*
 * The DNSKEY record of a .key file: flags, algorithm, public key, and the
 * line it starts on (*line). Comment lines (';') and blank lines are
 * skipped; the record may be split over lines inside parentheses.
 */
static int key_file_parse(const char *path, uint16_t *flags, uint8_t *alg, uint8_t *pub,
			  size_t *publen, int *line_out, char *err, size_t cap)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return fail(err, cap, ST_EIO, "%s: %s", path, strerror(errno));
	char *line = NULL, *rec = NULL;
	size_t lcap = 0, reclen = 0;
	int lineno = 0, recline = 0, depth = 0, ret = ST_OK;
	ssize_t n;
	while ((n = getline(&line, &lcap, f)) >= 0) {
		lineno++;
		char *semi = strchr(line, ';');
		if (semi != NULL)
			*semi = '\0';
		if (rec == NULL && line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (rec == NULL)
			recline = lineno;
		for (char *p = line; *p != '\0'; p++) {
			if (*p == '(' || *p == ')') {
				depth += *p == '(' ? 1 : -1;
				*p = ' ';
			}
		}
		size_t ll = strlen(line);
		char *nr = realloc(rec, reclen + ll + 2);
		if (nr == NULL) {
			ret = fail(err, cap, ST_ENOMEM, "%s: out of memory", path);
			goto out;
		}
		rec = nr;
		memcpy(rec + reclen, line, ll);
		reclen += ll;
		rec[reclen++] = ' ';
		rec[reclen] = '\0';
		if (depth <= 0)
			break;
	}
	if (ferror(f)) {
		ret = fail(err, cap, ST_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (rec == NULL) {
		ret = fail(err, cap, ST_ESYNTAX,
			   "%s:%d: no DNSKEY record before the end of the file", path,
			   lineno > 0 ? lineno : 1);
		goto out;
	}
	if (depth != 0) {
		ret = fail(err, cap, ST_ESYNTAX, "%s:%d: unbalanced parentheses", path, recline);
		goto out;
	}
	/* owner [ttl] [class] DNSKEY flags protocol algorithm base64... */
	char *save = NULL;
	char *tok = strtok_r(rec, " \t\r\n", &save);
	int i = 0;
	for (tok = strtok_r(NULL, " \t\r\n", &save); tok != NULL && i < 2;
	     tok = strtok_r(NULL, " \t\r\n", &save), i++) {
		if (strcasecmp(tok, "DNSKEY") == 0)
			break;
	}
	if (tok == NULL || strcasecmp(tok, "DNSKEY") != 0) {
		ret = fail(err, cap, ST_ESYNTAX, "%s:%d: expected a DNSKEY record", path, recline);
		goto out;
	}
	unsigned long fl, proto, al;
	char *tf = strtok_r(NULL, " \t\r\n", &save);
	char *tp = strtok_r(NULL, " \t\r\n", &save);
	char *ta = strtok_r(NULL, " \t\r\n", &save);
	if (!parse_uint(tf, 0xffff, &fl) || !parse_uint(tp, 255, &proto) || proto != 3 ||
	    !parse_uint(ta, 255, &al)) {
		ret = fail(err, cap, ST_ESYNTAX, "%s:%d: bad DNSKEY flags, protocol or algorithm",
			   path, recline);
		goto out;
	}
	char *b64 = strtok_r(NULL, "", &save);
	int plen = b64 != NULL ? b64_decode(b64, pub, DNSKEY_RDATA_MAX - 4) : -1;
	if (plen <= 0) {
		ret = fail(err, cap, ST_ESYNTAX, "%s:%d: bad DNSKEY public key", path, recline);
		goto out;
	}
	*flags = (uint16_t)fl;
	*alg = (uint8_t)al;
	*publen = (size_t)plen;
	*line_out = recline;
out:
	free(line);
	free(rec);
	fclose(f);
	return ret;
}

/* --- the .private file ----------------------------------------------- */

enum { F_N, F_E, F_D, F_P, F_Q, F_DP, F_DQ, F_QI, F_RSA, F_PRIV = 0 };

static const char *const rsa_fields[F_RSA] = {
	"Modulus", "PublicExponent", "PrivateExponent", "Prime1",
	"Prime2",  "Exponent1",      "Exponent2",       "Coefficient",
};

static const char *const rsa_params[F_RSA] = {
	OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
	OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
	OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
	OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Where a .private's key came from, for the errors that concern it: the
 * .key file and the line of its DNSKEY record. */
typedef struct key_origin {
	const char *keypath;
	int keyline;
} key_origin_t;

/*
 * The private key of a .private file for algorithm alg (the .key's, at
 * ko), into *out, and the line of its first key field into *line
 * (PrivateKey, or Modulus for RSA). The file must start with
 * Private-key-format v1.x and hold one Algorithm line that names alg and
 * each key field once; every error names the line it is about.
 */
static int private_parse(const char *path, uint8_t alg, const key_origin_t *ko, EVP_PKEY **out,
			 int *line_out, char *err, size_t cap)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return fail(err, cap, ST_EIO, "%s: %s (the private key of the DNSKEY at %s:%d)",
			    path, strerror(errno), ko->keypath, ko->keyline);
	uint8_t *val[F_RSA] = { NULL };
	int vlen[F_RSA] = { 0 };
	int vline[F_RSA] = { 0 };
	int nfields = alg == DNSSEC_ALG_RSASHA256 ? F_RSA : 1;
	char *line = NULL;
	size_t lcap = 0;
	int lineno = 0, ret = ST_OK, format_line = 0, alg_line = 0;
	EVP_PKEY *pkey = NULL;
	while (getline(&line, &lcap, f) >= 0) {
		lineno++;
		char *l = trim(line);
		if (l[0] == '\0' || l[0] == ';')
			continue;
		char *colon = strchr(l, ':');
		if (colon == NULL) {
			ret = fail(err, cap, ST_ESYNTAX, "%s:%d: expected \"Field: value\"", path,
				   lineno);
			goto out;
		}
		*colon = '\0';
		char *key = trim(l), *v = trim(colon + 1);
		if (format_line == 0) {
			if (strcmp(key, "Private-key-format") != 0 || strncmp(v, "v1.", 3) != 0) {
				ret = fail(err, cap, ST_ESYNTAX,
					   "%s:%d: not a Private-key-format v1.x file", path,
					   lineno);
				goto out;
			}
			format_line = lineno;
			continue;
		}
		if (strcmp(key, "Algorithm") == 0) {
			if (alg_line != 0) {
				ret = fail(err, cap, ST_ESYNTAX,
					   "%s:%d: a second Algorithm line (the first is line %d)",
					   path, lineno, alg_line);
				goto out;
			}
			alg_line = lineno;
			/* "13 (ECDSAP256SHA256)": the number counts, the name is a note. */
			char *end = v;
			unsigned long a = 0;
			errno = 0;
			if (isdigit((unsigned char)v[0]))
				a = strtoul(v, &end, 10);
			if (end == v || errno != 0 ||
			    (*end != '\0' && !isspace((unsigned char)*end)) || a != alg) {
				ret = fail(
					err, cap, ST_ESEMANTIC,
					"%s:%d: Algorithm %s does not match the DNSKEY's %u (%s) at %s:%d",
					path, lineno, v, alg, dnssec_alg_name(alg), ko->keypath,
					ko->keyline);
				goto out;
			}
			continue;
		}
		int idx = -1;
		if (alg == DNSSEC_ALG_RSASHA256) {
			for (int i = 0; i < F_RSA; i++)
				if (strcmp(key, rsa_fields[i]) == 0)
					idx = i;
		} else if (strcmp(key, "PrivateKey") == 0) {
			idx = F_PRIV;
		}
		if (idx < 0)
			continue; /* Created, Publish, Activate and the like */
		if (vline[idx] != 0) {
			ret = fail(err, cap, ST_ESYNTAX,
				   "%s:%d: a second %s line (the first is line %d)", path, lineno,
				   key, vline[idx]);
			goto out;
		}
		vline[idx] = lineno;
		val[idx] = malloc(DNSKEY_SIG_MAX);
		if (val[idx] == NULL) {
			ret = fail(err, cap, ST_ENOMEM, "%s:%d: out of memory", path, lineno);
			goto out;
		}
		vlen[idx] = b64_decode(v, val[idx], DNSKEY_SIG_MAX);
		if (vlen[idx] <= 0) {
			ret = fail(err, cap, ST_ESYNTAX, "%s:%d: bad base64 in %s", path, lineno,
				   key);
			goto out;
		}
	}
	if (ferror(f)) {
		ret = fail(err, cap, ST_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* What is missing is reported at the end of the file (line 1 when it
	 * is empty), or at the format line for the Algorithm that belongs
	 * right after it. */
	int last = lineno > 0 ? lineno : 1;
	if (format_line == 0) {
		ret = fail(err, cap, ST_ESYNTAX,
			   "%s:%d: not a Private-key-format v1.x file (no Private-key-format line)",
			   path, last);
		goto out;
	}
	if (alg_line == 0) {
		ret = fail(
			err, cap, ST_ESYNTAX,
			"%s:%d: Private-key-format without an Algorithm line (the DNSKEY at %s:%d is algorithm %u, %s)",
			path, format_line, ko->keypath, ko->keyline, alg, dnssec_alg_name(alg));
		goto out;
	}
	for (int i = 0; i < nfields; i++) {
		if (val[i] == NULL) {
			ret = fail(err, cap, ST_ESYNTAX,
				   "%s:%d: no %s line before the end of the file", path, last,
				   alg == DNSSEC_ALG_RSASHA256 ? rsa_fields[i] : "PrivateKey");
			goto out;
		}
	}
	if (alg == DNSSEC_ALG_ECDSAP256SHA256) {
		if (vlen[F_PRIV] > P256_LEN) {
			ret = fail(err, cap, ST_ESYNTAX, "%s:%d: PrivateKey is not a P-256 key",
				   path, vline[F_PRIV]);
			goto out;
		}
		pkey = p256_from_private(val[F_PRIV], (size_t)vlen[F_PRIV]);
	} else if (alg == DNSSEC_ALG_ED25519) {
		if (vlen[F_PRIV] != ED25519_LEN) {
			ret = fail(err, cap, ST_ESYNTAX, "%s:%d: PrivateKey is not an Ed25519 key",
				   path, vline[F_PRIV]);
			goto out;
		}
		pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, val[F_PRIV],
						    ED25519_LEN);
	} else {
		OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
		BIGNUM *bn[F_RSA] = { NULL };
		bool ok = bld != NULL;
		for (int i = 0; ok && i < F_RSA; i++) {
			bn[i] = BN_bin2bn(val[i], vlen[i], NULL);
			ok = bn[i] != NULL &&
			     OSSL_PARAM_BLD_push_BN(bld, rsa_params[i], bn[i]) == 1;
		}
		if (ok)
			pkey = fromdata("RSA", bld, EVP_PKEY_KEYPAIR);
		for (int i = 0; i < F_RSA; i++)
			BN_clear_free(bn[i]);
		OSSL_PARAM_BLD_free(bld);
	}
	if (pkey == NULL) {
		ret = fail(err, cap, ST_ESYNTAX, "%s:%d: not a valid %s private key", path,
			   vline[F_PRIV], dnssec_alg_name(alg));
		goto out;
	}
	*out = pkey;
	*line_out = vline[F_PRIV];
out:
	for (int i = 0; i < F_RSA; i++) {
		if (val[i] != NULL)
			OPENSSL_cleanse(val[i], DNSKEY_SIG_MAX);
		free(val[i]);
	}
	if (line != NULL)
		OPENSSL_cleanse(line, lcap);
	free(line);
	fclose(f);
	return ret;
}

int dnskey_read(const char *keypath, dnskey_t *out, char *err, size_t errcap)
{
	memset(out, 0, sizeof(*out));
	size_t plen = strlen(keypath);
	if (plen < 4 || strcmp(keypath + plen - 4, ".key") != 0 ||
	    plen - 4 + sizeof(".private") > sizeof(out->file))
		return fail(err, errcap, ST_EINVAL, "%s: not a K*.key file name", keypath);
	uint16_t flags = 0;
	uint8_t alg = 0;
	uint8_t pub[DNSKEY_RDATA_MAX];
	size_t publen = 0;
	int keyline = 0, privline = 0;
	int st = key_file_parse(keypath, &flags, &alg, pub, &publen, &keyline, err, errcap);
	if (st < 0)
		return st;
	if (dnssec_alg_name(alg) == NULL)
		return fail(err, errcap, ST_EINVAL,
			    "%s:%d: algorithm %u is not one glued signs with", keypath, keyline,
			    alg);
	snprintf(out->file, sizeof(out->file), "%.*s.private", (int)(plen - 4), keypath);
	EVP_PKEY *pkey = NULL;
	key_origin_t ko = { keypath, keyline };
	st = private_parse(out->file, alg, &ko, &pkey, &privline, err, errcap);
	if (st < 0) {
		memset(out, 0, sizeof(*out));
		return st;
	}
	out->alg = alg;
	out->flags = flags;
	out->pkey = pkey;
	if (rdata_build(out) < 0 || out->rdlen != 4 + publen ||
	    memcmp(out->rdata + 4, pub, publen) != 0) {
		st = fail(
			err, errcap, ST_ESEMANTIC,
			"%s:%d: the private key does not match the public key of the DNSKEY at %s:%d",
			out->file, privline, keypath, keyline);
		dnskey_free(out);
		memset(out, 0, sizeof(*out));
		return st;
	}
	return ST_OK;
}

/* --- making a key ---------------------------------------------------- */

static EVP_PKEY *keygen(uint8_t alg)
{
	switch (alg) {
	case DNSSEC_ALG_ECDSAP256SHA256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	case DNSSEC_ALG_ED25519:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	case DNSSEC_ALG_RSASHA256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)RSA_BITS);
	default:
		return NULL;
	}
}

/* Write one "Field: base64" line. */
static bool put_field(FILE *f, const char *name, const uint8_t *v, size_t len)
{
	char *b = b64_encode(v, len);
	if (b == NULL)
		return false;
	bool ok = fprintf(f, "%s: %s\n", name, b) > 0;
	OPENSSL_cleanse(b, strlen(b));
	free(b);
	return ok;
}

static bool put_private(FILE *f, const dnskey_t *k, const char *stamp)
{
	bool ok = fprintf(f, "Private-key-format: v1.3\nAlgorithm: %u (%s)\n", k->alg,
			  dnssec_alg_name(k->alg)) > 0;
	uint8_t buf[DNSKEY_SIG_MAX];
	if (k->alg == DNSSEC_ALG_ECDSAP256SHA256) {
		BIGNUM *d = NULL;
		ok = ok && EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1 &&
		     BN_bn2binpad(d, buf, P256_LEN) == P256_LEN &&
		     put_field(f, "PrivateKey", buf, P256_LEN);
		BN_clear_free(d);
	} else if (k->alg == DNSSEC_ALG_ED25519) {
		size_t len = sizeof(buf);
		ok = ok && EVP_PKEY_get_raw_private_key(k->pkey, buf, &len) == 1 &&
		     len == ED25519_LEN && put_field(f, "PrivateKey", buf, len);
	} else {
		for (int i = 0; ok && i < F_RSA; i++) {
			BIGNUM *bn = NULL;
			ok = EVP_PKEY_get_bn_param(k->pkey, rsa_params[i], &bn) == 1 &&
			     BN_num_bytes(bn) <= (int)sizeof(buf);
			if (ok) {
				int n = BN_bn2bin(bn, buf);
				ok = put_field(f, rsa_fields[i], buf, (size_t)n);
			}
			BN_clear_free(bn);
		}
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return ok &&
	       fprintf(f, "Created: %s\nPublish: %s\nActivate: %s\n", stamp, stamp, stamp) > 0;
}

static bool put_key(FILE *f, const dnskey_t *k, const char *zone, const char *stamp,
		    const char *when)
{
	char *b = b64_encode(k->rdata + 4, k->rdlen - 4u);
	if (b == NULL)
		return false;
	bool ok =
		fprintf(f,
			"; This is a %s key, keyid %u, for %s\n"
			"; Created: %s (%s)\n; Publish: %s (%s)\n; Activate: %s (%s)\n"
			"%s IN DNSKEY %u 3 %u %s\n",
			(k->flags & DNSKEY_FLAG_SEP) ? "key-signing" : "zone-signing", k->tag, zone,
			stamp, when, stamp, when, stamp, when, zone, k->flags, k->alg, b) > 0;
	free(b);
	return ok;
}

/* Create path exclusively (mode) and write it with put(). Returns ST_OK,
 * ST_EEXIST when it is there already, or an error with err set. */
static int write_new(const char *path, mode_t mode, const dnskey_t *k, const char *zone,
		     const char *stamp, const char *when, bool private, char *err, size_t cap)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd < 0) {
		if (errno == EEXIST)
			return ST_EEXIST;
		return fail(err, cap, ST_EIO, "%s: %s", path, strerror(errno));
	}
	FILE *f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(path);
		return fail(err, cap, ST_EIO, "%s: %s", path, strerror(errno));
	}
	bool ok = private ? put_private(f, k, stamp) : put_key(f, k, zone, stamp, when);
	ok = fflush(f) == 0 && ok && fsync(fd) == 0;
	int saved = errno;
	if (fclose(f) != 0)
		ok = false;
	if (!ok) {
		unlink(path);
		return fail(err, cap, ST_EIO, "%s: cannot write: %s", path,
			    saved != 0 ? strerror(saved) : "error");
	}
	return ST_OK;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether name is K<zone>+<alg>+<5 digits>.key for this zone and alg. */
static bool key_name_matches(const char *name, const char *prefix)
{
	size_t pl = strlen(prefix);
	if (strncmp(name, prefix, pl) != 0)
		return false;
	const char *t = name + pl;
	for (int i = 0; i < 5; i++)
		if (!isdigit((unsigned char)t[i]))
			return false;
	return strcmp(t + 5, ".key") == 0;
}

/* Look in dir for a matching key: ST_OK with *out filled, ST_ENOENT when
 * there is none (or no dir), another error with err set. */
static int dnskey_find(const char *dir, const char *prefix, uint8_t alg, uint16_t flags,
		       dnskey_t *out, char *err, size_t errcap)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT)
			return ST_ENOENT;
		return fail(err, errcap, ST_EIO, "%s: %s", dir, strerror(errno));
	}
	char **names = NULL;
	size_t n = 0, ncap = 0;
	int ret = ST_ENOENT;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (!key_name_matches(de->d_name, prefix))
			continue;
		if (n == ncap) {
			size_t nc = ncap ? ncap * 2 : 8;
			char **nn = realloc(names, nc * sizeof(*names));
			if (nn == NULL) {
				ret = fail(err, errcap, ST_ENOMEM, "%s: out of memory", dir);
				goto out;
			}
			names = nn;
			ncap = nc;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL) {
			ret = fail(err, errcap, ST_ENOMEM, "%s: out of memory", dir);
			goto out;
		}
		n++;
	}
	/* readdir's order is the file system's: sort, so "the first" is stable. */
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char path[sizeof(out->file)];
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path)) {
			ret = fail(err, errcap, ST_EINVAL, "%s/%s: path too long", dir, names[i]);
			goto out;
		}
		int st = dnskey_read(path, out, err, errcap);
		if (st < 0) {
			ret = st;
			goto out;
		}
		if (out->flags == flags && out->alg == alg) {
			ret = ST_OK;
			goto out;
		}
		dnskey_free(out);
		memset(out, 0, sizeof(*out));
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

int dnskey_get(const char *dir, const uint8_t *origin, uint8_t alg, uint16_t flags, dnskey_t *out,
	       bool *made, char *err, size_t errcap)
{
	memset(out, 0, sizeof(*out));
	if (made != NULL)
		*made = false;
	if (dnssec_alg_name(alg) == NULL)
		return fail(err, errcap, ST_EINVAL, "%s: algorithm %u is not one glued signs with",
			    dir, alg);
	uint8_t lower[NAME_MAXLEN];
	char zone[NAME_TEXT_MAX];
	name_lower(lower, origin);
	if (name_to_text(lower, zone, sizeof(zone)) < 0 || strchr(zone, '/') != NULL)
		return fail(err, errcap, ST_EINVAL, "%s: zone name cannot name a key file", dir);
	char prefix[NAME_TEXT_MAX + 16];
	snprintf(prefix, sizeof(prefix), "K%s+%03u+", zone, alg);

	int st = dnskey_find(dir, prefix, alg, flags, out, err, errcap);
	if (st != ST_ENOENT) {
		if (st < 0)
			memset(out, 0, sizeof(*out));
		return st;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return fail(err, errcap, ST_EIO, "%s: %s", dir, strerror(errno));

	time_t now = time(NULL);
	struct tm tm;
	char stamp[32], when[64];
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm);

	/* A new key whose tag is taken by a file already there is thrown
	 * away and another made: a few tries are plenty. */
	for (int tries = 0; tries < 16; tries++) {
		out->alg = alg;
		out->flags = flags;
		out->pkey = keygen(alg);
		if (out->pkey == NULL || rdata_build(out) < 0) {
			dnskey_free(out);
			memset(out, 0, sizeof(*out));
			return fail(err, errcap, ST_ENOMEM, "%s: cannot make a %s key", dir,
				    dnssec_alg_name(alg));
		}
		char keypath[sizeof(out->file)];
		int a = snprintf(out->file, sizeof(out->file), "%s/%s%05u.private", dir, prefix,
				 out->tag);
		int b = snprintf(keypath, sizeof(keypath), "%s/%s%05u.key", dir, prefix, out->tag);
		if (a >= (int)sizeof(out->file) || b >= (int)sizeof(keypath)) {
			dnskey_free(out);
			memset(out, 0, sizeof(*out));
			return fail(err, errcap, ST_EINVAL, "%s: key file path too long", dir);
		}
		st = write_new(out->file, 0600, out, zone, stamp, when, true, err, errcap);
		if (st == ST_OK) {
			st = write_new(keypath, 0644, out, zone, stamp, when, false, err, errcap);
			if (st < 0)
				unlink(out->file);
		}
		if (st == ST_OK) {
			if (made != NULL)
				*made = true;
			return ST_OK;
		}
		dnskey_free(out);
		memset(out, 0, sizeof(*out));
		if (st != ST_EEXIST)
			return st;
	}
	return fail(err, errcap, ST_EEXIST, "%s: no free key tag for a new key", dir);
}
