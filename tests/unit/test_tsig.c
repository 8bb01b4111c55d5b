/*
 * Unit tests for server/dns/tsig.c: TSIG (RFC 8945) against dnspython.
 *
 * The vectors below were made once with dnspython 2.3 (Debian's
 * /usr/bin/python3) and pasted here; the test needs no Python. The script,
 * in short (time.time patched to return T = 1700000000 and later T+1, T+2):
 *
 *   K1 = dns.tsig.Key("xfr-key.", b64(bytes(range(32))), HMAC_SHA256)
 *   K2 = dns.tsig.Key("Other.Key.Example.COM.", ..., HMAC_SHA512)  (etc.)
 *   q = dns.message.make_query("example.com.", "SOA", use_edns=0)
 *   q.id = 0x1234; q.use_tsig(K1); req_sha256 = q.to_wire()       at T
 *   r = dns.message.make_response(q); r.answer.append(SOA)
 *   resp_sha256 = r.to_wire()                                      at T+1
 *   rb = make_response(q, tsig_error=BADTIME); rb.set_rcode(NOTAUTH)
 *   rb.use_tsig(K1, tsig_error=18, other_data=pack("!HI", 0, T+400))
 *   rb.request_mac = q.mac; resp_badtime = rb.to_wire()            at T
 *   AXFR: m1.to_wire(multi=True) at T+1; m2 unsigned (keyring/tsig None),
 *   m1.tsig_ctx.update(m2 wire); m3.to_wire(multi=True, tsig_ctx=ctx) at T+2
 *
 * and the script checked them with dns.message.from_wire(..., keyring,
 * request_mac, multi, tsig_ctx). Where our signer must produce the same
 * bytes as dnspython (same names, same case, nothing to compress), the
 * tests compare byte for byte; ours_req_sha512 (our owner name is
 * lowercase and uncompressed, dnspython's is not) was printed by this
 * module and verified with dnspython's from_wire.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dns/tsig.h"
#include "dns/wire.h"

#define T 1700000000ull

/* --- dnspython vectors ----------------------------------------------- */

