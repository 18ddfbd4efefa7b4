/*
 * table.c - the answer table: an open-addressing hash of owner names (keyed
 * SipHash, so crafted names cannot degrade lookups), each node holding its
 * RRsets in compact wire form. Every ancestor of an owner is present as an
 * empty non-terminal so "does anything exist at or below this name" is one
 * lookup.
 *
 * A composite table is one part per shard of the accepted set (the
 * daemon's partition): a lookup goes to the part of the name's shard, so
 * a reload re-parses only the shards that changed and shares the others.
 */
#include "dns/resolver/resolver_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>

struct wot_dns_table {
	/* The hash sits next to the pointer, so probing past other names
	 * never touches their nodes (a cache miss each). */
	struct slot {
		uint64_t hash;
		wot_dns_node *node;
	} * slots;
	size_t cap, used;
	size_t nrecords;
	size_t napex;
	uint64_t k0, k1;
	ldns_buffer *scratch;
	uint8_t *arena;	 /* after wot_dns_table_seal: every node lives here */
	atomic_int refs; /* listener threads holding it; freed at 0 */
	/* Sealed: the names of at most one label (each an ENT the top part
	 * of a composite needs), wire names one after another. */
	uint8_t *tops;
	size_t topslen;
	/* Composite: how.nparts parts, each referenced (NULL: empty); then
	 * slots is unused. */
	wot_dns_table **parts;
	wot_dns_partition how;
};

enum { TABLE_MIN_CAP = 64 };

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                               \
	do {                                                                   \
		v0 += v1;                                                      \
		v1 = ROTL(v1, 13);                                             \
		v1 ^= v0;                                                      \
		v0 = ROTL(v0, 32);                                             \
		v2 += v3;                                                      \
		v3 = ROTL(v3, 16);                                             \
		v3 ^= v2;                                                      \
		v0 += v3;                                                      \
		v3 = ROTL(v3, 21);                                             \
		v3 ^= v0;                                                      \
		v2 += v1;                                                      \
		v1 = ROTL(v1, 17);                                             \
		v1 ^= v2;                                                      \
		v2 = ROTL(v2, 32);                                             \
	} while (0)

