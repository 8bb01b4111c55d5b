/*
 * main.c -- glued: command line, configuration, workers, signals, reload.
 *
 * What glued serves is a srvconf_t (config.h): from the YAML file (-c, or
 * the bundled lab.yaml when neither -c nor -z is given) or from -l/-z. Each
 * of its virtual servers becomes one zoneset; together they form the view
 * the workers answer from. The main thread owns a small uv loop of its own
 * that only handles signals: SIGINT/SIGTERM stop the workers and end the
 * process with status 0; SIGHUP reads the configuration and every zone
 * again into a new view and hands it to every worker; the old view is freed
 * once all workers have acknowledged the switch. The sockets stay open
 * through a reload, so no query is lost, and where glued listens cannot
 * change without a restart.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "config.h"
#include "dns/check.h"
#include "dns/name.h"
#include "dns/query.h"
#include "dns/rdata.h"
#include "dns/sim.h"
#include "dns/zone.h"
#include "dns/zoneset.h"
#include "log.h"
#include "net/worker.h"
#include "yamlconf.h"

#define ERR_MAX 1024

typedef struct daemon {
	config_t cfg;
	srvconf_t sc;            /* what the current view was built from */
	uv_loop_t loop;
	uv_signal_t sigint, sigterm, sighup;
	uv_async_t reloaded;     /* a worker tells main: all acks are in */
	worker_t *workers;
	unsigned nworkers;
	view_t *view;            /* the newest view */
	view_t *old;             /* being retired: freed after every ack */
	atomic_uint acks_pending;
	bool loop_ready;
	bool stopping;
} daemon_t;

static void warn_cb(void *ctx, const char *msg)
{
	unsigned *count = ctx;
	log_warn("%s", msg);
	if (count != NULL)
		(*count)++;
}

static const char *origin_text(const zone_t *z, char *buf, size_t cap)
{
	if (name_to_text(zone_origin(z), buf, cap) < 0)
		snprintf(buf, cap, "?");
	return buf;
}

/* The configuration from its source: the YAML file, or the command line. */
static int load_srvconf(const config_t *cfg, srvconf_t *out, char *err, size_t errcap)
{
	if (cfg->config_file != NULL)
		return yamlconf_load(cfg->config_file, out, err, errcap);
	return srvconf_from_cmdline(cfg, out, err, errcap);
}

/* Every server's zones, loaded; nothing is kept unless all load. */
static int build_view(const srvconf_t *sc, view_t **out, char *err, size_t errcap)
{
	char e[ERR_MAX - 96];
	view_t *v = view_new(sc->nservers);
	if (v == NULL) {
		snprintf(err, errcap, "out of memory");
		return ST_ENOMEM;
	}
	v->n = sc->nservers;
	for (size_t i = 0; i < sc->nservers; i++) {
		int r = zoneset_load(&sc->servers[i].spec, warn_cb, NULL, &v->zs[i], e, sizeof(e));
		if (r < 0) {
			if (sc->file != NULL)
				snprintf(err, errcap, "%s (server %.64s)", e, sc->servers[i].name);
			else
				snprintf(err, errcap, "%s", e);
			view_free(v);
			return r;
		}
	}
	*out = v;
	return 0;
}

/* ---- announcing the policies that break the RFCs ------------------------------ */

typedef struct announce_ctx {
	const vserver_t *vs;
	const zoneset_t *zs;
	size_t count;
} announce_ctx_t;

/* The zone of vs whose origin is text ("lab."), or SIZE_MAX. */
static size_t zone_by_origin(const announce_ctx_t *a, const char *text, size_t len)
{
	char origin[NAME_TEXT_MAX];
	for (size_t i = 0; i < a->zs->nzones; i++) {
		origin_text(a->zs->zones[i], origin, sizeof(origin));
		if (strlen(origin) == len && strncmp(origin, text, len) == 0)
			return i;
	}
	return SIZE_MAX;
}

/*
 * One engine announcement ("delegation nog.lab.: glue none", "zone lab.:
 * truncation legacy", "server tld: glue none", "fault ... (lab.yaml:9)"),
 * completed with the server, the zone of a delegation and where in the
 * configuration it was set.
 */
