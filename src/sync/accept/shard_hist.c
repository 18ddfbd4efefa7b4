/*
 * shard_hist.c - the history of one shard (state/accepted/ID-GEN.hist): who
 * holds each name, and when each source first published it.
 *
 * Both only grow and both are read back by the next recompute of the
 * shard; split per shard, a change in one source reads and rewrites only
 * its shards' history instead of two files with a line per name.
 */
#include "sync/accept/accept.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_i64(const char *s, int64_t *out)
{
	char *end = NULL;
	long long v = strtoll(s, &end, 10);

	if (!*s || *end)
		return -1;
	*out = v;
	return 0;
}

static int add_grant(wot_recompute *r, char **f)
{
	int64_t kind;

	if (parse_i64(f[4], &kind) ||
	    (kind != WOT_GRANT_TRANSFER && kind != WOT_GRANT_DELEGATE))
		return -1;
	return wot_grant_add(r, f[1], f[2], f[3], (wot_grant_kind)kind) < 0
		   ? WOT_ENOMEM
		   : 0;
}

static int snapshot_owner(wot_recompute *r, const char *name, const char *fpr,
			  int64_t since)
{
	char *v = wot_strdup_printf("%s %lld", fpr, (long long)since);
	void *old = NULL;
	int rc = v ? wot_map_put(r->top_owners, name, v, &old) : WOT_ENOMEM;

	free(rc < 0 ? v : old);
	return rc;
}

/* One line split at tabs into f; returns the field count. */
static int split(char *line, char **f, int max)
{
	int n = 0;

	for (char *p = line; n < max; n++) {
		f[n] = p;
		p = strchr(p, '\t');
		if (!p)
			return n + 1;
		*p++ = '\0';
	}
	return max + 1; /* too many */
}

static int hist_line(wot_recompute *r, char *line, int top)
{
	char *f[6];
	int n = split(line, f, 5);
	int64_t since;

	if (n == 4 && !strcmp(f[0], "o") && !parse_i64(f[3], &since)) {
		if (top && r->top_owners &&
		    snapshot_owner(r, f[1], f[2], since) < 0)
			return WOT_ENOMEM;
		return wot_owners_set(r->owners, f[1], f[2], since) < 0
			   ? WOT_ENOMEM
			   : 0;
	}
	if (n == 4 && !strcmp(f[0], "s") && !parse_i64(f[3], &since))
		return wot_seen_put(r->seen, f[1], f[2], since) < 0 ? WOT_ENOMEM
								    : 0;
	if (n == 5 && !strcmp(f[0], "g"))
		return top && r->top_acc ? add_grant(r, f) : 0;
	if (n == 2 && !strcmp(f[0], "a"))
		return top && r->top_acc
			   ? wot_map_put(r->top_acc, f[1], (void *)1, NULL)
			   : 0;
	return -1;
}

int wot_hist_read(wot_recompute *r, const char *path, int top)
{
	char *text = NULL, *line, *nl;
	int rc = wot_file_read(path, WOT_MAX_STATE_BYTES, &text, NULL), n = 0;

	if (rc == WOT_ENOENT) {
		wot_error_clear();
		return 0;
	}
	for (line = text; rc == 0 && line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		n++;
		if ((rc = hist_line(r, line, top)) == -1)
			rc = wot_error_set(WOT_ESYNTAX,
					   "%s:%d: not a history "
					   "line",
					   path, n);
		else if (rc < 0)
			rc = wot_error_set(WOT_ENOMEM, "out of memory");
	}
	free(text);
	return rc;
}
