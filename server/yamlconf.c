#include "yamlconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/tsig.h"
#include "dns/xfr.h"
#include "dnssec/key.h"

typedef struct yctx {
	yaml_document_t doc;
	const char *path; /* as given: for messages */
	const char *base; /* its last component: for where strings */
	size_t dirlen;    /* bytes of path up to and including the last '/' */
	char *err;
	size_t errcap;
	srvconf_t *sc;
} yctx_t;

static unsigned line_of(const yaml_node_t *n) { return (unsigned)n->start_mark.line + 1; }

__attribute__((format(printf, 3, 4))) static int yfail(yctx_t *y, const yaml_node_t *n,
						       const char *fmt, ...)
{
	if (y->errcap == 0)
		return ST_EINVAL;
	int k = snprintf(y->err, y->errcap, "%s:%u: ", y->path, line_of(n));
	if (k >= 0 && (size_t)k < y->errcap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(y->err + k, y->errcap - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return ST_EINVAL;
}

static int nomem(yctx_t *y)
{
	snprintf(y->err, y->errcap, "%s: out of memory", y->path);
	return ST_ENOMEM;
}

static void where_of(const yctx_t *y, const yaml_node_t *n, char where[CONFIG_WHERE_MAX])
{
	snprintf(where, CONFIG_WHERE_MAX, "%.80s:%u", y->base, line_of(n));
}

static yaml_node_t *node(yctx_t *y, int id) { return yaml_document_get_node(&y->doc, id); }

static const char *sval(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

/* A plain empty scalar, ~ or null: "no value" (a key with nothing after it). */
static bool is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *v = sval(n);
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* What a node is, for "expected X, got Y". */
static const char *describe(const yaml_node_t *n, char *buf, size_t cap)
{
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (is_null(n))
		return "nothing";
	snprintf(buf, cap, "'%.100s'", sval(n));
	return buf;
}

/* ---- mappings ------------------------------------------------------------- */

/* Every key of map is a scalar from allowed (NULL-terminated), once. */
static int check_map(yctx_t *y, const yaml_node_t *map, const char *what,
		     const char *const *allowed)
{
	char dbuf[128];
	if (map->type != YAML_MAPPING_NODE)
		return yfail(y, map, "expected %s (key: value lines), got %s", what,
			     describe(map, dbuf, sizeof(dbuf)));
	const yaml_node_pair_t *start = map->data.mapping.pairs.start;
	for (const yaml_node_pair_t *p = start; p < map->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(y, p->key);
		if (k->type != YAML_SCALAR_NODE)
			return yfail(y, k, "expected a key name in %s, got %s", what,
				     describe(k, dbuf, sizeof(dbuf)));
		bool known = false;
		for (size_t i = 0; allowed[i] != NULL && !known; i++)
			known = strcmp(allowed[i], sval(k)) == 0;
		if (!known) {
			char list[512];
			size_t len = 0;
			for (size_t i = 0; allowed[i] != NULL && len < sizeof(list); i++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
							i ? ", " : "", allowed[i]);
			return yfail(y, k, "unknown key '%.100s' in %s (expected one of: %s)",
				     sval(k), what, list);
		}
		for (const yaml_node_pair_t *q = start; q < p; q++) {
			const yaml_node_t *qk = node(y, q->key);
			if (strcmp(sval(qk), sval(k)) == 0)
				return yfail(y, k, "duplicate key '%s' in %s (first at line %u)",
					     sval(k), what, line_of(qk));
		}
	}
	return 0;
}

/* The value of key in map (checked by check_map), or NULL. */
static yaml_node_t *get(yctx_t *y, const yaml_node_t *map, const char *key)
{
	for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		if (strcmp(sval(node(y, p->key)), key) == 0)
			return node(y, p->value);
	}
	return NULL;
}

/* ---- lists ---------------------------------------------------------------- */

/* Items of a list value. Nothing (null) is an empty list; with
 * allow_scalar, a single value stands for a list of one. */
static int get_list(yctx_t *y, const yaml_node_t *v, const char *key, bool allow_scalar, size_t *n)
{
	char dbuf[128];
	if (v->type == YAML_SEQUENCE_NODE) {
		*n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
		return 0;
	}
	if (is_null(v)) {
		*n = 0;
		return 0;
	}
	if (allow_scalar && v->type == YAML_SCALAR_NODE) {
		*n = 1;
		return 0;
	}
	return yfail(y, v, "expected a list for '%s' (- item lines, or [a, b]), got %s", key,
		     describe(v, dbuf, sizeof(dbuf)));
}

static yaml_node_t *list_at(yctx_t *y, yaml_node_t *v, size_t i)
{
	if (v->type == YAML_SEQUENCE_NODE)
		return node(y, v->data.sequence.items.start[i]);
	return v;
}

/* ---- scalars -------------------------------------------------------------- */

static int get_str(yctx_t *y, const yaml_node_t *v, const char *key, const char **out)
{
	char dbuf[128];
	if (v->type != YAML_SCALAR_NODE || is_null(v))
		return yfail(y, v, "expected a value for '%s', got %s", key,
			     describe(v, dbuf, sizeof(dbuf)));
	if (sval(v)[0] == '\0')
		return yfail(y, v, "'%s' is empty", key);
	*out = sval(v);
	return 0;
}

static int get_uint(yctx_t *y, const yaml_node_t *v, const char *key, unsigned long min,
		    unsigned long max, unsigned long *out)
{
	const char *s = NULL;
	char msg[256];
	int r = get_str(y, v, key, &s);
	if (r < 0)
		return r;
	if (config_uint_parse(key, s, min, max, out, msg, sizeof(msg)) < 0)
		return yfail(y, v, "%s", msg);
	return 0;
}

/* A domain name, absolute whether or not it ends in a dot; lowercased. */
static int get_name(yctx_t *y, const yaml_node_t *v, const char *key, uint8_t out[NAME_MAXLEN])
{
	const char *s = NULL;
	char msg[512];
	int r = get_str(y, v, key, &s);
	if (r < 0)
		return r;
	if (config_name_parse(key, s, out, msg, sizeof(msg)) < 0)
		return yfail(y, v, "%s", msg);
	return 0;
}

static int get_duration_ms(yctx_t *y, const yaml_node_t *v, const char *key, uint32_t *ms)
{
	const char *s = NULL;
	int r = get_str(y, v, key, &s);
	if (r < 0)
		return r;
	char msg[256];
	if (fault_delay_parse(key, s, ms, msg, sizeof(msg)) != ST_OK)
		return yfail(y, v, "%s", msg);
	return 0;
}

/* [a-z0-9-]+ (servers), or with upper case, '.' and '_' too (scenarios). */
static bool is_ident(const char *s, bool loose)
{
	if (s[0] == '\0' || strlen(s) > 63)
		return false;
	for (const char *p = s; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
			  (loose && ((*p >= 'A' && *p <= 'Z') || *p == '.' || *p == '_'));
		if (!ok)
			return false;
	}
	return true;
}

/* ---- rules and faults ----------------------------------------------------- */

#define RULE_KEYS "glue", "glue-first", "glue-names", "glue-address", "truncation"

/* A path relative to the YAML file's directory (absolute ones stay). */
static int rel_path(yctx_t *y, const char *file, char **out)
{
	if (file[0] != '/' && y->dirlen > 0) {
		size_t flen = strlen(file);
		char *p = malloc(y->dirlen + flen + 1);
		if (p == NULL)
			return nomem(y);
		memcpy(p, y->path, y->dirlen);
		memcpy(p + y->dirlen, file, flen + 1);
		*out = p;
	} else if ((*out = strdup(file)) == NULL) {
		return nomem(y);
	}
	return 0;
}

static int get_bool(yctx_t *y, const yaml_node_t *v, const char *key, bool *out)
{
	const char *s = NULL;
	int r = get_str(y, v, key, &s);
	if (r < 0)
		return r;
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
		*out = false;
	else
		return yfail(y, v, "expected true or false for '%s', got '%.100s'", key, s);
	return 0;
}

/* RRSIG validity: 30d, 12h, 1h30m, 3600 (seconds), as a zone file's TTLs
 * are written; 1 hour to 10 years. */
static int get_validity(yctx_t *y, const yaml_node_t *v, uint32_t *out)
{
	const char *s = NULL;
	uint32_t val = 0;
	int r = get_str(y, v, "validity", &s);
	if (r < 0)
		return r;
	if (rdata_ttl_from_text(s, strlen(s), &val) != 0 || val < 3600 || val > 3650u * 86400u)
		return yfail(y, v,
			     "expected a validity from 1h to 3650d for 'validity' (30d, 12h, "
			     "3600), got '%.100s'",
			     s);
	*out = val;
	return 0;
}

static const char *const dnssec_keys[] = { "algorithm", "denial",   "iterations", "salt",
					   "opt-out",   "validity", "keys",       NULL };

/* The mapping form of dnssec: (it means sign). */
static int parse_dnssec_map(yctx_t *y, const yaml_node_t *d, dnssec_spec_t *spec)
{
	const char *s;
	int r;
	if ((r = check_map(y, d, "'dnssec'", dnssec_keys)) < 0)
		return r;
	spec->mode = DNSSEC_SIGN;
	const yaml_node_t *v;
	if ((v = get(y, d, "algorithm")) != NULL) {
		if ((r = get_str(y, v, "algorithm", &s)) < 0)
			return r;
		int alg = dnssec_alg_parse(s);
		if (alg < 0)
			return yfail(y, v,
				     "expected ecdsap256sha256 (13), ed25519 (15) or rsasha256 (8) "
				     "for 'algorithm', got '%.100s'",
				     s);
		spec->algorithm = (uint8_t)alg;
	}
	if ((v = get(y, d, "denial")) != NULL) {
		if ((r = get_str(y, v, "denial", &s)) < 0)
			return r;
		if (strcmp(s, "nsec") == 0)
			spec->denial = DNSSEC_DENIAL_NSEC;
		else if (strcmp(s, "nsec3") == 0)
			spec->denial = DNSSEC_DENIAL_NSEC3;
		else
			return yfail(y, v, "expected nsec or nsec3 for 'denial', got '%.100s'", s);
	}
	if ((v = get(y, d, "iterations")) != NULL) {
		unsigned long n;
		if ((r = get_uint(y, v, "iterations", 0, 2500, &n)) < 0)
			return r;
		spec->has_iterations = true;
		spec->iterations = (uint16_t)n;
	}
	if ((v = get(y, d, "salt")) != NULL) {
		if ((r = get_str(y, v, "salt", &s)) < 0)
			return r;
		size_t len = strcmp(s, "-") == 0 ? 0 : strlen(s);
		if (len % 2 != 0 || len / 2 > sizeof(spec->salt))
			return yfail(y, v,
				     "expected hex digits (an even number, at most 510) or - for "
				     "'salt', got '%.100s'",
				     s);
		for (size_t i = 0; i < len; i += 2) {
			int hi = rdata_hexval((unsigned char)s[i]),
			    lo = rdata_hexval((unsigned char)s[i + 1]);
			if (hi < 0 || lo < 0)
				return yfail(y, v,
					     "expected hex digits or - for 'salt', got '%.100s'",
					     s);
			spec->salt[i / 2] = (uint8_t)(hi << 4 | lo);
		}
		spec->has_salt = true;
		spec->saltlen = (uint8_t)(len / 2);
	}
	if ((v = get(y, d, "opt-out")) != NULL) {
		bool b = false;
		if ((r = get_bool(y, v, "opt-out", &b)) < 0)
			return r;
		spec->optout = b ? 2 : 1;
	}
	if ((v = get(y, d, "validity")) != NULL && (r = get_validity(y, v, &spec->validity)) < 0)
		return r;
	if ((v = get(y, d, "keys")) != NULL) {
		char *dir;
		if ((r = get_str(y, v, "keys", &s)) < 0 || (r = rel_path(y, s, &dir)) < 0)
			return r;
		spec->keydir = dir;
	}
	return 0;
}

/* dnssec: sign | off | a mapping, at the top, server and zone level. */
static int parse_dnssec(yctx_t *y, const yaml_node_t *map, dnssec_spec_t *spec)
{
	const yaml_node_t *d = get(y, map, "dnssec");
	const char *s;
	int r;
	*spec = (dnssec_spec_t){ 0 };
	if (d == NULL)
		return 0;
	if (d->type == YAML_MAPPING_NODE)
		return parse_dnssec_map(y, d, spec);
	if ((r = get_str(y, d, "dnssec", &s)) < 0)
		return r;
	if (strcmp(s, "sign") == 0)
		spec->mode = DNSSEC_SIGN;
	else if (strcmp(s, "off") == 0)
		spec->mode = DNSSEC_OFF;
	else
		return yfail(y, d,
			     "expected sign, off or a mapping (algorithm, denial, ...) for "
			     "'dnssec', got '%.100s'",
			     s);
	return 0;
}

#define DFAULT_ZONE_KEYS "rrsig", "dnskey", "denial", "nsec3", "ds"
#define DFAULT_DELEG_KEYS "ds", "rrsig"

/*
 * The DNSSEC faults of one zone map (at_cut NULL) or delegation map, added
 * to *list. signs: whether the zone they break is signed.
 */
static int parse_dfaults(yctx_t *y, const yaml_node_t *map, const uint8_t *at_cut, bool signs,
			 dnssec_fault_t **list, size_t *n)
{
	static const char *const zone_keys[] = { DFAULT_ZONE_KEYS, NULL };
	static const char *const deleg_keys[] = { DFAULT_DELEG_KEYS, NULL };
	const char *const *keys = at_cut ? deleg_keys : zone_keys;
	for (size_t k = 0; keys[k] != NULL; k++) {
		const yaml_node_t *v = get(y, map, keys[k]);
		const char *s;
		char msg[200];
		int r;
		if (v == NULL)
			continue;
		if ((r = get_str(y, v, keys[k], &s)) < 0)
			return r;
		if (at_cut == NULL && strcmp(keys[k], "ds") == 0)
			return yfail(y, v,
				     "'ds' is the parent's data: set it on the delegation in the "
				     "parent zone (delegations: - name: ..., ds: %.60s)",
				     s);
		dnssec_fault_t f = { 0 };
		if (dnssec_fault_parse(keys[k], s, &f, msg, sizeof(msg)) != ST_OK)
			return yfail(y, v, "%s", msg);
		if (!signs)
			return yfail(
				y, v,
				"'%s: %.60s' breaks a signed zone, and this zone is not signed: "
				"add 'dnssec: sign' to it or to its server",
				keys[k], s);
		if (at_cut) {
			f.at_cut = true;
			memcpy(f.cut, at_cut, name_len(at_cut));
		}
		where_of(y, v, f.where);
		dnssec_fault_t *p = realloc(*list, (*n + 1) * sizeof(*p));
		if (p == NULL)
			return nomem(y);
		*list = p;
		p[(*n)++] = f;
	}
	return 0;
}

static int parse_rule(yctx_t *y, const yaml_node_t *map, glue_rule_t *rule)
{
	const yaml_node_t *g = get(y, map, "glue"), *first = get(y, map, "glue-first");
	yaml_node_t *names = get(y, map, "glue-names"), *addr = get(y, map, "glue-address");
	const yaml_node_t *tr = get(y, map, "truncation");
	const char *s = NULL;
	int r;

	*rule = GLUE_RULE_INHERIT;
	if (g != NULL) {
		if ((r = get_str(y, g, "glue", &s)) < 0)
			return r;
		if (glue_mode_from_str(s, &rule->mode) < 0)
			return yfail(
				y, g,
				"expected full, in-domain, none, partial or wrong for 'glue', got '%.100s'",
				s);
	}
	if (tr != NULL) {
		if ((r = get_str(y, tr, "truncation", &s)) < 0)
			return r;
		if (trunc_mode_from_str(s, &rule->truncation) < 0)
			return yfail(
				y, tr,
				"expected rfc9471, legacy or always for 'truncation', got '%.100s'",
				s);
	}
	/* The partial and wrong details apply to the mode set at this level. */
	if (first != NULL && rule->mode != GLUE_PARTIAL)
		return yfail(y, first, "'glue-first' needs 'glue: partial' in the same place");
	if (names != NULL && rule->mode != GLUE_PARTIAL)
		return yfail(y, names, "'glue-names' needs 'glue: partial' in the same place");
	if (addr != NULL && rule->mode != GLUE_WRONG)
		return yfail(y, addr, "'glue-address' needs 'glue: wrong' in the same place");
	if (rule->mode == GLUE_PARTIAL) {
		if (first == NULL && names == NULL)
			return yfail(
				y, g,
				"'glue: partial' needs glue-first (keep the glue of the first N NS "
				"names) or glue-names (keep the glue of these NS names)");
		if (first != NULL && names != NULL)
			return yfail(y, names, "give glue-first or glue-names, not both");
	}
	if (first != NULL) {
		unsigned long v;
		if ((r = get_uint(y, first, "glue-first", 1, 65535, &v)) < 0)
			return r;
		rule->first = (uint16_t)v;
	}
	if (names != NULL) {
		size_t n;
		if ((r = get_list(y, names, "glue-names", true, &n)) < 0)
			return r;
		if (n == 0)
			return yfail(y, names, "'glue-names' needs at least one NS name");
		if (n > RULE_MAX_NAMES)
			return yfail(y, names, "'glue-names' takes at most %d names, got %zu",
				     RULE_MAX_NAMES, n);
		for (size_t i = 0; i < n; i++) {
			if ((r = get_name(y, list_at(y, names, i), "glue-names",
					  rule->names[rule->nnames])) < 0)
				return r;
			rule->nnames++;
		}
	}
	if (rule->mode == GLUE_WRONG) {
		size_t n = 0;
		if (addr == NULL)
			return yfail(
				y, g,
				"'glue: wrong' needs glue-address (the IPv4 and/or IPv6 address "
				"the glue is rewritten to)");
		if ((r = get_list(y, addr, "glue-address", true, &n)) < 0)
			return r;
		if (n == 0)
			return yfail(y, addr, "'glue-address' needs an IPv4 or IPv6 address");
		for (size_t i = 0; i < n; i++) {
			const yaml_node_t *a = list_at(y, addr, i);
			if ((r = get_str(y, a, "glue-address", &s)) < 0)
				return r;
			if (inet_pton(AF_INET, s, rule->wrong_a) == 1) {
				if (rule->has_wrong_a)
					return yfail(
						y, a,
						"'glue-address' takes one IPv4 address at most");
				rule->has_wrong_a = true;
			} else if (inet_pton(AF_INET6, s, rule->wrong_aaaa) == 1) {
				if (rule->has_wrong_aaaa)
					return yfail(
						y, a,
						"'glue-address' takes one IPv6 address at most");
				rule->has_wrong_aaaa = true;
			} else {
				return yfail(
					y, a,
					"expected an IPv4 or IPv6 address for 'glue-address', got '%.100s'",
					s);
			}
		}
	}
	return 0;
}

static const char *const fault_keys[] = { "action", "name", "type",     "every", "delay",
					  "upward", "ede",  "ede-text", NULL };

/* ede: and ede-text: of a refuse or servfail fault (RFC 8914). Without
 * ede: the action's default code, without ede-text: no text; ede: none
 * sends no EDE at all. */
static int parse_fault_ede(yctx_t *y, const yaml_node_t *ede, const yaml_node_t *text, fault_t *f)
{
	const char *s = NULL;
	int r;
	bool fits = f->action == FAULT_REFUSE || f->action == FAULT_SERVFAIL;
	if (ede != NULL && !fits)
		return yfail(y, ede, "'ede' only goes with 'action: refuse' or 'action: servfail'");
	if (text != NULL && !fits)
		return yfail(y, text,
			     "'ede-text' only goes with 'action: refuse' or 'action: servfail'");
	fault_ede_default(f);
	if (!fits)
		return 0;
	if (ede != NULL) {
		if ((r = get_str(y, ede, "ede", &s)) < 0)
			return r;
		if (strcmp(s, "none") == 0) {
			if (text != NULL)
				return yfail(y, text,
					     "'ede-text' needs an EDE code, not 'ede: none'");
			f->has_ede = false;
			return 0;
		}
		unsigned long v;
		bool digits = s[0] != '\0';
		for (const char *p = s; *p && digits; p++)
			digits = *p >= '0' && *p <= '9';
		if (!digits)
			return yfail(
				y, ede,
				"expected an EDE code (0 to 65535, RFC 8914) or none for 'ede', "
				"got '%.100s'",
				s);
		if ((r = get_uint(y, ede, "ede", 0, 65535, &v)) < 0)
			return r;
		f->ede_code = (uint16_t)v;
	}
	if (text != NULL) {
		if ((r = get_str(y, text, "ede-text", &s)) < 0)
			return r;
		size_t len = strlen(s);
		if (len > EDE_TEXT_MAX)
			return yfail(y, text, "'ede-text' is %zu bytes, at most %d are sent", len,
				     EDE_TEXT_MAX);
		/* libyaml has checked the UTF-8; keep it one printable line. */
		for (const char *p = s; *p; p++) {
			if ((unsigned char)*p < 0x20 || *p == 0x7F)
				return yfail(y, text,
					     "'ede-text' must be one line without control "
					     "characters");
		}
		memcpy(f->ede_text, s, len + 1);
		f->ede_textlen = (uint8_t)len;
	}
	return 0;
}

static int parse_fault(yctx_t *y, const yaml_node_t *map, fault_t *f)
{
	const char *s = NULL;
	int r;

	if ((r = check_map(y, map, "a fault", fault_keys)) < 0)
		return r;
	memset(f, 0, sizeof(*f));
	f->every = 1;
	const yaml_node_t *action = get(y, map, "action"), *name = get(y, map, "name");
	const yaml_node_t *type = get(y, map, "type"), *every = get(y, map, "every");
	const yaml_node_t *delay = get(y, map, "delay");
	yaml_node_t *upward = get(y, map, "upward");
	const yaml_node_t *ede = get(y, map, "ede"), *ede_text = get(y, map, "ede-text");

	if (action == NULL)
		return yfail(
			y, map,
			"a fault needs an 'action' (refuse, servfail, drop, delay, lame or upward)");
	if ((r = get_str(y, action, "action", &s)) < 0)
		return r;
	if (fault_action_from_str(s, &f->action) < 0)
		return yfail(y, action,
			     "expected refuse, servfail, drop, delay, lame or upward for 'action', "
			     "got '%.100s'",
			     s);
	if (name != NULL) {
		if ((r = get_name(y, name, "name", f->name)) < 0)
			return r;
		f->has_name = true;
	}
	if (type != NULL) {
		if ((r = get_str(y, type, "type", &s)) < 0)
			return r;
		if (rrtype_from_text(s, strlen(s), &f->type) < 0 || f->type == 0)
			return yfail(
				y, type,
				"expected a record type for 'type' (A, AAAA, NS, ...), got '%.100s'",
				s);
	}
	if (every != NULL) {
		unsigned long v;
		if ((r = get_uint(y, every, "every", 1, UINT32_MAX, &v)) < 0)
			return r;
		f->every = (uint32_t)v;
	}
	if (delay != NULL && f->action != FAULT_DELAY)
		return yfail(y, delay, "'delay' only goes with 'action: delay'");
	if (f->action == FAULT_DELAY) {
		if (delay == NULL)
			return yfail(y, action, "'action: delay' needs 'delay' (250ms, 2s)");
		if ((r = get_duration_ms(y, delay, "delay", &f->delay_ms)) < 0)
			return r;
	}
	if (upward != NULL && f->action != FAULT_UPWARD)
		return yfail(y, upward, "'upward' only goes with 'action: upward'");
	if (upward != NULL) {
		size_t n;
		if ((r = get_list(y, upward, "upward", true, &n)) < 0)
			return r;
		if (n == 0)
			return yfail(y, upward, "'upward' needs at least one NS name");
		if (n > RULE_MAX_NAMES)
			return yfail(y, upward, "'upward' takes at most %d names, got %zu",
				     RULE_MAX_NAMES, n);
		for (size_t i = 0; i < n; i++) {
			if ((r = get_name(y, list_at(y, upward, i), "upward", f->upward[i])) < 0)
				return r;
			f->nupward++;
		}
	}
	if ((r = parse_fault_ede(y, ede, ede_text, f)) < 0)
		return r;
	where_of(y, map, f->where);
	return 0;
}

/* The faults: list of a server or a zone. */
static int parse_faults(yctx_t *y, yaml_node_t *v, const fault_t **out, size_t *nout)
{
	size_t n;
	int r = get_list(y, v, "faults", false, &n);
	if (r < 0 || n == 0)
		return r;
	fault_t *f = calloc(n, sizeof(*f));
	if (f == NULL)
		return nomem(y);
	*out = f;
	for (size_t i = 0; i < n; i++) {
		if ((r = parse_fault(y, list_at(y, v, i), &f[i])) < 0)
			return r;
	}
	*nout = n;
	return 0;
}

/* ---- zones and servers ---------------------------------------------------- */

static const char *const deleg_keys[] = { "name", RULE_KEYS, DFAULT_DELEG_KEYS, NULL };

static int parse_delegations(yctx_t *y, yaml_node_t *v, const uint8_t *origin, zone_spec_t *z,
			     bool signs, dnssec_fault_t **dfaults)
{
	size_t n;
	int r = get_list(y, v, "delegations", false, &n);
	if (r < 0 || n == 0)
		return r;
	deleg_spec_t *d = calloc(n, sizeof(*d));
	if (d == NULL)
		return nomem(y);
	z->delegs = d;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *map = list_at(y, v, i);
		if ((r = check_map(y, map, "a delegation", deleg_keys)) < 0)
			return r;
		const yaml_node_t *name = get(y, map, "name");
		if (name == NULL)
			return yfail(y, map,
				     "a delegation needs a 'name' (the zone cut, e.g. child.lab.)");
		if ((r = get_name(y, name, "name", d[i].name)) < 0)
			return r;
		if (origin != NULL &&
		    (!name_is_sub(d[i].name, origin) || name_equal(d[i].name, origin))) {
			char o[NAME_TEXT_MAX];
			name_to_text(origin, o, sizeof(o));
			return yfail(y, name, "delegation %s is not below the zone's origin %s",
				     sval(name), o);
		}
		for (size_t k = 0; k < i; k++) {
			if (name_equal(d[k].name, d[i].name))
				return yfail(y, name, "delegation %s is listed twice (first at %s)",
					     sval(name), d[k].where);
		}
		if ((r = parse_rule(y, map, &d[i].rule)) < 0 ||
		    (r = parse_dfaults(y, map, d[i].name, signs, dfaults, &z->ndfaults)) < 0)
			return r;
		where_of(y, map, d[i].where);
		z->ndelegs++;
	}
	return 0;
}

static const char *const zone_keys[] = { "file",    "origin",         RULE_KEYS,  "dnssec",
					 "faults",  "delegations",    "transfer", "notify",
					 "primary", DFAULT_ZONE_KEYS, NULL };

/* One address or prefix of a list. */
static int get_addr(yctx_t *y, const yaml_node_t *v, const char *key, bool prefix, xfr_addr_t *out)
{
	const char *s = NULL;
	char msg[200];
	int r = get_str(y, v, key, &s);
	if (r < 0)
		return r;
	if (xfr_addr_parse(s, prefix, XFR_PORT, out, msg, sizeof(msg)) < 0)
		return yfail(y, v, "%s: %s", key, msg);
	return 0;
}

static int get_addrs(yctx_t *y, yaml_node_t *v, const char *key, bool prefix, xfr_addr_t *out,
		     size_t max, size_t *nout)
{
	size_t n;
	int r = get_list(y, v, key, true, &n);
	if (r < 0)
		return r;
	if (n > max)
		return yfail(y, v, "'%s' lists %zu addresses; at most %zu", key, n, max);
	for (size_t i = 0; i < n; i++)
		if ((r = get_addr(y, list_at(y, v, i), key, prefix, &out[i])) < 0)
			return r;
	*nout = n;
	return 0;
}

/* transfer: {allow, tsig}, notify: [...], primary: ADDR: the zone's
 * transfers (dns/xfr.h). */
static const char *const transfer_keys[] = { "allow", "tsig", NULL };

static int parse_xfr(yctx_t *y, const yaml_node_t *map, zone_spec_t *z, bool *has_primary)
{
	yaml_node_t *t = get(y, map, "transfer"), *nt = get(y, map, "notify");
	const yaml_node_t *pr = get(y, map, "primary");
	int r;
	*has_primary = pr != NULL;
	if (t == NULL && nt == NULL && pr == NULL)
		return 0;
	xfr_spec_t *x = calloc(1, sizeof(*x));
	if (x == NULL)
		return nomem(y);
	z->xfr = x;
	where_of(y, map, x->where);
	if (t != NULL) {
		if ((r = check_map(y, t, "transfer", transfer_keys)) < 0)
			return r;
		yaml_node_t *allow = get(y, t, "allow");
		const yaml_node_t *key = get(y, t, "tsig");
		if (allow != NULL && (r = get_addrs(y, allow, "allow", true, x->allow,
						    XFR_MAX_ALLOW, &x->nallow)) < 0)
			return r;
		if (key != NULL) {
			const char *name;
			uint8_t wire[NAME_MAXLEN];
			if ((r = get_str(y, key, "tsig", &name)) < 0)
				return r;
			size_t k = 0;
			if (name_from_text(name, strlen(name), (const uint8_t *)"", wire) >= 0) {
				name_lower(wire, wire);
				for (; k < y->sc->nkeys; k++)
					if (name_equal(y->sc->keys[k].name, wire))
						break;
			} else {
				k = y->sc->nkeys;
			}
			if (k == y->sc->nkeys)
				return yfail(y, key,
					     "tsig: no key '%.100s' in the top-level 'tsig:' list",
					     name);
			x->key = y->sc->keys[k];
			x->has_key = true;
		}
	}
	if (nt != NULL &&
	    (r = get_addrs(y, nt, "notify", false, x->notify, XFR_MAX_NOTIFY, &x->nnotify)) < 0)
		return r;
	if (pr != NULL) {
		if ((r = get_addr(y, pr, "primary", false, &x->primary)) < 0)
			return r;
		x->has_primary = true;
	}
	return 0;
}

/* tsig: [{name, algorithm, secret}]: the keys zones name. */
static const char *const tsig_keys[] = { "name", "algorithm", "secret", NULL };

static int parse_tsig_keys(yctx_t *y, yaml_node_t *v)
{
	size_t n;
	int r = get_list(y, v, "tsig", false, &n);
	if (r < 0 || n == 0)
		return r;
	if ((y->sc->keys = calloc(n, sizeof(*y->sc->keys))) == NULL)
		return nomem(y);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = list_at(y, v, i);
		const char *name, *alg = "hmac-sha256", *secret;
		char msg[200];
		if ((r = check_map(y, m, "a TSIG key", tsig_keys)) < 0)
			return r;
		const yaml_node_t *nn = get(y, m, "name"), *an = get(y, m, "algorithm"),
				  *sn = get(y, m, "secret");
		if (nn == NULL || sn == NULL)
			return yfail(y, m, "a TSIG key needs a 'name' and a 'secret' (base64)");
		if ((r = get_str(y, nn, "name", &name)) < 0 ||
		    (an != NULL && (r = get_str(y, an, "algorithm", &alg)) < 0) ||
		    (r = get_str(y, sn, "secret", &secret)) < 0)
			return r;
		if (tsig_key_init(&y->sc->keys[i], name, alg, secret, msg, sizeof(msg)) < 0)
			return yfail(y, m, "%s", msg);
		for (size_t k = 0; k < i; k++)
			if (name_equal(y->sc->keys[k].name, y->sc->keys[i].name))
				return yfail(y, nn, "TSIG key '%.100s' is defined twice", name);
		y->sc->nkeys = i + 1;
	}
	return 0;
}

