/*
 * recompute_changed.c - recomputing only what changed.
 *
 * The accepted set is a function of the sources' verified heads and pins,
 * the keyring (keys, certifications, ownertrust), the configuration and the
 * clock. The manifest records the first (every source as decided on) and a
 * stamp of the second and third (the keyring files by inode, size and
 * mtime, the configuration as parsed). A sync after which they are all the
 * same keeps the accepted set; one after which only some sources moved
 * (head, pin, address, expiry) decides only their shards (accept.c);
 * anything else decides everything. The clock is covered by deciding
 * everything once the keyring's next expiry (of a key, subkey or
 * certification) has passed, or the set is a day old, and by each
 * source's expiry being compared.
 */
#include "sync/accept/accept.h"
#include "sync/source/source.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Without a known next expiry, everything is decided hourly; with one,
 * daily anyway. */
#define WOT_FULL_UNKNOWN_AGE 3600
#define WOT_FULL_MAX_AGE 86400

int wot_accept_inputs(wot_home *h, uint64_t *out)
{
	wot_buf b = WOT_BUF_INIT;
	int rc = wot_keyring_stamp(h, &b);

	/* The rules on reserved names and the suffix list they read decide
	 * claims too: a new list, or an upgrade, decides everything again. */
	if (rc == 0)
		rc = wot_tld_stamp(&b);

	/* FNV-1a: the inputs only need to be told apart, not hidden. */
	*out = 1469598103934665603ull;
	for (size_t i = 0; rc == 0 && i < b.len; i++)
		*out = (*out ^ (unsigned char)b.ptr[i]) * 1099511628211ull;
	wot_buf_dispose(&b);
	return rc;
}

/* Did source s move since the manifest decided on it? */
static int source_moved(wot_home *h, const wot_source *s,
			const wot_manifest_source *o, int64_t now)
{
	git_oid id;
	char hex[WOT_OID_MAX] = "";

	if (!o || strcmp(o->key, s->key) ||
	    strcmp(o->url, s->url ? s->url : ""))
		return 1;
	if (wot_sync_verified_head(h, s->name, &id) == 0)
		git_oid_tostr(hex, sizeof(hex), &id);
	wot_error_clear();
	/* An expired source was decided on at its head too. */
	return strcmp(hex, o->commit) ||
	       wot_fresh_expired_now(h, s->name, now) != o->expired;
}

/* Every shard file the manifest names is still there. */
static int files_present(wot_home *h, const wot_manifest *m)
{
	static const char *const kinds[] = {"zone", "json", "hist"};
	int ok = 1;

	for (size_t i = 0; ok && i < m->nshards; i++)
		for (size_t k = 0; ok && k < 3; k++) {
			char *p = wot_manifest_path(h, &m->shards[i], kinds[k]);
			struct stat st;
			ok = p && lstat(p, &st) == 0 && S_ISREG(st.st_mode);
			free(p);
		}
	return ok;
}

/* Names of the sources that moved, or were dropped, since m (caller frees
 * with wot_strv_free; an empty list is a NULL-terminated empty one). */
static int moved_sources(wot_home *h, const wot_manifest *m, char ***out)
{
	wot_source *s = NULL;
	size_t n = 0;
	int64_t now = (int64_t)time(NULL);
	int rc = wot_sources_load(h, &s, &n);

	*out = calloc(1, sizeof(char *));
	if (!*out)
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (source_moved(h, &s[i],
				 wot_manifest_source_find(m, s[i].name), now))
			rc = wot_strv_push(out, s[i].name);
	}
	for (size_t k = 0; rc == 0 && k < m->nsources; k++) {
		int kept = 0;
		for (size_t i = 0; i < n && !kept; i++)
			kept = !strcmp(m->sources[k].name, s[i].name);
		if (!kept)
			rc = wot_strv_push(out, m->sources[k].name);
	}
	wot_sources_free(s, n);
	return rc;
}

/* A key or certification expired since, or the set is simply old. */
static int clock_says_full(const wot_manifest *m)
{
	int64_t now = (int64_t)time(NULL), age = now - m->generated;

	if (age < 0 || age >= WOT_FULL_MAX_AGE)
		return 1;
	return m->until > 0 ? now >= m->until : age >= WOT_FULL_UNKNOWN_AGE;
}

static void report_totals(const wot_manifest *m, wot_sync_report *r)
{
	r->records = m->records;
	r->conflicts = m->conflicts;
	r->rejected = m->rejected;
	r->expired = m->expired;
}

int wot_sync_recompute_changed(wot_home *h, wot_trust *t,
			       wot_sync_report *report)
{
	wot_sync_report mine = {0};
	wot_manifest *m = NULL;
	char **moved = NULL;
	uint64_t inputs = 0;
	int rc, full;

	if (!report)
		report = &mine;
	report->unchanged = 0;
	if ((rc = wot_accept_inputs(h, &inputs)) < 0)
		return rc;
	if ((rc = wot_manifest_load(h, &m)) == WOT_ENOENT) {
		wot_error_clear(); /* none yet: decide everything */
		m = NULL;
	} else if (rc < 0) {
		/* Deciding afresh would lose the ownership history the shards
		 * hold: the user decides. */
		return wot_error_wrap(rc, "the accepted set cannot be read "
					  "(move state/accepted away to "
					  "rebuild it, forgetting who held "
					  "which name first)");
	}
	full = !m || m->inputs != inputs || clock_says_full(m) ||
	       !files_present(h, m);
	if (!full && (rc = moved_sources(h, m, &moved)) < 0)
		goto out;
	if (!full && !moved[0]) {
		report->unchanged = 1;
		report_totals(m, report);
		goto out;
	}
	rc = full ? 1 : wot_accept_run(h, t, m, moved, inputs, report);
	if (rc == 1)
		rc = wot_accept_run(h, t, m, NULL, inputs, report);
out:
	wot_strv_free(moved);
	wot_manifest_free(m);
	return rc;
}

int wot_sync_recompute_locked(wot_home *h, wot_trust *t,
			      wot_sync_report *report)
{
	return wot_sync_recompute_changed(h, t, report);
}

int wot_sync_recompute(wot_home *h, wot_trust *t, wot_sync_report *report)
{
	int lock = -1, rc = wot_home_lock(h, &lock);

	if (rc == 0)
		rc = wot_sync_recompute_locked(h, t, report);
	wot_home_unlock(lock);
	return rc;
}
