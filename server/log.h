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

/* How the query log is written (--log-format). */
enum log_format {
	LOG_FORMAT_TEXT = 0, /* one line of key=value words (the default) */
	LOG_FORMAT_JSON = 1, /* one JSON object per line */
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
 * Format the text query-log line (no newline) for one query into buf (cap
 * bytes, always NUL-terminated when cap > 0), e.g.
 *
 *   client=127.0.0.1#53000 server=tld udp www.example.lab. A NOERROR qr rd
 *   0/2/4 referral zone=lab. cut=example.lab. policy=full
 *   ns=ns1.example.lab.(in-domain:glue A+AAAA) ns.other.test.(out-of-zone:never)
 *   tc=no size=181/1232
 *
 * (on one line): client, server (the virtual server that received it; "-"
 * if NULL), transport, question (as received, "-" if none), rcode, header
 * flags, ANSWER/AUTHORITY/ADDITIONAL counts, answer kind, the zone, and for
 * referrals the cut, the policy, each NS name with its glue class and fate
 * ("glue A+AAAA", "wrong A+AAAA" (added, rewritten by the wrong policy),
 * no-address, policy, size, never); then truncation=MODE when it is not
 * rfc9471 (the policy and the truncation end in "(control)" when gluectl
 * set that rule: policy=none(control)), legacy-dropped when legacy
 * truncation left required glue out, fault=ACTION(where) when a fault
 * shaped the answer,
 * delay=Nms, tc=no or tc=yes(always|required-glue|size), and size/limit.
 *
 * q or ex may be NULL (a query dropped as malformed): the line then says
 * "dropped". A query dropped by a drop fault passes its ex: the line says
 * "dropped" and names the zone and the fault. Returns the length written
 * (excluding the NUL), at most cap - 1.
 */
size_t log_format_query(char *buf, size_t cap, const char *client, const char *server, bool tcp,
			const query_t *q, const explain_t *ex);

/*
 * The same information as one JSON object (no newline), every key always
 * present (null or empty when it does not apply): client, server,
 * transport, qname, qtype, qclass, dropped, rcode, flags (array), counts
 * {answer, authority, additional}, kind, wildcard, cnames, zone, cut,
 * policy, policy_where, truncation, truncation_where (where each rule was
 * set: "FILE:LINE", "control", "default" for the RFC 9471 defaults, null
 * when nothing says), legacy_dropped, ns (array of {name, class, fate, a,
 * aaaa}), ns_total, tc (bool), tc_reason, fault {action, where}, delay_ms,
 * size, limit. Strings are escaped for JSON (bytes outside printable ASCII
 * as \u00XX). A line cut at cap is not valid JSON, so cap should be
 * LOG_QUERY_MAX, which always fits. Returns the length, at most cap - 1.
 */
size_t log_format_query_json(char *buf, size_t cap, const char *client, const char *server,
			     bool tcp, const query_t *q, const explain_t *ex);

/* Format (text or JSON) and write one query-log line to stdout. Thread-safe. */
void log_query(enum log_format format, const char *client, const char *server, bool tcp,
	       const query_t *q, const explain_t *ex);

#endif
