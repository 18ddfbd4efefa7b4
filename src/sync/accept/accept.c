/*
 * accept.c - from verified heads to the accepted record set.
 *
 * A full recompute decides every claim of every source. After a change in
 * some sources only, the shards their names were and are in (shard.c) are
 * decided again, from every source with claims there: every input of
 * those decisions (rival claims, holders, grants and apexes up the tree)
 * lies in the same shards or in "top", whose history is read but never
 * changed by such a run. A change that reaches top needs a full run.
 */
#include "sync/accept/accept.h"
#include "sync/source/source.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Owner name of rr, lowercase and absolute (caller frees). */
static char *owner_name(const ldns_rr *rr)
{
	char *s = ldns_rdf2str(ldns_rr_owner(rr));

	for (char *p = s; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

/* Is this record a grant (TXT at _wotdns.NAME) about a name of top? */
static int grants_top(const wot_src_rr *rr)
{
	return rr->type == LDNS_RR_TYPE_TXT &&
	       !strncmp(rr->owner, "_wotdns.", 8) &&
	       wot_shard_of_name(rr->owner + 8) == WOT_SHARD_TOP;
}

static int index_view(wot_src_view *v)
{
	v->shard = calloc(v->rrs.n ? v->rrs.n : 1, sizeof(*v->shard));
	if (!v->shard)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t j = 0; j < v->rrs.n; j++) {
		v->shard[j] = wot_shard_of_name(v->rrs.rrs[j].owner);
		if (v->shard[j] == WOT_SHARD_TOP || grants_top(&v->rrs.rrs[j]))
			v->top = 1;
	}
	return 0;
}

static int load_view(wot_home *h, wot_src_view *v)
{
	git_repository *repo = NULL;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_oid id;
	int gerr, rc;

	if ((rc = wot_sync_open_mirror(h, v->src->name, &repo)) < 0)
		return rc;
	if (git_reference_name_to_id(&id, repo, REF_VERIFIED)) {
		git_repository_free(repo);
		return WOT_ENOENT; /* nothing verified yet */
	}
	git_oid_tostr(v->commit, sizeof(v->commit), &id);
	gerr = git_commit_lookup(&c, repo, &id);
	if (!gerr)
		gerr = git_commit_tree(&tree, c);
	if (gerr)
		rc = wot_git_error(WOT_EGIT, gerr, v->src->name);
	else
		rc = wot_src_rrs_load(h, v->src->name, v->commit, repo, tree,
				      &v->rrs);
	v->time = c ? (int64_t)git_commit_time(c) : 0;
	git_tree_free(tree);
	git_commit_free(c);
	git_repository_free(repo);
	return rc == 0 ? index_view(v) : rc;
}

static void view_dispose(wot_src_view *v)
{
	wot_src_rrs_dispose(&v->rrs);
	free(v->shard);
	v->shard = NULL;
	v->loaded = 0;
}

static const wot_key_info *find_key(wot_recompute *r, const char *fpr)
{
	for (size_t i = 0; i < r->nkeys; i++)
		if (!strcmp(r->keys[i].fpr, fpr))
			return &r->keys[i];
	return NULL;
}

static int claims_room(wot_recompute *r)
{
	size_t cap;
	wot_claim *nc;
	int *ns;

	if (r->nclaims < r->capclaims)
		return 0;
	cap = r->capclaims ? r->capclaims * 2 : 64;
	nc = realloc(r->claims, cap * sizeof(*nc));
	if (nc)
		r->claims = nc;
	ns = nc ? realloc(r->claim_shard, cap * sizeof(*ns)) : NULL;
	if (ns)
		r->claim_shard = ns;
	if (!nc || !ns)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	r->capclaims = cap;
	return 0;
}

/* "source\nname", the key of claim_of: in buf when it fits (once per
 * record, no allocation for the usual name), else allocated (free it when
 * it is not buf). NULL when out of memory. */
static char *claim_key(char buf[1024], const char *src, const char *name)
{
	size_t ls = strlen(src), ln = strlen(name);

	if (ls + ln + 2 > 1024)
		return wot_strdup_printf("%s\n%s", src, name);
	memcpy(buf, src, ls);
	buf[ls] = '\n';
	memcpy(buf + ls + 1, name, ln + 1);
	return buf;
}

long wot_claim_find(const wot_recompute *r, const char *src, const char *name)
{
	char buf[1024], *key = claim_key(buf, src, name);
	uintptr_t idx = key ? (uintptr_t)wot_map_get(r->claim_of, key) : 0;

	if (key != buf)
		free(key);
	return (long)idx - 1;
}

static int add_claim(wot_recompute *r, wot_src_view *v, const char *owner,
		     int shard)
{
	char buf[1024], *key, *name;
	wot_claim *c;
	int rc = 0;

	if (wot_claim_find(r, v->src->name, owner) >= 0)
		return 0; /* another record, same name */
	if (!(key = claim_key(buf, v->src->name, owner)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if ((rc = claims_room(r)) < 0 || !(name = strdup(owner))) {
		if (key != buf)
			free(key);
		return rc < 0 ? rc : wot_error_set(WOT_ENOMEM, "out of memory");
	}
	c = &r->claims[r->nclaims];
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->source = v->src->name;
	c->signer = v->src->key;
	c->commit = v->commit;
	/* First sight of (source, name) is remembered so "first" survives. */
	if (wot_seen_since(r->seen, v->src->name, name, v->time, &c->since) <
	    0) {
		if (key != buf)
			free(key);
		free(name);
		return WOT_ENOMEM;
	}
	c->validity = v->key ? v->key->validity : WOT_VALIDITY_UNKNOWN;
	c->level = v->key ? v->key->level : -1;
	c->shadows = wot_tld_public(r->tlds, name);
	c->reserved = wot_tld_reserved(r->tlds, name);
	r->claim_shard[r->nclaims++] = shard;
	rc = wot_map_put(r->claim_of, key, (void *)(uintptr_t)r->nclaims, NULL);
	if (key != buf)
		free(key);
	return rc;
}

/* The text of a TXT record, character-strings joined. */
static char *txt_text(const ldns_rr *rr)
{
	wot_buf b = WOT_BUF_INIT;

	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);
		const uint8_t *d = ldns_rdf_data(f);
		size_t n = ldns_rdf_size(f);
		if (n > 0 && (size_t)d[0] + 1 <= n)
			wot_buf_put(&b, d + 1, d[0]);
	}
	return b.ptr ? b.ptr : strdup("");
}

int wot_grant_add(wot_recompute *r, const char *name, const char *from,
		  const char *to, wot_grant_kind kind)
{
	wot_grant *ng = realloc(r->grants, (r->ngrants + 1) * sizeof(*ng));
	wot_grant g = {strdup(name), strdup(from), strdup(to), kind};

	if (ng)
		r->grants = ng;
	if (!ng || !g.name || !g.from || !g.to) {
		free((char *)g.name);
		free((char *)g.from);
		free((char *)g.to);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	ng[r->ngrants++] = g;
	return 0;
}

/* Grants: TXT "v=wotdns1; transfer=|delegate=FPR" at _wotdns.<name>. */
static int grant_rr(wot_recompute *r, wot_src_view *v, const wot_src_rr *cr)
{
	char *owner = NULL, *txt = NULL, to[WOT_FPR_MAX];
	ldns_rr *rr = NULL;
	wot_grant_kind kind;
	int rc = 0;

	if (cr->type != LDNS_RR_TYPE_TXT || strncmp(cr->owner, "_wotdns.", 8))
		return 0;
	/* Rare enough to read the record again from its line. */
	if (ldns_rr_new_frm_str(&rr, cr->line, 0, NULL, NULL) != LDNS_STATUS_OK)
		return 0;
	owner = owner_name(rr);
	txt = txt_text(rr);
	ldns_rr_free(rr);
	if (owner && txt && !strncmp(owner, "_wotdns.", 8) &&
	    wot_grant_parse(txt, &kind, to) == 0)
		rc = wot_grant_add(r, owner + 8, v->src->key, to, kind);
	free(owner);
	free(txt);
	return rc;
}

/* Claims and grants of every loaded record in scope. */
static int collect(wot_recompute *r)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < r->nviews; i++) {
		wot_src_view *v = &r->views[i];
		if (!v->loaded)
			continue;
		for (size_t j = 0; rc == 0 && j < v->rrs.n; j++)
			if (r->scope[v->shard[j]])
				rc = add_claim(r, v, v->rrs.rrs[j].owner,
					       v->shard[j]);
		for (size_t j = 0; rc == 0 && j < v->rrs.n; j++)
			if (r->scope[v->shard[j]])
				rc = grant_rr(r, v, &v->rrs.rrs[j]);
	}
	return rc;
}

