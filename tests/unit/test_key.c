/* Unit tests for server/dnssec/key.c: making, reading, signing, tags, DS. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnssec/key.h"

#define W(s) ((const uint8_t *)(s))

/* A fresh directory under /tmp, removed with its files by rm_tree. */
static char *temp_dir(void)
{
	char *d = strdup("/tmp/glued-test-key-XXXXXX");
	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static void rm_tree(char *dir)
{
	DIR *d = opendir(dir);
	if (d != NULL) {
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			char path[1024];
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Make a key, get it back, sign and verify with it. */
static void make_get_sign(uint8_t alg, uint16_t flags, int siglen)
{
	char *dir = temp_dir();
	char err[600] = "";
	const uint8_t *origin = W("\3Lab\0");
	dnskey_t k, k2;
	bool made = false;
	int st = dnskey_get(dir, origin, alg, flags, &k, &made, err, sizeof(err));
	if (st != ST_OK)
		print_error("%s\n", err);
	assert_int_equal(st, ST_OK);
	assert_true(made);
	assert_int_equal(k.alg, alg);
	assert_int_equal(k.flags, flags);
	assert_int_equal(k.rdata[0] << 8 | k.rdata[1], flags);
	assert_int_equal(k.rdata[2], 3);
	assert_int_equal(k.rdata[3], alg);
	assert_int_equal(k.tag, dnskey_tag(k.rdata, k.rdlen));
	assert_int_equal(count_files(dir), 2);

	/* The files are named for the lowercased zone, alg and tag, and the
	 * private one is for the owner only. */
	char want[700];
	snprintf(want, sizeof(want), "%s/Klab.+%03u+%05u.private", dir, alg, k.tag);
	assert_string_equal(k.file, want);
	struct stat sb;
	assert_int_equal(stat(want, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	made = true;
	st = dnskey_get(dir, W("\3lAB\0"), alg, flags, &k2, &made, err, sizeof(err));
	if (st != ST_OK)
		print_error("%s\n", err);
	assert_int_equal(st, ST_OK);
	assert_false(made);
	assert_int_equal(k2.tag, k.tag);
	assert_int_equal(k2.rdlen, k.rdlen);
	assert_memory_equal(k2.rdata, k.rdata, k.rdlen);
	assert_string_equal(k2.file, k.file);
	assert_int_equal(count_files(dir), 2);

	/* Signed by the key read back, verified with the key made. */
	static const uint8_t data[] = "RRSIG signed data, any bytes at all";
	uint8_t sig[DNSKEY_SIG_MAX];
	int n = dnskey_sign(&k2, data, sizeof(data), sig);
	assert_int_equal(n, siglen);
	assert_int_equal(dnskey_verify(k.rdata, k.rdlen, data, sizeof(data), sig, (size_t)n), 1);
	sig[n / 2] ^= 0x01;
	assert_int_equal(dnskey_verify(k.rdata, k.rdlen, data, sizeof(data), sig, (size_t)n), 0);
	sig[n / 2] ^= 0x01;
	uint8_t other[sizeof(data)];
	memcpy(other, data, sizeof(data));
	other[0] ^= 0x20;
	assert_int_equal(dnskey_verify(k.rdata, k.rdlen, other, sizeof(other), sig, (size_t)n), 0);

	/* A key of the other role is a different, new key. */
	dnskey_t k3;
	uint16_t other_flags = flags ^ DNSKEY_FLAG_SEP;
	st = dnskey_get(dir, origin, alg, other_flags, &k3, &made, err, sizeof(err));
	assert_int_equal(st, ST_OK);
	assert_true(made);
	assert_int_equal(k3.flags, other_flags);
	assert_false(k3.rdlen == k.rdlen && memcmp(k3.rdata + 4, k.rdata + 4, k.rdlen - 4) == 0);
	assert_int_equal(count_files(dir), 4);

	dnskey_free(&k);
	dnskey_free(&k2);
	dnskey_free(&k3);
	dnskey_free(&k3); /* twice is safe */
	rm_tree(dir);
}

static void test_ecdsa(void **state)
{
	make_get_sign(DNSSEC_ALG_ECDSAP256SHA256, DNSKEY_FLAG_ZONE | DNSKEY_FLAG_SEP, 64);
}

static void test_ed25519(void **state) { make_get_sign(DNSSEC_ALG_ED25519, DNSKEY_FLAG_ZONE, 64); }

static void test_rsa(void **state) { make_get_sign(DNSSEC_ALG_RSASHA256, DNSKEY_FLAG_ZONE, 256); }

/* tests/data/keys/Kexample.+013+00404.{key,private}, made by
 * "dnssec-keygen -a ECDSAP256SHA256 -f KSK -K tests/data/keys example.". */
#define FIXTURE TEST_DATA_DIR "/keys/Kexample.+013+00404"

static void test_fixture_from_bind(void **state)
{
	dnskey_t k;
	char err[600] = "";
	int st = dnskey_read(FIXTURE ".key", &k, err, sizeof(err));
	if (st != ST_OK)
		print_error("%s\n", err);
	assert_int_equal(st, ST_OK);
	assert_int_equal(k.alg, 13);
	assert_int_equal(k.flags, 257);
	assert_int_equal(k.tag, 404);
	assert_int_equal(k.rdlen, 4 + 64);
	assert_string_equal(k.file, FIXTURE ".private");

	/* "dnssec-dsfromkey -2 Kexample.+013+00404.key" printed:
	 * example. IN DS 404 13 2 8BCD6649A95565599555936A3254DC07307D7D9987ABB993550C5697DA8EF048 */
	static const uint8_t want[DS_SHA256_RDLEN] = {
		0x01, 0x94, 13,   2,    0x8B, 0xCD, 0x66, 0x49, 0xA9, 0x55, 0x65, 0x59,
		0x95, 0x55, 0x93, 0x6A, 0x32, 0x54, 0xDC, 0x07, 0x30, 0x7D, 0x7D, 0x99,
		0x87, 0xAB, 0xB9, 0x93, 0x55, 0x0C, 0x56, 0x97, 0xDA, 0x8E, 0xF0, 0x48,
	};
	uint8_t ds[DS_SHA256_RDLEN];
	assert_int_equal(dnskey_ds(W("\7EXAMPLE\0"), k.rdata, k.rdlen, ds), ST_OK);
	assert_memory_equal(ds, want, sizeof(want));

	uint8_t sig[DNSKEY_SIG_MAX];
	int n = dnskey_sign(&k, W("abc"), 3, sig);
	assert_int_equal(n, 64);
	assert_int_equal(dnskey_verify(k.rdata, k.rdlen, W("abc"), 3, sig, 64), 1);
	dnskey_free(&k);

	/* dnskey_get finds it in the directory by zone, alg and flags. */
	bool made = true;
	st = dnskey_get(TEST_DATA_DIR "/keys", W("\7example\0"), 13, 257, &k, &made, err,
			sizeof(err));
	assert_int_equal(st, ST_OK);
	assert_false(made);
	assert_int_equal(k.tag, 404);
	dnskey_free(&k);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* The line of the fixture's .key that holds its DNSKEY record. */
#define FIXTURE_DNSKEY_LINE 5

/* err names path at line: "path:line", the number whole. */
static void expect_at(const char *err, const char *path, int line)
{
	char want[800];
	snprintf(want, sizeof(want), "%s:%d", path, line);
	const char *at = strstr(err, want);
	if (at == NULL || (at[strlen(want)] >= '0' && at[strlen(want)] <= '9'))
		print_error("expected \"%s\" in \"%s\"\n", want, err);
	assert_non_null(at);
	assert_false(at[strlen(want)] >= '0' && at[strlen(want)] <= '9');
}

static char *copy_fixture_with(const char *dir, const char *private_text)
{
	static char keypath[700];
	char path[700], line[256], key[1024] = "";
	FILE *f = fopen(FIXTURE ".key", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		strncat(key, line, sizeof(key) - strlen(key) - 1);
	fclose(f);
	snprintf(keypath, sizeof(keypath), "%s/Kexample.+013+00404.key", dir);
	write_file(keypath, key);
	snprintf(path, sizeof(path), "%s/Kexample.+013+00404.private", dir);
	write_file(path, private_text);
	return keypath;
}

static void test_bad_private(void **state)
{
	char *dir = temp_dir();
	char err[600] = "", privpath[700];
	dnskey_t k;
	snprintf(privpath, sizeof(privpath), "%s/Kexample.+013+00404.private", dir);

	const char *keypath = copy_fixture_with(dir, "Private-key-format: v1.3\n"
						     "Algorithm: 13 (ECDSAP256SHA256)\n"
						     "PrivateKey: not*base64!!\n");
	int st = dnskey_read(keypath, &k, err, sizeof(err));
	assert_true(st < 0);
	assert_non_null(strstr(err, privpath));
	assert_non_null(strstr(err, ":3:"));
	assert_null(k.pkey);
	/* dnskey_get meets the same file and fails the same way. */
	err[0] = '\0';
	st = dnskey_get(dir, W("\7example\0"), 13, 257, &k, NULL, err, sizeof(err));
	assert_true(st < 0);
	assert_non_null(strstr(err, privpath));

	/* Good base64 of another key: the .private does not match the .key.
	 * The error names the PrivateKey line and the .key's DNSKEY line. */
	copy_fixture_with(dir, "Private-key-format: v1.3\n"
			       "Algorithm: 13 (ECDSAP256SHA256)\n"
			       "PrivateKey: nhJ8xoqTVkRzEG/t+qWdXDzZsOfJUZ6ZkTYN6OEhfxM=\n");
	err[0] = '\0';
	st = dnskey_read(keypath, &k, err, sizeof(err));
	assert_int_equal(st, ST_ESEMANTIC);
	expect_at(err, privpath, 3);
	expect_at(err, keypath, FIXTURE_DNSKEY_LINE);
	assert_non_null(strstr(err, "does not match"));
	assert_null(k.pkey);

	/* The wrong algorithm: the Algorithm line, and the DNSKEY's. */
	copy_fixture_with(dir, "Private-key-format: v1.3\n"
			       "Algorithm: 15 (ED25519)\n"
			       "PrivateKey: nhJ8xoqTVkRzEG/t+qWdXDzZsOfJUZ6ZkTYN6OEhfxM=\n");
	err[0] = '\0';
	assert_int_equal(dnskey_read(keypath, &k, err, sizeof(err)), ST_ESEMANTIC);
	expect_at(err, privpath, 2);
	expect_at(err, keypath, FIXTURE_DNSKEY_LINE);
	assert_null(k.pkey);

	/* A missing .private. */
	unlink(privpath);
	err[0] = '\0';
	assert_int_equal(dnskey_read(keypath, &k, err, sizeof(err)), ST_EIO);
	assert_non_null(strstr(err, privpath));
	expect_at(err, keypath, FIXTURE_DNSKEY_LINE);
	rm_tree(dir);
}

/* A .private that is refused, with the file, the line and the words of
 * its error; dnskey_get meets it the same way and makes no other key. */
static void refused(const char *dir, const char *text, int status, int line, const char *words)
{
	char err[600] = "", privpath[700];
	dnskey_t k;
	snprintf(privpath, sizeof(privpath), "%s/Kexample.+013+00404.private", dir);
	const char *keypath = copy_fixture_with(dir, text);
	int st = dnskey_read(keypath, &k, err, sizeof(err));
	if (st != status)
		print_error("%s\n", err);
	assert_int_equal(st, status);
	expect_at(err, privpath, line);
	if (strstr(err, words) == NULL)
		print_error("expected \"%s\" in \"%s\"\n", words, err);
	assert_non_null(strstr(err, words));
	assert_null(k.pkey);
	err[0] = '\0';
	bool made = true;
	assert_int_equal(dnskey_get(dir, W("\7example\0"), 13, 257, &k, &made, err, sizeof(err)),
			 status);
	assert_false(made);
	expect_at(err, privpath, line);
	assert_int_equal(count_files(dir), 2);
}

#define GOOD_P256 "PrivateKey: nhJ8xoqTVkRzEG/t+qWdXDzZsOfJUZ6ZkTYN6OEhfxM=\n"

static void test_private_lines(void **state)
{
	char *dir = temp_dir();
	/* No Algorithm line: refused at the format line, naming the DNSKEY's. */
	refused(dir, "Private-key-format: v1.3\n" GOOD_P256, ST_ESYNTAX, 1,
		"without an Algorithm line");
	refused(dir, "; a comment first\nPrivate-key-format: v1.3\n\n" GOOD_P256 "Created: 1\n",
		ST_ESYNTAX, 2, "without an Algorithm line");
	/* An Algorithm that is no number, or says more than a name after it. */
	refused(dir, "Private-key-format: v1.3\nAlgorithm: ECDSAP256SHA256\n" GOOD_P256,
		ST_ESEMANTIC, 2, "does not match the DNSKEY's 13");
	refused(dir, "Private-key-format: v1.3\nAlgorithm: 13x\n" GOOD_P256, ST_ESEMANTIC, 2,
		"does not match");
	/* Two Algorithm lines, two PrivateKey lines: the second is refused. */
	refused(dir, "Private-key-format: v1.3\nAlgorithm: 13\nAlgorithm: 13\n" GOOD_P256,
		ST_ESYNTAX, 3, "a second Algorithm line (the first is line 2)");
	refused(dir, "Private-key-format: v1.3\nAlgorithm: 13\n" GOOD_P256 GOOD_P256, ST_ESYNTAX, 4,
		"a second PrivateKey line (the first is line 3)");
	/* No PrivateKey: the end of the file. */
	refused(dir, "Private-key-format: v1.3\nAlgorithm: 13\nCreated: 1\n\n", ST_ESYNTAX, 4,
		"no PrivateKey line");
	/* A scalar of zero is no P-256 key; 33 bytes are too many. */
	refused(dir,
		"Private-key-format: v1.3\nAlgorithm: 13\nCreated: 1\n"
		"PrivateKey: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		ST_ESYNTAX, 4, "not a valid ECDSAP256SHA256 private key");
	refused(dir,
		"Private-key-format: v1.3\nAlgorithm: 13\n"
		"PrivateKey: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
		ST_ESYNTAX, 3, "not a P-256 key");
	/* Not the format, or nothing at all. */
	refused(dir, "Algorithm: 13\n" GOOD_P256, ST_ESYNTAX, 1, "not a Private-key-format");
	refused(dir, "", ST_ESYNTAX, 1, "no Private-key-format line");
	refused(dir, "Private-key-format: v1.3\nAlgorithm 13\n", ST_ESYNTAX, 2,
		"expected \"Field: value\"");
	rm_tree(dir);
}

/* The .key's own errors name its DNSKEY line, or the end of the file. */
static void test_key_lines(void **state)
{
	char *dir = temp_dir();
	char err[600] = "", keypath[700];
	dnskey_t k;
	snprintf(keypath, sizeof(keypath), "%s/Kexample.+005+00404.key", dir);
	write_file(keypath, "; a comment\n\nexample. IN DNSKEY 257 3 5 AwEAAQ==\n");
	assert_int_equal(dnskey_read(keypath, &k, err, sizeof(err)), ST_EINVAL);
	expect_at(err, keypath, 3);
	assert_non_null(strstr(err, "algorithm 5 is not one glued signs with"));
	write_file(keypath, "; a comment\nexample. IN DNSKEY 257 3 x AwEAAQ==\n");
	assert_int_equal(dnskey_read(keypath, &k, err, sizeof(err)), ST_ESYNTAX);
	expect_at(err, keypath, 2);
	write_file(keypath, "; only\n; comments\n");
	assert_int_equal(dnskey_read(keypath, &k, err, sizeof(err)), ST_ESYNTAX);
	expect_at(err, keypath, 2);
	assert_non_null(strstr(err, "no DNSKEY record"));
	assert_null(k.pkey);
	rm_tree(dir);
}

static void test_unknown_alg(void **state)
{
	char *dir = temp_dir();
	char err[600] = "";
	dnskey_t k;
	bool made = true;
	assert_int_equal(dnskey_get(dir, W("\3lab\0"), 5, 257, &k, &made, err, sizeof(err)),
			 ST_EINVAL);
	assert_false(made);
	assert_null(k.pkey);
	assert_non_null(strstr(err, dir));
	assert_int_equal(count_files(dir), 0);
	rm_tree(dir);
}

static void test_makes_dir_and_root(void **state)
{
	char *dir = temp_dir();
	char sub[700], err[600] = "", want[800];
	snprintf(sub, sizeof(sub), "%s/keys", dir);
	dnskey_t k;
	bool made = false;
	int st = dnskey_get(sub, W("\0"), 15, 257, &k, &made, err, sizeof(err));
	assert_int_equal(st, ST_OK);
	assert_true(made);
	snprintf(want, sizeof(want), "%s/K.+015+%05u.private", sub, k.tag);
	assert_string_equal(k.file, want);
	dnskey_free(&k);
	rm_tree(strdup(sub));
	rm_tree(dir);
}

static void test_alg_names(void **state)
{
	assert_int_equal(dnssec_alg_parse("ECDSAP256SHA256"), 13);
	assert_int_equal(dnssec_alg_parse("ecdsap256sha256"), 13);
	assert_int_equal(dnssec_alg_parse("ecdsa-p256-sha256"), 13);
	assert_int_equal(dnssec_alg_parse("ED25519"), 15);
	assert_int_equal(dnssec_alg_parse("ed25519"), 15);
	assert_int_equal(dnssec_alg_parse("RSASHA256"), 8);
	assert_int_equal(dnssec_alg_parse("rsa-sha256"), 8);
	assert_int_equal(dnssec_alg_parse("13"), 13);
	assert_int_equal(dnssec_alg_parse("8"), 8);
	assert_int_equal(dnssec_alg_parse("15"), 15);
	assert_int_equal(dnssec_alg_parse("5"), -1);
	assert_int_equal(dnssec_alg_parse("RSASHA1"), -1);
	assert_int_equal(dnssec_alg_parse("13x"), -1);
	assert_int_equal(dnssec_alg_parse(""), -1);
	assert_string_equal(dnssec_alg_name(13), "ECDSAP256SHA256");
	assert_string_equal(dnssec_alg_name(15), "ED25519");
	assert_string_equal(dnssec_alg_name(8), "RSASHA256");
	assert_null(dnssec_alg_name(14));
}

/* RFC 4034 appendix B over a DNSKEY dnssec-keygen made (fixture above). */
static void test_tag_and_bad_rdata(void **state)
{
	static const uint8_t bogus[] = { 1, 1, 3, 13, 1, 2, 3 };
	uint8_t data[1] = { 0 }, sig[64] = { 0 };
	assert_true(dnskey_verify(bogus, sizeof(bogus), data, 1, sig, 64) < 0);
	static const uint8_t unknown[] = { 1, 1, 3, 99, 1, 2, 3 };
	assert_true(dnskey_verify(unknown, sizeof(unknown), data, 1, sig, 64) < 0);
	/* Sum over 16-bit words with the carry folded in once. */
	static const uint8_t r[] = { 0x01, 0x01, 0x03, 0x0d, 0xff, 0xff };
	assert_int_equal(dnskey_tag(r, sizeof(r)), (0x0101 + 0x030d + 0xffff + 1) & 0xffff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecdsa),
		cmocka_unit_test(test_ed25519),
		cmocka_unit_test(test_rsa),
		cmocka_unit_test(test_fixture_from_bind),
		cmocka_unit_test(test_bad_private),
		cmocka_unit_test(test_private_lines),
		cmocka_unit_test(test_key_lines),
		cmocka_unit_test(test_unknown_alg),
		cmocka_unit_test(test_makes_dir_and_root),
		cmocka_unit_test(test_alg_names),
		cmocka_unit_test(test_tag_and_bad_rdata),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
