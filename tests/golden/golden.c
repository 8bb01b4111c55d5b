/*
 * golden.c -- data-driven engine tests, in process.
 *
 * A case file loads zones, sets a glue policy, and lists queries, each
 * followed by the expected response as msg_to_text() prints it, ending at a
 * blank line:
 *
 *   # comment
 *   zone lab. ../../zones/lab.zone      (path relative to the case file)
 *   glue MODE [RULE-OPTIONS]            server glue rule: full|in-domain|none|
 *                                       partial|wrong
 *   truncation rfc9471|legacy|always    server truncation mode
 *   zoneglue lab. MODE [RULE-OPTIONS]   the rule of one zone
 *   deleg lab. example.lab. MODE [RULE-OPTIONS]   the rule of one delegation
 *   fault server|ORIGIN ACTION [name=N] [type=T] [every=N] [delay=MS]
 *         [upward=NAME,...] [ede=CODE|none] [ede-text=WORD]
 *     (refuse and servfail get their default EDE as in YAML; in WORD, '_'
 *     stands for a blank)
 *     RULE-OPTIONS: first=N names=a.,b. a=IPV4 aaaa=IPV6 trunc=MODE
 *     (MODE "inherit" keeps the glue mode and sets only trunc=)
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
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/msg.h"
#include "dns/name.h"
#include "dns/query.h"
#include "dns/rdata.h"
#include "dns/respond.h"
#include "dns/wire.h"
#include "dns/zoneset.h"

#define MAX_ZONES 32
#define MAX_EACH 16
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

static int parse_name(const char *text, uint8_t *out)
{
	int n = name_from_text(text, strlen(text), NULL, out);
	if (n < 0)
		return -1;
	name_lower(out, out);
	return 0;
}

/* "MODE [key=value...]" after the fixed words of a directive. */
static int parse_rule(char *save, const char *mode, glue_rule_t *r)
{
	*r = GLUE_RULE_INHERIT;
	if (strcmp(mode, "inherit") != 0 && glue_mode_from_str(mode, &r->mode) != 0)
		return -1;
	for (char *o; (o = strtok_r(NULL, " \t", &save));) {
		if (strncmp(o, "first=", 6) == 0) {
			r->first = (uint16_t)atoi(o + 6);
		} else if (strncmp(o, "names=", 6) == 0) {
			char *s2 = NULL;
			for (char *n = strtok_r(o + 6, ",", &s2); n; n = strtok_r(NULL, ",", &s2))
				if (r->nnames >= RULE_MAX_NAMES ||
				    parse_name(n, r->names[r->nnames++]))
					return -1;
		} else if (strncmp(o, "a=", 2) == 0) {
			if (inet_pton(AF_INET, o + 2, r->wrong_a) != 1)
				return -1;
			r->has_wrong_a = true;
		} else if (strncmp(o, "aaaa=", 5) == 0) {
			if (inet_pton(AF_INET6, o + 5, r->wrong_aaaa) != 1)
				return -1;
			r->has_wrong_aaaa = true;
		} else if (strncmp(o, "trunc=", 6) == 0) {
			if (trunc_mode_from_str(o + 6, &r->truncation) != 0)
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

static int parse_fault(char *save, const char *action, fault_t *f)
{
	memset(f, 0, sizeof(*f));
	f->every = 1;
	if (fault_action_from_str(action, &f->action) != 0)
		return -1;
	fault_ede_default(f);
	for (char *o; (o = strtok_r(NULL, " \t", &save));) {
		if (strncmp(o, "name=", 5) == 0) {
			if (parse_name(o + 5, f->name))
				return -1;
			f->has_name = true;
		} else if (strncmp(o, "type=", 5) == 0) {
			if (rrtype_from_text(o + 5, strlen(o + 5), &f->type) != 0)
				return -1;
		} else if (strncmp(o, "every=", 6) == 0) {
			f->every = (uint32_t)atoi(o + 6);
		} else if (strncmp(o, "delay=", 6) == 0) {
			f->delay_ms = (uint32_t)atoi(o + 6);
		} else if (strcmp(o, "ede=none") == 0) {
			f->has_ede = false;
		} else if (strncmp(o, "ede=", 4) == 0) {
			f->has_ede = true;
			f->ede_code = (uint16_t)atoi(o + 4);
		} else if (strncmp(o, "ede-text=", 9) == 0) {
			/* One word: '_' stands for a blank. */
			size_t len = strlen(o + 9);
			if (len > EDE_TEXT_MAX)
				return -1;
			for (size_t i = 0; i < len; i++)
				f->ede_text[i] = o[9 + i] == '_' ? ' ' : o[9 + i];
			f->ede_text[len] = '\0';
			f->ede_textlen = (uint8_t)len;
		} else if (strncmp(o, "upward=", 7) == 0) {
			char *s2 = NULL;
			for (char *n = strtok_r(o + 7, ",", &s2); n; n = strtok_r(NULL, ",", &s2))
				if (f->nupward >= RULE_MAX_NAMES ||
				    parse_name(n, f->upward[f->nupward++]))
					return -1;
		} else {
			return -1;
		}
	}
	return 0;
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
	size_t n = msg_build_query(out, cap, 0x1234, rd ? DNS_RD : 0, qname, qtype, qclass,
				   edns ? (uint16_t)bufsize : 0, do_bit);
	if (n && edns)
		out[n - 5] = (uint8_t)version; /* the OPT TTL's version byte */
	*limit = *tcp ? 65535 : !edns ? 512 : bufsize < 512 ? 512 : bufsize > 1232 ? 1232 : bufsize;
	return n;
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

	static zone_spec_t specs[MAX_ZONES];
	static deleg_spec_t delegs[MAX_ZONES][MAX_EACH];
	static fault_t zfaults[MAX_ZONES][MAX_EACH], sfaults[MAX_EACH];
	char *origins[MAX_ZONES], *files[MAX_ZONES];
	size_t nspecs = 0;
	server_spec_t server = { .rule = GLUE_RULE_INHERIT, .faults = sfaults };
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
			char copy[2048];
			snprintf(copy, sizeof(copy), "%s", line);
			char *ls = NULL;
			char *word = strtok_r(copy, " \t", &ls);
			char *a1 = word ? strtok_r(NULL, " \t", &ls) : NULL;
			char *a2 = a1 ? strtok_r(NULL, " \t", &ls) : NULL;
			size_t zi = nspecs;
			for (size_t i = 0; a1 && i < nspecs; i++)
				if (strcmp(specs[i].origin, a1) == 0)
					zi = i;
			int bad = 0;
			if (!word || word[0] == '#') {
				/* comment */
			} else if (strcmp(word, "zone") == 0 && a1 && a2 && nspecs < MAX_ZONES) {
				origins[nspecs] = strdup(a1);
				files[nspecs] = malloc(strlen(dir) + strlen(a2) + 2);
				sprintf(files[nspecs], "%s/%s", dir, a2);
				specs[nspecs] = (zone_spec_t){ .origin = origins[nspecs],
							       .file = files[nspecs],
							       .rule = GLUE_RULE_INHERIT,
							       .delegs = delegs[nspecs],
							       .faults = zfaults[nspecs] };
				nspecs++;
			} else if (strcmp(word, "glue") == 0 && a1) {
				uint8_t t = server.rule.truncation;
				/* Re-tokenize from the mode on. */
				char *s3 = NULL;
				char tmp[2048];
				snprintf(tmp, sizeof(tmp), "%s", line);
				strtok_r(tmp, " \t", &s3);
				char *mode = strtok_r(NULL, " \t", &s3);
				bad = parse_rule(s3, mode, &server.rule);
				if (server.rule.truncation == TRUNC_INHERIT)
					server.rule.truncation = t;
			} else if (strcmp(word, "truncation") == 0 && a1) {
				bad = trunc_mode_from_str(a1, &server.rule.truncation);
			} else if ((strcmp(word, "zoneglue") == 0 || strcmp(word, "deleg") == 0 ||
				    strcmp(word, "fault") == 0) &&
				   a1 && a2) {
				char tmp[2048], *s3 = NULL;
				snprintf(tmp, sizeof(tmp), "%s", line);
				strtok_r(tmp, " \t", &s3);
				strtok_r(NULL, " \t", &s3); /* scope */
				char *arg = strtok_r(NULL, " \t", &s3);
				if (strcmp(word, "fault") == 0) {
					fault_t *f;
					if (strcmp(a1, "server") == 0 && server.nfaults < MAX_EACH)
						f = &sfaults[server.nfaults++];
					else if (zi < nspecs && specs[zi].nfaults < MAX_EACH)
						f = &zfaults[zi][specs[zi].nfaults++];
					else
						f = NULL;
					bad = !f || parse_fault(s3, arg, f);
				} else if (zi >= nspecs) {
					bad = 1;
				} else if (strcmp(word, "zoneglue") == 0) {
					bad = parse_rule(s3, arg, &specs[zi].rule);
				} else if (specs[zi].ndelegs < MAX_EACH) {
					deleg_spec_t *d = &delegs[zi][specs[zi].ndelegs++];
					memset(d, 0, sizeof(*d));
					char *mode = strtok_r(NULL, " \t", &s3);
					bad = parse_name(arg, d->name) || !mode ||
					      parse_rule(s3, mode, &d->rule);
				} else {
					bad = 1;
				}
			} else {
				bad = 1;
			}
			if (bad) {
				fprintf(stderr, "%s: bad directive: %s\n", path, line);
				return 2;
			}
			line = strtok_r(NULL, "\n", &save);
			continue;
		}
		if (!zs) {
			server.zones = specs;
			server.nzones = nspecs;
			if (zoneset_load(&server, NULL, NULL, &zs, err, sizeof(err)) != ST_OK) {
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
		explain_t ex;
		size_t rlen = respond(zs, req, qlen, tcp, resp, NULL, &ex);
		int pre = ex.delay_ms
				  ? snprintf(got, sizeof(got), ";; delayed %u ms\n", ex.delay_ms)
				  : 0;
		int k = rlen ? msg_to_text(resp, rlen, got + pre, sizeof(got) - (size_t)pre)
			     : snprintf(got + pre, sizeof(got) - (size_t)pre, ";; dropped\n");
		if (k < 0) {
			fprintf(stderr, "%s: %s: response does not parse: %s\n", path, line,
				status_str(k));
			failures++;
			k = snprintf(got, sizeof(got), ";; unparseable\n");
		}
		if (rlen > limit) {
			fprintf(stderr, "%s: %s: response of %zu bytes over the limit %zu\n", path,
				line, rlen, limit);
			failures++;
		}
		/* Gather the expected block: lines up to the next query/blank. */
		char expect[TEXT_MAX];
		size_t elen = 0;
		char *qtext = line;
		line = strtok_r(NULL, "\n", &save);
		while (line && (strncmp(line, ";;", 2) == 0 || strchr(line, '\t') != NULL)) {
			elen += (size_t)snprintf(expect + elen, sizeof(expect) - elen, "%s\n",
						 line);
			line = strtok_r(NULL, "\n", &save);
		}
		expect[elen] = 0;
		if (upd) {
			fprintf(upd, "%s\n%s\n", qtext, got);
		} else if (strcmp(expect, got) != 0) {
			failures++;
			fprintf(stderr, "FAIL %s: %s\n--- expected\n%s--- got\n%s\n", path, qtext,
				expect, got);
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
