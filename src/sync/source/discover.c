/*
 * discover.c - friend-of-friend discovery. Followed sources announce the
 * sources they follow in their peer.conf; those become suggestions, and
 * [discovery] auto follows the ones whose announced owner key is already
 * valid for the user (keys arrive through followed repositories' keys/).
 * The announced key is pinned, so a hostile peer can point at any URL but
 * can never make the user accept history not signed by a valid key.
 */
#include "sync/accept/accept.h"
#include "sync/source/source.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A suggestion whose follow failed (down, does not verify) is tried again
 * only after this long, so one dead URL does not slow every sync. */
#define RETRY_S 3600

void wot_suggestions_free(wot_suggestion *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		wot_strv_free(s[i].urls);
		wot_strv_free(s[i].via);
	}
	free(s);
}

struct sugg_list {
	wot_suggestion *v;
	size_t n;
};

/* Add ps as offered by source via (merged by owner key). */
static int offer(struct sugg_list *l, const wot_peer_source *ps,
		 const char *via)
{
	wot_suggestion *s = NULL, *nv;
	int rc = 0;

	for (size_t i = 0; i < l->n && !s; i++)
		if (!strcmp(l->v[i].key, ps->key))
			s = &l->v[i];
	if (!s) {
		if (!(nv = realloc(l->v, (l->n + 1) * sizeof(*nv))))
			return wot_error_set(WOT_ENOMEM, "out of memory");
		l->v = nv;
		s = &nv[l->n++];
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", ps->name);
		snprintf(s->key, sizeof(s->key), "%s", ps->key);
		s->level = -1;
		for (size_t j = 0; rc == 0 && ps->urls[j]; j++)
			rc = wot_strv_push(&s->urls, ps->urls[j]);
	}
	return rc < 0 ? rc : wot_strv_push(&s->via, via);
}

static int is_followed(const wot_source *src, size_t n, const wot_suggestion *g)
{
	for (size_t i = 0; i < n; i++) {
		if (src[i].key[0] && !strcmp(src[i].key, g->key))
			return 1;
		for (size_t j = 0; g->urls[j]; j++)
			if (wot_source_has_url(&src[i], g->urls[j]))
				return 1;
	}
	return 0;
}

/* Transports libgit2 speaks; anything else a peer offers is not
 * followed automatically. */
static int url_auto_ok(const char *u)
{
	static const char *const schemes[] = {"file://", "git://", "http://",
					      "https://", "ssh://"};

	if (u[0] == '/')
		return 1;
	for (size_t i = 0; i < sizeof(schemes) / sizeof(*schemes); i++)
		if (!strncmp(u, schemes[i], strlen(schemes[i])))
			return 1;
	return 0;
}

/* state/discovery.json: {"failed": {FPR: {"time": T, "error": TEXT}}}.
 * Our own bookkeeping; a missing or unreadable file means no failures. */
static json_t *failed_load(const wot_home *h)
{
	char *path = wot_state_path(h, WOT_STATE_DISCOVERY), *text = NULL;
	json_t *o = NULL, *f;

	if (path && wot_file_read(path, 4 << 20, &text, NULL) == 0)
		o = json_loads(text, 0, NULL);
	wot_error_clear();
	free(text);
	free(path);
	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	if (!json_is_object(f = json_object_get(o, "failed")))
		json_object_set_new(o, "failed", json_object());
	return o;
}

static void failed_save(const wot_home *h, json_t *o)
{
	char *path = wot_state_path(h, WOT_STATE_DISCOVERY);
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);

	if (!path || !text ||
	    wot_file_write_atomic(path, text, strlen(text)) < 0)
		wot_log(WOT_LOG_WARNING, "sync", "%s: %s",
			wot_state_rel(WOT_STATE_DISCOVERY), wot_error_last());
	free(path);
	free(text);
}

static void failed_get(json_t *o, wot_suggestion *g)
{
	json_t *e = json_object_get(json_object_get(o, "failed"), g->key);
	const char *err = json_string_value(json_object_get(e, "error"));

	g->failed_at = json_integer_value(json_object_get(e, "time"));
	snprintf(g->error, sizeof(g->error), "%s", err ? err : "");
}

/* Validity, level and what auto-follow would do, for every suggestion.
 * The keyring is listed only when something is not followed yet: in a
 * settled mesh every announced source is followed, and a sync then costs
 * no trust computation here. */
static int judge(wot_home *h, wot_trust *t, const wot_source *src, size_t n,
		 struct sugg_list *l)
{
	wot_key_info *keys = NULL;
	size_t nk = 0, open = 0;
	char *ignored = NULL;
	json_t *failed = NULL;
	int64_t now = (int64_t)time(NULL);
	int level = 0, rc;

