/* fetch.c - fetching a source and verifying its new signed commits. */
#include "sync/sync_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fetch_ctx {
	const char *name;
	wot_sync_progress cb;
	void *data;
};

static int on_progress(const git_indexer_progress *st, void *payload)
{
	struct fetch_ctx *f = payload;

	if (f->cb)
		f->cb(WOT_SYNC_EV_FETCH, f->name, st->received_objects,
		      st->total_objects, 1, NULL, f->data);
	return 0;
}

int wot_sync_open_mirror(wot_home *h, const char *name, git_repository **out)
{
	char *rel = wot_strdup_printf("sources/%s.git", name);
	char *path = rel ? wot_home_path(h, rel) : NULL;
	int gerr;

	wot_git_ready();
	free(rel);
	if (!path)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	gerr = git_repository_open_bare(out, path);
	if (gerr == GIT_ENOTFOUND)
		gerr = git_repository_init(out, path, 1);
	free(path);
	return gerr ? wot_git_error(WOT_EGIT, gerr, "mirror") : 0;
}

static int do_fetch(git_repository *repo, const char *url, struct fetch_ctx *f)
{
	static char spec[] = "+refs/heads/*:refs/wotdns/fetched/*";
	char *specs[] = {spec};
	git_strarray refspecs = {specs, 1};
	git_fetch_options fo;
	git_remote_create_options ro;
	git_remote *remote = NULL;
	int gerr;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.callbacks.transfer_progress = on_progress;
	fo.callbacks.payload = f;
	fo.prune = GIT_FETCH_PRUNE;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	/* The URL means what it says: no insteadOf rewriting from any git
	 * config (it also avoids a libgit2 1.5 leak in that lookup). */
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = repo;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
	gerr = git_remote_create_with_opts(&remote, url, &ro);
	if (!gerr)
		gerr = git_remote_fetch(remote, &refspecs, &fo, NULL);
	git_remote_free(remote);
	return gerr ? wot_git_error(WOT_ENET, gerr, "fetch") : 0;
}

static int fetched_tip(git_repository *repo, git_oid *out)
{
	if (git_reference_name_to_id(out, repo, "refs/wotdns/fetched/main") &&
	    git_reference_name_to_id(out, repo, "refs/wotdns/fetched/master"))
		return wot_error_set(WOT_ENOENT,
				     "source has no 'main' or 'master' branch");
	return 0;
}

struct key_import {
	wot_trust *t;
	const char *only; /* import keys/<only>.asc alone, or all if NULL */
	int imported;
};

static int import_blob(const char *path, const char *data, size_t len,
		       void *ctx)
{
	struct key_import *k = ctx;
	const char *base = strrchr(path, '/');
	size_t bl;

	base = base ? base + 1 : path;
	bl = strlen(base);
	if (bl < 5 || strcmp(base + bl - 4, ".asc"))
		return 0;
	if (k->only && (strncmp(base, k->only, bl - 4) || k->only[bl - 4]))
		return 0;
	if (len > WOT_MAX_KEY_BYTES) {
		/* Said out loud: a missing key explains a later failure. */
		wot_log(WOT_LOG_WARNING, "sync",
			"%s: skipped, %zu bytes (limit %u)", path, len,
			WOT_MAX_KEY_BYTES);
		return 0;
	}
	if (wot_trust_import(k->t, data, len, NULL) < 0)
		wot_log(WOT_LOG_WARNING, "sync", "%s: %s", path,
			wot_error_last());
	else
		k->imported++;
	return 0;
}

/* Import keys/ from a commit's tree (all, or only one fingerprint). */
static int import_keys(git_repository *repo, wot_trust *t, const git_oid *id,
		       const char *only)
{
	struct key_import k = {t, only, 0};
	int rc = wot_repo_commit_blobs(repo, id, "keys", import_blob, &k);

	return rc < 0 ? rc : k.imported;
}

/*
 * One commit: signed, good, by the pinned owner (pinned now from the first
 * commit when the source has no pin yet).
 */
static int verify_commit(git_repository *repo, wot_trust *t, git_oid *id,
			 const git_oid *tip, char pin[WOT_FPR_MAX])
{
	git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
	wot_sig_result r;
	char hex[WOT_OID_MAX];
	int gerr, rc;

	git_oid_tostr(hex, sizeof(hex), id);
	gerr = git_commit_extract_signature(&sig, &data, repo, id, NULL);
	if (gerr == GIT_ENOTFOUND)
		return wot_error_set(WOT_EVERIFY, "commit %.12s is not signed",
				     hex);
	if (gerr)
		return wot_git_error(WOT_EGIT, gerr, hex);
	rc = wot_trust_verify(t, sig.ptr, sig.size, data.ptr, data.size, &r);
	/* The owner's key travels in the repository: fetch it from the
	 * fetched tip, but only the key that is (or will be) pinned. */
	if (rc == 0 && !r.good && r.signer[0] &&
	    (!pin[0] || !strcmp(r.signer, pin)) &&
	    import_keys(repo, t, tip, r.signer) > 0)
		rc = wot_trust_verify(t, sig.ptr, sig.size, data.ptr, data.size,
				      &r);
	if (rc == 0 && pin[0] && r.signer[0] && strcmp(r.signer, pin))
		rc = wot_error_set(WOT_EVERIFY,
				   "commit %.12s is signed by %s, not by the "
				   "source owner %s",
				   hex, r.signer, pin);
	if (rc == 0 && !r.good)
		rc = wot_error_set(WOT_EVERIFY, "commit %.12s: %s", hex,
				   r.reason);
	if (rc == 0 && !pin[0])
		snprintf(pin, WOT_FPR_MAX, "%s", r.signer);
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
	return rc;
}

