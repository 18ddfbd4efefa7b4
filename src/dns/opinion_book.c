/*
 * opinion_book.c - what this node answers to opinion questions: its
 * accepted RRsets (the shards' records) with the source and verified
 * commit each came from (the shards' claims), and its verified heads.
 * Loaded on the thread pool after every recompute; read-only afterwards,
 * so the loop answers from it without locks.
 */
#include "dns/dns.h"
#include "dns/opinion.h"
#include "dns/withdraw.h"
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum { BOOK_JSON_MAX = 1 << 30 };

struct wot_opinion_book {
	wot_map *sets;		  /* "name/type" -> wot_opinion_rrset */
	wot_opinion_rrset **list; /* the same, sorted by key */
	size_t n;
	wot_opinion_head *heads;
	size_t nheads;
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

void wot_opinion_book_free(wot_opinion_book *b)
{
	if (!b)
		return;
	wot_map_free(b->sets, set_free);
	free(b->list);
	free(b->heads);
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
static int book_add(wot_opinion_book *b, ldns_rr *rr)
{
	char *owner = ldns_rdf2str(ldns_rr_owner(rr)), key[300];
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

static int load_zone(wot_opinion_book *b, const char *path)
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
		else if ((rc = book_add(b, rr)) < 0)
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

/* The first accepted claim of each name in a shard's explanation. */
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

/* Records and their provenance, shard by shard. */
static int load_shards(wot_opinion_book *b, wot_home *h, const wot_manifest *m)
{
	json_t *names = json_object();
	size_t pos = 0;
	const char *key;
	void *val;
	int rc = names ? 0 : wot_error_set(WOT_ENOMEM, "out of memory");

	for (size_t i = 0; rc == 0 && i < m->nshards; i++) {
		char *z = wot_manifest_path(h, &m->shards[i], "zone");
		char *j = wot_manifest_path(h, &m->shards[i], "json");
		rc = z && j ? load_zone(b, z)
			    : wot_error_set(WOT_ENOMEM, "out of memory");
		if (rc == 0)
			rc = add_names(names, j);
		free(z);
		free(j);
	}
	while (rc == 0 && wot_map_next(b->sets, &pos, &key, &val))
		set_provenance(val, names);
	json_decref(names);
	return rc == 0 ? load_heads(b, h, m) : rc;
}

static int cmp_set(const void *a, const void *b)
{
	const wot_opinion_rrset *x = *(wot_opinion_rrset *const *)a;
	const wot_opinion_rrset *y = *(wot_opinion_rrset *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (int)x->type - (int)y->type;
}

static int finish(wot_opinion_book *b)
{
	size_t pos = 0, i = 0;
	const char *key;
	void *val;
	int rc = 0;

	b->n = wot_map_count(b->sets);
	if (!(b->list = calloc(b->n ? b->n : 1, sizeof(*b->list))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	while (wot_map_next(b->sets, &pos, &key, &val))
		b->list[i++] = val;
	qsort(b->list, b->n, sizeof(*b->list), cmp_set);
	for (i = 0; rc == 0 && i < b->n; i++)
		rc = wot_opinion_digest(b->list[i]->rrs, b->list[i]->name,
					b->list[i]->type, &b->list[i]->digest);
	return rc;
}

int wot_opinion_book_load(wot_opinion_book **out, wot_home *h)
{
	wot_opinion_book *b = calloc(1, sizeof(*b));
	wot_manifest *m = NULL;
	int rc = b ? wot_map_new(&b->sets)
		   : wot_error_set(WOT_ENOMEM, "out of memory");

	*out = NULL;
	if (rc == 0 && (rc = wot_manifest_load(h, &m)) == WOT_ENOENT) {
		wot_error_clear(); /* nothing accepted yet */
		rc = 0;
	} else if (rc == 0) {
		rc = load_shards(b, h, m);
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

int wot_opinion_book_empty(wot_opinion_book **out)
{
	wot_opinion_book *b = calloc(1, sizeof(*b));
	int rc = b ? wot_map_new(&b->sets)
		   : wot_error_set(WOT_ENOMEM, "out of memory");

	if (rc == 0)
		rc = finish(b);
	if (rc < 0) {
		wot_opinion_book_free(b);
		b = NULL;
	}
	*out = b;
	return rc;
}

const wot_opinion_rrset *wot_opinion_book_get(const wot_opinion_book *b,
					      const char *name, uint16_t type)
{
	char key[300];

	if (!b)
		return NULL;
	set_key(key, sizeof(key), name, type);
	return wot_map_get(b->sets, key);
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
	return b && i < b->n ? b->list[i] : NULL;
}

int wot_opinion_book_table(const wot_opinion_book *b,
			   int (*skip)(void *ctx, const wot_opinion_rrset *s),
			   void *ctx, wot_dns_table **out)
{
	wot_dns_table *t = NULL;
	int rc = wot_dns_table_new(&t);

	*out = NULL;
	for (size_t i = 0; rc == 0 && b && i < b->n; i++) {
		const wot_opinion_rrset *s = b->list[i];
		/* The neighbor majority's withdrawals hold in every table. */
		if ((skip && skip(ctx, s)) ||
		    wot_dns_withdraw_has(s->name, s->type))
			continue;
		for (size_t k = 0; rc == 0 && k < ldns_rr_list_rr_count(s->rrs);
		     k++)
			rc = wot_dns_table_add(t, ldns_rr_list_rr(s->rrs, k));
	}
	if (rc == 0)
		rc = wot_dns_table_seal(t);
	if (rc < 0) {
		wot_dns_table_free(t);
		return rc;
	}
	*out = t;
	return 0;
}
