/*
 * zone_rules.c - what RFC 1034, 1035 and 2181 forbid in a zone file but
 * ldns reads anyway. An unterminated quote or parenthesis makes ldns eat
 * the following lines into one record; CNAME beside other data, a second
 * CNAME, an RRset whose TTLs differ, a TTL over 2^31-1, two SOAs at one
 * name or, in a file with SOAs, a name under none of them parse fine
 * record by record. (A file may hold several zones, each with its SOA.) publish
 * and sync both refuse them (wot_zone_parse), so nothing invalid is served.
 */
#include "sync/zone/zone.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int text_error(const char *label, int line, const char *what, int other)
{
	if (other)
		return wot_error_set(WOT_ESYNTAX, "%s:%d: %s (line %d)", label,
				     line, what, other);
	return wot_error_set(WOT_ESYNTAX, "%s:%d: %s", label, line, what);
}

/* Index past a comment that starts at i: up to its newline. */
static size_t skip_comment(const char *text, size_t len, size_t i)
{
	while (i + 1 < len && text[i + 1] != '\n')
		i++;
	return i;
}

int wot_zone_check_text(const char *text, size_t len, const char *label)
{
	int line = 1, quote = 0, paren = 0;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '\\' && i + 1 < len) { /* escaped: never special */
			line += text[++i] == '\n';
			continue;
		}
		if (c == '\n')
			line++;
		if (quote) {
			/* A quoted string ends on its own line (BIND and NSD
			 * refuse one that does not). */
			if (c == '\n')
				return text_error(label, quote,
						  "unterminated quote", 0);
			quote = c == '"' ? 0 : quote;
		} else if (c == '"') {
			quote = line;
		} else if (c == ';') {
			i = skip_comment(text, len, i);
		} else if (c == '(' && paren) {
			return text_error(label, line,
					  "'(' inside parentheses opened on "
					  "line",
					  paren);
		} else if (c == '(') {
			paren = line;
		} else if (c == ')' && !paren) {
			return text_error(label, line, "')' without '('", 0);
		} else if (c == ')') {
			paren = 0;
		}
	}
	if (quote)
		return text_error(label, quote, "unterminated quote", 0);
	if (paren)
		return text_error(label, paren, "'(' never closed", 0);
	return 0;
}

/* What was seen at one owner name, and of one RRset. */
struct owner {
	int cname;   /* line of its CNAME, 0: none */
	int other;   /* line of its first other data, 0: none */
	uint16_t nt; /* types seen, as far as types[] holds them */
	struct {
		uint16_t type;
		uint32_t ttl;
		int line;
	} types[8];
	struct owner *more; /* the next eight types */
};

struct rules {
	const char *label;
	wot_map *owners; /* lowercase owner text -> struct owner */
	wot_map *apexes; /* lowercase SOA owner text -> its line */
};

static void owner_free(void *p)
{
	struct owner *o = p;

	while (o) {
		struct owner *next = o->more;
		free(o);
		o = next;
	}
}

static int get_owner(struct rules *r, const ldns_rr *rr, char **key,
		     struct owner **out)
{
	char *s = ldns_rdf2str(ldns_rr_owner(rr));

