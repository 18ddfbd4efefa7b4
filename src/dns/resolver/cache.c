/*
 * cache.c - the upstream answer cache (see cache.h).
 *
 * An entry keeps the upstream's message without its OPT, next to the
 * offsets of its TTL fields, so a hit is one copy plus TTL patches: no
 * parsing and no allocation on the get path. The message is checked once,
 * on put, strictly enough that every copy handed out later is well formed:
 * each name, and each compression pointer, must be sound before we keep it.
 *
 * What is put was scrubbed against the overlay of that moment (splice.c).
 * When the overlay changes, an entry is checked against the new one at
 * its next lookup, once: the rare reload pays, not every hit, and entries
 * of names the overlay does not claim survive it (serve-stale needs them).
 */
#include "dns/resolver/cache.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

enum {
	BIT_DO = 1,
	BIT_CD = 2,
	INIT_BUCKETS = 16,
	INDEX_SHARE = 8, /* the index may use 1/8 of max_bytes */
	MAX_JUMPS = 127,
	MSG_MAX = 65535, /* offsets are stored as uint16_t */
};

/* First member of an entry, so a link pointer is the entry pointer. */
typedef struct lru_link {
	struct lru_link *prev, *next;
} lru_link;

typedef struct entry {
	lru_link lru;
	struct entry *hnext; /* hash chain */
	uint64_t hash, stored_ms;
	size_t size; /* what it counts against max_bytes */
	uint32_t ttl, hits;
	uint16_t qtype, qclass, msglen, nttl;
	uint8_t namelen, bits, prefetched;
	uint32_t epoch;	    /* the overlay it was last checked against */
	uint16_t ttl_off[]; /* then the lowercase name, then the message */
} entry;

struct wot_dns_cache {
	entry **buckets;
	size_t nbuckets;
	lru_link lru; /* sentinel: lru.next is the most recently used */
	uint64_t k0, k1;
	wot_dns_cache_stats st;
	const wot_dns_table *overlay; /* borrowed; NULL: none */
	uint32_t epoch;		      /* bumped at each overlay change */
};

typedef struct {
	const uint8_t *name;
	size_t len;
	uint16_t qtype, qclass;
	uint8_t bits;
	uint64_t hash;
} ckey;

static uint8_t *entry_name(entry *e)
{
	return (uint8_t *)(e->ttl_off + e->nttl);
}

static uint8_t *entry_msg(entry *e)
{
	return entry_name(e) + e->namelen;
}

/* ---- index and LRU ---------------------------------------------------- */

static void lru_unlink(lru_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
}

static void lru_push_front(wot_dns_cache *c, lru_link *l)
{
	l->prev = &c->lru;
	l->next = c->lru.next;
	c->lru.next->prev = l;
	c->lru.next = l;
}

static void key_of(const wot_dns_cache *c, const wot_dns_query *q, ckey *k)
{
	uint8_t buf[WOT_DNS_NAME_MAX + 5];

	k->name = q->lname;
	k->len = q->qname_len;
	k->qtype = q->qtype;
	k->qclass = q->qclass;
	k->bits = (uint8_t)((q->edns_do ? BIT_DO : 0) |
			    ((q->flags & WOT_F_CD) ? BIT_CD : 0));
	memcpy(buf, q->lname, k->len);
	wot_wr16(buf + k->len, k->qtype);
	wot_wr16(buf + k->len + 2, k->qclass);
	buf[k->len + 4] = k->bits;
	k->hash = wot_dns_siphash(c->k0, c->k1, buf, k->len + 5);
}

/* The chain slot holding the key's entry, or the empty slot at its end. */
static entry **find_slot(wot_dns_cache *c, const ckey *k)
{
	entry **pp = &c->buckets[k->hash & (c->nbuckets - 1)];

	for (; *pp; pp = &(*pp)->hnext) {
		entry *e = *pp;
		if (e->hash == k->hash && e->namelen == k->len &&
		    e->qtype == k->qtype && e->qclass == k->qclass &&
		    e->bits == k->bits &&
		    memcmp(entry_name(e), k->name, k->len) == 0)
			return pp;
	}
	return pp;
}

static void entry_drop(wot_dns_cache *c, entry *e)
{
	entry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(&e->lru);
	c->st.entries--;
	c->st.bytes -= e->size;
	free(e);
}

