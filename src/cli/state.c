/* state.c - reading the accepted set files. */
#include "cli/cli.h"
#include "cli/state.h"

#include <stdlib.h>

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