static int parse_zone(yctx_t *y, const yaml_node_t *map, const server_spec_t *server,
		      zone_spec_t *z)
{
	const char *file;
	int r;
	uint8_t origin[NAME_MAXLEN];

	*z = (zone_spec_t){ .rule = GLUE_RULE_INHERIT };
	if ((r = check_map(y, map, "a zone", zone_keys)) < 0)
		return r;
	where_of(y, map, z->where);
	const yaml_node_t *f = get(y, map, "file"), *o = get(y, map, "origin");
	bool pulled;
	if ((r = parse_xfr(y, map, z, &pulled)) < 0)
		return r;
	if (f == NULL && !pulled)
		return yfail(
			y, map,
			"a zone needs a 'file' (its zone file) or a 'primary' (to pull it from)");
	if (pulled && o == NULL)
		return yfail(y, map, "a zone pulled from a 'primary' needs its 'origin'");
	if (f != NULL) {
		if ((r = get_str(y, f, "file", &file)) < 0)
			return r;
		/* Relative to the YAML file, wherever glued runs from. */
		char *path;
		if ((r = rel_path(y, file, &path)) < 0)
			return r;
		z->file = path;
	}
	if (o != NULL) {
		if ((r = get_name(y, o, "origin", origin)) < 0)
			return r;
		if ((z->origin = strdup(sval(o))) == NULL)
			return nomem(y);
	}
	if ((r = parse_rule(y, map, &z->rule)) < 0 || (r = parse_dnssec(y, map, &z->dnssec)) < 0)
		return r;
	dnssec_spec_t eff;
	dnssec_spec_effective(&server->dnssec, &z->dnssec, &eff);
	bool signs = eff.mode == DNSSEC_SIGN;
	dnssec_fault_t *dfaults = NULL;
	r = parse_dfaults(y, map, NULL, signs, &dfaults, &z->ndfaults);
	z->dfaults = dfaults;
	if (r < 0)
		return r;
	yaml_node_t *faults = get(y, map, "faults"), *delegs = get(y, map, "delegations");
	if (faults != NULL && (r = parse_faults(y, faults, &z->faults, &z->nfaults)) < 0)
		return r;
	if (delegs != NULL)
		r = parse_delegations(y, delegs, o ? origin : NULL, z, signs, &dfaults);
	z->dfaults = dfaults;
	return r;
}

