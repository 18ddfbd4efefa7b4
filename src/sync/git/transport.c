/*
 * transport.c - what libgit2 needs beyond a URL: CAs for https:// and
 * credentials for ssh://. Host keys of ssh:// servers are checked by
 * libgit2 itself against ~/.ssh/known_hosts (libgit2 >= 1.4): an unknown
 * or changed host key fails the fetch.
 *
 * Each fetch carries its own settings (wot_transport, the payload of
 * libgit2's callbacks): two homes in one process offer their own keys.
 */
#include "sync/git/git.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The CA file is libgit2's, not ours: GIT_OPT_SET_SSL_CERT_LOCATIONS sets
 * the one TLS configuration of the process (libgit2 1.5 has no per-remote
 * CA setting), and setting it again frees the chain a TLS handshake on
 * another thread may be reading. A certificate_check callback cannot
 * take its place: it sees the server's leaf certificate alone, not the
 * chain, so it cannot verify through an intermediate. So the first
 * ca-file asked for is handed to libgit2 once; these two mirror what
 * libgit2 holds, and a home asking for another file is told it is not
 * used.
 */
static pthread_mutex_t ca_lock = PTHREAD_MUTEX_INITIALIZER;
static char *ca_set; /* the file libgit2 holds; NULL: none yet */

static void set_ca(const char *file)
{
	pthread_mutex_lock(&ca_lock);
	if (!ca_set) {
		if (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file,
				     NULL) < 0)
			wot_log(WOT_LOG_WARNING, "sync", "ca-file %s: %s", file,
				git_error_last() ? git_error_last()->message
						 : "unusable");
		ca_set = strdup(file);
	} else if (strcmp(ca_set, file)) {
		wot_log(WOT_LOG_WARNING, "sync",
			"ca-file %s not used: this process trusts %s (libgit2 "
			"holds one CA setting per process)",
			file, ca_set);
	}
	pthread_mutex_unlock(&ca_lock);
}

void wot_transport_setup(const wot_config *cfg)
{
	if (cfg->ca_file)
		set_ca(cfg->ca_file);
}

static int credentials(git_credential **out, const char *url,
		       const char *user_from_url, unsigned int allowed,
		       void *payload)
{
	wot_transport *t = payload;
	const char *user =
	    user_from_url && *user_from_url ? user_from_url : "git";

	(void)url;
	if (++t->cred_tries > 1)
		return GIT_EAUTH; /* the one key we have was refused */
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user);
	if (!(allowed & GIT_CREDENTIAL_SSH_KEY))
		return GIT_PASSTHROUGH;
	if (t->ssh_key)
		return git_credential_ssh_key_new(out, user, NULL, t->ssh_key,
						  NULL);
	return git_credential_ssh_key_from_agent(out, user);
}

static int transfer(const git_indexer_progress *st, void *payload)
{
	wot_transport *t = payload;

	return t->progress ? t->progress(st, t->payload) : 0;
}

void wot_transport_init(wot_transport *t, const wot_transport_opts *o)
{
	*t = (wot_transport){.ssh_key = o->cfg->ssh_key,
			     .progress = o->progress,
			     .payload = o->payload};
}

void wot_transport_callbacks(git_remote_callbacks *cb, wot_transport *t)
{
	t->cred_tries = 0;
	cb->credentials = credentials;
	cb->transfer_progress = transfer;
	cb->payload = t;
}

int wot_transport_fetch(git_repository *repo, const wot_transport_opts *o)
{
	char *specs[] = {(char *)o->refspec};
	git_strarray refspecs = {specs, 1};
	wot_transport t;
	git_fetch_options fo;
	git_remote_create_options ro;
	git_remote *remote = NULL;
	int gerr;

	wot_transport_setup(o->cfg);
	wot_transport_init(&t, o);
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	wot_transport_callbacks(&fo.callbacks, &t);
	fo.prune = GIT_FETCH_PRUNE;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	/* Nothing reads FETCH_HEAD: not writing it saves a file per source. */
	fo.update_fetchhead = 0;
	/* The URL means what it says: no insteadOf rewriting from any git
	 * config (it also avoids a libgit2 1.5 leak in that lookup). */
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = repo;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
	gerr = git_remote_create_with_opts(&remote, o->url, &ro);
	if (!gerr)
		gerr = git_remote_fetch(remote, &refspecs, &fo, NULL);
	git_remote_free(remote);
	return gerr ? wot_git_error(WOT_ENET, gerr, o->url) : 0;
}
