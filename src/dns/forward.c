/*
 * forward.c - queries outside the overlay: hand them to the upstream
 * forwarder and deliver its answer (or SERVFAIL) to the waiting client.
 * A response cache would sit in wot_dns_forward(), before the upstream call,
 * and be filled in on_upstream_done().
 */
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

static void client_free(wot_dns_client *c)
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
	wot_dns_query q;
	size_t limit;

	c->fwd = NULL;
	/* The query parsed before it was forwarded; parse it again rather
	 * than keep a large parse result per waiting client. */
	wot_dns_query_parse(c->query, c->qlen, &q);
	limit = conn ? WOT_DNS_TCP_MAX : wot_dns_query_udp_limit(&q);
	if (!resp) {
		c->s->stats.upstream_fail++;
		reply_servfail(c->s, c->l, conn, &c->addr, &q);
	} else if (len > limit) {
		deliver_truncated(c, &q, resp, limit);
	} else {
		wot_dns_server_send(c->s, c->l, conn, &c->addr, resp, len);
	}
	client_free(c);
	if (conn)
		wot_dns_conn_settle(conn);
}

void wot_dns_forward(wot_dns_server *s, wot_dns_listener *l, wot_dns_conn *conn,
		     const struct sockaddr_storage *addr, const uint8_t *pkt,
		     size_t len)
{
	wot_dns_client *c = NULL;
	wot_dns_query q;
	int rc;

	wot_dns_query_parse(pkt, len, &q);
	if (!s->up || s->nclients >= WOT_DNS_MAX_PENDING ||
	    (conn && conn->pending >= WOT_DNS_CONN_PENDING))
		goto fail;
	c = calloc(1, sizeof(*c) + len);
	if (!c)
		goto fail;
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
	rc = wot_dns_upstream_query(s->up, c->query, len, &q, conn != NULL,
				    on_upstream_done, c, &c->fwd);
	if (rc < 0) {
		wot_log(WOT_LOG_WARNING, "dns", "forward: %s",
			wot_error_last());
		client_free(c);
		goto fail;
	}
	return;
fail:
	s->stats.upstream_fail++;
	reply_servfail(s, l, conn, addr, &q);
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
		client_free(c);
	}
}
