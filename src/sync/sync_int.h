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

/* homesafe.c: path (if it exists) belongs to owner or root and is not
 * writable by group or others; else WOT_EINVAL with a message naming the
 * path and the fix. check_dir covers the home directory and its config
 * (before the config is read), check_rest what the parsed config leads
 * to: sources.conf, state/, the keyring directory and its files. */
int wot_home_check_path(const char *path, unsigned owner);
int wot_home_check_dir(const char *dir, unsigned owner);
int wot_home_check_rest(const wot_home *h, unsigned owner);

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

/* Record a libgit2 failure; returns code. */
int wot_git_error(int code, int gerr, const char *what);
/* libgit2 initialised once per process. */
void wot_git_ready(void);

/*
 * The longest line (without its newline) of an INI file we read: libinih
 * reads lines into a buffer of INI_MAX_LINE (200) bytes and parses the
 * rest of a longer line as a line of its own, so a value's tail could
 * become another key. wot_ini_parse refuses longer lines instead.
 */
enum { WOT_INI_LINE_MAX = 198 };

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

/* TLDs and public suffixes of the normal DNS (tld.c): the ICANN section
 * of the public suffix list through libpsl, and a built-in core. Caller
 * frees *out with wot_tld_free(). */
typedef struct wot_tlds wot_tlds;
int wot_tld_load(wot_tlds **out);
void wot_tld_free(wot_tlds *t);
/* 1 if name's last label is a TLD of the normal DNS. */
int wot_tld_public(const wot_tlds *t, const char *name);

/* Why no claim on a name is ever served, whatever the trust policy. */
#define WOT_RESERVED_PREFIX "reserved name: "
#define WOT_RESERVED_ROOT WOT_RESERVED_PREFIX "the root of the DNS"
#define WOT_RESERVED_TLD WOT_RESERVED_PREFIX "a TLD of the normal DNS"
#define WOT_RESERVED_SUFFIX                                                    \
	WOT_RESERVED_PREFIX "a public suffix of the normal DNS"
#define WOT_RESERVED_ARPA                                                      \
	WOT_RESERVED_PREFIX "arpa and the reverse zones under it"
#define WOT_RESERVED_WILD_ROOT                                                 \
	WOT_RESERVED_PREFIX "a wildcard covering every name"
#define WOT_RESERVED_WILD_SUFFIX                                               \
	WOT_RESERVED_PREFIX "a wildcard covering a public suffix"
#define WOT_RESERVED_WILD_ONE                                                  \
	WOT_RESERVED_PREFIX "a wildcard directly under a name of one label"
/*
 * NULL if name (presentation form) may be claimed; else why not (one of
 * the static WOT_RESERVED_* texts): it is the root, a TLD, a public
 * suffix, arpa or under it, or a wildcard covering one of these or sitting
 * directly under a name of one label.
 */
const char *wot_tld_reserved(const wot_tlds *t, const char *name);
/* Append what the reserved names depend on (the rules' version, the
 * suffix list file's size and time) to b, for the recompute's inputs. */
int wot_tld_stamp(wot_buf *b);
/* WOT_EINVAL, "label:line: owner: why", at the first record of rrs (of
 * wot_zone_read, lines[i] the line of record i) whose owner is reserved;
 * 0 when none is. */
int wot_tld_check_zone(const wot_tlds *t, const ldns_rr_list *rrs,
		       const int *lines, const char *label);

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
/* 1 if directory dir ("keys") is the same tree in commits a and b (or
 * absent from both); 0 if it changed or cannot be read. */
int wot_repo_subtree_same(git_repository *repo, const git_oid *a,
			  const git_oid *b, const char *dir);
/* One source of a sync (the i-th of n): fetch and verify, count it in
 * report, write its status, tell cb. Returns 1 when a pin was learnt
 * (sources.conf must be saved). */
