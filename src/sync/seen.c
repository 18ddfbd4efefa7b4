/*
 * seen.c - the first sight of each name from each source (the "since" of
 * claims, so "first" survives restarts).
 *
 * Kept in the shards' history files (hist.c); this is the map in memory.
 * A home from before the shards had it in state/seen.json
 * ({SOURCE: {NAME: since}}, a million names at scale), read once with the
 * plain-JSON scanner (util/json_scan.c; jansson when the text is not
 * plain) when it is migrated.
 */
#include "sync/seen.h"
#include "sync/sync_int.h"

#include <jansson.h>
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

/* 1 when text was read as plain JSON, 0 when it needs jansson. */
static int from_plain(wot_seen *s, const char *text, size_t len)
{
	wot_jscan js = {text, text + len};
	char src[256], name[2048];
	int64_t since;

	if (wot_jscan_char(&js, '{'))
		return 0;
	while (wot_jscan_peek(&js) == '"') {
		seen_source *ss;
		if (wot_jscan_str(&js, src, sizeof(src)) ||
		    wot_jscan_char(&js, ':') || wot_jscan_char(&js, '{') ||
		    wot_map_get(s->sources, src) || !(ss = source_get(s, src)))
			return 0;
		while (wot_jscan_peek(&js) == '"') {
			if (wot_jscan_str(&js, name, sizeof(name)) ||
			    wot_jscan_char(&js, ':') ||
			    wot_jscan_int(&js, &since) ||
			    wot_map_get(ss->names, name) ||
			    put(s, ss, name, since) < 0)
				return 0;
			if (wot_jscan_peek(&js) == ',' &&
			    (wot_jscan_char(&js, ',') ||
			     wot_jscan_peek(&js) != '"'))
				return 0;
		}
		if (wot_jscan_char(&js, '}'))
			return 0;
		if (wot_jscan_peek(&js) == ',' &&
		    (wot_jscan_char(&js, ',') || wot_jscan_peek(&js) != '"'))
			return 0;
	}
	return wot_jscan_char(&js, '}') == 0 && wot_jscan_end(&js) == 0;
}

static int from_jansson(wot_seen *s, const char *text)
{
	json_t *root = json_loads(text, 0, NULL), *names, *v;
	const char *src, *name;
	int rc = 0;

	json_object_foreach(json_is_object(root) ? root : NULL, src, names)
	{
		seen_source *ss = source_get(s, src);
		if (!ss) {
			rc = -1;
			break;
		}
		json_object_foreach(
		    json_is_object(names) ? names : NULL, name,
		    v) if (put(s, ss, name, json_integer_value(v)) < 0)
		{
			rc = -1;
			break;
		}
	}
	json_decref(root);
	return rc;
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

int wot_seen_load(wot_home *h, wot_seen **out)
{
	char *p = wot_home_path(h, "state/seen.json"), *text = NULL;
	size_t len = 0;
	int rc = wot_seen_new(out);

	if (rc == 0 && p &&
	    wot_file_read(p, WOT_MAX_STATE_BYTES, &text, &len) == 0 &&
	    !from_plain(*out, text, len)) {
		/* Start again: the plain reader may have stopped midway. */
		wot_seen_free(*out);
		if ((rc = wot_seen_new(out)) == 0 &&
		    from_jansson(*out, text) < 0)
			rc = wot_error_set(WOT_ENOMEM, "out of memory");
	}
	wot_error_clear();
	free(text);
	free(p);
	if (rc < 0) {
		wot_seen_free(*out);
		*out = NULL;
	}
	return rc;
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
