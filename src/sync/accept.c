/* accept.c - from verified heads to the accepted record set. */
#include "sync/rrcache.h"
#include "sync/seen.h"
#include "sync/sync_int.h"
#include "sync/zone.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What one source contributes at its verified head. */
typedef struct {
	const wot_source *src;
	char commit[WOT_OID_MAX];
	int64_t time;
	wot_src_rrs rrs;
	const wot_key_info *key;
} src_view;

typedef struct {
	src_view *views;
	size_t nviews;
	wot_claim *claims;
	size_t nclaims, capclaims;
	wot_map *claim_of; /* "source\nname" -> claim index + 1 */
	wot_key_info *keys;
	size_t nkeys;
	wot_owners *owners;
	wot_seen *seen; /* state/seen.json */
	wot_signer *signers;
	wot_grant *grants;
	size_t ngrants;
	wot_map *tlds;
} recompute;

/* Owner name of rr, lowercase and absolute (caller frees). */
static char *owner_name(const ldns_rr *rr)
{
	char *s = ldns_rdf2str(ldns_rr_owner(rr));

	for (char *p = s; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

static int load_view(wot_home *h, src_view *v)
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
	return rc;
}

static const wot_key_info *find_key(recompute *r, const char *fpr)
{
	for (size_t i = 0; i < r->nkeys; i++)
		if (!strcmp(r->keys[i].fpr, fpr))
			return &r->keys[i];
	return NULL;
}

static int add_claim(recompute *r, src_view *v, char *name)
{
	char *key = wot_strdup_printf("%s\n%s", v->src->name, name);
	wot_claim *c;

	if (!key)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if (wot_map_get(r->claim_of, key)) {
		free(key);
		free(name);
		return 0;
	}
	if (r->nclaims == r->capclaims) {
		size_t cap = r->capclaims ? r->capclaims * 2 : 64;
		wot_claim *nc = realloc(r->claims, cap * sizeof(*nc));
		if (!nc) {
			free(key);
			free(name);
			return wot_error_set(WOT_ENOMEM, "out of memory");
		}
		r->claims = nc;
		r->capclaims = cap;
	}
	c = &r->claims[r->nclaims++];
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->source = v->src->name;
	c->signer = v->src->key;
	c->commit = v->commit;
	/* First sight of (source, name) is remembered so "first" survives. */
	if (wot_seen_since(r->seen, v->src->name, name, v->time, &c->since) <
	    0) {
		r->nclaims--;
		free(key);
		free(name);
		return WOT_ENOMEM;
	}
	c->validity = v->key ? v->key->validity : WOT_VALIDITY_UNKNOWN;
	c->level = v->key ? v->key->level : -1;
	c->shadows = wot_tld_public(r->tlds, name);
	wot_map_put(r->claim_of, key, (void *)(uintptr_t)r->nclaims, NULL);
	free(key);
	return 0;
}

typedef int (*rr_fn)(recompute *r, src_view *v, const wot_src_rr *rr);

/* fn over every record of every loaded source. */
static int each_rr(recompute *r, rr_fn fn)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < r->nviews; i++) {
		src_view *v = &r->views[i];
		for (size_t j = 0; rc == 0 && j < v->rrs.n; j++)
			rc = fn(r, v, &v->rrs.rrs[j]);
	}
	return rc;
}

static int claim_rr(recompute *r, src_view *v, const wot_src_rr *rr)
{
	char *name = strdup(rr->owner);

	return name ? add_claim(r, v, name)
		    : wot_error_set(WOT_ENOMEM, "out of memory");
}

/* The accepted claim for (source, name), or NULL. */
static const wot_claim *accepted_claim(recompute *r, const char *src,
				       const char *name)
{
	/* Once per record written: no allocation for the usual name. */
	char buf[1024], *key = buf;
	size_t ls = strlen(src), ln = strlen(name);
	uintptr_t idx;

	if (ls + ln + 2 > sizeof(buf))
		key = wot_strdup_printf("%s\n%s", src, name);
	else {
		memcpy(buf, src, ls);
		buf[ls] = '\n';
		memcpy(buf + ls + 1, name, ln + 1);
	}
	idx = key ? (uintptr_t)wot_map_get(r->claim_of, key) : 0;
	if (key != buf)
		free(key);
	return idx && r->claims[idx - 1].accepted ? &r->claims[idx - 1] : NULL;
}

/* Is any proper ancestor of name an accepted name? */
static int has_accepted_ancestor(wot_map *acc, const char *name)
{
	for (const char *p = strchr(name, '.'); p && p[1]; p = strchr(p, '.')) {
		p++;
		if (wot_map_get(acc, p))
			return 1;
	}
	return 0;
}

static int emit_rr(wot_buf *b, wot_map *dedup, const char *line)
{
	int rc = 0;

	if (!wot_map_get(dedup, line)) {
		rc = wot_map_put(dedup, line, (void *)1, NULL);
		if (rc == 0)
			rc = wot_buf_put(b, line, strlen(line));
	}
	return rc;
}

