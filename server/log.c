#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "dns/name.h"
#include "dns/rdata.h"

static atomic_int log_level = LOG_LEVEL_INFO;

static const char *const level_prefix[] = {
	[LOG_LEVEL_ERROR] = "error: ",
	[LOG_LEVEL_WARN] = "warning: ",
	[LOG_LEVEL_INFO] = "",
};

void log_set_level(enum log_level level)
{
	atomic_store(&log_level, (int)level);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	int n;
	va_list ap;

	if ((int)level > atomic_load(&log_level))
		return;
	n = snprintf(line, sizeof(line), "glued: %s", level_prefix[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	/* One fputs per line: stdio locks the stream, so lines stay whole. */
	strcat(line, "\n");
	fputs(line, stderr);
}

/* An append-only text buffer that truncates instead of overflowing. */
typedef struct strbuf {
	char *buf;
	size_t cap;
	size_t len;
} strbuf_t;

__attribute__((format(printf, 2, 3)))
static void sb_printf(strbuf_t *sb, const char *fmt, ...)
{
	if (sb->len + 1 >= sb->cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb->len += (size_t)n;
	if (sb->len >= sb->cap)
		sb->len = sb->cap - 1;
}

static void sb_name(strbuf_t *sb, const uint8_t *name)
{
	char text[NAME_TEXT_MAX];
	if (name == NULL || name_to_text(name, text, sizeof(text)) < 0)
		sb_printf(sb, "?");
	else
		sb_printf(sb, "%s", text);
}

/* The header flags as dig names them, in dig's order. */
static const struct {
	uint16_t bit;
	const char *name;
} flag_names[] = {
	{ DNS_QR, "qr" }, { DNS_AA, "aa" }, { DNS_TC, "tc" }, { DNS_RD, "rd" },
	{ DNS_RA, "ra" }, { DNS_AD, "ad" }, { DNS_CD, "cd" },
};

static void sb_flags(strbuf_t *sb, uint16_t flags)
{
	bool any = false;
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (flags & flag_names[i].bit) {
			sb_printf(sb, "%s%s", any ? " " : "", flag_names[i].name);
			any = true;
		}
	}
	if (!any)
		sb_printf(sb, "-");
}

/* "ns1.example.lab.(in-domain:glue A+AAAA)", "ns.x.(out-of-zone:never)". */
static void sb_ns(strbuf_t *sb, const explain_ns_t *ns)
{
	sb_name(sb, ns->name);
	sb_printf(sb, "(%s:", glue_class_str(ns->cls));
	switch (ns->fate) {
	case FATE_ADDED:
		if (ns->n_a && ns->n_aaaa)
			sb_printf(sb, "glue A+AAAA)");
		else if (ns->n_aaaa)
			sb_printf(sb, "glue AAAA)");
		else
			sb_printf(sb, "glue A)");
		break;
	case FATE_WRONG:
		/* Added, but rewritten to the policy's address. */
		if (ns->n_a && ns->n_aaaa)
			sb_printf(sb, "wrong A+AAAA)");
		else if (ns->n_aaaa)
			sb_printf(sb, "wrong AAAA)");
		else
			sb_printf(sb, "wrong A)");
		break;
	case FATE_OUT_OF_ZONE:
		sb_printf(sb, "never)");
		break;
	default:
		sb_printf(sb, "%s)", glue_fate_str(ns->fate));
		break;
	}
}

static const char *tc_reason_str(uint8_t tc)
{
	switch (tc) {
	case TC_REQUIRED_GLUE:
		return "required-glue";
	case TC_SIZE:
		return "size";
	case TC_ALWAYS:
		return "always";
	default:
		return "?";
	}
}

/* A query the engine said to drop on purpose (a drop fault). */
static bool fault_dropped(const explain_t *ex)
{
	return ex != NULL && ex->fault != NULL && ex->fault->action == FAULT_DROP;
}

static void sb_fault(strbuf_t *sb, const fault_t *f)
{
	sb_printf(sb, " fault=%s", fault_action_str(f->action));
	if (f->where[0])
		sb_printf(sb, "(%s)", f->where);
}

size_t log_format_query(char *buf, size_t cap, const char *client, const char *server, bool tcp,
			const query_t *q, const explain_t *ex)
{
	strbuf_t sb = { .buf = buf, .cap = cap, .len = 0 };
	char tbuf[16];

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	sb_printf(&sb, "client=%s server=%s %s", client != NULL ? client : "?",
		  server != NULL ? server : "-", tcp ? "tcp" : "udp");
	if (q != NULL && q->has_question) {
		sb_printf(&sb, " ");
		sb_name(&sb, q->qname);
		sb_printf(&sb, " %s", rrtype_to_text(q->qtype, tbuf));
		if (q->qclass != CLASS_IN)
			sb_printf(&sb, " CLASS%u", q->qclass);
	} else {
		sb_printf(&sb, " -");
	}
	if (q == NULL || ex == NULL) {
		sb_printf(&sb, " dropped");
		return sb.len;
	}
	if (fault_dropped(ex)) {
		sb_printf(&sb, " dropped");
		if (ex->zone != NULL) {
			sb_printf(&sb, " zone=");
			sb_name(&sb, ex->zone);
		}
		sb_fault(&sb, ex->fault);
		return sb.len;
	}

	sb_printf(&sb, " %s ", rcode_str(ex->rcode));
	sb_flags(&sb, ex->flags);
	sb_printf(&sb, " %u/%u/%u %s", ex->count[SEC_ANSWER], ex->count[SEC_AUTHORITY],
		  ex->count[SEC_ADDITIONAL], answer_kind_str(ex->kind));
	if (ex->wildcard)
		sb_printf(&sb, " wildcard");
	if (ex->cnames > 0)
		sb_printf(&sb, " cnames=%u", ex->cnames);
	if (ex->zone != NULL) {
		sb_printf(&sb, " zone=");
		sb_name(&sb, ex->zone);
	}
	if (ex->kind == ANSWER_REFERRAL) {
		sb_printf(&sb, " cut=");
		sb_name(&sb, ex->cut);
		sb_printf(&sb, " policy=%s ns=", glue_policy_str(ex->policy));
		size_t n = ex->nns < EXPLAIN_MAX_NS ? ex->nns : EXPLAIN_MAX_NS;
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				sb_printf(&sb, " ");
			sb_ns(&sb, &ex->ns[i]);
		}
		if (n == 0)
			sb_printf(&sb, "-");
		if (ex->ns_total > n)
			sb_printf(&sb, " +%u more", (unsigned)(ex->ns_total - n));
	}
	if (ex->truncation != TRUNC_RFC9471)
		sb_printf(&sb, " truncation=%s", trunc_mode_str(ex->truncation));
	if (ex->legacy_dropped)
		sb_printf(&sb, " legacy-dropped");
	if (ex->fault != NULL)
		sb_fault(&sb, ex->fault);
	if (ex->delay_ms > 0)
		sb_printf(&sb, " delay=%ums", (unsigned)ex->delay_ms);
	if (ex->tc == TC_NONE)
		sb_printf(&sb, " tc=no");
	else
		sb_printf(&sb, " tc=yes(%s)", tc_reason_str(ex->tc));
	sb_printf(&sb, " size=%u/%u", ex->size, ex->limit);
	return sb.len;
}

/* ---- JSON ------------------------------------------------------------------ */

/* Room kept after the ns array for the keys that follow it (the fault's
 * where is at most 95 bytes, 6 each when escaped). */
#define LOG_JSON_TAIL 1024

/* A JSON string: quotes, backslashes and control characters escaped; bytes
 * outside printable ASCII as \u00XX, so the line is valid whatever the
 * input (names come escaped already; paths may hold anything). */
static void sb_jstr(strbuf_t *sb, const char *s)
{
	if (s == NULL) {
		sb_printf(sb, "null");
		return;
	}
	sb_printf(sb, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			sb_printf(sb, "\\\"");
			break;
		case '\\':
			sb_printf(sb, "\\\\");
			break;
		case '\n':
			sb_printf(sb, "\\n");
			break;
		case '\r':
			sb_printf(sb, "\\r");
			break;
		case '\t':
			sb_printf(sb, "\\t");
			break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				sb_printf(sb, "\\u%04x", *p);
			else
				sb_printf(sb, "%c", *p);
			break;
		}
	}
	sb_printf(sb, "\"");
}

