/*
 * accept_out.c - the decided shards on disk, then the manifest naming them.
 *
 * Each shard in scope whose content changed gets three new files named by
 * the new generation (an unchanged one keeps its files); they are flushed
 * to disk before the manifest that names them replaces the old one, and
 * the files it replaced are removed only afterwards. A crash at any point
 * leaves one whole generation in place (recover.c sweeps files no
 * manifest names).
 */
#include "sync/accept/accept.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

typedef struct {
	wot_buf zone, soa, hist; /* soa and hist are sorted before writing */
	const wot_claim **claims;
	size_t n, cap;
	size_t records, names, rejected;
	char **srcs;
	const char *last_src;
} shard_out;

typedef struct {
	wot_recompute *r;
	shard_out *out; /* [WOT_SHARDS + 1] */
	wot_map *dedup; /* record lines written */
	wot_map *acc;	/* accepted name -> claim index + 1 */
	wot_map *soa;	/* names whose zone brought an SOA */
} writer;

static int push_claim(shard_out *o, const wot_claim *c)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;
		const wot_claim **nc = realloc(o->claims, cap * sizeof(*nc));
		if (!nc)
			return wot_error_set(WOT_ENOMEM, "out of memory");
		o->claims = nc;
		o->cap = cap;
	}
	o->claims[o->n++] = c;
	o->rejected += !c->accepted;
	/* A source's claims are consecutive: one comparison dedups. */
	if (o->last_src == c->source)
		return 0;
	o->last_src = c->source;
	return wot_strv_push(&o->srcs, c->source);
}

/* A contested name is one conflict, however many claims lost on it (a
 * tie rejects them all). */
static int count_contested(const shard_out *x, size_t *out)
{
	wot_map *names = NULL;
	int rc = wot_map_new(&names);

	for (size_t i = 0; rc == 0 && i < x->n; i++) {
		const wot_claim *c = x->claims[i];
		if (!c->accepted && c->reason &&
		    !strncmp(c->reason, "conflict", 8))
			rc = wot_map_put(names, c->name, (void *)c, NULL);
	}
	*out = rc == 0 ? wot_map_count(names) : 0;
	wot_map_free(names, NULL);
	return rc;
}

/* The accepted claim for (source, name), or -1. */
static long accepted_claim(const wot_recompute *r, const char *src,
			   const char *name)
{
	long c = wot_claim_find(r, src, name);

	return c >= 0 && r->claims[c].accepted ? c : -1;
}

static int emit_records(writer *w)
{
	wot_recompute *r = w->r;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < r->nviews; i++) {
		wot_src_view *v = &r->views[i];
		for (size_t j = 0; v->loaded && rc == 0 && j < v->rrs.n; j++) {
			const wot_src_rr *rr = &v->rrs.rrs[j];
			shard_out *o = &w->out[v->shard[j]];
			long c;
			if (!r->scope[v->shard[j]] ||
			    (c = accepted_claim(r, v->src->name, rr->owner)) <
				0)
				continue;
			if (!wot_map_get(w->acc, rr->owner))
				o->names++;
			wot_map_put(w->acc, rr->owner, (void *)(c + 1), NULL);
			if (rr->type == LDNS_RR_TYPE_SOA)
				wot_map_put(w->soa, rr->owner, (void *)1, NULL);
			if (wot_map_get(w->dedup, rr->line))
				continue;
			rc = wot_map_put(w->dedup, rr->line, (void *)1, NULL);
			if (rc == 0)
				rc = wot_buf_put(&o->zone, rr->line,
						 strlen(rr->line));
			o->records++;
		}
	}
	return rc;
}

/* Is any proper ancestor of name an accepted name? */
static int has_accepted_ancestor(const writer *w, const char *name)
{
	for (const char *p = strchr(name, '.'); p && p[1]; p = strchr(p, '.')) {
		p++;
		if (wot_map_get(w->acc, p) ||
		    (w->r->top_acc && wot_map_get(w->r->top_acc, p)))
			return 1;
	}
	return 0;
}

/*
 * Zones published without an SOA still need one for negative answers: each
 * accepted name with no accepted ancestor is an apex and gets a synthesised
 * SOA unless its zone brought one.
 */
static int emit_soas(writer *w)
{
	const char *name;
	void *val;
	size_t pos = 0;
	int rc = 0;

	while (rc == 0 && wot_map_next(w->acc, &pos, &name, &val)) {
		size_t idx = (size_t)(uintptr_t)val - 1;
		const wot_claim *c = &w->r->claims[idx];
		if (wot_map_get(w->soa, name) || has_accepted_ancestor(w, name))
			continue;
		rc = wot_buf_printf(&w->out[w->r->claim_shard[idx]].soa,
				    "%s\t3600\tIN\tSOA\t%s hostmaster.%s %lld "
				    "3600 600 86400 60\n",
				    name, name, strcmp(name, ".") ? name : "",
				    (long long)c->since);
	}
	return rc;
}

