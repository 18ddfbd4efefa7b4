/*
 * cookie.h - DNS cookies (RFC 7873, server cookies as RFC 9018 makes
 * them) on the peer port: an asker whose answer comes back to it proves
 * its address, and the peer listener then lets its UDP answers be larger
 * than the question (docs/peer-protocol.md).
 */
#ifndef WOT_DNS_COOKIE_H
#define WOT_DNS_COOKIE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum {
	WOT_COOKIE_CLIENT = 8,	/* client cookie */
	WOT_COOKIE_SERVER = 16, /* the server cookies we make */
	WOT_COOKIE_SERVER_MAX = 32,
	WOT_COOKIE_SECRET = 16,
	/* the option we add: code, length, client and server cookie */
	WOT_COOKIE_OPT = 4 + WOT_COOKIE_CLIENT + WOT_COOKIE_SERVER
};

typedef struct {
	int present; /* the message carries a COOKIE option */
	uint8_t client[WOT_COOKIE_CLIENT];
	uint8_t server[WOT_COOKIE_SERVER_MAX];
	size_t server_len; /* 0: a client cookie alone */
} wot_dns_cookie;

/*
 * The COOKIE option of msg (a query or an answer with one question; its
 * OPT record in the additional section). 0 with c->present 0 when there
 * is none, -1 when the message or the option is malformed.
 */
int wot_dns_cookie_read(const uint8_t *msg, size_t len, wot_dns_cookie *c);
/*
 * Append the COOKIE option made of c (client, then server_len bytes of
 * server) to msg's OPT, which must be its last record, or add an OPT with
 * it when msg has none. Returns the new length, or 0 (msg unchanged) when
 * it does not fit in cap or msg is not one the option can go into.
 */
size_t wot_dns_cookie_put(uint8_t *msg, size_t len, size_t cap,
			  const wot_dns_cookie *c);
/* A fresh server cookie (RFC 9018: version 1, time now, SipHash-2-4 of
 * the client cookie, those fields and the client's IP, keyed by secret)
 * into c->server. */
void wot_dns_cookie_make(const uint8_t secret[WOT_COOKIE_SECRET],
			 const struct sockaddr *client, uint32_t now,
			 wot_dns_cookie *c);
/* 1 if c carries a server cookie we made for this client within the last
 * hour (or up to 5 minutes ahead), else 0. */
int wot_dns_cookie_valid(const uint8_t secret[WOT_COOKIE_SECRET],
			 const struct sockaddr *client, uint32_t now,
			 const wot_dns_cookie *c);

#endif
