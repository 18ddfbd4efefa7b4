/*
 * dns_int.h - internals shared by the files of the DNS module: the table
 * layout, the bounds-checked wire reader/writer, and the upstream forwarder.
 * Nothing here is part of the public contract in dns.h.
 */
#ifndef WOT_DNS_INT_H
#define WOT_DNS_INT_H

#include "dns/resolver/resolver.h"
#include "dns/net/net.h"

#include <stddef.h>
#include <stdint.h>

/* ---- rdata.c ---------------------------------------------------------- */

enum { WOT_DNS_RD_ANY = -1, WOT_DNS_RD_REFUSE = -2 };

/*
 * The rdata of type: pre fixed bytes, strs character-strings, names
 * (possibly compressed) names, then tail bytes exactly (WOT_DNS_RD_ANY:
 * anything; WOT_DNS_RD_REFUSE: a type never kept).
 */
typedef struct {
	uint16_t type;
	uint8_t pre, strs, names;
	int8_t tail;
} wot_dns_rd_layout;

/* The layout of type, NULL for types whose rdata holds no compressed
 * name (copied as they are). */
const wot_dns_rd_layout *wot_dns_rd_layout_of(uint16_t type);

/* ---- splice.c --------------------------------------------------------- */

/* One upstream reply (borrowed). */
typedef struct {
	const uint8_t *pkt;
	size_t len;
} wot_dns_upreply;

typedef struct {
	const wot_dns_table *t;	    /* the overlay (NULL: none) */
	const wot_dns_query *q;	    /* the client's query */
	const wot_dns_upreply *ups; /* replies to the questions asked so far */
	size_t nups;
	uint32_t max_ttl; /* no upstream TTL above this */
} wot_dns_splice_in;

enum { WOT_DNS_SPLICE_DONE = 0, WOT_DNS_SPLICE_NEED = 1 };

typedef struct {
	int status;    /* WOT_DNS_SPLICE_* */
	size_t len;    /* DONE: the answer's length */
	int cacheable; /* DONE: the upstream's alone, may be cached for q */
	int servfail;  /* DONE: the answer is SERVFAIL (a loop, a bad reply) */
	uint8_t need[WOT_DNS_NAME_MAX]; /* NEED: ask the upstream for this */
	size_t need_len;		/* (lowercase; q's type, class IN) */
} wot_dns_splice_out;

/*
 * Build the answer to in->q into buf (at most cap bytes; callers give
 * WOT_DNS_TCP_MAX and truncate for UDP) from the overlay and the upstream
 * replies, scrubbed by the rules at the top of splice.c. NEED: the chain
 * reached a name outside the overlay no reply answers; ask for it and
 * call again with that reply added. Returns 0 or WOT_ELIMIT.
 */
int wot_dns_splice(const wot_dns_splice_in *in, uint8_t *buf, size_t cap,
		   wot_dns_splice_out *out);

/* ---- upstream.c ------------------------------------------------------- */

typedef struct wot_dns_upstream wot_dns_upstream;
typedef struct wot_dns_fwd wot_dns_fwd;

/*
 * Called once per forwarded query unless cancelled. resp is the upstream's
 * reply with the client's ID restored (borrowed, valid during the call), or
 * NULL when every upstream failed.
 */
typedef void (*wot_dns_fwd_cb)(void *data, const uint8_t *resp, size_t len);

/* What a forwarder is built from; designated initialisers. */
typedef struct {
	uv_loop_t *loop;		      /* for the real network */
	const struct sockaddr_storage *addrs; /* copied */
	size_t n;			      /* at most WOT_DNS_MAX_UPSTREAM */
	unsigned timeout_ms;		      /* per try, 0: 1500 */
	const wot_clock *clock;		      /* NULL: the loop's time */
	const wot_net_io *io;		      /* NULL: real sockets (tests) */
	/* Seed of the exploration and letter-case choices (not security:
	 * IDs and ports are the engine's); 0: from getentropy. Tests fix it
	 * so that which server goes first is a function of the inputs. */
	uint32_t seed;
} wot_dns_upstream_opts;

/* Forwarder over o->addrs. Returns 0, WOT_ELIMIT (too many servers),
 * WOT_EINVAL or WOT_ENOMEM. Free with wot_dns_upstream_close(). */
int wot_dns_upstream_new(wot_dns_upstream **out,
			 const wot_dns_upstream_opts *o);
/* Number of configured upstream servers. */
size_t wot_dns_upstream_count(const wot_dns_upstream *u);
/* Register every attempt with g (borrowed, outlives u) and skip the
 * servers g marks looped. */
void wot_dns_upstream_set_guard(wot_dns_upstream *u, wot_dns_loopguard *g);
/* Server i's address (borrowed), NULL past the end. */
const struct sockaddr_storage *wot_dns_upstream_addr(const wot_dns_upstream *u,
						     size_t i);
/*
 * Forward a parsed query (q describes query/qlen). tcp selects TCP to the
 * upstream. *out (optional) identifies the request for cancel; it stays
 * valid until cb runs or the request is cancelled.
 */
int wot_dns_upstream_query(wot_dns_upstream *u, const uint8_t *query,
			   size_t qlen, const wot_dns_query *q, int tcp,
			   wot_dns_fwd_cb cb, void *data, wot_dns_fwd **out);
/* Cancel a request: its cb will never run. */
void wot_dns_upstream_cancel(wot_dns_fwd *f);
/* Server i's counters; WOT_ENOENT past the end. */
int wot_dns_upstream_get_stat(const wot_dns_upstream *u, size_t i,
			      wot_dns_upstream_stat *out);
/* Cancel everything, close every handle, free, then cb(data). */
void wot_dns_upstream_close(wot_dns_upstream *u, void (*cb)(void *data),
			    void *data);

#endif
