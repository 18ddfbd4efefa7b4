/*
 * scheduler.c - the daemon's one scheduler (see scheduler.h): timed full
 * syncs, batches of source syncs asked for by the peer room (NOTIFY,
 * publish, neighbor majority, second opinions), recomputes, and the one
 * path by which a table gets served.
 *
 * Source batches: a request marks each source pending. A source due now
 * (not being fetched, and past its gap when NOTIFY or a publish asked)
 * joins the next batch; one batch runs at a time and ends with one
 * recompute and a table offer. A request for a source already pending or
 * being fetched only marks it pending again, so a burst of NOTIFYs costs
 * one or two fetches and the last change is never lost.
 */
#include "dns/daemon/scheduler.h"
#include "dns/daemon/accepted.h"
#include "dns/daemon/sched_plan.h"
#include "dns/daemon/sdnotify.h"
#include "dns/net/net.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One batch of source syncs, or a recompute alone. */
typedef struct {
	uv_work_t req;
	struct wot_sched *s;
	char **names;
	size_t n;
	int counted; /* NOTIFY- or publish-driven fetches among them */
	int direct;  /* serve as it is, then the opinions look again */
	wot_sync_report report;
	wot_dns_table *table;
	uint64_t gen;
	int rc;
	char err[512];
} batch;

/* The timed full sync. */
typedef struct {
	uv_work_t req;
	struct wot_sched *s;
	uint64_t gen_then; /* generation serving as it was queued */
	int renewed;	   /* the own head was renewed */
	wot_dns_table *table;
	uint64_t gen;
	wot_sync_report report;
	char err[512];
} full;

struct wot_sched {
	uv_loop_t *loop;
	wot_home *h;
	wot_sched_opts o;
	wot_clock clock; /* o.clock's copy, or the loop's */
	wot_dns_pool *pool;
	wot_dns_routes_job *routes;
	wot_opinions *opinions;
	wot_dns_table *unrouted; /* served before the routes writer was */
	uint64_t gen;		 /* of the table serving */
	size_t records;
	uv_timer_t interval_timer, gap_timer;
	wot_sched_plan plan; /* the sources' fetches (sched_plan.h) */
	batch *batch;	     /* in flight */
	full *full;	     /* in flight */
	int recompute_offer, recompute_direct;
	/* GPGME handle of the batches (one at a time), kept: opening one
	 * costs several gpg processes, more than a fetch. */
	wot_trust *trust;
	wot_sched_stats st;
	int closing; /* stopped: no more work, no more tables */
	/* closing: closed, free once the work in flight (live) ended */
	wot_closer closer;
};

/* ---- the one swap path ----------------------------------------------- */

void wot_sched_serve(wot_sched *s, wot_dns_table *t, uint64_t gen)
{
	if (s->closing || !s->pool || (gen && gen < s->gen)) {
		wot_dns_table_free(t);
		return;
	}
	if (gen)
		s->gen = gen;
	s->records = wot_dns_table_count(t);
	if (s->routes) {
		wot_dns_routes_offer(s->routes, t);
	} else {
		wot_dns_table_ref(t);
		wot_dns_table_free(s->unrouted);
		s->unrouted = t;
	}
	wot_dns_pool_set_table(s->pool, t);
}

/* A fresh table: through the second opinions' policy, unless a newer
 * generation already serves (timed and requested syncs finish in any
 * order). Takes t. */
static void offer(wot_sched *s, wot_dns_table *t, uint64_t gen)
{
	if (s->closing || !s->pool || gen < s->gen) {
		wot_dns_table_free(t);
		return;
	}
	s->gen = gen;
	if (s->opinions)
		wot_opinions_offer(s->opinions, t);
	else
		wot_sched_serve(s, t, 0);
}

int wot_sched_load(wot_sched *s, wot_dns_table **out, uint64_t *gen)
{
	return wot_dns_accepted_load(s->o.accepted, out, gen);
}

