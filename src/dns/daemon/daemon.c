/*
 * daemon.c - the serve loop: resolver (one or more listener threads), the
 * control socket, the peer room, signals; syncs, recomputes and table
 * swaps all go through the scheduler (scheduler.c).
 */
#include "dns/daemon/accepted.h"
#include "dns/daemon/control.h"
#include "dns/daemon/daemon_int.h"
#include "dns/net/net.h"
#include "dns/resolver/resolver.h"
#include "dns/peer/peer.h"
#include "dns/daemon/scheduler.h"
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
	wot_sched *sched; /* the one orchestrator of syncs and swaps */
	wot_dns_pool *pool;
	wot_dns_control *control;
	wot_dns_control *notify;    /* state/notify.sock: publishes */
	wot_prop *prop;		    /* NOTIFY in and out */
	wot_opinions *opinions;	    /* second opinions; they serve new tables */
	wot_neighbor *neighbors;    /* neighbor-majority rounds */
	wot_dns_routes_job *routes; /* STATE/routes after each swap */
	/* The one clock of every timed part (the loop's): the scheduler's
	 * gaps, the peer room's rate buckets and retries. */
	wot_clock clock;
	uint64_t started_ms;
	char **listen; /* bound addresses, NULL-terminated */
	uv_signal_t sigterm, sigint, sighup;
	int signals;	   /* the three above are started */
	uv_async_t wakeup; /* wot_daemon_stop, wot_daemon_reload */
	atomic_int want;   /* WANT_* bits, from any thread */
	wot_sdnotify sd;   /* systemd: READY, RELOADING, watchdog */
	int stopping;
	int peers_open;	 /* peer objects still closing */
	int no_upstream; /* overlay only, on purpose */
};
typedef struct wot_daemon daemon_t;

enum { WANT_STOP = 1, WANT_RELOAD = 2 };

/* A timed sync renewed the own head: it travels like a publish. */
static void on_renewed(void *data)
{
	daemon_t *d = data;

	if (d->prop && !d->stopping)
		wot_prop_announce(d->prop);
}

static void on_closed(void *data)
{
	daemon_t *d = data;
	d->pool = NULL;
}

/* SIGHUP, or wot_daemon_reload: serve what is on disk now. */
static void reload(daemon_t *d)
{
	if (d->stopping)
		return;
	/* systemd holds the unit in "reloading" until READY=1. */
	wot_sdnotify_send("RELOADING=1");
	if (wot_sched_reload(d->sched) < 0) {
		wot_log(WOT_LOG_ERR, "dns", "reload: %s", wot_error_last());
		wot_sdnotify_send("READY=1\nSTATUS=reload failed, "
				  "serving %zu records: %s",
				  wot_sched_records(d->sched),
				  wot_error_last());
		return;
	}
	wot_log(WOT_LOG_NOTICE, "dns", "reloaded %zu records",
		wot_sched_records(d->sched));
	wot_sdnotify_send("READY=1\nSTATUS=reloaded, serving %zu records",
			  wot_sched_records(d->sched));
}

/* The scheduler closes after the peer objects are gone: their pool work
 * may still call its sync_now until then. */
static void peer_closed(void *data)
{
	daemon_t *d = data;

	if (--d->peers_open > 0)
		return;
	wot_sched_close(d->sched, NULL, NULL);
	d->sched = NULL;
}

