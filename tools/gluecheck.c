/*
 * gluecheck -- walk a delegation live, like `dig +trace`, and name what is
 * wrong with it in the same codes and fix lines as `glued --check`.
 *
 *   gluecheck [options] DOMAIN [@ADDR[:PORT]]
 *
 * The walk, the probes and the judgements are the analyses' (server/
 * analysis/trace.c, judge.c, sim.c for NS names without glue); this file is
 * what makes them live: the command line, real UDP and TCP sockets as the
 * walk's network, and the output (text, JSON lines, a Graphviz graph).
 *
 * With --trust-anchor FILE it then validates the domain's SOA as a
 * validating resolver would, from the same starting server over the same
 * sockets (sim.c with a trust anchor: DS and DNSKEY at every step), and
 * when that is secure, the NXDOMAIN of a name below it that does not exist
 * (NX_LABEL), which only the zone's NSEC or NSEC3 records can prove. It
 * says secure, insecure or bogus, and names what failed with the DNSSEC
 * codes of glued --check (dnssec_code: DS_MATCHES_NO_DNSKEY,
 * RRSIG_EXPIRED, ..., DNSSEC_BOGUS for a failure no other code names).
 *
 * Sockets are non-blocking and every wait is bounded by poll(). Only the
 * addresses the walk asks for are ever sent to: the one it was given, the
 * ones it was referred to, and the --child addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "analysis/check.h"
#include "analysis/msg.h"
#include "analysis/sim.h"
#include "analysis/trace.h"
#include "analysis/validate.h"
#include "dns/name.h"
#include "dns/query.h"
#include "dns/rdata.h"
#include "dns/wire.h"
#include "util/text.h"

#define GC_DEFAULT_START "127.0.0.2"
#define GC_DEFAULT_PORT 5300 /* the bundled lab's port */
typedef struct opts {
	uint16_t port;
	int timeout_ms;
	int tries;
	bool ipv6;
	bool json;
	const char *dot;
	sim_addr_t start;
	sim_addr_t child[TRACE_MAX_CHILD];
	size_t nchild;
	uint8_t domain[NAME_MAXLEN];
	const char *anchor_file; /* --trust-anchor */
	val_ds_t anchor[8];
	size_t nanchor;
} opts_t;

/* One exchange's result: the response bytes, or why there are none. */
typedef struct reply {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err; /* 0, ETIMEDOUT, ECONNREFUSED, ... */
} reply_t;

/* The label of the name below DOMAIN whose NXDOMAIN shows the denial:
 * one no zone has (an underscore label names no host). */
#define NX_LABEL "_gluecheck-nx"

/* One validation --trust-anchor asks for: qname/qtype, and what came of it. */
typedef struct probe {
	bool done;   /* sim_resolve ran: v holds its result */
	bool denial; /* the name that does not exist: only a denial can answer it */
	uint8_t qname[NAME_MAXLEN];
	uint16_t qtype;
	sim_result_t v;
} probe_t;

typedef struct gc {
	opts_t o;
	trace_t t;        /* the walk and what it found */
	unsigned queries; /* packets sent: UDP tries and TCP exchanges */
	probe_t soa;      /* --trust-anchor: DOMAIN SOA */
	probe_t nx;       /* and, when that is secure, NX_LABEL.DOMAIN A */
} gc_t;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void ntext(const uint8_t *name, char *buf, size_t cap)
{
	if (name_to_text(name, buf, cap) < 0)
		snprintf(buf, cap, "?");
}

/* ---- the wire ------------------------------------------------------------------- */

static socklen_t sockaddr_of(const gc_t *g, const sim_addr_t *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->len == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(g->o.port);
		memcpy(&s4->sin_addr, a->bytes, 4);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(g->o.port);
	memcpy(&s6->sin6_addr, a->bytes, 16);
	return sizeof(*s6);
}

/* Is this the answer to q (same ID, QR set, same question)? */
static bool answers(const uint8_t *q, size_t qlen, const uint8_t *r, size_t rlen)
{
	if (rlen < 12 || r[0] != q[0] || r[1] != q[1] || !(r[2] & 0x80))
		return false;
	/* The question: from byte 12 to the OPT record (qlen - 11). */
	size_t qsec = qlen - 11 - 12;
	if (wire_get16(r + 4) != 1)
		return (r[3] & 0xF) != 0; /* FORMERR and the like may drop it */
	if (rlen < 12 + qsec)
		return false;
	for (size_t i = 0; i < qsec; i++)
		if (name_lower_byte(r[12 + i]) != name_lower_byte(q[12 + i]))
			return false;
	return true;
}

