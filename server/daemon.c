/*
 * daemon.c -- glued serving: workers, signals, reload, privileges.
 */
#include "daemon.h"

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

#include "banner.h"
#include "control.h"
#include "ctlcmd.h"
#include "log.h"
#include "net/sock.h"
#include "net/worker.h"
#include "stats.h"
#include "util/json.h"
#include "view.h"
#include "xfrd.h"

typedef struct daemon {
	config_t cfg;
	srvconf_t sc; /* what the current view was built from */
	uv_loop_t loop;
	uv_signal_t sigint, sigterm, sighup;
	uv_async_t reloaded; /* a worker tells main: all acks are in */
	worker_t *workers;
	unsigned nworkers;
	view_t *view; /* the newest view */
	view_t *old;  /* being retired: freed after every ack */
	atomic_uint acks_pending;
	bool loop_ready;
	bool stopping;
	/* The control socket (gluectl) and what it keeps. */
	control_t *control;
	ctl_override_t *ov; /* `set`s in force, in order */
	size_t nov;
	control_req_t *pending; /* answered once every worker serves the change */
	char pending_msg[640];
	stats_table_t totals;   /* counts of retired views */
	stats_table_t baseline; /* subtracted: stats --reset */
	xfrd_t *xfrd;           /* pulls, IXFR histories, NOTIFYs */
} daemon_t;

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
	control_close(d->control);
	d->control = NULL;
	d->pending = NULL;
	for (unsigned i = 0; i < d->nworkers; i++)
		worker_stop(&d->workers[i]);
	for (unsigned i = 0; i < d->nworkers; i++)
		worker_join(&d->workers[i]);
	/* No worker passes on a NOTIFY any more. */
	xfrd_stop(d->xfrd);
	d->xfrd = NULL;
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

static void reloaded_cb(uv_async_t *async)
{
	daemon_t *d = async->data;
	if (d->old == NULL || atomic_load(&d->acks_pending) != 0)
		return;
	if (stats_add_view(&d->totals, d->old) < 0)
		log_warn("stats: out of memory, the counts of the old view are lost");
	view_free(d->old);
	d->old = NULL;
	log_info("reloaded: %zu server(s), %zu zone(s)", d->view->n, view_zones(d->view));
	/* Only now may a secondary ask and get the new serial. */
	xfrd_served(d->xfrd);
	if (d->pending != NULL) {
		control_reply(d->pending, true, d->pending_msg, strlen(d->pending_msg), NULL, NULL);
		d->pending = NULL;
	}
}

/* --trust-anchor FILE: the signed root's DS, written whole (a temporary
 * file renamed over it) at start and after each reload. */
