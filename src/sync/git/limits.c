/*
 * limits.c - what one source may make wotdns do: the [limits] of the
 * config in the units they are checked in, and what in a source's tree
 * is not read at all. The history is judged first (limits_walk.c), the
 * records of the tip's zones here, counted as publish counts them
 * (limits_tally.c).
 *
 * Every check runs before the verified head moves, so a source over a
 * limit keeps its last verified state serving. Each error names the limit
 * and the option that raises it; it reaches `wotdns sync` and the
 * source's status like any other sync error.
 */
#include "sync/source/source.h"
#include "sync/zone/zone.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A configured limit held under a built-in maximum (0: the maximum). */
static size_t capped(size_t v, size_t max)
{
	return v && v < max ? v : max;
}

void wot_limits_get(const wot_config *cfg, wot_limits *out)
{
	out->fetch_bytes = (size_t)cfg->limit_fetch_mb << 20;
	out->commits = cfg->limit_commits;
	/* The built-in maxima hold whatever the config says. */
	out->zone_bytes =
	    capped((size_t)cfg->limit_zone_kb * 1024, WOT_MAX_ZONE_BYTES);
	out->records = capped(cfg->limit_records, WOT_MAX_ZONE_RECORDS);
	out->names = cfg->limit_names;
	out->source_records = cfg->limit_source_records;
	out->name_records = cfg->limit_name_records;
	out->rrset = capped(cfg->limit_rrset, WOT_MAX_RRSET);
	out->commit_bytes =
	    capped((size_t)cfg->limit_commit_kb * 1024, WOT_MAX_BLOB_BYTES);
	out->entries = cfg->limit_entries;
}

int wot_limits_fetch_error(const wot_config *cfg)
{
	return wot_error_set(WOT_ELIMIT,
			     "fetch exceeds the limit of %u MB ([limits] "
			     "fetch-size); the last verified state keeps "
			     "serving",
			     cfg->limit_fetch_mb);
}

int wot_limits_transfer(const git_indexer_progress *st, void *payload)
{
	wot_fetch_cap *cap = payload;

	/* Non-zero stops libgit2 mid-transfer: nothing is indexed or
	 * referenced. */
	if (cap->max && st->received_bytes > cap->max) {
		cap->over = 1;
		return -1;
	}
	return 0;
}

/* What one content check saw. */
struct content {
	const wot_config *cfg;
	wot_limits lim;
	git_repository *repo;
	wot_limits_tally *tally; /* the source's records so far */
	json_t *ignored;	 /* ["zones/x.zone: a symbolic link", ...] */
};

/* An entry name fit for messages: control characters as '?', cut at 80
 * bytes. */
static void safe_name(char *out, size_t n, const char *name)
{
	size_t i = 0;

	for (; name[i] && i + 1 < n && i < 80; i++)
		out[i] = (unsigned char)name[i] < 0x20 || name[i] == 0x7f
			     ? '?'
			     : name[i];
	out[i] = '\0';
}

static void note_ignored(struct content *c, const char *dir,
			 const git_tree_entry *e, const char *why)
{
	char name[96];

	safe_name(name, sizeof(name), git_tree_entry_name(e));
	json_array_append_new(
	    c->ignored,
	    json_sprintf("%s%s%s: %s", dir, *dir ? "/" : "", name, why));
}

/* One regular zone file: size from its header first, then its records. */
static int check_zone(struct content *c, const git_tree_entry *e,
		      const char *path)
{
	git_blob *blob = NULL;
	ldns_rr_list *rrs = NULL;
	size_t size = 0;
	int gerr, rc;

	if ((rc = wot_repo_blob_size(c->repo, git_tree_entry_id(e), &size)) < 0)
		return wot_error_wrap(rc, "%s", path);
	if (size > c->lim.zone_bytes)
		return wot_error_set(WOT_ELIMIT,
				     "%s: %zu KB, over the limit of %zu KB "
				     "([limits] zone-size)",
				     path, (size + 1023) / 1024,
				     c->lim.zone_bytes / 1024);
	if ((gerr = git_blob_lookup(&blob, c->repo, git_tree_entry_id(e))))
		return wot_git_error(WOT_EGIT, gerr, path);
	rc = wot_zone_parse_max(git_blob_rawcontent(blob), size, path,
				c->lim.records, &rrs);
	git_blob_free(blob);
	if (rc == WOT_ELIMIT)
		return wot_error_set(WOT_ELIMIT,
				     "%s: more than %zu records ([limits] "
				     "records)",
				     path, c->lim.records);
	if (rc == 0)
		rc = wot_limits_tally_add(c->tally, path, rrs);
	ldns_rr_list_deep_free(rrs);
	return rc;
}

