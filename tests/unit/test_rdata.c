/*
 * test_rdata.c -- rdata text <-> wire for every supported type, the RFC 3597
 * generic form, wire checks, and the *expected phrase of each error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dns/name.h"
#include "dns/rdata.h"

#define MAXTOK 2048

/*
 * Split text the way the zone-file tokenizer does, enough for these tests:
 * white space separates, "..." is one quoted token (escapes kept), and
 * key="..." stays one token.
 */
static size_t split(const char *text, rdata_tok_t *toks)
{
	size_t n = 0;
	const char *p = text;
	while (*p) {
		if (*p == ' ') {
			p++;
			continue;
		}
		assert_true(n < MAXTOK);
		if (*p == '"') {
			const char *q = ++p;
			while (*q && *q != '"')
				q += (*q == '\\' && q[1]) ? 2 : 1;
			toks[n++] = (rdata_tok_t){ p, (size_t)(q - p), true };
			p = *q ? q + 1 : q;
			continue;
		}
		const char *q = p;
		while (*q && *q != ' ') {
			if (*q == '"' && q > p && q[-1] == '=') {
				q++;
				while (*q && *q != '"')
					q += (*q == '\\' && q[1]) ? 2 : 1;
			}
			if (*q)
				q += (*q == '\\' && q[1]) ? 2 : 1;
		}
		toks[n++] = (rdata_tok_t){ p, (size_t)(q - p), false };
		p = q;
	}
	return n;
}

static uint8_t origin[NAME_MAXLEN];

static int group_setup(void **state)
{
	(void)state;
	return name_from_text("example.lab.", 12, NULL, origin) < 0 ? -1 : 0;
}

/* Parse text as rdata of type; returns the length or the status. */
static int parse(uint16_t type, const char *text, uint8_t *out, const char **exp, size_t *bad)
{
	rdata_tok_t toks[MAXTOK];
	size_t n = split(text, toks);
	return rdata_parse_text(type, toks, n, origin, out, 65535, exp, bad);
}

static uint16_t type_of(const char *mn)
{
	uint16_t t = 0;
	assert_int_equal(rrtype_from_text(mn, strlen(mn), &t), 0);
	return t;
}

/* text -> wire -> text, expecting `want` back (NULL: the input itself). */
static void roundtrip(const char *type, const char *text, const char *want)
{
	static uint8_t wire[65535];
	static char out[200000];
	const char *exp = NULL;
	size_t bad = 0;
	uint16_t t = type_of(type);
	int len = parse(t, text, wire, &exp, &bad);
	if (len < 0)
		fail_msg("%s '%s': status %d, expected %s (token %zu)", type, text, len,
			 exp ? exp : "?", bad);
	assert_int_equal(rdata_check(t, wire, (size_t)len), 0);
	int n = rdata_to_text(t, wire, (size_t)len, out, sizeof(out));
	assert_true(n >= 0);
	assert_int_equal((size_t)n, strlen(out));
	assert_string_equal(out, want ? want : text);

	/* And the printed form parses back to the same wire bytes. */
	static uint8_t again[65535];
	int len2 = parse(t, out, again, &exp, &bad);
	assert_int_equal(len2, len);
	assert_memory_equal(again, wire, (size_t)len);
}

/* Expect a parse failure with the given phrase and offending token index. */
static void bad_rdata(const char *type, const char *text, const char *phrase, size_t want_bad)
{
	static uint8_t wire[65535];
	const char *exp = NULL;
	size_t bad = 999;
	int r = parse(type_of(type), text, wire, &exp, &bad);
	if (r >= 0)
		fail_msg("%s '%s' parsed (len %d) but should fail", type, text, r);
	assert_non_null(exp);
	if (!strstr(exp, phrase))
		fail_msg("%s '%s': expected phrase '%s', got '%s'", type, text, phrase, exp);
	assert_int_equal(bad, want_bad);
}

static void test_type_mnemonics(void **state)
{
	(void)state;
	static const char *names[] = {
		"A",     "NS",         "MD",       "MF",     "CNAME", "SOA",     "MB",
		"MG",    "MR",         "NULL",     "WKS",    "PTR",   "HINFO",   "MINFO",
		"MX",    "TXT",        "RP",       "AFSDB",  "RT",    "AAAA",    "LOC",
		"SRV",   "NAPTR",      "KX",       "CERT",   "DNAME", "OPT",     "APL",
		"DS",    "SSHFP",      "IPSECKEY", "RRSIG",  "NSEC",  "DNSKEY",  "DHCID",
		"NSEC3", "NSEC3PARAM", "TLSA",     "SMIMEA", "CDS",   "CDNSKEY", "OPENPGPKEY",
		"CSYNC", "ZONEMD",     "SVCB",     "HTTPS",  "SPF",   "EUI48",   "EUI64",
		"TKEY",  "TSIG",       "IXFR",     "AXFR",   "MAILB", "MAILA",   "ANY",
		"URI",   "CAA",
	};
	char buf[16];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint16_t t;
		assert_int_equal(rrtype_from_text(names[i], strlen(names[i]), &t), 0);
		assert_string_equal(rrtype_to_text(t, buf), names[i]);
	}
	uint16_t t;
	assert_int_equal(rrtype_from_text("aaaa", 4, &t), 0);
	assert_int_equal(t, RR_AAAA);
	assert_int_equal(rrtype_from_text("HttPs", 5, &t), 0);
	assert_int_equal(t, RR_HTTPS);
	assert_int_equal(rrtype_from_text("TYPE65280", 9, &t), 0);
	assert_int_equal(t, 65280);
	assert_string_equal(rrtype_to_text(65280, buf), "TYPE65280");
	assert_int_equal(rrtype_from_text("type1", 5, &t), 0);
	assert_int_equal(t, RR_A);
	assert_int_equal(rrtype_from_text("TYPE65536", 9, &t), ST_ENOENT);
	assert_int_equal(rrtype_from_text("TYPE", 4, &t), ST_ENOENT);
	assert_int_equal(rrtype_from_text("TYPE1x", 6, &t), ST_ENOENT);
	assert_int_equal(rrtype_from_text("AAAAA", 5, &t), ST_ENOENT);
	assert_int_equal(rrtype_from_text("", 0, &t), ST_ENOENT);
	assert_true(rrtype_is_meta(RR_ANY));
	assert_true(rrtype_is_meta(RR_OPT));
	assert_true(rrtype_is_meta(0));
	assert_true(rrtype_is_meta(128));
	assert_false(rrtype_is_meta(127));
	assert_false(rrtype_is_meta(RR_URI));
}

