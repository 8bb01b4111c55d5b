/*
 * rdata.c -- per-type rdata between presentation text and wire form.
 *
 * Nearly every type is a fixed sequence of fields (numbers, names, strings,
 * one trailing blob), so a single table of field descriptors drives all
 * three directions: text -> wire, wire check and wire -> text. Adding a type
 * is adding a table row; the three directions cannot drift apart.
 *
 * Types with irregular layouts that we do not parse (NULL, WKS, LOC, APL,
 * IPSECKEY) are F_OPAQUE: accepted only in the RFC 3597 generic form and
 * printed that way.
 */
#include "dns/rdata.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dns/name.h"
#include "dns/wire.h"

enum fkind {
	F_END = 0,
	F_U8,
	F_U16,
	F_U32,
	F_TTL,      /* u32; TTL units (1h30m) accepted */
	F_ALG,      /* u8; DNSSEC algorithm number or mnemonic */
	F_CERTTYPE, /* u16; CERT type number or mnemonic */
	F_A,
	F_AAAA,
	F_NAME,   /* uncompressed name, case kept */
	F_STR,    /* one <character-string> */
	F_STRS,   /* one or more <character-string>s, to the end */
	F_RAWSTR, /* one string without length byte, to the end */
	F_CAATAG, /* u8 length + letters and digits */
	F_HEX,    /* hex to the end, may be split over tokens, >= 1 byte */
	F_B64,    /* base64 to the end, may be split over tokens, >= 1 byte */
	F_TYPE,   /* u16 type mnemonic */
	F_TIME,   /* u32; YYYYMMDDHHmmSS or a number */
	F_BITMAP, /* NSEC type bitmap, to the end, may be empty */
	F_SALT,   /* u8 length + hex, "-" for an empty salt */
	F_B32,    /* u8 length + base32hex, >= 1 byte */
	F_EUI48,
	F_EUI64,
	F_SVCPARAMS, /* SVCB/HTTPS key=value list, to the end */
	F_LOC,       /* the whole RFC 1876 LOC rdata */
	F_OPAQUE,    /* no presentation form here: only \# */
};

#define MAXFIELDS 10

struct field {
	uint8_t kind;
	const char *what; /* phrase for *expected when this field is wrong */
};

struct rrdesc {
	uint16_t type;
	const char *name;
	struct field f[MAXFIELDS];
};

/* Local numbers for types the header's enum does not name. */
#define RR_RT 21

#define NAMEF(t)                                             \
	{                                                    \
		F_NAME, "a domain name for the " t " target" \
	}
#define STRPHRASE "a quoted or unquoted character-string of at most 255 bytes"

static const struct rrdesc descs[] = {
	{ RR_A, "A", { { F_A, "an IPv4 address" } } },
	{ RR_NS, "NS", { NAMEF("NS") } },
	{ RR_MD, "MD", { NAMEF("MD") } },
	{ RR_MF, "MF", { NAMEF("MF") } },
	{ RR_CNAME, "CNAME", { NAMEF("CNAME") } },
	{ RR_SOA,
	  "SOA",
	  { { F_NAME, "a domain name for the SOA MNAME (primary server)" },
	    { F_NAME, "a mailbox domain name for the SOA RNAME" },
	    { F_U32, "a 32-bit number for the SOA serial" },
	    { F_TTL, "a TTL or 32-bit number for the SOA refresh" },
	    { F_TTL, "a TTL or 32-bit number for the SOA retry" },
	    { F_TTL, "a TTL or 32-bit number for the SOA expire" },
	    { F_TTL, "a TTL or 32-bit number for the SOA minimum" } } },
	{ RR_MB, "MB", { NAMEF("MB") } },
	{ RR_MG, "MG", { NAMEF("MG") } },
	{ RR_MR, "MR", { NAMEF("MR") } },
	{ RR_NULL, "NULL", { { F_OPAQUE, "the generic form \\# for NULL" } } },
	{ RR_WKS, "WKS", { { F_OPAQUE, "the generic form \\# for WKS" } } },
	{ RR_PTR, "PTR", { NAMEF("PTR") } },
	{ RR_HINFO,
	  "HINFO",
	  { { F_STR, "a character-string of at most 255 bytes for the HINFO CPU" },
	    { F_STR, "a character-string of at most 255 bytes for the HINFO OS" } } },
	{ RR_MINFO,
	  "MINFO",
	  { { F_NAME, "a domain name for the MINFO RMAILBX" },
	    { F_NAME, "a domain name for the MINFO EMAILBX" } } },
	{ RR_MX,
	  "MX",
	  { { F_U16, "a 16-bit number for the MX preference" },
	    { F_NAME, "a domain name for the MX exchange" } } },
	{ RR_TXT, "TXT", { { F_STRS, STRPHRASE } } },
	{ RR_RP,
	  "RP",
	  { { F_NAME, "a domain name for the RP mailbox" },
	    { F_NAME, "a domain name for the RP TXT owner" } } },
	{ RR_AFSDB,
	  "AFSDB",
	  { { F_U16, "a 16-bit number for the AFSDB subtype" },
	    { F_NAME, "a domain name for the AFSDB hostname" } } },
	{ RR_RT,
	  "RT",
	  { { F_U16, "a 16-bit number for the RT preference" },
	    { F_NAME, "a domain name for the RT intermediate host" } } },
	{ RR_AAAA, "AAAA", { { F_AAAA, "an IPv6 address" } } },
	{ RR_LOC,
	  "LOC",
	  { { F_LOC, "a location: d [m [s]] N|S d [m [s]] E|W alt[m] "
		     "[size[m] [hp[m] [vp[m]]]] (RFC 1876)" } } },
	{ RR_SRV,
	  "SRV",
	  { { F_U16, "a 16-bit number for the SRV priority" },
	    { F_U16, "a 16-bit number for the SRV weight" },
	    { F_U16, "a 16-bit number for the SRV port" },
	    { F_NAME, "a domain name for the SRV target" } } },
	{ RR_NAPTR,
	  "NAPTR",
	  { { F_U16, "a 16-bit number for the NAPTR order" },
	    { F_U16, "a 16-bit number for the NAPTR preference" },
	    { F_STR, "a character-string of at most 255 bytes for the NAPTR flags" },
	    { F_STR, "a character-string of at most 255 bytes for the NAPTR services" },
	    { F_STR, "a character-string of at most 255 bytes for the NAPTR regexp" },
	    { F_NAME, "a domain name for the NAPTR replacement" } } },
	{ RR_KX,
	  "KX",
	  { { F_U16, "a 16-bit number for the KX preference" },
	    { F_NAME, "a domain name for the KX exchanger" } } },
	{ RR_CERT,
	  "CERT",
	  { { F_CERTTYPE, "a CERT type (16-bit number or mnemonic such as PKIX)" },
	    { F_U16, "a 16-bit number for the CERT key tag" },
	    { F_ALG, "a DNSSEC algorithm number or mnemonic for the CERT algorithm" },
	    { F_B64, "base64 data for the CERT certificate" } } },
	{ RR_DNAME, "DNAME", { NAMEF("DNAME") } },
	{ RR_OPT, "OPT", { { F_OPAQUE, "a data type, not the meta type OPT" } } },
	{ RR_APL, "APL", { { F_OPAQUE, "the generic form \\# for APL" } } },
	{ RR_DS,
	  "DS",
	  { { F_U16, "a 16-bit number for the DS key tag" },
	    { F_ALG, "a DNSSEC algorithm number or mnemonic for the DS algorithm" },
	    { F_U8, "an 8-bit number for the DS digest type" },
	    { F_HEX, "hexadecimal digits for the DS digest" } } },
	{ RR_SSHFP,
	  "SSHFP",
	  { { F_U8, "an 8-bit number for the SSHFP algorithm" },
	    { F_U8, "an 8-bit number for the SSHFP fingerprint type" },
	    { F_HEX, "hexadecimal digits for the SSHFP fingerprint" } } },
	{ RR_IPSECKEY, "IPSECKEY", { { F_OPAQUE, "the generic form \\# for IPSECKEY" } } },
	{ RR_RRSIG,
	  "RRSIG",
	  { { F_TYPE, "a type mnemonic for the RRSIG type covered" },
	    { F_ALG, "a DNSSEC algorithm number or mnemonic for the RRSIG algorithm" },
	    { F_U8, "an 8-bit number for the RRSIG labels" },
	    { F_TTL, "a TTL or 32-bit number for the RRSIG original TTL" },
	    { F_TIME, "a YYYYMMDDHHmmSS time or 32-bit number for the RRSIG expiration" },
	    { F_TIME, "a YYYYMMDDHHmmSS time or 32-bit number for the RRSIG inception" },
	    { F_U16, "a 16-bit number for the RRSIG key tag" },
	    { F_NAME, "a domain name for the RRSIG signer" },
	    { F_B64, "base64 data for the RRSIG signature" } } },
	{ RR_NSEC,
	  "NSEC",
	  { { F_NAME, "a domain name for the NSEC next owner" },
	    { F_BITMAP, "type mnemonics for the NSEC type bitmap" } } },
	{ RR_DNSKEY,
	  "DNSKEY",
	  { { F_U16, "a 16-bit number for the DNSKEY flags" },
	    { F_U8, "an 8-bit number for the DNSKEY protocol" },
	    { F_ALG, "a DNSSEC algorithm number or mnemonic for the DNSKEY algorithm" },
	    { F_B64, "base64 data for the DNSKEY public key" } } },
	{ RR_DHCID, "DHCID", { { F_B64, "base64 data for the DHCID digest" } } },
	{ RR_NSEC3,
	  "NSEC3",
	  { { F_U8, "an 8-bit number for the NSEC3 hash algorithm" },
	    { F_U8, "an 8-bit number for the NSEC3 flags" },
	    { F_U16, "a 16-bit number for the NSEC3 iterations" },
	    { F_SALT, "hexadecimal digits or '-' for the NSEC3 salt" },
	    { F_B32, "base32hex data for the NSEC3 next hashed owner" },
	    { F_BITMAP, "type mnemonics for the NSEC3 type bitmap" } } },
	{ RR_NSEC3PARAM,
	  "NSEC3PARAM",
	  { { F_U8, "an 8-bit number for the NSEC3PARAM hash algorithm" },
	    { F_U8, "an 8-bit number for the NSEC3PARAM flags" },
	    { F_U16, "a 16-bit number for the NSEC3PARAM iterations" },
	    { F_SALT, "hexadecimal digits or '-' for the NSEC3PARAM salt" } } },
	{ RR_TLSA,
	  "TLSA",
	  { { F_U8, "an 8-bit number for the TLSA certificate usage" },
	    { F_U8, "an 8-bit number for the TLSA selector" },
	    { F_U8, "an 8-bit number for the TLSA matching type" },
	    { F_HEX, "hexadecimal digits for the TLSA certificate data" } } },
	{ RR_SMIMEA,
	  "SMIMEA",
	  { { F_U8, "an 8-bit number for the SMIMEA certificate usage" },
	    { F_U8, "an 8-bit number for the SMIMEA selector" },
	    { F_U8, "an 8-bit number for the SMIMEA matching type" },
	    { F_HEX, "hexadecimal digits for the SMIMEA certificate data" } } },
	{ RR_CDS,
	  "CDS",
	  { { F_U16, "a 16-bit number for the CDS key tag" },
	    { F_ALG, "a DNSSEC algorithm number or mnemonic for the CDS algorithm" },
	    { F_U8, "an 8-bit number for the CDS digest type" },
	    { F_HEX, "hexadecimal digits for the CDS digest" } } },
	{ RR_CDNSKEY,
	  "CDNSKEY",
	  { { F_U16, "a 16-bit number for the CDNSKEY flags" },
	    { F_U8, "an 8-bit number for the CDNSKEY protocol" },
	    { F_ALG, "a DNSSEC algorithm number or mnemonic for the CDNSKEY algorithm" },
	    { F_B64, "base64 data for the CDNSKEY public key" } } },
	{ RR_OPENPGPKEY, "OPENPGPKEY", { { F_B64, "base64 data for the OPENPGPKEY key" } } },
	{ RR_CSYNC,
	  "CSYNC",
	  { { F_U32, "a 32-bit number for the CSYNC SOA serial" },
	    { F_U16, "a 16-bit number for the CSYNC flags" },
	    { F_BITMAP, "type mnemonics for the CSYNC type bitmap" } } },
	{ RR_ZONEMD,
	  "ZONEMD",
	  { { F_U32, "a 32-bit number for the ZONEMD serial" },
	    { F_U8, "an 8-bit number for the ZONEMD scheme" },
	    { F_U8, "an 8-bit number for the ZONEMD hash algorithm" },
	    { F_HEX, "hexadecimal digits for the ZONEMD digest" } } },
	{ RR_SVCB,
	  "SVCB",
	  { { F_U16, "a 16-bit number for the SVCB priority" },
	    { F_NAME, "a domain name for the SVCB target" },
	    { F_SVCPARAMS, "an SvcParam key[=value] (mandatory, alpn, no-default-alpn, "
			   "port, ipv4hint, ech, ipv6hint, dohpath or keyNNNNN)" } } },
	{ RR_HTTPS,
	  "HTTPS",
	  { { F_U16, "a 16-bit number for the HTTPS priority" },
	    { F_NAME, "a domain name for the HTTPS target" },
	    { F_SVCPARAMS, "an SvcParam key[=value] (mandatory, alpn, no-default-alpn, "
			   "port, ipv4hint, ech, ipv6hint, dohpath or keyNNNNN)" } } },
	{ RR_SPF, "SPF", { { F_STRS, STRPHRASE } } },
	{ RR_EUI48, "EUI48", { { F_EUI48, "an EUI-48 address (xx-xx-xx-xx-xx-xx)" } } },
	{ RR_EUI64, "EUI64", { { F_EUI64, "an EUI-64 address (xx-xx-xx-xx-xx-xx-xx-xx)" } } },
	{ RR_TKEY, "TKEY", { { F_OPAQUE, "a data type, not the meta type TKEY" } } },
	{ RR_TSIG, "TSIG", { { F_OPAQUE, "a data type, not the meta type TSIG" } } },
	{ RR_IXFR, "IXFR", { { F_OPAQUE, "a data type, not the meta type IXFR" } } },
	{ RR_AXFR, "AXFR", { { F_OPAQUE, "a data type, not the meta type AXFR" } } },
	{ RR_MAILB, "MAILB", { { F_OPAQUE, "a data type, not the meta type MAILB" } } },
	{ RR_MAILA, "MAILA", { { F_OPAQUE, "a data type, not the meta type MAILA" } } },
	{ RR_ANY, "ANY", { { F_OPAQUE, "a data type, not the meta type ANY" } } },
	{ RR_URI,
	  "URI",
	  { { F_U16, "a 16-bit number for the URI priority" },
	    { F_U16, "a 16-bit number for the URI weight" },
	    { F_RAWSTR, "a quoted string for the URI target" } } },
	{ RR_CAA,
	  "CAA",
	  { { F_U8, "an 8-bit number for the CAA flags" },
	    { F_CAATAG, "a CAA tag of letters and digits (issue, issuewild, iodef, ...)" },
	    { F_RAWSTR, "a quoted or unquoted string for the CAA value" } } },
};

