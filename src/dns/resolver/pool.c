/*
 * pool.c - N listener threads. Server 0 runs on the caller's loop; servers
 * 1..N-1 each run on a loop of their own thread, bound to the same
 * addresses with SO_REUSEPORT, so the kernel spreads queries over them.
 * Threads share nothing on the hot path: each has its own sockets, buffers,
 * upstream forwarder and cache. Tables are shared read-only and
 * reference-counted; a new table reaches a thread through its async handle,
 * and that thread swaps it in between two queries.
 */
#include "dns/resolver/resolver.h"
#include "dns/resolver/server_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

enum { SNAPSHOT_MS = 500, MAX_THREADS = 64 };

typedef struct {
	wot_dns_pool *p;
	uv_thread_t tid;
	uv_loop_t loop;
	wot_dns_server *server;
	uv_async_t async;
	uv_timer_t snap;
	uv_sem_t started;
	int start_rc, running;
	/* under lock: */
	uv_mutex_t lock;
	wot_dns_table *pending;
	int stop;
	wot_dns_stats snapshot;
	wot_dns_upstream_stat ups[WOT_DNS_MAX_UPSTREAM];
} worker;

struct wot_dns_pool {
	uv_loop_t *loop;
	wot_dns_server *s0;
	wot_dns_server_opts opts; /* listen replaced by the bound addresses */
	char **bound;
	worker *w;
	unsigned n; /* threads besides the loop's own */
};

static void snapshot(worker *w)
{
	wot_dns_upstream_stat ups[WOT_DNS_MAX_UPSTREAM];
	wot_dns_stats st;

	memset(ups, 0, sizeof(ups));
	wot_dns_server_stats(w->server, &st);
	for (size_t i = 0; i < WOT_DNS_MAX_UPSTREAM; i++)
		if (wot_dns_server_upstream_stat(w->server, i, &ups[i]) < 0)
			break;
	uv_mutex_lock(&w->lock);
	w->snapshot = st;
	memcpy(w->ups, ups, sizeof(ups));
	uv_mutex_unlock(&w->lock);
}

static void on_snap(uv_timer_t *t)
{
	snapshot(t->data);
}

static void on_async(uv_async_t *a)
{
	worker *w = a->data;
	wot_dns_table *t;
	int stop;

	uv_mutex_lock(&w->lock);
	t = w->pending;
	w->pending = NULL;
	stop = w->stop;
	uv_mutex_unlock(&w->lock);
	if (t)
		wot_dns_server_set_table(w->server, t);
	if (!stop)
		return;
	snapshot(w);
	uv_close((uv_handle_t *)&w->snap, NULL);
	uv_close((uv_handle_t *)&w->async, NULL);
	wot_dns_server_close(w->server, NULL, NULL);
	w->server = NULL;
}

static void worker_main(void *arg)
{
	worker *w = arg;
	int rc;

	rc = wot_dns_server_new(&w->server, &w->loop, &w->p->opts);
	if (rc == 0)
		rc = wot_dns_server_start(w->server);
	if (rc == 0) {
		uv_async_init(&w->loop, &w->async, on_async);
		uv_timer_init(&w->loop, &w->snap);
		w->async.data = w->snap.data = w;
		uv_timer_start(&w->snap, on_snap, SNAPSHOT_MS, SNAPSHOT_MS);
	} else if (w->server) {
		wot_dns_server_close(w->server, NULL, NULL);
		w->server = NULL;
	}
	w->start_rc = rc;
	uv_sem_post(&w->started);
	if (rc == 0)
		on_async(&w->async); /* a table set before start */
	uv_run(&w->loop, UV_RUN_DEFAULT);
}

/* The loop guard of opts' upstreams into opts->loopguard (NULL when
 * there are none or one is given). */
