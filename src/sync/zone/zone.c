/* zone.c - parsing zone files from memory with ldns. */
#include "sync/zone/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ldns counts the newline that ends a bad record; report the record's own
 * line. */
static int error_line(FILE *fp, const char *text, size_t len, int line)
{
	long pos = ftell(fp);

	if (line > 1 && pos > 0 && (size_t)pos <= len && text[pos - 1] == '\n')
		return line - 1;
	return line;
}

/* OPT, TKEY, TSIG, IXFR, AXFR, MAILB, MAILA, ANY: never zone data (the
 * resolver's table refuses them too). */
static int is_meta(ldns_rr_type t)
{
	return t == 0 || t == LDNS_RR_TYPE_OPT || (t >= 249 && t <= 255);
}

/*
 * Record by record rather than ldns_zone_new_frm_fp_l: ldns 1.8.3 leaks the
 * records read before a syntax error, and $INCLUDE must be refused (a
 * hostile zone would read local files).
 */
/* The records read so far and the line of each. */
struct parsed {
	ldns_rr_list *all;
	int *lines;
	size_t cap;
};

static int push(struct parsed *p, ldns_rr *rr, int line)
{
	size_t n = ldns_rr_list_rr_count(p->all);

	if (n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		int *l = realloc(p->lines, cap * sizeof(*l));
		if (!l)
			return wot_error_set(WOT_ENOMEM, "out of memory");
		p->lines = l;
		p->cap = cap;
	}
	if (!ldns_rr_list_push_rr(p->all, rr))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	p->lines[n] = line;
	return 0;
}

static int parse_records(FILE *fp, const char *text, size_t len,
			 const char *label, size_t max, struct parsed *p)
{
	ldns_rdf *origin = NULL, *prev = NULL;
	uint32_t ttl = 3600;
	int line = 1, rc = 0;

	while (rc == 0 && !feof(fp)) {
		ldns_rr *rr = NULL;
		ldns_status st =
		    ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_OK) {
			if (is_meta(ldns_rr_get_type(rr)))
				rc = wot_error_set(
				    WOT_ESYNTAX,
				    "%s:%d: type %u is not data (meta or "
				    "query type)",
				    label, error_line(fp, text, len, line),
				    (unsigned)ldns_rr_get_type(rr));
			else if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
				rc = wot_error_set(
				    WOT_ESYNTAX,
				    "%s:%d: only class IN is "
				    "supported",
				    label, error_line(fp, text, len, line));
			if (rc == 0 && ldns_rr_list_rr_count(p->all) >= max)
				rc = wot_error_set(WOT_ELIMIT,
						   "%s: more than %zu records",
						   label, max);
			if (rc == 0)
				rc = push(p, rr,
					  error_line(fp, text, len, line));
			if (rc < 0) {
				ldns_rr_free(rr);
				break;
			}
		} else if (st == LDNS_STATUS_SYNTAX_INCLUDE) {
			rc = wot_error_set(
			    WOT_ESYNTAX, "%s:%d: $INCLUDE is not allowed",
			    label, error_line(fp, text, len, line));
		} else if (st != LDNS_STATUS_SYNTAX_EMPTY &&
			   st != LDNS_STATUS_SYNTAX_TTL &&
			   st != LDNS_STATUS_SYNTAX_ORIGIN) {
			rc = wot_error_set(WOT_ESYNTAX, "%s:%d: %s", label,
					   error_line(fp, text, len, line),
					   ldns_get_errorstr_by_id(st));
		}
	}
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return rc;
}

int wot_zone_parse(const char *text, size_t len, const char *label,
		   ldns_rr_list **out)
{
	return wot_zone_parse_max(text, len, label, 0, out);
}

int wot_zone_parse_max(const char *text, size_t len, const char *label,
		       size_t max, ldns_rr_list **out)
{
	int *lines = NULL;
	int rc = wot_zone_read(text, len, label, max, out, &lines);

	if (rc == 0 && (rc = wot_zone_rules(*out, lines, label)) < 0) {
		ldns_rr_list_deep_free(*out);
		*out = NULL;
	}
	free(lines);
	return rc;
}

int wot_zone_read(const char *text, size_t len, const char *label, size_t max,
		  ldns_rr_list **out, int **lines)
{
	struct parsed p = {NULL, NULL, 0};
	FILE *fp = NULL;
	int rc;

	*out = NULL;
	*lines = NULL;
	if (len == 0)
		return wot_error_set(WOT_ESYNTAX, "%s: empty zone file", label);
	if (memchr(text, '\0', len))
		return wot_error_set(WOT_ESYNTAX,
				     "%s: binary data in zone file", label);
	if ((rc = wot_zone_check_text(text, len, label)) < 0)
		return rc;
	fp = fmemopen((void *)text, len, "r");
	p.all = ldns_rr_list_new();
	if (!fp || !p.all) {
		rc = wot_error_set(WOT_ENOMEM, "%s: cannot read", label);
		goto out;
	}
	if (max == 0 || max > WOT_MAX_ZONE_RECORDS)
		max = WOT_MAX_ZONE_RECORDS;
	rc = parse_records(fp, text, len, label, max, &p);
	if (rc == 0 && ldns_rr_list_rr_count(p.all) == 0)
		rc = wot_error_set(WOT_ESYNTAX, "%s: no records", label);
	if (rc == 0) {
		*out = p.all;
		*lines = p.lines;
		p.all = NULL;
		p.lines = NULL;
	}
out:
	if (fp)
		fclose(fp);
	ldns_rr_list_deep_free(p.all);
	free(p.lines);
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