/*
 * Zones published without an SOA still need one for negative answers: each
 * accepted name with no accepted ancestor is an apex and gets a synthesised
 * SOA unless its zone brought one.
 */
static int emit_soas(wot_buf *b, wot_map *acc, wot_map *soa)
{
	const char *name;
	void *val;
	size_t pos = 0;
	int rc = 0;

	while (rc == 0 && wot_map_next(acc, &pos, &name, &val)) {
		const wot_claim *c = val;
		if (wot_map_get(soa, name) || has_accepted_ancestor(acc, name))
			continue;
		rc = wot_buf_printf(b,
				    "%s\t3600\tIN\tSOA\t%s hostmaster.%s %lld "
				    "3600 600 86400 60\n",
				    name, name, strcmp(name, ".") ? name : "",
				    (long long)c->since);
	}
	return rc;
}

static int write_zone(wot_home *h, recompute *r, size_t *records)
{
	wot_map *dedup = NULL, *acc = NULL, *soa = NULL;
	wot_buf b = WOT_BUF_INIT;
	char *path = wot_home_path(h, "state/accepted.zone");
	int rc;

	if ((rc = wot_map_new(&dedup)) < 0 || (rc = wot_map_new(&acc)) < 0 ||
	    (rc = wot_map_new(&soa)) < 0)
		goto out;
	rc = wot_buf_printf(&b, "; wotdns accepted record set (generated)\n");
	for (size_t i = 0; rc == 0 && i < r->nviews; i++) {
		src_view *v = &r->views[i];
		for (size_t j = 0; rc == 0 && j < v->rrs.n; j++) {
			const wot_src_rr *rr = &v->rrs.rrs[j];
			const wot_claim *c =
			    accepted_claim(r, v->src->name, rr->owner);
			if (c) {
				rc = emit_rr(&b, dedup, rr->line);
				wot_map_put(acc, rr->owner, (void *)c, NULL);
				if (rr->type == LDNS_RR_TYPE_SOA)
					wot_map_put(soa, rr->owner, (void *)1,
						    NULL);
			}
		}
	}
	if (rc == 0)
		rc = emit_soas(&b, acc, soa);
	*records = wot_map_count(dedup);
	if (rc == 0)
		rc = wot_file_write_atomic(path, b.ptr ? b.ptr : "", b.len);
out:
	wot_map_free(dedup, NULL);
	wot_map_free(acc, NULL);
	wot_map_free(soa, NULL);
	wot_buf_dispose(&b);
	free(path);
	return rc;
}

static int write_json(wot_home *h, recompute *r, const wot_source *srcs,
		      size_t nsrcs, size_t records, size_t *conflicts)
{
	wot_accept_json j = {.claims = r->claims,
			     .nclaims = r->nclaims,
			     .keys = r->keys,
			     .nkeys = r->nkeys,
			     .records = records,
			     .generated = (int64_t)time(NULL)};
	wot_accept_json_source *js = calloc(nsrcs ? nsrcs : 1, sizeof(*js));
	char *path = wot_home_path(h, "state/accepted.json");
	int rc;

	for (size_t i = 0; js && i < nsrcs; i++) {
		js[i] = (wot_accept_json_source){srcs[i].name, srcs[i].url,
						 srcs[i].key, ""};
		for (size_t k = 0; k < r->nviews; k++)
			if (r->views[k].src == &srcs[i])
				js[i].verified = r->views[k].commit;
	}
	j.sources = js;
	j.nsources = nsrcs;
	*conflicts = 0;
	rc = js && path ? wot_accept_json_write(path, &j, conflicts)
			: wot_error_set(WOT_ENOMEM, "out of memory");
	free(js);
	free(path);
	return rc;
}

static int write_state(wot_home *h, recompute *r)
{
	char *p = wot_home_path(h, "state/owners.json"), *text = NULL;
	int rc = wot_owners_to_json(r->owners, &text);

	if (rc == 0)
		rc = wot_file_write_atomic(p, text, strlen(text));
	free(text);
	free(p);
	return rc == 0 ? wot_seen_save(h, r->seen) : rc;
}

/* Order matters for crash safety: history first (it only grows), then the
 * records, then their explanation. */
static int write_outputs(wot_home *h, recompute *r, const wot_source *srcs,
			 size_t nsrcs, wot_sync_report *report)
{
	size_t records = 0, conflicts = 0;
	int rc;

	if ((rc = write_state(h, r)) < 0 ||
	    (rc = write_zone(h, r, &records)) < 0 ||
	    (rc = write_json(h, r, srcs, nsrcs, records, &conflicts)) < 0)
		return rc;
	if (report) {
		report->records = records;
		report->conflicts = conflicts;
		report->rejected = 0;
		for (size_t i = 0; i < r->nclaims; i++)
			report->rejected += !r->claims[i].accepted;
	}
	return 0;
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

/* Grants: TXT "v=wotdns1; transfer=|delegate=FPR" at _wotdns.<name>. */
static int grant_rr(recompute *r, src_view *v, const wot_src_rr *cr)
{
	char *owner = NULL, *txt = NULL, to[WOT_FPR_MAX];
	ldns_rr *rr = NULL;
	wot_grant_kind kind;
	wot_grant *ng;
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
	    wot_grant_parse(txt, &kind, to) == 0) {
		ng = realloc(r->grants, (r->ngrants + 1) * sizeof(*ng));
		if (!ng) {
			rc = wot_error_set(WOT_ENOMEM, "out of memory");
		} else {
			wot_grant g = {strdup(owner + 8), v->src->key,
				       strdup(to), kind};
			r->grants = ng;
			if (g.name && g.to) {
				ng[r->ngrants++] = g;
			} else {
				free((char *)g.name);
				free((char *)g.to);
				rc = wot_error_set(WOT_ENOMEM, "out of memory");
			}
		}
	}
	free(owner);
	free(txt);
	return rc;
}