/* Every entry of a directory: anything but a regular file is noted as
 * ignored; in zones/, regular files are checked. */
static int check_dir(struct content *c, const git_tree_entry *dir_entry,
		     int zones)
{
	const char *dir = git_tree_entry_name(dir_entry);
	git_tree *tree = NULL;
	int gerr, rc = 0;

	if ((gerr =
		 git_tree_lookup(&tree, c->repo, git_tree_entry_id(dir_entry))))
		return wot_git_error(WOT_EGIT, gerr, dir);
	for (size_t i = 0; rc == 0 && i < git_tree_entrycount(tree); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *why = wot_repo_entry_odd(e);
		char *path;
		if (why) {
			note_ignored(c, dir, e, why);
			continue;
		}
		if (!zones)
			continue;
		path = wot_strdup_printf("%s/%s", dir, git_tree_entry_name(e));
		rc = path ? check_zone(c, e, path)
			  : wot_error_set(WOT_ENOMEM, "out of memory");
		free(path);
	}
	git_tree_free(tree);
	return rc;
}

/* The root: zone.txt, zones/, keys/ and peer.conf are what is read. */
static int check_root(struct content *c, const git_tree *root)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < git_tree_entrycount(root); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(root, i);
		const char *name = git_tree_entry_name(e);
		const char *why = wot_repo_entry_odd(e);
		int is_dir = git_tree_entry_filemode(e) == GIT_FILEMODE_TREE;

		if (!strcmp(name, "zones") || !strcmp(name, "keys")) {
			if (is_dir)
				rc = check_dir(c, e, name[0] == 'z');
			else
				note_ignored(c, "", e,
					     why ? why : "not a directory");
		} else if (!strcmp(name, "zone.txt") ||
			   !strcmp(name, "peer.conf")) {
			if (why)
				note_ignored(c, "", e, why);
			else if (name[0] == 'z')
				rc = check_zone(c, e, name);
		}
	}
	return rc;
}

/* Ignored entries are said once per new head: logged, and, for a head
 * that passed (it becomes the verified one), kept in the source's status
 * until the next head. */
static void report_ignored(wot_home *h, const char *name, json_t *ignored,
			   int passed)
{
	size_t i;
	json_t *v;

	json_array_foreach(ignored, i, v)
	    wot_log(WOT_LOG_WARNING, "sync",
		    "%s: ignored %s (only regular files are read)", name,
		    json_string_value(v));
	if (passed)
		wot_status_merge(h, name,
				 json_pack("{s:O}", "ignored",
					   json_array_size(ignored)
					       ? ignored
					       : json_null()));
}

int wot_limits_content(wot_home *h, const char *name, git_repository *repo,
		       const git_oid *tip)
{
	struct content c = {&h->cfg, {0}, repo, NULL, json_array()};
	git_commit *commit = NULL;
	git_tree *root = NULL;
	int gerr, rc;

	wot_limits_get(&h->cfg, &c.lim);
	if (!c.ignored || (rc = wot_limits_tally_new(&c.lim, &c.tally)) < 0) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	gerr = git_commit_lookup(&commit, repo, tip);
	if (!gerr)
		gerr = git_commit_tree(&root, commit);
	if (gerr) {
		rc = wot_git_error(WOT_EGIT, gerr, "commit tree");
		goto out;
	}
	rc = check_root(&c, root);
	report_ignored(h, name, c.ignored, rc == 0);
out:
	git_tree_free(root);
	git_commit_free(commit);
	wot_limits_tally_free(c.tally);
	json_decref(c.ignored);
	return rc;
}