static int owner_line(const char *name, const char *fpr, int64_t since,
		      void *ctx)
{
	writer *w = ctx;
	int s = wot_shard_of_name(name);

	return w->r->scope[s]
		   ? wot_buf_printf(&w->out[s].hist, "o\t%s\t%s\t%lld\n", name,
				    fpr, (long long)since)
		   : 0;
}

static int seen_line(const char *source, const char *name, int64_t since,
		     void *ctx)
{
	writer *w = ctx;
	int s = wot_shard_of_name(name);

	return w->r->scope[s]
		   ? wot_buf_printf(&w->out[s].hist, "s\t%s\t%s\t%lld\n",
				    source, name, (long long)since)
		   : 0;
}

/* Top's grants and accepted names, which runs that are not full read. */
static int top_lines(writer *w)
{
	wot_recompute *r = w->r;
	shard_out *o = &w->out[WOT_SHARD_TOP];
	const char *name;
	void *val;
	size_t pos = 0;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < r->ngrants; i++) {
		const wot_grant *g = &r->grants[i];
		if (wot_shard_of_name(g->name) == WOT_SHARD_TOP)
			rc = wot_buf_printf(&o->hist, "g\t%s\t%s\t%s\t%d\n",
					    g->name, g->from, g->to,
					    (int)g->kind);
	}
	while (rc == 0 && wot_map_next(w->acc, &pos, &name, &val))
		if (w->r->claim_shard[(uintptr_t)val - 1] == WOT_SHARD_TOP)
			rc = wot_buf_printf(&o->hist, "a\t%s\n", name);
	return rc;
}

static int fill(writer *w)
{
	wot_recompute *r = w->r;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < r->nclaims; i++)
		rc = push_claim(&w->out[r->claim_shard[i]], &r->claims[i]);
	if (rc == 0)
		rc = emit_records(w);
	if (rc == 0)
		rc = emit_soas(w);
	if (rc == 0)
		rc = wot_owners_each(r->owners, owner_line, w);
	if (rc == 0)
		rc = wot_seen_each(r->seen, seen_line, w);
	if (rc == 0 && r->scope[WOT_SHARD_TOP])
		rc = top_lines(w);
	return rc;
}

/* ---- the new manifest ---- */

static int add_sources(wot_manifest *m, const wot_recompute *r,
		       const wot_manifest *old)
{
	m->sources = calloc(r->nviews ? r->nviews : 1, sizeof(*m->sources));
	if (!m->sources)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->nviews; i++) {
		const wot_src_view *v = &r->views[i];
		const wot_manifest_source *o =
		    wot_manifest_source_find(old, v->src->name);
		wot_manifest_source *s = &m->sources[m->nsources++];
		s->name = strdup(v->src->name);
		s->key = strdup(v->src->key);
		s->url = strdup(v->src->url ? v->src->url : "");
		if (!s->name || !s->key || !s->url)
			return wot_error_set(WOT_ENOMEM, "out of memory");
		if (v->skipped && o) {
			memcpy(s->commit, o->commit, sizeof(s->commit));
			s->expired = o->expired;
			s->top = o->top;
		} else if (v->loaded || v->expired) {
			memcpy(s->commit, v->commit, sizeof(s->commit));
			s->expired = v->expired;
			s->top = v->top;
		}
		m->expired += s->expired;
	}
	return 0;
}

static uint64_t next_gen(const wot_manifest *old)
{
	struct timeval tv;
	uint64_t now;

	/* Time-based so a home whose manifest was lost never goes back to a
	 * generation a running resolver has already seen. */
	gettimeofday(&tv, NULL);
	now = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
	return old && old->gen >= now ? old->gen + 1 : now;
}

/* ---- files ---- */

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lines of b in byte order, appended to out: the same content always
 * gives the same file, whatever order the maps gave it in. */