static uint64_t siphash24(uint64_t k0, uint64_t k1, const uint8_t *in,
			  size_t len)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
	uint64_t v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t b = (uint64_t)len << 56, m;
	size_t i, end = len - (len % 8);

	for (i = 0; i < end; i += 8) {
		/* Host byte order is fine: the key is per table anyway. */
		memcpy(&m, in + i, 8);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; j < len % 8; j++)
		b |= (uint64_t)in[end + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t wot_dns_siphash(uint64_t k0, uint64_t k1, const uint8_t *in,
			 size_t len)
{
	return siphash24(k0, k1, in, len);
}

static size_t probe(const wot_dns_table *t, const uint8_t *name, size_t len,
		    uint64_t h)
{
	size_t mask = t->cap - 1, i = (size_t)h & mask;

	for (;;) {
		const wot_dns_node *n = t->slots[i].node;
		if (!n || (t->slots[i].hash == h && n->namelen == len &&
			   memcmp(n->name, name, len) == 0))
			return i;
		i = (i + 1) & mask;
	}
}

const wot_dns_node *wot_dns_table_find(const wot_dns_table *t,
				       const uint8_t *lname, size_t len)
{
	uint64_t h;

	if (t && t->parts && len > 0)
		t = t->parts[t->how.part_of(lname, len)];
	if (!t || !t->used || len == 0 || len > WOT_DNS_NAME_MAX)
		return NULL;
	h = siphash24(t->k0, t->k1, lname, len);
	return t->slots[probe(t, lname, len, h)].node;
}

const wot_dns_rrset *wot_dns_node_rrset(const wot_dns_node *n, uint16_t type)
{
	for (uint16_t i = 0; n && i < n->nsets; i++)
		if (n->sets[i].type == type)
			return &n->sets[i];
	return NULL;
}

int wot_dns_table_has_apex(const wot_dns_table *t)
{
	return t && t->napex > 0;
}

int wot_dns_table_new(wot_dns_table **out)
{
	wot_dns_table *t = NULL;
	uint64_t key[2];

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	t->slots = calloc(TABLE_MIN_CAP, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	t->cap = TABLE_MIN_CAP;
	atomic_init(&t->refs, 1);
	/* A weak key only weakens flooding resistance, so fall back to the
	 * clock instead of failing table creation. */
	if (uv_random(NULL, NULL, key, sizeof(key), 0, NULL) != 0) {
		key[0] = wot_now_ms() ^ (uint64_t)(uintptr_t)t;
		key[1] = ~key[0] * 0x9e3779b97f4a7c15ULL;
	}
	t->k0 = key[0];
	t->k1 = key[1];
	*out = t;
	return 0;
}

static int grow(wot_dns_table *t)
{
	size_t ncap = t->cap * 2;
	struct slot *old = t->slots;
	size_t ocap = t->cap;

	t->slots = calloc(ncap, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	t->cap = ncap;
	for (size_t i = 0; i < ocap; i++) {
		if (old[i].node)
			t->slots[probe(t, old[i].node->name,
				       old[i].node->namelen, old[i].hash)] =
			    old[i];
	}
	free(old);
	return 0;
}

/* Find or insert the node for one lowercase name; *created tells which. */
static int node_get(wot_dns_table *t, const uint8_t *name, size_t len,
		    wot_dns_node **out, int *created)
{
	uint64_t h = siphash24(t->k0, t->k1, name, len);
	size_t i = probe(t, name, len, h);
	wot_dns_node *n;

	*created = 0;
	if (t->slots[i].node) {
		*out = t->slots[i].node;
		return 0;
	}
	if ((t->used + 1) * 4 > t->cap * 3) {
		int rc = grow(t);
		if (rc < 0)
			return rc;
		i = probe(t, name, len, h);
	}
	n = calloc(1, sizeof(*n) + len);
	if (!n)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	n->namelen = (uint8_t)len;
	memcpy(n->name, name, len);
	t->slots[i].hash = h;
	t->slots[i].node = n;
	t->used++;
	*created = 1;
	*out = n;
	return 0;
}

/* Insert name and every ancestor not yet present (empty non-terminals). */
static int node_get_with_ancestors(wot_dns_table *t, const uint8_t *name,
				   size_t len, wot_dns_node **out)
{
	wot_dns_node *n, *anc;
	int created, rc;
	size_t off = 0;

	rc = node_get(t, name, len, &n, &created);
	if (rc < 0 || !created)
		goto out;
	while (created && off + 1 < len) {
		off += (size_t)name[off] + 1;
		rc = node_get(t, name + off, len - off, &anc, &created);
		if (rc < 0)
			goto out;
	}
out:
	*out = rc < 0 ? NULL : n;
	return rc;
}

static int rrset_find_dup(const wot_dns_rrset *s, const uint8_t *rdata,
			  size_t rdlen)
{
	for (uint32_t off = 0; off < s->len;) {
		size_t l = wot_rd16(s->data + off + 4);
		if (l == rdlen && memcmp(s->data + off + 6, rdata, l) == 0)
			return 1;
		off += 6 + (uint32_t)l;
	}
	return 0;
}

static int rrset_get(wot_dns_node *n, uint16_t type, wot_dns_rrset **out)
{
	wot_dns_rrset *sets;

	for (uint16_t i = 0; i < n->nsets; i++) {
		if (n->sets[i].type == type) {
			*out = &n->sets[i];
			return 0;
		}
	}
	if (n->nsets == n->capsets) {
		uint16_t ncap = n->capsets ? (uint16_t)(n->capsets * 2) : 1;
		if (n->capsets >= 32768)
			return wot_error_set(WOT_ELIMIT, "too many types");
		sets = realloc(n->sets, ncap * sizeof(*sets));
		if (!sets)
			return wot_error_set(WOT_ENOMEM, "out of memory");
		n->sets = sets;
		n->capsets = ncap;
	}
	*out = &n->sets[n->nsets++];
	memset(*out, 0, sizeof(**out));
	(*out)->type = type;
	return 0;
}

/* Append one record; returns 1 if added, 0 if a duplicate. */
static int rrset_append(wot_dns_rrset *s, uint32_t ttl, const uint8_t *rdata,
			size_t rdlen)
{
	size_t need = 6 + rdlen;
	uint8_t *d;

	if (rrset_find_dup(s, rdata, rdlen))
		return 0;
	/* The same bound as sync's [limits] rrset maximum. */
	if (s->count >= WOT_MAX_RRSET || s->len + need > UINT32_MAX / 2)
		return wot_error_set(
		    WOT_ELIMIT, "RRset of more than %d records", WOT_MAX_RRSET);
	if (s->len + need > s->cap) {
		size_t ncap = s->cap ? s->cap : need; /* most are 1 rec */
		while (ncap < s->len + need)
			ncap *= 2;
		d = realloc(s->data, ncap);
		if (!d)
			return wot_error_set(WOT_ENOMEM, "out of memory");
		s->data = d;
		s->cap = (uint32_t)ncap;
	}
	wot_wr32(s->data + s->len, ttl);
	wot_wr16(s->data + s->len + 4, (uint16_t)rdlen);
	memcpy(s->data + s->len + 6, rdata, rdlen);
	s->len += (uint32_t)need;
	s->count++;
	return 1;
}

static int check_rr(const ldns_rr *rr, uint8_t *lname, size_t *lname_len)
{
	const ldns_rdf *owner = ldns_rr_owner(rr);
	uint16_t type = (uint16_t)ldns_rr_get_type(rr);
	size_t len;

	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
		return wot_error_set(WOT_EINVAL, "only class IN is supported");
	if (type == WOT_T_OPT || (type >= 249 && type <= WOT_T_ANY) ||
	    type == 0)
		return wot_error_set(WOT_EINVAL, "meta type %u not allowed",
				     type);
	if (!owner || ldns_rdf_get_type(owner) != LDNS_RDF_TYPE_DNAME)
		return wot_error_set(WOT_EINVAL, "record without owner");
	len = ldns_rdf_size(owner);
	if (len > WOT_DNS_NAME_MAX ||
	    wot_dns_name_len(ldns_rdf_data(owner), len) != len)
		return wot_error_set(WOT_EINVAL, "owner is not absolute");
	memcpy(lname, ldns_rdf_data(owner), len);
	wot_dns_name_lower(lname, len);
	*lname_len = len;
	return 0;
}

int wot_dns_table_add(wot_dns_table *t, const ldns_rr *rr)
{
	uint8_t lname[WOT_DNS_NAME_MAX];
	size_t lname_len = 0, rdlen;
	wot_dns_node *n = NULL;
	wot_dns_rrset *s = NULL;
	ldns_status st;
	int rc;

	if (!t || !rr)
		return wot_error_set(WOT_EINVAL, "no table or record");
	if (t->arena || t->parts)
		return wot_error_set(WOT_EINVAL, "table is sealed");
	rc = check_rr(rr, lname, &lname_len);
	if (rc < 0)
		return rc;
	if (!t->scratch && !(t->scratch = ldns_buffer_new(512)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	ldns_buffer_clear(t->scratch);
	st = ldns_rr_rdata2buffer_wire(t->scratch, rr);
	if (st != LDNS_STATUS_OK)
		return wot_error_set(WOT_EINVAL, "rdata: %s",
				     ldns_get_errorstr_by_id(st));
	rdlen = ldns_buffer_position(t->scratch);
	if (rdlen > UINT16_MAX)
		return wot_error_set(WOT_ELIMIT, "rdata longer than 65535");
	rc = node_get_with_ancestors(t, lname, lname_len, &n);
	if (rc < 0)
		return rc;
	rc = rrset_get(n, (uint16_t)ldns_rr_get_type(rr), &s);
	if (rc < 0)
		return rc;
	rc = rrset_append(s, ldns_rr_ttl(rr), ldns_buffer_begin(t->scratch),
			  rdlen);
	if (rc < 0)
		return rc;
	if (rc == 1 && s->type == WOT_T_SOA && s->count == 1)
		t->napex++;
	t->nrecords += (size_t)rc;
	return 0;
}

size_t wot_dns_table_count(const wot_dns_table *t)
{
	return t ? t->nrecords : 0;
}

static void node_free(wot_dns_node *n)
{
	if (!n)
		return;
	for (uint16_t j = 0; j < n->nsets; j++)
		free(n->sets[j].data);
	free(n->sets);
	free(n);
}

#define ALIGN8(x) (((x) + 7u) & ~(size_t)7u)

static size_t node_bytes(const wot_dns_node *n)
{
	size_t b = ALIGN8(sizeof(*n) + n->namelen);

	b += ALIGN8(n->nsets * sizeof(*n->sets));
	for (uint16_t j = 0; j < n->nsets; j++)
		b += ALIGN8(n->sets[j].len);
	return b;
}

/* Copy n into the arena at *pos; returns the copy. */
static wot_dns_node *node_move(const wot_dns_node *n, uint8_t *arena,
			       size_t *pos)
{
	wot_dns_node *c = (wot_dns_node *)(arena + *pos);
	wot_dns_rrset *sets;

	memcpy(c, n, sizeof(*n) + n->namelen);
	*pos += ALIGN8(sizeof(*n) + n->namelen);
	sets = (wot_dns_rrset *)(arena + *pos);
	*pos += ALIGN8(n->nsets * sizeof(*sets));
	for (uint16_t j = 0; j < n->nsets; j++) {
		sets[j] = n->sets[j];
		sets[j].data = arena + *pos;
		sets[j].cap = sets[j].len;
		memcpy(sets[j].data, n->sets[j].data, n->sets[j].len);
		*pos += ALIGN8(n->sets[j].len);
	}
	c->sets = n->nsets ? sets : NULL;
	c->capsets = c->nsets;
	return c;
}

/* At most one label: the root, or one label followed by the root. */
static int is_top_name(const uint8_t *name, size_t len)
{
	return len == 1 || (size_t)name[0] + 2 == len;
}

/* Remember the names a composite's top part needs as ENTs. */
static int collect_tops(wot_dns_table *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->cap; i++) {
		const wot_dns_node *nd = t->slots[i].node;
		if (nd && is_top_name(nd->name, nd->namelen))
			n += nd->namelen;
	}
	if (!n)
		return 0;
	if (!(t->tops = malloc(n)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; i < t->cap; i++) {
		const wot_dns_node *nd = t->slots[i].node;
		if (nd && is_top_name(nd->name, nd->namelen)) {
			memcpy(t->tops + t->topslen, nd->name, nd->namelen);
			t->topslen += nd->namelen;
		}
	}
	return 0;
}

int wot_dns_table_seal(wot_dns_table *t)
{
	size_t total = 0, pos = 0;

	if (!t || t->arena || t->parts)
		return 0;
	if (collect_tops(t) < 0)
		return WOT_ENOMEM;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].node)
			total += node_bytes(t->slots[i].node);
	/* One block instead of three allocations per name: a third of the
	 * memory, and lookups touch fewer cache lines. */
	if (!(t->arena = malloc(total ? total : 1)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; i < t->cap; i++) {
		wot_dns_node *n = t->slots[i].node;
		if (!n)
			continue;
		t->slots[i].node = node_move(n, t->arena, &pos);
		node_free(n);
	}
	if (t->scratch) {
		ldns_buffer_free(t->scratch);
		t->scratch = NULL;
	}
	return 0;
}

void wot_dns_table_ref(wot_dns_table *t)
{
	if (t)
		atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
}

void wot_dns_table_free(wot_dns_table *t)
{
	/* acq_rel: the last holder must see every other thread's reads
	 * finished before it frees. */
	if (!t ||
	    atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) > 1)
		return;
	for (size_t i = 0; t->parts && i < t->how.nparts; i++)
		wot_dns_table_free(t->parts[i]);
	free(t->parts);
	free(t->tops);
	for (size_t i = 0; i < t->cap && !t->arena; i++)
		node_free(t->slots[i].node);
	free(t->arena);
	free(t->slots);
	if (t->scratch)
		ldns_buffer_free(t->scratch);
	free(t);
}

/* Every part's names of at most one label become ENTs of top, where
 * lookups of those names go. */
static int add_top_ents(wot_dns_table *top, wot_dns_table *const *parts,
			size_t nparts)
{
	wot_dns_node *n;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i + 1 < nparts; i++) {
		const wot_dns_table *p = parts[i];
		for (size_t off = 0; rc == 0 && p && off < p->topslen;) {
			size_t len =
			    wot_dns_name_len(p->tops + off, p->topslen - off);
			if (!len)
				break;
			rc = node_get_with_ancestors(top, p->tops + off, len,
						     &n);
			off += len;
		}
	}
	return rc;
}

int wot_dns_table_compose(wot_dns_table **out, wot_dns_table **parts,
			  const wot_dns_partition *how)
{
	size_t top = how->nparts - 1;
	wot_dns_table *t = NULL;
	int rc = 0;

	*out = NULL;
	if (!parts[top])
		rc = wot_dns_table_new(&parts[top]);
	if (rc == 0 && parts[top]->arena)
		rc = wot_error_set(WOT_EINVAL, "top part is sealed");
	if (rc == 0)
		rc = add_top_ents(parts[top], parts, how->nparts);
	if (rc == 0)
		rc = wot_dns_table_seal(parts[top]);
	if (rc == 0 && !(t = calloc(1, sizeof(*t))))
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	if (rc < 0) {
		for (size_t i = 0; i < how->nparts; i++)
			wot_dns_table_free(parts[i]);
		free(parts);
		return rc;
	}
	atomic_init(&t->refs, 1);
	t->parts = parts;
	t->how = *how;
	for (size_t i = 0; i < how->nparts; i++) {
		t->nrecords += parts[i] ? parts[i]->nrecords : 0;
		t->napex += parts[i] ? parts[i]->napex : 0;
	}
	*out = t;
	return 0;
}

int wot_dns_table_walk(const wot_dns_table *t,
		       int (*cb)(void *arg, const wot_dns_node *n), void *arg)
{
	int rc = 0;

	if (!t)
		return 0;
	for (size_t i = 0; t->parts && rc == 0 && i < t->how.nparts; i++)
		rc = wot_dns_table_walk(t->parts[i], cb, arg);
	for (size_t i = 0; !t->parts && rc == 0 && i < t->cap; i++)
		if (t->slots[i].node)
			rc = cb(arg, t->slots[i].node);
	return rc;
}

wot_dns_table *wot_dns_table_part(const wot_dns_table *t, int i)
{
	if (!t || !t->parts || i < 0 || (size_t)i >= t->how.nparts)
		return NULL;
	return t->parts[i];
}
