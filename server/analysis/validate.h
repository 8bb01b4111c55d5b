/*
 * validate.h -- DNSSEC validation as a validating resolver does it
 * (RFC 4033, 4034, 4035, 5155, 6840, 9276), over RRsets read from
 * response messages or taken from loaded zones.
 *
 * Pure: no I/O and no clock. Time is a parameter (`now`, seconds since
 * 1970 modulo 2^32, compared in serial arithmetic as RFC 4034 3.1.5 says).
 * The cryptography is OpenSSL's libcrypto, through dnssec/key.h
 * (dnskey_verify) and EVP digests for DS (SHA-1, SHA-256, SHA-384) and
 * NSEC3 (SHA-1).
 *
 * Every check ends in a val_result_t: secure, insecure or bogus, the
 * Extended DNS Error (RFC 8914) a resolver would attach, and one line that
 * names the records ("DS 12345/13/2 in lab. matches no DNSKEY of
 * badds.lab."). The judgement follows Unbound's defaults where the RFCs
 * leave a choice:
 *   - algorithms 8, 13 and 15 are verified; a DS whose algorithm or digest
 *     type (1, 2, 4 are known) is not supported is ignored, and a zone whose
 *     DS RRset holds no supported one is insecure (RFC 4035 5.2, RFC 6840
 *     5.2); SHA-1 DS records are ignored beside SHA-256 or SHA-384 ones
 *     (RFC 4509 3);
 *   - a signature is valid from inception to expiration widened by a
 *     clock-skew allowance of a tenth of its validity, at least one hour
 *     and at most a day (Unbound's val-sig-skew-min / -max);
 *   - NSEC3 records with more than VAL_NSEC3_MAX_ITERATIONS iterations make
 *     the answer insecure (RFC 9276 3.2), reported with EDE 27;
 *   - an NXDOMAIN or a NODATA whose proof relies on an opt-out NSEC3 is
 *     insecure (RFC 5155 9.2).
 *
 * Which DNSKEYs are trusted for which zone is the caller's business: the
 * response checks ask a val_keys_fn for the keys of each signer (sim.c
 * builds the chain of trust behind it: DS from each referral, DNSKEY from
 * each secure zone's servers).
 */
#ifndef GLUED_VALIDATE_H
#define GLUED_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/name.h"
#include "dns/status.h"

enum val_status { VAL_SECURE = 0, VAL_INSECURE = 1, VAL_BOGUS = 2 };

/* The Extended DNS Errors (RFC 8914 4) a validation concludes with. 0 (EDE
 * "Other") is never one of them, so 0 means none. */
enum val_ede {
	VAL_EDE_NONE = 0,
	VAL_EDE_UNSUPPORTED_ALG = 1,    /* Unsupported DNSKEY Algorithm */
	VAL_EDE_UNSUPPORTED_DIGEST = 2, /* Unsupported DS Digest Type */
	VAL_EDE_BOGUS = 6,              /* DNSSEC Bogus */
	VAL_EDE_SIG_EXPIRED = 7,        /* Signature Expired */
	VAL_EDE_SIG_NOT_YET_VALID = 8,  /* Signature Not Yet Valid */
	VAL_EDE_DNSKEY_MISSING = 9,     /* DNSKEY Missing */
	VAL_EDE_RRSIGS_MISSING = 10,    /* RRSIGs Missing */
	VAL_EDE_NSEC_MISSING = 12,      /* NSEC Missing */
	VAL_EDE_NSEC3_ITERATIONS = 27,  /* Unsupported NSEC3 Iterations Value */
};

#define VAL_NSEC3_MAX_ITERATIONS 150
#define VAL_REASON_MAX 320

typedef struct val_result {
	uint8_t status;              /* enum val_status */
	uint16_t ede;                /* enum val_ede; VAL_EDE_NONE for a plain secure or insecure */
	char reason[VAL_REASON_MAX]; /* "" when secure */
} val_result_t;

