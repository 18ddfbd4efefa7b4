/*
 * cache.h - the upstream answer cache (internal to the DNS module).
 *
 * Holds upstream responses keyed by question (lowercase name, type, class)
 * and the DO and CD bits of the query. Positive answers live for the
 * smallest TTL of their records, negative ones (NXDOMAIN, NODATA) for the
 * SOA's TTL capped by its MINIMUM (RFC 2308). TTLs are capped at
 * WOT_DNS_CACHE_MAX_TTL. Expired entries are kept for WOT_DNS_CACHE_STALE_S
 * more seconds and handed out only when asked for stale data (RFC 8767,
 * TTL WOT_DNS_CACHE_STALE_TTL). Memory is bounded: the least recently used
 * entries are evicted when the total would pass max_bytes.
 *
 * One cache belongs to one loop thread: no locking.
 */
#ifndef WOT_DNS_CACHE_H
#define WOT_DNS_CACHE_H

#include "dns/resolver/resolver_int.h"

#include <stddef.h>
#include <stdint.h>

enum {
	WOT_DNS_CACHE_MAX_TTL = 86400,	/* never keep longer than a day */
	WOT_DNS_CACHE_STALE_S = 86400,	/* serve-stale window after expiry */
	WOT_DNS_CACHE_STALE_TTL = 30,	/* TTL of stale answers, RFC 8767 */
	WOT_DNS_CACHE_PREFETCH_HITS = 2 /* hits before prefetch is worth it */
};

enum { WOT_DNS_CACHE_MISS = 0, WOT_DNS_CACHE_HIT = 1, WOT_DNS_CACHE_STALE = 2 };

typedef struct wot_dns_cache wot_dns_cache;

typedef struct {
	size_t entries, bytes, max_bytes;
	uint64_t hits, misses, stale, inserts, evictions;
	uint64_t expired; /* dropped past the stale window */
	uint64_t claimed; /* dropped: the overlay now claims one of its names */
} wot_dns_cache_stats;

/* New cache bounded by max_bytes (entries plus index). Caller frees with
 * wot_dns_cache_free(). */
int wot_dns_cache_new(wot_dns_cache **out, size_t max_bytes);
void wot_dns_cache_free(wot_dns_cache *c);

/*
 * Store the upstream response resp/len to the query q (parsed with
 * wot_dns_query_parse) at time now_ms (monotonic milliseconds). Only
 * NOERROR and NXDOMAIN responses without TC are stored; anything else is
 * ignored and returns 0. The response's OPT record is not stored. Replaces
 * an entry for the same key.
 */
int wot_dns_cache_put(wot_dns_cache *c, const wot_dns_query *q,
		      const uint8_t *resp, size_t len, uint64_t now_ms);

/*
 * Answer query q from the cache into buf (at most limit bytes: the UDP
 * limit, or 65535 over TCP): the client's ID and question as asked, TTLs
 * lowered by the entry's age, an OPT of our own when q had one, and TC
 * with empty sections when the records do not fit. allow_stale: expired
 * entries within the stale window are answered too (TTL
 * WOT_DNS_CACHE_STALE_TTL). Returns WOT_DNS_CACHE_MISS, _HIT or _STALE;
 * *len is set on a hit. *prefetch (may be NULL) is set to 1, once per
 * entry, on a hit of a popular entry (WOT_DNS_CACHE_PREFETCH_HITS) in the
 * last tenth of its lifetime: the caller should refresh it from upstream.
 */
int wot_dns_cache_get(wot_dns_cache *c, const wot_dns_query *q, uint64_t now_ms,
		      int allow_stale, uint8_t *buf, size_t limit, size_t *len,
		      int *prefetch);

/* Drop every entry. NULL is fine. */
void wot_dns_cache_clear(wot_dns_cache *c);

/*
 * The overlay is now t (borrowed: the caller keeps it alive until the
 * next call or wot_dns_cache_free; NULL: none). Every entry put from now
 * on must have been built against t (splice.c). An older entry holding a
 * name at or under an apex of t (its question, an owner, a CNAME target)
 * is dropped at its next lookup, stale or not, never served; the others
 * stay. Cost: nothing here, one check per entry at its first lookup
 * after the change. NULL c is fine.
 */
void wot_dns_cache_set_overlay(wot_dns_cache *c, const wot_dns_table *t);

void wot_dns_cache_get_stats(const wot_dns_cache *c, wot_dns_cache_stats *out);

#endif