static void announce_cb(void *ctx, const char *line)
{
	announce_ctx_t *a = ctx;
	const vserver_t *vs = a->vs;
	char zone[NAME_TEXT_MAX + 16] = "";
	const char *where = NULL;
	const char *colon = strstr(line, ": ");
	bool fault = strncmp(line, "fault ", 6) == 0;

	a->count++;
	if (strncmp(line, "server ", 7) == 0) {
		where = vs->where;
	} else if (strncmp(line, "zone ", 5) == 0 && colon != NULL) {
		size_t i = zone_by_origin(a, line + 5, (size_t)(colon - line - 5));
		if (i != SIZE_MAX && i < vs->spec.nzones)
			where = vs->zone_where[i];
	} else if (strncmp(line, "delegation ", 11) == 0 && colon != NULL) {
		uint8_t wire[NAME_MAXLEN], lname[NAME_MAXLEN];
		if (name_from_text(line + 11, (size_t)(colon - line - 11), (const uint8_t *)"",
				   wire) >= 0) {
			name_lower(lname, wire);
			for (size_t i = 0; i < vs->spec.nzones && where == NULL; i++) {
				const zone_spec_t *z = &vs->spec.zones[i];
				for (size_t k = 0; k < z->ndelegs; k++) {
					if (!name_equal(z->delegs[k].name, lname))
						continue;
					where = z->delegs[k].where;
					if (i < a->zs->nzones) {
						char o[NAME_TEXT_MAX];
						snprintf(zone, sizeof(zone), "zone %s: ",
							 origin_text(a->zs->zones[i], o, sizeof(o)));
					}
					break;
				}
			}
		}
	}
	const char *why = fault ? "on purpose"
		: (strstr(line, " glue ") != NULL || strstr(line, "legacy") != NULL)
			? "breaks RFC 9471 on purpose"
			: "sets TC on every UDP answer on purpose";
	if (strncmp(line, "server ", 7) == 0 && colon != NULL)
		line = colon + 2; /* "server X: " is printed anyway */
	if (where != NULL && where[0] != '\0')
		log_warn("server %s: %s%s (%s) %s", vs->name, zone, line, where, why);
	else
		log_warn("server %s: %s%s %s", vs->name, zone, line, why);
}

/* Every RFC-breaking policy of every server, as warnings. */
static size_t announce_all(const srvconf_t *sc, const view_t *v)
{
	size_t n = 0;
	for (size_t i = 0; i < v->n; i++) {
		announce_ctx_t a = { .vs = &sc->servers[i], .zs = v->zs[i] };
		zoneset_announce(v->zs[i], announce_cb, &a);
		n += a.count;
	}
	return n;
}

/* ---- the bundled lab and --check ------------------------------------------------ */

/* The bundled lab: the source tree first (running from a build directory),
 * then the installed copy. */
static int find_lab_config(char *path, size_t cap)
{
	static const char *const dirs[] = { GLUED_ZONES_DIR, GLUED_INSTALLED_ZONES_DIR };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, cap, "%s/%s", dirs[i], CONFIG_LAB_FILE);
		if (access(path, R_OK) == 0)
			return 0;
	}
	log_error("the bundled lab is missing: looked for %s/%s and %s/%s", GLUED_ZONES_DIR,
		  CONFIG_LAB_FILE, GLUED_INSTALLED_ZONES_DIR, CONFIG_LAB_FILE);
	return -1;
}

/* ---- --check ------------------------------------------------------------------- */

typedef struct check_out {
	bool json;
	check_prediction_t *predictions;
	size_t npredictions, cap;
	unsigned lost;           /* predictions dropped: out of memory */
} check_out_t;

static void json_kv(char *buf, size_t cap, size_t *len, const char *key, const char *val)
{
	if (*len + 8 >= cap)
		return;
	*len += (size_t)snprintf(buf + *len, cap - *len, "%s\"%s\":", buf[*len - 1] == '{' ? "" : ",",
				 key);
	if (*len < cap)
		*len += check_json_str(buf + *len, cap - *len, val);
}

static void json_kn(char *buf, size_t cap, size_t *len, const char *key, unsigned long val)
{
	if (*len + 8 >= cap)
		return;
	*len += (size_t)snprintf(buf + *len, cap - *len, "%s\"%s\":%lu",
				 buf[*len - 1] == '{' ? "" : ",", key, val);
}

static void json_end(char *buf, size_t cap, size_t len)
{
	if (len >= cap)
		len = cap - 2;
	buf[len++] = '}';
	buf[len] = '\0';
	puts(buf);
}

static void check_finding_cb(void *ctx, const check_finding_t *f)
{
	const check_out_t *o = ctx;
	char line[2048];
	if (o->json) {
		char obj[2100] = "{\"kind\":\"finding\",";
		check_format_json(f, line, sizeof(line));
		/* {"severity":... -> {"kind":"finding","severity":... */
		snprintf(obj + strlen(obj), sizeof(obj) - strlen(obj), "%s", line + 1);
		puts(obj);
	} else {
		check_format_text(f, line, sizeof(line));
		puts(line);
	}
}

