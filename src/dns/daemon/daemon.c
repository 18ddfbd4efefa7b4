/*
 * daemon.c - the serve loop: resolver (one or more listener threads), the
 * control socket, timer-driven sync, signals.
 */
#include "dns/daemon/control.h"
#include "dns/daemon/daemon_int.h"
#include "dns/resolver/resolver.h"
#include "dns/peer/neighbor.h"
#include "dns/peer/opinion_daemon.h"
#include "dns/resolver/pool.h"
#include "dns/peer/propagate.h"
#include "dns/daemon/routes.h"
#include "dns/daemon/sdnotify.h"
#include "util/util.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct wot_daemon {
	uv_loop_t loop;
	wot_home *home;
	/* This daemon's own, handed to the parts that use them: the RRsets
	 * withdrawn until they settle, and the loader of the accepted set
	 * (which leaves them out). Nothing of a daemon is process-wide, so
	 * two fit in one process. */
	wot_dns_withdraw_set *withdrawn;
	wot_dns_accepted *accepted;
	wot_dns_pool *pool;
	wot_dns_control *control;
	wot_prop *prop;		    /* NOTIFY in and out */
	wot_opinions *opinions;	    /* second opinions; they serve new tables */
	wot_neighbor *neighbors;    /* neighbor-majority rounds */
	wot_dns_routes_job *routes; /* STATE/routes after each swap */
	wot_dns_table *first;	    /* the table served at start (a ref) */
	uint64_t started_ms;
	size_t records;
	char **listen; /* bound addresses, NULL-terminated */
	uv_timer_t timer;
	uv_signal_t sigterm, sigint, sighup;
	int signals;	   /* the three above are started */
	uv_async_t wakeup; /* wot_daemon_stop, wot_daemon_reload */
	atomic_int want;   /* WANT_* bits, from any thread */
	wot_sdnotify sd;   /* systemd: READY, RELOADING, watchdog */
	uv_work_t work;
	int syncing, stopping;
	int renewed;	 /* the last sync_work renewed the own head */
	int no_upstream; /* overlay only, on purpose */
	/* result of the last sync, handed from the pool thread */
	wot_dns_table *fresh;
	uint64_t fresh_gen, gen; /* of fresh, and of the table serving */
	char error[512];
	wot_sync_report report;
	uint64_t work_gen; /* gen as the timed sync was queued */
};
typedef struct wot_daemon daemon_t;

enum { WANT_STOP = 1, WANT_RELOAD = 2 };

/* Swap t in (second opinions call this when their policy says so); gen
 * 0: offer_table already checked it. */
static void serve_table(void *data, wot_dns_table *t, uint64_t gen)
{
	daemon_t *d = data;

	if (d->stopping || !d->pool || (gen && gen < d->gen)) {
		wot_dns_table_free(t);
		return;
	}
	if (gen)
		d->gen = gen;
	d->records = wot_dns_table_count(t);
	wot_dns_routes_offer(d->routes, t);
	wot_dns_pool_set_table(d->pool, t);
}

/* Serve t unless a newer generation already serves: timed and NOTIFY
 * syncs finish in any order. Takes t. */
static void offer_table(daemon_t *d, wot_dns_table *t, uint64_t gen)
{
	if (d->stopping || !d->pool || gen < d->gen) {
		wot_dns_table_free(t);
		return;
	}
	d->gen = gen;
	if (d->opinions)
		wot_opinions_offer(d->opinions, t);
	else
		serve_table(d, t, 0);
}