static void test_ttl_units(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		uint32_t v;
	} ok[] = {
		{ "0", 0 },
		{ "3600", 3600 },
		{ "1h", 3600 },
		{ "1H30m", 5400 },
		{ "1w2d3h4m5s", 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5 },
		{ "2D", 172800 },
		{ "1h1h", 7200 },
		{ "4294967295", 4294967295u },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint32_t v = 1;
		assert_int_equal(rdata_ttl_from_text(ok[i].s, strlen(ok[i].s), &v), 0);
		assert_int_equal(v, ok[i].v);
	}
	static const char *bad[] = { "",   "h",          "1h30",         "1x",
				     "-1", "4294967296", "99999999999w", "1 h" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t v;
		assert_int_equal(rdata_ttl_from_text(bad[i], strlen(bad[i]), &v), ST_ESYNTAX);
	}
}

static void test_a_aaaa(void **state)
{
	(void)state;
	uint8_t w[64];
	assert_int_equal(parse(RR_A, "192.0.2.1", w, NULL, NULL), 4);
	assert_memory_equal(w, "\xc0\x00\x02\x01", 4);
	roundtrip("A", "192.0.2.1", NULL);
	roundtrip("AAAA", "2001:db8::1", NULL);
	roundtrip("AAAA", "2001:DB8:0:0:0:0:0:1", "2001:db8::1");
	roundtrip("AAAA", "::ffff:192.0.2.1", NULL);
}

static void test_single_names(void **state)
{
	(void)state;
	static const char *types[] = {
		"NS", "CNAME", "PTR", "DNAME", "MB", "MG", "MR", "MD", "MF"
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		roundtrip(types[i], "ns1.example.lab.", NULL);
		roundtrip(types[i], "ns1", "ns1.example.lab.");
		roundtrip(types[i], "@", "example.lab.");
	}
	/* Case is kept and the name is stored uncompressed. */
	uint8_t w[64];
	assert_int_equal(parse(RR_NS, "NS1.Example.LAB.", w, NULL, NULL), 17);
	assert_memory_equal(w,
			    "\x03NS1\x07"
			    "Example\x03LAB\x00",
			    17);
	roundtrip("CNAME", "a\\.b.example.lab.", NULL);
	roundtrip("PTR", "\\000x.example.lab.", NULL);
}

static void test_soa(void **state)
{
	(void)state;
	uint8_t w[128];
	int n = parse(RR_SOA, "ns1.lab. hostmaster.lab. 1 3600 900 604800 300", w, NULL, NULL);
	assert_int_equal(n, 9 + 16 + 20);
	assert_memory_equal(w + 25, "\0\0\0\x01\0\0\x0e\x10\0\0\x03\x84\0\x09\x3a\x80\0\0\x01\x2c",
			    20);
	roundtrip("SOA", "ns1.lab. hostmaster.lab. 1 3600 900 604800 300", NULL);
	roundtrip("SOA", "ns1 hostmaster 2024010101 2h 15M 1w 5m",
		  "ns1.example.lab. hostmaster.example.lab. 2024010101 7200 900 604800 300");
	roundtrip("SOA", "ns1 hostmaster 4294967295 1 2 3 4",
		  "ns1.example.lab. hostmaster.example.lab. 4294967295 1 2 3 4");
}

static void test_mx_like(void **state)
{
	(void)state;
	roundtrip("MX", "10 mail.example.lab.", NULL);
	roundtrip("MX", "0 .", NULL);
	roundtrip("MX", "65535 mail", "65535 mail.example.lab.");
	roundtrip("KX", "10 kx.example.lab.", NULL);
	roundtrip("AFSDB", "1 afs.example.lab.", NULL);
	roundtrip("RT", "20 relay.example.lab.", NULL);
	roundtrip("SRV", "0 1 993 mail.example.lab.", NULL);
	roundtrip("SRV", "10 60 5060 @", "10 60 5060 example.lab.");
	roundtrip("MINFO", "rmail.example.lab. emailbx.example.lab.", NULL);
	roundtrip("RP", "louie.trantor.umd.edu. LAM1.people.umd.edu.", NULL);
}