/* Predictions are printed after every finding, as one block. */
static void check_predict_cb(void *ctx, const check_prediction_t *p)
{
	check_out_t *o = ctx;
	if (o->npredictions == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 32;
		check_prediction_t *n = realloc(o->predictions, cap * sizeof(*n));
		if (n == NULL) {
			o->lost++;
			return;
		}
		o->predictions = n;
		o->cap = cap;
	}
	o->predictions[o->npredictions++] = *p;
}

static void print_prediction(const check_out_t *o, const check_prediction_t *p)
{
	if (o->json) {
		char buf[1024] = "{";
		size_t len = 1;
		json_kv(buf, sizeof(buf), &len, "kind", "prediction");
		json_kv(buf, sizeof(buf), &len, "delegation", p->delegation);
		json_kv(buf, sizeof(buf), &len, "server", p->server ? p->server : "");
		json_kv(buf, sizeof(buf), &len, "rcode", rcode_str(p->rcode));
		json_kn(buf, sizeof(buf), &len, "queries", p->queries);
		json_kn(buf, sizeof(buf), &len, "tcp", p->tcp);
		json_kv(buf, sizeof(buf), &len, "why", p->why);
		json_end(buf, sizeof(buf), len);
	} else if (p->rcode == RCODE_NOERROR) {
		printf("  %s: resolves (%u queries%s)\n", p->delegation, p->queries,
		       p->tcp ? ", TC then TCP" : "");
	} else if (p->rcode == RCODE_SERVFAIL) {
		printf("  %s: SERVFAIL: %s\n", p->delegation, p->why);
	} else {
		printf("  %s: %s (%u queries)\n", p->delegation, rcode_str(p->rcode), p->queries);
	}
}

