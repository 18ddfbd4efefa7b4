/*
 * answer.c - authoritative answers from the overlay table (RFC 1034 4.3.2
 * with RFC 4592 wildcards, RFC 8482 minimal ANY, RFC 6891 EDNS sizes).
 * Pure: no I/O, no allocation.
 */
#include "dns/resolver/resolver_int.h"
#include "util/util.h"

#include <string.h>

typedef struct {
	const wot_dns_table *t;
	const wot_dns_query *q;
	wot_dns_msg *m;
	unsigned rcode;
} actx;

/* Closest enclosing zone apex of a lowercase name, NULL if none. *self
 * gets the name's own node (NULL if absent), so it is looked up once. */
static const wot_dns_node *find_apex(const wot_dns_table *t,
				     const uint8_t *name, size_t len,
				     const wot_dns_node **self)
{
	size_t off = 0;

	*self = NULL;
	if (!wot_dns_table_has_apex(t))
		return NULL;
	for (;;) {
		const wot_dns_node *n =
		    wot_dns_table_find(t, name + off, len - off);
		if (off == 0)
			*self = n;
		if (n && wot_dns_node_rrset(n, WOT_T_SOA))
			return n;
		if (name[off] == 0)
			return NULL;
		off += (size_t)name[off] + 1;
	}
}

/*
 * RFC 4592: the wildcard at the closest encloser, if the name itself does
 * not exist. The apex exists, so the walk stops there at the latest.
 */
static const wot_dns_node *find_wildcard(const wot_dns_table *t,
					 const uint8_t *name, size_t len)
{
	uint8_t wild[WOT_DNS_NAME_MAX];
	size_t off = 0;

	while (name[off] != 0) {
		off += (size_t)name[off] + 1;
		if (!wot_dns_table_find(t, name + off, len - off))
			continue;
		if (len - off + 2 > sizeof(wild))
			return NULL;
		wild[0] = 1;
		wild[1] = '*';
		memcpy(wild + 2, name + off, len - off);
		return wot_dns_table_find(t, wild, len - off + 2);
	}
	return NULL;
}

static int add_rrset(actx *c, int section, const uint8_t *owner,
		     size_t owner_len, const wot_dns_rrset *s)
{
	wot_dns_rr_head h = {.section = section,
			     .owner = owner,
			     .owner_len = owner_len,
			     .type = s->type,
			     .name_rdata = s->type == WOT_T_CNAME};

	for (uint32_t off = 0; off < s->len;) {
		size_t rdlen = wot_rd16(s->data + off + 4);
		h.ttl = wot_rd32(s->data + off);
		if (wot_dns_msg_rr(c->m, &h, s->data + off + 6, rdlen) < 0)
			return -1;
		off += 6 + (uint32_t)rdlen;
	}
	return 0;
}

/* SOA of the apex in authority, TTL capped by its minimum (RFC 2308). */
static int add_soa(actx *c, const wot_dns_node *apex)
{
	const wot_dns_rrset *s = wot_dns_node_rrset(apex, WOT_T_SOA);
	size_t rdlen = wot_rd16(s->data + 4);
	const uint8_t *rd = s->data + 6;
	wot_dns_rr_head h = {.section = 2,
			     .owner = apex->name,
			     .owner_len = apex->namelen,
			     .type = WOT_T_SOA,
			     .ttl = wot_rd32(s->data)};

	if (rdlen >= 4 && wot_rd32(rd + rdlen - 4) < h.ttl)
		h.ttl = wot_rd32(rd + rdlen - 4);
	return wot_dns_msg_rr(c->m, &h, rd, rdlen);
}

static const wot_dns_rrset *pick_rrset(const wot_dns_node *n, uint16_t qtype)
{
	/* RFC 8482: one RRset is a complete answer to ANY. */
	if (qtype == WOT_T_ANY)
		return n->nsets ? &n->sets[0] : NULL;
	return wot_dns_node_rrset(n, qtype);
}

/*
 * Answer name (lowercase) at one hop. Returns 1 when the CNAME target was
 * copied into name/len and the chain goes on, 0 when done, -1 on overflow.
 */
static int answer_hop(actx *c, const wot_dns_node *apex, uint8_t *name,
		      size_t *len, const wot_dns_node *n)
{
	const wot_dns_rrset *s, *cname;
	size_t tlen;

	if (!n)
		n = find_wildcard(c->t, name, *len);
	if (!n) {
		c->rcode = WOT_RCODE_NXDOMAIN;
		return add_soa(c, apex);
	}
	s = pick_rrset(n, c->q->qtype);
	if (s)
		return add_rrset(c, 1, name, *len, s);
	cname = wot_dns_node_rrset(n, WOT_T_CNAME);
	if (!cname)
		return add_soa(c, apex); /* NODATA, empty non-terminals too */
	if (add_rrset(c, 1, name, *len, cname) < 0)
		return -1;
	tlen = wot_rd16(cname->data + 4);
	if (wot_dns_name_len(cname->data + 6, tlen) != tlen)
		return 0;
	memcpy(name, cname->data + 6, tlen);
	wot_dns_name_lower(name, tlen);
	*len = tlen;
	return 1;
}

