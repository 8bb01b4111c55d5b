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

static void sb_flags(strbuf_t *sb, uint16_t flags)
{
	static const struct {
		uint16_t bit;
		const char *name;
	} bits[] = {
		{ DNS_QR, "qr" }, { DNS_AA, "aa" }, { DNS_TC, "tc" }, { DNS_RD, "rd" },
		{ DNS_RA, "ra" }, { DNS_AD, "ad" }, { DNS_CD, "cd" },
	};
	bool any = false;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (flags & bits[i].bit) {
			sb_printf(sb, "%s%s", any ? " " : "", bits[i].name);
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
	case TC_NONE:
		return "no";
	case TC_REQUIRED_GLUE:
		return "required-glue";
	case TC_SIZE:
		return "size";
	default:
		return "?";
	}
}

size_t log_format_query(char *buf, size_t cap, const char *client, bool tcp, const query_t *q,
			const explain_t *ex)
{
	strbuf_t sb = { .buf = buf, .cap = cap, .len = 0 };
	char tbuf[16];

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	sb_printf(&sb, "client=%s %s", client != NULL ? client : "?", tcp ? "tcp" : "udp");
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
	sb_printf(&sb, " tc=%s size=%u/%u", tc_reason_str(ex->tc), ex->size, ex->limit);
	return sb.len;
}

void log_query(const char *client, bool tcp, const query_t *q, const explain_t *ex)
{
	char line[LOG_QUERY_MAX + 1];
	size_t n = log_format_query(line, LOG_QUERY_MAX, client, tcp, q, ex);
	line[n] = '\n';
	line[n + 1] = '\0';
	/* fputs locks stdout for the whole line: no interleaving between workers. */
	fputs(line, stdout);
}