int wot_sched_reload(wot_sched *s)
{
	wot_dns_table *t = NULL;
	uint64_t gen;
	int rc = wot_dns_accepted_load(s->o.accepted, &t, &gen);

	if (rc < 0)
		return rc;
	s->gen = 0; /* the user asked for what is on disk now */
	offer(s, t, gen);
	return 0;
}

size_t wot_sched_records(const wot_sched *s)
{
	return s->records;
}

void wot_sched_stats_get(const wot_sched *s, wot_sched_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (s)
		*out = s->st;
}

/* ---- freeing --------------------------------------------------------- */

static void maybe_free(wot_sched *s)
{
	wot_closer k;

	if (!wot_closer_done(&s->closer, &k))
		return;
	wot_trust_free(s->trust);
	wot_dns_table_free(s->unrouted);
	wot_sched_plan_free(&s->plan);
	free(s);
	wot_closer_end(&k);
}

static void batch_free(batch *b)
{
	for (size_t i = 0; b && i < b->n; i++)
		free(b->names[i]);
	if (b)
		free(b->names);
	if (b)
		wot_dns_table_free(b->table);
	free(b);
}

/* ---- the timed full sync --------------------------------------------- */

/* Pool thread: git and gpg work never runs on the loop. */
static void full_work(uv_work_t *req)
{
	full *f = req->data;
	wot_home *h = f->s->h;
	wot_trust *t = NULL;
	int rc = wot_home_trust(h, &t);

	/* Keep the own refresh promise ([peer] refresh); logged. */
	f->renewed =
	    rc == 0 && wot_sync_renew_due(h, t, (int64_t)time(NULL), NULL) == 1;
	if (rc == 0)
		rc = wot_sync_all(h, t, NULL, NULL, &f->report);
	/* Nothing changed and the table serves this very file (a CLI sync
	 * may have rewritten it since): keep it. */
	if (rc == 0 &&
	    !(f->report.unchanged && wot_dns_accepted_gen(h) == f->gen_then))
		rc =
		    wot_dns_accepted_load(f->s->o.accepted, &f->table, &f->gen);
	if (rc < 0)
		snprintf(f->err, sizeof(f->err), "%s", wot_error_last());
	wot_trust_free(t);
}

static void full_done(uv_work_t *req, int status)
{
	full *f = req->data;
	wot_sched *s = f->s;

	s->full = NULL;
	s->closer.live--;
	/* A renewal travels like a publish, whatever the sync did. */
	if (status == 0 && f->renewed && !s->closing && s->o.renewed)
		s->o.renewed(s->o.data);
	if (status == 0 && f->err[0]) {
		wot_log(WOT_LOG_WARNING, "sync", "sync failed: %s", f->err);
	} else if (status == 0) {
		wot_log(WOT_LOG_INFO, "sync",
			"synced %zu sources (%zu failed): %zu records, %zu "
			"conflicts",
			f->report.sources, f->report.failed, f->report.records,
			f->report.conflicts);
		if (f->table)
			offer(s, f->table, f->gen);
		f->table = NULL;
		wot_sdnotify_send("STATUS=serving %zu records; synced %zu "
				  "sources (%zu failed)",
				  s->records, f->report.sources,
				  f->report.failed);
	}
	wot_dns_table_free(f->table);
	free(f);
	maybe_free(s);
}

static void on_interval(uv_timer_t *timer)
{
	wot_sched *s = timer->data;
	full *f;

	if (s->full || s->closing || !(f = calloc(1, sizeof(*f))))
		return;
	f->s = s;
	f->req.data = f;
	f->gen_then = s->gen;
	if (uv_queue_work(s->loop, &f->req, full_work, full_done) < 0) {
		free(f);
		return;
	}
	s->full = f;
	s->closer.live++;
}

