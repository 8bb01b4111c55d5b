/*
 * ctlcmd.c -- control commands: parse, apply, report (ctlcmd.h).
 */
#include "ctlcmd.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/xfr.h"
#include "util/json.h"

#define WORDS_MAX 24

/* Split line into blank-separated words (in place). */
static size_t split(char *line, char **w, size_t max)
{
	size_t n = 0;
	for (char *p = strtok(line, " \t\r"); p != NULL && n < max; p = strtok(NULL, " \t\r"))
		w[n++] = p;
	return n;
}

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

/* "250ms" or "2s", 1 ms to 60 s, as the YAML's delay. */
static int parse_ms(const char *s, uint32_t *ms)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	unsigned long scale = strcmp(end, "ms") == 0 ? 1 : strcmp(end, "s") == 0 ? 1000 : 0;
	if (end == s || scale == 0 || v == 0 || v > 60000 / scale)
		return -1;
	*ms = (uint32_t)(v * scale);
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
	if (kind == CTL_TRUNCATION) {
		if (n != 1 || trunc_mode_from_str(w[0], &ov->rule.truncation) != 0)
			return fail(
				err, cap,
				"expected rfc9471, legacy or always for 'truncation', got '%.60s'",
				w[0]);
		return 0;
	}
	if (kind == CTL_GLUE) {
		if (glue_mode_from_str(w[0], &ov->rule.mode) != 0)
			return fail(
				err, cap,
				"expected full, in-domain, none, partial or wrong for 'glue', got "
				"'%.60s'",
				w[0]);
		if (ov->rule.mode == GLUE_PARTIAL) {
			char *end = NULL;
			unsigned long first = n == 2 ? strtoul(w[1], &end, 10) : 0;
			if (n != 2 || *end != '\0' || first < 1 || first > 65535)
				return fail(
					err, cap,
					"glue partial needs N, how many NS names keep their glue "
					"(1-65535)");
			ov->rule.first = (uint16_t)first;
		} else if (ov->rule.mode == GLUE_WRONG) {
			if (n < 2 || n > 3)
				return fail(err, cap,
					    "glue wrong needs one IPv4 and/or one IPv6 address");
			for (size_t i = 1; i < n; i++) {
				if (inet_pton(AF_INET, w[i], ov->rule.wrong_a) == 1 &&
				    !ov->rule.has_wrong_a)
					ov->rule.has_wrong_a = true;
				else if (inet_pton(AF_INET6, w[i], ov->rule.wrong_aaaa) == 1 &&
					 !ov->rule.has_wrong_aaaa)
					ov->rule.has_wrong_aaaa = true;
				else
					return fail(
						err, cap,
						"glue wrong: '%.60s' is not a second address of "
						"the other family",
						w[i]);
			}
		} else if (n != 1) {
			return fail(err, cap, "glue %s takes no more words", w[0]);
		}
		return 0;
	}
	fault_t *f = &ov->fault;
	memset(f, 0, sizeof(*f));
	if (fault_action_from_str(w[0], &f->action) != 0)
		return fail(err, cap,
			    "expected refuse, servfail, drop, delay, lame or upward for 'fault', "
			    "got '%.60s'",
			    w[0]);
	f->every = 1;
	if (f->action == FAULT_DELAY) {
		if (n != 2 || parse_ms(w[1], &f->delay_ms) != 0)
			return fail(err, cap,
				    "fault delay needs a duration from 1ms to 60s (250ms, 2s)");
	} else if (f->action == FAULT_UPWARD) {
		if (n < 2 || n - 1 > RULE_MAX_NAMES)
			return fail(err, cap, "fault upward needs 1 to %d NS names",
				    RULE_MAX_NAMES);
		for (size_t i = 1; i < n; i++) {
			if (get_name(w[i], f->upward[f->nupward]) < 0)
				return fail(err, cap, "'%.100s' is not a domain name", w[i]);
			f->nupward++;
		}
	} else if (n != 1) {
		return fail(err, cap, "fault %s takes no more words", w[0]);
	}
	fault_ede_default(f);
	snprintf(f->where, sizeof(f->where), "control");
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
	snprintf(buf, sizeof(buf), "%s", line);
	size_t n = split(buf, w, WORDS_MAX);
	if (n > 0 && strcmp(w[n - 1], "--json") == 0) {
		cmd->json = true;
		n--;
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
	if (set && parse_value(cmd->ov.kind, w + 3, n - 3, &cmd->ov, err, errcap) < 0)
		return -1;
	/* The words as given, for the log and status. */
	size_t len = 0;
	for (size_t i = 1; i < n && len < sizeof(cmd->ov.text); i++)
		len += (size_t)snprintf(cmd->ov.text + len, sizeof(cmd->ov.text) - len, "%s%s",
					i > 1 ? " " : "", w[i]);
	return 0;
}