	*key = s;
	if (!s)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((*out = wot_map_get(r->owners, s)))
		return 0;
	if (!(*out = calloc(1, sizeof(**out))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if (wot_map_put(r->owners, s, *out, NULL) < 0) {
		free(*out);
		*out = NULL;
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	return 0;
}

/* RFC 2181 §5.2: the records of one RRset have one TTL. Refused rather
 * than normalised: the publisher sees which TTL it meant to change. */
static int same_ttl(struct rules *r, struct owner *o, const ldns_rr *rr,
		    int line)
{
	uint16_t type = (uint16_t)ldns_rr_get_type(rr);
	uint32_t ttl = ldns_rr_ttl(rr);

	for (;; o = o->more) {
		for (uint16_t i = 0; i < o->nt; i++) {
			if (o->types[i].type != type)
				continue;
			if (o->types[i].ttl == ttl)
				return 0;
			return wot_error_set(
			    WOT_ESYNTAX,
			    "%s:%d: TTL %u differs from TTL %u of the same "
			    "RRset on line %d (RFC 2181 section 5.2)",
			    r->label, line, ttl, o->types[i].ttl,
			    o->types[i].line);
		}
		if (o->nt < 8) {
			o->types[o->nt].type = type;
			o->types[o->nt].ttl = ttl;
			o->types[o->nt++].line = line;
			return 0;
		}
		if (!o->more && !(o->more = calloc(1, sizeof(*o))))
			return wot_error_set(WOT_ENOMEM, "out of memory");
	}
}

/* RRSIG and NSEC may stand beside a CNAME (RFC 2181 §10.1, RFC 4035). */
static int is_cname_companion(ldns_rr_type t)
{
	return t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC;
}

static int check_cname(struct rules *r, struct owner *o, const char *name,
		       ldns_rr_type t, int line)
{
	if (t == LDNS_RR_TYPE_CNAME && o->cname)
		return wot_error_set(WOT_ESYNTAX,
				     "%s:%d: a second CNAME at %s (line %d; "
				     "RFC 2181 section 10.1)",
				     r->label, line, name, o->cname);
	if (t == LDNS_RR_TYPE_CNAME && o->other)
		return wot_error_set(WOT_ESYNTAX,
				     "%s:%d: CNAME beside other data at %s "
				     "(line %d; RFC 1034 section 3.6.2)",
				     r->label, line, name, o->other);
	if (t != LDNS_RR_TYPE_CNAME && !is_cname_companion(t) && o->cname)
		return wot_error_set(WOT_ESYNTAX,
				     "%s:%d: data beside the CNAME at %s "
				     "(line %d; RFC 1034 section 3.6.2)",
				     r->label, line, name, o->cname);
	if (t == LDNS_RR_TYPE_CNAME)
		o->cname = line;
	else if (!is_cname_companion(t) && !o->other)
		o->other = line;
	return 0;
}

static int check_record(struct rules *r, const ldns_rr *rr, int line)
{
	ldns_rr_type t = ldns_rr_get_type(rr);
	struct owner *o = NULL;
	char *name = NULL;
	int rc;

	/* RFC 2181 §8: a TTL is 31 bits; larger ones mean nothing sane. */
	if (ldns_rr_ttl(rr) > INT32_MAX)
		return wot_error_set(WOT_ESYNTAX,
				     "%s:%d: TTL %u is over 2147483647 (RFC "
				     "2181 section 8)",
				     r->label, line, ldns_rr_ttl(rr));
	rc = get_owner(r, rr, &name, &o);
	if (rc == 0 && t == LDNS_RR_TYPE_SOA) {
		intptr_t first = (intptr_t)wot_map_get(r->apexes, name);
		if (first)
			rc = wot_error_set(WOT_ESYNTAX,
					   "%s:%d: a second SOA at %s (line "
					   "%d): a zone has one",
					   r->label, line, name, (int)first);
		else if (wot_map_put(r->apexes, name, (void *)(intptr_t)line,
				     NULL) < 0)
			rc = wot_error_set(WOT_ENOMEM, "out of memory");
	}
	if (rc == 0)
		rc = check_cname(r, o, name, t, line);
	if (rc == 0)
		rc = same_ttl(r, o, rr, line);
	free(name);
	return rc;
}

/* 1 if owner is at or under one of the file's apexes. By its ancestors
 * (at most 127), so a file of many SOAs costs no more per record. */
static int inside(const struct rules *r, const ldns_rdf *owner)
{
	ldns_rdf *d = ldns_rdf_clone(owner);
	int in = 0;

	while (d && !in) {
		char *s = ldns_rdf2str(d);
		ldns_rdf *up = ldns_dname_label_count(d) > 0
				   ? ldns_dname_left_chop(d)
				   : NULL;
		for (char *p = s; p && *p; p++)
			*p = (char)tolower((unsigned char)*p);
		in = s && wot_map_get(r->apexes, s) != NULL;
		free(s);
		ldns_rdf_deep_free(d);
		d = up;
	}
	ldns_rdf_deep_free(d);
	return in;
}

/* With SOAs, the file is those zones: every name at or below one. */
static int check_inside(struct rules *r, const ldns_rr_list *rrs,
			const int *lines)
{
	if (wot_map_count(r->apexes) == 0)
		return 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(rrs); i++) {
		const ldns_rdf *owner = ldns_rr_owner(ldns_rr_list_rr(rrs, i));
		char *s;
		int rc;
		if (inside(r, owner))
			continue;
		s = ldns_rdf2str(owner);
		rc = wot_error_set(WOT_ESYNTAX,
				   "%s:%d: %s is outside the zones of the "
				   "file's SOA records",
				   r->label, lines[i], s ? s : "?");
		free(s);
		return rc;
	}
	return 0;
}

int wot_zone_rules(const ldns_rr_list *rrs, const int *lines, const char *label)
{
	struct rules r = {label, NULL, NULL};
	int rc = wot_map_new(&r.owners);

	if (rc == 0)
		rc = wot_map_new(&r.apexes);
	for (size_t i = 0; rc == 0 && i < ldns_rr_list_rr_count(rrs); i++)
		rc = check_record(&r, ldns_rr_list_rr(rrs, i), lines[i]);
	if (rc == 0)
		rc = check_inside(&r, rrs, lines);
	wot_map_free(r.owners, owner_free);
	wot_map_free(r.apexes, NULL);
	return rc;
}
