/*
 * propagate.h - the daemon's side of propagation: the peer listener that
 * turns NOTIFYs for followed sources into rate-limited one-source syncs
 * on the thread pool, and the sender that tells followers about the
 * user's own publishes (triggered through HOME/state/notify.sock).
 */
#ifndef WOT_DNS_PROPAGATE_H
#define WOT_DNS_PROPAGATE_H

#include "dns/peer/withdraw.h"
#include "dns/resolver/resolver.h"
#include "sync/sync.h"

#include <stdint.h>
#include <uv.h>

typedef struct wot_prop wot_prop;

/* A fresh record set to serve, of generation gen (see
 * wot_dns_accepted_load); ownership passes to the callee. */
typedef void (*wot_prop_table_fn)(void *data, wot_dns_table *t, uint64_t gen);

/* A daemon's loader of its home's accepted set: it keeps the last set
 * loaded so the next load reads only what changed. */
typedef struct wot_dns_accepted wot_dns_accepted;

/* A loader for home h into *out (the caller frees it after every user is
 * gone); h and w (the withdrawn set its loads leave out; may be NULL) are
 * borrowed and must outlive it. 0 or WOT_ENOMEM. */
int wot_dns_accepted_new(wot_dns_accepted **out, wot_home *h,
			 wot_dns_withdraw_set *w);
/* Free a (NULL is fine). */
void wot_dns_accepted_free(wot_dns_accepted *a);
/* Load the accepted set (an empty one when there is none) and its
 * generation: a later generation never holds older records. Caller frees
 * *out with wot_dns_table_free(). The last set loaded is kept and its
 * parts reused: only shards whose files changed (or all, after the
 * withdrawn set changed) are read again. Thread-safe; loads queue. */
int wot_dns_accepted_load(wot_dns_accepted *a, wot_dns_table **out,
			  uint64_t *gen);
/* The errors of a's last load (shards skipped, or why nothing loaded),
 * for the daemon's status: *out NULL-terminated, NULL when none (or a
 * NULL); free with wot_strv_free. */
int wot_dns_accepted_errors(wot_dns_accepted *a, char ***out);
/* Drop the kept set, so the next load reads every shard (tests). */
void wot_dns_accepted_forget(wot_dns_accepted *a);
/* The generation of the accepted set as it is now (0: none). */
uint64_t wot_dns_accepted_gen(wot_home *h);

typedef struct {
	const char *const *listen; /* peer listener addresses; may be none */
	size_t nlisten;
	int allow_nonloopback;
	unsigned gap_ms; /* one NOTIFY-driven fetch per source per gap */
	wot_prop_table_fn table_fn;
	void *data;
	wot_dns_accepted *accepted; /* the daemon's loader (borrowed) */
} wot_prop_opts;

/* Counters for the status document. */
typedef struct {
	uint64_t received;  /* packets on the peer port */
	uint64_t notifies;  /* well-formed NOTIFYs answered */
	uint64_t refused;   /* other messages answered REFUSED/NOTIMP */
	uint64_t dropped;   /* malformed or over a sender's rate */
	uint64_t opinions;  /* opinion questions answered */
	uint64_t accepted;  /* NOTIFYs for a followed source */
	uint64_t ignored;   /* NOTIFYs for a key we do not follow */
	uint64_t coalesced; /* NOTIFYs folded into a pending fetch */
	uint64_t syncs;	    /* NOTIFY-driven source fetches */
	uint64_t sync_failures;
	uint64_t publishes; /* publishes announced by the CLI */
	uint64_t sent, answered, unanswered; /* our NOTIFYs */
} wot_prop_stats;

/*
 * Start on loop for home h (borrowed; must outlive the object): the peer
 * listeners and the notify socket. On error nothing needs closing, but
 * the loop must run once more.
 */
int wot_prop_start(wot_prop **out, uv_loop_t *loop, wot_home *h,
		   const wot_prop_opts *o);
/* The own repository changed (a publish, or the daemon's renewal):
 * NOTIFY the followers and re-sync self. Loop thread only. */
void wot_prop_announce(wot_prop *p);
/* Address bound by peer listener i, for the log. */
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

#endif