/* Double the index at load 1 while it stays within its share of memory. */
static void maybe_grow(wot_dns_cache *c)
{
	size_t n = c->nbuckets * 2;
	entry **nb;

	if (c->st.entries < c->nbuckets ||
	    n * sizeof(*nb) > c->st.max_bytes / INDEX_SHARE)
		return;
	nb = calloc(n, sizeof(*nb));
	if (!nb)
		return; /* longer chains, still correct */
	for (size_t i = 0; i < c->nbuckets; i++) {
		entry *e = c->buckets[i], *next;
		for (; e; e = next) {
			next = e->hnext;
			e->hnext = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
		}
	}
	free(c->buckets);
	c->st.bytes += (n - c->nbuckets) * sizeof(*nb);
	c->buckets = nb;
	c->nbuckets = n;
}

/* Evict least recently used entries until need more bytes fit. */
static int make_room(wot_dns_cache *c, size_t need)
{
	while (c->st.bytes + need > c->st.max_bytes && c->lru.prev != &c->lru) {
		entry_drop(c, (entry *)c->lru.prev);
		c->st.evictions++;
	}
	return c->st.bytes + need <= c->st.max_bytes ? 0 : -1;
}

int wot_dns_cache_new(wot_dns_cache **out, size_t max_bytes)
{
	wot_dns_cache *c;
	uint64_t key[2];

	if (!out)
		return wot_error_set(WOT_EINVAL, "no output argument");
	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	c->lru.prev = c->lru.next = &c->lru;
	c->st.max_bytes = max_bytes;
	if (max_bytes) {
		c->nbuckets = 1;
		while (c->nbuckets < INIT_BUCKETS &&
		       c->nbuckets * 2 * sizeof(entry *) <=
			   max_bytes / INDEX_SHARE)
			c->nbuckets *= 2;
		c->buckets = calloc(c->nbuckets, sizeof(entry *));
		if (!c->buckets) {
			free(c);
			return wot_error_set(WOT_ENOMEM, "out of memory");
		}
		c->st.bytes = c->nbuckets * sizeof(entry *);
	}
	/* As in table.c: a weak key only weakens flooding resistance. */
	if (uv_random(NULL, NULL, key, sizeof(key), 0, NULL) != 0) {
		key[0] = wot_now_ms() ^ (uint64_t)(uintptr_t)c;
		key[1] = ~key[0] * 0x9e3779b97f4a7c15ULL;
	}
	c->k0 = key[0];
	c->k1 = key[1];
	*out = c;
	return 0;
}

void wot_dns_cache_free(wot_dns_cache *c)
{
	lru_link *l, *next;

	if (!c)
		return;
	for (l = c->lru.next; l != &c->lru; l = next) {
		next = l->next;
		free(l);
	}
	free(c->buckets);
	free(c);
}

void wot_dns_cache_clear(wot_dns_cache *c)
{
	if (!c)
		return;
	while (c->lru.prev != &c->lru)
		entry_drop(c, (entry *)c->lru.prev);
}

void wot_dns_cache_set_overlay(wot_dns_cache *c, const wot_dns_table *t)
{
	if (!c)
		return;
	c->overlay = t;
	/* 2^32 changes later an old mark would pass for new: start over. */
	if (++c->epoch == 0)
		wot_dns_cache_clear(c);
}

void wot_dns_cache_get_stats(const wot_dns_cache *c, wot_dns_cache_stats *out)
{
	if (!out)
		return;
	if (!c) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = c->st;
}

/* ---- checking a response ---------------------------------------------- */

typedef struct {
	const uint8_t *pkt;
	size_t len;
	size_t end; /* just past the last record kept */
	size_t nkept;
	uint32_t min_ttl, soa_min;
	int has_soa, has_opt;
	uint16_t *offs; /* TTL offsets of kept records; NULL when counting */
	uint8_t marks[(MSG_MAX + 1) / 8]; /* label starts, pointer targets */
} scan;

static void mark(scan *s, size_t pos)
{
	s->marks[pos >> 3] |= (uint8_t)(1u << (pos & 7));
}

static int marked(const scan *s, size_t pos)
{
	return (s->marks[pos >> 3] >> (pos & 7)) & 1;
}

/* Uncompressed length of the checked name at off. */
static size_t suffix_len(const scan *s, size_t off)
{
	size_t n = 0;

	for (unsigned jumps = 0; jumps <= MAX_JUMPS;) {
		uint8_t c = s->pkt[off];
		if ((c & 0xC0) == 0xC0) {
			off = ((size_t)(c & 0x3f) << 8) | s->pkt[off + 1];
			jumps++;
			continue;
		}
		n += (size_t)c + 1;
		if (c == 0)
			return n;
		off += (size_t)c + 1;
	}
	return SIZE_MAX / 2;
}

