/*
 * chase.c - an overlay CNAME that points into the normal DNS. A recursive
 * server answers with the whole chain (RFC 1034 4.3.2, step 3a), and stub
 * resolvers such as glibc's rely on it: they do not follow a CNAME on their
 * own. So the overlay's part of the answer gets the target's records from
 * the cache or an upstream appended. This path is rare; it uses ldns.
 */
#include "dns/cache.h"
#include "dns/server_int.h"
#include "util/util.h"

#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

/* The query for the last CNAME target of the overlay's answer, asked with
 * the client's CD and DO bits; NULL if there is none. */
static ldns_pkt *target_query(const uint8_t *partial, size_t plen,
			      const wot_dns_query *q)
{
	ldns_pkt *p = NULL, *cq = NULL;
	ldns_rr_list *an;
	ldns_rr *last = NULL;

	if (ldns_wire2pkt(&p, partial, plen) != LDNS_STATUS_OK)
		return NULL;
	an = ldns_pkt_answer(p);
	if (an && ldns_rr_list_rr_count(an))
		last = ldns_rr_list_rr(an, ldns_rr_list_rr_count(an) - 1);
	if (last && ldns_rr_get_type(last) == LDNS_RR_TYPE_CNAME &&
	    ldns_rr_rd_count(last) == 1)
		cq = ldns_pkt_query_new(
		    ldns_rdf_clone(ldns_rr_rdf(last, 0)),
		    (ldns_rr_type)q->qtype, LDNS_RR_CLASS_IN,
		    (uint16_t)(LDNS_RD |
			       ((q->flags & WOT_F_CD) ? LDNS_CD : 0)));
	if (cq && q->edns) {
		ldns_pkt_set_edns_udp_size(cq, WOT_DNS_EDNS_SIZE);
		ldns_pkt_set_edns_do(cq, q->edns_do != 0);
	}
	ldns_pkt_free(p);
	return cq;
}

static void push_all(ldns_pkt *to, ldns_pkt_section sec, ldns_rr_list *from)
{
	for (size_t i = 0; from && i < ldns_rr_list_rr_count(from); i++)
		ldns_pkt_push_rr(to, sec,
				 ldns_rr_clone(ldns_rr_list_rr(from, i)));
}

/* partial + the target's answer; the rcode is the target's (RFC 6604).
 * Returns 0 with *out malloc'ed, or -1 when the upstream's reply is not
 * an answer worth appending. */
static int merge(const uint8_t *partial, size_t plen, const uint8_t *up,
		 size_t ulen, uint8_t **out, size_t *olen)
{
	ldns_pkt *p = NULL, *u = NULL;
	ldns_pkt_rcode rcode;
	int rc = -1;

	if (ldns_wire2pkt(&p, partial, plen) != LDNS_STATUS_OK ||
	    wot_dns_wire2pkt(&u, up, ulen) != LDNS_STATUS_OK)
		goto out;
	rcode = ldns_pkt_get_rcode(u);
	if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN)
		goto out;
	push_all(p, LDNS_SECTION_ANSWER, ldns_pkt_answer(u));
	/* A negative answer keeps the target zone's SOA. */
	if (!ldns_rr_list_rr_count(ldns_pkt_answer(u)))
		push_all(p, LDNS_SECTION_AUTHORITY, ldns_pkt_authority(u));
	ldns_pkt_set_rcode(p, rcode);
	if (ldns_pkt2wire(out, p, olen) == LDNS_STATUS_OK)
		rc = 0;
out:
	ldns_pkt_free(p);
	ldns_pkt_free(u);
	return rc;
}

/* Send buf, or just the header and question with TC when it is too big
 * for the UDP client. */
static void send_sized(wot_dns_server *s, wot_dns_listener *l,
		       wot_dns_conn *conn, const struct sockaddr_storage *addr,
		       const wot_dns_query *q, const uint8_t *buf, size_t len)
{
	size_t limit = conn ? WOT_DNS_TCP_MAX : wot_dns_query_udp_limit(q);
	size_t reserve = q->edns ? WOT_DNS_OPT_LEN : 0;
	uint16_t flags = (uint16_t)(wot_rd16(buf + 2) | WOT_F_TC);
	unsigned rcode = wot_rd16(buf + 2) & 0xfu;
	wot_dns_msg m;

	if (len <= limit) {
		wot_dns_server_send(s, l, conn, addr, buf, len);
		return;
	}
	if (wot_dns_msg_begin(&m, s->wbuf, limit - reserve, q, flags) < 0)
		return;
	m.cap = limit;
	if (q->edns && wot_dns_msg_opt(&m, 0) < 0)
		return;
	wot_dns_msg_finish(&m, rcode);
	wot_dns_server_send(s, l, conn, addr, s->wbuf, m.len);
}

