/*
 * Unit tests for analysis/validate.c and the validating walk of sim.c,
 * with real signatures:
 *
 *   - a zone signed by glued's own signer (zone_sign, the key in
 *     tests/data/keys): every RRset verifies; a flipped signature byte, a
 *     shifted clock, a dropped RRSIG, another key and a wildcard expansion
 *     give what a resolver says; DS of every digest type, unsupported
 *     ones, a stale one, a key without SEP;
 *   - the pre-signed lab (tests/data/signed, BIND's dnssec-signzone)
 *     served in process: the simulated resolver with the lab's trust
 *     anchor agrees with every scenario of its lab.yaml (secure, insecure,
 *     bogus), a wrong anchor and a wrong clock break it; the same answers
 *     broken after the fact (signature byte, RRSIG, NSEC, NSEC3 dropped);
 *   - hand-made messages signed here for what no zone holds: NSEC3 with
 *     200 iterations, NSEC proofs of a DS that lie;
 *   - the static DNSSEC findings of glued --check over the signed lab and
 *     over copies of its zones broken in the text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/check.h"
#include "analysis/sim.h"
#include "analysis/validate.h"
#include "dns/header.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/respond.h"
#include "dns/wire.h"
#include "dns/zone_build.h"
#include "dns/zoneset.h"
#include "dnssec/key.h"
#include "dnssec/sign.h"

#define SIGNED TEST_DATA_DIR "/signed"
#define KEYFILE TEST_DATA_DIR "/keys/Kexample.+013+00404.key"

/* Inside the lab's validity (2026-01-01 .. 2046-01-01): 2030-01-01. */
#define LAB_NOW 1893456000u
/* The signer's validity for the glued-signed zone. */
#define T0 1900000000u
#define T_INC (T0 - 3600u)
#define T_EXP (T0 + 30u * 86400u)

static uint8_t *W(const char *text)
{
	static uint8_t names[8][NAME_MAXLEN];
	static int next;
	uint8_t *n = names[next++ % 8];
	assert_true(name_from_text(text, strlen(text), NULL, n) > 0);
	return n;
}

/* ---- a zone signed by glued --------------------------------------------------- */

static const char ZONE[] = "$ORIGIN example.\n"
			   "$TTL 3600\n"
			   "@ SOA ns1 hostmaster 1 7200 900 1209600 300\n"
			   "@ NS ns1\n"
			   "@ MX 10 Mail.EXAMPLE.\n"
			   "ns1 A 192.0.2.1\n"
			   "www A 192.0.2.80\n"
			   "www A 192.0.2.81\n"
			   "*.w TXT \"wild\"\n"
			   "sub NS ns.other.\n";

static dnskey_t key;
static zone_t *signed_zone;

static zone_t *sign_text(const char *text, const dnskey_t *k, uint32_t inc, uint32_t exp)
{
	char err[512];
	zone_t *in = NULL, *out = NULL;
	assert_int_equal(zone_load_mem("example.zone", text, strlen(text), NULL, NULL, NULL, &in,
				       err, sizeof(err)),
			 0);
	sign_opts_t o = { .key = k, .inception = inc, .expiration = exp };
	if (zone_sign(in, &o, NULL, NULL, &out, err, sizeof(err)) != 0)
		fprintf(stderr, "%s\n", err);
	assert_non_null(out);
	zone_free(in);
	return out;
}

/* An RRset of a loaded zone with its RRSIGs, as validate.h reads it. */
static val_rrset_t vset(const zone_t *z, const char *owner, uint16_t type)
{
	uint8_t l[NAME_MAXLEN];
	name_lower(l, W(owner));
	const node_t *n = zone_find(z, l, name_len(l));
	assert_non_null(n);
	const rrset_t *rs = node_rrset(n, type);
	assert_non_null(rs);
	const rrset_t *sig = zone_rrsigs(z, rs);
	return (val_rrset_t){ .owner = n->name,
			      .type = type,
			      .ttl = rs->ttl,
			      .count = rs->count,
			      .data = rs->data,
			      .datalen = rs->datalen,
			      .nsigs = sig ? sig->count : 0,
			      .sigs = sig ? sig->data : NULL,
			      .sigslen = sig ? sig->datalen : 0 };
}

static void expect(const val_result_t *r, uint8_t status, uint16_t ede, const char *reason)
{
	if (r->status != status || r->ede != ede || (reason && !strstr(r->reason, reason))) {
		fprintf(stderr, "got %s EDE %u: %s\n", val_status_str(r->status), r->ede,
			r->reason);
		fail();
	}
}

static void test_signed_rrsets_verify(void **state)
{
	(void)state;
	val_rrset_t dk = vset(signed_zone, "example.", RR_DNSKEY);
	static const struct {
		const char *owner;
		uint16_t type;
	} sets[] = { { "example.", RR_SOA },   { "example.", RR_NS },
		     { "example.", RR_MX },    { "example.", RR_DNSKEY },
		     { "www.example.", RR_A }, { "ns1.example.", RR_A },
		     { "example.", RR_NSEC },  { "sub.example.", RR_NSEC } };
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		val_rrset_t rs = vset(signed_zone, sets[i].owner, sets[i].type);
		val_result_t r;
		int wild = 0;
		val_verify(&rs, &dk, W("example."), T0, &r, &wild);
		expect(&r, VAL_SECURE, VAL_EDE_NONE, "");
		assert_int_equal(wild, -1);
	}
	/* The owner's case does not matter (canonical form, RFC 4034 6.2). */
	val_rrset_t rs = vset(signed_zone, "www.example.", RR_A);
	rs.owner = W("WWW.Example.");
	val_result_t r;
	val_verify(&rs, &dk, W("EXAMPLE."), T0, &r, NULL);
	expect(&r, VAL_SECURE, VAL_EDE_NONE, "");
}

static void test_signature_times(void **state)
{
	(void)state;
	val_rrset_t dk = vset(signed_zone, "example.", RR_DNSKEY);
	val_rrset_t rs = vset(signed_zone, "www.example.", RR_A);
	val_result_t r;
	/* A day and a second past the expiration: beyond Unbound's skew. */
	val_verify(&rs, &dk, W("example."), T_EXP + 86401u, &r, NULL);
	expect(&r, VAL_BOGUS, VAL_EDE_SIG_EXPIRED,
	       "RRSIG over www.example. A by example. key 404 expired at ");
	val_verify(&rs, &dk, W("example."), T_INC - 86401u, &r, NULL);
	expect(&r, VAL_BOGUS, VAL_EDE_SIG_NOT_YET_VALID, "is not valid before ");
	/* Ten minutes out is within the skew a resolver allows... */
	val_verify(&rs, &dk, W("example."), T_EXP + 600u, &r, NULL);
	expect(&r, VAL_SECURE, VAL_EDE_NONE, "");
	/* ...but not within the RFC's bare window, which --check uses. */
	assert_int_equal(val_sig_time(T_INC, T_EXP, T_EXP + 600u, false), 1);
	assert_int_equal(val_sig_time(T_INC, T_EXP, T_EXP + 600u, true), 0);
	assert_int_equal(val_sig_time(T_INC, T_EXP, T_INC - 1u, false), -1);
	assert_int_equal(val_sig_time(T_INC, T_EXP, T0, false), 0);
	/* Serial arithmetic: a time after 2106 wraps and still compares. */
	assert_int_equal(val_sig_time(0xFFFFFF00u, 0x00000100u, 0x00000010u, false), 0);
}

