/*
 * forward.c - queries outside the overlay: answer from the cache, else hand
 * them to the upstream forwarder and answer the waiting client from its
 * reply, scrubbed (splice.c): what is cached and sent is our own message,
 * never the upstream's bytes. When every upstream fails, a stale cached
 * answer (RFC 8767) is better than SERVFAIL. Popular entries near expiry
 * are refreshed in the background (prefetch), so they never expire while
 * in use.
 */
#include "dns/resolver/cache.h"
#include "dns/resolver/server_int.h"
#include "util/util.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static void reply_servfail(wot_dns_server *s, const wot_dns_dest *d,
			   const wot_dns_query *q)
{
	size_t limit =
	    wot_dns_dest_tcp(d) ? WOT_DNS_TCP_MAX : wot_dns_query_udp_limit(q);
	size_t len =
	    wot_dns_error_response(q, WOT_RCODE_SERVFAIL, s->wbuf, limit);

	if (len)
		wot_dns_server_send(s, d, s->wbuf, len);
}

/* Answer from the cache; 1 if answered. Starts a prefetch when due. */
static int from_cache(wot_dns_server *s, const wot_dns_dest *d,
		      const wot_dns_query *q, int stale_ok, int *prefetch)
{
	size_t limit =
	    wot_dns_dest_tcp(d) ? WOT_DNS_TCP_MAX : wot_dns_query_udp_limit(q);
	/* Built where the listener sends it from, when it is to go now. */
	uint8_t *buf = d->out && d->cap >= limit ? d->out : s->wbuf;
	size_t len = 0;
	int r;

	if (!s->cache)
		return 0;
	r = wot_dns_cache_get(s->cache, q, wot_dns_server_now(s), stale_ok, buf,
			      limit, &len, prefetch);
	if (r == WOT_DNS_CACHE_MISS)
		return 0;
	if (r == WOT_DNS_CACHE_STALE)
		s->stats.cache_stale++;
	else
		s->stats.cache_hits++;
	wot_dns_server_send(s, d, buf, len);
	return 1;
}

void wot_dns_client_free(wot_dns_client *c)
{
	wot_dns_server *s = c->s;

	if (c->prev)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	/* Not answered by now: it never will be (a no-op once it ended). */
	if (!c->prefetch)
		wot_net_req_drop(&c->req);
	s->nclients--;
	for (size_t i = 0; i < c->nups; i++)
		free(c->ups[i]);
	free(c->cq);
	free(c);
}

void wot_dns_send_sized(wot_dns_server *s, const wot_dns_dest *d,
			const wot_dns_query *q, const uint8_t *buf, size_t len)
{
	uint8_t tc[WOT_DNS_HDR_LEN + WOT_DNS_NAME_MAX + 4 + WOT_DNS_OPT_LEN];
	size_t limit =
	    wot_dns_dest_tcp(d) ? WOT_DNS_TCP_MAX : wot_dns_query_udp_limit(q);
	size_t reserve = q->edns ? WOT_DNS_OPT_LEN : 0;
	wot_dns_msg m;

	if (len <= limit) {
		wot_dns_server_send(s, d, buf, len);
		return;
	}
	/* Header and question with TC: the client retries over TCP (RFC
	 * 7766). */
	if (wot_dns_msg_begin(&m, tc, sizeof(tc) - reserve, q,
			      (uint16_t)(wot_rd16(buf + 2) | WOT_F_TC)) < 0)
		return;
	m.cap = sizeof(tc);
	if (q->edns && wot_dns_msg_opt(&m, 0, q->edns_do) < 0)
		return;
	wot_dns_msg_finish(&m, wot_rd16(buf + 2) & 0xfu);
	wot_dns_server_send(s, d, tc, m.len);
}

/*
 * The reply scrubbed as the answer to cq (the question it answers) into
 * s->wbuf, and cached when it is the upstream's alone. Returns the length
 * of the answer in s->wbuf, 0 when it is not complete.
 */
static size_t scrub_and_cache(wot_dns_server *s, const wot_dns_query *cq,
			      const uint8_t *resp, size_t len)
{
	wot_dns_upreply up = {resp, len};
	wot_dns_splice_in in = {s->table, cq, &up, 1, s->max_ttl};
	wot_dns_splice_out out;

	if (wot_dns_splice(&in, s->wbuf, sizeof(s->wbuf), &out) < 0 ||
	    out.status != WOT_DNS_SPLICE_DONE)
		return 0;
	if (out.cacheable && s->cache)
		wot_dns_cache_put(s->cache, cq, s->wbuf, out.len,
				  wot_dns_server_now(s));
	return out.len;
}

int wot_dns_client_keep(wot_dns_client *c, const uint8_t *resp, size_t len)
{
	uint8_t *copy;

	if (c->nups == WOT_DNS_CHASE_MAX || !(copy = malloc(len ? len : 1)))
		return -1;
	memcpy(copy, resp, len);
	c->ups[c->nups] = copy;
	c->uplen[c->nups++] = len;
	return 0;
}

/* Every upstream failed: an expired cached answer for cq, if any, joins
 * c's replies (RFC 8767). Returns 1 if it did. */
static int stale_reply(wot_dns_server *s, wot_dns_client *c,
		       const wot_dns_query *cq)
{
	size_t len = 0;
	int r;

	if (!s->cache)
		return 0;
	r = wot_dns_cache_get(s->cache, cq, wot_dns_server_now(s), 1, s->wbuf,
			      sizeof(s->wbuf), &len, NULL);
	if (r == WOT_DNS_CACHE_MISS || wot_dns_client_keep(c, s->wbuf, len) < 0)
		return 0;
	if (r == WOT_DNS_CACHE_STALE)
		s->stats.cache_stale++;
	else
		s->stats.cache_hits++;
	return 1;
}

