/*
 * transport.c - what libgit2 needs beyond a URL: CAs for https:// and
 * credentials for ssh://. Host keys of ssh:// servers are checked by
 * libgit2 itself against ~/.ssh/known_hosts (libgit2 >= 1.4): an unknown
 * or changed host key fails the fetch.
 */
#include "sync/git/git.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t setup_lock = PTHREAD_MUTEX_INITIALIZER;
static char *ssh_key; /* set once, read-only afterwards */
static int setup_done;

/* Credential attempts in the current fetch: libgit2 asks again after a
 * refused key, and would ask forever. */
static _Thread_local int cred_tries;

void wot_transport_setup(const wot_config *cfg)
{
	pthread_mutex_lock(&setup_lock);
	if (!setup_done) {
		setup_done = 1;
		if (cfg->ca_file &&
		    git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS,
				     cfg->ca_file, NULL) < 0)
			wot_log(WOT_LOG_WARNING, "sync", "ca-file %s: %s",
				cfg->ca_file,
				git_error_last() ? git_error_last()->message
						 : "unusable");
		if (cfg->ssh_key)
			ssh_key = strdup(cfg->ssh_key);
	}
	pthread_mutex_unlock(&setup_lock);
}

static int credentials(git_credential **out, const char *url,
		       const char *user_from_url, unsigned int allowed,
		       void *payload)
{
	const char *user =
	    user_from_url && *user_from_url ? user_from_url : "git";

	(void)url;
	(void)payload;
	if (++cred_tries > 1)
		return GIT_EAUTH; /* the one key we have was refused */
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user);
	if (!(allowed & GIT_CREDENTIAL_SSH_KEY))
		return GIT_PASSTHROUGH;
	if (ssh_key)
		return git_credential_ssh_key_new(out, user, NULL, ssh_key,
						  NULL);
	return git_credential_ssh_key_from_agent(out, user);
}

void wot_transport_callbacks(git_remote_callbacks *cb)
{
	cred_tries = 0;
	cb->credentials = credentials;
}

int wot_transport_fetch(git_repository *repo, const char *url,
			const char *refspec, git_indexer_progress_cb progress,
			void *payload)
{
	char *specs[] = {(char *)refspec};
	git_strarray refspecs = {specs, 1};
	git_fetch_options fo;
	git_remote_create_options ro;
	git_remote *remote = NULL;
	int gerr;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.callbacks.transfer_progress = progress;
	fo.callbacks.payload = payload;
	wot_transport_callbacks(&fo.callbacks);
	fo.prune = GIT_FETCH_PRUNE;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	/* Nothing reads FETCH_HEAD: not writing it saves a file per source. */
	fo.update_fetchhead = 0;
	/* The URL means what it says: no insteadOf rewriting from any git
	 * config (it also avoids a libgit2 1.5 leak in that lookup). */
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = repo;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
	gerr = git_remote_create_with_opts(&remote, url, &ro);
	if (!gerr)
		gerr = git_remote_fetch(remote, &refspecs, &fo, NULL);
	git_remote_free(remote);
	return gerr ? wot_git_error(WOT_ENET, gerr, url) : 0;
}