static int udp_exchange(gc_t *g, const sim_addr_t *a, const uint8_t *q, size_t qlen, reply_t *rep)
{
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_of(g, a, &ss);
	rep->len = 0;
	rep->err = ETIMEDOUT;
	for (int t = 0; t < g->o.tries; t++) {
		int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			rep->err = errno;
			return -1;
		}
		g->queries++;
		/* connect(): an ICMP port unreachable comes back as ECONNREFUSED. */
		if (connect(fd, (struct sockaddr *)&ss, sl) < 0 || send(fd, q, qlen, 0) < 0) {
			rep->err = errno;
			close(fd);
			if (rep->err == ECONNREFUSED || rep->err == ENETUNREACH ||
			    rep->err == EHOSTUNREACH)
				return -1;
			continue;
		}
		uint64_t deadline = now_ms() + (uint64_t)g->o.timeout_ms;
		for (;;) {
			uint64_t now = now_ms();
			if (now >= deadline) {
				rep->err = ETIMEDOUT;
				break;
			}
			struct pollfd p = { .fd = fd, .events = POLLIN };
			int n = poll(&p, 1, (int)(deadline - now));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				rep->err = ETIMEDOUT;
				break;
			}
			ssize_t got = recv(fd, rep->buf, rep->cap, 0);
			if (got < 0) {
				if (errno == EAGAIN || errno == EINTR)
					continue;
				rep->err = errno;
				break;
			}
			if (answers(q, qlen, rep->buf, (size_t)got)) {
				rep->len = (size_t)got;
				rep->err = 0;
				close(fd);
				return 0;
			}
		}
		close(fd);
		if (rep->err == ECONNREFUSED)
			return -1;
	}
	return -1;
}

/* Wait for fd to be ready for events until deadline. 0 ready, -1 not. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
	for (;;) {
		uint64_t now = now_ms();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		struct pollfd p = { .fd = fd, .events = events };
		int n = poll(&p, 1, (int)(deadline - now));
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		return n < 0 ? -1 : 0;
	}
}

static int tcp_exchange(gc_t *g, const sim_addr_t *a, const uint8_t *q, size_t qlen, reply_t *rep)
{
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_of(g, a, &ss);
	uint8_t out[514];
	uint64_t deadline = now_ms() + (uint64_t)g->o.timeout_ms * (uint64_t)g->o.tries;
	size_t done = 0, need = 2;
	rep->len = 0;
	g->queries++;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rep->err = errno;
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		int soerr = 0;
		socklen_t len = sizeof(soerr);
		if (wait_fd(fd, POLLOUT, deadline) < 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			goto fail;
		if (soerr != 0) {
			errno = soerr;
			goto fail;
		}
	}
	out[0] = (uint8_t)(qlen >> 8);
	out[1] = (uint8_t)qlen;
	memcpy(out + 2, q, qlen);
	while (done < qlen + 2) {
		ssize_t n = send(fd, out + done, qlen + 2 - done, MSG_NOSIGNAL);
		if (n < 0) {
			if ((errno == EAGAIN || errno == EINTR) &&
			    wait_fd(fd, POLLOUT, deadline) == 0)
				continue;
			goto fail;
		}
		done += (size_t)n;
	}
	/* Length, then the message; anything else on the stream is skipped. */
	uint8_t lenbuf[2];
	for (;;) {
		done = 0;
		need = 2;
		uint8_t *dst = lenbuf;
		for (int part = 0; part < 2; part++) {
			while (done < need) {
				ssize_t n = recv(fd, dst + done, need - done, 0);
				if (n == 0) {
					errno = ECONNRESET;
					goto fail;
				}
				if (n < 0) {
					if ((errno == EAGAIN || errno == EINTR) &&
					    wait_fd(fd, POLLIN, deadline) == 0)
						continue;
					goto fail;
				}
				done += (size_t)n;
			}
			if (part == 0) {
				need = wire_get16(lenbuf);
				if (need > rep->cap) {
					errno = EMSGSIZE;
					goto fail;
				}
				done = 0;
				dst = rep->buf;
			}
		}
		if (answers(q, qlen, rep->buf, need)) {
			rep->len = need;
			rep->err = 0;
			close(fd);
			return 0;
		}
	}
fail:
	rep->err = errno ? errno : EIO;
	close(fd);
	return -1;
}

/* The walk's network (sim.h: sim_send_fn): real sockets, on o.port. */
static int net_send(void *ctx, const sim_addr_t *addr, bool tcp, const uint8_t *q, size_t qlen,
		    uint8_t *resp, size_t cap, size_t *rlen)
{
	gc_t *g = ctx;
	reply_t rep = { resp, cap, 0, 0 };
	int rc = tcp ? tcp_exchange(g, addr, q, qlen, &rep) : udp_exchange(g, addr, q, qlen, &rep);
	*rlen = rep.len;
	return rc == 0 ? 0 : rep.err ? rep.err : EIO;
}

/* ---- output ---------------------------------------------------------------------------- */

