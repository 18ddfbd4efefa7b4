/*
 * zonefile.c - load a master file into a table with ldns, one record at a
 * time so several zones (several SOAs) may share one file and every error
 * names its line.
 */
#include "dns/resolver/resolver_int.h"
#include "util/util.h"

#include <errno.h>
#include <stdio.h>
#include <malloc.h>
#include <string.h>

enum { ZONEFILE_DEFAULT_TTL = 3600 };

/* The caller's filter, if any. */
typedef struct {
	wot_dns_rr_skip_fn fn;
	void *data;
} skip_t;

/* Feed every record of fp into t; on error *line is the failing line. */
static int load_records(wot_dns_table *t, FILE *fp, const char *path,
			const skip_t *skip)
{
	uint32_t ttl = ZONEFILE_DEFAULT_TTL;
	ldns_rdf *origin = NULL, *prev = NULL;
	ldns_rr *rr = NULL;
	ldns_status st;
	int line = 1, rc = 0;

	/* Relative names in a file without $ORIGIN become absolute. */
	origin = ldns_dname_new_frm_str(".");
	prev = ldns_dname_new_frm_str(".");
	if (!origin || !prev) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	while (!feof(fp)) {
		int start = line;
		st = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (st != LDNS_STATUS_OK) {
			/* ldns has already counted the newline of a bad line.
			 */
			rc = wot_error_set(WOT_ESYNTAX, "%s:%d: %s", path,
					   line > start ? line - 1 : line,
					   ldns_get_errorstr_by_id(st));
			goto out;
		}
		/* e.g. the daemon's withdrawn RRsets, until they settle */
		rc = skip->fn && skip->fn(skip->data, rr)
			 ? 0
			 : wot_dns_table_add(t, rr);
		ldns_rr_free(rr);
		rr = NULL;
		if (rc < 0) {
			rc = wot_error_wrap(WOT_ESYNTAX, "%s:%d", path,
					    line > start ? line - 1 : line);
			goto out;
		}
	}
out:
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return rc;
}

int wot_dns_table_load_into(wot_dns_table *t, const char *path)
{
	return wot_dns_table_load_filtered(t, path, NULL, NULL);
}

int wot_dns_table_load_filtered(wot_dns_table *t, const char *path,
				wot_dns_rr_skip_fn fn, void *data)
{
	FILE *fp = fopen(path, "re");
	skip_t skip = {fn, data};
	int rc;

	if (!fp)
		return wot_error_set(errno == ENOENT ? WOT_ENOENT : WOT_EIO,
				     "%s: %s", path, strerror(errno));
	rc = load_records(t, fp, path, &skip);
	if (rc == 0 && ferror(fp))
		rc = wot_error_set(WOT_EIO, "%s: read error", path);
	fclose(fp);
	return rc;
}

int wot_dns_table_load_file(wot_dns_table **out, const char *path)
{
	wot_dns_table *t = NULL;
	int rc;

	*out = NULL;
	if ((rc = wot_dns_table_new(&t)) < 0)
		return rc;
	rc = wot_dns_table_load_into(t, path);
	if (rc == 0)
		rc = wot_dns_table_seal(t);
	/* Parsing left the heap full of freed ldns objects: give the
	 * pages back, a daemon keeps running for months. */
	malloc_trim(0);
	if (rc < 0) {
		wot_dns_table_free(t);
		return rc;
	}
	*out = t;
	return 0;
}
