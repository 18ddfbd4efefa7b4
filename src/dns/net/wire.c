/*
 * wire.c - bounds-checked DNS wire reading (queries, upstream replies) and a
 * small response writer with name compression. Every byte read comes from
 * the network, so each access is checked against the packet length.
 */
#include "dns/net/net.h"

#include <stdio.h>
#include <string.h>

/* Pointer chains longer than this are hostile (a name has <= 127 labels). */
enum { MAX_JUMPS = 127 };

size_t wot_dns_name_len(const uint8_t *p, size_t avail)
{
	size_t off = 0;

	while (off < avail && off < WOT_DNS_NAME_MAX) {
		uint8_t c = p[off];
		if (c == 0)
			return off + 1;
		if (c > 63)
			return 0;
		off += (size_t)c + 1;
	}
	return 0;
}

static uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

void wot_dns_name_lower(uint8_t *name, size_t len)
{
	size_t off = 0;

	while (off < len && name[off]) {
		size_t l = name[off];
		for (size_t i = off + 1; i <= off + l && i < len; i++)
			name[i] = lower(name[i]);
		off += l + 1;
	}
}

size_t wot_dns_name_parent(const uint8_t *name, size_t len)
{
	if (len == 0 || name[0] == 0)
		return len;
	return (size_t)name[0] + 1 < len ? (size_t)name[0] + 1 : len;
}

/*
 * Read a possibly compressed name at off into out (uncompressed wire);
 * *end is the offset after the name's bytes at off. -1 if malformed.
 */
int wot_dns_read_name(const uint8_t *pkt, size_t len, size_t off, uint8_t *out,
		      size_t *outlen, size_t *end)
{
	size_t o = 0, pos = off, jumps = 0;

	*end = 0;
	for (;;) {
		uint8_t c;
		if (pos >= len)
			return -1;
		c = pkt[pos];
		if ((c & 0xC0) == 0xC0) {
			size_t ptr;
			if (pos + 1 >= len || ++jumps > MAX_JUMPS)
				return -1;
			ptr = ((size_t)(c & 0x3f) << 8) | pkt[pos + 1];
			if (ptr >= pos)
				return -1; /* only backwards: no loops */
			if (!*end)
				*end = pos + 2;
			pos = ptr;
			continue;
		}
		if (c > 63 || o + c + 1 > WOT_DNS_NAME_MAX || pos + 1 + c > len)
			return -1;
		memcpy(out + o, pkt + pos, (size_t)c + 1);
		o += (size_t)c + 1;
		if (c == 0)
			break;
		pos += (size_t)c + 1;
	}
	if (!*end)
		*end = pos + 1;
	*outlen = o;
	return 0;
}

static int parse_question(const uint8_t *pkt, size_t len, wot_dns_query *q)
{
	size_t end;

	if (wot_dns_read_name(pkt, len, WOT_DNS_HDR_LEN, q->qname,
			      &q->qname_len, &end) < 0 ||
	    end + 4 > len)
		return -1;
	q->qtype = wot_rd16(pkt + end);
	q->qclass = wot_rd16(pkt + end + 2);
	q->qend = end + 4;
	memcpy(q->lname, q->qname, q->qname_len);
	wot_dns_name_lower(q->lname, q->qname_len);
	q->has_question = 1;
	return 0;
}

/* Skip (and validate) one RR at *off; note an OPT if in_additional. */
static int skip_rr(const uint8_t *pkt, size_t len, size_t *off,
		   wot_dns_query *q, int in_additional)
{
	uint8_t name[WOT_DNS_NAME_MAX];
	size_t nlen, end, rdlen;
	uint16_t type;

	if (wot_dns_read_name(pkt, len, *off, name, &nlen, &end) < 0 ||
	    end + 10 > len)
		return -1;
	type = wot_rd16(pkt + end);
	rdlen = wot_rd16(pkt + end + 8);
	if (end + 10 + rdlen > len)
		return -1;
	if (type == WOT_T_OPT) {
		/* RFC 6891: one OPT, owned by the root, in additional only. */
		if (!in_additional || q->edns || nlen != 1)
			return -1;
		q->edns = 1;
		q->opt_off = end + 2;
		q->edns_size = wot_rd16(pkt + end + 2);
		q->edns_version = pkt[end + 5];
		q->edns_do = (pkt[end + 6] & 0x80) != 0;
	}
	*off = end + 10 + rdlen;
	return 0;
}

