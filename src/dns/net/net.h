/*
 * net.h - the net room: DNS messages on the network, never what they
 * mean (that is the handler's or the caller's):
 *   - the one outgoing DNS engine (client_*.c), used by upstream
 *     forwarding, NOTIFY and the opinion asker;
 *   - the one listener (listen*.c), that the resolver port and the peer
 *     port both run on.
 * Loop thread only; includes util only. See docs/design.md, "net".
 */
#ifndef WOT_DNS_NET_H
#define WOT_DNS_NET_H

#include "util/util.h"

#include <ldns/ldns.h>
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
typedef struct wot_net_query wot_net_query;

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
typedef void (*wot_net_cb)(wot_net_query *r, const wot_net_result *res);
/* Optional: 0 takes a matching reply (TC ones included), anything else
 * ends the request with WOT_NET_REJECTED. */
typedef int (*wot_net_check_fn)(wot_net_query *r, const uint8_t *pkt,
				size_t len);

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
	void *data;		/* the caller's, left in wot_net_query.data */
} wot_net_req_opts;

/* A request lives in the caller's memory (no allocation per request),
 * untouched from wot_net_request until its callback. Only data is the
 * caller's to read; the rest is the engine's. */
struct wot_net_query {
	void *data;
	wot_net_client *c;
	wot_net_query *prev, *next; /* outstanding requests */
	size_t heap_i;		    /* in the deadline heap */
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
	int (*open)(void *ctx, wot_net_query *r, const wot_net_send *s,
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

/* The loop's clock (uv_now): what every timed object on loop reads when
 * it is given no clock, so its times agree with the loop's timers. */
wot_clock wot_net_loop_clock(uv_loop_t *loop);

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
int wot_net_request(wot_net_client *c, wot_net_query *r,
		    const wot_net_req_opts *o);
/* End r now: its callback runs before this returns, with
 * WOT_NET_CANCELLED. Nothing happens for a request already ended. */
void wot_net_cancel(wot_net_query *r);
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
void wot_net_client_input(wot_net_client *c, wot_net_query *r,
			  const struct sockaddr_storage *from, uint8_t *pkt,
			  size_t len);
/* r's current attempt failed (a negative libuv or WOT_E* code). */
void wot_net_client_fail(wot_net_client *c, wot_net_query *r, int code);
/* Handle every deadline that has passed. */
void wot_net_client_tick(wot_net_client *c);
/* The earliest deadline, UINT64_MAX when none. */
uint64_t wot_net_client_next(const wot_net_client *c);

/* 1 if pkt answers query: QR, same ID and opcode, one question, the same
 * name (any case), type and class. */
int wot_net_reply_matches(const uint8_t *query, size_t qlen, const uint8_t *pkt,
			  size_t len);

/* ==== the listener (listen*.c) ========================================= */

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

/* ==== the DNS wire format (wire.c): bounds-checked reading, a writer
 * with name compression, and the constants every room shares ==== */

/* Wire constants we need without pulling ldns enums into every file. */
enum {
	WOT_DNS_HDR_LEN = 12,
	WOT_DNS_NAME_MAX = 255,
	WOT_DNS_UDP_MIN = 512,
	WOT_DNS_EDNS_SIZE = 1232, /* what we advertise and cap UDP at */
	WOT_DNS_TCP_MAX = 65535,
	WOT_DNS_OPT_LEN = 11, /* root name + fixed fields, no options */
	WOT_DNS_CNAME_HOPS =
	    16,		       /* CNAMEs in one answer, overlay and upstream */
	WOT_DNS_CHASE_MAX = 4, /* upstream questions for one answer */
	WOT_DNS_MAX_UPSTREAM = 8, /* upstream servers per resolver */
};

enum {
	WOT_RCODE_NOERROR = 0,
	WOT_RCODE_FORMERR = 1,
	WOT_RCODE_SERVFAIL = 2,
	WOT_RCODE_NXDOMAIN = 3,
	WOT_RCODE_NOTIMP = 4,
	WOT_RCODE_REFUSED = 5,
	WOT_RCODE_BADVERS = 16,
};

enum {
	WOT_T_A = 1,
	WOT_T_CNAME = 5,
	WOT_T_SOA = 6,
	WOT_T_AAAA = 28,
	WOT_T_DNAME = 39,
	WOT_T_OPT = 41,
	WOT_T_RRSIG = 46,
	WOT_T_IXFR = 251,
	WOT_T_AXFR = 252,
	WOT_T_MAILB = 253,
	WOT_T_MAILA = 254,
	WOT_T_ANY = 255,
	WOT_C_IN = 1,
	WOT_C_ANY = 255,
};

/* Header flag bits in the second 16-bit word. */
#define WOT_F_QR 0x8000u
#define WOT_F_AA 0x0400u
#define WOT_F_TC 0x0200u
#define WOT_F_RD 0x0100u
#define WOT_F_RA 0x0080u
#define WOT_F_AD 0x0020u
#define WOT_F_CD 0x0010u
#define WOT_OPCODE(flags) (((flags) >> 11) & 0xfu)

static inline uint16_t wot_rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t wot_rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static inline void wot_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wot_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * Read the possibly compressed name at off in pkt into out (uncompressed,
 * case kept); *end is the offset just past its bytes at off. Pointers
 * must point backwards. Returns 0, or -1 if malformed.
 */
int wot_dns_read_name(const uint8_t *pkt, size_t len, size_t off, uint8_t *out,
		      size_t *outlen, size_t *end);
/* Length of the wire name at p (labels and the root byte), 0 if invalid. */
size_t wot_dns_name_len(const uint8_t *p, size_t avail);
/* Lowercase ASCII letters of a wire name in place (label bytes only). */
void wot_dns_name_lower(uint8_t *name, size_t len);
/* Offset of the parent of the wire name (skip one label), or len at root. */
size_t wot_dns_name_parent(const uint8_t *name, size_t len);

/* What the reader learned from a query. */
typedef struct {
	uint16_t id, flags, qdcount;
	uint16_t qtype, qclass;
	uint8_t qname[WOT_DNS_NAME_MAX]; /* as asked: case preserved */
	uint8_t lname[WOT_DNS_NAME_MAX]; /* lowercased */
	size_t qname_len;
	size_t qend;	  /* offset just past the question in the packet */
	int has_question; /* qdcount == 1 and the question parsed */
	int edns;	  /* an OPT record was present */
	uint16_t edns_size;
	uint8_t edns_version;
	int edns_do;	/* the OPT's DO bit was set */
	size_t opt_off; /* offset of the OPT CLASS field, when edns */
} wot_dns_query;

enum { WOT_DNS_PARSE_OK = 0, WOT_DNS_PARSE_NOHDR = 1, WOT_DNS_PARSE_BAD = 2 };

/*
 * Parse a query: header, question (only when qdcount == 1), and every other
 * record just enough to find the OPT. Returns WOT_DNS_PARSE_*; on
 * WOT_DNS_PARSE_BAD the header fields of q are still valid.
 */
int wot_dns_query_parse(const uint8_t *pkt, size_t len, wot_dns_query *q);

/* UDP response size limit for a parsed query (RFC 6891 with our cap). */
size_t wot_dns_query_udp_limit(const wot_dns_query *q);

/*
 * 1 if pkt is a response with this id and a single question equal to
 * lname/qtype/qclass (name compared case-insensitively).
 */
int wot_dns_reply_matches(const uint8_t *pkt, size_t len, uint16_t id,
			  const uint8_t *lname, size_t lname_len,
			  uint16_t qtype, uint16_t qclass);

/*
 * ldns_wire2pkt for a message from the network (a peer's answer, an
 * upstream's reply): refused (LDNS_STATUS_WIRE_RDATA_ERR) unless ldns
 * reads every record to the end its RDLENGTH gives, as wire.c and cache.c
 * do, and additional holds at most one OPT and one TSIG (ldns 1.8.3
 * leaks the others). Found by tests/fuzz/fuzz_peer and fuzz_upstream.
 */
ldns_status wot_dns_wire2pkt(ldns_pkt **out, const uint8_t *pkt, size_t len);

enum { WOT_DNS_COMP_MAX = 64 };

/* Response writer with name compression; never writes past cap. */
typedef struct {
	uint8_t *buf;
	size_t cap, len;
	uint16_t counts[4]; /* qd, an, ns, ar */
	uint16_t comp[WOT_DNS_COMP_MAX];
	size_t ncomp;
} wot_dns_msg;

/* Start a response: header from q with flags/rcode, question if present.
 * 0, or -1 when cap is too small (the hot path sets no last error). */
int wot_dns_msg_begin(wot_dns_msg *m, uint8_t *buf, size_t cap,
		      const wot_dns_query *q, uint16_t flags);
/* One piece of rdata. */
typedef struct {
	const uint8_t *ptr;
	size_t len;
} wot_dns_part;

/* What an RR carries besides its rdata (wot_dns_msg_rr). */
typedef struct {
	int section;	      /* 1 answer, 2 authority, 3 additional */
	const uint8_t *owner; /* wire form (borrowed) */
	size_t owner_len;
	uint16_t type;
	uint32_t ttl;
	/* the rdata is a single name worth remembering for compression */
	int name_rdata;
} wot_dns_rr_head;

/* Append one RR (class IN) to the section h says, with rdlen bytes of
 * rdata. Returns -1 and leaves the message unchanged if it does not fit
 * (the hot path sets no last error). */
int wot_dns_msg_rr(wot_dns_msg *m, const wot_dns_rr_head *h,
		   const uint8_t *rdata, size_t rdlen);
/* As wot_dns_msg_rr, with the rdata given in nparts pieces. */
int wot_dns_msg_rr_parts(wot_dns_msg *m, const wot_dns_rr_head *h,
			 const wot_dns_part *parts, size_t nparts);
/* Append our OPT record (size 1232, extended rcode bits, the DO bit when
 * dnssec_ok: RFC 3225 has the query's DO copied into the answer). 0, or -1
 * and the message unchanged when it does not fit. */
int wot_dns_msg_opt(wot_dns_msg *m, unsigned ext_rcode, int dnssec_ok);
/* Write the section counts and rcode into the header; returns the length. */
size_t wot_dns_msg_finish(wot_dns_msg *m, unsigned rcode);
/* Drop every record after the question (keeps header flags). */
void wot_dns_msg_reset(wot_dns_msg *m);

/* The mnemonic of an RR type ("A", "AAAA"; "TYPE65280" when it has
 * none), for log lines; written into buf, which is returned. */
const char *wot_dns_type_name(unsigned type, char buf[16]);

#endif
