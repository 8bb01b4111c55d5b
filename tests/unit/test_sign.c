/*
 * Unit tests for dnssec/sign.c: a zone signed at load. The signed zone is
 * written out as zone text and judged by BIND's dnssec-verify (every RRset
 * signed by a valid signature, the NSEC chain complete), and read back
 * through glued's own zone API: DNSKEY and CDS at the apex, the DS glued
 * adds at a cut, a DS of the file that stands, glue left unsigned.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/zone_build.h"
#include "dnssec/key.h"
#include "dnssec/sign.h"

static const char ZONE[] = "$ORIGIN example.\n"
			   "$TTL 3600\n"
			   "@ SOA NS1.example. Hostmaster.example. 1 7200 900 1209600 300\n"
			   "@ NS ns1\n"
			   "@ NS ns.other.\n"
			   "@ MX 10 Mail\n"
			   "ns1 A 192.0.2.1\n"
			   "mail A 192.0.2.25\n"
			   "www A 192.0.2.80\n"
			   "www A 192.0.2.81\n"
			   "www AAAA 2001:db8::80\n"
			   "*.w TXT \"wild\"\n"
			   "a.b.c TXT \"below an empty non-terminal\"\n"
			   "sub NS ns1.sub\n"
			   "ns1.sub A 192.0.2.53\n"
			   "stale NS ns.other.\n"
			   "stale DS 12345 13 2 "
			   "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n"
			   "plain NS ns.other.\n";

static const uint8_t SUB[] = "\3sub\7example";
static const uint8_t FAKE_DS[DS_SHA256_RDLEN] = { 0xab, 0xcd, 13, 2, 1, 2, 3 };

static bool child_ds(void *ctx, const uint8_t *lname, uint8_t ds[DS_SHA256_RDLEN])
{
	int *asked = ctx;
	(*asked)++;
	if (!name_equal(lname, SUB))
		return false;
	memcpy(ds, FAKE_DS, sizeof(FAKE_DS));
	return true;
}

typedef struct dump {
	FILE *f;
	const zone_t *z;
} dump_t;

static void dump_rrset(FILE *f, const char *owner, const rrset_t *rs)
{
	char type[16], rdata[8192];
	uint32_t pos = 0;
	const uint8_t *rd = NULL;
	uint16_t len = 0;
	while (rrset_next(rs, &pos, &rd, &len)) {
		assert_true(rdata_to_text(rs->type, rd, len, rdata, sizeof(rdata)) >= 0);
		fprintf(f, "%s %u IN %s %s\n", owner, rs->ttl, rrtype_to_text(rs->type, type),
			rdata);
	}
}

static void dump_node(void *ctx, const node_t *n)
{
	dump_t *d = ctx;
	char owner[NAME_TEXT_MAX];
	name_to_text(n->name, owner, sizeof(owner));
	for (uint16_t i = 0; i < n->nrrsets; i++) {
		const rrset_t *rs = &n->rrsets[i];
		if (rs->type == RR_RRSIG)
			continue; /* written with the RRset they cover */
		dump_rrset(d->f, owner, rs);
		const rrset_t *sigs = zone_rrsigs(d->z, rs);
		if (sigs != NULL)
			dump_rrset(d->f, owner, sigs);
	}
}

typedef struct fixture {
	char dir[64];
	dnskey_t key;
	zone_t *in, *out;
	int asked;
} fixture_t;