static int shared_guard(wot_dns_server_opts *o)
{
	struct sockaddr_storage addrs[WOT_DNS_MAX_UPSTREAM];
	int rc;

	if (o->loopguard) {
		wot_dns_loopguard_ref(o->loopguard); /* the pool's own */
		return 0;
	}
	if (!o->nupstream)
		return 0;
	if (o->nupstream > WOT_DNS_MAX_UPSTREAM)
		return wot_error_set(WOT_ELIMIT, "at most %d upstream servers",
				     WOT_DNS_MAX_UPSTREAM);
	for (size_t i = 0; i < o->nupstream; i++)
		if ((rc = wot_dns_parse_addr(o->upstream[i], 53, &addrs[i])) <
		    0)
			return rc;
	return wot_dns_loopguard_new(&o->loopguard, addrs, o->nupstream);
}

int wot_dns_pool_new(wot_dns_pool **out, uv_loop_t *loop,
		     const wot_dns_server_opts *opts, unsigned threads)
{
	wot_dns_pool *p = NULL;
	wot_dns_server_opts o = *opts;
	int rc;

	*out = NULL;
	if (threads < 1 || threads > MAX_THREADS)
		return wot_error_set(WOT_EINVAL, "threads must be 1 to %d",
				     MAX_THREADS);
	/* A fake clock or network is one loop's, never the threads'. */
	if (threads > 1 && (opts->clock || opts->upstream_io))
		return wot_error_set(WOT_EINVAL, "an injected clock or "
						 "network serves one thread");
	p = calloc(1, sizeof(*p));
	if (!p)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	p->loop = loop;
	p->n = threads - 1;
	o.reuseport = threads > 1;
	/* One loop guard for every thread: a question one thread forwards
	 * may come back to any listener. */
	if ((rc = shared_guard(&o)) < 0) {
		free(p);
		return rc;
	}
	/* The cache bound is for the whole daemon. */
	o.cache_bytes = opts->cache_bytes / threads;
	if (opts->cache_bytes && !o.cache_bytes)
		o.cache_bytes = 1;
	p->opts = o;
	rc = wot_dns_server_new(&p->s0, loop, &o);
	if (rc == 0 && p->n && !(p->w = calloc(p->n, sizeof(*p->w))))
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	if (rc < 0) {
		wot_dns_loopguard_free(o.loopguard);
		if (p->s0)
			wot_dns_server_close(p->s0, NULL, NULL);
		free(p);
		return rc;
	}
	*out = p;
	return 0;
}

wot_dns_server *wot_dns_pool_server(wot_dns_pool *p)
{
	return p->s0;
}

/* Workers bind what server 0 bound (port 0 became a real port). */
static int bound_addrs(wot_dns_pool *p)
{
	char addr[80];

	p->bound = calloc(p->opts.nlisten + 1, sizeof(*p->bound));
	if (!p->bound)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->opts.nlisten; i++) {
		int rc = wot_dns_server_bound(p->s0, i, addr, sizeof(addr));
		if (rc < 0)
			return rc;
		if (!(p->bound[i] = strdup(addr)))
			return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	p->opts.listen = (const char *const *)p->bound;
	/* Their own bind check was done by server 0, with the same rule. */
	p->opts.allow_nonloopback = 1;
	return 0;
}

static int start_worker(wot_dns_pool *p, worker *w)
{
	int rc;

	w->p = p;
	if (uv_mutex_init(&w->lock) < 0 || uv_sem_init(&w->started, 0) < 0)
		return wot_error_set(WOT_ENOMEM, "thread primitives");
	if ((rc = uv_loop_init(&w->loop)) < 0)
		return wot_error_set(WOT_EIO, "loop: %s", uv_strerror(rc));
	if ((rc = uv_thread_create(&w->tid, worker_main, w)) < 0) {
		uv_loop_close(&w->loop);
		return wot_error_set(WOT_EIO, "thread: %s", uv_strerror(rc));
	}
	uv_sem_wait(&w->started);
	w->running = 1;
	if (w->start_rc < 0)
		return wot_error_set(w->start_rc, "listener thread: %s",
				     wot_error_last());
	return 0;
}

