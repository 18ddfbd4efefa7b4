/*
 * cache.c - skipping the recompute when none of its inputs changed.
 *
 * The accepted set is a function of the sources' verified heads and pins,
 * the keyring (keys, certifications, ownertrust), the configuration and the
 * clock. After each recompute, state/accept.stamp records the first three
 * (heads by commit id, the keyring and the outputs by inode, size and
 * mtime, the configuration as parsed and as a file); a sync whose stamp
 * comes out the same reuses the outputs instead of reparsing every zone.
 * The clock is covered by recomputing anyway once the stamp is
 * WOT_STAMP_MAX_AGE old (key expiry), and by each source's expiry ([sync]
 * max-age, fresh.c) being part of the stamp.
 */
#include "sync/sync_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define WOT_STAMP_MAX_AGE 3600
#define STAMP_VERSION "wotdns accept stamp 2\n"

/* FNV-1a: the configuration only needs to be told apart, not hidden. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int stamp_file(wot_buf *b, const char *dir, const char *rel)
{
	char *p = wot_path_join(dir, rel);
	struct stat st;
	int rc;

	if (!p)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if (lstat(p, &st) < 0)
		rc = wot_buf_printf(b, "file %s -\n", rel);
	else
		rc = wot_buf_printf(b, "file %s %ju %jd %jd.%09ld\n", rel,
				    (uintmax_t)st.st_ino, (intmax_t)st.st_size,
				    (intmax_t)st.st_mtim.tv_sec,
				    st.st_mtim.tv_nsec);
	free(p);
	return rc;
}

/* Everything the recompute reads, as text (caller disposes b). */
static int stamp_inputs(wot_home *h, wot_buf *b)
{
	static const char *const gpg[] = {"pubring.kbx", "pubring.gpg",
					  "trustdb.gpg", "gpg.conf"};
	static const char *const out[] = {
	    "state/accepted.zone", "state/accepted.json", "state/owners.json",
	    "state/seen.json",	   "sources.conf",	  "config"};
	wot_source *s = NULL;
	size_t n = 0;
	int64_t now = (int64_t)time(NULL);
	char *cfg = wot_config_format(&h->cfg);
	int rc = cfg ? wot_buf_printf(b, "config %016" PRIx64 "\n", fnv1a(cfg))
		     : wot_error_set(WOT_ENOMEM, "out of memory");

	free(cfg);
	for (size_t i = 0; rc == 0 && i < sizeof(gpg) / sizeof(*gpg); i++)
		rc = stamp_file(b, h->cfg.gnupghome, gpg[i]);
	for (size_t i = 0; rc == 0 && i < sizeof(out) / sizeof(*out); i++)
		rc = stamp_file(b, h->dir, out[i]);
	if (rc == 0)
		rc = wot_sources_load(h, &s, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		git_oid id;
		char hex[WOT_OID_MAX] = "-";
		if (wot_sync_verified_head(h, s[i].name, &id) == 0)
			git_oid_tostr(hex, sizeof(hex), &id);
		wot_error_clear();
		rc = wot_buf_printf(b, "src %s %s %s %d\n", s[i].name, s[i].key,
				    hex,
				    wot_fresh_expired_now(h, s[i].name, now));
	}
	wot_sources_free(s, n);
	return rc;
}

/* 1 if state/accept.stamp matches inputs and is fresh; fills report. */
static int stamp_matches(wot_home *h, const wot_buf *inputs,
			 wot_sync_report *report)
{
	char *p = wot_home_path(h, "state/accept.stamp"), *text = NULL, *rest;
	long long when = 0;
	size_t rec = 0, conf = 0, rej = 0, exp = 0;
	int ok = 0;

	if (p && wot_file_read(p, 64u << 20, &text, NULL) == 0 &&
	    !strncmp(text, STAMP_VERSION, strlen(STAMP_VERSION)) &&
	    sscanf(text + strlen(STAMP_VERSION),
		   "time %lld\nreport %zu %zu %zu %zu", &when, &rec, &conf,
		   &rej, &exp) == 5 &&
	    (rest = strstr(text, "\nconfig ")) &&
	    !strcmp(rest + 1, inputs->ptr) &&
	    llabs((long long)time(NULL) - when) < WOT_STAMP_MAX_AGE) {
		ok = 1;
		if (report) {
			report->records = rec;
			report->conflicts = conf;
			report->rejected = rej;
			report->expired = exp;
		}
	}
	wot_error_clear();
	free(text);
	free(p);
	return ok;
}

static int stamp_save(wot_home *h, const wot_sync_report *r)
{
	wot_buf b = WOT_BUF_INIT;
	char *p = wot_home_path(h, "state/accept.stamp");
	int rc = wot_buf_printf(
	    &b, STAMP_VERSION "time %lld\nreport %zu %zu %zu %zu\n",
	    (long long)time(NULL), r->records, r->conflicts, r->rejected,
	    r->expired);

	if (rc == 0)
		rc = stamp_inputs(h, &b);
	if (rc == 0)
		rc = p ? wot_file_write_atomic(p, b.ptr, b.len)
		       : wot_error_set(WOT_ENOMEM, "out of memory");
	wot_buf_dispose(&b);
	free(p);
	return rc;
}

/* A stale or missing stamp only costs a full recompute next time. */
static void stamp_drop(wot_home *h)
{
	char *p = wot_home_path(h, "state/accept.stamp");

	if (p)
		remove(p);
	free(p);
}

int wot_sync_recompute_changed(wot_home *h, wot_trust *t,
			       wot_sync_report *report)
{
	wot_sync_report mine = {0};
	wot_buf inputs = WOT_BUF_INIT;
	int rc;

	if (!report)
		report = &mine;
	report->unchanged = 0;
	if (stamp_inputs(h, &inputs) == 0 &&
	    stamp_matches(h, &inputs, report)) {
		report->unchanged = 1;
		wot_buf_dispose(&inputs);
		return 0;
	}
	wot_buf_dispose(&inputs);
	wot_error_clear();
	stamp_drop(h);
	rc = wot_sync_recompute_locked(h, t, report);
	/* Stamped after the recompute: listing keys may touch the trustdb,
	 * and the stamp must describe the state the outputs came from. */
	if (rc == 0 && stamp_save(h, report) < 0) {
		wot_log(WOT_LOG_WARNING, "sync", "accept stamp: %s",
			wot_error_last());
		stamp_drop(h);
	}
	return rc;
}
