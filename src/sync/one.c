/*
 * one.c - syncing a few named sources at once (a NOTIFY said they
 * changed): the same fetch, verification and recompute as wot_sync_all,
 * without touching the sources nobody announced.
 */
#include "sync/sync_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void head_hex(wot_home *h, const char *name, char out[WOT_OID_MAX])
{
	git_oid id;

	out[0] = '\0';
	if (wot_sync_verified_head(h, name, &id) == 0)
		git_oid_tostr(out, WOT_OID_MAX, &id);
	wot_error_clear();
}

static int wanted(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/* One source, as sync_all_locked does it; 1 when a pin was learnt. */
static int sync_entry(wot_home *h, wot_trust *t, wot_source *s,
		      wot_sync_report *report)
{
	char had_pin = s->key[0], head[WOT_OID_MAX], err[1024] = "";
	int rc = wot_sync_source(h, t, s, NULL, NULL);

	if (rc < 0)
		snprintf(err, sizeof(err), "%s", wot_error_last());
	head_hex(h, s->name, head);
	if (rc < 0) {
		report->failed++;
		wot_log(WOT_LOG_WARNING, "sync", "%s: %s", s->name, err);
	} else {
		report->ok++;
	}
	wot_status_write(h, s->name, head, rc < 0 ? err : NULL);
	return rc == 0 && !had_pin && s->key[0];
}

static int sync_some_locked(wot_home *h, wot_trust *t, const char *const *names,
			    size_t nnames, wot_sync_report *report)
{
	wot_source *s = NULL;
	size_t n = 0;
	int rc, pinned = 0;

	if ((rc = wot_sources_load(h, &s, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (!wanted(s[i].name, names, nnames))
			continue;
		report->sources++;
		pinned |= sync_entry(h, t, &s[i], report);
	}
	rc = pinned ? wot_sources_save(h, s, n) : 0;
	if (rc == 0 && report->sources)
		rc = wot_sync_recompute_changed(h, t, report);
	wot_sources_free(s, n);
	return rc;
}

int wot_sync_sources(wot_home *h, wot_trust *t, const char *const *names,
		     size_t n, wot_sync_report *report)
{
	int lock = -1, rc;

	memset(report, 0, sizeof(*report));
	if ((rc = wot_home_lock(h, &lock)) == 0)
		rc = sync_some_locked(h, t, names, n, report);
	wot_home_unlock(lock);
	return rc;
}

int wot_sync_one(wot_home *h, wot_trust *t, const char *name,
		 wot_sync_report *report)
{
	return wot_sync_sources(h, t, &name, 1, report);
}