void wot_sched_start(wot_sched *s)
{
	/* Sync once right away, then every interval. */
	if (s->o.interval_s)
		uv_timer_start(&s->interval_timer, on_interval, 0,
			       (uint64_t)s->o.interval_s * 1000);
}

/* ---- source batches -------------------------------------------------- */

/* Pool thread. */
static void batch_work(uv_work_t *req)
{
	batch *b = req->data;
	wot_sched *s = b->s;
	int rc = 0;

	if (b->n && !s->trust)
		rc = wot_home_trust(s->h, &s->trust);
	if (rc == 0 && b->n)
		rc = wot_sync_sources(s->h, s->trust,
				      (const char *const *)b->names, b->n,
				      &b->report);
	if (rc == 0)
		rc = wot_dns_accepted_load(s->o.accepted, &b->table, &b->gen);
	if (rc < 0)
		snprintf(b->err, sizeof(b->err), "%s", wot_error_last());
	b->rc = rc;
}

static void kick(wot_sched *s);

static void log_batch(wot_sched *s, const batch *b)
{
	if (!b->n)
		return;
	if (b->counted)
		s->st.failed += b->report.failed;
	wot_log(WOT_LOG_INFO, "sync",
		"%s sync of %zu source%s (%zu failed): %zu records",
		b->counted ? "notify" : "peer", b->report.sources,
		b->report.sources == 1 ? "" : "s", b->report.failed,
		b->report.records);
}

static void batch_done(uv_work_t *req, int status)
{
	batch *b = req->data;
	wot_sched *s = b->s;

	s->batch = NULL;
	s->closer.live--;
	for (size_t i = 0; i < b->n; i++)
		wot_sched_plan_done(&s->plan, b->names[i], 1);
	if (status == 0 && b->rc < 0)
		wot_log(WOT_LOG_WARNING, "sync", "%s sync: %s",
			b->counted ? "notify" : "peer", b->err);
	if (status == 0 && b->rc == 0 && !s->closing) {
		log_batch(s, b);
		if (b->direct) {
			wot_sched_serve(s, b->table, b->gen);
			b->table = NULL;
			if (s->opinions)
				wot_opinions_offer(s->opinions, NULL);
		} else {
			offer(s, b->table, b->gen);
			b->table = NULL;
		}
	}
	batch_free(b);
	kick(s);
	maybe_free(s);
}

static void on_gap(uv_timer_t *t)
{
	kick(t->data);
}

/* Sources due now into b; the earliest still in its gap arms the timer. */
static void take_due(wot_sched *s, batch *b, uint64_t now)
{
	wot_sched_take t;
	uint64_t f = s->plan.fetches, r = s->plan.resyncs;

	if (wot_sched_plan_take(&s->plan, now, &t) < 0) {
		wot_error_clear();
		return;
	}
	s->st.fetches += s->plan.fetches - f;
	s->st.resyncs += s->plan.resyncs - r;
	free(b->names);
	b->names = t.names;
	b->n = t.n;
	b->counted = t.counted;
	if (t.next != UINT64_MAX)
		uv_timer_start(&s->gap_timer, on_gap, t.next - now, 0);
}

static void kick(wot_sched *s)
{
	batch *b;

	if (s->closing || s->batch)
		return;
	if (!(b = calloc(1, sizeof(*b))))
		return;
	take_due(s, b, wot_clock_now(&s->clock));
	if (b->n) {
		s->recompute_offer = 0; /* the batch ends in one */
	} else if (s->recompute_direct) {
		s->recompute_direct = 0;
		b->direct = 1;
	} else if (s->recompute_offer) {
		s->recompute_offer = 0;
	} else {
		batch_free(b);
		return;
	}
	b->s = s;
	b->req.data = b;
	if (uv_queue_work(s->loop, &b->req, batch_work, batch_done) < 0) {
		wot_log(WOT_LOG_WARNING, "sync", "thread pool: cannot queue");
		for (size_t i = 0; i < b->n; i++) /* again on the next kick */
			wot_sched_plan_done(&s->plan, b->names[i], 0);
		batch_free(b);
		return;
	}
	s->batch = b;
	s->closer.live++;
}

