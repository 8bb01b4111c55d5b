/*
 * banner.c -- the start-up banner and the announcements, in words.
 */
#include "banner.h"

#include "dns/xfr.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "checkcmd.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "log.h"

/* ---- announcing the policies that break the RFCs ------------------------------ */

/* " glue none truncation legacy": the parts of r that break the RFCs. */
static void rule_words(const glue_rule_t *r, char *buf, size_t cap)
{
	int n = 0;
	buf[0] = '\0';
	if (r->mode != GLUE_INHERIT && glue_rule_breaks_rfc(r->mode, TRUNC_RFC9471))
		n += snprintf(buf + n, cap - (size_t)n, " glue %s", glue_mode_str(r->mode));
	if ((r->truncation == TRUNC_LEGACY || r->truncation == TRUNC_ALWAYS) && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, " truncation %s", trunc_mode_str(r->truncation));
}

/* "fault servfail on zone lab. www.lab. A (3 ms), every 2 queries (lab.yaml:40)" */
static void fault_words(const announce_t *a, char *buf, size_t cap)
{
	const fault_t *f = a->fault;
	char name[NAME_TEXT_MAX] = "any name", tbuf[16], scope[NAME_TEXT_MAX + 16];
	const char *type = f->type ? rrtype_to_text(f->type, tbuf) : "any type";
	if (f->has_name)
		name_str(f->name, name, sizeof(name));
	if (a->scope == ANNOUNCE_SERVER) {
		snprintf(scope, sizeof(scope), "server %s",
			 a->server ? a->server : "(command line)");
	} else {
		char origin[NAME_TEXT_MAX];
		snprintf(scope, sizeof(scope), "zone %s",
			 name_str(a->zone, origin, sizeof(origin)));
	}
	int n = snprintf(buf, cap, "fault %s on %s %s %s", fault_action_str(f->action), scope, name,
			 type);
	if (n > 0 && (size_t)n < cap && f->action == FAULT_DELAY)
		n += snprintf(buf + n, cap - (size_t)n, " (%u ms)", f->delay_ms);
	if (n > 0 && (size_t)n < cap && f->every > 1)
		n += snprintf(buf + n, cap - (size_t)n, ", every %u queries", f->every);
	if (n > 0 && (size_t)n < cap && f->where[0])
		snprintf(buf + n, cap - (size_t)n, " (%s)", f->where);
}

typedef struct announce_ctx {
	const vserver_t *vs;
	size_t count;
} announce_ctx_t;

/*
 * One announcement as a warning: "server lab: zone lab.: delegation
 * nog.lab.: glue none (lab.yaml:41) breaks RFC 9471 on purpose".
 */
static void announce_cb(void *ctx, const announce_t *a)
{
	announce_ctx_t *c = ctx;
	const char *server = c->vs->name;
	char origin[NAME_TEXT_MAX], cut[NAME_TEXT_MAX], words[2 * NAME_TEXT_MAX + 256];

	c->count++;
	if (a->dfault != NULL) {
		char what[64];
		name_str(a->zone, origin, sizeof(origin));
		if (a->cut != NULL)
			log_warn("server %s: zone %s: delegation %s: %s (%s) breaks DNSSEC "
				 "validation (RFC 4035) on purpose",
				 server, origin, name_str(a->cut, cut, sizeof(cut)),
				 dnssec_fault_str(a->dfault, what, sizeof(what)), a->where);
		else
			log_warn("server %s: zone %s: %s (%s) breaks DNSSEC validation (RFC 4035) "
				 "on purpose",
				 server, origin, dnssec_fault_str(a->dfault, what, sizeof(what)),
				 a->where);
		return;
	}
	if (a->fault != NULL) {
		fault_words(a, words, sizeof(words));
		log_warn("server %s: %s on purpose", server, words);
		return;
	}
	const glue_rule_t *r = a->rule;
	const char *why =
		glue_rule_breaks_rfc(r->mode, TRUNC_RFC9471) || r->truncation == TRUNC_LEGACY
			? "breaks RFC 9471 on purpose"
			: "sets TC on every UDP answer on purpose";
	char scope[2 * NAME_TEXT_MAX + 32] = "";
	if (a->scope == ANNOUNCE_ZONE)
		snprintf(scope, sizeof(scope),
			 "zone %s:", name_str(a->zone, origin, sizeof(origin)));
	else if (a->scope == ANNOUNCE_DELEGATION)
		snprintf(scope, sizeof(scope),
			 "zone %s: delegation %s:", name_str(a->zone, origin, sizeof(origin)),
			 name_str(a->cut, cut, sizeof(cut)));
	rule_words(r, words, sizeof(words));
	/* The server's own rule: "server X: glue none ..." without a colon
	 * after the words' scope. */
	const char *text = a->scope == ANNOUNCE_SERVER ? words + 1 : words;
	if (a->where != NULL && a->where[0] != '\0')
		log_warn("server %s: %s%s (%s) %s", server, scope, text, a->where, why);
	else
		log_warn("server %s: %s%s %s", server, scope, text, why);
}

