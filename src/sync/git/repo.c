/* repo.c - trees, signed commits and reading blobs with libgit2. */
#include "sync/git/git.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wot_git_error(int code, int gerr, const char *what)
{
	const git_error *e = git_error_last();

	return wot_error_set(code, "%s: %s (libgit2 %d)", what,
			     e && e->message ? e->message : "unknown error",
			     gerr);
}

/*
 * libgit2 keeps its own process-wide state (its init count, its TLS
 * setup, its settings): each home holds one reference of that count
 * (wot_home_open to wot_home_free), so libgit2 lives while any home does
 * and two homes in one process share it without knowing of each other.
 * Owner validation is one of libgit2's process-wide settings, the same
 * value for every home and never reset by a shutdown: set once. A
 * followed local path may belong to another user (a shared /srv/git, a
 * friend's home): every byte from it is verified anyway, so ownership is
 * not what protects us.
 */
static pthread_once_t owner_once = PTHREAD_ONCE_INIT;

static void no_owner_validation(void)
{
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
}

int wot_git_acquire(void)
{
	int n = git_libgit2_init();

	if (n < 0)
		return wot_git_error(WOT_EGIT, n, "libgit2 init");
	pthread_once(&owner_once, no_owner_validation);
	return 0;
}

void wot_git_release(void)
{
	git_libgit2_shutdown();
}

/* Subtree for dir holding the files whose path starts with "dir/". */
static int build_dir(git_repository *repo, const char *dir,
		     const wot_tree_file *files, size_t n, git_oid *out)
{
	git_treebuilder *tb = NULL;
	size_t dl = strlen(dir);
	int gerr = git_treebuilder_new(&tb, repo, NULL);

	for (size_t i = 0; !gerr && i < n; i++) {
		git_oid blob;
		if (strncmp(files[i].path, dir, dl) || files[i].path[dl] != '/')
			continue;
		gerr = git_blob_create_from_buffer(&blob, repo, files[i].data,
						   files[i].len);
		if (!gerr)
			gerr = git_treebuilder_insert(NULL, tb,
						      files[i].path + dl + 1,
						      &blob, GIT_FILEMODE_BLOB);
	}
	if (!gerr)
		gerr = git_treebuilder_write(out, tb);
	git_treebuilder_free(tb);
	return gerr ? wot_git_error(WOT_EGIT, gerr, dir) : 0;
}

int wot_repo_tree(git_repository *repo, const git_tree *base,
		  const char *const *replace_dirs, const char *const *drop,
		  const wot_tree_file *files, size_t n, git_oid *out)
{
	git_treebuilder *tb = NULL;
	git_oid sub;
	int gerr, rc = 0;

	if ((gerr = git_treebuilder_new(&tb, repo, base)))
		return wot_git_error(WOT_EGIT, gerr, "tree");
	for (const char *const *d = replace_dirs; d && *d; d++)
		git_treebuilder_remove(tb, *d);
	for (const char *const *d = drop; d && *d; d++)
		git_treebuilder_remove(tb, *d);
	for (const char *const *d = replace_dirs; rc == 0 && d && *d; d++) {
		if ((rc = build_dir(repo, *d, files, n, &sub)) < 0)
			break;
		if ((gerr = git_treebuilder_insert(NULL, tb, *d, &sub,
						   GIT_FILEMODE_TREE)))
			rc = wot_git_error(WOT_EGIT, gerr, *d);
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		git_oid blob;
		if (strchr(files[i].path, '/'))
			continue;
		gerr = git_blob_create_from_buffer(&blob, repo, files[i].data,
						   files[i].len);
		if (!gerr)
			gerr = git_treebuilder_insert(NULL, tb, files[i].path,
						      &blob, GIT_FILEMODE_BLOB);
		if (gerr)
			rc = wot_git_error(WOT_EGIT, gerr, files[i].path);
	}
	if (rc == 0 && (gerr = git_treebuilder_write(out, tb)))
		rc = wot_git_error(WOT_EGIT, gerr, "tree");
	git_treebuilder_free(tb);
	return rc;
}

