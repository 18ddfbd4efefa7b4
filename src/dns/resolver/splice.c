/*
 * splice.c - every answer that holds upstream data is built here, from the
 * client's question, the overlay table and the upstream replies, never by
 * passing a reply through. The upstream is a party of the threat model
 * (DESIGN.md section 3), so what it says is read as a claim:
 *
 * - No record at or under an overlay apex is taken from an upstream, in
 *   any section. A CNAME chain that reaches such a name goes on in the
 *   overlay (which may send it out again: then another upstream question).
 * - Answer section: only the chain from the question name: records owned
 *   by the current name (the type asked, its RRSIGs, a CNAME to follow),
 *   and DNAMEs above it. Anything else there is dropped.
 * - Authority (bailiwick as far as a forwarder can tell): records owned by
 *   the final name of the chain or an ancestor of it (SOA, NS, DS ...),
 *   and NSEC, NSEC3 and RRSIG records under the deepest SOA or NS owner
 *   kept, for DNSSEC proofs.
 * - Additional: A, AAAA and RRSIG records of names that kept NS, MX or SRV
 *   records point to. The upstream's OPT and EDNS options never pass; the
 *   answer carries our own OPT.
 * - Records of another class, or a reply that does not answer the question
 *   asked, make the reply worthless (SERVFAIL).
 * - TTLs: a value with the top bit set counts as 0 (RFC 2181 section 8);
 *   none exceeds max_ttl.
 * - More than WOT_DNS_CNAME_HOPS CNAMEs in all is a loop: SERVFAIL.
 * - AA only when the overlay alone answered; AD only for an answer that is
 *   the upstream's alone, to clients that asked with DO or AD.
 *
 * Pure: no I/O, no allocation.
 */
#include "dns/resolver/resolver_int.h"
#include "util/util.h"

#include <string.h>

enum { ST_DONE, ST_REENTER, ST_LOOP, ST_FULL, ST_BAD };
enum { MAX_TARGETS = 16, RD_HEAD = 1600, MSG_BITS = 65536 };

/* One upstream reply, checked and split into sections. */
typedef struct {
	const uint8_t *pkt;
	size_t len;
	size_t sec[4]; /* offset of the first record of sections 1..3 */
	unsigned count[4];
	unsigned rcode;
	uint16_t flags;
} reply;

/* One record of a reply. */
typedef struct {
	uint8_t owner[WOT_DNS_NAME_MAX]; /* lowercase */
	size_t olen, start, rd, rdlen, next;
	uint16_t type, cls;
	uint32_t ttl;
} rrv;

typedef struct {
	const wot_dns_splice_in *in;
	wot_dns_msg *m;
	uint8_t written[MSG_BITS / 8]; /* records of the reply kept */
	uint8_t targets[MAX_TARGETS][WOT_DNS_NAME_MAX];
	size_t tlen[MAX_TARGETS], ntargets;
} sctx;

static int is_under(const uint8_t *name, size_t len, const uint8_t *anc,
		    size_t alen)
{
	size_t off = 0;

	for (;;) {
		if (len - off == alen && memcmp(name + off, anc, alen) == 0)
			return 1;
		if (off >= len || name[off] == 0)
			return 0;
		off += (size_t)name[off] + 1;
	}
}

static int covers(const sctx *c, const uint8_t *name, size_t len)
{
	return wot_dns_overlay_covers(c->in->t, name, len);
}

static int rr_at(const reply *r, size_t off, rrv *v)
{
	size_t end;

	if (wot_dns_read_name(r->pkt, r->len, off, v->owner, &v->olen, &end) <
		0 ||
	    end + 10 > r->len)
		return -1;
	wot_dns_name_lower(v->owner, v->olen);
	v->start = off;
	v->type = wot_rd16(r->pkt + end);
	v->cls = wot_rd16(r->pkt + end + 2);
	v->ttl = wot_rd32(r->pkt + end + 4);
	v->rdlen = wot_rd16(r->pkt + end + 8);
	v->rd = end + 10;
	v->next = v->rd + v->rdlen;
	/* An address of the wrong size is a malformed reply, not data a
	 * client could read: the whole reply is refused (RFC 1035 3.4.1). */
	if ((v->type == WOT_T_A && v->rdlen != 4) ||
	    (v->type == WOT_T_AAAA && v->rdlen != 16))
		return -1;
	return v->next <= r->len ? 0 : -1;
}