static int write_trust_anchor(const daemon_t *d, const view_t *v)
{
	const char *path = d->cfg.trust_anchor;
	char ta[4096], tmp[4200];
	if (path == NULL)
		return 0;
	if (view_trust_anchor(v, ta, sizeof(ta)) == 0) {
		log_error("--trust-anchor %s: glued serves no signed root zone (.): sign it "
			  "(dnssec: sign) or leave --trust-anchor out",
			  path);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	bool ok = f != NULL && fputs(ta, f) >= 0;
	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (ok && rename(tmp, path) == 0)
		return 0;
	log_error("--trust-anchor %s: %s", path, strerror(errno));
	if (f != NULL)
		unlink(tmp);
	return -1;
}

/*
 * Build a new view from the files and the overrides ov[0..nov) and hand it
 * to the workers. On any error nothing changes: -2 when the listen
 * addresses changed (a restart is needed), -1 otherwise, the reason in err.
 */
static int daemon_rebuild(daemon_t *d, const ctl_override_t *ov, size_t nov, char *err,
			  size_t errcap)
{
	srvconf_t next;
	view_t *v = NULL;

	if (d->old != NULL) {
		snprintf(err, errcap,
			 "busy: the previous change is still being handed to the "
			 "workers; try again");
		return -1;
	}
	/* Everything is built before anything changes: on any error the
	 * old view keeps serving. */
	if (srvconf_load(&d->cfg, &next, err, errcap) < 0)
		return -1;
	if (srvconf_match_listen(&d->sc, &next, err, errcap) < 0) {
		srvconf_free(&next);
		return -2;
	}
	xfrd_attach(d->xfrd, &next);
	if (ctl_apply(&next, d->view, ov, nov, err, errcap) < 0 ||
	    view_build(&next, &v, err, errcap) < 0) {
		srvconf_free(&next);
		return -1;
	}
	if (view_stats_init(v, d->nworkers) < 0) {
		snprintf(err, errcap, "out of memory");
		view_free(v);
		srvconf_free(&next);
		return -1;
	}
	if (d->xfrd)
		xfrd_built(d->xfrd, &next, d->view, v);
	/* The control path is the one glued started with. */
	free(next.control);
	next.control = NULL;
	srvconf_free(&d->sc);
	d->sc = next;
	if (d->sc.file != NULL)
		banner_announce_all(&d->sc, v);
	(void)write_trust_anchor(d, v);
	d->old = d->view;
	d->view = v;
	atomic_store(&d->acks_pending, d->nworkers);
	for (unsigned i = 0; i < d->nworkers; i++)
		worker_swap(&d->workers[i], v);
	return 0;
}

/* xfrd: a pulled zone has a new copy. */
static int xfrd_rebuild(void *ctx)
{
	daemon_t *d = ctx;
	char err[CONFIG_ERR_MAX];
	if (d->stopping || d->old != NULL)
		return -1;
	int r = daemon_rebuild(d, d->ov, d->nov, err, sizeof(err));
	if (r < 0) {
		log_error("serving the transferred zone failed, keeping the old configuration: %s",
			  err);
		/* Not busy: trying again would fail the same way. */
		return 0;
	}
	return 0;
}

/* A worker: a NOTIFY for a pulled zone came in. */
static void notify_fn(void *ctx, size_t server, const uint8_t *origin, uint32_t serial)
{
	daemon_t *d = ctx;
	/* Set before the workers start, cleared only after they stopped. */
	if (d->xfrd != NULL)
		xfrd_notified(d->xfrd, server, origin, serial);
}

static void daemon_reload(daemon_t *d)
{
	char err[CONFIG_ERR_MAX];
	if (d->old != NULL) {
		log_warn(
			"SIGHUP ignored: the previous reload is still being handed to the workers");
		return;
	}
	if (d->cfg.config_file != NULL)
		log_info("SIGHUP: reloading %s and its zones", d->cfg.config_file);
	else
		log_info("SIGHUP: reloading %zu zone(s)", d->cfg.nzones);
	int r = daemon_rebuild(d, d->ov, d->nov, err, sizeof(err));
	if (r < 0)
		log_error("reload %s, keeping the old configuration: %s",
			  r == -2 ? "refused" : "failed", err);
}

/* ---- the control socket --------------------------------------------------------- */

static void stop_now(void *ctx) { daemon_stop(ctx, "gluectl stop"); }

/* The counts so far: retired views, the views being served, less the
 * baseline of the last reset. */
static int stats_now(const daemon_t *d, stats_table_t *t)
{
	*t = (stats_table_t){ 0 };
	if (stats_add_table(t, &d->totals, 1) < 0 || (d->old && stats_add_view(t, d->old) < 0) ||
	    stats_add_view(t, d->view) < 0) {
		stats_table_free(t);
		return -1;
	}
	return 0;
}

#define CONTROL_REPLY_MAX (256u << 10)

static void reply_text(control_req_t *req, bool ok, bool json, const char *msg)
{
	char buf[CONFIG_ERR_MAX + 64];
	json_t j;
	size_t len;
	if (json) {
		json_init(&j, buf, sizeof(buf) - 1);
		json_obj_open(&j, NULL);
		json_bool(&j, "ok", ok);
		json_str(&j, ok ? "message" : "error", msg);
		json_obj_close(&j);
		len = json_len(&j);
		buf[len++] = '\n';
	} else {
		len = (size_t)snprintf(buf, sizeof(buf), "%s\n", msg);
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
	}
	control_reply(req, ok, buf, len, NULL, NULL);
}

/* set, clear, reload: rebuild, and answer when the workers serve it. */
static void control_change(daemon_t *d, control_req_t *req, const ctl_cmd_t *c)
{
	char err[CONFIG_ERR_MAX];
	ctl_override_t *ov = malloc((d->nov + 1) * sizeof(*ov));
	size_t nov = 0;
	if (ov == NULL) {
		reply_text(req, false, c->json, "out of memory");
		return;
	}
	/* clear drops what it names; set replaces an override of the same
	 * target and kind, so toggling does not pile them up. */
	for (size_t i = 0; i < d->nov; i++)
		if (c->op == CTL_RELOAD || !ctl_clears(&c->ov, &d->ov[i]))
			ov[nov++] = d->ov[i];
	if (c->op == CTL_CLEAR && nov == d->nov) {
		free(ov);
		snprintf(err, sizeof(err), "nothing to clear at %s (see gluectl status)",
			 c->ov.text);
		reply_text(req, false, c->json, err);
		return;
	}
	if (c->op == CTL_SET)
		ov[nov++] = c->ov;
	if (daemon_rebuild(d, ov, nov, err, sizeof(err)) < 0) {
		free(ov);
		log_error("control: %s %s refused, nothing changed: %s",
			  c->op == CTL_SET     ? "set"
			  : c->op == CTL_CLEAR ? "clear"
					       : "reload",
			  c->ov.text, err);
		reply_text(req, false, c->json, err);
		return;
	}
	free(d->ov);
	d->ov = ov;
	d->nov = nov;
	const char *verb = c->op == CTL_SET ? "set" : c->op == CTL_CLEAR ? "clear" : "reload";
	if (c->op == CTL_RELOAD)
		snprintf(d->pending_msg, sizeof(d->pending_msg),
			 "reloaded: %zu server(s), %zu zone(s)", d->view->n, view_zones(d->view));
	else
		snprintf(d->pending_msg, sizeof(d->pending_msg), "%s %s: every worker serves it",
			 verb, c->ov.text);
	log_info("control: %s%s%s", verb, c->op == CTL_RELOAD ? "" : " ",
		 c->op == CTL_RELOAD ? "" : c->ov.text);
	/* The reply waits for the workers' acks (reloaded_cb). */
	char *msg = d->pending_msg;
	if (c->json) {
		char tmp[sizeof(d->pending_msg)];
		json_t j;
		snprintf(tmp, sizeof(tmp), "%s", msg);
		json_init(&j, msg, sizeof(d->pending_msg) - 2);
		json_obj_open(&j, NULL);
		json_bool(&j, "ok", true);
		json_str(&j, "message", tmp);
		json_obj_close(&j);
	}
	size_t len = strlen(msg);
	msg[len] = '\n';
	msg[len + 1] = '\0';
	d->pending = req;
}

static void control_cb(void *ctx, control_req_t *req, const char *line)
{
	daemon_t *d = ctx;
	char err[CONFIG_ERR_MAX];
	ctl_cmd_t c;
	if (ctl_parse(line, &d->sc, d->view, &c, err, sizeof(err)) < 0) {
		reply_text(req, false, c.json, err);
		return;
	}
	switch (c.op) {
	case CTL_WAIT_READY:
		reply_text(req, true, c.json, "ready");
		return;
	case CTL_STOP: {
		const char *msg =
			c.json ? "{\"ok\":true,\"message\":\"stopping\"}\n" : "stopping\n";
		control_reply(req, true, msg, strlen(msg), stop_now, d);
		return;
	}
	case CTL_SET:
	case CTL_CLEAR:
	case CTL_RELOAD:
		control_change(d, req, &c);
		return;
	default:
		break;
	}
	char *buf = malloc(CONTROL_REPLY_MAX);
	if (buf == NULL) {
		reply_text(req, false, c.json, "out of memory");
		return;
	}
	size_t len = 0;
	if (c.op == CTL_STATUS) {
		len = ctl_status(&d->sc, d->view, d->ov, d->nov, c.json, buf, CONTROL_REPLY_MAX);
	} else {
		stats_table_t now;
		if (stats_now(d, &now) < 0 || stats_add_table(&now, &d->baseline, -1) < 0) {
			free(buf);
			reply_text(req, false, c.json, "out of memory");
			return;
		}
		len = stats_format(&now, c.json, buf, CONTROL_REPLY_MAX);
		stats_table_free(&now);
		if (c.reset) {
			stats_table_free(&d->baseline);
			if (stats_now(d, &d->baseline) < 0)
				log_warn("stats --reset: out of memory");
			log_info("control: stats reset");
		}
	}
	control_reply(req, true, buf, len, NULL, NULL);
	free(buf);
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
	log_info("running as %s (uid %u, gid %u)", user, (unsigned)pw->pw_uid,
		 (unsigned)pw->pw_gid);
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

static int run(daemon_t *d)
{
	char err[CONFIG_ERR_MAX];
	int rc = 1, r;
	unsigned ninit = 0;

	if (srvconf_load(&d->cfg, &d->sc, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}
	xfrd_attach(NULL, &d->sc);
	if (view_build(&d->sc, &d->view, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out_conf;
	}
	if (write_trust_anchor(d, d->view) < 0)
		goto out_view;
	/* A control path in use stops the start before anything is bound. */
	const char *ctl = d->cfg.control ? d->cfg.control : d->sc.control;
	if (ctl != NULL && control_probe(ctl, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out_view;
	}
	for (size_t s = 0; s < d->sc.nservers; s++) {
		for (size_t i = 0; i < d->sc.servers[s].nlisten; i++) {
			if (sock_probe(&d->sc.servers[s].listen[i], err, sizeof(err)) < 0) {
				log_error("%s", err);
				goto out_view;
			}
		}
	}
	d->nworkers = thread_count(&d->cfg);
	d->workers = calloc(d->nworkers, sizeof(*d->workers));
	if (d->workers == NULL || view_stats_init(d->view, d->nworkers) < 0) {
		log_error("out of memory");
		goto out_view;
	}
	worker_opts_t opts = { .log_queries = d->cfg.log_queries,
			       .log_format = d->cfg.log_format,
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
	if ((d->xfrd = xfrd_new(&d->loop, xfrd_rebuild, d)) == NULL) {
		log_error("out of memory");
		goto out_loop;
	}
	xfrd_built(d->xfrd, &d->sc, NULL, d->view);
	for (unsigned i = 0; i < d->nworkers; i++) {
		d->workers[i].notify = notify_fn;
		d->workers[i].notify_ctx = d;
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
	/* Every socket is bound and every zone loaded (but a zone pulled from
	 * a primary with no copy yet, served from its first transfer on):
	 * gluectl wait-ready returns from here on. --control wins over the
	 * YAML's control:. */
	if (ctl != NULL &&
	    control_open(&d->loop, ctl, control_cb, d, &d->control, err, sizeof(err)) < 0) {
		log_error("%s", err);
		daemon_stop(d, "error");
		goto out_loop;
	}
	banner_print(&d->cfg, &d->sc, d->view, d->nworkers);
	if (ctl != NULL)
		log_info("control socket %s (gluectl -s %s status)", ctl, ctl);
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
	free(d->ov);
	stats_table_free(&d->totals);
	stats_table_free(&d->baseline);
	return rc;
}

int daemon_run(const config_t *cfg)
{
	/* Static: the workers' and the loop's handles live in it until the
	 * process ends. */
	static daemon_t d;
	d.cfg = *cfg;
	return run(&d);
}