#define NDESCS (sizeof(descs) / sizeof(descs[0]))

static const struct rrdesc *desc_find(uint16_t type)
{
	for (size_t i = 0; i < NDESCS; i++)
		if (descs[i].type == type)
			return &descs[i];
	return NULL;
}

/* Small case-insensitive mnemonic tables for numeric fields. */
struct mnem {
	unsigned val;
	const char *name;
};

static const struct mnem algs[] = {
	{ 1, "RSAMD5" },
	{ 2, "DH" },
	{ 3, "DSA" },
	{ 5, "RSASHA1" },
	{ 6, "DSA-NSEC3-SHA1" },
	{ 7, "RSASHA1-NSEC3-SHA1" },
	{ 8, "RSASHA256" },
	{ 10, "RSASHA512" },
	{ 12, "ECC-GOST" },
	{ 13, "ECDSAP256SHA256" },
	{ 14, "ECDSAP384SHA384" },
	{ 15, "ED25519" },
	{ 16, "ED448" },
	{ 252, "INDIRECT" },
	{ 253, "PRIVATEDNS" },
	{ 254, "PRIVATEOID" },
	{ 0, NULL },
};

static const struct mnem certtypes[] = {
	{ 1, "PKIX" },  { 2, "SPKI" },  { 3, "PGP" },    { 4, "IPKIX" },
	{ 5, "ISPKI" }, { 6, "IPGP" },  { 7, "ACPKIX" }, { 8, "IACPKIX" },
	{ 253, "URI" }, { 254, "OID" }, { 0, NULL },
};

static const struct mnem svckeys[] = {
	{ 0, "mandatory" }, { 1, "alpn" },     { 2, "no-default-alpn" },
	{ 3, "port" },      { 4, "ipv4hint" }, { 5, "ech" },
	{ 6, "ipv6hint" },  { 7, "dohpath" },  { 0, NULL },
};