static void test_txt(void **state)
{
	(void)state;
	uint8_t w[600];
	assert_int_equal(parse(RR_TXT, "\"a\" \"b c\"", w, NULL, NULL), 6);
	assert_memory_equal(w,
			    "\x01"
			    "a\x03"
			    "b c",
			    6);
	roundtrip("TXT", "\"v=spf1 mx -all\"", NULL);
	roundtrip("TXT", "\"a\" \"b\"", NULL);
	roundtrip("TXT", "unquoted", "\"unquoted\"");
	roundtrip("TXT", "\"\"", NULL);
	roundtrip("TXT", "\"say \\\"hi\\\"\"", NULL);
	roundtrip("TXT", "\"back\\\\slash\"", NULL);
	roundtrip("TXT", "\"\\065\\066\\067\"", "\"ABC\"");
	roundtrip("TXT", "\"\\000\\255\\031\\127\"", NULL);
	roundtrip("TXT", "\"semi;colon (paren)\"", NULL);
	roundtrip("TXT", "a\\ b", "\"a b\"");
	roundtrip("SPF", "\"v=spf1 -all\"", NULL);

	/* 255 bytes fit one string, 256 do not. */
	char big[300 + 3];
	big[0] = '"';
	memset(big + 1, 'x', 255);
	strcpy(big + 256, "\"");
	roundtrip("TXT", big, NULL);
	memset(big + 1, 'x', 256);
	strcpy(big + 257, "\"");
	bad_rdata("TXT", big, "character-string of at most 255 bytes", 0);
	/* An escaped byte counts once. */
	char esc[4 * 255 + 3];
	esc[0] = '"';
	for (int i = 0; i < 255; i++)
		memcpy(esc + 1 + 4 * i, "\\255", 4);
	strcpy(esc + 1 + 4 * 255, "\"");
	assert_int_equal(parse(RR_TXT, esc, w, NULL, NULL), 256);
}

static void test_hinfo_naptr(void **state)
{
	(void)state;
	roundtrip("HINFO", "\"PC-Intel-700mhz\" \"Linux 2.6\"", NULL);
	roundtrip("HINFO", "PC Linux", "\"PC\" \"Linux\"");
	roundtrip("NAPTR", "100 50 \"s\" \"http+I2L+I2C+I2R\" \"\" _http._tcp.gatech.edu.", NULL);
	roundtrip("NAPTR", "100 10 \"\" \"\" \"!^urn:cid:.+@([^\\\\.]+\\\\.)(.*)$!\\\\2!i\" .",
		  NULL);
}

static void test_caa_uri(void **state)
{
	(void)state;
	uint8_t w[64];
	assert_int_equal(parse(RR_CAA, "0 issue \"ca.example.net\"", w, NULL, NULL), 21);
	assert_memory_equal(w, "\x00\x05issueca.example.net", 21);
	roundtrip("CAA", "0 issue \"ca.example.net\"", NULL);
	roundtrip("CAA", "128 tbs \"Unknown\"", NULL);
	roundtrip("CAA", "0 issue \"\"", NULL);
	roundtrip("CAA", "0 iodef mailto:security@example.lab",
		  "0 iodef \"mailto:security@example.lab\"");
	roundtrip("URI", "10 1 \"ftp://ftp1.example.com/public\"", NULL);
}

static void test_ds_dnskey(void **state)
{
	(void)state;
	roundtrip("DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118", NULL);
	roundtrip("DS", "60485 RSASHA1 1 2bb183af5f22588179a53b0a98631fad1a292118",
		  "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118");
	/* Split over tokens on input; dig splits at 56 characters on output. */
	roundtrip("DS",
		  "20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D084 58E880409BBC683457104237C7F8EC8D",
		  "20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237 C7F8EC8D");
	roundtrip("CDS",
		  "20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237 C7F8EC8D",
		  NULL);
	roundtrip("DNSKEY",
		  "257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3 "
		  "+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kv",
		  NULL);
	roundtrip("DNSKEY", "256 3 ED25519 dGVz dA==", "256 3 15 dGVzdA==");
	roundtrip("CDNSKEY",
		  "257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+ "
		  "KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==",
		  NULL);
	roundtrip("DNSKEY", "256 3 8 YQ==", NULL);
	roundtrip("DNSKEY", "256 3 8 YWI=", NULL);
	roundtrip("CERT", "PGP 0 0 dGVzdA==", NULL);
	roundtrip("CERT", "1 2 RSASHA256 dGVzdA==", "PKIX 2 8 dGVzdA==");
	roundtrip("CERT", "999 2 8 dGVzdA==", NULL);
	roundtrip("DHCID", "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=", NULL);
	roundtrip("OPENPGPKEY", "mQENBFVHm5sBCADDVEPUoL0Lp4AbH0aLCUJlyhL4aFmh2ZDMh2Te3a6H JzmtWcXq",
		  NULL);
}

static void test_rrsig(void **state)
{
	(void)state;
	uint8_t w[200];
	roundtrip("RRSIG",
		  "A 8 3 3600 20800201000000 20240101000000 12345 example.lab. "
		  "dGVzdHNpZ25hdHVyZQ==",
		  NULL);
	/* Integer times are read as seconds since the epoch. */
	roundtrip("RRSIG", "TYPE65280 13 2 1h 0 4294967295 1 @ dGVzdA==",
		  "TYPE65280 13 2 3600 19700101000000 21060207062815 1 example.lab. dGVzdA==");
	int n = parse(RR_RRSIG, "NS 8 1 300 20240229235960 20000101000000 1 . YQ==", w, NULL, NULL);
	assert_int_equal(n, 18 + 1 + 1);
	/* 2024-02-29T23:59:60Z = 1709251200 = 0x65E11A80 */
	assert_memory_equal(w + 8, "\x65\xe1\x1a\x80", 4);
}

