/*
 * wire.h -- bounds-checked cursors over byte buffers, with a sticky error.
 *
 * Reads past the end and writes past the capacity never touch memory: they
 * set ->err (ST_ETRUNC for reads, ST_ESPACE for writes), return 0 and leave
 * the position unchanged. Check ->err once after a series of operations.
 * All multi-byte values are big-endian (network order).
 */
#ifndef GLUED_WIRE_H
#define GLUED_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/status.h"

typedef struct wire_rd {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	int err;
} wire_rd_t;

typedef struct wire_wr {
	uint8_t *buf;
	size_t cap;
	size_t pos;
	int err;
} wire_wr_t;

static inline void wire_rd_init(wire_rd_t *r, const uint8_t *buf, size_t len)
{
	r->buf = buf, r->len = len, r->pos = 0, r->err = 0;
}

static inline size_t wire_rd_left(const wire_rd_t *r) { return r->len - r->pos; }

static inline int wire_rd_need(wire_rd_t *r, size_t n)
{
	if (r->err || r->len - r->pos < n) {
		r->err = r->err ? r->err : ST_ETRUNC;
		return 0;
	}
	return 1;
}

static inline uint8_t wire_rd_u8(wire_rd_t *r)
{
	if (!wire_rd_need(r, 1))
		return 0;
	return r->buf[r->pos++];
}

static inline uint16_t wire_rd_u16(wire_rd_t *r)
{
	if (!wire_rd_need(r, 2))
		return 0;
	uint16_t v = (uint16_t)(r->buf[r->pos] << 8 | r->buf[r->pos + 1]);
	r->pos += 2;
	return v;
}

static inline uint32_t wire_rd_u32(wire_rd_t *r)
{
	if (!wire_rd_need(r, 4))
		return 0;
	const uint8_t *p = r->buf + r->pos;
	r->pos += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Skip n bytes; returns a pointer to them, or NULL (and sets err). */
static inline const uint8_t *wire_rd_skip(wire_rd_t *r, size_t n)
{
	if (!wire_rd_need(r, n))
		return NULL;
	const uint8_t *p = r->buf + r->pos;
	r->pos += n;
	return p;
}

static inline void wire_wr_init(wire_wr_t *w, uint8_t *buf, size_t cap)
{
	w->buf = buf, w->cap = cap, w->pos = 0, w->err = 0;
}

static inline int wire_wr_need(wire_wr_t *w, size_t n)
{
	if (w->err || w->cap - w->pos < n) {
		w->err = w->err ? w->err : ST_ESPACE;
		return 0;
	}
	return 1;
}

static inline void wire_wr_u8(wire_wr_t *w, uint8_t v)
{
	if (wire_wr_need(w, 1))
		w->buf[w->pos++] = v;
}

static inline void wire_wr_u16(wire_wr_t *w, uint16_t v)
{
	if (wire_wr_need(w, 2)) {
		w->buf[w->pos] = (uint8_t)(v >> 8);
		w->buf[w->pos + 1] = (uint8_t)v;
		w->pos += 2;
	}
}

static inline void wire_wr_u32(wire_wr_t *w, uint32_t v)
{
	if (wire_wr_need(w, 4)) {
		uint8_t *p = w->buf + w->pos;
		p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
		w->pos += 4;
	}
}

static inline void wire_wr_bytes(wire_wr_t *w, const void *src, size_t n)
{
	if (n && wire_wr_need(w, n)) {
		memcpy(w->buf + w->pos, src, n);
		w->pos += n;
	}
}

/* Big-endian helpers for raw buffers whose bounds the caller has checked. */
static inline uint16_t wire_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t wire_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}
static inline void wire_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
	p[3] = (uint8_t)v;
}

#endif
