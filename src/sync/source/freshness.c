/*
 * freshness.c - how fresh a source is: the time its verified head was signed,
 * the refresh promise its peer.conf declares, whether it broke that
 * promise (stale) and whether its records have expired ([sync] max-age).
 *
 * A source that stops publishing is not the same as a source whose old
 * records are still true: a frozen repository (an attacker replaying an
 * old, validly signed state, or a dead publisher) is visible as stale,
 * and after the maximum age its records are no longer served.
 */
#include "sync/source/source.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *status_path(const wot_home *h, const char *name)
{
	return wot_state_source_path(h, WOT_STATE_STATUS, name);
}

static json_t *status_load(const wot_home *h, const char *name)
{
	char *path = status_path(h, name), *text = NULL;
	json_t *o = NULL;

	/* No status yet is no news: the caller's error state stays clean. */
	if (path && wot_file_read(path, 1 << 20, &text, NULL) == 0)
		o = json_loads(text, 0, NULL);
	else
		wot_error_clear();
	free(text);
	free(path);
	if (o && !json_is_object(o)) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

static int status_save(const wot_home *h, const char *name, json_t *o)
{
	char *path = status_path(h, name),
	     *text = json_dumps(o, JSON_SORT_KEYS);
	char *dir = wot_state_path(h, WOT_STATE_STATUS);
	int rc;

	if (!text || !path || !dir)
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	else if ((rc = wot_mkdir_p(dir, 0700)) == 0)
		rc = wot_file_write_atomic(path, text, strlen(text));
	free(text);
	free(dir);
	free(path);
	return rc;
}

/* Set fields (a null value deletes); 1 if anything changed. */
static int merge(json_t *o, json_t *fields)
{
	const char *k;
	json_t *v;
	int changed = 0;

	json_object_foreach(fields, k, v)
	{
		json_t *old = json_object_get(o, k);
		if (json_is_null(v)) {
			changed |= old != NULL;
			json_object_del(o, k);
		} else if (!old || !json_equal(old, v)) {
			changed = 1;
			json_object_set(o, k, v);
		}
	}
	return changed;
}

int wot_status_merge(const wot_home *h, const char *name, json_t *fields)
{
	char saved[1024];
	int code = wot_error_last_code(), rc = 0;
	json_t *o;

	/* The caller's error (a failed sync) must survive a status note. */
	snprintf(saved, sizeof(saved), "%s", wot_error_last());
	if (!(o = status_load(h, name)))
		o = json_pack("{s:s}", "name", name);
	if (!o || !fields)
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	else if (merge(o, fields)) /* unchanged: no write, no fsync */
		rc = status_save(h, name, o);
	if (rc < 0)
		wot_log(WOT_LOG_WARNING, "sync", "%s: status: %s", name,
			wot_error_last());
	if (code)
		wot_error_set(code, "%s", saved);
	else
		wot_error_clear();
	json_decref(fields);
	json_decref(o);
	return rc;
}

void wot_freshness_eval(const wot_config *cfg, const char *name,
			int64_t head_time, unsigned promise, int64_t now,
			wot_freshness *out)
{
	int64_t age = now - head_time, grace = promise / 10;

	memset(out, 0, sizeof(*out));
	out->head_time = head_time;
	out->promise = promise;
	out->max_age = cfg->max_age ? cfg->max_age : 4 * (int64_t)promise;
	if (head_time <= 0)
		return;
	/* Clocks differ and renewals take a sync interval to travel. */
	if (grace < 60)
		grace = 60;
	out->stale = promise && age > (int64_t)promise + grace;
	/* Your own records are yours: they never expire here. */
	if (!strcmp(name, WOT_SELF))
		out->max_age = 0;
	out->expired = out->max_age && age > out->max_age;
}

int wot_sync_freshness(const wot_home *h, const char *name, int64_t now,
		       wot_freshness *out)
{
	json_t *o = status_load(h, name);

	wot_freshness_eval(
	    &h->cfg, name, json_integer_value(json_object_get(o, "head_time")),
	    (unsigned)json_integer_value(json_object_get(o, "promise")), now,
	    out);
	out->last_ok = json_integer_value(json_object_get(o, "last_ok"));
	json_decref(o);
	return 0;
}

int wot_fresh_expired(wot_home *h, const char *name, int64_t head_time,
		      int64_t now)
{
	wot_freshness f;
	unsigned promise = 0;

	/* Only an implicit maximum age needs the source's promise. */
	if (!h->cfg.max_age) {
		wot_sync_freshness(h, name, now, &f);
		promise = f.promise;
	}
	/* The view's own head time counts, whatever the status says. */
	wot_freshness_eval(&h->cfg, name, head_time, promise, now, &f);
	if (f.expired)
		wot_log(WOT_LOG_WARNING, "sync",
			"%s: records expired: the verified head was signed "
			"%lld s ago, over the maximum age of %lld s (%s)",
			name, (long long)(now - head_time),
			(long long)f.max_age,
			h->cfg.max_age ? "[sync] max-age"
				       : "4 times its refresh promise");
	return f.expired;
}

int wot_fresh_expired_now(const wot_home *h, const char *name, int64_t now)
{
	wot_freshness f;

	wot_sync_freshness(h, name, now, &f);
	return f.expired;
}

/* The refresh promise in peer.conf of tree; 0 for none, or for a
 * peer.conf that is not a regular file, too large or unparsable. */
static unsigned tree_promise(git_repository *repo, const git_tree *tree)
{
	const git_tree_entry *e = git_tree_entry_byname(tree, "peer.conf");
	wot_peer_conf *conf = NULL;
	git_blob *blob = NULL;
	unsigned refresh = 0;
	size_t size = 0;

	if (!e || wot_repo_entry_odd(e) ||
	    wot_repo_blob_size(repo, git_tree_entry_id(e), &size) < 0 ||
	    size > WOT_PEER_CONF_MAX ||
	    git_blob_lookup(&blob, repo, git_tree_entry_id(e)))
		goto out;
	if (wot_peer_conf_parse(git_blob_rawcontent(blob), size, "peer.conf",
				&conf) == 0)
		refresh = conf->refresh;
out:
	wot_error_clear();
	wot_peer_conf_free(conf);
	git_blob_free(blob);
	return refresh;
}

int wot_fresh_record(const wot_home *h, const char *name, git_repository *repo)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_oid id;
	int rc = 0;

	if (git_reference_name_to_id(&id, repo, REF_VERIFIED) ||
	    git_commit_lookup(&c, repo, &id) || git_commit_tree(&tree, c))
		goto out; /* nothing verified: nothing to say */
	rc = wot_status_merge(
	    h, name,
	    json_pack("{s:I,s:i}", "head_time", (json_int_t)git_commit_time(c),
		      "promise", (int)tree_promise(repo, tree)));
out:
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

int wot_fresh_recorded(const wot_home *h, const char *name)
{
	wot_freshness f;

	return wot_sync_freshness(h, name, 0, &f) == 0 && f.head_time != 0;
}