/* Set r: its status, EDE and reason (printf format). */
void val_result_set(val_result_t *r, uint8_t status, uint16_t ede, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "secure", "insecure", "bogus". */
const char *val_status_str(uint8_t status);
/* RFC 8914's name of an INFO-CODE ("DNSKEY Missing"), "" for none. */
const char *val_ede_str(uint16_t ede);

/*
 * One RRset with the RRSIGs that cover it, in zone.h's record layout:
 * count x { u16 rdlen (big-endian), rdata } for the records, and the same
 * for the RRSIG records (nsigs of them). Names inside rdata are
 * uncompressed. The pointers belong to whoever made the RRset (a val_msg_t,
 * a zone).
 */
typedef struct val_rrset {
	const uint8_t *owner; /* wire form; lowercased in a val_msg_t */
	uint16_t type;
	uint8_t section; /* 1 answer, 2 authority, 3 additional (messages) */
	uint32_t ttl;
	uint16_t count;
	const uint8_t *data;
	uint32_t datalen;
	uint16_t nsigs;
	const uint8_t *sigs;
	uint32_t sigslen;
} val_rrset_t;

/* A response's RRsets, grouped by section, owner and type, each with its
 * RRSIGs from the same section (RRSIGs that cover no RRset of the message
 * are dropped; the OPT record is not kept). */
typedef struct val_msg {
	uint16_t flags; /* header flags, rcode in the low 4 bits */
	uint8_t rcode;
	size_t nsets;
	val_rrset_t *sets;
	uint8_t *buf; /* owns what sets point at */
} val_msg_t;

/*
 * Read the response of len bytes at wire into m (which the caller then
 * frees with val_msg_free, also after a failure). Returns ST_OK, a negative
 * status for a malformed message, or ST_ENOMEM.
 */
int val_msg_parse(val_msg_t *m, const uint8_t *wire, size_t len) MUST_CHECK;
void val_msg_free(val_msg_t *m);

/* The RRset of section (1-3; 0: any) with this owner (any case) and
 * type, or NULL. */
const val_rrset_t *val_msg_find(const val_msg_t *m, int section, const uint8_t *owner,
				uint16_t type);

/* ---- algorithms, DS, NSEC3 hashes -------------------------------------- */

/* Whether glued verifies signatures of this DNSKEY algorithm (8, 13, 15). */
bool val_alg_supported(uint8_t alg);
/* Whether glued computes DS digests of this type (1, 2, 4). */
bool val_digest_supported(uint8_t type);

/* A DS record's rdata (key tag, algorithm, digest type, digest). */
#define VAL_DS_RDATA_MAX 100
typedef struct val_ds {
	uint8_t len;
	uint8_t rd[VAL_DS_RDATA_MAX];
} val_ds_t;

/* The records of a DS RRset as val_ds_t, at most cap (longer rdata is
 * skipped). Returns how many. */
size_t val_ds_from_rrset(const val_rrset_t *rs, val_ds_t *out, size_t cap);

/*
 * Does the DS rdata (dslen bytes) name this DNSKEY rdata owned by owner:
 * same key tag and algorithm, and its digest over owner | rdata? 1 yes, 0
 * no, ST_EINVAL for a digest type glued does not compute or a malformed
 * record.
 */
int val_ds_matches(const uint8_t *owner, const uint8_t *dnskey, size_t dnskeylen, const uint8_t *ds,
		   size_t dslen);

#define VAL_NSEC3_HASH_LEN 20

/* The NSEC3 hash (RFC 5155 5, SHA-1) of name (lowercased here), with salt
 * and extra iterations. Returns ST_OK or ST_ENOMEM. */
int val_nsec3_hash(const uint8_t *name, const uint8_t *salt, uint8_t saltlen, uint16_t iterations,
		   uint8_t out[VAL_NSEC3_HASH_LEN]) MUST_CHECK;

/* The hash the first label of an NSEC3 owner spells (base32hex, RFC 4648
 * 7). Returns its length (20 for SHA-1), or -1 when it is not one. */
int val_nsec3_owner_hash(const uint8_t *owner, uint8_t *out, size_t cap);

/* Whether a type bitmap (RFC 4034 4.1.2) of len bytes has type. */
bool val_bitmap_has(const uint8_t *bitmap, size_t len, uint16_t type);

/*
 * Signature validity at now: 0 valid, -1 not yet valid, 1 expired. With
 * skew, the window is widened by the resolver's clock-skew allowance (see
 * the top of this file); without it, the bare RFC 4034 3.1.5 window (what
 * --check compares zone data with).
 */
int val_sig_time(uint32_t inception, uint32_t expiration, uint32_t now, bool skew);

/* ---- signatures and keys ----------------------------------------------- */

/*
 * Verify rs against the trusted DNSKEY RRset of zone (the signer name the
 * RRSIGs must carry): secure when one RRSIG by zone, with the type and a
 * label count that fit, by a zone key of dnskey of a supported algorithm
 * with its tag, is within its validity at now and verifies over the
 * canonical form of rs (RFC 4034 3.1.8.1, 6). Otherwise bogus, with EDE 10
 * (no RRSIG by zone), 9 (none by a key of dnskey), 7 or 8 (out of its
 * validity; checked before the signature, as Unbound does) or 6 (does not
 * verify). When secure and wild is not NULL, *wild is the label count of
 * the RRSIG that verified when it is less than the owner's (the RRset was
 * expanded from a wildcard, RFC 4035 5.3.4), else -1.
 */
void val_verify(const val_rrset_t *rs, const val_rrset_t *dnskey, const uint8_t *zone, uint32_t now,
		val_result_t *r, int *wild);

/*
 * Trust the DNSKEY RRset of zone (NULL or empty: the zone has none) from
 * the DS records of its parent (parent: the name they come from, "." for a
 * trust anchor; for the reasons only): secure when a supported DS names a
 * zone key of the RRset whose digest matches and that key signs the RRset
 * validly (val_verify); insecure when no DS is supported (EDE 1 when the
 * algorithms are the cause, EDE 2 the digest types); bogus otherwise: EDE
 * 9 when no DNSKEY matches a DS (or there is no DNSKEY at all), else why
 * the matching key's signature failed.
 */
void val_dnskey(const val_rrset_t *dnskey, const val_ds_t *ds, size_t nds, const uint8_t *zone,
		const uint8_t *parent, uint32_t now, val_result_t *r);

/* ---- responses ------------------------------------------------------------- */

/*
 * The keys for an RRset, asked by the response checks. With is_signer,
 * name is the signer name of the RRSIGs to check: the keys of exactly that
 * zone. Without, the RRset has no RRSIG and name is the name whose zone
 * should have signed it (the owner; the parent side for a DS): the zone
 * that holds it as far as the chain of trust knows. Returns VAL_SECURE
 * with *dnskey (the trusted DNSKEY RRset) and *zone (its owner) set,
 * VAL_INSECURE when the zone is below an insecure delegation (or signed
 * with algorithms that cannot be validated), or VAL_BOGUS with r saying
 * why the chain of trust broke. Both pointers stay valid until the check
 * that asked returns.
 */
typedef uint8_t (*val_keys_fn)(void *ctx, const uint8_t *name, bool is_signer,
			       const val_rrset_t **dnskey, const uint8_t **zone, val_result_t *r);

/*
 * An authoritative answer to qname/qtype: each RRset of the CNAME chain
 * from qname through ANSWER, every RRset of AUTHORITY, the proof that no
 * closer name exists for an answer expanded from a wildcard, and for an
 * NXDOMAIN or a NODATA (the chain's last name: the rcode is NXDOMAIN, or
 * no RRset of the type ends the chain and AUTHORITY holds an SOA or the
 * chain is empty) its NSEC or NSEC3 proof (RFC 4035 5.4, RFC 5155 8): the
 * name error with the wildcard, no data (including an empty non-terminal
 * and a wildcard NODATA), a DS NODATA at a delegation. A proof that is
 * missing is bogus with EDE 12, one that proves something else is bogus
 * with EDE 6. The result is the worst over all of it (bogus, then
 * insecure, then secure).
 */
void val_response(const val_msg_t *m, const uint8_t *qname, uint16_t qtype, val_keys_fn keys,
		  void *ctx, uint32_t now, val_result_t *r);

/*
 * What a referral or a DS response from the servers of parent says about
 * the DS of child (a zone cut below parent): a DS RRset for child (in any
 * section), verified; or the NSEC or NSEC3 proof that child has none (NSEC
 * at child without DS; the NSEC3 that matches it without DS, or an opt-out
 * NSEC3 that covers the next closer name; RFC 4035 5.2, RFC 5155 8.6,
 * 8.9, RFC 6840 4.4). Fills ds (cap entries) and *nds with the DS records
 * when there are some. The result: secure with *nds > 0 (child is signed:
 * trust its DNSKEY through these), secure with *nds == 0 (proved: no DS),
 * insecure (parent is insecure), bogus. *cut says whether child is a
 * delegation as far as the message shows: a DS, an NS bit in the proof,
 * or an opt-out NSEC3 (false: child is a name inside parent, or does not
 * exist). *found is false when the message holds neither a DS nor any
 * NSEC or NSEC3 for child (the result is then bogus with EDE 12, and a
 * resolver asks for the DS on its own).
 */
void val_ds(const val_msg_t *m, const uint8_t *child, const uint8_t *parent, val_keys_fn keys,
	    void *ctx, uint32_t now, val_ds_t *ds, size_t cap, size_t *nds, bool *cut, bool *found,
	    val_result_t *r);

#endif