static int build_signers(wot_recompute *r)
{
	r->signers = calloc(r->nkeys ? r->nkeys : 1, sizeof(*r->signers));
	if (!r->signers)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->nkeys; i++)
		r->signers[i] = (wot_signer){
		    r->keys[i].fpr, r->keys[i].validity, r->keys[i].ownertrust,
		    r->keys[i].level, r->keys[i].revoked || r->keys[i].expired};
	return 0;
}

static void recompute_dispose(wot_recompute *r)
{
	for (size_t i = 0; i < r->ngrants; i++) {
		free((char *)r->grants[i].name);
		free((char *)r->grants[i].from);
		free((char *)r->grants[i].to);
	}
	free(r->grants);
	free(r->signers);
	wot_tld_free(r->tlds);
	for (size_t i = 0; i < r->nviews; i++)
		view_dispose(&r->views[i]);
	free(r->views);
	for (size_t i = 0; i < r->nclaims; i++)
		free((char *)r->claims[i].name);
	free(r->claims);
	free(r->claim_shard);
	wot_map_free(r->claim_of, NULL);
	free(r->keys);
	wot_owners_free(r->owners);
	wot_seen_free(r->seen);
	wot_map_free(r->top_acc, NULL);
	wot_map_free(r->top_owners, free);
	free(r->scope);
}