static void test_broken_signatures(void **state)
{
	(void)state;
	val_rrset_t dk = vset(signed_zone, "example.", RR_DNSKEY);
	val_rrset_t rs = vset(signed_zone, "www.example.", RR_A);
	val_result_t r;
	/* One byte of the signature flipped. */
	uint8_t *copy = malloc(rs.sigslen);
	assert_non_null(copy);
	memcpy(copy, rs.sigs, rs.sigslen);
	copy[rs.sigslen - 1] ^= 0x01;
	val_rrset_t bad = rs;
	bad.sigs = copy;
	val_verify(&bad, &dk, W("example."), T0, &r, NULL);
	expect(&r, VAL_BOGUS, VAL_EDE_BOGUS,
	       "RRSIG over www.example. A by example. key 404 does not verify");
	/* One byte of the data changed: the same. */
	uint8_t data[64];
	assert_true(rs.datalen <= sizeof(data));
	memcpy(data, rs.data, rs.datalen);
	data[rs.datalen - 1] ^= 0x01;
	bad = rs;
	bad.data = data;
	val_verify(&bad, &dk, W("example."), T0, &r, NULL);
	expect(&r, VAL_BOGUS, VAL_EDE_BOGUS, "does not verify");
	/* No RRSIG at all. */
	bad = rs;
	bad.nsigs = 0;
	bad.sigslen = 0;
	val_verify(&bad, &dk, W("example."), T0, &r, NULL);
	expect(&r, VAL_BOGUS, VAL_EDE_RRSIGS_MISSING, "no RRSIG over www.example. A");
	/* Signed by example., but checked as another zone's. */
	val_verify(&rs, &dk, W("other."), T0, &r, NULL);
	expect(&r, VAL_BOGUS, VAL_EDE_RRSIGS_MISSING, "no RRSIG by other.");
	/* Against a key set without the signing key. */
	val_rrset_t soa = vset(signed_zone, "example.", RR_SOA); /* any RRset but DNSKEY */
	soa.type = RR_DNSKEY;
	soa.count = 0;
	soa.datalen = 0;
	val_verify(&rs, &soa, W("example."), T0, &r, NULL);
	expect(&r, VAL_BOGUS, VAL_EDE_DNSKEY_MISSING,
	       "names key 404/13, which is not a DNSKEY of example.");
	free(copy);
}

static void test_wildcard_expansion(void **state)
{
	(void)state;
	val_rrset_t dk = vset(signed_zone, "example.", RR_DNSKEY);
	val_rrset_t rs = vset(signed_zone, "*.w.example.", RR_TXT);
	rs.owner = W("any.thing.w.example."); /* as a server expands it */
	val_result_t r;
	int wild = -1;
	val_verify(&rs, &dk, W("example."), T0, &r, &wild);
	expect(&r, VAL_SECURE, VAL_EDE_NONE, "");
	assert_int_equal(wild, 2); /* signed as *.w.example.: two labels */
	/* An RRSIG claiming more labels than the owner has. */
	rs.owner = W("example.");
	val_verify(&rs, &dk, W("example."), T0, &r, &wild);
	expect(&r, VAL_BOGUS, VAL_EDE_BOGUS, "claims 2 labels, more than the owner has");
}

/* A DS for the key with a digest type, computed here with libcrypto. */
static val_ds_t ds_of(const dnskey_t *k, const char *owner, uint8_t type)
{
	val_ds_t d = { 0 };
	const EVP_MD *md = type == 1 ? EVP_sha1() : type == 2 ? EVP_sha256() : EVP_sha384();
	uint8_t buf[NAME_MAXLEN + DNSKEY_RDATA_MAX];
	size_t n = name_lower(buf, W(owner));
	memcpy(buf + n, k->rdata, k->rdlen);
	unsigned int len = 0;
	wire_put16(d.rd, k->tag);
	d.rd[2] = k->alg;
	d.rd[3] = type;
	assert_int_equal(EVP_Digest(buf, n + k->rdlen, d.rd + 4, &len, md, NULL), 1);
	d.len = (uint8_t)(4 + len);
	return d;
}

static void test_dnskey_and_ds(void **state)
{
	(void)state;
	val_rrset_t dk = vset(signed_zone, "example.", RR_DNSKEY);
	val_result_t r;
	val_ds_t ds[3];
	/* dnskey_ds (what glued puts in parents) and each digest type. */
	uint8_t mine[DS_SHA256_RDLEN];
	assert_int_equal(dnskey_ds(W("example."), key.rdata, key.rdlen, mine), 0);
	ds[0].len = DS_SHA256_RDLEN;
	memcpy(ds[0].rd, mine, DS_SHA256_RDLEN);
	assert_memory_equal(ds_of(&key, "example.", 2).rd, mine, DS_SHA256_RDLEN);
	for (uint8_t type = 1; type <= 4; type++) {
		if (type == 3)
			continue;
		val_ds_t d = ds_of(&key, "example.", type);
		assert_int_equal(val_ds_matches(W("example."), key.rdata, key.rdlen, d.rd, d.len),
				 1);
		val_dnskey(&dk, &d, 1, W("example."), W("."), T0, &r);
		expect(&r, VAL_SECURE, VAL_EDE_NONE, "");
	}
	/* A stale DS: the digest of another key. */
	val_ds_t stale = ds_of(&key, "example.", 2);
	stale.rd[10] ^= 0xff;
	assert_int_equal(val_ds_matches(W("example."), key.rdata, key.rdlen, stale.rd, stale.len),
			 0);
	val_dnskey(&dk, &stale, 1, W("example."), W("."), T0, &r);
	expect(&r, VAL_BOGUS, VAL_EDE_DNSKEY_MISSING,
	       "DS 404/13/2 in . matches no DNSKEY of example.");
	val_dnskey(&dk, &stale, 1, W("example."), NULL, T0, &r);
	expect(&r, VAL_BOGUS, VAL_EDE_DNSKEY_MISSING,
	       "DS 404/13/2 of the trust anchor matches no DNSKEY");
	/* Beside a good one, a stale DS is harmless. */
	ds[0] = stale;
	ds[1] = ds_of(&key, "example.", 4);
	val_dnskey(&dk, ds, 2, W("example."), W("."), T0, &r);
	expect(&r, VAL_SECURE, VAL_EDE_NONE, "");
	/* A good SHA-1 DS is ignored beside a stale SHA-256 one (RFC 4509 3). */
	ds[0] = stale;
	ds[1] = ds_of(&key, "example.", 1);
	val_dnskey(&dk, ds, 2, W("example."), W("."), T0, &r);
	expect(&r, VAL_BOGUS, VAL_EDE_DNSKEY_MISSING, "matches no DNSKEY");
	/* Only DS of an unknown algorithm or digest: insecure. */
	val_ds_t alg = ds_of(&key, "example.", 2);
	alg.rd[2] = 100;
	val_dnskey(&dk, &alg, 1, W("example."), W("."), T0, &r);
	expect(&r, VAL_INSECURE, VAL_EDE_UNSUPPORTED_ALG, "algorithm 100 is not supported");
	val_ds_t digest = ds_of(&key, "example.", 2);
	digest.rd[3] = 200;
	val_dnskey(&dk, &digest, 1, W("example."), W("."), T0, &r);
	expect(&r, VAL_INSECURE, VAL_EDE_UNSUPPORTED_DIGEST, "digest type 200 is not supported");
	assert_int_equal(val_ds_matches(W("example."), key.rdata, key.rdlen, digest.rd, digest.len),
			 ST_EINVAL);
	/* An unknown one beside a supported stale one: bogus, not insecure. */
	ds[0] = alg;
	ds[1] = stale;
	val_dnskey(&dk, ds, 2, W("example."), W("."), T0, &r);
	expect(&r, VAL_BOGUS, VAL_EDE_DNSKEY_MISSING, "");
	/* No DNSKEY at all, or its signature out of date. */
	ds[0] = ds_of(&key, "example.", 2);
	val_dnskey(NULL, ds, 1, W("example."), W("."), T0, &r);
	expect(&r, VAL_BOGUS, VAL_EDE_DNSKEY_MISSING, "example. has no DNSKEY");
	val_dnskey(&dk, ds, 1, W("example."), W("."), T_EXP + 2 * 86400u, &r);
	expect(&r, VAL_BOGUS, VAL_EDE_SIG_EXPIRED, "RRSIG over example. DNSKEY");
	/* The DNSKEY RRset's signature broken: "DNSKEY Missing", as Unbound. */
	uint8_t *copy = malloc(dk.sigslen);
	assert_non_null(copy);
	memcpy(copy, dk.sigs, dk.sigslen);
	copy[dk.sigslen - 3] ^= 0x40;
	val_rrset_t bad = dk;
	bad.sigs = copy;
	val_dnskey(&bad, ds, 1, W("example."), W("."), T0, &r);
	expect(&r, VAL_BOGUS, VAL_EDE_DNSKEY_MISSING, "does not verify");
	/* No RRSIG over it by the key the DS names. */
	bad.nsigs = 0;
	bad.sigslen = 0;
	val_dnskey(&bad, ds, 1, W("example."), W("."), T0, &r);
	expect(&r, VAL_BOGUS, VAL_EDE_RRSIGS_MISSING, "but no RRSIG by it covers the DNSKEY RRset");
	free(copy);
}