/* Pool thread: git and gpg work never runs on the loop. */
static void sync_work(uv_work_t *req)
{
	daemon_t *d = req->data;
	wot_trust *t = NULL;
	int rc;

	d->error[0] = '\0';
	d->fresh = NULL;
	rc = wot_home_trust(d->home, &t);
	/* Keep the own refresh promise ([peer] refresh); logged. */
	d->renewed = rc == 0 && wot_sync_renew_due(
				    d->home, t, (int64_t)time(NULL), NULL) == 1;
	if (rc == 0)
		rc = wot_sync_all(d->home, t, NULL, NULL, &d->report);
	/* Nothing changed and the table serves this very file (a CLI sync
	 * may have rewritten it since): keep it. */
	if (rc == 0 && !(d->report.unchanged &&
			 wot_dns_accepted_gen(d->home) == d->work_gen))
		rc = wot_dns_accepted_load(d->accepted, &d->fresh,
					   &d->fresh_gen);
	if (rc < 0)
		snprintf(d->error, sizeof(d->error), "%s", wot_error_last());
	wot_trust_free(t);
}

static void sync_done(uv_work_t *req, int status)
{
	daemon_t *d = req->data;

	d->syncing = 0;
	if (status == UV_ECANCELED)
		return;
	/* A renewal travels like a publish, whatever the sync did. */
	if (d->renewed && d->prop && !d->stopping)
		wot_prop_announce(d->prop);
	if (d->error[0]) {
		wot_log(WOT_LOG_WARNING, "sync", "sync failed: %s", d->error);
		return;
	}
	wot_log(WOT_LOG_INFO, "sync",
		"synced %zu sources (%zu failed): %zu records, %zu conflicts",
		d->report.sources, d->report.failed, d->report.records,
		d->report.conflicts);
	if (d->fresh)
		offer_table(d, d->fresh, d->fresh_gen);
	d->fresh = NULL;
	wot_sdnotify_send("STATUS=serving %zu records; synced %zu sources "
			  "(%zu failed)",
			  d->records, d->report.sources, d->report.failed);
}

static void on_timer(uv_timer_t *timer)
{
	daemon_t *d = timer->data;

	if (d->syncing || d->stopping)
		return;
	d->syncing = 1;
	d->work.data = d;
	d->work_gen = d->gen;
	uv_queue_work(&d->loop, &d->work, sync_work, sync_done);
}

static void on_closed(void *data)
{
	daemon_t *d = data;
	d->pool = NULL;
}

/* SIGHUP, or wot_daemon_reload: serve what is on disk now. */
static void reload(daemon_t *d)
{
	wot_dns_table *t = NULL;
	uint64_t gen;

	if (d->stopping)
		return;
	/* systemd holds the unit in "reloading" until READY=1. */
	wot_sdnotify_send("RELOADING=1");
	if (wot_dns_accepted_load(d->accepted, &t, &gen) < 0) {
		wot_log(WOT_LOG_ERR, "dns", "reload: %s", wot_error_last());
		wot_sdnotify_send("READY=1\nSTATUS=reload failed, "
				  "serving %zu records: %s",
				  d->records, wot_error_last());
		return;
	}
	d->gen = 0; /* the user asked for what is on disk now */
	offer_table(d, t, gen);
	wot_log(WOT_LOG_NOTICE, "dns", "reloaded %zu records", d->records);
	wot_sdnotify_send("READY=1\nSTATUS=reloaded, serving %zu records",
			  d->records);
}

/* SIGTERM, SIGINT, or wot_daemon_stop: close everything; the loop ends. */
static void stop(daemon_t *d)
{
	if (d->stopping)
		return;
	wot_log(WOT_LOG_NOTICE, "dns", "shutting down");
	wot_sdnotify_send("STOPPING=1\nSTATUS=shutting down");
	wot_sdnotify_close(&d->sd);
	d->stopping = 1;
	uv_close((uv_handle_t *)&d->timer, NULL);
	uv_close((uv_handle_t *)&d->wakeup, NULL);
	if (d->signals) {
		uv_close((uv_handle_t *)&d->sigterm, NULL);
		uv_close((uv_handle_t *)&d->sigint, NULL);
		uv_close((uv_handle_t *)&d->sighup, NULL);
	}
	wot_dns_control_close(d->control, NULL, NULL);
	d->control = NULL;
	wot_neighbor_close(d->neighbors, NULL, NULL);
	d->neighbors = NULL;
	wot_opinions_close(d->opinions, NULL, NULL);
	d->opinions = NULL;
	wot_prop_close(d->prop, NULL, NULL);
	d->prop = NULL;
	wot_dns_routes_job_close(d->routes);
	d->routes = NULL;
	wot_dns_pool_close(d->pool, on_closed, d);
}