/* Author/committer from the key's user id ("Name <mail>"). */
static int make_sig(wot_trust *t, const char *fpr, git_signature **out)
{
	wot_key_info ki;
	char name[256] = "wotdns", email[256] = "";
	char *lt, *gt;

	if (wot_trust_key_info(t, fpr, &ki) == 0) {
		snprintf(name, sizeof(name), "%s", ki.uid);
		lt = strchr(name, '<');
		if (lt && (gt = strchr(lt, '>'))) {
			*gt = '\0';
			snprintf(email, sizeof(email), "%s", lt + 1);
			*lt = '\0';
			while (lt > name && lt[-1] == ' ')
				*--lt = '\0';
		}
	}
	if (!name[0])
		snprintf(name, sizeof(name), "wotdns");
	/* git wants an address; a key without one gets an unroutable one. */
	if (!email[0])
		snprintf(email, sizeof(email), "%.40s@wotdns.invalid", fpr);
	if (git_signature_now(out, name, email))
		return wot_git_error(WOT_EGIT, -1, "signature");
	return 0;
}

int wot_repo_commit(git_repository *repo, wot_trust *t, const char *fpr,
		    const git_oid *tree_id, const char *msg, git_oid *out)
{
	git_signature *who = NULL;
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	git_reference *ref = NULL;
	git_buf buf = GIT_BUF_INIT;
	git_oid parent_id;
	char *sig = NULL;
	int have_parent, gerr, rc;

	have_parent =
	    git_reference_name_to_id(&parent_id, repo, "refs/heads/main") == 0;
	if ((rc = make_sig(t, fpr, &who)) < 0)
		goto out;
	gerr = git_tree_lookup(&tree, repo, tree_id);
	if (!gerr && have_parent)
		gerr = git_commit_lookup(&parent, repo, &parent_id);
	if (!gerr)
		gerr = git_commit_create_buffer(&buf, repo, who, who, NULL, msg,
						tree, have_parent,
						(const git_commit **)&parent);
	if (gerr) {
		rc = wot_git_error(WOT_EGIT, gerr, "commit");
		goto out;
	}
	if ((rc = wot_trust_sign(t, fpr, buf.ptr, buf.size, &sig)) < 0)
		goto out;
	gerr =
	    git_commit_create_with_signature(out, repo, buf.ptr, sig, "gpgsig");
	/* Compare-and-swap: a concurrent publish or push fails cleanly. */
	if (!gerr)
		gerr = git_reference_create_matching(
		    &ref, repo, "refs/heads/main", out, 1,
		    have_parent ? &parent_id : NULL, "wotdns publish");
	if (gerr)
		rc = wot_git_error(WOT_EGIT, gerr, "update main");
out:
	git_reference_free(ref);
	git_buf_dispose(&buf);
	git_commit_free(parent);
	git_tree_free(tree);
	git_signature_free(who);
	free(sig);
	return rc;
}

const char *wot_repo_entry_odd(const git_tree_entry *e)
{
	const unsigned char *n = (const unsigned char *)git_tree_entry_name(e);

	switch (git_tree_entry_filemode(e)) {
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		break;
	case GIT_FILEMODE_LINK:
		return "a symbolic link";
	case GIT_FILEMODE_COMMIT:
		return "a submodule (gitlink)";
	case GIT_FILEMODE_TREE:
		return "a directory";
	default:
		return "not a regular file";
	}
	/* Names git itself refuses can only come from a crafted tree. */
	if (!*n || !strcmp((const char *)n, ".") ||
	    !strcmp((const char *)n, "..") || strchr((const char *)n, '/'))
		return "a name git forbids";
	/* Names end up in messages and on terminals. */
	for (; *n; n++)
		if (*n < 0x20 || *n == 0x7f)
			return "a name with control characters";
	return NULL;
}

int wot_repo_blob_size(git_repository *repo, const git_oid *id, size_t *size)
{
	git_odb *odb = NULL;
	git_object_t type;
	int gerr = git_repository_odb(&odb, repo);

	/* The header only: a huge blob is judged before it is inflated. */
	if (!gerr)
		gerr = git_odb_read_header(size, &type, odb, id);
	git_odb_free(odb);
	if (!gerr && type != GIT_OBJECT_BLOB)
		return wot_error_set(WOT_EVERIFY, "object is not a blob");
	return gerr ? wot_git_error(WOT_EGIT, gerr, "blob") : 0;
}

