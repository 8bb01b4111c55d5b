/*
 * tsig.h -- transaction signatures (TSIG, RFC 8945) with HMAC-SHA1/256/384/512.
 *
 * A TSIG RR, the last record of a message's additional section, carries a
 * MAC over the message keyed with a secret both ends share. One exchange
 * (a request and its response, or a request and the many messages of a
 * zone transfer) is one tsig_ctx_t on each side; each MAC covers the one
 * before it, so messages cannot be replayed out of their exchange.
 *
 * Server:  tsig_verify_request(ctx, keys, ...) then tsig_sign() on the
 *          response (and on every later message of a multi-message one,
 *          tsig_sign_skip() for those sent unsigned), then tsig_ctx_free().
 * Client:  tsig_ctx_init(ctx, key), tsig_sign() on the request, then
 *          tsig_verify_response() on each message of the answer and
 *          tsig_verify_done() after the last, then tsig_ctx_free().
 *
 * The HMAC is OpenSSL 3's libcrypto (EVP_MAC); nothing here is hand-written
 * crypto. No function keeps a pointer to a message after it returns. Keys
 * are copied into the context, whose secret tsig_ctx_free() wipes.
 *
 * A context owns libcrypto state (an EVP_MAC_CTX) only while unsigned
 * messages of a multi-message response are pending: from a tsig_sign_skip,
 * or an unsigned message tsig_verify_response accepted, to the next signed
 * message. At any other time, in particular right after tsig_ctx_init,
 * tsig_verify_request or tsig_sign, it is plain data: it may be moved by
 * value (say into a transfer's state), and a context that is never freed
 * leaks nothing but leaves its secret in memory. Never copy one with
 * messages pending, and use only one copy afterwards. A context is not
 * for two threads at once; different contexts are independent.
 *
 * Not done here: the cache of the last Time Signed per key that RFC 8945
 * 5.2.3 suggests against replays within the fudge window, GSS-TSIG, and
 * HMAC-MD5/SHA224.
 */
#ifndef GLUED_TSIG_H
#define GLUED_TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/name.h"
#include "dns/status.h"

#define TSIG_RRTYPE 250
#define TSIG_CLASS_ANY 255

enum tsig_alg {
	TSIG_HMAC_SHA256 = 0,
	TSIG_HMAC_SHA1,
	TSIG_HMAC_SHA384,
	TSIG_HMAC_SHA512,
};
#define TSIG_ALG_COUNT 4
#define TSIG_ALG_UNKNOWN 0xFF /* tsig_rr_t.alg for a name not listed above */

#define TSIG_SECRET_MAX 256
#define TSIG_MAC_MAX 64 /* HMAC-SHA512's output */
#define TSIG_FUDGE 300  /* seconds of clock skew allowed, what we sign with */

/* More than this many messages in a row of a multi-message response may
 * not go unsigned (RFC 8945 5.3.1: at least every 100th is signed). */
#define TSIG_MAX_UNSIGNED 99

/* TSIG errors (RFC 8945 3): the TSIG RR's error field; the response's
 * RCODE is then NOTAUTH (9). tsig_verify_* return them as positive ints. */
#define TSIG_OK 0
#define TSIG_BADSIG 16
#define TSIG_BADKEY 17
#define TSIG_BADTIME 18
#define TSIG_BADTRUNC 22

typedef struct tsig_key {
	uint8_t name[NAME_MAXLEN]; /* lowercased wire form */
	char text[256];            /* the name as configured, for logs */
	uint8_t alg;               /* enum tsig_alg */
	uint8_t secret[TSIG_SECRET_MAX];
	size_t secretlen; /* >= 1 */
} tsig_key_t;

/*
 * The algorithm named s: "hmac-sha256", "hmac-sha1", "hmac-sha384" or
 * "hmac-sha512", any case, with or without the final dot. Sets *alg and
 * returns ST_OK, or returns ST_EINVAL (nothing set) for any other text.
 */
int tsig_alg_from_text(const char *s, uint8_t *alg) MUST_CHECK;

/* The algorithm's name in lowercase wire form ("\x0bhmac-sha256\0"), or
 * NULL when alg is not an enum tsig_alg. */
const uint8_t *tsig_alg_name(uint8_t alg);

/* The algorithm's name as text without the final dot ("hmac-sha256"), or
 * "unknown". Never NULL. */
const char *tsig_alg_str(uint8_t alg);

/* Bytes of MAC the algorithm makes (20, 32, 48, 64), or 0 for an unknown one. */
size_t tsig_mac_size(uint8_t alg);

