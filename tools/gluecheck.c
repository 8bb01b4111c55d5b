/*
 * gluecheck -- walk a delegation live, like `dig +trace`, and name what is
 * wrong with it in the same codes and fix lines as `glued --check`
 * (server/dns/check.c holds the one table of codes).
 *
 *   gluecheck [options] DOMAIN [@ADDR[:PORT]]
 *
 * From the starting server (default the bundled lab's root, 127.0.0.2:5300)
 * it asks each parent for DOMAIN's NS (EDNS 512 first: TC -> again with
 * 1232 -> TCP), follows the referral, and asks every server the referral
 * lists - by its glue, or, for NS names outside the child, by resolving the
 * name from the starting server the same way - for the child's SOA and NS,
 * over UDP and over TCP. Per server: authoritative or lame (REFUSED, no AA,
 * upward referral), unresponsive over UDP or TCP; per delegation: glue
 * present / missing / mismatched against the child's own A/AAAA, the NS
 * sets of parent and child, a referral that does not fit 512 or 1232
 * bytes.
 *
 * It only ever sends to the address it was given, the addresses it was
 * referred to (glue, or answers it resolved from the starting server), and
 * the --child addresses given on the command line. Sockets are
 * non-blocking and every wait is bounded by poll().
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns/answer.h"
#include "analysis/check.h"
#include "analysis/msg.h"
#include "dns/name.h"
#include "dns/query.h"
#include "dns/rdata.h"
#include "analysis/sim.h"
#include "dns/wire.h"

#define GC_DEFAULT_START "127.0.0.2"
#define GC_DEFAULT_PORT 5300 /* the bundled lab's port */
#define GC_MAX_NS 16
#define GC_MAX_GLUE 64
#define GC_MAX_ADDRS 16
#define GC_MAX_LEVELS 16
#define GC_MAX_ROWS 96
#define GC_MAX_FINDINGS 128
#define GC_MAX_CHILD 8
#define GC_MAX_DEPTH 4

typedef struct opts {
	uint16_t port;
	int timeout_ms;
	int tries;
	bool ipv6;
	bool json;
	const char *dot;
	sim_addr_t start;
	sim_addr_t child[GC_MAX_CHILD];
	size_t nchild;
	uint8_t domain[NAME_MAXLEN];
} opts_t;

/* One answer off the wire, or why there was none. */
typedef struct reply {
	uint8_t buf[65535];
	size_t len;
	int err;      /* 0, ETIMEDOUT, ECONNREFUSED, ... */
	bool tcp;
} reply_t;

/* What a response says (sim_msg_read), within gluecheck's own limits. */
typedef sim_msg_t parsed_t;

/* One server of one zone, as probed. */
typedef struct row {
	int level;
	char ns[NAME_TEXT_MAX];        /* NS name, "(start)" or "(--child)" */
	sim_addr_t addr;
	bool has_addr;
	char glue[40];                 /* how its address was found */
	char udp[24], tcp[24];         /* "ok", "timeout", "refused", "-" */
	char status[NAME_TEXT_MAX + 160]; /* "authoritative", "lame: REFUSED", ... */
	bool auth;
	bool given;                    /* a --child address, not from the referral */
	unsigned nns;
	uint8_t ns_set[GC_MAX_NS][NAME_MAXLEN];
	bool ns_known;
	bool bad;
} row_t;

/* One zone of the chain and the referral that led to it. */
typedef struct level {
	uint8_t zone[NAME_MAXLEN];
	uint8_t parent[NAME_MAXLEN];
	char ztext[NAME_TEXT_MAX], ptext[NAME_TEXT_MAX];
	bool referral;                 /* level 0 (the start) has none */
	char from[64];                 /* the parent server that gave it */
	unsigned nns;
	uint8_t ns[GC_MAX_NS][NAME_MAXLEN];
	unsigned nglue;
	size_t size;                   /* of the referral used */
	bool tc512, tc1232, over_tcp;
	bool broken;
	char why[512];
} level_t;

typedef struct finding {
	check_finding_t f;
	char server[64];
	int level, row;                /* where the graph marks it (row -1: the zone) */
} finding_t;

typedef struct gc {
	opts_t o;
	level_t levels[GC_MAX_LEVELS];
	int nlevels;
	row_t rows[GC_MAX_ROWS];
	int nrows;
	finding_t findings[GC_MAX_FINDINGS];
	int nfindings;
	unsigned errors, warnings, infos;
	unsigned queries;
	uint16_t next_id;
	bool complete;                 /* the walk reached the domain */
	char result[512];
	reply_t reply;                 /* scratch */
	msg_rr_t rr;
} gc_t;

/* Write a message, truncating quietly: results are for people. */
static void setf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void setf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *addr_text(const sim_addr_t *a, char *buf, size_t cap)
{
	return sim_addr_str(a, buf, cap);
}

static void ntext(const uint8_t *name, char *buf, size_t cap)
{
	if (name_to_text(name, buf, cap) < 0)
		snprintf(buf, cap, "?");
}