static bool text_ieq(const char *s, size_t len, const char *lit)
{
	size_t l = strlen(lit);
	if (l != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (name_lower_byte((uint8_t)s[i]) != name_lower_byte((uint8_t)lit[i]))
			return false;
	return true;
}

static const char *mnem_name(const struct mnem *m, unsigned val)
{
	for (; m->name; m++)
		if (m->val == val)
			return m->name;
	return NULL;
}

static int mnem_value(const struct mnem *m, const char *s, size_t len, unsigned *val)
{
	for (; m->name; m++)
		if (text_ieq(s, len, m->name)) {
			*val = m->val;
			return 0;
		}
	return ST_ENOENT;
}

/* Decimal digits only, no sign, value <= max. */
static int parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	if (len == 0 || len > 20)
		return ST_ESYNTAX;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ST_ESYNTAX;
		uint64_t d = (uint64_t)(s[i] - '0');
		if (v > (max - d) / 10)
			return ST_ESYNTAX;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* ---- types ---------------------------------------------------------- */

/* ASCII letter c (upper case) equals s[i] in either case. */
static inline bool ch_ieq(const char *s, size_t i, char c) { return (s[i] & ~0x20) == c; }

int rrtype_from_text(const char *s, size_t len, uint16_t *type)
{
	/* The types that make up almost every zone, without the table scan
	 * (which measures each mnemonic with strlen). */
	uint16_t t = 0;
	switch (len) {
	case 1:
		if (ch_ieq(s, 0, 'A'))
			t = RR_A;
		break;
	case 2:
		if (ch_ieq(s, 0, 'N') && ch_ieq(s, 1, 'S'))
			t = RR_NS;
		else if (ch_ieq(s, 0, 'M') && ch_ieq(s, 1, 'X'))
			t = RR_MX;
		else if (ch_ieq(s, 0, 'D') && ch_ieq(s, 1, 'S'))
			t = RR_DS;
		break;
	case 3:
		if (ch_ieq(s, 0, 'T') && ch_ieq(s, 1, 'X') && ch_ieq(s, 2, 'T'))
			t = RR_TXT;
		else if (ch_ieq(s, 0, 'S') && ch_ieq(s, 1, 'O') && ch_ieq(s, 2, 'A'))
			t = RR_SOA;
		break;
	case 4:
		if (ch_ieq(s, 0, 'A') && ch_ieq(s, 1, 'A') && ch_ieq(s, 2, 'A') &&
		    ch_ieq(s, 3, 'A'))
			t = RR_AAAA;
		break;
	case 5:
		if (ch_ieq(s, 0, 'C') && ch_ieq(s, 1, 'N') && ch_ieq(s, 2, 'A') &&
		    ch_ieq(s, 3, 'M') && ch_ieq(s, 4, 'E'))
			t = RR_CNAME;
		else if (ch_ieq(s, 0, 'R') && ch_ieq(s, 1, 'R') && ch_ieq(s, 2, 'S') &&
			 ch_ieq(s, 3, 'I') && ch_ieq(s, 4, 'G'))
			t = RR_RRSIG;
		break;
	}
	if (t) {
		*type = t;
		return 0;
	}
	for (size_t i = 0; i < NDESCS; i++)
		if (text_ieq(s, len, descs[i].name)) {
			*type = descs[i].type;
			return 0;
		}
	if (len > 4 && text_ieq(s, 4, "TYPE")) {
		uint64_t v;
		if (parse_uint(s + 4, len - 4, 65535, &v) == 0) {
			*type = (uint16_t)v;
			return 0;
		}
	}
	return ST_ENOENT;
}

const char *rrtype_to_text(uint16_t type, char buf[16])
{
	const struct rrdesc *d = desc_find(type);
	if (d)
		return d->name;
	snprintf(buf, 16, "TYPE%u", (unsigned)type);
	return buf;
}

bool rrtype_is_meta(uint16_t type)
{
	return type == 0 || type == RR_OPT || (type >= 128 && type <= 255);
}

int rdata_ttl_from_text(const char *s, size_t len, uint32_t *ttl)
{
	if (len == 0)
		return ST_ESYNTAX;
	uint64_t total = 0, cur = 0;
	bool digits = false, units = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			cur = cur * 10 + (uint64_t)(c - '0');
			if (cur > UINT32_MAX)
				return ST_ESYNTAX;
			digits = true;
			continue;
		}
		uint64_t mult;
		switch (name_lower_byte((uint8_t)c)) {
		case 'w':
			mult = 604800;
			break;
		case 'd':
			mult = 86400;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'm':
			mult = 60;
			break;
		case 's':
			mult = 1;
			break;
		default:
			return ST_ESYNTAX;
		}
		if (!digits)
			return ST_ESYNTAX;
		total += cur * mult;
		if (total > UINT32_MAX)
			return ST_ESYNTAX;
		cur = 0, digits = false, units = true;
	}
	/* "1h30" is an error in BIND: bare digits only as the whole value. */
	if (digits && units)
		return ST_ESYNTAX;
	total += cur;
	if (total > UINT32_MAX)
		return ST_ESYNTAX;
	*ttl = (uint32_t)total;
	return 0;
}

/* ---- text decoding helpers ----------------------------------------- */

/*
 * Resolve \X and \DDD escapes of s into out (at most cap bytes).
 * Returns the decoded length, ST_ESYNTAX for a bad escape or ST_ESPACE when
 * the result does not fit.
 */
static int unescape(const char *s, size_t len, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		int c = text_char(s, len, &i);
		if (c < 0)
			return ST_ESYNTAX;
		if (n >= cap)
			return ST_ESPACE;
		out[n++] = (uint8_t)c;
	}
	return (int)n;
}

int rdata_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int b32hval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'v')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'V')
		return c - 'A' + 10;
	return -1;
}

/* Base64 decoding state, carried across tokens (a key is often split). */
struct b64 {
	uint32_t acc;
	int nchars; /* chars in the current quad */
	int npad;   /* '=' seen in the current quad */
	bool done;  /* a padded quad ended the data */
};

static int b64_feed(struct b64 *st, const char *s, size_t len, wire_wr_t *w)
{
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (st->done)
			return ST_ESYNTAX;
		if (c == '=') {
			/* Padding only in the last two positions of a quad. */
			if (st->nchars < 2)
				return ST_ESYNTAX;
			st->npad++;
			st->acc <<= 6;
		} else {
			int v = b64val(c);
			if (v < 0 || st->npad)
				return ST_ESYNTAX;
			st->acc = st->acc << 6 | (uint32_t)v;
		}
		if (++st->nchars == 4) {
			uint8_t b[3] = { (uint8_t)(st->acc >> 16), (uint8_t)(st->acc >> 8),
					 (uint8_t)st->acc };
			wire_wr_bytes(w, b, (size_t)(3 - st->npad));
			if (st->npad)
				st->done = true;
			st->acc = 0, st->nchars = 0, st->npad = 0;
		}
	}
	return 0;
}

int rdata_compressible_names(uint16_t type, size_t *first)
{
	*first = 0;
	switch (type) {
	case RR_NS:
	case RR_MD:
	case RR_MF:
	case RR_CNAME:
	case RR_MB:
	case RR_MG:
	case RR_MR:
	case RR_PTR:
		return 1;
	case RR_SOA:
	case RR_MINFO:
		return 2;
	case RR_MX:
		*first = 2;
		return 1;
	default:
		return 0;
	}
}

int rdata_base64_decode(const char *s, uint8_t *out, size_t cap)
{
	struct b64 st = { 0 };
	wire_wr_t w;
	wire_wr_init(&w, out, cap);
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			continue;
		if (b64_feed(&st, s, 1, &w) < 0)
			return -1;
	}
	if (st.nchars != 0 || w.err || w.pos > INT32_MAX)
		return -1;
	return (int)w.pos;
}

/* ---- text -> wire ---------------------------------------------------- */

struct tp {
	const rdata_tok_t *t;
	size_t n, i;
	const uint8_t *origin;
	wire_wr_t w;
	const char *why; /* overrides the field's phrase when set */
	size_t bad;      /* index of the offending token, n when missing */
};

/* Next token, or NULL (and bad = n) when the rdata ended. */
static const rdata_tok_t *tp_next(struct tp *p)
{
	if (p->i >= p->n) {
		p->bad = p->n;
		return NULL;
	}
	p->bad = p->i;
	return &p->t[p->i++];
}

static int tp_uint(struct tp *p, uint64_t max, uint64_t *v)
{
	const rdata_tok_t *t = tp_next(p);
	if (!t)
		return ST_ESYNTAX;
	return parse_uint(t->s, t->len, max, v);
}

static int tp_name(struct tp *p)
{
	const rdata_tok_t *t = tp_next(p);
	if (!t)
		return ST_ESYNTAX;
	uint8_t nm[NAME_MAXLEN];
	int r = name_from_text(t->s, t->len, p->origin, nm);
	if (r < 0) {
		/* Keep the name's own reason: the zone file reports it as is. */
		if (r == ST_EINVAL || r == ST_ELABEL || r == ST_ENAME)
			return r;
		return ST_ESYNTAX;
	}
	wire_wr_bytes(&p->w, nm, (size_t)r);
	return 0;
}

static int tp_str(struct tp *p, const rdata_tok_t *t, bool lenbyte, size_t max)
{
	uint8_t *dst = p->w.buf + p->w.pos + (lenbyte ? 1 : 0);
	size_t room = p->w.cap - p->w.pos;
	if (p->w.err || room < (lenbyte ? 1u : 0u))
		return ST_ESPACE;
	room -= lenbyte ? 1 : 0;
	int r = unescape(t->s, t->len, dst, room < max ? room : max);
	if (r == ST_ESPACE && room >= max)
		return ST_ESYNTAX; /* too long for a character-string */
	if (r == ST_ESYNTAX)
		p->why = "a valid escape (\\X, or \\DDD with DDD at most 255)";
	if (r < 0)
		return r;
	if (lenbyte)
		p->w.buf[p->w.pos++] = (uint8_t)r;
	p->w.pos += (size_t)r;
	return 0;
}

/* Hex digits over the remaining tokens; at least one byte unless may_empty. */
static int tp_hex_rest(struct tp *p, bool may_empty)
{
	int hi = -1;
	size_t start = p->w.pos;
	if (p->i >= p->n && !may_empty) {
		p->bad = p->n;
		return ST_ESYNTAX;
	}
	while (p->i < p->n) {
		const rdata_tok_t *t = tp_next(p);
		for (size_t k = 0; k < t->len; k++) {
			int v = rdata_hexval((unsigned char)t->s[k]);
			if (v < 0)
				return ST_ESYNTAX;
			if (hi < 0) {
				hi = v;
			} else {
				wire_wr_u8(&p->w, (uint8_t)(hi << 4 | v));
				hi = -1;
			}
		}
	}
	if (hi >= 0) {
		p->why = "an even number of hexadecimal digits";
		return ST_ESYNTAX;
	}
	if (p->w.pos == start && !may_empty && !p->w.err)
		return ST_ESYNTAX;
	return p->w.err;
}

