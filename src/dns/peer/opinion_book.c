/*
 * opinion_book.c - what this node answers to opinion questions: its
 * accepted RRsets (the shards' records) with the source and verified
 * commit each came from (the shards' claims), and its verified heads.
 * Loaded on the thread pool after every recompute; read-only afterwards,
 * so the loop answers from it without locks.
 *
 * A book is made of one part per shard of the accepted set. A recompute
 * after one source changed rewrites only the shards whose content changed
 * (new FILEGEN), so a reload takes the other parts from the previous book
 * (shared, reference-counted, never modified once built) and parses only
 * the changed shards. Marks on withdrawn RRsets belong to one book and are
 * kept beside the parts, never in them.
 */
#include "dns/resolver/resolver.h"
#include "dns/peer/opinion.h"
#include "sync/sync.h"
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* "name./type": a name of 255 octets, each written \DDD at worst. */
enum { KEY_MAX = 4 * 256 + 16 };

/* The RRsets of one shard, as its files of one generation hold them. */
typedef struct {
	atomic_size_t refs; /* books holding it */
	int shard;
	uint64_t filegen;
	char hash[WOT_OID_MAX];
	wot_map *sets;		  /* "name/type" -> wot_opinion_rrset */
	wot_opinion_rrset **list; /* the same, sorted by name and type */
	size_t n;
} book_part;

struct wot_opinion_book {
	book_part **parts; /* ordered as the manifest lists them */
	size_t nparts;
	size_t *first; /* index of parts[i]'s first entry */
	book_part *by_shard[WOT_SHARDS + 1]; /* borrowed from parts */
	size_t n;
	wot_opinion_head *heads;
	size_t nheads;
	wot_map *withdrawn; /* marks of this book: key -> itself; NULL none */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One record's rdata as text, names lowercased. */
static char *rdata_text(const ldns_rr *rr)
{
	ldns_rr *c = ldns_rr_clone(rr);
	ldns_buffer *buf = ldns_buffer_new(256);
	char *s = NULL;

	if (c && buf) {
		ldns_rr2canonical(c);
		for (size_t i = 0; i < ldns_rr_rd_count(c); i++) {
			if (i)
				ldns_buffer_printf(buf, " ");
			ldns_rdf2buffer_str(buf, ldns_rr_rdf(c, i));
		}
		if (ldns_buffer_status_ok(buf))
			s = ldns_buffer2str(buf);
	}
	ldns_rr_free(c);
	ldns_buffer_free(buf);
	return s;
}

static int name_eq(const ldns_rr *rr, const char *name)
{
	char *o = ldns_rdf2str(ldns_rr_owner(rr));
	int eq = o && strcasecmp(o, name) == 0;

	free(o);
	return eq;
}

int wot_opinion_digest(const ldns_rr_list *rrs, const char *name, uint16_t type,
		       char **out)
{
	size_t n = rrs ? ldns_rr_list_rr_count(rrs) : 0, k = 0;
	char **v = calloc(n ? n : 1, sizeof(*v));
	wot_buf b = WOT_BUF_INIT;
	int rc = v ? 0 : wot_error_set(WOT_ENOMEM, "out of memory");

	*out = NULL;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(rrs, i);
		if (ldns_rr_get_type(rr) != type || !name_eq(rr, name))
			continue;
		if (!(v[k++] = rdata_text(rr)))
			rc = wot_error_set(WOT_ENOMEM, "out of memory");
	}
	if (rc == 0)
		qsort(v, k, sizeof(*v), cmp_str);
	for (size_t i = 0; rc == 0 && i < k; i++) {
		/* duplicates say nothing more */
		if (i && !strcmp(v[i], v[i - 1]))
			continue;
		rc = wot_buf_printf(&b, "%s\n", v[i]);
	}
	if (rc == 0 && !(*out = strdup(b.ptr ? b.ptr : "")))
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; v && i < k; i++)
		free(v[i]);
	free(v);
	wot_buf_dispose(&b);
	return rc;
}