enum { RP_NOMATCH, RP_OK, RP_BAD };

/* Is pkt the reply to (name, qtype, IN)? Fills r when it is. */
static int reply_parse(const wot_dns_upreply *u, const uint8_t *name,
		       size_t len, uint16_t qtype, reply *r)
{
	uint8_t qn[WOT_DNS_NAME_MAX];
	size_t qlen, off;
	rrv v;

	memset(r, 0, sizeof(*r));
	r->pkt = u->pkt;
	r->len = u->len;
	if (u->len < WOT_DNS_HDR_LEN || wot_rd16(u->pkt + 4) != 1 ||
	    wot_dns_read_name(u->pkt, u->len, WOT_DNS_HDR_LEN, qn, &qlen,
			      &off) < 0 ||
	    off + 4 > u->len)
		return RP_NOMATCH;
	wot_dns_name_lower(qn, qlen);
	if (qlen != len || memcmp(qn, name, len) != 0 ||
	    wot_rd16(u->pkt + off) != qtype)
		return RP_NOMATCH;
	r->flags = wot_rd16(u->pkt + 2);
	r->rcode = r->flags & 0xfu;
	if (!(r->flags & WOT_F_QR) || WOT_OPCODE(r->flags) != 0 ||
	    (r->flags & WOT_F_TC) || wot_rd16(u->pkt + off + 2) != WOT_C_IN)
		return RP_BAD;
	off += 4;
	for (int s = 1; s <= 3; s++) {
		r->sec[s] = off;
		r->count[s] = wot_rd16(u->pkt + 4 + 2 * s);
		for (unsigned i = 0; i < r->count[s]; i++, off = v.next) {
			if (rr_at(r, off, &v) < 0)
				return RP_BAD;
			/* An extended rcode (RFC 6891) is no answer. */
			if (v.type == WOT_T_OPT && (s != 3 || (v.ttl >> 24)))
				return RP_BAD;
			if (s < 3 && v.cls != WOT_C_IN)
				return RP_BAD;
		}
	}
	return RP_OK;
}

static void mark(sctx *c, size_t off)
{
	c->written[off >> 3] |= (uint8_t)(1u << (off & 7));
}

static int marked(const sctx *c, size_t off)
{
	return (c->written[off >> 3] >> (off & 7)) & 1;
}

static uint32_t cap_ttl(uint32_t ttl, uint32_t max)
{
	if (ttl & 0x80000000u)
		return 0; /* RFC 2181 section 8 */
	return ttl < max ? ttl : max;
}

/*
 * The rdata of v with its names expanded: head holds the part up to the
 * last name, parts[1] the tail as it is. -1: malformed; 0: dropped type.
 */
static int expand_rdata(const reply *r, const rrv *v, uint8_t *head,
			wot_dns_part *parts, size_t *nparts)
{
	const wot_dns_rd_layout *l = wot_dns_rd_layout_of(v->type);
	size_t pos = v->rd, end = v->rd + v->rdlen, h = 0, nlen, ne;

	if (!l) {
		parts[0] = (wot_dns_part){r->pkt + v->rd, v->rdlen};
		*nparts = 1;
		return 1;
	}
	if (l->tail == WOT_DNS_RD_REFUSE)
		return 0;
	if ((pos += l->pre) > end)
		return -1;
	for (unsigned i = 0; i < l->strs; i++)
		if (pos >= end || (pos += 1u + r->pkt[pos]) > end)
			return -1;
	h = pos - v->rd;
	memcpy(head, r->pkt + v->rd, h);
	for (unsigned i = 0; i < l->names; i++) {
		if (wot_dns_read_name(r->pkt, end, pos, head + h, &nlen, &ne) <
		    0)
			return -1;
		h += nlen;
		pos = ne;
	}
	if (l->tail != WOT_DNS_RD_ANY && pos + (size_t)l->tail != end)
		return -1;
	parts[0] = (wot_dns_part){head, h};
	parts[1] = (wot_dns_part){r->pkt + pos, end - pos};
	*nparts = 2;
	return 1;
}

/* Copy v into section of the answer. -1: no room; 0 otherwise (a record
 * that cannot be read or is of a type never kept is left out). */
