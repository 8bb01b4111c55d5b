/*
 * golden.c -- data-driven engine tests, in process.
 *
 * A case file loads zones, sets a glue policy, and lists queries, each
 * followed by the expected response as msg_to_text() prints it, ending at a
 * blank line:
 *
 *   # comment
 *   zone lab. ../../zones/lab.zone      (path relative to the case file)
 *   glue full|in-domain|none
 *   zoneglue lab. none                  (policy of one zone)
 *
 *   query www.example.lab. A [do] [tcp] [rd] [noedns] [bufsize=N] [edns=V]
 *                              [class=ANY|CH]
 *   ;; opcode QUERY rcode NOERROR flags qr
 *   ...
 *
 * `golden FILE` checks every query and exits 1 on any difference (printing
 * both); `golden --update FILE` rewrites the expected blocks (review the diff
 * before committing it). Every response is also checked against the size
 * limit that applied and for a parseable structure.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/msg.h"
#include "dns/name.h"
#include "dns/query.h"
#include "dns/rdata.h"
#include "dns/respond.h"
#include "dns/wire.h"
#include "dns/zoneset.h"

#define MAX_ZONES 32
#define TEXT_MAX (1 << 20)

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = 0;
		*len = (size_t)n;
	}
	return buf;
}

static int parse_policy(const char *s)
{
	if (strcmp(s, "full") == 0)
		return GLUE_FULL;
	if (strcmp(s, "in-domain") == 0)
		return GLUE_IN_DOMAIN;
	if (strcmp(s, "none") == 0)
		return GLUE_NONE;
	return -1;
}

/* Build a request from "name type [options]". Returns its length or 0. */
static size_t build_query(char *line, uint8_t *out, size_t cap, bool *tcp, size_t *limit)
{
	char *save = NULL;
	char *name = strtok_r(line, " \t", &save);
	char *type = strtok_r(NULL, " \t", &save);
	if (!name || !type)
		return 0;
	uint16_t qtype;
	if (rrtype_from_text(type, strlen(type), &qtype) != 0)
		return 0;
	bool edns = true, do_bit = false, rd = false;
	unsigned bufsize = 1232, version = 0;
	uint16_t qclass = CLASS_IN;
	*tcp = false;
	for (char *o; (o = strtok_r(NULL, " \t", &save));) {
		if (strcmp(o, "do") == 0)
			do_bit = true;
		else if (strcmp(o, "tcp") == 0)
			*tcp = true;
		else if (strcmp(o, "rd") == 0)
			rd = true;
		else if (strcmp(o, "noedns") == 0)
			edns = false;
		else if (strncmp(o, "bufsize=", 8) == 0)
			bufsize = (unsigned)atoi(o + 8);
		else if (strncmp(o, "edns=", 5) == 0)
			version = (unsigned)atoi(o + 5);
		else if (strcmp(o, "class=ANY") == 0)
			qclass = CLASS_ANY;
		else if (strcmp(o, "class=CH") == 0)
			qclass = CLASS_CH;
		else
			return 0;
	}
	uint8_t qname[NAME_MAXLEN];
	int nl = name_from_text(name, strlen(name), NULL, qname);
	if (nl < 0)
		return 0;
	wire_wr_t w;
	wire_wr_init(&w, out, cap);
	wire_wr_u16(&w, 0x1234);
	wire_wr_u16(&w, rd ? DNS_RD : 0);
	wire_wr_u16(&w, 1);
	wire_wr_u16(&w, 0);
	wire_wr_u16(&w, 0);
	wire_wr_u16(&w, edns ? 1 : 0);
	wire_wr_bytes(&w, qname, (size_t)nl);
	wire_wr_u16(&w, qtype);
	wire_wr_u16(&w, qclass);
	if (edns) {
		wire_wr_u8(&w, 0);
		wire_wr_u16(&w, RR_OPT);
		wire_wr_u16(&w, (uint16_t)bufsize);
		wire_wr_u32(&w, (uint32_t)version << 16 | (do_bit ? 0x8000u : 0));
		wire_wr_u16(&w, 0);
	}
	*limit = *tcp ? 65535 : !edns ? 512 : bufsize < 512 ? 512 : bufsize > 1232 ? 1232 : bufsize;
	return w.err ? 0 : w.pos;
}

