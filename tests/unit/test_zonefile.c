/*
 * test_zonefile.c -- the master-file parser: every feature, every error
 * message (file:line and phrase), $INCLUDE fixtures, and a fixture that
 * named-checkzone accepts, compared record by record with its output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/zonefile.h"

#define DATA TEST_DATA_DIR "/zonefile/"
#define MAXRR 256

/* Records as "owner ttl IN TYPE rdata", the way named-checkzone -D prints. */
struct coll {
	size_t n;
	char text[MAXRR][512];
	unsigned line[MAXRR];
	char file[MAXRR][64];
	int fail_at; /* make the callback fail on this record (1-based), 0: never */
};

static int collect(void *ctx, const zf_rr_t *rr, char *err, size_t errcap)
{
	struct coll *c = ctx;
	char owner[NAME_TEXT_MAX], tb[16], rd[65536 * 3];
	if (c->fail_at && (int)c->n + 1 == c->fail_at) {
		snprintf(err, errcap, "%s:%u: rejected by callback", rr->file, rr->line);
		return ST_ESEMANTIC;
	}
	assert_true(c->n < MAXRR);
	assert_int_equal(rr->rclass, CLASS_IN);
	assert_int_equal(rdata_check(rr->type, rr->rdata, rr->rdlen), 0);
	assert_true(name_to_text(rr->owner, owner, sizeof(owner)) > 0);
	assert_true(rdata_to_text(rr->type, rr->rdata, rr->rdlen, rd, sizeof(rd)) >= 0);
	int w = snprintf(c->text[c->n], sizeof(c->text[0]), "%s %u IN %s %s", owner, rr->ttl,
			 rrtype_to_text(rr->type, tb), rd);
	assert_true(w > 0);
	const char *slash = strrchr(rr->file, '/');
	snprintf(c->file[c->n], sizeof(c->file[0]), "%s", slash ? slash + 1 : rr->file);
	c->line[c->n] = rr->line;
	c->n++;
	return 0;
}

static struct coll *coll_new(void)
{
	struct coll *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	return c;
}

static uint8_t lab[NAME_MAXLEN];

static int group_setup(void **state)
{
	(void)state;
	return name_from_text("example.lab.", 12, NULL, lab) < 0 ? -1 : 0;
}

/* Parse text as file "x.zone"; origin example.lab. unless no_origin. */
static int load(const char *text, struct coll *c, char *err, bool no_origin)
{
	return zonefile_parse_mem("x.zone", text, strlen(text), no_origin ? NULL : lab, collect, c,
				  err, ZONEFILE_ERR_MAX);
}

static void expect_ok(const char *text, struct coll *c)
{
	char err[ZONEFILE_ERR_MAX];
	int r = load(text, c, err, false);
	if (r != 0)
		fail_msg("parse failed (%d): %s", r, err);
}

/* The parse must fail with exactly this message. */
static void expect_err_origin(const char *text, const char *want, bool no_origin)
{
	char err[ZONEFILE_ERR_MAX];
	struct coll *c = coll_new();
	int r = load(text, c, err, no_origin);
	free(c);
	if (r >= 0)
		fail_msg("parse succeeded, wanted error '%s'", want);
	assert_string_equal(err, want);
}

static void expect_err(const char *text, const char *want) { expect_err_origin(text, want, false); }

#define SOA "@ 300 SOA ns1 hostmaster 1 3600 900 604800 300\n"

static void test_basic(void **state)
{
	(void)state;
	struct coll *c = coll_new();
	expect_ok("$ORIGIN example.lab.\n"
		  "$TTL 3600\n"
		  "@ IN SOA ns1 hostmaster 1 3600 900 604800 300\n"
		  "@ IN NS ns1\n"
		  "ns1.example.lab. IN A 192.0.2.1\n"
		  "www IN CNAME ns1\n",
		  c);
	assert_int_equal(c->n, 4);
	assert_string_equal(c->text[0], "example.lab. 3600 IN SOA ns1.example.lab. "
					"hostmaster.example.lab. 1 3600 900 604800 300");
	assert_string_equal(c->text[1], "example.lab. 3600 IN NS ns1.example.lab.");
	assert_string_equal(c->text[2], "ns1.example.lab. 3600 IN A 192.0.2.1");
	assert_string_equal(c->text[3], "www.example.lab. 3600 IN CNAME ns1.example.lab.");
	assert_int_equal(c->line[0], 3);
	assert_int_equal(c->line[3], 6);
	assert_string_equal(c->file[0], "x.zone");
	free(c);
}

