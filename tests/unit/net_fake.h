/*
 * net_fake.h - a fake network and a fake clock for the outgoing DNS
 * engine (dns/net/net.h), for replay tables: every attempt the engine
 * makes is recorded, replies are made from what was sent, time moves
 * only when the table says so.
 */
#ifndef WOT_TEST_NET_FAKE_H
#define WOT_TEST_NET_FAKE_H

#include "dns/net/net.h"

#include <arpa/inet.h>
#include <string.h>

#define NET_FAKE_ID 0x1234

/* How a reply differs from the right answer. */
enum {
	R_WRONG_ID = 1,
	R_WRONG_ADDR = 2,
	R_WRONG_PORT = 4,
	R_WRONG_NAME = 8,
	R_WRONG_TYPE = 16,
	R_NO_QR = 32,
	R_SHORT = 64,
	R_UPPER = 128,
	R_TC = 256
};

typedef struct {
	int tcp, closed;
	wot_net_query *r;
	struct sockaddr_storage to;
	uint8_t pkt[512];
	size_t len;
} net_fake_send;

typedef struct {
	uint64_t now;
	struct sockaddr_storage peer;
	net_fake_send sends[64];
	size_t nsends;
	int fail_open, open_handles;
	uint64_t armed;
	int ncb, status, attempts, got_pkt, tcp;
	unsigned rtt, tc_rtt;
	uint16_t pkt_id, query_id;
	wot_net_client *c;   /* the engine, seen at its first attempt */
	int *ends;	     /* per request, when base is set */
	wot_net_query *base; /* the first of an array of requests */
} net_fake;

static inline uint64_t net_fake_now(void *ctx)
{
	return ((net_fake *)ctx)->now;
}

static inline int net_fake_open(void *ctx, wot_net_query *r,
				const wot_net_send *s, void **handle)
{
	net_fake *f = ctx;
	net_fake_send *x;

	if (f->fail_open || f->nsends >= 64)
		return -1;
	f->c = r->c;
	x = &f->sends[f->nsends++];
	memset(x, 0, sizeof(*x));
	x->tcp = s->tcp;
	x->r = r;
	x->to = *s->to;
	x->len = s->len < sizeof(x->pkt) ? s->len : sizeof(x->pkt);
	memcpy(x->pkt, s->pkt, x->len);
	f->open_handles++;
	*handle = (void *)(uintptr_t)f->nsends; /* index + 1 */
	return 0;
}

static inline void net_fake_close(void *ctx, void *handle)
{
	net_fake *f = ctx;

	f->sends[(uintptr_t)handle - 1].closed = 1;
	f->open_handles--;
}

static inline void net_fake_arm(void *ctx, uint64_t at)
{
	((net_fake *)ctx)->armed = at;
}

static inline void net_fake_init(net_fake *f)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&f->peer;

	memset(f, 0, sizeof(*f));
	in->sin_family = AF_INET;
	in->sin_port = htons(5353);
	in->sin_addr.s_addr = htonl(0x7f000001);
}

static inline int net_fake_client(net_fake *f, wot_net_client **out)
{
	wot_clock clock = {.now_ms = net_fake_now, .ctx = f};
	wot_net_io io = {
	    .open = net_fake_open,
	    .close = net_fake_close,
	    .arm = net_fake_arm,
	    .ctx = f,
	};

	return wot_net_client_new(
	    out, &(wot_net_client_opts){.clock = &clock, .io = &io});
}

/* A question for www.example.test A with id NET_FAKE_ID. */
static inline size_t net_fake_query(uint8_t *q, size_t cap)
{
	static const uint8_t msg[] = {
	    0x12, 0x34, 0x01, 0x00, 0,	 1,   0,   0,	0,   0,	  0,   0,
	    3,	  'w',	'w',  'w',  7,	 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	    4,	  't',	'e',  's',  't', 0,   0,   1,	0,   1};

	if (cap < sizeof(msg))
		return 0;
	memcpy(q, msg, sizeof(msg));
	return sizeof(msg);
}

/* The time is t now; the engine sees to its deadlines. */
static inline void net_fake_at(net_fake *f, wot_net_client *c, uint64_t t)
{
	f->now = t;
	if (c || f->c) /* an engine inside a user is known once it sent */
		wot_net_client_tick(c ? c : f->c);
}

static inline void net_fake_cb(wot_net_query *r, const wot_net_result *res)
{
	net_fake *f = r->data;

	f->ncb++;
	f->status = res->status;
	f->attempts = (int)res->attempts;
	f->got_pkt = res->pkt != NULL;
	f->tcp = res->tcp;
	f->rtt = res->rtt_ms;
	f->tc_rtt = res->tc_rtt_ms;
	f->query_id = (uint16_t)(r->query[0] << 8 | r->query[1]);
	if (res->pkt)
		f->pkt_id = (uint16_t)(res->pkt[0] << 8 | res->pkt[1]);
	if (f->base)
		f->ends[r - f->base]++;
}

/* Answer the attempt `back` attempts before the last one, changed as
 * flags (R_*) say. */
static inline void net_fake_reply(net_fake *f, wot_net_client *c,
				  wot_net_query *r, size_t back, int flags)
{
	const net_fake_send *s = &f->sends[f->nsends - 1 - back];
	struct sockaddr_storage from = s->to;
	uint8_t p[512];
	size_t len = s->len;

	if (!c) { /* an engine inside a user: the attempt's own */
		c = s->r->c;
		r = s->r;
	}
	memcpy(p, s->pkt, len);
	if (!(flags & R_NO_QR))
		p[2] |= 0x80;
	if (flags & R_TC)
		p[2] |= 0x02;
	if (flags & R_WRONG_ID)
		p[1] ^= 0x5a;
	if (flags & R_WRONG_NAME)
		p[13] = 'x';
	if (flags & R_UPPER)
		p[13] = 'W', p[18] = 'X';
	if (flags & R_WRONG_TYPE)
		p[len - 3] = 28;
	if (flags & R_SHORT)
		len = 11;
	if (flags & R_WRONG_ADDR)
		((struct sockaddr_in *)&from)->sin_addr.s_addr ^= htonl(2);
	if (flags & R_WRONG_PORT)
		((struct sockaddr_in *)&from)->sin_port ^= htons(1);
	wot_net_client_input(c, r, &from, p, len);
}

#endif
