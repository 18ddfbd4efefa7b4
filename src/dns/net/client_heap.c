/*
 * client_heap.c - the engine's deadlines: a binary min-heap of requests,
 * each knowing its index, so one timer serves every request and a
 * deadline moves in O(log n). The array only grows (no allocation per
 * request once it is as large as the busiest moment).
 */
#include "dns/net/client_int.h"

#include <stdlib.h>

static void put(wot_net_client *c, size_t i, wot_net_query *r)
{
	c->heap[i] = r;
	r->heap_i = i;
}

static void sift_up(wot_net_client *c, size_t i)
{
	wot_net_query *r = c->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (c->heap[p]->deadline <= r->deadline)
			break;
		put(c, i, c->heap[p]);
		i = p;
	}
	put(c, i, r);
}

static void sift_down(wot_net_client *c, size_t i)
{
	wot_net_query *r = c->heap[i];

	for (;;) {
		size_t l = 2 * i + 1, m = i;
		const wot_net_query *best = r;
		if (l < c->hn && c->heap[l]->deadline < best->deadline)
			best = c->heap[m = l];
		if (l + 1 < c->hn && c->heap[l + 1]->deadline < best->deadline)
			m = l + 1;
		if (m == i)
			break;
		put(c, i, c->heap[m]);
		i = m;
	}
	put(c, i, r);
}

int wot_net_heap_reserve(wot_net_client *c)
{
	size_t cap = c->hcap ? 2 * c->hcap : 64;
	wot_net_query **h;

	if (c->hn < c->hcap)
		return 0;
	if (!(h = realloc(c->heap, cap * sizeof(*h))))
		return WOT_ENOMEM;
	c->heap = h;
	c->hcap = cap;
	return 0;
}

void wot_net_heap_update(wot_net_client *c, wot_net_query *r)
{
	size_t i = r->heap_i;

	if (i == SIZE_MAX) { /* reserved by wot_net_request */
		i = c->hn++;
		put(c, i, r);
	}
	sift_up(c, i);
	sift_down(c, r->heap_i);
}

void wot_net_heap_remove(wot_net_client *c, wot_net_query *r)
{
	size_t i = r->heap_i;
	wot_net_query *last;

	if (i == SIZE_MAX || i >= c->hn || c->heap[i] != r)
		return;
	r->heap_i = SIZE_MAX;
	last = c->heap[--c->hn];
	if (last == r)
		return;
	put(c, i, last);
	sift_up(c, i);
	sift_down(c, last->heap_i);
}