static void print_text(gc_t *g, unsigned ms)
{
	char dt[NAME_TEXT_MAX], as[48];
	ntext(g->o.domain, dt, sizeof(dt));
	printf("gluecheck %s from %s port %u (%s, UDP %d ms x %d, TCP)\n", dt,
	       sim_addr_str(&g->o.start, as, sizeof(as)), g->o.port,
	       g->o.ipv6 ? "IPv4+IPv6" : "IPv4", g->o.timeout_ms, g->o.tries);
	for (int li = 0; li < g->t.nlevels; li++) {
		const trace_level_t *l = &g->t.levels[li];
		putchar('\n');
		if (l->referral) {
			char nt[1024];
			trace_names_text(l->ns, l->nns, nt, sizeof(nt));
			printf("%s -> %s: referral from %s: NS %s; %u glue record(s); %zu bytes%s\n",
			       l->ptext, l->ztext, l->from, nt, l->nglue, l->size,
			       l->tc1232  ? ", TC at 512 and 1232, then TCP"
			       : l->tc512 ? ", TC at 512, then TCP"
					  : " over UDP");
		}
		printf("  %-14s %-24s %-16s %-22s %-10s %-8s %s\n", "zone", "server", "address",
		       "address from", "udp", "tcp", "status");
		for (int i = 0; i < g->t.nrows; i++) {
			const trace_row_t *r = &g->t.rows[i];
			if (r->level != li)
				continue;
			printf("  %-14s %-24s %-16s %-22s %-10s %-8s %s%s\n", l->ztext, r->ns,
			       r->has_addr ? sim_addr_str(&r->addr, as, sizeof(as)) : "-", r->glue,
			       r->udp, r->tcp, r->status, r->bad ? "  <-" : "");
		}
	}
	if (g->soa.done) {
		char ta[128] = "";
		for (size_t i = 0; i < g->o.nanchor; i++)
			snprintf(ta + strlen(ta), sizeof(ta) - strlen(ta), "%s%u/%u/%u",
				 i ? " " : "", wire_get16(g->o.anchor[i].rd), g->o.anchor[i].rd[2],
				 g->o.anchor[i].rd[3]);
		putchar('\n');
		const probe_t *ps[2] = { &g->soa, &g->nx };
		for (int k = 0; k < 2; k++) {
			const probe_t *p = ps[k];
			const sim_result_t *v = &p->v;
			char qt[NAME_TEXT_MAX], tb[16];
			if (!p->done)
				continue;
			ntext(p->qname, qt, sizeof(qt));
			printf("dnssec (trust anchor DS %s): %s %s: %s", ta, qt,
			       rrtype_to_text(p->qtype, tb), rcode_str(v->rcode));
			if (v->dnssec == SIM_DNSSEC_BOGUS)
				printf(", bogus, EDE %u (%s): %s", v->ede, val_ede_str(v->ede),
				       v->why);
			else if (v->dnssec != SIM_DNSSEC_NONE)
				printf(", %s%s%s", sim_dnssec_str(v->dnssec),
				       v->dnssec_why[0] ? ": " : "", v->dnssec_why);
			else if (v->why[0])
				printf(": %s", v->why);
			printf(" (%u queries)\n", v->queries);
		}
	}
	printf("\nfindings:\n");
	if (g->t.nfindings == 0)
		printf("  none\n");
	for (int i = 0; i < g->t.nfindings; i++) {
		char line[2048];
		check_format_text(&g->t.findings[i].f, line, sizeof(line));
		printf("  %s\n", line);
	}
	printf("\nresult: %s: %s %s%s%s (%u error(s), %u warning(s), %d server(s), %u queries, %u ms)\n",
	       g->t.complete && g->t.errors == 0 ? "OK" : "FAIL", dt,
	       !g->t.complete ? "cannot be resolved: "
	       : g->t.errors  ? "resolves, with errors"
			      : "is delegated correctly",
	       g->t.complete ? "" : g->t.result, "", g->t.errors, g->t.warnings, g->t.nrows,
	       g->queries, ms);
}

/* Start one JSON line in j (over buf). */
static void jopen(json_t *j, char *buf, size_t cap)
{
	json_init(j, buf, cap);
	json_obj_open(j, NULL);
}

/* Close it and print it. */
static void jclose(json_t *j)
{
	json_obj_close(j);
	puts(j->buf);
}