static void test_nsec_family(void **state)
{
	(void)state;
	uint8_t w[64];
	int n = parse(RR_NSEC, "next.lab. A MX RRSIG NSEC TYPE1234", w, NULL, NULL);
	assert_int_equal(n, 10 + 2 + 6 + 2 + 27);
	assert_memory_equal(w + 10, "\x00\x06\x40\x01\x00\x00\x00\x03", 8);
	assert_memory_equal(w + 18, "\x04\x1b", 2);
	roundtrip("NSEC", "next.example.lab. A MX RRSIG NSEC TYPE1234", NULL);
	roundtrip("NSEC", "next.example.lab. NSEC A", "next.example.lab. A NSEC");
	roundtrip("NSEC", "next.example.lab.", NULL);
	roundtrip("NSEC3PARAM", "1 0 0 -", NULL);
	roundtrip("NSEC3PARAM", "1 0 10 aabbccdd", "1 0 10 AABBCCDD");
	roundtrip("NSEC3", "1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG", NULL);
	roundtrip("NSEC3", "1 0 0 - 2t7b4g4vsa5smi47k61mv5bv1a22bojr",
		  "1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR");
	roundtrip("CSYNC", "66 3 A NS AAAA", NULL);
}

static void test_hex_types(void **state)
{
	(void)state;
	roundtrip("SSHFP", "4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789",
		  "4 2 123456789ABCDEF67890123456789ABCDEF67890123456789ABCDEF1 23456789");
	roundtrip("SSHFP", "1 1 DEADBEEF", NULL);
	roundtrip("TLSA", "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B566 64C5D3D6",
		  NULL);
	roundtrip("SMIMEA", "3 1 1 0C72AC70", NULL);
	roundtrip("ZONEMD", "2024010101 1 1 0123456789ABCDEF", NULL);
	roundtrip("EUI48", "00-00-5e-00-53-2a", NULL);
	roundtrip("EUI48", "00-00-5E-00-53-2A", "00-00-5e-00-53-2a");
	roundtrip("EUI64", "00-00-5e-ef-10-00-00-2a", NULL);
}

/* Expected strings are named-checkzone's output for the same input. */
static void test_loc(void **state)
{
	(void)state;
	roundtrip("LOC", "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m", NULL);
	roundtrip("LOC", "42 21 54 N 71 06 18 W -24m 30m",
		  "42 21 54.000 N 71 6 18.000 W -24.00m 30m 10000m 10m");
	roundtrip("LOC", "37 N 122 w 10m", "37 0 0.000 N 122 0 0.000 W 10.00m 1m 10000m 10m");
	roundtrip("LOC", "90 S 180 E 42849672.95m 90000000m 0m 0.01m",
		  "90 0 0.000 S 180 0 0.000 E 42849672.95m 90000000m 0.00m 0.01m");
	roundtrip("LOC", "0 0 0.5 N 0 0 0 W -100000m 2m 99 1234",
		  "0 0 0.500 N 0 0 0.000 E -100000.00m 2m 90m 1000m");
	roundtrip("LOC", "1 2 3.1 S 4 5 6.12 E 1.5 1.5",
		  "1 2 3.100 S 4 5 6.120 E 1.50m 1m 10000m 10m");
	bad_rdata("LOC", "52 22 23.000 N", "a location", 4);
	bad_rdata("LOC", "91 N 0 E 0m", "a location", 1);
	bad_rdata("LOC", "90 1 N 0 E 0m", "a location", 2);
	bad_rdata("LOC", "52 60 N 0 E 0m", "a location", 2);
	bad_rdata("LOC", "52 1 2 3 N 0 E 0m", "a location", 3);
	bad_rdata("LOC", "52 1 2.0001 N 0 E 0m", "a location", 2);
	bad_rdata("LOC", "52 N 181 E 0m", "a location", 3);
	bad_rdata("LOC", "52 N 1 E -100000.01m", "a location", 4);
	bad_rdata("LOC", "52 N 1 E 42849672.96m", "a location", 4);
	bad_rdata("LOC", "52 N 1 E 0m 90000000.01m", "a location", 5);
	bad_rdata("LOC", "52 N 1 E 0m 1m 1m 1m 1m", "end of rdata", 8);
	bad_rdata("LOC", "N 1 E 0m", "a location", 0);
	assert_int_equal(
		rdata_check(RR_LOC, (const uint8_t *)"\0\x12\x16\x13\0\0\0\0\0\0\0\0\0\0\0\0", 16),
		0);
	assert_int_equal(
		rdata_check(RR_LOC, (const uint8_t *)"\0\xa2\x16\x13\0\0\0\0\0\0\0\0\0\0\0\0", 16),
		ST_EMALF);
}