/* Returns WOT_DNS_FORWARD or WOT_DNS_REPLY; fills the message. */
int wot_dns_overlay_covers(const wot_dns_table *t, const uint8_t *lname,
			   size_t len)
{
	const wot_dns_node *self;

	return t && find_apex(t, lname, len, &self) != NULL;
}

/* Was name seen before in this walk? Adds it if not (and there is room). */
static int seen_before(uint8_t (*seen)[WOT_DNS_NAME_MAX], size_t *seenlen,
		       size_t *n, const uint8_t *name, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (seenlen[i] == len && memcmp(seen[i], name, len) == 0)
			return 1;
	if (*n <= WOT_DNS_CNAME_HOPS) {
		memcpy(seen[*n], name, len);
		seenlen[(*n)++] = len;
	}
	return 0;
}

int wot_dns_overlay_walk(const wot_dns_table *t, const wot_dns_query *q,
			 wot_dns_msg *m, uint8_t *name, size_t *len,
			 unsigned *hops, unsigned *rcode)
{
	uint8_t seen[WOT_DNS_CNAME_HOPS + 1][WOT_DNS_NAME_MAX];
	size_t seenlen[WOT_DNS_CNAME_HOPS + 1], nseen = 0;
	actx c = {t, q, m, WOT_RCODE_NOERROR};
	const wot_dns_node *self = NULL, *apex;

	apex = t ? find_apex(t, name, *len, &self) : NULL;
	seen_before(seen, seenlen, &nseen, name, *len);
	for (;;) {
		int r;
		if (!apex)
			return WOT_DNS_WALK_LEFT;
		r = answer_hop(&c, apex, name, len, self);
		if (r < 0)
			return WOT_DNS_WALK_FULL;
		if (r == 0) {
			*rcode = c.rcode;
			return WOT_DNS_WALK_DONE;
		}
		/* A name twice is a loop; a chain this long is as good as
		 * one (the bound is shared with the upstream's part). */
		if (seen_before(seen, seenlen, &nseen, name, *len) ||
		    ++*hops > WOT_DNS_CNAME_HOPS)
			return WOT_DNS_WALK_LOOP;
		apex = find_apex(t, name, *len, &self);
	}
}

/* Header flags and rcode of an error: RA only for standard queries, since
 * recursion is all we offer (RFC 1035 4.1.1: opcode and RD copied). */
static uint16_t error_flags(const wot_dns_query *q)
{
	uint16_t flags =
	    (uint16_t)(WOT_F_QR | (q->flags & (0x7800u | WOT_F_RD)));

	return WOT_OPCODE(q->flags) == 0 ? (uint16_t)(flags | WOT_F_RA) : flags;
}

size_t wot_dns_answer_types(const wot_dns_table *t, const uint8_t *lname,
			    size_t len, uint16_t *types, size_t cap)
{
	const wot_dns_node *self = NULL, *n;
	size_t k = 0;

	if (!find_apex(t, lname, len, &self))
		return 0;
	n = self ? self : find_wildcard(t, lname, len);
	for (size_t i = 0; n && i < n->nsets && k < cap; i++)
		types[k++] = n->sets[i].type;
	return k;
}

size_t wot_dns_error_response(const wot_dns_query *q, unsigned rcode,
			      uint8_t *resp, size_t cap)
{
	uint16_t flags = error_flags(q);
	size_t reserve = q->edns ? WOT_DNS_OPT_LEN : 0;
	wot_dns_msg m;

	if (cap < WOT_DNS_HDR_LEN + reserve)
		return 0;
	if (wot_dns_msg_begin(&m, resp, cap - reserve, q, flags) < 0) {
		wot_dns_query bare = *q;
		bare.has_question = 0;
		if (wot_dns_msg_begin(&m, resp, cap - reserve, &bare, flags) <
		    0)
			return 0;
	}
	m.cap = cap;
	if (q->edns && wot_dns_msg_opt(&m, rcode, q->edns_do) < 0)
		return 0;
	return wot_dns_msg_finish(&m, rcode);
}

/*
 * Fill m for a name of the overlay (or refuse). Returns the rcode; AA (the
 * answer is the overlay's alone) or TC go into *flags, and *action says
 * whether the chain leaves the overlay.
 */
