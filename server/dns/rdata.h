/*
 * rdata.h -- RR types and per-type rdata: presentation text <-> wire form.
 *
 * Rdata is always stored uncompressed (RFC 3597 section 4): the encoder
 * compresses the names of the RFC 1035 types itself when it writes them.
 */
#ifndef GLUED_RDATA_H
#define GLUED_RDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/status.h"

enum rr_type {
	RR_A = 1,
	RR_NS = 2,
	RR_MD = 3,
	RR_MF = 4,
	RR_CNAME = 5,
	RR_SOA = 6,
	RR_MB = 7,
	RR_MG = 8,
	RR_MR = 9,
	RR_NULL = 10,
	RR_WKS = 11,
	RR_PTR = 12,
	RR_HINFO = 13,
	RR_MINFO = 14,
	RR_MX = 15,
	RR_TXT = 16,
	RR_RP = 17,
	RR_AFSDB = 18,
	RR_AAAA = 28,
	RR_LOC = 29,
	RR_SRV = 33,
	RR_NAPTR = 35,
	RR_KX = 36,
	RR_CERT = 37,
	RR_DNAME = 39,
	RR_OPT = 41,
	RR_APL = 42,
	RR_DS = 43,
	RR_SSHFP = 44,
	RR_IPSECKEY = 45,
	RR_RRSIG = 46,
	RR_NSEC = 47,
	RR_DNSKEY = 48,
	RR_DHCID = 49,
	RR_NSEC3 = 50,
	RR_NSEC3PARAM = 51,
	RR_TLSA = 52,
	RR_SMIMEA = 53,
	RR_CDS = 59,
	RR_CDNSKEY = 60,
	RR_OPENPGPKEY = 61,
	RR_CSYNC = 62,
	RR_ZONEMD = 63,
	RR_SVCB = 64,
	RR_HTTPS = 65,
	RR_SPF = 99,
	RR_EUI48 = 108,
	RR_EUI64 = 109,
	RR_TKEY = 249,
	RR_TSIG = 250,
	RR_IXFR = 251,
	RR_AXFR = 252,
	RR_MAILB = 253,
	RR_MAILA = 254,
	RR_ANY = 255,
	RR_URI = 256,
	RR_CAA = 257,
};

enum rr_class { CLASS_IN = 1, CLASS_CH = 3, CLASS_HS = 4, CLASS_NONE = 254, CLASS_ANY = 255 };

/* One token of a record's rdata as the zone-file tokenizer found it. For a
 * quoted string, s/len is the content between the quotes, escapes still in
 * place (rdata_from_text resolves \X and \DDD). */
typedef struct rdata_tok {
	const char *s;
	size_t len;
	bool quoted;
} rdata_tok_t;

/*
 * Parse a type mnemonic ("A", "aaaa", "TYPE65280"; case-insensitive) of len
 * bytes. Returns 0 and sets *type, or ST_ENOENT when it is not a type.
 */
int rrtype_from_text(const char *s, size_t len, uint16_t *type) MUST_CHECK;

/* Mnemonic of a type, or "TYPEnnn" written into buf (16 bytes) for others. */
const char *rrtype_to_text(uint16_t type, char buf[16]);

/* True for types that never appear in zone data: 0, OPT and 128-255
 * (TKEY, TSIG, IXFR, AXFR, MAILB, MAILA, ANY and the unassigned rest). */
bool rrtype_is_meta(uint16_t type);

/*
 * Parse a TTL of len bytes: a plain number, or digits each followed by a
 * unit w/d/h/m/s (case-insensitive, summed: "1h30m", "1w2d"). Bare digits
 * after a unit ("1h30") are an error, as in BIND. Returns 0 and sets *ttl,
 * or ST_ESYNTAX (also when the value exceeds 2^32-1).
 */
int rdata_ttl_from_text(const char *s, size_t len, uint32_t *ttl) MUST_CHECK;

/* The value of one hex digit (either case), or -1. */
int rdata_hexval(int c);

/* Decode base64 (RFC 4648 4; spaces, tabs and line ends skipped, padding
 * required) into out of cap bytes: the length, or -1 for text that is not
 * base64 or decodes to more than cap bytes. */
int rdata_base64_decode(const char *s, uint8_t *out, size_t cap);

/*
 * The names in rdata of this type that a message may compress (RFC 1035
 * types only, RFC 3597 4): returns how many follow one another from
 * offset *first (MX: one after the preference; SOA and MINFO: two, the
 * SOA's 20 fixed bytes after them), or 0 with *first 0.
 */
int rdata_compressible_names(uint16_t type, size_t *first);

/* The canonical form of an rdata (RFC 4034 6.2 as RFC 6840 5.1 corrects
 * it), in place: the domain names of the types that list them lowercased.
 * For the signer and the validator alike. */
void rdata_canon(uint16_t type, uint8_t *rd, size_t len);

/*
 * Convert the rdata tokens of one record of the given type to wire form in
 * out (cap bytes). Relative names get origin appended (origin may be NULL
 * only if every name is absolute). Accepts the RFC 3597 generic form
 * (`\# len hex...`) for every type, and validates it for known types.
 * Returns the rdata length (>= 0), or a negative status with *expected
 * pointing to a static phrase naming what was expected, for example
 * "an IPv4 address" or "a 16-bit number for the MX preference".
 */
int rdata_from_text(uint16_t type, const rdata_tok_t *toks, size_t ntoks, const uint8_t *origin,
		    uint8_t *out, size_t cap, const char **expected) MUST_CHECK;

/*
 * Same as rdata_from_text, and on failure also sets *bad to the index of
 * the offending token, or to ntoks when the rdata ended before a required
 * field (bad may be NULL). Status codes: ST_ESYNTAX for a wrong or missing
 * field, ST_ESPACE when the rdata does not fit cap (or 65535) bytes, and for
 * a name inside the rdata name_from_text's ST_EINVAL (relative name, no
 * origin), ST_ELABEL or ST_ENAME, so a caller can word those precisely.
 */
int rdata_parse_text(uint16_t type, const rdata_tok_t *toks, size_t ntoks, const uint8_t *origin,
		     uint8_t *out, size_t cap, const char **expected, size_t *bad) MUST_CHECK;

/*
 * Check that wire rdata is well formed for its type (names inside it valid
 * and uncompressed, fixed fields present). Unknown types always pass.
 * Returns 0 or ST_EMALF.
 */
int rdata_check(uint16_t type, const uint8_t *rd, size_t rdlen) MUST_CHECK;

/*
 * Write the presentation form of wire rdata to buf (cap bytes, NUL-terminated),
 * as dig prints it. Unknown types, and rdata that does not parse for its
 * type, use the RFC 3597 generic form `\# len hex`. Returns the text length,
 * or ST_ESPACE.
 */
int rdata_to_text(uint16_t type, const uint8_t *rd, size_t rdlen, char *buf, size_t cap);

#endif
