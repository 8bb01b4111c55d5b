/*
 * policy.c -- the names of modes, actions and faults, and what a rule or a
 * fault does to one query.
 */
#include "dns/policy.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "dns/name.h"
#include "dns/status.h"
#include "dns/zone.h"

static const char *const glue_names[] = {
	[GLUE_FULL] = "full",       [GLUE_IN_DOMAIN] = "in-domain", [GLUE_NONE] = "none",
	[GLUE_PARTIAL] = "partial", [GLUE_WRONG] = "wrong",
};
static const char *const trunc_names[] = {
	[TRUNC_RFC9471] = "rfc9471",
	[TRUNC_LEGACY] = "legacy",
	[TRUNC_ALWAYS] = "always",
};
static const char *const fault_names[] = {
	[FAULT_REFUSE] = "refuse", [FAULT_SERVFAIL] = "servfail", [FAULT_DROP] = "drop",
	[FAULT_DELAY] = "delay",   [FAULT_LAME] = "lame",         [FAULT_UPWARD] = "upward",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *lookup(const char *const *names, size_t n, unsigned v)
{
	if (v == 255)
		return "inherit";
	return v < n && names[v] ? names[v] : "?";
}

static int parse(const char *const *names, size_t n, const char *s, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		if (names[i] && strcmp(names[i], s) == 0) {
			*out = (uint8_t)i;
			return ST_OK;
		}
	}
	return ST_EINVAL;
}

const char *glue_mode_str(uint8_t mode) { return lookup(glue_names, N(glue_names), mode); }
const char *trunc_mode_str(uint8_t mode) { return lookup(trunc_names, N(trunc_names), mode); }
const char *fault_action_str(uint8_t action) { return lookup(fault_names, N(fault_names), action); }

int glue_mode_from_str(const char *s, uint8_t *out)
{
	return parse(glue_names, N(glue_names), s, out);
}
int trunc_mode_from_str(const char *s, uint8_t *out)
{
	return parse(trunc_names, N(trunc_names), s, out);
}
int fault_action_from_str(const char *s, uint8_t *out)
{
	return parse(fault_names, N(fault_names), s, out);
}

void fault_ede_default(fault_t *f)
{
	f->has_ede = f->action == FAULT_REFUSE || f->action == FAULT_SERVFAIL;
	f->ede_code = f->action == FAULT_REFUSE ? FAULT_EDE_REFUSE
		      : f->has_ede              ? FAULT_EDE_SERVFAIL
						: 0;
	f->ede_textlen = 0;
	f->ede_text[0] = '\0';
}

bool glue_rule_breaks_rfc(uint8_t mode, uint8_t truncation)
{
	/* in-domain keeps every required glue record: RFC 9471 allows
	 * leaving out sibling glue. "always" only costs a TCP retry, but
	 * RFC 9471/7766 do not ask for it, so it is announced too. */
	return mode == GLUE_NONE || mode == GLUE_PARTIAL || mode == GLUE_WRONG ||
	       truncation == TRUNC_LEGACY || truncation == TRUNC_ALWAYS;
}

/* ---- evaluation ---------------------------------------------------- */

void glue_rule_effective(const zone_t *z, const node_t *cut, const glue_rule_t *server_rule,
			 const glue_rule_t **glue, uint8_t *truncation)
{
	const glue_rule_t *levels[2] = { cut ? cut->rule : NULL, zone_rule(z) };
	*glue = server_rule;
	*truncation = server_rule->truncation;
	bool glue_set = false, trunc_set = false;
	for (int i = 0; i < 2; i++) {
		const glue_rule_t *r = levels[i];
		if (!r)
			continue;
		if (!glue_set && r->mode != GLUE_INHERIT)
			*glue = r, glue_set = true;
		if (!trunc_set && r->truncation != TRUNC_INHERIT)
			*truncation = r->truncation, trunc_set = true;
	}
}