static void set_free(void *p)
{
	wot_opinion_rrset *s = p;

	if (!s)
		return;
	free(s->name);
	free(s->source);
	free(s->digest);
	ldns_rr_list_deep_free(s->rrs);
	free(s);
}

static void part_unref(book_part *p)
{
	/* The last book to let go frees it, whichever thread that is. */
	if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	wot_map_free(p->sets, set_free);
	free(p->list);
	free(p);
}

void wot_opinion_book_free(wot_opinion_book *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nparts; i++)
		part_unref(b->parts[i]);
	free(b->parts);
	free(b->first);
	free(b->heads);
	wot_map_free(b->withdrawn, free);
	free(b);
}

static void set_key(char *key, size_t len, const char *name, uint16_t type)
{
	size_t n = strlen(name);

	snprintf(key, len, "%s%s/%u", name, n && name[n - 1] == '.' ? "" : ".",
		 (unsigned)type);
	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

/* Add rr to its RRset entry (created on first sight). */
static int part_add(book_part *b, ldns_rr *rr)
{
	char *owner = ldns_rdf2str(ldns_rr_owner(rr)), key[KEY_MAX];
	wot_opinion_rrset *s;
	int rc = 0;

	if (!owner)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (char *p = owner; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	set_key(key, sizeof(key), owner, ldns_rr_get_type(rr));
	s = wot_map_get(b->sets, key);
	if (!s) {
		if (!(s = calloc(1, sizeof(*s))) ||
		    !(s->rrs = ldns_rr_list_new())) {
			free(s);
			free(owner);
			return wot_error_set(WOT_ENOMEM, "out of memory");
		}
		s->name = owner;
		owner = NULL;
		s->type = ldns_rr_get_type(rr);
		if ((rc = wot_map_put(b->sets, key, s, NULL)) < 0) {
			set_free(s);
			return rc;
		}
	}
	free(owner);
	if (!ldns_rr_list_push_rr(s->rrs, rr))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	return 0;
}

static int load_zone(book_part *b, const char *path)
{
	ldns_rdf *origin = ldns_dname_new_frm_str("."), *prev = NULL;
	uint32_t ttl = 3600;
	ldns_rr *rr = NULL;
	FILE *fp = fopen(path, "re");
	int line = 1, rc = 0;

	if (!fp) {
		ldns_rdf_deep_free(origin);
		return errno == ENOENT ? 0
				       : wot_error_set(WOT_EIO, "%s: %s", path,
						       strerror(errno));
	}
	prev = ldns_dname_new_frm_str(".");
	while (rc == 0 && !feof(fp)) {
		ldns_status st =
		    ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (st != LDNS_STATUS_OK)
			rc = wot_error_set(WOT_ESYNTAX, "%s:%d: %s", path, line,
					   ldns_get_errorstr_by_id(st));
		else if ((rc = part_add(b, rr)) < 0)
			ldns_rr_free(rr);
	}
	fclose(fp);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return rc;
}

/* Provenance of an entry: the accepted claim on its name. */
static void set_provenance(wot_opinion_rrset *s, json_t *names)
{
	json_t *c = json_object_get(names, s->name);
	const char *src = json_string_value(json_object_get(c, "source"));
	const char *fpr = json_string_value(json_object_get(c, "signer"));
	const char *commit = json_string_value(json_object_get(c, "commit"));

	if (!src || !fpr || !commit)
		return; /* written by an older wotdns: no provenance */
	s->source = strdup(src);
	snprintf(s->fpr, sizeof(s->fpr), "%s", fpr);
	snprintf(s->commit, sizeof(s->commit), "%s", commit);
}

static int load_heads(wot_opinion_book *b, wot_home *h, const wot_manifest *m)
{
	if (!(b->heads =
		  calloc(m->nsources ? m->nsources : 1, sizeof(*b->heads))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->nsources; i++) {
		const wot_manifest_source *s = &m->sources[i];
		wot_opinion_head *hd = &b->heads[b->nheads];
		wot_freshness f;

		if (!s->key[0] || !s->commit[0] || s->expired)
			continue;
		snprintf(hd->fpr, sizeof(hd->fpr), "%s", s->key);
		snprintf(hd->source, sizeof(hd->source), "%s", s->name);
		snprintf(hd->commit, sizeof(hd->commit), "%s", s->commit);
		if (wot_sync_freshness(h, s->name, (int64_t)time(NULL), &f) ==
		    0)
			hd->time = f.head_time;
		wot_error_clear();
		b->nheads++;
	}
	return 0;
}

/*
 * The first accepted claim of each name in the shard's explanation. A
 * claim lies in the shard of its name, as do the records owned by that
 * name, so a part finds its provenance in its own file.
 */
static int add_names(json_t *names, const char *path)
{
	json_t *doc = json_load_file(path, 0, NULL), *c;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(doc, "claims"), i, c)
	{
		const char *n = json_string_value(json_object_get(c, "name"));
		if (n && !json_object_get(c, "reason") &&
		    !json_object_get(names, n))
			rc |= json_object_set(names, n, c);
	}
	json_decref(doc);
	return rc ? wot_error_set(WOT_ENOMEM, "out of memory") : 0;
}

static int cmp_set(const void *a, const void *b)
{
	const wot_opinion_rrset *x = *(wot_opinion_rrset *const *)a;
	const wot_opinion_rrset *y = *(wot_opinion_rrset *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (int)x->type - (int)y->type;
}

/* Provenance, sorted list and digests of a part whose records are in. */
static int part_finish(book_part *p, const char *json)
{
	json_t *names = json_object();
	size_t pos = 0, i = 0;
	const char *key;
	void *val;
	int rc = names ? add_names(names, json)
		       : wot_error_set(WOT_ENOMEM, "out of memory");

	p->n = wot_map_count(p->sets);
	if (rc == 0 && !(p->list = calloc(p->n ? p->n : 1, sizeof(*p->list))))
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	while (rc == 0 && wot_map_next(p->sets, &pos, &key, &val)) {
		set_provenance(val, names);
		p->list[i++] = val;
	}
	json_decref(names);
	if (rc == 0)
		qsort(p->list, p->n, sizeof(*p->list), cmp_set);
	for (i = 0; rc == 0 && i < p->n; i++)
		rc = wot_opinion_digest(p->list[i]->rrs, p->list[i]->name,
					p->list[i]->type, &p->list[i]->digest);
	return rc;
}

/* Parse one shard's files into a new part (one reference, the caller's). */
static int part_load(book_part **out, wot_home *h, const wot_manifest_shard *ms)
{
	book_part *p = calloc(1, sizeof(*p));
	char *z = wot_manifest_path(h, ms, "zone");
	char *j = wot_manifest_path(h, ms, "json");
	int rc = p && z && j ? wot_map_new(&p->sets)
			     : wot_error_set(WOT_ENOMEM, "out of memory");

	*out = NULL;
	if (p) {
		atomic_init(&p->refs, 1);
		p->shard = ms->shard;
		p->filegen = ms->filegen;
		snprintf(p->hash, sizeof(p->hash), "%s", ms->hash);
	}
	if (rc == 0)
		rc = load_zone(p, z);
	if (rc == 0)
		rc = part_finish(p, j);
	free(z);
	free(j);
	if (rc < 0) {
		part_unref(p);
		return rc;
	}
	*out = p;
	return 0;
}

/* Do parts p and q hold the same files of the same shard? */
static int part_same(const book_part *p, const book_part *q)
{
	return p == q ||
	       (p && q && p->shard == q->shard && p->filegen == q->filegen &&
		!strcmp(p->hash, q->hash));
}

/* The part of shard ms: prev's when its files are the same, else parsed. */
static int part_get(book_part **out, wot_home *h, const wot_manifest_shard *ms,
		    const wot_opinion_book *prev, size_t *parsed)
{
	book_part *old = prev ? prev->by_shard[ms->shard] : NULL;

	if (old && old->filegen == ms->filegen &&
	    !strcmp(old->hash, ms->hash)) {
		atomic_fetch_add(&old->refs, 1);
		*out = old;
		return 0;
	}
	(*parsed)++;
	return part_load(out, h, ms);
}

/* Records and their provenance, shard by shard. */
static int load_shards(wot_opinion_book *b, wot_home *h, const wot_manifest *m,
		       const wot_opinion_book *prev)
{
	size_t parsed = 0;
	int rc = 0;

	if (!(b->parts =
		  calloc(m->nshards ? m->nshards : 1, sizeof(*b->parts))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < m->nshards; i++) {
		const wot_manifest_shard *ms = &m->shards[i];
		book_part *p = NULL;
		if (ms->shard < 0 || ms->shard > WOT_SHARD_TOP ||
		    b->by_shard[ms->shard])
			return wot_error_set(WOT_ESYNTAX,
					     "manifest: shard %d twice or "
					     "out of range",
					     ms->shard);
		if ((rc = part_get(&p, h, ms, prev, &parsed)) == 0) {
			b->parts[b->nparts++] = p;
			b->by_shard[ms->shard] = p;
		}
	}
	if (rc == 0)
		wot_log(WOT_LOG_DEBUG, "dns",
			"opinion book: %zu shards, %zu parsed, %zu kept",
			m->nshards, parsed, m->nshards - parsed);
	return rc == 0 ? load_heads(b, h, m) : rc;
}

/* Entry indexes: parts one after the other. */
static int finish(wot_opinion_book *b)
{
	if (!(b->first = calloc(b->nparts ? b->nparts : 1, sizeof(*b->first))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	b->n = 0;
	for (size_t i = 0; i < b->nparts; i++) {
		b->first[i] = b->n;
		b->n += b->parts[i]->n;
	}
	return 0;
}

int wot_opinion_book_reload(wot_opinion_book **out, wot_home *h,
			    const wot_opinion_book *prev)
{
	wot_opinion_book *b = calloc(1, sizeof(*b));
	wot_manifest *m = NULL;
	int rc = b ? 0 : wot_error_set(WOT_ENOMEM, "out of memory");

	*out = NULL;
	if (rc == 0 && (rc = wot_manifest_load(h, &m)) == WOT_ENOENT) {
		wot_error_clear(); /* nothing accepted yet */
		rc = 0;
	} else if (rc == 0) {
		rc = load_shards(b, h, m, prev);
	}
	if (rc == 0)
		rc = finish(b);
	wot_manifest_free(m);
	if (rc < 0) {
		wot_opinion_book_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

int wot_opinion_book_load(wot_opinion_book **out, wot_home *h)
{
	return wot_opinion_book_reload(out, h, NULL);
}

int wot_opinion_book_empty(wot_opinion_book **out)
{
	wot_opinion_book *b = calloc(1, sizeof(*b));
	int rc = b ? finish(b) : wot_error_set(WOT_ENOMEM, "out of memory");

	if (rc < 0) {
		wot_opinion_book_free(b);
		b = NULL;
	}
	*out = b;
	return rc;
}

/* The entry under key ("name./type", lowercase) in the part of its name. */
static wot_opinion_rrset *get_key(const wot_opinion_book *b, const char *key)
{
	char name[KEY_MAX];
	const char *slash = strrchr(key, '/');
	const book_part *p;

	if (!b || !slash || (size_t)(slash - key) >= sizeof(name))
		return NULL;
	memcpy(name, key, (size_t)(slash - key));
	name[slash - key] = '\0';
	p = b->by_shard[wot_shard_of_name(name)];
	return p ? wot_map_get(p->sets, key) : NULL;
}

const wot_opinion_rrset *wot_opinion_book_get(const wot_opinion_book *b,
					      const char *name, uint16_t type)
{
	char key[KEY_MAX];

	set_key(key, sizeof(key), name, type);
	return get_key(b, key);
}

const wot_opinion_head *wot_opinion_book_head(const wot_opinion_book *b,
					      const char *fpr)
{
	for (size_t i = 0; b && i < b->nheads; i++)
		if (!strcasecmp(b->heads[i].fpr, fpr))
			return &b->heads[i];
	return NULL;
}

size_t wot_opinion_book_count(const wot_opinion_book *b)
{
	return b ? b->n : 0;
}

const wot_opinion_rrset *wot_opinion_book_at(const wot_opinion_book *b,
					     size_t i)
{
	size_t lo = 0, hi;

	if (!b || i >= b->n)
		return NULL;
	/* the last part starting at or before i (empty parts are skipped) */
	hi = b->nparts;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->first[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	return b->parts[lo]->list[i - b->first[lo]];
}

int wot_opinion_book_withdraw(wot_opinion_book *b, const char *name,
			      uint16_t type)
{
	char key[KEY_MAX], *k;
	int rc = b->withdrawn ? 0 : wot_map_new(&b->withdrawn);

	set_key(key, sizeof(key), name, type);
	if (rc < 0 || wot_map_get(b->withdrawn, key))
		return rc;
	if (!(k = strdup(key)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if ((rc = wot_map_put(b->withdrawn, k, k, NULL)) < 0)
		free(k);
	return rc;
}

int wot_opinion_book_withdrawn(const wot_opinion_book *b,
			       const wot_opinion_rrset *s)
{
	char key[KEY_MAX];

	if (!b || !b->withdrawn || !s)
		return 0;
	set_key(key, sizeof(key), s->name, s->type);
	return wot_map_get(b->withdrawn, key) != NULL;
}

void wot_opinion_book_changes(const wot_opinion_book *nb,
			      const wot_opinion_book *ob,
			      void (*fn)(void *ctx, const wot_opinion_rrset *s),
			      void *ctx)
{
	size_t pos = 0;
	const char *key;
	void *val;

	for (size_t i = 0; nb && i < nb->nparts; i++) {
		const book_part *p = nb->parts[i];
		if (ob && part_same(p, ob->by_shard[p->shard]))
			continue;
		for (size_t k = 0; k < p->n; k++)
			fn(ctx, p->list[k]);
	}
	/* A withdrawn RRset served again counts as changed. */
	while (nb && ob && ob->withdrawn &&
	       wot_map_next(ob->withdrawn, &pos, &key, &val)) {
		const wot_opinion_rrset *s = get_key(nb, key);
		int shard = s ? wot_shard_of_name(s->name) : 0;
		if (s && part_same(nb->by_shard[shard], ob->by_shard[shard]))
			fn(ctx, s);
	}
}

static int part_table(const book_part *p,
		      int (*skip)(void *ctx, const wot_opinion_rrset *s),
		      void *ctx, wot_dns_table *t)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < p->n; i++) {
		const wot_opinion_rrset *s = p->list[i];
		if (skip && skip(ctx, s))
			continue;
		for (size_t k = 0; rc == 0 && k < ldns_rr_list_rr_count(s->rrs);
		     k++)
			rc = wot_dns_table_add(t, ldns_rr_list_rr(s->rrs, k));
	}
	return rc;
}

int wot_opinion_book_table(const wot_opinion_book *b,
			   int (*skip)(void *ctx, const wot_opinion_rrset *s),
			   void *ctx, wot_dns_table **out)
{
	wot_dns_table *t = NULL;
	int rc = wot_dns_table_new(&t);

	*out = NULL;
	for (size_t i = 0; rc == 0 && b && i < b->nparts; i++)
		rc = part_table(b->parts[i], skip, ctx, t);
	if (rc == 0)
		rc = wot_dns_table_seal(t);
	if (rc < 0) {
		wot_dns_table_free(t);
		return rc;
	}
	*out = t;
	return 0;
}
