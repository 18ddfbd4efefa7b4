/* publish.c - committing zones and keys to the own repository. */
#include "sync/accept/accept.h"
#include "sync/own/own.h"
#include "sync/source/source.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	wot_tree_file *v;
	size_t n;
	char **owned; /* strings to free */
	size_t nowned;
} file_set;

static int fs_add(file_set *fs, char *path, char *data, size_t len)
{
	wot_tree_file *nv = realloc(fs->v, (fs->n + 1) * sizeof(*nv));
	char **no = realloc(fs->owned, (fs->nowned + 2) * sizeof(*no));

	if (nv)
		fs->v = nv;
	if (no)
		fs->owned = no;
	if (!nv || !no || !path || !data) {
		free(path);
		free(data);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	fs->owned[fs->nowned++] = path;
	fs->owned[fs->nowned++] = data;
	fs->v[fs->n++] = (wot_tree_file){path, data, len};
	return 0;
}

static void fs_dispose(file_set *fs)
{
	for (size_t i = 0; i < fs->nowned; i++)
		free(fs->owned[i]);
	free(fs->owned);
	free(fs->v);
}

/* keys/: the owner's key and every key it certified (exportable sigs). */
static int add_keys(file_set *fs, wot_trust *t, const char *own)
{
	char **fprs = NULL;
	size_t n = 0, len = 0;
	char *data = NULL;
	int rc;

	if ((rc = wot_trust_export(t, own, &data, &len)) < 0)
		return rc;
	if ((rc = fs_add(fs, wot_strdup_printf("keys/%s.asc", own), data,
			 len)) < 0)
		return rc;
	if ((rc = wot_trust_certified_by(t, own, &fprs, &n)) < 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if ((rc = wot_trust_export(t, fprs[i], &data, &len)) < 0)
			break;
		rc = fs_add(fs, wot_strdup_printf("keys/%s.asc", fprs[i]), data,
			    len);
	}
	wot_trust_strv_free(fprs, n);
	return rc;
}

/* Within the publisher's own [limits]: with the same settings as its
 * followers, what it publishes is what they accept (the tally counts the
 * files together, as sync does). A name no follower would ever serve
 * (tld.c) is refused here already, before the zone rules: a file whose
 * SOA is at a reserved name (com., a reverse zone) hears that, rather
 * than that its other names are outside that zone. */
static int zone_within(const wot_limits *lim, wot_limits_tally *tally,
		       const char *file, const char *data, size_t len)
{
	ldns_rr_list *rrs = NULL;
	wot_tlds *tlds = NULL;
	int *lines = NULL;
	int rc = wot_zone_read(data, len, file, lim->records, &rrs, &lines);

	if (rc == WOT_ELIMIT)
		return wot_error_set(WOT_ELIMIT,
				     "%s: more than %zu records ([limits] "
				     "records)",
				     file, lim->records);
	if (rc == 0 && (rc = wot_tld_load(&tlds)) == 0)
		rc = wot_tld_check_zone(tlds, rrs, lines, file);
	wot_tld_free(tlds);
	if (rc == 0)
		rc = wot_zone_rules(rrs, lines, file);
	if (rc == 0)
		rc = wot_limits_tally_add(tally, file, rrs);
	ldns_rr_list_deep_free(rrs);
	free(lines);
	return rc;
}

/* Read and check one zone file given by the user. */
static int add_zone(file_set *fs, const wot_limits *lim,
		    wot_limits_tally *tally, const char *file)
{
	char real[PATH_MAX], *data = NULL, *copy = NULL, *base;
	size_t len = 0;
	int rc;

	/* The user named this file: follow their symlink, then read the
	 * target itself (wot_file_read never follows links). */
	if (!realpath(file, real))
		return wot_error_set(WOT_ENOENT, "%s: no such file", file);
	rc = wot_file_read(real, lim->zone_bytes, &data, &len);
	if (rc == WOT_ELIMIT)
		return wot_error_set(WOT_ELIMIT,
				     "%s: over the limit of %zu KB ([limits] "
				     "zone-size)",
				     file, lim->zone_bytes / 1024);
	if (rc < 0)
		return wot_error_wrap(rc, "%s", file);
	if ((rc = zone_within(lim, tally, file, data, len)) < 0) {
		free(data);
		return rc;
	}
	copy = strdup(file);
	base = copy ? basename(copy) : NULL;
	for (size_t i = 0; base && i < fs->n; i++)
		if (!strcmp(fs->v[i].path + strlen("zones/"), base)) {
			rc = wot_error_set(WOT_EINVAL,
					   "%s: two zone files named %s", file,
					   base);
			free(copy);
			free(data);
			return rc;
		}
	rc = fs_add(fs, base ? wot_strdup_printf("zones/%s", base) : NULL, data,
		    len);
	free(copy);
	return rc;
}

/* peer.conf travels in every commit, so followers always see the current
 * endpoints and promise (a bare one when nothing is announced). */
static int add_peer_conf(file_set *fs, const wot_home *h)
{
	char *text = NULL;
	int rc = wot_peer_conf_own(h, &text);

	if (rc < 0 || !text)
		return rc;
	return fs_add(fs, strdup("peer.conf"), text, strlen(text));
}

int wot_own_commit(wot_home *h, wot_trust *t, const wot_tree_file *files,
		   size_t n, const char *const *replace,
		   const char *const *drop, int always, const char *msg,
		   char oid[WOT_OID_MAX])
{
	git_repository *repo = NULL;
	git_commit *head = NULL;
	git_tree *base = NULL;
	git_oid head_id, tree_id, commit_id;
	char *path = wot_home_path(h, "own.git");
	int gerr, rc = 0;

	if ((gerr = git_repository_open_bare(&repo, path))) {
		rc = wot_git_error(WOT_EGIT, gerr, path);
		goto out;
	}
	if (git_reference_name_to_id(&head_id, repo, "refs/heads/main") == 0)
		gerr = git_commit_lookup(&head, repo, &head_id);
	else if (always)
		gerr = GIT_ENOTFOUND; /* nothing to sign again */
	if (!gerr && head)
		gerr = git_commit_tree(&base, head);
	if (gerr) {
		rc = wot_git_error(WOT_EGIT, gerr, "own.git main");
		goto out;
	}
	rc = wot_repo_tree(repo, base, replace, drop, files, n, &tree_id);
	/* Nothing changed: no empty commit, the head stays (unless a fresh
	 * signature is the point). */
	if (rc == 0 && !always && base &&
	    git_oid_equal(&tree_id, git_tree_id(base)))
		commit_id = head_id;
	else if (rc == 0)
		rc = wot_repo_commit(repo, t, h->cfg.key, &tree_id, msg,
				     &commit_id);
	if (rc == 0 && oid)
		git_oid_tostr(oid, WOT_OID_MAX, &commit_id);
out:
	git_tree_free(base);
	git_commit_free(head);
	git_repository_free(repo);
	free(path);
	return rc;
}

int wot_sync_publish(wot_home *h, wot_trust *t, const char *const *files,
		     size_t n, const char *msg, char oid[WOT_OID_MAX])
{
	static const char *const replace[] = {"zones", "keys", NULL};
	static const char *const drop[] = {"zone.txt", "peer.conf", NULL};
	file_set fs = {0};
	wot_limits lim;
	wot_limits_tally *tally = NULL;
	int rc = 0, lock = -1;

	if (n == 0)
		return wot_error_set(WOT_EINVAL, "no zone file given");
	wot_limits_get(&h->cfg, &lim);
	if (msg && strlen(msg) + 4096 > lim.commit_bytes)
		return wot_error_set(WOT_ELIMIT,
				     "the message would make the commit over "
				     "the limit of %zu KB ([limits] "
				     "commit-size)",
				     lim.commit_bytes / 1024);
	if (lim.entries && n > lim.entries)
		return wot_error_set(WOT_ELIMIT,
				     "%zu zone files, over the limit of %zu "
				     "([limits] entries)",
				     n, lim.entries);
	/* Check every file before touching the repository, so a bad file
	 * means nothing is committed. */
	rc = wot_limits_tally_new(&lim, &tally);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = add_zone(&fs, &lim, tally, files[i]);
	wot_limits_tally_free(tally);
	if (rc == 0)
		rc = wot_home_lock(h, &lock);
	if (rc == 0)
		rc = add_keys(&fs, t, h->cfg.key);
	if (rc == 0)
		rc = add_peer_conf(&fs, h);
	if (rc == 0)
		rc = wot_own_commit(h, t, fs.v, fs.n, replace, drop, 0,
				    msg ? msg : "wotdns publish", oid);
	wot_home_unlock(lock);
	fs_dispose(&fs);
	return rc;
}

int wot_sync_publish_keys(wot_home *h, wot_trust *t, const char *msg,
			  char oid[WOT_OID_MAX])
{
	int lock = -1, rc = wot_home_lock(h, &lock);

	if (rc == 0)
		rc = wot_sync_publish_keys_locked(h, t, msg, oid);
	wot_home_unlock(lock);
	return rc;
}

int wot_sync_sign_friend(wot_home *h, wot_trust *t, const char *fpr,
			 wot_ownertrust level, char oid[WOT_OID_MAX])
{
	int lock = -1, rc = wot_home_lock(h, &lock);

	if (rc == 0)
		rc = wot_trust_certify(t, h->cfg.key, fpr);
	if (rc == 0)
		rc = wot_trust_set_ownertrust(t, fpr, level);
	if (rc == 0)
		rc = wot_sync_publish_keys_locked(h, t, "wotdns sign-friend",
						  oid);
	wot_home_unlock(lock);
	return rc;
}

int wot_sync_set_trust(wot_home *h, wot_trust *t, const char *fpr,
		       wot_ownertrust level, wot_sync_report *report)
{
	int lock = -1, rc = wot_home_lock(h, &lock);

	if (rc == 0)
		rc = wot_trust_set_ownertrust(t, fpr, level);
	if (rc == 0)
		rc = wot_sync_recompute_locked(h, t, report);
	wot_home_unlock(lock);
	return rc;
}

int wot_sync_publish_keys_locked(wot_home *h, wot_trust *t, const char *msg,
				 char oid[WOT_OID_MAX])
{
	static const char *const replace[] = {"keys", NULL};
	static const char *const drop[] = {"peer.conf", NULL};
	file_set fs = {0};
	int rc = add_keys(&fs, t, h->cfg.key);

	if (rc == 0)
		rc = add_peer_conf(&fs, h);
	if (rc == 0)
		rc = wot_own_commit(h, t, fs.v, fs.n, replace, drop, 0,
				    msg ? msg : "wotdns: publish keys", oid);
	fs_dispose(&fs);
	return rc;
}
