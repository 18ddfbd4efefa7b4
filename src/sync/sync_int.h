/* sync_int.h - internals shared by the sync files. */
#ifndef WOT_SYNC_INT_H
#define WOT_SYNC_INT_H

#include "sync/sync.h"
#include "util/util.h"

#include <git2.h>

struct wot_home {
	char *dir;
	wot_config cfg;
};

/*
 * Exclusive lock on the home (HOME/lock) for everything that changes it or
 * the keyring: the daemon's sync and the CLI never interleave, so gpg never
 * revalidates the trustdb under a concurrent reader.
 */
int wot_home_lock(const wot_home *h, int *fd);
void wot_home_unlock(int fd);
/* The same operations without taking the lock (caller holds it). */
int wot_sync_publish_keys_locked(wot_home *h, wot_trust *t, const char *msg,
				 char oid[WOT_OID_MAX]);
int wot_sync_recompute_locked(wot_home *h, wot_trust *t,
			      wot_sync_report *report);
/* cache.c: the same, skipped (outputs kept, report->unchanged set, counts
 * from the last recompute) when no verified head, pin, keyring file,
 * configuration or output changed since the last one, for at most an
 * hour. */
int wot_sync_recompute_changed(wot_home *h, wot_trust *t,
			       wot_sync_report *report);

/* accept_json.c: state/accepted.json from a recompute's decisions. */
typedef struct {
	const char *name, *url, *key, *verified;
} wot_accept_json_source;
typedef struct {
	const wot_claim *claims;
	size_t nclaims;
	const wot_key_info *keys;
	size_t nkeys;
	const wot_accept_json_source *sources;
	size_t nsources;
	size_t records;		  /* records in accepted.zone */
	int64_t generated;	  /* unix time */
	const wot_key_info *last; /* lookup cache, NULL to start */
	wot_afile *out;		  /* used while writing, NULL to start */
} wot_accept_json;
/* Write the document atomically to path; *conflicts counts the claims
 * lost to a conflict. */
int wot_accept_json_write(const char *path, wot_accept_json *j,
			  size_t *conflicts);

/* Record a libgit2 failure; returns code. */
int wot_git_error(int code, int gerr, const char *what);
/* libgit2 initialised once per process. */
void wot_git_ready(void);

/* Parse config text; errors as "path:line: ...". */
int wot_config_parse(wot_config *cfg, const char *text, const char *path);
void wot_config_dispose(wot_config *cfg);
/* [discovery] auto: "off" -> 0, "valid" -> -1 (any valid key), "level:N"
 * -> N (valid and at most N certification steps away). */
int wot_discovery_parse(const char *text, int *level);
/* A config holding every default. */
int wot_config_defaults(wot_config *cfg);
/* Serialise cfg as INI text (caller frees). */
char *wot_config_format(const wot_config *cfg);

/* TLDs of the normal DNS (ICANN section of the public suffix list, else a
 * built-in core). Caller frees *out with wot_map_free(*out, NULL). */
int wot_tld_load(wot_map **out);
/* 1 if name's last label is a TLD of the normal DNS. */
int wot_tld_public(const wot_map *tlds, const char *name);

/* Save the sources file (self is not stored). */
int wot_sources_save(const wot_home *h, const wot_source *s, size_t n);

/* Signed commit of tree on refs/heads/main of repo (parent = current main,
 * compare-and-swap). */
int wot_repo_commit(git_repository *repo, wot_trust *t, const char *fpr,
		    const git_oid *tree, const char *msg, git_oid *out);

/* One file to place in a tree. */
typedef struct {
	const char *path; /* "zones/a.zone", "keys/FPR.asc" */
	const char *data;
	size_t len;
} wot_tree_file;

/* Build a tree: keep base (may be NULL) except directories named in
 * replace_dirs ("zones", "keys", NULL-terminated) and root files named in
 * drop; add files. */
int wot_repo_tree(git_repository *repo, const git_tree *base,
		  const char *const *replace_dirs, const char *const *drop,
		  const wot_tree_file *files, size_t n, git_oid *out);

/* Read the blobs of a tree directory ("keys", "zones", "" for root files).
 * Calls fn for each regular blob; stops on a negative return. */
typedef int (*wot_blob_fn)(const char *path, const char *data, size_t len,
			   void *ctx);
int wot_repo_each_blob(git_repository *repo, const git_tree *tree,
		       const char *dir, wot_blob_fn fn, void *ctx);

/*
 * Run fn over the blobs of dir ("keys", "zones", "" for root files) in the
 * tree of commit id.
 */
int wot_repo_commit_blobs(git_repository *repo, const git_oid *id,
			  const char *dir, wot_blob_fn fn, void *ctx);
/* Zone files (zone.txt and zones/ *) of the tree of commit id. */
int wot_repo_commit_zones(git_repository *repo, const git_oid *id,
			  wot_blob_fn fn, void *ctx);

/* Zone files of a tree (zone.txt and zones/ *): fn per file. */
int wot_repo_each_zone(git_repository *repo, const git_tree *tree,
		       wot_blob_fn fn, void *ctx);

/*
 * Fetch and verify one source. On success s->key holds the pin. The
 * verified head only ever moves forward to a fully verified commit.
 */
int wot_sync_source(wot_home *h, wot_trust *t, wot_source *s,
		    wot_sync_progress cb, void *data);
/*
 * Fetch only (no verification, no keyring): thread-safe for distinct
 * sources. The fetched refs are verified later by wot_sync_source with
 * s->prefetched set.
 */
int wot_sync_fetch_only(wot_home *h, const wot_source *s, wot_sync_progress cb,
			void *data);
/*
 * jobs.c: fetch sources in parallel on up to jobs threads; each source
 * fetched without error gets s[i].prefetched = 1 (a failed one is fetched
 * again, and reported, by wot_sync_source). Suspended sources are skipped.
 * cb (may be NULL) is called under a lock, from the threads.
 */
void wot_sync_prefetch(wot_home *h, wot_source *s, size_t n, unsigned jobs,
		       wot_sync_progress cb, void *data);
/* Last verified head of a source (WOT_ENOENT if none yet). */
int wot_sync_verified_head(wot_home *h, const char *name, git_oid *out);
/* Open (creating if needed) the mirror of source name. */
int wot_sync_open_mirror(wot_home *h, const char *name, git_repository **out);

/* Status file helpers. */
int wot_status_write(const wot_home *h, const char *name, const char *head,
		     const char *error);

/* The last verified head of a mirror; it only ever moves forward. */
#define REF_VERIFIED "refs/wotdns/verified"

/* evidence.c */
/* 1 if the source is suspended after an equivocation. */
int wot_evidence_suspended(const wot_home *h, const char *name);
/* Classify and keep a refused non-fast-forward tip; returns WOT_EVERIFY
 * with the reason as the last error. */
int wot_evidence_refused(const wot_home *h, const wot_source *s,
			 git_repository *repo, wot_trust *t, const git_oid *tip,
			 const git_oid *verified);

/* Limits against hostile repositories. */
#define WOT_MAX_ZONE_BYTES (16u << 20)
#define WOT_MAX_KEY_BYTES (1u << 20)
#define WOT_MAX_COMMITS 100000
/* Our own state files (owners.json, seen.json) grow with the names
 * followed: about 80 bytes per name, 75 MB at a million. */
#define WOT_MAX_STATE_BYTES (1u << 30)

#endif
