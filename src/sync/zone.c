/* zone.c - parsing zone files from memory with ldns. */
#include "sync/sync_int.h"
#include "sync/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WOT_MAX_ZONE_RECORDS 1000000

int wot_zone_parse(const char *text, size_t len, const char *label,
		   ldns_rr_list **out)
{
	ldns_zone *z = NULL;
	ldns_status st;
	ldns_rr_list *all = NULL;
	int line = 1, rc = 0;
	FILE *fp;

	*out = NULL;
	if (len == 0)
		return wot_error_set(WOT_ESYNTAX, "%s: empty zone file", label);
	if (memchr(text, '\0', len))
		return wot_error_set(WOT_ESYNTAX, "%s: binary data in zone file",
				     label);
	fp = fmemopen((void *)text, len, "r");
	if (!fp)
		return wot_error_set(WOT_ENOMEM, "%s: cannot read", label);
	st = ldns_zone_new_frm_fp_l(&z, fp, NULL, 3600, LDNS_RR_CLASS_IN,
				    &line);
	/* ldns counts the newline that ends the bad record; report the line
	 * the record is on. */
	if (st != LDNS_STATUS_OK && line > 1) {
		long pos = ftell(fp);
		if (pos > 0 && (size_t)pos <= len && text[pos - 1] == '\n')
			line--;
	}
	fclose(fp);
	if (st != LDNS_STATUS_OK)
		return wot_error_set(WOT_ESYNTAX, "%s:%d: %s", label, line,
				     ldns_get_errorstr_by_id(st));
	all = ldns_rr_list_new();
	if (!all) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	if (ldns_zone_soa(z))
		ldns_rr_list_push_rr(all, ldns_rr_clone(ldns_zone_soa(z)));
	for (size_t i = 0; i < ldns_zone_rr_count(z); i++)
		ldns_rr_list_push_rr(
			all, ldns_rr_clone(ldns_rr_list_rr(ldns_zone_rrs(z), i)));
	if (ldns_rr_list_rr_count(all) == 0)
		rc = wot_error_set(WOT_ESYNTAX, "%s: no records", label);
	else if (ldns_rr_list_rr_count(all) > WOT_MAX_ZONE_RECORDS)
		rc = wot_error_set(WOT_ELIMIT, "%s: more than %d records",
				   label, WOT_MAX_ZONE_RECORDS);
	for (size_t i = 0; rc == 0 && i < ldns_rr_list_rr_count(all); i++) {
		ldns_rr *rr = ldns_rr_list_rr(all, i);
		if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
			rc = wot_error_set(WOT_ESYNTAX,
					   "%s: only class IN is supported",
					   label);
	}
	if (rc == 0) {
		*out = all;
		all = NULL;
	}
out:
	ldns_rr_list_deep_free(all);
	ldns_zone_deep_free(z);
	return rc;
}

int wot_zone_check(const char *text, size_t len, const char *label,
		   size_t *count)
{
	ldns_rr_list *rrs = NULL;
	int rc = wot_zone_parse(text, len, label, &rrs);

	if (rc == 0 && count)
		*count = ldns_rr_list_rr_count(rrs);
	ldns_rr_list_deep_free(rrs);
	return rc;
}
