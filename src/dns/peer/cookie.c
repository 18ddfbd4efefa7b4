/*
 * cookie.c - the COOKIE EDNS option (RFC 7873 §4) read from and added to
 * messages, and server cookies made and checked as RFC 9018 §4 says.
 */
#include "dns/peer/cookie.h"
#include "dns/resolver/resolver.h"
#include "util/util.h"

#include <netinet/in.h>
#include <string.h>

enum { OPT_COOKIE = 10, VERSION = 1, PAST_S = 3600, FUTURE_S = 300 };

/* Offset of the OPT's RDLENGTH in msg, or 0 when it has no OPT (-1 bad). */
static long opt_rdlen_at(const uint8_t *msg, size_t len)
{
	wot_dns_query q;

	if (wot_dns_query_parse(msg, len, &q) != WOT_DNS_PARSE_OK ||
	    !q.has_question)
		return -1;
	return q.edns ? (long)q.opt_off + 6 : 0;
}

int wot_dns_cookie_read(const uint8_t *msg, size_t len, wot_dns_cookie *c)
{
	long at = opt_rdlen_at(msg, len);
	size_t o, end;

	memset(c, 0, sizeof(*c));
	if (at <= 0)
		return at < 0 ? -1 : 0;
	o = (size_t)at + 2;
	end = o + wot_rd16(msg + at); /* checked by the parser */
	while (o + 4 <= end) {
		uint16_t code = wot_rd16(msg + o), olen = wot_rd16(msg + o + 2);
		o += 4;
		if (o + olen > end)
			return -1;
		if (code == OPT_COOKIE) {
			/* RFC 7873 §5.2.2: 8, or 16 to 40 bytes */
			if (olen != WOT_COOKIE_CLIENT &&
			    (olen < WOT_COOKIE_CLIENT + 8 ||
			     olen > WOT_COOKIE_CLIENT + WOT_COOKIE_SERVER_MAX))
				return -1;
			c->present = 1;
			memcpy(c->client, msg + o, WOT_COOKIE_CLIENT);
			c->server_len = olen - WOT_COOKIE_CLIENT;
			memcpy(c->server, msg + o + WOT_COOKIE_CLIENT,
			       c->server_len);
			return 0;
		}
		o += olen;
	}
	return 0;
}

size_t wot_dns_cookie_put(uint8_t *msg, size_t len, size_t cap,
			  const wot_dns_cookie *c)
{
	long at = opt_rdlen_at(msg, len);
	size_t olen = WOT_COOKIE_CLIENT + c->server_len, add = 4 + olen;
	uint8_t *p;

	if (at < 0 || c->server_len > WOT_COOKIE_SERVER_MAX)
		return 0;
	if (at == 0) { /* no OPT yet: ours, as wot_dns_msg_opt writes it */
		if (len + WOT_DNS_OPT_LEN + add > cap ||
		    wot_rd16(msg + 10) == UINT16_MAX)
			return 0;
		p = msg + len;
		p[0] = 0;
		wot_wr16(p + 1, WOT_T_OPT);
		wot_wr16(p + 3, WOT_DNS_EDNS_SIZE);
		memset(p + 5, 0, 6);
		wot_wr16(msg + 10, (uint16_t)(wot_rd16(msg + 10) + 1));
		at = (long)(len + 9);
		len += WOT_DNS_OPT_LEN;
	}
	/* Only an OPT that ends the message can grow in place. */
	if ((size_t)at + 2 + wot_rd16(msg + at) != len || len + add > cap ||
	    wot_rd16(msg + at) + add > UINT16_MAX)
		return 0;
	p = msg + len;
	wot_wr16(p, OPT_COOKIE);
	wot_wr16(p + 2, (uint16_t)olen);
	memcpy(p + 4, c->client, WOT_COOKIE_CLIENT);
	memcpy(p + 4 + WOT_COOKIE_CLIENT, c->server, c->server_len);
	wot_wr16(msg + at, (uint16_t)(wot_rd16(msg + at) + add));
	return len + add;
}

/* The hash of RFC 9018 §4.4 over the first 8 bytes of the server cookie. */
static uint64_t server_hash(const uint8_t secret[WOT_COOKIE_SECRET],
			    const struct sockaddr *client,
			    const uint8_t client_cookie[WOT_COOKIE_CLIENT],
			    const uint8_t head[8])
{
	uint8_t in[WOT_COOKIE_CLIENT + 8 + 16];
	size_t n = WOT_COOKIE_CLIENT + 8;
	uint64_t k0, k1;

	memcpy(in, client_cookie, WOT_COOKIE_CLIENT);
	memcpy(in + WOT_COOKIE_CLIENT, head, 8);
	if (client->sa_family == AF_INET6) {
		memcpy(in + n,
		       &((const struct sockaddr_in6 *)client)->sin6_addr, 16);
		n += 16;
	} else {
		memcpy(in + n, &((const struct sockaddr_in *)client)->sin_addr,
		       4);
		n += 4;
	}
	memcpy(&k0, secret, 8);
	memcpy(&k1, secret + 8, 8);
	return wot_dns_siphash(k0, k1, in, n);
}

void wot_dns_cookie_make(const uint8_t secret[WOT_COOKIE_SECRET],
			 const struct sockaddr *client, uint32_t now,
			 wot_dns_cookie *c)
{
	uint64_t h;

	memset(c->server, 0, 8);
	c->server[0] = VERSION;
	wot_wr32(c->server + 4, now);
	h = server_hash(secret, client, c->client, c->server);
	memcpy(c->server + 8, &h, 8);
	c->server_len = WOT_COOKIE_SERVER;
}

int wot_dns_cookie_valid(const uint8_t secret[WOT_COOKIE_SECRET],
			 const struct sockaddr *client, uint32_t now,
			 const wot_dns_cookie *c)
{
	uint64_t h;
	uint32_t t;
	uint8_t diff = 0;

	if (!c->present || c->server_len != WOT_COOKIE_SERVER ||
	    c->server[0] != VERSION)
		return 0;
	t = wot_rd32(c->server + 4);
	/* serial-number arithmetic (RFC 1982), as RFC 9018 §4.3 asks */
	if ((int32_t)(now - t) > PAST_S || (int32_t)(t - now) > FUTURE_S)
		return 0;
	h = server_hash(secret, client, c->client, c->server);
	for (size_t i = 0; i < 8; i++)
		diff |= (uint8_t)(((const uint8_t *)&h)[i] ^ c->server[8 + i]);
	return diff == 0;
}