bool glue_rule_keeps(const glue_rule_t *r, const glue_t *g, uint16_t index)
{
	if (g->cls == GLUE_CLASS_OUT_OF_ZONE)
		return false;
	switch (r->mode) {
	case GLUE_NONE:
		return false;
	case GLUE_IN_DOMAIN:
		return g->cls == GLUE_CLASS_IN_DOMAIN;
	case GLUE_PARTIAL:
		if (r->first)
			return index < r->first;
		for (uint8_t i = 0; i < r->nnames; i++)
			if (name_equal(r->names[i], g->name))
				return true;
		return false;
	default:
		return true; /* full, and wrong (which rewrites what it adds) */
	}
}

const fault_rt_t *fault_firing(fault_rt_t *f, size_t n, const uint8_t *lname, uint16_t qtype)
{
	for (size_t i = 0; i < n; i++) {
		if (f[i].f.type && f[i].f.type != qtype)
			continue;
		if (f[i].f.has_name && !name_is_sub(lname, f[i].f.name))
			continue;
		uint32_t seen = atomic_fetch_add_explicit(&f[i].seen, 1, memory_order_relaxed) + 1;
		if (seen % f[i].f.every == 0)
			return &f[i];
	}
	return NULL;
}

/* ---- DNSSEC specs and faults ---------------------------------------------- */

void dnssec_spec_inherit(dnssec_spec_t *to, const dnssec_spec_t *from)
{
	if (to->mode == DNSSEC_INHERIT)
		to->mode = from->mode;
	if (to->algorithm == 0)
		to->algorithm = from->algorithm;
	if (to->denial == DNSSEC_DENIAL_INHERIT)
		to->denial = from->denial;
	if (to->optout == 0)
		to->optout = from->optout;
	if (!to->has_iterations) {
		to->has_iterations = from->has_iterations;
		to->iterations = from->iterations;
	}
	if (!to->has_salt) {
		to->has_salt = from->has_salt;
		to->saltlen = from->saltlen;
		memcpy(to->salt, from->salt, from->saltlen);
	}
	if (to->validity == 0)
		to->validity = from->validity;
	if (to->keydir == NULL)
		to->keydir = from->keydir;
}

void dnssec_spec_effective(const dnssec_spec_t *server, const dnssec_spec_t *zone,
			   dnssec_spec_t *out)
{
	*out = *zone;
	dnssec_spec_inherit(out, server);
	if (out->mode == DNSSEC_INHERIT)
		out->mode = DNSSEC_OFF;
	if (out->algorithm == 0)
		out->algorithm = DNSSEC_DEFAULT_ALG;
	if (out->denial == DNSSEC_DENIAL_INHERIT)
		out->denial = DNSSEC_DENIAL_NSEC;
	if (out->optout == 0)
		out->optout = 1;
	if (!out->has_iterations) {
		out->has_iterations = true;
		out->iterations = 0;
	}
	if (!out->has_salt) {
		out->has_salt = true;
		out->saltlen = 0;
	}
	if (out->validity == 0)
		out->validity = DNSSEC_DEFAULT_VALIDITY;
}

static const struct {
	uint8_t kind, value;
	const char *key, *text;
} dfault_names[] = {
	{ DF_DS, DF_DS_MISMATCH, "ds", "mismatch" },
	{ DF_DS, DF_DS_MISSING, "ds", "missing" },
	{ DF_DS, DF_DS_UNKNOWN_DIGEST, "ds", "unknown-digest" },
	{ DF_DS, DF_DS_UNKNOWN_ALG, "ds", "unknown-algorithm" },
	{ DF_RRSIG, DF_RRSIG_EXPIRED, "rrsig", "expired" },
	{ DF_RRSIG, DF_RRSIG_NOT_YET_VALID, "rrsig", "not-yet-valid" },
	{ DF_RRSIG, DF_RRSIG_BOGUS, "rrsig", "bogus" },
	{ DF_RRSIG, DF_RRSIG_MISSING, "rrsig", "missing" },
	{ DF_DNSKEY, DF_DNSKEY_MISSING, "dnskey", "missing" },
	{ DF_DNSKEY, DF_DNSKEY_UNSUPPORTED_ALG, "dnskey", "unsupported-algorithm" },
	{ DF_DNSKEY, DF_DNSKEY_NO_SEP, "dnskey", "no-sep" },
	{ DF_DENIAL, DF_DENIAL_MISSING, "denial", "missing" },
	{ DF_DENIAL, DF_DENIAL_WRONG, "denial", "wrong" },
	{ DF_NSEC3, DF_NSEC3_ITERATIONS, "nsec3", "iterations" },
};

