/* follow_sync.c - follow and sync: the user-facing sync operations. */
#include "sync/accept/accept.h"
#include "sync/source/source.h"

#include <ctype.h>
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

int wot_sync_entry(wot_home *h, wot_trust *t, wot_source *s, size_t i, size_t n,
		   wot_sync_progress cb, void *data, wot_sync_report *report)
{
	char had_pin = s->key[0], head[WOT_OID_MAX], err[1024] = "";
	int rc;

	if (cb)
		cb(WOT_SYNC_EV_START, s->name, i, n, 1, NULL, data);
	rc = wot_sync_source(h, t, s, cb, data);
	if (rc < 0)
		snprintf(err, sizeof(err), "%s", wot_error_last());
	if (rc == 0)
		memcpy(head, s->head, sizeof(head));
	else
		head_hex(h, s->name, head);
	if (rc < 0) {
		report->failed++;
		wot_log(cb ? WOT_LOG_INFO : WOT_LOG_WARNING, "sync", "%s: %s",
			s->name, err);
	} else
		report->ok++;
	wot_status_write(h, s->name, head, rc < 0 ? err : NULL);
	if (cb)
		cb(WOT_SYNC_EV_DONE, s->name, i, n, rc == 0,
		   rc < 0 ? err : head, data);
	return rc == 0 && !had_pin && s->key[0];
}

static int sync_all_locked(wot_home *h, wot_trust *t, wot_sync_progress cb,
			   void *data, wot_sync_report *report)
{
	wot_source *s = NULL;
	size_t n = 0;
	int rc, pinned = 0;

	memset(report, 0, sizeof(*report));
	wot_home_recover(h); /* after a crash (recover.c) */
	if ((rc = wot_sources_load(h, &s, &n)) < 0)
		return rc;
	report->sources = n;
	wot_sync_prefetch(h, s, n, h->cfg.sync_jobs, cb, data);
	for (size_t i = 0; i < n; i++)
		pinned |=
		    wot_sync_entry(h, t, &s[i], i + 1, n, cb, data, report);
	rc = pinned ? wot_sources_save(h, s, n) : 0;
	if (rc == 0)
		wot_discover_auto(h, t, s, n, cb, data, report);
	if (rc == 0)
		rc = wot_sync_recompute_changed(h, t, report);
	if (rc == 0 && cb)
		cb(WOT_SYNC_EV_ACCEPTED, NULL, report->records, 0, 1, NULL,
		   data);
	wot_sources_free(s, n);
	return rc;
}

int wot_sync_all(wot_home *h, wot_trust *t, wot_sync_progress cb, void *data,
		 wot_sync_report *report)
{
	int lock = -1, rc;

	memset(report, 0, sizeof(*report));
	if ((rc = wot_home_lock(h, &lock)) == 0)
		rc = sync_all_locked(h, t, cb, data, report);
	wot_home_unlock(lock);
	return rc;
}

/* "https://host/x/alice.git" -> "alice"; ".../alice/own.git" -> "alice". */
static void derive_name(const char *url, char out[65])
{
	char buf[512], *end, *base;

	snprintf(buf, sizeof(buf), "%s", url);
	end = buf + strlen(buf);
	while (end > buf && end[-1] == '/')
		*--end = '\0';
	if (end - buf > 4 && !strcmp(end - 4, ".git"))
		*(end -= 4) = '\0';
	base = strrchr(buf, '/');
	if (base && !strcmp(base + 1, "own")) {
		*base = '\0';
		base = strrchr(buf, '/');
	}
	base = base ? base + 1 : buf;
	size_t j = 0;
	for (; *base && j < 64; base++)
		out[j++] = isalnum((unsigned char)*base) || strchr("_.-", *base)
			       ? *base
			       : '-';
	out[j] = '\0';
	if (!wot_source_name_valid(out) || !strcmp(out, WOT_SELF))
		snprintf(out, 65, "source");
}

static int check_new(const wot_source *s, size_t n, const char *name,
		     const char *url)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(s[i].name, name) && !strcmp(name, WOT_SELF))
			return wot_error_set(WOT_EEXIST,
					     "a source named '%s' exists "
					     "(choose another with --name)",
					     name);
		if (!strcmp(s[i].name, name))
			return wot_error_set(
			    WOT_EEXIST,
			    "a source named '%s' exists (choose another with "
			    "--name; to give it a further URL: wotdns sources "
			    "mirror add %s URL)",
			    name, name);
		if (wot_source_has_url(&s[i], url))
			return wot_error_set(WOT_EEXIST,
					     "%s is already followed as '%s'",
					     url, s[i].name);
	}
	return 0;
}

static void drop_mirror(wot_home *h, const char *name)
{
	char *rel = wot_strdup_printf("sources/%s.git", name);
	char *p = rel ? wot_home_path(h, rel) : NULL;

	if (p)
		wot_rmtree(p);
	free(p);
	free(rel);
}

static int follow_locked(wot_home *h, wot_trust *t, const char *url,
			 const char *const *mirrors, const char *name,
			 const char *key, wot_sync_progress cb, void *data)
{
	wot_source *s = NULL, *ns;
	size_t n = 0;
	int rc;

	if ((rc = wot_sources_load(h, &s, &n)) < 0)
		return rc;
	ns = realloc(s, (n + 1) * sizeof(*s));
	if (!ns) {
		wot_sources_free(s, n);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	s = ns;
	memset(&s[n], 0, sizeof(*s));
	if (name && !wot_source_name_valid(name)) {
		rc = wot_error_set(WOT_EINVAL, "bad source name '%s'", name);
		goto out;
	}
	if (name)
		snprintf(s[n].name, sizeof(s[n].name), "%s", name);
	else
		derive_name(url, s[n].name);
	if (key)
		snprintf(s[n].key, sizeof(s[n].key), "%s", key);
	wot_fpr_normalise(s[n].key);
	if (key && !wot_fpr_valid(s[n].key)) {
		rc = wot_error_set(WOT_EINVAL,
				   "--key needs a full fingerprint, got '%s'",
				   key);
		goto out;
	}
	if ((rc = check_new(s, n, s[n].name, url)) < 0)
		goto out;
	if (!(s[n].url = strdup(url)) ||
	    wot_source_set_mirrors(&s[n], mirrors) < 0) {
		n++;
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	n++;
	drop_mirror(h, s[n - 1].name); /* leftovers of a failed follow */
	if ((rc = wot_sync_source(h, t, &s[n - 1], cb, data)) < 0) {
		wot_error_wrap(rc, "%s", url);
		drop_mirror(h, s[n - 1].name);
		goto out;
	}
	if ((rc = wot_sources_save(h, s, n)) == 0) {
		char head[WOT_OID_MAX];
		head_hex(h, s[n - 1].name, head);
		wot_status_write(h, s[n - 1].name, head, NULL);
		wot_ignored_clear(h, &s[n - 1]);
	}
	if (rc == 0)
		rc = wot_sync_recompute_locked(h, t, NULL);
out:
	wot_sources_free(s, n);
	return rc;
}

int wot_sync_follow(wot_home *h, wot_trust *t, const wot_follow_opts *o)
{
	int lock = -1, rc = o->url
				? wot_home_lock(h, &lock)
				: wot_error_set(WOT_EINVAL, "no URL to follow");

	if (rc == 0)
		rc = follow_locked(h, t, o->url, o->mirrors, o->name, o->key,
				   o->progress, o->data);
	wot_home_unlock(lock);
	return rc;
}
