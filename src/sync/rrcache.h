/* rrcache.h - a source's records at its verified head, cached per commit
 * (sync internal). */
#ifndef WOT_SYNC_RRCACHE_H
#define WOT_SYNC_RRCACHE_H

#include <git2.h>
#include <stdint.h>

#include "sync/sync.h"

/* One record as the recompute uses it. Both strings point into the
 * owning wot_src_rrs. */
typedef struct {
	const char *owner; /* lowercase, absolute */
	const char *line;  /* master-file line (ldns_rr2str), ends in '\n' */
	uint16_t type;
} wot_src_rr;

/* The records of one source at one commit, in zone order. */
typedef struct {
	wot_src_rr *rrs;
	size_t n;
	char *text; /* storage of every owner and line */
	size_t len;
} wot_src_rrs;

/*
 * The records of source name at commit (hex) whose tree is tree, from
 * state/cache/NAME.rr when that file is for this commit and reads back
 * whole; else parsed from the tree's zones (and the cache rewritten).
 * A bad cache file is never an error, only a parse. Dispose *out with
 * wot_src_rrs_dispose (also after a failure).
 */
int wot_src_rrs_load(wot_home *h, const char *name, const char *commit,
		     git_repository *repo, const git_tree *tree,
		     wot_src_rrs *out);
void wot_src_rrs_dispose(wot_src_rrs *r);

#endif
