/*
 * net.h - the DNS network room: the one outgoing DNS engine (the client,
 * client_*.c) and the one listener (listen*.c). Includes util only.
 * See docs/design.md, "The net room".
 */
#ifndef WOT_DNS_NET_H
#define WOT_DNS_NET_H

#include "util/util.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

/* ==== the outgoing engine (client_core.c, client_uv.c) ==================
 *
 * Every outgoing DNS question (upstream forwarding, NOTIFY, opinion
 * questions) goes through one engine, as unbound's outside_network does:
 * - each attempt gets a fresh random query ID and a fresh socket (a fresh
 *   random source port, chosen by the kernel);
 * - a reply is taken only when it comes from the address asked, carries
 *   the attempt's ID, QR, the question's opcode and the same question
 *   (name compared without regard to case); anything else is dropped and
 *   counted (wot_net_client_stats.unmatched);
 * - each attempt has a deadline; a request makes `tries` attempts, each
 *   waiting twice as long as the one before when `backoff` is set;
 * - a reply with TC is asked again over TCP at the same address (RFC 7766
 *   framing, frames of at most tcp_max bytes, those not ours dropped)
 *   when `tc_tcp` is set;
 * - every request ends in EXACTLY ONE call of its callback: answered,
 *   timed out, failed, refused by the check hook or cancelled (closing
 *   the engine cancels everything outstanding).
 *
 * The engine is a sans-I/O core driven by packets and time, on an
 * injected clock and network (wot_net_io); wot_net_client_new gives it a
 * libuv network on a loop when none is injected. Unit tests drive it with
 * a fake network and a fake clock (tests/unit/test_net_client.c).
 */

/* How a request ended (wot_net_result.status). */
enum {
	WOT_NET_OK = 0,	       /* a matching reply: pkt holds it */
	WOT_NET_TIMEOUT = 1,   /* every attempt's deadline passed */
	WOT_NET_CANCELLED = 2, /* wot_net_cancel or engine closed */
	WOT_NET_ENET = 3,      /* a socket failed (open, send, connect,
				  read, a TCP frame over tcp_max or under a
				  DNS header) */
	WOT_NET_TRUNCATED = 4, /* TC, and TCP brought no answer: pkt holds
				  the truncated UDP reply */
	WOT_NET_REJECTED = 5   /* the check hook refused a matching reply:
				  pkt holds it */
};

typedef struct wot_net_client wot_net_client;
typedef struct wot_net_req wot_net_req;

/* The outcome of a request, borrowed during the callback. pkt (NULL when
 * there is none) may be rewritten in place by the callback; its ID is
 * the caller's own again. */
typedef struct {
	int status;	    /* WOT_NET_* */
	uint8_t *pkt;	    /* the reply */
	size_t len;	    /* its length */
	unsigned rtt_ms;    /* send to reply of the answering attempt */
	unsigned tc_rtt_ms; /* the truncated UDP reply's, 0: none */
	size_t tc_len;	    /* its length */
	unsigned attempts;  /* attempts made, the TCP one included */
	int tcp;	    /* the last attempt went over TCP */
} wot_net_result;

/* Called exactly once per request, from the loop (never from within
 * wot_net_request); the request may be reused or freed inside. */
typedef void (*wot_net_cb)(wot_net_req *r, const wot_net_result *res);
/* Optional: 0 takes a matching reply (TC ones included), anything else
 * ends the request with WOT_NET_REJECTED. */
typedef int (*wot_net_check_fn)(wot_net_req *r, const uint8_t *pkt, size_t len);

/* What to ask; use designated initialisers. */
typedef struct {
	const struct sockaddr_storage *to;   /* copied */
	const struct sockaddr_storage *from; /* source address (its port is
						ignored), NULL: any; copied */
	uint8_t *query;	     /* borrowed until the callback; the engine writes
				each attempt's ID into it and restores it */
	size_t qlen;	     /* 12 to 65535 bytes, one question */
	unsigned timeout_ms; /* of the first attempt (and of the TCP one) */
	unsigned tries;	     /* attempts over UDP, 0 counts as 1 */
	int backoff;	     /* 1: each retry waits twice as long */
	int tcp;	     /* ask over TCP from the start */
	int tc_tcp;	     /* TC: ask again over TCP, same address */
	size_t tcp_max;	     /* largest TCP answer taken, 0: 65535 */
	wot_net_cb cb;
	wot_net_check_fn check; /* may be NULL */
	void *data;		/* the caller's, left in wot_net_req.data */
} wot_net_req_opts;

/* A request lives in the caller's memory (no allocation per request),
 * untouched from wot_net_request until its callback. Only data is the
 * caller's to read; the rest is the engine's. */
