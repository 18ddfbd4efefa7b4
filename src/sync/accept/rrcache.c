/*
 * rrcache.c - a source's records at its verified head, parsed once per
 * commit.
 *
 * Parsing every source's zones with ldns was a third of a recompute at a
 * million records, although only a changed source's zones differ. The
 * records the recompute needs (owner, type, master-file line) are kept in
 * state/cache/NAME.rr, named by the commit they came from, and read back
 * instead of the zones while the verified head stays on that commit. The
 * file is our own state, but it is still checked on read: a header for
 * another commit, a wrong count or a record cut short makes the zones be
 * parsed again, never an error.
 *
 * Layout: "wotdns rr cache 1 COMMIT COUNT\n", then per record
 * "TYPE OWNER\0LINE\0" (LINE as ldns_rr2str prints it, ending in '\n';
 * ldns escapes spaces and control characters in names and text, so
 * neither holds a NUL or, for the owner, a space). The same bytes are the
 * in-memory form, indexed in place.
 */
#include "sync/accept/accept.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RRCACHE_MAGIC "wotdns rr cache 1 "

void wot_src_rrs_dispose(wot_src_rrs *r)
{
	if (!r)
		return;
	free(r->rrs);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

/* One record at *p (below end): fills rr and moves *p past it. */
static int index_one(char **p, const char *end, wot_src_rr *rr)
{
	char *s = *p, *nul, *sp;
	unsigned long type;

	nul = memchr(s, '\0', (size_t)(end - s));
	sp = nul ? memchr(s, ' ', (size_t)(nul - s)) : NULL;
	if (!sp || !isdigit((unsigned char)*s))
		return -1;
	type = strtoul(s, NULL, 10);
	if (type == 0 || type > 65535 || sp + 1 == nul)
		return -1;
	rr->type = (uint16_t)type;
	rr->owner = sp + 1;
	s = nul + 1;
	nul = s < end ? memchr(s, '\0', (size_t)(end - s)) : NULL;
	if (!nul || nul == s || nul[-1] != '\n')
		return -1;
	rr->line = s;
	*p = nul + 1;
	return 0;
}

/* Index text (header included) for commit in place; -1 if it is not a
 * whole cache of that commit. */
static int index_text(wot_src_rrs *r, const char *commit)
{
	char *p = r->text, *end = r->text + r->len, *eol;
	size_t n = 0, clen = strlen(commit), ml = strlen(RRCACHE_MAGIC);
	char *stop = NULL;

	eol = memchr(p, '\n', r->len);
	if (!eol || (size_t)(eol - p) < ml + clen + 2 ||
	    memcmp(p, RRCACHE_MAGIC, ml) || memcmp(p + ml, commit, clen) ||
	    p[ml + clen] != ' ' || !isdigit((unsigned char)p[ml + clen + 1]))
		return -1;
	n = strtoul(p + ml + clen + 1, &stop, 10);
	if (stop != eol || n > WOT_MAX_ZONE_RECORDS * 16UL)
		return -1;
	r->rrs = calloc(n ? n : 1, sizeof(*r->rrs));
	if (!r->rrs)
		return -1;
	p = eol + 1;
	for (size_t i = 0; i < n; i++)
		if (p >= end || index_one(&p, end, &r->rrs[i]) < 0)
			return -1;
	if (p != end)
		return -1;
	r->n = n;
	return 0;
}

static char *cache_path(wot_home *h, const char *name)
{
	return wot_state_source_path(h, WOT_STATE_RRCACHE, name);
}

/* Zone records appended to a wot_buf in the cache layout. */
typedef struct {
	wot_buf b;
	size_t n;
} serializer;

static int put_rr(serializer *s, const ldns_rr *rr)
{
	char *owner = ldns_rdf2str(ldns_rr_owner(rr)), *line = ldns_rr2str(rr);
	size_t ll = line ? strlen(line) : 0;
	int rc = 0;

	if (!owner || !line)
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	for (char *p = owner; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	/* ldns never prints these; if it did, the record could not be read
	 * back, so refuse it here rather than write a cache that lies. */
	if (rc == 0 && (!owner[0] || strchr(owner, ' ') || ll == 0 ||
			line[ll - 1] != '\n'))
		rc = wot_error_set(WOT_ESYNTAX, "record %s does not print",
				   owner);
	if (rc == 0)
		rc =
		    wot_buf_printf(&s->b, "%u %s", ldns_rr_get_type(rr), owner);
	if (rc == 0)
		rc = wot_buf_put(&s->b, "", 1);
	if (rc == 0)
		rc = wot_buf_put(&s->b, line, ll + 1);
	s->n += rc == 0;
	free(owner);
	free(line);
	return rc;
}

static int serialize_zone(const char *path, const char *data, size_t len,
			  void *ctx)
{
	ldns_rr_list *rrs = NULL;
	int rc = wot_zone_parse(data, len, path, &rrs);

	for (size_t i = 0; rc == 0 && i < ldns_rr_list_rr_count(rrs); i++)
		rc = put_rr(ctx, ldns_rr_list_rr(rrs, i));
	ldns_rr_list_deep_free(rrs);
	return rc;
}

/* Parse the zones of tree into r (the cache layout, header included). */
static int parse_tree(git_repository *repo, const git_tree *tree,
		      const char *commit, wot_src_rrs *r)
{
	serializer s = {WOT_BUF_INIT, 0};
	wot_buf all = WOT_BUF_INIT;
	int rc = wot_repo_each_zone(repo, tree, serialize_zone, &s);

	if (rc == 0)
		rc =
		    wot_buf_printf(&all, RRCACHE_MAGIC "%s %zu\n", commit, s.n);
	if (rc == 0 && s.b.len)
		rc = wot_buf_put(&all, s.b.ptr, s.b.len);
	wot_buf_dispose(&s.b);
	if (rc < 0) {
		wot_buf_dispose(&all);
		return rc;
	}
	r->text = all.ptr;
	r->len = all.len;
	if (index_text(r, commit) < 0)
		return wot_error_set(WOT_ENOMEM, "indexing records of %s",
				     commit);
	return 0;
}

static void save(wot_home *h, const char *name, const wot_src_rrs *r)
{
	char *dir = wot_state_path(h, WOT_STATE_RRCACHE);
	char *p = cache_path(h, name);

	/* A cache that cannot be written only costs a parse next time. */
	if (!dir || !p || wot_mkdir_p(dir, 0700) < 0 ||
	    wot_file_write_atomic(p, r->text, r->len) < 0) {
		wot_log(WOT_LOG_INFO, "sync", "%s: record cache: %s", name,
			wot_error_last());
		wot_error_clear();
	}
	free(dir);
	free(p);
}

int wot_src_rrs_load(wot_home *h, const char *name, const char *commit,
		     git_repository *repo, const git_tree *tree,
		     wot_src_rrs *out)
{
	char *p = cache_path(h, name);
	int rc;

	memset(out, 0, sizeof(*out));
	if (p &&
	    wot_file_read(p, WOT_MAX_STATE_BYTES, &out->text, &out->len) == 0 &&
	    index_text(out, commit) == 0) {
		free(p);
		return 0;
	}
	wot_error_clear();
	free(p);
	wot_src_rrs_dispose(out);
	if ((rc = parse_tree(repo, tree, commit, out)) == 0)
		save(h, name, out);
	return rc;
}
