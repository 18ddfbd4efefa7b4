/*
 * peer.h - the peer protocol room, as the daemon and the CLI use it
 * (docs/design.md, "peer"; docs/peer-protocol.md):
 *
 * - wot_prop: NOTIFY in (the peer listeners) and out (after a publish);
 * - wot_opinions: second opinions on every new or changed RRset, and the
 *   answers to other peers' opinion questions;
 * - wot_neighbor: the neighbor-majority rounds;
 * - the withdrawn set the neighbor rounds keep, which the daemon owns
 *   and its recompute leaves out of the table.
 *
 * The peer room never runs a sync, recomputes the accepted set or swaps
 * the served table: it asks the daemon, through the wot_peer_requests the
 * daemon hands to each object at its start. Its decisions (weights,
 * verdicts, majority) are the trust core's (trust/verdict.h,
 * trust/majority.h). Everything else in src/dns/peer is internal: the
 * opinion questions themselves (opinion.h: book, wire, asker), changing
 * the withdrawn set (withdraw.h), NOTIFY (notify.h).
 */
#ifndef WOT_DNS_PEER_H
#define WOT_DNS_PEER_H

#include "sync/sync.h"

#include <stdint.h>

/* ---- the opinion questions, as the CLI asks them ---------------------- */

/* What a peer said. */
typedef struct {
	int rcode;
	int truncated;
	int none; /* the peer accepts nothing there / holds no such head */
	char fpr[WOT_FPR_MAX];
	char commit[WOT_OID_MAX];
	char source[65];
	int64_t time; /* head answers */
	char *digest; /* record answers (caller frees); NULL if none */
} wot_opinion_reply;

#include "dns/resolver/resolver.h"
#include "sync/sync.h"

#include <jansson.h>
#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* ---- the withdrawn set (withdraw.c) ------------------------------------ */

/*
 * Records a daemon stops serving until they settle: an RRset a
 * near-unanimous majority of neighbors contradicts (neighbor.c), or one a
 * failed second opinion marked. Each daemon owns one set (thread-safe),
 * hands it to the neighbor rounds and the second opinions, which change
 * it (withdraw.h), and to its accepted-set loader, which skips the RRsets
 * in it (wot_dns_withdraw_skip_rr as the table loader's filter), so
 * whichever path reloads the table keeps them out.
 */
typedef struct wot_dns_withdraw_set wot_dns_withdraw_set;

enum { WOT_WITHDRAW_CHANGES = 64 }; /* changes remembered by name */

/* An empty set into *out (the caller frees it): 0 or WOT_ENOMEM. */
int wot_dns_withdraw_new(wot_dns_withdraw_set **out);
/* Free w (NULL is fine). */
void wot_dns_withdraw_free(wot_dns_withdraw_set *w);
/* 1 if the owner of rr and its type are withdrawn in set (a
 * wot_dns_withdraw_set *): the table loader's filter (wot_dns_rr_skip_fn). */
int wot_dns_withdraw_skip_rr(void *set, const ldns_rr *rr);
/* Raised by every change of the set: a table loaded at another epoch may
 * hold RRsets now withdrawn, or lack ones served again. */
uint64_t wot_dns_withdraw_epoch(wot_dns_withdraw_set *w);
/*
 * The names withdrawn or served again after epoch since, into out (cap
 * entries); *now gets the epoch they lead to. Returns how many, or -1 when
 * they are not all remembered (more than WOT_WITHDRAW_CHANGES or cap, or a
 * clear): then every loaded record may be affected.
 */
int wot_dns_withdraw_changes(wot_dns_withdraw_set *w, uint64_t since,
			     char (*out)[256], size_t cap, uint64_t *now);

/* ---- what the peer room asks of the daemon --------------------------- */

/* Why a request is made: it decides the daemon's limits (see sync). */
typedef enum {
	WOT_PEER_WHY_NOTIFY = 0, /* a NOTIFY named the source's owner */
	WOT_PEER_WHY_PUBLISH,	 /* our own repository changed */
	WOT_PEER_WHY_NEIGHBORS,	 /* a neighbor majority holds another view */
	WOT_PEER_WHY_OPINION	 /* a second opinion showed a newer head */
} wot_peer_why;

