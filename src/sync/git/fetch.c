/* fetch.c - fetching a source and verifying its new signed commits. */
#include "sync/source/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fetch_ctx {
	const wot_config *cfg; /* the home's: credentials and CAs */
	const char *name;
	wot_sync_progress cb;
	void *data;
	size_t max_bytes; /* [limits] fetch-size, 0 none */
	int over;	  /* the fetch was stopped at max_bytes */
};

static int on_progress(const git_indexer_progress *st, void *payload)
{
	struct fetch_ctx *f = payload;

	/* Non-zero stops libgit2 mid-transfer: nothing is indexed or
	 * referenced, and the verified head stays. */
	if (f->max_bytes && st->received_bytes > f->max_bytes) {
		f->over = 1;
		return -1;
	}

	if (f->cb)
		f->cb(WOT_SYNC_EV_FETCH, f->name, st->received_objects,
		      st->total_objects, 1, NULL, f->data);
	if (f->cb)
		f->cb(WOT_SYNC_EV_BYTES, f->name, st->received_bytes, 0, 1,
		      NULL, f->data);
	return 0;
}

int wot_sync_open_mirror(wot_home *h, const char *name, git_repository **out)
{
	char *rel = wot_strdup_printf("sources/%s.git", name);
	char *path = rel ? wot_home_path(h, rel) : NULL;
	int gerr;

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
	wot_transport_opts o = {.cfg = f->cfg,
				.url = url,
				.refspec =
				    "+refs/heads/*:refs/wotdns/fetched/*",
				.progress = on_progress,
				.payload = f};
	int rc = wot_transport_fetch(repo, &o);

	return rc < 0 && f->over ? WOT_ELIMIT /* the caller says which */
				 : rc;
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
	 * fetched tip, but only the key that is (or will be) pinned. A
	 * signer we do not know may be a new subkey of the pinned key: its
	 * update is the one key taken. */
	if (rc == 0 && !r.good && r.signer[0] &&
	    (!pin[0] || !strcmp(r.signer, pin) || !r.known) &&
	    import_keys(repo, t, tip, pin[0] ? pin : r.signer) > 0)
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
	int gerr, rc = 0;

	if ((gerr = git_revwalk_new(&walk, repo)))
		return wot_git_error(WOT_EGIT, gerr, "revwalk");
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	gerr = git_revwalk_push(walk, tip);
	if (!gerr && verified)
		gerr = git_revwalk_hide(walk, verified);
	if (gerr)
		rc = wot_git_error(WOT_EGIT, gerr, "revwalk");
	/* Their number was checked first ([limits] commits). */
	while (rc == 0 && (gerr = git_revwalk_next(&id, walk)) == 0)
		rc = verify_commit(repo, t, &id, tip, pin);
	if (rc == 0 && gerr != GIT_ITEROVER)
		rc = wot_git_error(WOT_EGIT, gerr, "revwalk");
	git_revwalk_free(walk);
	return rc;
}

/* Whose update it is: the home (its limits) and the source's name. */
struct for_source {
	wot_home *h;
	const char *name;
};

static int advance(const struct for_source *fs, git_repository *repo,
		   wot_trust *t, const git_oid *tip, const git_oid *verified,
		   char pin[WOT_FPR_MAX])
{
	git_reference *ref = NULL;
	int gerr, rc;

	/* A verified head without a pin: a crash came between the head
	 * moving and the pin being saved. The head is the pin's witness. */
	if (verified && git_oid_equal(tip, verified)) {
		git_oid head = *tip;
		return pin[0] ? 0 : verify_commit(repo, t, &head, tip, pin);
	}
	/* The new history within [limits] before any of it is read whole
	 * (the graph check and verification parse every commit). */
	if ((rc = wot_limits_history(&fs->h->cfg, repo, tip, verified)) < 0)
		return rc;
	/* Not a fast-forward: the caller keeps it as evidence. */
	if (verified && !git_graph_descendant_of(repo, tip, verified))
		return 1;
	/* The content must make sense too, within [limits]: a signed but
	 * unparsable or oversized zone is not advanced to, so the last good
	 * records keep serving. */
	if ((rc = verify_range(repo, t, tip, verified, pin)) < 0 ||
	    (rc = wot_limits_content(fs->h, fs->name, repo, tip)) < 0)
		return rc;
	/* Keys travel with verified history only. They go in before the
	 * head moves: a crash in between must not lose them, since an
	 * unchanged head imports nothing (no gpg work for it). A new commit
	 * that leaves keys/ alone costs no import either. */
	if (!verified || !wot_repo_subtree_same(repo, tip, verified, "keys"))
		import_keys(repo, t, tip, NULL);
	gerr = git_reference_create_matching(&ref, repo, REF_VERIFIED, tip, 1,
					     verified, "wotdns verified");
	git_reference_free(ref);
	return gerr ? wot_git_error(WOT_EGIT, gerr, "verified ref") : 0;
}

