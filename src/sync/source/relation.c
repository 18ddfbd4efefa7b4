/*
 * relation.c - how a commit a peer names relates to our verified head of
 * the same source, read from the source's mirror (the neighbor-majority
 * check needs it: a peer on an ancestor lags, one on a descendant is
 * ahead, anything else is another history or unknown to us).
 */
#include "sync/source/source.h"

#include <string.h>

static int parse_oid(const char *hex, git_oid *out)
{
	return hex && strlen(hex) == 40 && git_oid_fromstr(out, hex) == 0;
}

int wot_sync_commit_relation(wot_home *h, const char *name, const char *ours,
			     const char *theirs, wot_rel *out)
{
	git_repository *repo = NULL;
	git_commit *c = NULL;
	git_oid a, b;
	int rc = 0;

	*out = WOT_REL_UNKNOWN;
	if (!parse_oid(ours, &a) || !parse_oid(theirs, &b))
		return 0; /* hostile text: nothing to place */
	if (git_oid_equal(&a, &b)) {
		*out = WOT_REL_SAME;
		return 0;
	}
	if ((rc = wot_sync_open_mirror(h, name, &repo)) < 0)
		return rc;
	if (git_commit_lookup(&c, repo, &b) != 0)
		goto out; /* we do not hold it: unknown */
	if (git_graph_descendant_of(repo, &a, &b) == 1)
		*out = WOT_REL_ANCESTOR;
	else if (git_graph_descendant_of(repo, &b, &a) == 1)
		*out = WOT_REL_DESCENDANT;
	else
		*out = WOT_REL_UNRELATED;
out:
	git_commit_free(c);
	git_repository_free(repo);
	wot_error_clear();
	return 0;
}
