/*
 * source/source.h - followed sources inside the sync room (internal):
 * fetching and verifying one, evidence, freshness, peer.conf, discovery
 * and the ignore list.
 */
#ifndef WOT_SYNC_SOURCE_H
#define WOT_SYNC_SOURCE_H

#include "sync/git/git.h"

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
 * fetch_parallel.c: fetch sources in parallel on up to jobs threads; each
 * source fetched without error gets s[i].prefetched = 1 (a failed one is
 * fetched again, and reported, by wot_sync_source). Suspended sources are
 * skipped. cb (may be NULL) is called under a lock, from the threads.
 */
void wot_sync_prefetch(wot_home *h, wot_source *s, size_t n, unsigned jobs,
		       wot_sync_progress cb, void *data);
/* One source of a sync (the i-th of n): fetch and verify, count it in
 * report, write its status, tell cb. Returns 1 when a pin was learnt
 * (sources.conf must be saved). */
int wot_sync_entry(wot_home *h, wot_trust *t, wot_source *s, size_t i, size_t n,
		   wot_sync_progress cb, void *data, wot_sync_report *report);
/* evidence.c */
/* 1 if the source is suspended after an equivocation. */
int wot_evidence_suspended(const wot_home *h, const char *name);
/* Classify and keep a refused non-fast-forward tip; returns WOT_EVERIFY
 * with the reason as the last error. */
int wot_evidence_refused(const wot_home *h, const wot_source *s,
			 git_repository *repo, wot_trust *t, const git_oid *tip,
			 const git_oid *verified);

/* freshness.c */
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

#define WOT_PEER_CONF_MAX (256 * 1024) /* bytes */
#define WOT_PEER_SOURCES_MAX 1000
#define WOT_PEER_ENDPOINTS_MAX 8

/* A URL must fit a "mirror = URL" line of sources.conf (WOT_INI_LINE_MAX,
 * sync/home/home.h) when discovery follows it. */
#define WOT_PEER_URL_MAX 189

/* Parse peer.conf text (hostile: bounded, strict; unknown keys and
 * sections are ignored for forward compatibility). Errors as
 * "label:line: ...". Caller frees *out with wot_peer_conf_free(). */
int wot_peer_conf_parse(const char *text, size_t len, const char *label,
			wot_peer_conf **out);

/* 1 if ep is "IPv4:PORT" or "[IPv6]:PORT". */
int wot_peer_endpoint_valid(const char *ep);
/* The peer.conf this home publishes (from [peer] and, when shared, its
 * sources); a bare [peer] section when there is nothing to announce.
 * Caller frees *text. */
int wot_peer_conf_own(const wot_home *h, char **text);

/* Judge a head signed at head_time against the source's promise and the
 * config's [sync] max-age (0: 4 times the promise) at time now. The grace
 * before "stale" is a tenth of the promise, at least 60 s. Source "self"
 * never expires. */
void wot_freshness_eval(const wot_config *cfg, const char *name,
			int64_t head_time, unsigned promise, int64_t now,
			wot_freshness *out);

#endif
