/* zone.h - zone text to ldns records (sync internal). */
#ifndef WOT_SYNC_ZONE_H
#define WOT_SYNC_ZONE_H

#include <ldns/ldns.h>

#include "sync/sync.h"

/* Built-in maximum of records in one zone file, whatever the config. */
#define WOT_MAX_ZONE_RECORDS 1000000

/*
 * wot_zone_parse stopping with WOT_ELIMIT ("label: more than N records")
 * after max records (0: WOT_MAX_ZONE_RECORDS), so a huge zone is not
 * parsed to its end. *out as for wot_zone_parse.
 */
int wot_zone_parse_max(const char *text, size_t len, const char *label,
		       size_t max, ldns_rr_list **out);

#endif
