/*
 * name.h -- domain names in uncompressed wire form.
 *
 * A name is a sequence of length-prefixed labels ending with the zero-length
 * root label, at most NAME_MAXLEN (255) bytes, each label at most 63 bytes.
 * Functions taking a `const uint8_t *name` require a well-formed name (one
 * produced by name_unpack, name_from_text or name_check); they do not re-check
 * bounds. Comparisons are ASCII case-insensitive unless stated otherwise.
 */
#ifndef GLUED_NAME_H
#define GLUED_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/status.h"

#define NAME_MAXLEN 255
#define NAME_MAXLABELS 127
/* Longest presentation form: every byte as \DDD plus dots and the NUL. */
#define NAME_TEXT_MAX (NAME_MAXLEN * 4 + 2)

static inline uint8_t name_lower_byte(uint8_t c)
{
	return (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/*
 * Read a possibly compressed name from a DNS message at *pos into out
 * (NAME_MAXLEN bytes), decompressed and in its original case. On success
 * advances *pos past the name as it appears at *pos and returns the name's
 * length (>= 1). Compression pointers must point strictly backwards and past
 * the 12-byte header, which rules out loops and forward pointers. Returns ST_ETRUNC, ST_ELABEL
 * (label type 01/10 or > 63), ST_ENAME or ST_EPTR on malformed input.
 */
int name_unpack(const uint8_t *msg, size_t msglen, size_t *pos, uint8_t *out) MUST_CHECK;

/*
 * Check that buf holds a well-formed uncompressed name within len bytes.
 * Returns its length, or ST_ETRUNC / ST_ELABEL / ST_ENAME.
 */
int name_check(const uint8_t *buf, size_t len) MUST_CHECK;

/* Length in bytes of a well-formed name, root label included. */
size_t name_len(const uint8_t *name);

/* Number of labels, the root not counted ("." is 0, "a.b." is 2). */
int name_labels(const uint8_t *name);

/* The name with its first n labels removed. Pre: n <= name_labels(name). */
const uint8_t *name_skip(const uint8_t *name, int n);

/* Copy src into dst in lowercase; dst may equal src. Returns the length. */
size_t name_lower(uint8_t *dst, const uint8_t *src);

/* True when a and b are the same name, ignoring ASCII case. */
bool name_equal(const uint8_t *a, const uint8_t *b);

/* True when name is parent or lies below it (ignoring ASCII case). */
bool name_is_sub(const uint8_t *name, const uint8_t *parent);

/*
 * Canonical order (RFC 4034 6.1): negative, 0 or positive as a sorts
 * before, with or after b. Labels compare from the rightmost, each as
 * lowercased bytes, a shorter label before a longer one it begins.
 */
int name_canon_cmp(const uint8_t *a, const uint8_t *b);

/* True when the first label of name is the single byte '*'. */
static inline bool name_is_wildcard(const uint8_t *name) { return name[0] == 1 && name[1] == '*'; }

/*
 * One character of presentation text (RFC 1035 5.1): the byte at s[*i] of
 * len, or the byte an escape there stands for (\X: X itself, \DDD: the
 * decimal value DDD, at most 255). Advances *i past it. Returns the byte
 * (0..255), or ST_EMALF for an escape that is cut short or out of range.
 * Pre: *i < len.
 */
int text_char(const char *s, size_t len, size_t *i);

/*
 * Parse a presentation-format name of len bytes (no NUL needed) into out
 * (NAME_MAXLEN bytes). Handles \X and \DDD escapes. A name not ending in an
 * unescaped dot is relative and gets origin appended; with origin NULL a
 * relative name is an error (ST_EINVAL). "@" alone means origin. Returns the
 * wire length, or ST_EMALF (empty label, bad escape), ST_ELABEL, ST_ENAME,
 * ST_EINVAL.
 */
int name_from_text(const char *text, size_t len, const uint8_t *origin, uint8_t *out) MUST_CHECK;

/*
 * Write the presentation form of name (absolute, with the final dot) to buf
 * of cap bytes, NUL-terminated; special and non-printable bytes are escaped.
 * Returns the text length, or ST_ESPACE. cap >= NAME_TEXT_MAX always fits.
 */
int name_to_text(const uint8_t *name, char *buf, size_t cap);

/* name_to_text for messages: returns buf, holding "?" when the name does
 * not fit. */
const char *name_str(const uint8_t *name, char *buf, size_t cap);

#endif