/* History of every shard in scope, and of top. */
static int load_history(wot_recompute *r, const wot_manifest *old)
{
	int rc = 0;

	if (!old) /* the first recompute: no history yet */
		return 0;
	for (size_t i = 0; rc == 0 && i < old->nshards; i++) {
		const wot_manifest_shard *s = &old->shards[i];
		char *p;
		if (!r->scope[s->shard] && s->shard != WOT_SHARD_TOP)
			continue;
		p = wot_manifest_path(r->home, s, "hist");
		rc = p ? wot_hist_read(r, p, s->shard == WOT_SHARD_TOP)
		       : wot_error_set(WOT_ENOMEM, "out of memory");
		free(p);
	}
	return rc;
}

static int in_list(char *const *v, const char *name)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], name))
			return 1;
	return 0;
}

/* Load source i's view; one that cannot be loaded or has expired serves
 * nothing (its status says why). */
static int open_view(wot_recompute *r, size_t i, int64_t now)
{
	wot_src_view *v = &r->views[i];
	int rc;

	v->skipped = 0;
	if (!v->src->key[0])
		return 0;
	if ((rc = load_view(r->home, v)) < 0) {
		if (rc != WOT_ENOENT)
			wot_log(WOT_LOG_WARNING, "sync", "%s: %s", v->src->name,
				wot_error_last());
		wot_error_clear();
		view_dispose(v);
		return 0;
	}
	/* Past its maximum age a source serves nothing (freshness.c). */
	if (wot_fresh_expired(r->home, v->src->name, v->time, now)) {
		v->expired = 1;
		view_dispose(v);
		return 0;
	}
	v->loaded = 1;
	return 0;
}

/* A source the check found unchanged, needed for its claims in scope. If
 * it is not as the manifest says after all (its expiry turned in between),
 * its other shards would be left stale: 1, decide everything. */
static int open_unchanged(wot_recompute *r, const wot_manifest *old, size_t i,
			  int64_t now)
{
	const wot_manifest_source *o =
	    wot_manifest_source_find(old, r->views[i].src->name);
	const wot_src_view *v = &r->views[i];
	int rc = open_view(r, i, now);

	if (rc < 0)
		return rc;
	if (!o || o->expired != v->expired ||
	    ((v->loaded || v->expired) && strcmp(o->commit, v->commit)))
		return 1;
	return 0;
}

/*
 * Incremental scope: the shards the changed sources had names in, and the
 * ones they have now; then every other source with names there. 1 when
 * the change reaches top.
 */
static int widen(wot_recompute *r, const wot_manifest *old,
		 char *const *changed, int64_t now)
{
	int rc = 0;

	for (size_t i = 0; i < r->nviews; i++)
		r->views[i].skipped = 1;
	for (size_t k = 0; changed[k]; k++) {
		const wot_manifest_source *o =
		    wot_manifest_source_find(old, changed[k]);
		if (o && o->top)
			return 1;
	}
	for (size_t k = 0; changed[k]; k++)
		for (size_t i = 0; i < old->nshards; i++)
			if (in_list(old->shards[i].srcs, changed[k])) {
				if (old->shards[i].shard == WOT_SHARD_TOP)
					return 1;
				r->scope[old->shards[i].shard] = 1;
			}
	for (size_t i = 0; rc == 0 && i < r->nviews; i++) {
		wot_src_view *v = &r->views[i];
		if (!in_list(changed, v->src->name))
			continue;
		if ((rc = open_view(r, i, now)) < 0 || (v->loaded && v->top))
			return rc < 0 ? rc : 1;
		for (size_t j = 0; v->loaded && j < v->rrs.n; j++)
			r->scope[v->shard[j]] = 1;
	}
	for (size_t i = 0; i < old->nshards; i++) {
		const wot_manifest_shard *s = &old->shards[i];
		if (!r->scope[s->shard])
			continue;
		for (size_t k = 0; rc == 0 && s->srcs && s->srcs[k]; k++)
			for (size_t j = 0; rc == 0 && j < r->nviews; j++)
				if (r->views[j].skipped &&
				    !strcmp(r->views[j].src->name, s->srcs[k]))
					rc = open_unchanged(r, old, j, now);
	}
	return rc;
}

