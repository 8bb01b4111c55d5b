/*
 * main.c -- glued: command line, zones, workers, signals, reload.
 *
 * The main thread owns a small uv loop of its own that only handles signals:
 * SIGINT/SIGTERM stop the workers and end the process with status 0, SIGHUP
 * loads the zones again into a new zoneset and hands it to every worker; the
 * old zoneset is freed once all workers have acknowledged the switch.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "config.h"
#include "dns/name.h"
#include "dns/zone.h"
#include "dns/zoneset.h"
#include "log.h"
#include "net/worker.h"

#define ERR_MAX 1024

typedef struct daemon {
	config_t cfg;
	uv_loop_t loop;
	uv_signal_t sigint, sigterm, sighup;
	uv_async_t reloaded;     /* a worker tells main: all acks are in */
	worker_t *workers;
	unsigned nworkers;
	zoneset_t *zs;           /* the newest zoneset */
	zoneset_t *old;          /* being retired: freed after every ack */
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

/* The one virtual server the command line describes. */
static server_spec_t cmdline_server(const config_t *cfg, const zone_spec_t *zones, size_t n)
{
	server_spec_t s = { .zones = zones, .nzones = n, .rule = GLUE_RULE_INHERIT };
	s.rule.mode = cfg->glue_policy;
	return s;
}

static int load_zones(const config_t *cfg, zoneset_t **out, char *err, size_t errcap)
{
	server_spec_t spec = cmdline_server(cfg, cfg->zones, cfg->nzones);
	return zoneset_load(&spec, warn_cb, NULL, out, err, errcap);
}

/* The bundled lab zone: the source tree first (running from a build
 * directory), then the installed copy. */
static int find_lab_zone(char *path, size_t cap)
{
	static const char *const dirs[] = { GLUED_ZONES_DIR, GLUED_INSTALLED_ZONES_DIR };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, cap, "%s/%s", dirs[i], CONFIG_LAB_FILE);
		if (access(path, R_OK) == 0)
			return 0;
	}
	log_error("the bundled lab zone is missing: looked for %s/%s and %s/%s", GLUED_ZONES_DIR,
		  CONFIG_LAB_FILE, GLUED_INSTALLED_ZONES_DIR, CONFIG_LAB_FILE);
	return -1;
}

/* --check: load each zone on its own (warnings and errors per zone), then
 * all together (duplicate origins). */
static int run_check(const config_t *cfg)
{
	char err[ERR_MAX], origin[NAME_TEXT_MAX];
	unsigned failed = 0;

	for (size_t i = 0; i < cfg->nzones; i++) {
		const zone_spec_t *spec = &cfg->zones[i];
		unsigned warnings = 0;
		zoneset_t *zs = NULL;
		server_spec_t one = cmdline_server(cfg, spec, 1);
		if (zoneset_load(&one, warn_cb, &warnings, &zs, err, sizeof(err)) < 0) {
			log_error("%s", err);
			printf("%s: FAILED\n", spec->file);
			failed++;
			continue;
		}
		const zone_t *z = zs->zones[0];
		printf("%s: zone %s, %zu records, %zu names, %u warning(s): ok\n", spec->file,
		       origin_text(z, origin, sizeof(origin)), zone_record_count(z),
		       zone_node_count(z), warnings);
		zoneset_free(zs);
	}
	if (failed == 0 && cfg->nzones > 1) {
		zoneset_t *zs = NULL;
		server_spec_t all = cmdline_server(cfg, cfg->zones, cfg->nzones);
		if (zoneset_load(&all, NULL, NULL, &zs, err, sizeof(err)) < 0) {
			log_error("%s", err);
			failed++;
		} else {
			zoneset_free(zs);
		}
	}
	return failed > 0 ? 1 : 0;
}

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

/* Worker thread: one worker has switched to the new zoneset. */
static void ack_fn(void *ctx)
{
	daemon_t *d = ctx;
	if (atomic_fetch_sub(&d->acks_pending, 1) == 1)
		uv_async_send(&d->reloaded);
}

static void reloaded_cb(uv_async_t *async)
{
	daemon_t *d = async->data;
	if (d->old == NULL || atomic_load(&d->acks_pending) != 0)
		return;
	zoneset_free(d->old);
	d->old = NULL;
	log_info("reloaded: %zu zone(s)", d->zs->nzones);
}

