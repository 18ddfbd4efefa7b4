/*
 * seen.c - the first sight of each name from each source (the "since" of
 * claims, so "first" survives restarts).
 *
 * Kept in the shards' history files (shard_hist.c); this is the map in memory.
 */
#include "sync/accept/accept.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	wot_map *names; /* name -> index + 1 into wot_seen.since */
} seen_source;

struct wot_seen {
	wot_map *sources; /* name -> seen_source */
	int64_t *since;
	size_t n, cap;
};

static void source_free(void *p)
{
	seen_source *ss = p;

	if (ss)
		wot_map_free(ss->names, NULL);
	free(ss);
}

void wot_seen_free(wot_seen *s)
{
	if (!s)
		return;
	wot_map_free(s->sources, source_free);
	free(s->since);
	free(s);
}

static seen_source *source_get(wot_seen *s, const char *source)
{
	seen_source *ss = wot_map_get(s->sources, source);

	if (ss)
		return ss;
	ss = calloc(1, sizeof(*ss));
	if (!ss || wot_map_new(&ss->names) < 0 ||
	    wot_map_put(s->sources, source, ss, NULL) < 0) {
		source_free(ss);
		wot_error_set(WOT_ENOMEM, "out of memory");
		return NULL;
	}
	return ss;
}

/* Record (source, name) -> since, replacing an earlier value. */
static int put(wot_seen *s, seen_source *ss, const char *name, int64_t since)
{
	uintptr_t idx = (uintptr_t)wot_map_get(ss->names, name);

	if (idx) {
		s->since[idx - 1] = since;
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		int64_t *ns = realloc(s->since, cap * sizeof(*ns));
		if (!ns)
			return wot_error_set(WOT_ENOMEM, "out of memory");
		s->since = ns;
		s->cap = cap;
	}
	s->since[s->n++] = since;
	return wot_map_put(ss->names, name, (void *)(uintptr_t)s->n, NULL);
}

int wot_seen_since(wot_seen *s, const char *source, const char *name,
		   int64_t now, int64_t *since)
{
	seen_source *ss = source_get(s, source);
	uintptr_t idx = ss ? (uintptr_t)wot_map_get(ss->names, name) : 0;

	if (!ss)
		return -1;
	if (idx) {
		*since = s->since[idx - 1];
		return 0;
	}
	*since = now;
	return put(s, ss, name, now) < 0 ? -1 : 0;
}

int wot_seen_new(wot_seen **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out || wot_map_new(&(*out)->sources) < 0) {
		free(*out);
		*out = NULL;
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	return 0;
}

int wot_seen_put(wot_seen *s, const char *source, const char *name,
		 int64_t since)
{
	seen_source *ss = source_get(s, source);

	return ss ? put(s, ss, name, since) : WOT_ENOMEM;
}

int wot_seen_each(const wot_seen *s, wot_seen_fn fn, void *ctx)
{
	const char *src, *name;
	void *sv, *nv;
	size_t pos = 0;
	int rc = 0;

	while (rc == 0 && wot_map_next(s->sources, &pos, &src, &sv)) {
		const seen_source *ss = sv;
		size_t npos = 0;
		while (rc == 0 && wot_map_next(ss->names, &npos, &name, &nv))
			rc = fn(src, name, s->since[(uintptr_t)nv - 1], ctx);
	}
	return rc;
}