struct wot_net_req {
	void *data;
	wot_net_client *c;
	wot_net_req *prev, *next; /* outstanding requests */
	size_t heap_i;		  /* in the deadline heap */
	uint64_t deadline, sent_at;
	struct sockaddr_storage to, from;
	int has_from;
	uint8_t *query;
	size_t qlen, tcp_max;
	unsigned timeout_ms, tries, attempts, wait_ms, tc_rtt_ms;
	int backoff, tcp, tc_tcp, err, done;
	uint16_t id, orig_id;
	wot_net_cb cb;
	wot_net_check_fn check;
	void *io;    /* the network's handle of the current attempt */
	uint8_t *tc; /* the truncated UDP reply while TCP is asked */
	size_t tclen;
};

/* One attempt for the network to make: a fresh socket (bound to from
 * when set, any port) to `to`, pkt sent once (over TCP with the 2-byte
 * length prefix), and replies handed back with wot_net_client_input
 * (for TCP: frame by frame, wot_net_client_fail for a frame longer than
 * tcp_max or shorter than a DNS header). */
typedef struct {
	const struct sockaddr_storage *to, *from;
	const uint8_t *pkt;
	size_t len;
	int tcp;
	size_t tcp_max;
} wot_net_send;

/* The injected network. open: start one attempt of r and leave in
 * *handle what close gets back; 0 or a negative code (the attempt then
 * fails as WOT_NET_ENET). close: the attempt is over, never call into
 * the engine for it again. arm: the next deadline is at (UINT64_MAX:
 * none); call wot_net_client_tick then. shutdown: the engine is closing
 * and holds no attempt; call done(arg) once the network let go. */
typedef struct {
	int (*open)(void *ctx, wot_net_req *r, const wot_net_send *s,
		    void **handle);
	void (*close)(void *ctx, void *handle);
	void (*arm)(void *ctx, uint64_t at);
	void (*shutdown)(void *ctx, void (*done)(void *arg), void *arg);
	void *ctx;
} wot_net_io;

typedef struct {
	uv_loop_t *loop;	/* for the libuv network and clock */
	const wot_clock *clock; /* NULL: uv_now(loop), or the monotonic
				   clock without a loop; copied */
	const wot_net_io *io;	/* NULL: libuv sockets on loop; copied */
} wot_net_client_opts;

/* Counters of an engine. */
typedef struct {
	uint64_t requests, sent, tcp, answered, timeouts, cancelled;
	uint64_t errors;    /* attempts whose socket failed */
	uint64_t unmatched; /* replies dropped: wrong address, ID or question */
} wot_net_client_stats;

/* A new engine. Returns 0, WOT_EINVAL (no loop and no io) or
 * WOT_ENOMEM. Free with wot_net_client_close. */
int wot_net_client_new(wot_net_client **out, const wot_net_client_opts *o);
/*
 * Start request r (caller memory, kept until its callback). Returns 0
 * (the callback will run exactly once), WOT_EINVAL (bad options or a
 * query without one question), WOT_ENOMEM or WOT_ENOENT (the engine is
 * closing); on an error the callback never runs.
 */
int wot_net_request(wot_net_client *c, wot_net_req *r,
		    const wot_net_req_opts *o);
/* End r now: its callback runs before this returns, with
 * WOT_NET_CANCELLED. Nothing happens for a request already ended. */
void wot_net_cancel(wot_net_req *r);
/* Cancel every outstanding request (each callback runs, CANCELLED),
 * then free; cb(data) once the network let go (may be NULL). */
void wot_net_client_close(wot_net_client *c, void (*cb)(void *data),
			  void *data);
void wot_net_client_stats_get(const wot_net_client *c,
			      wot_net_client_stats *out);
/* The engine's time now (its clock). */
uint64_t wot_net_client_now(const wot_net_client *c);

/* Driving the engine (for networks: the libuv one and tests' fakes). */

/* A datagram (or TCP frame) from `from` for r's current attempt. */
void wot_net_client_input(wot_net_client *c, wot_net_req *r,
			  const struct sockaddr_storage *from, uint8_t *pkt,
			  size_t len);
/* r's current attempt failed (a negative libuv or WOT_E* code). */
void wot_net_client_fail(wot_net_client *c, wot_net_req *r, int code);
/* Handle every deadline that has passed. */
void wot_net_client_tick(wot_net_client *c);
/* The earliest deadline, UINT64_MAX when none. */
uint64_t wot_net_client_next(const wot_net_client *c);

/* 1 if pkt answers query: QR, same ID and opcode, one question, the same
 * name (any case), type and class. */
int wot_net_reply_matches(const uint8_t *query, size_t qlen, const uint8_t *pkt,
			  size_t len);

/* ==== the listener (listen*.c) ========================================= */

#endif
