/*
 * scheduler.h - the daemon's one scheduler (internal to src/dns/daemon):
 * the only code that runs syncs, recomputes the accepted set and swaps
 * the served table.
 *
 * Requests come from the daemon's timer ("sync everything"), from SIGHUP
 * ("load what is on disk") and from the peer room through the
 * wot_peer_requests it hands out ("sync source X because a NOTIFY named
 * it", "recompute because the withdrawn set changed", "serve this held
 * table"). Git and gpg work runs on the libuv thread pool: one timed full
 * sync at a time, and one batch of source syncs at a time (they share the
 * home lock anyway), each batch ending in one recompute. Every table goes
 * through one path: generation check, the second opinions' policy, then
 * the swap into the listeners and the routes file.
 */
#ifndef WOT_DNS_SCHEDULER_H
#define WOT_DNS_SCHEDULER_H

#include "dns/daemon/accepted.h"
#include "dns/daemon/routes.h"
#include "dns/peer/peer.h"
#include "dns/resolver/resolver.h"
#include "util/util.h"

#include <stdint.h>
#include <uv.h>

typedef struct wot_sched wot_sched;

typedef struct {
	unsigned gap_ms;     /* NOTIFY, publish: one fetch per source per gap */
	unsigned interval_s; /* full sync every interval; 0: never */
	/* The daemon's loader of the accepted set (borrowed, must outlive
	 * the scheduler): every recompute goes through it. */
	wot_dns_accepted *accepted;
	/* A timed sync renewed the own head: it travels like a publish. */
	void (*renewed)(void *data);
	void *data;
	/* What the gaps are measured on (copied); NULL: the loop's clock.
	 * The timers still run on the loop. */
	const wot_clock *clock;
} wot_sched_opts;
#define WOT_SCHED_OPTS_INIT                                                    \
	{                                                                      \
		.gap_ms = 0, .interval_s = 0, .accepted = NULL,                \
		.renewed = NULL, .data = NULL, .clock = NULL                   \
	}

typedef struct {
	uint64_t fetches;   /* NOTIFY- and publish-driven source fetches */
	uint64_t failed;    /* of those sources, the ones that failed */
	uint64_t coalesced; /* NOTIFYs folded into a waiting or running fetch */
	uint64_t resyncs;   /* source fetches other peer work asked for */
} wot_sched_stats;

/*
 * A scheduler on loop for home h (both borrowed, must outlive it). The
 * GPGME handle of the source batches is opened here, on the loop thread
 * before any pool work (GPGME's first initialisation must not run on two
 * threads at once); without gpg a batch opens it later. 0 or WOT_ENOMEM.
 */
int wot_sched_new(wot_sched **out, uv_loop_t *loop, wot_home *h,
		  const wot_sched_opts *o);
/* Where tables go (each may be NULL, and set again later): the
 * listeners, the routes writer (a table served before it exists is
 * offered to it now), the second opinions (their policy comes first). */
void wot_sched_attach(wot_sched *s, wot_dns_pool *pool,
		      wot_dns_routes_job *routes, wot_opinions *opinions);
/* The requests of the peer room, bound to s. */
wot_peer_requests wot_sched_requests(wot_sched *s);
/* Start the timed full syncs: one now, then every interval. */
void wot_sched_start(wot_sched *s);
/* Load the accepted set as it is on disk (blocking, loop thread): the
 * table (caller owns it) and its generation. */
int wot_sched_load(wot_sched *s, wot_dns_table **out, uint64_t *gen);
/*
 * Swap t (taken) in at once unless a newer generation serves (gen 0: a
 * table already accepted). The one place that sets the listeners' table.
 */
void wot_sched_serve(wot_sched *s, wot_dns_table *t, uint64_t gen);
/* SIGHUP: load what is on disk and serve it whatever the generation
 * serving (through the policy). 0 or a negative WOT_E* code. */
int wot_sched_reload(wot_sched *s);
/* Records in the table serving. */
size_t wot_sched_records(const wot_sched *s);
void wot_sched_stats_get(const wot_sched *s, wot_sched_stats *out);
/* Take no more requests and serve no more tables (shutdown begins):
 * requests still made are dropped. Accepts NULL. */
void wot_sched_stop(wot_sched *s);
/* Stop, let work in flight end, free; then cb(data). Only after every
 * peer object holding its requests is gone (sync_now runs on their pool
 * threads). */
void wot_sched_close(wot_sched *s, void (*cb)(void *data), void *data);

#endif
