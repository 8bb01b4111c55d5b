/*
 * json.c -- JSON text into a fixed buffer.
 */
#include "util/json.h"

#include <stdio.h>
#include <string.h>

void json_init(json_t *j, char *buf, size_t cap)
{
	j->buf = buf;
	j->cap = cap;
	j->len = 0;
	j->comma = false;
	j->full = false;
	if (cap > 0)
		buf[0] = '\0';
}

/* Append n bytes, or nothing and remember it when they do not fit. */
static void put(json_t *j, const char *s, size_t n)
{
	if (j->full || j->len + n >= j->cap) {
		j->full = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void puts_(json_t *j, const char *s) { put(j, s, strlen(s)); }

static void quoted(json_t *j, const char *s)
{
	char esc[8];
	put(j, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const unsigned char *run = p;
		while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			put(j, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			break;
		switch (*p) {
		case '"':
			put(j, "\\\"", 2);
			break;
		case '\\':
			put(j, "\\\\", 2);
			break;
		case '\n':
			put(j, "\\n", 2);
			break;
		case '\r':
			put(j, "\\r", 2);
			break;
		case '\t':
			put(j, "\\t", 2);
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put(j, esc, 6);
			break;
		}
	}
	put(j, "\"", 1);
}

/* The comma and "key": before a value. */
static void begin(json_t *j, const char *key)
{
	if (j->comma)
		put(j, ",", 1);
	if (key != NULL) {
		quoted(j, key);
		put(j, ":", 1);
	}
	j->comma = true;
}

void json_obj_open(json_t *j, const char *key)
{
	begin(j, key);
	put(j, "{", 1);
	j->comma = false;
}

void json_obj_close(json_t *j)
{
	put(j, "}", 1);
	j->comma = true;
}

void json_arr_open(json_t *j, const char *key)
{
	begin(j, key);
	put(j, "[", 1);
	j->comma = false;
}

void json_arr_close(json_t *j)
{
	put(j, "]", 1);
	j->comma = true;
}

void json_str(json_t *j, const char *key, const char *s)
{
	begin(j, key);
	if (s == NULL)
		puts_(j, "null");
	else
		quoted(j, s);
}

void json_uint(json_t *j, const char *key, unsigned long long v)
{
	char num[24];
	begin(j, key);
	put(j, num, (size_t)snprintf(num, sizeof(num), "%llu", v));
}

void json_bool(json_t *j, const char *key, bool v)
{
	begin(j, key);
	puts_(j, v ? "true" : "false");
}

void json_null(json_t *j, const char *key)
{
	begin(j, key);
	puts_(j, "null");
}

json_mark_t json_mark(const json_t *j) { return (json_mark_t){ .len = j->len, .comma = j->comma }; }

void json_rewind(json_t *j, json_mark_t m)
{
	j->len = m.len;
	j->comma = m.comma;
	j->full = false;
	if (j->cap > 0)
		j->buf[j->len] = '\0';
}