static void test_origin_directive(void **state)
{
	(void)state;
	struct coll *c = coll_new();
	expect_ok("$TTL 1\n"
		  "a A 192.0.2.1\n"
		  "$ORIGIN sub\n" /* relative: sub.example.lab. */
		  "b A 192.0.2.2\n"
		  "$ORIGIN other.test.\n"
		  "@ A 192.0.2.3\n"
		  "$origin .\n"
		  "tld A 192.0.2.4\n",
		  c);
	assert_int_equal(c->n, 4);
	assert_string_equal(c->text[0], "a.example.lab. 1 IN A 192.0.2.1");
	assert_string_equal(c->text[1], "b.sub.example.lab. 1 IN A 192.0.2.2");
	assert_string_equal(c->text[2], "other.test. 1 IN A 192.0.2.3");
	assert_string_equal(c->text[3], "tld. 1 IN A 192.0.2.4");
	free(c);
}

static void test_blank_owner(void **state)
{
	(void)state;
	struct coll *c = coll_new();
	expect_ok("$TTL 60\n"
		  "www A 192.0.2.1\n"
		  "\tAAAA 2001:db8::1\n"
		  "  TXT \"x\"\n"
		  "\n"
		  "; comment line keeps the owner\n"
		  " \t MX 10 mail\n"
		  "mail A 192.0.2.2\n",
		  c);
	assert_int_equal(c->n, 5);
	assert_string_equal(c->text[1], "www.example.lab. 60 IN AAAA 2001:db8::1");
	assert_string_equal(c->text[2], "www.example.lab. 60 IN TXT \"x\"");
	assert_string_equal(c->text[3], "www.example.lab. 60 IN MX 10 mail.example.lab.");
	assert_string_equal(c->text[4], "mail.example.lab. 60 IN A 192.0.2.2");
	free(c);
}

static void test_ttl_class_order(void **state)
{
	(void)state;
	struct coll *c = coll_new();
	expect_ok("$TTL 60\n"
		  "a 300 IN A 192.0.2.1\n"
		  "b IN 400 A 192.0.2.2\n"
		  "c in A 192.0.2.3\n"
		  "d 500 A 192.0.2.4\n"
		  "e CLASS1 A 192.0.2.5\n"
		  "f A 192.0.2.6\n",
		  c);
	assert_int_equal(c->n, 6);
	assert_string_equal(c->text[0], "a.example.lab. 300 IN A 192.0.2.1");
	assert_string_equal(c->text[1], "b.example.lab. 400 IN A 192.0.2.2");
	assert_string_equal(c->text[2], "c.example.lab. 60 IN A 192.0.2.3");
	assert_string_equal(c->text[3], "d.example.lab. 500 IN A 192.0.2.4");
	assert_string_equal(c->text[4], "e.example.lab. 60 IN A 192.0.2.5");
	/* With $TTL set, a record without TTL takes $TTL, not the last one. */
	assert_string_equal(c->text[5], "f.example.lab. 60 IN A 192.0.2.6");
	free(c);
}

static void test_ttl_units(void **state)
{
	(void)state;
	struct coll *c = coll_new();
	expect_ok("$TTL 1h30m\n"
		  "a A 192.0.2.1\n"
		  "b 1W2d A 192.0.2.2\n"
		  "c 2147483647 A 192.0.2.3\n"
		  "d 2147483648 A 192.0.2.4\n" /* above 2^31-1: 0, as BIND does */
		  "e 1h1h A 192.0.2.5\n",
		  c);
	assert_string_equal(c->text[0], "a.example.lab. 5400 IN A 192.0.2.1");
	assert_string_equal(c->text[1], "b.example.lab. 777600 IN A 192.0.2.2");
	assert_string_equal(c->text[2], "c.example.lab. 2147483647 IN A 192.0.2.3");
	assert_string_equal(c->text[3], "d.example.lab. 0 IN A 192.0.2.4");
	assert_string_equal(c->text[4], "e.example.lab. 7200 IN A 192.0.2.5");
	free(c);
}

