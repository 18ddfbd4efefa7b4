/*
 * unfollow.c - dropping a source, and HOME/ignored: what the user
 * unfollowed stays unfollowed, so friend-of-friend discovery never adds it
 * back. 'wotdns follow' of it again clears the entry.
 *
 * HOME/ignored holds one entry a line, "key FPR" or "url URL", with
 * comments naming the source. It is the user's own file (not from peers).
 */
#include "sync/accept/accept.h"
#include "sync/source/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IGNORED_MAX (4u << 20)

int wot_ignored_load(const wot_home *h, char **text)
{
	char *path = wot_home_path(h, "ignored");
	int rc;

	*text = NULL;
	if (!path)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	rc = wot_file_read(path, IGNORED_MAX, text, NULL);
	if (rc == WOT_ENOENT) {
		wot_error_clear();
		rc = (*text = strdup("")) ? 0
					  : wot_error_set(WOT_ENOMEM, "no mem");
	}
	free(path);
	return rc;
}

/* 1 if text has the line "kind value". */
static int has_line(const char *text, const char *kind, const char *value)
{
	size_t kl = strlen(kind), vl = strlen(value);

	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len == kl + 1 + vl && !strncmp(p, kind, kl) &&
		    p[kl] == ' ' && !strncmp(p + kl + 1, value, vl))
			return 1;
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

int wot_ignored_match(const char *text, const char *key, char *const *urls)
{
	if (key && *key && has_line(text, "key", key))
		return 1;
	for (size_t i = 0; urls && urls[i]; i++)
		if (has_line(text, "url", urls[i]))
			return 1;
	return 0;
}

static int ignored_save(const wot_home *h, const char *text)
{
	char *path = wot_home_path(h, "ignored");
	int rc = path ? wot_file_write_atomic(path, text, strlen(text))
		      : wot_error_set(WOT_ENOMEM, "out of memory");

	free(path);
	return rc;
}

static int ignored_add(const wot_home *h, const wot_source *s)
{
	wot_buf b = WOT_BUF_INIT;
	char *old = NULL;
	int rc;

	if ((rc = wot_ignored_load(h, &old)) < 0)
		return rc;
	if (!*old)
		wot_buf_printf(&b,
			       "# sources unfollowed: discovery never "
			       "adds them again ('wotdns follow' clears)\n");
	wot_buf_printf(&b, "%s# %s\n", old, s->name);
	if (s->key[0])
		wot_buf_printf(&b, "key %s\n", s->key);
	wot_buf_printf(&b, "url %s\n", s->url);
	for (char **m = s->mirrors; m && *m; m++)
		wot_buf_printf(&b, "url %s\n", *m);
	rc = b.ptr ? ignored_save(h, b.ptr)
		   : wot_error_set(WOT_ENOMEM, "out of memory");
	wot_buf_dispose(&b);
	free(old);
	return rc;
}

static int strv_has(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

/* Drop the lines naming s's key or URLs (the comment lines stay: a record
 * of what was once unfollowed). */
int wot_ignored_clear(const wot_home *h, const wot_source *s)
{
	wot_buf b = WOT_BUF_INIT;
	char *text = NULL, *save = NULL;
	int rc, changed = 0;

	if ((rc = wot_ignored_load(h, &text)) < 0 || !*text) {
		free(text);
		return rc;
	}
	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		int drop = !strncmp(l, "key ", 4)
			       ? s->key[0] && !strcmp(l + 4, s->key)
			       : !strncmp(l, "url ", 4) &&
				     (!strcmp(l + 4, s->url) ||
				      strv_has(s->mirrors, l + 4));
		if (drop)
			changed = 1;
		else
			wot_buf_printf(&b, "%s\n", l);
	}
	if (changed)
		rc = ignored_save(h, b.ptr ? b.ptr : "");
	wot_buf_dispose(&b);
	free(text);
	return rc;
}

int wot_source_has_url(const wot_source *s, const char *url)
{
	return !strcmp(s->url, url) || strv_has(s->mirrors, url);
}

int wot_source_set_mirrors(wot_source *s, const char *const *mirrors)
{
	size_t n = 0;

	while (mirrors && mirrors[n])
		n++;
	if (n == 0)
		return 0;
	if (!(s->mirrors = calloc(n + 1, sizeof(*s->mirrors))))
		return WOT_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!(s->mirrors[i] = strdup(mirrors[i])))
			return WOT_ENOMEM;
	return 0;
}

/* Remove a source's mirror, status, evidence and record cache files. */
void wot_source_files_remove(const wot_home *h, const char *name)
{
	static const wot_state_file state[] = {
	    WOT_STATE_STATUS, WOT_STATE_EVIDENCE, WOT_STATE_RRCACHE};
	char *rel = wot_strdup_printf("sources/%s.git", name);

	for (size_t i = 0; i <= sizeof(state) / sizeof(*state); i++) {
		char *p = i == 0 ? (rel ? wot_home_path(h, rel) : NULL)
				 : wot_state_source_path(h, state[i - 1], name);
		if (p && wot_path_exists(p) &&
		    (i == 0 ? wot_rmtree(p) : remove(p)) != 0)
			wot_log(WOT_LOG_WARNING, "sync", "%s: not removed", p);
		free(p);
	}
	free(rel);
	wot_error_clear();
}

static int unfollow_locked(wot_home *h, wot_trust *t, const char *name)
{
	wot_source *s = NULL;
	size_t n = 0, i;
	int rc = wot_sources_load_one(h, name, &s, &n, &i);

	if (rc < 0)
		return rc;
	if ((rc = ignored_add(h, &s[i])) < 0)
		goto out;
	wot_source gone = s[i];
	memmove(&s[i], &s[i + 1], (n - i - 1) * sizeof(*s));
	s[n - 1] = gone; /* still freed below */
	if ((rc = wot_sources_save(h, s, n - 1)) < 0)
		goto out;
	wot_source_files_remove(h, name);
	rc = wot_sync_recompute_locked(h, t, NULL);
out:
	wot_sources_free(s, n);
	return rc;
}

int wot_sync_unfollow(wot_home *h, wot_trust *t, const char *name)
{
	int lock = -1, rc = wot_home_lock(h, &lock);

	if (rc == 0)
		rc = unfollow_locked(h, t, name);
	wot_home_unlock(lock);
	return rc;
}
