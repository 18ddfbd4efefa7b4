/* keyring.c - opening a GnuPG home through GPGME and reading keys. */
#include "trust/gpg/gpg_int.h"

#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int wot_trust_gpg_error(int code, gpgme_error_t err, const char *what)
{
	return wot_error_set(code, "%s: %s (%s)", what, gpgme_strerror(err),
			     gpgme_strsource(err));
}

/* GPGME's initialisation is the library's, once per process, before
 * any other GPGME call on any thread: no state of ours. */
static pthread_once_t gpgme_once = PTHREAD_ONCE_INIT;
static int gpgme_ok;

static void gpgme_init(void)
{
	/* gpgme_check_version initialises the library. */
	if (gpgme_check_version("1.13.0")) {
		gpgme_set_locale(NULL, LC_CTYPE, setlocale(LC_CTYPE, NULL));
		gpgme_ok = 1;
	}
}

static int gpgme_ready(void)
{
	pthread_once(&gpgme_once, gpgme_init);
	if (!gpgme_ok)
		return wot_error_set(WOT_EGPG, "GPGME too old");
	if (gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP))
		return wot_error_set(WOT_EGPG,
				     "gpg is not installed or too old");
	return 0;
}

int wot_trust_ctx(wot_trust *t, gpgme_ctx_t *out)
{
	gpgme_error_t err;
	gpgme_ctx_t ctx = NULL;

	err = gpgme_new(&ctx);
	if (!err)
		err = gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP,
						NULL, t->home);
	if (!err)
		err =
		    gpgme_set_pinentry_mode(ctx, GPGME_PINENTRY_MODE_LOOPBACK);
	if (err) {
		gpgme_release(ctx);
		return wot_trust_gpg_error(WOT_EGPG, err, "gpgme context");
	}
	gpgme_set_armor(ctx, 1);
	*out = ctx;
	return 0;
}

