/*
 * pull.h -- fetch a zone from its primary over TCP: an SOA query, then,
 * when the primary's serial is newer than ours (or we have no copy), an
 * AXFR on the same connection (RFC 5936 4.1), signed with the zone's TSIG
 * key when it has one. Runs on a libuv loop (the daemon's); dns/xfrin.h
 * reads the messages.
 *
 * Bounded: 15 s without a byte from the primary, or 10 minutes in all,
 * ends the pull; so do the zone limits (zone_build.h) and any malformed
 * or wrongly signed message. The result is reported once, through the
 * callback; the pull then frees itself.
 */
#ifndef GLUED_NET_PULL_H
#define GLUED_NET_PULL_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "dns/xfr.h"
#include "dns/xfrin.h"

typedef struct pull pull_t;

enum pull_status {
	PULL_NEW = 0,     /* *copy holds the zone transferred (the callee owns it now) */
	PULL_CURRENT = 1, /* the primary's serial is not newer than ours */
	PULL_FAILED = -1, /* err says why */
};

/* serial: the primary's (PULL_NEW, PULL_CURRENT). */
typedef void (*pull_done_fn)(void *ctx, int status, zone_copy_t *copy, uint32_t serial,
			     const char *err);

/*
 * Start pulling origin (wire form) from spec's primary. have_copy and
 * have_serial: what we hold. Returns 0 (done will be called, from the
 * loop, never from here), or a negative UV_E* code.
 */
int pull_start(uv_loop_t *loop, const xfr_spec_t *spec, const uint8_t *origin, bool have_copy,
	       uint32_t have_serial, pull_done_fn done, void *ctx, pull_t **out);

/* Stop a pull: done is not called; the pull frees itself. */
void pull_cancel(pull_t *p);

#endif
