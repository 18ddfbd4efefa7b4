/*
 * chase.c - answers whose CNAME chain crosses between the overlay and the
 * normal DNS. A recursive server answers with the whole chain (RFC 1034
 * 4.3.2, step 3a), and stub resolvers such as glibc's rely on it: they do
 * not follow a CNAME on their own. splice.c builds each answer from the
 * overlay and the upstream replies gathered so far; when the chain reaches
 * a name outside the overlay that no reply covers, the target is asked
 * (cache first), at most WOT_DNS_CHASE_MAX times for one answer.
 */
#include "dns/resolver/cache.h"
#include "dns/resolver/server_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* The query (ID 0, RD, the client's CD, EDNS and DO) for name, q's type,
 * class IN, into buf; its length, 0 if it does not fit. */
static size_t target_query(const wot_dns_query *q, const uint8_t *name,
			   size_t len, uint8_t *buf, size_t cap)
{
	wot_dns_query t;
	wot_dns_msg m;

	memset(&t, 0, sizeof(t));
	memcpy(t.qname, name, len);
	t.qname_len = len;
	t.qtype = q->qtype;
	t.qclass = WOT_C_IN;
	t.has_question = 1;
	if (wot_dns_msg_begin(&m, buf, cap, &t,
			      (uint16_t)(WOT_F_RD | (q->flags & WOT_F_CD))) < 0)
		return 0;
	if (q->edns && wot_dns_msg_opt(&m, 0, q->edns_do) < 0)
		return 0;
	return wot_dns_msg_finish(&m, 0);
}

static void send_servfail(wot_dns_server *s, wot_dns_client *c,
			  const wot_dns_query *q)
{
	size_t limit = wot_dns_dest_tcp(&c->dest) ? WOT_DNS_TCP_MAX
						  : wot_dns_query_udp_limit(q);
	size_t len =
	    wot_dns_error_response(q, WOT_RCODE_SERVFAIL, s->wbuf, limit);

	if (len && !c->prefetch)
		wot_dns_server_send(s, &c->dest, s->wbuf, len);
}

/* Fresh cached answer for cq into c's replies; 1 if there was one. */
static int target_from_cache(wot_dns_server *s, wot_dns_client *c,
			     const wot_dns_query *cq)
{
	uint8_t *buf;
	size_t blen = 0;
	int r = WOT_DNS_CACHE_MISS;

	if (!s->cache || !(buf = malloc(WOT_DNS_TCP_MAX)))
		return 0;
	r = wot_dns_cache_get(s->cache, cq, wot_dns_server_now(s), 0, buf,
			      WOT_DNS_TCP_MAX, &blen, NULL);
	if (r == WOT_DNS_CACHE_HIT && wot_dns_client_keep(c, buf, blen) < 0)
		r = WOT_DNS_CACHE_MISS;
	if (r == WOT_DNS_CACHE_HIT)
		s->stats.cache_hits++;
	free(buf);
	return r == WOT_DNS_CACHE_HIT;
}

/* A target under a TLD only the overlay has, that the overlay does not
 * hold, is answered here as serve answers it when asked (local.c), never
 * upstream: 1 when so (the reply joins the upstream ones). */
static int target_local(wot_dns_server *s, wot_dns_client *c,
			const wot_dns_query *cq)
{
	uint8_t buf[WOT_DNS_HDR_LEN + WOT_DNS_NAME_MAX + 4 + WOT_DNS_OPT_LEN];
	unsigned rcode;
	size_t len;

	if (s->forward_overlay_tlds ||
	    !wot_dns_overlay_tld_rcode(s->table, cq->lname, cq->qname_len,
				       &s->tld_is_public, &rcode) ||
	    !(len = wot_dns_error_response(cq, rcode, buf, sizeof(buf))))
		return 0;
	wot_wr16(buf + 2, (uint16_t)(wot_rd16(buf + 2) | WOT_F_AA));
	return wot_dns_client_keep(c, buf, len) == 0;
}

/* Ask about out->need: from the cache (1: go on splicing), else from the
 * upstreams (2: waiting); 0 on failure. */
static int ask_target(wot_dns_server *s, wot_dns_client *c,
		      const wot_dns_query *q, const wot_dns_splice_out *out)
{
	uint8_t wire[WOT_DNS_HDR_LEN + WOT_DNS_NAME_MAX + 4 + WOT_DNS_OPT_LEN];
	size_t wlen =
	    target_query(q, out->need, out->need_len, wire, sizeof(wire));
	wot_dns_query cq;

	if (!wlen || c->nups == WOT_DNS_CHASE_MAX ||
	    wot_dns_query_parse(wire, wlen, &cq) != WOT_DNS_PARSE_OK)
		return 0;
	if (target_local(s, c, &cq) || target_from_cache(s, c, &cq))
		return 1;
	free(c->cq);
	if (!(c->cq = malloc(wlen)))
		return 0;
	memcpy(c->cq, wire, wlen);
	c->cqlen = wlen;
	if (wot_dns_upstream_query(s->up, c->cq, wlen, &cq,
				   wot_dns_dest_tcp(&c->dest),
				   wot_dns_client_reply, c, &c->fwd) < 0)
		return 0;
	return 2;
}

int wot_dns_chase_step(wot_dns_server *s, wot_dns_client *c,
		       const wot_dns_query *q)
{
	wot_dns_upreply ups[WOT_DNS_CHASE_MAX];
	wot_dns_splice_in in = {s->table, q, ups, 0, s->max_ttl};
	wot_dns_splice_out out;

	for (;;) {
		for (in.nups = 0; in.nups < c->nups; in.nups++)
			ups[in.nups] = (wot_dns_upreply){c->ups[in.nups],
							 c->uplen[in.nups]};
		if (wot_dns_splice(&in, s->wbuf, sizeof(s->wbuf), &out) < 0)
			break;
		if (out.status == WOT_DNS_SPLICE_DONE) {
			if (!c->prefetch)
				wot_dns_send_sized(s, &c->dest, q, s->wbuf,
						   out.len);
			return 0;
		}
		if (c->prefetch)
			return 0; /* the cache has what was asked for */
		switch (ask_target(s, c, q, &out)) {
		case 1:
			continue;
		case 2:
			return 1;
		default:
			break;
		}
		break;
	}
	send_servfail(s, c, q);
	return 0;
}

void wot_dns_chase(wot_dns_server *s, wot_dns_dest *d, const uint8_t *pkt,
		   size_t len, const uint8_t *partial, size_t plen, uint64_t t0)
{
	wot_dns_client *c = wot_dns_client_new(s, d, pkt, len);
	wot_dns_query q;

	if (!c) {
		/* No upstream to ask (or too busy): the overlay's part. */
		wot_dns_server_send(s, d, partial, plen);
		wot_dns_server_latency(s, t0);
		return;
	}
	c->t0 = t0;
	wot_dns_query_parse(pkt, len, &q);
	if (wot_dns_chase_step(s, c, &q))
		return; /* latency counted when the upstream answers */
	wot_dns_server_latency(s, t0);
	wot_dns_client_free(c);
}