static void print_json(gc_t *g, unsigned ms)
{
	char buf[4096], dt[NAME_TEXT_MAX], as[48];
	json_t j;
	ntext(g->o.domain, dt, sizeof(dt));
	for (int li = 0; li < g->t.nlevels; li++) {
		const trace_level_t *l = &g->t.levels[li];
		if (l->referral) {
			char nt[1024];
			trace_names_text(l->ns, l->nns, nt, sizeof(nt));
			jopen(&j, buf, sizeof(buf));
			json_str(&j, "kind", "referral");
			json_str(&j, "parent", l->ptext);
			json_str(&j, "zone", l->ztext);
			json_str(&j, "from", l->from);
			json_str(&j, "ns", nt);
			json_uint(&j, "glue", l->nglue);
			json_uint(&j, "size", l->size);
			json_bool(&j, "tc512", l->tc512);
			json_bool(&j, "tc1232", l->tc1232);
			json_bool(&j, "tcp", l->over_tcp);
			jclose(&j);
		}
		for (int i = 0; i < g->t.nrows; i++) {
			const trace_row_t *r = &g->t.rows[i];
			if (r->level != li)
				continue;
			jopen(&j, buf, sizeof(buf));
			json_str(&j, "kind", "server");
			json_str(&j, "zone", l->ztext);
			json_str(&j, "ns", r->ns);
			json_str(&j, "address",
				 r->has_addr ? sim_addr_str(&r->addr, as, sizeof(as)) : "");
			json_str(&j, "address_from", r->glue);
			json_str(&j, "udp", r->udp);
			json_str(&j, "tcp", r->tcp);
			json_str(&j, "status", r->status);
			json_bool(&j, "authoritative", r->auth);
			json_bool(&j, "ok", !r->bad && r->auth);
			jclose(&j);
		}
	}
	const probe_t *ps[2] = { &g->soa, &g->nx };
	for (int k = 0; k < 2; k++) {
		const probe_t *p = ps[k];
		const sim_result_t *v = &p->v;
		char qt[NAME_TEXT_MAX], tb[16];
		if (!p->done)
			continue;
		ntext(p->qname, qt, sizeof(qt));
		jopen(&j, buf, sizeof(buf));
		json_str(&j, "kind", "dnssec");
		json_str(&j, "domain", dt);
		json_str(&j, "name", qt);
		json_str(&j, "type", rrtype_to_text(p->qtype, tb));
		json_bool(&j, "denial", p->denial);
		json_str(&j, "rcode", rcode_str(v->rcode));
		json_str(&j, "dnssec", sim_dnssec_str(v->dnssec));
		json_bool(&j, "ad", v->ad);
		json_uint(&j, "ede", v->ede);
		json_str(&j, "why", v->dnssec == SIM_DNSSEC_NONE ? v->why : v->dnssec_why);
		json_uint(&j, "queries", v->queries);
		jclose(&j);
	}
	for (int i = 0; i < g->t.nfindings; i++) {
		jopen(&j, buf, sizeof(buf));
		json_str(&j, "kind", "finding");
		check_finding_json(&j, &g->t.findings[i].f);
		jclose(&j);
	}
	jopen(&j, buf, sizeof(buf));
	json_str(&j, "kind", "summary");
	json_str(&j, "domain", dt);
	json_str(&j, "result", g->t.complete && g->t.errors == 0 ? "OK" : "FAIL");
	json_str(&j, "why", g->t.result);
	json_uint(&j, "errors", g->t.errors);
	json_uint(&j, "warnings", g->t.warnings);
	json_uint(&j, "infos", g->t.infos);
	json_uint(&j, "servers", g->t.nrows);
	json_uint(&j, "queries", g->queries);
	json_uint(&j, "ms", ms);
	jclose(&j);
}

/* A DOT string: quotes and backslashes escaped, \n kept as a DOT line break. */
static void dot_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || (*s == '\\' && s[1] != 'n'))
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int write_dot(gc_t *g, const char *path)
{
	FILE *f = fopen(path, "w");
	char dt[NAME_TEXT_MAX], as[48], label[2048];
	if (!f)
		return -1;
	ntext(g->o.domain, dt, sizeof(dt));
	fprintf(f, "digraph gluecheck {\n\tgraph [rankdir=TB, fontname=\"Helvetica\", label=");
	snprintf(label, sizeof(label), "gluecheck %s: %s", dt,
		 g->t.complete && g->t.errors == 0 ? "OK" : "FAIL");
	dot_str(f, label);
	fprintf(f,
		", labelloc=t];\n\tnode [fontname=\"Helvetica\"];\n\tedge [fontname=\"Helvetica\"];\n");
	for (int li = 0; li < g->t.nlevels; li++) {
		const trace_level_t *l = &g->t.levels[li];
		/* The zone, red with its codes when a delegation finding names no server. */
		char codes[512] = "";
		for (int i = 0; i < g->t.nfindings; i++) {
			const trace_finding_t *fd = &g->t.findings[i];
			if (fd->level == li && fd->row < 0 && !strstr(codes, fd->f.code))
				snprintf(codes + strlen(codes), sizeof(codes) - strlen(codes),
					 "\\n%s", fd->f.code);
		}
		bool red = codes[0] || l->broken;
		snprintf(label, sizeof(label), "%s%s%s", l->ztext, codes,
			 l->broken ? "\\nunreachable" : "");
		fprintf(f, "\tz%d [shape=box, style=\"rounded,bold\", label=", li);
		dot_str(f, label);
		fprintf(f, "%s];\n", red ? ", color=red, fontcolor=red" : "");
		if (l->referral) {
			snprintf(label, sizeof(label), "referral from %s\\n%u NS, %u glue%s",
				 l->from, l->nns, l->nglue, l->tc512 ? ", TC -> TCP" : "");
			fprintf(f, "\tz%d -> z%d [label=", li - 1, li);
			dot_str(f, label);
			fprintf(f, "%s];\n", red ? ", color=red" : "");
		}
		for (int i = 0; i < g->t.nrows; i++) {
			const trace_row_t *r = &g->t.rows[i];
			if (r->level != li)
				continue;
			char rc[512] = "";
			for (int k = 0; k < g->t.nfindings; k++)
				if (g->t.findings[k].row == i &&
				    !strstr(rc, g->t.findings[k].f.code))
					snprintf(rc + strlen(rc), sizeof(rc) - strlen(rc), "\\n%s",
						 g->t.findings[k].f.code);
			snprintf(label, sizeof(label), "%s\\n%s%s", r->ns,
				 r->has_addr ? sim_addr_str(&r->addr, as, sizeof(as))
					     : "no address",
				 rc);
			bool bad = r->bad || rc[0] || !r->auth;
			fprintf(f, "\ts%d [shape=ellipse, label=", i);
			dot_str(f, label);
			fprintf(f, "%s];\n",
				bad ? ", color=red, fontcolor=red" : ", color=darkgreen");
			fprintf(f, "\tz%d -> s%d [style=dashed, arrowhead=none%s];\n", li, i,
				bad ? ", color=red" : "");
		}
	}
	fprintf(f, "}\n");
	return fclose(f) == 0 ? 0 : -1;
}

