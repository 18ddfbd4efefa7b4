/* test_keyring.c - the GPGME adapter on a real temporary keyring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trust/trust.h"
#include "util/util.h"

typedef struct {
	char dir[256];
	char alice[WOT_FPR_MAX], bob[WOT_FPR_MAX];
	wot_trust *t;
} fixture;

static char *fixture_path(const char *name)
{
	const char *src = getenv("WOT_SOURCE_DIR");
	return wot_strdup_printf("%s/keyrings/%s", src ? src : ".", name);
}

static void read_fpr(const char *name, char out[WOT_FPR_MAX])
{
	char *p = fixture_path(name), *text = NULL;

	assert_int_equal(wot_file_read(p, 4096, &text, NULL), 0);
	snprintf(out, WOT_FPR_MAX, "%.40s", text);
	free(text);
	free(p);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	char *cmd, *sec = fixture_path("test-alice.secret.asc"),
		   *bob = fixture_path("test-bob.public.asc");

	snprintf(f->dir, sizeof(f->dir), "/tmp/wot-keyring-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	read_fpr("test-alice.fpr", f->alice);
	read_fpr("test-bob.fpr", f->bob);
	/* The fixture's secret key enters the test keyring with gpg itself;
	 * wotdns never imports secret keys. */
	cmd = wot_strdup_printf("gpg --homedir %s --batch --quiet --import %s "
				"%s 2>/dev/null && echo %s:6: | gpg --homedir "
				"%s --batch --quiet --import-ownertrust",
				f->dir, sec, bob, f->alice, f->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(sec);
	free(bob);
	assert_int_equal(wot_trust_open(&f->t, f->dir), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char *cmd = wot_strdup_printf(
	    "gpgconf --homedir %s --kill all 2>/dev/null", f->dir);

	wot_trust_free(f->t);
	if (system(cmd) != 0)
		fprintf(stderr, "gpgconf failed\n");
	free(cmd);
	wot_rmtree(f->dir);
	free(f);
	return 0;
}

static void keyring_sign_verify(void **state)
{
	fixture *f = *state;
	const char data[] = "tree 0123\nauthor a\n\nmsg\n";
	char *sig = NULL;
	wot_sig_result r;

	assert_int_equal(
	    wot_trust_sign(f->t, f->alice, data, strlen(data), &sig), 0);
	assert_non_null(strstr(sig, "BEGIN PGP SIGNATURE"));
	assert_int_equal(
	    wot_trust_verify(f->t, sig, strlen(sig), data, strlen(data), &r),
	    0);
	assert_true(r.good);
	assert_string_equal(r.signer, f->alice);
	/* one changed byte */
	assert_int_equal(
	    wot_trust_verify(f->t, sig, strlen(sig), "tree 0124", 9, &r), 0);
	assert_false(r.good);
	assert_string_equal(r.reason, "bad signature");
	/* garbage as signature */
	assert_int_equal(
	    wot_trust_verify(f->t, "junk", 4, data, strlen(data), &r), 0);
	assert_false(r.good);
	free(sig);
}

static void keyring_sign_needs_secret(void **state)
{
	fixture *f = *state;
	char *sig = NULL;

	assert_int_equal(wot_trust_sign(f->t, f->bob, "x", 1, &sig),
			 WOT_ENOENT);
	assert_null(sig);
}

static void keyring_validity_and_ownertrust(void **state)
{
	fixture *f = *state;
	wot_key_info k;

	assert_int_equal(wot_trust_key_info(f->t, f->alice, &k), 0);
	assert_int_equal(k.validity, WOT_VALIDITY_ULTIMATE);
	assert_int_equal(wot_trust_key_info(f->t, f->bob, &k), 0);
	assert_true(k.validity < WOT_VALIDITY_FULL);
	/* certified by the ultimately trusted key: bob becomes valid */
	assert_int_equal(wot_trust_certify(f->t, f->alice, f->bob), 0);
	assert_int_equal(wot_trust_certify(f->t, f->alice, f->bob), 0);
	assert_int_equal(wot_trust_key_info(f->t, f->bob, &k), 0);
	assert_int_equal(k.validity, WOT_VALIDITY_FULL);
	assert_int_equal(
	    wot_trust_set_ownertrust(f->t, f->bob, WOT_OWNERTRUST_MARGINAL), 0);
	assert_int_equal(wot_trust_key_info(f->t, f->bob, &k), 0);
	assert_int_equal(k.ownertrust, WOT_OWNERTRUST_MARGINAL);
}

static void keyring_levels_and_certified_by(void **state)
{
	fixture *f = *state;
	wot_key_info *keys = NULL;
	char **fprs = NULL;
	size_t n = 0, nf = 0;

	assert_int_equal(wot_trust_certify(f->t, f->alice, f->bob), 0);
	assert_int_equal(wot_trust_list(f->t, &keys, &n), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(keys[i].level,
				 strcmp(keys[i].fpr, f->alice) ? 1 : 0);
	free(keys);
	assert_int_equal(wot_trust_certified_by(f->t, f->alice, &fprs, &nf), 0);
	assert_int_equal(nf, 1);
	assert_string_equal(fprs[0], f->bob);
	wot_trust_strv_free(fprs, nf);
}

static void keyring_import_refuses_secret(void **state)
{
	fixture *f = *state;
	char *p = fixture_path("test-alice.secret.asc"), *text = NULL;
	size_t len = 0;

	assert_int_equal(wot_file_read(p, 1 << 20, &text, &len), 0);
	assert_int_equal(wot_trust_import(f->t, text, len, NULL), WOT_EINVAL);
	assert_int_equal(wot_trust_import(f->t, "hello", 5, NULL), WOT_EINVAL);
	free(text);
	free(p);
}

static void keyring_export_import(void **state)
{
	fixture *f = *state;
	char *out = NULL;
	size_t len = 0;
	int count = 0;

	assert_int_equal(wot_trust_export(f->t, f->bob, &out, &len), 0);
	assert_non_null(strstr(out, "BEGIN PGP PUBLIC KEY BLOCK"));
	assert_int_equal(wot_trust_import(f->t, out, len, &count), 0);
	assert_int_equal(count, 1);
	free(out);
	assert_int_equal(wot_trust_export(f->t,
					  "0000000000000000000000000000"
					  "000000000000",
					  &out, &len),
			 WOT_ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(keyring_sign_verify, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(keyring_sign_needs_secret, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(keyring_validity_and_ownertrust,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(keyring_levels_and_certified_by,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(keyring_import_refuses_secret,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(keyring_export_import, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