/* Close every part; the pool last, as its close ends the loop. */
static void close_parts(daemon_t *d)
{
	wot_dns_control_close(d->control, NULL, NULL);
	d->control = NULL;
	wot_dns_control_close(d->notify, NULL, NULL);
	d->notify = NULL;
	wot_sched_stop(d->sched);
	d->peers_open = 1; /* held until every close has started */
	if (d->neighbors && ++d->peers_open)
		wot_neighbor_close(d->neighbors, peer_closed, d);
	if (d->opinions && ++d->peers_open)
		wot_opinions_close(d->opinions, peer_closed, d);
	if (d->prop && ++d->peers_open)
		wot_prop_close(d->prop, peer_closed, d);
	d->neighbors = NULL;
	d->opinions = NULL;
	d->prop = NULL;
	peer_closed(d);
	wot_dns_routes_job_close(d->routes);
	d->routes = NULL;
	if (d->pool)
		wot_dns_pool_close(d->pool, on_closed, d);
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
	uv_close((uv_handle_t *)&d->wakeup, NULL);
	if (d->signals) {
		uv_close((uv_handle_t *)&d->sigterm, NULL);
		uv_close((uv_handle_t *)&d->sigint, NULL);
		uv_close((uv_handle_t *)&d->sighup, NULL);
	}
	close_parts(d);
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
	out->tld_is_public = (wot_dns_tld_check){
	    .fn = wot_dns_daemon_tld_public, .ctx = d->home};
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
	uint64_t gen;
	int rc;

	server_opts(d, o, &so, &threads);
	if ((rc = pick_upstreams(d, o, &so, &owned, &full)) < 0 ||
	    (rc = wot_sched_load(d->sched, &table, &gen)) < 0 ||
	    (rc = wot_dns_pool_new(&d->pool, &d->loop, &full, threads)) < 0)
		goto out;
	/* Its routes are written once privileges are dropped (root must
	 * not own files in the home): the scheduler keeps it until then. */
	wot_sched_attach(d->sched, d->pool, NULL, NULL);
	wot_sched_serve(d->sched, table, gen);
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
	    .pool = d->pool,
	    .listen = (const char *const *)d->listen,
	    .records = wot_sched_records(d->sched),
	    .uptime_s = (wot_clock_now(&d->clock) - d->started_ms) / 1000,
	    .prop = d->prop,
	    .opinions = d->opinions,
	    .neighbors = d->neighbors,
	    .no_upstream = d->no_upstream,
	    .accepted = d->accepted};

	wot_sched_stats_get(d->sched, &info.sched);
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
	wot_neighbor_opts no = {.interval_s = cfg->neighbor_interval,
				.neighbors = cfg->neighbors,
				.majority = cfg->majority,
				.sample = cfg->neighbor_sample,
				.timeout_ms = cfg->opinion_timeout_ms,
				.peer_events = weigh_peers,
				.data = d,
				.prop = d->prop,
				.withdrawn = d->withdrawn,
				.req = wot_sched_requests(d->sched),
				.clock = &d->clock};

	if (!cfg->neighbors || !cfg->neighbor_interval)
		return 0;
	return wot_neighbor_start(&d->neighbors, &d->loop, d->home, &no);
}

/* Someone connected to the notify socket: the user published. */
static int on_publish(void *data, char **json)
{
	daemon_t *d = data;

	wot_prop_announce(d->prop);
	*json = strdup("{\"notify\": \"queued\"}\n");
	return *json ? 0 : wot_error_set(WOT_ENOMEM, "out of memory");
}

static int start_notify_socket(daemon_t *d)
{
	char *path = wot_state_path(d->home, WOT_STATE_NOTIFY_SOCK);
	int rc = path ? wot_dns_control_start(&d->notify, &d->loop, path,
					      on_publish, d)
		      : wot_error_set(WOT_ENOMEM, "out of memory");

	free(path);
	return rc;
}

static int start_prop(daemon_t *d, const wot_daemon_opts *o)
{
	const wot_config *cfg = wot_home_config(d->home);
	wot_prop_opts po = {.listen = o->peer_listen,
			    .nlisten = o->npeer_listen,
			    .allow_nonloopback = o->allow_nonloopback,
			    .req = wot_sched_requests(d->sched),
			    .clock = &d->clock};
	char addr[80];
	int rc;

	if (!o->peer_listen)
		for (po.listen = (const char *const *)cfg->peer_listen;
		     po.listen && po.listen[po.nlisten];)
			po.nlisten++;
	if ((rc = wot_prop_start(&d->prop, &d->loop, d->home, &po)) < 0 ||
	    (rc = start_notify_socket(d)) < 0)
		return rc;
	for (size_t i = 0; i < po.nlisten; i++)
		if (wot_prop_bound(d->prop, i, addr, sizeof(addr)) == 0)
			wot_log(WOT_LOG_NOTICE, "dns",
				"peer listener on %s (udp+tcp, NOTIFY and "
				"opinions)",
				addr);
	return 0;
}