static unsigned overlay_answer(const wot_dns_table *t, const wot_dns_query *q,
			       wot_dns_msg *m, uint16_t *flags, int *action)
{
	uint8_t name[WOT_DNS_NAME_MAX];
	size_t len = q->qname_len;
	unsigned hops = 0, rcode = WOT_RCODE_NOERROR;
	uint16_t qtype = q->qtype;

	if (q->qclass != WOT_C_IN && q->qclass != WOT_C_ANY)
		return WOT_RCODE_REFUSED;
	if (qtype == WOT_T_AXFR || qtype == WOT_T_IXFR ||
	    qtype == WOT_T_MAILA || qtype == WOT_T_MAILB)
		return WOT_RCODE_REFUSED; /* no zone transfers here */
	memcpy(name, q->lname, len);
	switch (wot_dns_overlay_walk(t, q, m, name, &len, &hops, &rcode)) {
	case WOT_DNS_WALK_DONE:
		*flags |= WOT_F_AA;
		return rcode;
	case WOT_DNS_WALK_LEFT:
		/* The normal DNS answers for the target: not ours alone. */
		*action = WOT_DNS_CHASE;
		return WOT_RCODE_NOERROR;
	case WOT_DNS_WALK_FULL:
		wot_dns_msg_reset(m);
		*flags |= WOT_F_AA | WOT_F_TC;
		return WOT_RCODE_NOERROR;
	default:
		wot_dns_msg_reset(m);
		return WOT_RCODE_SERVFAIL; /* a CNAME loop */
	}
}

static int answer_query(const wot_dns_table *t, const wot_dns_query *q,
			size_t limit, uint8_t *resp, size_t *resp_len,
			int *action)
{
	uint16_t flags = (uint16_t)(WOT_F_QR | WOT_F_RA |
				    (q->flags & (WOT_F_RD | WOT_F_CD)));
	size_t reserve = q->edns ? WOT_DNS_OPT_LEN : 0;
	unsigned rcode = WOT_RCODE_REFUSED;
	wot_dns_msg m;

	if (limit < WOT_DNS_HDR_LEN + reserve ||
	    wot_dns_msg_begin(&m, resp, limit - reserve, q, flags) < 0)
		return wot_error_set(WOT_ELIMIT,
				     "response buffer of %zu bytes too small",
				     limit);
	*action = WOT_DNS_REPLY;
	if (wot_dns_overlay_covers(t, q->lname, q->qname_len))
		rcode = overlay_answer(t, q, &m, &flags, action);
	else if (q->qclass == WOT_C_IN && (q->flags & WOT_F_RD)) {
		*action = WOT_DNS_FORWARD;
		return 0;
	}
	/* else another class (CHAOS version.bind and the like), or a
	 * question without RD (libnss_wotdns asks "is this the overlay's?"):
	 * REFUSED, never forwarded, so the upstream neither learns nor
	 * answers it. Without RD a CNAME out of the overlay is not chased
	 * either: the overlay answers for its part alone, authoritatively,
	 * as an authoritative server does (RFC 1034 4.3.2). */
	if (*action == WOT_DNS_CHASE && !(q->flags & WOT_F_RD)) {
		*action = WOT_DNS_REPLY;
		flags |= WOT_F_AA;
	}
	wot_wr16(resp + 2, flags);
	m.cap = limit;
	if (q->edns && wot_dns_msg_opt(&m, 0, q->edns_do) < 0)
		return wot_error_set(WOT_ELIMIT, "no room for OPT");
	*resp_len = wot_dns_msg_finish(&m, rcode);
	return 0;
}

static int reply_error(const wot_dns_query *q, unsigned rcode, uint8_t *resp,
		       size_t cap, size_t *resp_len, int *action)
{
	*resp_len = wot_dns_error_response(q, rcode, resp, cap);
	if (!*resp_len)
		return wot_error_set(
		    WOT_ELIMIT, "response buffer of %zu bytes too small", cap);
	*action = WOT_DNS_REPLY;
	return 0;
}

int wot_dns_answer(const wot_dns_table *t, const uint8_t *query, size_t qlen,
		   int tcp, uint8_t *resp, size_t resp_cap, size_t *resp_len,
		   int *action)
{
	wot_dns_query q;
	size_t limit;
	int st;

	if (!resp_len || !action)
		return wot_error_set(WOT_EINVAL, "no output arguments");
	*resp_len = 0;
	*action = WOT_DNS_DROP;
	if (!resp)
		return wot_error_set(WOT_EINVAL, "no response buffer");
	st = wot_dns_query_parse(query, qlen, &q);
	if (st == WOT_DNS_PARSE_NOHDR || (q.flags & WOT_F_QR))
		return 0; /* never answer answers: no reflection loops */
	limit = tcp ? WOT_DNS_TCP_MAX : wot_dns_query_udp_limit(&q);
	if (limit > resp_cap)
		limit = resp_cap;
	/* RFC 8906 section 3.1.4: an unknown opcode is NOTIMP, whatever
	 * follows the header. */
	if (WOT_OPCODE(q.flags) != 0)
		return reply_error(&q, WOT_RCODE_NOTIMP, resp, limit, resp_len,
				   action);
	if (st == WOT_DNS_PARSE_BAD || q.qdcount != 1)
		return reply_error(&q, WOT_RCODE_FORMERR, resp, limit, resp_len,
				   action);
	if (q.edns && q.edns_version != 0)
		return reply_error(&q, WOT_RCODE_BADVERS, resp, limit, resp_len,
				   action);
	return answer_query(t, &q, limit, resp, resp_len, action);
}