/* No $TTL: named-checkzone's rules (RFC 1035 "last TTL", SOA MINIMUM). */
static void test_ttl_defaults(void **state)
{
	(void)state;
	struct coll *c = coll_new();
	/* First record is the SOA without TTL: its MINIMUM stands in for $TTL. */
	expect_ok("@ SOA ns1 host 1 2 3 4 300\n"
		  "@ NS ns1\n"
		  "b 600 A 192.0.2.2\n"
		  "c A 192.0.2.3\n",
		  c);
	assert_string_equal(c->text[0], "example.lab. 300 IN SOA ns1.example.lab. "
					"host.example.lab. 1 2 3 4 300");
	assert_string_equal(c->text[1], "example.lab. 300 IN NS ns1.example.lab.");
	assert_string_equal(c->text[2], "b.example.lab. 600 IN A 192.0.2.2");
	assert_string_equal(c->text[3], "c.example.lab. 300 IN A 192.0.2.3");
	free(c);

	/* Explicit TTLs carry over until $TTL appears; then $TTL wins. */
	c = coll_new();
	expect_ok("@ 500 SOA ns1 host 1 2 3 4 300\n"
		  "@ NS ns1\n"
		  "b 600 A 192.0.2.2\n"
		  "c A 192.0.2.3\n"
		  "$TTL 100\n"
		  "d A 192.0.2.4\n"
		  "e 700 A 192.0.2.5\n"
		  "f A 192.0.2.6\n",
		  c);
	static const unsigned want[] = { 500, 500, 600, 600, 100, 700, 100 };
	for (size_t i = 0; i < 7; i++) {
		char *sp = strchr(c->text[i], ' ');
		assert_int_equal(strtoul(sp + 1, NULL, 10), want[i]);
	}
	free(c);

	expect_err("@ NS ns1\n@ SOA ns1 host 1 2 3 4 300\n",
		   "x.zone:1: no TTL specified (no $TTL and no earlier TTL)");
}

static void test_parentheses(void **state)
{
	(void)state;
	struct coll *c = coll_new();
	expect_ok("$TTL 60\n"
		  "@ SOA ns1 hostmaster (\n"
		  "        2024010101 ; serial\n"
		  "        2h         ; refresh (with a ')' in the comment)\n"
		  "        1h\n"
		  "        2w\n"
		  "        5m )\n"
		  "txt TXT ( \"one\"\n"
		  "          \"two\" ) ( \"three\" )\n"
		  "( a ) A 192.0.2.1\n",
		  c);
	assert_int_equal(c->n, 3);
	assert_string_equal(c->text[0], "example.lab. 60 IN SOA ns1.example.lab. "
					"hostmaster.example.lab. 2024010101 7200 3600 1209600 300");
	assert_int_equal(c->line[0], 2);
	assert_string_equal(c->text[1], "txt.example.lab. 60 IN TXT \"one\" \"two\" \"three\"");
	assert_int_equal(c->line[1], 8);
	assert_string_equal(c->text[2], "a.example.lab. 60 IN A 192.0.2.1");
	assert_int_equal(c->line[2], 10);
	free(c);
}

