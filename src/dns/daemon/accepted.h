/*
 * accepted.h - loading the accepted set as a table to serve (accepted.c):
 * the daemon's recompute, run on the thread pool by its scheduler.
 */
#ifndef WOT_DNS_ACCEPTED_H
#define WOT_DNS_ACCEPTED_H

#include "dns/resolver/resolver.h"
#include "sync/sync.h"

#include <stdint.h>

/* Load the accepted set (an empty one when there is none) and its
 * generation: a later generation never holds older records. Caller frees
 * *out with wot_dns_table_free(). The last set loaded is kept and its
 * parts reused: only shards whose files changed (or all, after the
 * withdrawn set changed) are read again. Thread-safe; loads queue. */
int wot_dns_accepted_load(wot_home *h, wot_dns_table **out, uint64_t *gen);
/* The errors of the last load (shards skipped, or why nothing loaded),
 * for the daemon's status: *out NULL-terminated, NULL when none; free
 * with wot_strv_free. */
int wot_dns_accepted_errors(char ***out);
/* Drop the kept set, so the next load reads every shard (tests). */
void wot_dns_accepted_forget(void);
/* The generation of the accepted set as it is now (0: none). */
uint64_t wot_dns_accepted_gen(wot_home *h);

#endif