/* ---- DNSSEC -------------------------------------------------------------------------------- */

/*
 * The code of check.c's table for what validating p found: the static
 * check of glued --check that finds the same fault in zone data, by the
 * EDE (validate.h) and the step that failed; DNSSEC_BOGUS for a bogus
 * answer no other code names; NULL when there is nothing to report
 * (secure, or insecure by design). Every one is an error.
 *   9  DNSKEY Missing: no DNSKEY matches the DS, there is none, or the key
 *      the DS names does not sign the DNSKEY RRset -> DS_MATCHES_NO_DNSKEY.
 *      Not so when the DS is the trust anchor's (validate.c says "DS ...
 *      of the trust anchor": the anchor is wrong, not a zone), for an
 *      RRSIG over other data by a key that is not in the DNSKEY RRset
 *      ("..., which is not a DNSKEY of Z"), nor for the parent's RRSIG
 *      over the DS that does not verify ("RRSIG over C DS by P ..."):
 *      DNSSEC_BOGUS.
 *   7, 8  out of their validity -> RRSIG_EXPIRED, RRSIG_NOT_YET_VALID
 *   10 RRSIGs Missing -> RRSIG_MISSING
 *   12 NSEC Missing, and 6 in the denial of the name that does not exist
 *      (the SOA of the same zone validated, so what fails is the proof)
 *      -> NSEC_CHAIN_BROKEN
 *   27 NSEC3 iterations above VAL_NSEC3_MAX_ITERATIONS (insecure) ->
 *      NSEC3_ITERATIONS_HIGH, an error as glued --check says it above
 *      the limit.
 */
static const char *dnssec_code(const probe_t *p)
{
	const sim_result_t *v = &p->v;
	if (v->dnssec == SIM_DNSSEC_INSECURE && v->ede == VAL_EDE_NSEC3_ITERATIONS)
		return "NSEC3_ITERATIONS_HIGH";
	if (v->dnssec != SIM_DNSSEC_BOGUS)
		return NULL;
	switch (v->ede) {
	case VAL_EDE_DNSKEY_MISSING:
		if (p->denial || strstr(v->why, "of the trust anchor") != NULL ||
		    strstr(v->why, "which is not a DNSKEY of") != NULL ||
		    strstr(v->why, " DS by ") != NULL)
			return "DNSSEC_BOGUS";
		return "DS_MATCHES_NO_DNSKEY";
	case VAL_EDE_SIG_EXPIRED:
		return "RRSIG_EXPIRED";
	case VAL_EDE_SIG_NOT_YET_VALID:
		return "RRSIG_NOT_YET_VALID";
	case VAL_EDE_RRSIGS_MISSING:
		return "RRSIG_MISSING";
	case VAL_EDE_NSEC_MISSING:
		return "NSEC_CHAIN_BROKEN";
	case VAL_EDE_BOGUS:
		return p->denial ? "NSEC_CHAIN_BROKEN" : "DNSSEC_BOGUS";
	default:
		return "DNSSEC_BOGUS";
	}
}

/* The walk's level of zone (its ztext), or -1. */
static int level_of(const gc_t *g, const char *zone)
{
	for (int i = g->t.nlevels - 1; i >= 0; i--)
		if (strcasecmp(g->t.levels[i].ztext, zone) == 0)
			return i;
	return -1;
}

/* Add the finding p's validation calls for, if any. Its zone is the zone
 * the validation failed at; for DS_MATCHES_NO_DNSKEY that zone is the
 * delegation, and the zone its parent, when the walk was referred to it. */
