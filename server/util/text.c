/*
 * text.c -- messages into fixed buffers.
 */
#include "util/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void text_setf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	if (cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
}

void text_appendf(char *buf, size_t cap, const char *fmt, ...)
{
	size_t used = strlen(buf);
	if (used + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, cap - used, fmt, ap);
	va_end(ap);
}
