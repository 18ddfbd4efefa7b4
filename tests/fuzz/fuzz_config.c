/*
 * fuzz_config.c - HOME/config (src/sync/home/config.c), read by every command.
 * A config that parses is printed again (wot_config_format, as `init`
 * writes it) and must parse to the same text.
 */
#include "fuzz.h"
#include "sync/home/home.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wot_config cfg, again;
	char *text = fuzz_strndup(data, size), *out = NULL, *out2 = NULL;
	int level = 0;

	fuzz_setup();
	if (!text)
		return 0;
	if (wot_config_parse(&cfg, text, "config") == 0) {
		/* every line was read whole (libinih splits long ones) */
		FUZZ_CHECK(!wot_text_long_line(text, WOT_INI_LINE_MAX));
		out = wot_config_format(&cfg);
		FUZZ_CHECK(out != NULL);
		FUZZ_CHECK(wot_config_parse(&again, out, "formatted") == 0);
		out2 = wot_config_format(&again);
		FUZZ_CHECK(out2 && !strcmp(out, out2));
		wot_config_dispose(&again);
	}
	wot_config_dispose(&cfg);
	(void)wot_discovery_parse(text, &level);
	free(out);
	free(out2);
	free(text);
	wot_error_clear();
	return 0;
}