bool ctl_clears(const ctl_override_t *c, const ctl_override_t *o)
{
	return strcmp(c->server, o->server) == 0 && c->has_zone == o->has_zone &&
	       (!c->has_zone || name_equal(c->zone, o->zone)) && c->has_cut == o->has_cut &&
	       (!c->has_cut || name_equal(c->cut, o->cut)) &&
	       (c->kind == CTL_ANY || c->kind == o->kind);
}

/* A rule or truncation override onto a rule. */
static void set_rule(glue_rule_t *r, const ctl_override_t *o)
{
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

static int apply_one(srvconf_t *sc, const view_t *v, const ctl_override_t *o)
{
	int s = server_index(sc, o->server);
	if (s < 0)
		return 0; /* the server is gone from the file: nothing to apply */
	server_spec_t *spec = &sc->servers[s].spec;
	if (!o->has_zone) {
		if (o->kind == CTL_FAULT)
			return add_fault(&spec->faults, &spec->nfaults, &o->fault);
		set_rule(&spec->rule, o);
		return 0;
	}
	int zi = zone_index(sc, v, (size_t)s, o->zone);
	if (zi < 0)
		return 0;
	zone_spec_t *z = (zone_spec_t *)&spec->zones[zi];
	if (o->kind == CTL_FAULT) {
		fault_t f = o->fault;
		if (o->has_cut) {
			f.has_name = true;
			memcpy(f.name, o->cut, name_len(o->cut));
		}
		return add_fault(&z->faults, &z->nfaults, &f);
	}
	if (!o->has_cut) {
		set_rule(&z->rule, o);
		return 0;
	}
	for (size_t d = 0; d < z->ndelegs; d++) {
		if (name_equal(z->delegs[d].name, o->cut)) {
			set_rule(&((deleg_spec_t *)z->delegs)[d].rule, o);
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
	set_rule(&d->rule, o);
	snprintf(d->where, sizeof(d->where), "control");
	return 0;
}

int ctl_apply(srvconf_t *sc, const view_t *v, const ctl_override_t *ov, size_t n, char *err,
	      size_t errcap)
{
	for (size_t i = 0; i < n; i++)
		if (apply_one(sc, v, &ov[i]) < 0)
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

static const char *rule_mode(const glue_rule_t *r) { return glue_mode_str(r->mode); }
static const char *rule_trunc(const glue_rule_t *r) { return trunc_mode_str(r->truncation); }

size_t ctl_status(const srvconf_t *sc, const view_t *v, const ctl_override_t *ov, size_t n,
		  bool json, char *buf, size_t cap)
{
	out_t o = { buf, cap, 0 };
	json_t j;
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
			json_str(&j, "glue", rule_mode(&zs->rule));
			json_str(&j, "truncation", rule_trunc(&zs->rule));
			json_uint(&j, "faults", zs->nfaults);
			json_arr_open(&j, "zones");
		} else {
			put(&o, "server %s on", vs->name);
			for (size_t i = 0; i < vs->nlisten; i++)
				put(&o, "%s %s", i ? "," : "", vs->listen[i].text);
			put(&o, ": glue %s, truncation %s, %zu fault(s)\n", rule_mode(&zs->rule),
			    rule_trunc(&zs->rule), zs->nfaults);
		}
		for (size_t i = 0; i < zs->nzones; i++) {
			const zone_t *z = zs->zones[i];
			const zone_spec_t *zsp = i < vs->spec.nzones ? &vs->spec.zones[i] : NULL;
			glue_rule_t zr = zsp ? zsp->rule : GLUE_RULE_INHERIT;
			name_to_text(zone_origin(z), name, sizeof(name));
			if (json) {
				json_obj_open(&j, NULL);
				json_str(&j, "zone", name);
				json_uint(&j, "serial", zone_serial(z));
				json_bool(&j, "signed", zone_signed(z));
				json_str(&j, "glue", rule_mode(&zr));
				json_str(&j, "truncation", rule_trunc(&zr));
				json_uint(&j, "faults", zsp ? zsp->nfaults : 0);
				json_arr_open(&j, "delegations");
			} else {
				put(&o,
				    "  zone %s serial %u%s: glue %s, truncation %s, %zu fault(s)\n",
				    name, zone_serial(z), zone_signed(z) ? " (signed)" : "",
				    rule_mode(&zr), rule_trunc(&zr), zsp ? zsp->nfaults : 0);
			}
			for (size_t d = 0; zsp != NULL && d < zsp->ndelegs; d++) {
				const deleg_spec_t *ds = &zsp->delegs[d];
				name_to_text(ds->name, name, sizeof(name));
				if (json) {
					json_obj_open(&j, NULL);
					json_str(&j, "name", name);
					json_str(&j, "glue", rule_mode(&ds->rule));
					json_str(&j, "truncation", rule_trunc(&ds->rule));
					json_str(&j, "where", ds->where);
					json_obj_close(&j);
				} else {
					put(&o, "    delegation %s: glue %s, truncation %s (%s)\n",
					    name, rule_mode(&ds->rule), rule_trunc(&ds->rule),
					    ds->where);
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