static void test_key_without_sep(void **state)
{
	(void)state;
	char dir[] = "/tmp/glued-test-validate.XXXXXX", err[512];
	assert_non_null(mkdtemp(dir));
	dnskey_t zsk = { 0 };
	assert_int_equal(dnskey_get(dir, W("example."), DNSSEC_ALG_ECDSAP256SHA256,
				    DNSKEY_FLAG_ZONE, &zsk, NULL, err, sizeof(err)),
			 0);
	zone_t *z = sign_text(ZONE, &zsk, T_INC, T_EXP);
	val_rrset_t dk = vset(z, "example.", RR_DNSKEY);
	val_ds_t ds = ds_of(&zsk, "example.", 2);
	val_result_t r;
	val_dnskey(&dk, &ds, 1, W("example."), W("."), T0, &r);
	expect(&r, VAL_SECURE, VAL_EDE_NONE, ""); /* SEP is a hint (RFC 4034 2.1.1) */
	zone_free(z);
	dnskey_free(&zsk);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_nsec3_hash_and_bitmap(void **state)
{
	(void)state;
	/* RFC 5155 appendix A: salt aabbccdd, 12 iterations. */
	static const uint8_t salt[] = { 0xaa, 0xbb, 0xcc, 0xdd };
	static const struct {
		const char *name, *hash;
	} v[] = { { "example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom" },
		  { "a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl" },
		  { "ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr" },
		  { "*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en" } };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t h[VAL_NSEC3_HASH_LEN], want[VAL_NSEC3_HASH_LEN], owner[NAME_MAXLEN];
		char text[80];
		snprintf(text, sizeof(text), "%s.example.", v[i].hash);
		assert_true(name_from_text(text, strlen(text), NULL, owner) > 0);
		assert_int_equal(val_nsec3_owner_hash(owner, want, sizeof(want)), 20);
		assert_int_equal(val_nsec3_hash(W(v[i].name), salt, 4, 12, h), 0);
		assert_memory_equal(h, want, sizeof(h));
	}
	uint8_t bad[NAME_MAXLEN];
	assert_true(name_from_text("www.example.", 12, NULL, bad) > 0);
	assert_int_equal(val_nsec3_owner_hash(bad, (uint8_t[20]){ 0 }, 20), -1);
	/* A RRSIG NSEC and window 1 type 257 (CAA). */
	static const uint8_t bm[] = { 0, 6, 0x40, 0, 0, 0, 0, 0x03, 1, 1, 0x40 };
	assert_true(val_bitmap_has(bm, sizeof(bm), RR_A));
	assert_true(val_bitmap_has(bm, sizeof(bm), RR_RRSIG));
	assert_true(val_bitmap_has(bm, sizeof(bm), RR_NSEC));
	assert_true(val_bitmap_has(bm, sizeof(bm), 257));
	assert_false(val_bitmap_has(bm, sizeof(bm), RR_NS));
	assert_false(val_bitmap_has(bm, sizeof(bm), RR_AAAA));
	assert_false(val_bitmap_has(bm, sizeof(bm), 256));
	assert_true(val_alg_supported(8) && val_alg_supported(13) && val_alg_supported(15));
	assert_false(val_alg_supported(5) || val_alg_supported(14) || val_alg_supported(100));
	assert_true(val_digest_supported(1) && val_digest_supported(2) && val_digest_supported(4));
	assert_false(val_digest_supported(3) || val_digest_supported(200));
}

/* ---- the pre-signed lab, served in process ---------------------------------------- */

typedef struct labsrv {
	const char *name;
	uint8_t last; /* 127.0.30.<last> */
	const char *files[2];
	const char *origins[2];
} labsrv_t;

static const labsrv_t LAB[] = {
	{ "root", 1, { "root.zone" }, { "." } },
	{ "sec", 2, { "sec.zone" }, { "sec." } },
	{ "nsec", 3, { "nsec.sec.zone" }, { "nsec.sec." } },
	{ "nsec3", 4, { "nsec3.sec.zone" }, { "nsec3.sec." } },
	{ "unsigned",
	  5,
	  { "unsigned.sec.zone", "sub.nsec.sec.zone" },
	  { "unsigned.sec.", "sub.nsec.sec." } },
	{ "expired", 6, { "expired.sec.zone" }, { "expired.sec." } },
};
#define NLAB (sizeof(LAB) / sizeof(LAB[0]))

typedef struct lab {
	sim_addr_t addrs[NLAB];
	check_server_t servers[NLAB];
	zoneset_t *zs[NLAB];
	check_net_t net;
	val_ds_t anchor[4];
	size_t nanchor;
} lab_t;

static lab_t lab;

/* A lab's zones from files, with the text of one changed (edit: a line
 * to drop, or "old\0new" to replace; NULL: as they are). */
