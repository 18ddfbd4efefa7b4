/*
 * opinion_int.h - internals of second opinions shared by opinion_daemon.c
 * and opinion_peers.c: the known peers and their opinion weights.
 */
#ifndef WOT_DNS_OPINION_INT_H
#define WOT_DNS_OPINION_INT_H

#include "dns/opinion.h"

#include <jansson.h>

/* A known peer: an endpoint announced in a followed source's peer.conf. */
typedef struct {
	char endpoint[64];
	char fpr[WOT_FPR_MAX]; /* owner of the source announcing it */
	char source[65];       /* our name for that source */
	char group[65];	       /* discovered through this source, else "" */
	double weight;	       /* 1 new; halved by each lie */
	uint64_t asked, answered, agreed, lagging, lies, timeouts;
	int64_t last_lie;
} wot_opinion_peer;

enum { WOT_OPINION_PEERS_MAX = 4096 };

/*
 * Known peers of home h (blocking): the endpoints that followed sources
 * announce (own endpoints excluded), with the weights and counters kept in
 * state/peers.json. Caller frees *out with free().
 */
int wot_opinion_peers_load(wot_home *h, wot_opinion_peer **out, size_t *n);
/*
 * The next peer to ask: one not in chosen (nchosen indexes into v), at
 * random with probability growing with its weight, the owner of the
 * RRset's source (key owner) a quarter as likely. When every peer chosen
 * so far came through one source (same group) and this is the last of the
 * want peers, one from another group is taken if any is left. -1 when
 * every peer has been chosen.
 */
int wot_opinion_peer_pick(const wot_opinion_peer *v, size_t n,
			  const int *chosen, size_t nchosen, size_t want,
			  const char *owner);
/* ---- checks (opinion_daemon.c) and their verification (opinion_verify.c) */

enum { WOT_OPINION_SLOTS = 16 }; /* peers asked per check, retries too */

/* One asked peer and what came of it. */
typedef struct {
	int peer; /* index in the peer list */
	uint16_t id;
	int done, timed_out;
	wot_opinion_reply r;
	const char *verdict; /* static text; NULL until judged */
	char note[160];
} wot_opinion_slot;

/* One new or changed RRset being checked. */
typedef struct wot_opinion_check {
	struct wot_opinions *o;
	struct wot_opinion_check *next;
	char *name;
	uint16_t type;
	char source[65], fpr[WOT_FPR_MAX], commit[WOT_OID_MAX];
	char *digest;
	wot_opinion_slot slots[WOT_OPINION_SLOTS];
	size_t nslots;
	int pending, want, rechecked;
	int attempts; /* verifications that left a claim unplaced */
	int settled;  /* counted in the daemon's settled checks */
	uint64_t due; /* loop time of the next attempt */
	int64_t time;
} wot_opinion_check;

/* What the pool side needs (the loop does not touch it meanwhile). */
typedef struct {
	wot_home *h;
	wot_trust **trust; /* opened on first need, kept by the caller */
	const wot_opinion_peer *peers;
	int synced; /* out: the source was synced */
	int final;  /* last attempt: a claim nobody can provide is a lie */
} wot_opinion_verify_ctx;

/*
 * Judge every answer of c still without a verdict (blocking: git, gpg).
 * A claimed commit that cannot be obtained yet gets "unplaced" (no weight
 * change; the caller tries again later) unless v->final: then it is a lie.
 */
void wot_opinion_verify(wot_opinion_verify_ctx *v, wot_opinion_check *c);

/*
 * The verdict on a claimed commit we could not place in our history even
 * after syncing the source: place (WOT_PLACE_*) and kind
 * (wot_sync_fetch_claim) after fetching the peer's URLs. "unplaced" when
 * nobody provided the commit and this is not the final attempt; "lie"
 * when it was obtained and is no commit of the owner's on our history, or
 * on the final attempt. Static text.
 */
const char *wot_opinion_claim_verdict(int place, const char *kind, int final);

struct wot_prop;
/*
 * Questions of a leave from the addresses the peer listener of prop is
 * bound to (specific ones only; NULL prop or no listener: the default).
 */
void wot_opinion_asker_from_prop(wot_opinion_asker *a,
				 const struct wot_prop *prop);

/* state/peers.json as text (caller frees). */
char *wot_opinion_peers_json(const wot_opinion_peer *p, size_t n);

#endif
