/*
 * accepted.h - loading the accepted set as a table to serve (accepted.c):
 * the daemon's recompute, run on the thread pool by its scheduler.
 */
#ifndef WOT_DNS_ACCEPTED_H
#define WOT_DNS_ACCEPTED_H

#include "dns/peer/peer.h"
#include "dns/resolver/resolver.h"
#include "sync/sync.h"

#include <stdint.h>

/* A daemon's loader of its home's accepted set: it keeps the last set
 * loaded so the next load reads only what changed. */
/* The accepted set's shards as the resolver's composite table splits
 * names (WOT_SHARDS + 1 parts by wot_shard_of_wire, top last). */
extern const wot_dns_partition wot_dns_shard_partition;

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

#endif