static void on_signal(uv_signal_t *sig, int signum)
{
	if (signum == SIGHUP)
		reload(sig->data);
	else
		stop(sig->data);
}

/* Another thread asked (wot_daemon_stop, wot_daemon_reload). */
static void on_wakeup(uv_async_t *a)
{
	daemon_t *d = a->data;
	int want = atomic_exchange(&d->want, 0);

	if (want & WANT_RELOAD)
		reload(d);
	if (want & WANT_STOP)
		stop(d);
}

void wot_daemon_stop(wot_daemon *d)
{
	atomic_fetch_or(&d->want, WANT_STOP);
	uv_async_send(&d->wakeup);
}

void wot_daemon_reload(wot_daemon *d)
{
	atomic_fetch_or(&d->want, WANT_RELOAD);
	uv_async_send(&d->wakeup);
}

wot_dns_withdraw_set *wot_daemon_withdrawn(wot_daemon *d)
{
	return d->withdrawn;
}

/* Refuse to start: why, and the ways out, on one line. */
static int no_usable_upstream(daemon_t *d, const char *why)
{
	char *cfg = wot_home_path(d->home, "config");
	int rc = wot_error_set(
	    WOT_EINVAL,
	    "no usable upstream: %s; set [serve] upstream in %s, or run "
	    "'wotdns desktop setup', or pass --no-upstream to serve only the "
	    "overlay",
	    why, cfg ? cfg : "the config");

	free(cfg);
	return rc;
}

/* resolv.conf gave nothing but ourselves (or nothing): say what it
 * names. */
static int empty_resolvconf(daemon_t *d, const char *path)
{
	char **all = NULL, why[512];
	size_t len;
	int rc;

	rc = wot_dns_resolvconf_upstreams(path, NULL, 0, &all);
	len = (size_t)snprintf(why, sizeof(why), "%s names %s", path,
			       rc == 0 && all && all[0] ? "only"
							: "no nameserver");
	for (size_t i = 0; rc == 0 && all && all[i] && len < sizeof(why); i++)
		len += (size_t)snprintf(why + len, sizeof(why) - len, "%s%s",
					i ? ", " : " ", all[i]);
	if (rc == 0 && all && all[0] && len < sizeof(why))
		snprintf(why + len, sizeof(why) - len, " (this daemon)");
	wot_dns_strv_free(all);
	return no_usable_upstream(d, why);
}

/* Upstreams: flags, else config, else resolv.conf without ourselves;
 * none at all with --no-upstream or [serve] no-upstream. */
static int pick_upstreams(daemon_t *d, const wot_daemon_opts *o,
			  const wot_dns_server_opts *so, char ***owned,
			  wot_dns_server_opts *out)
{
	const wot_config *cfg = wot_home_config(d->home);
	const char *path = o->resolv_conf ? o->resolv_conf : "/etc/resolv.conf";
	struct sockaddr_storage self[16];
	size_t nself = 0;
	int rc;

	*out = *so;
	out->forward_overlay_tlds = cfg->forward_overlay_tlds != 0;
	if (o->upstream) {
		out->upstream = o->upstream;
		out->nupstream = o->nupstream;
		return 0;
	}
	if (o->no_upstream || cfg->no_upstream) {
		out->no_upstream = 1;
		wot_log(WOT_LOG_NOTICE, "dns",
			"no upstream: names outside the overlay get REFUSED");
		return 0;
	}
	if (cfg->upstream && cfg->upstream[0]) {
		out->upstream = (const char *const *)cfg->upstream;
		while (cfg->upstream[out->nupstream])
			out->nupstream++;
		return 0;
	}
	for (size_t i = 0; i < so->nlisten && nself < 16; i++)
		if (wot_dns_parse_addr(so->listen[i], 53, &self[nself]) == 0)
			nself++;
	rc = wot_dns_resolvconf_upstreams(path, self, nself, owned);
	if (rc < 0)
		return rc;
	out->upstream = (const char *const *)*owned;
	while ((*owned)[out->nupstream])
		out->nupstream++;
	if (!out->nupstream)
		return empty_resolvconf(d, path);
	return 0;
}

