/*
 * server_int.h - the server object shared by server.c (listeners, UDP,
 * lifecycle), tcp.c (DNS over TCP connections) and forward.c (queries
 * waiting for an upstream).
 */
#ifndef WOT_DNS_SERVER_INT_H
#define WOT_DNS_SERVER_INT_H

#include "dns/resolver/conntab.h"
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
	WOT_DNS_RECV_BATCH = 16,      /* datagrams per recvmmsg call */
	WOT_DNS_RCVBUF = 4 << 20      /* UDP socket receive buffer */
};

typedef struct wot_dns_conn wot_dns_conn;
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

/* Replies to one recvmmsg batch, sent with one sendmmsg (udpbatch.c). */
typedef struct {
	size_t n;
	int active; /* inside a batch: replies wait here */
	struct mmsghdr msg[WOT_DNS_RECV_BATCH];
	struct iovec iov[WOT_DNS_RECV_BATCH];
	struct sockaddr_storage addr[WOT_DNS_RECV_BATCH];
	uint8_t data[WOT_DNS_RECV_BATCH][WOT_DNS_EDNS_SIZE];
} wot_dns_sendbatch;

typedef struct {
	wot_dns_server *s;
	struct sockaddr_storage want, bound;
	uv_udp_t udp;
	uv_tcp_t tcp;
	int udp_open, tcp_open;
	wot_dns_sendbatch *batch;
} wot_dns_listener;

struct wot_dns_conn {
	wot_dns_server *s;
	wot_conn_slot slot; /* in s->tcp; its timer is our second handle */
	uv_tcp_t tcp;
	wot_buf in;
	size_t pending; /* forwarded queries not yet answered */
	size_t writes;	/* uv_write requests in flight */
	int handles;	/* open libuv handles, freed at 0 */
	int closing, eof;
};