static int blob_of_entry(git_repository *repo, const git_tree_entry *e,
			 const char *path, wot_blob_fn fn, void *ctx)
{
	git_blob *blob = NULL;
	size_t size = 0;
	int rc, gerr;

	/* Only regular files: symlinks and submodules are never followed
	 * (and, in a bare mirror, never touch the file system anyway). */
	if (wot_repo_entry_odd(e))
		return 0;
	if ((rc = wot_repo_blob_size(repo, git_tree_entry_id(e), &size)) < 0)
		return wot_error_wrap(rc, "%s", path);
	if (size > WOT_MAX_BLOB_BYTES)
		return wot_error_set(WOT_ELIMIT,
				     "%s: %zu bytes, larger than any file "
				     "wotdns reads (%u MiB)",
				     path, size, WOT_MAX_BLOB_BYTES >> 20);
	if ((gerr = git_blob_lookup(&blob, repo, git_tree_entry_id(e))))
		return wot_git_error(WOT_EGIT, gerr, path);
	rc = fn(path, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
		ctx);
	git_blob_free(blob);
	return rc;
}

int wot_repo_each_blob(git_repository *repo, const git_tree *tree,
		       const char *dir, wot_blob_fn fn, void *ctx)
{
	git_tree *sub = NULL;
	const git_tree *t = tree;
	int rc = 0, gerr;

	if (dir && *dir) {
		const git_tree_entry *e = git_tree_entry_byname(tree, dir);
		if (!e || git_tree_entry_type(e) != GIT_OBJECT_TREE)
			return 0;
		if ((gerr = git_tree_lookup(&sub, repo, git_tree_entry_id(e))))
			return wot_git_error(WOT_EGIT, gerr, dir);
		t = sub;
	}
	for (size_t i = 0; rc >= 0 && i < git_tree_entrycount(t); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		char *path = dir && *dir
				 ? wot_strdup_printf("%s/%s", dir,
						     git_tree_entry_name(e))
				 : strdup(git_tree_entry_name(e));
		if (!path) {
			rc = wot_error_set(WOT_ENOMEM, "out of memory");
			break;
		}
		if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
			rc = blob_of_entry(repo, e, path, fn, ctx);
		free(path);
	}
	git_tree_free(sub);
	return rc;
}

struct zone_filter {
	wot_blob_fn fn;
	void *ctx;
};

static int root_zone_only(const char *path, const char *data, size_t len,
			  void *ctx)
{
	struct zone_filter *f = ctx;
	return strcmp(path, "zone.txt") ? 0 : f->fn(path, data, len, f->ctx);
}

int wot_repo_each_zone(git_repository *repo, const git_tree *tree,
		       wot_blob_fn fn, void *ctx)
{
	struct zone_filter f = {fn, ctx};
	int rc = wot_repo_each_blob(repo, tree, "", root_zone_only, &f);

	if (rc < 0)
		return rc;
	return wot_repo_each_blob(repo, tree, "zones", fn, ctx);
}

/* Tree of commit id; dir NULL means the zone files. */
static int commit_walk(git_repository *repo, const git_oid *id, const char *dir,
		       wot_blob_fn fn, void *ctx)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	int gerr, rc;

	gerr = git_commit_lookup(&c, repo, id);
	if (!gerr)
		gerr = git_commit_tree(&tree, c);
	if (gerr)
		rc = wot_git_error(WOT_EGIT, gerr, "commit tree");
	else if (dir)
		rc = wot_repo_each_blob(repo, tree, dir, fn, ctx);
	else
		rc = wot_repo_each_zone(repo, tree, fn, ctx);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

int wot_repo_commit_blobs(git_repository *repo, const git_oid *id,
			  const char *dir, wot_blob_fn fn, void *ctx)
{
	return commit_walk(repo, id, dir ? dir : "", fn, ctx);
}

int wot_repo_commit_zones(git_repository *repo, const git_oid *id,
			  wot_blob_fn fn, void *ctx)
{
	return commit_walk(repo, id, NULL, fn, ctx);
}