/* Every upstream a way back to ourselves (the probe saw its question
 * arrive at our own listener): refuse to start. */
static int check_loops(daemon_t *d, const wot_dns_server_opts *so)
{
	char why[512];
	size_t looped = 0, len;
	int rc;

	if (!so->nupstream)
		return 0;
	rc = wot_dns_server_probe(wot_dns_pool_server(d->pool),
				  WOT_DAEMON_PROBE_MS, &looped);
	if (rc < 0 || looped < so->nupstream)
		return rc;
	len = (size_t)snprintf(why, sizeof(why), "%s",
			       so->nupstream == 1 ? "" : "each of ");
	for (size_t i = 0; i < so->nupstream && len < sizeof(why); i++)
		len += (size_t)snprintf(why + len, sizeof(why) - len, "%s%s",
					i ? ", " : "", so->upstream[i]);
	if (len < sizeof(why))
		snprintf(why + len, sizeof(why) - len,
			 " sends our questions back to this daemon (a "
			 "forwarding loop)");
	return no_usable_upstream(d, why);
}

/* Option from the command line, else the config. */
static void server_opts(daemon_t *d, const wot_daemon_opts *o,
			wot_dns_server_opts *so, unsigned *threads)
{
	const wot_config *cfg = wot_home_config(d->home);
	unsigned mb = o->cache_mb >= 0 ? (unsigned)o->cache_mb : cfg->cache_mb;

	so->listen = o->listen ? o->listen : (const char *const *)cfg->listen;
	so->nlisten = o->listen ? o->nlisten : 0;
	while (!o->listen && so->listen && so->listen[so->nlisten])
		so->nlisten++;
	so->allow_nonloopback = o->allow_nonloopback;
	so->cache_bytes = (size_t)mb << 20;
	so->max_ttl = cfg->max_ttl;
	so->upstream_timeout_ms = o->upstream_timeout_ms
				      ? o->upstream_timeout_ms
				      : cfg->upstream_timeout_ms;
	*threads = o->threads ? o->threads : cfg->threads;
	if (!*threads)
		*threads = 1;
}

static int log_bound(daemon_t *d, size_t n)
{
	char addr[80];

	d->listen = calloc(n + 1, sizeof(*d->listen));
	if (!d->listen)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (wot_dns_pool_bound(d->pool, i, addr, sizeof(addr)) < 0)
			continue;
		wot_log(WOT_LOG_NOTICE, "dns", "listening on %s (udp+tcp)",
			addr);
		if (!(d->listen[i] = strdup(addr)))
			return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	return 0;
}

static int start_server(daemon_t *d, const wot_daemon_opts *o)
{
	wot_dns_server_opts so = WOT_DNS_SERVER_OPTS_INIT, full;
	wot_dns_table *table = NULL;
	char **owned = NULL;
	unsigned threads;
	int rc;

	server_opts(d, o, &so, &threads);
	if ((rc = pick_upstreams(d, o, &so, &owned, &full)) < 0 ||
	    (rc = wot_dns_accepted_load(d->accepted, &table, &d->gen)) < 0 ||
	    (rc = wot_dns_pool_new(&d->pool, &d->loop, &full, threads)) < 0)
		goto out;
	d->records = wot_dns_table_count(table);
	/* Its routes are written once privileges are dropped: root must
	 * not own files in the home. */
	wot_dns_table_ref(table);
	d->first = table;
	wot_dns_pool_set_table(d->pool, table);
	table = NULL;
	if ((rc = wot_dns_pool_start(d->pool)) < 0 ||
	    (rc = log_bound(d, full.nlisten)) < 0 ||
	    (rc = check_loops(d, &full)) < 0)
		goto out;
	d->no_upstream = full.no_upstream;
	wot_log(WOT_LOG_INFO, "dns", "%u listener thread%s, cache %zu MiB",
		threads, threads == 1 ? "" : "s", full.cache_bytes >> 20);
	for (size_t i = 0; i < full.nupstream; i++)
		wot_log(WOT_LOG_INFO, "dns", "upstream %s", full.upstream[i]);
out:
	wot_dns_table_free(table);
	wot_dns_strv_free(owned);
	return rc;
}