static zone_t *load_file(const char *file, const char *origin, const char *drop, const char *from,
			 const char *to)
{
	char path[512], err[512];
	snprintf(path, sizeof(path), SIGNED "/%s", file);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char text[65536];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	if (drop) {
		char *at = strstr(text, drop);
		assert_non_null(at);
		char *end = strchr(at, '\n');
		memmove(at, end + 1, strlen(end + 1) + 1);
	}
	if (from) {
		char *at = strstr(text, from);
		assert_non_null(at);
		size_t fl = strlen(from), tl = strlen(to);
		memmove(at + tl, at + fl, strlen(at + fl) + 1);
		memcpy(at, to, tl);
	}
	zone_t *z = NULL;
	if (zone_load_mem(path, text, strlen(text), W(origin), NULL, NULL, &z, err, sizeof(err)) !=
	    0)
		fprintf(stderr, "%s\n", err);
	assert_non_null(z);
	return z;
}

static void lab_build(lab_t *l, const char *file, const char *drop, const char *from,
		      const char *to)
{
	char err[512];
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < NLAB; i++) {
		zone_t *zones[2];
		size_t n = 0;
		for (; n < 2 && LAB[i].files[n]; n++) {
			bool edit = file && strcmp(file, LAB[i].files[n]) == 0;
			zones[n] = load_file(LAB[i].files[n], LAB[i].origins[n], edit ? drop : NULL,
					     edit ? from : NULL, edit ? to : NULL);
		}
		assert_int_equal(
			zoneset_from_zones(zones, n, GLUE_FULL, &l->zs[i], err, sizeof(err)), 0);
		l->addrs[i] = (sim_addr_t){ 4, { 127, 0, 30, LAB[i].last } };
		l->servers[i] = (check_server_t){ LAB[i].name, l->zs[i], &l->addrs[i], 1 };
	}
	l->net = (check_net_t){ .servers = l->servers, .n = NLAB, .timeout_ms = 1500 };
	l->nanchor = check_anchor(l->servers, NLAB, l->anchor, 4);
}

static void lab_free(lab_t *l)
{
	for (size_t i = 0; i < NLAB; i++)
		zoneset_free(l->zs[i]);
}

static sim_result_t res;

static void walk(const lab_t *l, const char *qname, uint16_t qtype, const val_ds_t *anchor,
		 size_t nanchor, uint32_t now)
{
	sim_opts_t o;
	sim_opts_default(&o);
	o.anchor = anchor;
	o.nanchor = nanchor;
	o.now = now;
	o.ipv6 = false;
	sim_net_t net = { check_net_send, (void *)&l->net };
	assert_int_equal(sim_resolve(&l->addrs[0], 1, &net, W(qname), qtype, &o, &res), 0);
}

static void expect_walk(uint8_t rcode, uint8_t dnssec, uint16_t ede, const char *why)
{
	if (res.rcode != rcode || res.dnssec != dnssec || res.ede != ede ||
	    res.ad != (dnssec == SIM_DNSSEC_SECURE) || (why && !strstr(res.dnssec_why, why))) {
		fprintf(stderr, "rcode %s dnssec %s ede %u ad %d: %s\n%s\ntrace:\n%s",
			rcode_str(res.rcode), sim_dnssec_str(res.dnssec), res.ede, res.ad,
			res.dnssec_why, res.why, res.trace);
		fail();
	}
	if (dnssec == SIM_DNSSEC_BOGUS)
		assert_int_equal(res.cause, SIM_CAUSE_DNSSEC);
}

static void test_lab_anchor(void **state)
{
	(void)state;
	/* The DS of the root's KSK: tests/data/signed/root.key. */
	static const uint8_t want[] = { 0xa7, 0x14, 13,   2,    0xD2, 0xE8, 0xBD, 0x47, 0x12,
					0xC2, 0x25, 0xA1, 0xC0, 0x35, 0xAD, 0x7D, 0x88, 0x9E,
					0x09, 0x07, 0xD8, 0x4B, 0x3F, 0x7B, 0x89, 0xD4, 0xA8,
					0x6E, 0x84, 0xBB, 0x96, 0x7A, 0xC4, 0xF2, 0x5E, 0xC7 };
	assert_int_equal(lab.nanchor, 1);
	assert_int_equal(lab.anchor[0].len, sizeof(want));
	assert_memory_equal(lab.anchor[0].rd, want, sizeof(want));
}

/* Every scenario of tests/data/signed/lab.yaml, as Unbound, kresd and BIND
 * answer it in tests/lab/test_validating.sh. */
static void test_lab_scenarios(void **state)
{
	(void)state;
	static const struct {
		const char *qname;
		uint16_t qtype;
		uint8_t rcode, dnssec;
		const char *addr;
	} s[] = {
		{ "www.nsec.sec.", RR_A, RCODE_NOERROR, SIM_DNSSEC_SECURE, "127.0.30.30" },
		{ "nothere.nsec.sec.", RR_A, RCODE_NXDOMAIN, SIM_DNSSEC_SECURE, NULL },
		{ "www.nsec.sec.", RR_AAAA, RCODE_NOERROR, SIM_DNSSEC_SECURE, NULL },
		{ "ent.nsec.sec.", RR_A, RCODE_NOERROR, SIM_DNSSEC_SECURE, NULL },
		{ "any.wild.nsec.sec.", RR_A, RCODE_NOERROR, SIM_DNSSEC_SECURE, "127.0.30.31" },
		{ "any.wild.nsec.sec.", RR_AAAA, RCODE_NOERROR, SIM_DNSSEC_SECURE, NULL },
		{ "alias.nsec.sec.", RR_A, RCODE_NOERROR, SIM_DNSSEC_SECURE, "127.0.30.30" },
		{ "www.sub.nsec.sec.", RR_A, RCODE_NOERROR, SIM_DNSSEC_INSECURE, "127.0.30.51" },
		{ "www.nsec3.sec.", RR_A, RCODE_NOERROR, SIM_DNSSEC_SECURE, "127.0.30.40" },
		{ "nothere.nsec3.sec.", RR_A, RCODE_NXDOMAIN, SIM_DNSSEC_SECURE, NULL },
		{ "www.nsec3.sec.", RR_AAAA, RCODE_NOERROR, SIM_DNSSEC_SECURE, NULL },
		{ "ent.nsec3.sec.", RR_A, RCODE_NOERROR, SIM_DNSSEC_SECURE, NULL },
		{ "any.wild.nsec3.sec.", RR_A, RCODE_NOERROR, SIM_DNSSEC_SECURE, "127.0.30.41" },
		{ "any.wild.nsec3.sec.", RR_AAAA, RCODE_NOERROR, SIM_DNSSEC_SECURE, NULL },
		{ "www.unsigned.sec.", RR_A, RCODE_NOERROR, SIM_DNSSEC_INSECURE, "127.0.30.50" },
		{ "nothere.sec.", RR_A, RCODE_NXDOMAIN, SIM_DNSSEC_INSECURE, NULL },
		{ "nothere.", RR_A, RCODE_NXDOMAIN, SIM_DNSSEC_SECURE, NULL },
		{ "sec.", RR_DS, RCODE_NOERROR, SIM_DNSSEC_SECURE, NULL },
		{ "unsigned.sec.", RR_DS, RCODE_NOERROR, SIM_DNSSEC_INSECURE, NULL },
		{ "sub.nsec.sec.", RR_DS, RCODE_NOERROR, SIM_DNSSEC_SECURE, NULL },
	};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		walk(&lab, s[i].qname, s[i].qtype, lab.anchor, lab.nanchor, LAB_NOW);
		char a[48];
		bool addr_ok = !s[i].addr ||
			       (res.has_addr &&
				strcmp(sim_addr_str(&res.addr, a, sizeof(a)), s[i].addr) == 0);
		if (res.rcode != s[i].rcode || res.dnssec != s[i].dnssec || !addr_ok ||
		    res.ad != (s[i].dnssec == SIM_DNSSEC_SECURE)) {
			fprintf(stderr, "%s: rcode %s dnssec %s: %s %s\ntrace:\n%s", s[i].qname,
				rcode_str(res.rcode), sim_dnssec_str(res.dnssec), res.dnssec_why,
				res.why, res.trace);
			fail();
		}
	}
	/* The insecure ones say why. */
	walk(&lab, "www.unsigned.sec.", RR_A, lab.anchor, lab.nanchor, LAB_NOW);
	expect_walk(RCODE_NOERROR, SIM_DNSSEC_INSECURE, 0,
		    "unsigned.sec. is an insecure delegation: sec. proves it has no DS");
	walk(&lab, "nothere.sec.", RR_A, lab.anchor, lab.nanchor, LAB_NOW);
	expect_walk(RCODE_NXDOMAIN, SIM_DNSSEC_INSECURE, 0, "opt-out");
	/* Each secure zone's DNSKEY is asked once per walk: . sec. nsec.sec. */
	walk(&lab, "www.nsec.sec.", RR_A, lab.anchor, lab.nanchor, LAB_NOW);
	assert_int_equal(res.queries, 6);
	assert_true(strstr(res.trace, "nsec.sec. DNSKEY secure") != NULL);
}

