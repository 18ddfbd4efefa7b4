/* fakedns_answer.c - wot_fakedns's answers: a small DNS message writer,
 * the query parser and what each mode answers (see the usage comment in
 * wot_fakedns.c).
 */
#include "fakedns.h"

#include <stdio.h>
#include <string.h>

typedef struct {
	uint8_t *p;
	size_t len, cap;
	uint16_t counts[4];
	int overflow;
} msg;

/* ---- message writer -------------------------------------------------- */

static void put(msg *m, const void *b, size_t n)
{
	if (m->overflow || m->len + n > m->cap) {
		m->overflow = 1;
		return;
	}
	memcpy(m->p + m->len, b, n);
	m->len += n;
}

static void put16(msg *m, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(m, b, 2);
}

static void put32(msg *m, uint32_t v)
{
	put16(m, (uint16_t)(v >> 16));
	put16(m, (uint16_t)v);
}

static void begin(msg *m, uint8_t *buf, size_t cap, const query *q,
		  uint16_t flags, const uint8_t *qname, size_t qname_len)
{
	memset(m, 0, sizeof(*m));
	m->p = buf;
	m->cap = cap;
	put16(m, q->id);
	put16(m,
	      (uint16_t)(F_QR | F_RA | (q->flags & (0x7800 | F_RD)) | flags));
	for (int i = 0; i < 4; i++)
		put16(m, 0);
	put(m, qname, qname_len);
	put16(m, q->qtype);
	put16(m, q->qclass);
	m->counts[0] = 1;
}

/* One RR of class cls whose owner is the name at offset owner_off (a
 * pointer). */
static void rr_class(msg *m, int section, uint16_t owner_off, uint16_t type,
		     uint16_t cls, uint32_t ttl, const uint8_t *rdata,
		     size_t rdlen)
{
	put16(m, (uint16_t)(0xC000 | owner_off));
	put16(m, type);
	put16(m, cls);
	put32(m, ttl);
	put16(m, (uint16_t)rdlen);
	put(m, rdata, rdlen);
	m->counts[section]++;
}

static void rr(msg *m, int section, uint16_t owner_off, uint16_t type,
	       uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	rr_class(m, section, owner_off, type, C_IN, ttl, rdata, rdlen);
}

/* Text name ("a.b" or "a.b.") to wire; its length. */
static size_t to_wire(const char *text, uint8_t *out)
{
	size_t n = 0;

	while (*text && *text != '.') {
		const char *dot = strchr(text, '.');
		size_t l = dot ? (size_t)(dot - text) : strlen(text);
		if (l > 63 || n + l + 2 > 255)
			break;
		out[n++] = (uint8_t)l;
		memcpy(out + n, text, l);
		n += l;
		text += l;
		if (*text == '.')
			text++;
	}
	out[n++] = 0;
	return n;
}

/* One RR whose owner is the text name owner (written uncompressed). */
static void rr_named(msg *m, int section, const char *owner, uint16_t type,
		     uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	uint8_t w[256];

	put(m, w, to_wire(owner, w));
	put16(m, type);
	put16(m, C_IN);
	put32(m, ttl);
	put16(m, (uint16_t)rdlen);
	put(m, rdata, rdlen);
	m->counts[section]++;
}

static void add_opt(msg *m)
{
	static const uint8_t opt[] = {0, 0, T_OPT, 0x04, 0xd0, 0,
				      0, 0, 0,	   0,	 0};

	put(m, opt, sizeof(opt));
	m->counts[3]++;
}

static size_t finish(msg *m, unsigned rcode)
{
	if (m->overflow)
		return 0;
	m->p[3] = (uint8_t)((m->p[3] & 0xf0) | (rcode & 0xf));
	for (int i = 0; i < 4; i++) {
		m->p[4 + 2 * i] = (uint8_t)(m->counts[i] >> 8);
		m->p[5 + 2 * i] = (uint8_t)m->counts[i];
	}
	return m->len;
}

