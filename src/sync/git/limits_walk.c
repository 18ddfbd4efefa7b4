/*
 * limits_walk.c - a source's new history judged before anything in it is
 * inflated: a signed commit with an 800 MB message packs to a few MB, and
 * git's revision walk or signature extraction would hold it whole in
 * memory (several times over). Each commit's size and type come from its
 * object header (git_odb_read_header) before the commit is parsed for its
 * parents, so only objects already judged are ever read.
 *
 * The walk goes from the tip down to the verified head. A history that
 * does not pass through it (a rewrite, or a merge of old history) is
 * walked again with every ancestor of the verified head as a stop: those
 * were judged when they were new.
 */
#include "sync/git/git.h"

#include <stdlib.h>

struct walk {
	const wot_limits *lim;
	git_repository *repo;
	git_odb *odb;
	const git_oid *verified;
	wot_map *seen; /* hex ids walked */
	wot_map *old;  /* hex ids of the verified history; NULL: not built */
	git_oid *stack;
	size_t n, cap, count;
	int missed; /* a branch ended without meeting the verified head */
};

/* id's header: of type want and at most max bytes (0: any size). */
static int object_within(git_odb *odb, const git_oid *id, git_object_t want,
			 size_t max, const char *what, const char *opt)
{
	char hex[WOT_OID_MAX];
	git_object_t type;
	size_t size = 0;
	int gerr = git_odb_read_header(&size, &type, odb, id);

	git_oid_tostr(hex, sizeof(hex), id);
	if (gerr)
		return wot_git_error(WOT_EGIT, gerr, hex);
	if (type != want)
		return wot_error_set(WOT_EVERIFY, "%s %.12s is a %s", what, hex,
				     git_object_type2string(type));
	if (max && size > max)
		return wot_error_set(WOT_ELIMIT,
				     "%s %.12s: %zu KB, over the limit of %zu "
				     "KB ([limits] %s)",
				     what, hex, (size + 1023) / 1024,
				     max / 1024, opt);
	return 0;
}

static int push(struct walk *w, const git_oid *id)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		git_oid *s = realloc(w->stack, cap * sizeof(*s));
		if (!s)
			return wot_error_set(WOT_ENOMEM, "out of memory");
		w->stack = s;
		w->cap = cap;
	}
	w->stack[w->n++] = *id;
	return 0;
}

/* One commit: judged, counted, then parsed for its parents. */
static int visit(struct walk *w, const git_oid *id)
{
	char hex[WOT_OID_MAX];
	git_commit *c = NULL;
	int gerr, rc = 0;

	git_oid_tostr(hex, sizeof(hex), id);
	if ((w->verified && git_oid_equal(id, w->verified)) ||
	    wot_map_get(w->seen, hex) || (w->old && wot_map_get(w->old, hex)))
		return 0;
	if (wot_map_put(w->seen, hex, (void *)1, NULL) < 0)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if (w->lim->commits && ++w->count > w->lim->commits)
		return wot_error_set(WOT_ELIMIT,
				     "more than %zu new commits in one sync "
				     "([limits] commits)",
				     w->lim->commits);
	if ((rc = object_within(w->odb, id, GIT_OBJECT_COMMIT,
				w->lim->commit_bytes, "commit",
				"commit-size")) < 0)
		return rc;
	if ((gerr = git_commit_lookup(&c, w->repo, id)))
		return wot_git_error(WOT_EGIT, gerr, hex);
	w->missed |= git_commit_parentcount(c) == 0;
	for (unsigned i = 0; rc == 0 && i < git_commit_parentcount(c); i++)
		rc = push(w, git_commit_parent_id(c, i));
	git_commit_free(c);
	return rc;
}

static int walk_from(struct walk *w, const git_oid *tip)
{
	int rc;

	wot_map_free(w->seen, NULL);
	w->seen = NULL;
	w->n = w->count = 0;
	w->missed = 0;
	if ((rc = wot_map_new(&w->seen)) < 0 || (rc = push(w, tip)) < 0)
		return rc;
	while (rc == 0 && w->n > 0) {
		git_oid id = w->stack[--w->n];
		rc = visit(w, &id);
	}
	return rc;
}

