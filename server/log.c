#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "util/json.h"

static atomic_int log_level = LOG_LEVEL_INFO;

static const char *const level_prefix[] = {
	[LOG_LEVEL_ERROR] = "error: ",
	[LOG_LEVEL_WARN] = "warning: ",
	[LOG_LEVEL_INFO] = "",
};

void log_set_level(enum log_level level) { atomic_store(&log_level, (int)level); }

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

__attribute__((format(printf, 2, 3))) static void sb_printf(strbuf_t *sb, const char *fmt, ...)
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
	bool any = false;
	for (size_t i = 0; i < DNS_FLAG_NAMES; i++) {
		if (flags & dns_flag_names[i].bit) {
			sb_printf(sb, "%s%s", any ? " " : "", dns_flag_names[i].name);
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

/* A rule gluectl set: "(control)" after it. The file's own rules are in
 * the banner with their lines, and in the JSON log. */
static void sb_where_live(strbuf_t *sb, const char *w)
{
	if (w != NULL && strcmp(w, RULE_WHERE_CONTROL) == 0)
		sb_printf(sb, "(%s)", w);
}

/* A where for JSON: null when nothing says. */
static const char *j_where(const char *w) { return w != NULL && w[0] ? w : NULL; }

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
	if (ex->dnssec)
		sb_printf(&sb, " dnssec=signed rrsig=%u nsec=%u", ex->rrsigs, ex->nsecs);
	if (ex->dfault != NULL) {
		/* One token: "dnssec-fault=ds:mismatch(lab.yaml:40)",
		 * "dnssec-fault=nsec3:iterations=200". */
		char what[64];
		dnssec_fault_str(ex->dfault, what, sizeof(what));
		sb_printf(&sb, " dnssec-fault=");
		for (const char *p = what; *p; p++) {
			if (*p == ' ' && p > what && p[-1] == ':')
				continue;
			sb_printf(&sb, "%c", *p == ' ' ? '=' : *p);
		}
		if (ex->dfault->where[0])
			sb_printf(&sb, "(%s)", ex->dfault->where);
	}
	if (ex->zone != NULL) {
		sb_printf(&sb, " zone=");
		sb_name(&sb, ex->zone);
	}
	if (ex->kind == ANSWER_REFERRAL) {
		sb_printf(&sb, " cut=");
		sb_name(&sb, ex->cut);
		sb_printf(&sb, " policy=%s", glue_mode_str(ex->policy));
		sb_where_live(&sb, ex->policy_where);
		sb_printf(&sb, " ns=");
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
	if (ex->truncation != TRUNC_RFC9471) {
		sb_printf(&sb, " truncation=%s", trunc_mode_str(ex->truncation));
		sb_where_live(&sb, ex->truncation_where);
	}
	if (ex->legacy_dropped)
		sb_printf(&sb, " legacy-dropped");
	if (ex->fault != NULL)
		sb_fault(&sb, ex->fault);
	if (ex->delay_ms > 0)
		sb_printf(&sb, " delay=%ums", (unsigned)ex->delay_ms);
	if (ex->ede_sent)
		sb_printf(&sb, " ede=%u", (unsigned)ex->ede);
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

static void j_name(json_t *j, const char *key, const uint8_t *name)
{
	char text[NAME_TEXT_MAX];
	json_str(j, key, name == NULL ? NULL : name_str(name, text, sizeof(text)));
}

size_t log_format_query_json(char *buf, size_t cap, const char *client, const char *server,
			     bool tcp, const query_t *q, const explain_t *ex)
{
	json_t j;
	char tbuf[16];
	bool has_q = q != NULL && q->has_question;
	bool dropped = q == NULL || ex == NULL || fault_dropped(ex);
	/* Only what the engine filled: a malformed drop has no explanation. */
	const explain_t *e = (q == NULL) ? NULL : ex;

	if (cap == 0)
		return 0;
	json_init(&j, buf, cap);
	json_obj_open(&j, NULL);
	json_str(&j, "client", client != NULL ? client : "?");
	json_str(&j, "server", server);
	json_str(&j, "transport", tcp ? "tcp" : "udp");
	if (has_q) {
		j_name(&j, "qname", q->qname);
		json_str(&j, "qtype", rrtype_to_text(q->qtype, tbuf));
		json_uint(&j, "qclass", q->qclass);
	} else {
		json_null(&j, "qname");
		json_null(&j, "qtype");
		json_null(&j, "qclass");
	}
	json_bool(&j, "dropped", dropped);
	if (dropped || e == NULL) {
		json_null(&j, "rcode");
		json_arr_open(&j, "flags");
		json_arr_close(&j);
		json_null(&j, "counts");
	} else {
		json_str(&j, "rcode", rcode_str(e->rcode));
		json_arr_open(&j, "flags");
		for (size_t i = 0; i < DNS_FLAG_NAMES; i++)
			if (e->flags & dns_flag_names[i].bit)
				json_str(&j, NULL, dns_flag_names[i].name);
		json_arr_close(&j);
		json_obj_open(&j, "counts");
		json_uint(&j, "answer", e->count[SEC_ANSWER]);
		json_uint(&j, "authority", e->count[SEC_AUTHORITY]);
		json_uint(&j, "additional", e->count[SEC_ADDITIONAL]);
		json_obj_close(&j);
	}
	if (e == NULL) {
		json_null(&j, "kind");
		json_bool(&j, "wildcard", false);
		json_uint(&j, "cnames", 0);
		json_bool(&j, "dnssec", false);
		json_uint(&j, "rrsigs", 0);
		json_uint(&j, "nsecs", 0);
		json_null(&j, "zone");
		json_null(&j, "cut");
		json_null(&j, "policy");
		json_null(&j, "policy_where");
		json_null(&j, "truncation");
		json_null(&j, "truncation_where");
		json_bool(&j, "legacy_dropped", false);
		json_arr_open(&j, "ns");
		json_arr_close(&j);
		json_uint(&j, "ns_total", 0);
		json_bool(&j, "tc", false);
		json_null(&j, "tc_reason");
		json_null(&j, "fault");
		json_null(&j, "dnssec_fault");
		json_uint(&j, "delay_ms", 0);
		json_null(&j, "ede");
		json_uint(&j, "size", 0);
		json_uint(&j, "limit", 0);
		json_obj_close(&j);
		return json_len(&j);
	}
	bool referral = e->kind == ANSWER_REFERRAL && !dropped;
	json_str(&j, "kind", answer_kind_str(e->kind));
	json_bool(&j, "wildcard", e->wildcard);
	json_uint(&j, "cnames", e->cnames);
	json_bool(&j, "dnssec", e->dnssec);
	json_uint(&j, "rrsigs", e->rrsigs);
	json_uint(&j, "nsecs", e->nsecs);
	j_name(&j, "zone", e->zone);
	j_name(&j, "cut", referral ? e->cut : NULL);
	json_str(&j, "policy", referral ? glue_mode_str(e->policy) : NULL);
	json_str(&j, "policy_where", referral ? j_where(e->policy_where) : NULL);
	json_str(&j, "truncation", trunc_mode_str(e->truncation));
	json_str(&j, "truncation_where", j_where(e->truncation_where));
	json_bool(&j, "legacy_dropped", e->legacy_dropped);
	json_arr_open(&j, "ns");
	size_t n = referral ? (e->nns < EXPLAIN_MAX_NS ? e->nns : EXPLAIN_MAX_NS) : 0;
	for (size_t i = 0; i < n; i++) {
		/* Each entry whole or not at all, keeping room for the rest
		 * of the object, so the line stays valid JSON (ns_total still
		 * says how many there were). */
		json_mark_t m = json_mark(&j);
		const explain_ns_t *ns = &e->ns[i];
		json_obj_open(&j, NULL);
		j_name(&j, "name", ns->name);
		json_str(&j, "class", glue_class_str(ns->cls));
		json_str(&j, "fate", glue_fate_str(ns->fate));
		json_uint(&j, "a", ns->n_a);
		json_uint(&j, "aaaa", ns->n_aaaa);
		json_obj_close(&j);
		if (json_full(&j) || json_len(&j) + LOG_JSON_TAIL >= cap) {
			json_rewind(&j, m);
			break;
		}
	}
	json_arr_close(&j);
	json_uint(&j, "ns_total", referral ? e->ns_total : 0);
	json_bool(&j, "tc", e->tc != TC_NONE);
	json_str(&j, "tc_reason", e->tc != TC_NONE ? tc_reason_str(e->tc) : NULL);
	if (e->fault != NULL) {
		json_obj_open(&j, "fault");
		json_str(&j, "action", fault_action_str(e->fault->action));
		json_str(&j, "where", e->fault->where[0] ? e->fault->where : NULL);
		json_obj_close(&j);
	} else {
		json_null(&j, "fault");
	}
	if (e->dfault != NULL) {
		char what[64];
		json_obj_open(&j, "dnssec_fault");
		json_str(&j, "fault", dnssec_fault_str(e->dfault, what, sizeof(what)));
		json_str(&j, "where", e->dfault->where[0] ? e->dfault->where : NULL);
		json_obj_close(&j);
	} else {
		json_null(&j, "dnssec_fault");
	}
	json_uint(&j, "delay_ms", e->delay_ms);
	if (e->ede_sent && !dropped)
		json_uint(&j, "ede", e->ede);
	else
		json_null(&j, "ede");
	json_uint(&j, "size", dropped ? 0 : e->size);
	json_uint(&j, "limit", dropped ? 0 : e->limit);
	json_obj_close(&j);
	return json_len(&j);
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
