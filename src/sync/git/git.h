/*
 * git/git.h - libgit2 inside the sync room (internal): trees and signed
 * commits, mirrors and their verified heads, transports, and the [limits]
 * that keep a hostile repository from making us work without end.
 */
#ifndef WOT_SYNC_GIT_H
#define WOT_SYNC_GIT_H

#include "sync/home/home.h"

/* Record a libgit2 failure; returns code. */
int wot_git_error(int code, int gerr, const char *what);
/* Take one reference of libgit2's init count (each home holds one while
 * open): 0 or WOT_EGIT. Give it back with wot_git_release(). */
int wot_git_acquire(void);
void wot_git_release(void);
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

/*
 * Signed commit on own.git's main (caller holds the home lock): the head's
 * tree with replace and drop applied (see wot_repo_tree) and files added.
 * An unchanged tree makes no commit (oid gets the head) unless always is
 * set, which re-signs the same tree and needs an existing head. oid may be
 * NULL.
 */
int wot_own_commit(wot_home *h, wot_trust *t, const wot_tree_file *files,
		   size_t n, const char *const *replace,
		   const char *const *drop, int always, const char *msg,
		   char oid[WOT_OID_MAX]);

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
/* Why a tree entry is not read as a file (a symbolic link, a submodule, a
 * directory, a name with control characters: static text), or NULL for a
 * regular file that wot_repo_each_blob reads. */
const char *wot_repo_entry_odd(const git_tree_entry *e);
/* Size of blob id from its object header, without inflating it. */
int wot_repo_blob_size(git_repository *repo, const git_oid *id, size_t *size);

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

/* 1 if directory dir ("keys") is the same tree in commits a and b (or
 * absent from both); 0 if it changed or cannot be read. */
int wot_repo_subtree_same(git_repository *repo, const git_oid *a,
			  const git_oid *b, const char *dir);
/* Last verified head of a source (WOT_ENOENT if none yet). */
int wot_sync_verified_head(wot_home *h, const char *name, git_oid *out);
/* Open (creating if needed) the mirror of source name. */
int wot_sync_open_mirror(wot_home *h, const char *name, git_repository **out);

/* The last verified head of a mirror; it only ever moves forward. */
#define REF_VERIFIED "refs/wotdns/verified"

/* limits.c: the [limits] of a config, in the units they are checked in
 * (0: no limit; zone_bytes, records, rrset, commit_bytes and tree_bytes
 * never exceed the built-in maxima). */
typedef struct {
	size_t fetch_bytes, commits, zone_bytes, records, names;
	size_t source_records, name_records, rrset, commit_bytes, entries;
} wot_limits;
void wot_limits_get(const wot_config *cfg, wot_limits *out);
/* The error of a fetch stopped at [limits] fetch-size; returns WOT_ELIMIT. */
int wot_limits_fetch_error(const wot_config *cfg);
/* A fetch's byte budget: wot_limits_transfer, as transfer_progress with
 * this as payload, stops the fetch past max bytes (0: none) and sets
 * over. */
typedef struct {
	size_t max;
	int over;
} wot_fetch_cap;
int wot_limits_transfer(const git_indexer_progress *st, void *payload);

/*
 * limits_walk.c: the history new between verified (may be NULL) and tip,
 * before anything in it is inflated or verified: every commit object at
 * most [limits] commit-size and at most [limits] commits of them, judged
 * from the object headers; the tip's root, zones/ and keys/ trees at most
 * [limits] entries each. WOT_ELIMIT names the limit and its option.
 */
int wot_limits_history(const wot_config *cfg, git_repository *repo,
		       const git_oid *tip, const git_oid *verified);

/*
 * limits_tally.c: the records of one source's zone files, file by file,
 * against [limits] rrset, name-records, names and source-records: the
 * same counts in publish and sync. add names the file (label) in errors.
 */
typedef struct wot_limits_tally wot_limits_tally;
int wot_limits_tally_new(const wot_limits *lim, wot_limits_tally **out);
int wot_limits_tally_add(wot_limits_tally *t, const char *label,
			 const ldns_rr_list *rrs);
void wot_limits_tally_free(wot_limits_tally *t);

/*
 * The tip's content before it is advanced to: every zone file parses (and
 * passes the zone rules) within zone-size and records, the source within
 * source-records, names, name-records and rrset (the tally). Entries that
 * are never read (symbolic links, submodules, subdirectories, names with
 * control characters) are logged and kept in the status as "ignored".
 */
int wot_limits_content(wot_home *h, const char *name, git_repository *repo,
		       const git_oid *tip);

/* Built-in limits against hostile repositories; the configurable ones
 * are [limits] (limits.c). No blob larger than this is ever inflated. */
#define WOT_MAX_BLOB_BYTES (64u << 20)
#define WOT_MAX_ZONE_BYTES WOT_MAX_BLOB_BYTES

/* mirror.c: after s advanced from the URL urls[answered] (0 = s->url),
 * fetch its other URLs and keep any tip by the owner that forks from the
 * verified head as evidence (WOT_EVERIFY then). */
int wot_mirror_check(wot_home *h, wot_trust *t, const wot_source *s,
		     git_repository *repo, size_t answered);
/* A fetched tip that does not fast-forward, from URL answered: a mirror
 * that is merely behind is lag (0, nothing new); anything else is kept as
 * evidence naming that URL (wot_evidence_refused). */
int wot_mirror_refused(const wot_home *h, wot_trust *t, const wot_source *s,
		       git_repository *repo, const git_oid *tip,
		       const git_oid *verified, size_t answered);

/* transport.c: settings libgit2 needs for https:// and ssh:// (CA file,
 * credentials, host keys), taken from the home's config for each fetch.
 * Hand cfg's [sync] ca-file to libgit2 (its one CA setting for the whole
 * process: the first file asked for stays, another is logged as unused);
 * call before threads fetch. */
void wot_transport_setup(const wot_config *cfg);

/* A fetch of one refspec from url (all borrowed for the call). */
typedef struct {
	const wot_config *cfg; /* the home's: [sync] ssh-key and ca-file */
	const char *url;
	const char *refspec;
	git_indexer_progress_cb progress; /* as for a fetch; may be NULL */
	void *payload;			  /* for progress */
} wot_transport_opts;
/* One fetch's state, the payload of libgit2's callbacks for it. */
typedef struct {
	const char *ssh_key; /* [sync] ssh-key (borrowed); NULL: the agent */
	int cred_tries;	     /* credentials asked for in this fetch */
	git_indexer_progress_cb progress; /* may be NULL */
	void *payload;			  /* for progress */
} wot_transport;
/* The state of a fetch as o describes it (o's strings borrowed). */
void wot_transport_init(wot_transport *t, const wot_transport_opts *o);
/* Fill cb (credentials, transfer progress; payload t, which must outlive
 * the fetch) for a fetch with t's settings. */
void wot_transport_callbacks(git_remote_callbacks *cb, wot_transport *t);

/* Fetch into repo as o says: 0, or WOT_ENET with libgit2's message. */
int wot_transport_fetch(git_repository *repo, const wot_transport_opts *o);

#define WOT_MAX_KEY_BYTES (1u << 20)

#endif
