/*
 * peer_int.h - the peer listener's object: the handler (peer_listen.c:
 * classification, rate limit, cookies, answer sizes) of a listener of its
 * own (net.h: sockets, TCP framing and deadlines).
 */
#ifndef WOT_DNS_PEER_INT_H
#define WOT_DNS_PEER_INT_H

#include "dns/net/net.h"
#include "dns/peer/cookie.h"
#include "dns/peer/notify.h"
#include "dns/resolver/resolver.h"

enum {
	WOT_PEER_RL_SLOTS = 256,   /* senders remembered (hashed by address) */
	WOT_PEER_RBUF = 4096,	   /* anything larger is no NOTIFY of ours */
	WOT_PEER_MAX_CONNS = 16,   /* TCP clients at once */
	WOT_PEER_IDLE_MS = 5000,   /* TCP idle timeout between messages */
	WOT_PEER_MSG_MS = 3000,	   /* TCP: first byte to last of a message */
	WOT_PEER_WBUF = 1232,	   /* largest answer over UDP (EDNS) */
	WOT_PEER_TCP_WBUF = 16384, /* over TCP: an opinion on a big RRset */
	/* A UDP answer to an asker that has not proven its address (by a
	 * valid server cookie) is at most this many times its question. */
	WOT_PEER_AMPLIFY = 3
};

typedef struct {
	uint8_t key[17]; /* family byte + address */
	uint64_t last_ms;
	double tokens;
} wot_peer_rl_slot;

struct wot_dns_peer_listener {
	uv_loop_t *loop;
	/* The rate buckets' time (zeroed: the monotonic clock, for a test
	 * that calls wot_peer_handle on a listener of its own). */
	wot_clock clock;
	wot_net_listener *net; /* NULL: none (a test calls wot_peer_handle) */
	struct sockaddr_storage *want, *bound; /* n each */
	size_t n;
	wot_dns_notify_fn fn;
	void *data;
	wot_dns_peer_stats st;
	wot_closer closer;
	wot_peer_rl_slot rl[WOT_PEER_RL_SLOTS];
	wot_dns_peer_query_fn qfn; /* opinion questions; NULL: REFUSED */
	void *qdata;
	uint8_t cookie_secret[WOT_COOKIE_SECRET]; /* this listener's own */
};

/* One message from a peer (UDP datagram, or TCP frame when tcp): classify,
 * count, rate-limit, run the callback. *reply gets the answer's length in
 * out (0: none), with a fresh server cookie when msg had a COOKIE; over
 * UDP at most WOT_PEER_AMPLIFY times len unless msg's server cookie is
 * valid. Returns the verdict. */
int wot_peer_handle(wot_dns_peer_listener *l, const struct sockaddr *from,
		    const uint8_t *msg, size_t len, uint8_t *out, size_t cap,
		    int tcp, size_t *reply);

#endif