static bool addr_eq(const sim_addr_t *a, const sim_addr_t *b)
{
	return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

/* ---- findings --------------------------------------------------------------- */

static void add_finding(gc_t *g, int level, int row, const char *code, const uint8_t *name,
			const sim_addr_t *addr, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void add_finding(gc_t *g, int level, int row, const char *code, const uint8_t *name,
			const sim_addr_t *addr, const char *fmt, ...)
{
	if (g->nfindings >= GC_MAX_FINDINGS)
		return;
	finding_t *fd = &g->findings[g->nfindings++];
	const check_code_info_t *ci = check_code_info(code);
	memset(fd, 0, sizeof(*fd));
	check_finding_set(&fd->f, ci ? ci->severity : CHECK_ERROR, code, NULL);
	fd->level = level;
	fd->row = row;
	const level_t *l = &g->levels[level];
	snprintf(fd->f.zone, sizeof(fd->f.zone), "%s", l->referral ? l->ptext : l->ztext);
	if (l->referral)
		memcpy(fd->f.delegation, l->ztext, sizeof(fd->f.delegation));
	if (name)
		ntext(name, fd->f.name, sizeof(fd->f.name));
	if (addr) {
		addr_text(addr, fd->server, sizeof(fd->server));
		fd->f.server = fd->server;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fd->f.message, sizeof(fd->f.message), fmt, ap);
	va_end(ap);
	if (fd->f.severity == CHECK_ERROR)
		g->errors++;
	else if (fd->f.severity == CHECK_WARNING)
		g->warnings++;
	else
		g->infos++;
	if (row >= 0)
		g->rows[row].bad = g->rows[row].bad || fd->f.severity == CHECK_ERROR;
}

/* ---- the wire ------------------------------------------------------------------- */

static size_t build_query(gc_t *g, uint8_t *q, const uint8_t *qname, uint16_t qtype,
			  uint16_t bufsize)
{
	/* RD=0: we iterate. */
	return msg_build_query(q, 512, ++g->next_id, 0, qname, qtype, CLASS_IN, bufsize, false);
}

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
	rep->tcp = false;
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
			if (rep->err == ECONNREFUSED || rep->err == ENETUNREACH || rep->err == EHOSTUNREACH)
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
			ssize_t got = recv(fd, rep->buf, sizeof(rep->buf), 0);
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
	rep->tcp = true;
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
			if ((errno == EAGAIN || errno == EINTR) && wait_fd(fd, POLLOUT, deadline) == 0)
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

static const char *err_text(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case ETIMEDOUT:
		return "timeout";
	case ECONNREFUSED:
		return "refused";
	case ECONNRESET:
		return "reset";
	case ENETUNREACH:
	case EHOSTUNREACH:
		return "unreachable";
	default:
		return "error";
	}
}

/* ---- reading responses ---------------------------------------------------------- */

static int parse(gc_t *g, const reply_t *rep, const uint8_t *qname, uint16_t qtype, parsed_t *m)
{
	int rc = sim_msg_read(rep->buf, rep->len, qname, qtype, true, &g->rr, m);
	/* The first GC_MAX_* of each list: what the rows and walks hold. */
	if (m->nns > GC_MAX_NS)
		m->nns = GC_MAX_NS;
	if (m->nans_ns > GC_MAX_NS)
		m->nans_ns = GC_MAX_NS;
	if (m->naddr > GC_MAX_ADDRS)
		m->naddr = GC_MAX_ADDRS;
	if (m->nglue > GC_MAX_GLUE)
		m->nglue = GC_MAX_GLUE;
	return rc;
}

static int ask(gc_t *g, const sim_addr_t *a, const uint8_t *qname, uint16_t qtype, reply_t *rep)
{
	uint8_t q[512];
	size_t qlen = build_query(g, q, qname, qtype, EDNS_ADVERTISED);
	if (qlen == 0 || udp_exchange(g, a, q, qlen, rep) < 0)
		return -1;
	if (wire_get16(rep->buf + 2) & DNS_TC)
		return tcp_exchange(g, a, q, qlen, rep);
	return 0;
}

/* ---- resolving NS names without glue ---------------------------------------------- */

/*
 * The addresses of name, resolved the way a resolver would: from the
 * starting server down the referrals (glue, or NS names resolved the same
 * way, depth-limited). Appends to out. Only addresses the walk is referred
 * to are ever asked.
 */
static size_t resolve_addrs(gc_t *g, const uint8_t *name_in, uint16_t qtype, int depth,
			    sim_addr_t *out, size_t cap)
{
	if (depth > GC_MAX_DEPTH)
		return 0;
	uint8_t name[NAME_MAXLEN];
	sim_addr_t servers[GC_MAX_ADDRS];
	size_t nservers = 1, found = 0;
	parsed_t *m = malloc(sizeof(*m));
	reply_t *rep = malloc(sizeof(*rep));
	if (!m || !rep)
		goto out;
	name_lower(name, name_in);
	servers[0] = g->o.start;
	for (int step = 0, cnames = 0; step < 24; step++) {
		bool useful = false;
		for (size_t i = 0; i < nservers && !useful; i++) {
			if (ask(g, &servers[i], name, qtype, rep) < 0 || parse(g, rep, name, qtype, m) < 0)
				continue;
			if (m->flags & DNS_AA)
				useful = true;
			else if (m->rcode == RCODE_NOERROR && m->nns > 0 && name_is_sub(name, m->ns_owner))
				useful = true;
		}
		if (!useful)
			break;
		if (m->flags & DNS_AA) {
			if (m->cname && m->naddr == 0 && ++cnames <= 8) {
				memcpy(name, m->target, name_len(m->target));
				servers[0] = g->o.start;
				nservers = 1;
				continue;
			}
			for (unsigned k = 0; k < m->naddr && found < cap; k++)
				out[found++] = m->addr[k];
			break;
		}
		/* A referral: its glue, or its NS names resolved in turn. */
		uint8_t owner[NAME_MAXLEN];
		memcpy(owner, m->ns_owner, name_len(m->ns_owner));
		nservers = 0;
		for (unsigned k = 0; k < m->nglue && nservers < GC_MAX_ADDRS; k++)
			if (m->glue[k].addr.len == 4 || g->o.ipv6)
				servers[nservers++] = m->glue[k].addr;
		if (nservers == 0) {
			parsed_t copy = *m;
			for (unsigned k = 0; k < copy.nns && nservers == 0; k++)
				if (!name_is_sub(copy.ns[k], owner))
					nservers += resolve_addrs(g, copy.ns[k], RR_A, depth + 1,
								  servers + nservers,
								  GC_MAX_ADDRS - nservers);
		}
		if (nservers == 0)
			break;
	}
out:
	free(m);
	free(rep);
	return found;
}

/* ---- probing one server of a zone --------------------------------------------------- */

static int add_row(gc_t *g, int level, const char *ns, const sim_addr_t *addr, const char *glue)
{
	if (g->nrows >= GC_MAX_ROWS)
		return -1;
	row_t *r = &g->rows[g->nrows];
	memset(r, 0, sizeof(*r));
	r->level = level;
	snprintf(r->ns, sizeof(r->ns), "%s", ns);
	if (addr) {
		r->addr = *addr;
		r->has_addr = true;
	}
	snprintf(r->glue, sizeof(r->glue), "%s", glue);
	snprintf(r->udp, sizeof(r->udp), "-");
	snprintf(r->tcp, sizeof(r->tcp), "-");
	return g->nrows++;
}

/* Ask the server of row ri for the zone's SOA (UDP, then TCP) and NS. */
static void probe(gc_t *g, int ri, const uint8_t *nsname)
{
	row_t *r = &g->rows[ri];
	level_t *l = &g->levels[r->level];
	reply_t *rep = &g->reply;
	parsed_t *m = malloc(sizeof(*m));
	uint8_t q[512];
	char as[48];
	if (!m)
		return;
	addr_text(&r->addr, as, sizeof(as));
	size_t qlen = build_query(g, q, l->zone, RR_SOA, EDNS_ADVERTISED);
	int udp = udp_exchange(g, &r->addr, q, qlen, rep);
	int udp_err = rep->err;
	bool udp_tc = udp == 0 && (wire_get16(rep->buf + 2) & DNS_TC);
	snprintf(r->udp, sizeof(r->udp), "%s%s", err_text(udp_err), udp_tc ? " (TC)" : "");
	/* TCP for every server: RFC 7766 makes it a must, and a TC needs it. */
	int tcp = tcp_exchange(g, &r->addr, q, qlen, rep);
	snprintf(r->tcp, sizeof(r->tcp), "%s", err_text(tcp == 0 ? 0 : rep->err));
	if (udp < 0 && tcp < 0) {
		snprintf(r->status, sizeof(r->status), "unresponsive");
		add_finding(g, r->level, ri, "NO_SERVER_AT_ADDRESS", nsname, &r->addr,
			    "%s: no answer over UDP (%s, %d tr%s) or TCP (%s) for %s SOA", as,
			    err_text(udp_err), g->o.tries, g->o.tries == 1 ? "y" : "ies", r->tcp,
			    l->ztext);
		goto out;
	}
	if (udp < 0)
		add_finding(g, r->level, ri, "UDP_UNRESPONSIVE", nsname, &r->addr,
			    "%s: answers over TCP but not over UDP (%s)", as, err_text(udp_err));
	else if (tcp < 0)
		add_finding(g, r->level, ri, "TCP_UNRESPONSIVE", nsname, &r->addr,
			    "%s: answers over UDP but not over TCP (%s)", as, r->tcp);
	if (tcp < 0) {
		/* Judge the UDP answer: ask again, the TCP attempt overwrote it. */
		if (udp_exchange(g, &r->addr, q, qlen, rep) < 0) {
			snprintf(r->status, sizeof(r->status), "unresponsive (intermittent)");
			goto out;
		}
	}
	if (parse(g, rep, l->zone, RR_SOA, m) < 0) {
		snprintf(r->status, sizeof(r->status), "malformed response");
		add_finding(g, r->level, ri, "LAME_DELEGATION", nsname, &r->addr,
			    "%s: a malformed response to %s SOA", as, l->ztext);
		goto out;
	}
	const char *lame = NULL;
	char why[NAME_TEXT_MAX + 64];
	if (m->rcode != RCODE_NOERROR) {
		snprintf(why, sizeof(why), "answers %s", rcode_str(m->rcode));
		lame = why;
	} else if (!(m->flags & DNS_AA)) {
		if (m->nns > 0 && !name_is_sub(m->ns_owner, l->zone)) {
			char o[NAME_TEXT_MAX];
			ntext(m->ns_owner, o, sizeof(o));
			snprintf(why, sizeof(why), "upward referral (to %s)", o);
		} else if (m->nns > 0) {
			snprintf(why, sizeof(why), "a referral instead of the zone's SOA");
		} else {
			snprintf(why, sizeof(why), "answers without authority (AA=0)");
		}
		lame = why;
	} else if (!m->soa) {
		snprintf(why, sizeof(why), "authoritative answer without the zone's SOA");
		lame = why;
	}
	if (lame && r->level == 0 && !nsname) {
		/* The starting server need not serve the root: it is only where
		 * the walk begins (dig +trace @server). */
		snprintf(r->status, sizeof(r->status), "starting point (not authoritative for .: %s)",
			 lame);
		r->auth = true;
		goto out;
	}
	if (lame) {
		snprintf(r->status, sizeof(r->status), "lame: %s", lame);
		add_finding(g, r->level, ri, "LAME_DELEGATION", nsname, &r->addr,
			    "%s: %s for %s SOA: not authoritative for the zone", as, lame, l->ztext);
		goto out;
	}
	r->auth = true;
	snprintf(r->status, sizeof(r->status), "authoritative");
	if (ask(g, &r->addr, l->zone, RR_NS, rep) == 0 && parse(g, rep, l->zone, RR_NS, m) == 0 &&
	    (m->flags & DNS_AA)) {
		r->ns_known = true;
		r->nns = m->nans_ns;
		memcpy(r->ns_set, m->ans_ns, sizeof(r->ns_set));
	}
out:
	free(m);
}

/* ---- one delegation ------------------------------------------------------------------ */

static bool in_set(uint8_t set[][NAME_MAXLEN], unsigned n, const uint8_t *name)
{
	for (unsigned i = 0; i < n; i++)
		if (name_equal(set[i], name))
			return true;
	return false;
}

static void names_text(uint8_t set[][NAME_MAXLEN], unsigned n, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < n && used + 2 < cap; i++) {
		char t[NAME_TEXT_MAX];
		ntext(set[i], t, sizeof(t));
		used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? " " : "", t);
	}
	if (n == 0)
		snprintf(buf, cap, "-");
}