static int verify_range(git_repository *repo, wot_trust *t, const git_oid *tip,
			const git_oid *verified, char pin[WOT_FPR_MAX])
{
	git_revwalk *walk = NULL;
	git_oid id;
	size_t n = 0;
	int gerr, rc = 0;

	if ((gerr = git_revwalk_new(&walk, repo)))
		return wot_git_error(WOT_EGIT, gerr, "revwalk");
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	gerr = git_revwalk_push(walk, tip);
	if (!gerr && verified)
		gerr = git_revwalk_hide(walk, verified);
	if (gerr)
		rc = wot_git_error(WOT_EGIT, gerr, "revwalk");
	while (rc == 0 && (gerr = git_revwalk_next(&id, walk)) == 0) {
		if (++n > WOT_MAX_COMMITS)
			rc = wot_error_set(WOT_ELIMIT,
					   "more than %d new commits",
					   WOT_MAX_COMMITS);
		else
			rc = verify_commit(repo, t, &id, tip, pin);
	}
	if (rc == 0 && gerr != GIT_ITEROVER)
		rc = wot_git_error(WOT_EGIT, gerr, "revwalk");
	git_revwalk_free(walk);
	return rc;
}

struct zone_ok {
	size_t records;
};

static int check_zone_blob(const char *path, const char *data, size_t len,
			   void *ctx)
{
	struct zone_ok *z = ctx;
	size_t n = 0;
	int rc = wot_zone_check(data, len, path, &n);

	z->records += n;
	return rc;
}

/* The content must make sense too: a signed but unparsable zone is not
 * advanced to, so the last good records keep serving. */
static int check_content(git_repository *repo, const git_oid *tip)
{
	struct zone_ok z = {0};

	return wot_repo_commit_zones(repo, tip, check_zone_blob, &z);
}

static int advance(git_repository *repo, wot_trust *t, const git_oid *tip,
		   const git_oid *verified, char pin[WOT_FPR_MAX])
{
	git_reference *ref = NULL;
	int gerr, rc;

	if (verified && git_oid_equal(tip, verified))
		return 0;
	/* Not a fast-forward: the caller keeps it as evidence. */
	if (verified && !git_graph_descendant_of(repo, tip, verified))
		return 1;
	if ((rc = verify_range(repo, t, tip, verified, pin)) < 0 ||
	    (rc = check_content(repo, tip)) < 0)
		return rc;
	gerr = git_reference_create_matching(&ref, repo, REF_VERIFIED, tip, 1,
					     verified, "wotdns verified");
	git_reference_free(ref);
	return gerr ? wot_git_error(WOT_EGIT, gerr, "verified ref") : 0;
}

int wot_sync_source(wot_home *h, wot_trust *t, wot_source *s,
		    wot_sync_progress cb, void *data)
{
	struct fetch_ctx f = {s->name, cb, data};
	git_repository *repo = NULL;
	git_oid tip, verified;
	char pin[WOT_FPR_MAX];
	int have_verified, rc;

	wot_git_ready();
	if (wot_evidence_suspended(h, s->name))
		return wot_error_set(WOT_EVERIFY,
				     "suspended after an equivocation: nothing "
				     "new is accepted (see 'wotdns evidence "
				     "%s'; 'wotdns source trust-again %s' "
				     "resumes)",
				     s->name, s->name);
	if ((rc = wot_sync_open_mirror(h, s->name, &repo)) < 0)
		return rc;
	if ((rc = do_fetch(repo, s->url, &f)) < 0 ||
	    (rc = fetched_tip(repo, &tip)) < 0)
		goto out;
	have_verified =
	    git_reference_name_to_id(&verified, repo, REF_VERIFIED) == 0;
	/* A pin learnt from the first commit sticks only if the whole
	 * history verified. */
	snprintf(pin, sizeof(pin), "%s", s->key);
	rc = advance(repo, t, &tip, have_verified ? &verified : NULL, pin);
	if (rc == 1)
		rc = wot_evidence_refused(h, s, repo, t, &tip, &verified);
	if (rc == 0)
		snprintf(s->key, sizeof(s->key), "%s", pin);
	/* Keys travel with verified history only, and only when keys/
	 * changed: an unchanged source, or a new commit that only touched
	 * zones, costs no gpg import. */
	if (rc == 0 && (!have_verified || (!git_oid_equal(&tip, &verified) &&
					   !wot_repo_subtree_same(
					       repo, &tip, &verified, "keys"))))
		import_keys(repo, t, &tip, NULL);
out:
	git_repository_free(repo);
	return rc;
}

int wot_sync_verified_head(wot_home *h, const char *name, git_oid *out)
{
	git_repository *repo = NULL;
	int rc = wot_sync_open_mirror(h, name, &repo);

	if (rc == 0 && git_reference_name_to_id(out, repo, REF_VERIFIED))
		rc = WOT_ENOENT;
	git_repository_free(repo);
	return rc;
}