static void daemon_reload(daemon_t *d)
{
	char err[ERR_MAX];
	zoneset_t *zs = NULL;

	if (d->old != NULL) {
		log_warn("SIGHUP ignored: the previous reload is still being handed to the workers");
		return;
	}
	log_info("SIGHUP: reloading %zu zone(s)", d->cfg.nzones);
	if (load_zones(&d->cfg, &zs, err, sizeof(err)) < 0) {
		log_error("reload failed, keeping the old zones: %s", err);
		return;
	}
	d->old = d->zs;
	d->zs = zs;
	atomic_store(&d->acks_pending, d->nworkers);
	for (unsigned i = 0; i < d->nworkers; i++)
		worker_swap(&d->workers[i], zs);
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

static void print_banner(const daemon_t *d)
{
	const config_t *cfg = &d->cfg;
	char addrs[512] = "", origin[NAME_TEXT_MAX];
	size_t len = 0;

	for (size_t i = 0; i < cfg->nlisten && len < sizeof(addrs); i++)
		len += (size_t)snprintf(addrs + len, sizeof(addrs) - len, "%s%s", i ? ", " : "",
					cfg->listen[i].text);
	log_info("serving %zu zone(s) on %s (udp+tcp, %u thread(s), glue %s)", d->zs->nzones,
		 addrs, d->nworkers, glue_policy_str(cfg->glue_policy));
	for (size_t i = 0; i < d->zs->nzones; i++) {
		const zone_t *z = d->zs->zones[i];
		log_info("  zone %s from %s (%zu records)", origin_text(z, origin, sizeof(origin)),
			 zone_file(z), zone_record_count(z));
	}
	if (cfg->glue_policy == GLUE_NONE)
		log_warn("--glue none leaves out all glue: referrals break RFC 9471 on purpose");
	else if (cfg->glue_policy == GLUE_IN_DOMAIN)
		log_info("--glue in-domain: sibling and in-zone glue are left out");
	if (cfg->lab) {
		const listen_addr_t *a = &cfg->listen[0];
		log_info("bundled lab: lab. delegates example.lab. to ns1/ns2.example.lab "
			 "with in-domain glue; see the referral with:");
		log_info("  dig @%s -p %u www.example.lab A +norecurse", a->host, a->port);
	}
	if (cfg->log_queries)
		log_info("query log on stdout");
	log_info("pid %ld; Ctrl-C or SIGTERM stops, SIGHUP reloads the zones", (long)getpid());
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
	}
	log_info("stopped: udp %llu queries (%llu dropped, %llu send buffer full, %llu errors), "
		 "tcp %llu queries on %llu connections (%llu refused over the limit)",
		 (unsigned long long)t.udp_queries, (unsigned long long)t.udp_dropped,
		 (unsigned long long)t.udp_send_again, (unsigned long long)t.udp_errors,
		 (unsigned long long)t.tcp_queries, (unsigned long long)t.tcp_accepted,
		 (unsigned long long)t.tcp_refused);
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

	if (load_zones(&d->cfg, &d->zs, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}
	for (size_t i = 0; i < d->cfg.nlisten; i++) {
		if (worker_probe(&d->cfg.listen[i], err, sizeof(err)) < 0) {
			log_error("%s", err);
			goto out_zones;
		}
	}
	d->nworkers = thread_count(&d->cfg);
	d->workers = calloc(d->nworkers, sizeof(*d->workers));
	if (d->workers == NULL) {
		log_error("out of memory");
		goto out_zones;
	}
	for (; ninit < d->nworkers; ninit++) {
		r = worker_init(&d->workers[ninit], ninit, &d->cfg, d->zs, ack_fn, d, err,
				sizeof(err));
		if (r < 0) {
			log_error("%s", err);
			ninit++; /* destroy the half-built one too */
			goto out_workers;
		}
	}
	if ((r = daemon_init_loop(d)) < 0) {
		log_error("signal handling: %s", uv_strerror(r));
		goto out_loop;
	}
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
out_zones:
	zoneset_free(d->old);
	zoneset_free(d->zs);
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
		if (find_lab_zone(path, sizeof(path)) < 0) {
			config_free(&d.cfg);
			return 1;
		}
		if (config_add_zone(&d.cfg, CONFIG_LAB_ORIGIN, path) < 0) {
			log_error("out of memory");
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