/* The answer once this reply is in; 1 if c waits on. */
static int client_answer(wot_dns_server *s, wot_dns_client *c,
			 const wot_dns_query *q, const wot_dns_query *cq,
			 const uint8_t *resp, size_t len)
{
	size_t whole;

	if (resp) {
		s->stats.upstream_answers++;
		whole = scrub_and_cache(s, cq, resp, len);
		/* The client's own question: s->wbuf is the answer. */
		if (whole && !c->cq && !c->prefetch) {
			wot_dns_send_sized(s, &c->dest, q, s->wbuf, whole);
			return 0;
		}
		if (c->prefetch)
			return 0;
		if (wot_dns_client_keep(c, resp, len) < 0) {
			reply_servfail(s, &c->dest, q);
			return 0;
		}
	} else if (c->prefetch) {
		return 0;
	} else if (!stale_reply(s, c, cq)) {
		s->stats.upstream_fail++;
		reply_servfail(s, &c->dest, q);
		return 0;
	}
	return wot_dns_chase_step(s, c, q);
}

void wot_dns_client_reply(void *data, const uint8_t *resp, size_t len)
{
	wot_dns_client *c = data;
	wot_dns_server *s = c->s;
	wot_dns_query q, cq;

	c->fwd = NULL;
	/* The query parsed before it was forwarded; parse it again rather
	 * than keep a large parse result per waiting client. */
	wot_dns_query_parse(c->query, c->qlen, &q);
	if (c->cq)
		wot_dns_query_parse(c->cq, c->cqlen, &cq);
	else
		cq = q;
	if (client_answer(s, c, &q, &cq, resp, len))
		return; /* asked the upstream about a CNAME target */
	if (!c->prefetch)
		wot_dns_server_latency(s, c->t0);
	wot_dns_client_free(c);
}

wot_dns_client *wot_dns_client_new(wot_dns_server *s, wot_dns_dest *d,
				   const uint8_t *pkt, size_t len)
{
	wot_dns_client *c = NULL;

	if (!s->up || s->nclients >= WOT_DNS_MAX_PENDING ||
	    (d && wot_net_req_pending(d->req) >= WOT_DNS_CONN_PENDING))
		return NULL;
	c = calloc(1, sizeof(*c) + len);
	if (!c)
		return NULL;
	c->s = s;
	c->prefetch = !d;
	c->dest.req = &c->req;
	if (d) {
		/* d is the request of now: the answer comes later */
		wot_net_req_keep(&c->req, d->req);
		d->kept = 1;
	}
	c->qlen = len;
	memcpy(c->query, pkt, len);
	c->next = s->clients;
	if (s->clients)
		s->clients->prev = c;
	s->clients = c;
	s->nclients++;
	return c;
}

/* Ask the upstreams c's question; -1 when it cannot be (no upstream,
 * out of memory): c is the caller's still. */
static int ask_upstream(wot_dns_server *s, wot_dns_client *c,
			const wot_dns_query *q)
{
	if (wot_dns_upstream_query(s->up, c->query, c->qlen, q,
				   wot_dns_dest_tcp(&c->dest),
				   wot_dns_client_reply, c, &c->fwd) < 0) {
		wot_log(WOT_LOG_WARNING, "dns", "forward: %s",
			wot_error_last());
		return -1;
	}
	return 0;
}

/* Refresh over UDP with no client waiting: the cache gets the answer, TC
 * makes the forwarder go on over TCP. */
static void prefetch(wot_dns_server *s, const uint8_t *pkt, size_t len,
		     const wot_dns_query *q)
{
	wot_dns_client *c = wot_dns_client_new(s, NULL, pkt, len);

	if (!c)
		return;
	if (ask_upstream(s, c, q) < 0)
		wot_dns_client_free(c);
	else
		s->stats.prefetches++;
}

void wot_dns_forward(wot_dns_server *s, wot_dns_dest *d, const uint8_t *pkt,
		     size_t len, uint64_t t0)
{
	wot_dns_client *c;
	wot_dns_query q;
	int due = 0;

	wot_dns_query_parse(pkt, len, &q);
	if (from_cache(s, d, &q, 0, &due)) {
		wot_dns_server_latency(s, t0);
		if (due)
			prefetch(s, pkt, len, &q);
		return;
	}
	c = wot_dns_client_new(s, d, pkt, len);
	if (c) {
		c->t0 = t0;
		if (ask_upstream(s, c, &q) == 0)
			return;
	}
	/* Not forwarded: a stale answer or SERVFAIL, to where the request
	 * is now (the client kept it, if there is one). */
	if (!from_cache(s, c ? &c->dest : d, &q, 1, NULL)) {
		s->stats.upstream_fail++;
		reply_servfail(s, c ? &c->dest : d, &q);
	}
	if (c)
		wot_dns_client_free(c);
	wot_dns_server_latency(s, t0);
}

static void client_cancel(wot_dns_client *c)
{
	if (c->fwd)
		wot_dns_upstream_cancel(c->fwd);
	wot_dns_client_free(c);
}

void wot_dns_client_cancel(void *ctx, wot_net_req *req)
{
	(void)ctx;
	/* req has ended (a drop): the client and its upstream query go. */
	client_cancel(
	    (wot_dns_client *)((char *)req - offsetof(wot_dns_client, req)));
}

void wot_dns_forward_cancel(wot_dns_server *s)
{
	wot_dns_client *c = s->clients, *next;

	for (; c; c = next) {
		next = c->next;
		client_cancel(c);
	}
}