/* ---- the peer room's requests ---------------------------------------- */

static void req_sync(void *data, const char *const *names, size_t n,
		     wot_peer_why why)
{
	wot_sched *s = data;
	int gap = why == WOT_PEER_WHY_NOTIFY || why == WOT_PEER_WHY_PUBLISH;

	if (s->closing)
		return;
	for (size_t i = 0; i < n; i++) {
		int rc = wot_sched_plan_request(&s->plan, names[i], gap);
		if (rc < 0)
			wot_error_clear();
		else if (rc == 1 && why == WOT_PEER_WHY_NOTIFY)
			s->st.coalesced++;
	}
	kick(s);
}

static void req_recompute(void *data, wot_peer_why why)
{
	wot_sched *s = data;

	if (why == WOT_PEER_WHY_OPINION)
		s->recompute_direct = 1;
	else
		s->recompute_offer = 1;
	kick(s);
}

/* Pool thread: the caller holds its own trust handle. */
static int req_sync_now(void *data, wot_trust *t, const char *source)
{
	wot_sched *s = data;
	wot_sync_report rep;

	return wot_sync_one(s->h, t, source, &rep);
}

static void req_serve(void *data, wot_dns_table *t, uint64_t gen)
{
	wot_sched_serve(data, t, gen);
}

wot_peer_requests wot_sched_requests(wot_sched *s)
{
	wot_peer_requests r = {.sync = req_sync,
			       .recompute = req_recompute,
			       .sync_now = req_sync_now,
			       .serve = req_serve,
			       .data = s};
	return r;
}

/* ---- lifecycle ------------------------------------------------------- */

int wot_sched_new(wot_sched **out, uv_loop_t *loop, wot_home *h,
		  const wot_sched_opts *o)
{
	wot_sched *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	s->loop = loop;
	s->h = h;
	s->o = *o;
	s->clock = o->clock ? *o->clock : wot_net_loop_clock(loop);
	s->plan.gap_ms = o->gap_ms;
	uv_timer_init(loop, &s->interval_timer);
	uv_timer_init(loop, &s->gap_timer);
	s->interval_timer.data = s->gap_timer.data = s;
	s->closer.live = 2; /* the timers */
	if (wot_home_trust(h, &s->trust) < 0)
		wot_log(WOT_LOG_WARNING, "sync", "NOTIFY syncs: %s",
			wot_error_last());
	*out = s;
	return 0;
}

void wot_sched_attach(wot_sched *s, wot_dns_pool *pool,
		      wot_dns_routes_job *routes, wot_opinions *opinions)
{
	s->pool = pool;
	s->routes = routes;
	s->opinions = opinions;
	if (routes && s->unrouted) {
		wot_dns_routes_offer(routes, s->unrouted);
		wot_dns_table_free(s->unrouted);
		s->unrouted = NULL;
	}
}

static void on_timer_closed(uv_handle_t *h)
{
	wot_sched *s = h->data;

	s->closer.live--;
	maybe_free(s);
}

void wot_sched_stop(wot_sched *s)
{
	if (!s || s->closing)
		return;
	s->closing = 1;
	s->pool = NULL;
	s->routes = NULL;
	s->opinions = NULL;
	uv_timer_stop(&s->interval_timer);
	uv_timer_stop(&s->gap_timer);
}

void wot_sched_close(wot_sched *s, void (*cb)(void *data), void *data)
{
	if (!s || !wot_closer_begin(&s->closer, cb, data))
		return;
	wot_sched_stop(s);
	uv_close((uv_handle_t *)&s->interval_timer, on_timer_closed);
	uv_close((uv_handle_t *)&s->gap_timer, on_timer_closed);
}