static void dnssec_finding(gc_t *g, const probe_t *p)
{
	const char *code = dnssec_code(p);
	const sim_result_t *v = &p->v;
	if (code == NULL || g->t.nfindings >= TRACE_MAX_FINDINGS)
		return;
	trace_finding_t *fd = &g->t.findings[g->t.nfindings++];
	char at[NAME_TEXT_MAX], qt[NAME_TEXT_MAX], tb[16];
	memset(fd, 0, sizeof(*fd));
	check_finding_set(&fd->f, CHECK_ERROR, code, NULL);
	ntext(v->dnssec == SIM_DNSSEC_BOGUS ? v->cause_zone : g->o.domain, at, sizeof(at));
	int li = level_of(g, at);
	fd->level = li >= 0 ? li : g->t.nlevels > 0 ? g->t.nlevels - 1 : 0;
	fd->row = -1;
	if (strcmp(code, "DS_MATCHES_NO_DNSKEY") == 0 && li > 0) {
		text_setf(fd->f.zone, sizeof(fd->f.zone), "%s", g->t.levels[li].ptext);
		text_setf(fd->f.delegation, sizeof(fd->f.delegation), "%s", at);
	} else {
		text_setf(fd->f.zone, sizeof(fd->f.zone), "%s", at);
	}
	ntext(p->qname, qt, sizeof(qt));
	text_setf(fd->f.name, sizeof(fd->f.name), "%s", qt);
	/* "answers SERVFAIL[ to NAME TYPE, a name that does not exist]", or
	 * "answers[ NAME TYPE, a name that does not exist,] without AD". */
	char answers[NAME_TEXT_MAX + 64] = "answers";
	if (v->dnssec == SIM_DNSSEC_BOGUS)
		text_appendf(answers, sizeof(answers), " SERVFAIL%s", p->denial ? " to" : "");
	if (p->denial)
		text_appendf(answers, sizeof(answers), " %s %s, a name that does not exist%s", qt,
			     rrtype_to_text(p->qtype, tb),
			     v->dnssec == SIM_DNSSEC_BOGUS ? "" : ",");
	if (v->dnssec != SIM_DNSSEC_BOGUS)
		text_appendf(answers, sizeof(answers), " without AD (insecure)");
	text_setf(fd->f.message, sizeof(fd->f.message), "a validating resolver %s: EDE %u (%s): %s",
		  answers, v->ede, val_ede_str(v->ede),
		  v->dnssec == SIM_DNSSEC_BOGUS ? v->why : v->dnssec_why);
	g->t.errors++;
}

/* --trust-anchor: validate DOMAIN SOA; when it is secure, the denial of a
 * name below it, as a validating resolver gives an NXDOMAIN (the SOA
 * answer proves the keys and the signatures, only a denial the NSEC or
 * NSEC3 chain). Each failure is a finding. */
static void validate(gc_t *g)
{
	sim_opts_t so;
	sim_opts_default(&so);
	so.ipv6 = g->o.ipv6;
	so.anchor = g->o.anchor;
	so.nanchor = g->o.nanchor;
	probe_t *p = &g->soa;
	memcpy(p->qname, g->o.domain, name_len(g->o.domain));
	p->qtype = RR_SOA;
	p->done = sim_resolve(&g->o.start, 1, &g->t.net, p->qname, p->qtype, &so, &p->v) == 0;
	if (!p->done)
		return;
	dnssec_finding(g, p);
	if (p->v.dnssec != SIM_DNSSEC_SECURE || p->v.rcode != RCODE_NOERROR)
		return;
	probe_t *n = &g->nx;
	size_t dl = name_len(g->o.domain);
	if (dl + 1 + strlen(NX_LABEL) > NAME_MAXLEN)
		return;
	n->qname[0] = (uint8_t)strlen(NX_LABEL);
	memcpy(n->qname + 1, NX_LABEL, strlen(NX_LABEL));
	memcpy(n->qname + 1 + strlen(NX_LABEL), g->o.domain, dl);
	n->qtype = RR_A;
	n->denial = true;
	n->done = sim_resolve(&g->o.start, 1, &g->t.net, n->qname, n->qtype, &so, &n->v) == 0;
	if (n->done)
		dnssec_finding(g, n);
}

/* ---- command line ----------------------------------------------------------------------- */

static const char usage_text[] =
	"usage: gluecheck [options] DOMAIN [@ADDR[:PORT]]\n"
	"Walk the delegation of DOMAIN from ADDR (default: the bundled lab's root,\n"
	"127.0.0.2 port 5300) like dig +trace, ask every server each referral lists for\n"
	"the child's SOA and NS over UDP and TCP, and report missing or mismatched glue,\n"
	"lame and unresponsive servers, truncated referrals and NS set differences with\n"
	"the codes of glued --check (docs/checks.md).\n"
	"  -p, --port PORT      the port of every server asked (default: ADDR's port,\n"
	"                       else 53; 5300 with the default ADDR)\n"
	"  -c, --child ADDR     also ask ADDR for DOMAIN's zone (a server you know serves\n"
	"                       it): compares the glue with the child's own addresses\n"
	"                       when the glue leads nowhere; repeatable\n"
	"  -6, --ipv6           use IPv6 glue and addresses too (default: IPv4 only)\n"
	"  -t, --timeout MS     per UDP try and per TCP exchange step (default 800)\n"
	"  -r, --tries N        UDP tries (default 2)\n"
	"      --json           one JSON object per line\n"
	"      --dot FILE       write the delegation chain as a Graphviz graph\n"
	"                       (dot -Tsvg FILE > chain.svg); faults in red\n"
	"      --trust-anchor FILE  validate DOMAIN SOA as a validating resolver does,\n"
	"                       from the root DS records in FILE (zone-file lines\n"
	"                       '. IN DS tag alg digest-type hex'), then the NXDOMAIN\n"
	"                       of " NX_LABEL ".DOMAIN; what fails is named with the\n"
	"                       DNSSEC codes of glued --check\n"
	"  -h, --help           this text\n"
	"  -V, --version        print the version\n"
	"Exit status: 0 when the domain resolves and no error was found, 1 otherwise,\n"
	"2 for bad usage.\n";