static void test_quotes_and_escapes(void **state)
{
	(void)state;
	struct coll *c = coll_new();
	expect_ok("$TTL 60\n"
		  "a TXT \"say \\\"hi\\\"\" \"semi;colon\" \"(paren)\" \"\\065\\066\"\n"
		  "b TXT unquoted\\;semi a\\ b\n"
		  "c\\.d A 192.0.2.1\n"
		  "\\065bc A 192.0.2.2\n"
		  "e TXT \"\"\n"
		  "f TXT \"tab\there\"\n",
		  c);
	assert_int_equal(c->n, 6);
	assert_string_equal(
		c->text[0],
		"a.example.lab. 60 IN TXT \"say \\\"hi\\\"\" \"semi;colon\" \"(paren)\" \"AB\"");
	assert_string_equal(c->text[1], "b.example.lab. 60 IN TXT \"unquoted;semi\" \"a b\"");
	assert_string_equal(c->text[2], "c\\.d.example.lab. 60 IN A 192.0.2.1");
	assert_string_equal(c->text[3], "Abc.example.lab. 60 IN A 192.0.2.2");
	assert_string_equal(c->text[4], "e.example.lab. 60 IN TXT \"\"");
	assert_string_equal(c->text[5], "f.example.lab. 60 IN TXT \"tab\\009here\"");
	free(c);
}

static void test_generic_and_types(void **state)
{
	(void)state;
	struct coll *c = coll_new();
	expect_ok("$TTL 60\n"
		  "a TYPE65280 \\# 4 0A000001\n"
		  "b TYPE65281 \\# 0\n"
		  "c A \\# 4 C0000201\n"
		  "d TYPE1 192.0.2.9\n"
		  "e NULL \\# 2 ABCD\n"
		  "svc HTTPS 1 . alpn=\"h2,h3\" port=443\n"
		  "Case MX 10 Mail.Example.LAB.\n",
		  c);
	assert_int_equal(c->n, 7);
	assert_string_equal(c->text[0], "a.example.lab. 60 IN TYPE65280 \\# 4 0A000001");
	assert_string_equal(c->text[1], "b.example.lab. 60 IN TYPE65281 \\# 0");
	assert_string_equal(c->text[2], "c.example.lab. 60 IN A 192.0.2.1");
	assert_string_equal(c->text[3], "d.example.lab. 60 IN A 192.0.2.9");
	assert_string_equal(c->text[4], "e.example.lab. 60 IN NULL \\# 2 ABCD");
	assert_string_equal(c->text[5], "svc.example.lab. 60 IN HTTPS 1 . alpn=\"h2,h3\" port=443");
	/* Case of names is kept as written, owner and rdata. */
	assert_string_equal(c->text[6], "Case.example.lab. 60 IN MX 10 Mail.Example.LAB.");
	free(c);
}

static void test_crlf_and_no_final_newline(void **state)
{
	(void)state;
	struct coll *c = coll_new();
	expect_ok("$TTL 60\r\na A 192.0.2.1\r\n\tAAAA ::1\r\nb TXT \"x\"", c);
	assert_int_equal(c->n, 3);
	assert_string_equal(c->text[1], "a.example.lab. 60 IN AAAA ::1");
	assert_string_equal(c->text[2], "b.example.lab. 60 IN TXT \"x\"");
	free(c);
	c = coll_new();
	expect_ok("", c);
	expect_ok("; only a comment", c);
	expect_ok("\n\n   \n", c);
	assert_int_equal(c->n, 0);
	free(c);
}

static void test_include(void **state)
{
	(void)state;
	struct coll *c = coll_new();
	char err[ZONEFILE_ERR_MAX];
	int r = zonefile_parse(DATA "include.zone", NULL, collect, c, err, sizeof(err));
	if (r != 0)
		fail_msg("%s", err);
	assert_int_equal(c->n, 9);
	assert_string_equal(c->text[4], "sub.example.lab. 300 IN A 192.0.2.10");
	assert_string_equal(c->file[4], "inc-sub.zone");
	assert_int_equal(c->line[4], 2);
	assert_string_equal(c->text[5], "host.sub.example.lab. 300 IN TXT \"in sub\"");
	assert_string_equal(c->text[6], "leaf.sub.example.lab. 300 IN A 192.0.2.11");
	assert_string_equal(c->file[6], "inc-leaf.zone");
	/* Origin and owner come back after the include. */
	assert_string_equal(c->text[7], "www.example.lab. 300 IN AAAA 2001:db8::80");
	assert_string_equal(c->file[7], "include.zone");
	assert_int_equal(c->line[7], 11);
	assert_string_equal(c->text[8], "rel.example.lab. 300 IN A 192.0.2.3");
	free(c);
}