/* The listen addresses of one server as the checks see them. */
static sim_addr_t *check_addrs(const vserver_t *vs, bool *ipv6)
{
	sim_addr_t *a = calloc(vs->nlisten ? vs->nlisten : 1, sizeof(*a));
	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < vs->nlisten; i++) {
		const struct sockaddr_storage *ss = &vs->listen[i].ss;
		if (ss->ss_family == AF_INET6) {
			a[i].len = 16;
			memcpy(a[i].bytes, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
			*ipv6 = true;
		} else {
			a[i].len = 4;
			memcpy(a[i].bytes, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		}
	}
	return a;
}

/*
 * One scenario of the configuration: what the simulated resolver gets for
 * its question against what the file says a real resolver gets. Returns
 * true when they agree.
 */
static bool check_scenario(const scenario_t *t, const sim_addr_t *roots, size_t nroots,
			   check_net_t *net, const sim_opts_t *opts, bool json)
{
	uint8_t qname[NAME_MAXLEN];
	uint16_t qtype = 0;
	char got[96] = "", expected[96], addr[48];
	bool agree = false;
	sim_result_t *res = calloc(1, sizeof(*res));

	snprintf(expected, sizeof(expected), "%s%s%s", t->resolver, t->answer ? " " : "",
		 t->answer ? t->answer : "");
	if (res == NULL) {
		snprintf(got, sizeof(got), "out of memory");
	} else if (name_from_text(t->qname, strlen(t->qname), (const uint8_t *)"", qname) < 0 ||
		   rrtype_from_text(t->qtype, strlen(t->qtype), &qtype) < 0) {
		snprintf(got, sizeof(got), "(cannot read the question)");
	} else if (sim_resolve(roots, nroots, check_net_at, net, qname, qtype, opts, res) < 0) {
		snprintf(got, sizeof(got), "(simulation failed)");
	} else {
		const char *rc = rcode_str(res->rcode);
		if (res->rcode == RCODE_NOERROR && res->has_addr)
			snprintf(got, sizeof(got), "%s %s", rc, sim_addr_str(&res->addr, addr, sizeof(addr)));
		else
			snprintf(got, sizeof(got), "%s", rc);
		agree = strcmp(rc, t->resolver) == 0 &&
			(t->answer == NULL || (res->has_addr && strcmp(addr, t->answer) == 0));
	}
	if (json) {
		char buf[2048] = "{";
		size_t len = 1;
		json_kv(buf, sizeof(buf), &len, "kind", "scenario");
		json_kv(buf, sizeof(buf), &len, "name", t->name);
		json_kv(buf, sizeof(buf), &len, "query", t->qname);
		json_kv(buf, sizeof(buf), &len, "type", t->qtype);
		json_kv(buf, sizeof(buf), &len, "expected", expected);
		json_kv(buf, sizeof(buf), &len, "predicted", got);
		json_kn(buf, sizeof(buf), &len, "queries", res ? res->queries : 0);
		json_kn(buf, sizeof(buf), &len, "tcp", res ? res->tcp : 0);
		json_kv(buf, sizeof(buf), &len, "why", res ? res->why : "");
		json_kv(buf, sizeof(buf), &len, "result", agree ? "agree" : "DISAGREE");
		json_end(buf, sizeof(buf), len);
	} else {
		printf("  %s: %s %s: expected %s, predicted %s: %s (%u queries%s%s%s)\n", t->name,
		       t->qname, t->qtype, expected, got, agree ? "agree" : "DISAGREE",
		       res ? res->queries : 0, res && res->tcp ? ", TC then TCP" : "",
		       res && res->why[0] ? "; " : "", res ? res->why : "");
	}
	free(res);
	return agree;
}

/* The delegation checks (dns/check.h) over every server of a loaded
 * configuration, then its scenarios. Returns the number of errors. */
static unsigned check_delegations(const srvconf_t *sc, const view_t *v, bool json)
{
	check_server_t *cs = calloc(sc->nservers ? sc->nservers : 1, sizeof(*cs));
	sim_addr_t roots[32];
	check_summary_t sum;
	check_out_t out = { .json = json };
	sim_opts_t opts;
	bool ipv6 = false, failed = cs == NULL;
	unsigned agree = 0;

	for (size_t i = 0; i < sc->nservers && !failed; i++) {
		cs[i].name = sc->file != NULL ? sc->servers[i].name : NULL;
		cs[i].zs = v->zs[i];
		cs[i].naddrs = sc->servers[i].nlisten;
		cs[i].addrs = check_addrs(&sc->servers[i], &ipv6);
		failed = cs[i].addrs == NULL;
	}
	/* A resolver uses IPv6 only where the configuration listens on it
	 * (the bundled lab is IPv4 only: its AAAA glue is never tried). */
	sim_opts_default(&opts);
	opts.ipv6 = ipv6;
	if (failed || check_run(cs, sc->nservers, &opts, check_finding_cb, check_predict_cb, &out,
				&sum) < 0) {
		log_error("out of memory");
		sum.errors = 1;
		goto out;
	}
	if (out.lost > 0)
		log_error("out of memory: %u prediction(s) not shown", out.lost);
	if (!json)
		puts(sum.have_root ? "predictions (what an iterating resolver gets for each delegation):"
				   : "predictions: none (no server of the configuration serves the root zone)");
	for (size_t i = 0; i < out.npredictions; i++)
		print_prediction(&out, &out.predictions[i]);
	size_t nroots = check_roots(cs, sc->nservers, roots, sizeof(roots) / sizeof(roots[0]));
	check_net_t net = { .servers = cs, .n = sc->nservers };
	for (size_t i = 0; i < sc->nscenarios && nroots > 0; i++) {
		if (i == 0 && !json)
			puts("scenarios (expected is what the configuration says a resolver gets):");
		agree += check_scenario(&sc->scenarios[i], roots, nroots, &net, &opts, json);
	}
	if (json) {
		char buf[512] = "{";
		size_t len = 1;
		json_kv(buf, sizeof(buf), &len, "kind", "summary");
		json_kn(buf, sizeof(buf), &len, "errors", sum.errors);
		json_kn(buf, sizeof(buf), &len, "warnings", sum.warnings);
		json_kn(buf, sizeof(buf), &len, "infos", sum.infos);
		json_kn(buf, sizeof(buf), &len, "delegations", sum.delegations);
		json_kn(buf, sizeof(buf), &len, "predictions", (unsigned long)out.npredictions);
		json_kn(buf, sizeof(buf), &len, "scenarios", nroots ? sc->nscenarios : 0);
		json_kn(buf, sizeof(buf), &len, "scenarios_agree", agree);
		json_end(buf, sizeof(buf), len);
	} else {
		printf("%u delegation(s): %u error(s), %u warning(s), %u info(s)", sum.delegations,
		       sum.errors, sum.warnings, sum.infos);
		if (nroots > 0 && sc->nscenarios > 0)
			printf("; %u of %zu scenario(s) agree", agree, sc->nscenarios);
		putchar('\n');
	}
out:
	free(out.predictions);
	for (size_t i = 0; cs != NULL && i < sc->nservers; i++)
		free((void *)cs[i].addrs);
	free(cs);
	return sum.errors;
}

/* --check: each zone of each server on its own (warnings and errors per
 * zone, with its delegation rules), then each server whole (duplicate
 * origins), then the policies that break the RFCs, then the delegation
 * checks over all of it. With --json, stdout is one JSON object per line. */
static int run_check(const config_t *cfg)
{
	char err[ERR_MAX], origin[NAME_TEXT_MAX];
	unsigned failed = 0;
	srvconf_t sc;
	view_t *all = NULL;

	if (load_srvconf(cfg, &sc, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}
	all = view_new(sc.nservers);
	if (all == NULL) {
		log_error("out of memory");
		srvconf_free(&sc);
		return 1;
	}
	all->n = sc.nservers;
	for (size_t s = 0; s < sc.nservers; s++) {
		const vserver_t *vs = &sc.servers[s];
		char prefix[96] = "";
		unsigned before = failed;
		if (sc.file != NULL)
			snprintf(prefix, sizeof(prefix), "server %s: ", vs->name);
		for (size_t i = 0; i < vs->spec.nzones; i++) {
			const zone_spec_t *spec = &vs->spec.zones[i];
			unsigned warnings = 0;
			zoneset_t *zs = NULL;
			server_spec_t one = vs->spec;
			one.zones = spec;
			one.nzones = 1;
			bool ok = zoneset_load(&one, warn_cb, &warnings, &zs, err, sizeof(err)) >= 0;
			if (!ok) {
				log_error("%s", err);
				failed++;
			}
			if (cfg->json) {
				char buf[1024] = "{";
				size_t len = 1;
				json_kv(buf, sizeof(buf), &len, "kind", "zone");
				json_kv(buf, sizeof(buf), &len, "server", sc.file ? vs->name : "");
				json_kv(buf, sizeof(buf), &len, "file", spec->file);
				if (ok) {
					json_kv(buf, sizeof(buf), &len, "zone",
						origin_text(zs->zones[0], origin, sizeof(origin)));
					json_kn(buf, sizeof(buf), &len, "records",
						zone_record_count(zs->zones[0]));
					json_kn(buf, sizeof(buf), &len, "warnings", warnings);
				}
				json_kv(buf, sizeof(buf), &len, "status", ok ? "ok" : "FAILED");
				json_end(buf, sizeof(buf), len);
			} else if (!ok) {
				printf("%s%s: FAILED\n", prefix, spec->file);
			} else {
				const zone_t *z = zs->zones[0];
				printf("%s%s: zone %s, %zu records, %zu names, %u warning(s): ok\n",
				       prefix, spec->file, origin_text(z, origin, sizeof(origin)),
				       zone_record_count(z), zone_node_count(z), warnings);
			}
			zoneset_free(zs);
		}
		if (failed > before)
			continue;
		if (zoneset_load(&vs->spec, NULL, NULL, &all->zs[s], err, sizeof(err)) < 0) {
			log_error("%s", err);
			failed++;
		} else if (sc.file != NULL) {
			announce_ctx_t a = { .vs = vs, .zs = all->zs[s] };
			zoneset_announce(all->zs[s], announce_cb, &a);
			if (!cfg->json)
				printf("server %s: %zu zone(s), %zu polic%s breaking the RFCs on purpose: ok\n",
				       vs->name, vs->spec.nzones, a.count, a.count == 1 ? "y" : "ies");
		}
	}
	/* The delegations only make sense over the whole configuration. */
	if (failed == 0 && check_delegations(&sc, all, cfg->json) > 0)
		failed++;
	view_free(all);
	srvconf_free(&sc);
	return failed > 0 ? 1 : 0;
}

/* ---- workers, signals, reload --------------------------------------------------- */

static void close_walk_cb(uv_handle_t *handle, void *arg)
{
	(void)arg;
	if (!uv_is_closing(handle))
		uv_close(handle, NULL);
}

static void daemon_stop(daemon_t *d, const char *why)
{
	if (d->stopping)
		return;
	d->stopping = true;
	log_info("%s: stopping", why);
	for (unsigned i = 0; i < d->nworkers; i++)
		worker_stop(&d->workers[i]);
	for (unsigned i = 0; i < d->nworkers; i++)
		worker_join(&d->workers[i]);
	/* No worker can send on reloaded any more: close the main loop. */
	uv_walk(&d->loop, close_walk_cb, NULL);
}

/* Worker thread: one worker has switched to the new view. */
static void ack_fn(void *ctx)
{
	daemon_t *d = ctx;
	if (atomic_fetch_sub(&d->acks_pending, 1) == 1)
		uv_async_send(&d->reloaded);
}

static size_t view_zones(const view_t *v)
{
	size_t n = 0;
	for (size_t i = 0; i < v->n; i++)
		n += v->zs[i]->nzones;
	return n;
}

static void reloaded_cb(uv_async_t *async)
{
	daemon_t *d = async->data;
	if (d->old == NULL || atomic_load(&d->acks_pending) != 0)
		return;
	view_free(d->old);
	d->old = NULL;
	log_info("reloaded: %zu server(s), %zu zone(s)", d->view->n, view_zones(d->view));
}

static void daemon_reload(daemon_t *d)
{
	char err[ERR_MAX];
	srvconf_t next;
	view_t *v = NULL;

	if (d->old != NULL) {
		log_warn("SIGHUP ignored: the previous reload is still being handed to the workers");
		return;
	}
	if (d->cfg.config_file != NULL)
		log_info("SIGHUP: reloading %s and its zones", d->cfg.config_file);
	else
		log_info("SIGHUP: reloading %zu zone(s)", d->cfg.nzones);
	/* Everything is built before anything changes: on any error the
	 * old view keeps serving. */
	if (load_srvconf(&d->cfg, &next, err, sizeof(err)) < 0) {
		log_error("reload failed, keeping the old configuration: %s", err);
		return;
	}
	if (srvconf_match_listen(&d->sc, &next, err, sizeof(err)) < 0) {
		log_error("reload refused, keeping the old configuration: %s", err);
		srvconf_free(&next);
		return;
	}
	if (build_view(&next, &v, err, sizeof(err)) < 0) {
		log_error("reload failed, keeping the old configuration: %s", err);
		srvconf_free(&next);
		return;
	}
	srvconf_free(&d->sc);
	d->sc = next;
	if (d->sc.file != NULL)
		announce_all(&d->sc, v);
	d->old = d->view;
	d->view = v;
	atomic_store(&d->acks_pending, d->nworkers);
	for (unsigned i = 0; i < d->nworkers; i++)
		worker_swap(&d->workers[i], v);
}

/* -u USER: leave root for good, after the sockets are bound. */
static int drop_privileges(const char *user)
{
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (pw == NULL) {
		log_error("-u %s: %s", user, errno ? strerror(errno) : "no such user");
		return -1;
	}
	if (geteuid() != 0) {
		if (pw->pw_uid == geteuid())
			return 0;
		log_error("-u %s: only root can run as another user", user);
		return -1;
	}
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		log_error("-u %s: cannot drop privileges: %s", user, strerror(errno));
		return -1;
	}
	/* Make sure there is no way back. */
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		log_error("-u %s: privileges were not dropped", user);
		return -1;
	}
	log_info("running as %s (uid %u, gid %u)", user, (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
	return 0;
}

static void signal_cb(uv_signal_t *handle, int signum)
{
	daemon_t *d = handle->data;
	if (signum == SIGHUP)
		daemon_reload(d);
	else
		daemon_stop(d, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

static unsigned thread_count(const config_t *cfg)
{
	if (cfg->threads > 0)
		return cfg->threads;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > CONFIG_MAX_THREADS ? CONFIG_MAX_THREADS : (unsigned)n;
}

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
static void banner_cmdline(const daemon_t *d)
{
	const config_t *cfg = &d->cfg;
	const zoneset_t *zs = d->view->zs[0];
	char addrs[512], origin[NAME_TEXT_MAX];

	addr_list(&d->sc.servers[0], addrs, sizeof(addrs));
	log_info("serving %zu zone(s) on %s (udp+tcp, %u thread(s), glue %s)", zs->nzones, addrs,
		 d->nworkers, glue_policy_str(cfg->glue_policy));
	for (size_t i = 0; i < zs->nzones; i++) {
		const zone_t *z = zs->zones[i];
		log_info("  zone %s from %s (%zu records)", origin_text(z, origin, sizeof(origin)),
			 zone_file(z), zone_record_count(z));
	}
	if (cfg->glue_policy == GLUE_NONE)
		log_warn("--glue none leaves out all glue: referrals break RFC 9471 on purpose");
	else if (cfg->glue_policy == GLUE_IN_DOMAIN)
		log_info("--glue in-domain: sibling and in-zone glue are left out");
}

/* A configuration file: one block per server, the announcements, and
 * the scenarios to try. */
static void banner_servers(const daemon_t *d)
{
	const srvconf_t *sc = &d->sc;
	char addrs[512], origin[NAME_TEXT_MAX], rule[128];

	log_info("serving %zu server(s) from %s (udp+tcp, %u thread(s))", sc->nservers, sc->file,
		 d->nworkers);
	for (size_t s = 0; s < sc->nservers; s++) {
		const vserver_t *vs = &sc->servers[s];
		const zoneset_t *zs = d->view->zs[s];
		addr_list(vs, addrs, sizeof(addrs));
		log_info("server %s on %s: glue %s, truncation %s%s", vs->name, addrs,
			 glue_mode_str(zs->rule.mode), trunc_mode_str(zs->rule.truncation),
			 vs->spec.nfaults ? ", with faults" : "");
		if (zs->nzones == 0)
			log_info("  no zones: every query is REFUSED");
		for (size_t i = 0; i < zs->nzones; i++) {
			const zone_t *z = zs->zones[i];
			const zone_spec_t *spec = &vs->spec.zones[i];
			const char *r = rule_text(&spec->rule, rule, sizeof(rule));
			log_info("  zone %s from %s (%zu records)%s%s%s", origin_text(z, origin, sizeof(origin)),
				 zone_file(z), zone_record_count(z), r ? ": " : "", r ? r : "",
				 spec->nfaults ? ", with faults" : "");
			for (size_t k = 0; k < spec->ndelegs; k++) {
				char dname[NAME_TEXT_MAX];
				name_to_text(spec->delegs[k].name, dname, sizeof(dname));
				r = rule_text(&spec->delegs[k].rule, rule, sizeof(rule));
				log_info("    delegation %s: %s", dname, r ? r : "inherits");
			}
		}
	}
	announce_all(sc, d->view);
	if (sc->nscenarios > 0) {
		log_info("try these:");
		for (size_t i = 0; i < sc->nscenarios; i++) {
			const scenario_t *t = &sc->scenarios[i];
			const listen_addr_t *a = &sc->servers[t->server].listen[0];
			log_info("  %s: %s; a resolver gets %s%s%s", t->name, t->title, t->resolver,
				 t->answer ? " " : "", t->answer ? t->answer : "");
			log_info("    dig @%s -p %u %s %s +norecurse", a->host, a->port, t->qname,
				 t->qtype);
		}
	}
	if (d->cfg.lab)
		log_info("the resolver lab: `make lab` (or tools/lab) runs Unbound through every "
			 "scenario in a private network namespace");
}

static void print_banner(const daemon_t *d)
{
	if (d->sc.file == NULL)
		banner_cmdline(d);
	else
		banner_servers(d);
	if (d->cfg.log_queries)
		log_info("query log on stdout (%s)",
			 d->cfg.log_format == LOG_FORMAT_JSON ? "json" : "text");
	log_info("pid %ld; Ctrl-C or SIGTERM stops, SIGHUP reloads the %s", (long)getpid(),
		 d->sc.file != NULL ? "configuration and the zones" : "zones");
}

/* After the workers have been joined: their counters are stable. */
static void log_stats(const daemon_t *d)
{
	worker_stats_t t = { 0 };
	for (unsigned i = 0; i < d->nworkers; i++) {
		const worker_stats_t *s = &d->workers[i].stats;
		t.udp_queries += s->udp_queries;
		t.udp_dropped += s->udp_dropped;
		t.udp_send_again += s->udp_send_again;
		t.udp_errors += s->udp_errors;
		t.tcp_queries += s->tcp_queries;
		t.tcp_accepted += s->tcp_accepted;
		t.tcp_refused += s->tcp_refused;
		t.delayed += s->delayed;
		t.delay_dropped += s->delay_dropped;
	}
	log_info("stopped: udp %llu queries (%llu dropped, %llu send buffer full, %llu errors), "
		 "tcp %llu queries on %llu connections (%llu refused over the limit), "
		 "%llu delayed responses (%llu over the limit)",
		 (unsigned long long)t.udp_queries, (unsigned long long)t.udp_dropped,
		 (unsigned long long)t.udp_send_again, (unsigned long long)t.udp_errors,
		 (unsigned long long)t.tcp_queries, (unsigned long long)t.tcp_accepted,
		 (unsigned long long)t.tcp_refused, (unsigned long long)t.delayed,
		 (unsigned long long)t.delay_dropped);
}

static int daemon_init_loop(daemon_t *d)
{
	int r;
	if ((r = uv_loop_init(&d->loop)) < 0)
		return r;
	d->loop_ready = true;
	uv_signal_t *sigs[] = { &d->sigint, &d->sigterm, &d->sighup };
	const int nums[] = { SIGINT, SIGTERM, SIGHUP };
	for (size_t i = 0; i < 3; i++) {
		if ((r = uv_signal_init(&d->loop, sigs[i])) < 0)
			return r;
		sigs[i]->data = d;
		if ((r = uv_signal_start(sigs[i], signal_cb, nums[i])) < 0)
			return r;
	}
	if ((r = uv_async_init(&d->loop, &d->reloaded, reloaded_cb)) < 0)
		return r;
	d->reloaded.data = d;
	return 0;
}

static int daemon_run(daemon_t *d)
{
	char err[ERR_MAX];
	int rc = 1, r;
	unsigned ninit = 0;

	if (load_srvconf(&d->cfg, &d->sc, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}
	if (build_view(&d->sc, &d->view, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out_conf;
	}
	for (size_t s = 0; s < d->sc.nservers; s++) {
		for (size_t i = 0; i < d->sc.servers[s].nlisten; i++) {
			if (worker_probe(&d->sc.servers[s].listen[i], err, sizeof(err)) < 0) {
				log_error("%s", err);
				goto out_view;
			}
		}
	}
	d->nworkers = thread_count(&d->cfg);
	d->workers = calloc(d->nworkers, sizeof(*d->workers));
	if (d->workers == NULL) {
		log_error("out of memory");
		goto out_view;
	}
	worker_opts_t opts = { .log_queries = d->cfg.log_queries, .log_format = d->cfg.log_format,
			       .nworkers = (unsigned)d->nworkers };
	for (; ninit < d->nworkers; ninit++) {
		r = worker_init(&d->workers[ninit], ninit, &d->sc, d->view, &opts, ack_fn, d, err,
				sizeof(err));
		if (r < 0) {
			log_error("%s", err);
			ninit++; /* destroy the half-built one too */
			goto out_workers;
		}
	}
	/* Every reading socket is bound and steered: the reply-only ones
	 * can join their groups now without ever being picked. */
	for (size_t i = 0; i < d->nworkers; i++)
		worker_add_senders(&d->workers[i], &d->sc);
	if ((r = daemon_init_loop(d)) < 0) {
		log_error("signal handling: %s", uv_strerror(r));
		goto out_loop;
	}
	/* Every socket is bound: the privileges that needed are no longer
	 * needed, and no worker thread runs yet. */
	if (d->cfg.user != NULL && drop_privileges(d->cfg.user) < 0)
		goto out_loop;
	for (unsigned i = 0; i < d->nworkers; i++) {
		if ((r = worker_start(&d->workers[i])) < 0) {
			log_error("cannot start worker thread: %s", uv_strerror(r));
			daemon_stop(d, "error");
			goto out_loop;
		}
	}
	print_banner(d);
	uv_run(&d->loop, UV_RUN_DEFAULT);
	log_stats(d);
	rc = 0;

out_loop:
	/* Safe on a loop whose init failed half way: uv_walk sees only the
	 * handles that were initialised. */
	if (d->loop_ready) {
		daemon_stop(d, "exit");
		uv_run(&d->loop, UV_RUN_DEFAULT);
		if (uv_loop_close(&d->loop) != 0) {
			log_error("bug: main loop still has open handles");
			rc = 1;
		}
	}
out_workers:
	for (unsigned i = 0; i < ninit; i++) {
		if (worker_destroy(&d->workers[i]) != 0) {
			log_error("bug: worker %u loop still has open handles", i);
			rc = 1;
		}
	}
	free(d->workers);
out_view:
	view_free(d->old);
	view_free(d->view);
out_conf:
	srvconf_free(&d->sc);
	return rc;
}

int main(int argc, char **argv)
{
	static daemon_t d;
	char err[ERR_MAX];
	int rc;

	/* The query log is read live (tail -f, tests): whole lines, promptly. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A client that resets a TCP connection must not kill the server. */
	signal(SIGPIPE, SIG_IGN);

	if (config_parse(argc, argv, &d.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "glued: %s\nTry 'glued --help' for more information.\n", err);
		return 2;
	}
	if (d.cfg.help) {
		fputs(config_usage(), stdout);
		config_free(&d.cfg);
		return 0;
	}
	if (d.cfg.version) {
		printf("glued %s\n", GLUED_VERSION);
		config_free(&d.cfg);
		return 0;
	}
	if (d.cfg.lab) {
		char path[4096];
		if (find_lab_config(path, sizeof(path)) < 0 ||
		    (d.cfg.config_file = strdup(path)) == NULL) {
			config_free(&d.cfg);
			return 1;
		}
	}
	if (d.cfg.check)
		rc = run_check(&d.cfg);
	else
		rc = daemon_run(&d);
	config_free(&d.cfg);
	return rc;
}