static void sb_jname(strbuf_t *sb, const uint8_t *name)
{
	char text[NAME_TEXT_MAX];
	if (name == NULL)
		sb_printf(sb, "null");
	else if (name_to_text(name, text, sizeof(text)) < 0)
		sb_jstr(sb, "?");
	else
		sb_jstr(sb, text);
}

static void sb_jflags(strbuf_t *sb, uint16_t flags)
{
	bool any = false;
	sb_printf(sb, "[");
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (flags & flag_names[i].bit) {
			sb_printf(sb, "%s\"%s\"", any ? "," : "", flag_names[i].name);
			any = true;
		}
	}
	sb_printf(sb, "]");
}

size_t log_format_query_json(char *buf, size_t cap, const char *client, const char *server,
			     bool tcp, const query_t *q, const explain_t *ex)
{
	strbuf_t sb = { .buf = buf, .cap = cap, .len = 0 };
	char tbuf[16];
	bool has_q = q != NULL && q->has_question;
	bool dropped = q == NULL || ex == NULL || fault_dropped(ex);
	/* Only what the engine filled: a malformed drop has no explanation. */
	const explain_t *e = (q == NULL) ? NULL : ex;

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	sb_printf(&sb, "{\"client\":");
	sb_jstr(&sb, client != NULL ? client : "?");
	sb_printf(&sb, ",\"server\":");
	sb_jstr(&sb, server);
	sb_printf(&sb, ",\"transport\":\"%s\",\"qname\":", tcp ? "tcp" : "udp");
	if (has_q) {
		sb_jname(&sb, q->qname);
		sb_printf(&sb, ",\"qtype\":");
		sb_jstr(&sb, rrtype_to_text(q->qtype, tbuf));
		sb_printf(&sb, ",\"qclass\":%u", q->qclass);
	} else {
		sb_printf(&sb, "null,\"qtype\":null,\"qclass\":null");
	}
	sb_printf(&sb, ",\"dropped\":%s", dropped ? "true" : "false");
	if (dropped || e == NULL) {
		sb_printf(&sb, ",\"rcode\":null,\"flags\":[],\"counts\":null");
	} else {
		sb_printf(&sb, ",\"rcode\":\"%s\",\"flags\":", rcode_str(e->rcode));
		sb_jflags(&sb, e->flags);
		sb_printf(&sb, ",\"counts\":{\"answer\":%u,\"authority\":%u,\"additional\":%u}",
			  e->count[SEC_ANSWER], e->count[SEC_AUTHORITY], e->count[SEC_ADDITIONAL]);
	}
	if (e == NULL) {
		sb_printf(&sb, ",\"kind\":null,\"wildcard\":false,\"cnames\":0,\"zone\":null,"
			       "\"cut\":null,\"policy\":null,\"truncation\":null,"
			       "\"legacy_dropped\":false,\"ns\":[],\"ns_total\":0,\"tc\":false,"
			       "\"tc_reason\":null,\"fault\":null,\"delay_ms\":0,\"size\":0,"
			       "\"limit\":0}");
		return sb.len;
	}
	bool referral = e->kind == ANSWER_REFERRAL && !dropped;
	sb_printf(&sb, ",\"kind\":\"%s\",\"wildcard\":%s,\"cnames\":%u,\"zone\":",
		  answer_kind_str(e->kind), e->wildcard ? "true" : "false", e->cnames);
	sb_jname(&sb, e->zone);
	sb_printf(&sb, ",\"cut\":");
	sb_jname(&sb, referral ? e->cut : NULL);
	sb_printf(&sb, ",\"policy\":");
	sb_jstr(&sb, referral ? glue_policy_str(e->policy) : NULL);
	sb_printf(&sb, ",\"truncation\":\"%s\",\"legacy_dropped\":%s,\"ns\":[",
		  trunc_mode_str(e->truncation), e->legacy_dropped ? "true" : "false");
	size_t n = referral ? (e->nns < EXPLAIN_MAX_NS ? e->nns : EXPLAIN_MAX_NS) : 0;
	for (size_t i = 0; i < n; i++) {
		/* Each entry whole or not at all, keeping room for the rest
		 * of the object, so the line stays valid JSON (ns_total still
		 * says how many there were). */
		char ebuf[2 * NAME_TEXT_MAX + 128];
		strbuf_t es = { .buf = ebuf, .cap = sizeof(ebuf), .len = 0 };
		const explain_ns_t *ns = &e->ns[i];
		sb_printf(&es, "%s{\"name\":", i ? "," : "");
		sb_jname(&es, ns->name);
		sb_printf(&es, ",\"class\":\"%s\",\"fate\":\"%s\",\"a\":%u,\"aaaa\":%u}",
			  glue_class_str(ns->cls), glue_fate_str(ns->fate), ns->n_a, ns->n_aaaa);
		if (sb.len + es.len + LOG_JSON_TAIL >= sb.cap)
			break;
		sb_printf(&sb, "%s", ebuf);
	}
	sb_printf(&sb, "],\"ns_total\":%u,\"tc\":%s,\"tc_reason\":", referral ? e->ns_total : 0,
		  e->tc != TC_NONE ? "true" : "false");
	sb_jstr(&sb, e->tc != TC_NONE ? tc_reason_str(e->tc) : NULL);
	sb_printf(&sb, ",\"fault\":");
	if (e->fault != NULL) {
		sb_printf(&sb, "{\"action\":\"%s\",\"where\":", fault_action_str(e->fault->action));
		sb_jstr(&sb, e->fault->where[0] ? e->fault->where : NULL);
		sb_printf(&sb, "}");
	} else {
		sb_printf(&sb, "null");
	}
	sb_printf(&sb, ",\"delay_ms\":%u,\"size\":%u,\"limit\":%u}", (unsigned)e->delay_ms,
		  dropped ? 0 : e->size, dropped ? 0 : e->limit);
	return sb.len;
}

void log_query(enum log_format format, const char *client, const char *server, bool tcp,
	       const query_t *q, const explain_t *ex)
{
	char line[LOG_QUERY_MAX + 1];
	size_t n = format == LOG_FORMAT_JSON
			   ? log_format_query_json(line, LOG_QUERY_MAX, client, server, tcp, q, ex)
			   : log_format_query(line, LOG_QUERY_MAX, client, server, tcp, q, ex);
	line[n] = '\n';
	line[n + 1] = '\0';
	/* fputs locks stdout for the whole line: no interleaving between workers. */
	fputs(line, stdout);
}