static int parse_addr(const char *text, sim_addr_t *a, uint16_t *port, bool *has_port)
{
	char host[128];
	const char *p = text, *colon = NULL;
	size_t hl;
	*has_port = false;
	if (*p == '[') {
		const char *end = strchr(p, ']');
		if (!end)
			return -1;
		hl = (size_t)(end - p - 1);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, p + 1, hl);
		host[hl] = 0;
		if (end[1] == ':')
			colon = end + 1;
		else if (end[1] != 0)
			return -1;
	} else {
		colon = strchr(p, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL; /* bare IPv6 */
		hl = colon ? (size_t)(colon - p) : strlen(p);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, p, hl);
		host[hl] = 0;
	}
	if (inet_pton(AF_INET, host, a->bytes) == 1)
		a->len = 4;
	else if (inet_pton(AF_INET6, host, a->bytes) == 1)
		a->len = 16;
	else
		return -1;
	if (colon) {
		char *end;
		long v = strtol(colon + 1, &end, 10);
		if (*end || v < 1 || v > 65535 || colon[1] < '0' || colon[1] > '9')
			return -1;
		*port = (uint16_t)v;
		*has_port = true;
	}
	return 0;
}

static int parse_num(const char *s, long lo, long hi, long *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	long v = strtol(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "gluecheck: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'gluecheck --help' for more information.\n");
	return 2;
}

enum { OPT_JSON = 256, OPT_DOT, OPT_ANCHOR };

/*
 * Read --trust-anchor FILE: zone-file lines ". [TTL] [IN] DS tag alg
 * digest-type hex" (as glued --trust-anchor, dnssec-dsfromkey and
 * tests/data/signed/root.key write them), ";" comments and blank lines.
 * 0, or -1 with "FILE:LINE: what" printed.
 */
static int read_anchor(opts_t *o)
{
	FILE *f = fopen(o->anchor_file, "r");
	if (f == NULL) {
		fprintf(stderr, "gluecheck: %s: %s\n", o->anchor_file, strerror(errno));
		return -1;
	}
	char line[1024];
	unsigned ln = 0;
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		ln++;
		char *semi = strchr(line, ';');
		if (semi)
			*semi = 0;
		rdata_tok_t tok[16];
		size_t nt = 0;
		for (char *p = line; *p && nt < 16;) {
			while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
				p++;
			if (!*p)
				break;
			char *e = p;
			while (*e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r')
				e++;
			tok[nt++] = (rdata_tok_t){ .s = p, .len = (size_t)(e - p) };
			p = e;
		}
		if (nt == 0)
			continue;
		size_t i = 1;
		uint32_t ttl;
		for (int k = 0; k < 2 && i < nt; k++)
			if ((tok[i].len == 2 && strncasecmp(tok[i].s, "IN", 2) == 0) ||
			    rdata_ttl_from_text(tok[i].s, tok[i].len, &ttl) == 0)
				i++;
		const char *expected = "a DS record";
		uint8_t rd[VAL_DS_RDATA_MAX];
		int len = -1;
		if (tok[0].len == 1 && tok[0].s[0] == '.' && i < nt && tok[i].len == 2 &&
		    strncasecmp(tok[i].s, "DS", 2) == 0)
			len = rdata_from_text(RR_DS, tok + i + 1, nt - i - 1, (const uint8_t *)"",
					      rd, sizeof(rd), &expected);
		else
			expected = "a DS record of the root: '. IN DS tag alg digest-type hex'";
		if (len < 4) {
			fprintf(stderr, "gluecheck: %s:%u: expected %s\n", o->anchor_file, ln,
				expected);
			rc = -1;
		} else if (o->nanchor >= sizeof(o->anchor) / sizeof(o->anchor[0])) {
			fprintf(stderr, "gluecheck: %s:%u: at most 8 DS records\n", o->anchor_file,
				ln);
			rc = -1;
		} else {
			o->anchor[o->nanchor].len = (uint8_t)len;
			memcpy(o->anchor[o->nanchor].rd, rd, (size_t)len);
			o->nanchor++;
		}
	}
	fclose(f);
	if (rc == 0 && o->nanchor == 0) {
		fprintf(stderr, "gluecheck: %s: no DS record of the root\n", o->anchor_file);
		rc = -1;
	}
	return rc;
}

