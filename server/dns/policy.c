/*
 * policy.c -- the names of modes, actions and faults, and what a rule or a
 * fault does to one query.
 */
#include "dns/policy.h"

#include <stdatomic.h>
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
