/*
 * server_int.h - the server object shared by server.c (the listener's
 * handler, lifecycle) and forward.c and chase.c (queries waiting for an
 * upstream). Sockets, framing and deadlines are the listener's (net.h).
 */
#ifndef WOT_DNS_SERVER_INT_H
#define WOT_DNS_SERVER_INT_H

#include "dns/net/net.h"
#include "dns/resolver/resolver_int.h"
#include "util/util.h"

#include <sys/socket.h>

enum {
	WOT_DNS_MAX_CONNS = 128,      /* concurrent TCP clients */
	WOT_DNS_MAX_PENDING = 4096,   /* queries waiting for upstreams */
	WOT_DNS_CONN_PENDING = 32,    /* of which per TCP connection */
	WOT_DNS_IDLE_MS = 10000,      /* TCP idle timeout between messages */
	WOT_DNS_MSG_MS = 3000,	      /* TCP: first byte to last of a message */
	WOT_DNS_WQUEUE_MAX = 1 << 20, /* unread TCP output before we hang up */
	WOT_DNS_BACKLOG = 128	      /* listen(2) backlog */
};

typedef struct wot_dns_client wot_dns_client;
typedef struct wot_dns_loopentry wot_dns_loopentry;

/* A question of ours waiting upstream (loopguard.c): name points into the
 * sender's own copy of the query, valid while the entry is added. */
struct wot_dns_loopentry {
	wot_dns_loopentry *prev, *next;
	const uint8_t *name; /* wire, case as sent */
	size_t len;
	uint16_t qtype;
	size_t server; /* index of the upstream it went to */
	uint32_t hash;
	int added;
};

/*
 * Where an answer goes: the request the listener is handing us now (the
 * answer goes back as the handler's reply, into out) or one a client
 * kept (sent at once through the listener).
 */
typedef struct {
	wot_net_req *req;
	uint8_t *out; /* the request of now: its reply; NULL when kept */
	size_t cap;
	size_t *rlen;
	int kept; /* the request of now was kept by a client */
} wot_dns_dest;

/* A query waiting for an upstream answer, and where to send it. */
struct wot_dns_client {
	wot_dns_server *s;
	wot_dns_client *prev, *next;
	wot_net_req req;   /* where the answer goes (unused: prefetch) */
	wot_dns_dest dest; /* to req */
	wot_dns_fwd *fwd;
	uint64_t t0;  /* wot_dns_server_ns() when the query arrived */
	int prefetch; /* no client: refreshing the cache */
	/* the upstream replies gathered for this answer (malloc'd), and the
	 * question asked for a CNAME target (NULL: the client's own) */
	uint8_t *ups[WOT_DNS_CHASE_MAX];
	size_t uplen[WOT_DNS_CHASE_MAX], nups;
	uint8_t *cq;
	size_t cqlen;
	size_t qlen;
	uint8_t query[];
};

struct wot_dns_server {
	uv_loop_t *loop;
	wot_net_listener *net;		       /* NULL until started */
	struct sockaddr_storage *want, *bound; /* nls each */
	size_t nls, nbound;
	wot_dns_upstream *up;
	wot_dns_loopguard *guard; /* shared by a pool's servers */
	int forward_overlay_tlds; /* [serve] forward-overlay-tlds */
	wot_dns_tld_check tld_is_public;
	int no_upstream; /* overlay only: REFUSED outside it */
	struct wot_dns_cache *cache;
	wot_dns_table *table;
	wot_dns_stats stats;
	wot_dns_client *clients;
	size_t nclients;
	uint32_t max_ttl; /* cap of every upstream TTL */
	wot_clock clock;  /* .now_ms NULL: the loop's time */
	int started, reuseport;
	wot_closer closer; /* live: the listener, the upstream forwarder */
	uint8_t wbuf[WOT_DNS_TCP_MAX];
};

/* loopguard.c */
/* Names with fewer letters carry no marker and are not registered. */
enum { WOT_DNS_LOOP_MIN_LETTERS = 6 };
/* A guard for the upstreams addrs[0..n-1] (their order is the index). */
int wot_dns_loopguard_new(wot_dns_loopguard **out,
			  const struct sockaddr_storage *addrs, size_t n);
void wot_dns_loopguard_ref(wot_dns_loopguard *g);
void wot_dns_loopguard_free(wot_dns_loopguard *g);
/* Register / unregister a question of ours (e stays the caller's). */
void wot_dns_loopguard_add(wot_dns_loopguard *g, wot_dns_loopentry *e);
void wot_dns_loopguard_remove(wot_dns_loopguard *g, wot_dns_loopentry *e);
/* 1 when name (exact case) and qtype are a question of ours still
 * waiting; *server gets the upstream it was sent to. */
int wot_dns_loopguard_check(wot_dns_loopguard *g, const uint8_t *name,
			    size_t len, uint16_t qtype, size_t *server);