static int start_opinions(daemon_t *d, const wot_daemon_opts *o)
{
	wot_opinions_opts oo = {.prop = d->prop,
				.withdrawn = d->withdrawn,
				.rewrite = o->peer_answer,
				.rewrite_data = o->peer_answer_data,
				.req = wot_sched_requests(d->sched),
				.clock = &d->clock};

	return wot_opinions_start(&d->opinions, &d->loop, d->home, &oo);
}

static void start_handles(daemon_t *d, const wot_daemon_opts *o)
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
	wot_sched_start(d->sched);
	wot_sdnotify_start(&d->sd, &d->loop);
	/* Listeners bound, table loaded, signals handled: ready. */
	wot_sdnotify_send("READY=1\nSTATUS=serving %zu records on %s",
			  wot_sched_records(d->sched),
			  d->listen[0] ? d->listen[0] : "?");
	/* The same moment for those reading the log: a publish from now on
	 * reaches this daemon (its notify socket is up). */
	wot_log(WOT_LOG_NOTICE, "dns", "ready: serving %zu records",
		wot_sched_records(d->sched));
	if (o->ready)
		o->ready(o->ready_data, d);
}

/* The parts in order; the scheduler first: the others ask it. */
static int start_parts(daemon_t *d, const wot_daemon_opts *o)
{
	const wot_config *cfg = wot_home_config(d->home);
	wot_sched_opts so = WOT_SCHED_OPTS_INIT;
	int rc;

	so.gap_ms = cfg->notify_gap_ms;
	so.interval_s = o->sync_interval >= 0 ? (unsigned)o->sync_interval
					      : cfg->sync_interval;
	so.accepted = d->accepted;
	so.renewed = on_renewed;
	so.data = d;
	so.clock = &d->clock;
	if ((rc = wot_sched_new(&d->sched, &d->loop, d->home, &so)) < 0 ||
	    (rc = start_server(d, o)) < 0)
		return rc;
	start_control(d);
	if ((rc = start_prop(d, o)) < 0 || (rc = start_opinions(d, o)) < 0 ||
	    (rc = start_neighbors(d)) < 0 ||
	    (rc = wot_daemon_drop_privileges(d->home, o->user)) < 0 ||
	    (rc = wot_dns_routes_job_new(&d->routes, &d->loop, d->home)) < 0)
		return rc;
	wot_sched_attach(d->sched, d->pool, d->routes, d->opinions);
	return 0;
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
	int rc;

	if (!d)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	d->home = h;
	if ((rc = wot_dns_withdraw_new(&d->withdrawn)) < 0 ||
	    (rc = wot_dns_accepted_new(&d->accepted, h, d->withdrawn)) < 0) {
		daemon_free(d);
		return rc;
	}
	if ((rc = uv_loop_init(&d->loop)) < 0) {
		daemon_free(d);
		return wot_error_set(WOT_EIO, "loop: %s", uv_strerror(rc));
	}
	d->clock = wot_net_loop_clock(&d->loop);
	uv_async_init(&d->loop, &d->wakeup, on_wakeup);
	d->wakeup.data = d;
	d->started_ms = wot_clock_now(&d->clock);
	rc = start_parts(d, o);
	if (rc < 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", wot_error_last());
		close_parts(d);
		uv_close((uv_handle_t *)&d->wakeup, NULL);
		uv_run(&d->loop, UV_RUN_DEFAULT);
		wot_error_set(rc, "%s", msg);
	} else {
		start_handles(d, o);
		uv_run(&d->loop, UV_RUN_DEFAULT);
	}
	if (uv_loop_close(&d->loop) != 0 && rc == 0)
		rc = wot_error_set(WOT_EIO, "event loop did not close cleanly");
	daemon_free(d);
	return rc;
}