int fault_delay_parse(const char *key, const char *s, uint32_t *ms, char *msg, size_t cap)
{
	const char *p = s;
	unsigned long long val = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		/* Saturate: anything this large is refused below anyway. */
		if (val <= FAULT_DELAY_MAX_MS)
			val = val * 10 + (unsigned)(*p - '0');
	}
	unsigned long long scale = 0;
	if (p != s && strcmp(p, "ms") == 0)
		scale = 1;
	else if (p != s && strcmp(p, "s") == 0)
		scale = 1000;
	if (scale == 0) {
		snprintf(msg, cap,
			 "expected a duration with units for '%s' (250ms, 2s), got '%.100s'", key,
			 s);
		return ST_EINVAL;
	}
	val *= scale;
	if (val < 1 || val > FAULT_DELAY_MAX_MS) {
		snprintf(msg, cap, "'%s' must be from 1ms to %us, got '%.100s'", key,
			 FAULT_DELAY_MAX_MS / 1000, s);
		return ST_EINVAL;
	}
	*ms = (uint32_t)val;
	return ST_OK;
}

int dnssec_fault_parse(const char *key, const char *value, dnssec_fault_t *f, char *msg, size_t cap)
{
	char expected[160] = "";
	size_t len = 0;
	bool known_key = false;
	for (size_t i = 0; i < N(dfault_names); i++) {
		if (strcmp(dfault_names[i].key, key) != 0)
			continue;
		known_key = true;
		len += (size_t)snprintf(expected + len, sizeof(expected) - len, "%s%s",
					len ? ", " : "", dfault_names[i].text);
		if (len >= sizeof(expected))
			len = sizeof(expected) - 1;
		if (dfault_names[i].kind == DF_NSEC3) {
			const char *p = value;
			if (strncmp(p, "iterations", 10) != 0 || (p[10] != ' ' && p[10] != '\t'))
				continue;
			p += 10;
			while (*p == ' ' || *p == '\t')
				p++;
			unsigned long n = 0;
			const char *d = p;
			while (*d >= '0' && *d <= '9' && n <= 2500)
				n = n * 10 + (unsigned long)(*d++ - '0');
			if (d == p || *d != '\0' || n < 1 || n > 2500) {
				snprintf(
					msg, cap,
					"expected 'iterations N' (N 1..2500) for 'nsec3', got '%.60s'",
					value);
				return ST_EINVAL;
			}
			f->kind = DF_NSEC3;
			f->value = DF_NSEC3_ITERATIONS;
			f->iterations = (uint16_t)n;
			return ST_OK;
		}
		if (strcmp(dfault_names[i].text, value) == 0) {
			f->kind = dfault_names[i].kind;
			f->value = dfault_names[i].value;
			return ST_OK;
		}
	}
	if (!known_key)
		snprintf(msg, cap,
			 "'%.40s' is not a DNSSEC fault (ds, rrsig, dnskey, denial, nsec3)", key);
	else if (strcmp(key, "nsec3") == 0)
		snprintf(msg, cap, "expected 'iterations N' (N 1..2500) for 'nsec3', got '%.60s'",
			 value);
	else
		snprintf(msg, cap, "expected %s for '%s', got '%.60s'", expected, key, value);
	return ST_EINVAL;
}

const char *dnssec_fault_str(const dnssec_fault_t *f, char *buf, size_t cap)
{
	for (size_t i = 0; i < N(dfault_names); i++) {
		if (dfault_names[i].kind != f->kind || dfault_names[i].value != f->value)
			continue;
		if (f->kind == DF_NSEC3)
			snprintf(buf, cap, "nsec3: iterations %u", f->iterations);
		else
			snprintf(buf, cap, "%s: %s", dfault_names[i].key, dfault_names[i].text);
		return buf;
	}
	snprintf(buf, cap, "?");
	return buf;
}
