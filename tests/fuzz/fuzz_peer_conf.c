/*
 * fuzz_peer_conf.c - peer.conf as a followed source publishes it
 * (src/sync/source/peer_conf.c): read from every source's verified head.
 */
#include "fuzz.h"
#include "sync/sync.h"
#include "sync/source/source.h"
#include "util/util.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wot_peer_conf *p = NULL;
	int rc;

	fuzz_setup();
	rc = wot_peer_conf_parse((const char *)data, size, "peer.conf", &p);
	FUZZ_CHECK((rc == 0) == (p != NULL));
	/* the bounds peer.conf(5) promises hold for whatever was accepted,
	 * and every line of it was read whole (libinih splits long ones) */
	if (p) {
		char *text = fuzz_strndup(data, size);
		FUZZ_CHECK(text && !wot_text_long_line(text, WOT_INI_LINE_MAX));
		free(text);
		FUZZ_CHECK(p->nendpoints <= WOT_PEER_ENDPOINTS_MAX);
		for (size_t i = 0; i < p->nendpoints; i++)
			FUZZ_CHECK(wot_peer_endpoint_valid(p->endpoints[i]));
		FUZZ_CHECK(p->nsources <= WOT_PEER_SOURCES_MAX);
		for (size_t i = 0; i < p->nsources; i++) {
			size_t n = 0;
			FUZZ_CHECK(wot_source_name_valid(p->sources[i].name));
			for (; p->sources[i].urls[n]; n++)
				FUZZ_CHECK(strlen(p->sources[i].urls[n]) <=
					   WOT_PEER_URL_MAX);
			FUZZ_CHECK(n >= 1 && n <= WOT_PEER_URLS_MAX);
		}
	}
	wot_peer_conf_free(p);
	wot_error_clear();
	return 0;
}