static void addrs_text(const sim_addr_t *a, size_t n, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && used + 50 < cap; i++) {
		char t[48];
		used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? " " : "",
					 addr_text(&a[i], t, sizeof(t)));
	}
	if (n == 0)
		snprintf(buf, cap, "none");
}

/* The child's NS sets against the parent's; and between its servers. */
static void check_ns_sets(gc_t *g, int li, int first)
{
	level_t *l = &g->levels[li];
	for (int i = first; i < g->nrows; i++) {
		row_t *r = &g->rows[i];
		if (!r->auth || !r->ns_known)
			continue;
		bool same = r->nns == l->nns;
		for (unsigned k = 0; same && k < r->nns; k++)
			same = in_set(l->ns, l->nns, r->ns_set[k]);
		if (same)
			continue;
		char pt[512], ct[512], as[48];
		names_text(l->ns, l->nns, pt, sizeof(pt));
		names_text(r->ns_set, r->nns, ct, sizeof(ct));
		add_finding(g, li, i, "NS_SET_MISMATCH", NULL, &r->addr,
			    "%s: the child's NS set [%s] differs from the parent's [%s]",
			    addr_text(&r->addr, as, sizeof(as)), ct, pt);
	}
}

/* Glue against the child's own addresses for its in-domain NS names. */
static void check_glue(gc_t *g, int li, int first, const parsed_t *ref)
{
	level_t *l = &g->levels[li];
	const row_t *auth = NULL;
	for (int i = first; i < g->nrows && !auth; i++)
		if (g->rows[i].auth)
			auth = &g->rows[i];
	parsed_t *m = malloc(sizeof(*m));
	if (!m)
		return;
	for (unsigned k = 0; k < l->nns; k++) {
		const uint8_t *ns = l->ns[k];
		sim_addr_t glue[GC_MAX_ADDRS], child[GC_MAX_ADDRS];
		size_t ng = 0, nc = 0;
		for (unsigned j = 0; j < ref->nglue && ng < GC_MAX_ADDRS; j++)
			if (name_equal(ref->glue[j].name, ns) &&
			    (ref->glue[j].addr.len == 4 || g->o.ipv6))
				glue[ng++] = ref->glue[j].addr;
		if (ng == 0 || !name_is_sub(ns, l->zone))
			continue;
		if (!auth) {
			char nt[NAME_TEXT_MAX], note[NAME_TEXT_MAX * 2 + 96];
			ntext(ns, nt, sizeof(nt));
			snprintf(note, sizeof(note),
				 "glue of %s not compared: no server of %s answered (give one with --child ADDR)",
				 nt, l->ztext);
			size_t used = strlen(l->why);
			snprintf(l->why + used, sizeof(l->why) - used, "%s%s", used ? "; " : "", note);
			continue;
		}
		bool answered = false;
		uint16_t types[2] = { RR_A, RR_AAAA };
		for (int t = 0; t < (g->o.ipv6 ? 2 : 1); t++) {
			if (ask(g, &auth->addr, ns, types[t], &g->reply) < 0 ||
			    parse(g, &g->reply, ns, types[t], m) < 0 || !(m->flags & DNS_AA) ||
			    m->rcode != RCODE_NOERROR)
				continue;
			answered = true;
			for (unsigned j = 0; j < m->naddr && nc < GC_MAX_ADDRS; j++)
				child[nc++] = m->addr[j];
		}
		char as[48];
		addr_text(&auth->addr, as, sizeof(as));
		if (!answered)
			continue;
		if (nc == 0) {
			add_finding(g, li, -1, "GLUE_MISSING_IN_CHILD", ns, NULL,
				    "the referral has glue for this NS name but the child (%s) has no address for it",
				    as);
			continue;
		}
		bool same = ng == nc;
		for (size_t j = 0; same && j < ng; j++) {
			bool found = false;
			for (size_t c = 0; c < nc && !found; c++)
				found = addr_eq(&glue[j], &child[c]);
			same = found;
		}
		if (!same) {
			char gt[256], ct[256];
			addrs_text(glue, ng, gt, sizeof(gt));
			addrs_text(child, nc, ct, sizeof(ct));
			add_finding(g, li, -1, "GLUE_MISMATCH", ns, NULL,
				    "the referral's glue says %s, the child (%s, authoritative) says %s", gt,
				    as, ct);
		}
	}
	free(m);
}