static int tp_b64_rest(struct tp *p)
{
	struct b64 st = { 0 };
	size_t start = p->w.pos;
	if (p->i >= p->n) {
		p->bad = p->n;
		return ST_ESYNTAX;
	}
	while (p->i < p->n) {
		const rdata_tok_t *t = tp_next(p);
		if (b64_feed(&st, t->s, t->len, &p->w) < 0)
			return ST_ESYNTAX;
	}
	if (st.nchars != 0) {
		p->why = "base64 data (a multiple of 4 characters, '=' padded)";
		return ST_ESYNTAX;
	}
	if (p->w.pos == start && !p->w.err)
		return ST_ESYNTAX;
	return p->w.err;
}

static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

static bool leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Days from 1970-01-01 to y-m-d (civil calendar, y >= 1970). */
static int64_t days_from_epoch(long y, int m, int d)
{
	int64_t days = 0;
	for (long yy = 1970; yy < y; yy++)
		days += leap(yy) ? 366 : 365;
	for (int mm = 1; mm < m; mm++)
		days += mdays[mm - 1] + (mm == 2 && leap(y));
	return days + d - 1;
}

static int parse_time(const char *s, size_t len, uint32_t *out)
{
	uint64_t v;
	if (len != 14) {
		if (parse_uint(s, len, UINT32_MAX, &v) < 0)
			return ST_ESYNTAX;
		*out = (uint32_t)v;
		return 0;
	}
	for (size_t i = 0; i < 14; i++)
		if (s[i] < '0' || s[i] > '9')
			return ST_ESYNTAX;
#define DIG(a, b) ((long)((s[a] - '0') * 10 + (s[b] - '0')))
	long y = DIG(0, 1) * 100 + DIG(2, 3);
	int mo = (int)DIG(4, 5), d = (int)DIG(6, 7);
	long h = DIG(8, 9), mi = DIG(10, 11), se = DIG(12, 13);
#undef DIG
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 60)
		return ST_ESYNTAX;
	if (d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return ST_ESYNTAX;
	int64_t t = days_from_epoch(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	/* RFC 4034 3.1.5: serial-number arithmetic, so keep it modulo 2^32. */
	*out = (uint32_t)((uint64_t)t & 0xffffffffu);
	return 0;
}

/* NSEC-style type bitmap from the remaining tokens. */
static int tp_bitmap(struct tp *p)
{
	uint8_t bits[256][32];
	uint8_t used[256];
	memset(used, 0, sizeof(used));
	while (p->i < p->n) {
		const rdata_tok_t *t = tp_next(p);
		uint16_t type;
		if (t->quoted || rrtype_from_text(t->s, t->len, &type) < 0)
			return ST_ESYNTAX;
		unsigned win = type >> 8, bit = type & 0xff;
		if (!used[win]) {
			memset(bits[win], 0, 32);
			used[win] = 1;
		}
		bits[win][bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
		if (used[win] < bit / 8 + 1)
			used[win] = (uint8_t)(bit / 8 + 1);
	}
	for (unsigned win = 0; win < 256; win++) {
		if (!used[win])
			continue;
		wire_wr_u8(&p->w, (uint8_t)win);
		wire_wr_u8(&p->w, used[win]);
		wire_wr_bytes(&p->w, bits[win], used[win]);
	}
	return p->w.err;
}

static int tp_salt(struct tp *p)
{
	const rdata_tok_t *t = tp_next(p);
	if (!t)
		return ST_ESYNTAX;
	if (t->len == 1 && t->s[0] == '-') {
		wire_wr_u8(&p->w, 0);
		return p->w.err;
	}
	if (t->len % 2 || t->len / 2 > 255)
		return ST_ESYNTAX;
	wire_wr_u8(&p->w, (uint8_t)(t->len / 2));
	for (size_t k = 0; k < t->len; k += 2) {
		int a = rdata_hexval((unsigned char)t->s[k]),
		    b = rdata_hexval((unsigned char)t->s[k + 1]);
		if (a < 0 || b < 0)
			return ST_ESYNTAX;
		wire_wr_u8(&p->w, (uint8_t)(a << 4 | b));
	}
	return p->w.err;
}

static int tp_b32(struct tp *p)
{
	const rdata_tok_t *t = tp_next(p);
	if (!t)
		return ST_ESYNTAX;
	/* Unpadded base32hex: a trailing group of 1, 3 or 6 chars is invalid. */
	size_t rem = t->len % 8;
	if (t->len == 0 || rem == 1 || rem == 3 || rem == 6)
		return ST_ESYNTAX;
	size_t outlen = t->len * 5 / 8;
	if (outlen > 255)
		return ST_ESYNTAX;
	wire_wr_u8(&p->w, (uint8_t)outlen);
	uint32_t acc = 0;
	int nbits = 0;
	for (size_t k = 0; k < t->len; k++) {
		int v = b32hval((unsigned char)t->s[k]);
		if (v < 0)
			return ST_ESYNTAX;
		acc = (acc << 5 | (uint32_t)v) & 0xffff;
		nbits += 5;
		if (nbits >= 8) {
			nbits -= 8;
			wire_wr_u8(&p->w, (uint8_t)(acc >> nbits));
		}
	}
	if (acc & ((1u << nbits) - 1))
		return ST_ESYNTAX; /* non-zero trailing bits */
	return p->w.err;
}

static int tp_eui(struct tp *p, size_t nbytes)
{
	const rdata_tok_t *t = tp_next(p);
	if (!t || t->len != nbytes * 3 - 1)
		return ST_ESYNTAX;
	for (size_t k = 0; k < nbytes; k++) {
		const char *s = t->s + k * 3;
		int a = rdata_hexval((unsigned char)s[0]), b = rdata_hexval((unsigned char)s[1]);
		if (a < 0 || b < 0 || (k + 1 < nbytes && s[2] != '-'))
			return ST_ESYNTAX;
		wire_wr_u8(&p->w, (uint8_t)(a << 4 | b));
	}
	return p->w.err;
}

static int tp_caatag(struct tp *p)
{
	const rdata_tok_t *t = tp_next(p);
	if (!t || t->len == 0 || t->len > 255)
		return ST_ESYNTAX;
	for (size_t k = 0; k < t->len; k++) {
		char c = t->s[k];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return ST_ESYNTAX;
	}
	wire_wr_u8(&p->w, (uint8_t)t->len);
	wire_wr_bytes(&p->w, t->s, t->len);
	return p->w.err;
}

/* ---- SVCB / HTTPS parameters (RFC 9460) ------------------------------ */

static int svckey_from_text(const char *s, size_t len, uint16_t *key)
{
	unsigned v;
	if (mnem_value(svckeys, s, len, &v) == 0) {
		*key = (uint16_t)v;
		return 0;
	}
	uint64_t n;
	if (len > 3 && memcmp(s, "key", 3) == 0 && parse_uint(s + 3, len - 3, 65534, &n) == 0) {
		*key = (uint16_t)n;
		return 0;
	}
	return ST_ESYNTAX;
}

/* Length of the next comma-separated item of s (a backslash escapes). */
static size_t item_len(const char *s, size_t len)
{
	size_t k = 0;
	while (k < len && s[k] != ',') {
		if (s[k] == '\\' && k + 1 < len)
			k++;
		k++;
	}
	return k > len ? len : k;
}

static int svc_value(struct tp *p, uint16_t key, const char *v, size_t vlen, bool has)
{
	wire_wr_t *w = &p->w;
	char tmp[64];
	size_t k = 0;

	switch (key) {
	case 0: { /* mandatory: sorted, unique key list */
		uint16_t keys[64];
		size_t nk = 0;
		if (!has || vlen == 0)
			return ST_ESYNTAX;
		while (k <= vlen) {
			size_t l = item_len(v + k, vlen - k);
			uint16_t mk;
			if (nk == 64 || svckey_from_text(v + k, l, &mk) < 0 || mk == 0)
				return ST_ESYNTAX;
			size_t j = nk++;
			for (; j > 0 && keys[j - 1] > mk; j--)
				keys[j] = keys[j - 1];
			keys[j] = mk;
			if (j > 0 && keys[j - 1] == mk)
				return ST_ESYNTAX;
			k += l + 1;
		}
		for (size_t j = 0; j < nk; j++)
			wire_wr_u16(w, keys[j]);
		return w->err;
	}
	case 1: /* alpn: list of character-strings */
		if (!has || vlen == 0)
			return ST_ESYNTAX;
		while (k <= vlen) {
			size_t l = item_len(v + k, vlen - k);
			rdata_tok_t it = { v + k, l, false };
			if (l == 0 || tp_str(p, &it, true, 255) < 0)
				return ST_ESYNTAX;
			k += l + 1;
		}
		return w->err;
	case 2: /* no-default-alpn: no value */
		return has && vlen ? ST_ESYNTAX : 0;
	case 3: {
		uint64_t port;
		if (!has || parse_uint(v, vlen, 65535, &port) < 0)
			return ST_ESYNTAX;
		wire_wr_u16(w, (uint16_t)port);
		return w->err;
	}
	case 4:
	case 6: { /* ipv4hint / ipv6hint */
		int af = key == 4 ? AF_INET : AF_INET6;
		if (!has || vlen == 0)
			return ST_ESYNTAX;
		while (k <= vlen) {
			size_t l = item_len(v + k, vlen - k);
			uint8_t a[16];
			if (l == 0 || l >= sizeof(tmp))
				return ST_ESYNTAX;
			memcpy(tmp, v + k, l);
			tmp[l] = 0;
			if (inet_pton(af, tmp, a) != 1)
				return ST_ESYNTAX;
			wire_wr_bytes(w, a, af == AF_INET ? 4 : 16);
			k += l + 1;
		}
		return w->err;
	}
	case 5: { /* ech: base64 ECHConfigList */
		struct b64 st = { 0 };
		if (!has || vlen == 0 || b64_feed(&st, v, vlen, w) < 0 || st.nchars)
			return ST_ESYNTAX;
		return w->err;
	}
	default: { /* dohpath and keyNNNNN: opaque bytes, escapes resolved */
		if (!has)
			return 0;
		rdata_tok_t it = { v, vlen, false };
		return tp_str(p, &it, false, 65535) < 0 ? ST_ESYNTAX : 0;
	}
	}
}

static int tp_svcparams(struct tp *p)
{
	struct {
		uint16_t key;
		size_t tok;
	} ps[256];
	size_t np = 0;
	size_t first = p->i;

	/* Keys first, so values can be written straight out in key order. */
	for (size_t j = first; j < p->n; j++) {
		const rdata_tok_t *t = &p->t[j];
		size_t kl = 0;
		while (kl < t->len && t->s[kl] != '=')
			kl++;
		uint16_t key;
		p->bad = j;
		if (t->quoted || np == 256 || svckey_from_text(t->s, kl, &key) < 0)
			return ST_ESYNTAX;
		size_t k = np++;
		for (; k > 0 && ps[k - 1].key > key; k--)
			ps[k] = ps[k - 1];
		ps[k].key = key, ps[k].tok = j;
		if ((k > 0 && ps[k - 1].key == key) || (k + 1 < np && ps[k + 1].key == key)) {
			p->why = "SvcParam keys without duplicates";
			return ST_ESYNTAX;
		}
	}
	for (size_t k = 0; k < np; k++) {
		const rdata_tok_t *t = &p->t[ps[k].tok];
		size_t kl = 0;
		while (kl < t->len && t->s[kl] != '=')
			kl++;
		bool has = kl < t->len;
		const char *v = has ? t->s + kl + 1 : t->s + t->len;
		size_t vlen = has ? t->len - kl - 1 : 0;
		if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"')
			v++, vlen -= 2;
		p->bad = ps[k].tok;
		wire_wr_u16(&p->w, ps[k].key);
		size_t lenpos = p->w.pos;
		wire_wr_u16(&p->w, 0);
		if (p->w.err)
			return p->w.err;
		int r = svc_value(p, ps[k].key, v, vlen, has);
		if (p->w.err)
			return p->w.err;
		if (r < 0) {
			p->why = "a valid SvcParam value (see RFC 9460)";
			return ST_ESYNTAX;
		}
		wire_put16(p->w.buf + lenpos, (uint16_t)(p->w.pos - lenpos - 2));
	}
	p->i = p->n;
	return 0;
}

/* ---- LOC (RFC 1876) ------------------------------------------------- */

/*
 * A decimal "123.45" scaled by 10^frac (at most frac fraction digits), with
 * an optional leading '-' when neg_ok and an optional trailing 'm' when m_ok.
 */
static int parse_dec(const rdata_tok_t *t, int frac, bool neg_ok, bool m_ok, int64_t *out)
{
	const char *s = t->s;
	size_t len = t->len, i = 0;
	bool neg = false;
	int64_t v = 0;
	int fd = -1; /* fraction digits seen; -1 before the point */

	if (m_ok && len > 0 && (s[len - 1] == 'm' || s[len - 1] == 'M'))
		len--;
	if (neg_ok && len > 0 && s[0] == '-')
		neg = true, i = 1;
	if (i >= len || t->quoted)
		return ST_ESYNTAX;
	for (; i < len; i++) {
		if (s[i] == '.' && fd < 0) {
			fd = 0;
			continue;
		}
		/* Every LOC field is far below 10^15 once scaled; refusing
		 * longer numbers keeps the scaling by up to 10^3 below
		 * overflow (found by fuzz_zonefile). */
		if (s[i] < '0' || s[i] > '9' || fd >= frac || v >= 100000000000000LL)
			return ST_ESYNTAX;
		v = v * 10 + (s[i] - '0');
		if (fd >= 0)
			fd++;
	}
	for (int k = fd < 0 ? 0 : fd; k < frac; k++)
		v *= 10;
	*out = neg ? -v : v;
	return 0;
}

/* Size and precision: centimetres as mantissa (high nibble) * 10^exponent. */
static int loc_size(const rdata_tok_t *t, uint8_t *out)
{
	int64_t cm;
	if (parse_dec(t, 2, false, true, &cm) < 0 || cm > 9000000000LL)
		return ST_ESYNTAX;
	int e = 0;
	while (e < 9 && cm >= 10) /* truncate like BIND: 1.5m is 1m */
		cm /= 10, e++;
	*out = (uint8_t)(cm << 4 | e);
	return 0;
}

static bool tok_is(const rdata_tok_t *t, char a, char b)
{
	return t->len == 1 && !t->quoted && (t->s[0] == a || t->s[0] == b);
}

/* d [m [s]] H, as milliseconds of arc, signed by the hemisphere letter. */
static int loc_angle(struct tp *p, int64_t maxdeg, char pos, char neg, int64_t *out)
{
	const rdata_tok_t *t;
	int64_t part[3] = { 0, 0, 0 };
	int n = 0;
	for (;;) {
		if (!(t = tp_next(p)))
			return ST_ESYNTAX;
		if (n > 0 && (tok_is(t, pos, pos + 32) || tok_is(t, neg, neg + 32)))
			break;
		if (n == 3 || parse_dec(t, n == 2 ? 3 : 0, false, false, &part[n]) < 0)
			return ST_ESYNTAX;
		n++;
	}
	if (part[0] > maxdeg || part[1] > 59 || part[2] > 59999)
		return ST_ESYNTAX;
	int64_t ms = part[0] * 3600000 + part[1] * 60000 + part[2];
	if (ms > maxdeg * 3600000)
		return ST_ESYNTAX;
	*out = tok_is(t, neg, neg + 32) ? -ms : ms;
	return 0;
}

static int tp_loc(struct tp *p)
{
	int64_t lat, lon, alt;
	uint8_t sz[3] = { 0x12, 0x16, 0x13 }; /* 1m, 10000m, 10m */
	const rdata_tok_t *t;

	if (loc_angle(p, 90, 'N', 'S', &lat) < 0 || loc_angle(p, 180, 'E', 'W', &lon) < 0)
		return ST_ESYNTAX;
	if (!(t = tp_next(p)) || parse_dec(t, 2, true, true, &alt) < 0 || alt < -10000000 ||
	    alt > 4284967295LL)
		return ST_ESYNTAX;
	for (int k = 0; k < 3 && p->i < p->n; k++)
		if (loc_size(tp_next(p), &sz[k]) < 0)
			return ST_ESYNTAX;
	wire_wr_u8(&p->w, 0);
	wire_wr_bytes(&p->w, sz, 3);
	wire_wr_u32(&p->w, (uint32_t)((int64_t)0x80000000 + lat));
	wire_wr_u32(&p->w, (uint32_t)((int64_t)0x80000000 + lon));
	wire_wr_u32(&p->w, (uint32_t)(alt + 10000000));
	return p->w.err;
}

/*
 * Dotted-quad IPv4 without the copy and inet_pton's generality: four
 * decimal numbers up to 255 without leading zeros. Accepts only what
 * inet_pton accepts (anything else goes to inet_pton, which decides).
 */
static bool ipv4_fast(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= len || s[i] != '.')
				return false;
			i++;
		}
		unsigned v = 0, digits = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[i - digits] == '0'))
			return false;
		out[part] = (uint8_t)v;
	}
	return i == len;
}

