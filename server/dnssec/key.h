/*
 * key.h -- DNSSEC keys of a zone glued signs: made on first use into a key
 * directory in BIND's key-file format (K<zone>+<alg>+<tag>.key/.private,
 * readable by dnssec-signzone, ldns and Knot), read back afterwards; and
 * the operations signing needs: sign bytes, the DNSKEY's tag and its DS.
 * The cryptography is OpenSSL 3's libcrypto; nothing here is hand-written
 * crypto. Used at load time only, never on the query path.
 */
#ifndef GLUED_KEY_H
#define GLUED_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/status.h"

/* DNSSEC algorithm numbers glued signs with (RFC 8624). */
enum dnssec_alg {
	DNSSEC_ALG_RSASHA256 = 8,
	DNSSEC_ALG_ECDSAP256SHA256 = 13,
	DNSSEC_ALG_ED25519 = 15,
};

#define DNSKEY_FLAG_ZONE 0x0100u /* 256 */
#define DNSKEY_FLAG_SEP 0x0001u  /* 257 = ZONE | SEP: a key-signing key */
#define DNSKEY_RDATA_MAX 1024    /* RSA-2048's public key is 260 bytes */
#define DNSKEY_SIG_MAX 512       /* RSA-2048: 256; ECDSA P-256: 64; Ed25519: 64 */
#define DS_SHA256_RDLEN 36       /* tag(2) alg(1) digest type(1) SHA-256(32) */

typedef struct dnskey {
	uint8_t alg; /* enum dnssec_alg */
	uint16_t flags;
	uint16_t tag;                    /* RFC 4034 appendix B */
	uint8_t rdata[DNSKEY_RDATA_MAX]; /* flags, protocol 3, alg, public key */
	uint16_t rdlen;
	void *pkey;     /* EVP_PKEY *, private */
	char file[512]; /* the .private file it came from or went to */
} dnskey_t;

/* "ECDSAP256SHA256", "ED25519", "RSASHA256", or NULL for another number. */
const char *dnssec_alg_name(uint8_t alg);

/* The number for a mnemonic (case-insensitive, as above, also
 * "ecdsa-p256-sha256", "ed25519", "rsa-sha256", or digits: "13"), or -1
 * when glued cannot sign with it. */
int dnssec_alg_parse(const char *text);

/*
 * The key of zone origin (wire form, any case) with this algorithm and
 * flags, from directory dir: the first K<zone>+<alg>+<tag>.key (zone in
 * lowercase presentation form with its trailing dot, "K.+013+..." for the
 * root; alg three digits, tag five) whose DNSKEY has these flags and
 * algorithm, with its .private file. If there is none, a new key is made
 * and both files are written (the .private mode 0600; dir is created if
 * missing), and *made (may be NULL) is set.
 *
 * Errors: a key file that cannot be read or parsed, a .private without
 * its Algorithm line or with another algorithm than its .key, or whose
 * key does not match the .key's, an algorithm glued does not sign with, a
 * directory that cannot be written. Each gives a negative status and a
 * line in err; *out is then empty. An error about a file's content is
 * "path:line: what", the line the one it is about (the DNSKEY record of
 * the .key; the Algorithm or PrivateKey line of the .private, Modulus for
 * RSA; the last line for a line that is missing, the Private-key-format
 * line for a missing Algorithm), and one about the pair names the .key's
 * DNSKEY line too ("...private:3: the private key does not match the
 * public key of the DNSKEY at ...key:5"). One the system gives is
 * "path: strerror" (for a .private, followed by the .key's DNSKEY line
 * it belongs to). RSA keys are 2048 bits.
 */
int dnskey_get(const char *dir, const uint8_t *origin, uint8_t alg, uint16_t flags, dnskey_t *out,
	       bool *made, char *err, size_t errcap) MUST_CHECK;

/* Read one key from its .key path (the .private beside it). Errors as above. */
int dnskey_read(const char *keypath, dnskey_t *out, char *err, size_t errcap) MUST_CHECK;

/* Free what the key holds (not k itself). Safe on a zeroed key. */
void dnskey_free(dnskey_t *k);

/*
 * Sign data (RRSIG's signed data, RFC 4034 3.1.8.1) with k's private key,
 * writing the signature in DNSSEC wire form (RFC 6605: ECDSA r||s, 64
 * bytes; RFC 8080: Ed25519, 64; RFC 5702: RSA PKCS#1 v1.5) into sig, which
 * holds DNSKEY_SIG_MAX. Returns the signature's length, or a negative
 * status (ST_EINVAL, ST_ENOMEM) on failure.
 */
int dnskey_sign(const dnskey_t *k, const uint8_t *data, size_t len, uint8_t *sig) MUST_CHECK;

/*
 * Whether sig is a valid signature over data by the public key in a
 * DNSKEY's rdata (any of the three algorithms): 1 yes, 0 no, or a negative
 * status when the key cannot be used (unknown algorithm, malformed key).
 */
int dnskey_verify(const uint8_t *dnskey_rdata, size_t rdlen, const uint8_t *data, size_t len,
		  const uint8_t *sig, size_t siglen);

/* The key tag of a DNSKEY rdata (RFC 4034 appendix B). */
uint16_t dnskey_tag(const uint8_t *rdata, size_t rdlen);

/*
 * The DS rdata (digest type 2, SHA-256; RFC 4509) for a DNSKEY rdata owned
 * by owner (wire form, any case: it is lowercased for the digest). Writes
 * DS_SHA256_RDLEN bytes into out. Returns ST_OK or a negative status.
 */
int dnskey_ds(const uint8_t *owner, const uint8_t *dnskey_rdata, size_t rdlen,
	      uint8_t out[DS_SHA256_RDLEN]) MUST_CHECK;

#endif
