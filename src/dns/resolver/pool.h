/*
 * pool.h - the resolver on one or more listener threads (SO_REUSEPORT).
 */
#ifndef WOT_DNS_POOL_H
#define WOT_DNS_POOL_H

#include "dns/resolver/resolver.h"

typedef struct wot_dns_pool wot_dns_pool;

/*
 * threads servers with options opts (copied): the first on loop, the
 * others on threads of their own. The cache bound is shared out among
 * them. Caller releases with wot_dns_pool_close().
 */
int wot_dns_pool_new(wot_dns_pool **out, uv_loop_t *loop,
		     const wot_dns_server_opts *opts, unsigned threads);
/* Bind and start answering on every thread. */
int wot_dns_pool_start(wot_dns_pool *p);
int wot_dns_pool_bound(const wot_dns_pool *p, size_t i, char *buf, size_t len);
/* Swap in a new table on every thread (takes ownership). */
void wot_dns_pool_set_table(wot_dns_pool *p, wot_dns_table *t);
/* Counters summed over the threads (the other threads' are at most
 * half a second old). */
void wot_dns_pool_stats(const wot_dns_pool *p, wot_dns_stats *out);
unsigned wot_dns_pool_threads(const wot_dns_pool *p);
/* Upstream i's counters summed over the threads; WOT_ENOENT past the end. */
int wot_dns_pool_upstream_stat(const wot_dns_pool *p, size_t i,
			       wot_dns_upstream_stat *out);
/* The server on the caller's loop (borrowed), e.g. for upstream stats. */
wot_dns_server *wot_dns_pool_server(wot_dns_pool *p);
/* Stop the other threads (waits for them), close the loop's server, free;
 * cb(data) runs when the loop's server is closed. */
void wot_dns_pool_close(wot_dns_pool *p, void (*cb)(void *data), void *data);

#endif