static int setup(void **state)
{
	fixture_t *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/glued-test-sign.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	char err[512];
	uint8_t origin[NAME_MAXLEN];
	assert_true(name_from_text("example.", 8, NULL, origin) > 0);
	assert_int_equal(dnskey_get(f->dir, origin, DNSSEC_ALG_ECDSAP256SHA256,
				    DNSKEY_FLAG_ZONE | DNSKEY_FLAG_SEP, &f->key, NULL, err,
				    sizeof(err)),
			 0);
	assert_int_equal(zone_load_mem("example.zone", ZONE, sizeof(ZONE) - 1, NULL, NULL, NULL,
				       &f->in, err, sizeof(err)),
			 0);
	uint32_t now = (uint32_t)time(NULL);
	sign_opts_t o = { .key = &f->key,
			  .inception = now - 3600,
			  .expiration = now + 30 * 86400,
			  .child_ds = child_ds,
			  .ctx = &f->asked };
	int rc = zone_sign(f->in, &o, NULL, NULL, &f->out, err, sizeof(err));
	if (rc != 0)
		fail_msg("zone_sign: %s", err);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_t *f = *state;
	zone_free(f->in);
	zone_free(f->out);
	dnskey_free(&f->key);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static const node_t *find(const zone_t *z, const char *text)
{
	uint8_t n[NAME_MAXLEN];
	assert_true(name_from_text(text, strlen(text), NULL, n) > 0);
	return zone_find(z, n, name_len(n));
}

/* Write z out as zone text and run dnssec-verify and ldns-verify-zone on
 * it; returns dnssec-verify's status (ldns must agree when it is 0). */
static int verify(const fixture_t *f, const zone_t *z, const char *extra)
{
	char path[128], cmd[512];
	snprintf(path, sizeof(path), "%s/example.signed", f->dir);
	dump_t d = { fopen(path, "w"), z };
	assert_non_null(d.f);
	zone_walk(z, dump_node, &d);
	assert_int_equal(fclose(d.f), 0);
	/* dnssec-verify checks every signature and the NSEC or NSEC3 chain
	 * (-z: one combined key signs everything); the DS glued made up for
	 * sub. is parent-side data it does not judge. */
	snprintf(cmd, sizeof(cmd), "dnssec-verify -q -z %s -o example. '%s' >'%s/verify.log' 2>&1",
		 extra, path, f->dir);
	int rc = system(cmd);
	if (rc == 0) {
		/* ldns reads the same zone as valid too. */
		snprintf(cmd, sizeof(cmd), "ldns-verify-zone '%s' >/dev/null", path);
		assert_int_equal(system(cmd), 0);
	}
	return rc;
}

static void show_log(const fixture_t *f)
{
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "cat '%s/verify.log'", f->dir);
	assert_int_equal(system(cmd), 0);
}

static void signed_zone_verifies_with_dnssec_verify(void **state)
{
	fixture_t *f = *state;
	int rc = verify(f, f->out, "");
	if (rc != 0)
		show_log(f);
	assert_int_equal(rc, 0);
}

/* zone_sign of the fixture's zone with o (key and times filled in). */
static zone_t *sign_as(fixture_t *f, sign_opts_t *o, char *err, size_t errcap)
{
	uint32_t now = (uint32_t)time(NULL);
	o->key = &f->key;
	o->inception = now - 3600;
	o->expiration = now + 30 * 86400;
	o->child_ds = child_ds;
	o->ctx = &f->asked;
	zone_t *z = NULL;
	if (zone_sign(f->in, o, NULL, NULL, &z, err, errcap) != 0)
		return NULL;
	return z;
}

static void nsec3_zones_verify(void **state)
{
	fixture_t *f = *state;
	static const uint8_t salt[] = { 0xab, 0xcd };
	char err[512];
	/* RFC 9276's parameters, then a salt, iterations and opt-out. */
	sign_opts_t plain = { .denial = DNSSEC_DENIAL_NSEC3 };
	sign_opts_t optout = { .denial = DNSSEC_DENIAL_NSEC3,
			       .iterations = 5,
			       .salt = salt,
			       .saltlen = sizeof(salt),
			       .optout = true };
	sign_opts_t *cases[] = { &plain, &optout };
	for (size_t i = 0; i < 2; i++) {
		zone_t *z = sign_as(f, cases[i], err, sizeof(err));
		if (z == NULL)
			fail_msg("zone_sign: %s", err);
		zone_dnssec_info_t info;
		zone_dnssec_info(z, &info);
		assert_string_equal(info.denial, "NSEC3");
		/* The 9 NSEC owners and the empty non-terminals w, c, b.c; with
		 * opt-out not the insecure cut plain. (sub. has glued's DS,
		 * stale. the file's). */
		assert_int_equal(info.chain, i == 0 ? 12 : 11);
		assert_non_null(node_rrset(zone_apex(z), RR_NSEC3PARAM));
		assert_null(node_rrset(zone_apex(z), RR_NSEC));
		int rc = verify(f, z, "");
		if (rc != 0)
			show_log(f);
		assert_int_equal(rc, 0);
		zone_free(z);
	}
}