/* Deliver partial with up's answer appended (partial alone if that fails). */
static void deliver(wot_dns_server *s, wot_dns_listener *l, wot_dns_conn *conn,
		    const struct sockaddr_storage *addr, const wot_dns_query *q,
		    const uint8_t *partial, size_t plen, const uint8_t *up,
		    size_t ulen)
{
	uint8_t *merged = NULL;
	size_t mlen = 0;

	if (up && merge(partial, plen, up, ulen, &merged, &mlen) == 0)
		send_sized(s, l, conn, addr, q, merged, mlen);
	else
		wot_dns_server_send(s, l, conn, addr, partial, plen);
	free(merged);
}

/* The target from the cache (stale_ok: also an expired answer); 1 if
 * delivered. */
static int from_cache(wot_dns_server *s, wot_dns_listener *l,
		      wot_dns_conn *conn, const struct sockaddr_storage *addr,
		      const wot_dns_query *q, const wot_dns_query *cq,
		      const uint8_t *partial, size_t plen, int stale_ok)
{
	uint8_t *buf;
	size_t blen = 0;
	int r;

	if (!s->cache || !(buf = malloc(WOT_DNS_TCP_MAX)))
		return 0;
	r = wot_dns_cache_get(s->cache, cq, uv_now(s->loop), stale_ok, buf,
			      WOT_DNS_TCP_MAX, &blen, NULL);
	if (r != WOT_DNS_CACHE_MISS) {
		if (r == WOT_DNS_CACHE_HIT)
			s->stats.cache_hits++;
		else
			s->stats.cache_stale++;
		deliver(s, l, conn, addr, q, partial, plen, buf, blen);
	}
	free(buf);
	return r != WOT_DNS_CACHE_MISS;
}

static void on_chase_done(void *data, const uint8_t *resp, size_t len)
{
	wot_dns_client *c = data;
	wot_dns_conn *conn = c->conn;
	wot_dns_server *s = c->s;
	const uint8_t *partial = c->chase, *cw = c->chase + c->partial_len;
	wot_dns_query q, cq;

	c->fwd = NULL;
	wot_dns_query_parse(c->query, c->qlen, &q);
	wot_dns_query_parse(cw, c->chase_len, &cq);
	if (resp) {
		s->stats.upstream_answers++;
		if (s->cache)
			wot_dns_cache_put(s->cache, &cq, resp, len,
					  uv_now(s->loop));
		deliver(s, c->l, conn, &c->addr, &q, partial, c->partial_len,
			resp, len);
	} else if (!from_cache(s, c->l, conn, &c->addr, &q, &cq, partial,
			       c->partial_len, 1)) {
		s->stats.upstream_fail++;
		deliver(s, c->l, conn, &c->addr, &q, partial, c->partial_len,
			NULL, 0);
	}
	wot_dns_server_latency(s, c->t0);
	wot_dns_client_free(c);
	if (conn)
		wot_dns_conn_settle(conn);
}

/* Ask the upstreams for the target; 0 if the query is on its way. */
static int ask_upstream(wot_dns_server *s, wot_dns_listener *l,
			wot_dns_conn *conn, const struct sockaddr_storage *addr,
			const uint8_t *pkt, size_t len, const uint8_t *partial,
			size_t plen, const uint8_t *cw, size_t cwlen,
			const wot_dns_query *cq, uint64_t t0)
{
	wot_dns_client *c = wot_dns_client_new(s, l, conn, addr, pkt, len);

	if (!c)
		return -1;
	if (!(c->chase = malloc(plen + cwlen))) {
		wot_dns_client_free(c);
		return -1;
	}
	memcpy(c->chase, partial, plen);
	memcpy(c->chase + plen, cw, cwlen);
	c->partial_len = plen;
	c->chase_len = cwlen;
	c->t0 = t0;
	if (wot_dns_upstream_query(s->up, c->chase + plen, cwlen, cq,
				   conn != NULL, on_chase_done, c,
				   &c->fwd) < 0) {
		wot_dns_client_free(c);
		return -1;
	}
	return 0;
}

void wot_dns_chase(wot_dns_server *s, wot_dns_listener *l, wot_dns_conn *conn,
		   const struct sockaddr_storage *addr, const uint8_t *pkt,
		   size_t len, const uint8_t *partial, size_t plen, uint64_t t0)
{
	wot_dns_query q, cq;
	ldns_pkt *qp = NULL;
	uint8_t *cw = NULL;
	size_t cwlen = 0;
	int waiting = 0, done = 0;

	wot_dns_query_parse(pkt, len, &q);
	qp = target_query(partial, plen, &q);
	if (qp && ldns_pkt2wire(&cw, qp, &cwlen) == LDNS_STATUS_OK &&
	    wot_dns_query_parse(cw, cwlen, &cq) == WOT_DNS_PARSE_OK &&
	    cq.has_question) {
		done = from_cache(s, l, conn, addr, &q, &cq, partial, plen, 0);
		if (!done)
			waiting =
			    ask_upstream(s, l, conn, addr, pkt, len, partial,
					 plen, cw, cwlen, &cq, t0) == 0;
	}
	if (!done && !waiting)
		wot_dns_server_send(s, l, conn, addr, partial, plen);
	if (!waiting) /* else counted when the upstream answers */
		wot_dns_server_latency(s, t0);
	ldns_pkt_free(qp);
	free(cw);
}