int wot_dns_pool_start(wot_dns_pool *p)
{
	int rc = wot_dns_server_start(p->s0);

	if (rc == 0 && p->n)
		rc = bound_addrs(p);
	for (unsigned i = 0; rc == 0 && i < p->n; i++)
		rc = start_worker(p, &p->w[i]);
	return rc;
}

int wot_dns_pool_bound(const wot_dns_pool *p, size_t i, char *buf, size_t len)
{
	return wot_dns_server_bound(p->s0, i, buf, len);
}

void wot_dns_pool_set_table(wot_dns_pool *p, wot_dns_table *t)
{
	for (unsigned i = 0; i < p->n; i++) {
		worker *w = &p->w[i];
		wot_dns_table *old;
		if (w->running && w->start_rc < 0)
			continue;
		/* A thread not started yet takes it when it starts. */
		wot_dns_table_ref(t);
		if (!w->running) {
			wot_dns_table_free(w->pending);
			w->pending = t;
			continue;
		}
		uv_mutex_lock(&w->lock);
		old = w->pending;
		w->pending = t;
		uv_mutex_unlock(&w->lock);
		wot_dns_table_free(old);
		uv_async_send(&w->async);
	}
	wot_dns_server_set_table(p->s0, t);
}

void wot_dns_pool_stats(const wot_dns_pool *p, wot_dns_stats *out)
{
	wot_dns_server_stats(p->s0, out);
	for (unsigned i = 0; i < p->n; i++) {
		worker *w = &p->w[i];
		wot_dns_stats st;
		if (!w->running)
			continue;
		uv_mutex_lock(&w->lock);
		st = w->snapshot;
		uv_mutex_unlock(&w->lock);
		wot_dns_stats_add(out, &st);
	}
}

int wot_dns_pool_upstream_stat(const wot_dns_pool *p, size_t i,
			       wot_dns_upstream_stat *out)
{
	int rc = wot_dns_server_upstream_stat(p->s0, i, out);

	for (unsigned k = 0; rc == 0 && k < p->n; k++) {
		worker *w = &p->w[k];
		wot_dns_upstream_stat u;
		if (!w->running)
			continue;
		uv_mutex_lock(&w->lock);
		u = w->ups[i];
		uv_mutex_unlock(&w->lock);
		out->sent += u.sent;
		out->answered += u.answered;
		out->timeouts += u.timeouts;
		/* Each thread measures on its own: show the fastest view. */
		if (u.srtt_ms && (!out->srtt_ms || u.srtt_ms < out->srtt_ms))
			out->srtt_ms = u.srtt_ms;
	}
	return rc;
}

unsigned wot_dns_pool_threads(const wot_dns_pool *p)
{
	return p->n + 1;
}

/* Stop every worker thread and wait for it: each closes its server and
 * its loop runs dry. */
static void stop_workers(wot_dns_pool *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		worker *w = &p->w[i];
		if (!w->running) {
			wot_dns_table_free(w->pending);
			continue;
		}
		if (w->start_rc == 0) {
			uv_mutex_lock(&w->lock);
			w->stop = 1;
			uv_mutex_unlock(&w->lock);
			uv_async_send(&w->async);
		}
		uv_thread_join(&w->tid);
		wot_dns_table_free(w->pending);
		uv_loop_close(&w->loop);
		uv_mutex_destroy(&w->lock);
		uv_sem_destroy(&w->started);
	}
}

void wot_dns_pool_close(wot_dns_pool *p, void (*cb)(void *data), void *data)
{
	if (!p)
		return;
	stop_workers(p);
	wot_dns_loopguard_free(p->opts.loopguard);
	wot_dns_strv_free(p->bound);
	free(p->w);
	wot_dns_server_close(p->s0, cb, data);
	free(p);
}
