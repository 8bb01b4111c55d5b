/*
 * text.h -- messages into fixed buffers, for people: written or appended
 * with printf formats, truncated quietly, always NUL-terminated (cap > 0).
 */
#ifndef GLUED_TEXT_H
#define GLUED_TEXT_H

#include <stddef.h>

/* buf = the formatted text. */
void text_setf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* buf += the formatted text (buf holds a NUL-terminated string). */
void text_appendf(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
