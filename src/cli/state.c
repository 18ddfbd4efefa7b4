/* state.c - reading the accepted set files and source freshness. */
#include "cli/cli.h"
#include "cli/state.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

json_t *cli_load_accepted(int quiet)
{
	char *path = wot_path_join(cli_home, "state/accepted.json");
	char *text = NULL;
	json_t *j = NULL;
	json_error_t err;

	if (!path)
		return NULL;
	/* Every claim twice, about 700 bytes per record: 2 GiB is some
	 * three million records. */
	if (wot_file_read(path, 2u << 30, &text, NULL) < 0) {
		if (!quiet)
			cli_fail("no accepted record set yet (run 'wotdns "
				 "sync'): %s",
				 wot_error_last());
	} else if (!(j = json_loads(text, 0, &err))) {
		cli_fail("%s:%d: %s", path, err.line, err.text);
	}
	free(text);
	free(path);
	return j;
}

const char *cli_jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

char *cli_expired_sources(void)
{
	int64_t now = (int64_t)time(NULL);
	wot_buf b = WOT_BUF_INIT;
	wot_source *s = NULL;
	wot_home *h = NULL;
	size_t n = 0;

	if (wot_home_open(&h, cli_home) == 0 &&
	    wot_sources_load(h, &s, &n) == 0)
		for (size_t i = 0; i < n; i++) {
			wot_freshness f;
			wot_sync_freshness(h, s[i].name, now, &f);
			if (f.expired)
				wot_buf_printf(&b, "%s%s", b.len ? ", " : "",
					       s[i].name);
		}
	wot_error_clear();
	wot_sources_free(s, n);
	wot_home_free(h);
	return b.ptr;
}
