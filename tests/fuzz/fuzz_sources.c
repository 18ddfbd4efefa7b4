/*
 * fuzz_sources.c - HOME/sources.conf (src/sync/home/home.c), the followed
 * sources, read by sync, serve and most commands. wot_sources_load only
 * takes a home, so the input is written to a scratch home's sources.conf.
 */
#include "fuzz.h"
#include "sync/sync.h"
#include "sync/home/home.h"
#include "util/util.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wot_source *s = NULL;
	size_t n = 0;
	int rc;
	wot_home *home = fuzz_home();

	fuzz_write("sources.conf", data, size);
	rc = wot_sources_load(home, &s, &n);
	FUZZ_CHECK((rc == 0) == (s != NULL));
	if (rc == 0) {
		/* every line was read whole (libinih splits long ones) */
		char *text = fuzz_strndup(data, size);
		FUZZ_CHECK(text && !wot_text_long_line(text, WOT_INI_LINE_MAX));
		free(text);
		/* self first, then only valid, distinct names with a url */
		FUZZ_CHECK(n >= 1 && !strcmp(s[0].name, WOT_SELF));
		for (size_t i = 1; i < n; i++) {
			FUZZ_CHECK(wot_source_name_valid(s[i].name));
			FUZZ_CHECK(strcmp(s[i].name, WOT_SELF) != 0);
			FUZZ_CHECK(s[i].url != NULL);
			for (size_t j = 1; j < i; j++)
				FUZZ_CHECK(strcmp(s[i].name, s[j].name));
		}
	}
	wot_sources_free(s, n);
	wot_error_clear();
	return 0;
}