static int field_from_text(struct tp *p, const struct field *f)
{
	uint64_t v;
	unsigned mv;
	const rdata_tok_t *t;
	int r;

	switch (f->kind) {
	case F_U8:
	case F_U16:
	case F_U32:
		r = tp_uint(p,
			    f->kind == F_U8    ? 0xff
			    : f->kind == F_U16 ? 0xffff
					       : 0xffffffffu,
			    &v);
		if (r < 0)
			return r;
		if (f->kind == F_U8)
			wire_wr_u8(&p->w, (uint8_t)v);
		else if (f->kind == F_U16)
			wire_wr_u16(&p->w, (uint16_t)v);
		else
			wire_wr_u32(&p->w, (uint32_t)v);
		return 0;
	case F_TTL: {
		uint32_t ttl;
		if (!(t = tp_next(p)) || rdata_ttl_from_text(t->s, t->len, &ttl) < 0)
			return ST_ESYNTAX;
		wire_wr_u32(&p->w, ttl);
		return 0;
	}
	case F_TIME: {
		uint32_t tm;
		if (!(t = tp_next(p)) || parse_time(t->s, t->len, &tm) < 0)
			return ST_ESYNTAX;
		wire_wr_u32(&p->w, tm);
		return 0;
	}
	case F_ALG:
	case F_CERTTYPE: {
		uint64_t max = f->kind == F_ALG ? 0xff : 0xffff;
		if (!(t = tp_next(p)))
			return ST_ESYNTAX;
		if (parse_uint(t->s, t->len, max, &v) < 0) {
			if (mnem_value(f->kind == F_ALG ? algs : certtypes, t->s, t->len, &mv) < 0)
				return ST_ESYNTAX;
			v = mv;
		}
		if (f->kind == F_ALG)
			wire_wr_u8(&p->w, (uint8_t)v);
		else
			wire_wr_u16(&p->w, (uint16_t)v);
		return 0;
	}
	case F_TYPE: {
		uint16_t type;
		if (!(t = tp_next(p)) || rrtype_from_text(t->s, t->len, &type) < 0)
			return ST_ESYNTAX;
		wire_wr_u16(&p->w, type);
		return 0;
	}
	case F_A:
	case F_AAAA: {
		char tmp[64];
		uint8_t a[16];
		int af = f->kind == F_A ? AF_INET : AF_INET6;
		if (!(t = tp_next(p)) || t->len >= sizeof(tmp))
			return ST_ESYNTAX;
		if (af == AF_INET && ipv4_fast(t->s, t->len, a)) {
			wire_wr_bytes(&p->w, a, 4);
			return 0;
		}
		memcpy(tmp, t->s, t->len);
		tmp[t->len] = 0;
		if (inet_pton(af, tmp, a) != 1)
			return ST_ESYNTAX;
		wire_wr_bytes(&p->w, a, af == AF_INET ? 4 : 16);
		return 0;
	}
	case F_NAME:
		return tp_name(p);
	case F_STR:
		if (!(t = tp_next(p)))
			return ST_ESYNTAX;
		return tp_str(p, t, true, 255);
	case F_STRS:
		if (p->i >= p->n) {
			p->bad = p->n;
			return ST_ESYNTAX;
		}
		while ((t = tp_next(p)) != NULL)
			if ((r = tp_str(p, t, true, 255)) < 0)
				return r;
		return 0;
	case F_RAWSTR:
		if (!(t = tp_next(p)))
			return ST_ESYNTAX;
		return tp_str(p, t, false, 65535);
	case F_CAATAG:
		return tp_caatag(p);
	case F_HEX:
		return tp_hex_rest(p, false);
	case F_B64:
		return tp_b64_rest(p);
	case F_BITMAP:
		return tp_bitmap(p);
	case F_SALT:
		return tp_salt(p);
	case F_B32:
		return tp_b32(p);
	case F_EUI48:
		return tp_eui(p, 6);
	case F_EUI64:
		return tp_eui(p, 8);
	case F_SVCPARAMS:
		return tp_svcparams(p);
	case F_LOC:
		return tp_loc(p);
	case F_OPAQUE:
	default:
		p->bad = p->i < p->n ? p->i : p->n;
		return ST_ESYNTAX;
	}
}

