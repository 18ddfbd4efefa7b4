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

/*
 * wot_zone_parse_max without wot_zone_rules: the records (*out) and the
 * line of each (*lines, freed by the caller), for publish, which reports
 * a reserved name before the rules (a zone at a reserved apex is the
 * mistake, not the names beside it).
 */
int wot_zone_read(const char *text, size_t len, const char *label, size_t max,
		  ldns_rr_list **out, int **lines);

/*
 * What RFC 1034/1035/2181 forbid and ldns reads anyway (zone_rules.c),
 * each WOT_ESYNTAX naming "label:line". wot_zone_check_text: quotes that
 * do not end on their line, parentheses that do not balance or nest.
 * wot_zone_rules, on the parsed records (lines[i] the line of record i):
 * CNAME beside other data (RRSIG and NSEC aside) or a second CNAME at a
 * name, an RRset whose TTLs differ, a TTL over 2^31-1, a second SOA, a
 * name outside the SOA's zone. wot_zone_parse applies both.
 */
int wot_zone_check_text(const char *text, size_t len, const char *label);
int wot_zone_rules(const ldns_rr_list *rrs, const int *lines,
		   const char *label);

#endif
