#include "analysis/msg.h"

#include <stdio.h>
#include <string.h>

#include "dns/ede.h"
#include "dns/header.h"
#include "dns/rdata.h"
#include "dns/wire.h"

size_t msg_build_query(uint8_t *buf, size_t cap, uint16_t id, uint16_t flags, const uint8_t *qname,
		       uint16_t qtype, uint16_t qclass, uint16_t edns_size, bool do_bit)
{
	wire_wr_t w;
	wire_wr_init(&w, buf, cap);
	wire_wr_u16(&w, id);
	wire_wr_u16(&w, flags);
	wire_wr_u16(&w, 1);
	wire_wr_u16(&w, 0);
	wire_wr_u16(&w, 0);
	wire_wr_u16(&w, edns_size ? 1 : 0);
	wire_wr_bytes(&w, qname, name_len(qname));
	wire_wr_u16(&w, qtype);
	wire_wr_u16(&w, qclass);
	if (edns_size) {
		wire_wr_u8(&w, 0);
		wire_wr_u16(&w, RR_OPT);
		wire_wr_u16(&w, edns_size);
		wire_wr_u32(&w, do_bit ? 0x8000u : 0);
		wire_wr_u16(&w, 0);
	}
	return w.err ? 0 : w.pos;
}

int msg_open(msg_t *m, const uint8_t *buf, size_t len)
{
	if (len < 12)
		return ST_ETRUNC;
	m->buf = buf;
	m->len = len;
	m->id = wire_get16(buf);
	m->flags = wire_get16(buf + 2);
	for (int i = 0; i < 4; i++)
		m->count[i] = wire_get16(buf + 4 + 2 * i);
	m->pos = 12;
	m->section = 0;
	m->left = m->count[0];
	return ST_OK;
}

/* Copy one possibly compressed name from the message into rd. */
static int copy_name(const msg_t *m, size_t *pos, size_t end, msg_rr_t *rr, size_t *w)
{
	uint8_t name[NAME_MAXLEN];
	int n = name_unpack(m->buf, end, pos, name);
	if (n < 0)
		return n;
	if (*w + (size_t)n > MSG_RD_MAX)
		return ST_ESPACE;
	memcpy(rr->rd + *w, name, (size_t)n);
	*w += (size_t)n;
	return ST_OK;
}

static int copy_bytes(const msg_t *m, size_t *pos, size_t end, size_t n, msg_rr_t *rr, size_t *w)
{
	if (*pos + n > end)
		return ST_ETRUNC;
	if (*w + n > MSG_RD_MAX)
		return ST_ESPACE;
	memcpy(rr->rd + *w, m->buf + *pos, n);
	*pos += n;
	*w += n;
	return ST_OK;
}

/* Decompress the rdata of the RFC 1035 types whose names may be compressed
 * (rdata_compressible_names): the bytes before the names, the names, and
 * after them the SOA's five numbers; other rdata as it is. */
static int unpack_rdata(const msg_t *m, size_t pos, size_t rdlen, msg_rr_t *rr)
{
	size_t end = pos + rdlen, w = 0, first;
	int names = rdata_compressible_names(rr->type, &first);
	int rc;
	if (names == 0) {
		rc = copy_bytes(m, &pos, end, rdlen, rr, &w);
	} else {
		rc = copy_bytes(m, &pos, end, first, rr, &w);
		for (int i = 0; rc == ST_OK && i < names; i++)
			rc = copy_name(m, &pos, end, rr, &w);
		if (rc == ST_OK)
			rc = copy_bytes(m, &pos, end, rr->type == RR_SOA ? 20 : 0, rr, &w);
	}
	if (rc != ST_OK)
		return rc;
	if (pos != end)
		return ST_EMALF; /* rdata longer than its fields */
	rr->rdlen = (uint16_t)w;
	return ST_OK;
}

int msg_next(msg_t *m, msg_rr_t *rr)
{
	while (m->left == 0) {
		if (m->section >= 3) {
			m->section = 4;
			return 0;
		}
		m->section++;
		m->left = m->count[m->section];
	}
	if (m->section > 3)
		return 0;
	size_t pos = m->pos;
	int n = name_unpack(m->buf, m->len, &pos, rr->owner);
	if (n < 0)
		return n;
	wire_rd_t r;
	wire_rd_init(&r, m->buf, m->len);
	r.pos = pos;
	rr->section = m->section;
	rr->type = wire_rd_u16(&r);
	rr->rclass = wire_rd_u16(&r);
	rr->ttl = 0;
	rr->rdlen = 0;
	if (m->section > 0) {
		rr->ttl = wire_rd_u32(&r);
		uint16_t rdlen = wire_rd_u16(&r);
		if (r.err || wire_rd_left(&r) < rdlen)
			return ST_ETRUNC;
		int rc = unpack_rdata(m, r.pos, rdlen, rr);
		if (rc != ST_OK)
			return rc;
		r.pos += rdlen;
	}
	if (r.err)
		return ST_ETRUNC;
	m->pos = r.pos;
	m->left--;
	return 1;
}

