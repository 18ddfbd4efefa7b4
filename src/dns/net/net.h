/*
 * net.h - the DNS side's network room: the one listener that the resolver
 * port and the peer port both run on (and the one outgoing engine). It
 * knows sockets, datagrams, RFC 7766 framing and deadlines, never what a
 * message means: that is the handler's. Loop thread only; includes only
 * util.
 */
#ifndef WOT_DNS_NET_H
#define WOT_DNS_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

/* ---------------------------------------------------------------- listener
 *
 * One listener holds, per address it is given, a UDP socket and a TCP
 * listener on the same port. Each whole message (a datagram, or a TCP
 * frame) goes to the handler, which answers it at once (the reply bytes)
 * or keeps the request and answers it later. Every request ends in
 * exactly one reply or drop: the handler's, or the listener's cancel
 * callback when the connection or the listener closes first.
 */

typedef struct wot_net_listener wot_net_listener;
typedef struct wot_net_sock wot_net_sock;
typedef struct wot_net_conn wot_net_conn;
typedef struct wot_net_req wot_net_req;

/* What a handler did with a message. */
enum {
	WOT_NET_REPLY, /* the reply is in out[0..*rlen) */
	WOT_NET_DROP,  /* no reply (over TCP see WOT_NET_HANGUP_ON_DROP) */
	WOT_NET_LATER  /* the handler kept the request (wot_net_req_keep) */
};

enum {
	WOT_NET_BATCH = 1,	    /* UDP: recvmmsg in, sendmmsg out, queue
				     * when the socket is full (else drop) */
	WOT_NET_REUSEPORT = 2,	    /* SO_REUSEPORT (one socket per thread) */
	WOT_NET_BIGRCVBUF = 4,	    /* a UDP receive buffer for bursts */
	WOT_NET_ONE_AT_A_TIME = 8,  /* TCP: read the next message only once
				     * the answer to this one is written */
	WOT_NET_HANGUP_ON_DROP = 16 /* TCP: a message not answered closes
				     * the connection */
};

/* A request: where its reply goes. The listener hands the handler a
 * request that lives for the call; wot_net_req_keep copies it into one
 * the handler owns (embedded in its own object, which must not move). The
 * fields are the listener's. */
struct wot_net_req {
	wot_net_listener *l;
	wot_net_sock *sock; /* UDP: the socket it came on */
	wot_net_conn *conn; /* TCP: its connection; NULL for UDP */
	wot_net_req *prev, *next;
	struct sockaddr_storage from;
	int state;
};

/*
 * The handler: msg (len bytes, valid for the call) came on req. Either
 * write the reply into out (cap bytes) and set *rlen (WOT_NET_REPLY),
 * return WOT_NET_DROP, or keep req and return WOT_NET_LATER. A handler may
 * also keep req and end the kept copy before it returns.
 */
typedef int (*wot_net_handle_fn)(void *ctx, wot_net_req *req,
				 const uint8_t *msg, size_t len, uint8_t *out,
				 size_t cap, size_t *rlen);
/* A kept request whose connection or listener closes: it has ended (a
 * drop); the handler forgets it and must not end it again. */
typedef void (*wot_net_cancel_fn)(void *ctx, wot_net_req *req);

typedef struct {
	wot_net_handle_fn handle;
	wot_net_cancel_fn cancel; /* required if the handler keeps requests */
	void *ctx;
	unsigned flags;	      /* WOT_NET_* above */
	size_t udp_max;	      /* largest datagram read; larger ones are
			       * dropped (counted in udp_partial); with
			       * WOT_NET_BATCH, libuv's 64 KiB slots */
	size_t udp_reply_max; /* out's cap over UDP */
	size_t tcp_reply_max; /* out's cap over TCP (at most 65535) */
	size_t tcp_msg_max;   /* a larger TCP frame closes (bad_frames) */
	size_t max_conns;     /* TCP connections at once */
	unsigned idle_ms;     /* TCP idle timeout between messages */
	unsigned msg_ms;      /* TCP: first byte to last of a message */
	int backlog;	      /* listen(2) backlog */
	size_t wqueue_max;    /* unread TCP output before we hang up */
} wot_net_listen_opts;

typedef struct {
	uint64_t udp_partial; /* datagrams too big for udp_max */
	uint64_t bad_frames;  /* TCP frames shorter than a header or longer
			       * than tcp_msg_max (connection closed) */
	uint64_t evicted;     /* TCP connections closed to make room */
	uint64_t expired;     /* closed at a message deadline */
} wot_net_listen_stats;

/* A listener with no socket yet; opts copied. Caller releases with
 * wot_net_listener_close(). WOT_EINVAL on bad options, WOT_ENOMEM. */
int wot_net_listener_new(wot_net_listener **out, uv_loop_t *loop,
			 const wot_net_listen_opts *opts);
/*
 * Bind TCP then UDP on want (port 0: a free port both can have) and start
 * serving them; bound gets the address. WOT_ENET (bind or listen failed:
 * nothing is left open), WOT_ENOMEM, WOT_EINVAL when closing.
 */
int wot_net_listener_add(wot_net_listener *l,
			 const struct sockaddr_storage *want,
			 struct sockaddr_storage *bound);
void wot_net_listener_stats(const wot_net_listener *l,
			    wot_net_listen_stats *out);
/* Stop: every kept request is cancelled (cancel callback), every socket
 * and connection closed; cb(data) runs once all are, then l is freed. */
void wot_net_listener_close(wot_net_listener *l, void (*cb)(void *data),
			    void *data);

/* Keep req (handed to the handler) as *dst, to end later with
 * wot_net_req_reply or wot_net_req_drop. */
void wot_net_req_keep(wot_net_req *dst, wot_net_req *req);
/* End the kept req with a reply of len bytes (copied; a UDP reply inside
 * a receive batch leaves with the batch). A no-op if req has ended. */
void wot_net_req_reply(wot_net_req *req, const uint8_t *buf, size_t len);
/* End the kept req with no reply. A no-op if req has ended. */
void wot_net_req_drop(wot_net_req *req);
/* 1 if req came over TCP. */
int wot_net_req_tcp(const wot_net_req *req);
/* The sender's address (borrowed from req). */
const struct sockaddr *wot_net_req_from(const wot_net_req *req);
/* Requests kept and not ended on req's TCP connection (0 for UDP). */
size_t wot_net_req_pending(const wot_net_req *req);

#endif
