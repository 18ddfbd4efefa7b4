/*
 * opinion_saved.c - reading back the checks the daemon saved in
 * state/opinions.json (opinion_daemon.c writes it), for `wotdns opinions`.
 */
#include "dns/peer/peer.h"
#include "util/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { OPINIONS_MAX_BYTES = 64 << 20 };

int wot_opinions_saved(wot_home *h, const char *name, uint16_t type,
		       char **json, size_t *count)
{
	char *path = wot_state_path(h, WOT_STATE_OPINIONS), *text = NULL;
	char *want = wot_strdup_printf(
	    "%s%s", name, *name && name[strlen(name) - 1] == '.' ? "" : ".");
	json_t *doc = NULL, *out = json_array(), *c;
	size_t i;
	int rc = 0;

	*json = NULL;
	*count = 0;
	if (!path || !want || !out) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	/* No file (or a broken one) holds no check: the daemon rewrites it. */
	if (wot_file_read(path, OPINIONS_MAX_BYTES, &text, NULL) == 0)
		doc = json_loads(text, 0, NULL);
	wot_error_clear();
	json_array_foreach(json_object_get(doc, "checks"), i, c)
	{
		const char *n = json_string_value(json_object_get(c, "name"));
		if (!n || strcasecmp(n, want) ||
		    (type &&
		     json_integer_value(json_object_get(c, "type")) != type))
			continue;
		if (json_array_append(out, c) < 0) {
			rc = wot_error_set(WOT_ENOMEM, "out of memory");
			goto out;
		}
	}
	*count = json_array_size(out);
	if (!(*json = json_dumps(out, JSON_INDENT(2))))
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
out:
	json_decref(out);
	json_decref(doc);
	free(text);
	free(path);
	free(want);
	return rc;
}
