/* subtree.c - did a directory change between two commits? */
#include "sync/git/git.h"

#include <string.h>

/* The tree id of dir in commit id's tree; 0 and a zero id if absent. */
static int dir_id(git_repository *repo, const git_oid *id, const char *dir,
		  git_oid *out)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	int gerr;

	memset(out, 0, sizeof(*out));
	gerr = git_commit_lookup(&c, repo, id);
	if (!gerr)
		gerr = git_commit_tree(&tree, c);
	if (!gerr && git_tree_entry_bypath(&e, tree, dir) == 0)
		git_oid_cpy(out, git_tree_entry_id(e));
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(c);
	return gerr ? -1 : 0;
}

int wot_repo_subtree_same(git_repository *repo, const git_oid *a,
			  const git_oid *b, const char *dir)
{
	git_oid x, y;

	if (dir_id(repo, a, dir, &x) < 0 || dir_id(repo, b, dir, &y) < 0)
		return 0; /* unknown: treat as changed */
	return git_oid_equal(&x, &y);
}