/* s->head and s->moved after a successful sync; the head's time and
 * promise go to the status only when they can have changed. */
static void note_head(wot_home *h, wot_source *s, git_repository *repo,
		      const git_oid *was)
{
	git_oid now;

	s->head[0] = '\0';
	s->moved = 0;
	if (git_reference_name_to_id(&now, repo, REF_VERIFIED))
		return;
	git_oid_tostr(s->head, sizeof(s->head), &now);
	s->moved = !was || !git_oid_equal(was, &now);
	if (s->moved || !wot_fresh_recorded(h, s->name))
		wot_fresh_record(h, s->name, repo);
}

int wot_sync_source(wot_home *h, wot_trust *t, wot_source *s,
		    wot_sync_progress cb, void *data)
{
	struct fetch_ctx f = {
	    .cfg = &h->cfg, .name = s->name, .cb = cb, .data = data};
	struct for_source fs = {h, s->name};
	git_repository *repo = NULL;
	git_oid tip, verified;
	char pin[WOT_FPR_MAX];
	size_t answered = 0;
	int have_verified, rc;

	wot_transport_setup(&h->cfg);
	if (wot_evidence_suspended(h, s->name))
		return wot_error_set(WOT_EVERIFY,
				     "suspended after an equivocation: nothing "
				     "new is accepted (see 'wotdns evidence "
				     "%s'; 'wotdns source trust-again %s' "
				     "resumes)",
				     s->name, s->name);
	if ((rc = wot_sync_open_mirror(h, s->name, &repo)) < 0)
		return rc;
	f.max_bytes = (size_t)h->cfg.limit_fetch_mb << 20;
	/* Mirrors serve the same history: the first URL that answers. */
	if (!s->prefetched) {
		wot_mirror_recover(s->name, repo); /* after a crash */
		rc = do_fetch(repo, s->url, &f);
		while (rc < 0 && rc != WOT_ELIMIT && s->mirrors &&
		       s->mirrors[answered])
			rc = do_fetch(repo, s->mirrors[answered++], &f);
		if (rc == WOT_ELIMIT)
			rc = wot_limits_fetch_error(&h->cfg);
	}
	if (rc < 0 || (rc = fetched_tip(repo, &tip)) < 0)
		goto out;
	have_verified =
	    git_reference_name_to_id(&verified, repo, REF_VERIFIED) == 0;
	/* A pin learnt from the first commit sticks only if the whole
	 * history verified. */
	snprintf(pin, sizeof(pin), "%s", s->key);
	rc = advance(&fs, repo, t, &tip, have_verified ? &verified : NULL, pin);
	if (rc == 1)
		rc = wot_mirror_refused(h, t, s, repo, &tip, &verified,
					answered);
	if (rc == 0)
		snprintf(s->key, sizeof(s->key), "%s", pin);
	if (rc == 0 && s->mirrors)
		rc = wot_mirror_check(h, t, s, repo, answered);
	if (rc == 0)
		note_head(h, s, repo, have_verified ? &verified : NULL);
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

int wot_sync_fetch_only(wot_home *h, const wot_source *s, wot_sync_progress cb,
			void *data)
{
	struct fetch_ctx f = {.cfg = &h->cfg,
			      .name = s->name,
			      .cb = cb,
			      .data = data,
			      .max_bytes = (size_t)h->cfg.limit_fetch_mb << 20};
	git_repository *repo = NULL;
	int rc = wot_sync_open_mirror(h, s->name, &repo);

	if (rc == 0)
		wot_mirror_recover(s->name, repo); /* after a crash */
	if (rc == 0)
		rc = do_fetch(repo, s->url, &f);
	git_repository_free(repo);
	return rc;
}