/* The server that already listens on text, or NULL. */
static const vserver_t *listener(const srvconf_t *sc, size_t upto, const char *text)
{
	for (size_t i = 0; i <= upto && i < sc->nservers; i++)
		for (size_t k = 0; k < sc->servers[i].nlisten; k++)
			if (strcmp(sc->servers[i].listen[k].text, text) == 0)
				return &sc->servers[i];
	return NULL;
}

static int parse_listen(yctx_t *y, yaml_node_t *v, vserver_t *s, size_t index)
{
	size_t n;
	int r = get_list(y, v, "listen", true, &n);
	if (r < 0)
		return r;
	if (n == 0)
		return yfail(y, v,
			     "'listen' needs at least one address (ADDR[:PORT], [IPv6]:PORT)");
	if ((s->listen = calloc(n, sizeof(*s->listen))) == NULL)
		return nomem(y);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *a = list_at(y, v, i);
		const char *text;
		char msg[256];
		listen_addr_t addr;
		if ((r = get_str(y, a, "listen", &text)) < 0)
			return r;
		if (config_parse_addr(text, y->sc->port, &addr, msg, sizeof(msg)) < 0)
			return yfail(y, a, "%s", msg);
		const vserver_t *other = listener(y->sc, index, addr.text);
		if (other == s)
			return yfail(y, a, "listen address %s is listed twice", addr.text);
		if (other != NULL)
			return yfail(y, a, "listen address %s is already used by server %s (%s)",
				     addr.text, other->name, other->spec.where);
		s->listen[s->nlisten++] = addr;
	}
	return 0;
}