/* 120 bytes */
static const uint8_t req_sha256[] = {
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x07, 0x65, 0x78,
	0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x06, 0x00, 0x01, 0x00,
	0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x78, 0x66, 0x72, 0x2d,
	0x6b, 0x65, 0x79, 0x00, 0x00, 0xfa, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3d, 0x0b,
	0x68, 0x6d, 0x61, 0x63, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x35, 0x36, 0x00, 0x00, 0x00, 0x65,
	0x53, 0xf1, 0x00, 0x01, 0x2c, 0x00, 0x20, 0xa7, 0xf9, 0x48, 0x33, 0x27, 0x64, 0xb9, 0x55,
	0x0d, 0x78, 0x41, 0x52, 0xcb, 0xf8, 0x88, 0xb8, 0x0d, 0x02, 0xdb, 0x27, 0x95, 0x4c, 0xba,
	0x42, 0x3c, 0xd6, 0xd2, 0xfa, 0xf2, 0x60, 0x49, 0xcf, 0x12, 0x34, 0x00, 0x00, 0x00, 0x00,
};
/* 148 bytes */
static const uint8_t req_sha512[] = {
	0x22, 0x22, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x77, 0x77,
	0x77, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00,
	0x01, 0x00, 0x01, 0x05, 0x4f, 0x74, 0x68, 0x65, 0x72, 0x03, 0x4b, 0x65, 0x79, 0xc0, 0x10,
	0x00, 0xfa, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5d, 0x0b, 0x68, 0x6d, 0x61, 0x63,
	0x2d, 0x73, 0x68, 0x61, 0x35, 0x31, 0x32, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, 0x01,
	0x2c, 0x00, 0x40, 0x1b, 0x54, 0x46, 0x3c, 0x10, 0xa9, 0x1d, 0xfe, 0x8b, 0xbc, 0xe7, 0x03,
	0xc1, 0xa7, 0xe1, 0x7b, 0x5e, 0x28, 0x82, 0xe1, 0x86, 0x68, 0x8d, 0xa8, 0x37, 0xaa, 0x4e,
	0x2b, 0x4c, 0xfd, 0x9b, 0xe7, 0xc8, 0x73, 0x77, 0x2e, 0xeb, 0x79, 0x39, 0x1f, 0xe9, 0x91,
	0xce, 0x50, 0x55, 0x0a, 0x7c, 0xaa, 0x08, 0x14, 0xdb, 0x1c, 0x4c, 0xd4, 0x47, 0x57, 0xcd,
	0x7b, 0xec, 0x3e, 0x3f, 0xbd, 0xed, 0xe4, 0x22, 0x22, 0x00, 0x00, 0x00, 0x00,
};
/* 96 bytes */
static const uint8_t req_sha1[] = {
	0x33, 0x33, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x07, 0x65,
	0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x02, 0x00,
	0x01, 0x08, 0x73, 0x68, 0x61, 0x31, 0x2d, 0x6b, 0x65, 0x79, 0x00, 0x00, 0xfa, 0x00,
	0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2f, 0x09, 0x68, 0x6d, 0x61, 0x63, 0x2d, 0x73,
	0x68, 0x61, 0x31, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, 0x01, 0x2c, 0x00, 0x14,
	0x49, 0xb0, 0x02, 0x27, 0xb7, 0x40, 0x61, 0x37, 0x95, 0xb9, 0x14, 0x44, 0x2c, 0x0e,
	0x66, 0xf8, 0xf1, 0x9c, 0xa5, 0x62, 0x33, 0x33, 0x00, 0x00, 0x00, 0x00,
};
/* 128 bytes */
static const uint8_t req_sha384[] = {
	0x44, 0x44, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x07, 0x65, 0x78,
	0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x0f, 0x00, 0x01, 0x0a,
	0x73, 0x68, 0x61, 0x33, 0x38, 0x34, 0x2d, 0x6b, 0x65, 0x79, 0x00, 0x00, 0xfa, 0x00, 0xff,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x4d, 0x0b, 0x68, 0x6d, 0x61, 0x63, 0x2d, 0x73, 0x68, 0x61,
	0x33, 0x38, 0x34, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, 0x01, 0x2c, 0x00, 0x30, 0x8f,
	0x64, 0x6e, 0xb2, 0x6e, 0x43, 0xda, 0x95, 0xad, 0x3d, 0x16, 0x1c, 0x24, 0xf3, 0x78, 0xa1,
	0x8c, 0x69, 0x30, 0xf7, 0x19, 0x1a, 0xd1, 0x20, 0x83, 0x06, 0x05, 0x86, 0x22, 0x9d, 0x67,
	0x88, 0xae, 0x6e, 0x1e, 0x40, 0x92, 0xb1, 0x0e, 0xba, 0x41, 0x9f, 0x2f, 0x37, 0x08, 0x67,
	0xe4, 0xb1, 0x44, 0x44, 0x00, 0x00, 0x00, 0x00,
};
/* 166 bytes */
static const uint8_t resp_sha256[] = {
	0x12, 0x34, 0x85, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x07, 0x65,
	0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x06, 0x00,
	0x01, 0xc0, 0x0c, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x22, 0x03,
	0x6e, 0x73, 0x31, 0xc0, 0x0c, 0x05, 0x61, 0x64, 0x6d, 0x69, 0x6e, 0xc0, 0x0c, 0x78,
	0xa3, 0xf1, 0x75, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x03, 0x84, 0x00, 0x09, 0x3a,
	0x80, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x00, 0x29, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x07, 0x78, 0x66, 0x72, 0x2d, 0x6b, 0x65, 0x79, 0x00, 0x00, 0xfa, 0x00,
	0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3d, 0x0b, 0x68, 0x6d, 0x61, 0x63, 0x2d, 0x73,
	0x68, 0x61, 0x32, 0x35, 0x36, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x01, 0x01, 0x2c,
	0x00, 0x20, 0x8f, 0xd8, 0xc6, 0x6b, 0x30, 0x35, 0x0c, 0xcc, 0x30, 0x63, 0x2e, 0xd1,
	0x76, 0x9e, 0xf3, 0x03, 0x34, 0xca, 0xca, 0x13, 0xda, 0x19, 0x24, 0xf2, 0xd6, 0x5e,
	0x59, 0xdf, 0x48, 0x94, 0xa8, 0x33, 0x12, 0x34, 0x00, 0x00, 0x00, 0x00,
};
/* 126 bytes */
static const uint8_t resp_badtime[] = {
	0x12, 0x34, 0x81, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x07, 0x65,
	0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x06, 0x00,
	0x01, 0x00, 0x00, 0x29, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x78,
	0x66, 0x72, 0x2d, 0x6b, 0x65, 0x79, 0x00, 0x00, 0xfa, 0x00, 0xff, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x43, 0x0b, 0x68, 0x6d, 0x61, 0x63, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x35,
	0x36, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, 0x01, 0x2c, 0x00, 0x20, 0x0c, 0x6b,
	0xfa, 0x81, 0x73, 0xa8, 0x53, 0x9e, 0x9f, 0x7d, 0xe1, 0x31, 0x68, 0x0c, 0x80, 0xb5,
	0x0f, 0x5c, 0x84, 0x00, 0x54, 0x35, 0x89, 0xce, 0x67, 0x8b, 0x8c, 0x96, 0x85, 0x93,
	0xca, 0x09, 0x12, 0x34, 0x00, 0x12, 0x00, 0x06, 0x00, 0x00, 0x65, 0x53, 0xf2, 0x90,
};
/* 109 bytes */
static const uint8_t axfr_req[] = {
	0x43, 0x21, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x07, 0x65,
	0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0xfc, 0x00,
	0x01, 0x07, 0x78, 0x66, 0x72, 0x2d, 0x6b, 0x65, 0x79, 0x00, 0x00, 0xfa, 0x00, 0xff,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x3d, 0x0b, 0x68, 0x6d, 0x61, 0x63, 0x2d, 0x73, 0x68,
	0x61, 0x32, 0x35, 0x36, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, 0x01, 0x2c, 0x00,
	0x20, 0xf5, 0x51, 0x50, 0xd0, 0x10, 0xac, 0x8a, 0xb6, 0xbd, 0x5c, 0xaf, 0x01, 0x28,
	0xaa, 0xff, 0xa4, 0xc0, 0x82, 0xb1, 0x59, 0xd4, 0xcc, 0x7f, 0x62, 0xa4, 0x5a, 0x69,
	0x1c, 0x75, 0x95, 0xde, 0xd0, 0x43, 0x21, 0x00, 0x00, 0x00, 0x00,
};
/* 169 bytes */
static const uint8_t axfr_1[] = {
	0x43, 0x21, 0x81, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x07, 0x65, 0x78,
	0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0xfc, 0x00, 0x01, 0xc0,
	0x0c, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x22, 0x03, 0x6e, 0x73, 0x31,
	0xc0, 0x0c, 0x05, 0x61, 0x64, 0x6d, 0x69, 0x6e, 0xc0, 0x0c, 0x78, 0xa3, 0xf1, 0x75, 0x00,
	0x00, 0x0e, 0x10, 0x00, 0x00, 0x03, 0x84, 0x00, 0x09, 0x3a, 0x80, 0x00, 0x00, 0x01, 0x2c,
	0xc0, 0x0c, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x02, 0xc0, 0x29, 0x07,
	0x78, 0x66, 0x72, 0x2d, 0x6b, 0x65, 0x79, 0x00, 0x00, 0xfa, 0x00, 0xff, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x3d, 0x0b, 0x68, 0x6d, 0x61, 0x63, 0x2d, 0x73, 0x68, 0x61, 0x32, 0x35, 0x36,
	0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x01, 0x01, 0x2c, 0x00, 0x20, 0xad, 0x81, 0x0b, 0x97,
	0x3a, 0x72, 0xe4, 0xa7, 0xfc, 0x90, 0xa6, 0xbb, 0xde, 0xbb, 0x9b, 0xaa, 0x2d, 0x26, 0x3e,
	0x08, 0x7a, 0xc4, 0xee, 0xfa, 0xa7, 0xc3, 0xf6, 0x88, 0xc9, 0x44, 0xa1, 0x68, 0x43, 0x21,
	0x00, 0x00, 0x00, 0x00,
};
/* 69 bytes */
static const uint8_t axfr_2[] = {
	0x43, 0x21, 0x81, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x07, 0x65,
	0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0xfc, 0x00,
	0x01, 0x03, 0x6e, 0x73, 0x31, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e,
	0x10, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x01, 0x03, 0x77, 0x77, 0x77, 0xc0, 0x0c, 0x00,
	0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x50,
};
/* 176 bytes */
static const uint8_t axfr_3[] = {
	0x43, 0x21, 0x81, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x07, 0x65, 0x78,
	0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0xfc, 0x00, 0x01, 0x04,
	0x6d, 0x61, 0x69, 0x6c, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00,
	0x04, 0xc0, 0x00, 0x02, 0x19, 0xc0, 0x0c, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10,
	0x00, 0x22, 0x03, 0x6e, 0x73, 0x31, 0xc0, 0x0c, 0x05, 0x61, 0x64, 0x6d, 0x69, 0x6e, 0xc0,
	0x0c, 0x78, 0xa3, 0xf1, 0x75, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x03, 0x84, 0x00, 0x09,
	0x3a, 0x80, 0x00, 0x00, 0x01, 0x2c, 0x07, 0x78, 0x66, 0x72, 0x2d, 0x6b, 0x65, 0x79, 0x00,
	0x00, 0xfa, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3d, 0x0b, 0x68, 0x6d, 0x61, 0x63,
	0x2d, 0x73, 0x68, 0x61, 0x32, 0x35, 0x36, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x02, 0x01,
	0x2c, 0x00, 0x20, 0xf8, 0x47, 0x44, 0xb3, 0x9e, 0xbb, 0xab, 0x47, 0x78, 0x4e, 0x97, 0xe1,
	0xea, 0x2f, 0xca, 0x40, 0x98, 0xd9, 0x0a, 0x5f, 0x44, 0x35, 0x8b, 0x4c, 0x5f, 0xd9, 0xd1,
	0x0a, 0xdd, 0x4a, 0xdd, 0xa6, 0x43, 0x21, 0x00, 0x00, 0x00, 0x00,
};

/* Our signer's request for req_sha512's message, checked with dnspython. */
/* 159 bytes */
static const uint8_t ours_req_sha512[] = {
	0x22, 0x22, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x77, 0x77,
	0x77, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00,
	0x01, 0x00, 0x01, 0x05, 0x6f, 0x74, 0x68, 0x65, 0x72, 0x03, 0x6b, 0x65, 0x79, 0x07, 0x65,
	0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0xfa, 0x00, 0xff,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x5d, 0x0b, 0x68, 0x6d, 0x61, 0x63, 0x2d, 0x73, 0x68, 0x61,
	0x35, 0x31, 0x32, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, 0x01, 0x2c, 0x00, 0x40, 0x1b,
	0x54, 0x46, 0x3c, 0x10, 0xa9, 0x1d, 0xfe, 0x8b, 0xbc, 0xe7, 0x03, 0xc1, 0xa7, 0xe1, 0x7b,
	0x5e, 0x28, 0x82, 0xe1, 0x86, 0x68, 0x8d, 0xa8, 0x37, 0xaa, 0x4e, 0x2b, 0x4c, 0xfd, 0x9b,
	0xe7, 0xc8, 0x73, 0x77, 0x2e, 0xeb, 0x79, 0x39, 0x1f, 0xe9, 0x91, 0xce, 0x50, 0x55, 0x0a,
	0x7c, 0xaa, 0x08, 0x14, 0xdb, 0x1c, 0x4c, 0xd4, 0x47, 0x57, 0xcd, 0x7b, 0xec, 0x3e, 0x3f,
	0xbd, 0xed, 0xe4, 0x22, 0x22, 0x00, 0x00, 0x00, 0x00,
};

/* --- helpers --------------------------------------------------------- */

static tsig_key_t k_sha256, k_sha512, k_sha1, k_sha384;
static tsig_key_t keys[4];

static void make_key(tsig_key_t *k, const char *name, const char *alg, const char *b64)
{
	char err[256] = "";
	int st = tsig_key_init(k, name, alg, b64, err, sizeof(err));
	if (st != ST_OK)
		print_error("%s\n", err);
	assert_int_equal(st, ST_OK);
}

