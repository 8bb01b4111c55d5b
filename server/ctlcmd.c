/*
 * ctlcmd.c -- control commands: parse, apply, report (ctlcmd.h).
 */
#include "ctlcmd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/xfr.h"
#include "util/json.h"

static int fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return -1;
}

static int server_index(const srvconf_t *sc, const char *name)
{
	for (size_t i = 0; i < sc->nservers; i++)
		if (sc->servers[i].name && strcmp(sc->servers[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The origin of zone i of server s: its spec's, else the loaded zone's
 * in v; false if neither says. */
static bool zone_origin_of(const srvconf_t *sc, const view_t *v, size_t s, size_t i,
			   uint8_t out[NAME_MAXLEN])
{
	const zone_spec_t *z = &sc->servers[s].spec.zones[i];
	uint8_t wire[NAME_MAXLEN];
	if (z->origin != NULL &&
	    name_from_text(z->origin, strlen(z->origin), (const uint8_t *)"", wire) > 0) {
		name_lower(out, wire);
		return true;
	}
	if (v != NULL && s < v->n && v->zs[s] != NULL && i < v->zs[s]->nzones) {
		memcpy(out, zone_origin(v->zs[s]->zones[i]),
		       name_len(zone_origin(v->zs[s]->zones[i])));
		return true;
	}
	return false;
}

static int zone_index(const srvconf_t *sc, const view_t *v, size_t s, const uint8_t *lname)
{
	for (size_t i = 0; i < sc->servers[s].spec.nzones; i++) {
		uint8_t o[NAME_MAXLEN];
		if (zone_origin_of(sc, v, s, i, o) && name_equal(o, lname))
			return (int)i;
	}
	return -1;
}

static int get_name(const char *text, uint8_t out[NAME_MAXLEN])
{
	uint8_t wire[NAME_MAXLEN];
	if (name_from_text(text, strlen(text), (const uint8_t *)"", wire) < 0)
		return -1;
	name_lower(out, wire);
	return 0;
}

/* SERVER[/ZONE[/DELEGATION]] into ov, checked against sc and v. */
static int parse_target(const char *text, const srvconf_t *sc, const view_t *v, ctl_override_t *ov,
			char *err, size_t cap)
{
	char buf[3 * NAME_TEXT_MAX];
	snprintf(buf, sizeof(buf), "%s", text);
	char *zone = strchr(buf, '/'), *cut = NULL;
	if (zone != NULL) {
		*zone++ = '\0';
		cut = strchr(zone, '/');
		if (cut != NULL)
			*cut++ = '\0';
	}
	int s = server_index(sc, buf);
	if (s < 0) {
		char names[512] = "";
		size_t len = 0;
		for (size_t i = 0; i < sc->nservers && len < sizeof(names); i++)
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						i ? ", " : "", sc->servers[i].name);
		return fail(err, cap, "no server '%.64s' (there are: %s)", buf, names);
	}
	snprintf(ov->server, sizeof(ov->server), "%.63s", buf);
	if (zone == NULL)
		return 0;
	if (get_name(zone, ov->zone) < 0)
		return fail(err, cap, "'%.100s' is not a domain name", zone);
	if (zone_index(sc, v, (size_t)s, ov->zone) < 0) {
		char names[1024] = "";
		size_t len = 0;
		for (size_t i = 0; i < sc->servers[s].spec.nzones && len < sizeof(names); i++) {
			uint8_t o[NAME_MAXLEN];
			char t[NAME_TEXT_MAX] = "?";
			if (zone_origin_of(sc, v, (size_t)s, i, o))
				name_to_text(o, t, sizeof(t));
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						i ? ", " : "", t);
		}
		return fail(err, cap, "server %s has no zone %.100s (its zones: %s)", ov->server,
			    zone, names[0] ? names : "none");
	}
	ov->has_zone = true;
	if (cut == NULL)
		return 0;
	if (get_name(cut, ov->cut) < 0)
		return fail(err, cap, "'%.100s' is not a domain name", cut);
	if (!name_is_sub(ov->cut, ov->zone) || name_equal(ov->cut, ov->zone))
		return fail(err, cap, "delegation %.100s is not below the zone %.100s", cut, zone);
	ov->has_cut = true;
	return 0;
}

#define WORDS_MAX 40

/*
 * Split line into words, in place: blanks separate them; between double
 * quotes blanks belong to the word, and \" and \\ stand for " and \ (how
 * gluectl sends an argument that holds blanks). Returns the count, or -1
 * with the reason in err.
 */
static int split(char *line, char **w, size_t max, char *err, size_t cap)
{
	char *r = line;
	size_t n = 0;
	for (;;) {
		while (*r == ' ' || *r == '\t' || *r == '\r')
			r++;
		if (*r == '\0')
			return (int)n;
		if (n == max)
			return fail(err, cap, "too many words (at most %d)", WORDS_MAX);
		char *word = r, *o = r;
		bool quoted = false;
		while (*r != '\0' && (quoted || (*r != ' ' && *r != '\t' && *r != '\r'))) {
			if (*r == '"') {
				quoted = !quoted;
				r++;
				continue;
			}
			if (quoted && *r == '\\' && (r[1] == '"' || r[1] == '\\'))
				r++;
			*o++ = *r++;
		}
		if (quoted)
			return fail(err, cap, "a quote (\") is not closed");
		bool end = *r == '\0';
		if (!end)
			r++;
		*o = '\0';
		w[n++] = word;
		if (end)
			return (int)n;
	}
}

/* Append word w to buf (at *len) as split() reads it back: in double
 * quotes when it is empty or holds a blank, a quote or a backslash (of a
 * KEY=VALUE word, the value: ede-text="not here"). */
static void put_word(char *buf, size_t cap, size_t *len, const char *w)
{
	static const char special[] = " \t\r\"\\";
	size_t key = strcspn(w, "=");
	const char *eq = w[key] == '=' && key > 0 && strcspn(w, special) > key ? w + key : NULL;
	const char *v = eq != NULL ? eq + 1 : w;
	bool quote = v[0] == '\0' || strpbrk(v, special) != NULL;
	if (*len + 1 >= cap)
		return;
	if (*len > 0)
		buf[(*len)++] = ' ';
	for (const char *p = w; p < v && *len + 1 < cap; p++)
		buf[(*len)++] = *p;
	if (quote && *len + 1 < cap)
		buf[(*len)++] = '"';
	for (const char *p = v; *p && *len + 2 < cap; p++) {
		if (quote && (*p == '"' || *p == '\\'))
			buf[(*len)++] = '\\';
		buf[(*len)++] = *p;
	}
	if (quote && *len + 1 < cap)
		buf[(*len)++] = '"';
	buf[*len] = '\0';
}

/* ---- values, checked as the YAML checks them (yamlconf.c) ---------------- */

/* NAME[,NAME...]: 1 to RULE_MAX_NAMES names for key into out, *n of them. */
static int get_names(const char *key, const char *s, uint8_t out[][NAME_MAXLEN], uint8_t *n,
		     char *err, size_t cap)
{
	char buf[CONTROL_LINE_MAX + 1];
	size_t items = 1;
	for (const char *p = s; *p; p++)
		items += *p == ',';
	if (items > RULE_MAX_NAMES)
		return fail(err, cap, "'%s' takes at most %d names, got %zu", key, RULE_MAX_NAMES,
			    items);
	snprintf(buf, sizeof(buf), "%s", s);
	char *p = buf;
	for (size_t i = 0; i < items; i++) {
		char *comma = strchr(p, ',');
		if (comma != NULL)
			*comma = '\0';
		if (*p == '\0')
			return fail(err, cap, "'%s' has an empty name (names are separated by ',')",
				    key);
		if (config_name_parse(key, p, out[i], err, cap) < 0)
			return -1;
		p = comma != NULL ? comma + 1 : p + strlen(p);
	}
	*n = (uint8_t)items;
	return 0;
}

/* One address of glue wrong: the IPv4 one or the IPv6 one. */
static int add_address(const char *key, const char *s, glue_rule_t *r, char *err, size_t cap)
{
	uint8_t a[16];
	if (inet_pton(AF_INET, s, a) == 1) {
		if (r->has_wrong_a)
			return fail(err, cap, "'%s' takes one IPv4 address at most", key);
		memcpy(r->wrong_a, a, 4);
		r->has_wrong_a = true;
	} else if (inet_pton(AF_INET6, s, a) == 1) {
		if (r->has_wrong_aaaa)
			return fail(err, cap, "'%s' takes one IPv6 address at most", key);
		memcpy(r->wrong_aaaa, a, 16);
		r->has_wrong_aaaa = true;
	} else {
		return fail(err, cap, "expected an IPv4 or IPv6 address for '%s', got '%.100s'",
			    key, s);
	}
	return 0;
}

/* ADDR[,ADDR]. */
static int add_addresses(const char *key, const char *s, glue_rule_t *r, char *err, size_t cap)
{
	char buf[CONTROL_LINE_MAX + 1];
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *p = buf, *comma;; p = comma + 1) {
		comma = strchr(p, ',');
		if (comma != NULL)
			*comma = '\0';
		if (add_address(key, p, r, err, cap) < 0)
			return -1;
		if (comma == NULL)
			return 0;
	}
}

/* Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at most
 * U+10FFFF), as libyaml makes sure of for the YAML's ede-text. */
static bool utf8_valid(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s++, more, min, cp;
		if (c < 0x80)
			continue;
		if (c >= 0xC2 && c <= 0xDF)
			more = 1, min = 0x80, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			more = 2, min = 0x800, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			more = 3, min = 0x10000, cp = c & 0x07;
		else
			return false;
		for (unsigned i = 0; i < more; i++, s++) {
			if ((*s & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (*s & 0x3Fu);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
	}
	return true;
}

/* ede= and ede-text= of a refuse or servfail fault (f->action set, its
 * default EDE given): NULL for a key not given. */
static int fault_ede(fault_t *f, const char *ede, const char *text, char *err, size_t cap)
{
	if (ede != NULL) {
		if (strcmp(ede, "none") == 0) {
			if (text != NULL)
				return fail(err, cap,
					    "'ede-text' needs an EDE code, not 'ede=none'");
			f->has_ede = false;
			return 0;
		}
		unsigned long v;
		if (ede[0] == '\0' || ede[strspn(ede, "0123456789")] != '\0')
			return fail(
				err, cap,
				"expected an EDE code (0 to 65535, RFC 8914) or none for 'ede', "
				"got '%.100s'",
				ede);
		if (config_uint_parse("ede", ede, 0, 65535, &v, err, cap) < 0)
			return -1;
		f->ede_code = (uint16_t)v;
	}
	if (text != NULL) {
		size_t len = strlen(text);
		if (len > EDE_TEXT_MAX)
			return fail(err, cap, "'ede-text' is %zu bytes, at most %d are sent", len,
				    EDE_TEXT_MAX);
		if (!utf8_valid((const unsigned char *)text))
			return fail(err, cap, "'ede-text' is not UTF-8");
		for (const char *p = text; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7F)
				return fail(err, cap,
					    "'ede-text' must be one line without control "
					    "characters");
		memcpy(f->ede_text, text, len + 1);
		f->ede_textlen = (uint8_t)len;
	}
	return 0;
}

/* The KEY=VALUE words after a value. */
enum {
	K_FIRST,
	K_NAMES,
	K_ADDRESS,
	K_NAME,
	K_TYPE,
	K_EVERY,
	K_DELAY,
	K_UPWARD,
	K_EDE,
	K_EDE_TEXT,
	K_COUNT,
};

static const char *const key_names[K_COUNT] = {
	[K_FIRST] = "first",       [K_NAMES] = "names",   [K_ADDRESS] = "address",
	[K_NAME] = "name",         [K_TYPE] = "type",     [K_EVERY] = "every",
	[K_DELAY] = "delay",       [K_UPWARD] = "upward", [K_EDE] = "ede",
	[K_EDE_TEXT] = "ede-text",
};

/* The words after w[0]: KEY=VALUE into kv (keys from..to of key_names,
 * each once), the others into pos. */
static int get_words(char **w, size_t n, int from, int to, const char *what,
		     const char *kv[K_COUNT], char **pos, size_t *npos, char *err, size_t cap)
{
	*npos = 0;
	for (size_t i = 1; i < n; i++) {
		char *eq = strchr(w[i], '=');
		if (eq == NULL || eq == w[i]) {
			pos[(*npos)++] = w[i];
			continue;
		}
		*eq = '\0';
		int k = from;
		while (k <= to && strcmp(key_names[k], w[i]) != 0)
			k++;
		if (k > to) {
			char list[128];
			size_t len = 0;
			for (int j = from; j <= to && len < sizeof(list); j++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
							j > from ? ", " : "", key_names[j]);
			return fail(err, cap, "unknown key '%.40s' in %s (expected one of: %s)",
				    w[i], what, list);
		}
		if (kv[k] != NULL)
			return fail(err, cap, "duplicate key '%s' in %s", key_names[k], what);
		if (eq[1] == '\0')
			return fail(err, cap, "'%s' is empty", key_names[k]);
		kv[k] = eq + 1;
	}
	return 0;
}

static int parse_glue(char **w, size_t n, ctl_override_t *ov, char *err, size_t cap)
{
	glue_rule_t *r = &ov->rule;
	const char *kv[K_COUNT] = { 0 };
	char *pos[WORDS_MAX];
	size_t npos;
	if (glue_mode_from_str(w[0], &r->mode) != 0)
		return fail(
			err, cap,
			"expected full, in-domain, none, partial or wrong for 'glue', got '%.60s'",
			w[0]);
	if (get_words(w, n, K_FIRST, K_ADDRESS, "glue", kv, pos, &npos, err, cap) < 0)
		return -1;
	/* The partial and wrong details go with their mode only. */
	if (kv[K_FIRST] != NULL && r->mode != GLUE_PARTIAL)
		return fail(err, cap, "'first' needs glue partial");
	if (kv[K_NAMES] != NULL && r->mode != GLUE_PARTIAL)
		return fail(err, cap, "'names' needs glue partial");
	if (kv[K_ADDRESS] != NULL && r->mode != GLUE_WRONG)
		return fail(err, cap, "'address' needs glue wrong");
	if (r->mode == GLUE_PARTIAL) {
		/* "partial N" is "partial first=N". */
		if (npos > 1 || (npos == 1 && kv[K_FIRST] != NULL))
			return fail(err, cap,
				    "glue partial takes one N, first=N or names=NAME,...");
		if (npos == 1)
			kv[K_FIRST] = pos[0];
		if (kv[K_FIRST] == NULL && kv[K_NAMES] == NULL)
			return fail(err, cap,
				    "glue partial needs first=N (keep the glue of the first N NS "
				    "names) or names=NAME,... (keep the glue of these NS names)");
		if (kv[K_FIRST] != NULL && kv[K_NAMES] != NULL)
			return fail(err, cap, "give first or names, not both");
		unsigned long first;
		if (kv[K_FIRST] != NULL) {
			if (config_uint_parse("first", kv[K_FIRST], 1, 65535, &first, err, cap) < 0)
				return -1;
			r->first = (uint16_t)first;
		} else if (get_names("names", kv[K_NAMES], r->names, &r->nnames, err, cap) < 0) {
			return -1;
		}
		return 0;
	}
	if (r->mode == GLUE_WRONG) {
		/* "wrong ADDR [ADDR]" is "wrong address=ADDR[,ADDR]". */
		if (npos == 0 && kv[K_ADDRESS] == NULL)
			return fail(err, cap,
				    "glue wrong needs address=ADDR[,ADDR] (the IPv4 and/or IPv6 "
				    "address the glue is rewritten to)");
		for (size_t i = 0; i < npos; i++)
			if (add_address("address", pos[i], r, err, cap) < 0)
				return -1;
		if (kv[K_ADDRESS] != NULL &&
		    add_addresses("address", kv[K_ADDRESS], r, err, cap) < 0)
			return -1;
		return 0;
	}
	if (npos > 0)
		return fail(err, cap, "glue %s takes no more words", w[0]);
	return 0;
}

static int parse_fault(char **w, size_t n, ctl_override_t *ov, char *err, size_t cap)
{
	fault_t *f = &ov->fault;
	const char *kv[K_COUNT] = { 0 };
	char *pos[WORDS_MAX];
	size_t npos;
	memset(f, 0, sizeof(*f));
	f->every = 1;
	if (fault_action_from_str(w[0], &f->action) != 0)
		return fail(err, cap,
			    "expected refuse, servfail, drop, delay, lame or upward for 'fault', "
			    "got '%.60s'",
			    w[0]);
	if (get_words(w, n, K_NAME, K_EDE_TEXT, "a fault", kv, pos, &npos, err, cap) < 0)
		return -1;
	if (kv[K_DELAY] != NULL && f->action != FAULT_DELAY)
		return fail(err, cap, "'delay' only goes with fault delay");
	if (kv[K_UPWARD] != NULL && f->action != FAULT_UPWARD)
		return fail(err, cap, "'upward' only goes with fault upward");
	bool ede_fits = f->action == FAULT_REFUSE || f->action == FAULT_SERVFAIL;
	if (kv[K_EDE] != NULL && !ede_fits)
		return fail(err, cap, "'ede' only goes with fault refuse or fault servfail");
	if (kv[K_EDE_TEXT] != NULL && !ede_fits)
		return fail(err, cap, "'ede-text' only goes with fault refuse or fault servfail");
	/* "delay D" is "delay delay=D", "upward NS..." is "upward upward=NS,...". */
	if (f->action == FAULT_DELAY) {
		if (npos > 1 || (npos == 1 && kv[K_DELAY] != NULL))
			return fail(err, cap, "fault delay takes one duration (250ms, 2s)");
		if (npos == 1)
			kv[K_DELAY] = pos[0];
		if (kv[K_DELAY] == NULL)
			return fail(err, cap, "fault delay needs a duration (250ms, 2s)");
		if (fault_delay_parse("delay", kv[K_DELAY], &f->delay_ms, err, cap) != ST_OK)
			return -1;
	} else if (f->action == FAULT_UPWARD) {
		if (npos > 0 && kv[K_UPWARD] != NULL)
			return fail(err, cap, "give the NS names or upward=NAME,..., not both");
		if (npos > RULE_MAX_NAMES)
			return fail(err, cap, "'upward' takes at most %d names, got %zu",
				    RULE_MAX_NAMES, npos);
		for (size_t i = 0; i < npos; i++)
			if (config_name_parse("upward", pos[i], f->upward[f->nupward++], err, cap) <
			    0)
				return -1;
		if (kv[K_UPWARD] != NULL &&
		    get_names("upward", kv[K_UPWARD], f->upward, &f->nupward, err, cap) < 0)
			return -1;
	} else if (npos > 0) {
		return fail(err, cap, "fault %s takes KEY=VALUE words only, got '%.60s'", w[0],
			    pos[0]);
	}
	if (kv[K_NAME] != NULL) {
		if (config_name_parse("name", kv[K_NAME], f->name, err, cap) < 0)
			return -1;
		f->has_name = true;
		/* At a delegation a fault matches the delegation's names. */
		if (ov->has_cut && !name_is_sub(f->name, ov->cut)) {
			char cut[NAME_TEXT_MAX];
			name_to_text(ov->cut, cut, sizeof(cut));
			return fail(err, cap, "name %.100s is not at or below the delegation %s",
				    kv[K_NAME], cut);
		}
	}
	if (kv[K_TYPE] != NULL &&
	    (rrtype_from_text(kv[K_TYPE], strlen(kv[K_TYPE]), &f->type) < 0 || f->type == 0))
		return fail(err, cap,
			    "expected a record type for 'type' (A, AAAA, NS, ...), got '%.100s'",
			    kv[K_TYPE]);
	unsigned long every;
	if (kv[K_EVERY] != NULL) {
		if (config_uint_parse("every", kv[K_EVERY], 1, UINT32_MAX, &every, err, cap) < 0)
			return -1;
		f->every = (uint32_t)every;
	}
	fault_ede_default(f);
	if (ede_fits && fault_ede(f, kv[K_EDE], kv[K_EDE_TEXT], err, cap) < 0)
		return -1;
	snprintf(f->where, sizeof(f->where), "%s", RULE_WHERE_CONTROL);
	return 0;
}

static int parse_value(uint8_t kind, char **w, size_t n, ctl_override_t *ov, char *err, size_t cap)
{
	ov->rule = GLUE_RULE_INHERIT;
	if (n == 0)
		return fail(err, cap, "%s needs a value",
			    kind == CTL_GLUE    ? "glue"
			    : kind == CTL_FAULT ? "fault"
						: "truncation");
	if (kind == CTL_GLUE)
		return parse_glue(w, n, ov, err, cap);
	if (kind == CTL_FAULT)
		return parse_fault(w, n, ov, err, cap);
	if (trunc_mode_from_str(w[0], &ov->rule.truncation) != 0)
		return fail(err, cap,
			    "expected rfc9471, legacy or always for 'truncation', got '%.60s'",
			    w[0]);
	if (n != 1)
		return fail(err, cap, "truncation %s takes no more words", w[0]);
	return 0;
}

static uint8_t kind_of(const char *w)
{
	return strcmp(w, "glue") == 0         ? CTL_GLUE
	       : strcmp(w, "truncation") == 0 ? CTL_TRUNCATION
	       : strcmp(w, "fault") == 0      ? CTL_FAULT
					      : 0;
}

int ctl_parse(const char *line, const srvconf_t *sc, const view_t *v, ctl_cmd_t *cmd, char *err,
	      size_t errcap)
{
	char buf[CONTROL_LINE_MAX + 1];
	char *w[WORDS_MAX];
	memset(cmd, 0, sizeof(*cmd));
	/* So that a line that does not split still gets a JSON error. */
	cmd->json = strstr(line, "--json") != NULL;
	snprintf(buf, sizeof(buf), "%s", line);
	int nw = split(buf, w, WORDS_MAX, err, errcap);
	if (nw < 0)
		return -1;
	/* --json anywhere among the words. */
	size_t n = 0;
	cmd->json = false;
	for (int i = 0; i < nw; i++) {
		if (strcmp(w[i], "--json") == 0)
			cmd->json = true;
		else
			w[n++] = w[i];
	}
	if (n == 0)
		return fail(err, errcap,
			    "no command (status, set, clear, reload, stats, wait-ready, stop)");
	const char *op = w[0];
	if (strcmp(op, "status") == 0 || strcmp(op, "wait-ready") == 0 || strcmp(op, "stop") == 0) {
		if (n != 1)
			return fail(err, errcap, "%s takes no arguments", op);
		cmd->op = op[0] == 's' && op[1] == 't' && op[2] == 'a' ? CTL_STATUS
			  : op[0] == 'w'                               ? CTL_WAIT_READY
								       : CTL_STOP;
		return 0;
	}
	if (strcmp(op, "stats") == 0) {
		cmd->op = CTL_STATS;
		if (n == 2 && strcmp(w[1], "--reset") == 0)
			cmd->reset = true;
		else if (n != 1)
			return fail(err, errcap, "usage: stats [--reset]");
		return 0;
	}
	if (strcmp(op, "reload") == 0) {
		cmd->op = CTL_RELOAD;
		if (n > 2)
			return fail(err, errcap, "usage: reload [ZONE]");
		if (n == 2) {
			bool found = false;
			if (get_name(w[1], cmd->zone) < 0)
				return fail(err, errcap, "'%.100s' is not a domain name", w[1]);
			for (size_t s = 0; s < sc->nservers && !found; s++)
				found = zone_index(sc, v, s, cmd->zone) >= 0;
			if (!found)
				return fail(err, errcap, "glued serves no zone %.100s", w[1]);
			cmd->has_zone = true;
		}
		return 0;
	}
	bool set = strcmp(op, "set") == 0;
	if (!set && strcmp(op, "clear") != 0)
		return fail(err, errcap,
			    "unknown command '%.40s' (status, set, clear, reload, stats, "
			    "wait-ready, stop)",
			    op);
	cmd->op = set ? CTL_SET : CTL_CLEAR;
	if (n < 2 || (set && n < 4))
		return fail(
			err, errcap,
			set ? "usage: set SERVER[/ZONE[/DELEGATION]] glue|truncation|fault VALUE"
			    : "usage: clear SERVER[/ZONE[/DELEGATION]] [glue|truncation|fault]");
	if (parse_target(w[1], sc, v, &cmd->ov, err, errcap) < 0)
		return -1;
	if (n >= 3) {
		cmd->ov.kind = kind_of(w[2]);
		if (cmd->ov.kind == 0)
			return fail(err, errcap, "expected glue, truncation or fault, got '%.40s'",
				    w[2]);
		if (!set && n > 3)
			return fail(err, errcap, "clear takes no value");
	}
	/* The words as given, for the log and status (before parse_value
	 * cuts KEY=VALUE words at their '='). */
	size_t len = 0;
	for (size_t i = 1; i < n; i++)
		put_word(cmd->ov.text, sizeof(cmd->ov.text), &len, w[i]);
	if (set && parse_value(cmd->ov.kind, w + 3, n - 3, &cmd->ov, err, errcap) < 0)
		return -1;
	return 0;
}

/* Do a and b name the same target? */
static bool same_target(const ctl_override_t *a, const ctl_override_t *b)
{
	return strcmp(a->server, b->server) == 0 && a->has_zone == b->has_zone &&
	       (!a->has_zone || name_equal(a->zone, b->zone)) && a->has_cut == b->has_cut &&
	       (!a->has_cut || name_equal(a->cut, b->cut));
}

bool ctl_clears(const ctl_override_t *c, const ctl_override_t *o)
{
	return same_target(c, o) && (c->kind == CTL_ANY || c->kind == o->kind);
}

/*
 * The where of a rule once gluectl has set one field of it (o->kind; r is
 * the rule before; other_set: an earlier override at this target set the
 * other field): "control" when no field the file set there is left in
 * force, else the file's where with the mark of zoneset.h, so that the
 * query log and status name the right place for each field.
 */
static void mark_where(char where[CONFIG_WHERE_MAX], const glue_rule_t *r, uint8_t kind,
		       bool other_set)
{
	bool file_other = !other_set && (kind == CTL_GLUE ? r->truncation != TRUNC_INHERIT
							  : r->mode != GLUE_INHERIT);
	if (!file_other) {
		snprintf(where, CONFIG_WHERE_MAX, "%s", RULE_WHERE_CONTROL);
		return;
	}
	/* The file's where, without the mark an earlier set of this field
	 * left on it. */
	char base[CONFIG_WHERE_MAX];
	snprintf(base, sizeof(base), "%s", where);
	char *m = strstr(base, RULE_WHERE_MARK RULE_WHERE_CONTROL ": ");
	if (m != NULL)
		*m = '\0';
	else if (strncmp(base, RULE_WHERE_CONTROL ": ", strlen(RULE_WHERE_CONTROL ": ")) == 0)
		base[0] = '\0';
	const char *field =
		kind == CTL_GLUE ? RULE_WHERE_CONTROL_GLUE : RULE_WHERE_CONTROL_TRUNCATION;
	const char *sep = base[0] ? RULE_WHERE_MARK : "";
	/* Room for the whole mark: zoneset reads it back. */
	int keep = (int)(CONFIG_WHERE_MAX - 1 - strlen(sep) - strlen(field));
	snprintf(where, CONFIG_WHERE_MAX, "%.*s%s%s", keep, base, sep, field);
}

/* A rule or truncation override onto a rule, and its where marked. */
static void set_rule(glue_rule_t *r, char where[CONFIG_WHERE_MAX], const ctl_override_t *o,
		     bool other_set)
{
	mark_where(where, r, o->kind, other_set);
	if (o->kind == CTL_TRUNCATION) {
		r->truncation = o->rule.truncation;
		return;
	}
	uint8_t trunc = r->truncation;
	*r = o->rule;
	r->truncation = trunc;
}

static int add_fault(const fault_t **list, size_t *n, const fault_t *f)
{
	fault_t *p = realloc((fault_t *)*list, (*n + 1) * sizeof(*p));
	if (p == NULL)
		return -1;
	p[(*n)++] = *f;
	*list = p;
	return 0;
}

/* Override i of ov onto sc. */
static int apply_one(srvconf_t *sc, const view_t *v, const ctl_override_t *ov, size_t i)
{
	const ctl_override_t *o = &ov[i];
	int s = server_index(sc, o->server);
	if (s < 0)
		return 0; /* the server is gone from the file: nothing to apply */
	/* Has an earlier override set the other field of this rule? */
	bool other_set = false;
	uint8_t other = o->kind == CTL_GLUE ? CTL_TRUNCATION : CTL_GLUE;
	for (size_t k = 0; k < i && !other_set; k++)
		other_set = ov[k].kind == other && same_target(&ov[k], o);
	server_spec_t *spec = &sc->servers[s].spec;
	if (!o->has_zone) {
		if (o->kind == CTL_FAULT)
			return add_fault(&spec->faults, &spec->nfaults, &o->fault);
		set_rule(&spec->rule, spec->where, o, other_set);
		return 0;
	}
	int zi = zone_index(sc, v, (size_t)s, o->zone);
	if (zi < 0)
		return 0;
	zone_spec_t *z = (zone_spec_t *)&spec->zones[zi];
	if (o->kind == CTL_FAULT) {
		fault_t f = o->fault;
		if (o->has_cut && !f.has_name) {
			f.has_name = true;
			memcpy(f.name, o->cut, name_len(o->cut));
		}
		return add_fault(&z->faults, &z->nfaults, &f);
	}
	if (!o->has_cut) {
		set_rule(&z->rule, z->where, o, other_set);
		return 0;
	}
	for (size_t d = 0; d < z->ndelegs; d++) {
		deleg_spec_t *ds = &((deleg_spec_t *)z->delegs)[d];
		if (name_equal(ds->name, o->cut)) {
			set_rule(&ds->rule, ds->where, o, other_set);
			return 0;
		}
	}
	deleg_spec_t *d = realloc((deleg_spec_t *)z->delegs, (z->ndelegs + 1) * sizeof(*d));
	if (d == NULL)
		return -1;
	z->delegs = d;
	d = &d[z->ndelegs++];
	memset(d, 0, sizeof(*d));
	memcpy(d->name, o->cut, name_len(o->cut));
	d->rule = GLUE_RULE_INHERIT;
	set_rule(&d->rule, d->where, o, other_set);
	return 0;
}

int ctl_apply(srvconf_t *sc, const view_t *v, const ctl_override_t *ov, size_t n, char *err,
	      size_t errcap)
{
	for (size_t i = 0; i < n; i++)
		if (apply_one(sc, v, ov, i) < 0)
			return fail(err, errcap, "out of memory");
	return 0;
}

/* ---- status ------------------------------------------------------------- */

typedef struct out {
	char *buf;
	size_t cap, len;
} out_t;

static void put(out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out_t *o, const char *fmt, ...)
{
	if (o->len + 1 >= o->cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len = o->len + (size_t)n < o->cap ? o->len + (size_t)n : o->cap - 1;
}

/* A where for people: "" is the command line. */
static const char *where_text(const char *w) { return w[0] ? w : "command line"; }

/* The details of a partial or wrong rule, as `set` takes them:
 * " first=2", " names=ns1.x.,ns2.x.", " address=192.0.2.1,2001:db8::1". */
static void rule_details(const glue_rule_t *g, char *buf, size_t cap)
{
	out_t o = { buf, cap, 0 };
	char text[NAME_TEXT_MAX];
	buf[0] = '\0';
	if (g->mode == GLUE_PARTIAL && g->first)
		put(&o, " first=%u", (unsigned)g->first);
	for (uint8_t i = 0; g->mode == GLUE_PARTIAL && !g->first && i < g->nnames; i++) {
		name_to_text(g->names[i], text, sizeof(text));
		put(&o, "%s%s", i ? "," : " names=", text);
	}
	if (g->mode == GLUE_WRONG) {
		char a[INET6_ADDRSTRLEN] = "", aaaa[INET6_ADDRSTRLEN] = "";
		if (g->has_wrong_a)
			inet_ntop(AF_INET, g->wrong_a, a, sizeof(a));
		if (g->has_wrong_aaaa)
			inet_ntop(AF_INET6, g->wrong_aaaa, aaaa, sizeof(aaaa));
		put(&o, " address=%s%s%s", a, a[0] && aaaa[0] ? "," : "", aaaa);
	}
}

/* The rules in force at a cut of z (cut NULL: the zone's; z NULL: the
 * server's), resolved through inheritance, with where each was set:
 * "glue none (control), truncation rfc9471 (default)", or JSON members. */
static void put_rules(out_t *o, json_t *j, const zoneset_t *zs, const zone_t *z, const node_t *cut)
{
	const glue_rule_t *g = &zs->rule;
	uint8_t trunc = zs->rule.truncation;
	const char *gw, *tw;
	if (z != NULL)
		glue_rule_effective(z, cut, &zs->rule, &g, &trunc);
	zoneset_rule_where(zs, z, cut, &gw, &tw);
	if (j == NULL) {
		char details[1024];
		rule_details(g, details, sizeof(details));
		put(o, "glue %s%s (%s), truncation %s (%s)", glue_mode_str(g->mode), details,
		    where_text(gw), trunc_mode_str(trunc), where_text(tw));
		return;
	}
	char text[NAME_TEXT_MAX];
	json_str(j, "glue", glue_mode_str(g->mode));
	if (g->mode == GLUE_PARTIAL && g->first)
		json_uint(j, "glue_first", g->first);
	if (g->mode == GLUE_PARTIAL && !g->first) {
		json_arr_open(j, "glue_names");
		for (uint8_t i = 0; i < g->nnames; i++)
			json_str(j, NULL, name_str(g->names[i], text, sizeof(text)));
		json_arr_close(j);
	}
	if (g->mode == GLUE_WRONG) {
		char a[INET6_ADDRSTRLEN];
		json_arr_open(j, "glue_address");
		if (g->has_wrong_a)
			json_str(j, NULL, inet_ntop(AF_INET, g->wrong_a, a, sizeof(a)));
		if (g->has_wrong_aaaa)
			json_str(j, NULL, inet_ntop(AF_INET6, g->wrong_aaaa, a, sizeof(a)));
		json_arr_close(j);
	}
	json_str(j, "glue_where", where_text(gw));
	json_str(j, "truncation", trunc_mode_str(trunc));
	json_str(j, "truncation_where", where_text(tw));
}

size_t ctl_status(const srvconf_t *sc, const view_t *v, const ctl_override_t *ov, size_t n,
		  bool json, char *buf, size_t cap)
{
	out_t o = { buf, cap, 0 };
	json_t j;
	json_t *jp = json ? &j : NULL;
	char name[NAME_TEXT_MAX];
	if (json) {
		json_init(&j, buf, cap);
		json_obj_open(&j, NULL);
		json_bool(&j, "ok", true);
		json_uint(&j, "pid", (unsigned long long)getpid());
		json_str(&j, "config", sc->file);
		json_arr_open(&j, "servers");
	} else {
		put(&o, "glued pid %ld, configuration %s\n", (long)getpid(),
		    sc->file ? sc->file : "(command line)");
	}
	for (size_t s = 0; s < sc->nservers && s < v->n; s++) {
		const vserver_t *vs = &sc->servers[s];
		const zoneset_t *zs = v->zs[s];
		if (json) {
			json_obj_open(&j, NULL);
			json_str(&j, "name", vs->name);
			json_arr_open(&j, "listen");
			for (size_t i = 0; i < vs->nlisten; i++)
				json_str(&j, NULL, vs->listen[i].text);
			json_arr_close(&j);
			put_rules(&o, jp, zs, NULL, NULL);
			json_uint(&j, "faults", zs->nfaults);
			json_arr_open(&j, "zones");
		} else {
			put(&o, "server %s on", vs->name);
			for (size_t i = 0; i < vs->nlisten; i++)
				put(&o, "%s %s", i ? "," : "", vs->listen[i].text);
			put(&o, ": ");
			put_rules(&o, NULL, zs, NULL, NULL);
			put(&o, ", %zu fault(s)\n", zs->nfaults);
		}
		for (size_t i = 0; i < zs->nzones; i++) {
			const zone_t *z = zs->zones[i];
			const zone_spec_t *zsp = i < vs->spec.nzones ? &vs->spec.zones[i] : NULL;
			name_to_text(zone_origin(z), name, sizeof(name));
			if (json) {
				json_obj_open(&j, NULL);
				json_str(&j, "zone", name);
				json_uint(&j, "serial", zone_serial(z));
				json_bool(&j, "signed", zone_signed(z));
				put_rules(&o, jp, zs, z, NULL);
				json_uint(&j, "faults", zs->nzfaults[i]);
				json_arr_open(&j, "delegations");
			} else {
				put(&o, "  zone %s serial %u%s: ", name, zone_serial(z),
				    zone_signed(z) ? " (signed)" : "");
				put_rules(&o, NULL, zs, z, NULL);
				put(&o, ", %zu fault(s)\n", zs->nzfaults[i]);
			}
			/* The delegations with a rule of their own. */
			for (size_t d = 0; zsp != NULL && d < zsp->ndelegs; d++) {
				const deleg_spec_t *ds = &zsp->delegs[d];
				const node_t *cut = zone_find(z, ds->name, name_len(ds->name));
				if (cut == NULL || !(cut->flags & NODE_CUT))
					continue;
				name_to_text(ds->name, name, sizeof(name));
				if (json) {
					json_obj_open(&j, NULL);
					json_str(&j, "name", name);
					put_rules(&o, jp, zs, z, cut);
					json_str(&j, "where", ds->where);
					json_obj_close(&j);
				} else {
					put(&o, "    delegation %s: ", name);
					put_rules(&o, NULL, zs, z, cut);
					put(&o, "\n");
				}
			}
			if (json) {
				json_arr_close(&j);
				json_obj_close(&j);
			}
		}
		/* Zones pulled from a primary that no transfer has brought yet. */
		for (size_t i = 0; i < vs->spec.nwaiting; i++) {
			char primary[80];
			xfr_addr_str(&vs->spec.waiting[i].xfr->primary, primary, sizeof(primary));
			if (json) {
				json_obj_open(&j, NULL);
				json_str(&j, "zone", vs->spec.waiting[i].origin);
				json_str(&j, "waiting_for", primary);
				json_obj_close(&j);
			} else {
				put(&o, "  zone %s: not transferred yet from %s\n",
				    vs->spec.waiting[i].origin, primary);
			}
		}
		if (json) {
			json_arr_close(&j);
			json_obj_close(&j);
		}
	}
	if (json) {
		json_arr_close(&j);
		json_arr_open(&j, "overrides");
		for (size_t i = 0; i < n; i++)
			json_str(&j, NULL, ov[i].text);
		json_arr_close(&j);
		json_obj_close(&j);
		size_t len = json_len(&j);
		if (len + 1 < cap) {
			buf[len++] = '\n';
			buf[len] = '\0';
		}
		return len;
	}
	if (n == 0)
		put(&o, "no overrides (gluectl set)\n");
	for (size_t i = 0; i < n; i++)
		put(&o, "override: set %s\n", ov[i].text);
	return o.len;
}