static void test_lab_bogus(void **state)
{
	(void)state;
	walk(&lab, "www.expired.sec.", RR_A, lab.anchor, lab.nanchor, LAB_NOW);
	expect_walk(
		RCODE_SERVFAIL, SIM_DNSSEC_BOGUS, VAL_EDE_SIG_EXPIRED,
		"RRSIG over expired.sec. DNSKEY by expired.sec. key 28799 expired at 20200201000000");
	char z[NAME_TEXT_MAX];
	assert_string_equal(name_str(res.cause_zone, z, sizeof(z)), "expired.sec.");
	assert_string_equal(res.why, res.dnssec_why);
	/* A wrong trust anchor: the root's own keys are bogus. */
	val_ds_t wrong = lab.anchor[0];
	wrong.rd[6] ^= 1;
	walk(&lab, "www.nsec.sec.", RR_A, &wrong, 1, LAB_NOW);
	expect_walk(RCODE_SERVFAIL, SIM_DNSSEC_BOGUS, VAL_EDE_DNSKEY_MISSING,
		    "DS 42772/13/2 of the trust anchor matches no DNSKEY of .");
	/* A clock before 2026: nothing is valid yet (and a day of skew is not enough). */
	walk(&lab, "www.nsec.sec.", RR_A, lab.anchor, lab.nanchor, 1735689600u /* 2025-01-01 */);
	expect_walk(RCODE_SERVFAIL, SIM_DNSSEC_BOGUS, VAL_EDE_SIG_NOT_YET_VALID,
		    "is not valid before 20260101000000");
	/* Without an anchor: no validation, as before. */
	walk(&lab, "www.expired.sec.", RR_A, NULL, 0, LAB_NOW);
	assert_int_equal(res.rcode, RCODE_NOERROR);
	assert_int_equal(res.dnssec, SIM_DNSSEC_NONE);
	assert_false(res.ad);
	assert_int_equal(res.ede, 0);
	assert_int_equal(res.queries, 3);
}

/* The lab with one zone's text broken. */
static void lab_broken(const char *file, const char *drop, const char *from, const char *to,
		       const char *qname, uint16_t qtype, uint8_t rcode, uint8_t dnssec,
		       uint16_t ede, const char *why)
{
	lab_t *l = malloc(sizeof(*l));
	assert_non_null(l);
	lab_build(l, file, drop, from, to);
	walk(l, qname, qtype, lab.anchor, lab.nanchor, LAB_NOW);
	expect_walk(rcode, dnssec, ede, why);
	lab_free(l);
	free(l);
}

static void test_lab_broken_zones(void **state)
{
	(void)state;
	/* The A RRset's RRSIG gone. */
	lab_broken("nsec.sec.zone", NULL, "IN A\t127.0.30.30\n\t\t\t3600\tRRSIG\tA 13",
		   "IN A\t127.0.30.30\n\t\t\t3600\tRRSIG\tMX 13", "www.nsec.sec.", RR_A,
		   RCODE_SERVFAIL, SIM_DNSSEC_BOGUS, VAL_EDE_RRSIGS_MISSING,
		   "no RRSIG over www.nsec.sec. A");
	/* The parent's DS changed: it matches no DNSKEY of the child. */
	lab_broken("sec.zone", NULL, "F169CB17D243", "F169CB18D243", "www.nsec.sec.", RR_A,
		   RCODE_SERVFAIL, SIM_DNSSEC_BOGUS, VAL_EDE_DNSKEY_MISSING,
		   "RRSIG over nsec.sec. DS by sec. key 49186 does not verify");
}

/* ---- responses broken after the fact ------------------------------------------------ */

/* The keys of the lab's signed zones, trusted as they are (the chain was
 * tested above): the DNSKEY RRset of the zone that holds the name. */
static uint8_t lab_keys(void *ctx, const uint8_t *name, bool is_signer, const val_rrset_t **dnskey,
			const uint8_t **zone, val_result_t *r)
{
	static val_rrset_t set;
	(void)ctx;
	(void)r;
	for (size_t i = 0; i < NLAB; i++) {
		const zone_t *z = zoneset_find(lab.zs[i], name);
		if (z == NULL || (is_signer && !name_equal(zone_origin(z), name)))
			continue;
		if (!zone_signed(z))
			return VAL_INSECURE;
		char origin[NAME_TEXT_MAX];
		set = vset(z, name_str(zone_origin(z), origin, sizeof(origin)), RR_DNSKEY);
		*dnskey = &set;
		*zone = zone_origin(z);
		return VAL_SECURE;
	}
	return VAL_INSECURE;
}

static uint8_t resp[RESPOND_MAX];

/* The lab's answer to qname/qtype (DO=1) from server i, parsed. */
static void lab_answer(size_t i, const char *qname, uint16_t qtype, val_msg_t *m)
{
	uint8_t q[512];
	size_t ql = msg_build_query(q, sizeof(q), 1, 0, W(qname), qtype, CLASS_IN, 1232, true);
	explain_t ex;
	size_t n = respond(lab.zs[i], q, ql, true, resp, NULL, &ex);
	assert_true(n > 0);
	assert_int_equal(val_msg_parse(m, resp, n), 0);
}

static void check_answer(const val_msg_t *m, const char *qname, uint16_t qtype, uint8_t status,
			 uint16_t ede, const char *reason)
{
	val_result_t r;
	val_response(m, W(qname), qtype, lab_keys, NULL, LAB_NOW, &r);
	expect(&r, status, ede, reason);
}

