/*
 * limits_tally.c - the records of one source, zone file by zone file,
 * against [limits] rrset, name-records, names and source-records. publish
 * counts what it is given the same way sync counts what a source offers,
 * so with the same settings what one publishes its followers accept.
 *
 * Counts live in the map values themselves (no allocation per name).
 */
#include "sync/git/git.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wot_limits_tally {
	wot_limits lim;
	wot_map *names; /* lowercase owner -> records at it */
	wot_map *sets;	/* "owner type" -> records in the RRset */
	size_t records; /* of every file so far */
};

int wot_limits_tally_new(const wot_limits *lim, wot_limits_tally **out)
{
	wot_limits_tally *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t || wot_map_new(&t->names) < 0 || wot_map_new(&t->sets) < 0) {
		wot_limits_tally_free(t);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	t->lim = *lim;
	*out = t;
	return 0;
}

void wot_limits_tally_free(wot_limits_tally *t)
{
	if (!t)
		return;
	wot_map_free(t->names, NULL);
	wot_map_free(t->sets, NULL);
	free(t);
}

/* One more under key; returns the new count, 0 when out of memory. */
static size_t bump(wot_map *m, const char *key)
{
	uintptr_t n = (uintptr_t)wot_map_get(m, key) + 1;

	return wot_map_put(m, key, (void *)n, NULL) < 0 ? 0 : (size_t)n;
}

static int over(const char *label, size_t max, const char *what,
		const char *opt)
{
	return wot_error_set(WOT_ELIMIT,
			     "%s: more than %zu records %s "
			     "([limits] %s)",
			     label, max, what, opt);
}

static int add_one(wot_limits_tally *t, const char *label, const ldns_rr *rr)
{
	char *owner = ldns_rdf2str(ldns_rr_owner(rr)), key[1100], what[1100];
	size_t in_set, at_name;
	int fresh;

	if (!owner)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (char *p = owner; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	snprintf(key, sizeof(key), "%s %u", owner,
		 (unsigned)ldns_rr_get_type(rr));
	fresh = !wot_map_get(t->names, owner);
	in_set = bump(t->sets, key);
	at_name = bump(t->names, owner);
	free(owner);
	if (!in_set || !at_name)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if (t->lim.source_records && ++t->records > t->lim.source_records)
		return over(label, t->lim.source_records,
			    "in the source's zones", "source-records");
	if (t->lim.rrset && in_set > t->lim.rrset) {
		char *type = ldns_rr_type2str(ldns_rr_get_type(rr));
		snprintf(what, sizeof(what), "in the RRset %.*s %s",
			 (int)strcspn(key, " "), key, type ? type : "?");
		free(type);
		return over(label, t->lim.rrset, what, "rrset");
	}
	if (t->lim.name_records && at_name > t->lim.name_records) {
		snprintf(what, sizeof(what), "at %.*s", (int)strcspn(key, " "),
			 key);
		return over(label, t->lim.name_records, what, "name-records");
	}
	if (fresh && t->lim.names && wot_map_count(t->names) > t->lim.names)
		return wot_error_set(WOT_ELIMIT,
				     "more than %zu distinct names in the "
				     "source's zones ([limits] names)",
				     t->lim.names);
	return 0;
}

int wot_limits_tally_add(wot_limits_tally *t, const char *label,
			 const ldns_rr_list *rrs)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < ldns_rr_list_rr_count(rrs); i++)
		rc = add_one(t, label, ldns_rr_list_rr(rrs, i));
	return rc;
}