/*
 * Check the name at off (its own bytes below bound) and mark its labels.
 * A pointer must reach a label of an earlier name: that target is already
 * checked, loops are impossible, and it is never a byte get rewrites (ID,
 * TTL) or one that goes with the OPT. Returns the offset past the name's
 * own bytes, 0 if malformed.
 */
static size_t check_name(scan *s, size_t off, size_t bound)
{
	size_t pos = off, total = 0, ptr;

	for (;;) {
		uint8_t c;
		if (pos >= bound)
			return 0;
		c = s->pkt[pos];
		if ((c & 0xC0) == 0xC0)
			break;
		total += (size_t)c + 1;
		if (c > 63 || pos + 1 + c > bound || total > WOT_DNS_NAME_MAX)
			return 0;
		mark(s, pos);
		if (c == 0)
			return pos + 1;
		pos += (size_t)c + 1;
	}
	if (pos + 2 > bound)
		return 0;
	ptr = ((size_t)(s->pkt[pos] & 0x3f) << 8) | s->pkt[pos + 1];
	if (ptr >= off || !marked(s, ptr) ||
	    total + suffix_len(s, ptr) > WOT_DNS_NAME_MAX)
		return 0;
	return pos + 2;
}

static int check_rdata(scan *s, size_t rd, size_t rdlen, uint16_t type)
{
	const wot_dns_rd_layout *l = wot_dns_rd_layout_of(type);
	size_t pos = rd, end = rd + rdlen;

	if (!l)
		return 0; /* opaque to us and to every parser */
	if (l->tail == WOT_DNS_RD_REFUSE || (pos += l->pre) > end)
		return -1;
	for (unsigned i = 0; i < l->strs; i++) {
		if (pos >= end || (pos += 1u + s->pkt[pos]) > end)
			return -1;
	}
	for (unsigned i = 0; i < l->names; i++) {
		pos = check_name(s, pos, end);
		if (!pos)
			return -1;
	}
	if (l->tail == WOT_DNS_RD_ANY)
		return 0;
	return pos + (size_t)l->tail == end ? 0 : -1;
}

/*
 * RFC 6891: one OPT, owned by the root, in additional. Dropping it must
 * not move a byte anything points at, so it must come last. An extended
 * rcode means the answer is neither NOERROR nor NXDOMAIN.
 */
static int scan_opt(scan *s, size_t owner, size_t ne, int section, int last)
{
	if (section != 3 || !last || ne != owner + 1 || s->pkt[ne + 4] != 0)
		return -1;
	s->has_opt = 1;
	return 0;
}

/* One record at *off in section 1..3; last: the final record. */
static int scan_rr(scan *s, size_t *off, int section, int last)
{
	const uint8_t *p = s->pkt;
	size_t ne = check_name(s, *off, s->len), rd, rdlen;
	uint16_t type;
	uint32_t ttl;

	if (!ne || ne + 10 > s->len)
		return -1;
	type = wot_rd16(p + ne);
	rd = ne + 10;
	rdlen = wot_rd16(p + ne + 8);
	if (rd + rdlen > s->len)
		return -1;
	if (type == WOT_T_OPT) {
		if (scan_opt(s, *off, ne, section, last) < 0)
			return -1;
		*off = rd + rdlen;
		return 0;
	}
	if (check_rdata(s, rd, rdlen, type) < 0)
		return -1;
	ttl = wot_rd32(p + ne + 4);
	if (ttl > INT32_MAX)
		ttl = 0; /* RFC 2181 section 8 */
	if (ttl < s->min_ttl)
		s->min_ttl = ttl;
	if (section == 2 && type == WOT_T_SOA && !s->has_soa) {
		s->has_soa = 1; /* the layout guarantees 20 fixed bytes */
		s->soa_min = wot_rd32(p + rd + rdlen - 4);
	}
	if (s->offs)
		s->offs[s->nkept] = (uint16_t)(ne + 4);
	s->nkept++;
	*off = s->end = rd + rdlen;
	return 0;
}

