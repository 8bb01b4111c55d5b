/*
 * xfrin.c -- AXFR responses read into a zone copy.
 */
#include "dns/xfrin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/header.h"
#include "dns/journal.h"
#include "dns/rdata.h"
#include "dns/wire.h"

void zone_copy_free(zone_copy_t *c) { rec_blob_free(&c->recs); }

int zone_copy_source(void *arg, zf_rr_cb cb, void *ctx, char *err, size_t errcap)
{
	const zone_copy_t *c = arg;
	size_t pos = 0;
	zone_rec_t r;
	unsigned line = 0;
	while (pos < c->recs.len) {
		if (!journal_rec(c->recs.buf, c->recs.len, &pos, &r)) {
			snprintf(err, errcap, "%s: record %u: malformed copy", c->source, line + 1);
			return ST_EMALF;
		}
		zf_rr_t rr = { .owner = r.owner,
			       .type = r.type,
			       .rclass = CLASS_IN,
			       .ttl = r.ttl,
			       .rdata = r.rd,
			       .rdlen = r.rdlen,
			       .file = c->source,
			       .line = ++line };
		int rc = cb(ctx, &rr, err, errcap);
		if (rc != ST_OK)
			return rc;
	}
	return ST_OK;
}

void xfrin_init(xfrin_t *x, const uint8_t *origin, uint16_t id, const zone_limits_t *limits,
		tsig_ctx_t *tsig, const char *source)
{
	memset(x, 0, sizeof(*x));
	memcpy(x->copy.origin, origin, name_len(origin));
	snprintf(x->copy.source, sizeof(x->copy.source), "%s", source);
	x->id = id;
	x->limits = limits ? *limits : zone_limits_default();
	x->tsig = tsig;
}

void xfrin_free(xfrin_t *x) { zone_copy_free(&x->copy); }

void xfrin_take(xfrin_t *x, zone_copy_t *out)
{
	*out = x->copy;
	memset(&x->copy.recs, 0, sizeof(x->copy.recs));
}

static int fail(xfrin_t *x, int rc, const char *fmt, const char *detail)
{
	snprintf(x->err, sizeof(x->err), fmt, detail);
	return rc;
}