/* "Drop" RRsets from a parsed message: out of every section validation reads. */
static void hide(val_msg_t *m, uint16_t type)
{
	for (size_t i = 0; i < m->nsets; i++)
		if (m->sets[i].type == type && m->sets[i].section == 2)
			m->sets[i].section = 3;
}

static size_t count(const val_msg_t *m, int section, uint16_t type)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nsets; i++)
		n += m->sets[i].section == section && m->sets[i].type == type;
	return n;
}

static void test_broken_responses(void **state)
{
	(void)state;
	val_msg_t m;
	/* A positive answer: as served, a signature byte flipped, no RRSIG. */
	lab_answer(2, "www.nsec.sec.", RR_A, &m);
	check_answer(&m, "www.nsec.sec.", RR_A, VAL_SECURE, 0, "");
	val_rrset_t *a = (val_rrset_t *)val_msg_find(&m, 1, W("www.nsec.sec."), RR_A);
	assert_non_null(a);
	((uint8_t *)a->sigs)[a->sigslen - 1] ^= 1;
	check_answer(&m, "www.nsec.sec.", RR_A, VAL_BOGUS, VAL_EDE_BOGUS, "does not verify");
	a->nsigs = 0;
	a->sigslen = 0;
	check_answer(&m, "www.nsec.sec.", RR_A, VAL_BOGUS, VAL_EDE_RRSIGS_MISSING,
		     "no RRSIG over www.nsec.sec. A");
	val_msg_free(&m);

	/* NXDOMAIN, NSEC: whole, each NSEC missing in turn, all missing. */
	lab_answer(2, "nothere.nsec.sec.", RR_A, &m);
	check_answer(&m, "nothere.nsec.sec.", RR_A, VAL_SECURE, 0, "");
	size_t nsec = count(&m, 2, RR_NSEC);
	assert_int_equal(nsec, 2);
	for (size_t k = 0; k < m.nsets; k++) {
		if (m.sets[k].type != RR_NSEC)
			continue;
		m.sets[k].section = 3;
		check_answer(&m, "nothere.nsec.sec.", RR_A, VAL_BOGUS, VAL_EDE_BOGUS, "NSEC");
		m.sets[k].section = 2;
	}
	hide(&m, RR_NSEC);
	check_answer(&m, "nothere.nsec.sec.", RR_A, VAL_BOGUS, VAL_EDE_NSEC_MISSING,
		     "no NSEC or NSEC3 of nsec.sec. proves that nothere.nsec.sec. does not exist");
	val_msg_free(&m);

	/* NXDOMAIN, NSEC3: the closest encloser, next closer, wildcard. */
	lab_answer(3, "nothere.nsec3.sec.", RR_A, &m);
	check_answer(&m, "nothere.nsec3.sec.", RR_A, VAL_SECURE, 0, "");
	assert_true(count(&m, 2, RR_NSEC3) >= 2);
	for (size_t k = 0; k < m.nsets; k++) {
		if (m.sets[k].type != RR_NSEC3)
			continue;
		m.sets[k].section = 3;
		check_answer(&m, "nothere.nsec3.sec.", RR_A, VAL_BOGUS, VAL_EDE_BOGUS, "NSEC3");
		m.sets[k].section = 2;
	}
	/* The same records do not prove that www exists... */
	check_answer(&m, "www.nsec3.sec.", RR_A, VAL_BOGUS, VAL_EDE_BOGUS, "");
	val_msg_free(&m);

	/* NODATA: the NSEC at www has no AAAA; asked as A it would lie. */
	lab_answer(2, "www.nsec.sec.", RR_AAAA, &m);
	check_answer(&m, "www.nsec.sec.", RR_AAAA, VAL_SECURE, 0, "");
	check_answer(&m, "www.nsec.sec.", RR_A, VAL_BOGUS, VAL_EDE_BOGUS,
		     "the NSEC at www.nsec.sec. says it has A");
	hide(&m, RR_NSEC);
	check_answer(&m, "www.nsec.sec.", RR_AAAA, VAL_BOGUS, VAL_EDE_NSEC_MISSING, "");
	val_msg_free(&m);
	lab_answer(3, "www.nsec3.sec.", RR_AAAA, &m);
	check_answer(&m, "www.nsec3.sec.", RR_AAAA, VAL_SECURE, 0, "");
	check_answer(&m, "www.nsec3.sec.", RR_TXT, VAL_BOGUS, VAL_EDE_BOGUS, "says it has TXT");
	val_msg_free(&m);

	/* A wildcard answer needs the proof that no closer name exists. */
	lab_answer(2, "any.wild.nsec.sec.", RR_A, &m);
	check_answer(&m, "any.wild.nsec.sec.", RR_A, VAL_SECURE, 0, "");
	hide(&m, RR_NSEC);
	check_answer(&m, "any.wild.nsec.sec.", RR_A, VAL_BOGUS, VAL_EDE_NSEC_MISSING,
		     "expanded from *.wild.nsec.sec.");
	val_msg_free(&m);
	lab_answer(3, "any.wild.nsec3.sec.", RR_A, &m);
	check_answer(&m, "any.wild.nsec3.sec.", RR_A, VAL_SECURE, 0, "");
	hide(&m, RR_NSEC3);
	check_answer(&m, "any.wild.nsec3.sec.", RR_A, VAL_BOGUS, VAL_EDE_NSEC_MISSING, "");
	val_msg_free(&m);

	/* Referrals: a DS; an NSEC without DS; opt-out NSEC3s; and broken. */
	val_ds_t ds[4];
	size_t nds;
	bool cut, found;
	val_result_t r;
	lab_answer(1, "www.nsec.sec.", RR_A, &m);
	val_ds(&m, W("nsec.sec."), W("sec."), lab_keys, NULL, LAB_NOW, ds, 4, &nds, &cut, &found,
	       &r);
	expect(&r, VAL_SECURE, 0, "");
	assert_true(nds == 1 && cut && found);
	assert_int_equal(wire_get16(ds[0].rd), 7099);
	val_rrset_t *d = (val_rrset_t *)val_msg_find(&m, 2, W("nsec.sec."), RR_DS);
	((uint8_t *)d->sigs)[d->sigslen - 2] ^= 0x10;
	val_ds(&m, W("nsec.sec."), W("sec."), lab_keys, NULL, LAB_NOW, ds, 4, &nds, &cut, &found,
	       &r);
	expect(&r, VAL_BOGUS, VAL_EDE_DNSKEY_MISSING, "RRSIG over nsec.sec. DS by sec.");
	val_msg_free(&m);
	lab_answer(2, "www.sub.nsec.sec.", RR_A, &m);
	val_ds(&m, W("sub.nsec.sec."), W("nsec.sec."), lab_keys, NULL, LAB_NOW, ds, 4, &nds, &cut,
	       &found, &r);
	expect(&r, VAL_SECURE, 0, "");
	assert_true(nds == 0 && cut && found);
	hide(&m, RR_NSEC);
	val_ds(&m, W("sub.nsec.sec."), W("nsec.sec."), lab_keys, NULL, LAB_NOW, ds, 4, &nds, &cut,
	       &found, &r);
	expect(&r, VAL_BOGUS, VAL_EDE_NSEC_MISSING, "no NSEC or NSEC3 proves it has none");
	assert_false(found);
	val_msg_free(&m);
	lab_answer(1, "www.unsigned.sec.", RR_A, &m);
	val_ds(&m, W("unsigned.sec."), W("sec."), lab_keys, NULL, LAB_NOW, ds, 4, &nds, &cut,
	       &found, &r);
	expect(&r, VAL_SECURE, 0, "");
	assert_true(nds == 0 && cut && found); /* opt-out: an unsigned delegation */
	val_msg_free(&m);
}

