/* owners.c - name ownership history (first valid claim wins). */
#include "trust/trust.h"
#include "util/util.h"

#include <jansson.h>
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

int wot_owners_to_json(const wot_owners *o, char **json)
{
	json_t *root = json_object(), *names = json_object();
	const char *key;
	void *val;
	size_t pos = 0;

	*json = NULL;
	if (!root || !names)
		goto nomem;
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "names", names);
	while (wot_map_next(o->names, &pos, &key, &val)) {
		owner_entry *e = val;
		json_object_set_new(names, key,
				    json_pack("{s:s,s:I}", "fpr", e->fpr,
					      "since", (json_int_t)e->since));
	}
	*json = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(root);
	return *json ? 0 : wot_error_set(WOT_ENOMEM, "out of memory");
nomem:
	json_decref(root);
	json_decref(names);
	return wot_error_set(WOT_ENOMEM, "out of memory");
}

int wot_owners_from_json(wot_owners **out, const char *json)
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
