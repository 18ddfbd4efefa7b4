/*
 * fuzz_zone.c - zone files as a source publishes them (src/sync/zone/zone.c):
 * what `publish` checks and what `sync` parses from every followed
 * repository. The text is the input as is.
 */
#include "fuzz.h"
#include "sync/sync.h"
#include "sync/zone/zone.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	ldns_rr_list *rrs = NULL;
	size_t count = 0;
	int rc;

	fuzz_setup();
	rc = wot_zone_parse_max(text, size, "zones/f.zone", 64, &rrs);
	FUZZ_CHECK((rc == 0) == (rrs != NULL));
	if (rc == 0) {
		FUZZ_CHECK(ldns_rr_list_rr_count(rrs) > 0);
		FUZZ_CHECK(ldns_rr_list_rr_count(rrs) <= 64);
		/* every record must print again (publish and the shards do) */
		for (size_t i = 0; i < ldns_rr_list_rr_count(rrs); i++) {
			char *s = ldns_rr2str(ldns_rr_list_rr(rrs, i));
			FUZZ_CHECK(s != NULL);
			LDNS_FREE(s);
		}
	}
	ldns_rr_list_deep_free(rrs);
	rc = wot_zone_check(text, size, "zones/f.zone", &count);
	FUZZ_CHECK(rc <= 0);
	FUZZ_CHECK(rc < 0 || count > 0);
	wot_error_clear();
	return 0;
}
