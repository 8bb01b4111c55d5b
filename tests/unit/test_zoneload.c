/*
 * Unit tests for the streaming zone-file reader: a file read through the
 * 1 MiB window gives exactly the records (and errors) the same text gives
 * from memory, wherever the window's end falls: inside a quoted string, an
 * escape, parentheses, a comment, a key="value" token, between CR and LF.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/name.h"
#include "dns/zone.h"
#include "dns/zone_build.h"
#include "dns/zonefile.h"

#define WINDOW (1u << 20) /* zonefile.c's ZF_WINDOW */

/* Every record as one line of text, appended to a growing buffer. */
typedef struct trace {
	char *s;
	size_t len, cap;
} trace_t;

static void trace_add(trace_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void trace_add(trace_t *t, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(line));
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
	}
	memcpy(t->s + t->len, line, (size_t)n + 1);
	t->len += (size_t)n;
}

static int record(void *ctx, const zf_rr_t *rr, char *err, size_t errcap)
{
	trace_t *t = ctx;
	char owner[NAME_TEXT_MAX], hex[600];
	(void)err, (void)errcap;
	assert_true(name_to_text(rr->owner, owner, sizeof(owner)) > 0);
	size_t n = 0;
	for (uint16_t i = 0; i < rr->rdlen && n + 3 < sizeof(hex); i++)
		n += (size_t)snprintf(hex + n, sizeof(hex) - n, "%02x", rr->rdata[i]);
	hex[n] = 0;
	trace_add(t, "%u %s %u %u %s\n", rr->line, owner, rr->type, rr->ttl, hex);
	return 0;
}

static const char *tmpfile_path(void)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/test_zoneload.%ld.zone", (long)getpid());
	return path;
}

/* Parse text from a file and from memory; both must agree on everything. */
static void same_both_ways(const char *text, size_t len)
{
	const char *path = tmpfile_path();
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);

	static const uint8_t origin[] = "\4test\0";
	trace_t a = { 0 }, b = { 0 };
	char erra[ZONEFILE_ERR_MAX], errb[ZONEFILE_ERR_MAX];
	int ra = zonefile_parse(path, origin, record, &a, erra, sizeof(erra));
	int rb = zonefile_parse_mem(path, text, len, origin, record, &b, errb, sizeof(errb));
	unlink(path);
	assert_int_equal(ra, rb);
	if (ra < 0)
		assert_string_equal(erra, errb);
	assert_int_equal(a.len, b.len);
	if (a.len)
		assert_memory_equal(a.s, b.s, a.len);
	free(a.s);
	free(b.s);
}

/* Records with every kind of token; the window's end is put at each byte. */
static const char CHUNK[] =
	"a 300 IN TXT \"quoted \\\"str\\\" with \\\\ and ; no comment\" ( \"two\" ; c\n"
	"  \"th\\082ee\" )\n"
	"b IN AAAA 2001:db8::1\r\n"
	"c IN A 192.0.2.1 ; a comment\n"
	"\n"
	"@ IN MX 10 mail\n"
	"d IN HTTPS 1 . alpn=\"h2,h3\" port=443\n"
	"e\\.x IN TXT \\# 2 0141\n";

static char *padded(size_t pad, const char *tail, size_t *len)
{
	/* "$TTL 60\n" then a comment line that ends pad bytes in. */
	size_t tl = strlen(tail);
	char *t = malloc(pad + tl + 1);
	assert_non_null(t);
	assert_true(pad >= 16);
	memcpy(t, "$TTL 60\n;", 9);
	memset(t + 9, 'x', pad - 10);
	t[pad - 1] = '\n';
	memcpy(t + pad, tail, tl + 1);
	*len = pad + tl;
	return t;
}

static void test_window_end_anywhere(void **state)
{
	(void)state;
	for (size_t k = 0; k <= sizeof(CHUNK) - 1; k++) {
		size_t len;
		char *t = padded(WINDOW - k, CHUNK, &len);
		same_both_ways(t, len);
		free(t);
	}
}

static void test_errors_after_the_window(void **state)
{
	(void)state;
	static const char *const tails[] = {
		"a IN A 192.0.2.300\n",  "a IN TXT \"unterminated\n",
		"a IN TXT ( \"open\"\n", "a IN A 192.0.2.1 )\n",
		"a IN BOGUS 1\n",
	};
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		for (size_t k = 0; k < 12; k++) {
			size_t len;
			char *t = padded(WINDOW - k, tails[i], &len);
			same_both_ways(t, len);
			free(t);
		}
	}
}

static void test_line_longer_than_the_window(void **state)
{
	(void)state;
	/* One record whose parentheses hold 2.5 MiB of comments. */
	size_t body = WINDOW * 5 / 2, len = 0;
	char *t = malloc(body + 256);
	assert_non_null(t);
	len += (size_t)sprintf(t, "$TTL 60\nlong IN TXT ( \"one\" ;");
	memset(t + len, 'y', body);
	len += body;
	len += (size_t)sprintf(t + len, "\n \"two\" )\nafter IN A 192.0.2.7\n");
	same_both_ways(t, len);
	free(t);
}

/* The whole loader through the window: same zone from a file as from memory. */
static void test_zone_from_file(void **state)
{
	(void)state;
	size_t len;
	char *t = padded(WINDOW - 40,
			 "@ SOA ns.test. host.test. 1 7200 900 1209600 300\n"
			 "@ NS ns.test.\n"
			 "ns A 192.0.2.1\n"
			 "child NS ns.child\n"
			 "ns.child A 192.0.2.2\n",
			 &len);
	const char *path = tmpfile_path();
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(t, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	char err[512];
	zone_t *z = NULL;
	assert_int_equal(
		zone_load(path, (const uint8_t *)"\4test\0", NULL, NULL, &z, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(zone_record_count(z), 5);
	const node_t *cut = zone_find(z, (const uint8_t *)"\5child\4test\0", 12);
	assert_non_null(cut);
	assert_true(cut->flags & NODE_CUT);
	assert_int_equal(cut->nglue, 1);
	assert_non_null(cut->glue[0].a);
	zone_free(z);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_end_anywhere),
		cmocka_unit_test(test_errors_after_the_window),
		cmocka_unit_test(test_line_longer_than_the_window),
		cmocka_unit_test(test_zone_from_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