static void test_include_errors(void **state)
{
	(void)state;
	char err[ZONEFILE_ERR_MAX];
	struct coll *c = coll_new();
	int r = zonefile_parse(DATA "loop.zone", lab, collect, c, err, sizeof(err));
	assert_int_equal(r, ST_ELIMIT);
	assert_non_null(strstr(err, "loop.zone:2: $INCLUDE nested too deeply (limit 16)"));

	r = zonefile_parse(DATA "missing-inc.zone", lab, collect, c, err, sizeof(err));
	assert_int_equal(r, ST_EIO);
	assert_string_equal(err, DATA "missing-inc.zone:4: cannot read included file '" DATA
				      "does-not-exist.zone': No such file or directory");

	r = zonefile_parse(DATA "no-such-file.zone", lab, collect, c, err, sizeof(err));
	assert_int_equal(r, ST_EIO);
	assert_string_equal(err, DATA "no-such-file.zone: cannot read: No such file or directory");

	/* A directory is not a zone file. */
	r = zonefile_parse(DATA "sub", lab, collect, c, err, sizeof(err));
	assert_int_equal(r, ST_EIO);
	assert_string_equal(err, DATA "sub: cannot read: Is a directory");
	free(c);

	expect_err("$INCLUDE\n", "x.zone:1: expected a file name after $INCLUDE");
	expect_err("$INCLUDE a b c\n", "x.zone:1: expected end of line after $INCLUDE, got 'c'");
	expect_err("$INCLUDE a b..c\n", "x.zone:1: expected an origin name after the $INCLUDE "
					"file, got 'b..c'");
	expect_err("$INCLUDE a\\000b\n", "x.zone:1: cannot read included file 'a\\000b': "
					 "No such file or directory");
	char big[5000 + 20];
	strcpy(big, "$INCLUDE ");
	memset(big + 9, 'p', 5000);
	strcpy(big + 5009, "\n");
	expect_err(big, "x.zone:1: $INCLUDE path too long");
}

static void test_directive_errors(void **state)
{
	(void)state;
	expect_err("$GENERATE 1-10 host$ A 192.0.2.$\n",
		   "x.zone:1: unsupported directive '$GENERATE'");
	expect_err("\n$FOO bar\n", "x.zone:2: unsupported directive '$FOO'");
	expect_err("$TTL\n", "x.zone:1: expected a TTL after $TTL");
	expect_err("$TTL 1x\n",
		   "x.zone:1: expected a TTL (a number or units like 1h30m), got '1x'");
	expect_err("$TTL 1h30\n",
		   "x.zone:1: expected a TTL (a number or units like 1h30m), got '1h30'");
	expect_err("$TTL 60 60\n", "x.zone:1: expected end of line after $TTL, got '60'");
	expect_err("$ORIGIN\n", "x.zone:1: expected a domain name after $ORIGIN");
	expect_err("$ORIGIN a. b.\n", "x.zone:1: expected end of line after $ORIGIN, got 'b.'");
	expect_err("$ORIGIN a..b.\n",
		   "x.zone:1: expected a domain name after $ORIGIN, got 'a..b.'");
	expect_err_origin("$ORIGIN lab\n", "x.zone:1: relative name 'lab' but no $ORIGIN", true);
}