static void apex_has_the_key_and_cds(void **state)
{
	fixture_t *f = *state;
	assert_true(zone_signed(f->out));
	zone_dnssec_info_t info;
	zone_dnssec_info(f->out, &info);
	assert_string_equal(info.denial, "NSEC");
	/* @, mail, ns1, www, *.w, a.b.c, sub, stale, plain: the empty
	 * non-terminals (w, c, b.c) and glue (ns1.sub) own no NSEC. */
	assert_int_equal(info.chain, 9);
	const rrset_t *k = node_rrset(zone_apex(f->out), RR_DNSKEY);
	assert_non_null(k);
	assert_int_equal(k->count, 1);
	uint32_t pos = 0;
	const uint8_t *rd = NULL;
	uint16_t len = 0;
	assert_true(rrset_next(k, &pos, &rd, &len));
	assert_memory_equal(rd, f->key.rdata, f->key.rdlen);
	const rrset_t *cds = node_rrset(zone_apex(f->out), RR_CDS);
	assert_non_null(cds);
	uint8_t ds[DS_SHA256_RDLEN];
	assert_int_equal(dnskey_ds(zone_origin(f->out), f->key.rdata, f->key.rdlen, ds), 0);
	pos = 0;
	assert_true(rrset_next(cds, &pos, &rd, &len));
	assert_int_equal(len, DS_SHA256_RDLEN);
	assert_memory_equal(rd, ds, sizeof(ds));
	assert_non_null(zone_rrsigs(f->out, k));
}

static void cuts_get_the_childs_ds_unless_the_file_has_one(void **state)
{
	fixture_t *f = *state;
	/* Asked for sub. and plain., not for stale. (its file has a DS). */
	assert_int_equal(f->asked, 2);
	const node_t *sub = find(f->out, "sub.example.");
	const rrset_t *ds = node_rrset(sub, RR_DS);
	assert_non_null(ds);
	uint32_t pos = 0;
	const uint8_t *rd = NULL;
	uint16_t len = 0;
	assert_true(rrset_next(ds, &pos, &rd, &len));
	assert_memory_equal(rd, FAKE_DS, sizeof(FAKE_DS));
	assert_non_null(zone_rrsigs(f->out, ds));
	/* The NS of a cut is the child's: unsigned. */
	assert_null(zone_rrsigs(f->out, node_rrset(sub, RR_NS)));
	const node_t *stale = find(f->out, "stale.example.");
	ds = node_rrset(stale, RR_DS);
	assert_non_null(ds);
	pos = 0;
	assert_true(rrset_next(ds, &pos, &rd, &len));
	assert_int_equal(rd[0] << 8 | rd[1], 12345);
	assert_null(node_rrset(find(f->out, "plain.example."), RR_DS));
	/* Glue stays unsigned. */
	const node_t *glue = find(f->out, "ns1.sub.example.");
	assert_non_null(glue);
	assert_null(zone_rrsigs(f->out, node_rrset(glue, RR_A)));
	assert_null(node_rrset(glue, RR_NSEC));
}

/* The fixture's zone signed with one DNSSEC fault; NULL with err set when
 * zone_sign refuses it. */