static void test_svcb(void **state)
{
	(void)state;
	uint8_t w[256];
	/* Params come out sorted by key whatever the input order. */
	int n = parse(RR_SVCB, "1 . port=53 alpn=h2", w, NULL, NULL);
	assert_int_equal(n, 2 + 1 + 4 + 3 + 4 + 2);
	assert_memory_equal(w, "\x00\x01\x00\x00\x01\x00\x03\x02h2\x00\x03\x00\x02\x00\x35", 16);
	roundtrip("SVCB",
		  "1 svc.example.net. alpn=\"h2,h3\" port=8443 ipv4hint=192.0.2.1,192.0.2.2", NULL);
	roundtrip("HTTPS", "0 svc.example.net.", NULL);
	roundtrip("HTTPS",
		  "1 . key667=\"hello\" ech=AEj+DQ== ipv6hint=2001:db8::1 port=443 alpn=h2 "
		  "mandatory=port,alpn",
		  "1 . mandatory=alpn,port alpn=\"h2\" port=443 ech=AEj+DQ== ipv6hint=2001:db8::1 "
		  "key667=\"hello\"");
	roundtrip("HTTPS", "1 . no-default-alpn alpn=h3", "1 . alpn=\"h3\" no-default-alpn");
	roundtrip("SVCB", "2 svc key65000", "2 svc.example.lab. key65000");
	roundtrip("SVCB", "1 . dohpath=\"/dns-query{?dns}\"", NULL);
	roundtrip("SVCB", "1 . alpn=\"a\\,b,c\"", NULL);
}

static void test_generic(void **state)
{
	(void)state;
	uint8_t w[64];
	/* Known types accept \# and are checked; printed in their own form. */
	roundtrip("A", "\\# 4 C0000201", "192.0.2.1");
	roundtrip("MX", "\\# 3 000A 00", "10 .");
	roundtrip("TXT", "\\# 6 0568656C6C6F", "\"hello\"");
	/* Unknown types keep the generic form, as dig prints it. */
	roundtrip("TYPE65280", "\\# 4 0A000001", NULL);
	roundtrip("TYPE65280", "\\# 4 0a 00 00 01", "\\# 4 0A000001");
	roundtrip("TYPE65281", "\\# 0", NULL);
	roundtrip("NULL", "\\# 3 010203", NULL);
	roundtrip("LOC", "\\# 16 001216138917069070BF2DD800988D20",
		  "42 21 43.952 N 71 5 6.344 W -24.00m 1m 10000m 10m");
	assert_int_equal(parse(65280, "\\# 0", w, NULL, NULL), 0);
	assert_int_equal(parse(RR_NULL, "\\# 0", w, NULL, NULL), 0);
	assert_int_equal(parse(RR_APL, "\\# 0", w, NULL, NULL), 0);

	bad_rdata("A", "\\# 0", "valid rdata for the type", 0);
	bad_rdata("TXT", "\\# 0", "valid rdata for the type", 0);
	bad_rdata("A", "\\# 3 C00002", "valid rdata for the type", 0);
	bad_rdata("NS", "\\# 2 0161", "valid rdata for the type", 0);
	bad_rdata("A", "\\# 4 C00002", "exactly as many", 3);
	bad_rdata("A", "\\# 4 C0000201 01", "exactly as many", 3);
	bad_rdata("A", "\\# 4 C000020", "even number of hexadecimal digits", 2);
	bad_rdata("A", "\\# 4 C000020Z", "hexadecimal digits", 2);
	bad_rdata("A", "\\#", "rdata length", 1);
	bad_rdata("A", "\\# x", "rdata length", 1);
	bad_rdata("A", "\\# 65536", "rdata length", 1);
	bad_rdata("TYPE65280", "0A000001", "generic form", 0);
	bad_rdata("WKS", "192.0.2.1 6 25", "generic form \\# for WKS", 0);
	bad_rdata("ANY", "\\# 0", "meta types", 0);
}

