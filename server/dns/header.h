/*
 * header.h -- the DNS message header (RFC 1035 4.1.1, RFC 6891 6.1.3): flag
 * bits, opcodes and response codes, and their names as dig prints them.
 */
#ifndef GLUED_HEADER_H
#define GLUED_HEADER_H

#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_LEN 12

/* Header flag bits (second 16-bit word of the header). */
#define DNS_QR 0x8000
#define DNS_AA 0x0400
#define DNS_TC 0x0200
#define DNS_RD 0x0100
#define DNS_RA 0x0080
#define DNS_AD 0x0020
#define DNS_CD 0x0010
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xF)

enum rcode {
	RCODE_NOERROR = 0,
	RCODE_FORMERR = 1,
	RCODE_SERVFAIL = 2,
	RCODE_NXDOMAIN = 3,
	RCODE_NOTIMP = 4,
	RCODE_REFUSED = 5,
	RCODE_NOTAUTH = 9,
	RCODE_BADVERS = 16,
};

/* The flags in dig's order, with dig's names ("qr", "aa", ...). */
typedef struct dns_flag_name {
	uint16_t bit;
	const char *name;
} dns_flag_name_t;

#define DNS_FLAG_NAMES 7
extern const dns_flag_name_t dns_flag_names[DNS_FLAG_NAMES];

/* "NOERROR" ... "NOTZONE", "BADVERS"; "RCODE?" for others. */
const char *rcode_str(uint16_t rcode);

/* The rcode named name exactly as rcode_str() spells it, or -1. */
int rcode_from_str(const char *name);

/* "QUERY", "IQUERY", "STATUS", "NOTIFY", "UPDATE"; "OPCODE?" for others. */
const char *opcode_str(unsigned opcode);

#endif