int xfrin_feed(xfrin_t *x, const uint8_t *msg, size_t len, uint64_t now)
{
	char what[64];
	if (len < DNS_HEADER_LEN)
		return fail(x, ST_EMALF, "%sa message shorter than a DNS header", "");
	uint16_t id = wire_get16(msg), flags = wire_get16(msg + 2);
	if (id != x->id || !(flags & DNS_QR))
		return fail(x, ST_EMALF, "%sa message that is not the answer to the request", "");
	if ((flags & 0xF) != RCODE_NOERROR)
		return fail(x, ST_EINVAL, "the primary answered %s", rcode_str(flags & 0xF));
	x->bytes += len;
	x->msgs++;
	if (x->limits.max_file_bytes && x->bytes > x->limits.max_file_bytes) {
		snprintf(what, sizeof(what), "%llu", (unsigned long long)x->limits.max_file_bytes);
		return fail(x, ST_ELIMIT, "the transfer is larger than %s bytes (limit)", what);
	}
	if (x->tsig) {
		int t = tsig_verify_response(x->tsig, msg, len, now);
		if (t != 0)
			return fail(x, ST_EINVAL, "%s",
				    t == TSIG_BADKEY    ? "TSIG: unknown key (BADKEY)"
				    : t == TSIG_BADTIME ? "TSIG: clock skew (BADTIME)"
				    : t == TSIG_BADSIG  ? "TSIG: wrong MAC (BADSIG)"
							: "TSIG: missing or malformed");
	}
	uint16_t qd = wire_get16(msg + 4), an = wire_get16(msg + 6);
	size_t pos = DNS_HEADER_LEN;
	uint8_t name[NAME_MAXLEN];
	for (unsigned i = 0; i < qd; i++) {
		if (name_unpack(msg, len, &pos, name) < 0 || len - pos < 4)
			return fail(x, ST_EMALF, "%sa malformed question", "");
		pos += 4;
	}
	uint8_t rd[65535 + 2 * NAME_MAXLEN];
	for (unsigned i = 0; i < an; i++) {
		if (x->soas >= 2)
			return fail(x, ST_EMALF, "%srecords after the closing SOA", "");
		if (name_unpack(msg, len, &pos, name) < 0 || len - pos < 10)
			return fail(x, ST_EMALF, "%sa malformed record", "");
		uint16_t type = wire_get16(msg + pos), cls = wire_get16(msg + pos + 2);
		uint32_t ttl = wire_get32(msg + pos + 4);
		uint16_t rdlen = wire_get16(msg + pos + 8);
		pos += 10;
		if (len - pos < rdlen)
			return fail(x, ST_EMALF, "%sa record longer than its message", "");
		size_t end = pos + rdlen, first, p = pos, out = 0;
		int names = rdata_compressible_names(type, &first);
		if (names > 0 && first <= rdlen) {
			memcpy(rd, msg + pos, first);
			out = first;
			p = pos + first;
			for (int k = 0; k < names; k++) {
				int n = name_unpack(msg, end, &p, rd + out);
				if (n < 0)
					return fail(x, ST_EMALF, "%sa malformed name in rdata", "");
				out += (size_t)n;
			}
			memcpy(rd + out, msg + p, end - p);
			out += end - p;
		} else {
			memcpy(rd, msg + pos, rdlen);
			out = rdlen;
		}
		pos = end;
		if (out > 65535 || rdata_check(type, rd, out) < 0)
			return fail(x, ST_EMALF, "%sa record with malformed rdata", "");
		if (cls != CLASS_IN)
			return fail(x, ST_EMALF, "%sa record of a class other than IN", "");
		bool apex_soa = type == RR_SOA && name_equal(name, x->copy.origin);
		if (x->soas == 0) {
			if (!apex_soa)
				return fail(x, ST_EMALF,
					    "%sa first record that is not the zone's SOA", "");
			x->copy.serial = wire_get32(rd + out - 20);
		}
		if (apex_soa && ++x->soas == 2) {
			/* The closing SOA is the opening one (RFC 5936 2.2). */
			if (wire_get32(rd + out - 20) != x->copy.serial)
				return fail(x, ST_EMALF,
					    "%sa closing SOA whose serial is not the opening one's",
					    "");
			continue;
		}
		if (x->limits.max_records && x->copy.recs.n >= x->limits.max_records) {
			snprintf(what, sizeof(what), "%llu",
				 (unsigned long long)x->limits.max_records);
			return fail(x, ST_ELIMIT, "the zone has more than %s records (limit)",
				    what);
		}
		zone_rec_t rec = { name, type, ttl, rd, (uint16_t)out };
		if (!rec_blob_put(&x->copy.recs, &rec))
			return fail(x, ST_ENOMEM, "%sout of memory", "");
	}
	if (x->soas >= 2) {
		if (x->tsig && tsig_verify_done(x->tsig) != 0)
			return fail(x, ST_EINVAL, "%sTSIG: the last message is not signed", "");
		return 1;
	}
	return 0;
}

int xfrin_soa_serial(const uint8_t *msg, size_t len, uint16_t id, const uint8_t *origin,
		     uint32_t *serial)
{
	if (len < DNS_HEADER_LEN || wire_get16(msg) != id || !(wire_get16(msg + 2) & DNS_QR))
		return ST_EMALF;
	if ((wire_get16(msg + 2) & 0xF) != RCODE_NOERROR)
		return 0;
	uint16_t qd = wire_get16(msg + 4), an = wire_get16(msg + 6);
	size_t pos = DNS_HEADER_LEN;
	uint8_t name[NAME_MAXLEN];
	for (unsigned i = 0; i < qd; i++) {
		if (name_unpack(msg, len, &pos, name) < 0 || len - pos < 4)
			return ST_EMALF;
		pos += 4;
	}
	for (unsigned i = 0; i < an; i++) {
		if (name_unpack(msg, len, &pos, name) < 0 || len - pos < 10)
			return ST_EMALF;
		uint16_t type = wire_get16(msg + pos), rdlen = wire_get16(msg + pos + 8);
		pos += 10;
		if (len - pos < rdlen)
			return ST_EMALF;
		if (type == RR_SOA && name_equal(name, origin)) {
			size_t p = pos, end = pos + rdlen;
			uint8_t n2[NAME_MAXLEN];
			if (name_unpack(msg, end, &p, n2) < 0 ||
			    name_unpack(msg, end, &p, n2) < 0 || end - p < 20)
				return ST_EMALF;
			*serial = wire_get32(msg + p);
			return 1;
		}
		pos += rdlen;
	}
	return 0;
}