/*
 * Make a key from its configuration: name as text ("xfr-key" or
 * "xfr-key.", always taken as absolute), the algorithm as
 * tsig_alg_from_text reads it, the secret in base64 (whitespace allowed,
 * 1..TSIG_SECRET_MAX bytes once decoded). Returns ST_OK, or ST_EINVAL with
 * a message in err (errcap bytes, NUL-terminated; err may be NULL) and *k
 * zeroed.
 */
int tsig_key_init(tsig_key_t *k, const char *name, const char *alg, const char *secret_b64,
		  char *err, size_t errcap) MUST_CHECK;

/* Where a message's TSIG RR is and what it says. The names are copied
 * (lowercased); mac and other point into the message passed to tsig_find. */
typedef struct tsig_rr {
	size_t start;                 /* offset of the TSIG RR's owner name */
	uint8_t key[NAME_MAXLEN];     /* key name, lowercased wire form */
	uint8_t algname[NAME_MAXLEN]; /* algorithm name, lowercased wire form */
	uint8_t alg;                  /* enum tsig_alg, or TSIG_ALG_UNKNOWN */
	uint64_t time;                /* Time Signed, 48 bits */
	uint16_t fudge;
	const uint8_t *mac;
	uint16_t maclen;
	uint16_t orig_id;
	uint16_t error;
	const uint8_t *other;
	uint16_t otherlen;
} tsig_rr_t;

/*
 * Find the TSIG RR of the message msg of len bytes. Returns 1 and fills
 * *out when there is one, 0 when there is none, or a negative status when
 * the message is malformed: ST_ETRUNC / ST_EPTR / ST_ELABEL / ST_ENAME for
 * a message that does not parse to the end of its last record, ST_EMALF
 * for a TSIG anywhere but as the last record of the additional section
 * (so also for two of them), whose class is not ANY, whose TTL is not 0,
 * whose rdata does not parse exactly to its length (the algorithm name
 * must not be compressed), or that is followed by more bytes. Safe on any
 * input: every read is bounds-checked.
 */
int tsig_find(const uint8_t *msg, size_t len, tsig_rr_t *out) MUST_CHECK;

/* The state of one side of one signed exchange. Fields are private to
 * tsig.c except those marked as readable. */
typedef struct tsig_ctx {
	tsig_key_t key; /* copy of the key in use, valid when has_key */
	bool has_key;
	/* The key and algorithm names of the exchange, lowercased: the key's,
	 * or on the server after BADKEY the request's, echoed in the reply. */
	uint8_t keyname[NAME_MAXLEN];
	uint8_t algname[NAME_MAXLEN];
	uint16_t error;            /* readable: server, what verify_request found */
	uint16_t peer_error;       /* readable: client, a response's error field */
	uint64_t req_time;         /* server: the request's Time Signed */
	uint8_t mac[TSIG_MAC_MAX]; /* the last MAC of the exchange */
	uint16_t maclen;
	uint16_t unsigned_run; /* messages without TSIG since the last signed */
	uint32_t nsigned;      /* messages signed or verified since the request */
	uint8_t state;         /* enum tsig_state in tsig.c */
	bool running;          /* hmac holds the digest of a multi-message run */
	void *hmac;            /* EVP_MAC_CTX *, owned; NULL but while messages are pending */
} tsig_ctx_t;

/* Client side: start an exchange signed with key (copied). */
void tsig_ctx_init(tsig_ctx_t *ctx, const tsig_key_t *key);

/* Free what ctx holds and wipe its secret; ctx is then zeroed. Safe on a
 * zeroed context, twice, and after any tsig_ctx_init or
 * tsig_verify_request, whatever it returned. */
void tsig_ctx_free(tsig_ctx_t *ctx);

/*
 * Server side: verify the request msg (len bytes) against keys[0..n),
 * now = seconds since the epoch. Always initialises *ctx (without freeing
 * what it held: free a used context first), which must later go to
 * tsig_ctx_free. Checks in RFC 8945 5.2's order. Returns:
 *   TSIG_OK       signed by one of the keys, in time; ctx is ready for
 *                 tsig_sign on the response.
 *   TSIG_BADKEY   no key with that name and algorithm.
 *   TSIG_BADSIG   the MAC does not verify.
 *   TSIG_BADTIME  the MAC verifies but now is outside Time Signed +-
 *                 Fudge; the reply is still signed (5.2.3).
 *   ST_ENOENT     the message has no TSIG at all: not an error in itself,
 *                 the caller decides whether it needed one.
 *   other < 0     malformed (the caller answers FORMERR): as tsig_find,
 *                 and ST_EMALF for a MAC longer than the algorithm's or
 *                 shorter than 10 bytes or half of it (RFC 8945 5.2.2.1);
 *                 truncated MACs within those bounds are accepted.
 * After a TSIG error, ctx->error holds it and tsig_sign(ctx, ..., that
 * error) makes the error reply RFC 8945 5.3.2 asks for.
 */
