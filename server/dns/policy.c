#include "dns/policy.h"

#include <string.h>

#include "dns/status.h"

static const char *const glue_names[] = {
	[GLUE_FULL] = "full", [GLUE_IN_DOMAIN] = "in-domain", [GLUE_NONE] = "none",
	[GLUE_PARTIAL] = "partial", [GLUE_WRONG] = "wrong",
};
static const char *const trunc_names[] = {
	[TRUNC_RFC9471] = "rfc9471", [TRUNC_LEGACY] = "legacy", [TRUNC_ALWAYS] = "always",
};
static const char *const fault_names[] = {
	[FAULT_REFUSE] = "refuse", [FAULT_SERVFAIL] = "servfail", [FAULT_DROP] = "drop",
	[FAULT_DELAY] = "delay", [FAULT_LAME] = "lame", [FAULT_UPWARD] = "upward",
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

int glue_mode_from_str(const char *s, uint8_t *out) { return parse(glue_names, N(glue_names), s, out); }
int trunc_mode_from_str(const char *s, uint8_t *out) { return parse(trunc_names, N(trunc_names), s, out); }
int fault_action_from_str(const char *s, uint8_t *out) { return parse(fault_names, N(fault_names), s, out); }

bool glue_rule_breaks_rfc(uint8_t mode, uint8_t truncation)
{
	/* in-domain keeps every required glue record: RFC 9471 allows
	 * leaving out sibling glue. "always" only costs a TCP retry, but
	 * RFC 9471/7766 do not ask for it, so it is announced too. */
	return mode == GLUE_NONE || mode == GLUE_PARTIAL || mode == GLUE_WRONG ||
	       truncation == TRUNC_LEGACY || truncation == TRUNC_ALWAYS;
}
