/*
 * homesafe.c - a home is only as trustworthy as whoever can write it.
 *
 * The config names the identity and the trust policy, sources.conf names
 * whose keys are followed, the keyring says who is trusted, and state/
 * holds the accepted set the daemon serves without checking it again.
 * Another local user able to rewrite any of them decides what this user
 * resolves, so each must belong to the user the command runs for (or to
 * root, who can change anything anyway) and be writable by no one else:
 * the rule OpenSSH applies to ~/.ssh.
 */
#include "sync/home/home.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A missing path is fine here: the caller says what it needs. */
int wot_home_check_path(const char *path, unsigned owner)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0
				       : wot_error_set(WOT_EIO, "%s: %s", path,
						       strerror(errno));
	if (st.st_uid != owner && st.st_uid != 0)
		return wot_error_set(WOT_EINVAL,
				     "%s belongs to uid %u, not to uid %u who "
				     "runs wotdns: refusing to trust it (chown "
				     "%u %s, or use a home of your own)",
				     path, (unsigned)st.st_uid, owner, owner,
				     path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return wot_error_set(WOT_EINVAL,
				     "%s is writable by group or others: "
				     "refusing to trust it (chmod go-w %s)",
				     path, path);
	return 0;
}

int wot_home_check_dir(const char *dir, unsigned owner)
{
	char *p;
	int rc = wot_home_check_path(dir, owner);

	if (rc < 0)
		return rc;
	if (!(p = wot_path_join(dir, "config")))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	rc = wot_home_check_path(p, owner);
	free(p);
	return rc;
}

/* What the parsed config leads to: the sources, the state, the keyring. */
int wot_home_check_rest(const wot_home *h, unsigned owner)
{
	const char *const rel[] = {"sources.conf", wot_state_rel(WOT_STATE_DIR),
				   wot_state_rel(WOT_STATE_ACCEPTED)};
	static const char *const gpg[] = {"pubring.kbx", "pubring.gpg",
					  "trustdb.gpg", "gpg.conf"};
	const char *gh = h->cfg.gnupghome;
	int rc = wot_home_check_path(gh, owner);

	for (size_t i = 0; rc == 0 && i < sizeof(rel) / sizeof(*rel); i++) {
		char *p = wot_path_join(h->dir, rel[i]);
		rc = p ? wot_home_check_path(p, owner)
		       : wot_error_set(WOT_ENOMEM, "out of memory");
		free(p);
	}
	for (size_t i = 0; rc == 0 && i < sizeof(gpg) / sizeof(*gpg); i++) {
		char *p = wot_path_join(gh, gpg[i]);
		rc = p ? wot_home_check_path(p, owner)
		       : wot_error_set(WOT_ENOMEM, "out of memory");
		free(p);
	}
	return rc;
}