static void test_record_errors(void **state)
{
	(void)state;
	expect_err("$TTL 60\nwww AAAAA ::1\n", "x.zone:2: unknown type 'AAAAA'");
	expect_err("$TTL 60\nwww IN \"A\" 192.0.2.1\n", "x.zone:2: unknown type '\"A\"'");
	expect_err("$TTL 60\nwww\n", "x.zone:2: expected a record type");
	expect_err("$TTL 60\nwww 60 IN\n", "x.zone:2: expected a record type");
	expect_err("$TTL 60\nwww CH A 192.0.2.1\n",
		   "x.zone:2: class 'CH' is not supported (only IN)");
	expect_err("$TTL 60\nwww 60 HS A 192.0.2.1\n",
		   "x.zone:2: class 'HS' is not supported (only IN)");
	expect_err("$TTL 60\nwww CLASS3 A 192.0.2.1\n",
		   "x.zone:2: class 'CLASS3' is not supported (only IN)");
	expect_err("$TTL 60\nwww ANY \\# 0\n", "x.zone:2: class 'ANY' is not supported (only IN)");
	expect_err("$TTL 60\nwww IN ANY \\# 0\n",
		   "x.zone:2: meta type 'ANY' cannot appear in zone data");
	expect_err("$TTL 60\nwww TYPE128 \\# 0\n",
		   "x.zone:2: meta type 'TYPE128' cannot appear in zone data");
	expect_err("$TTL 60\nwww 1x A 192.0.2.1\n",
		   "x.zone:2: expected a TTL (a number or units like 1h30m), got '1x'");
	expect_err("$TTL 60\nwww 4294967296 A 192.0.2.1\n",
		   "x.zone:2: expected a TTL (a number or units like 1h30m), got '4294967296'");
	expect_err(" A 192.0.2.1\n",
		   "x.zone:1: expected an owner name (a blank owner needs a previous record)");
	expect_err("$TTL 60\na..b A 192.0.2.1\n", "x.zone:2: expected an owner name, got 'a..b'");
	expect_err("$TTL 60\nbad\\9 A 192.0.2.1\n",
		   "x.zone:2: expected an owner name, got 'bad\\9'");
}

static void test_rdata_errors(void **state)
{
	(void)state;
	expect_err("$TTL 60\nwww A 10.0.0.256\n",
		   "x.zone:2: expected an IPv4 address, got '10.0.0.256'");
	expect_err("$TTL 60\nwww A\n", "x.zone:2: expected an IPv4 address");
	expect_err("$TTL 60\nwww A 192.0.2.1 192.0.2.2\n",
		   "x.zone:2: expected end of rdata (too many fields), got '192.0.2.2'");
	expect_err("$TTL 60\n@ MX mail 10\n",
		   "x.zone:2: expected a 16-bit number for the MX preference, got 'mail'");
	/* The line is the one holding the offending token. */
	expect_err("$TTL 60\n"
		   "@ SOA ns1 hostmaster (\n"
		   "  1 ; serial\n"
		   "  1x ; refresh\n"
		   "  3 4 5 )\n",
		   "x.zone:4: expected a TTL or 32-bit number for the SOA refresh, got '1x'");
	expect_err("$TTL 60\n"
		   "@ SOA ns1 hostmaster (\n"
		   "  1 2 3 4\n"
		   "  )\n",
		   "x.zone:3: expected a TTL or 32-bit number for the SOA minimum");
	expect_err("$TTL 60\nt TXT \"a\\300\"\n",
		   "x.zone:2: expected a valid escape (\\X, or \\DDD with DDD at most 255), got "
		   "'\"a\\300\"'");
	expect_err("$TTL 60\nds DS 1 8 2 ( ABCD\n XYZ )\n",
		   "x.zone:3: expected hexadecimal digits for the DS digest, got 'XYZ'");
	expect_err("$TTL 60\nk DNSKEY 256 3 8 dGVzdA=\n",
		   "x.zone:2: expected base64 data (a multiple of 4 characters, '=' padded), got "
		   "'dGVzdA='");
	expect_err("$TTL 60\ng TYPE65280 \\# 2 AB\n",
		   "x.zone:2: expected exactly as many hexadecimal bytes as the \\# length says");
	expect_err("$TTL 60\ng A \\# 0\n",
		   "x.zone:2: expected \\# data that is valid rdata for the type, got '\\#'");

	/* A character-string longer than 255 bytes; the message is bounded. */
	char txt[400];
	strcpy(txt, "$TTL 60\nt TXT ");
	memset(txt + 14, 'x', 256);
	strcpy(txt + 270, "\n");
	char want[200];
	snprintf(want, sizeof(want),
		 "x.zone:2: expected a quoted or unquoted character-string of at most 255 bytes, "
		 "got '%.64s...'",
		 txt + 14);
	expect_err(txt, want);

	/* Rdata over 65535 bytes. */
	size_t n = 300;
	char *big = malloc(20 + n * 258);
	assert_non_null(big);
	strcpy(big, "$TTL 60\nt TXT");
	size_t at = strlen(big);
	for (size_t i = 0; i < n; i++) {
		big[at++] = ' ';
		memset(big + at, 'y', 255);
		at += 255;
	}
	strcpy(big + at, "\n");
	expect_err(big, "x.zone:2: rdata longer than 65535 bytes");
	free(big);
}