static const char *const server_keys[] = { "name",   "listen", RULE_KEYS, "dnssec",
					   "faults", "zones",  NULL };

static int parse_server(yctx_t *y, const yaml_node_t *map, size_t index)
{
	vserver_t *s = &y->sc->servers[index];
	const char *name;
	int r;

	if ((r = check_map(y, map, "a server", server_keys)) < 0)
		return r;
	where_of(y, map, s->spec.where);
	const yaml_node_t *nm = get(y, map, "name");
	yaml_node_t *listen = get(y, map, "listen"), *zones = get(y, map, "zones");
	yaml_node_t *faults = get(y, map, "faults");
	if (nm == NULL)
		return yfail(y, map, "a server needs a 'name'");
	if ((r = get_str(y, nm, "name", &name)) < 0)
		return r;
	if (!is_ident(name, false))
		return yfail(
			y, nm,
			"expected a server name of a-z, 0-9 and '-' (at most 63) for 'name', got '%.100s'",
			name);
	for (size_t i = 0; i < index; i++) {
		if (strcmp(y->sc->servers[i].name, name) == 0)
			return yfail(y, nm, "server name '%s' is used twice (first at %s)", name,
				     y->sc->servers[i].spec.where);
	}
	if ((s->name = strdup(name)) == NULL)
		return nomem(y);
	s->spec.name = s->name;
	if (listen == NULL)
		return yfail(y, map, "server %s needs 'listen' (its addresses)", name);
	if ((r = parse_listen(y, listen, s, index)) < 0)
		return r;
	if ((r = parse_rule(y, map, &s->spec.rule)) < 0 ||
	    (r = parse_dnssec(y, map, &s->spec.dnssec)) < 0)
		return r;
	/* The top level's dnssec: is every server's default. */
	const char *own_keydir = s->spec.dnssec.keydir;
	dnssec_spec_inherit(&s->spec.dnssec, &y->sc->dnssec);
	if (own_keydir == NULL && s->spec.dnssec.keydir != NULL &&
	    (s->spec.dnssec.keydir = strdup(s->spec.dnssec.keydir)) == NULL)
		return nomem(y);
	if (faults != NULL && (r = parse_faults(y, faults, &s->spec.faults, &s->spec.nfaults)) < 0)
		return r;
	if (zones == NULL)
		return yfail(y, map,
			     "server %s needs 'zones' (a list, which may be empty: zones: [])",
			     name);
	size_t n;
	if ((r = get_list(y, zones, "zones", false, &n)) < 0)
		return r;
	zone_spec_t *z = calloc(n ? n : 1, sizeof(*z));
	s->spec.zones = z;
	if (z == NULL)
		return nomem(y);
	/* Counted first: srvconf_free() frees what a failed zone holds. */
	s->spec.nzones = n;
	for (size_t i = 0; i < n; i++) {
		if ((r = parse_zone(y, list_at(y, zones, i), &s->spec, &z[i])) < 0)
			return r;
	}
	return 0;
}

