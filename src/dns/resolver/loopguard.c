/*
 * loopguard.c - forwarding loops: a question we sent upstream that comes
 * back to our own listener.
 *
 * Every forwarded attempt goes out with its name in a random letter case
 * (DNS 0x20) and is registered here, case and all, while it waits; the
 * startup probe registers its unguessable name the same way. A question
 * arriving at any listener thread with exactly such a name and type is
 * ours: the upstream it went to sends our questions back to us. That
 * upstream is marked looped for every thread (one table shared by the
 * pool), and forwarders skip it from then on.
 *
 * Why a normal client never matches: the case pattern is drawn at random
 * per attempt and is never the client's own spelling, all lowercase or all
 * uppercase; names with fewer than WOT_DNS_LOOP_MIN_LETTERS letters are
 * not registered at all. Another client would have to send the same name
 * and type, spelled in the same random pattern, while ours waits.
 */
#include "dns/resolver/server_int.h"
#include "util/util.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { NBUCKETS = 1024 };

struct wot_dns_loopguard {
	atomic_int refs;
	uv_mutex_t lock;
	wot_dns_loopentry *buckets[NBUCKETS];
	size_t n;
	char addr[WOT_DNS_MAX_UPSTREAM][64];
	_Atomic int64_t looped_at[WOT_DNS_MAX_UPSTREAM]; /* 0: never */
};

static uint32_t hash_name(const uint8_t *name, size_t len, uint16_t qtype)
{
	uint32_t h = 2166136261u ^ qtype; /* FNV-1a: the names are ours */

	for (size_t i = 0; i < len; i++)
		h = (h ^ name[i]) * 16777619u;
	return h;
}

int wot_dns_loopguard_new(wot_dns_loopguard **out,
			  const struct sockaddr_storage *addrs, size_t n)
{
	wot_dns_loopguard *g;

	*out = NULL;
	if (n > WOT_DNS_MAX_UPSTREAM)
		return wot_error_set(WOT_ELIMIT, "at most %d upstream servers",
				     WOT_DNS_MAX_UPSTREAM);
	if (!(g = calloc(1, sizeof(*g))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if (uv_mutex_init(&g->lock) < 0) {
		free(g);
		return wot_error_set(WOT_ENOMEM, "mutex");
	}
	atomic_init(&g->refs, 1);
	g->n = n;
	for (size_t i = 0; i < n; i++) {
		wot_dns_format_addr(&addrs[i], g->addr[i], sizeof(g->addr[i]));
		atomic_init(&g->looped_at[i], 0);
	}
	*out = g;
	return 0;
}

void wot_dns_loopguard_ref(wot_dns_loopguard *g)
{
	if (g)
		atomic_fetch_add(&g->refs, 1);
}

void wot_dns_loopguard_free(wot_dns_loopguard *g)
{
	if (!g || atomic_fetch_sub(&g->refs, 1) > 1)
		return;
	uv_mutex_destroy(&g->lock);
	free(g);
}

void wot_dns_loopguard_add(wot_dns_loopguard *g, wot_dns_loopentry *e)
{
	size_t b;

	if (!g || e->added)
		return;
	e->hash = hash_name(e->name, e->len, e->qtype);
	b = e->hash % NBUCKETS;
	uv_mutex_lock(&g->lock);
	e->prev = NULL;
	e->next = g->buckets[b];
	if (e->next)
		e->next->prev = e;
	g->buckets[b] = e;
	e->added = 1;
	uv_mutex_unlock(&g->lock);
}

void wot_dns_loopguard_remove(wot_dns_loopguard *g, wot_dns_loopentry *e)
{
	if (!g || !e->added)
		return;
	uv_mutex_lock(&g->lock);
	if (e->prev)
		e->prev->next = e->next;
	else
		g->buckets[e->hash % NBUCKETS] = e->next;
	if (e->next)
		e->next->prev = e->prev;
	e->added = 0;
	uv_mutex_unlock(&g->lock);
}

int wot_dns_loopguard_check(wot_dns_loopguard *g, const uint8_t *name,
			    size_t len, uint16_t qtype, size_t *server)
{
	uint32_t h;
	int found = 0;

	if (!g)
		return 0;
	h = hash_name(name, len, qtype);
	uv_mutex_lock(&g->lock);
	for (const wot_dns_loopentry *e = g->buckets[h % NBUCKETS]; e;
	     e = e->next)
		if (e->hash == h && e->len == len && e->qtype == qtype &&
		    memcmp(e->name, name, len) == 0) {
			*server = e->server;
			found = 1;
			break;
		}
	uv_mutex_unlock(&g->lock);
	return found;
}

int wot_dns_loopguard_mark(wot_dns_loopguard *g, size_t server)
{
	int64_t none = 0;

	if (!g || server >= g->n)
		return 0;
	return atomic_compare_exchange_strong(&g->looped_at[server], &none,
					      (int64_t)time(NULL));
}

int64_t wot_dns_loopguard_looped(const wot_dns_loopguard *g, size_t server)
{
	if (!g || server >= g->n)
		return 0;
	return atomic_load(&((wot_dns_loopguard *)g)->looped_at[server]);
}

const char *wot_dns_loopguard_addr(const wot_dns_loopguard *g, size_t server)
{
	return g && server < g->n ? g->addr[server] : "?";
}

/* Letters of a wire name, and the random-case marker (see the top). */
static size_t letters(const uint8_t *name, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && name[i];) {
		size_t l = name[i++];
		for (size_t k = 0; k < l && i < len; k++, i++)
			n += (name[i] | 0x20) >= 'a' && (name[i] | 0x20) <= 'z';
	}
	return n;
}

/* One random case pattern over the letters of name; how many are upper. */
static size_t randomize(uint8_t *name, size_t len, uint32_t (*rnd)(void *),
			void *arg)
{
	size_t k = 0, upper = 0;
	uint32_t bits = 0;

	for (size_t i = 0; i < len && name[i];) {
		size_t l = name[i++];
		for (size_t j = 0; j < l && i < len; j++, i++) {
			uint8_t c = name[i] | 0x20;
			if (c < 'a' || c > 'z')
				continue;
			if (k++ % 32 == 0)
				bits = rnd(arg);
			name[i] = (bits & 1) ? (uint8_t)(c & ~0x20) : c;
			upper += bits & 1;
			bits >>= 1;
		}
	}
	return upper;
}

int wot_dns_loop_mark_name(uint8_t *name, size_t len, const uint8_t *orig,
			   uint32_t (*rnd)(void *), void *arg)
{
	size_t nl = letters(name, len);

	if (nl < WOT_DNS_LOOP_MIN_LETTERS)
		return 0;
	/* Never the client's spelling, all lower or all upper: those are
	 * what other clients send. */
	for (int tries = 0; tries < 8; tries++) {
		size_t upper = randomize(name, len, rnd, arg);
		if (upper > 0 && upper < nl && memcmp(name, orig, len) != 0)
			return 1;
	}
	memcpy(name, orig, len);
	return 0;
}