/* ---- messages made here --------------------------------------------------------------- */

typedef struct craft {
	uint8_t buf[4096];
	size_t pos;
	uint16_t count[4];
} craft_t;

static void craft_start(craft_t *c, uint8_t rcode, const char *qname, uint16_t qtype)
{
	memset(c, 0, sizeof(*c));
	wire_put16(c->buf, 1);
	wire_put16(c->buf + 2, (uint16_t)(DNS_QR | DNS_AA | rcode));
	c->pos = 12;
	const uint8_t *q = W(qname);
	memcpy(c->buf + c->pos, q, name_len(q));
	c->pos += name_len(q);
	wire_put16(c->buf + c->pos, qtype);
	wire_put16(c->buf + c->pos + 2, CLASS_IN);
	c->pos += 4;
	c->count[0] = 1;
}

static void craft_rr(craft_t *c, int section, const uint8_t *owner, uint16_t type,
		     const uint8_t *rd, size_t len)
{
	memcpy(c->buf + c->pos, owner, name_len(owner));
	c->pos += name_len(owner);
	wire_put16(c->buf + c->pos, type);
	wire_put16(c->buf + c->pos + 2, CLASS_IN);
	wire_put32(c->buf + c->pos + 4, 300);
	wire_put16(c->buf + c->pos + 8, (uint16_t)len);
	memcpy(c->buf + c->pos + 10, rd, len);
	c->pos += 10 + len;
	c->count[section]++;
}

/* The record and its RRSIG by the test key, signer example. */
static void craft_signed(craft_t *c, int section, const char *owner_text, uint16_t type,
			 const uint8_t *rd, size_t len)
{
	uint8_t owner[NAME_MAXLEN], data[2048], rrsig[1024];
	name_lower(owner, W(owner_text));
	craft_rr(c, section, owner, type, rd, len);
	const uint8_t *signer = W("example.");
	size_t sl = name_len(signer), hdr = 18 + sl, ol = name_len(owner);
	wire_put16(rrsig, type);
	rrsig[2] = key.alg;
	rrsig[3] = (uint8_t)name_labels(owner);
	wire_put32(rrsig + 4, 300);
	wire_put32(rrsig + 8, T_EXP);
	wire_put32(rrsig + 12, T_INC);
	wire_put16(rrsig + 16, key.tag);
	memcpy(rrsig + 18, signer, sl);
	memcpy(data, rrsig, hdr);
	memcpy(data + hdr, owner, ol);
	wire_put16(data + hdr + ol, type);
	wire_put16(data + hdr + ol + 2, CLASS_IN);
	wire_put32(data + hdr + ol + 4, 300);
	wire_put16(data + hdr + ol + 8, (uint16_t)len);
	memcpy(data + hdr + ol + 10, rd, len);
	int siglen = dnskey_sign(&key, data, hdr + ol + 10 + len, rrsig + hdr);
	assert_true(siglen > 0);
	craft_rr(c, section, owner, RR_RRSIG, rrsig, hdr + (size_t)siglen);
}

static void craft_end(craft_t *c, val_msg_t *m)
{
	for (int i = 0; i < 4; i++)
		wire_put16(c->buf + 4 + 2 * i, c->count[i]);
	assert_int_equal(val_msg_parse(m, c->buf, c->pos), 0);
}

/* A window-0 type bitmap. */
static size_t bitmap(const uint16_t *types, size_t n, uint8_t *out)
{
	uint8_t bits[32] = { 0 };
	size_t top = 0;
	for (size_t i = 0; i < n; i++) {
		bits[types[i] / 8] |= (uint8_t)(0x80 >> (types[i] % 8));
		if (types[i] / 8u + 1u > top)
			top = types[i] / 8u + 1u;
	}
	out[0] = 0;
	out[1] = (uint8_t)top;
	memcpy(out + 2, bits, top);
	return 2 + top;
}

static uint8_t craft_keys(void *ctx, const uint8_t *name, bool is_signer,
			  const val_rrset_t **dnskey, const uint8_t **zone, val_result_t *r)
{
	static val_rrset_t set;
	(void)ctx;
	(void)is_signer;
	(void)r;
	if (!name_is_sub(name, W("example.")))
		return VAL_INSECURE;
	set = vset(signed_zone, "example.", RR_DNSKEY);
	*dnskey = &set;
	*zone = set.owner;
	return VAL_SECURE;
}

static void test_crafted_nsec3_iterations(void **state)
{
	(void)state;
	craft_t c;
	val_msg_t m;
	val_result_t r;
	uint8_t soa[64], n3[128];
	size_t sl = 0;
	const uint8_t *ns = W("ns1.example.");
	memcpy(soa, ns, name_len(ns));
	sl = name_len(ns);
	memcpy(soa + sl, ns, name_len(ns));
	sl += name_len(ns);
	memset(soa + sl, 0, 20);
	sl += 20;
	static const uint16_t its[] = { 200, 10 };
	for (size_t it = 0; it < 2; it++) {
		uint16_t iterations = its[it];
		craft_start(&c, RCODE_NXDOMAIN, "nothere.example.", RR_A);
		craft_signed(&c, 2, "example.", RR_SOA, soa, sl);
		/* Two NSEC3 records: algorithm 1, no flags, no salt. */
		static const char *const owners[] = { "0123456789abcdefghijklmnopqrstuv.example.",
						      "9123456789abcdefghijklmnopqrstuv.example." };
		for (int k = 0; k < 2; k++) {
			size_t p = 0;
			n3[p++] = 1;
			n3[p++] = 0;
			wire_put16(n3 + p, iterations);
			p += 2;
			n3[p++] = 0;
			n3[p++] = 20;
			memset(n3 + p, k ? 0x11 : 0xEE, 20);
			p += 20;
			p += bitmap((const uint16_t[]){ RR_A, RR_RRSIG }, 2, n3 + p);
			craft_signed(&c, 2, owners[k], RR_NSEC3, n3, p);
		}
		craft_end(&c, &m);
		val_response(&m, W("nothere.example."), RR_A, craft_keys, NULL, T0, &r);
		if (iterations == 200)
			expect(&r, VAL_INSECURE, VAL_EDE_NSEC3_ITERATIONS,
			       "NSEC3 of example. use 200 iterations, above 150");
		else
			expect(&r, VAL_BOGUS, VAL_EDE_BOGUS,
			       ""); /* judged, and they prove nothing */
		val_msg_free(&m);
	}
}