static int build_signers(recompute *r)
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

static void recompute_dispose(recompute *r)
{
	for (size_t i = 0; i < r->ngrants; i++) {
		free((char *)r->grants[i].name);
		free((char *)r->grants[i].to);
	}
	free(r->grants);
	free(r->signers);
	wot_map_free(r->tlds, NULL);
	for (size_t i = 0; i < r->nviews; i++)
		wot_src_rrs_dispose(&r->views[i].rrs);
	free(r->views);
	for (size_t i = 0; i < r->nclaims; i++)
		free((char *)r->claims[i].name);
	free(r->claims);
	wot_map_free(r->claim_of, NULL);
	free(r->keys);
	wot_owners_free(r->owners);
	wot_seen_free(r->seen);
}

static int load_state(wot_home *h, recompute *r)
{
	char *p = wot_home_path(h, "state/owners.json"), *text = NULL;
	int rc =
	    p ? wot_file_read(p, WOT_MAX_STATE_BYTES, &text, NULL) : WOT_ENOMEM;

	if (rc == 0)
		rc = wot_owners_from_json(&r->owners, text);
	else if (rc == WOT_ENOENT)
		rc = wot_owners_new(&r->owners);
	if (rc < 0)
		wot_error_wrap(rc, "%s", p ? p : "owners");
	free(text);
	free(p);
	if (rc == 0)
		rc = wot_seen_load(h, &r->seen);
	return rc;
}

int wot_sync_recompute(wot_home *h, wot_trust *t, wot_sync_report *report)
{
	int lock = -1, rc = wot_home_lock(h, &lock);

	if (rc == 0)
		rc = wot_sync_recompute_locked(h, t, report);
	wot_home_unlock(lock);
	return rc;
}

int wot_sync_recompute_locked(wot_home *h, wot_trust *t,
			      wot_sync_report *report)
{
	wot_accept_opts opts = WOT_ACCEPT_OPTS_INIT;
	recompute r = {0};
	wot_source *srcs = NULL;
	size_t nsrcs = 0, expired = 0;
	int64_t now = (int64_t)time(NULL);
	int rc;

	if ((rc = wot_sources_load(h, &srcs, &nsrcs)) < 0)
		return rc;
	if ((rc = wot_tld_load(&r.tlds)) < 0 ||
	    (rc = wot_sync_keys(h, t, &r.keys, &r.nkeys)) < 0 ||
	    (rc = load_state(h, &r)) < 0 || (rc = wot_map_new(&r.claim_of)) < 0)
		goto out;
	r.views = calloc(nsrcs, sizeof(*r.views));
	if (!r.views) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nsrcs; i++) {
		src_view *v = &r.views[r.nviews];
		v->src = &srcs[i];
		v->key = find_key(&r, srcs[i].key);
		if (!srcs[i].key[0] || (rc = load_view(h, v)) < 0) {
			/* The source serves nothing until it loads again; its
			 * status shows why. */
			if (srcs[i].key[0] && rc != WOT_ENOENT)
				wot_log(WOT_LOG_WARNING, "sync", "%s: %s",
					srcs[i].name, wot_error_last());
			rc = 0;
			wot_src_rrs_dispose(&v->rrs);
			memset(v, 0, sizeof(*v));
			wot_error_clear();
			continue;
		}
		/* Past its maximum age a source serves nothing (fresh.c). */
		if (wot_fresh_expired(h, srcs[i].name, v->time, now)) {
			expired++;
			wot_src_rrs_dispose(&v->rrs);
			memset(v, 0, sizeof(*v));
			continue;
		}
		r.nviews++;
	}
	if ((rc = each_rr(&r, claim_rr)) < 0 ||
	    (rc = each_rr(&r, grant_rr)) < 0 || (rc = build_signers(&r)) < 0)
		goto out;
	opts.policy = &h->cfg.trust;
	opts.signers = r.signers;
	opts.nsigners = r.nkeys;
	opts.grants = r.grants;
	opts.ngrants = r.ngrants;
	opts.now = (int64_t)time(NULL);
	if ((rc = wot_trust_accept(r.claims, r.nclaims, r.owners, &opts)) < 0)
		goto out;
	rc = write_outputs(h, &r, srcs, nsrcs, report);
	if (report)
		report->expired = expired;
out:
	recompute_dispose(&r);
	wot_sources_free(srcs, nsrcs);
	return rc;
}