static int status_doc(void *data, char **json)
{
	daemon_t *d = data;
	wot_daemon_info info = {
	    d->pool,	  (const char *const *)d->listen,
	    d->records,	  (uv_now(&d->loop) - d->started_ms) / 1000,
	    d->prop,	  d->opinions,
	    d->neighbors, d->no_upstream,
	    d->accepted};

	return wot_daemon_status_json(&info, json);
}

static void start_control(daemon_t *d)
{
	char *path = wot_state_path(d->home, WOT_STATE_SERVE_SOCK);

	/* Counters are a convenience: serve without them rather than not
	 * at all. */
	if (!path || wot_dns_control_start(&d->control, &d->loop, path,
					   status_doc, d) < 0)
		wot_log(WOT_LOG_WARNING, "dns",
			"no control socket, status will not show counters: %s",
			wot_error_last());
	free(path);
}

/* A NOTIFY-driven sync produced a fresh record set. */
static void install_table(void *data, wot_dns_table *t, uint64_t gen)
{
	offer_table(data, t, gen);
}

static void weigh_peers(void *data, const char *const *endpoints,
			const int *events, size_t n)
{
	daemon_t *d = data;

	wot_opinions_peer_events(d->opinions, endpoints, events, n);
}

/* Neighbor majority ([opinion] neighbors, neighbor-interval). */
static int start_neighbors(daemon_t *d)
{
	const wot_config *cfg = wot_home_config(d->home);
	wot_neighbor_opts no = {cfg->neighbor_interval,
				cfg->neighbors,
				cfg->majority,
				cfg->neighbor_sample,
				cfg->opinion_timeout_ms,
				install_table,
				weigh_peers,
				d,
				d->prop,
				d->accepted,
				d->withdrawn};

	if (!cfg->neighbors || !cfg->neighbor_interval)
		return 0;
	return wot_neighbor_start(&d->neighbors, &d->loop, d->home, &no);
}

static int start_prop(daemon_t *d, const wot_daemon_opts *o)
{
	const wot_config *cfg = wot_home_config(d->home);
	wot_prop_opts po = {o->peer_listen,	  o->npeer_listen,
			    o->allow_nonloopback, cfg->notify_gap_ms,
			    install_table,	  d,
			    d->accepted};
	char addr[80];
	int rc;

	if (!o->peer_listen)
		for (po.listen = (const char *const *)cfg->peer_listen;
		     po.listen && po.listen[po.nlisten];)
			po.nlisten++;
	if ((rc = wot_prop_start(&d->prop, &d->loop, d->home, &po)) < 0)
		return rc;
	for (size_t i = 0; i < po.nlisten; i++)
		if (wot_prop_bound(d->prop, i, addr, sizeof(addr)) == 0)
			wot_log(WOT_LOG_NOTICE, "dns",
				"peer listener on %s (udp+tcp, NOTIFY and "
				"opinions)",
				addr);
	return 0;
}

