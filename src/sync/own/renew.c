/*
 * renew.c - keeping a refresh promise. A renewal is a new signed commit
 * of the same zones and keys (with the current peer.conf), so followers
 * see a freshly signed head even when no record changed; a head older
 * than the promise tells them the source is frozen.
 */
#include "sync/own/own.h"
#include "sync/source/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int open_own(wot_home *h, git_repository **repo)
{
	char *path = wot_home_path(h, "own.git");
	int gerr;

	if (!path)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	gerr = git_repository_open_bare(repo, path);
	free(path);
	return gerr ? wot_git_error(WOT_EGIT, gerr, "own.git") : 0;
}

/* The own head and its commit time. */
static int own_head(git_repository *repo, git_commit **out)
{
	git_oid id;
	int gerr = git_reference_name_to_id(&id, repo, "refs/heads/main");

	if (!gerr)
		gerr = git_commit_lookup(out, repo, &id);
	return gerr ? wot_git_error(WOT_EGIT, gerr, "own.git main") : 0;
}

static int renew_locked(wot_home *h, wot_trust *t, const char *msg,
			char oid[WOT_OID_MAX])
{
	static const char *const drop[] = {"peer.conf", NULL};
	wot_tree_file conf = {"peer.conf", NULL, 0};
	char *text = NULL;
	int rc;

	/* The promise itself may have changed since the last publish. */
	if ((rc = wot_peer_conf_own(h, &text)) < 0)
		return rc;
	conf.data = text;
	conf.len = text ? strlen(text) : 0;
	rc = wot_own_commit(h, t, &conf, text ? 1 : 0, NULL, drop, 1,
			    msg ? msg : "wotdns: renew", oid);
	free(text);
	return rc;
}

int wot_sync_renew(wot_home *h, wot_trust *t, const char *msg,
		   char oid[WOT_OID_MAX])
{
	int lock = -1, rc = wot_home_lock(h, &lock);

	if (rc == 0)
		rc = renew_locked(h, t, msg, oid);
	wot_home_unlock(lock);
	return rc;
}

/* Seconds since the own head was signed (-1 if unknown). */
static int64_t own_age(wot_home *h, int64_t now)
{
	git_repository *repo = NULL;
	git_commit *head = NULL;
	int64_t age = -1;

	if (open_own(h, &repo) == 0 && own_head(repo, &head) == 0)
		age = now - (int64_t)git_commit_time(head);
	wot_error_clear();
	git_commit_free(head);
	git_repository_free(repo);
	return age;
}

int wot_sync_renew_due(wot_home *h, wot_trust *t, int64_t now,
		       char oid[WOT_OID_MAX])
{
	unsigned promise = h->cfg.peer_refresh;
	char id[WOT_OID_MAX] = "";
	int64_t age;
	int lock = -1, rc;

	/* Half the promise leaves a sync interval or two of slack. */
	if (!promise || (age = own_age(h, now)) < 0 || age < promise / 2)
		return 0;
	if ((rc = wot_home_lock(h, &lock)) == 0) {
		/* Someone may have published while we waited for the lock. */
		age = own_age(h, now);
		rc = age >= 0 && age < promise / 2
			 ? 0
			 : renew_locked(h, t, "wotdns: renew (refresh promise)",
					id);
	}
	wot_home_unlock(lock);
	if (rc < 0) {
		wot_log(WOT_LOG_WARNING, "sync", "renew: %s", wot_error_last());
		return rc;
	}
	if (!id[0])
		return 0;
	wot_log(WOT_LOG_NOTICE, "sync",
		"renewed the own head as %.12s (refresh promise %u s)", id,
		promise);
	if (oid)
		snprintf(oid, WOT_OID_MAX, "%s", id);
	return 1;
}