typedef struct {
	/*
	 * Loop thread. Sync the n sources named (borrowed), then recompute
	 * the accepted set and serve it. NOTIFY and PUBLISH requests fetch
	 * a source at most once per [peer] notify-gap; a request for a
	 * source already waiting or being fetched only marks it to be
	 * fetched again after (coalesced), so the last change is never
	 * lost.
	 */
	void (*sync)(void *data, const char *const *names, size_t n,
		     wot_peer_why why);
	/*
	 * Loop thread. Recompute and serve: the withdrawn set changed
	 * (NEIGHBORS), or sync_now synced a source (OPINION: the table is
	 * served as it is, then the second opinions look at it again).
	 */
	void (*recompute)(void *data, wot_peer_why why);
	/*
	 * Pool thread, blocking: sync source now with the caller's trust
	 * handle, for work that must place a claim right after (a peer
	 * ahead of us). The caller asks recompute afterwards. 0 or a
	 * negative WOT_E* code (last error set).
	 */
	int (*sync_now)(void *data, wot_trust *t, const char *source);
	/*
	 * Loop thread. Serve t (ownership passes) now. gen: its generation
	 * (the daemon's accepted-set load), checked against the one
	 * serving; 0 for a table already accepted (held back by the
	 * policy, or derived from a served one).
	 */
	void (*serve)(void *data, wot_dns_table *t, uint64_t gen);
	void *data; /* for every callback */
} wot_peer_requests;

/* ---- NOTIFY in and out (propagate.c) --------------------------------- */

typedef struct wot_prop wot_prop;

typedef struct {
	const char *const *listen; /* peer listener addresses; may be none */
	size_t nlisten;
	int allow_nonloopback;
	wot_peer_requests req;	/* syncs of NOTIFYed sources, and of self */
	const wot_clock *clock; /* rate buckets, refresh gap; NULL: loop's */
} wot_prop_opts;

/* Counters for the status document (the daemon adds its fetches). */
typedef struct {
	uint64_t received;  /* packets on the peer port */
	uint64_t notifies;  /* well-formed NOTIFYs answered */
	uint64_t refused;   /* other messages answered REFUSED/NOTIMP */
	uint64_t dropped;   /* malformed or over a sender's rate */
	uint64_t opinions;  /* opinion questions answered */
	uint64_t accepted;  /* NOTIFYs for a followed source */
	uint64_t ignored;   /* NOTIFYs for a key we do not follow */
	uint64_t publishes; /* publishes announced by the CLI */
	uint64_t sent, answered, unanswered; /* our NOTIFYs */
} wot_prop_stats;

/*
 * Start on loop for home h (borrowed; must outlive the object): the peer
 * listeners and the notify socket. On error nothing needs closing, but
 * the loop must run once more. Returns 0 (close *out with
 * wot_prop_close); WOT_EINVAL for a bad or (without allow_nonloopback)
 * non-loopback address; WOT_ENET when a listener cannot be bound;
 * WOT_EIO or WOT_ENOMEM.
 */
int wot_prop_start(wot_prop **out, uv_loop_t *loop, wot_home *h,
		   const wot_prop_opts *o);
/* The own repository changed (a publish, or the daemon's renewal):
 * NOTIFY the followers and ask the daemon to re-sync self. Loop only. */
void wot_prop_announce(wot_prop *p);
/* Address bound by peer listener i, for the log, into buf (len bytes).
 * WOT_ENOENT when there is no listener i; WOT_ELIMIT when buf is too
 * small. */
int wot_prop_bound(const wot_prop *p, size_t i, char *buf, size_t len);
/* Answer opinion questions on the peer listeners with fn (see
 * wot_dns_peer_listener_on_query). */
void wot_prop_on_query(wot_prop *p,
		       size_t (*fn)(void *data, const uint8_t *pkt, size_t len,
				    uint8_t *out, size_t cap),
		       void *data);
void wot_prop_stats_get(const wot_prop *p, wot_prop_stats *out);
/* Stop listening, wait for work in flight, free; then cb(data). */
void wot_prop_close(wot_prop *p, void (*cb)(void *data), void *data);

/* ---- second opinions (opinion_*.c) ----------------------------------- */

typedef struct wot_opinions wot_opinions;

/* Rewrites an answer to an opinion question (pkt, len bytes of cap) in
 * place before it is sent; returns its new length (0: no reply). */
typedef size_t (*wot_peer_answer_fn)(void *data, uint8_t *pkt, size_t len,
				     size_t cap);

typedef struct {
	wot_prop *prop;	       /* its peer listeners answer; may be NULL */
	wot_peer_requests req; /* serve (policy hold), recompute, sync_now */
	/* The daemon's (borrowed): the neighbor majority's withdrawn
	 * RRsets, which every table built from the book leaves out (may be
	 * NULL). */
	wot_dns_withdraw_set *withdrawn;
	/* NULL, except in a program built on the library that answers
	 * differently (the lying peer of the tests, tests/tools/wot_liar). */
	wot_peer_answer_fn rewrite;
	void *rewrite_data;
	const wot_clock *clock; /* retry schedule; NULL: the loop's */
} wot_opinions_opts;