/*
 * The servers of level li: each NS name of the referral by its glue (or
 * resolved), each address probed; then the --child addresses when this is
 * the domain's own zone.
 */
static void probe_level(gc_t *g, int li, const parsed_t *ref)
{
	level_t *l = &g->levels[li];
	int first = g->nrows;
	for (unsigned k = 0; k < l->nns; k++) {
		const uint8_t *ns = l->ns[k];
		char nt[NAME_TEXT_MAX];
		ntext(ns, nt, sizeof(nt));
		bool in_domain = name_is_sub(ns, l->zone);
		bool in_parent = name_is_sub(ns, l->parent);
		sim_addr_t addrs[GC_MAX_ADDRS];
		size_t na = 0, nglue_any = 0;
		for (unsigned j = 0; j < ref->nglue; j++) {
			if (!name_equal(ref->glue[j].name, ns))
				continue;
			nglue_any++;
			if ((ref->glue[j].addr.len == 4 || g->o.ipv6) && na < GC_MAX_ADDRS)
				addrs[na++] = ref->glue[j].addr;
		}
		const char *how = in_domain ? "glue (in-domain)" : in_parent ? "glue (sibling)" : "glue";
		if (nglue_any == 0 && in_domain) {
			int ri = add_row(g, li, nt, NULL, "MISSING");
			if (ri >= 0)
				snprintf(g->rows[ri].status, sizeof(g->rows[ri].status),
					 "no address: in-domain and no glue");
			add_finding(g, li, ri, "MISSING_GLUE_FOR_NS_NAME", ns, NULL,
				    "the referral from %s names %s, inside %s, without its address: no resolver can reach it",
				    l->from, nt, l->ztext);
			continue;
		}
		if (na == 0) {
			uint16_t types[2] = { RR_A, RR_AAAA };
			for (int t = 0; t < (g->o.ipv6 ? 2 : 1); t++)
				na += resolve_addrs(g, ns, types[t], 0, addrs + na, GC_MAX_ADDRS - na);
			how = nglue_any ? "glue (IPv6 only), resolved"
			      : in_parent ? "no glue (sibling), resolved" : "out-of-zone, resolved";
		}
		if (na == 0) {
			int ri = add_row(g, li, nt, NULL, nglue_any ? "IPv6 glue only" : "none");
			if (ri >= 0) {
				snprintf(g->rows[ri].status, sizeof(g->rows[ri].status),
					 "no address: the name does not resolve");
				g->rows[ri].bad = true;
			}
			continue;
		}
		for (size_t j = 0; j < na; j++) {
			int ri = add_row(g, li, nt, &addrs[j], how);
			if (ri >= 0)
				probe(g, ri, ns);
		}
	}
	if (name_equal(l->zone, g->o.domain)) {
		for (size_t c = 0; c < g->o.nchild; c++) {
			int ri = add_row(g, li, "(--child)", &g->o.child[c], "given");
			if (ri >= 0) {
				g->rows[ri].given = true;
				probe(g, ri, NULL);
			}
		}
	}
	check_ns_sets(g, li, first);
	check_glue(g, li, first, ref);
}

