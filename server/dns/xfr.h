/*
 * xfr.h -- zone transfers out (AXFR RFC 5936, IXFR RFC 1995) and NOTIFY
 * received (RFC 1996), with TSIG (RFC 8945): who may, and what goes out.
 *
 * Pure like the rest of the engine: request bytes, the client's address
 * and the time in; reply bytes (or a transfer stream that makes them one
 * message at a time) out. The network layer sends them; the daemon acts
 * on an accepted NOTIFY.
 *
 * A zone offers nothing until its configuration says so (xfr_spec_t):
 * AXFR and IXFR only to clients inside one of its `allow` prefixes, and
 * only signed with its TSIG key when it has one; NOTIFY only for a zone
 * pulled from a primary, from that primary's address or signed with the
 * key. Everything else is answered as before (REFUSED with EDE 18 for a
 * zone served here, NOTAUTH otherwise).
 */
#ifndef GLUED_XFR_H
#define GLUED_XFR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include "dns/journal.h"
#include "dns/query.h"
#include "dns/tsig.h"
#include "dns/zone.h"

#define XFR_MAX_ALLOW 32
#define XFR_MAX_NOTIFY 16
#define XFR_PORT 53
/* The size of a transfer's messages: a compression pointer reaches 16 KiB
 * back at most (RFC 1035 4.1.4), so a bigger message compresses worse. */
#define XFR_MSG_MAX 16384

/* An address with a port, or a prefix (bits). */
typedef struct xfr_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t bits;   /* prefix length; 32 or 128 for one address */
	uint16_t port;  /* host order */
	uint8_t addr[16];
} xfr_addr_t;

/* One zone's transfer settings, as configured. Plain data: copied whole. */
typedef struct xfr_spec {
	xfr_addr_t allow[XFR_MAX_ALLOW]; /* who may AXFR/IXFR it */
	size_t nallow;
	xfr_addr_t notify[XFR_MAX_NOTIFY]; /* told after a reload changes it */
	size_t nnotify;
	bool has_primary; /* pulled from primary (AXFR in) */
	xfr_addr_t primary;
	bool has_key; /* every transfer and notify signed with key */
	tsig_key_t key;
	char where[96]; /* "lab.yaml:41" */
} xfr_spec_t;

/* "192.0.2.0/24", "2001:db8::/32", "127.0.0.1" (prefix) or "127.0.0.1",
 * "127.0.0.1:5353", "[::1]:53", "::1" (address, port default_port) ->
 * out. ST_OK or ST_EINVAL with what was expected in err. */
int xfr_addr_parse(const char *text, bool prefix, uint16_t default_port, xfr_addr_t *out, char *err,
		   size_t errcap);

/* "127.0.0.1:53", "[::1]:53", or "10.0.0.0/8" for a prefix, into buf. */
const char *xfr_addr_str(const xfr_addr_t *a, char *buf, size_t cap);

/* Whether peer (AF_INET/AF_INET6) is inside prefix p. */
bool xfr_addr_match(const xfr_addr_t *p, const struct sockaddr *peer);

/* The sockaddr of an address (for sending to it). Returns its length. */
socklen_t xfr_addr_sockaddr(const xfr_addr_t *a, struct sockaddr_storage *ss);

/*
 * A transfer on its way out: the messages of one AXFR or IXFR response,
 * made one at a time as the connection drains (so a slow reader costs
 * its connection, not memory). The zone and journal it reads must outlive
 * it (the caller holds the view they belong to).
 */
typedef struct xfr_out xfr_out_t;

/* The next message into out (cap bytes, up to 65535): its length, or 0
 * when the transfer is complete (or failed: then xfr_out_failed). */
size_t xfr_out_next(xfr_out_t *x, uint8_t *out, size_t cap);
bool xfr_out_failed(const xfr_out_t *x);
void xfr_out_free(xfr_out_t *x);

/* What the transfer sent so far, for the log: messages, records, bytes. */
void xfr_out_counts(const xfr_out_t *x, uint32_t *msgs, uint64_t *records, uint64_t *bytes);

/* What xfr_answer decided. */
enum xfr_outcome {
	XFR_REPLY = 0,    /* send the len bytes written to out */
	XFR_STREAM = 1,   /* TCP: send the messages of stream, in order */
	XFR_NOTIFIED = 2, /* send the reply, and refresh zone `origin` */
	XFR_DROP = 3,     /* send nothing */
};

typedef struct xfr_result {
	uint8_t outcome; /* enum xfr_outcome */
	size_t len;
	xfr_out_t *stream;     /* XFR_STREAM: the caller frees it */
	const uint8_t *origin; /* the zone, or NULL */
	uint32_t serial;       /* XFR_NOTIFIED: the serial the NOTIFY carried, 0 none */
	char why[1400];        /* for the log: "AXFR to 127.0.0.1: 3 messages", "refused: ..." */
} xfr_result_t;

/*
 * Answer a zone transfer request (AXFR, IXFR) or a NOTIFY that server zs
 * received from peer over tcp or UDP at time now (seconds), the settings
 * of its zones in xfr[] (parallel to zs->zones, NULL: none) and their
 * histories in journal[]. pulled[] lists origins zs pulls from a primary
 * that have no copy yet (for NOTIFY), with their settings. out holds
 * RESPOND_MAX bytes.
 */
struct zoneset;
int xfr_answer(const struct zoneset *zs, const uint8_t *req, size_t len, bool tcp,
	       const struct sockaddr *peer, uint64_t now, uint8_t *out, xfr_result_t *res);

/* Whether respond()'s answer to this request is xfr_answer's business: a
 * NOTIFY, or an AXFR/IXFR question (cheap: the header and question only). */
bool xfr_is_transfer(const query_t *q);

/* The same from the raw bytes, before any parse: the opcode is NOTIFY, or
 * the one question (uncompressed, as it must be) asks for AXFR or IXFR. */
bool xfr_peek(const uint8_t *req, size_t len);

/*
 * The client side, for pulling a zone: an SOA query or an AXFR request
 * for origin (wire form) with id, signed with ctx's key when ctx is not
 * NULL, into buf (cap bytes). Returns the length or 0.
 */
size_t xfr_build_request(uint8_t *buf, size_t cap, uint16_t id, const uint8_t *origin,
			 uint16_t qtype, tsig_ctx_t *ctx, uint64_t now);

/* A NOTIFY for a zone (its SOA in ANSWER, RFC 1996 3.7), signed as above. */
size_t xfr_build_notify(uint8_t *buf, size_t cap, uint16_t id, const zone_t *z, tsig_ctx_t *ctx,
			uint64_t now);

#endif
