/*
 * xfr.c -- zone transfers out and NOTIFY in: access, TSIG, the streams.
 */
#include "dns/xfr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/encode.h"
#include "dns/header.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/respond.h"
#include "dns/wire.h"
#include "dns/zoneset.h"

#define OPCODE_NOTIFY 4

/* ---- addresses -------------------------------------------------------- */

int xfr_addr_parse(const char *text, bool prefix, uint16_t default_port, xfr_addr_t *out, char *err,
		   size_t errcap)
{
	char host[80];
	const char *what = prefix ? "an address or prefix (192.0.2.0/24, 2001:db8::/32)"
				  : "an address with an optional port (192.0.2.1:53, [::1]:53)";
	size_t n = strlen(text);
	memset(out, 0, sizeof(*out));
	out->port = default_port;
	if (n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, text, n + 1);
	long bits = -1;
	if (prefix) {
		char *slash = strchr(host, '/');
		if (slash) {
			char *end;
			*slash = 0;
			bits = strtol(slash + 1, &end, 10);
			if (end == slash + 1 || *end || bits < 0)
				goto bad;
		}
	} else if (host[0] == '[') {
		char *close = strchr(host, ']');
		if (!close)
			goto bad;
		*close = 0;
		memmove(host, host + 1, strlen(host + 1) + 1);
		const char *rest = text + (close - host) + 1;
		if (*rest == ':') {
			char *end;
			long p = strtol(rest + 1, &end, 10);
			if (end == rest + 1 || *end || p < 1 || p > 65535)
				goto bad;
			out->port = (uint16_t)p;
		} else if (*rest) {
			goto bad;
		}
	} else {
		char *colon = strchr(host, ':');
		if (colon && !strchr(colon + 1, ':')) {
			char *end;
			long p = strtol(colon + 1, &end, 10);
			if (end == colon + 1 || *end || p < 1 || p > 65535)
				goto bad;
			out->port = (uint16_t)p;
			*colon = 0;
		}
	}
	if (inet_pton(AF_INET, host, out->addr) == 1) {
		out->family = AF_INET;
		if (bits > 32)
			goto bad;
		out->bits = (uint8_t)(bits < 0 ? 32 : bits);
	} else if (inet_pton(AF_INET6, host, out->addr) == 1) {
		out->family = AF_INET6;
		if (bits > 128)
			goto bad;
		out->bits = (uint8_t)(bits < 0 ? 128 : bits);
	} else {
		goto bad;
	}
	return ST_OK;
bad:
	snprintf(err, errcap, "'%s' is not %s", text, what);
	return ST_EINVAL;
}

const char *xfr_addr_str(const xfr_addr_t *a, char *buf, size_t cap)
{
	char h[INET6_ADDRSTRLEN];
	inet_ntop(a->family, a->addr, h, sizeof(h));
	bool whole = a->bits == (a->family == AF_INET ? 32 : 128);
	if (!whole)
		snprintf(buf, cap, "%s/%u", h, a->bits);
	else if (a->family == AF_INET6)
		snprintf(buf, cap, "[%s]:%u", h, a->port);
	else
		snprintf(buf, cap, "%s:%u", h, a->port);
	return buf;
}

/* The address bytes of peer, or NULL. */
static const uint8_t *peer_bytes(const struct sockaddr *peer, uint8_t *family)
{
	if (peer == NULL)
		return NULL;
	if (peer->sa_family == AF_INET) {
		*family = AF_INET;
		return (const uint8_t *)&((const struct sockaddr_in *)peer)->sin_addr;
	}
	if (peer->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)peer;
		const uint8_t *b = s6->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };
		if (memcmp(b, mapped, 12) == 0) {
			*family = AF_INET;
			return b + 12;
		}
		*family = AF_INET6;
		return b;
	}
	return NULL;
}