static zone_t *sign_fault(fixture_t *f, const char *key, const char *value, const char *cut,
			  char *err, size_t errcap)
{
	dnssec_fault_t fault = { 0 };
	char msg[160];
	assert_int_equal(dnssec_fault_parse(key, value, &fault, msg, sizeof(msg)), 0);
	snprintf(fault.where, sizeof(fault.where), "test.yaml:1");
	if (cut != NULL) {
		fault.at_cut = true;
		assert_true(name_from_text(cut, strlen(cut), NULL, fault.cut) > 0);
	}
	sign_opts_t o = { .faults = &fault, .nfaults = 1 };
	return sign_as(f, &o, err, errcap);
}

static const rrset_t *rrsigs_at(const zone_t *z, const char *owner, uint16_t type)
{
	const node_t *n = find(z, owner);
	assert_non_null(n);
	return zone_rrsigs(z, node_rrset(n, type));
}

static void rrsig_faults_break_every_signature(void **state)
{
	fixture_t *f = *state;
	char err[512];
	uint32_t now = (uint32_t)time(NULL);
	const char *values[] = { "expired", "not-yet-valid", "bogus", "missing" };
	for (size_t i = 0; i < 4; i++) {
		zone_t *z = sign_fault(f, "rrsig", values[i], NULL, err, sizeof(err));
		assert_non_null(z);
		const rrset_t *sig = rrsigs_at(z, "www.example.", RR_A);
		if (i == 3) {
			assert_null(sig);
			assert_null(rrsigs_at(z, "example.", RR_DNSKEY));
		} else {
			assert_non_null(sig);
			uint32_t pos = 0;
			const uint8_t *rd = NULL;
			uint16_t len = 0;
			assert_true(rrset_next(sig, &pos, &rd, &len));
			uint32_t exp = (uint32_t)rd[8] << 24 | rd[9] << 16 | rd[10] << 8 | rd[11];
			uint32_t inc = (uint32_t)rd[12] << 24 | rd[13] << 16 | rd[14] << 8 | rd[15];
			if (i == 0)
				assert_true(exp < now);
			else if (i == 1)
				assert_true(inc > now);
			else
				assert_true(inc < now && exp > now);
			/* dnssec-verify finds the zone broken in each case. */
			assert_int_not_equal(verify(f, z, ""), 0);
		}
		zone_free(z);
	}
}

static void dnskey_faults(void **state)
{
	fixture_t *f = *state;
	char err[512];
	zone_t *z = sign_fault(f, "dnskey", "missing", NULL, err, sizeof(err));
	assert_non_null(z);
	assert_null(node_rrset(zone_apex(z), RR_DNSKEY));
	assert_non_null(rrsigs_at(z, "www.example.", RR_A)); /* signed, by no key in the zone */
	zone_free(z);

	z = sign_fault(f, "dnskey", "no-sep", NULL, err, sizeof(err));
	assert_non_null(z);
	const rrset_t *k = node_rrset(zone_apex(z), RR_DNSKEY);
	uint32_t pos = 0;
	const uint8_t *rd = NULL;
	uint16_t len = 0;
	assert_true(rrset_next(k, &pos, &rd, &len));
	assert_int_equal(rd[0] << 8 | rd[1], 256);
	/* Still a valid zone: SEP is a hint, not part of validation. */
	assert_int_equal(verify(f, z, "-x"), 0);
	zone_free(z);

	z = sign_fault(f, "dnskey", "unsupported-algorithm", NULL, err, sizeof(err));
	assert_non_null(z);
	k = node_rrset(zone_apex(z), RR_DNSKEY);
	pos = 0;
	assert_true(rrset_next(k, &pos, &rd, &len));
	assert_int_equal(rd[3], DF_UNSUPPORTED_ALG);
	uint16_t tag = dnskey_tag(rd, len);
	const rrset_t *sig = rrsigs_at(z, "www.example.", RR_A);
	pos = 0;
	assert_true(rrset_next(sig, &pos, &rd, &len));
	assert_int_equal(rd[2], DF_UNSUPPORTED_ALG);
	assert_int_equal(rd[16] << 8 | rd[17], tag);
	zone_free(z);
}

