/*
 * zone/zone.h - zone files inside the sync room (internal): parsing from
 * memory with ldns, the rules RFC 1034, 1035 and 2181 add, and the names
 * of the normal DNS no claim may take.
 */
#ifndef WOT_SYNC_ZONE_H
#define WOT_SYNC_ZONE_H

#include "sync/sync.h"
#include "util/util.h"

#include <ldns/ldns.h>

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

/*
 * Parse a master file from memory record by record (no $INCLUDE, class IN,
 * no meta types). *out (caller frees with ldns_rr_list_deep_free) holds
 * every record in file order. label names it in errors.
 */
int wot_zone_parse(const char *text, size_t len, const char *label,
		   ldns_rr_list **out);

/*
 * Check a zone file's text with ldns: *count gets the number of records.
 * label names it in errors ("zones/a.zone:3: ...").
 */
int wot_zone_check(const char *text, size_t len, const char *label,
		   size_t *count);

/* Why no claim on a name is ever served, whatever the trust policy. */
#define WOT_RESERVED_PREFIX "reserved name: "
#define WOT_RESERVED_ROOT WOT_RESERVED_PREFIX "the root of the DNS"
#define WOT_RESERVED_TLD WOT_RESERVED_PREFIX "a TLD of the normal DNS"
#define WOT_RESERVED_SUFFIX                                                    \
	WOT_RESERVED_PREFIX "a public suffix of the normal DNS"
#define WOT_RESERVED_ARPA                                                      \
	WOT_RESERVED_PREFIX "arpa and the reverse zones under it"
#define WOT_RESERVED_WILD_ROOT                                                 \
	WOT_RESERVED_PREFIX "a wildcard covering every name"
#define WOT_RESERVED_WILD_SUFFIX                                               \
	WOT_RESERVED_PREFIX "a wildcard covering a public suffix"
#define WOT_RESERVED_WILD_ONE                                                  \
	WOT_RESERVED_PREFIX "a wildcard directly under a name of one label"
/*
 * NULL if name (presentation form) may be claimed; else why not (one of
 * the static WOT_RESERVED_* texts): it is the root, a TLD, a public
 * suffix, arpa or under it, or a wildcard covering one of these or sitting
 * directly under a name of one label.
 */
const char *wot_tld_reserved(const wot_tlds *t, const char *name);
/* Append what the reserved names depend on (the rules' version, the
 * suffix list file's size and time) to b, for the recompute's inputs. */
int wot_tld_stamp(wot_buf *b);
/* WOT_EINVAL, "label:line: owner: why", at the first record of rrs (of
 * wot_zone_read, lines[i] the line of record i) whose owner is reserved;
 * 0 when none is. */
int wot_tld_check_zone(const wot_tlds *t, const ldns_rr_list *rrs,
		       const int *lines, const char *label);

#endif
