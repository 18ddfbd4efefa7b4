/* owners.c - name ownership history (first valid claim wins). */
#include "trust/trust.h"
#include "util/util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	char fpr[WOT_FPR_MAX];
	int64_t since;
} owner_entry;

struct wot_owners {
	wot_map *names;
};

int wot_owners_new(wot_owners **out)
{
	wot_owners *o = calloc(1, sizeof(*o));
	int rc;

	*out = NULL;
	if (!o)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if ((rc = wot_map_new(&o->names)) < 0) {
		free(o);
		return rc;
	}
	*out = o;
	return 0;
}

void wot_owners_free(wot_owners *o)
{
	if (!o)
		return;
	wot_map_free(o->names, free);
	free(o);
}

const char *wot_owners_get(const wot_owners *o, const char *name)
{
	owner_entry *e = wot_map_get(o->names, name);
	return e ? e->fpr : NULL;
}

int64_t wot_owners_since(const wot_owners *o, const char *name)
{
	owner_entry *e = wot_map_get(o->names, name);
	return e ? e->since : 0;
}

int wot_owners_set(wot_owners *o, const char *name, const char *fpr,
		   int64_t since)
{
	owner_entry *e = calloc(1, sizeof(*e));
	void *old = NULL;
	int rc;

	if (!e)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	snprintf(e->fpr, sizeof(e->fpr), "%s", fpr);
	e->since = since;
	rc = wot_map_put(o->names, name, e, &old);
	free(rc < 0 ? (void *)e : old);
	return rc;
}

static int owners_from_jansson(wot_owners **out, const char *json);

/* {"names":{NAME:{"fpr":FPR,"since":N},...},"version":1} as wotdns
 * printed it before the sharded history: 1 when read, 0 when the text
 * needs jansson, <0 on error. */
static int from_plain(wot_owners *o, const char *json)
{
	wot_jscan s = {json, json + strlen(json)};
	char name[2048], fpr[WOT_FPR_MAX + 1], key[16];
	int64_t since = 0, version = 0;
	int rc;

	if (wot_jscan_char(&s, '{') || wot_jscan_str(&s, key, sizeof(key)) ||
	    strcmp(key, "names") || wot_jscan_char(&s, ':') ||
	    wot_jscan_char(&s, '{'))
		return 0;
	while (wot_jscan_peek(&s) == '"') {
		if (wot_jscan_str(&s, name, sizeof(name)) ||
		    wot_jscan_char(&s, ':') || wot_jscan_char(&s, '{') ||
		    wot_jscan_str(&s, key, sizeof(key)) || strcmp(key, "fpr") ||
		    wot_jscan_char(&s, ':') ||
		    wot_jscan_str(&s, fpr, sizeof(fpr)) ||
		    wot_jscan_char(&s, ',') ||
		    wot_jscan_str(&s, key, sizeof(key)) ||
		    strcmp(key, "since") || wot_jscan_char(&s, ':') ||
		    wot_jscan_int(&s, &since) || wot_jscan_char(&s, '}') ||
		    wot_owners_get(o, name)) /* a repeated name: jansson's */
			return 0;
		if (!wot_fpr_valid(fpr))
			return wot_error_set(WOT_ESYNTAX, "bad owner for %s",
					     name);
		if ((rc = wot_owners_set(o, name, fpr, since)) < 0)
			return rc;
		if (wot_jscan_peek(&s) == ',' &&
		    (wot_jscan_char(&s, ',') || wot_jscan_peek(&s) != '"'))
			return 0;
	}
	if (wot_jscan_char(&s, '}') || wot_jscan_char(&s, ',') ||
	    wot_jscan_str(&s, key, sizeof(key)) || strcmp(key, "version") ||
	    wot_jscan_char(&s, ':') || wot_jscan_int(&s, &version) ||
	    wot_jscan_char(&s, '}') || wot_jscan_end(&s))
		return 0;
	return 1;
}

int wot_owners_from_json(wot_owners **out, const char *json)
{
	int plain;

	*out = NULL;
	if ((plain = wot_owners_new(out)) < 0)
		return plain;
	if ((plain = from_plain(*out, json)) == 1)
		return 0;
	wot_owners_free(*out);
	*out = NULL;
	return plain < 0 ? plain : owners_from_jansson(out, json);
}

static int owners_from_jansson(wot_owners **out, const char *json)
{
	json_error_t jerr;
	json_t *root = json_loads(json, 0, &jerr), *names, *val;
	wot_owners *o = NULL;
	const char *key;
	int rc;

	*out = NULL;
	if (!root)
		return wot_error_set(WOT_ESYNTAX, "line %d: %s", jerr.line,
				     jerr.text);
	if ((rc = wot_owners_new(&o)) < 0)
		goto out;
	names = json_object_get(root, "names");
	json_object_foreach(names, key, val)
	{
		const char *fpr =
		    json_string_value(json_object_get(val, "fpr"));
		json_int_t since =
		    json_integer_value(json_object_get(val, "since"));
		if (!fpr || !wot_fpr_valid(fpr)) {
			rc =
			    wot_error_set(WOT_ESYNTAX, "bad owner for %s", key);
			goto out;
		}
		if ((rc = wot_owners_set(o, key, fpr, since)) < 0)
			goto out;
	}
	*out = o;
	o = NULL;
out:
	wot_owners_free(o);
	json_decref(root);
	return rc;
}

int wot_owners_each(const wot_owners *o, wot_owners_fn fn, void *ctx)
{
	const char *key;
	void *val;
	size_t pos = 0;
	int rc = 0;

	while (rc == 0 && wot_map_next(o->names, &pos, &key, &val)) {
		const owner_entry *e = val;
		rc = fn(key, e->fpr, e->since, ctx);
	}
	return rc;
}