/*
 * Ask the servers of level li (its authoritative ones) for the domain's NS.
 * Fills ref and returns 1 for a referral further down, 0 when the domain
 * is in this zone (authoritative answer), -1 when nothing useful came back.
 */
typedef struct fetched {
	bool tc512, tc1232, tcp;
	size_t size;
} fetched_t;

static int fetch_referral(gc_t *g, int li, parsed_t *ref, char *from, size_t fromcap, fetched_t *fx)
{
	level_t *l = &g->levels[li];
	reply_t *rep = &g->reply;
	uint8_t q[512];
	char why[256] = "";
	for (int i = 0; i < g->nrows; i++) {
		row_t *r = &g->rows[i];
		if (r->level != li || !r->auth || r->given)
			continue;
		char as[48];
		addr_text(&r->addr, as, sizeof(as));
		/* EDNS 512 first: what a resolver with a small buffer sees. */
		size_t qlen = build_query(g, q, g->o.domain, RR_NS, 512);
		if (udp_exchange(g, &r->addr, q, qlen, rep) < 0)
			continue;
		bool tc512 = wire_get16(rep->buf + 2) & DNS_TC, tc1232 = false, tcp = false;
		if (tc512) {
			qlen = build_query(g, q, g->o.domain, RR_NS, EDNS_ADVERTISED);
			if (udp_exchange(g, &r->addr, q, qlen, rep) < 0)
				continue;
			tc1232 = wire_get16(rep->buf + 2) & DNS_TC;
			if (tcp_exchange(g, &r->addr, q, qlen, rep) < 0) {
				snprintf(why, sizeof(why), "%s: TC, and TCP fails (%s)", as,
					 err_text(rep->err));
				continue;
			}
			tcp = true;
		}
		if (parse(g, rep, g->o.domain, RR_NS, ref) < 0)
			continue;
		snprintf(from, fromcap, "%s", as);
		if (ref->flags & DNS_AA)
			return 0;
		if (ref->rcode == RCODE_NOERROR && ref->nns > 0 &&
		    name_is_sub(g->o.domain, ref->ns_owner) && !name_equal(ref->ns_owner, l->zone) &&
		    name_is_sub(ref->ns_owner, l->zone)) {
			fx->tc512 = tc512;
			fx->tc1232 = tc1232;
			fx->tcp = tcp;
			fx->size = rep->len;
			return 1;
		}
	}
	if (why[0])
		snprintf(l->why, sizeof(l->why), "%s", why);
	return -1;
}