static void test_name_errors(void **state)
{
	(void)state;
	expect_err_origin("$TTL 60\nwww A 192.0.2.1\n",
			  "x.zone:2: relative name 'www' but no $ORIGIN", true);
	expect_err_origin("$TTL 60\n@ A 192.0.2.1\n", "x.zone:2: relative name '@' but no $ORIGIN",
			  true);
	expect_err_origin("$TTL 60\nwww.lab. CNAME\n  target\n",
			  "x.zone:2: expected a domain name for the CNAME target", true);
	expect_err_origin("$TTL 60\nwww.lab. MX ( 10\n  mail )\n",
			  "x.zone:3: relative name 'mail' but no $ORIGIN", true);

	char text[600];
	char lbl[65];
	memset(lbl, 'a', 64);
	lbl[64] = 0;
	snprintf(text, sizeof(text), "$TTL 60\n\n\n\n%s A 192.0.2.1\n", lbl);
	expect_err(text, "x.zone:5: label longer than 63 bytes");
	snprintf(text, sizeof(text), "$TTL 60\nwww CNAME %s.lab.\n", lbl);
	expect_err(text, "x.zone:2: label longer than 63 bytes");
	char longname[400] = "";
	for (int i = 0; i < 90; i++)
		strcat(longname, "abc.");
	snprintf(text, sizeof(text), "$TTL 60\n%s A 192.0.2.1\n", longname);
	expect_err(text, "x.zone:2: name longer than 255 bytes");
	snprintf(text, sizeof(text), "$TTL 60\nwww NS %s\n", longname);
	expect_err(text, "x.zone:2: name longer than 255 bytes");
}

static void test_tokenizer_errors(void **state)
{
	(void)state;
	expect_err("$TTL 60\n\nwww A 192.0.2.1 )\n", "x.zone:3: unbalanced ')'");
	expect_err("$TTL 60\n)\n", "x.zone:2: unbalanced ')'");
	expect_err("$TTL 60\n@ SOA ns1 host ( 1 2\n 3 4 5\n", "x.zone:2: unbalanced '('");
	expect_err("$TTL 60\nwww TXT \"abc\n", "x.zone:2: unterminated quoted string");
	expect_err("$TTL 60\nwww TXT \"abc\ndef\"\n", "x.zone:2: unterminated quoted string");
	expect_err("$TTL 60\nwww TXT \"abc\\\"", "x.zone:2: unterminated quoted string");
	expect_err("$TTL 60\n\n\n\n\n\n\n\n\nsvc SVCB 1 . alpn=\"h2\n",
		   "x.zone:10: unterminated quoted string");
}

static void test_callback_error(void **state)
{
	(void)state;
	struct coll *c = coll_new();
	char err[ZONEFILE_ERR_MAX];
	c->fail_at = 2;
	int r = load("$TTL 60\na A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n", c, err, false);
	assert_int_equal(r, ST_ESEMANTIC);
	assert_string_equal(err, "x.zone:3: rejected by callback");
	assert_int_equal(c->n, 1);
	free(c);
	/* No callback: the file is only checked. */
	r = zonefile_parse_mem("x.zone", "$TTL 1\na A 192.0.2.1\n", 21, lab, NULL, NULL, err,
			       sizeof(err));
	assert_int_equal(r, 0);
	r = zonefile_parse_mem("x.zone", "a A 192.0.2.1\n", 14, lab, NULL, NULL, NULL, 0);
	assert_int_equal(r, ST_ESYNTAX);
}