static void test_errors(void **state)
{
	(void)state;
	bad_rdata("A", "10.0.0.256", "an IPv4 address", 0);
	bad_rdata("A", "", "an IPv4 address", 0);
	bad_rdata("A", "1.2.3.4 5", "end of rdata (too many fields)", 1);
	bad_rdata("AAAA", "2001:db8::g", "an IPv6 address", 0);
	bad_rdata("AAAA", "1.2.3.4", "an IPv6 address", 0);
	bad_rdata("MX", "x mail", "a 16-bit number for the MX preference", 0);
	bad_rdata("MX", "65536 mail", "a 16-bit number for the MX preference", 0);
	bad_rdata("MX", "10", "a domain name for the MX exchange", 1);
	bad_rdata("MX", "10 a..b", "a domain name for the MX exchange", 1);
	bad_rdata("NS", "", "a domain name for the NS target", 0);
	bad_rdata("SOA", "ns1 host 1 1x 2 3 4", "a TTL or 32-bit number for the SOA refresh", 3);
	bad_rdata("SOA", "ns1 host 1 2 3h30 3 4", "a TTL or 32-bit number for the SOA retry", 4);
	bad_rdata("SOA", "ns1 host 1 2 3 4", "a TTL or 32-bit number for the SOA minimum", 6);
	bad_rdata("SOA", "ns1 host 4294967296 2 3 4 5", "a 32-bit number for the SOA serial", 2);
	bad_rdata("SOA", "ns1 host 1 2 3 4 5 6", "end of rdata (too many fields)", 7);
	bad_rdata("SRV", "0 1 70000 t", "a 16-bit number for the SRV port", 2);
	bad_rdata("TXT", "", "a quoted or unquoted character-string of at most 255 bytes", 0);
	bad_rdata("TXT", "\"a\\2\"", "a valid escape", 0);
	bad_rdata("TXT", "\"a\\256\"", "a valid escape", 0);
	bad_rdata("TXT", "\"ok\" bad\\", "a valid escape", 1);
	bad_rdata("HINFO", "\"PC\"", "HINFO OS", 1);
	bad_rdata("CAA", "256 issue \"x\"", "an 8-bit number for the CAA flags", 0);
	bad_rdata("CAA", "0 is-sue \"x\"", "a CAA tag", 1);
	bad_rdata("CAA", "0 issue", "CAA value", 2);
	bad_rdata("DS", "1 8 2", "hexadecimal digits for the DS digest", 3);
	bad_rdata("DS", "1 8 2 ABCG", "hexadecimal digits for the DS digest", 3);
	bad_rdata("DS", "1 8 2 ABC", "even number of hexadecimal digits", 3);
	bad_rdata("DS", "1 NOSUCHALG 2 AB", "DS algorithm", 1);
	bad_rdata("DNSKEY", "256 3 8", "base64 data", 3);
	bad_rdata("DNSKEY", "256 3 8 dGVzdA=", "base64 data", 3);
	bad_rdata("DNSKEY", "256 3 8 dGV*dA==", "base64 data", 3);
	bad_rdata("DNSKEY", "256 3 8 dA== dA==", "base64 data", 4);
	bad_rdata("DNSKEY", "256 3 8 d===", "base64 data", 3);
	bad_rdata("RRSIG", "AAAAA 8 3 300 0 0 1 . YQ==", "RRSIG type covered", 0);
	bad_rdata("RRSIG", "A 8 3 300 20241301000000 0 1 . YQ==", "RRSIG expiration", 4);
	bad_rdata("RRSIG", "A 8 3 300 0 20230229000000 1 . YQ==", "RRSIG inception", 5);
	bad_rdata("RRSIG", "A 8 3 300 0 0 1 .", "RRSIG signature", 8);
	bad_rdata("NSEC", "next. A BOGUS", "NSEC type bitmap", 2);
	bad_rdata("NSEC3PARAM", "1 0 0 ABC", "NSEC3PARAM salt", 3);
	bad_rdata("NSEC3", "1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJW", "base32hex", 4);
	bad_rdata("NSEC3", "1 0 0 - 2T7", "base32hex", 4);
	bad_rdata("SSHFP", "1 1", "hexadecimal digits for the SSHFP fingerprint", 2);
	bad_rdata("TLSA", "3 1 256 AB", "TLSA matching type", 2);
	bad_rdata("EUI48", "00-00-5e-00-53", "an EUI-48 address", 0);
	bad_rdata("EUI48", "00:00:5e:00:53:2a", "an EUI-48 address", 0);
	bad_rdata("EUI64", "00-00-5e-ef-10-00-00-zz", "an EUI-64 address", 0);
	bad_rdata("URI", "10 1", "URI target", 2);
	bad_rdata("SVCB", "1 . bogus=1", "SvcParam key", 2);
	bad_rdata("SVCB", "1 . port=1 port=2", "without duplicates", 3);
	bad_rdata("SVCB", "1 . port=x", "SvcParam value", 2);
	bad_rdata("SVCB", "1 . ipv4hint=1.2.3", "SvcParam value", 2);
	bad_rdata("SVCB", "1 . alpn=", "SvcParam value", 2);
	bad_rdata("SVCB", "1 . alpn=a,,b", "SvcParam value", 2);
	bad_rdata("SVCB", "1 . no-default-alpn=x", "SvcParam value", 2);
	bad_rdata("SVCB", "1 . mandatory=port,port", "SvcParam value", 2);
	bad_rdata("SVCB", "1 . key65535=x", "SvcParam key", 2);
	bad_rdata("SVCB", "1 . mandatory=mandatory", "SvcParam value", 2);
	bad_rdata("SVCB", "1 . ech", "SvcParam value", 2);
	bad_rdata("NAPTR", "1 2 \"a\" \"b\" \"c\"", "NAPTR replacement", 5);
}

static void test_name_errors_keep_status(void **state)
{
	(void)state;
	uint8_t w[600];
	rdata_tok_t t = { "www", 3, false };
	const char *exp;
	size_t bad;
	/* A relative name without an origin keeps name_from_text's code. */
	assert_int_equal(rdata_parse_text(RR_NS, &t, 1, NULL, w, sizeof(w), &exp, &bad), ST_EINVAL);
	assert_int_equal(bad, 0);
	char lbl[80];
	memset(lbl, 'a', 64);
	strcpy(lbl + 64, ".lab.");
	t = (rdata_tok_t){ lbl, strlen(lbl), false };
	assert_int_equal(rdata_parse_text(RR_NS, &t, 1, NULL, w, sizeof(w), &exp, &bad), ST_ELABEL);
	char longname[400];
	for (int i = 0; i < 100; i++)
		memcpy(longname + 3 * i, "ab.", 3);
	longname[300] = 0;
	t = (rdata_tok_t){ longname, 300, false };
	assert_int_equal(rdata_parse_text(RR_NS, &t, 1, NULL, w, sizeof(w), &exp, &bad), ST_ENAME);
	/* rdata_from_text gives the same result without the token index. */
	t = (rdata_tok_t){ "10.0.0.256", 10, false };
	assert_int_equal(rdata_from_text(RR_A, &t, 1, NULL, w, sizeof(w), &exp), ST_ESYNTAX);
	assert_string_equal(exp, "an IPv4 address");
	/* Output space is respected. */
	t = (rdata_tok_t){ "192.0.2.1", 9, false };
	assert_int_equal(rdata_from_text(RR_A, &t, 1, NULL, w, 3, &exp), ST_ESPACE);
	assert_int_equal(rdata_from_text(RR_A, &t, 1, NULL, w, 4, &exp), 4);
}

