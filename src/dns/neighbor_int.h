/*
 * neighbor_int.h - pool-side helpers of the neighbor-majority check:
 * known peers and their opinion weights (state/peers.json).
 */
#ifndef WOT_DNS_NEIGHBOR_INT_H
#define WOT_DNS_NEIGHBOR_INT_H

#include "dns/neighbor.h"
#include "trust/majority.h"

/* A known peer: the owner of a followed source that announces an
 * endpoint in the peer.conf of its verified head. */
typedef struct {
	char fpr[WOT_FPR_MAX];
	char endpoint[80];
	double weight; /* opinion weight, 1.0 unless lowered */
} wot_nb_peer;

/*
 * Known peers of home h, without our own key, one per fingerprint, with
 * their weights from state/peers.json. Caller frees *out.
 */
int wot_nb_peers_load(wot_home *h, wot_nb_peer **out, size_t *n);

/* One weight event (WOT_WEIGHT_*) for a peer. */
typedef struct {
	char fpr[WOT_FPR_MAX];
	int event;
} wot_nb_event;

/*
 * Apply events to state/peers.json (read, update with wot_weight_update,
 * write atomically). The document is {"version": 1, "peers": {FPR:
 * {"weight": w, "outliers": n, "agreed": n, ...}}}; keys this code does
 * not know are kept. Blocking: pool threads only.
 */
int wot_nb_weights_apply(wot_home *h, const wot_nb_event *ev, size_t n);

#endif