/* Mark upstream server looped; 1 the first time. */
int wot_dns_loopguard_mark(wot_dns_loopguard *g, size_t server);
/* When server was found looping (unix seconds), 0 if never. */
int64_t wot_dns_loopguard_looped(const wot_dns_loopguard *g, size_t server);
/* The upstream's address as text (borrowed). */
const char *wot_dns_loopguard_addr(const wot_dns_loopguard *g, size_t server);
/* Give the letters of wire name a random case pattern that is neither
 * orig's nor all lower nor all upper case; 0 (name left as orig) when the
 * name has too few letters for that. */
int wot_dns_loop_mark_name(uint8_t *name, size_t len, const uint8_t *orig,
			   uint32_t (*rnd)(void *), void *arg);

/* server.c */
/* The listener's handler: answer or forward one query (net.h). */
int wot_dns_server_handle(void *ctx, wot_net_req *req, const uint8_t *pkt,
			  size_t len, uint8_t *out, size_t cap, size_t *rlen);
/* Send a response to where d says. */
void wot_dns_server_send(wot_dns_server *s, const wot_dns_dest *d,
			 const uint8_t *buf, size_t len);
/* 1 if d's client asked over TCP. */
static inline int wot_dns_dest_tcp(const wot_dns_dest *d)
{
	return d->req && wot_net_req_tcp(d->req);
}
/* One thing counted in live is gone; finishes a pending close. */
void wot_dns_server_unref(wot_dns_server *s);
/* The server's time in milliseconds (the cache's clock): the injected
 * clock's, else the loop's. A direct call on the real clock, so the hot
 * path pays nothing for the injection. */
static inline uint64_t wot_dns_server_now(const wot_dns_server *s)
{
	return s->clock.now_ms ? s->clock.now_ms(s->clock.ctx)
			       : uv_now(s->loop);
}
/* Nanoseconds for the latency counters: the injected clock's (in whole
 * milliseconds), else uv_hrtime(). */
static inline uint64_t wot_dns_server_ns(const wot_dns_server *s)
{
	return s->clock.now_ms ? s->clock.now_ms(s->clock.ctx) * 1000000u
			       : uv_hrtime();
}
/* An answer was sent for a query that arrived at t0 (wot_dns_server_ns). */
void wot_dns_server_latency(wot_dns_server *s, uint64_t t0);

/* local.c */
/* Answer here a query the overlay does not cover when it must not go
 * upstream (a loop, an overlay-only TLD, no upstream on purpose); 1 if
 * answered, 0: forward it. */
int wot_dns_answer_local(wot_dns_server *s, const wot_dns_dest *d,
			 const uint8_t *pkt, size_t len);

/* forward.c */
/* Hand a query the table does not cover to the upstreams. */
void wot_dns_forward(wot_dns_server *s, wot_dns_dest *d, const uint8_t *pkt,
		     size_t len, uint64_t t0);
/* A waiting query (pkt copied), linked into the server, that keeps d's
 * request (d NULL: a prefetch, no client); NULL when the limits are
 * reached or there is no upstream. */
wot_dns_client *wot_dns_client_new(wot_dns_server *s, wot_dns_dest *d,
				   const uint8_t *pkt, size_t len);
void wot_dns_client_free(wot_dns_client *c);
/* The listener's cancel callback: a kept request's connection closed. */
void wot_dns_client_cancel(void *ctx, wot_net_req *req);
/* Keep a copy of an upstream reply among c's; -1 when full or out of
 * memory. */
int wot_dns_client_keep(wot_dns_client *c, const uint8_t *resp, size_t len);

/* Send an answer of len bytes in buf, or its header and question with TC
 * when it is too big for the UDP client of q. */
void wot_dns_send_sized(wot_dns_server *s, const wot_dns_dest *d,
			const wot_dns_query *q, const uint8_t *buf, size_t len);
/* An upstream reply (NULL: every upstream failed) for the question c
 * asked; the wot_dns_fwd_cb of every client. */
void wot_dns_client_reply(void *data, const uint8_t *resp, size_t len);

/* chase.c */
/* The overlay's answer (partial/plen, built by wot_dns_answer) leaves the
 * overlay: answer with the chain completed from the upstreams (splice.c);
 * partial alone when no upstream can be asked. */
void wot_dns_chase(wot_dns_server *s, wot_dns_dest *d, const uint8_t *pkt,
		   size_t len, const uint8_t *partial, size_t plen,
		   uint64_t t0);
/* Answer c from what it gathered (send it, or ask for the next CNAME
 * target). Returns 1 when c waits for an upstream, 0 when c is done and
 * the caller frees it. */
int wot_dns_chase_step(wot_dns_server *s, wot_dns_client *c,
		       const wot_dns_query *q);

/* Cancel every waiting query (the server closes). */
void wot_dns_forward_cancel(wot_dns_server *s);

#endif