static void test_check(void **state)
{
	(void)state;
	assert_int_equal(rdata_check(RR_A, (const uint8_t *)"\1\2\3\4", 4), 0);
	assert_int_equal(rdata_check(RR_A, (const uint8_t *)"\1\2\3", 3), ST_EMALF);
	assert_int_equal(rdata_check(RR_A, NULL, 0), ST_EMALF);
	assert_int_equal(rdata_check(RR_NS, (const uint8_t *)"\1a\0", 3), 0);
	assert_int_equal(rdata_check(RR_NS, (const uint8_t *)"\1a\0\0", 4), ST_EMALF);
	assert_int_equal(rdata_check(RR_NS, (const uint8_t *)"\xc0\x0c", 2), ST_EMALF);
	assert_int_equal(rdata_check(RR_NS, (const uint8_t *)"\2a", 2), ST_EMALF);
	assert_int_equal(rdata_check(RR_MX, (const uint8_t *)"\0\1\0", 3), 0);
	assert_int_equal(rdata_check(RR_MX, (const uint8_t *)"\0\1", 2), ST_EMALF);
	assert_int_equal(rdata_check(RR_TXT, (const uint8_t *)"\2ab\0", 4), 0);
	assert_int_equal(rdata_check(RR_TXT, (const uint8_t *)"\3ab", 3), ST_EMALF);
	assert_int_equal(rdata_check(RR_TXT, NULL, 0), ST_EMALF);
	assert_int_equal(rdata_check(65280, NULL, 0), 0);
	assert_int_equal(rdata_check(65280, (const uint8_t *)"\xff", 1), 0);
	assert_int_equal(rdata_check(RR_NULL, NULL, 0), 0);
	assert_int_equal(rdata_check(RR_WKS, (const uint8_t *)"\1\2\3\4\6", 5), 0);
	assert_int_equal(rdata_check(RR_WKS, (const uint8_t *)"\1\2\3\4", 4), ST_EMALF);
	assert_int_equal(rdata_check(RR_APL, (const uint8_t *)"\0\1\x18\3\xc0\0\2", 7), 0);
	assert_int_equal(rdata_check(RR_APL, (const uint8_t *)"\0\1\x18\4\xc0\0\2", 7), ST_EMALF);
	assert_int_equal(rdata_check(RR_IPSECKEY, (const uint8_t *)"\1\3\2\1a\0", 6), 0);
	assert_int_equal(rdata_check(RR_IPSECKEY, (const uint8_t *)"\1\1\2\1\2", 5), ST_EMALF);
	assert_int_equal(rdata_check(RR_IPSECKEY, (const uint8_t *)"\1\7\2", 3), ST_EMALF);
	/* NSEC bitmaps: increasing windows, 1..32 bytes, no trailing zero byte. */
	assert_int_equal(rdata_check(RR_NSEC, (const uint8_t *)"\0\0\1\x40", 4), 0);
	assert_int_equal(rdata_check(RR_NSEC, (const uint8_t *)"\0\0\1\0", 4), ST_EMALF);
	assert_int_equal(rdata_check(RR_NSEC, (const uint8_t *)"\0\0\0", 3), ST_EMALF);
	assert_int_equal(rdata_check(RR_NSEC, (const uint8_t *)"\0\1\1\x40\0\1\x40", 7), ST_EMALF);
	assert_int_equal(rdata_check(RR_NSEC, (const uint8_t *)"\0\0\2\x40", 4), ST_EMALF);
	/* CAA tag must be letters and digits and not empty. */
	assert_int_equal(rdata_check(RR_CAA, (const uint8_t *)"\0\1ax", 4), 0);
	assert_int_equal(rdata_check(RR_CAA, (const uint8_t *)"\0\1-x", 4), ST_EMALF);
	assert_int_equal(rdata_check(RR_CAA, (const uint8_t *)"\0\0x", 3), ST_EMALF);
	/* SVCB params: strictly increasing keys, sized values. */
	assert_int_equal(rdata_check(RR_SVCB, (const uint8_t *)"\0\1\0\0\3\0\2\0\x35", 9), 0);
	assert_int_equal(rdata_check(RR_SVCB, (const uint8_t *)"\0\1\0\0\3\0\1\0", 8), ST_EMALF);
	assert_int_equal(
		rdata_check(RR_SVCB, (const uint8_t *)"\0\1\0\0\3\0\2\0\x35\0\3\0\2\0\x35", 15),
		ST_EMALF);
	assert_int_equal(rdata_check(RR_SVCB, (const uint8_t *)"\0\1\0\0\1\0\2\1", 8), ST_EMALF);
	assert_int_equal(rdata_check(RR_SVCB, (const uint8_t *)"\0\1\0\0\4\0\3\1\2\3", 10),
			 ST_EMALF);
	assert_int_equal(rdata_check(RR_SVCB, (const uint8_t *)"\0\1\0\0\0\0\4\0\3\0\1", 11),
			 ST_EMALF); /* mandatory keys out of order */
	assert_int_equal(rdata_check(RR_SVCB, (const uint8_t *)"\0\1\0\0\0\0\2\0\0", 9),
			 ST_EMALF); /* mandatory lists itself */
	assert_int_equal(rdata_check(RR_SVCB, (const uint8_t *)"\0\1\0\0\5\0\0", 7), ST_EMALF);
	assert_int_equal(rdata_check(RR_DS, (const uint8_t *)"\0\1\2\3", 4), ST_EMALF);
	assert_int_equal(rdata_check(RR_DS, (const uint8_t *)"\0\1\2\3\4", 5), 0);
	assert_int_equal(rdata_check(RR_NSEC3, (const uint8_t *)"\1\0\0\0\0\0", 6), ST_EMALF);
	assert_int_equal(rdata_check(RR_LOC, (const uint8_t *)"\1", 1), ST_EMALF);
	assert_int_equal(rdata_check(RR_A, (const uint8_t *)"", 70000), ST_EMALF);
}