int tsig_verify_request(tsig_ctx_t *ctx, const tsig_key_t *keys, size_t n, const uint8_t *msg,
			size_t len, uint64_t now) MUST_CHECK;

/*
 * Append a TSIG RR to the message in msg (*len bytes used, cap bytes of
 * room), add one to ARCOUNT and set *len to the new length. The RR's names
 * are uncompressed, Time Signed is now, Fudge TSIG_FUDGE, Original ID the
 * message's ID. What is signed follows the context:
 *   - fresh from tsig_ctx_init: a request (RFC 8945 4.3.1);
 *   - after tsig_verify_request: the first (or only) message of the
 *     response, its digest covering the request's MAC (4.3.2);
 *   - after that: each later message of a multi-message response, its
 *     digest covering the prior MAC, the messages since passed to
 *     tsig_sign_skip, this one, and the timers only (4.3.3, 5.3.1).
 * error is the TSIG error to send (0 normally). TSIG_BADKEY and
 * TSIG_BADSIG replies carry an empty MAC and are not signed (5.3.2);
 * TSIG_BADTIME is signed, echoes the request's Time Signed and carries now
 * in Other Data (5.2.3). Returns ST_OK; ST_ESPACE when the RR does not fit
 * in cap or ARCOUNT is full (msg then unchanged); ST_EINVAL when the
 * context cannot sign (no key, as after BADKEY, with error not BADKEY or
 * BADSIG; a client context that already signed its request; a message
 * shorter than a header); ST_ENOMEM when libcrypto fails.
 */
int tsig_sign(tsig_ctx_t *ctx, uint8_t *msg, size_t *len, size_t cap, uint64_t now,
	      uint16_t error) MUST_CHECK;

/*
 * Server side, multi-message response: msg (len bytes, complete) goes out
 * without a TSIG; the next tsig_sign covers it. Only after a first
 * response was signed. Returns ST_OK; ST_ELIMIT when TSIG_MAX_UNSIGNED
 * messages in a row already went unsigned (sign this one instead);
 * ST_EINVAL out of turn; ST_ENOMEM when libcrypto fails.
 */
int tsig_sign_skip(tsig_ctx_t *ctx, const uint8_t *msg, size_t len) MUST_CHECK;

/* The most bytes the next tsig_sign on ctx can add, for callers to
 * reserve room (a BADTIME reply's Other Data included). */
size_t tsig_space(const tsig_ctx_t *ctx);

/*
 * Client side: verify each message of the response to the request signed
 * with ctx, in order, now = seconds since the epoch. The first message
 * must carry a TSIG; later ones may go without (at most TSIG_MAX_UNSIGNED
 * in a row), the next TSIG covering them. An unsigned message returns
 * TSIG_OK but is only proven by the next signed one: do not act on a
 * response before tsig_verify_done. Returns:
 *   TSIG_OK       verified (or an unsigned message accepted so far);
 *   TSIG_BADKEY   key name or algorithm differ from the request's;
 *   TSIG_BADSIG   the MAC does not verify, or is empty with error 0;
 *   TSIG_BADTIME  the MAC verifies but now is outside its time window;
 *   the response's own error field (16, 17, 18, 22 or any other), also
 *                 set in ctx->peer_error, when it is not 0: for an empty
 *                 MAC (the server's unsigned BADKEY/BADSIG) without
 *                 verifying anything, otherwise after the MAC verified;
 *   ST_ENOENT     the first message has no TSIG;
 *   ST_ELIMIT     more than TSIG_MAX_UNSIGNED unsigned messages in a row;
 *   ST_EINVAL     ctx has not signed a request, or an earlier call failed;
 *   other < 0     malformed, as tsig_find and tsig_verify_request say.
 * Any result but TSIG_OK ends the exchange: later calls give ST_EINVAL.
 */
int tsig_verify_response(tsig_ctx_t *ctx, const uint8_t *msg, size_t len, uint64_t now) MUST_CHECK;

/* Client side, after the last message of a response: ST_OK when at least
 * one message verified and the last one was signed, ST_ENOENT when it was
 * not (or none came), ST_EINVAL when verification failed before. */
int tsig_verify_done(const tsig_ctx_t *ctx) MUST_CHECK;

/* "BADSIG", "BADKEY", "BADTIME", "BADTRUNC", "NOERROR" for 0, else "TSIG?". */
const char *tsig_error_str(uint16_t error);

#endif