/* Every ancestor of the verified head: read before, so safe to read. */
static int build_old(struct walk *w)
{
	git_revwalk *rw = NULL;
	char hex[WOT_OID_MAX];
	git_oid id;
	int gerr, rc = wot_map_new(&w->old);

	if (rc == 0 && !(gerr = git_revwalk_new(&rw, w->repo)))
		gerr = git_revwalk_push(rw, w->verified);
	while (rc == 0 && !gerr && !(gerr = git_revwalk_next(&id, rw))) {
		git_oid_tostr(hex, sizeof(hex), &id);
		rc = wot_map_put(w->old, hex, (void *)1, NULL);
	}
	git_revwalk_free(rw);
	if (rc == 0 && gerr && gerr != GIT_ITEROVER)
		rc = wot_git_error(WOT_EGIT, gerr, "revwalk");
	return rc;
}

/* One tree of the tip: its size from the header (an entry takes at most
 * about 300 bytes), then its entries counted. */
static int tree_within(struct walk *w, const git_oid *id, const char *what,
		       git_tree **out)
{
	size_t max = w->lim->entries ? w->lim->entries * 300 : 0;
	int gerr, rc;

	*out = NULL;
	if (!max || max > WOT_MAX_BLOB_BYTES)
		max = WOT_MAX_BLOB_BYTES;
	if ((rc = object_within(w->odb, id, GIT_OBJECT_TREE, max, what,
				"entries")) < 0)
		return rc;
	if ((gerr = git_tree_lookup(out, w->repo, id)))
		return wot_git_error(WOT_EGIT, gerr, what);
	if (w->lim->entries && git_tree_entrycount(*out) > w->lim->entries)
		return wot_error_set(WOT_ELIMIT,
				     "%s: %zu entries, over the limit of %zu "
				     "([limits] entries)",
				     what, git_tree_entrycount(*out),
				     w->lim->entries);
	return 0;
}

/* The tip's root, zones/ and keys/: what sync reads of it. */
static int tip_trees(struct walk *w, const git_oid *tip)
{
	git_commit *c = NULL;
	git_tree *root = NULL, *sub = NULL;
	int gerr, rc = 0;

	if ((gerr = git_commit_lookup(&c, w->repo, tip)))
		return wot_git_error(WOT_EGIT, gerr, "tip");
	rc = tree_within(w, git_commit_tree_id(c), "tree", &root);
	for (int i = 0; rc == 0 && i < 2; i++) {
		const char *name = i ? "keys" : "zones";
		const git_tree_entry *e = git_tree_entry_byname(root, name);
		if (!e || git_tree_entry_type(e) != GIT_OBJECT_TREE)
			continue;
		rc = tree_within(w, git_tree_entry_id(e), name, &sub);
		git_tree_free(sub);
		sub = NULL;
	}
	git_tree_free(root);
	git_commit_free(c);
	return rc;
}

int wot_limits_history(const wot_config *cfg, git_repository *repo,
		       const git_oid *tip, const git_oid *verified)
{
	wot_limits lim;
	struct walk w = {&lim, repo, NULL, verified, NULL, NULL,
			 NULL, 0,    0,	   0,	     0};
	int gerr, rc;

	wot_limits_get(cfg, &lim);
	if ((gerr = git_repository_odb(&w.odb, repo)))
		return wot_git_error(WOT_EGIT, gerr, "object database");
	rc = walk_from(&w, tip);
	/* Not down to the verified head alone: again, stopping at its
	 * history (the error, if any, is the second walk's). */
	if (verified && (w.missed || rc == WOT_ELIMIT)) {
		wot_error_clear();
		rc = build_old(&w);
		if (rc == 0)
			rc = walk_from(&w, tip);
	}
	if (rc == 0)
		rc = tip_trees(&w, tip);
	wot_map_free(w.seen, NULL);
	wot_map_free(w.old, NULL);
	free(w.stack);
	git_odb_free(w.odb);
	return rc;
}
