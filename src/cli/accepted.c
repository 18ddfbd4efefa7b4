/* accepted.c - the accepted set explained, through sync.h, as the JSON
 * documents resolve, status and conflicts print from. */
#include "cli/cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* The document read: errors printed unless quiet and there is simply no
 * home or no accepted set yet. */
static json_t *load_doc(const char *name, int quiet)
{
	wot_home *h = NULL;
	json_t *doc = NULL;
	json_error_t err;
	char *text = NULL;
	int rc = cli_home_open(&h);

	if (rc < 0) { /* the home itself: its own message */
		if (!quiet || rc != WOT_ENOENT)
			cli_fail_last(NULL);
		return NULL;
	}
	rc = name ? wot_accepted_explain_name(h, name, &text)
		  : wot_accepted_explain_rejected(h, &text);
	if (rc == WOT_ENOENT) {
		if (!quiet)
			cli_fail("no accepted record set yet (run 'wotdns "
				 "sync'): %s",
				 wot_error_last());
	} else if (rc < 0) {
		cli_fail_last(NULL);
	} else if (!(doc = json_loads(text, 0, &err))) {
		cli_fail("accepted set: %s", err.text);
	}
	free(text);
	wot_home_free(h);
	return doc;
}

json_t *cli_load_accepted_for(const char *name, int quiet)
{
	return load_doc(name, quiet);
}

json_t *cli_load_rejected(int quiet)
{
	return load_doc(NULL, quiet);
}

const char *cli_jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

char *cli_expired_sources(void)
{
	wot_home *h = NULL;
	char *list = NULL;

	if (cli_home_open(&h) == 0)
		wot_sources_expired(h, (int64_t)time(NULL), &list);
	wot_error_clear();
	wot_home_free(h);
	return list;
}