/* Skip n questions (qdcount other than 1) from *off. */
static int skip_questions(const uint8_t *pkt, size_t len, unsigned n,
			  size_t *off)
{
	uint8_t name[WOT_DNS_NAME_MAX];
	size_t nlen, end;

	for (unsigned i = 0; i < n; i++) {
		if (wot_dns_read_name(pkt, len, *off, name, &nlen, &end) < 0 ||
		    end + 4 > len)
			return -1;
		*off = end + 4;
	}
	return 0;
}

int wot_dns_query_parse(const uint8_t *pkt, size_t len, wot_dns_query *q)
{
	size_t off = WOT_DNS_HDR_LEN;
	unsigned nrr, nar;

	memset(q, 0, sizeof(*q));
	if (!pkt || len < WOT_DNS_HDR_LEN)
		return WOT_DNS_PARSE_NOHDR;
	q->id = wot_rd16(pkt);
	q->flags = wot_rd16(pkt + 2);
	q->qdcount = wot_rd16(pkt + 4);
	if (q->qdcount == 1) {
		if (parse_question(pkt, len, q) < 0)
			return WOT_DNS_PARSE_BAD;
		off = q->qend;
	} else if (skip_questions(pkt, len, q->qdcount, &off) < 0) {
		return WOT_DNS_PARSE_BAD;
	}
	/* Read on when the caller refuses the questions anyway: its FORMERR
	 * keeps an OPT the query had (RFC 6891 section 7). */
	nrr = (unsigned)wot_rd16(pkt + 6) + wot_rd16(pkt + 8);
	nar = wot_rd16(pkt + 10);
	for (unsigned i = 0; i < nrr + nar; i++)
		if (skip_rr(pkt, len, &off, q, i >= nrr) < 0)
			return WOT_DNS_PARSE_BAD;
	return WOT_DNS_PARSE_OK;
}

size_t wot_dns_query_udp_limit(const wot_dns_query *q)
{
	if (!q->edns || q->edns_size <= WOT_DNS_UDP_MIN)
		return WOT_DNS_UDP_MIN;
	return q->edns_size < WOT_DNS_EDNS_SIZE ? q->edns_size
						: WOT_DNS_EDNS_SIZE;
}

int wot_dns_reply_matches(const uint8_t *pkt, size_t len, uint16_t id,
			  const uint8_t *lname, size_t lname_len,
			  uint16_t qtype, uint16_t qclass)
{
	uint8_t name[WOT_DNS_NAME_MAX];
	size_t nlen, end;
	uint16_t flags;

	if (len < WOT_DNS_HDR_LEN || wot_rd16(pkt) != id)
		return 0;
	flags = wot_rd16(pkt + 2);
	if (!(flags & WOT_F_QR) || WOT_OPCODE(flags) != 0 ||
	    wot_rd16(pkt + 4) != 1)
		return 0;
	if (wot_dns_read_name(pkt, len, WOT_DNS_HDR_LEN, name, &nlen, &end) <
		0 ||
	    end + 4 > len || nlen != lname_len)
		return 0;
	wot_dns_name_lower(name, nlen);
	return memcmp(name, lname, nlen) == 0 && wot_rd16(pkt + end) == qtype &&
	       wot_rd16(pkt + end + 2) == qclass;
}

/*
 * Walk every record by its RDLENGTH, as this file and cache.c do, and
 * check that ldns reads each one to the same end: ldns reads an RDATA by
 * its type's fields and goes on after them, so an A record with an
 * RDLENGTH of 20 would hide a record of its own in its last 16 bytes
 * from one reader and not the other. Also refuse more than one OPT or
 * TSIG in additional: ldns 1.8.3 keeps the last and leaks the others.
 */