size_t banner_announce(const vserver_t *vs, const zoneset_t *zs)
{
	announce_ctx_t c = { .vs = vs };
	zoneset_announce(zs, announce_cb, &c);
	return c.count;
}

size_t banner_announce_all(const srvconf_t *sc, const view_t *v)
{
	size_t n = 0;
	for (size_t i = 0; i < v->n; i++)
		n += banner_announce(&sc->servers[i], v->zs[i]);
	return n;
}

/* ---- the banner ---------------------------------------------------------------- */

/* "127.0.1.1:5300, [::1]:5302"; a long list as its ends and a count. */
static void addr_list(const vserver_t *vs, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < vs->nlisten && len < cap; i++) {
		if (vs->nlisten > 4 && i == 2) {
			len += (size_t)snprintf(buf + len, cap - len, ", ... %s (%zu addresses)",
						vs->listen[vs->nlisten - 1].text, vs->nlisten);
			break;
		}
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "",
					vs->listen[i].text);
	}
}

/* "glue full, truncation rfc9471": what a rule sets (NULL if nothing). */
static const char *rule_text(const glue_rule_t *r, char *buf, size_t cap)
{
	int n = 0;
	buf[0] = '\0';
	if (r->mode != GLUE_INHERIT)
		n += snprintf(buf + n, cap - (size_t)n, "glue %s", glue_mode_str(r->mode));
	if (r->truncation != TRUNC_INHERIT && n >= 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, "%struncation %s", n ? ", " : "",
			 trunc_mode_str(r->truncation));
	return buf[0] ? buf : NULL;
}

/* The command line's one server: as glued has always said it. */
static void banner_cmdline(const config_t *cfg, const srvconf_t *sc, const view_t *v,
			   unsigned nworkers)
{
	const zoneset_t *zs = v->zs[0];
	char addrs[512], origin[NAME_TEXT_MAX];

	addr_list(&sc->servers[0], addrs, sizeof(addrs));
	log_info("serving %zu zone(s) on %s (udp+tcp, %u thread(s), glue %s)", zs->nzones, addrs,
		 nworkers, glue_mode_str(cfg->glue_policy));
	for (size_t i = 0; i < zs->nzones; i++) {
		const zone_t *z = zs->zones[i];
		log_info("  zone %s from %s (%zu records)",
			 name_str(zone_origin(z), origin, sizeof(origin)), zone_file(z),
			 zone_record_count(z));
	}
	if (cfg->glue_policy == GLUE_NONE)
		log_warn("--glue none leaves out all glue: referrals break RFC 9471 on purpose");
	else if (cfg->glue_policy == GLUE_IN_DOMAIN)
		log_info("--glue in-domain: sibling and in-zone glue are left out");
}

/* A configuration file: one block per server, the announcements, and
 * the scenarios to try. */
