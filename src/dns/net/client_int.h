/*
 * client_int.h - inside the outgoing DNS engine (client_*.c): the
 * engine's state, its deadline heap and the libuv network.
 */
#ifndef WOT_DNS_NET_CLIENT_INT_H
#define WOT_DNS_NET_CLIENT_INT_H

#include "dns/net/net.h"

struct wot_net_client {
	wot_clock clock;
	wot_net_io io;
	wot_net_query *head;  /* outstanding requests */
	wot_net_query **heap; /* by deadline, earliest first */
	size_t hn, hcap;
	uint64_t armed; /* the deadline the network was last told */
	wot_net_client_stats st;
	wot_closer closer;
	uint8_t rnd[64];
	size_t rnd_left;
};

/* Room for one more request in the heap: 0 or WOT_ENOMEM. */
int wot_net_heap_reserve(wot_net_client *c);
/* r's deadline changed (or r is new): put it in its place. */
void wot_net_heap_update(wot_net_client *c, wot_net_query *r);
/* Take r out (nothing if it is not in). */
void wot_net_heap_remove(wot_net_client *c, wot_net_query *r);

/* The libuv network and clock on loop (client_uv.c). */
int wot_net_uv_new(wot_net_client *c, uv_loop_t *loop);

#endif
