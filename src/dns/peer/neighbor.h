/*
 * neighbor.h - the neighbor-majority check of `wotdns serve` (see
 * docs/design.md, "Neighbor majority"). Every interval (jittered by
 * +-20%) it samples accepted RRsets, asks up to N known peers what they
 * accept for each (the opinion question of docs/peer-protocol.md) and
 * lets wot_majority_decide judge: when a near-unanimous majority holds
 * another view we withdraw the RRset (withdraw.h) and re-sync its source
 * until the view settles; a neighbor against a majority that agrees with
 * us loses opinion weight (kept with the second opinions' weights in
 * state/peers.json).
 */
#ifndef WOT_DNS_NEIGHBOR_H
#define WOT_DNS_NEIGHBOR_H

#include "dns/peer/propagate.h"
#include "dns/resolver/resolver.h"
#include "sync/sync.h"

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

typedef struct wot_neighbor wot_neighbor;

/* A fresh record set to serve (ownership passes to the callee), of
 * generation gen (wot_dns_accepted_load). */
typedef void (*wot_neighbor_table_fn)(void *data, wot_dns_table *t,
				      uint64_t gen);

typedef struct {
	unsigned interval_s; /* mean time between rounds; 0: never */
	unsigned neighbors;  /* N: peers asked per sampled RRset */
	unsigned majority;   /* M: of N (scaled, wot_majority_needed) */
	unsigned sample;     /* RRsets sampled per round */
	unsigned timeout_ms; /* per question */
	wot_neighbor_table_fn table_fn;
	/* Weight events for peers (WOT_WEIGHT_*), once per round. */
	void (*peer_events)(void *data, const char *const *endpoints,
			    const int *events, size_t n);
	void *data; /* for both callbacks */
	/* Ask from its peer listener's address (may be NULL). */
	const struct wot_prop *prop;
	/* The daemon's (borrowed): the loader of the accepted set, and the
	 * RRsets withdrawn until they settle, which the rounds change. */
	wot_dns_accepted *accepted;
	wot_dns_withdraw_set *withdrawn;
} wot_neighbor_opts;

/*
 * Start the checks on loop for home h (borrowed; must outlive the
 * object). The first round runs after one jittered interval. On error
 * nothing needs closing.
 */
int wot_neighbor_start(wot_neighbor **out, uv_loop_t *loop, wot_home *h,
		       const wot_neighbor_opts *o);
/*
 * The status section (caller owns the reference): counters, the last
 * checks, outlier reports and withdrawn RRsets. Empty counters for NULL.
 */
json_t *wot_neighbor_status(const wot_neighbor *n);
/* Stop, wait for work in flight, free; then cb(data) (may be NULL). */
void wot_neighbor_close(wot_neighbor *n, void (*cb)(void *data), void *data);

#endif