int main(int argc, char **argv)
{
	bool update = argc == 3 && strcmp(argv[1], "--update") == 0;
	if (argc != 2 && !update) {
		fprintf(stderr, "usage: golden [--update] FILE.case\n");
		return 2;
	}
	const char *path = argv[argc - 1];
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 2;
	}
	char dir[1024] = ".";
	const char *slash = strrchr(path, '/');
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);

	zone_spec_t specs[MAX_ZONES];
	char *origins[MAX_ZONES], *files[MAX_ZONES];
	size_t nspecs = 0;
	int policy = GLUE_FULL;
	zoneset_t *zs = NULL;
	char err[1024];

	FILE *upd = NULL;
	char *updtext = NULL;
	size_t updlen = 0;
	if (update)
		upd = open_memstream(&updtext, &updlen);

	static uint8_t req[4096], resp[RESPOND_MAX];
	static char got[TEXT_MAX];
	int failures = 0, queries = 0, lineno = 0;
	char *save = NULL;
	char *line = strtok_r(text, "\n", &save);
	/* strtok_r skips blank lines; track blocks by the "query" keyword. */
	while (line) {
		lineno++;
		if (strncmp(line, "query ", 6) != 0) {
			if (upd)
				fprintf(upd, "%s\n", line);
			char a[512], b[1024], c[64];
			if (sscanf(line, "zone %511s %1023s", a, b) == 2 && nspecs < MAX_ZONES) {
				origins[nspecs] = strdup(a);
				files[nspecs] = malloc(strlen(dir) + strlen(b) + 2);
				sprintf(files[nspecs], "%s/%s", dir, b);
				specs[nspecs] = (zone_spec_t){origins[nspecs], files[nspecs], GLUE_INHERIT};
				nspecs++;
			} else if (sscanf(line, "glue %63s", c) == 1) {
				policy = parse_policy(c);
				if (policy < 0) {
					fprintf(stderr, "%s: bad glue policy %s\n", path, c);
					return 2;
				}
			} else if (sscanf(line, "zoneglue %511s %63s", a, c) == 2) {
				for (size_t i = 0; i < nspecs; i++)
					if (strcmp(specs[i].origin, a) == 0)
						specs[i].glue_policy = (uint8_t)parse_policy(c);
			}
			line = strtok_r(NULL, "\n", &save);
			continue;
		}
		if (!zs) {
			if (zoneset_load(specs, nspecs, (uint8_t)policy, NULL, NULL, &zs, err,
					 sizeof(err)) != ST_OK) {
				fprintf(stderr, "%s: loading zones: %s\n", path, err);
				return 1;
			}
		}
		char qline[1024];
		snprintf(qline, sizeof(qline), "%s", line + 6);
		bool tcp;
		size_t limit;
		size_t qlen = build_query(qline, req, sizeof(req), &tcp, &limit);
		if (qlen == 0) {
			fprintf(stderr, "%s: bad query line: %s\n", path, line);
			return 2;
		}
		queries++;
		size_t rlen = respond(zs, req, qlen, tcp, resp, NULL, NULL);
		int k = rlen ? msg_to_text(resp, rlen, got, sizeof(got)) : snprintf(got, sizeof(got), ";; dropped\n");
		if (k < 0) {
			fprintf(stderr, "%s: %s: response does not parse: %s\n", path, line, status_str(k));
			failures++;
			k = snprintf(got, sizeof(got), ";; unparseable\n");
		}
		if (rlen > limit) {
			fprintf(stderr, "%s: %s: response of %zu bytes over the limit %zu\n", path, line,
				rlen, limit);
			failures++;
		}
		/* Gather the expected block: lines up to the next query/blank. */
		char expect[TEXT_MAX];
		size_t elen = 0;
		char *qtext = line;
		line = strtok_r(NULL, "\n", &save);
		while (line && (strncmp(line, ";;", 2) == 0 || strchr(line, '\t') != NULL)) {
			elen += (size_t)snprintf(expect + elen, sizeof(expect) - elen, "%s\n", line);
			line = strtok_r(NULL, "\n", &save);
		}
		expect[elen] = 0;
		if (upd) {
			fprintf(upd, "%s\n%s\n", qtext, got);
		} else if (strcmp(expect, got) != 0) {
			failures++;
			fprintf(stderr, "FAIL %s: %s\n--- expected\n%s--- got\n%s\n", path, qtext, expect, got);
		}
	}
	if (upd) {
		fclose(upd);
		FILE *f = fopen(path, "w");
		if (!f || fwrite(updtext, 1, updlen, f) != updlen) {
			fprintf(stderr, "%s: cannot write\n", path);
			return 2;
		}
		fclose(f);
		free(updtext);
	}
	for (size_t i = 0; i < nspecs; i++) {
		free(origins[i]);
		free(files[i]);
	}
	zoneset_free(zs);
	free(text);
	printf("%d passed, %d failed\n", queries - failures, failures);
	return failures ? 1 : 0;
}
