/*
 * client_core.c - the outgoing DNS engine without I/O (net.h): requests,
 * their attempts and deadlines, reply matching, TC then TCP, and exactly
 * one callback per request. Packets and time come in, attempts to make
 * and deadlines go out through the injected wot_net_io; nothing here
 * touches a socket or the real time, so unit tables can replay it.
 */
#include "dns/net/client_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Query IDs come from the kernel's generator, fetched in batches. */
static uint16_t random_id(wot_net_client *c)
{
	uint16_t v;

	if (c->rnd_left < sizeof(v)) {
		if (getrandom(c->rnd, sizeof(c->rnd), 0) != sizeof(c->rnd))
			for (size_t i = 0; i < sizeof(c->rnd); i++)
				c->rnd[i] ^= (uint8_t)(wot_now_ms() * 131 + i);
		c->rnd_left = sizeof(c->rnd);
	}
	c->rnd_left -= sizeof(v);
	memcpy(&v, c->rnd + c->rnd_left, sizeof(v));
	return v;
}

uint64_t wot_net_client_now(const wot_net_client *c)
{
	return wot_clock_now(&c->clock);
}

uint64_t wot_net_client_next(const wot_net_client *c)
{
	return c->hn ? c->heap[0]->deadline : UINT64_MAX;
}

/* Tell the network when to tick next, when that changed. */
static void rearm(wot_net_client *c)
{
	uint64_t next = wot_net_client_next(c);

	if (next == c->armed)
		return;
	c->armed = next;
	if (c->io.arm)
		c->io.arm(c->io.ctx, next);
}

static void attempt_end(wot_net_client *c, wot_net_query *r)
{
	void *h = r->io;

	r->io = NULL;
	if (h)
		c->io.close(c->io.ctx, h);
}

static void unlink_req(wot_net_client *c, wot_net_query *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		c->head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
}

/* The one end of r: release, then the callback. */
static void complete(wot_net_client *c, wot_net_query *r, int status,
		     uint8_t *pkt, size_t len)
{
	wot_net_result res = {
	    .status = status,
	    .pkt = pkt,
	    .len = len,
	    .tc_rtt_ms = r->tc_rtt_ms,
	    .tc_len = r->tclen,
	    .attempts = r->attempts,
	    .tcp = r->tcp,
	};
	uint8_t *tc = r->tc;

	if (r->done)
		return;
	r->done = 1;
	if (pkt && status != WOT_NET_TIMEOUT)
		res.rtt_ms = (unsigned)(wot_net_client_now(c) - r->sent_at);
	attempt_end(c, r);
	wot_net_heap_remove(c, r);
	unlink_req(c, r);
	wr16(r->query, r->orig_id);
	if (pkt)
		wr16(pkt, r->orig_id);
	r->tc = NULL;
	c->st.answered += status == WOT_NET_OK;
	c->st.timeouts += status == WOT_NET_TIMEOUT;
	c->st.cancelled += status == WOT_NET_CANCELLED;
	r->cb(r, &res);
	free(tc);
}

/* Open the next attempt: new ID, new socket, new deadline. An open that
 * fails ends the request from the next tick, never from the caller. */
static void attempt_start(wot_net_client *c, wot_net_query *r)
{
	uint64_t now = wot_net_client_now(c);
	wot_net_send s = {
	    .to = &r->to,
	    .from = r->has_from ? &r->from : NULL,
	    .pkt = r->query,
	    .len = r->qlen,
	    .tcp = r->tcp,
	    .tcp_max = r->tcp_max,
	};
	int rc;

	r->id = random_id(c);
	wr16(r->query, r->id);
	r->attempts++;
	r->sent_at = now;
	rc = c->io.open(c->io.ctx, r, &s, &r->io);
	if (rc < 0) {
		r->io = NULL;
		r->err = rc;
		c->st.errors++;
		r->deadline = now;
	} else {
		c->st.sent++;
		c->st.tcp += r->tcp != 0;
		r->deadline = now + r->wait_ms;
	}
	wot_net_heap_update(c, r);
}

static int req_init(wot_net_client *c, wot_net_query *r,
		    const wot_net_req_opts *o)
{
	if (!o->to || !o->cb || !o->query || o->qlen < 12 || o->qlen > 65535 ||
	    rd16(o->query + 4) != 1)
		return wot_error_set(WOT_EINVAL, "bad DNS request");
	memset(r, 0, sizeof(*r));
	r->c = c;
	r->data = o->data;
	r->to = *o->to;
	if (o->from) {
		r->from = *o->from;
		r->has_from = 1;
	}
	r->query = o->query;
	r->qlen = o->qlen;
	r->tcp_max = o->tcp_max && o->tcp_max < 65535 ? o->tcp_max : 65535;
	r->timeout_ms = r->wait_ms = o->timeout_ms ? o->timeout_ms : 1;
	r->tries = o->tries ? o->tries : 1;
	r->backoff = o->backoff;
	r->tcp = o->tcp;
	r->tc_tcp = o->tc_tcp;
	r->cb = o->cb;
	r->check = o->check;
	r->orig_id = rd16(o->query);
	r->heap_i = SIZE_MAX;
	return 0;
}