static int ldns_agrees(const uint8_t *pkt, size_t len)
{
	uint8_t name[WOT_DNS_NAME_MAX];
	unsigned nq, nrr, nar, opt = 0, tsig = 0;
	size_t off = WOT_DNS_HDR_LEN, nlen, end, pos;
	ldns_rr *rr = NULL;

	if (len < WOT_DNS_HDR_LEN)
		return -1;
	nq = wot_rd16(pkt + 4);
	nrr = (unsigned)wot_rd16(pkt + 6) + wot_rd16(pkt + 8);
	nar = wot_rd16(pkt + 10);
	for (unsigned i = 0; i < nq; i++, off = end + 4)
		if (wot_dns_read_name(pkt, len, off, name, &nlen, &end) < 0 ||
		    end + 4 > len)
			return -1;
	for (unsigned i = 0; i < nrr + nar; i++, off = end) {
		if (wot_dns_read_name(pkt, len, off, name, &nlen, &end) < 0 ||
		    end + 10 > len ||
		    (end += 10 + (size_t)wot_rd16(pkt + end + 8)) > len)
			return -1;
		pos = off;
		if (ldns_wire2rr(&rr, pkt, len, &pos, LDNS_SECTION_ANSWER) !=
		    LDNS_STATUS_OK)
			return -1;
		opt += i >= nrr && ldns_rr_get_type(rr) == LDNS_RR_TYPE_OPT;
		tsig += i >= nrr && ldns_rr_get_type(rr) == LDNS_RR_TYPE_TSIG;
		ldns_rr_free(rr);
		if (pos != end)
			return -1;
	}
	return opt <= 1 && tsig <= 1 ? 0 : -1;
}

ldns_status wot_dns_wire2pkt(ldns_pkt **out, const uint8_t *pkt, size_t len)
{
	*out = NULL;
	if (ldns_agrees(pkt, len) < 0)
		return LDNS_STATUS_WIRE_RDATA_ERR;
	return ldns_wire2pkt(out, pkt, len);
}

/* ---- writer ----------------------------------------------------------- */

/* Does the (uncompressed) name equal the name written at offset p? */
static int name_at(const wot_dns_msg *m, size_t p, const uint8_t *name,
		   size_t len)
{
	size_t i = 0, jumps = 0;

	while (p < m->len && i < len) {
		uint8_t c = m->buf[p];
		if ((c & 0xC0) == 0xC0) {
			if (p + 1 >= m->len || ++jumps > MAX_JUMPS)
				return 0;
			p = ((size_t)(c & 0x3f) << 8) | m->buf[p + 1];
			continue;
		}
		if (c != name[i] || p + 1 + c > m->len || i + 1 + c > len)
			return 0;
		if (c == 0)
			return i + 1 == len;
		for (size_t k = 1; k <= c; k++)
			if (lower(m->buf[p + k]) != lower(name[i + k]))
				return 0;
		p += (size_t)c + 1;
		i += (size_t)c + 1;
	}
	return 0;
}

/* Remember the label starts of a name written at off (first n bytes). */
static void remember(wot_dns_msg *m, size_t off, const uint8_t *name, size_t n)
{
	for (size_t i = 0; i < n && name[i] != 0; i += (size_t)name[i] + 1) {
		if (m->ncomp == WOT_DNS_COMP_MAX || off + i > 0x3fff)
			return;
		m->comp[m->ncomp++] = (uint16_t)(off + i);
	}
}

/* Length the name will take when written, and the pointer to use. */
static size_t plan_name(const wot_dns_msg *m, const uint8_t *name, size_t len,
			size_t *prefix, int *ptr)
{
	for (size_t i = 0; i < len && name[i] != 0; i += (size_t)name[i] + 1) {
		for (size_t k = 0; k < m->ncomp; k++) {
			if (name_at(m, m->comp[k], name + i, len - i)) {
				*prefix = i;
				*ptr = m->comp[k];
				return i + 2;
			}
		}
	}
	*prefix = len;
	*ptr = -1;
	return len;
}

/* Write a name with compression; -1 if it does not fit. */
static int put_name(wot_dns_msg *m, const uint8_t *name, size_t len)
{
	size_t prefix, need, off = m->len;
	int ptr;

	need = plan_name(m, name, len, &prefix, &ptr);
	if (m->len + need > m->cap)
		return -1;
	memcpy(m->buf + off, name, prefix);
	m->len += prefix;
	if (ptr >= 0) {
		wot_wr16(m->buf + m->len, (uint16_t)(0xC000 | ptr));
		m->len += 2;
	}
	remember(m, off, name, prefix);
	return 0;
}

int wot_dns_msg_begin(wot_dns_msg *m, uint8_t *buf, size_t cap,
		      const wot_dns_query *q, uint16_t flags)
{
	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->cap = cap;
	if (cap < WOT_DNS_HDR_LEN)
		return -1;
	memset(buf, 0, WOT_DNS_HDR_LEN);
	wot_wr16(buf, q->id);
	wot_wr16(buf + 2, flags);
	m->len = WOT_DNS_HDR_LEN;
	if (!q->has_question)
		return 0;
	if (m->len + q->qname_len + 4 > cap)
		return -1;
	memcpy(buf + m->len, q->qname, q->qname_len);
	remember(m, m->len, q->qname, q->qname_len);
	m->len += q->qname_len;
	wot_wr16(buf + m->len, q->qtype);
	wot_wr16(buf + m->len + 2, q->qclass);
	m->len += 4;
	m->counts[0] = 1;
	return 0;
}