/* RFC 3597: \# <length> <hex>... */
static int generic_from_text(struct tp *p, uint16_t type, const char **expected)
{
	uint64_t len;
	p->i = 1;
	if (tp_uint(p, 65535, &len) < 0) {
		*expected = "a decimal rdata length (0-65535) after \\#";
		return ST_ESYNTAX;
	}
	int r = tp_hex_rest(p, true);
	if (r == ST_ESPACE || p->w.err) {
		*expected = "rdata that fits in 65535 bytes";
		return ST_ESPACE;
	}
	if (r < 0) {
		*expected = p->why ? p->why : "hexadecimal digits";
		return ST_ESYNTAX;
	}
	if (p->w.pos != len) {
		p->bad = p->w.pos < len ? p->n : p->n - 1;
		*expected = "exactly as many hexadecimal bytes as the \\# length says";
		return ST_ESYNTAX;
	}
	if (rdata_check(type, p->w.buf, p->w.pos) < 0) {
		p->bad = 0;
		*expected = "\\# data that is valid rdata for the type";
		return ST_ESYNTAX;
	}
	return (int)p->w.pos;
}

int rdata_parse_text(uint16_t type, const rdata_tok_t *toks, size_t ntoks, const uint8_t *origin,
		     uint8_t *out, size_t cap, const char **expected, size_t *bad)
{
	struct tp p = { .t = toks, .n = ntoks, .origin = origin, .bad = ntoks };
	const char *dummy;
	size_t dummybad;
	int r = 0;

	if (!expected)
		expected = &dummy;
	if (!bad)
		bad = &dummybad;
	*expected = NULL;
	if (cap > 65535)
		cap = 65535;
	wire_wr_init(&p.w, out, cap);

	if (rrtype_is_meta(type)) {
		*expected = "a data type (meta types cannot appear in zone data)";
		*bad = 0;
		return ST_ESYNTAX;
	}
	if (ntoks > 0 && !toks[0].quoted && toks[0].len == 2 && toks[0].s[0] == '\\' &&
	    toks[0].s[1] == '#') {
		r = generic_from_text(&p, type, expected);
		*bad = p.bad;
		return r;
	}

	const struct rrdesc *d = desc_find(type);
	if (!d) {
		*expected = "the generic form \\# <length> <hex> for an unknown type";
		*bad = 0;
		return ST_ESYNTAX;
	}
	for (int k = 0; k < MAXFIELDS && d->f[k].kind != F_END; k++) {
		p.why = NULL;
		r = field_from_text(&p, &d->f[k]);
		if (r == 0 && p.w.err)
			r = p.w.err;
		if (r < 0) {
			*bad = p.bad;
			if (r == ST_ESPACE) {
				*expected = "rdata that fits in 65535 bytes";
				return r;
			}
			*expected = p.why ? p.why : d->f[k].what;
			return r;
		}
	}
	if (p.i < p.n) {
		*bad = p.i;
		*expected = "end of rdata (too many fields)";
		return ST_ESYNTAX;
	}
	return (int)p.w.pos;
}

int rdata_from_text(uint16_t type, const rdata_tok_t *toks, size_t ntoks, const uint8_t *origin,
		    uint8_t *out, size_t cap, const char **expected)
{
	return rdata_parse_text(type, toks, ntoks, origin, out, cap, expected, NULL);
}

/* ---- wire check ------------------------------------------------------ */

static int check_bitmap(wire_rd_t *r)
{
	int prev = -1;
	while (wire_rd_left(r) > 0) {
		uint8_t win = wire_rd_u8(r), len = wire_rd_u8(r);
		if (r->err || (int)win <= prev || len == 0 || len > 32)
			return ST_EMALF;
		const uint8_t *b = wire_rd_skip(r, len);
		if (!b || b[len - 1] == 0)
			return ST_EMALF;
		prev = win;
	}
	return 0;
}

static int check_strs(wire_rd_t *r, bool need_one)
{
	if (need_one && wire_rd_left(r) == 0)
		return ST_EMALF;
	while (wire_rd_left(r) > 0) {
		uint8_t l = wire_rd_u8(r);
		if (!wire_rd_skip(r, l) && l)
			return ST_EMALF;
	}
	return r->err ? ST_EMALF : 0;
}