	for (size_t i = 0; i < l->n; i++)
		open += !(l->v[i].followed = is_followed(src, n, &l->v[i]));
	if (open == 0)
		return 0;
	if ((rc = wot_trust_list(t, &keys, &nk)) < 0 ||
	    (rc = wot_ignored_load(h, &ignored)) < 0)
		goto out;
	failed = failed_load(h);
	wot_discovery_parse(h->cfg.discovery, &level);
	for (size_t i = 0; i < l->n; i++) {
		wot_suggestion *g = &l->v[i];
		for (size_t k = 0; k < nk; k++)
			if (!strcmp(keys[k].fpr, g->key)) {
				g->validity = keys[k].validity;
				g->level = keys[k].level;
			}
		g->ignored = wot_ignored_match(ignored, g->key, g->urls);
		failed_get(failed, g);
		g->would_follow =
		    !g->followed && !g->ignored && level != 0 &&
		    now - g->failed_at >= RETRY_S &&
		    g->validity >= WOT_VALIDITY_FULL &&
		    (level < 0 || (g->level >= 0 && g->level <= level)) &&
		    url_auto_ok(g->urls[0]);
	}
out:
	json_decref(failed);
	free(keys);
	free(ignored);
	return rc;
}

static int listed(char *const *only, const char *name)
{
	for (size_t i = 0; only && only[i]; i++)
		if (!strcmp(only[i], name))
			return 1;
	return !only;
}

/* Offers in the peer.conf of every source (only: of those named). */
static int collect(wot_home *h, wot_trust *t, const wot_source *src, size_t n,
		   char *const *only, struct sugg_list *l)
{
	int rc = 0;

	for (size_t i = 1; rc == 0 && i < n; i++) {
		wot_peer_conf *pc = NULL;
		int prc;
		if (!listed(only, src[i].name))
			continue;
		prc = wot_sync_peer_conf(h, src[i].name, &pc);
		if (prc < 0) {
			/* No peer.conf is normal; a bad one is the peer's
			 * problem, not a reason to stop. */
			if (prc != WOT_ENOENT)
				wot_log(WOT_LOG_INFO, "sync", "%s",
					wot_error_last());
			wot_error_clear();
			continue;
		}
		for (size_t j = 0; rc == 0 && j < pc->nsources; j++)
			rc = offer(l, &pc->sources[j], src[i].name);
		wot_peer_conf_free(pc);
	}
	return rc == 0 ? judge(h, t, src, n, l) : rc;
}

static int suggestions(wot_home *h, wot_trust *t, char *const *only,
		       wot_suggestion **out, size_t *n)
{
	struct sugg_list l = {NULL, 0};
	wot_source *src = NULL;
	size_t ns = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = wot_sources_load(h, &src, &ns)) == 0)
		rc = collect(h, t, src, ns, only, &l);
	wot_sources_free(src, ns);
	if (rc < 0) {
		wot_suggestions_free(l.v, l.n);
		return rc;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

int wot_sync_suggestions(wot_home *h, wot_trust *t, wot_suggestion **out,
			 size_t *n)
{
	return suggestions(h, t, NULL, out, n);
}

/* The announced name, or NAME-2, NAME-3... when ours already has it. */
static void free_name(const wot_source *src, size_t n, const char *want,
		      char out[65])
{
	for (unsigned k = 1; k < 1000; k++) {
		size_t i;
		if (k == 1)
			snprintf(out, 65, "%s", want);
		else
			snprintf(out, 65, "%.58s-%u", want, k);
		for (i = 0; i < n && strcmp(src[i].name, out); i++)
			;
		if (i == n && strcmp(out, WOT_SELF))
			return;
	}
}

/* Follow one suggestion into src[*n] (the array has room). */
static int adopt(wot_home *h, wot_trust *t, wot_source *src, size_t *n,
		 const wot_suggestion *g, wot_sync_progress cb, void *data)
{
	wot_source *s = &src[*n];
	char head[WOT_OID_MAX] = "";
	git_oid id;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	free_name(src, *n, g->name, s->name);
	snprintf(s->key, sizeof(s->key), "%s", g->key);
	snprintf(s->via, sizeof(s->via), "%s", g->via[0]);
	s->discovered = 1;
	if (!(s->url = strdup(g->urls[0])))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t j = 1; rc == 0 && g->urls[j]; j++)
		rc = wot_strv_push(&s->mirrors, g->urls[j]);
	wot_source_files_remove(h, s->name);
	if (cb)
		cb(WOT_SYNC_EV_START, s->name, 1, 1, 1, NULL, data);
	if (rc == 0)
		rc = wot_sync_source(h, t, s, cb, data);
	if (rc < 0) {
		char err[1536];
		snprintf(err, sizeof(err), "%s: %s", s->url, wot_error_last());
		wot_log(WOT_LOG_INFO, "sync", "discovered %s (via %s): %.1024s",
			s->name, s->via, err);
		wot_source_files_remove(h, s->name);
		free(s->url); /* s lives in the caller's array */
		wot_strv_free(s->mirrors);
		memset(s, 0, sizeof(*s));
		return wot_error_set(rc, "%s",
				     err); /* for the caller's record */
	}
	if (wot_sync_verified_head(h, s->name, &id) == 0)
		git_oid_tostr(head, sizeof(head), &id);
	wot_status_write(h, s->name, head, NULL);
	wot_log(WOT_LOG_NOTICE, "sync", "following %s (%s) discovered via %s",
		s->name, s->url, s->via);
	if (cb)
		cb(WOT_SYNC_EV_DONE, s->name, 1, 1, 1, head, data);
	(*n)++;
	return 0;
}