static void denial_faults(void **state)
{
	fixture_t *f = *state;
	char err[512];
	zone_t *z = sign_fault(f, "denial", "missing", NULL, err, sizeof(err));
	assert_non_null(z);
	assert_null(node_rrset(find(z, "www.example."), RR_NSEC));
	assert_null(node_rrset(zone_apex(z), RR_NSEC));
	zone_free(z);

	z = sign_fault(f, "denial", "wrong", NULL, err, sizeof(err));
	assert_non_null(z);
	const rrset_t *nsec = node_rrset(find(z, "www.example."), RR_NSEC);
	assert_non_null(nsec);
	uint32_t pos = 0;
	const uint8_t *rd = NULL;
	uint16_t len = 0;
	assert_true(rrset_next(nsec, &pos, &rd, &len));
	assert_memory_equal(rd, "\1\0\3www\7example", 15); /* \000.www.example. */
	assert_non_null(zone_rrsigs(z, nsec));
	zone_free(z);
}

static const uint8_t *ds_at(const zone_t *z, const char *cut)
{
	const rrset_t *ds = node_rrset(find(z, cut), RR_DS);
	if (ds == NULL)
		return NULL;
	uint32_t pos = 0;
	const uint8_t *rd = NULL;
	uint16_t len = 0;
	assert_true(rrset_next(ds, &pos, &rd, &len));
	return rd;
}

static void ds_faults_at_a_cut(void **state)
{
	fixture_t *f = *state;
	char err[512];
	zone_t *z = sign_fault(f, "ds", "missing", "sub.example.", err, sizeof(err));
	assert_non_null(z);
	assert_null(ds_at(z, "sub.example."));
	assert_non_null(ds_at(z, "stale.example.")); /* other cuts keep theirs */
	zone_free(z);

	z = sign_fault(f, "ds", "mismatch", "sub.example.", err, sizeof(err));
	assert_non_null(z);
	const uint8_t *rd = ds_at(z, "sub.example.");
	assert_memory_equal(rd, FAKE_DS, 4); /* same tag, algorithm, digest type */
	assert_memory_not_equal(rd + 4, FAKE_DS + 4, DS_SHA256_RDLEN - 4);
	zone_free(z);

	z = sign_fault(f, "ds", "unknown-digest", "stale.example.", err, sizeof(err));
	assert_non_null(z);
	rd = ds_at(z, "stale.example.");
	assert_int_equal(rd[3], DF_UNSUPPORTED_ALG);
	assert_int_equal(rd[2], 13);
	zone_free(z);

	z = sign_fault(f, "ds", "unknown-algorithm", "sub.example.", err, sizeof(err));
	assert_non_null(z);
	assert_int_equal(ds_at(z, "sub.example.")[2], DF_UNSUPPORTED_ALG);
	zone_free(z);

	/* rrsig: at a cut breaks the DS's signature only. */
	z = sign_fault(f, "rrsig", "missing", "sub.example.", err, sizeof(err));
	assert_non_null(z);
	assert_null(rrsigs_at(z, "sub.example.", RR_DS));
	assert_non_null(rrsigs_at(z, "stale.example.", RR_DS));
	assert_non_null(rrsigs_at(z, "sub.example.", RR_NSEC));
	zone_free(z);

	/* A cut with no DS at all has nothing to break: a clear error. */
	z = sign_fault(f, "ds", "mismatch", "plain.example.", err, sizeof(err));
	assert_null(z);
	assert_non_null(strstr(err, "test.yaml:1: ds: mismatch at plain.example.: the delegation "
				    "has no DS to break"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signed_zone_verifies_with_dnssec_verify),
		cmocka_unit_test(apex_has_the_key_and_cds),
		cmocka_unit_test(cuts_get_the_childs_ds_unless_the_file_has_one),
		cmocka_unit_test(nsec3_zones_verify),
		cmocka_unit_test(rrsig_faults_break_every_signature),
		cmocka_unit_test(dnskey_faults),
		cmocka_unit_test(denial_faults),
		cmocka_unit_test(ds_faults_at_a_cut),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
