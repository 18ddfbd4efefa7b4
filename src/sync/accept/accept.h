/*
 * accept/accept.h - the accepted set inside the sync room (internal): a
 * recompute's state, the shards, their history and first sights, the
 * manifest, each source's records parsed once per commit, and the key
 * listing reused while the keyring holds.
 */
#ifndef WOT_SYNC_ACCEPT_H
#define WOT_SYNC_ACCEPT_H

#include "sync/git/git.h"
#include "sync/zone/zone.h"

#include <stdint.h>

/* ---- each source's records at its verified head (rrcache.c) ---- */
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

/* ---- first sights (seen.c) ---- */
typedef struct wot_seen wot_seen;

void wot_seen_free(wot_seen *s);
/* When name was first seen from source; the first call for a pair records
 * now. -1 (error set) only when out of memory. */
int wot_seen_since(wot_seen *s, const char *source, const char *name,
		   int64_t now, int64_t *since);
/* An empty history (free with wot_seen_free). */
int wot_seen_new(wot_seen **out);
/* Record (source, name) -> since, replacing an earlier value. */
int wot_seen_put(wot_seen *s, const char *source, const char *name,
		 int64_t since);
/* fn over every entry (stops on a negative return, which is returned). */
typedef int (*wot_seen_fn)(const char *source, const char *name, int64_t since,
			   void *ctx);
int wot_seen_each(const wot_seen *s, wot_seen_fn fn, void *ctx);

/* ---- a recompute (accept.c, accept_out.c, shard_hist.c) ---- */
/* What one source contributes at its verified head. */
typedef struct {
	const wot_source *src;
	char commit[WOT_OID_MAX];
	int64_t time;
	wot_src_rrs rrs;
	int *shard; /* per record of rrs */
	const wot_key_info *key;
	int top;     /* claims a top name or grants one */
	int loaded;  /* rrs hold its records: it takes part */
	int expired; /* past its maximum age: serves nothing */
	int skipped; /* incremental run, not needed: as in the manifest */
} wot_src_view;

/* One recompute: over every shard (full) or over the shards in scope. */
typedef struct {
	wot_home *home;
	char *scope; /* [WOT_SHARDS + 1]: 1 = decided and rewritten */
	int full;
	const wot_source *srcs;
	wot_src_view *views; /* one per source, in the same order */
	size_t nviews;
	wot_claim *claims;
	int *claim_shard;
	size_t nclaims, capclaims;
	wot_map *claim_of; /* "source\nname" -> claim index + 1 */
	wot_key_info *keys;
	size_t nkeys;
	int64_t keys_until; /* the listing holds until then (an expiry) */
	wot_owners *owners;
	wot_seen *seen;
	wot_signer *signers;
	wot_grant *grants;
	size_t ngrants;
	wot_tlds *tlds;
	/* Incremental only: what "top" holds, read from its history. */
	wot_map *top_acc;    /* accepted names of top -> (void *)1 */
	wot_map *top_owners; /* name -> "FPR SINCE" as loaded */
} wot_recompute;

/* accept.c: add a grant to r (its strings copied). */
int wot_grant_add(wot_recompute *r, const char *name, const char *from,
		  const char *to, wot_grant_kind kind);
/* accept.c: the index of the claim of (source, name), or -1. */
long wot_claim_find(const wot_recompute *r, const char *src, const char *name);

/* shard_hist.c: a shard's history file. Lines (tab-separated):
 *   o NAME FPR SINCE       ownership
 *   s SOURCE NAME SINCE    first sight of a name from a source
 *   g NAME FROM TO KIND    a grant (top only)
 *   a NAME                 an accepted name (top only)
 * Reading adds to r's owners and seen, and, for top, to its grants,
 * top_acc and top_owners. A missing file adds nothing. */
int wot_hist_read(wot_recompute *r, const char *path, int top);

/* accept_out.c: write the shards in scope and the new manifest (old may
 * be NULL), then remove the files the new manifest no longer names. */
int wot_accept_write(wot_recompute *r, const wot_manifest *old, uint64_t inputs,
		     wot_sync_report *report);

/* manifest.c: replace state/accepted/manifest atomically. */
int wot_manifest_save(wot_home *h, const wot_manifest *m);

/* accept_json.c: the claims of one shard as {"claims":[...],"version":2},
 * appended to b. */
int wot_accept_json_shard(wot_buf *b, const wot_claim *const *claims, size_t n,
			  const wot_key_info *keys, size_t nkeys);

/* recompute_changed.c: the stamp of the keyring and configuration a recompute
 * read. */
int wot_accept_inputs(wot_home *h, uint64_t *out);

/* accept.c: recompute after the sources named in changed (NULL-terminated)
 * changed since old, or everything when changed is NULL (old may then be
 * NULL). Returns 1, having written nothing, when the change reaches top
 * (or there is no old manifest) and only a full recompute can decide. */
int wot_accept_run(wot_home *h, wot_trust *t, const wot_manifest *old,
		   char *const *changed, uint64_t inputs,
		   wot_sync_report *report);

/* Recompute without taking the lock (caller holds it). */
int wot_sync_recompute_locked(wot_home *h, wot_trust *t,
			      wot_sync_report *report);
/* recompute_changed.c: the same, skipped (outputs kept, report->unchanged set,
 * counts from the last recompute) when no verified head, pin, keyring file,
 * configuration or output changed since the last one, for at most an
 * hour. */
int wot_sync_recompute_changed(wot_home *h, wot_trust *t,
			       wot_sync_report *report);

/* keycache.c: wot_trust_list, reused from state/keys.cache while the
 * keyring files, the configuration and every expiry in it still hold.
 * *keys as for wot_trust_list (caller frees). */
int wot_sync_keys(wot_home *h, wot_trust *t, wot_key_info **keys, size_t *n,
		  int64_t *until);
/* keycache.c: the keyring files (inode, size, mtime) and a hash of the
 * configuration, as text appended to b: what the key listing and the
 * accepted set depend on besides the sources. */
int wot_keyring_stamp(const wot_home *h, wot_buf *b);
/* "file LABEL INODE SIZE MTIME" (or "file LABEL -") for path, appended to
 * b: a file told apart from its next version without reading it. */
int wot_stat_line(wot_buf *b, const char *label, const char *path);

/* Recompute the accepted set (state/accepted/) from verified heads. */
int wot_sync_recompute(wot_home *h, wot_trust *t, wot_sync_report *report);

/* The source's entry, or NULL (m may be NULL). */
const wot_manifest_source *wot_manifest_source_find(const wot_manifest *m,
						    const char *name);
/* The shard's entry, or NULL when it is empty. */
const wot_manifest_shard *wot_manifest_find(const wot_manifest *m, int shard);

/* The shard of an id "000".."fff" or "top" (-1 when id is neither). */
int wot_shard_parse(const char *id);

#endif
