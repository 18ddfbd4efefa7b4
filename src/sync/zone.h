/* zone.h - zone text to ldns records (sync internal). */
#ifndef WOT_SYNC_ZONE_H
#define WOT_SYNC_ZONE_H

#include <ldns/ldns.h>
#include <stddef.h>

/* Parse a master file from memory; *out (caller frees with
 * ldns_rr_list_deep_free) holds every record, SOA first if present. */
int wot_zone_parse(const char *text, size_t len, const char *label,
		   ldns_rr_list **out);

#endif
