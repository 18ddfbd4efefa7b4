/*
 * opinion_daemon.h - second opinions inside `wotdns serve`: answering
 * other peers' opinion questions from what this node accepts, and asking
 * k known peers about every new or changed accepted RRset
 * (docs/design.md, "Second opinions"; docs/peer-protocol.md).
 */
#ifndef WOT_DNS_OPINION_DAEMON_H
#define WOT_DNS_OPINION_DAEMON_H

#include "dns/resolver/resolver.h"
#include "dns/peer/propagate.h"
#include "sync/sync.h"

#include <jansson.h>
#include <uv.h>

typedef struct wot_opinions wot_opinions;

/* Serve table t now (ownership passes to the callee). gen: its
 * generation (wot_dns_accepted_load), to be checked against the one
 * serving; 0 for a table already accepted (offered, or derived from one). */
typedef void (*wot_opinions_serve_fn)(void *data, wot_dns_table *t,
				      uint64_t gen);

/* Rewrites an answer to an opinion question (pkt, len bytes of cap) in
 * place before it is sent; returns its new length (0: no reply). */
typedef size_t (*wot_peer_answer_fn)(void *data, uint8_t *pkt, size_t len,
				     size_t cap);

typedef struct {
	/* The peer listeners that answer questions (may be NULL). */
	wot_prop *prop;
	/* Installs a table (policy hold delays new tables through it). */
	wot_opinions_serve_fn serve;
	void *data; /* for serve */
	/* The daemon's (borrowed): the loader of the accepted set, and the
	 * neighbor majority's withdrawn RRsets, which every table built from
	 * the book leaves out (may be NULL). */
	wot_dns_accepted *accepted;
	wot_dns_withdraw_set *withdrawn;
	/* NULL, except in a program built on the library that answers
	 * differently (the lying peer of the tests, tests/tools/wot_liar). */
	wot_peer_answer_fn rewrite;
	void *rewrite_data;
} wot_opinions_opts;

/*
 * Start on loop for home h (borrowed, must outlive the object) with the
 * options oo (copied).
 */
int wot_opinions_start(wot_opinions **out, uv_loop_t *loop, wot_home *h,
		       const wot_opinions_opts *oo);
/*
 * A new accepted set was computed: serve t (ownership passes) at once or,
 * with policy hold, when its new RRsets are checked; then ask peers about
 * what changed.
 */
void wot_opinions_offer(wot_opinions *o, wot_dns_table *t);
/* A short status object (caller owns the reference). */
json_t *wot_opinions_status(const wot_opinions *o);
/*
 * Neighbor-majority verdicts (loop only): for each i, the peer at
 * endpoints[i] gets events[i], WOT_WEIGHT_OUTLIER or WOT_WEIGHT_AGREED
 * (trust/majority.h); weights follow wot_weight_update and are saved to
 * state/peers.json with the second opinions' own, once per call.
 * Unknown endpoints are ignored.
 */
void wot_opinions_peer_events(wot_opinions *o, const char *const *endpoints,
			      const int *events, size_t n);
/* Stop asking, wait for work in flight, free; then cb(data). */
void wot_opinions_close(wot_opinions *o, void (*cb)(void *data), void *data);

#endif