static void walk(gc_t *g)
{
	parsed_t *ref = malloc(sizeof(*ref));
	if (!ref) {
		snprintf(g->result, sizeof(g->result), "out of memory");
		return;
	}
	/* Level 0: the starting server, taken to serve the root. */
	level_t *l = &g->levels[0];
	memset(l, 0, sizeof(*l));
	snprintf(l->ztext, sizeof(l->ztext), ".");
	g->nlevels = 1;
	int ri = add_row(g, 0, "(start)", &g->o.start, "given");
	if (ri >= 0)
		probe(g, ri, NULL);
	for (int li = 0; li < GC_MAX_LEVELS - 1; li++) {
		char from[64] = "";
		l = &g->levels[li];
		bool any_auth = false;
		for (int i = 0; i < g->nrows; i++)
			any_auth |= g->rows[i].level == li && g->rows[i].auth && !g->rows[i].given;
		if (!any_auth) {
			l->broken = true;
			setf(g->result, sizeof(g->result), "no server of %s answers authoritatively%s%s",
			     l->ztext, l->why[0] ? ": " : "", l->why);
			break;
		}
		if (name_equal(l->zone, g->o.domain)) {
			g->complete = true;
			break;
		}
		fetched_t fx = { 0 };
		int rc = fetch_referral(g, li, ref, from, sizeof(from), &fx);
		if (rc == 0 && ref->rcode != RCODE_NOERROR) {
			setf(g->result, sizeof(g->result), "%s (%s) answers %s for it", l->ztext, from,
			     rcode_str(ref->rcode));
			break;
		}
		if (rc == 0) {
			g->complete = true; /* the domain is inside this zone */
			break;
		}
		if (rc < 0) {
			l->broken = true;
			setf(g->result, sizeof(g->result),
			     "no server of %s gives an answer or a referral for the domain%s%s", l->ztext,
			     l->why[0] ? ": " : "", l->why);
			break;
		}
		level_t *c = &g->levels[g->nlevels];
		memset(c, 0, sizeof(*c));
		memcpy(c->zone, ref->ns_owner, name_len(ref->ns_owner));
		memcpy(c->parent, l->zone, name_len(l->zone));
		ntext(c->zone, c->ztext, sizeof(c->ztext));
		ntext(c->parent, c->ptext, sizeof(c->ptext));
		c->referral = true;
		snprintf(c->from, sizeof(c->from), "%s", from);
		c->nns = ref->nns;
		memcpy(c->ns, ref->ns, sizeof(c->ns));
		c->nglue = ref->nglue;
		c->tc512 = fx.tc512;
		c->tc1232 = fx.tc1232;
		c->over_tcp = fx.tcp;
		c->size = fx.size;
		int ci = g->nlevels++;
		if (c->tc1232)
			add_finding(g, ci, -1, "REFERRAL_EXCEEDS_1232", NULL, NULL,
				    "the referral from %s is truncated (TC) even with EDNS 1232; %zu bytes over TCP",
				    from, c->size);
		else if (c->tc512)
			add_finding(g, ci, -1, "REFERRAL_EXCEEDS_512", NULL, NULL,
				    "the referral from %s is truncated (TC) with EDNS 512; %zu bytes over TCP",
				    from, c->size);
		probe_level(g, ci, ref);
	}
	if (g->complete)
		snprintf(g->result, sizeof(g->result), "%s", "");
	free(ref);
}