static size_t count_discovered(const wot_source *src, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += src[i].discovered != 0;
	return k;
}

static void discover(wot_home *h, wot_trust *t, char *const *only,
		     wot_sync_progress cb, void *data, wot_sync_report *report)
{
	wot_suggestion *g = NULL;
	wot_source *src = NULL, *grown;
	size_t ng = 0, n = 0, added = 0, tried = 0;
	json_t *failed = NULL, *fmap;

	if (!h->cfg.discovery || !strcmp(h->cfg.discovery, "off"))
		return;
	failed = failed_load(h);
	fmap = json_object_get(failed, "failed");
	if (wot_sources_load(h, &src, &n) < 0 ||
	    suggestions(h, t, only, &g, &ng) < 0 ||
	    !(grown = realloc(src, (n + ng + 1) * sizeof(*src)))) {
		wot_log(WOT_LOG_WARNING, "sync", "discovery: %s",
			wot_error_last());
		goto out;
	}
	src = grown;
	for (size_t i = 0; i < ng; i++) {
		if (!g[i].would_follow)
			continue;
		if (count_discovered(src, n) >= h->cfg.discovery_max) {
			wot_log(WOT_LOG_NOTICE, "sync",
				"discovery: [discovery] max = %u reached; "
				"%s only suggested",
				h->cfg.discovery_max, g[i].name);
			continue;
		}
		tried++;
		if (adopt(h, t, src, &n, &g[i], cb, data) == 0) {
			added++;
			json_object_del(fmap, g[i].key);
		} else {
			json_object_set_new(fmap, g[i].key,
					    json_pack("{s:I,s:s}", "time",
						      (json_int_t)time(NULL),
						      "error",
						      wot_error_last()));
		}
	}
	if (tried)
		failed_save(h, failed);
	if (added && wot_sources_save(h, src, n) < 0)
		wot_log(WOT_LOG_WARNING, "sync", "discovery: %s",
			wot_error_last());
	else if (report) {
		report->discovered += added;
		report->sources += added;
		report->ok += added;
	}
out:
	wot_error_clear();
	json_decref(failed);
	wot_suggestions_free(g, ng);
	wot_sources_free(src, n);
}

/* What the suggestions depend on besides the heads (the keyring, the
 * configuration, the failed tries), per hour. */
static char *discover_stamp(wot_home *h)
{
	char *p = wot_state_path(h, WOT_STATE_DISCOVERY);
	wot_buf b = WOT_BUF_INIT;
	int rc = wot_buf_printf(&b, "wotdns discover stamp 3 %lld\n",
				(long long)time(NULL) / 3600);

	if (rc == 0)
		rc = wot_keyring_stamp(h, &b);
	if (rc == 0)
		rc = p ? wot_stat_line(&b, "discovery.json", p)
		       : wot_error_set(WOT_ENOMEM, "out of memory");
	free(p);
	if (rc < 0)
		wot_buf_dispose(&b);
	return rc < 0 ? NULL : b.ptr;
}

void wot_discover_auto(wot_home *h, wot_trust *t, const wot_source *synced,
		       size_t n, wot_sync_progress cb, void *data,
		       wot_sync_report *report)
{
	char *p = wot_state_path(h, WOT_STATE_DISCOVER_STAMP), *old = NULL;
	char *now = discover_stamp(h), **moved = NULL;
	int same = p && now && wot_file_read(p, 4096, &old, NULL) == 0 &&
		   !strcmp(old, now);

	wot_error_clear();
	for (size_t i = 0; i < n; i++)
		if (synced[i].moved &&
		    wot_strv_push(&moved, synced[i].name) < 0)
			same = 0; /* out of memory: the whole run */
	/* With the keyring and configuration as at the last run, only the
	 * peer.conf of a source whose head moved can offer anything new. */
	if (!same)
		discover(h, t, NULL, cb, data, report);
	else if (moved)
		discover(h, t, moved, cb, data, report);
	free(now);
	now = same ? NULL : discover_stamp(h);
	if (p && now)
		wot_file_write_nosync(p, now, strlen(now));
	wot_strv_free(moved);
	free(old);
	free(now);
	free(p);
}