static int copy_rr(sctx *c, const reply *r, const rrv *v, int section)
{
	uint8_t head[RD_HEAD];
	wot_dns_part parts[2];
	size_t n = 0;

	if (marked(c, v->start))
		return 0;
	mark(c, v->start);
	if (expand_rdata(r, v, head, parts, &n) <= 0)
		return 0;
	return wot_dns_msg_rr_parts(
	    c->m,
	    &(wot_dns_rr_head){.section = section,
			       .owner = v->owner,
			       .owner_len = v->olen,
			       .type = v->type,
			       .ttl = cap_ttl(v->ttl, c->in->max_ttl),
			       .name_rdata = v->type == WOT_T_CNAME},
	    parts, n);
}

/* The name at the end of rdata (after skip fixed bytes), lowercase. */
static int rdata_name(const reply *r, const rrv *v, size_t skip, uint8_t *out,
		      size_t *olen)
{
	size_t end;

	if (v->rdlen < skip ||
	    wot_dns_read_name(r->pkt, v->rd + v->rdlen, v->rd + skip, out, olen,
			      &end) < 0)
		return -1;
	wot_dns_name_lower(out, *olen);
	return 0;
}

static int wanted(uint16_t type, uint16_t qtype)
{
	return type == qtype || type == WOT_T_RRSIG ||
	       (qtype == WOT_T_ANY && type != WOT_T_CNAME);
}

/*
 * One name of the chain in r's answer section: copy its records. Sets
 * *next when a CNAME is to be followed. ST_DONE or ST_FULL.
 */
static int chain_step(sctx *c, const reply *r, const uint8_t *cur,
		      size_t curlen, uint8_t *next, size_t *nlen)
{
	uint16_t qtype = c->in->q->qtype;
	int data = 0;
	rrv v;

	*nlen = 0;
	for (size_t i = 0, off = r->sec[1]; i < r->count[1];
	     i++, off = v.next) {
		int keep;
		rr_at(r, off, &v); /* checked by reply_parse */
		if (v.olen != curlen || memcmp(v.owner, cur, curlen) != 0) {
			keep = v.type == WOT_T_DNAME &&
			       is_under(cur, curlen, v.owner, v.olen) &&
			       !covers(c, v.owner, v.olen);
		} else if (v.type == WOT_T_CNAME && qtype != WOT_T_CNAME) {
			/* one CNAME per name (RFC 2181 10.1) */
			keep = !*nlen && rdata_name(r, &v, 0, next, nlen) == 0;
		} else {
			keep = wanted(v.type, qtype);
			data |= keep && v.type != WOT_T_RRSIG;
		}
		if (keep && copy_rr(c, r, &v, 1) < 0)
			return ST_FULL;
	}
	if (data)
		*nlen = 0; /* data and a CNAME at one name: the data wins */
	return ST_DONE;
}

/* Follow the chain from cur (updated) through r's answer section. */
static int upstream_walk(sctx *c, const reply *r, uint8_t *cur, size_t *curlen,
			 unsigned *hops)
{
	uint8_t next[WOT_DNS_NAME_MAX];
	size_t nlen;

	for (;;) {
		if (covers(c, cur, *curlen))
			return ST_REENTER;
		if (chain_step(c, r, cur, *curlen, next, &nlen) != ST_DONE)
			return ST_FULL;
		if (!nlen)
			return ST_DONE;
		if (++*hops > WOT_DNS_CNAME_HOPS)
			return ST_LOOP;
		memcpy(cur, next, nlen);
		*curlen = nlen;
	}
}

/* Remember the name an NS, MX or SRV record points to. */
static void note_target(sctx *c, const reply *r, const rrv *v)
{
	size_t skip = v->type == 2 ? 0 : v->type == 15 ? 2 : 6, n = c->ntargets;

	if ((v->type != 2 && v->type != 15 && v->type != 33) ||
	    n == MAX_TARGETS)
		return;
	if (rdata_name(r, v, skip, c->targets[n], &c->tlen[n]) == 0)
		c->ntargets++;
}

static int is_target(const sctx *c, const rrv *v)
{
	for (size_t i = 0; i < c->ntargets; i++)
		if (c->tlen[i] == v->olen &&
		    memcmp(c->targets[i], v->owner, v->olen) == 0)
			return 1;
	return 0;
}

/* Authority records in the bailiwick of the final name fin. pass 0: at
 * or above fin (*cut gets the deepest SOA or NS owner); pass 1: DNSSEC
 * proofs under *cut. */