/* Offset (in the message) of the last label of the question name. */
static uint16_t tld_offset(const query *q)
{
	size_t off = 0, last = 0;

	while (off < q->qname_len && q->qname[off]) {
		last = off;
		off += (size_t)q->qname[off] + 1;
	}
	return (uint16_t)(12 + (q->qname[0] ? last : 0));
}

static void add_soa(msg *m, const query *q)
{
	static const uint8_t names[] = "\2ns\4fake\0\12hostmaster\4fake";
	uint8_t rd[sizeof(names) + 20];
	size_t n = sizeof(names); /* includes the final root byte */
	static const uint32_t v[5] = {1, 3600, 600, 86400, 60};

	memcpy(rd, names, n);
	for (int i = 0; i < 5; i++) {
		rd[n++] = (uint8_t)(v[i] >> 24);
		rd[n++] = (uint8_t)(v[i] >> 16);
		rd[n++] = (uint8_t)(v[i] >> 8);
		rd[n++] = (uint8_t)v[i];
	}
	rr(m, 2, tld_offset(q), T_SOA, 300, rd, n);
}

/* ---- answers --------------------------------------------------------- */

int parse_query(const uint8_t *p, size_t len, query *q)
{
	size_t off = 12, t = 0;

	memset(q, 0, sizeof(*q));
	if (len < 12 || (p[2] & 0x80) || rd16(p + 4) != 1)
		return -1;
	q->id = rd16(p);
	q->flags = rd16(p + 2);
	for (;;) {
		uint8_t c;
		if (off >= len || off - 12 >= 255)
			return -1;
		c = p[off];
		if (c > 63 || off + 1 + c > len)
			return -1;
		if (c == 0)
			break;
		for (size_t i = 1; i <= c && t + 5 < sizeof(q->text); i++) {
			char ch = (char)p[off + i];
			if (ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			q->text[t++] = (ch > ' ' && ch < 127) ? ch : '?';
		}
		q->text[t++] = '.';
		off += (size_t)c + 1;
	}
	if (t == 0)
		q->text[t++] = '.';
	q->text[t] = 0;
	q->qname_len = off + 1 - 12;
	memcpy(q->qname, p + 12, q->qname_len);
	off++;
	if (off + 4 > len)
		return -1;
	q->qtype = rd16(p + off);
	q->qclass = rd16(p + off + 2);
	off += 4;
	/* An OPT as the first additional record (no answer or authority). */
	if (rd16(p + 6) == 0 && rd16(p + 8) == 0 && rd16(p + 10) >= 1 &&
	    off + 11 <= len && p[off] == 0 && rd16(p + off + 1) == T_OPT) {
		q->edns = 1;
		q->edns_size = rd16(p + off + 3);
	}
	return 0;
}

static const uint8_t evil_a[4] = {6, 6, 6, 6};

/* A name of the evil zone: "LABEL.ZONE" (LABEL NULL: the zone). */
static void evil_name(char *out, size_t cap, const char *label)
{
	snprintf(out, cap, "%s%s%s", label ? label : "", label ? "." : "",
		 fake.evil);
}

/* The TLD of the question as text ("test"), lowercase. */
static void tld_text(const query *q, char *out, size_t cap)
{
	const char *end = q->text + strlen(q->text) - 1, *p = end;

	while (p > q->text && p[-1] != '.')
		p--;
	snprintf(out, cap, "%.*s", (int)(end - p), p);
}

/* The hostile answer: see the usage comment in wot_fakedns.c. */
static void hostile_records(msg *m, const query *q)
{
	static const uint8_t good[4] = {192, 0, 2, 53},
			     ns_a[4] = {192, 0, 2, 54};
	char name[600], tld[256], target[300];
	uint8_t w[256];

	if (strncmp(q->text, "to-", 3) == 0) {
		snprintf(target, sizeof(target), "%.*s",
			 (int)strcspn(q->text + 3, "."), q->text + 3);
		evil_name(name, sizeof(name), target);
		rr(m, 1, 12, T_CNAME, fake.ttl, w, to_wire(name, w));
		rr_named(m, 1, name, T_A, fake.ttl, evil_a, 4);
	} else {
		rr(m, 1, 12, T_A, fake.ttl, good, 4);
	}
	evil_name(name, sizeof(name), "www");
	rr_named(m, 1, name, T_A, fake.ttl, evil_a, 4);
	rr_named(m, 1, fake.evil, T_A, fake.ttl, evil_a, 4);
	rr_named(m, 2, fake.evil, T_NS, fake.ttl, w,
		 to_wire("evil.ns.example", w));
	tld_text(q, tld, sizeof(tld));
	snprintf(target, sizeof(target), "ns.%s", tld);
	rr_named(m, 2, tld, T_NS, fake.ttl, w, to_wire(target, w));
	rr_named(m, 3, "evil.ns.example", T_A, fake.ttl, evil_a, 4);
	rr_named(m, 3, name, T_A, fake.ttl, evil_a, 4);
	rr_named(m, 3, "unrelated.example", T_A, fake.ttl, evil_a, 4);
	rr_named(m, 3, target, T_A, fake.ttl, ns_a, 4);
}

/* The normal answer to q (lie: the A record is 203.0.113.66 instead). */
size_t build_answer(const query *q, uint8_t *buf, size_t cap, int lie, int tc)
{
	static const uint8_t good[4] = {192, 0, 2, 53},
			     bad[4] = {203, 0, 113, 66};
	msg m;
	unsigned rcode = 0;

	begin(&m, buf, cap, q, tc ? F_TC : 0, q->qname, q->qname_len);
	if (fake.mode == M_CHQUESTION && !tc) {
		/* the question's class, just written before the counts */
		buf[m.len - 2] = 0;
		buf[m.len - 1] = C_CH;
	}
	if (tc) {
		/* nothing but the question */
	} else if (q->qclass != C_IN) {
		rcode = R_REFUSED;
	} else if (fake.mode == M_SERVFAIL) {
		rcode = R_SERVFAIL;
	} else if (strncmp(q->text, "nx.", 3) == 0) {
		rcode = R_NXDOMAIN;
		add_soa(&m, q);
	} else if (q->qtype == T_A && fake.mode == M_HOSTILE) {
		hostile_records(&m, q);
	} else if (q->qtype == T_A && fake.mode == M_CHCLASS) {
		rr_class(&m, 1, 12, T_A, C_CH, fake.ttl, good, 4);
	} else if (q->qtype == T_A && fake.mode == M_BIG) {
		for (int i = 1; i <= BIG_COUNT; i++) {
			uint8_t a[4] = {192, 0, 2, (uint8_t)i};
			rr(&m, 1, 12, T_A, fake.ttl, a, 4);
		}
	} else if (q->qtype == T_A) {
		rr(&m, 1, 12, T_A, fake.ttl, lie ? bad : good, 4);
	} else {
		add_soa(&m, q);
	}
	if (q->edns)
		add_opt(&m);
	return finish(&m, rcode);
}

size_t build_count(const query *q, uint8_t *buf, size_t cap)
{
	uint8_t rd[80];
	int n;
	msg m;

	n = snprintf((char *)rd + 1, sizeof(rd) - 1, "udp=%lu tcp=%lu",
		     fake.nudp, fake.ntcp);
	rd[0] = (uint8_t)n;
	begin(&m, buf, cap, q, 0, q->qname, q->qname_len);
	rr(&m, 1, 12, T_TXT, 0, rd, (size_t)n + 1);
	/* rr() writes class IN; the answer's class follows the question. */
	buf[m.len - (size_t)n - 1 - 8] = (uint8_t)(q->qclass >> 8);
	buf[m.len - (size_t)n - 1 - 7] = (uint8_t)q->qclass;
	return finish(&m, 0);
}

/* The same answer for a question with one more label in front. */
size_t build_other_question(const query *q, uint8_t *buf, size_t cap)
{
	uint8_t name[260] = "\4evil";
	query q2 = *q;

	memcpy(name + 5, q->qname, q->qname_len);
	memcpy(q2.qname, name, sizeof(q2.qname));
	q2.qname_len = q->qname_len + 5 > 255 ? 255 : q->qname_len + 5;
	return build_answer(&q2, buf, cap, 1, 0);
}
