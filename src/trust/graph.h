/*
 * graph.h - the pure trust core: an in-memory certification graph and
 * GnuPG's classic ("pgp") trust model computed over it. No I/O: the GPGME
 * adapter (graph_gpg.c) fills it from a keyring; tests and benchmarks build
 * it by hand.
 */
#ifndef WOT_TRUST_GRAPH_H
#define WOT_TRUST_GRAPH_H

#include "trust/trust.h"

#include <stddef.h>
#include <stdint.h>

typedef struct wot_graph wot_graph;

/* One key: inputs, then the results of wot_graph_compute(). */
typedef struct {
	char fpr[WOT_FPR_MAX];
	wot_ownertrust ownertrust;
	int revoked;
	int64_t expires; /* 0: never */
	uint32_t nuids;
	/* out */
	wot_validity validity;
	int level; /* 0 ultimate, 1.. certification depth, -1 unreachable */
} wot_graph_key;

typedef struct {
	unsigned completes_needed; /* default 1 */
	unsigned marginals_needed; /* default 3 */
	unsigned max_cert_depth;   /* default 5 */
	int64_t now; /* for expiry, Unix seconds: required (the core reads no
			clock) */
} wot_graph_params;
#define WOT_GRAPH_PARAMS_INIT                                                  \
	{                                                                      \
		.completes_needed = 1, .marginals_needed = 3,                  \
		.max_cert_depth = 5, .now = 0                                  \
	}

/* New empty graph; free with wot_graph_free(). */
int wot_graph_new(wot_graph **out);
void wot_graph_free(wot_graph *g);

/* Add a key; *index receives its index (stable). fpr must be unique. */
int wot_graph_add_key(wot_graph *g, const char *fpr, wot_ownertrust ot,
		      int revoked, int64_t expires, uint32_t nuids,
		      uint32_t *index);
/*
 * Certification of user id uid of target by signer. revoked: a later
 * revocation by the same signer cancels it; expires 0 = never.
 * Self-signatures and duplicates are ignored by the computation.
 */
int wot_graph_add_cert(wot_graph *g, uint32_t signer, uint32_t target,
		       uint32_t uid, int64_t expires, int revoked);
/* Change a key's ownertrust (e.g. `trust set`). */
int wot_graph_set_ownertrust(wot_graph *g, uint32_t index, wot_ownertrust ot);

/*
 * Validity and level of every key, exactly as GnuPG 2.2's validate_keys():
 * ultimately trusted keys start the walk; at each depth, only keys made
 * fully valid at the previous depth introduce, each once; a user id is
 * fully valid with completes_needed certifications by fully trusted
 * introducers (an ultimate one counts for all) or marginals_needed by
 * marginally trusted ones, marginal with fewer; a key keeps the validity
 * of the first depth that reached it; revoked or expired keys, and
 * expired or revoked certifications, carry nothing.
 */
int wot_graph_compute(wot_graph *g, const wot_graph_params *p);

size_t wot_graph_count(const wot_graph *g);
size_t wot_graph_cert_count(const wot_graph *g);
/* Borrowed; valid until the next add. */
const wot_graph_key *wot_graph_key_at(const wot_graph *g, uint32_t index);
/* Index of fpr, or WOT_ENOENT. */
int wot_graph_find(const wot_graph *g, const char *fpr, uint32_t *index);

/* Fill a graph from a keyring through GPGME (certifications checked by gpg:
 * --check-sigs). Caller frees *out. */
int wot_graph_load(wot_trust *t, wot_graph **out);

#endif
