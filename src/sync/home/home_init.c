/* home_init.c - creating a new home: keyring, key, own repository, config. */
#include "sync/git/git.h"
#include "sync/own/own.h"

#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int make_dirs(const char *dir)
{
	const char *const subs[] = {"", wot_state_rel(WOT_STATE_DIR),
				    wot_state_rel(WOT_STATE_STATUS), "sources"};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(subs) / sizeof(*subs); i++) {
		char *p = wot_path_join(dir, subs[i]);
		rc = p ? wot_mkdir_p(p, 0700)
		       : wot_error_set(WOT_ENOMEM, "out of memory");
		free(p);
	}
	return rc;
}

/* Our own keyring uses gpg's classic trust model explicitly, so validity
 * never depends on a TOFU database. */
static int write_gpg_conf(const char *gnupghome)
{
	static const char conf[] = "trust-model pgp\n";
	char *p = wot_path_join(gnupghome, "gpg.conf");
	int rc;

	if (!p)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	rc = wot_path_exists(p)
		 ? 0
		 : wot_file_write_atomic(p, conf, sizeof(conf) - 1);
	free(p);
	return rc;
}

/* An existing directory may be the user's own (mktemp -d, an empty dir
 * made ahead) but never another user's, and it ends up private: the home
 * holds the keyring and decides what is trusted. */
static int claim_dir(const char *dir, int made)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return errno == ENOENT && !made
			   ? 0
			   : wot_error_set(WOT_EIO, "%s: %s", dir,
					   strerror(errno));
	if (st.st_uid != geteuid())
		return wot_error_set(WOT_EINVAL,
				     "%s belongs to uid %u, not to uid %u who "
				     "runs wotdns: refusing to make a home "
				     "there",
				     dir, (unsigned)st.st_uid,
				     (unsigned)geteuid());
	if (made && (st.st_mode & 07777) != 0700 && chmod(dir, 0700) < 0)
		return wot_error_set(WOT_EIO, "chmod 0700 %s: %s", dir,
				     strerror(errno));
	return 0;
}

static int own_key(wot_trust *t, const wot_init_opts *o, char fpr[])
{
	char *uid;
	int rc;

	if (o->key)
		return wot_trust_find_key(t, o->key, 1, fpr);
	uid = o->email ? wot_strdup_printf("%s <%s>",
					   o->name ? o->name : "wotdns user",
					   o->email)
		       : strdup(o->name ? o->name : "wotdns user");
	if (!uid)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	rc = wot_trust_genkey(t, uid, fpr);
	free(uid);
	return rc;
}

static int create_repo(const char *dir)
{
	git_repository_init_options io;
	git_repository *repo = NULL;
	char *path = wot_path_join(dir, "own.git");
	int gerr;

	git_repository_init_options_init(&io,
					 GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	io.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
	io.initial_head = "main";
	/* No home yet to hold libgit2: a reference of its own. */
	if (!path)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if ((gerr = wot_git_acquire()) < 0) {
		free(path);
		return gerr;
	}
	gerr = git_repository_init_ext(&repo, path, &io);
	git_repository_free(repo);
	wot_git_release();
	free(path);
	return gerr ? wot_git_error(WOT_EGIT, gerr, "own.git") : 0;
}

int wot_home_init(const char *dir, const wot_init_opts *o,
		  char fpr[WOT_FPR_MAX])
{
	wot_config cfg;
	wot_home *h = NULL;
	wot_trust *t = NULL;
	char *cfgpath = wot_path_join(dir, "config"), *text = NULL;
	char oid[WOT_OID_MAX];
	int rc;

	if (!cfgpath || wot_config_defaults(&cfg) < 0) {
		free(cfgpath);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	if (wot_path_exists(cfgpath)) {
		rc = wot_error_set(WOT_EEXIST, "%s is already a wotdns home",
				   dir);
		goto out;
	}
	cfg.gnupghome =
	    o->gnupghome ? strdup(o->gnupghome) : wot_path_join(dir, "gnupg");
	if (!cfg.gnupghome) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	/* Checked before anything is made, so a refusal leaves nothing. */
	if ((rc = claim_dir(dir, 0)) < 0 ||
	    (rc = wot_home_check_path(cfg.gnupghome, (unsigned)geteuid())) <
		0 ||
	    (rc = make_dirs(dir)) < 0 || (rc = claim_dir(dir, 1)) < 0 ||
	    (rc = wot_trust_open(&t, cfg.gnupghome)) < 0)
		goto out;
	if (!o->gnupghome && (rc = write_gpg_conf(cfg.gnupghome)) < 0)
		goto out;
	if ((rc = own_key(t, o, fpr)) < 0 || (rc = create_repo(dir)) < 0)
		goto out;
	cfg.key = strdup(fpr);
	text = wot_config_format(&cfg);
	if (!text || !cfg.key) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	/* The config is written last: it is what makes dir a home. */
	if ((rc = wot_file_write_atomic(cfgpath, text, strlen(text))) < 0)
		goto out;
	if ((rc = wot_home_open(&h, dir)) == 0 && o->lock_wait_s >= 0)
		wot_home_set_lock_wait(h, (unsigned)o->lock_wait_s);
	if (rc < 0 ||
	    (rc = wot_sync_publish_keys(h, t, "wotdns init", oid)) < 0)
		unlink(cfgpath); /* not a home until its repository is */
out:
	wot_home_free(h);
	wot_trust_free(t);
	wot_config_dispose(&cfg);
	free(text);
	free(cfgpath);
	return rc;
}