static int check_svcparams(wire_rd_t *r)
{
	int prev = -1;
	while (wire_rd_left(r) > 0) {
		uint16_t key = wire_rd_u16(r), len = wire_rd_u16(r);
		if (r->err || (int)key <= prev || key == 65535)
			return ST_EMALF;
		const uint8_t *v = wire_rd_skip(r, len);
		if (!v && len)
			return ST_EMALF;
		prev = key;
		wire_rd_t vr;
		wire_rd_init(&vr, v, len);
		switch (key) {
		case 0: /* sorted, unique, never "mandatory" itself (RFC 9460 8) */
			if (len == 0 || len % 2)
				return ST_EMALF;
			for (size_t k = 0; k < len; k += 2)
				if (wire_get16(v + k) == 0 ||
				    (k && wire_get16(v + k) <= wire_get16(v + k - 2)))
					return ST_EMALF;
			break;
		case 5:
			if (len == 0)
				return ST_EMALF;
			break;
		case 1:
			if (len == 0 || check_strs(&vr, true) < 0)
				return ST_EMALF;
			for (size_t k = 0; k < len; k += 1 + (size_t)v[k])
				if (v[k] == 0)
					return ST_EMALF;
			break;
		case 2:
			if (len != 0)
				return ST_EMALF;
			break;
		case 3:
			if (len != 2)
				return ST_EMALF;
			break;
		case 4:
			if (len == 0 || len % 4)
				return ST_EMALF;
			break;
		case 6:
			if (len == 0 || len % 16)
				return ST_EMALF;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Types we cannot print still get their fixed parts checked. */
static int check_opaque(uint16_t type, const uint8_t *rd, size_t rdlen)
{
	switch (type) {
	case RR_WKS:
		return rdlen >= 5 ? 0 : ST_EMALF;
	case RR_APL:
		for (size_t k = 0; k < rdlen;) {
			if (rdlen - k < 4)
				return ST_EMALF;
			size_t afd = rd[k + 3] & 0x7f;
			if (rdlen - k - 4 < afd)
				return ST_EMALF;
			k += 4 + afd;
		}
		return 0;
	case RR_IPSECKEY: {
		if (rdlen < 3)
			return ST_EMALF;
		size_t gw = rdlen - 3;
		switch (rd[1]) {
		case 0:
			return 0;
		case 1:
			return gw >= 4 ? 0 : ST_EMALF;
		case 2:
			return gw >= 16 ? 0 : ST_EMALF;
		case 3:
			return name_check(rd + 3, gw) > 0 ? 0 : ST_EMALF;
		default:
			return ST_EMALF;
		}
	}
	default:
		return 0;
	}
}

int rdata_check(uint16_t type, const uint8_t *rd, size_t rdlen)
{
	static const uint8_t empty[1];
	const struct rrdesc *d = desc_find(type);
	if (rdlen > 65535 || (rdlen && !rd))
		return ST_EMALF;
	if (!rd)
		rd = empty;
	if (!d || rrtype_is_meta(type))
		return 0;
	if (d->f[0].kind == F_OPAQUE)
		return check_opaque(type, rd, rdlen);

	wire_rd_t r;
	wire_rd_init(&r, rd, rdlen);
	for (int k = 0; k < MAXFIELDS && d->f[k].kind != F_END; k++) {
		int n;
		uint8_t l;
		switch (d->f[k].kind) {
		case F_U8:
		case F_ALG:
			wire_rd_skip(&r, 1);
			break;
		case F_U16:
		case F_CERTTYPE:
		case F_TYPE:
			wire_rd_skip(&r, 2);
			break;
		case F_U32:
		case F_TTL:
		case F_TIME:
		case F_A:
			wire_rd_skip(&r, 4);
			break;
		case F_AAAA:
			wire_rd_skip(&r, 16);
			break;
		case F_EUI48:
			wire_rd_skip(&r, 6);
			break;
		case F_EUI64:
			wire_rd_skip(&r, 8);
			break;
		case F_NAME:
			n = name_check(rd + r.pos, wire_rd_left(&r));
			if (n < 0)
				return ST_EMALF;
			wire_rd_skip(&r, (size_t)n);
			break;
		case F_STR:
		case F_SALT:
			l = wire_rd_u8(&r);
			if (l)
				wire_rd_skip(&r, l);
			break;
		case F_B32:
			l = wire_rd_u8(&r);
			if (!r.err && l == 0)
				return ST_EMALF;
			wire_rd_skip(&r, l);
			break;
		case F_CAATAG:
			l = wire_rd_u8(&r);
			if (!r.err && l == 0)
				return ST_EMALF;
			if (!r.err) {
				const uint8_t *tag = wire_rd_skip(&r, l);
				for (size_t j = 0; tag && j < l; j++)
					if (!((tag[j] >= 'a' && tag[j] <= 'z') ||
					      (tag[j] >= 'A' && tag[j] <= 'Z') ||
					      (tag[j] >= '0' && tag[j] <= '9')))
						return ST_EMALF;
			}
			break;
		case F_STRS:
			if (check_strs(&r, true) < 0)
				return ST_EMALF;
			break;
		case F_RAWSTR:
			r.pos = r.len;
			break;
		case F_HEX:
		case F_B64:
			if (wire_rd_left(&r) == 0)
				return ST_EMALF;
			r.pos = r.len;
			break;
		case F_BITMAP:
			if (r.err || check_bitmap(&r) < 0)
				return ST_EMALF;
			break;
		case F_SVCPARAMS:
			if (r.err || check_svcparams(&r) < 0)
				return ST_EMALF;
			break;
		case F_LOC:
			/* Version 0 only; mantissas and exponents are decimal digits. */
			if (rdlen != 16 || rd[0] != 0)
				return ST_EMALF;
			for (int j = 1; j < 4; j++)
				if (rd[j] >> 4 > 9 || (rd[j] & 15) > 9)
					return ST_EMALF;
			r.pos = r.len;
			break;
		default:
			return ST_EMALF;
		}
		if (r.err)
			return ST_EMALF;
	}
	return wire_rd_left(&r) == 0 ? 0 : ST_EMALF;
}

/* ---- wire -> text ---------------------------------------------------- */

struct tw {
	char *buf;
	size_t cap, n;
	int err;
};

static void tw_mem(struct tw *t, const char *s, size_t len)
{
	if (t->err || t->cap - t->n <= len) {
		t->err = ST_ESPACE;
		return;
	}
	memcpy(t->buf + t->n, s, len);
	t->n += len;
	t->buf[t->n] = 0;
}

static void tw_str(struct tw *t, const char *s) { tw_mem(t, s, strlen(s)); }

static void tw_fmt(struct tw *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tw_fmt(struct tw *t, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		t->err = ST_ESPACE;
		return;
	}
	tw_mem(t, tmp, (size_t)n);
}

/*
 * dig splits long hex and base64 fields into 56-character chunks separated
 * by a space (its default +split=56); doing the same keeps our output
 * diffable against dig's.
 */
#define SPLIT 56

static void tw_hex(struct tw *t, const uint8_t *b, size_t len, bool split)
{
	static const char hx[] = "0123456789ABCDEF";
	for (size_t k = 0; k < len; k++) {
		if (split && k && (k * 2) % SPLIT == 0)
			tw_mem(t, " ", 1);
		char c[2] = { hx[b[k] >> 4], hx[b[k] & 15] };
		tw_mem(t, c, 2);
	}
}

static void tw_b64(struct tw *t, const uint8_t *b, size_t len, bool split)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t out = 0;
	for (size_t k = 0; k < len; k += 3) {
		uint32_t v = (uint32_t)b[k] << 16;
		if (k + 1 < len)
			v |= (uint32_t)b[k + 1] << 8;
		if (k + 2 < len)
			v |= b[k + 2];
		char c[4] = { al[v >> 18], al[(v >> 12) & 63],
			      k + 1 < len ? al[(v >> 6) & 63] : '=',
			      k + 2 < len ? al[v & 63] : '=' };
		if (split && out && out % SPLIT == 0)
			tw_mem(t, " ", 1);
		tw_mem(t, c, 4);
		out += 4;
	}
}

static void tw_b32(struct tw *t, const uint8_t *b, size_t len)
{
	static const char al[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
	uint32_t acc = 0;
	int nbits = 0;
	for (size_t k = 0; k < len; k++) {
		acc = (acc << 8 | b[k]) & 0xfff;
		nbits += 8;
		while (nbits >= 5) {
			nbits -= 5;
			tw_mem(t, &al[(acc >> nbits) & 31], 1);
		}
	}
	if (nbits > 0)
		tw_mem(t, &al[(acc << (5 - nbits)) & 31], 1);
}

/* A string in quotes, as dig prints it: " and \ escaped, others as \DDD. */
static void tw_qstr(struct tw *t, const uint8_t *s, size_t len, bool alpn)
{
	tw_mem(t, "\"", 1);
	for (size_t k = 0; k < len; k++) {
		uint8_t c = s[k];
		if (c == '"' || c == '\\' || (alpn && c == ',')) {
			char e[2] = { '\\', (char)c };
			tw_mem(t, e, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			tw_fmt(t, "\\%03u", c);
		} else {
			tw_mem(t, (const char *)&c, 1);
		}
	}
	tw_mem(t, "\"", 1);
}

static void tw_name(struct tw *t, wire_rd_t *r)
{
	char tmp[NAME_TEXT_MAX];
	const uint8_t *nm = r->buf + r->pos;
	if (name_to_text(nm, tmp, sizeof(tmp)) < 0) {
		t->err = ST_ESPACE;
		return;
	}
	wire_rd_skip(r, name_len(nm));
	tw_str(t, tmp);
}

static void tw_time(struct tw *t, uint32_t v)
{
	int64_t days = v / 86400, secs = v % 86400;
	long y = 1970;
	int m = 1;
	while (days >= (leap(y) ? 366 : 365))
		days -= leap(y) ? 366 : 365, y++;
	while (days >= mdays[m - 1] + (m == 2 && leap(y)))
		days -= mdays[m - 1] + (m == 2 && leap(y)), m++;
	tw_fmt(t, "%04ld%02d%02d%02d%02d%02d", y, m, (int)days + 1, (int)(secs / 3600),
	       (int)(secs / 60 % 60), (int)(secs % 60));
}

static void tw_bitmap(struct tw *t, wire_rd_t *r)
{
	char tb[16];
	while (wire_rd_left(r) > 0) {
		uint8_t win = wire_rd_u8(r), len = wire_rd_u8(r);
		const uint8_t *b = wire_rd_skip(r, len);
		for (unsigned k = 0; b && k < (unsigned)len * 8; k++)
			if (b[k / 8] & (0x80 >> (k % 8))) {
				tw_mem(t, " ", 1);
				tw_str(t, rrtype_to_text((uint16_t)(win << 8 | k), tb));
			}
	}
}

static void tw_svcparams(struct tw *t, wire_rd_t *r)
{
	char tmp[INET6_ADDRSTRLEN];
	while (wire_rd_left(r) > 0) {
		uint16_t key = wire_rd_u16(r), len = wire_rd_u16(r);
		const uint8_t *v = wire_rd_skip(r, len);
		const char *kn = mnem_name(svckeys, key);
		tw_mem(t, " ", 1);
		if (kn)
			tw_str(t, kn);
		else
			tw_fmt(t, "key%u", key);
		if (key == 2 || (len == 0 && key > 6))
			continue;
		tw_mem(t, "=", 1);
		switch (key) {
		case 0:
			for (size_t k = 0; k + 1 < len; k += 2) {
				uint16_t mk = wire_get16(v + k);
				if (k)
					tw_mem(t, ",", 1);
				if ((kn = mnem_name(svckeys, mk)) != NULL)
					tw_str(t, kn);
				else
					tw_fmt(t, "key%u", mk);
			}
			break;
		case 1:
			tw_mem(t, "\"", 1);
			for (size_t k = 0; k < len; k += 1 + (size_t)v[k]) {
				if (k)
					tw_mem(t, ",", 1);
				/* Reuse the quoted-string escaper, minus its quotes. */
				size_t at = t->n;
				tw_qstr(t, v + k + 1, v[k], true);
				if (!t->err) {
					memmove(t->buf + at, t->buf + at + 1, t->n - at - 2);
					t->n -= 2;
					t->buf[t->n] = 0;
				}
			}
			tw_mem(t, "\"", 1);
			break;
		case 3:
			tw_fmt(t, "%u", wire_get16(v));
			break;
		case 4:
		case 6:
			for (size_t k = 0; k < len; k += key == 4 ? 4 : 16) {
				if (k)
					tw_mem(t, ",", 1);
				inet_ntop(key == 4 ? AF_INET : AF_INET6, v + k, tmp, sizeof(tmp));
				tw_str(t, tmp);
			}
			break;
		case 5:
			tw_b64(t, v, len, false);
			break;
		default:
			tw_qstr(t, v, len, false);
			break;
		}
	}
}

static void tw_locsize(struct tw *t, uint8_t v)
{
	uint64_t cm = v >> 4;
	for (int e = v & 15; e > 0; e--)
		cm *= 10;
	if (cm >= 100)
		tw_fmt(t, " %llum", (unsigned long long)(cm / 100));
	else
		tw_fmt(t, " 0.%02llum", (unsigned long long)cm);
}

static void tw_locangle(struct tw *t, uint32_t v, char pos, char neg)
{
	int64_t a = (int64_t)v - 0x80000000LL;
	char h = a < 0 ? neg : pos;
	if (a < 0)
		a = -a;
	tw_fmt(t, "%lld %lld %lld.%03lld %c", (long long)(a / 3600000), (long long)(a / 60000 % 60),
	       (long long)(a / 1000 % 60), (long long)(a % 1000), h);
}

/* As BIND prints LOC: "52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m". */
static void tw_loc(struct tw *t, const uint8_t *rd)
{
	tw_locangle(t, wire_get32(rd + 4), 'N', 'S');
	tw_mem(t, " ", 1);
	tw_locangle(t, wire_get32(rd + 8), 'E', 'W');
	int64_t alt = (int64_t)wire_get32(rd + 12) - 10000000;
	tw_fmt(t, " %s%lld.%02lldm", alt < 0 ? "-" : "", (long long)(alt < 0 ? -alt : alt) / 100,
	       (long long)(alt < 0 ? -alt : alt) % 100);
	for (int k = 1; k < 4; k++)
		tw_locsize(t, rd[k]);
}

static void generic_to_text(struct tw *t, const uint8_t *rd, size_t rdlen)
{
	tw_fmt(t, "\\# %zu", rdlen);
	if (rdlen) {
		tw_mem(t, " ", 1);
		tw_hex(t, rd, rdlen, true);
	}
}

int rdata_to_text(uint16_t type, const uint8_t *rd, size_t rdlen, char *buf, size_t cap)
{
	struct tw t = { .buf = buf, .cap = cap };
	const struct rrdesc *d = desc_find(type);
	char tmp[INET6_ADDRSTRLEN];

	static const uint8_t empty[1];
	if (cap == 0)
		return ST_ESPACE;
	buf[0] = 0;
	if (!rd)
		rd = empty, rdlen = 0;
	if (!d || d->f[0].kind == F_OPAQUE || rrtype_is_meta(type) ||
	    rdata_check(type, rd, rdlen) < 0) {
		generic_to_text(&t, rd, rdlen);
		return t.err ? t.err : (int)t.n;
	}

	wire_rd_t r;
	wire_rd_init(&r, rd, rdlen);
	for (int k = 0; k < MAXFIELDS && d->f[k].kind != F_END; k++) {
		uint8_t kind = d->f[k].kind;
		const char *mn;
		const uint8_t *b;
		uint8_t l;
		if (k > 0 && kind != F_BITMAP && kind != F_SVCPARAMS)
			tw_mem(&t, " ", 1);
		switch (kind) {
		case F_U8:
		case F_ALG:
			tw_fmt(&t, "%u", wire_rd_u8(&r));
			break;
		case F_U16:
			tw_fmt(&t, "%u", wire_rd_u16(&r));
			break;
		case F_CERTTYPE: {
			uint16_t v = wire_rd_u16(&r);
			if ((mn = mnem_name(certtypes, v)) != NULL)
				tw_str(&t, mn);
			else
				tw_fmt(&t, "%u", v);
			break;
		}
		case F_U32:
		case F_TTL:
			tw_fmt(&t, "%u", wire_rd_u32(&r));
			break;
		case F_TIME:
			tw_time(&t, wire_rd_u32(&r));
			break;
		case F_TYPE: {
			char tb[16];
			tw_str(&t, rrtype_to_text(wire_rd_u16(&r), tb));
			break;
		}
		case F_A:
		case F_AAAA:
			b = wire_rd_skip(&r, kind == F_A ? 4 : 16);
			inet_ntop(kind == F_A ? AF_INET : AF_INET6, b, tmp, sizeof(tmp));
			tw_str(&t, tmp);
			break;
		case F_NAME:
			tw_name(&t, &r);
			break;
		case F_STR:
			l = wire_rd_u8(&r);
			tw_qstr(&t, wire_rd_skip(&r, l), l, false);
			break;
		case F_STRS:
			for (bool first = true; wire_rd_left(&r) > 0; first = false) {
				l = wire_rd_u8(&r);
				if (!first)
					tw_mem(&t, " ", 1);
				tw_qstr(&t, wire_rd_skip(&r, l), l, false);
			}
			break;
		case F_RAWSTR:
			tw_qstr(&t, rd + r.pos, wire_rd_left(&r), false);
			r.pos = r.len;
			break;
		case F_CAATAG:
			l = wire_rd_u8(&r);
			tw_mem(&t, (const char *)wire_rd_skip(&r, l), l);
			break;
		case F_HEX:
			tw_hex(&t, rd + r.pos, wire_rd_left(&r), true);
			r.pos = r.len;
			break;
		case F_B64:
			tw_b64(&t, rd + r.pos, wire_rd_left(&r), true);
			r.pos = r.len;
			break;
		case F_BITMAP:
			tw_bitmap(&t, &r);
			break;
		case F_SALT:
			l = wire_rd_u8(&r);
			if (l == 0)
				tw_mem(&t, "-", 1);
			else
				tw_hex(&t, wire_rd_skip(&r, l), l, false); /* one token */
			break;
		case F_B32:
			l = wire_rd_u8(&r);
			tw_b32(&t, wire_rd_skip(&r, l), l);
			break;
		case F_EUI48:
		case F_EUI64: {
			size_t nb = kind == F_EUI48 ? 6 : 8;
			b = wire_rd_skip(&r, nb);
			for (size_t j = 0; j < nb; j++)
				tw_fmt(&t, j ? "-%02x" : "%02x", b[j]);
			break;
		}
		case F_SVCPARAMS:
			tw_svcparams(&t, &r);
			break;
		case F_LOC:
			tw_loc(&t, rd);
			r.pos = r.len;
			break;
		default:
			break;
		}
	}
	return t.err ? t.err : (int)t.n;
}

/* Types without an enum entry in rdata.h whose rdata holds names. */
#define T_SIG 24
#define T_PX 26
#define T_NXT 30
#define T_A6 38
#define T_RT 21

/* ---- canonical form (RFC 4034 6.2, RFC 6840 5.1) ---------------------------------- */

static void lower_at(uint8_t *rd, size_t len, size_t *off)
{
	if (*off >= len)
		return;
	int n = name_check(rd + *off, len - *off);
	if (n < 0) {
		*off = len;
		return;
	}
	name_lower(rd + *off, rd + *off);
	*off += (size_t)n;
}

void rdata_canon(uint16_t type, uint8_t *rd, size_t len)
{
	size_t off = 0;
	switch (type) {
	case RR_NS:
	case RR_MD:
	case RR_MF:
	case RR_CNAME:
	case RR_MB:
	case RR_MG:
	case RR_MR:
	case RR_PTR:
	case RR_DNAME:
	case T_NXT:
		lower_at(rd, len, &off);
		break;
	case RR_SOA:
	case RR_MINFO:
	case RR_RP:
		lower_at(rd, len, &off);
		lower_at(rd, len, &off);
		break;
	case RR_MX:
	case RR_AFSDB:
	case T_RT:
	case RR_KX:
		off = 2;
		lower_at(rd, len, &off);
		break;
	case T_PX:
		off = 2;
		lower_at(rd, len, &off);
		lower_at(rd, len, &off);
		break;
	case RR_SRV:
		off = 6;
		lower_at(rd, len, &off);
		break;
	case RR_NAPTR:
		off = 4;
		for (int i = 0; i < 3 && off < len; i++)
			off += 1u + rd[off];
		lower_at(rd, len, &off);
		break;
	case T_SIG:
	case RR_RRSIG:
		off = 18;
		lower_at(rd, len, &off);
		break;
	case T_A6:
		if (len > 0 && rd[0] <= 128) {
			off = 1u + (128u - rd[0]) / 8u;
			if (rd[0] > 0)
				lower_at(rd, len, &off);
		}
		break;
	default:
		break;
	}
}
