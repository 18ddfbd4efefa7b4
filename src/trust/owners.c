/* owners.c - name ownership history (first valid claim wins). */
#include "trust/trust.h"
#include "util/util.h"

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
