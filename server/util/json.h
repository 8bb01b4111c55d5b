/*
 * json.h -- a small writer of JSON text into a fixed buffer: one object per
 * line for --check --json, gluecheck --json and the JSON query log.
 *
 * The writer never overflows: once the buffer is full it stops writing and
 * remembers that it did (json_full), and the text is always NUL-terminated.
 * Commas between members are its business; keys and string values are
 * escaped so that the text is valid JSON whatever bytes they hold: quotes,
 * backslashes, \n \r \t, other control characters and every byte outside
 * printable ASCII as \u00XX. A caller that must not leave half a value
 * behind (a list cut at the line's end) takes a json_mark before it and
 * json_rewinds to it.
 *
 * Pure: no allocation, no I/O.
 */
#ifndef GLUED_JSON_H
#define GLUED_JSON_H

#include <stdbool.h>
#include <stddef.h>

typedef struct json {
	char *buf;
	size_t cap;
	size_t len;
	bool comma; /* a value was written at this level: a comma comes first */
	bool full;  /* something did not fit */
} json_t;

/* Where a writer stood, to go back to. */
typedef struct json_mark {
	size_t len;
	bool comma;
} json_mark_t;

/* Write into buf (cap bytes, cap >= 1), empty so far. */
void json_init(json_t *j, char *buf, size_t cap);

/*
 * Open an object or array: as member key of the enclosing object, or as a
 * value (key NULL: at the top, or as an element of an array).
 */
void json_obj_open(json_t *j, const char *key);
void json_obj_close(json_t *j);
void json_arr_open(json_t *j, const char *key);
void json_arr_close(json_t *j);

/* One member (or, with key NULL, one array element). json_str writes null
 * for s NULL. */
void json_str(json_t *j, const char *key, const char *s);
void json_uint(json_t *j, const char *key, unsigned long long v);
void json_bool(json_t *j, const char *key, bool v);
void json_null(json_t *j, const char *key);

/* The text so far: its length, and whether anything did not fit. */
static inline size_t json_len(const json_t *j) { return j->len; }
static inline bool json_full(const json_t *j) { return j->full; }

json_mark_t json_mark(const json_t *j);
void json_rewind(json_t *j, json_mark_t m);

#endif