int wot_trust_open(wot_trust **out, const char *gnupghome)
{
	wot_trust *t = NULL;
	int rc;

	*out = NULL;
	if ((rc = gpgme_ready()) < 0)
		return rc;
	if ((rc = wot_mkdir_p(gnupghome, 0700)) < 0)
		return rc;
	t = calloc(1, sizeof(*t));
	if (!t || !(t->home = strdup(gnupghome))) {
		free(t);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	t->params = (wot_graph_params)WOT_GRAPH_PARAMS_INIT;
	if ((rc = wot_trust_ctx(t, &t->ctx)) < 0) {
		wot_trust_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void wot_trust_free(wot_trust *t)
{
	if (!t)
		return;
	gpgme_release(t->ctx);
	free(t->home);
	free(t);
}

int wot_trust_get_key(wot_trust *t, const char *fpr, int secret,
		      gpgme_key_t *out)
{
	gpgme_error_t err;

	gpgme_set_keylist_mode(t->ctx, GPGME_KEYLIST_MODE_LOCAL);
	err = gpgme_get_key(t->ctx, fpr, out, secret);
	if (gpgme_err_code(err) == GPG_ERR_EOF || (!err && !*out))
		return wot_error_set(WOT_ENOENT, "no %s key %s in keyring",
				     secret ? "secret" : "public", fpr);
	if (gpgme_err_code(err) == GPG_ERR_AMBIGUOUS_NAME)
		return wot_error_set(WOT_EINVAL, "%s matches several keys",
				     fpr);
	if (err)
		return wot_trust_gpg_error(WOT_EGPG, err, "key lookup");
	return 0;
}

int wot_trust_genkey(wot_trust *t, const char *uid, char fpr[WOT_FPR_MAX])
{
	gpgme_genkey_result_t res;
	gpgme_error_t err;
	unsigned flags = GPGME_CREATE_SIGN | GPGME_CREATE_CERT |
			 GPGME_CREATE_NOPASSWD | GPGME_CREATE_FORCE |
			 GPGME_CREATE_NOEXPIRE;

	err = gpgme_op_createkey(t->ctx, uid, "ed25519", 0, 0, NULL, flags);
	if (err)
		return wot_trust_gpg_error(WOT_EGPG, err, "key generation");
	res = gpgme_op_genkey_result(t->ctx);
	if (!res || !res->fpr)
		return wot_error_set(WOT_EGPG, "key generation gave no key");
	snprintf(fpr, WOT_FPR_MAX, "%s", res->fpr);
	return 0;
}

int wot_trust_find_key(wot_trust *t, const char *pattern, int need_secret,
		       char fpr[WOT_FPR_MAX])
{
	gpgme_key_t key = NULL, extra = NULL;
	gpgme_error_t err;
	int rc = 0;

	gpgme_set_keylist_mode(t->ctx, GPGME_KEYLIST_MODE_LOCAL);
	err = gpgme_op_keylist_start(t->ctx, pattern, need_secret);
	if (!err)
		err = gpgme_op_keylist_next(t->ctx, &key);
	if (gpgme_err_code(err) == GPG_ERR_EOF)
		return wot_error_set(WOT_ENOENT, "no %skey matches '%s'",
				     need_secret ? "secret " : "", pattern);
	if (err)
		return wot_trust_gpg_error(WOT_EGPG, err, "key lookup");
	if (!gpgme_op_keylist_next(t->ctx, &extra)) {
		rc = wot_error_set(WOT_EINVAL, "'%s' matches several keys",
				   pattern);
		gpgme_key_unref(extra);
	} else {
		snprintf(fpr, WOT_FPR_MAX, "%s", key->subkeys->fpr);
	}
	gpgme_op_keylist_end(t->ctx);
	gpgme_key_unref(key);
	return rc;
}

wot_validity wot_trust_map_validity(gpgme_validity_t v)
{
	switch (v) {
	case GPGME_VALIDITY_NEVER:
		return WOT_VALIDITY_NEVER;
	case GPGME_VALIDITY_MARGINAL:
		return WOT_VALIDITY_MARGINAL;
	case GPGME_VALIDITY_FULL:
		return WOT_VALIDITY_FULL;
	case GPGME_VALIDITY_ULTIMATE:
		return WOT_VALIDITY_ULTIMATE;
	default:
		return WOT_VALIDITY_UNKNOWN;
	}
}

void wot_trust_fill_info(gpgme_key_t key, wot_key_info *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->fpr, sizeof(out->fpr), "%s", key->subkeys->fpr);
	if (key->uids && key->uids->uid)
		snprintf(out->uid, sizeof(out->uid), "%s", key->uids->uid);
	/* A key is as valid as its most valid user id (gpg's rule). */
	for (gpgme_user_id_t u = key->uids; u; u = u->next) {
		wot_validity v = wot_trust_map_validity(u->validity);
		if (!u->revoked && !u->invalid && v > out->validity)
			out->validity = v;
	}
	out->ownertrust =
	    (wot_ownertrust)(key->owner_trust <= GPGME_VALIDITY_UNDEFINED
				 ? 0
				 : key->owner_trust - 1);
	out->revoked = key->revoked;
	out->expired = key->expired;
	out->disabled = key->disabled;
	out->invalid = key->invalid;
	out->has_secret = key->secret;
	if (key->revoked || key->expired || key->disabled || key->invalid)
		out->validity = WOT_VALIDITY_NEVER;
	out->level = -1;
}

int wot_trust_key_info(wot_trust *t, const char *fpr, wot_key_info *out)
{
	gpgme_key_t key = NULL;
	int rc = wot_trust_get_key(t, fpr, 0, &key);

	if (rc < 0)
		return rc;
	wot_trust_fill_info(key, out);
	gpgme_key_unref(key);
	return 0;
}

int wot_trust_list_keys(wot_trust *t, gpgme_key_t **keys, size_t *n)
{
	/* Certifications are only ever looked at after gpg checked them. */
	return wot_trust_list_checked(t, keys, n);
}

void wot_trust_set_model(wot_trust *t, unsigned completes_needed,
			 unsigned marginals_needed, unsigned max_cert_depth)
{
	if (completes_needed)
		t->params.completes_needed = completes_needed;
	if (marginals_needed)
		t->params.marginals_needed = marginals_needed;
	if (max_cert_depth)
		t->params.max_cert_depth = max_cert_depth;
}