int wot_dns_msg_rr_parts(wot_dns_msg *m, const wot_dns_rr_head *h,
			 const wot_dns_part *parts, size_t nparts)
{
	int section = h->section;
	size_t save_len = m->len, save_ncomp = m->ncomp, rdlen = 0, at;
	uint8_t *p;

	for (size_t i = 0; i < nparts; i++)
		rdlen += parts[i].len;
	if (section < 1 || section > 3 || m->counts[section] == UINT16_MAX ||
	    rdlen > UINT16_MAX || put_name(m, h->owner, h->owner_len) < 0 ||
	    m->len + 10 + rdlen > m->cap) {
		m->len = save_len;
		m->ncomp = save_ncomp;
		return -1;
	}
	p = m->buf + m->len;
	wot_wr16(p, h->type);
	wot_wr16(p + 2, WOT_C_IN);
	wot_wr32(p + 4, h->ttl);
	wot_wr16(p + 8, (uint16_t)rdlen);
	at = 10;
	for (size_t i = 0; i < nparts; i++) {
		if (parts[i].len)
			memcpy(p + at, parts[i].ptr, parts[i].len);
		at += parts[i].len;
	}
	if (h->name_rdata && wot_dns_name_len(p + 10, rdlen) == rdlen)
		remember(m, m->len + 10, p + 10, rdlen);
	m->len += 10 + rdlen;
	m->counts[section]++;
	return 0;
}

int wot_dns_msg_rr(wot_dns_msg *m, const wot_dns_rr_head *h,
		   const uint8_t *rdata, size_t rdlen)
{
	wot_dns_part part = {.ptr = rdata, .len = rdlen};

	return wot_dns_msg_rr_parts(m, h, &part, 1);
}

int wot_dns_msg_opt(wot_dns_msg *m, unsigned ext_rcode, int dnssec_ok)
{
	uint8_t *p = m->buf + m->len;

	if (m->len + WOT_DNS_OPT_LEN > m->cap)
		return -1;
	p[0] = 0;
	wot_wr16(p + 1, WOT_T_OPT);
	wot_wr16(p + 3, WOT_DNS_EDNS_SIZE);
	/* Extended rcode high bits, version 0, and the query's DO bit
	 * copied back (RFC 3225 section 3): we do not sign, but the bit
	 * says the asker understands DNSSEC. */
	wot_wr32(p + 5, ((uint32_t)(ext_rcode >> 4) << 24) |
			    (dnssec_ok ? 0x8000u : 0));
	wot_wr16(p + 9, 0);
	m->len += WOT_DNS_OPT_LEN;
	m->counts[3]++;
	return 0;
}

size_t wot_dns_msg_finish(wot_dns_msg *m, unsigned rcode)
{
	uint16_t flags = wot_rd16(m->buf + 2);

	wot_wr16(m->buf + 2, (uint16_t)((flags & ~0xfu) | (rcode & 0xfu)));
	for (int i = 0; i < 4; i++)
		wot_wr16(m->buf + 4 + 2 * i, m->counts[i]);
	return m->len;
}

void wot_dns_msg_reset(wot_dns_msg *m)
{
	size_t keep = WOT_DNS_HDR_LEN, ncomp = 0;

	if (m->counts[0]) {
		keep += wot_dns_name_len(m->buf + keep, m->len - keep) + 4;
		for (; ncomp < m->ncomp && m->comp[ncomp] < keep; ncomp++)
			;
	}
	m->len = keep;
	m->ncomp = ncomp;
	m->counts[1] = m->counts[2] = m->counts[3] = 0;
}

const char *wot_dns_type_name(unsigned type, char buf[16])
{
	const ldns_rr_descriptor *d = ldns_rr_descript((uint16_t)type);

	/* ldns knows a name for every type it has a descriptor for; the
	 * descriptor of an unknown type is a placeholder without one. */
	if (d && d->_name && d->_type == type)
		snprintf(buf, 16, "%s", d->_name);
	else
		snprintf(buf, 16, "TYPE%u", type & 0xffff);
	return buf;
}
