/*
 * status.h -- one error-code enum for the whole core.
 *
 * Every fallible function returns int: 0 (ST_OK) on success, a negative
 * ST_* code on failure. status_str() gives the message for a code.
 */
#ifndef GLUED_STATUS_H
#define GLUED_STATUS_H

#define MUST_CHECK __attribute__((warn_unused_result))

enum status {
	ST_OK = 0,
	ST_ENOMEM = -1,     /* allocation failed */
	ST_ESPACE = -2,     /* output buffer too small */
	ST_EMALF = -3,      /* malformed input (wire or text) */
	ST_ELABEL = -4,     /* label longer than 63 bytes */
	ST_ENAME = -5,      /* name longer than 255 bytes */
	ST_EPTR = -6,       /* bad or looping compression pointer */
	ST_ETRUNC = -7,     /* input ended early */
	ST_EEXIST = -8,     /* already exists */
	ST_ENOENT = -9,     /* not found */
	ST_EIO = -10,       /* file could not be read */
	ST_ESYNTAX = -11,   /* zone-file syntax error */
	ST_ESEMANTIC = -12, /* zone content check failed */
	ST_ELIMIT = -13,    /* a configured limit was reached */
	ST_EINVAL = -14,    /* invalid argument */
	ST__MIN = -15
};

/* Human-readable message for a status code; never NULL. */
const char *status_str(int code);

#endif
