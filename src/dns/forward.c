/*
 * forward.c - queries outside the overlay: answer from the cache, else hand
 * them to the upstream forwarder and deliver its answer to the waiting
 * client. When every upstream fails, a stale cached answer (RFC 8767) is
 * better than SERVFAIL. Popular entries near expiry are refreshed in the
 * background (prefetch), so they never expire while in use.
 */
#include "dns/cache.h"
#include "dns/server_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static void reply_servfail(wot_dns_server *s, wot_dns_listener *l,
			   wot_dns_conn *conn,
			   const struct sockaddr_storage *addr,
			   const wot_dns_query *q)
{
	size_t limit = conn ? WOT_DNS_TCP_MAX : wot_dns_query_udp_limit(q);
	size_t len =
	    wot_dns_error_response(q, WOT_RCODE_SERVFAIL, s->wbuf, limit);

	if (len)
		wot_dns_server_send(s, l, conn, addr, s->wbuf, len);
}

/* Answer from the cache; 1 if answered. Starts a prefetch when due. */
static int from_cache(wot_dns_server *s, wot_dns_listener *l,
		      wot_dns_conn *conn, const struct sockaddr_storage *addr,
		      const wot_dns_query *q, int stale_ok, int *prefetch)
{
	size_t limit = conn ? WOT_DNS_TCP_MAX : wot_dns_query_udp_limit(q);
	size_t len = 0;
	int r;

	if (!s->cache)
		return 0;
	r = wot_dns_cache_get(s->cache, q, uv_now(s->loop), stale_ok, s->wbuf,
			      limit, &len, prefetch);
	if (r == WOT_DNS_CACHE_MISS)
		return 0;
	if (r == WOT_DNS_CACHE_STALE)
		s->stats.cache_stale++;
	else
		s->stats.cache_hits++;
	wot_dns_server_send(s, l, conn, addr, s->wbuf, len);
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
	if (c->conn)
		c->conn->pending--;
	s->nclients--;
	free(c->chase);
	free(c);
}

/*
 * Too big for the UDP client: header and question with TC, so the client
 * retries over TCP (RFC 7766).
 */
static void deliver_truncated(wot_dns_client *c, const wot_dns_query *q,
			      const uint8_t *resp, size_t limit)
{
	uint16_t flags = (uint16_t)(wot_rd16(resp + 2) | WOT_F_TC);
	size_t reserve = q->edns ? WOT_DNS_OPT_LEN : 0;
	wot_dns_msg m;

	if (wot_dns_msg_begin(&m, c->s->wbuf, limit - reserve, q, flags) < 0)
		return;
	m.cap = limit;
	if (q->edns && wot_dns_msg_opt(&m, 0) < 0)
		return;
	wot_dns_msg_finish(&m, wot_rd16(resp + 2) & 0xfu);
	wot_dns_server_send(c->s, c->l, NULL, &c->addr, c->s->wbuf, m.len);
}

static void on_upstream_done(void *data, const uint8_t *resp, size_t len)
{
	wot_dns_client *c = data;
	wot_dns_conn *conn = c->conn;
	wot_dns_server *s = c->s;
	wot_dns_query q;
	size_t limit;

	c->fwd = NULL;
	/* The query parsed before it was forwarded; parse it again rather
	 * than keep a large parse result per waiting client. */
	wot_dns_query_parse(c->query, c->qlen, &q);
	limit = conn ? WOT_DNS_TCP_MAX : wot_dns_query_udp_limit(&q);
	if (resp) {
		s->stats.upstream_answers++;
		if (s->cache)
			wot_dns_cache_put(s->cache, &q, resp, len,
					  uv_now(s->loop));
	}
	if (c->prefetch) {
		/* nothing to deliver */
	} else if (!resp) {
		if (!from_cache(s, c->l, conn, &c->addr, &q, 1, NULL)) {
			s->stats.upstream_fail++;
			reply_servfail(s, c->l, conn, &c->addr, &q);
		}
		wot_dns_server_latency(s, c->t0);
	} else if (len > limit) {
		deliver_truncated(c, &q, resp, limit);
	} else {
		wot_dns_server_send(s, c->l, conn, &c->addr, resp, len);
	}
	if (resp && !c->prefetch)
		wot_dns_server_latency(s, c->t0);
	wot_dns_client_free(c);
	if (conn)
		wot_dns_conn_settle(conn);
}

wot_dns_client *wot_dns_client_new(wot_dns_server *s, wot_dns_listener *l,
				   wot_dns_conn *conn,
				   const struct sockaddr_storage *addr,
				   const uint8_t *pkt, size_t len)
{
	wot_dns_client *c = NULL;

	if (!s->up || s->nclients >= WOT_DNS_MAX_PENDING ||
	    (conn && conn->pending >= WOT_DNS_CONN_PENDING))
		return NULL;
	c = calloc(1, sizeof(*c) + len);
	if (!c)
		return NULL;
	c->s = s;
	c->l = l;
	c->conn = conn;
	if (addr)
		c->addr = *addr;
	c->qlen = len;
	memcpy(c->query, pkt, len);
	c->next = s->clients;
	if (s->clients)
		s->clients->prev = c;
	s->clients = c;
	s->nclients++;
	if (conn)
		conn->pending++;
	return c;
}

/* Queue a query for the upstreams; NULL when it cannot be (full, no
 * upstream, out of memory). */
static wot_dns_client *start_upstream(wot_dns_server *s, wot_dns_listener *l,
				      wot_dns_conn *conn,
				      const struct sockaddr_storage *addr,
				      const uint8_t *pkt, size_t len,
				      const wot_dns_query *q)
{
	wot_dns_client *c = wot_dns_client_new(s, l, conn, addr, pkt, len);

	if (!c)
		return NULL;
	if (wot_dns_upstream_query(s->up, c->query, len, q, conn != NULL,
				   on_upstream_done, c, &c->fwd) < 0) {
		wot_log(WOT_LOG_WARNING, "dns", "forward: %s",
			wot_error_last());
		wot_dns_client_free(c);
		return NULL;
	}
	return c;
}

void wot_dns_forward(wot_dns_server *s, wot_dns_listener *l, wot_dns_conn *conn,
		     const struct sockaddr_storage *addr, const uint8_t *pkt,
		     size_t len, uint64_t t0)
{
	wot_dns_client *c;
	wot_dns_query q;
	int prefetch = 0;

	wot_dns_query_parse(pkt, len, &q);
	if (from_cache(s, l, conn, addr, &q, 0, &prefetch)) {
		wot_dns_server_latency(s, t0);
		/* Refresh over UDP with no client waiting: the cache gets
		 * the answer, TC makes the forwarder go on over TCP. */
		if (prefetch &&
		    (c = start_upstream(s, NULL, NULL, NULL, pkt, len, &q))) {
			c->prefetch = 1;
			s->stats.prefetches++;
		}
		return;
	}
	c = start_upstream(s, l, conn, addr, pkt, len, &q);
	if (c) {
		c->t0 = t0;
		return;
	}
	if (!from_cache(s, l, conn, addr, &q, 1, NULL)) {
		s->stats.upstream_fail++;
		reply_servfail(s, l, conn, addr, &q);
	}
	wot_dns_server_latency(s, t0);
}

void wot_dns_forward_cancel(wot_dns_server *s, wot_dns_conn *conn)
{
	wot_dns_client *c = s->clients, *next;

	for (; c; c = next) {
		next = c->next;
		if (conn && c->conn != conn)
			continue;
		if (c->fwd)
			wot_dns_upstream_cancel(c->fwd);
		wot_dns_client_free(c);
	}
}