static int authority_pass(sctx *c, const reply *r, const uint8_t *fin,
			  size_t flen, int pass, uint8_t *cut, size_t *cutlen)
{
	rrv v;

	for (size_t i = 0, off = r->sec[2]; i < r->count[2];
	     i++, off = v.next) {
		int keep;
		rr_at(r, off, &v);
		if (covers(c, v.owner, v.olen))
			continue;
		if (pass == 0) {
			keep = is_under(fin, flen, v.owner, v.olen);
			if (keep && (v.type == WOT_T_SOA || v.type == 2) &&
			    v.olen > *cutlen) {
				memcpy(cut, v.owner, v.olen);
				*cutlen = v.olen;
			}
		} else {
			keep = *cutlen &&
			       (v.type == 47 || v.type == 50 ||
				v.type == WOT_T_RRSIG) &&
			       is_under(v.owner, v.olen, cut, *cutlen);
		}
		if (keep && copy_rr(c, r, &v, 2) < 0)
			return -1;
	}
	return 0;
}

/* Authority and additional sections from the reply that ended the chain
 * at fin. -1 when there is no room. */
static int add_sections(sctx *c, const reply *r, const uint8_t *fin,
			size_t flen)
{
	uint8_t cut[WOT_DNS_NAME_MAX];
	size_t cutlen = 0;
	rrv v;

	if (authority_pass(c, r, fin, flen, 0, cut, &cutlen) < 0 ||
	    authority_pass(c, r, fin, flen, 1, cut, &cutlen) < 0)
		return -1;
	for (int s = 1; s <= 2; s++)
		for (size_t i = 0, off = r->sec[s]; i < r->count[s];
		     i++, off = v.next) {
			rr_at(r, off, &v);
			if (marked(c, v.start))
				note_target(c, r, &v);
		}
	for (size_t i = 0, off = r->sec[3]; i < r->count[3];
	     i++, off = v.next) {
		rr_at(r, off, &v);
		if (v.cls != WOT_C_IN ||
		    (v.type != WOT_T_A && v.type != WOT_T_AAAA &&
		     v.type != WOT_T_RRSIG) ||
		    !is_target(c, &v) || covers(c, v.owner, v.olen))
			continue;
		if (copy_rr(c, r, &v, 3) < 0)
			return -1;
	}
	return 0;
}

/* The reply among in->ups that answers name; RP_NOMATCH if none. */
static int find_reply(const wot_dns_splice_in *in, const uint8_t *name,
		      size_t len, reply *r)
{
	for (size_t i = 0; i < in->nups; i++) {
		int st = reply_parse(&in->ups[i], name, len, in->q->qtype, r);
		if (st != RP_NOMATCH)
			return st;
	}
	return RP_NOMATCH;
}

typedef struct {
	uint8_t cur[WOT_DNS_NAME_MAX];
	size_t curlen;
	unsigned hops, rcode;
	int overlay, upstream; /* who contributed */
	reply last;	       /* the reply that ended the chain */
	int have_last;
} chain;

/* The overlay's part at ch->cur. ST_DONE ends the answer; ST_REENTER
 * means the chain left the overlay again. */
static int overlay_part(sctx *c, chain *ch)
{
	const wot_dns_query *q = c->in->q;

	ch->overlay = 1;
	if (q->qtype == WOT_T_AXFR || q->qtype == WOT_T_IXFR)
		return ST_BAD;
	switch (wot_dns_overlay_walk(c->in->t, q, c->m, ch->cur, &ch->curlen,
				     &ch->hops, &ch->rcode)) {
	case WOT_DNS_WALK_DONE:
		return ST_DONE;
	case WOT_DNS_WALK_LEFT:
		return ST_REENTER;
	case WOT_DNS_WALK_LOOP:
		return ST_LOOP;
	default:
		return ST_FULL;
	}
}