static void test_crafted_ds_proofs(void **state)
{
	(void)state;
	static const struct {
		uint16_t types[4];
		size_t n;
		bool sign;
		uint8_t status;
		uint16_t ede;
		const char *reason;
	} cases[] = {
		{ { RR_NS, RR_RRSIG, RR_NSEC }, 3, true, VAL_SECURE, 0, "" },
		{ { RR_NS, RR_DS, RR_RRSIG, RR_NSEC },
		  4,
		  true,
		  VAL_BOGUS,
		  VAL_EDE_BOGUS,
		  "lists a DS" },
		{ { RR_NS, RR_SOA, RR_RRSIG, RR_NSEC },
		  4,
		  true,
		  VAL_BOGUS,
		  VAL_EDE_BOGUS,
		  "the child's apex" },
		{ { RR_NS, RR_RRSIG, RR_NSEC },
		  3,
		  false,
		  VAL_BOGUS,
		  VAL_EDE_RRSIGS_MISSING,
		  "no RRSIG over sub.example. NSEC" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		craft_t c;
		val_msg_t m;
		uint8_t rd[300];
		const uint8_t *next = W("www.example.");
		size_t p = name_len(next);
		memcpy(rd, next, p);
		p += bitmap(cases[i].types, cases[i].n, rd + p);
		craft_start(&c, RCODE_NOERROR, "www.sub.example.", RR_A);
		wire_put16(c.buf + 2, DNS_QR); /* a referral: no AA */
		const uint8_t *ns = W("ns.other.");
		craft_rr(&c, 2, W("sub.example."), RR_NS, ns, name_len(ns));
		if (cases[i].sign)
			craft_signed(&c, 2, "sub.example.", RR_NSEC, rd, p);
		else
			craft_rr(&c, 2, W("sub.example."), RR_NSEC, rd, p);
		craft_end(&c, &m);
		val_ds_t ds[2];
		size_t nds = 9;
		bool cut = false, found = false;
		val_result_t r;
		val_ds(&m, W("sub.example."), W("example."), craft_keys, NULL, T0, ds, 2, &nds,
		       &cut, &found, &r);
		expect(&r, cases[i].status, cases[i].ede, cases[i].reason);
		assert_int_equal(nds, 0);
		assert_true(found);
		if (cases[i].status == VAL_SECURE)
			assert_true(cut);
		val_msg_free(&m);
	}
}

/* ---- --check's DNSSEC findings -------------------------------------------------------- */

typedef struct found {
	char lines[64][2048];
	size_t n;
} found_t;

static void report(void *ctx, const check_finding_t *f)
{
	found_t *x = ctx;
	if (x->n < 64 &&
	    strstr("DS_MATCHES_NO_DNSKEY RRSIG_EXPIRED RRSIG_NOT_YET_VALID RRSIG_MISSING "
		   "NSEC_CHAIN_BROKEN NSEC3_ITERATIONS_HIGH DNSKEY_ALGORITHM_UNSUPPORTED "
		   "DNSKEY_NO_SEP",
		   f->code))
		snprintf(x->lines[x->n++], sizeof(x->lines[0]), "%s %s %s: %s",
			 check_severity_str(f->severity), f->code, f->zone, f->message);
}

static found_t *run_checks(const lab_t *l)
{
	static found_t x;
	memset(&x, 0, sizeof(x));
	check_summary_t sum;
	sim_opts_t o;
	sim_opts_default(&o);
	o.now = LAB_NOW;
	o.ipv6 = false;
	assert_int_equal(check_run(l->servers, NLAB, &l->net, &o, report, NULL, &x, &sum), 0);
	return &x;
}

static void expect_finding(const found_t *x, const char *text)
{
	for (size_t i = 0; i < x->n; i++)
		if (strstr(x->lines[i], text))
			return;
	fprintf(stderr, "no finding like '%s' among %zu:\n", text, x->n);
	for (size_t i = 0; i < x->n; i++)
		fprintf(stderr, "  %s\n", x->lines[i]);
	fail();
}

static void test_check_signed_lab(void **state)
{
	(void)state;
	found_t *x = run_checks(&lab);
	/* Only the expired zone is wrong. */
	if (x->n != 1)
		expect_finding(x, "(exactly one)");
	expect_finding(
		x,
		"error RRSIG_EXPIRED expired.sec.: 8 of 8 signed RRset(s) have RRSIGs that expired");
}

static void check_broken(const char *file, const char *drop, const char *from, const char *to,
			 const char *want)
{
	lab_t *l = malloc(sizeof(*l));
	assert_non_null(l);
	lab_build(l, file, drop, from, to);
	expect_finding(run_checks(l), want);
	lab_free(l);
	free(l);
}

static void test_check_broken_zones(void **state)
{
	(void)state;
	check_broken(
		"sec.zone", NULL, "F169CB17D243", "F169CB18D243",
		"error DS_MATCHES_NO_DNSKEY sec.: DS 7099/13/2 in sec. matches no DNSKEY of nsec.sec.");
	check_broken("nsec.sec.zone", NULL, "IN A\t127.0.30.30\n\t\t\t3600\tRRSIG\tA 13",
		     "IN A\t127.0.30.30\n\t\t\t3600\tRRSIG\tMX 13",
		     "error RRSIG_MISSING nsec.sec.: 1 of ");
	check_broken("nsec.sec.zone", NULL, "NSEC\talias.nsec.sec. NS SOA",
		     "NSEC\twww.nsec.sec. NS SOA", "error NSEC_CHAIN_BROKEN nsec.sec.: ");
	check_broken("nsec3.sec.zone", NULL, "NSEC3PARAM 1 0 0 CAFE", "NSEC3PARAM 1 0 5 CAFE",
		     "warning NSEC3_ITERATIONS_HIGH nsec3.sec.: NSEC3 with 5 extra iterations");
	check_broken("nsec3.sec.zone", NULL, "NSEC3PARAM 1 0 0 CAFE", "NSEC3PARAM 1 0 200 CAFE",
		     "error NSEC3_ITERATIONS_HIGH nsec3.sec.: NSEC3 with 200 extra iterations");
	check_broken("nsec.sec.zone", NULL, "DNSKEY\t257 3 13", "DNSKEY\t256 3 13",
		     "info DNSKEY_NO_SEP nsec.sec.");
	check_broken("nsec.sec.zone", NULL, "DNSKEY\t257 3 13", "DNSKEY\t257 3 100",
		     "warning DNSKEY_ALGORITHM_UNSUPPORTED nsec.sec.: DNSKEY ");
}

/* ---- set-up ------------------------------------------------------------------------------ */

static int setup(void **state)
{
	(void)state;
	char err[512];
	if (dnskey_read(KEYFILE, &key, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	signed_zone = sign_text(ZONE, &key, T_INC, T_EXP);
	lab_build(&lab, NULL, NULL, NULL, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	zone_free(signed_zone);
	dnskey_free(&key);
	lab_free(&lab);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_rrsets_verify),
		cmocka_unit_test(test_signature_times),
		cmocka_unit_test(test_broken_signatures),
		cmocka_unit_test(test_wildcard_expansion),
		cmocka_unit_test(test_dnskey_and_ds),
		cmocka_unit_test(test_key_without_sep),
		cmocka_unit_test(test_nsec3_hash_and_bitmap),
		cmocka_unit_test(test_lab_anchor),
		cmocka_unit_test(test_lab_scenarios),
		cmocka_unit_test(test_lab_bogus),
		cmocka_unit_test(test_lab_broken_zones),
		cmocka_unit_test(test_broken_responses),
		cmocka_unit_test(test_crafted_nsec3_iterations),
		cmocka_unit_test(test_crafted_ds_proofs),
		cmocka_unit_test(test_check_signed_lab),
		cmocka_unit_test(test_check_broken_zones),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