static int parse_args(int argc, char **argv, opts_t *o)
{
	static const struct option longs[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "child", required_argument, NULL, 'c' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "timeout", required_argument, NULL, 't' },
		{ "tries", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "dot", required_argument, NULL, OPT_DOT },
		{ "trust-anchor", required_argument, NULL, OPT_ANCHOR },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c;
	bool port_given = false, start_given = false, start_port_given = false;
	const char *domain = NULL;
	uint16_t start_port = 0, dummy;
	bool dummy_b;

	memset(o, 0, sizeof(*o));
	o->timeout_ms = 800;
	o->tries = 2;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:c:6t:r:hV", longs, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_num(optarg, 1, 65535, &v) < 0)
				return usage_error("bad port '%s': expected 1-65535", optarg);
			o->port = (uint16_t)v;
			port_given = true;
			break;
		case 'c':
			if (o->nchild >= TRACE_MAX_CHILD)
				return usage_error("too many --child addresses (at most 8): '%s'",
						   optarg);
			if (parse_addr(optarg, &o->child[o->nchild], &dummy, &dummy_b) < 0 ||
			    dummy_b)
				return usage_error(
					"bad --child address '%s': expected an IPv4 or IPv6 address (the port is -p's)",
					optarg);
			o->nchild++;
			break;
		case '6':
			o->ipv6 = true;
			break;
		case 't':
			if (parse_num(optarg, 10, 60000, &v) < 0)
				return usage_error(
					"bad timeout '%s': expected 10-60000 (milliseconds)",
					optarg);
			o->timeout_ms = (int)v;
			break;
		case 'r':
			if (parse_num(optarg, 1, 10, &v) < 0)
				return usage_error("bad tries '%s': expected 1-10", optarg);
			o->tries = (int)v;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_DOT:
			o->dot = optarg;
			break;
		case OPT_ANCHOR:
			o->anchor_file = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("gluecheck %s\n", GLUED_VERSION);
			return 0;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	for (int i = optind; i < argc; i++) {
		if (argv[i][0] == '@') {
			if (start_given)
				return usage_error("one starting server only: '%s'", argv[i]);
			if (parse_addr(argv[i] + 1, &o->start, &start_port, &start_port_given) < 0)
				return usage_error(
					"bad server '%s': expected @ADDR or @ADDR:PORT ([ADDR]:PORT for IPv6)",
					argv[i]);
			start_given = true;
		} else if (domain == NULL) {
			domain = argv[i];
		} else {
			return usage_error("unexpected argument '%s' (one domain)", argv[i]);
		}
	}
	if (domain == NULL)
		return usage_error(
			"%s", "which domain? usage: gluecheck [options] DOMAIN [@ADDR[:PORT]]");
	if (name_from_text(domain, strlen(domain), (const uint8_t *)"", o->domain) < 0)
		return usage_error("bad domain name '%s'", domain);
	name_lower(o->domain, o->domain);
	if (!start_given) {
		if (inet_pton(AF_INET, GC_DEFAULT_START, o->start.bytes) != 1)
			return usage_error("%s", "internal: bad default start");
		o->start.len = 4;
		start_port = GC_DEFAULT_PORT;
		start_port_given = true;
	}
	if (!port_given)
		o->port = start_port_given ? start_port : 53;
	else if (start_port_given && start_given && start_port != o->port)
		return usage_error("%s", "-p and @ADDR:PORT disagree: give the port once");
	if (o->start.len == 16)
		o->ipv6 = true;
	return -1; /* go on */
}

int main(int argc, char **argv)
{
	static gc_t g;
	int rc = parse_args(argc, argv, &g.o);
	if (rc >= 0)
		return rc;
	if (g.o.anchor_file && read_anchor(&g.o) < 0)
		return 2;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	trace_opts_t *to = &g.t.o;
	memcpy(to->domain, g.o.domain, sizeof(to->domain));
	to->start = g.o.start;
	memcpy(to->child, g.o.child, sizeof(to->child));
	to->nchild = g.o.nchild;
	to->ipv6 = g.o.ipv6;
	to->tries = g.o.tries;
	to->first_id = (uint16_t)(ts.tv_nsec ^ (getpid() << 4));
	g.t.net = (sim_net_t){ net_send, &g };
	uint64_t t0 = now_ms();
	trace_run(&g.t);
	if (g.o.nanchor > 0)
		validate(&g);
	unsigned ms = (unsigned)(now_ms() - t0);
	if (g.o.json)
		print_json(&g, ms);
	else
		print_text(&g, ms);
	if (g.o.dot && write_dot(&g, g.o.dot) < 0) {
		fprintf(stderr, "gluecheck: cannot write %s: %s\n", g.o.dot, strerror(errno));
		return 1;
	}
	return g.t.complete && g.t.errors == 0 ? 0 : 1;
}
