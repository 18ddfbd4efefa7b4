/*
 * opinion_int.h - internals of second opinions shared by their files
 * (opinions_int.h lists them), opinion_peers.c and the neighbor rounds:
 * the known peers and their opinion weights, checks, verification.
 */
#ifndef WOT_DNS_OPINION_INT_H
#define WOT_DNS_OPINION_INT_H

#include "dns/peer/opinion.h"
#include "dns/peer/peer.h"

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
/* ---- checks (opinion_check.c) and their verification (opinion_verify.c) */

enum {
	WOT_OPINION_SLOTS = 16, /* peers asked per check, retries too */
	WOT_OPINION_HEADS = 3	/* peers asked the head question per check */
};

/* A head question's answer: which head another peer holds for the
 * source of a claim we could not place. */
typedef struct {
	int peer; /* index in the peer list */
	int none; /* it holds no head for that source */
	char commit[WOT_OID_MAX];
} wot_opinion_head_ans;

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
	int nones;    /* peers asked instead of ones that answered "none" */
	int attempts; /* verifications that left a claim unplaced */
	int settled;  /* counted in the daemon's settled checks */
	uint64_t due; /* loop time of the next attempt */
	int64_t time;
	uint64_t serial; /* matches head answers to the check */
	/* Other peers' heads of the source, asked when a claim could not be
	 * placed: on the last attempt a claim never obtained that is one of
	 * them is "ahead" (we are behind), not a lie (opinion_verify.c). */
	wot_opinion_head_ans heads[WOT_OPINION_HEADS];
	size_t nheads;
} wot_opinion_check;

/* What the pool side needs (the loop does not touch it meanwhile). */
typedef struct {
	wot_home *h;
	wot_trust **trust; /* opened on first need, kept by the caller */
	const wot_peer_requests *req; /* sync_now: a peer is ahead */
	const wot_opinion_peer *peers;
	int synced; /* out: the source was synced (ask for a recompute) */
	int final;  /* last attempt: a claim the peer's own URLs do not
		       provide is a lie */
	size_t npeers;
} wot_opinion_verify_ctx;

/*
 * Judge every answer of c still without a verdict (blocking: git, gpg).
 * A claimed commit that cannot be obtained yet gets "unplaced" (no weight
 * change; the caller tries again later) unless v->final and the peer's
 * own URLs were fetched without it: then it is a lie. A claim nobody could
 * fetch stays "unplaced" for good: no proof either way.
 */
void wot_opinion_verify(wot_opinion_verify_ctx *v, wot_opinion_check *c);

/*
 * The verdict on a claimed commit we could not place in our history even
 * after syncing the source: place (WOT_PLACE_*) and kind
 * (wot_sync_fetch_claim) after fetching the URLs peers announce.
 * "unplaced" when nobody provided the commit and final is 0 (not the last
 * attempt, or the peer's own URLs could not be fetched); "lie" when it was
 * obtained and is no commit of the owner's on our history, or when final.
 * Static text.
 */
const char *wot_opinion_claim_verdict(int place, const char *kind, int final);

struct wot_prop;
/*
 * Questions of a leave from the addresses the peer listener of prop is
 * bound to (specific ones only; NULL prop or no listener: the default).
 */
void wot_opinion_asker_from_prop(wot_opinion_asker *a,
				 const struct wot_prop *prop);

/* What trying to obtain a claimed commit came to (opinion_claim.c). */
typedef struct {
	int place;	       /* WOT_PLACE_* after the fetches */
	const char *kind;      /* "equivocation", "rewrite" or "" (static) */
	size_t peer_urls;      /* URLs the peer announces for the source */
	size_t peer_fetched;   /* of them, answered the fetch */
	size_t others_fetched; /* other peers' URLs that answered */
} wot_claim_fetch;

/* A claim to check: what peers[who] says it holds. */
typedef struct {
	const wot_opinion_peer *peers; /* the known peers (borrowed) */
	size_t npeers;
	size_t who;	    /* index of the peer that claims */
	const char *source; /* our name for the source */
	const char *fpr;    /* its owner */
	const char *commit; /* what the peer claims it holds */
} wot_opinion_claim;
/*
 * Fetch the commit c->peers[c->who] claims for our source (owner c->fpr)
 * from the URLs that peer's signed peer.conf announces for fpr, and when none
 * of them answered, from the URLs the other known peers announce for it
 * (blocking: git, gpg; takes the home lock). A commit that forks from our
 * verified head is kept as evidence (wot_sync_fetch_claim). Only
 * peer_fetched > 0 with place still WOT_PLACE_UNKNOWN says the peer's
 * claim is not where it says.
 */
void wot_opinion_fetch_claim(wot_home *h, wot_trust *t,
			     const wot_opinion_claim *c, wot_claim_fetch *out);

/* state/peers.json as text (caller frees). */
char *wot_opinion_peers_json(const wot_opinion_peer *p, size_t n);

#endif