#define PUT(...)                                                                \
	do {                                                                    \
		int k_ = snprintf(out + n, cap > n ? cap - n : 0, __VA_ARGS__); \
		if (k_ < 0 || (size_t)k_ >= (cap > n ? cap - n : 0))            \
			return ST_ESPACE;                                       \
		n += (size_t)k_;                                                \
	} while (0)

int msg_to_text(const uint8_t *buf, size_t len, char *out, size_t cap)
{
	static msg_rr_t rr; /* 64 KiB: not on the stack. Not thread-safe; tests only. */
	msg_t m;
	size_t n = 0;
	if (msg_open(&m, buf, len) != ST_OK)
		return ST_ETRUNC;

	/* The extended rcode lives in the OPT TTL: find it first. */
	unsigned ext = 0;
	msg_t scan = m;
	int rc;
	while ((rc = msg_next(&scan, &rr)) == 1)
		if (rr.section == 3 && rr.type == RR_OPT)
			ext = rr.ttl >> 24;
	if (rc < 0)
		return rc;

	unsigned rcode = (ext << 4) | (m.flags & 0xF);
	PUT(";; opcode %s rcode %s flags", opcode_str(DNS_OPCODE(m.flags)),
	    rcode_str((uint16_t)rcode));
	for (size_t i = 0; i < DNS_FLAG_NAMES; i++)
		if (m.flags & dns_flag_names[i].bit)
			PUT(" %s", dns_flag_names[i].name);
	PUT("\n");

	static const char *const sect[] = { "QUESTION", "ANSWER", "AUTHORITY", "ADDITIONAL" };
	int last = -1;
	while ((rc = msg_next(&m, &rr)) == 1) {
		if (rr.section != last) {
			for (int s = last + 1; s <= rr.section; s++)
				PUT(";; %s\n", sect[s]);
			last = rr.section;
		}
		char owner[NAME_TEXT_MAX], tbuf[16];
		name_to_text(rr.owner, owner, sizeof(owner));
		if (rr.section == 3 && rr.type == RR_OPT) {
			PUT(";; OPT udp=%u version=%u flags%s ext-rcode=%u rdlen=%u", rr.rclass,
			    (rr.ttl >> 16) & 0xFF, (rr.ttl & 0x8000) ? " do" : "", rr.ttl >> 24,
			    rr.rdlen);
			/* Extended DNS Errors (RFC 8914): code, and text if any. */
			for (size_t p = 0; p + 4 <= rr.rdlen;) {
				unsigned code = wire_get16(rr.rd + p);
				size_t olen = wire_get16(rr.rd + p + 2);
				const uint8_t *o = rr.rd + p + 4;
				if (olen > rr.rdlen - p - 4)
					break;
				p += 4 + olen;
				if (code != EDE_OPTION_CODE || olen < 2)
					continue;
				PUT(" ede=%u", wire_get16(o));
				if (olen == 2)
					continue;
				PUT(" ede-text=\"");
				for (size_t i = 2; i < olen; i++) {
					if (o[i] >= 0x20 && o[i] < 0x7F && o[i] != '"' &&
					    o[i] != '\\')
						PUT("%c", o[i]);
					else
						PUT("\\%03u", o[i]);
				}
				PUT("\"");
			}
			PUT("\n");
			continue;
		}
		char cbuf[16];
		const char *cls = rr.rclass == 1     ? "IN"
				  : rr.rclass == 3   ? "CH"
				  : rr.rclass == 255 ? "ANY"
						     : cbuf;
		snprintf(cbuf, sizeof(cbuf), "CLASS%u", rr.rclass);
		if (rr.section == 0) {
			PUT("%s\t%s\t%s\n", owner, cls, rrtype_to_text(rr.type, tbuf));
			continue;
		}
		PUT("%s\t%u\t%s\t%s\t", owner, rr.ttl, cls, rrtype_to_text(rr.type, tbuf));
		int k = rdata_to_text(rr.type, rr.rd, rr.rdlen, out + n, cap - n);
		if (k < 0)
			return k;
		n += (size_t)k;
		PUT("\n");
	}
	if (rc < 0)
		return rc;
	for (int s = last + 1; s <= 3; s++)
		PUT(";; %s\n", sect[s]);
	return (int)n;
}