static int setup_keys(void **state)
{
	/* Configured as an operator might write them: with and without the
	 * final dot, in any case. */
	make_key(&k_sha256, "xfr-key", "hmac-sha256",
		 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	make_key(&k_sha512, "other.KEY.example.com.", "HMAC-SHA512.",
		 "c2l4dHktZm91ciBieXRlcyBvZiBzZWNyZXQgZm9yIHRoZSBzaGE1MTIga2V5LCBwYWRkZWQgb3V0Li4u"
		 "Li4uIQ==");
	make_key(&k_sha1, "sha1-key.", "hmac-sha1", "dHdlbnR5IGJ5dGVzIHNlY3JldCE=");
	make_key(&k_sha384, "sha384-key", "hmac-sha384", " YSBzZWNy\nZXQgZm9yIGhtYWMtc2hhMzg0 ");
	keys[0] = k_sha1, keys[1] = k_sha256, keys[2] = k_sha384, keys[3] = k_sha512;
	return 0;
}

/* The message as it was before the TSIG RR was added: RR cut, ARCOUNT
 * one less. Returns the length written to out. */
static size_t strip(const uint8_t *msg, size_t len, uint8_t *out)
{
	tsig_rr_t rr;
	assert_int_equal(tsig_find(msg, len, &rr), 1);
	memcpy(out, msg, rr.start);
	wire_put16(out + 10, (uint16_t)(wire_get16(out + 10) - 1));
	return rr.start;
}

/* A copy of msg in a buffer of exactly len bytes, so ASan sees overreads. */
static uint8_t *dup_exact(const uint8_t *msg, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	assert_non_null(p);
	if (len)
		memcpy(p, msg, len);
	return p;
}

static int verify_req(const uint8_t *msg, size_t len, uint64_t now)
{
	tsig_ctx_t ctx;
	int st = tsig_verify_request(&ctx, keys, 4, msg, len, now);
	tsig_ctx_free(&ctx);
	return st;
}

/*
 * Rewrite the TSIG RR of msg (uncompressed owner) with the MAC cut or
 * padded to maclen bytes and, when cls/ttl are not -1, that class/TTL.
 * Returns the new length.
 */
static size_t rebuild(const uint8_t *msg, size_t len, uint8_t *out, size_t cap, int maclen, int cls,
		      long ttl)
{
	tsig_rr_t rr;
	assert_int_equal(tsig_find(msg, len, &rr), 1);
	wire_wr_t w;
	wire_wr_init(&w, out, cap);
	wire_wr_bytes(&w, msg, rr.start);
	wire_wr_bytes(&w, rr.key, name_len(rr.key));
	wire_wr_u16(&w, TSIG_RRTYPE);
	wire_wr_u16(&w, cls < 0 ? TSIG_CLASS_ANY : (uint16_t)cls);
	wire_wr_u32(&w, ttl < 0 ? 0 : (uint32_t)ttl);
	wire_wr_u16(&w, (uint16_t)(name_len(rr.algname) + 16 + (size_t)maclen + rr.otherlen));
	wire_wr_bytes(&w, rr.algname, name_len(rr.algname));
	wire_wr_u16(&w, (uint16_t)(rr.time >> 32));
	wire_wr_u32(&w, (uint32_t)rr.time);
	wire_wr_u16(&w, rr.fudge);
	wire_wr_u16(&w, (uint16_t)maclen);
	for (int i = 0; i < maclen; i++)
		wire_wr_u8(&w, i < rr.maclen ? rr.mac[i] : 0);
	wire_wr_u16(&w, rr.orig_id);
	wire_wr_u16(&w, rr.error);
	wire_wr_u16(&w, rr.otherlen);
	wire_wr_bytes(&w, rr.other, rr.otherlen);
	assert_int_equal(w.err, 0);
	return w.pos;
}

/* --- keys and algorithms --------------------------------------------- */

static void test_alg_text(void **state)
{
	uint8_t alg = 0xEE;
	assert_int_equal(tsig_alg_from_text("hmac-sha256", &alg), ST_OK);
	assert_int_equal(alg, TSIG_HMAC_SHA256);
	assert_int_equal(tsig_alg_from_text("HMAC-SHA1.", &alg), ST_OK);
	assert_int_equal(alg, TSIG_HMAC_SHA1);
	assert_int_equal(tsig_alg_from_text("hmac-sha384", &alg), ST_OK);
	assert_int_equal(alg, TSIG_HMAC_SHA384);
	assert_int_equal(tsig_alg_from_text("Hmac-Sha512.", &alg), ST_OK);
	assert_int_equal(alg, TSIG_HMAC_SHA512);
	alg = 0xEE;
	assert_int_equal(tsig_alg_from_text("hmac-sha256..", &alg), ST_EINVAL);
	assert_int_equal(tsig_alg_from_text("hmac-md5.sig-alg.reg.int", &alg), ST_EINVAL);
	assert_int_equal(tsig_alg_from_text("hmac-sha224", &alg), ST_EINVAL);
	assert_int_equal(tsig_alg_from_text("", &alg), ST_EINVAL);
	assert_int_equal(tsig_alg_from_text(NULL, &alg), ST_EINVAL);
	assert_int_equal(alg, 0xEE);

	assert_memory_equal(tsig_alg_name(TSIG_HMAC_SHA256), "\x0bhmac-sha256", 13);
	assert_memory_equal(tsig_alg_name(TSIG_HMAC_SHA1), "\x09hmac-sha1", 11);
	assert_null(tsig_alg_name(TSIG_ALG_UNKNOWN));
	assert_string_equal(tsig_alg_str(TSIG_HMAC_SHA512), "hmac-sha512");
	assert_string_equal(tsig_alg_str(9), "unknown");
	assert_int_equal(tsig_mac_size(TSIG_HMAC_SHA1), 20);
	assert_int_equal(tsig_mac_size(TSIG_HMAC_SHA384), 48);
	assert_string_equal(tsig_error_str(TSIG_BADTIME), "BADTIME");
	assert_string_equal(tsig_error_str(99), "TSIG?");
}

static void test_key_init(void **state)
{
	assert_memory_equal(k_sha256.name, "\7xfr-key\0", 9);
	assert_string_equal(k_sha256.text, "xfr-key");
	assert_int_equal(k_sha256.secretlen, 32);
	for (int i = 0; i < 32; i++)
		assert_int_equal(k_sha256.secret[i], i);
	/* Lowercased wire form, the text as written. */
	assert_memory_equal(k_sha512.name, "\5other\3key\7example\3com\0", 23);
	assert_string_equal(k_sha512.text, "other.KEY.example.com.");
	assert_int_equal(k_sha512.alg, TSIG_HMAC_SHA512);
	assert_int_equal(k_sha384.secretlen, 24); /* whitespace skipped */

	tsig_key_t k;
	char err[256];
	const char *good = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	assert_int_equal(tsig_key_init(&k, "k", "hmac-md5", good, err, sizeof(err)), ST_EINVAL);
	assert_non_null(strstr(err, "hmac-md5"));
	assert_int_equal(k.secretlen, 0);
	assert_int_equal(tsig_key_init(&k, "k", "hmac-sha256", "not base64!", err, sizeof(err)),
			 ST_EINVAL);
	assert_int_equal(tsig_key_init(&k, "k", "hmac-sha256", "QQ=", err, sizeof(err)), ST_EINVAL);
	assert_int_equal(tsig_key_init(&k, "k", "hmac-sha256", "Q=Q=", err, sizeof(err)),
			 ST_EINVAL);
	assert_int_equal(tsig_key_init(&k, "k", "hmac-sha256", "", err, sizeof(err)), ST_EINVAL);
	assert_int_equal(tsig_key_init(&k, "k", "hmac-sha256", NULL, NULL, 0), ST_EINVAL);
	assert_int_equal(tsig_key_init(&k, "", "hmac-sha256", good, err, sizeof(err)), ST_EINVAL);
	assert_int_equal(tsig_key_init(&k, NULL, "hmac-sha256", good, err, sizeof(err)), ST_EINVAL);
	assert_int_equal(tsig_key_init(&k, "a..b", "hmac-sha256", good, err, sizeof(err)),
			 ST_EINVAL);
	/* 256 bytes of secret fit, 257 do not. */
	char b64[400];
	memset(b64, 'A', 340); /* 85 groups: 255 bytes */
	strcpy(b64 + 340, "AA==");
	assert_int_equal(tsig_key_init(&k, "k", "hmac-sha256", b64, err, sizeof(err)), ST_OK);
	assert_int_equal(k.secretlen, 256);
	strcpy(b64 + 340, "AAA=");
	assert_int_equal(tsig_key_init(&k, "k", "hmac-sha256", b64, err, sizeof(err)), ST_EINVAL);
	assert_int_equal(tsig_key_init(&k, "QQ", "hmac-sha1", "QQ==", err, sizeof(err)), ST_OK);
	assert_int_equal(k.secretlen, 1);
	assert_int_equal(k.secret[0], 'A');
}

/* --- finding ---------------------------------------------------------- */

static void test_find(void **state)
{
	tsig_rr_t rr;
	assert_int_equal(tsig_find(req_sha256, sizeof(req_sha256), &rr), 1);
	assert_int_equal(rr.start, 40); /* after the question and the OPT RR */
	assert_memory_equal(rr.key, "\7xfr-key\0", 9);
	assert_int_equal(rr.alg, TSIG_HMAC_SHA256);
	assert_true(rr.time == T);
	assert_int_equal(rr.fudge, 300);
	assert_int_equal(rr.maclen, 32);
	assert_ptr_equal(rr.mac, req_sha256 + sizeof(req_sha256) - 6 - 32);
	assert_int_equal(rr.orig_id, 0x1234);
	assert_int_equal(rr.error, 0);
	assert_int_equal(rr.otherlen, 0);

	/* A compressed owner in mixed case comes back whole and lowercased. */
	assert_int_equal(tsig_find(req_sha512, sizeof(req_sha512), &rr), 1);
	assert_memory_equal(rr.key, "\5other\3key\7example\3com\0", 23);
	assert_int_equal(rr.alg, TSIG_HMAC_SHA512);
	assert_int_equal(rr.maclen, 64);

	assert_int_equal(tsig_find(resp_badtime, sizeof(resp_badtime), &rr), 1);
	assert_int_equal(rr.error, TSIG_BADTIME);
	assert_int_equal(rr.otherlen, 6);
	assert_true(rr.time == T);

	uint8_t buf[512];
	size_t n = strip(req_sha256, sizeof(req_sha256), buf);
	assert_int_equal(tsig_find(buf, n, &rr), 0);
	assert_int_equal(tsig_find(axfr_2, sizeof(axfr_2), &rr), 0);
	assert_int_equal(tsig_find(buf, 11, &rr), ST_ETRUNC);
}

static void test_malformed(void **state)
{
	uint8_t buf[1024], plain[512];
	tsig_rr_t rr;
	assert_int_equal(tsig_find(req_sha1, sizeof(req_sha1), &rr), 1);
	const uint8_t *tsig = req_sha1 + rr.start;
	size_t tsiglen = sizeof(req_sha1) - rr.start;
	size_t pl = strip(req_sha1, sizeof(req_sha1), plain);
	static const uint8_t opt[] = { 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0 };

	/* TSIG, then OPT: not the last record. */
	memcpy(buf, plain, pl);
	memcpy(buf + pl, tsig, tsiglen);
	memcpy(buf + pl + tsiglen, opt, sizeof(opt));
	wire_put16(buf + 10, 2);
	size_t n = pl + tsiglen + sizeof(opt);
	assert_int_equal(tsig_find(buf, n, &rr), ST_EMALF);
	assert_int_equal(verify_req(buf, n, T), ST_EMALF);

	/* Two TSIGs. */
	memcpy(buf, req_sha1, sizeof(req_sha1));
	memcpy(buf + sizeof(req_sha1), tsig, tsiglen);
	wire_put16(buf + 10, 2);
	assert_int_equal(tsig_find(buf, sizeof(req_sha1) + tsiglen, &rr), ST_EMALF);

	/* A TSIG in the answer section. */
	memcpy(buf, req_sha1, sizeof(req_sha1));
	wire_put16(buf + 6, 1);
	wire_put16(buf + 10, 0);
	assert_int_equal(tsig_find(buf, sizeof(req_sha1), &rr), ST_EMALF);

	/* Bytes after the TSIG. */
	memcpy(buf, req_sha1, sizeof(req_sha1));
	buf[sizeof(req_sha1)] = 0;
	assert_int_equal(tsig_find(buf, sizeof(req_sha1) + 1, &rr), ST_EMALF);

	/* rdata one byte short of what it claims: the message ends early. */
	assert_int_equal(tsig_find(req_sha1, sizeof(req_sha1) - 1, &rr), ST_ETRUNC);
	/* rdlength one less than the fields need. */
	memcpy(buf, req_sha1, sizeof(req_sha1));
	size_t rdlen_at = rr.start + name_len(rr.key) + 8;
	wire_put16(buf + rdlen_at, (uint16_t)(wire_get16(buf + rdlen_at) - 1));
	assert_int_equal(tsig_find(buf, sizeof(req_sha1) - 1, &rr), ST_EMALF);
	/* Other Len pointing past the rdata. */
	memcpy(buf, req_sha1, sizeof(req_sha1));
	wire_put16(buf + sizeof(req_sha1) - 2, 1);
	assert_int_equal(tsig_find(buf, sizeof(req_sha1), &rr), ST_EMALF);
	/* MAC Size pointing past the rdata. */
	memcpy(buf, req_sha1, sizeof(req_sha1));
	wire_put16(buf + sizeof(req_sha1) - 6 - 20 - 2, 0xFFFF);
	assert_int_equal(tsig_find(buf, sizeof(req_sha1), &rr), ST_EMALF);

	/* Class IN, TTL 1. */
	n = rebuild(req_sha1, sizeof(req_sha1), buf, sizeof(buf), 20, 1, -1);
	assert_int_equal(tsig_find(buf, n, &rr), ST_EMALF);
	n = rebuild(req_sha1, sizeof(req_sha1), buf, sizeof(buf), 20, -1, 1);
	assert_int_equal(tsig_find(buf, n, &rr), ST_EMALF);
	n = rebuild(req_sha1, sizeof(req_sha1), buf, sizeof(buf), 20, -1, -1);
	assert_int_equal(n, sizeof(req_sha1));
	assert_memory_equal(buf, req_sha1, n);

	/* A compressed algorithm name (pointing at a copy in the question). */
	static const uint8_t compressed_alg[] = {
		0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		/* question: hmac-sha1. IN A */
		0x09, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '1', 0x00, 0x00, 0x01, 0x00, 0x01,
		/* TSIG: owner k., rdata with the name as a pointer to 12 */
		0x01, 'k', 0x00, 0x00, 0xfa, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0xc0,
		0x0c, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, 0x01, 0x2c, 0x00, 0x00, 0x00, 0x01, 0x00,
		0x00, 0x00, 0x00
	};
	assert_int_equal(tsig_find(compressed_alg, sizeof(compressed_alg), &rr), ST_EMALF);
	/* A message that is not a message. */
	assert_int_equal(tsig_find(req_sha1, 5, &rr), ST_ETRUNC);
}

/* --- server side ------------------------------------------------------ */

static void test_verify_request_ok(void **state)
{
	tsig_ctx_t ctx;
	assert_int_equal(tsig_verify_request(&ctx, keys, 4, req_sha256, sizeof(req_sha256), T),
			 TSIG_OK);
	assert_int_equal(ctx.error, 0);
	assert_true(ctx.has_key);
	assert_memory_equal(ctx.key.name, k_sha256.name, 9);
	tsig_ctx_free(&ctx);
	assert_int_equal(verify_req(req_sha512, sizeof(req_sha512), T), TSIG_OK);
	assert_int_equal(verify_req(req_sha1, sizeof(req_sha1), T), TSIG_OK);
	assert_int_equal(verify_req(req_sha384, sizeof(req_sha384), T), TSIG_OK);
	/* The fudge's edges. */
	assert_int_equal(verify_req(req_sha256, sizeof(req_sha256), T + 300), TSIG_OK);
	assert_int_equal(verify_req(req_sha256, sizeof(req_sha256), T - 300), TSIG_OK);
	/* The MAC covers the original ID, not the ID, which a forwarder may
	 * change. */
	uint8_t buf[512];
	memcpy(buf, req_sha256, sizeof(req_sha256));
	wire_put16(buf, 0xBEEF);
	assert_int_equal(verify_req(buf, sizeof(req_sha256), T), TSIG_OK);
	/* No TSIG at all. */
	size_t n = strip(req_sha256, sizeof(req_sha256), buf);
	assert_int_equal(tsig_verify_request(&ctx, keys, 4, buf, n, T), ST_ENOENT);
	tsig_ctx_free(&ctx);
}

static void test_badsig(void **state)
{
	tsig_key_t wrong;
	make_key(&wrong, "xfr-key.", "hmac-sha256", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh4=");
	tsig_ctx_t ctx;
	assert_int_equal(tsig_verify_request(&ctx, &wrong, 1, req_sha256, sizeof(req_sha256), T),
			 TSIG_BADSIG);
	assert_int_equal(ctx.error, TSIG_BADSIG);

	/* The reply is unsigned: empty MAC, the error, our key name. */
	uint8_t buf[512];
	size_t n = strip(resp_sha256, sizeof(resp_sha256), buf);
	assert_int_equal(tsig_sign(&ctx, buf, &n, sizeof(buf), T, 0), ST_EINVAL);
	assert_int_equal(tsig_sign(&ctx, buf, &n, sizeof(buf), T, TSIG_BADSIG), ST_OK);
	tsig_rr_t rr;
	assert_int_equal(tsig_find(buf, n, &rr), 1);
	assert_int_equal(rr.maclen, 0);
	assert_int_equal(rr.error, TSIG_BADSIG);
	assert_memory_equal(rr.key, "\7xfr-key\0", 9);
	assert_int_equal(rr.alg, TSIG_HMAC_SHA256);
	assert_int_equal(rr.orig_id, 0x1234);
	/* Only one reply. */
	assert_int_equal(tsig_sign(&ctx, buf, &n, sizeof(buf), T, TSIG_BADSIG), ST_EINVAL);
	tsig_ctx_free(&ctx);

	/* Every byte but the ID (which the MAC does not cover: it covers the
	 * original ID), changed, fails: BADSIG, BADKEY or malformed. */
	memcpy(buf, req_sha256, sizeof(req_sha256));
	assert_int_equal(tsig_find(buf, sizeof(req_sha256), &rr), 1);
	for (size_t i = 2; i < sizeof(req_sha256); i++) {
		buf[i] ^= 0x01;
		int st = verify_req(buf, sizeof(req_sha256), T);
		if (st == TSIG_OK)
			print_error("byte %zu changed and still verified\n", i);
		assert_int_not_equal(st, TSIG_OK);
		buf[i] ^= 0x01;
	}
	/* The key and algorithm names are compared ignoring case, and the
	 * digest covers their lowercase form. */
	buf[rr.start + 1] = 'X';
	buf[rr.start + 9 + 10 + 1] = 'H';
	assert_int_equal(verify_req(buf, sizeof(req_sha256), T), TSIG_OK);
}

static void test_badkey(void **state)
{
	tsig_ctx_t ctx;
	/* The name is known, with another algorithm. */
	tsig_key_t other;
	make_key(&other, "xfr-key", "hmac-sha512", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	assert_int_equal(tsig_verify_request(&ctx, &other, 1, req_sha256, sizeof(req_sha256), T),
			 TSIG_BADKEY);
	tsig_ctx_free(&ctx);
	/* The name is not known. */
	assert_int_equal(tsig_verify_request(&ctx, keys, 3, req_sha512, sizeof(req_sha512), T),
			 TSIG_BADKEY);
	assert_int_equal(ctx.error, TSIG_BADKEY);
	assert_false(ctx.has_key);
	/* The reply echoes the request's names, unsigned. */
	uint8_t buf[512];
	size_t n = strip(req_sha512, sizeof(req_sha512), buf);
	buf[2] |= 0x80; /* QR */
	size_t before = n;
	assert_true(tsig_space(&ctx) >= 23 + 10 + 13 + 16);
	assert_int_equal(tsig_sign(&ctx, buf, &n, sizeof(buf), T, TSIG_BADTIME), ST_EINVAL);
	assert_int_equal(tsig_sign(&ctx, buf, &n, sizeof(buf), T + 5, TSIG_BADKEY), ST_OK);
	assert_true(n - before <= tsig_space(&ctx));
	tsig_rr_t rr;
	assert_int_equal(tsig_find(buf, n, &rr), 1);
	assert_memory_equal(rr.key, "\5other\3key\7example\3com\0", 23);
	assert_int_equal(rr.alg, TSIG_HMAC_SHA512);
	assert_int_equal(rr.maclen, 0);
	assert_int_equal(rr.error, TSIG_BADKEY);
	assert_true(rr.time == T + 5);
	tsig_ctx_free(&ctx);
	/* Zero keys. */
	assert_int_equal(tsig_verify_request(&ctx, NULL, 0, req_sha1, sizeof(req_sha1), T),
			 TSIG_BADKEY);
	tsig_ctx_free(&ctx);
}

static void test_badtime(void **state)
{
	assert_int_equal(verify_req(req_sha256, sizeof(req_sha256), T + 301), TSIG_BADTIME);
	assert_int_equal(verify_req(req_sha256, sizeof(req_sha256), T - 301), TSIG_BADTIME);
	/* A wrong MAC is BADSIG, whatever the time. */
	uint8_t buf[512];
	memcpy(buf, req_sha256, sizeof(req_sha256));
	buf[sizeof(req_sha256) - 7] ^= 1;
	assert_int_equal(verify_req(buf, sizeof(req_sha256), T + 1000), TSIG_BADSIG);

	/* The signed BADTIME reply, byte for byte as dnspython makes it. */
	tsig_ctx_t ctx;
	assert_int_equal(
		tsig_verify_request(&ctx, keys, 4, req_sha256, sizeof(req_sha256), T + 400),
		TSIG_BADTIME);
	size_t n = strip(resp_badtime, sizeof(resp_badtime), buf);
	assert_int_equal(tsig_sign(&ctx, buf, &n, sizeof(buf), T + 400, 0), ST_EINVAL);
	assert_int_equal(tsig_sign(&ctx, buf, &n, sizeof(buf), T + 400, TSIG_BADTIME), ST_OK);
	assert_int_equal(n, sizeof(resp_badtime));
	assert_memory_equal(buf, resp_badtime, n);
	tsig_ctx_free(&ctx);
}

static void test_mac_length(void **state)
{
	uint8_t buf[512];
	/* Truncated to half of SHA-256's 32 bytes: accepted (RFC 8945
	 * 5.2.2.1); one less, or longer than the hash: FORMERR. */
	size_t n = rebuild(req_sha256, sizeof(req_sha256), buf, sizeof(buf), 16, -1, -1);
	assert_int_equal(verify_req(buf, n, T), TSIG_OK);
	n = rebuild(req_sha256, sizeof(req_sha256), buf, sizeof(buf), 15, -1, -1);
	assert_int_equal(verify_req(buf, n, T), ST_EMALF);
	n = rebuild(req_sha256, sizeof(req_sha256), buf, sizeof(buf), 33, -1, -1);
	assert_int_equal(verify_req(buf, n, T), ST_EMALF);
	n = rebuild(req_sha256, sizeof(req_sha256), buf, sizeof(buf), 0, -1, -1);
	assert_int_equal(verify_req(buf, n, T), ST_EMALF);
	/* SHA-1: the floor is 10 bytes. */
	n = rebuild(req_sha1, sizeof(req_sha1), buf, sizeof(buf), 10, -1, -1);
	assert_int_equal(verify_req(buf, n, T), TSIG_OK);
	n = rebuild(req_sha1, sizeof(req_sha1), buf, sizeof(buf), 9, -1, -1);
	assert_int_equal(verify_req(buf, n, T), ST_EMALF);
	/* A truncated MAC that is wrong in its kept bytes. */
	n = rebuild(req_sha1, sizeof(req_sha1), buf, sizeof(buf), 12, -1, -1);
	buf[n - 7] ^= 1;
	assert_int_equal(verify_req(buf, n, T), TSIG_BADSIG);

	/* The response to a truncated request covers the request MAC as sent. */
	tsig_ctx_t srv, cli;
	tsig_ctx_init(&cli, &k_sha256);
	uint8_t q[512], r[512];
	size_t qn = strip(req_sha256, sizeof(req_sha256), q);
	assert_int_equal(tsig_sign(&cli, q, &qn, sizeof(q), T, 0), ST_OK);
	assert_int_equal(qn, sizeof(req_sha256));
	assert_memory_equal(q, req_sha256, qn);
	n = rebuild(q, qn, buf, sizeof(buf), 16, -1, -1);
	assert_int_equal(tsig_verify_request(&srv, keys, 4, buf, n, T), TSIG_OK);
	size_t rn = strip(resp_sha256, sizeof(resp_sha256), r);
	assert_int_equal(tsig_sign(&srv, r, &rn, sizeof(r), T, 0), ST_OK);
	/* cli still holds the full MAC: a mismatch, as it should be. */
	assert_int_equal(tsig_verify_response(&cli, r, rn, T), TSIG_BADSIG);
	tsig_ctx_free(&srv);
	tsig_ctx_free(&cli);
}

/* --- signing ---------------------------------------------------------- */

static void test_sign_request_like_dnspython(void **state)
{
	static const struct {
		const uint8_t *msg;
		size_t len;
		const tsig_key_t *key;
	} v[] = {
		{ req_sha256, sizeof(req_sha256), &k_sha256 },
		{ req_sha1, sizeof(req_sha1), &k_sha1 },
		{ req_sha384, sizeof(req_sha384), &k_sha384 },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t buf[512];
		tsig_ctx_t ctx;
		tsig_ctx_init(&ctx, v[i].key);
		size_t n = strip(v[i].msg, v[i].len, buf);
		assert_int_equal(tsig_sign(&ctx, buf, &n, sizeof(buf), T, 0), ST_OK);
		assert_int_equal(n, v[i].len);
		assert_memory_equal(buf, v[i].msg, n);
		/* A client context signs one request only. */
		assert_int_equal(tsig_sign(&ctx, buf, &n, sizeof(buf), T, 0), ST_EINVAL);
		tsig_ctx_free(&ctx);
	}

	/* SHA-512 with the key name dnspython compressed: we write it
	 * lowercase and whole, and the MAC is the same (it covers the
	 * canonical form). dnspython verified ours_req_sha512. */
	uint8_t buf[512];
	tsig_ctx_t ctx;
	tsig_ctx_init(&ctx, &k_sha512);
	size_t n = strip(req_sha512, sizeof(req_sha512), buf);
	assert_int_equal(tsig_sign(&ctx, buf, &n, sizeof(buf), T, 0), ST_OK);
	assert_int_equal(n, sizeof(ours_req_sha512));
	assert_memory_equal(buf, ours_req_sha512, n);
	tsig_rr_t a, b;
	assert_int_equal(tsig_find(buf, n, &a), 1);
	assert_int_equal(tsig_find(req_sha512, sizeof(req_sha512), &b), 1);
	assert_int_equal(a.maclen, 64);
	assert_memory_equal(a.mac, b.mac, 64);
	assert_int_equal(verify_req(buf, n, T), TSIG_OK);
	tsig_ctx_free(&ctx);
}

static void test_sign_space(void **state)
{
	uint8_t buf[512], before[512];
	tsig_ctx_t ctx;
	tsig_ctx_init(&ctx, &k_sha256);
	size_t n = strip(req_sha256, sizeof(req_sha256), buf);
	size_t need = sizeof(req_sha256) - n;
	assert_int_equal(tsig_space(&ctx), need + 6);
	memcpy(before, buf, n);
	size_t len = n;
	assert_int_equal(tsig_sign(&ctx, buf, &len, n + need - 1, T, 0), ST_ESPACE);
	assert_int_equal(len, n);
	assert_memory_equal(buf, before, n);
	assert_int_equal(tsig_sign(&ctx, buf, &len, n, T, 0), ST_ESPACE);
	/* Nothing was signed: the context still can. */
	assert_int_equal(tsig_sign(&ctx, buf, &len, n + need, T, 0), ST_OK);
	assert_int_equal(len, sizeof(req_sha256));
	assert_memory_equal(buf, req_sha256, len);
	tsig_ctx_free(&ctx);

	/* Short messages, full ARCOUNT, unusable contexts. */
	tsig_ctx_init(&ctx, &k_sha256);
	len = 11;
	assert_int_equal(tsig_sign(&ctx, buf, &len, sizeof(buf), T, 0), ST_EINVAL);
	memcpy(buf, before, n);
	wire_put16(buf + 10, 0xFFFF);
	len = n;
	assert_int_equal(tsig_sign(&ctx, buf, &len, sizeof(buf), T, 0), ST_ESPACE);
	assert_int_equal(tsig_sign(&ctx, buf, &len, sizeof(buf), T, TSIG_BADSIG), ST_EINVAL);
	tsig_ctx_free(&ctx);
	memset(&ctx, 0, sizeof(ctx));
	assert_int_equal(tsig_space(&ctx), 0);
	assert_int_equal(tsig_sign(&ctx, buf, &len, sizeof(buf), T, 0), ST_EINVAL);
	assert_int_equal(tsig_verify_response(&ctx, req_sha256, sizeof(req_sha256), T), ST_EINVAL);
	tsig_ctx_init(&ctx, NULL);
	assert_int_equal(tsig_sign(&ctx, buf, &len, sizeof(buf), T, 0), ST_EINVAL);
	tsig_ctx_free(&ctx);
	tsig_ctx_free(&ctx); /* twice is harmless */
}

/* --- responses -------------------------------------------------------- */

static void test_response(void **state)
{
	uint8_t q[512], r[512];
	/* Server: verify dnspython's request, sign the response as it did. */
	tsig_ctx_t srv;
	assert_int_equal(tsig_verify_request(&srv, keys, 4, req_sha256, sizeof(req_sha256), T),
			 TSIG_OK);
	size_t rn = strip(resp_sha256, sizeof(resp_sha256), r);
	assert_int_equal(tsig_sign(&srv, r, &rn, sizeof(r), T + 1, 0), ST_OK);
	assert_int_equal(rn, sizeof(resp_sha256));
	assert_memory_equal(r, resp_sha256, rn);
	tsig_ctx_free(&srv);

	/* Client: sign the request (the same bytes), verify dnspython's reply. */
	tsig_ctx_t cli;
	tsig_ctx_init(&cli, &k_sha256);
	size_t qn = strip(req_sha256, sizeof(req_sha256), q);
	assert_int_equal(tsig_sign(&cli, q, &qn, sizeof(q), T, 0), ST_OK);
	assert_int_equal(tsig_verify_done(&cli), ST_ENOENT);
	assert_int_equal(tsig_verify_response(&cli, resp_sha256, sizeof(resp_sha256), T + 10),
			 TSIG_OK);
	assert_int_equal(tsig_verify_done(&cli), ST_OK);
	tsig_ctx_free(&cli);

	/* Tampered, late, unsigned, or signed with another key. */
	memcpy(r, resp_sha256, sizeof(resp_sha256));
	r[sizeof(resp_sha256) / 2] ^= 0x01;
	static const struct {
		const uint8_t *msg;
		uint64_t now;
		int want;
	} bad[] = {
		{ NULL, T + 1, TSIG_BADSIG },
		{ resp_sha256, T + 302, TSIG_BADTIME },
		{ axfr_2, T + 1, ST_ENOENT },
		{ req_sha1, T + 1, TSIG_BADKEY },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tsig_ctx_init(&cli, &k_sha256);
		qn = strip(req_sha256, sizeof(req_sha256), q);
		assert_int_equal(tsig_sign(&cli, q, &qn, sizeof(q), T, 0), ST_OK);
		const uint8_t *m = bad[i].msg != NULL ? bad[i].msg : r;
		size_t len = m == axfr_2     ? sizeof(axfr_2)
			     : m == req_sha1 ? sizeof(req_sha1)
					     : sizeof(resp_sha256);
		assert_int_equal(tsig_verify_response(&cli, m, len, bad[i].now), bad[i].want);
		/* The exchange is over. */
		assert_int_equal(tsig_verify_response(&cli, resp_sha256, sizeof(resp_sha256), T),
				 ST_EINVAL);
		assert_int_equal(tsig_verify_done(&cli), ST_EINVAL);
		tsig_ctx_free(&cli);
	}
}

/* Our client against our server, every algorithm, and the error replies
 * a client must understand. */
static void test_roundtrip(void **state)
{
	static const uint8_t query[] = { 0xab, 0xcd, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
					 0x00, 0x00, 0x00, 0x07, 'e',  'x',  'a',  'm',  'p',
					 'l',  'e',  0x00, 0x00, 0xfc, 0x00, 0x01 };
	for (size_t i = 0; i < 4; i++) {
		uint8_t q[512], r[512];
		tsig_ctx_t cli, srv;
		tsig_ctx_init(&cli, &keys[i]);
		size_t qn = sizeof(query);
		memcpy(q, query, qn);
		assert_int_equal(tsig_sign(&cli, q, &qn, sizeof(q), T, 0), ST_OK);
		assert_int_equal(wire_get16(q + 10), 1);
		assert_int_equal(tsig_verify_request(&srv, keys, 4, q, qn, T + 100), TSIG_OK);
		memcpy(r, query, sizeof(query));
		r[2] = 0x84;
		size_t rn = sizeof(query);
		assert_int_equal(tsig_sign(&srv, r, &rn, sizeof(r), T + 100, 0), ST_OK);
		assert_int_equal(tsig_verify_response(&cli, r, rn, T + 50), TSIG_OK);
		assert_int_equal(tsig_verify_done(&cli), ST_OK);
		tsig_ctx_free(&cli);
		tsig_ctx_free(&srv);
	}

	/* BADKEY from a server that does not know the key: the client sees
	 * the server's error (unsigned, so unproven: ctx.peer_error says so). */
	tsig_key_t unknown;
	make_key(&unknown, "unknown", "hmac-sha256", "c2VjcmV0");
	uint8_t q[512], r[512];
	tsig_ctx_t cli, srv;
	tsig_ctx_init(&cli, &unknown);
	size_t qn = sizeof(query);
	memcpy(q, query, qn);
	assert_int_equal(tsig_sign(&cli, q, &qn, sizeof(q), T, 0), ST_OK);
	assert_int_equal(tsig_verify_request(&srv, keys, 4, q, qn, T), TSIG_BADKEY);
	size_t rn = sizeof(query);
	memcpy(r, query, rn);
	assert_int_equal(tsig_sign(&srv, r, &rn, sizeof(r), T, TSIG_BADKEY), ST_OK);
	assert_int_equal(tsig_verify_response(&cli, r, rn, T), TSIG_BADKEY);
	assert_int_equal(cli.peer_error, TSIG_BADKEY);
	tsig_ctx_free(&cli);
	tsig_ctx_free(&srv);

	/* BADTIME: the server's clock is 400 s ahead. Its reply is signed
	 * and echoes our time, so we verify it, then report its error. */
	tsig_ctx_init(&cli, &k_sha1);
	qn = sizeof(query);
	memcpy(q, query, qn);
	assert_int_equal(tsig_sign(&cli, q, &qn, sizeof(q), T, 0), ST_OK);
	assert_int_equal(tsig_verify_request(&srv, keys, 4, q, qn, T + 400), TSIG_BADTIME);
	rn = sizeof(query);
	memcpy(r, query, rn);
	assert_int_equal(tsig_sign(&srv, r, &rn, sizeof(r), T + 400, TSIG_BADTIME), ST_OK);
	tsig_rr_t rr;
	assert_int_equal(tsig_find(r, rn, &rr), 1);
	assert_true(rr.time == T);
	assert_int_equal(rr.otherlen, 6);
	assert_memory_equal(rr.other, "\x00\x00\x65\x53\xf2\x90", 6); /* T + 400 */
	/* A BADTIME reply ends the exchange on the server's side too. */
	assert_int_equal(tsig_sign_skip(&srv, r, rn), ST_EINVAL);
	assert_int_equal(tsig_verify_response(&cli, r, rn, T + 1), TSIG_BADTIME);
	assert_int_equal(cli.peer_error, TSIG_BADTIME);
	tsig_ctx_free(&cli);
	tsig_ctx_free(&srv);
}

/* --- multi-message responses ------------------------------------------ */

static void client_for_axfr(tsig_ctx_t *cli)
{
	uint8_t q[512];
	tsig_ctx_init(cli, &k_sha256);
	size_t qn = strip(axfr_req, sizeof(axfr_req), q);
	assert_int_equal(tsig_sign(cli, q, &qn, sizeof(q), T, 0), ST_OK);
	assert_int_equal(qn, sizeof(axfr_req));
	assert_memory_equal(q, axfr_req, qn);
}

static void test_axfr(void **state)
{
	/* Client: signed, unsigned, signed. */
	tsig_ctx_t cli;
	client_for_axfr(&cli);
	assert_int_equal(tsig_verify_response(&cli, axfr_1, sizeof(axfr_1), T + 2), TSIG_OK);
	assert_int_equal(tsig_verify_done(&cli), ST_OK);
	assert_int_equal(tsig_verify_response(&cli, axfr_2, sizeof(axfr_2), T + 2), TSIG_OK);
	assert_int_equal(tsig_verify_done(&cli), ST_ENOENT); /* must not end unsigned */
	assert_int_equal(tsig_verify_response(&cli, axfr_3, sizeof(axfr_3), T + 2), TSIG_OK);
	assert_int_equal(tsig_verify_done(&cli), ST_OK);
	tsig_ctx_free(&cli);

	/* Server: the same three messages, byte for byte. */
	tsig_ctx_t srv;
	uint8_t buf[512];
	assert_int_equal(tsig_verify_request(&srv, keys, 4, axfr_req, sizeof(axfr_req), T),
			 TSIG_OK);
	assert_int_equal(tsig_sign_skip(&srv, axfr_2, sizeof(axfr_2)), ST_EINVAL); /* not first */
	size_t n = strip(axfr_1, sizeof(axfr_1), buf);
	assert_int_equal(tsig_sign(&srv, buf, &n, sizeof(buf), T + 1, 0), ST_OK);
	assert_int_equal(n, sizeof(axfr_1));
	assert_memory_equal(buf, axfr_1, n);
	assert_int_equal(tsig_sign_skip(&srv, axfr_2, sizeof(axfr_2)), ST_OK);
	n = strip(axfr_3, sizeof(axfr_3), buf);
	assert_int_equal(tsig_sign(&srv, buf, &n, sizeof(buf), T + 2, TSIG_BADTIME), ST_EINVAL);
	assert_int_equal(tsig_sign(&srv, buf, &n, sizeof(buf), T + 2, 0), ST_OK);
	assert_int_equal(n, sizeof(axfr_3));
	assert_memory_equal(buf, axfr_3, n);
	tsig_ctx_free(&srv);

	/* A changed byte in the unsigned message shows at the next MAC. */
	client_for_axfr(&cli);
	memcpy(buf, axfr_2, sizeof(axfr_2));
	buf[sizeof(axfr_2) - 1] ^= 1; /* 192.0.2.80 -> .81 */
	assert_int_equal(tsig_verify_response(&cli, axfr_1, sizeof(axfr_1), T + 2), TSIG_OK);
	assert_int_equal(tsig_verify_response(&cli, buf, sizeof(axfr_2), T + 2), TSIG_OK);
	assert_int_equal(tsig_verify_response(&cli, axfr_3, sizeof(axfr_3), T + 2), TSIG_BADSIG);
	tsig_ctx_free(&cli);

	/* A message left out, one in the wrong order, the first unsigned. */
	client_for_axfr(&cli);
	assert_int_equal(tsig_verify_response(&cli, axfr_1, sizeof(axfr_1), T + 2), TSIG_OK);
	assert_int_equal(tsig_verify_response(&cli, axfr_3, sizeof(axfr_3), T + 2), TSIG_BADSIG);
	tsig_ctx_free(&cli);
	client_for_axfr(&cli);
	assert_int_equal(tsig_verify_response(&cli, axfr_3, sizeof(axfr_3), T + 2), TSIG_BADSIG);
	tsig_ctx_free(&cli);
	client_for_axfr(&cli);
	assert_int_equal(tsig_verify_response(&cli, axfr_2, sizeof(axfr_2), T + 2), ST_ENOENT);
	tsig_ctx_free(&cli);

	/* At most 99 unsigned in a row, on both sides. */
	client_for_axfr(&cli);
	assert_int_equal(tsig_verify_response(&cli, axfr_1, sizeof(axfr_1), T + 2), TSIG_OK);
	for (int i = 0; i < TSIG_MAX_UNSIGNED; i++)
		assert_int_equal(tsig_verify_response(&cli, axfr_2, sizeof(axfr_2), T + 2),
				 TSIG_OK);
	assert_int_equal(tsig_verify_response(&cli, axfr_2, sizeof(axfr_2), T + 2), ST_ELIMIT);
	tsig_ctx_free(&cli);
	assert_int_equal(tsig_verify_request(&srv, keys, 4, axfr_req, sizeof(axfr_req), T),
			 TSIG_OK);
	n = strip(axfr_1, sizeof(axfr_1), buf);
	assert_int_equal(tsig_sign(&srv, buf, &n, sizeof(buf), T + 1, 0), ST_OK);
	for (int i = 0; i < TSIG_MAX_UNSIGNED; i++)
		assert_int_equal(tsig_sign_skip(&srv, axfr_2, sizeof(axfr_2)), ST_OK);
	assert_int_equal(tsig_sign_skip(&srv, axfr_2, sizeof(axfr_2)), ST_ELIMIT);
	tsig_ctx_free(&srv);

	/* Every message signed: each later MAC covers only the timers. */
	assert_int_equal(tsig_verify_request(&srv, keys, 4, axfr_req, sizeof(axfr_req), T),
			 TSIG_OK);
	client_for_axfr(&cli);
	const uint8_t *msgs[] = { axfr_1, axfr_2, axfr_3 };
	const size_t lens[] = { sizeof(axfr_1), sizeof(axfr_2), sizeof(axfr_3) };
	for (int i = 0; i < 3; i++) {
		tsig_rr_t rr;
		if (tsig_find(msgs[i], lens[i], &rr) == 1) {
			n = strip(msgs[i], lens[i], buf);
		} else {
			memcpy(buf, msgs[i], lens[i]);
			n = lens[i];
		}
		assert_int_equal(tsig_sign(&srv, buf, &n, sizeof(buf), T + 3, 0), ST_OK);
		assert_int_equal(tsig_verify_response(&cli, buf, n, T + 3), TSIG_OK);
	}
	assert_int_equal(tsig_verify_done(&cli), ST_OK);
	tsig_ctx_free(&cli);
	tsig_ctx_free(&srv);
}

/* A context owns libcrypto state only while unsigned messages are pending,
 * so it can be moved by value after tsig_verify_request or tsig_sign, and
 * one never freed leaks nothing (LeakSanitizer checks, in the ASan build). */
static void test_ctx_movable(void **state)
{
	tsig_ctx_t tmp, moved;
	uint8_t buf[512];
	assert_int_equal(tsig_verify_request(&tmp, keys, 4, axfr_req, sizeof(axfr_req), T),
			 TSIG_OK);
	assert_null(tmp.hmac);
	moved = tmp; /* tmp is never freed */
	size_t n = strip(axfr_1, sizeof(axfr_1), buf);
	assert_int_equal(tsig_sign(&moved, buf, &n, sizeof(buf), T + 1, 0), ST_OK);
	assert_memory_equal(buf, axfr_1, n);
	assert_null(moved.hmac);
	assert_int_equal(tsig_sign_skip(&moved, axfr_2, sizeof(axfr_2)), ST_OK);
	assert_non_null(moved.hmac); /* pending: not to be copied now */
	n = strip(axfr_3, sizeof(axfr_3), buf);
	assert_int_equal(tsig_sign(&moved, buf, &n, sizeof(buf), T + 2, 0), ST_OK);
	assert_memory_equal(buf, axfr_3, n);
	assert_null(moved.hmac);
	tsig_ctx_free(&moved);

	/* Error paths hold nothing either. */
	assert_int_equal(
		tsig_verify_request(&tmp, keys, 4, req_sha256, sizeof(req_sha256), T + 999),
		TSIG_BADTIME);
	assert_null(tmp.hmac);
	tsig_ctx_t cli;
	client_for_axfr(&cli);
	assert_null(cli.hmac);
	assert_int_equal(tsig_verify_response(&cli, axfr_1, sizeof(axfr_1), T + 2), TSIG_OK);
	assert_int_equal(tsig_verify_response(&cli, axfr_2, sizeof(axfr_2), T + 2), TSIG_OK);
	assert_non_null(cli.hmac);
	assert_int_equal(tsig_verify_response(&cli, req_sha1, sizeof(req_sha1), T + 2),
			 TSIG_BADKEY);
	assert_null(cli.hmac); /* failed: dropped */
}

/* --- hostile input ---------------------------------------------------- */

/* Every truncation and every one-bit change of the vectors, through the
 * parser and both verifiers, in buffers of exactly the input's size (run
 * under ASan: GLUED_SANITIZE=ON). */
static void test_fuzz_safe(void **state)
{
	static const struct {
		const uint8_t *msg;
		size_t len;
	} v[] = {
		{ req_sha256, sizeof(req_sha256) },
		{ req_sha512, sizeof(req_sha512) },
		{ req_sha1, sizeof(req_sha1) },
		{ resp_sha256, sizeof(resp_sha256) },
		{ resp_badtime, sizeof(resp_badtime) },
		{ axfr_1, sizeof(axfr_1) },
		{ axfr_3, sizeof(axfr_3) },
	};
	unsigned ok = 0;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		for (size_t len = 0; len <= v[i].len; len++) {
			uint8_t *p = dup_exact(v[i].msg, len);
			tsig_rr_t rr;
			int st = tsig_find(p, len, &rr);
			assert_true(st <= 1);
			if (len == v[i].len)
				assert_int_equal(st, 1);
			if (len < v[i].len)
				assert_int_not_equal(verify_req(p, len, T), TSIG_OK);
			else
				assert_true(verify_req(p, len, T) > ST__MIN);
			tsig_ctx_t cli;
			client_for_axfr(&cli);
			st = tsig_verify_response(&cli, p, len, T + 2);
			assert_true(len == v[i].len || st != TSIG_OK);
			tsig_ctx_free(&cli);
			free(p);
		}
		for (size_t bit = 0; bit < v[i].len * 8; bit++) {
			uint8_t *p = dup_exact(v[i].msg, v[i].len);
			p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			tsig_rr_t rr;
			assert_true(tsig_find(p, v[i].len, &rr) <= 1);
			ok += verify_req(p, v[i].len, T) == TSIG_OK;
			tsig_ctx_t cli;
			client_for_axfr(&cli);
			/* An ID or a name's case changed in axfr_1 passes, and
			 * so does axfr_3 after it: both are outside the MAC. */
			int st = tsig_verify_response(&cli, p, v[i].len, T + 2);
			if (st == TSIG_OK)
				st = tsig_verify_response(&cli, axfr_3, sizeof(axfr_3), T + 2);
			assert_true(st > ST__MIN);
			tsig_ctx_free(&cli);
			free(p);
		}
	}
	/* Only the flips the MAC does not cover can pass: the ID's 16 bits,
	 * the case bit of the key name's letters. */
	assert_true(ok > 0 && ok < 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alg_text),
		cmocka_unit_test(test_key_init),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_verify_request_ok),
		cmocka_unit_test(test_badsig),
		cmocka_unit_test(test_badkey),
		cmocka_unit_test(test_badtime),
		cmocka_unit_test(test_mac_length),
		cmocka_unit_test(test_sign_request_like_dnspython),
		cmocka_unit_test(test_sign_space),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_axfr),
		cmocka_unit_test(test_ctx_movable),
		cmocka_unit_test(test_fuzz_safe),
	};
	return cmocka_run_group_tests(tests, setup_keys, NULL);
}