/* ---- output ---------------------------------------------------------------------------- */

static void print_text(gc_t *g, unsigned ms)
{
	char dt[NAME_TEXT_MAX], as[48];
	ntext(g->o.domain, dt, sizeof(dt));
	printf("gluecheck %s from %s port %u (%s, UDP %d ms x %d, TCP)\n", dt,
	       addr_text(&g->o.start, as, sizeof(as)), g->o.port, g->o.ipv6 ? "IPv4+IPv6" : "IPv4",
	       g->o.timeout_ms, g->o.tries);
	for (int li = 0; li < g->nlevels; li++) {
		const level_t *l = &g->levels[li];
		putchar('\n');
		if (l->referral) {
			char nt[1024];
			names_text((uint8_t(*)[NAME_MAXLEN])l->ns, l->nns, nt, sizeof(nt));
			printf("%s -> %s: referral from %s: NS %s; %u glue record(s); %zu bytes%s\n",
			       l->ptext, l->ztext, l->from, nt, l->nglue, l->size,
			       l->tc1232   ? ", TC at 512 and 1232, then TCP"
			       : l->tc512 ? ", TC at 512, then TCP" : " over UDP");
		}
		printf("  %-14s %-24s %-16s %-22s %-10s %-8s %s\n", "zone", "server", "address", "address from",
		       "udp", "tcp", "status");
		for (int i = 0; i < g->nrows; i++) {
			const row_t *r = &g->rows[i];
			if (r->level != li)
				continue;
			printf("  %-14s %-24s %-16s %-22s %-10s %-8s %s%s\n", l->ztext, r->ns,
			       r->has_addr ? addr_text(&r->addr, as, sizeof(as)) : "-", r->glue, r->udp,
			       r->tcp, r->status, r->bad ? "  <-" : "");
		}
	}
	printf("\nfindings:\n");
	if (g->nfindings == 0)
		printf("  none\n");
	for (int i = 0; i < g->nfindings; i++) {
		char line[2048];
		check_format_text(&g->findings[i].f, line, sizeof(line));
		printf("  %s\n", line);
	}
	printf("\nresult: %s: %s %s%s%s (%u error(s), %u warning(s), %d server(s), %u queries, %u ms)\n",
	       g->complete && g->errors == 0 ? "OK" : "FAIL", dt,
	       !g->complete ? "cannot be resolved: " : g->errors ? "resolves, with errors" : "is delegated correctly",
	       g->complete ? "" : g->result, "", g->errors, g->warnings, g->nrows, g->queries, ms);
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
	for (int li = 0; li < g->nlevels; li++) {
		const level_t *l = &g->levels[li];
		if (l->referral) {
			char nt[1024];
			names_text((uint8_t(*)[NAME_MAXLEN])l->ns, l->nns, nt, sizeof(nt));
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
		for (int i = 0; i < g->nrows; i++) {
			const row_t *r = &g->rows[i];
			if (r->level != li)
				continue;
			jopen(&j, buf, sizeof(buf));
			json_str(&j, "kind", "server");
			json_str(&j, "zone", l->ztext);
			json_str(&j, "ns", r->ns);
			json_str(&j, "address",
			    r->has_addr ? addr_text(&r->addr, as, sizeof(as)) : "");
			json_str(&j, "address_from", r->glue);
			json_str(&j, "udp", r->udp);
			json_str(&j, "tcp", r->tcp);
			json_str(&j, "status", r->status);
			json_bool(&j, "authoritative", r->auth);
			json_bool(&j, "ok", !r->bad && r->auth);
			jclose(&j);
		}
	}
	for (int i = 0; i < g->nfindings; i++) {
		jopen(&j, buf, sizeof(buf));
		json_str(&j, "kind", "finding");
		check_finding_json(&j, &g->findings[i].f);
		jclose(&j);
	}
	jopen(&j, buf, sizeof(buf));
	json_str(&j, "kind", "summary");
	json_str(&j, "domain", dt);
	json_str(&j, "result", g->complete && g->errors == 0 ? "OK" : "FAIL");
	json_str(&j, "why", g->result);
	json_uint(&j, "errors", g->errors);
	json_uint(&j, "warnings", g->warnings);
	json_uint(&j, "infos", g->infos);
	json_uint(&j, "servers", g->nrows);
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
		 g->complete && g->errors == 0 ? "OK" : "FAIL");
	dot_str(f, label);
	fprintf(f, ", labelloc=t];\n\tnode [fontname=\"Helvetica\"];\n\tedge [fontname=\"Helvetica\"];\n");
	for (int li = 0; li < g->nlevels; li++) {
		const level_t *l = &g->levels[li];
		/* The zone, red with its codes when a delegation finding names no server. */
		char codes[512] = "";
		for (int i = 0; i < g->nfindings; i++) {
			const finding_t *fd = &g->findings[i];
			if (fd->level == li && fd->row < 0 && !strstr(codes, fd->f.code))
				snprintf(codes + strlen(codes), sizeof(codes) - strlen(codes), "\\n%s",
					 fd->f.code);
		}
		bool red = codes[0] || l->broken;
		snprintf(label, sizeof(label), "%s%s%s", l->ztext, codes, l->broken ? "\\nunreachable" : "");
		fprintf(f, "\tz%d [shape=box, style=\"rounded,bold\", label=", li);
		dot_str(f, label);
		fprintf(f, "%s];\n", red ? ", color=red, fontcolor=red" : "");
		if (l->referral) {
			snprintf(label, sizeof(label), "referral from %s\\n%u NS, %u glue%s", l->from, l->nns,
				 l->nglue, l->tc512 ? ", TC -> TCP" : "");
			fprintf(f, "\tz%d -> z%d [label=", li - 1, li);
			dot_str(f, label);
			fprintf(f, "%s];\n", red ? ", color=red" : "");
		}
		for (int i = 0; i < g->nrows; i++) {
			const row_t *r = &g->rows[i];
			if (r->level != li)
				continue;
			char rc[512] = "";
			for (int k = 0; k < g->nfindings; k++)
				if (g->findings[k].row == i && !strstr(rc, g->findings[k].f.code))
					snprintf(rc + strlen(rc), sizeof(rc) - strlen(rc), "\\n%s",
						 g->findings[k].f.code);
			snprintf(label, sizeof(label), "%s\\n%s%s", r->ns,
				 r->has_addr ? addr_text(&r->addr, as, sizeof(as)) : "no address", rc);
			bool bad = r->bad || rc[0] || !r->auth;
			fprintf(f, "\ts%d [shape=ellipse, label=", i);
			dot_str(f, label);
			fprintf(f, "%s];\n", bad ? ", color=red, fontcolor=red" : ", color=darkgreen");
			fprintf(f, "\tz%d -> s%d [style=dashed, arrowhead=none%s];\n", li, i,
				 bad ? ", color=red" : "");
		}
	}
	fprintf(f, "}\n");
	return fclose(f) == 0 ? 0 : -1;
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

enum { OPT_JSON = 256, OPT_DOT };

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
			if (o->nchild >= GC_MAX_CHILD)
				return usage_error("too many --child addresses (at most 8): '%s'", optarg);
			if (parse_addr(optarg, &o->child[o->nchild], &dummy, &dummy_b) < 0 || dummy_b)
				return usage_error("bad --child address '%s': expected an IPv4 or IPv6 address (the port is -p's)", optarg);
			o->nchild++;
			break;
		case '6':
			o->ipv6 = true;
			break;
		case 't':
			if (parse_num(optarg, 10, 60000, &v) < 0)
				return usage_error("bad timeout '%s': expected 10-60000 (milliseconds)", optarg);
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
				return usage_error("bad server '%s': expected @ADDR or @ADDR:PORT ([ADDR]:PORT for IPv6)", argv[i]);
			start_given = true;
		} else if (domain == NULL) {
			domain = argv[i];
		} else {
			return usage_error("unexpected argument '%s' (one domain)", argv[i]);
		}
	}
	if (domain == NULL)
		return usage_error("%s", "which domain? usage: gluecheck [options] DOMAIN [@ADDR[:PORT]]");
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
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	g.next_id = (uint16_t)(ts.tv_nsec ^ (getpid() << 4));
	uint64_t t0 = now_ms();
	walk(&g);
	unsigned ms = (unsigned)(now_ms() - t0);
	if (g.o.json)
		print_json(&g, ms);
	else
		print_text(&g, ms);
	if (g.o.dot && write_dot(&g, g.o.dot) < 0) {
		fprintf(stderr, "gluecheck: cannot write %s: %s\n", g.o.dot, strerror(errno));
		return 1;
	}
	return g.complete && g.errors == 0 ? 0 : 1;
}