static void banner_servers(const config_t *cfg, const srvconf_t *sc, const view_t *v,
			   unsigned nworkers)
{
	char addrs[512], origin[NAME_TEXT_MAX], rule[128];

	log_info("serving %zu server(s) from %s (udp+tcp, %u thread(s))", sc->nservers, sc->file,
		 nworkers);
	for (size_t s = 0; s < sc->nservers; s++) {
		const vserver_t *vs = &sc->servers[s];
		const zoneset_t *zs = v->zs[s];
		addr_list(vs, addrs, sizeof(addrs));
		log_info("server %s on %s: glue %s, truncation %s%s", vs->name, addrs,
			 glue_mode_str(zs->rule.mode), trunc_mode_str(zs->rule.truncation),
			 vs->spec.nfaults ? ", with faults" : "");
		if (zs->nzones == 0 && vs->spec.nwaiting == 0)
			log_info("  no zones: every query is REFUSED");
		for (size_t i = 0; i < vs->spec.nwaiting; i++) {
			char a[80];
			log_info(
				"  zone %s from primary %s: not transferred yet (REFUSED until it is)",
				vs->spec.waiting[i].origin,
				xfr_addr_str(&vs->spec.waiting[i].xfr->primary, a, sizeof(a)));
		}
		for (size_t i = 0; i < zs->nzones; i++) {
			const zone_t *z = zs->zones[i];
			const zone_spec_t *spec = &vs->spec.zones[i];
			const char *r = rule_text(&spec->rule, rule, sizeof(rule));
			log_info("  zone %s from %s (%zu records)%s%s%s",
				 name_str(zone_origin(z), origin, sizeof(origin)), zone_file(z),
				 zone_record_count(z), r ? ": " : "", r ? r : "",
				 spec->nfaults ? ", with faults" : "");
			for (size_t k = 0; k < spec->ndelegs; k++) {
				char dname[NAME_TEXT_MAX];
				name_str(spec->delegs[k].name, dname, sizeof(dname));
				r = rule_text(&spec->delegs[k].rule, rule, sizeof(rule));
				log_info("    delegation %s: %s", dname, r ? r : "inherits");
			}
		}
	}
	banner_announce_all(sc, v);
	if (sc->nscenarios > 0) {
		log_info("try these:");
		for (size_t i = 0; i < sc->nscenarios; i++) {
			const scenario_t *t = &sc->scenarios[i];
			const listen_addr_t *a = &sc->servers[t->server].listen[0];
			char ede[32] = "";
			if (t->ede >= 0)
				snprintf(ede, sizeof(ede), ", EDE %d", t->ede);
			log_info("  %s: %s; a resolver gets %s%s%s%s%s", t->name, t->title,
				 t->resolver, t->answer ? " " : "", t->answer ? t->answer : "",
				 t->dnssec == SCENARIO_DNSSEC_SECURE
					 ? ", secure (AD) if it validates"
				 : t->dnssec == SCENARIO_DNSSEC_INSECURE ? ", insecure (no AD)"
				 : t->dnssec == SCENARIO_DNSSEC_BOGUS ? " if it validates (bogus)"
								      : "",
				 ede);
			log_info("    dig @%s -p %u %s %s +norecurse%s", a->host, a->port, t->qname,
				 t->qtype, i == 0 ? "   (the parent's referral)" : "");
			/* The first scenario's whole walk: then the child's own answer. */
			int child = i == 0 ? checkcmd_answering_server(sc, v, t) : -1;
			if (child >= 0 && (size_t)child != t->server) {
				const listen_addr_t *c = &sc->servers[child].listen[0];
				log_info(
					"    dig @%s -p %u %s %s +norecurse   (the child's answer: aa)",
					c->host, c->port, t->qname, t->qtype);
			}
		}
	}
	if (cfg->lab)
		log_info("the resolver lab: `make lab` (or tools/lab) runs Unbound through every "
			 "scenario in a private network namespace");
}

/* A signed root: its DS, the trust anchor a validating resolver needs. */
static void banner_anchor(const config_t *cfg, const view_t *v)
{
	char ta[4096];
	if (view_trust_anchor(v, ta, sizeof(ta)) == 0)
		return;
	log_info("the root is signed; its DS, the trust anchor of a validating resolver%s%s:",
		 cfg->trust_anchor ? ", is in " : " (--trust-anchor FILE writes it)",
		 cfg->trust_anchor ? cfg->trust_anchor : "");
	for (char *line = strtok(ta, "\n"); line != NULL; line = strtok(NULL, "\n"))
		log_info("  %s", line);
}

void banner_print(const config_t *cfg, const srvconf_t *sc, const view_t *v, unsigned nworkers)
{
	if (sc->file == NULL)
		banner_cmdline(cfg, sc, v, nworkers);
	else
		banner_servers(cfg, sc, v, nworkers);
	banner_anchor(cfg, v);
	if (cfg->log_queries)
		log_info("query log on stdout (%s)",
			 cfg->log_format == LOG_FORMAT_JSON ? "json" : "text");
	log_info("pid %ld; Ctrl-C or SIGTERM stops, SIGHUP reloads the %s", (long)getpid(),
		 sc->file != NULL ? "configuration and the zones" : "zones");
}
