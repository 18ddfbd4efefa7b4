/*
 * notify.h - DNS NOTIFY (RFC 1996) between wotdns peers: the wire format,
 * the peer listener that receives it and the sender that announces a
 * publish. See docs/peer.md, "Propagation".
 *
 * A NOTIFY names a source by its owner's fingerprint: the question is
 * "<fpr>._wotdns. IN SOA", the fingerprint in lowercase hex as one label
 * (v4, 40 digits) or two labels of 32 digits (v5, 64 digits).
 */
#ifndef WOT_DNS_NOTIFY_H
#define WOT_DNS_NOTIFY_H

#include "dns/net/net.h"
#include "trust/trust.h"

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* What a packet on the peer port gets. */
enum {
	WOT_NOTIFY_OK = 0,	/* a NOTIFY for a fingerprint: answer it */
	WOT_NOTIFY_REFUSED = 1, /* a well-formed message we do not serve */
	WOT_NOTIFY_NOTIMP = 2,	/* another opcode (UPDATE, ...) */
	WOT_NOTIFY_DROP = 3	/* malformed, or a response: no reply */
};

enum { WOT_NOTIFY_MSG_MAX = 512 }; /* NOTIFYs and their replies fit */

/*
 * Build a NOTIFY for fpr (40 or 64 hex digits, any case) with this id into
 * buf. *len receives its length. WOT_EINVAL for a bad fingerprint,
 * WOT_ELIMIT when cap is too small.
 */
int wot_dns_notify_build(uint8_t *buf, size_t cap, uint16_t id, const char *fpr,
			 size_t *len);

/*
 * Classify a packet received on the peer port (hostile input: every byte
 * is checked). On WOT_NOTIFY_OK fpr receives the fingerprint in upper
 * case. Returns one of WOT_NOTIFY_*.
 */
int wot_dns_notify_classify(const uint8_t *pkt, size_t len,
			    char fpr[WOT_FPR_MAX]);

/*
 * The reply to pkt for a verdict other than WOT_NOTIFY_DROP: same id and
 * question, QR set, the request's opcode; AA and NOERROR for a NOTIFY,
 * else REFUSED or NOTIMP. Returns the length, 0 if there is none.
 */
size_t wot_dns_notify_reply(const uint8_t *pkt, size_t len, int verdict,
			    uint8_t *out, size_t cap);

/* 1 if pkt answers our NOTIFY with this id for fpr (any rcode). */
int wot_dns_notify_is_answer(const uint8_t *pkt, size_t len, uint16_t id,
			     const char *fpr);

/* ---- peer listener (peer_listen.c) ---- */

typedef struct wot_dns_peer_listener wot_dns_peer_listener;

/* A NOTIFY for fpr arrived from a sender within its rate; runs on the
 * loop. */
typedef void (*wot_dns_notify_fn)(void *data, const char *fpr);

/* Counters of the peer listener. */
typedef struct {
	uint64_t received; /* packets on the peer port */
	uint64_t notifies; /* well-formed NOTIFYs answered */
	uint64_t refused;  /* REFUSED or NOTIMP answers */
	uint64_t dropped;  /* malformed, responses, over a sender's rate */
	uint64_t opinions; /* opinion questions answered (QUERY) */
} wot_dns_peer_stats;

/*
 * Listen for NOTIFY on each "ADDR:PORT" (UDP and TCP, one port;
 * port 0 picks one). Only
 * loopback addresses unless allow_nonloopback. fn runs for every accepted
 * NOTIFY. Close with wot_dns_peer_listener_close(); on error nothing needs
 * closing but the loop must run once more.
 */
int wot_dns_peer_listener_start(wot_dns_peer_listener **out, uv_loop_t *loop,
				const char *const *addrs, size_t n,
				int allow_nonloopback, wot_dns_notify_fn fn,
				void *data);
/*
 * Answer a QUERY (an opinion question, docs/peer-protocol.md) into out
 * (cap bytes); returns the reply length, 0 for no reply. Runs on the loop.
 * cap is at most 1232 over UDP, larger over TCP.
 */
typedef size_t (*wot_dns_peer_query_fn)(void *data, const uint8_t *pkt,
					size_t len, uint8_t *out, size_t cap);
/* Answer QUERYs with fn (NULL: REFUSED, the default). */
void wot_dns_peer_listener_on_query(wot_dns_peer_listener *l,
				    wot_dns_peer_query_fn fn, void *data);
/* The clock the per-sender rate buckets refill on (copied; NULL: the
 * loop's, the default). */
void wot_dns_peer_listener_set_clock(wot_dns_peer_listener *l,
				     const wot_clock *c);
/* Address bound for entry i ("127.0.0.1:PORT"). */
int wot_dns_peer_listener_bound(const wot_dns_peer_listener *l, size_t i,
				char *buf, size_t len);
void wot_dns_peer_listener_stats(const wot_dns_peer_listener *l,
				 wot_dns_peer_stats *out);
/* Close every socket and free; cb(data) afterwards (may be NULL). */
void wot_dns_peer_listener_close(wot_dns_peer_listener *l,
				 void (*cb)(void *data), void *data);

/* ---- sender (notify_send.c) ---- */

typedef struct wot_dns_notifier wot_dns_notifier;

typedef struct {
	uint64_t sent;	   /* NOTIFY datagrams sent, retries included */
	uint64_t answered; /* endpoints that answered */
	uint64_t failed;   /* endpoints that never answered */
} wot_dns_notifier_stats;

/* A sender on loop. Free with wot_dns_notifier_close(). */
int wot_dns_notifier_new(wot_dns_notifier **out, uv_loop_t *loop);
/* The same on the engine o describes (an injected clock and network in
 * tests). Returns 0, WOT_EINVAL or WOT_ENOMEM. */
int wot_dns_notifier_new_net(wot_dns_notifier **out,
			     const wot_net_client_opts *o);
/*
 * Tell each endpoint ("ADDR:PORT") that fpr's zone changed: one NOTIFY,
 * repeated after 0.2, 0.4 and 0.8 s until it is answered. Bad endpoints
 * are skipped with a warning; at most 1024 are pending at once.
 */
int wot_dns_notifier_send(wot_dns_notifier *s, const char *fpr,
			  const char *const *endpoints, size_t n);
void wot_dns_notifier_stats_get(const wot_dns_notifier *s,
				wot_dns_notifier_stats *out);
void wot_dns_notifier_close(wot_dns_notifier *s, void (*cb)(void *data),
			    void *data);

#endif
