/*
 * bench/signbench: glued's signing at load, alone, timed.
 *
 *   signbench -z [ORIGIN=]FILE -K KEYDIR [-a ALG] [-3 SALT] [-H ITER] [-A]
 *             [-s START] [-e END] [-g] [-w OUT]
 *
 * Loads FILE with zone_load() as glued does, gets the zone's key from
 * KEYDIR with dnskey_get() (made there first when there is none: a
 * combined signing key in BIND's K<zone>+<alg>+<tag>.key/.private files,
 * so that dnssec-signzone and ldns-signzone can be given the same key),
 * signs the zone with zone_sign() and prints one line of key=value pairs:
 * records in and out, the RRSIG, NSEC and NSEC3 records of the result,
 * the load time, the signing time (wall and CPU), peak RSS (getrusage
 * ru_maxrss, the whole process: both zones are held while signing, as in
 * glued) and peak RSS per record of the signed zone.
 *
 * The options follow dnssec-signzone's letters: -a algorithm (13, the
 * default, 8 or 15, or a mnemonic), -3 SALT for NSEC3 (hex, or "-" for
 * none; without -3: NSEC), -H extra iterations (default 0, RFC 9276), -A
 * opt-out, -s / -e the RRSIG inception and expiration (YYYYMMDDHHMMSS or
 * seconds since the epoch; default now - 1 h and now + 30 days).
 * -g gets or makes the key, prints its .key file and exits. -w OUT writes
 * the signed zone as a master file after the timing (glued itself never
 * writes signed zones; this is only so that a validator can check the
 * result: ldns-verify-zone OUT).
 *
 * Exit status: 0; 1 on an error; 3 when NSEC3 was asked for but the
 * signed zone has another kind of denial (the line is still printed).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/zone.h"
#include "dns/zone_build.h"
#include "dnssec/key.h"
#include "dnssec/sign.h"

static double now_s(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: signbench -z [ORIGIN=]FILE -K KEYDIR [-a ALG] [-3 SALT] [-H ITER] "
			"[-A] [-s START] [-e END] [-g] [-w OUT]\n");
	exit(2);
}

/* YYYYMMDDHHMMSS (UTC) or seconds since the epoch, as dnssec-signzone. */
static bool parse_time(const char *s, uint32_t *out)
{
	size_t n = strlen(s);
	if (n == 0 || strspn(s, "0123456789") != n)
		return false;
	if (n != 14) {
		unsigned long long v = strtoull(s, NULL, 10);
		*out = (uint32_t)v;
		return v <= UINT32_MAX;
	}
	struct tm tm = { 0 };
	if (sscanf(s, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec) != 6)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	*out = (uint32_t)t;
	return t >= 0;
}

