/* status_file.c - per-source status files in state/status/. */
#include "sync/home/home.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *status_path(const wot_home *h, const char *name)
{
	return wot_state_source_path(h, WOT_STATE_STATUS, name);
}

int wot_status_write(const wot_home *h, const char *name, const char *head,
		     const char *error)
{
	char *path = status_path(h, name), *old = NULL, *text = NULL;
	json_t *o = NULL;
	time_t now = time(NULL);
	int rc;

	if (path && wot_file_read(path, 1 << 20, &old, NULL) == 0)
		o = json_loads(old, 0, NULL);
	if (!o || !json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "verified", json_string(head ? head : ""));
	json_object_set_new(o, "last_fetch", json_integer(now));
	if (error) {
		json_object_set_new(o, "last_error", json_string(error));
		json_object_set_new(o, "last_error_time", json_integer(now));
	} else {
		json_object_set_new(o, "last_ok", json_integer(now));
		json_object_del(o, "last_error");
	}
	text = json_dumps(o, JSON_SORT_KEYS);
	/* Rewritten at every sync of every source: two fsyncs each were
	 * most of a no-change sync of a thousand sources. */
	rc = text && path ? wot_file_write_nosync(path, text, strlen(text))
			  : wot_error_set(WOT_ENOMEM, "out of memory");
	wot_error_clear();
	free(text);
	free(old);
	free(path);
	json_decref(o);
	return rc;
}

int wot_sync_status_json(const wot_home *h, const char *name, char **json)
{
	char *path = status_path(h, name);
	int rc = path ? wot_file_read(path, 1 << 20, json, NULL) : WOT_ENOMEM;

	free(path);
	return rc;
}