static void test_too_many_tokens(void **state)
{
	(void)state;
	size_t n = (1u << 18) + 1;
	char *t = malloc(16 + n * 2 + 2);
	assert_non_null(t);
	strcpy(t, "$TTL 60\nx TXT");
	size_t at = strlen(t);
	for (size_t i = 0; i < n; i++)
		t[at++] = ' ', t[at++] = 'a';
	strcpy(t + at, "\n");
	expect_err(t, "x.zone:2: too many tokens in one record (limit 262144)");
	free(t);
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

/*
 * many.zone passes `named-checkzone -i local example.lab many.zone`;
 * many.expected is its -D output (whitespace squeezed, sorted). Loading it
 * must give the same records, TTLs and presentation forms.
 */
static void test_named_checkzone_fixture(void **state)
{
	(void)state;
	struct coll *c = coll_new();
	char err[ZONEFILE_ERR_MAX];
	int r = zonefile_parse(DATA "many.zone", NULL, collect, c, err, sizeof(err));
	if (r != 0)
		fail_msg("%s", err);
	assert_int_equal(c->n, 66);

	FILE *f = fopen(DATA "many.expected", "r");
	assert_non_null(f);
	static char want[MAXRR][512];
	size_t nw = 0;
	while (nw < MAXRR && fgets(want[nw], sizeof(want[0]), f)) {
		want[nw][strcspn(want[nw], "\n")] = 0;
		nw++;
	}
	fclose(f);
	assert_int_equal(nw, c->n);
	qsort(c->text, c->n, sizeof(c->text[0]), cmp_str);
	qsort(want, nw, sizeof(want[0]), cmp_str);
	for (size_t i = 0; i < nw; i++)
		assert_string_equal(c->text[i], want[i]);
	free(c);
}

/* Whatever the bytes, the parser returns cleanly (run under ASan in CI). */
static void test_mutations(void **state)
{
	(void)state;
	FILE *f = fopen(DATA "many.zone", "rb");
	assert_non_null(f);
	static char orig[16384], buf[16384];
	size_t len = fread(orig, 1, sizeof(orig), f);
	fclose(f);
	assert_true(len > 0 && len < sizeof(orig));
	char err[ZONEFILE_ERR_MAX];
	uint32_t x = 42;
	static const char special[] = "\"();\\\n \t$@.#=0123456789";

	/* Every prefix: unterminated constructs at every position. */
	for (size_t cut = 0; cut <= len; cut += 7) {
		int r = zonefile_parse_mem(DATA "fuzz.zone", orig, cut, NULL, NULL, NULL, err,
					   sizeof(err));
		assert_true(r <= 0);
	}
	for (int iter = 0; iter < 3000; iter++) {
		memcpy(buf, orig, len);
		for (int k = 0; k < 8; k++) {
			x = x * 1103515245 + 12345;
			size_t pos = (x >> 8) % len;
			x = x * 1103515245 + 12345;
			buf[pos] = (x >> 20) % 2 ? (char)(x >> 12)
						 : special[(x >> 12) % (sizeof(special) - 1)];
		}
		struct coll *c = coll_new();
		int r = zonefile_parse_mem(DATA "fuzz.zone", buf, len, NULL, collect, c, err,
					   sizeof(err));
		assert_true(r <= 0);
		assert_true(strlen(err) < sizeof(err));
		free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_origin_directive),
		cmocka_unit_test(test_blank_owner),
		cmocka_unit_test(test_ttl_class_order),
		cmocka_unit_test(test_ttl_units),
		cmocka_unit_test(test_ttl_defaults),
		cmocka_unit_test(test_parentheses),
		cmocka_unit_test(test_quotes_and_escapes),
		cmocka_unit_test(test_generic_and_types),
		cmocka_unit_test(test_crlf_and_no_final_newline),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_include_errors),
		cmocka_unit_test(test_directive_errors),
		cmocka_unit_test(test_record_errors),
		cmocka_unit_test(test_rdata_errors),
		cmocka_unit_test(test_name_errors),
		cmocka_unit_test(test_tokenizer_errors),
		cmocka_unit_test(test_callback_error),
		cmocka_unit_test(test_too_many_tokens),
		cmocka_unit_test(test_named_checkzone_fixture),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