int wot_sync_entry(wot_home *h, wot_trust *t, wot_source *s, size_t i, size_t n,
		   wot_sync_progress cb, void *data, wot_sync_report *report);
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

/* fresh.c */
struct json_t;
/* Merge fields into state/status/NAME.json (a JSON null deletes a key;
 * nothing is written when nothing changed). Steals fields; keeps the
 * caller's last error. */
int wot_status_merge(const wot_home *h, const char *name,
		     struct json_t *fields);
/* Record the verified head's commit time and the refresh promise of its
 * peer.conf in the status (head_time, promise). */
int wot_fresh_record(const wot_home *h, const char *name, git_repository *repo);
/* 1 when the status already holds the head's time. */
int wot_fresh_recorded(const wot_home *h, const char *name);
/* 1 (and logged) if a source's records at a head signed at head_time have
 * expired ([sync] max-age, or 4 times its promise). */
int wot_fresh_expired(wot_home *h, const char *name, int64_t head_time,
		      int64_t now);
/* The same judged from the status file, quietly (the accept cache's
 * stamp holds it, so a source expiring with time forces a recompute). */
int wot_fresh_expired_now(const wot_home *h, const char *name, int64_t now);

/* recover.c: debris of an interrupted sync (call with the home lock
 * held). Stale lock files (refs, FETCH_HEAD...) and partial packs of a
 * mirror; returns how many files were removed (each logged). */
int wot_mirror_recover(const char *name, git_repository *repo);
/* PATH.tmp.PID files of dead processes in the home and state/. */
int wot_home_recover(const wot_home *h);

/* Built-in limits against hostile repositories; the configurable ones
 * are [limits] (limits.c). No blob larger than this is ever inflated. */
#define WOT_MAX_BLOB_BYTES (64u << 20)
#define WOT_MAX_ZONE_BYTES WOT_MAX_BLOB_BYTES

/* unfollow.c: HOME/ignored, sources the user unfollowed. */
/* The ignore list's text ("" when none; caller frees). */
int wot_ignored_load(const wot_home *h, char **text);
/* 1 if text lists key or any of urls (NULL-terminated, may be NULL). */
int wot_ignored_match(const char *text, const char *key, char *const *urls);
/* Forget s's key and URLs (the user follows it again). */
int wot_ignored_clear(const wot_home *h, const wot_source *s);
/* 1 if url is s's url or one of its mirrors. */
int wot_source_has_url(const wot_source *s, const char *url);
/* Copy mirrors (NULL-terminated, may be NULL) into s->mirrors. */
int wot_source_set_mirrors(wot_source *s, const char *const *mirrors);
/* Remove a source's mirror, status and evidence files. */
void wot_source_files_remove(const wot_home *h, const char *name);

/* discover.c: after syncing synced[0..n), follow the suggestions
 * [discovery] auto allows (failures are logged, never fatal); counts them
 * in report->discovered. While the keyring and configuration are as at
 * the last full run, within the hour (state/discover.stamp), only the
 * peer.conf of the sources whose head moved is read; none moved, nothing
 * is. */
void wot_discover_auto(wot_home *h, wot_trust *t, const wot_source *synced,
		       size_t n, wot_sync_progress cb, void *data,
		       wot_sync_report *report);

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
 * credentials, host keys), taken from the config once per process. */
void wot_transport_setup(const wot_config *cfg);
/* Fill fetch callbacks for credentials and certificate checks (payload
 * is left alone). */
void wot_transport_callbacks(git_remote_callbacks *cb);
/* Fetch url into repo with one refspec; progress as for a fetch. */
int wot_transport_fetch(git_repository *repo, const char *url,
			const char *refspec, git_indexer_progress_cb progress,
			void *payload);

#define WOT_MAX_KEY_BYTES (1u << 20)
/* Our own state files (a shard's history, a source's record cache) grow
 * with the names followed: about 80 bytes per name. */
#define WOT_MAX_STATE_BYTES (1u << 30)

#endif