/* "-" or "" is no salt; otherwise an even number of hex digits. */
static bool parse_salt(const char *s, uint8_t *salt, uint8_t *len)
{
	size_t n = strcmp(s, "-") == 0 ? 0 : strlen(s);
	if (n % 2 != 0 || n / 2 > 255)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = rdata_hexval((unsigned char)s[i]),
		    lo = rdata_hexval((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		salt[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = (uint8_t)(n / 2);
	return true;
}

typedef struct counts {
	size_t rrsig, nsec, nsec3, optout;
} counts_t;

static void count_node(void *ctx, const node_t *n)
{
	counts_t *c = ctx;
	for (uint16_t i = 0; i < n->nrrsets; i++) {
		const rrset_t *rs = &n->rrsets[i];
		if (rs->type == RR_RRSIG)
			c->rrsig += rs->count;
		else if (rs->type == RR_NSEC)
			c->nsec += rs->count;
		else if (rs->type == RR_NSEC3)
			c->nsec3 += rs->count;
	}
}

typedef struct dump {
	FILE *f;
	char *buf;
	size_t cap;
	int err;
	const node_t *skip; /* written already */
} dump_t;

/* Every record of a node as "owner TTL IN TYPE rdata"; an RRSIG gets the
 * TTL of the RRset it covers (its original TTL field), as signers write. */
static void dump_node(void *ctx, const node_t *n)
{
	dump_t *d = ctx;
	char owner[NAME_TEXT_MAX], tbuf[16];
	if (n->nrrsets == 0 || d->err || n == d->skip)
		return;
	if (name_to_text(n->name, owner, sizeof(owner)) < 0) {
		d->err = 1;
		return;
	}
	for (uint16_t i = 0; i < n->nrrsets; i++) {
		const rrset_t *rs = &n->rrsets[i];
		uint32_t pos = 0;
		const uint8_t *rd;
		uint16_t len;
		while (rrset_next(rs, &pos, &rd, &len)) {
			uint32_t ttl = rs->ttl;
			if (rs->type == RR_RRSIG && len >= 8)
				ttl = (uint32_t)rd[4] << 24 | (uint32_t)rd[5] << 16 |
				      (uint32_t)rd[6] << 8 | rd[7];
			if (rdata_to_text(rs->type, rd, len, d->buf, d->cap) < 0) {
				d->err = 1;
				return;
			}
			fprintf(d->f, "%s\t%u\tIN\t%s\t%s\n", owner, ttl,
				rrtype_to_text(rs->type, tbuf), d->buf);
		}
	}
}

static int write_zone(const zone_t *z, const char *path)
{
	dump_t d = { .f = fopen(path, "w"), .cap = 256 * 1024 };
	d.buf = malloc(d.cap);
	if (!d.f || !d.buf) {
		perror(path);
		if (d.f)
			fclose(d.f);
		free(d.buf);
		return -1;
	}
	/* The apex first, as master files start with the SOA. */
	dump_node(&d, zone_apex(z));
	d.skip = zone_apex(z);
	zone_walk(z, dump_node, &d);
	free(d.buf);
	if (fclose(d.f) != 0 || d.err) {
		fprintf(stderr, "signbench: %s: cannot write the signed zone\n", path);
		return -1;
	}
	return 0;
}

static size_t warnings;
static void warn_cb(void *ctx, const char *msg)
{
	(void)ctx;
	if (warnings++ < 5)
		fprintf(stderr, "signbench: warning: %s\n", msg);
}

int main(int argc, char **argv)
{
	const char *zarg = NULL, *keydir = NULL, *out = NULL;
	uint8_t alg = DNSSEC_ALG_ECDSAP256SHA256, salt[255], saltlen = 0;
	bool nsec3 = false, optout = false, keyonly = false, have_start = false, have_end = false;
	unsigned long iterations = 0;
	uint32_t start = 0, end = 0;
	char err[1024];
	int opt;

	while ((opt = getopt(argc, argv, "z:K:a:3:H:As:e:gw:")) != -1) {
		switch (opt) {
		case 'z':
			zarg = optarg;
			break;
		case 'K':
			keydir = optarg;
			break;
		case 'a': {
			int a = dnssec_alg_parse(optarg);
			if (a < 0) {
				fprintf(stderr,
					"signbench: glued does not sign with algorithm %s\n",
					optarg);
				return 1;
			}
			alg = (uint8_t)a;
			break;
		}
		case '3':
			nsec3 = true;
			if (!parse_salt(optarg, salt, &saltlen))
				usage();
			break;
		case 'H':
			iterations = strtoul(optarg, NULL, 10);
			if (iterations > UINT16_MAX)
				usage();
			break;
		case 'A':
			optout = true;
			break;
		case 's':
			have_start = parse_time(optarg, &start);
			if (!have_start)
				usage();
			break;
		case 'e':
			have_end = parse_time(optarg, &end);
			if (!have_end)
				usage();
			break;
		case 'g':
			keyonly = true;
			break;
		case 'w':
			out = optarg;
			break;
		default:
			usage();
		}
	}
	if (!zarg || !keydir || optind != argc)
		usage();

	uint8_t origin[NAME_MAXLEN];
	const uint8_t *op = NULL;
	const char *file = zarg, *eq = strchr(zarg, '=');
	if (eq) {
		if (name_from_text(zarg, (size_t)(eq - zarg), NULL, origin) < 0)
			usage();
		op = origin;
		file = eq + 1;
	}

	double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	zone_t *in = NULL;
	if (zone_load(file, op, warn_cb, NULL, &in, err, sizeof(err)) < 0) {
		fprintf(stderr, "signbench: %s\n", err);
		return 1;
	}
	double t1 = now_s(CLOCK_MONOTONIC), c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);

	dnskey_t key = { 0 };
	bool made = false;
	if (dnskey_get(keydir, zone_origin(in), alg, DNSKEY_FLAG_ZONE | DNSKEY_FLAG_SEP, &key,
		       &made, err, sizeof(err)) < 0) {
		fprintf(stderr, "signbench: %s\n", err);
		zone_free(in);
		return 1;
	}
	if (keyonly) {
		/* key->file is the .private; the .key sits beside it. */
		size_t l = strlen(key.file);
		if (l > 8 && strcmp(key.file + l - 8, ".private") == 0)
			printf("%.*s.key\n", (int)(l - 8), key.file);
		else
			printf("%s\n", key.file);
		dnskey_free(&key);
		zone_free(in);
		return 0;
	}

	uint32_t now = (uint32_t)time(NULL);
	sign_opts_t so = { .key = &key,
			   .inception = have_start ? start : now - 3600,
			   .expiration = have_end ? end : now + DNSSEC_DEFAULT_VALIDITY,
			   .denial = nsec3 ? DNSSEC_DENIAL_NSEC3 : DNSSEC_DENIAL_NSEC,
			   .iterations = (uint16_t)iterations,
			   .saltlen = saltlen,
			   .salt = saltlen ? salt : NULL,
			   .optout = optout };
	double t2 = now_s(CLOCK_MONOTONIC), c2 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	zone_t *sz = NULL;
	if (zone_sign(in, &so, warn_cb, NULL, &sz, err, sizeof(err)) < 0) {
		fprintf(stderr, "signbench: %s\n", err);
		dnskey_free(&key);
		zone_free(in);
		return 1;
	}
	double t3 = now_s(CLOCK_MONOTONIC), c3 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);

	counts_t c = { 0 };
	zone_walk(sz, count_node, &c);
	zone_dnssec_info_t info;
	zone_dnssec_info(sz, &info);
	size_t rin = zone_record_count(in), rout = zone_record_count(sz);
	char tag[8];
	snprintf(tag, sizeof(tag), "%u", key.tag);
	printf("records_in=%zu records_out=%zu rrsig=%zu nsec=%zu nsec3=%zu optout=%zu "
	       "denial=%s alg=%u tag=%s key=%s load_s=%.3f load_cpu_s=%.3f sign_s=%.3f "
	       "sign_cpu_s=%.3f total_s=%.3f total_cpu_s=%.3f peak_rss_kb=%ld "
	       "bytes_per_record=%.0f warnings=%zu\n",
	       rin, rout, c.rrsig, c.nsec, c.nsec3, info.optout, info.denial, key.alg, tag,
	       made ? "made" : "read", t1 - t0, c1 - c0, t3 - t2, c3 - c2, (t1 - t0) + (t3 - t2),
	       (c1 - c0) + (c3 - c2), ru.ru_maxrss,
	       rout ? (double)ru.ru_maxrss * 1024.0 / (double)rout : 0.0, warnings);
	fflush(stdout);

	int rc = 0;
	if (out && write_zone(sz, out) < 0)
		rc = 1;
	if (rc == 0 && nsec3 && strcmp(info.denial, "NSEC3") != 0) {
		fprintf(stderr, "signbench: asked for NSEC3, the signed zone has %s\n",
			info.denial);
		rc = 3;
	}
	dnskey_free(&key);
	zone_free(sz);
	zone_free(in);
	return rc;
}