/* A run that is not full must leave top's holders as they were. */
static int top_moved_fn(const char *name, const char *fpr, int64_t since,
			void *ctx)
{
	wot_recompute *r = ctx;
	const char *was;
	char now[WOT_FPR_MAX + 24];

	if (wot_shard_of_name(name) != WOT_SHARD_TOP)
		return 0;
	was = wot_map_get(r->top_owners, name);
	snprintf(now, sizeof(now), "%s %lld", fpr, (long long)since);
	return was && !strcmp(was, now) ? 0 : 1;
}

static int prepare(wot_recompute *r, wot_trust *t, char *const *changed)
{
	int rc;

	r->full = changed == NULL;
	r->scope = calloc(WOT_SHARDS + 1, 1);
	r->views = calloc(r->nviews ? r->nviews : 1, sizeof(*r->views));
	if (!r->scope || !r->views)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if (r->full)
		memset(r->scope, 1, WOT_SHARDS + 1);
	for (size_t i = 0; i < r->nviews; i++)
		r->views[i].src = &r->srcs[i];
	if ((rc = wot_tld_load(&r->tlds)) < 0 ||
	    (rc = wot_sync_keys(r->home, t, &r->keys, &r->nkeys,
				&r->keys_until)) < 0 ||
	    (rc = wot_owners_new(&r->owners)) < 0 ||
	    (rc = wot_seen_new(&r->seen)) < 0 ||
	    (rc = wot_map_new(&r->claim_of)) < 0)
		return rc;
	for (size_t i = 0; i < r->nviews; i++)
		r->views[i].key = find_key(r, r->srcs[i].key);
	if (!r->full && ((rc = wot_map_new(&r->top_acc)) < 0 ||
			 (rc = wot_map_new(&r->top_owners)) < 0))
		return rc;
	return 0;
}

static const char *reserved_fn(const char *name, void *ctx)
{
	return wot_tld_reserved(ctx, name);
}

static int decide(wot_recompute *r, const wot_config *cfg)
{
	wot_accept_opts opts = WOT_ACCEPT_OPTS_INIT;
	int rc = build_signers(r);

	opts.policy = &cfg->trust;
	opts.signers = r->signers;
	opts.nsigners = r->nkeys;
	opts.grants = r->grants;
	opts.ngrants = r->ngrants;
	opts.now = (int64_t)time(NULL);
	opts.reserved = reserved_fn;
	opts.reserved_ctx = r->tlds;
	if (rc == 0)
		rc = wot_trust_accept(r->claims, r->nclaims, r->owners, &opts);
	if (rc == 0 && !r->full)
		rc = wot_owners_each(r->owners, top_moved_fn, r);
	return rc;
}

int wot_accept_run(wot_home *h, wot_trust *t, const wot_manifest *old,
		   char *const *changed, uint64_t inputs,
		   wot_sync_report *report)
{
	wot_recompute r = {.home = h};
	wot_source *srcs = NULL;
	size_t nsrcs = 0;
	int64_t now = (int64_t)time(NULL);
	int rc;

	if (!old && changed)
		return 1;
	if ((rc = wot_sources_load(h, &srcs, &nsrcs)) < 0)
		return rc;
	r.srcs = srcs;
	r.nviews = nsrcs;
	if ((rc = prepare(&r, t, changed)) < 0)
		goto out;
	if (r.full) {
		for (size_t i = 0; rc == 0 && i < nsrcs; i++)
			rc = open_view(&r, i, now);
	} else {
		rc = widen(&r, old, changed, now);
	}
	if (rc == 0)
		rc = load_history(&r, old);
	if (rc == 0)
		rc = collect(&r);
	if (rc == 0)
		rc = decide(&r, &h->cfg);
	if (rc == 0)
		rc = wot_accept_write(&r, old, inputs, report);
out:
	recompute_dispose(&r);
	wot_sources_free(srcs, nsrcs);
	return rc;
}