/* One upstream reply's part; ST_REENTER: back into the overlay. */
static int upstream_part(sctx *c, chain *ch, const reply *r)
{
	size_t marks = (r->len >> 3) + 1;
	int st;

	ch->upstream = 1;
	/* The marks are offsets into one reply: clear as many as it has
	 * bytes (most replies are small; 8 KiB per call showed). */
	memset(c->written, 0,
	       marks < sizeof(c->written) ? marks : sizeof(c->written));
	if (r->rcode != WOT_RCODE_NOERROR && r->rcode != WOT_RCODE_NXDOMAIN) {
		ch->rcode = r->rcode; /* SERVFAIL, REFUSED: nothing to add */
		return ST_DONE;
	}
	st = upstream_walk(c, r, ch->cur, &ch->curlen, &ch->hops);
	if (st == ST_DONE) {
		ch->rcode = r->rcode;
		ch->last = *r;
		ch->have_last = 1;
	}
	return st;
}

/* Run the chain; ST_DONE, or the failure. *need set when an upstream
 * reply is missing for ch->cur. */
static int run_chain(sctx *c, chain *ch, int *need)
{
	reply r;
	int st;

	for (;;) {
		if (covers(c, ch->cur, ch->curlen)) {
			st = overlay_part(c, ch);
			if (st != ST_REENTER)
				return st;
			continue;
		}
		st = find_reply(c->in, ch->cur, ch->curlen, &r);
		if (st == RP_NOMATCH) {
			*need = 1;
			return ST_DONE;
		}
		if (st == RP_BAD)
			return ST_BAD;
		st = upstream_part(c, ch, &r);
		if (st != ST_REENTER)
			return st;
	}
}

static uint16_t final_flags(const sctx *c, const chain *ch, uint16_t flags)
{
	const wot_dns_query *q = c->in->q;

	if (ch->overlay && !ch->upstream)
		flags |= WOT_F_AA;
	if (!ch->overlay && ch->have_last && (ch->last.flags & WOT_F_AD) &&
	    (q->edns_do || (q->flags & WOT_F_AD)))
		flags |= WOT_F_AD;
	return flags;
}

int wot_dns_splice(const wot_dns_splice_in *in, uint8_t *buf, size_t cap,
		   wot_dns_splice_out *out)
{
	const wot_dns_query *q = in->q;
	uint16_t flags = (uint16_t)(WOT_F_QR | WOT_F_RA |
				    (q->flags & (WOT_F_RD | WOT_F_CD)));
	size_t reserve = q->edns ? WOT_DNS_OPT_LEN : 0;
	wot_dns_msg m;
	sctx c;
	chain ch;
	int st, need = 0;

	memset(out, 0, sizeof(*out));
	memset(&ch, 0, sizeof(ch));
	/* c.written: cleared by each upstream part before its use */
	c.in = in;
	c.m = &m;
	c.ntargets = 0;
	if (!q->has_question || cap < WOT_DNS_HDR_LEN + reserve ||
	    wot_dns_msg_begin(&m, buf, cap - reserve, q, flags) < 0)
		return wot_error_set(WOT_ELIMIT, "no room for an answer");
	memcpy(ch.cur, q->lname, q->qname_len);
	ch.curlen = q->qname_len;
	st = run_chain(&c, &ch, &need);
	if (need) {
		out->status = WOT_DNS_SPLICE_NEED;
		memcpy(out->need, ch.cur, ch.curlen);
		out->need_len = ch.curlen;
		return 0;
	}
	if (st == ST_DONE && ch.have_last &&
	    add_sections(&c, &ch.last, ch.cur, ch.curlen) < 0)
		st = ST_FULL;
	if (st == ST_DONE) {
		flags = final_flags(&c, &ch, flags);
	} else {
		wot_dns_msg_reset(&m);
		if (st == ST_FULL)
			flags |= WOT_F_TC;
		/* a loop, or a reply that is no answer */
		ch.rcode =
		    st == ST_FULL ? WOT_RCODE_NOERROR : WOT_RCODE_SERVFAIL;
	}
	wot_wr16(buf + 2, flags);
	m.cap = cap;
	if (q->edns && wot_dns_msg_opt(&m, 0, q->edns_do) < 0)
		return wot_error_set(WOT_ELIMIT, "no room for OPT");
	out->len = wot_dns_msg_finish(&m, ch.rcode);
	out->status = WOT_DNS_SPLICE_DONE;
	out->servfail = ch.rcode == WOT_RCODE_SERVFAIL;
	out->cacheable =
	    st == ST_DONE && !ch.overlay &&
	    (ch.rcode == WOT_RCODE_NOERROR || ch.rcode == WOT_RCODE_NXDOMAIN);
	return 0;
}
