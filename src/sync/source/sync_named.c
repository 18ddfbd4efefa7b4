/*
 * sync_named.c - syncing a few named sources at once (a NOTIFY said they
 * changed): the same fetch, verification and recompute as wot_sync_all,
 * without touching the sources nobody announced.
 */
#include "sync/accept/accept.h"
#include "sync/source/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int wanted(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
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
		pinned |= wot_sync_entry(h, t, &s[i], report->sources, nnames,
					 NULL, NULL, report);
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
