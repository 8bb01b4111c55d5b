/*
 * log.h -- levelled messages on stderr and the query log on stdout.
 *
 * Messages are one line each, "glued: [error: |warning: ]text", written with
 * a single stdio call so lines from different threads never interleave.
 * The query log is one line per query built from the engine's query_t and
 * explain_t (DESIGN.md 2, "every response can be explained").
 */
#ifndef GLUED_LOG_H
#define GLUED_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "dns/answer.h"
#include "dns/query.h"

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN = 1,
	LOG_LEVEL_INFO = 2,
};

/* Messages above level are dropped. Default: LOG_LEVEL_INFO. */
void log_set_level(enum log_level level);

/* Write one message (no trailing newline needed) to stderr. Thread-safe. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)

/* Longest query-log line log_query() writes (longer ones are cut). */
#define LOG_QUERY_MAX 8192

/*
 * Format the query-log line (no newline) for one query into buf (cap bytes,
 * always NUL-terminated when cap > 0), e.g.
 *
 *   client=127.0.0.1#53000 udp www.example.lab. A NOERROR qr rd 0/2/4 referral
 *   zone=lab. cut=example.lab. policy=full
 *   ns=ns1.example.lab.(in-domain:glue A+AAAA) ns.other.test.(out-of-zone:never)
 *   tc=no size=181/1232
 *
 * (on one line): client, transport, question (as received, "-" if none),
 * rcode, header flags, ANSWER/AUTHORITY/ADDITIONAL counts, answer kind, the
 * zone, and for referrals the cut, the policy, each NS name with its glue
 * class and fate; then the TC reason and size/limit. q or ex may be NULL (a
 * dropped query): the line then says "dropped". Returns the length written
 * (excluding the NUL), at most cap - 1.
 */
size_t log_format_query(char *buf, size_t cap, const char *client, bool tcp, const query_t *q,
			const explain_t *ex);

/* Format and write one query-log line to stdout. Thread-safe. */
void log_query(const char *client, bool tcp, const query_t *q, const explain_t *ex);

#endif