static void test_to_text_generic_and_space(void **state)
{
	(void)state;
	char buf[256];
	/* Malformed rdata of a known type falls back to \#. */
	assert_int_equal(rdata_to_text(RR_A, (const uint8_t *)"\x0a\0\0", 3, buf, sizeof(buf)), 11);
	assert_string_equal(buf, "\\# 3 0A0000");
	assert_int_equal(rdata_to_text(65280, NULL, 0, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "\\# 0");
	assert_true(rdata_to_text(RR_OPT, (const uint8_t *)"\1", 1, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "\\# 1 01");
	/* Long generic data is split in 56-character chunks, as dig does. */
	uint8_t z[40] = { 0 };
	assert_true(rdata_to_text(65280, z, 40, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "\\# 40 00000000000000000000000000000000000000000000000000000000 "
				 "000000000000000000000000");
	/* Too small a buffer is ST_ESPACE, still NUL-terminated. */
	assert_int_equal(rdata_to_text(RR_A, (const uint8_t *)"\1\2\3\4", 4, buf, 7), ST_ESPACE);
	assert_true(strlen(buf) < 7);
	assert_int_equal(rdata_to_text(RR_A, (const uint8_t *)"\1\2\3\4", 4, buf, 8), 7);
	assert_int_equal(rdata_to_text(RR_A, (const uint8_t *)"\1\2\3\4", 4, buf, 0), ST_ESPACE);
	assert_int_equal(rdata_to_text(RR_TXT, (const uint8_t *)"\5hello", 6, buf, 7), ST_ESPACE);
	assert_int_equal(rdata_to_text(RR_TXT, (const uint8_t *)"\5hello", 6, buf, 8), 7);
	assert_int_equal(rdata_to_text(RR_NS, (const uint8_t *)"\1a\0", 3, buf, 2), ST_ESPACE);
}

/* Every byte string must either check and print, or fail cleanly. */
static void test_random_wire(void **state)
{
	(void)state;
	static const uint16_t types[] = {
		RR_A,    RR_NS,    RR_SOA,      RR_MX,   RR_TXT,    RR_HINFO, RR_NAPTR,
		RR_SRV,  RR_DS,    RR_RRSIG,    RR_NSEC, RR_DNSKEY, RR_NSEC3, RR_NSEC3PARAM,
		RR_SVCB, RR_HTTPS, RR_CAA,      RR_URI,  RR_EUI48,  RR_CSYNC, RR_CERT,
		RR_TLSA, RR_APL,   RR_IPSECKEY, RR_LOC,  65280,
	};
	uint32_t x = 12345;
	uint8_t rd[64], back[65535];
	static char txt[4096];
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 0;
		x = x * 1103515245 + 12345;
		len = (x >> 16) % sizeof(rd);
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245 + 12345;
			rd[i] = (uint8_t)(x >> 16);
			if ((x >> 8) % 4 == 0)
				rd[i] &= 0x07; /* small values: more names and lengths parse */
		}
		uint16_t t = types[iter % (sizeof(types) / sizeof(types[0]))];
		int n = rdata_to_text(t, rd, len, txt, sizeof(txt));
		assert_true(n >= 0);
		if (rdata_check(t, rd, len) < 0)
			continue;
		/* Valid rdata must survive text -> wire unchanged. */
		rdata_tok_t toks[MAXTOK];
		size_t nt = split(txt, toks);
		const char *exp = NULL;
		size_t bad;
		int m = rdata_parse_text(t, toks, nt, NULL, back, sizeof(back), &exp, &bad);
		if (m < 0)
			fail_msg("type %u: '%s' does not parse back: %s", t, txt, exp);
		assert_int_equal((size_t)m, len);
		assert_memory_equal(back, rd, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_mnemonics),
		cmocka_unit_test(test_ttl_units),
		cmocka_unit_test(test_a_aaaa),
		cmocka_unit_test(test_single_names),
		cmocka_unit_test(test_soa),
		cmocka_unit_test(test_mx_like),
		cmocka_unit_test(test_txt),
		cmocka_unit_test(test_hinfo_naptr),
		cmocka_unit_test(test_caa_uri),
		cmocka_unit_test(test_ds_dnskey),
		cmocka_unit_test(test_rrsig),
		cmocka_unit_test(test_nsec_family),
		cmocka_unit_test(test_hex_types),
		cmocka_unit_test(test_loc),
		cmocka_unit_test(test_svcb),
		cmocka_unit_test(test_generic),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_name_errors_keep_status),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_to_text_generic_and_space),
		cmocka_unit_test(test_random_wire),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
