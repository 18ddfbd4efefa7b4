/*
 * test_homes_two.c - two homes in one process keep their sync settings
 * apart: each fetch offers its own home's [sync] ssh-key, each home holds
 * its own public suffix list and its own reference of libgit2, so freeing
 * one leaves the other working.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sync/git/git.h"
#include "sync/sync.h"
#include "util/util.h"

#include <git2/sys/credential.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FPR_A "ED7E2CEE70A0E8B8200BBE0D0CDAF9DF1E081C20"

/* A home in a new directory whose config has extra after the identity. */
static wot_home *home_with(const char *extra)
{
	char tmpl[] = "/tmp/wot-homes-two.XXXXXX", *cfg, *text;
	wot_home *h = NULL;

	assert_non_null(mkdtemp(tmpl));
	cfg = wot_path_join(tmpl, "config");
	text = wot_strdup_printf("[identity]\nkey = " FPR_A "\n%s", extra);
	assert_int_equal(wot_file_write_atomic(cfg, text, strlen(text)), 0);
	free(cfg);
	free(text);
	assert_int_equal(wot_home_open(&h, tmpl), 0);
	return h;
}

static void home_gone(wot_home *h)
{
	char *dir = strdup(wot_home_dir(h));

	wot_home_free(h);
	wot_rmtree(dir);
	free(dir);
}

/* The private key file the credentials callback of a fetch for h offers
 * for ssh:// (NULL: the agent's key), into out. */
static void offered_key(wot_home *h, char *out, size_t cap)
{
	wot_transport_opts o = {.cfg = wot_home_config(h),
				.url = "ssh://git@127.0.0.1/x.git",
				.refspec = "+refs/heads/*:refs/x/*"};
	git_remote_callbacks cb;
	git_credential *cred = NULL;
	const char *key;
	wot_transport t;

	git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
	wot_transport_init(&t, &o);
	wot_transport_callbacks(&cb, &t);
	assert_ptr_equal(cb.payload, &t);
	assert_int_equal(cb.credentials(&cred, o.url, "git",
					GIT_CREDENTIAL_SSH_KEY, cb.payload),
			 0);
	assert_non_null(cred);
	assert_int_equal(cred->credtype, GIT_CREDENTIAL_SSH_KEY);
	key = ((git_credential_ssh_key *)cred)->privatekey;
	/* The agent's key is one without a file. */
	snprintf(out, cap, "%s", key ? key : "(agent)");
	git_credential_free(cred);
	/* One key per fetch: asked again, the fetch gives up. */
	assert_int_equal(cb.credentials(&cred, o.url, "git",
					GIT_CREDENTIAL_SSH_KEY, cb.payload),
			 GIT_EAUTH);
}

static void homes_two_ssh_keys(void **state)
{
	wot_home *a = home_with("[sync]\nssh-key = /keys/a_ed25519\n");
	wot_home *b = home_with("[sync]\nssh-key = /keys/b_ed25519\n");
	wot_home *c = home_with("");
	char key[256];

	(void)state;
	/* Fetches set up for A, then B, then none, then A again: each
	 * offers its own home's key, whichever came first. */
	offered_key(a, key, sizeof(key));
	assert_string_equal(key, "/keys/a_ed25519");
	offered_key(b, key, sizeof(key));
	assert_string_equal(key, "/keys/b_ed25519");
	offered_key(c, key, sizeof(key));
	assert_string_equal(key, "(agent)");
	offered_key(a, key, sizeof(key));
	assert_string_equal(key, "/keys/a_ed25519");
	home_gone(a);
	offered_key(b, key, sizeof(key));
	assert_string_equal(key, "/keys/b_ed25519");
	home_gone(b);
	home_gone(c);
}

static void homes_two_tlds(void **state)
{
	wot_home *a = home_with(""), *b = home_with("");

	(void)state;
	assert_int_equal(wot_home_tld_public(a, "com"), 1);
	assert_int_equal(wot_home_tld_public(a, "wot"), 0);
	/* A's list goes with A; B reads and keeps its own. */
	home_gone(a);
	assert_int_equal(wot_home_tld_public(b, "wot"), 0);
	assert_int_equal(wot_home_tld_public(b, "xn--p1ai"), 1);
	assert_int_equal(wot_home_tld_public(b, "org"), 1);
	home_gone(b);
}

/* libgit2's init count, without changing it. */
static int git_refs(void)
{
	int n = git_libgit2_init();

	git_libgit2_shutdown();
	return n - 1;
}

static void homes_two_libgit2(void **state)
{
	int base = git_refs();
	wot_home *a = home_with(""), *b = home_with("");
	git_repository *repo = NULL;

	(void)state;
	assert_int_equal(git_refs(), base + 2);
	home_gone(a);
	assert_int_equal(git_refs(), base + 1);
	/* B's libgit2 still works once A is gone. */
	assert_int_equal(wot_sync_open_mirror(b, "src", &repo), 0);
	assert_true(git_repository_is_bare(repo));
	git_repository_free(repo);
	home_gone(b);
	assert_int_equal(git_refs(), base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(homes_two_ssh_keys),
	    cmocka_unit_test(homes_two_tlds),
	    cmocka_unit_test(homes_two_libgit2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
