/*
 * ede.h -- Extended DNS Errors (RFC 8914): the EDNS option that says why a
 * response is an error.
 *
 * An EDE travels in the OPT record only, so a response to a query without
 * EDNS never carries one. The option is {OPTION-CODE 15, OPTION-LENGTH,
 * INFO-CODE (16 bits), EXTRA-TEXT (UTF-8, not NUL-terminated)}.
 */
#ifndef GLUED_EDE_H
#define GLUED_EDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EDE_OPTION_CODE 15 /* RFC 8914 5.1 */
#define EDE_OPTION_HDR 6   /* option code, option length, INFO-CODE */
/* Longest EXTRA-TEXT glued sends: with the longest question, the OPT
 * record and the option header, an error still fits in 512 bytes. */
#define EDE_TEXT_MAX 127

/* The INFO-CODEs glued sends on its own (RFC 8914 4). */
enum ede_code {
	EDE_OTHER = 0,
	EDE_NOT_READY = 14,         /* cannot answer now (NSD: zone not loaded) */
	EDE_PROHIBITED = 18,        /* refused by policy, an ACL */
	EDE_NOT_AUTHORITATIVE = 20, /* the name is in no zone served here */
	EDE_NOT_SUPPORTED = 21,     /* a class glued does not serve */
};

/* One EDE to send, or none (set false). text points to immutable bytes
 * (a string literal, or a fault's configuration) that outlive the
 * response; textlen <= EDE_TEXT_MAX. */
typedef struct ede {
	bool set;
	uint8_t textlen;
	uint16_t code;
	const char *text;
} ede_t;

/* An EDE with a code and no text. */
#define EDE_CODE(c) ((ede_t){ .set = true, .code = (c) })

/* Bytes the option takes in the OPT RDATA (0 for none). */
static inline unsigned ede_option_len(const ede_t *e)
{
	return e != NULL && e->set ? EDE_OPTION_HDR + (unsigned)e->textlen : 0;
}

#endif
