/* accept_int.h - the recompute's shared state (sync internal). */
#ifndef WOT_SYNC_ACCEPT_INT_H
#define WOT_SYNC_ACCEPT_INT_H

#include "sync/rrcache.h"
#include "sync/seen.h"
#include "sync/sync_int.h"

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

/* hist.c: a shard's history file. Lines (tab-separated):
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

/* cache.c: the stamp of the keyring and configuration a recompute read. */
int wot_accept_inputs(wot_home *h, uint64_t *out);

/* accept.c: recompute after the sources named in changed (NULL-terminated)
 * changed since old, or everything when changed is NULL (old may then be
 * NULL). Returns 1, having written nothing, when the change reaches top
 * (or there is no old manifest) and only a full recompute can decide. */
int wot_accept_run(wot_home *h, wot_trust *t, const wot_manifest *old,
		   char *const *changed, uint64_t inputs,
		   wot_sync_report *report);

#endif
