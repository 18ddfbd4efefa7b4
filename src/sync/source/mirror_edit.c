/*
 * mirror_edit.c - give a followed source a further URL of its history, or
 * take one away (wotdns sources mirror add|remove). The primary URL stays:
 * changing it is unfollow and follow, which pins the owner again.
 */
#include "sync/source/source.h"

#include <stdlib.h>
#include <string.h>

#define MIRRORS_MAX 8 /* as many as 'wotdns follow --mirror' takes */

static size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static int add_one(wot_source *s, const char *url)
{
	size_t n = strv_len(s->mirrors);
	char **nv;

	if (wot_source_has_url(s, url))
		return wot_error_set(WOT_EEXIST, "%s is already a URL of '%s'",
				     url, s->name);
	if (n >= MIRRORS_MAX)
		return wot_error_set(WOT_ELIMIT, "'%s' has %d mirrors already",
				     s->name, MIRRORS_MAX);
	if (!(nv = realloc(s->mirrors, (n + 2) * sizeof(*nv))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	s->mirrors = nv;
	if (!(nv[n] = strdup(url)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	nv[n + 1] = NULL;
	return 0;
}

static int remove_one(wot_source *s, const char *url)
{
	size_t n = strv_len(s->mirrors), i;

	if (!strcmp(s->url, url))
		return wot_error_set(WOT_EINVAL,
				     "%s is the primary URL of '%s', not a "
				     "mirror (to change it: unfollow, then "
				     "follow)",
				     url, s->name);
	for (i = 0; i < n && strcmp(s->mirrors[i], url); i++)
		;
	if (i == n)
		return wot_error_set(WOT_ENOENT, "%s is no mirror of '%s'", url,
				     s->name);
	free(s->mirrors[i]);
	memmove(&s->mirrors[i], &s->mirrors[i + 1],
		(n - i) * sizeof(*s->mirrors)); /* the NULL moves too */
	return 0;
}

static int edit_locked(wot_home *h, const char *name, const char *url, int add)
{
	wot_source *s = NULL;
	size_t n = 0, i;
	int rc = wot_sources_load_one(h, name, &s, &n, &i);

	if (rc < 0)
		return rc;
	rc = add ? add_one(&s[i], url) : remove_one(&s[i], url);
	if (rc == 0)
		rc = wot_sources_save(h, s, n);
	wot_sources_free(s, n);
	return rc;
}

int wot_sync_mirror_edit(wot_home *h, const char *name, const char *url,
			 int add)
{
	int lock = -1, rc = wot_home_lock(h, &lock);

	if (rc == 0)
		rc = edit_locked(h, name, url, add);
	wot_home_unlock(lock);
	return rc;
}