/* ---- scenarios ------------------------------------------------------------ */

static const char *const scenario_keys[] = { "name",     "title",  "server", "query",
					     "resolver", "answer", "dnssec", "ede",
					     "knot",     "bind",   NULL };

/* The keys of a scenario's knot: and bind: mappings, in the order of
 * enum scenario_others for the names. */
static const char *const other_names[SCENARIO_NOTHERS] = { "knot", "bind" };
static const char *const other_keys[] = { "resolver", "answer", "dnssec", "ede", "why", NULL };

/* resolver: of a scenario or of one of its per-resolver mappings. */
static int parse_rcode(yctx_t *y, const yaml_node_t *v, char **out)
{
	static const char *const rcodes[] = { "NOERROR", "SERVFAIL", "NXDOMAIN", "REFUSED" };
	const char *s = NULL;
	int r = get_str(y, v, "resolver", &s);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(rcodes) / sizeof(rcodes[0]); i++) {
		if (strcmp(s, rcodes[i]) == 0)
			return (*out = strdup(s)) != NULL ? 0 : nomem(y);
	}
	return yfail(y, v,
		     "expected NOERROR, SERVFAIL, NXDOMAIN or REFUSED for 'resolver', got '%.100s'",
		     s);
}

/* dnssec: of a scenario or of one of its per-resolver mappings. */
static int parse_state(yctx_t *y, const yaml_node_t *v, int *out)
{
	static const char *const states[] = { "insecure", "secure", "bogus" };
	const char *s = NULL;
	int r = get_str(y, v, "dnssec", &s);
	if (r < 0)
		return r;
	for (int i = 0; i < 3; i++) {
		if (strcmp(s, states[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return yfail(y, v, "expected secure, insecure or bogus for 'dnssec', got '%.100s'", s);
}

/* A scenario's knot: or bind: mapping: what that resolver returns instead
 * of what the scenario says, and why. */
static int parse_other(yctx_t *y, const yaml_node_t *map, const char *who, scenario_other_t *o)
{
	char what[32];
	const char *s = NULL;
	int r;

	snprintf(what, sizeof(what), "a scenario's '%s'", who);
	if ((r = check_map(y, map, what, other_keys)) < 0)
		return r;
	o->given = true;
	where_of(y, map, o->where);
	const yaml_node_t *resolver = get(y, map, "resolver"), *answer = get(y, map, "answer");
	const yaml_node_t *dnssec = get(y, map, "dnssec"), *ede = get(y, map, "ede");
	const yaml_node_t *why = get(y, map, "why");
	if (resolver == NULL && answer == NULL && dnssec == NULL && ede == NULL)
		return yfail(y, map, "'%s' needs resolver, answer, dnssec or ede: what it returns",
			     who);
	if (why == NULL)
		return yfail(y, map, "'%s' needs 'why': the reason this resolver differs", who);
	if (resolver != NULL && (r = parse_rcode(y, resolver, &o->resolver)) < 0)
		return r;
	if (answer != NULL) {
		if ((r = get_str(y, answer, "answer", &s)) < 0)
			return r;
		if ((o->answer = strdup(s)) == NULL)
			return nomem(y);
	}
	if (dnssec != NULL && (r = parse_state(y, dnssec, &o->dnssec)) < 0)
		return r;
	if (ede != NULL) {
		if ((r = get_str(y, ede, "ede", &s)) < 0)
			return r;
		o->has_ede = true;
		if (strcmp(s, "none") != 0) {
			unsigned long v;
			bool digits = true;
			for (const char *p = s; *p && digits; p++)
				digits = *p >= '0' && *p <= '9';
			if (!digits)
				return yfail(y, ede,
					     "expected an EDE code (0 to 65535, RFC 8914) or none "
					     "for 'ede', got '%.100s'",
					     s);
			if ((r = get_uint(y, ede, "ede", 0, 65535, &v)) < 0)
				return r;
			o->ede = (int)v;
		}
	}
	if ((r = get_str(y, why, "why", &s)) < 0)
		return r;
	if (strchr(s, '\n') != NULL)
		return yfail(y, why, "'why' must be one line");
	return (o->why = strdup(s)) != NULL ? 0 : nomem(y);
}

static int parse_query(yctx_t *y, const yaml_node_t *v, scenario_t *sc)
{
	const char *s = NULL;
	int r = get_str(y, v, "query", &s);
	if (r < 0)
		return r;
	char name[NAME_TEXT_MAX], type[32];
	int used = 0;
	uint8_t wire[NAME_MAXLEN];
	uint16_t t;
	if (strlen(s) >= sizeof(name) || sscanf(s, "%1021s %31s %n", name, type, &used) != 2 ||
	    s[used] != '\0')
		return yfail(y, v,
			     "expected 'NAME TYPE' for 'query' (www.nog.lab. A), got '%.100s'", s);
	if (name_from_text(name, strlen(name), (const uint8_t *)"", wire) < 0)
		return yfail(y, v, "expected a domain name in 'query', got '%.100s'", name);
	if (rrtype_from_text(type, strlen(type), &t) < 0)
		return yfail(y, v,
			     "expected a record type in 'query' (A, AAAA, NS, ...), got '%.31s'",
			     type);
	sc->qname = strdup(name);
	sc->qtype = strdup(type);
	return sc->qname && sc->qtype ? 0 : nomem(y);
}

static int parse_scenario(yctx_t *y, const yaml_node_t *map, size_t index)
{
	scenario_t *sc = &y->sc->scenarios[index];
	const char *s = NULL;
	int r;

	if ((r = check_map(y, map, "a scenario", scenario_keys)) < 0)
		return r;
	where_of(y, map, sc->where);
	static const char *const required[] = { "name", "title", "server", "query", "resolver" };
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (get(y, map, required[i]) == NULL)
			return yfail(y, map, "a scenario needs '%s'", required[i]);
	}
	const yaml_node_t *nm = get(y, map, "name"), *title = get(y, map, "title");
	const yaml_node_t *server = get(y, map, "server"), *resolver = get(y, map, "resolver");
	const yaml_node_t *answer = get(y, map, "answer"), *dnssec = get(y, map, "dnssec");

	if ((r = get_str(y, nm, "name", &s)) < 0)
		return r;
	if (!is_ident(s, true))
		return yfail(
			y, nm,
			"expected a scenario name of letters, digits, '-', '_' and '.' for 'name', got '%.100s'",
			s);
	for (size_t i = 0; i < index; i++) {
		if (strcmp(y->sc->scenarios[i].name, s) == 0)
			return yfail(y, nm, "scenario name '%s' is used twice (first at %s)", s,
				     y->sc->scenarios[i].where);
	}
	if ((sc->name = strdup(s)) == NULL)
		return nomem(y);
	if ((r = get_str(y, title, "title", &s)) < 0)
		return r;
	if (strchr(s, '\n') != NULL)
		return yfail(y, title, "'title' must be one line");
	if ((sc->title = strdup(s)) == NULL)
		return nomem(y);
	if ((r = get_str(y, server, "server", &s)) < 0)
		return r;
	sc->server = SIZE_MAX;
	for (size_t i = 0; i < y->sc->nservers; i++) {
		if (strcmp(y->sc->servers[i].name, s) == 0)
			sc->server = i;
	}
	if (sc->server == SIZE_MAX)
		return yfail(y, server, "no server is named '%.100s'", s);
	if ((r = parse_query(y, get(y, map, "query"), sc)) < 0)
		return r;
	if ((r = parse_rcode(y, resolver, &sc->resolver)) < 0)
		return r;
	if (answer != NULL) {
		if ((r = get_str(y, answer, "answer", &s)) < 0)
			return r;
		if ((sc->answer = strdup(s)) == NULL)
			return nomem(y);
	}
	sc->dnssec = SCENARIO_DNSSEC_NONE;
	if (dnssec != NULL && (r = parse_state(y, dnssec, &sc->dnssec)) < 0)
		return r;
	sc->ede = -1;
	const yaml_node_t *ede = get(y, map, "ede");
	if (ede != NULL) {
		unsigned long v;
		if ((r = get_uint(y, ede, "ede", 0, 65535, &v)) < 0)
			return r;
		sc->ede = (int)v;
	}
	for (size_t k = 0; k < SCENARIO_NOTHERS; k++) {
		const yaml_node_t *on = get(y, map, other_names[k]);
		const scenario_other_t *o = &sc->others[k];
		sc->others[k].dnssec = SCENARIO_DNSSEC_NONE;
		sc->others[k].ede = -1;
		if (on == NULL)
			continue;
		if ((r = parse_other(y, on, other_names[k], &sc->others[k])) < 0)
			return r;
		/* An override that changes nothing hides a typo or a stale row. */
		bool same_answer = o->answer == NULL ||
				   (sc->answer != NULL && strcmp(o->answer, sc->answer) == 0);
		if ((o->resolver == NULL || strcmp(o->resolver, sc->resolver) == 0) &&
		    same_answer && (o->dnssec == SCENARIO_DNSSEC_NONE || o->dnssec == sc->dnssec) &&
		    (!o->has_ede || (o->ede >= 0 && o->ede == sc->ede)))
			return yfail(y, on, "'%s' says what the scenario says: leave it out",
				     other_names[k]);
	}
	return 0;
}

/* ---- the document --------------------------------------------------------- */

static const char *const top_keys[] = { "port",    "dnssec",    "control", "tsig",
					"servers", "scenarios", NULL };

static int parse_top(yctx_t *y)
{
	yaml_node_t *root = yaml_document_get_root_node(&y->doc);
	srvconf_t *sc = y->sc;
	size_t n;
	int r;

	if (root == NULL || is_null(root)) {
		snprintf(y->err, y->errcap, "%s:1: the file is empty: expected 'servers:'",
			 y->path);
		return ST_EINVAL;
	}
	if ((r = check_map(y, root, "the configuration", top_keys)) < 0)
		return r;
	const yaml_node_t *port = get(y, root, "port");
	yaml_node_t *servers = get(y, root, "servers"), *scenarios = get(y, root, "scenarios");
	sc->port = CONFIG_PORT;
	if (port != NULL) {
		unsigned long v;
		if ((r = get_uint(y, port, "port", 1, 65535, &v)) < 0)
			return r;
		sc->port = (uint16_t)v;
	}
	if ((r = parse_dnssec(y, root, &sc->dnssec)) < 0)
		return r;
	yaml_node_t *tsig = get(y, root, "tsig");
	if (tsig != NULL && (r = parse_tsig_keys(y, tsig)) < 0)
		return r;
	const yaml_node_t *control = get(y, root, "control");
	if (control != NULL) {
		const char *path;
		if ((r = get_str(y, control, "control", &path)) < 0 ||
		    (r = rel_path(y, path, &sc->control)) < 0)
			return r;
	}
	if (servers == NULL)
		return yfail(y, root, "expected 'servers:' (the list of virtual servers)");
	if ((r = get_list(y, servers, "servers", false, &n)) < 0)
		return r;
	if (n == 0)
		return yfail(y, servers, "'servers' needs at least one server");
	if ((sc->servers = calloc(n, sizeof(*sc->servers))) == NULL)
		return nomem(y);
	sc->nservers = n;
	for (size_t i = 0; i < n; i++) {
		if ((r = parse_server(y, list_at(y, servers, i), i)) < 0)
			return r;
	}
	if (scenarios == NULL)
		return 0;
	if ((r = get_list(y, scenarios, "scenarios", false, &n)) < 0 || n == 0)
		return r;
	if ((sc->scenarios = calloc(n, sizeof(*sc->scenarios))) == NULL)
		return nomem(y);
	sc->nscenarios = n;
	for (size_t i = 0; i < n; i++) {
		if ((r = parse_scenario(y, list_at(y, scenarios, i), i)) < 0)
			return r;
	}
	return 0;
}

/* libyaml's own errors: syntax, bad UTF-8, a tab for indentation... */
static int parser_error(const yaml_parser_t *p, const char *path, const char *text, size_t len,
			char *err, size_t errcap)
{
	size_t line = p->problem_mark.line + 1;
	if (p->error == YAML_READER_ERROR) {
		/* The reader gives a byte offset, not a mark. */
		line = 1;
		for (size_t i = 0; i < p->problem_offset && i < len; i++)
			line += text[i] == '\n';
	}
	snprintf(err, errcap, "%s:%zu: YAML syntax: %s%s%s", path, line,
		 p->problem ? p->problem : "error", p->context ? " " : "",
		 p->context ? p->context : "");
	return p->error == YAML_MEMORY_ERROR ? ST_ENOMEM : ST_EINVAL;
}

int yamlconf_parse(const char *path, const char *text, size_t len, srvconf_t *out, char *err,
		   size_t errcap)
{
	yctx_t y = { .path = path, .err = err, .errcap = errcap, .sc = out };
	yaml_parser_t parser;
	int r;

	memset(out, 0, sizeof(*out));
	if (errcap > 0)
		err[0] = '\0';
	const char *slash = strrchr(path, '/');
	y.base = slash ? slash + 1 : path;
	y.dirlen = slash ? (size_t)(slash - path) + 1 : 0;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errcap, "%s: out of memory", path);
		return ST_ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &y.doc)) {
		r = parser_error(&parser, path, text, len, err, errcap);
		yaml_parser_delete(&parser);
		return r;
	}
	r = parse_top(&y);
	yaml_document_delete(&y.doc);
	if (r == 0) {
		/* One document per file: a second one is a mistake. */
		yaml_document_t next;
		if (!yaml_parser_load(&parser, &next)) {
			r = parser_error(&parser, path, text, len, err, errcap);
		} else {
			yaml_node_t *root = yaml_document_get_root_node(&next);
			if (root != NULL)
				snprintf(err, errcap,
					 "%s:%u: expected one YAML document, found a second", path,
					 line_of(root));
			r = root != NULL ? ST_EINVAL : 0;
			yaml_document_delete(&next);
		}
	}
	yaml_parser_delete(&parser);
	if (r == 0 && (out->file = strdup(path)) == NULL) {
		snprintf(err, errcap, "%s: out of memory", path);
		r = ST_ENOMEM;
	}
	if (r < 0)
		srvconf_free(out);
	return r;
}

int yamlconf_load(const char *path, srvconf_t *out, char *err, size_t errcap)
{
	memset(out, 0, sizeof(*out));
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errcap, "cannot read %s: %s", path, strerror(errno));
		return ST_EIO;
	}
	char *text = malloc(YAMLCONF_MAX_BYTES + 1);
	if (text == NULL) {
		fclose(f);
		snprintf(err, errcap, "%s: out of memory", path);
		return ST_ENOMEM;
	}
	size_t len = fread(text, 1, YAMLCONF_MAX_BYTES + 1, f);
	int failed = ferror(f);
	fclose(f);
	if (failed || len > YAMLCONF_MAX_BYTES) {
		free(text);
		if (failed)
			snprintf(err, errcap, "cannot read %s", path);
		else
			snprintf(err, errcap, "%s: larger than %u bytes", path, YAMLCONF_MAX_BYTES);
		return ST_EIO;
	}
	int r = yamlconf_parse(path, text, len, out, err, errcap);
	free(text);
	return r;
}