bool xfr_addr_match(const xfr_addr_t *p, const struct sockaddr *peer)
{
	uint8_t family;
	const uint8_t *b = peer_bytes(peer, &family);
	if (b == NULL || family != p->family)
		return false;
	unsigned full = p->bits / 8u, rest = p->bits % 8u;
	if (memcmp(b, p->addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xFF << (8 - rest));
	return (b[full] & mask) == (p->addr[full] & mask);
}

socklen_t xfr_addr_sockaddr(const xfr_addr_t *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;
		s->sin_family = AF_INET;
		s->sin_port = htons(a->port);
		memcpy(&s->sin_addr, a->addr, 4);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(a->port);
	memcpy(&s->sin6_addr, a->addr, 16);
	return sizeof(*s);
}

/* ---- the streams -------------------------------------------------------- */

enum { PH_FIRST_SOA, PH_BODY, PH_LAST_SOA, PH_DONE };

struct xfr_out {
	const zone_t *z;
	const journal_t *j; /* IXFR: the diffs from index k on; NULL: AXFR */
	size_t k;
	int part; /* IXFR: 0 the diff's deletions, 1 its additions */
	size_t blobpos;
	zone_iter_t it;
	int phase;
	query_t q;
	encode_msg_t *m;
	bool tsig;
	tsig_ctx_t ctx;
	uint64_t now;
	bool first;
	bool failed;
	bool has_pend;
	zone_rec_t pend;
	uint32_t msgs;
	uint64_t records, bytes;
};

/* The next record of the transfer, or false at its end. */
static bool next_rec(xfr_out_t *x, zone_rec_t *r)
{
	for (;;) {
		switch (x->phase) {
		case PH_FIRST_SOA:
			x->phase = PH_BODY;
			return zone_soa_rec(x->z, r);
		case PH_BODY:
			if (x->j == NULL) {
				while (zone_iter_next(&x->it, r))
					if (r->type != RR_SOA)
						return true;
				x->phase = PH_LAST_SOA;
				continue;
			}
			while (x->k < x->j->n) {
				const journal_diff_t *d = x->j->d[x->k];
				const uint8_t *blob = x->part == 0 ? d->del : d->add;
				size_t len = x->part == 0 ? d->dellen : d->addlen;
				if (journal_rec(blob, len, &x->blobpos, r))
					return true;
				x->blobpos = 0;
				if (++x->part == 2) {
					x->part = 0;
					x->k++;
				}
			}
			x->phase = PH_LAST_SOA;
			continue;
		case PH_LAST_SOA:
			x->phase = PH_DONE;
			return zone_soa_rec(x->z, r);
		default:
			return false;
		}
	}
}

static xfr_out_t *xfr_out_new(const zone_t *z, const journal_t *j, size_t k, const query_t *q,
			      const tsig_ctx_t *ctx, uint64_t now)
{
	xfr_out_t *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->m = encode_msg_new();
	if (!x->m) {
		free(x);
		return NULL;
	}
	x->z = z;
	x->j = j;
	x->k = k;
	zone_iter_init(&x->it, z);
	x->q = *q;
	x->now = now;
	x->first = true;
	if (ctx) {
		x->tsig = true;
		x->ctx = *ctx;
	}
	return x;
}

size_t xfr_out_next(xfr_out_t *x, uint8_t *out, size_t cap)
{
	if (x->failed || (x->phase == PH_DONE && !x->has_pend))
		return 0;
	if (cap > XFR_MSG_MAX)
		cap = XFR_MSG_MAX;
	size_t reserve = x->tsig ? tsig_space(&x->ctx) : 0;
	encode_msg_begin(x->m, &x->q, RCODE_NOERROR, true, x->first, reserve, out, cap);
	zone_rec_t r;
	for (;;) {
		if (x->has_pend) {
			r = x->pend;
			x->has_pend = false;
		} else if (!next_rec(x, &r)) {
			break;
		}
		if (!encode_msg_rr(x->m, r.owner, r.type, r.ttl, r.rd, r.rdlen)) {
			x->pend = r;
			x->has_pend = true;
			break;
		}
		x->records++;
	}
	size_t len = encode_msg_end(x->m);
	if (len == 0 || encode_msg_count(x->m) == 0) {
		/* Not one record fits in a whole message. */
		x->failed = true;
		return 0;
	}
	if (x->tsig && tsig_sign(&x->ctx, out, &len, cap, x->now, 0) != ST_OK) {
		x->failed = true;
		return 0;
	}
	x->first = false;
	x->msgs++;
	x->bytes += len;
	return len;
}

bool xfr_out_failed(const xfr_out_t *x) { return x->failed; }

void xfr_out_counts(const xfr_out_t *x, uint32_t *msgs, uint64_t *records, uint64_t *bytes)
{
	*msgs = x->msgs;
	*records = x->records;
	*bytes = x->bytes;
}

void xfr_out_free(xfr_out_t *x)
{
	if (!x)
		return;
	if (x->tsig)
		tsig_ctx_free(&x->ctx);
	encode_msg_free(x->m);
	free(x);
}

/* ---- requests -------------------------------------------------------- */

bool xfr_is_transfer(const query_t *q)
{
	if (!q->has_question)
		return false;
	if (q->opcode == OPCODE_NOTIFY)
		return true;
	return q->opcode == 0 && (q->qtype == RR_AXFR || q->qtype == RR_IXFR);
}

bool xfr_peek(const uint8_t *req, size_t len)
{
	if (len < DNS_HEADER_LEN + 5 || (req[2] & DNS_QR >> 8))
		return false;
	unsigned opcode = (req[2] >> 3) & 0xF;
	if (opcode == OPCODE_NOTIFY)
		return true;
	if (opcode != 0 || wire_get16(req + 4) != 1)
		return false;
	size_t p = DNS_HEADER_LEN;
	while (p < len && req[p] != 0) {
		if (req[p] > 63)
			return false;
		p += 1u + req[p];
	}
	if (p + 3 > len)
		return false;
	uint16_t qtype = wire_get16(req + p + 1);
	return qtype == RR_AXFR || qtype == RR_IXFR;
}

/* The serial of the SOA a request carries in ANSWER (NOTIFY) or AUTHORITY
 * (IXFR) for origin: 1 and *serial, 0 none, -1 malformed. */
static int request_soa(const uint8_t *req, size_t len, int section, uint32_t *serial)
{
	wire_rd_t r;
	wire_rd_init(&r, req, len);
	uint16_t count[4];
	(void)wire_rd_skip(&r, 4);
	for (int i = 0; i < 4; i++)
		count[i] = wire_rd_u16(&r);
	size_t pos = DNS_HEADER_LEN;
	uint8_t name[NAME_MAXLEN];
	for (int s = 0; s <= section; s++) {
		for (unsigned i = 0; i < count[s]; i++) {
			if (name_unpack(req, len, &pos, name) < 0)
				return -1;
			size_t fixed = s == 0 ? 4 : 10;
			if (len - pos < fixed)
				return -1;
			uint16_t type = wire_get16(req + pos);
			if (s == 0) {
				pos += 4;
				continue;
			}
			uint16_t rdlen = wire_get16(req + pos + 8);
			pos += 10;
			if (len - pos < rdlen)
				return -1;
			if (s == section && type == RR_SOA) {
				size_t p = pos;
				if (name_unpack(req, pos + rdlen, &p, name) < 0 ||
				    name_unpack(req, pos + rdlen, &p, name) < 0 ||
				    pos + rdlen - p < 20)
					return -1;
				*serial = wire_get32(req + p);
				return 1;
			}
			pos += rdlen;
		}
	}
	return 0;
}

/* A reply of one message: rcode, the question, the SOA when soa, an EDE
 * when ede; signed when ctx. */
static size_t reply(const query_t *q, uint16_t rcode, bool aa, const zone_t *soa, tsig_ctx_t *ctx,
		    uint16_t tsig_error, uint64_t now, uint8_t *out)
{
	size_t len;
	if (soa == NULL) {
		len = encode_error(q, rcode, NULL, out, RESPOND_MAX, NULL);
		if (len > 0 && aa)
			wire_put16(out + 2, (uint16_t)(wire_get16(out + 2) | DNS_AA));
	} else {
		encode_msg_t *m = encode_msg_new();
		zone_rec_t r;
		if (!m)
			return 0;
		encode_msg_begin(m, q, rcode, aa, true, ctx ? tsig_space(ctx) : 0, out,
				 RESPOND_MAX);
		if (zone_soa_rec(soa, &r))
			(void)encode_msg_rr(m, r.owner, r.type, r.ttl, r.rd, r.rdlen);
		len = encode_msg_end(m);
		encode_msg_free(m);
	}
	if (len > 0 && ctx && tsig_sign(ctx, out, &len, RESPOND_MAX, now, tsig_error) != ST_OK)
		return 0;
	return len;
}

static size_t refuse(const query_t *q, uint8_t *out, tsig_ctx_t *ctx, uint64_t now)
{
	const ede_t ede = EDE_CODE(EDE_PROHIBITED);
	size_t len = encode_error(q, RCODE_REFUSED, &ede, out, RESPOND_MAX - 512, NULL);
	if (len > 0 && ctx && tsig_sign(ctx, out, &len, RESPOND_MAX, now, 0) != ST_OK)
		return 0;
	return len;
}

static const char *peer_str(const struct sockaddr *peer, char *buf, size_t cap)
{
	uint8_t family;
	const uint8_t *b = peer_bytes(peer, &family);
	if (!b || !inet_ntop(family, b, buf, (socklen_t)cap))
		snprintf(buf, cap, "?");
	return buf;
}

int xfr_answer(const struct zoneset *zs, const uint8_t *req, size_t len, bool tcp,
	       const struct sockaddr *peer, uint64_t now, uint8_t *out, xfr_result_t *res)
{
	query_t q;
	char who[INET6_ADDRSTRLEN], zname[NAME_TEXT_MAX];
	memset(res, 0, sizeof(*res));
	res->outcome = XFR_REPLY;
	int v = query_parse(req, len, &q);
	if (v == QUERY_DROP || !q.has_question) {
		res->outcome = XFR_DROP;
		return ST_OK;
	}
	bool notify = q.opcode == OPCODE_NOTIFY;
	const char *what = notify ? "NOTIFY" : q.qtype == RR_AXFR ? "AXFR" : "IXFR";
	peer_str(peer, who, sizeof(who));
	name_str(q.lname, zname, sizeof(zname));
	if (v == QUERY_ERROR && !(notify && q.rcode == RCODE_NOTIMP)) {
		res->len = encode_error(&q, q.rcode, NULL, out, RESPOND_MAX, NULL);
		snprintf(res->why, sizeof(res->why), "%s %s from %s: malformed", what, zname, who);
		return ST_OK;
	}
	if (!notify && q.qtype == RR_AXFR && !tcp) {
		res->len = encode_error(&q, RCODE_NOTIMP, NULL, out, RESPOND_MAX, NULL);
		snprintf(res->why, sizeof(res->why), "AXFR %s from %s over UDP: NOTIMP", zname,
			 who);
		return ST_OK;
	}
	size_t zi = 0;
	const zone_t *z = zoneset_find_at(zs, q.lname, &zi);
	const xfr_spec_t *xs = NULL;
	const journal_t *jn = NULL;
	if (z != NULL && name_equal(q.lname, zone_origin(z))) {
		xs = zs->xfr ? zs->xfr[zi] : NULL;
		jn = zs->journal ? zs->journal[zi] : NULL;
		res->origin = zone_origin(z);
	} else {
		z = NULL;
		/* A NOTIFY may name a zone pulled from its primary that no
		 * transfer has brought yet. */
		for (size_t i = 0; notify && i < zs->nwaiting; i++) {
			if (name_equal(q.lname, zs->waiting[i].origin)) {
				xs = zs->waiting[i].xfr;
				res->origin = zs->waiting[i].origin;
			}
		}
	}
	if (res->origin == NULL) {
		res->len = encode_error(&q, RCODE_NOTAUTH, NULL, out, RESPOND_MAX, NULL);
		snprintf(res->why, sizeof(res->why), "%s %s from %s: not a zone of this server",
			 what, zname, who);
		return ST_OK;
	}

	/* TSIG first: a signed request gets a signed answer, or the TSIG
	 * error (RFC 8945 5.2). */
	tsig_rr_t tr;
	int found = tsig_find(req, len, &tr);
	tsig_ctx_t ctx;
	tsig_ctx_t *sctx = NULL;
	if (found < 0) {
		res->len = encode_error(&q, RCODE_FORMERR, NULL, out, RESPOND_MAX, NULL);
		snprintf(res->why, sizeof(res->why), "%s %s from %s: malformed TSIG", what, zname,
			 who);
		return ST_OK;
	}
	if (found > 0) {
		bool keyed = xs && xs->has_key;
		int t = tsig_verify_request(&ctx, keyed ? &xs->key : NULL, keyed ? 1 : 0, req, len,
					    now);
		if (t < 0) {
			res->len = encode_error(&q, RCODE_FORMERR, NULL, out, RESPOND_MAX, NULL);
			snprintf(res->why, sizeof(res->why), "%s %s from %s: malformed TSIG", what,
				 zname, who);
			return ST_OK;
		}
		if (t != 0) {
			res->len =
				reply(&q, RCODE_NOTAUTH, false, NULL, &ctx, (uint16_t)t, now, out);
			tsig_ctx_free(&ctx);
			snprintf(res->why, sizeof(res->why), "%s %s from %s: TSIG %s: NOTAUTH",
				 what, zname, who,
				 t == TSIG_BADKEY    ? "BADKEY (unknown key)"
				 : t == TSIG_BADTIME ? "BADTIME (clock skew)"
						     : "BADSIG (wrong MAC)");
			return ST_OK;
		}
		sctx = &ctx;
	}

	int rc = ST_OK;
	if (notify) {
		bool from_primary =
			xs && xs->has_primary &&
			(xs->has_key ? sctx != NULL : xfr_addr_match(&xs->primary, peer));
		if (!from_primary) {
			res->len = refuse(&q, out, sctx, now);
			snprintf(res->why, sizeof(res->why), "NOTIFY %s from %s: refused (%s)",
				 zname, who,
				 !xs || !xs->has_primary ? "the zone is not pulled from a primary"
				 : xs->has_key           ? "not signed with the zone's key"
							 : "not from the zone's primary");
			goto done;
		}
		uint32_t serial = 0;
		(void)request_soa(req, len, 1, &serial);
		res->len = reply(&q, RCODE_NOERROR, true, NULL, sctx, 0, now, out);
		if (res->len > 0) {
			/* The reply keeps the NOTIFY opcode and the question. */
			res->outcome = XFR_NOTIFIED;
			res->serial = serial;
		}
		snprintf(res->why, sizeof(res->why), "NOTIFY %s from %s (serial %u): refresh",
			 zname, who, serial);
		goto done;
	}
	if (!xs || xs->nallow == 0) {
		res->len = refuse(&q, out, sctx, now);
		snprintf(res->why, sizeof(res->why), "%s %s from %s: refused (no transfer: allow)",
			 what, zname, who);
		goto done;
	}
	bool allowed = false;
	for (size_t i = 0; i < xs->nallow && !allowed; i++)
		allowed = xfr_addr_match(&xs->allow[i], peer);
	if (!allowed || (xs->has_key && sctx == NULL)) {
		res->len = refuse(&q, out, sctx, now);
		snprintf(res->why, sizeof(res->why), "%s %s from %s: refused (%s)", what, zname,
			 who,
			 !allowed ? "not in transfer: allow" : "not signed with the zone's key");
		goto done;
	}
	uint32_t ours = zone_serial(z);
	const journal_t *from = NULL;
	size_t k = 0;
	if (q.qtype == RR_IXFR) {
		uint32_t theirs = 0;
		if (request_soa(req, len, 2, &theirs) != 1) {
			res->len = encode_error(&q, RCODE_FORMERR, NULL, out, RESPOND_MAX, NULL);
			snprintf(res->why, sizeof(res->why), "IXFR %s from %s: no SOA in AUTHORITY",
				 zname, who);
			goto done;
		}
		if (!tcp || !serial_gt(ours, theirs)) {
			/* Up to date, or UDP: the SOA alone (RFC 1995 2, 4). */
			res->len = reply(&q, RCODE_NOERROR, true, z, sctx, 0, now, out);
			snprintf(res->why, sizeof(res->why),
				 "IXFR %s from %s at serial %u: SOA %u only", zname, who, theirs,
				 ours);
			goto done;
		}
		long at = journal_find(jn, theirs);
		if (at >= 0) {
			from = jn;
			k = (size_t)at;
		}
		snprintf(res->why, sizeof(res->why), "IXFR %s to %s: serial %u -> %u%s", zname, who,
			 theirs, ours, from ? "" : " (as AXFR: no history that far)");
	} else {
		snprintf(res->why, sizeof(res->why), "AXFR %s to %s: serial %u", zname, who, ours);
	}
	res->stream = xfr_out_new(z, from, k, &q, sctx, now);
	if (res->stream == NULL) {
		res->len = encode_error(&q, RCODE_SERVFAIL, NULL, out, RESPOND_MAX, NULL);
		rc = ST_ENOMEM;
		goto done;
	}
	res->outcome = XFR_STREAM;
	return ST_OK; /* the stream owns the TSIG state now */
done:
	if (sctx)
		tsig_ctx_free(sctx);
	return rc;
}

/* ---- the client side -------------------------------------------------------- */

size_t xfr_build_request(uint8_t *buf, size_t cap, uint16_t id, const uint8_t *origin,
			 uint16_t qtype, tsig_ctx_t *ctx, uint64_t now)
{
	size_t olen = name_len(origin);
	if (cap < DNS_HEADER_LEN + olen + 4)
		return 0;
	memset(buf, 0, DNS_HEADER_LEN);
	wire_put16(buf, id);
	wire_put16(buf + 4, 1);
	memcpy(buf + DNS_HEADER_LEN, origin, olen);
	wire_put16(buf + DNS_HEADER_LEN + olen, qtype);
	wire_put16(buf + DNS_HEADER_LEN + olen + 2, CLASS_IN);
	size_t len = DNS_HEADER_LEN + olen + 4;
	if (ctx && tsig_sign(ctx, buf, &len, cap, now, 0) != ST_OK)
		return 0;
	return len;
}

size_t xfr_build_notify(uint8_t *buf, size_t cap, uint16_t id, const zone_t *z, tsig_ctx_t *ctx,
			uint64_t now)
{
	const uint8_t *origin = zone_origin(z);
	size_t olen = name_len(origin);
	zone_rec_t r;
	if (!zone_soa_rec(z, &r) || cap < DNS_HEADER_LEN + 2 * olen + 14 + r.rdlen)
		return 0;
	memset(buf, 0, DNS_HEADER_LEN);
	wire_put16(buf, id);
	wire_put16(buf + 2, (uint16_t)(OPCODE_NOTIFY << 11 | DNS_AA));
	wire_put16(buf + 4, 1);
	wire_put16(buf + 6, 1);
	size_t p = DNS_HEADER_LEN;
	memcpy(buf + p, origin, olen);
	p += olen;
	wire_put16(buf + p, RR_SOA);
	wire_put16(buf + p + 2, CLASS_IN);
	p += 4;
	wire_put16(buf + p, 0xC000 | DNS_HEADER_LEN);
	wire_put16(buf + p + 2, RR_SOA);
	wire_put16(buf + p + 4, CLASS_IN);
	wire_put32(buf + p + 6, r.ttl);
	wire_put16(buf + p + 10, r.rdlen);
	memcpy(buf + p + 12, r.rd, r.rdlen);
	size_t len = p + 12 + r.rdlen;
	if (ctx && tsig_sign(ctx, buf, &len, cap, now, 0) != ST_OK)
		return 0;
	return len;
}