/*
 * Start on loop for home h (borrowed, must outlive the object) with the
 * options o (copied): answer questions on o->prop's listeners and check
 * what changes. Returns 0 (close *out with wot_opinions_close); WOT_EIO
 * when the asker's sockets cannot be opened; WOT_ENOMEM.
 */
int wot_opinions_start(wot_opinions **out, uv_loop_t *loop, wot_home *h,
		       const wot_opinions_opts *o);
/*
 * A new accepted set was computed: serve t (ownership passes) at once or,
 * with policy hold, when its new RRsets are checked; then ask peers about
 * what changed. NULL t: only look at the accepted set again.
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

/* ---- neighbor majority (neighbor*.c) --------------------------------- */

/*
 * Every interval (jittered by +-20%) a round samples accepted RRsets,
 * asks up to N known peers what they accept for each and lets
 * wot_majority_decide judge: when a near-unanimous majority holds another
 * view the RRset is withdrawn (withdraw.h) and its source re-synced (asked
 * of the daemon) until the view settles; a neighbor against a majority
 * that agrees with us loses opinion weight.
 */
typedef struct wot_neighbor wot_neighbor;

typedef struct {
	unsigned interval_s; /* mean time between rounds; 0: never */
	unsigned neighbors;  /* N: peers asked per sampled RRset */
	unsigned majority;   /* M: of N (scaled, wot_majority_needed) */
	unsigned sample;     /* RRsets sampled per round */
	unsigned timeout_ms; /* per question; 0: 2000 */
	/* Weight events for peers (WOT_WEIGHT_*), once per round. */
	void (*peer_events)(void *data, const char *const *endpoints,
			    const int *events, size_t n);
	void *data; /* for peer_events */
	/* Ask from its peer listener's address (may be NULL). */
	const wot_prop *prop;
	wot_peer_requests req; /* re-syncs and recomputes */
	/* The daemon's (borrowed): the RRsets withdrawn until they settle,
	 * which the rounds change. */
	wot_dns_withdraw_set *withdrawn;
	const wot_clock *clock; /* tried commits' times; NULL: the loop's */
} wot_neighbor_opts;

/*
 * Start the checks on loop for home h (borrowed; must outlive the
 * object). The first round runs after one jittered interval. On error
 * nothing needs closing. Returns 0 (close *out with wot_neighbor_close);
 * WOT_EIO when the asker's sockets cannot be opened; WOT_ENOMEM.
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

/* ---- asking and reading back from the command line ------------------ */

/* Release what r holds (not r itself). */
void wot_opinion_reply_dispose(wot_opinion_reply *r);

/*
 * The second opinions the daemon saved (state/opinions.json, its last
 * checks) about name (any case, absolute or not) and type (0: every type),
 * as a JSON array of checks, oldest first (caller frees *json): {name,
 * type, source, commit, time, answers: [{peer, verdict, commit,
 * peer_source, weight, note}], heads: [{peer, commit, peer_source}]}.
 * *count gets their number. No file yet is no check: "[]". Returns 0 or
 * WOT_ENOMEM.
 */
int wot_opinions_saved(wot_home *h, const char *name, uint16_t type,
		       char **json, size_t *count);

/* One question asked now (wot_opinion_ask_now). */
typedef struct {
	const char *endpoint; /* "ADDR:PORT" of the peer */
	const char *name;     /* the record question about name/type... */
	uint16_t type;
	const char *fpr;     /* ...or, when set, the head question */
	unsigned timeout_ms; /* per attempt (UDP, then TCP after TC) */
} wot_opinion_ask_opts;
#define WOT_OPINION_ASK_OPTS_INIT                                              \
	{                                                                      \
		.endpoint = NULL, .name = NULL, .type = 1 /* A */,             \
		.fpr = NULL, .timeout_ms = 2000                                \
	}

/*
 * Ask one peer one question now and wait for the answer, on a loop of
 * its own (blocking; never from the daemon's loop). *out gets the parsed
 * answer (dispose it) when 0 is returned. WOT_EINVAL for a bad name,
 * fingerprint or endpoint; WOT_ENET when no answer came in time; WOT_EDNS
 * when the answer is no well-formed answer to the question.
 */
int wot_opinion_ask_now(const wot_opinion_ask_opts *opts,
			wot_opinion_reply *out);

#endif
