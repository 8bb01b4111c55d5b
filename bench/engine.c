/*
 * bench/engine: the query engine alone, without sockets or the kernel.
 *
 *   engine -z ORIGIN=FILE [-z ...] -f QUERIES [-n PASSES] [-s SEED] [-c KIB] [-p]
 *
 * Loads the zones as glued does, builds every query of QUERIES (lines of
 * "NAME TYPE", as bench/loadgen reads them; EDNS 1232 like loadgen), then
 * answers them with respond() PASSES times (default 20), each pass in a
 * new random order, and prints the nanoseconds per query of the best pass
 * and of the median pass. -c KIB reads through a buffer of that size after
 * every 20 queries (one recvmmsg batch of glued), standing in for the cache
 * lines the kernel's network stack evicts between batches; 0 (the default)
 * leaves the caches to the engine. -p answers in batches of 20 through the
 * engine's batch API (respond_batch_add each query, respond_batch_finish,
 * respond_batch_answer each), as glued's UDP path does.
 *
 * User-space cost only, repeatable to a few percent on a quiet machine: the
 * tool for deciding between two layouts of the zone data, before bench/run
 * measures what a change gives end to end.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis/msg.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/respond.h"
#include "dns/zone.h"
#include "dns/zone_build.h"
#include "dns/zoneset.h"

#define MAX_ZONES 16
#define BATCH RESPOND_BATCH_MAX /* one recvmmsg batch of glued */

typedef struct bquery {
	uint16_t len;
	uint8_t wire[300];
} bquery_t;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: engine -z ORIGIN=FILE [-z ...] -f QUERIES [-n PASSES] [-s SEED] [-c KIB] [-p]\n");
	exit(2);
}

static bquery_t *read_queries(const char *path, size_t *count)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(1);
	}
	size_t n = 0, cap = 1024;
	bquery_t *qs = malloc(cap * sizeof(*qs));
	char line[512];
	while (qs && fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		char *type = sp + 1;
		type[strcspn(type, " \t\r\n")] = '\0';
		uint8_t qname[NAME_MAXLEN];
		uint16_t qtype;
		if (name_from_text(line, (size_t)(sp - line), NULL, qname) < 0 ||
		    rrtype_from_text(type, strlen(type), &qtype) < 0) {
			fprintf(stderr, "engine: %s: cannot read '%s'\n", path, line);
			exit(1);
		}
		if (n == cap) {
			cap *= 2;
			bquery_t *nq = realloc(qs, cap * sizeof(*qs));
			if (!nq)
				break;
			qs = nq;
		}
		qs[n].len = (uint16_t)msg_build_query(qs[n].wire, sizeof(qs[n].wire), (uint16_t)n,
						      0, qname, qtype, 1, 1232, false);
		n++;
	}
	fclose(f);
	if (!qs || n == 0) {
		fprintf(stderr, "engine: %s: no queries\n", path);
		exit(1);
	}
	*count = n;
	return qs;
}

int main(int argc, char **argv)
{
	zone_t *zones[MAX_ZONES];
	size_t nzones = 0, passes = 20, cache_kib = 0;
	int prefetch = 0;
	respond_batch_t *rb = respond_batch_new();
	const char *qfile = NULL;
	char err[512];
	int opt;

	while ((opt = getopt(argc, argv, "z:f:n:s:c:p")) != -1) {
		switch (opt) {
		case 'z': {
			char *eq = strchr(optarg, '=');
			uint8_t origin[NAME_MAXLEN];
			if (!eq || nzones == MAX_ZONES ||
			    name_from_text(optarg, (size_t)(eq - optarg), NULL, origin) < 0)
				usage();
			if (zone_load(eq + 1, origin, NULL, NULL, &zones[nzones], err,
				      sizeof(err)) < 0) {
				fprintf(stderr, "engine: %s\n", err);
				return 1;
			}
			nzones++;
			break;
		}
		case 'f':
			qfile = optarg;
			break;
		case 'n':
			passes = strtoul(optarg, NULL, 10);
			break;
		case 's':
			rng_state = strtoull(optarg, NULL, 10) | 1;
			break;
		case 'c':
			cache_kib = strtoul(optarg, NULL, 10);
			break;
		case 'p':
			prefetch = 1;
			break;
		default:
			usage();
		}
	}
	if (nzones == 0 || !qfile || passes == 0)
		usage();

	zoneset_t *zs;
	if (zoneset_from_zones(zones, nzones, GLUE_FULL, &zs, err, sizeof(err)) < 0) {
		fprintf(stderr, "engine: %s\n", err);
		return 1;
	}
	size_t nq;
	bquery_t *qs = read_queries(qfile, &nq);
	size_t *order = malloc(nq * sizeof(*order));
	/* Each pass reads its queries in order from this copy, as glued reads
	 * each one from the datagram the kernel has just written. */
	bquery_t *run = malloc(nq * sizeof(*run));
	uint64_t *ns = malloc(passes * sizeof(*ns));
	uint8_t *out = malloc(RESPOND_MAX);
	size_t clen = cache_kib * 1024;
	volatile uint8_t *cbuf = clen ? calloc(clen, 1) : NULL;
	if (!rb || !order || !run || !ns || !out || (clen && !cbuf))
		return 1;
	for (size_t i = 0; i < nq; i++)
		order[i] = i;

	size_t bytes = 0, empty = 0;
	for (size_t p = 0; p < passes; p++) {
		for (size_t i = nq - 1; i > 0; i--) {
			size_t j = (size_t)(rng() % (i + 1)), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (size_t i = 0; i < nq; i++)
			run[i] = qs[order[i]];
		uint64_t t0 = now_ns();
		for (size_t i = 0; i < nq; i++) {
			const bquery_t *q = &run[i];
			size_t n;
			if (prefetch) {
				/* What glued's UDP path does with each batch. */
				if (i % BATCH == 0) {
					size_t m = nq - i < BATCH ? nq - i : BATCH;
					respond_batch_clear(rb);
					for (size_t k = 0; k < m; k++)
						(void)respond_batch_add(rb, zs, run[i + k].wire,
									run[i + k].len);
					respond_batch_finish(rb);
				}
				n = respond_batch_answer(rb, (unsigned)(i % BATCH), out, NULL);
			} else {
				n = respond(zs, q->wire, q->len, false, out, NULL, NULL);
			}
			bytes += n;
			empty += n == 0;
			if (cbuf && i % BATCH == BATCH - 1) {
				/* Not timed: the kernel's share. */
				uint64_t t1 = now_ns();
				for (size_t k = 0; k < clen; k += 64)
					cbuf[k]++;
				t0 += now_ns() - t1;
			}
		}
		ns[p] = now_ns() - t0;
	}
	qsort(ns, passes, sizeof(*ns), cmp_u64);
	printf("queries=%zu passes=%zu best_ns=%.1f median_ns=%.1f avg_bytes=%.1f dropped=%zu\n",
	       nq, passes, (double)ns[0] / (double)nq, (double)ns[passes / 2] / (double)nq,
	       (double)bytes / (double)(nq * passes), empty / passes);
	zoneset_free(zs);
	respond_batch_free(rb);
	free(qs);
	free(order);
	free(run);
	free(ns);
	free(out);
	free((void *)cbuf);
	return 0;
}