/* A query waiting for an upstream answer, and where to send it. */
struct wot_dns_client {
	wot_dns_server *s;
	wot_dns_client *prev, *next;
	wot_dns_listener *l;
	wot_dns_conn *conn; /* NULL for UDP */
	struct sockaddr_storage addr;
	wot_dns_fwd *fwd;
	uint64_t t0;  /* uv_hrtime() when the query arrived */
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
	wot_dns_listener *ls;
	size_t nls;
	wot_dns_upstream *up;
	wot_dns_loopguard *guard; /* shared by a pool's servers */
	int forward_overlay_tlds; /* [serve] forward-overlay-tlds */
	wot_dns_tld_public_fn tld_is_public;
	int no_upstream;	  /* overlay only: REFUSED outside it */
	struct wot_dns_cache *cache;
	wot_dns_table *table;
	wot_dns_stats stats;
	wot_conntab tcp; /* the TCP connections (tcp.c) */
	wot_dns_client *clients;
	size_t nclients;
	size_t live;	  /* open listener handles, conns, upstream */
	uint32_t max_ttl; /* cap of every upstream TTL */
	int started, closing, reuseport;
	void (*close_cb)(void *data);
	void *close_data;
	/* receive buffer: reads are synchronous; room for a recvmmsg batch */
	uint8_t rbuf[WOT_DNS_RECV_BATCH * 65536];
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

/* addr.c */
int wot_dns_format_addr(const struct sockaddr_storage *sa, char *buf,
			size_t len);
int wot_dns_addr_is_loopback(const struct sockaddr_storage *sa);
int wot_dns_addr_equal(const struct sockaddr_storage *a,
		       const struct sockaddr_storage *b);

/* server.c */
/* Answer or forward one query from a UDP client (conn NULL) or a TCP one. */
void wot_dns_server_query(wot_dns_server *s, wot_dns_listener *l,
			  wot_dns_conn *conn,
			  const struct sockaddr_storage *addr,
			  const uint8_t *pkt, size_t len);
/* Send a response to a client (UDP: l+addr; TCP: conn). */
void wot_dns_server_send(wot_dns_server *s, wot_dns_listener *l,
			 wot_dns_conn *conn,
			 const struct sockaddr_storage *addr,
			 const uint8_t *buf, size_t len);
/* One thing counted in live is gone; finishes a pending close. */
void wot_dns_server_unref(wot_dns_server *s);
/* An answer was sent for a query that arrived at t0 (uv_hrtime). */
void wot_dns_server_latency(wot_dns_server *s, uint64_t t0);

/* udpbatch.c */
/* Keep a UDP reply for the batch's sendmmsg; 0 if kept, -1 if the caller
 * must send it itself (no batch running, full, or too big). */
int wot_dns_batch_add(wot_dns_listener *l, const struct sockaddr_storage *addr,
		      const uint8_t *buf, size_t len);
/* Send what the batch holds; the rest (socket full) through libuv. */
void wot_dns_batch_flush(wot_dns_listener *l);
/* Send one reply through libuv: now, or queued when the socket is full. */
void wot_dns_udp_send(wot_dns_listener *l, const struct sockaddr_storage *addr,
		      const uint8_t *buf, size_t len);

/* tcp.c */
/* Set up s->tcp (before the first connection). */
void wot_dns_tcp_init(wot_dns_server *s);
void wot_dns_tcp_on_connection(uv_stream_t *server, int status);
void wot_dns_conn_write(wot_dns_conn *c, const uint8_t *buf, size_t len);
void wot_dns_conn_close(wot_dns_conn *c);
/* A forwarded query of c finished: maybe close a half-closed conn. */
void wot_dns_conn_settle(wot_dns_conn *c);

/* local.c */
/* Answer here a query the overlay does not cover when it must not go
 * upstream (a loop, an overlay-only TLD, no upstream on purpose); 1 if
 * answered, 0: forward it. */
int wot_dns_answer_local(wot_dns_server *s, wot_dns_listener *l,
			 wot_dns_conn *conn,
			 const struct sockaddr_storage *addr,
			 const uint8_t *pkt, size_t len);

/* forward.c */
/* Hand a query the table does not cover to the upstreams. */
void wot_dns_forward(wot_dns_server *s, wot_dns_listener *l, wot_dns_conn *conn,
		     const struct sockaddr_storage *addr, const uint8_t *pkt,
		     size_t len, uint64_t t0);
/* A waiting query (pkt copied), linked into the server; NULL when the
 * limits are reached or there is no upstream. */
wot_dns_client *wot_dns_client_new(wot_dns_server *s, wot_dns_listener *l,
				   wot_dns_conn *conn,
				   const struct sockaddr_storage *addr,
				   const uint8_t *pkt, size_t len);
void wot_dns_client_free(wot_dns_client *c);
/* Keep a copy of an upstream reply among c's; -1 when full or out of
 * memory. */
int wot_dns_client_keep(wot_dns_client *c, const uint8_t *resp, size_t len);

/* Send an answer of len bytes in buf, or its header and question with TC
 * when it is too big for the UDP client of q. */
void wot_dns_send_sized(wot_dns_server *s, wot_dns_listener *l,
			wot_dns_conn *conn, const struct sockaddr_storage *addr,
			const wot_dns_query *q, const uint8_t *buf, size_t len);
/* An upstream reply (NULL: every upstream failed) for the question c
 * asked; the wot_dns_fwd_cb of every client. */
void wot_dns_client_reply(void *data, const uint8_t *resp, size_t len);

/* chase.c */
/* The overlay's answer (partial/plen, built by wot_dns_answer) leaves the
 * overlay: answer with the chain completed from the upstreams (splice.c);
 * partial alone when no upstream can be asked. */
void wot_dns_chase(wot_dns_server *s, wot_dns_listener *l, wot_dns_conn *conn,
		   const struct sockaddr_storage *addr, const uint8_t *pkt,
		   size_t len, const uint8_t *partial, size_t plen,
		   uint64_t t0);
/* Answer c from what it gathered (send it, or ask for the next CNAME
 * target). Returns 1 when c waits for an upstream, 0 when c is done and
 * the caller frees it. */
int wot_dns_chase_step(wot_dns_server *s, wot_dns_client *c,
		       const wot_dns_query *q);

/* Cancel waiting queries: of conn only, or all when conn is NULL. */
void wot_dns_forward_cancel(wot_dns_server *s, wot_dns_conn *conn);

/* bind.c: TCP on want, then UDP on the very port TCP got (port 0 picks a
 * free one, retried when that port is taken for UDP). bound receives the
 * address; on error neither socket is left open. */
enum { WOT_DNS_BIND_REUSEPORT = 1, WOT_DNS_BIND_BIGRCVBUF = 2 };
int wot_dns_bind_pair(const struct sockaddr_storage *want, unsigned flags,
		      struct sockaddr_storage *bound, int *tfd, int *ufd);

#endif