/* Check every record after the question (which ends at qend). */
static int scan_msg(scan *s, size_t qend)
{
	unsigned n[3];
	size_t off = qend;

	memset(s->marks, 0, (s->len >> 3) + 1);
	s->nkept = 0;
	s->min_ttl = UINT32_MAX;
	s->soa_min = 0;
	s->has_soa = s->has_opt = 0;
	s->end = qend;
	if (check_name(s, WOT_DNS_HDR_LEN, qend - 4) != qend - 4)
		return -1;
	for (int sec = 1; sec <= 3; sec++)
		n[sec - 1] = wot_rd16(s->pkt + 4 + 2 * sec);
	for (int sec = 1; sec <= 3; sec++) {
		for (unsigned i = 0; i < n[sec - 1]; i++) {
			int last = sec == 3 && i + 1 == n[2];
			if (scan_rr(s, &off, sec, last) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- put -------------------------------------------------------------- */

/* Seconds the entry may live; 0: do not cache. */
static uint32_t entry_ttl(const scan *s, const uint8_t *resp)
{
	int negative =
	    (resp[3] & 0xf) == WOT_RCODE_NXDOMAIN || wot_rd16(resp + 6) == 0;
	uint32_t ttl = s->nkept ? s->min_ttl : 0;

	/* RFC 2308 section 5: without an SOA a negative answer is not
	 * cached. Records also never outlive their own TTLs. */
	if (negative) {
		if (!s->has_soa)
			return 0;
		if (s->soa_min < ttl)
			ttl = s->soa_min;
	}
	return ttl < WOT_DNS_CACHE_MAX_TTL ? ttl : WOT_DNS_CACHE_MAX_TTL;
}

/* End of the question if resp answers q and may be cached, else 0. */
static size_t cacheable(const wot_dns_query *q, const uint8_t *resp, size_t len)
{
	uint16_t flags;
	unsigned rcode;

	if (!resp || len < WOT_DNS_HDR_LEN || len > MSG_MAX)
		return 0;
	flags = wot_rd16(resp + 2);
	rcode = flags & 0xfu;
	if ((flags & WOT_F_TC) ||
	    (rcode != WOT_RCODE_NOERROR && rcode != WOT_RCODE_NXDOMAIN))
		return 0;
	/* An uncompressed question of the same length: get writes the
	 * client's spelling over it. */
	if (!wot_dns_reply_matches(resp, len, wot_rd16(resp), q->lname,
				   q->qname_len, q->qtype, q->qclass) ||
	    wot_dns_name_len(resp + WOT_DNS_HDR_LEN, len - WOT_DNS_HDR_LEN) !=
		q->qname_len)
		return 0;
	return WOT_DNS_HDR_LEN + q->qname_len + 4;
}

static entry *entry_new(scan *s, const ckey *k, uint32_t ttl, size_t qend)
{
	size_t size =
	    sizeof(entry) + s->nkept * sizeof(uint16_t) + k->len + s->end;
	entry *e = malloc(size);
	uint8_t *msg;

	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->size = size;
	e->hash = k->hash;
	e->ttl = ttl;
	e->qtype = k->qtype;
	e->qclass = k->qclass;
	e->bits = k->bits;
	e->namelen = (uint8_t)k->len;
	e->nttl = (uint16_t)s->nkept;
	e->msglen = (uint16_t)s->end;
	/* Same bytes, same outcome: this pass only records the offsets. */
	s->offs = e->ttl_off;
	(void)scan_msg(s, qend);
	memcpy(entry_name(e), k->name, k->len);
	msg = entry_msg(e);
	memcpy(msg, s->pkt, s->end);
	if (s->has_opt)
		wot_wr16(msg + 10, (uint16_t)(wot_rd16(msg + 10) - 1));
	/* No record may be served for longer than the entry lives. */
	for (size_t i = 0; i < e->nttl; i++)
		if (wot_rd32(msg + e->ttl_off[i]) > ttl)
			wot_wr32(msg + e->ttl_off[i], ttl);
	return e;
}

static void insert(wot_dns_cache *c, const ckey *k, entry *e)
{
	entry **pp = find_slot(c, k);

	if (*pp)
		entry_drop(c, *pp);
	maybe_grow(c);
	if (make_room(c, e->size) < 0) {
		free(e);
		return;
	}
	pp = &c->buckets[k->hash & (c->nbuckets - 1)];
	e->hnext = *pp;
	*pp = e;
	lru_push_front(c, &e->lru);
	c->st.entries++;
	c->st.bytes += e->size;
	c->st.inserts++;
}

int wot_dns_cache_put(wot_dns_cache *c, const wot_dns_query *q,
		      const uint8_t *resp, size_t len, uint64_t now_ms)
{
	scan s; /* 8 KiB of marks: on the stack, not per-put heap */
	size_t qend;
	uint32_t ttl;
	entry *e;
	ckey k;

	if (!c || !q)
		return wot_error_set(WOT_EINVAL, "no cache or query");
	if (!c->st.max_bytes || !q->has_question)
		return 0;
	qend = cacheable(q, resp, len);
	if (!qend)
		return 0;
	s.pkt = resp;
	s.len = len;
	s.offs = NULL;
	if (scan_msg(&s, qend) < 0)
		return 0;
	ttl = entry_ttl(&s, resp);
	if (!ttl)
		return 0;
	key_of(c, q, &k);
	e = entry_new(&s, &k, ttl, qend);
	if (!e)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	e->stored_ms = now_ms;
	e->epoch = c->epoch;
	if (e->size + c->nbuckets * sizeof(entry *) > c->st.max_bytes) {
		free(e); /* larger than the whole cache */
		return 0;
	}
	insert(c, &k, e);
	return 0;
}

/* ---- get -------------------------------------------------------------- */

enum { FRESH, STALE, DEAD };

static int freshness(const entry *e, uint64_t age_ms)
{
	uint64_t ttl_ms = (uint64_t)e->ttl * 1000;

	if (age_ms < ttl_ms)
		return FRESH;
	if (age_ms < ttl_ms + (uint64_t)WOT_DNS_CACHE_STALE_S * 1000)
		return STALE;
	return DEAD;
}

/*
 * RD and CD as the client sent them (CD is in the key: the same anyway).
 * AA off: a cache is no authority. AD only for clients that asked with DO
 * or AD (RFC 6840 section 5.8), since AD is not part of the key.
 */
static uint16_t reply_flags(const uint8_t *msg, const wot_dns_query *q)
{
	uint16_t echo = WOT_F_RD | WOT_F_CD;
	uint16_t drop = echo | WOT_F_TC | WOT_F_AA;
	uint16_t flags = wot_rd16(msg + 2) & (uint16_t)~drop;

	if (!q->edns_do && !(q->flags & WOT_F_AD))
		flags &= (uint16_t)~WOT_F_AD;
	return (uint16_t)(flags | WOT_F_QR | (q->flags & echo));
}

/* Append our OPT (wot_dns_msg_opt), echoing DO; 0 if it does not fit. */
static size_t add_opt(uint8_t *buf, size_t n, size_t limit, int dnssec_ok)
{
	wot_dns_msg m;

	memset(&m, 0, sizeof(m));
	m.buf = buf;
	m.cap = limit;
	m.len = n;
	if (wot_dns_msg_opt(&m, 0, dnssec_ok) < 0)
		return 0;
	wot_wr16(buf + 10, (uint16_t)(wot_rd16(buf + 10) + 1));
	return m.len;
}

/* Header and question with TC: the records do not fit in limit. */
static size_t build_tc(entry *e, const wot_dns_query *q, uint8_t *buf,
		       size_t limit)
{
	uint16_t flags = (uint16_t)(reply_flags(entry_msg(e), q) | WOT_F_TC);
	size_t reserve = q->edns ? WOT_DNS_OPT_LEN : 0, n;
	wot_dns_msg m;

	if (limit < WOT_DNS_HDR_LEN + reserve ||
	    wot_dns_msg_begin(&m, buf, limit - reserve, q, flags) < 0)
		return 0;
	n = wot_dns_msg_finish(&m, flags & 0xfu);
	return q->edns ? add_opt(buf, n, limit, q->edns_do) : n;
}

static size_t build(entry *e, const wot_dns_query *q, uint64_t age_ms,
		    int stale, uint8_t *buf, size_t limit)
{
	const uint8_t *msg = entry_msg(e);
	uint32_t age =
	    age_ms / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(age_ms / 1000);
	size_t n = e->msglen;

	if (n + (q->edns ? WOT_DNS_OPT_LEN : 0) > limit)
		return build_tc(e, q, buf, limit);
	memcpy(buf, msg, n);
	wot_wr16(buf, q->id);
	wot_wr16(buf + 2, reply_flags(msg, q));
	memcpy(buf + WOT_DNS_HDR_LEN, q->qname, q->qname_len);
	for (size_t i = 0; i < e->nttl; i++) {
		size_t off = e->ttl_off[i];
		uint32_t ttl = wot_rd32(msg + off);
		if (stale)
			ttl = WOT_DNS_CACHE_STALE_TTL;
		else
			ttl = ttl > age ? ttl - age : 0;
		wot_wr32(buf + off, ttl);
	}
	return q->edns ? add_opt(buf, n, limit, q->edns_do) : n;
}

/* 1 if the lowercase name at off in msg is at or under an overlay apex. */
static int name_claimed(const wot_dns_cache *c, const uint8_t *msg, size_t len,
			size_t off)
{
	uint8_t name[WOT_DNS_NAME_MAX];
	size_t nlen, end;

	/* put checked every name: a failure here is not expected */
	if (wot_dns_read_name(msg, len, off, name, &nlen, &end) < 0)
		return 1;
	wot_dns_name_lower(name, nlen);
	return wot_dns_overlay_covers(c->overlay, name, nlen);
}

/*
 * 1 if e holds a name the overlay now claims: its question, an owner, or
 * the target of a CNAME (the name the answer is about; its records may
 * be absent, as in NXDOMAIN). Records lie back to back, each owner just
 * past the previous record's rdata.
 */
static int overlay_claims(const wot_dns_cache *c, entry *e)
{
	const uint8_t *msg = entry_msg(e);
	size_t off = WOT_DNS_HDR_LEN + e->namelen + 4;

	if (wot_dns_overlay_covers(c->overlay, entry_name(e), e->namelen))
		return 1;
	for (size_t i = 0; i < e->nttl; i++) {
		size_t t = e->ttl_off[i], rd = t + 6;
		if (name_claimed(c, msg, e->msglen, off))
			return 1;
		if (wot_rd16(msg + t - 4) == WOT_T_CNAME &&
		    name_claimed(c, msg, e->msglen, rd))
			return 1;
		off = rd + wot_rd16(msg + t + 4);
	}
	return 0;
}

static entry *lookup(wot_dns_cache *c, const wot_dns_query *q)
{
	entry *e;
	ckey k;

	if (!c->st.max_bytes || !q->has_question || !q->qname_len ||
	    q->qname_len > WOT_DNS_NAME_MAX)
		return NULL;
	key_of(c, q, &k);
	e = *find_slot(c, &k);
	if (!e || e->epoch == c->epoch)
		return e;
	/* The overlay changed since e was last looked at. */
	if (overlay_claims(c, e)) {
		entry_drop(c, e);
		c->st.claimed++;
		return NULL;
	}
	e->epoch = c->epoch;
	return e;
}

static int should_prefetch(const entry *e, uint64_t age_ms)
{
	/* The last tenth of the lifetime: age >= 0.9 * ttl. */
	return !e->prefetched && e->hits >= WOT_DNS_CACHE_PREFETCH_HITS &&
	       age_ms * 10 >= (uint64_t)e->ttl * 9000;
}

int wot_dns_cache_get(wot_dns_cache *c, const wot_dns_query *q, uint64_t now_ms,
		      int allow_stale, uint8_t *buf, size_t limit, size_t *len,
		      int *prefetch)
{
	entry *e = NULL;
	uint64_t age;
	int state = DEAD;
	size_t n = 0;

	if (prefetch)
		*prefetch = 0;
	if (len)
		*len = 0;
	if (!c)
		return WOT_DNS_CACHE_MISS;
	if (q && buf && len)
		e = lookup(c, q);
	age = e && now_ms > e->stored_ms ? now_ms - e->stored_ms : 0;
	if (e && (state = freshness(e, age)) == DEAD) {
		entry_drop(c, e);
		c->st.expired++;
	}
	if (state == FRESH || (state == STALE && allow_stale))
		n = build(e, q, age, state == STALE, buf, limit);
	if (!n) {
		c->st.misses++;
		return WOT_DNS_CACHE_MISS;
	}
	*len = n;
	lru_unlink(&e->lru);
	lru_push_front(c, &e->lru);
	if (state == STALE) {
		c->st.stale++;
		return WOT_DNS_CACHE_STALE;
	}
	c->st.hits++;
	if (e->hits < UINT32_MAX)
		e->hits++;
	if (prefetch && should_prefetch(e, age))
		*prefetch = e->prefetched = 1;
	return WOT_DNS_CACHE_HIT;
}