static void start_handles(daemon_t *d, const wot_daemon_opts *o,
			  unsigned interval)
{
	uv_signal_t *sigs[] = {&d->sigterm, &d->sigint, &d->sighup};
	int nums[] = {SIGTERM, SIGINT, SIGHUP};

	/* Signals are the process's: a daemon sharing it with others (an
	 * embedder, a test) is stopped and reloaded by call instead. */
	d->signals = !o->no_signals;
	for (int i = 0; d->signals && i < 3; i++) {
		uv_signal_init(&d->loop, sigs[i]);
		sigs[i]->data = d;
		uv_signal_start(sigs[i], on_signal, nums[i]);
	}
	uv_timer_init(&d->loop, &d->timer);
	d->timer.data = d;
	/* Sync once right away, then every interval. */
	if (interval)
		uv_timer_start(&d->timer, on_timer, 0,
			       (uint64_t)interval * 1000);
	wot_sdnotify_start(&d->sd, &d->loop);
	/* Listeners bound, table loaded, signals handled: ready. */
	wot_sdnotify_send("READY=1\nSTATUS=serving %zu records on %s",
			  d->records, d->listen[0] ? d->listen[0] : "?");
	/* The same moment for those reading the log: a publish from now on
	 * reaches this daemon (its notify socket is up). */
	wot_log(WOT_LOG_NOTICE, "dns", "ready: serving %zu records",
		d->records);
	if (o->ready)
		o->ready(o->ready_data, d);
}

static void daemon_free(daemon_t *d)
{
	wot_dns_strv_free(d->listen);
	wot_dns_accepted_free(d->accepted);
	wot_dns_withdraw_free(d->withdrawn);
	free(d);
}

int wot_daemon_run(wot_home *h, const wot_daemon_opts *o)
{
	daemon_t *d = calloc(1, sizeof(*d));
	unsigned interval;
	int rc;

	if (!d)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	d->home = h;
	interval = o->sync_interval >= 0 ? (unsigned)o->sync_interval
					 : wot_home_config(h)->sync_interval;
	if ((rc = wot_dns_withdraw_new(&d->withdrawn)) < 0 ||
	    (rc = wot_dns_accepted_new(&d->accepted, h, d->withdrawn)) < 0) {
		daemon_free(d);
		return rc;
	}
	if ((rc = uv_loop_init(&d->loop)) < 0) {
		daemon_free(d);
		return wot_error_set(WOT_EIO, "loop: %s", uv_strerror(rc));
	}
	uv_async_init(&d->loop, &d->wakeup, on_wakeup);
	d->wakeup.data = d;
	d->started_ms = uv_now(&d->loop);
	rc = start_server(d, o);
	if (rc == 0) {
		start_control(d);
		rc = start_prop(d, o);
	}
	if (rc == 0) {
		wot_opinions_opts oo = {.prop = d->prop,
					.serve = serve_table,
					.data = d,
					.accepted = d->accepted,
					.withdrawn = d->withdrawn,
					.rewrite = o->peer_answer,
					.rewrite_data = o->peer_answer_data};
		rc = wot_opinions_start(&d->opinions, &d->loop, d->home, &oo);
	}
	if (rc == 0)
		rc = start_neighbors(d);
	if (rc == 0) {
		rc = wot_daemon_drop_privileges(d->home, o->user);
	}
	if (rc == 0 &&
	    (rc = wot_dns_routes_job_new(&d->routes, &d->loop, d->home)) == 0)
		wot_dns_routes_offer(d->routes, d->first);
	wot_dns_table_free(d->first);
	d->first = NULL;
	if (rc < 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", wot_error_last());
		wot_dns_control_close(d->control, NULL, NULL);
		wot_neighbor_close(d->neighbors, NULL, NULL);
		wot_opinions_close(d->opinions, NULL, NULL);
		wot_prop_close(d->prop, NULL, NULL);
		if (d->pool)
			wot_dns_pool_close(d->pool, on_closed, d);
		uv_close((uv_handle_t *)&d->wakeup, NULL);
		uv_run(&d->loop, UV_RUN_DEFAULT);
		wot_error_set(rc, "%s", msg);
	} else {
		start_handles(d, o, interval);
		uv_run(&d->loop, UV_RUN_DEFAULT);
	}
	if (uv_loop_close(&d->loop) != 0 && rc == 0)
		rc = wot_error_set(WOT_EIO, "event loop did not close cleanly");
	daemon_free(d);
	return rc;
}