int wot_net_request(wot_net_client *c, wot_net_query *r,
		    const wot_net_req_opts *o)
{
	int rc;

	if (c->closer.closing)
		return wot_error_set(WOT_ENOENT, "DNS engine closing");
	if ((rc = req_init(c, r, o)) < 0)
		return rc;
	if (wot_net_heap_reserve(c) < 0)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	r->next = c->head;
	if (c->head)
		c->head->prev = r;
	c->head = r;
	c->st.requests++;
	attempt_start(c, r);
	rearm(c);
	return 0;
}

void wot_net_cancel(wot_net_query *r)
{
	wot_net_client *c;

	if (!r || r->done || !r->c)
		return;
	c = r->c;
	complete(c, r, WOT_NET_CANCELLED, NULL, 0);
	rearm(c);
}

/* The attempt is over without an answer: the next one, or the end. */
static void attempt_over(wot_net_client *c, wot_net_query *r)
{
	int err = r->err;

	attempt_end(c, r);
	r->err = 0;
	if (r->tc) {
		complete(c, r, WOT_NET_TRUNCATED, r->tc, r->tclen);
	} else if (err) {
		complete(c, r, WOT_NET_ENET, NULL, 0);
	} else if (r->attempts >= r->tries || r->tcp) {
		complete(c, r, WOT_NET_TIMEOUT, NULL, 0);
	} else {
		if (r->backoff)
			r->wait_ms *= 2;
		attempt_start(c, r);
	}
}

void wot_net_client_fail(wot_net_client *c, wot_net_query *r, int code)
{
	if (r->done || !r->io)
		return;
	c->st.errors++;
	attempt_end(c, r);
	/* Ends from the next tick: the network may be deep in a call. */
	r->err = code ? code : WOT_ENET;
	r->deadline = wot_net_client_now(c);
	wot_net_heap_update(c, r);
	rearm(c);
}

void wot_net_client_tick(wot_net_client *c)
{
	uint64_t now = wot_net_client_now(c);

	while (c->hn && c->heap[0]->deadline <= now) {
		attempt_over(c, c->heap[0]);
	}
	rearm(c);
}

/* A truncated UDP reply: keep it and ask again over TCP. */
static void to_tcp(wot_net_client *c, wot_net_query *r, const uint8_t *pkt,
		   size_t len)
{
	uint8_t *copy = malloc(len);

	attempt_end(c, r);
	if (!copy) {
		complete(c, r, WOT_NET_ENET, NULL, 0);
		return;
	}
	memcpy(copy, pkt, len);
	r->tc = copy;
	r->tclen = len;
	r->tc_rtt_ms = (unsigned)(wot_net_client_now(c) - r->sent_at);
	if (!r->tc_rtt_ms)
		r->tc_rtt_ms = 1;
	r->tcp = 1;
	r->wait_ms = r->timeout_ms;
	attempt_start(c, r);
}

static int from_asked(const wot_net_query *r, const struct sockaddr_storage *a)
{
	const struct sockaddr_storage *b = &r->to;

	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a,
					  *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
	}
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a,
					 *y = (const void *)b;
		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	return 0;
}

void wot_net_client_input(wot_net_client *c, wot_net_query *r,
			  const struct sockaddr_storage *from, uint8_t *pkt,
			  size_t len)
{
	if (r->done || !r->io)
		return;
	if ((!r->tcp && !from_asked(r, from)) ||
	    !wot_net_reply_matches(r->query, r->qlen, pkt, len)) {
		c->st.unmatched++;
		return;
	}
	if (r->check && r->check(r, pkt, len) != 0)
		complete(c, r, WOT_NET_REJECTED, pkt, len);
	else if (!r->tcp && r->tc_tcp && (pkt[2] & 0x02))
		to_tcp(c, r, pkt, len);
	else
		complete(c, r, WOT_NET_OK, pkt, len);
	rearm(c);
}

int wot_net_client_new(wot_net_client **out, const wot_net_client_opts *o)
{
	wot_net_client *c;
	int rc;

	*out = NULL;
	if (!o || (!o->loop && !o->io))
		return wot_error_set(WOT_EINVAL, "DNS engine: no network");
	if (!(c = calloc(1, sizeof(*c))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	c->armed = UINT64_MAX;
	if (o->clock)
		c->clock = *o->clock;
	if (o->io) {
		c->io = *o->io;
	} else if ((rc = wot_net_uv_new(c, o->loop)) < 0) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static void on_shutdown(void *arg)
{
	wot_net_client *c = arg;
	wot_closer k = c->closer;

	free(c->heap);
	free(c);
	wot_closer_end(&k);
}

void wot_net_client_close(wot_net_client *c, void (*cb)(void *data), void *data)
{
	if (!c || !wot_closer_begin(&c->closer, cb, data))
		return;
	while (c->head)
		complete(c, c->head, WOT_NET_CANCELLED, NULL, 0);
	rearm(c);
	if (c->io.shutdown)
		c->io.shutdown(c->io.ctx, on_shutdown, c);
	else
		on_shutdown(c);
}

void wot_net_client_stats_get(const wot_net_client *c,
			      wot_net_client_stats *out)
{
	if (c)
		*out = c->st;
	else
		memset(out, 0, sizeof(*out));
}