static int put_sorted(wot_buf *out, wot_buf *b)
{
	size_t n = 0, k = 0;
	char **lines;
	int rc = 0;

	for (size_t i = 0; i < b->len; i++)
		n += b->ptr[i] == '\n';
	if (!n)
		return 0;
	if (!(lines = malloc(n * sizeof(*lines))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (char *p = b->ptr, *nl; k < n; p = nl + 1) {
		lines[k++] = p;
		nl = strchr(p, '\n');
		*nl = '\0';
	}
	qsort(lines, n, sizeof(*lines), cmp_line);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = wot_buf_printf(out, "%s\n", lines[i]);
	free(lines);
	return rc;
}

/* The three files of a shard as they would be written. */
typedef struct {
	wot_buf zone, json, hist;
} shard_files;

static void files_dispose(shard_files *f)
{
	wot_buf_dispose(&f->zone);
	wot_buf_dispose(&f->json);
	wot_buf_dispose(&f->hist);
}

static int render(const wot_recompute *r, int s, shard_out *x, shard_files *f)
{
	char id[WOT_SHARD_ID_MAX];
	int rc;

	wot_shard_id(s, id);
	rc = wot_buf_printf(
	    &f->zone, "; wotdns accepted records, shard %s (generated)\n", id);
	if (rc == 0 && x->zone.len)
		rc = wot_buf_put(&f->zone, x->zone.ptr, x->zone.len);
	if (rc == 0)
		rc = put_sorted(&f->zone, &x->soa);
	if (rc == 0)
		rc = wot_accept_json_shard(&f->json, x->claims, x->n, r->keys,
					   r->nkeys);
	if (rc == 0)
		rc = put_sorted(&f->hist, &x->hist);
	return rc;
}

/* SHA-1 (libgit2's, with collision detection) of the three files. */
static int files_hash(const shard_files *f, char out[WOT_OID_MAX])
{
	wot_buf all = WOT_BUF_INIT;
	git_oid id;
	int rc = wot_buf_printf(&all, "%zu %zu %zu\n", f->zone.len, f->json.len,
				f->hist.len);

	if (rc == 0)
		rc = wot_buf_put(&all, f->zone.ptr, f->zone.len);
	if (rc == 0)
		rc = wot_buf_put(&all, f->json.ptr, f->json.len);
	if (rc == 0 && f->hist.len)
		rc = wot_buf_put(&all, f->hist.ptr, f->hist.len);
	if (rc == 0 && git_odb_hash(&id, all.ptr, all.len, GIT_OBJECT_BLOB))
		rc = wot_error_set(WOT_EIO, "hashing a shard failed");
	if (rc == 0)
		git_oid_tostr(out, WOT_OID_MAX, &id);
	wot_buf_dispose(&all);
	return rc;
}

static int write_files(wot_home *h, const wot_manifest_shard *d,
		       const shard_files *f)
{
	char *pz = wot_manifest_path(h, d, "zone");
	char *pj = wot_manifest_path(h, d, "json");
	char *ph = wot_manifest_path(h, d, "hist");
	int rc =
	    pz && pj && ph ? 0 : wot_error_set(WOT_ENOMEM, "out of memory");

	if (rc == 0)
		rc = wot_file_write_nosync(pz, f->zone.ptr, f->zone.len);
	if (rc == 0)
		rc = wot_file_write_nosync(pj, f->json.ptr, f->json.len);
	if (rc == 0)
		rc = wot_file_write_nosync(ph, f->hist.ptr ? f->hist.ptr : "",
					   f->hist.len);
	free(pz);
	free(pj);
	free(ph);
	return rc;
}

static int copy_shard(wot_manifest_shard *d, const wot_manifest_shard *s)
{
	*d = *s;
	d->srcs = NULL;
	for (size_t k = 0; s->srcs && s->srcs[k]; k++)
		if (wot_strv_push(&d->srcs, s->srcs[k]) < 0)
			return WOT_ENOMEM;
	return 0;
}

/* Shard s decided again: its entry in m, and its files written unless
 * their content is what the old manifest already names (then they are
 * kept with their generation, and a reloading resolver reuses them). */
static int put_shard(writer *w, wot_manifest *m, const wot_manifest *old, int s,
		     int *wrote)
{
	const wot_manifest_shard *o = wot_manifest_find(old, s);
	shard_out *x = &w->out[s];
	wot_manifest_shard *d = &m->shards[m->nshards];
	shard_files f = {WOT_BUF_INIT, WOT_BUF_INIT, WOT_BUF_INIT};
	int rc;

	if (!x->n && !x->hist.len)
		return 0; /* nothing left in it: dropped */
	memset(d, 0, sizeof(*d));
	d->shard = s;
	d->filegen = m->gen;
	d->records = x->records;
	d->names = x->names;
	d->claims = x->n;
	d->rejected = x->rejected;
	d->srcs = x->srcs;
	x->srcs = NULL;
	m->nshards++;
	rc = count_contested(x, &d->conflicts);
	if (rc == 0)
		rc = render(w->r, s, x, &f);
	if (rc == 0)
		rc = files_hash(&f, d->hash);
	if (rc == 0 && o && !strcmp(o->hash, d->hash)) {
		d->filegen = o->filegen;
	} else if (rc == 0) {
		rc = write_files(w->r->home, d, &f);
		*wrote = 1;
	}
	files_dispose(&f);
	return rc;
}

static int add_shards(writer *w, wot_manifest *m, const wot_manifest *old,
		      int *wrote)
{
	int rc = 0;

	m->shards = calloc(WOT_SHARDS + 1, sizeof(*m->shards));
	if (!m->shards)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (int s = 0; rc == 0 && s <= WOT_SHARD_TOP; s++) {
		const wot_manifest_shard *o = wot_manifest_find(old, s);
		wot_manifest_shard *d = &m->shards[m->nshards];
		size_t before = m->nshards;
		if (!w->r->scope[s]) {
			if (o && (rc = copy_shard(d, o)) == 0)
				m->nshards++;
		} else {
			rc = put_shard(w, m, old, s, wrote);
		}
		if (rc == 0 && m->nshards > before) {
			m->records += d->records;
			m->names += d->names;
			m->claims += d->claims;
			m->rejected += d->rejected;
			m->conflicts += d->conflicts;
		}
	}
	return rc;
}

static void remove_shard_files(wot_home *h, const wot_manifest_shard *s)
{
	static const char *const kinds[] = {"zone", "json", "hist"};

	for (size_t k = 0; k < 3; k++) {
		char *p = wot_manifest_path(h, s, kinds[k]);
		if (p)
			unlink(p);
		free(p);
	}
}

static int flush_dir(wot_home *h)
{
	char *dir = wot_state_path(h, WOT_STATE_ACCEPTED);
	int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	int rc = 0;

	/* One flush of the file system instead of one per shard file. */
	if (fd < 0 || syncfs(fd) < 0)
		rc = wot_error_set(WOT_EIO, "%s: cannot flush to disk",
				   dir ? dir
				       : wot_state_rel(WOT_STATE_ACCEPTED));
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

/* The old shard files the new manifest no longer names. */
static void remove_replaced(wot_home *h, const wot_manifest *m,
			    const wot_manifest *old)
{
	for (size_t i = 0; old && i < old->nshards; i++) {
		const wot_manifest_shard *o = &old->shards[i];
		const wot_manifest_shard *n = wot_manifest_find(m, o->shard);
		if (!n || n->filegen != o->filegen)
			remove_shard_files(h, o);
	}
}

static void writer_dispose(writer *w)
{
	for (int s = 0; w->out && s <= WOT_SHARD_TOP; s++) {
		wot_buf_dispose(&w->out[s].zone);
		wot_buf_dispose(&w->out[s].soa);
		wot_buf_dispose(&w->out[s].hist);
		free(w->out[s].claims);
		wot_strv_free(w->out[s].srcs);
	}
	free(w->out);
	wot_map_free(w->dedup, NULL);
	wot_map_free(w->acc, NULL);
	wot_map_free(w->soa, NULL);
}

int wot_accept_write(wot_recompute *r, const wot_manifest *old, uint64_t inputs,
		     wot_sync_report *report)
{
	writer w = {.r = r};
	wot_manifest *m = calloc(1, sizeof(*m));
	int wrote = 0;
	int rc = m ? 0 : wot_error_set(WOT_ENOMEM, "out of memory");

	if (rc == 0 && !(w.out = calloc(WOT_SHARDS + 1, sizeof(*w.out))))
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	if (rc == 0 &&
	    ((rc = wot_map_new(&w.dedup)) < 0 ||
	     (rc = wot_map_new(&w.acc)) < 0 || (rc = wot_map_new(&w.soa)) < 0))
		goto out;
	if (rc == 0)
		rc = fill(&w);
	if (rc == 0) {
		m->gen = next_gen(old);
		m->generated = (int64_t)time(NULL);
		m->inputs = inputs;
		m->until = r->keys_until;
		rc = add_sources(m, r, old);
	}
	if (rc == 0) {
		char *dir = wot_state_path(r->home, WOT_STATE_ACCEPTED);
		rc = dir ? wot_mkdir_p(dir, 0700)
			 : wot_error_set(WOT_ENOMEM, "out of memory");
		free(dir);
	}
	if (rc == 0)
		rc = add_shards(&w, m, old, &wrote);
	if (rc == 0 && wrote)
		rc = flush_dir(r->home);
	if (rc == 0)
		rc = wot_manifest_save(r->home, m);
	if (rc == 0)
		remove_replaced(r->home, m, old);
	if (rc == 0 && report) {
		report->records = m->records;
		report->conflicts = m->conflicts;
		report->rejected = m->rejected;
		report->expired = m->expired;
	}
out:
	writer_dispose(&w);
	wot_manifest_free(m);
	return rc;
}
