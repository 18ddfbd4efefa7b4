/* sign.c - detached signatures over commit buffers. */
#include "trust/gpg/gpg_int.h"

#include <stdlib.h>
#include <string.h>

static int data_to_string(gpgme_data_t d, char **out, size_t *len)
{
	size_t n = 0;
	char *mem = gpgme_data_release_and_get_mem(d, &n);
	char *s = malloc(n + 1);

	if (!s) {
		gpgme_free(mem);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	if (n)
		memcpy(s, mem, n);
	s[n] = '\0';
	gpgme_free(mem);
	*out = s;
	if (len)
		*len = n;
	return 0;
}

/* Why no subkey of key can sign, in words (gpg itself says only "Unusable
 * secret key" or "General error"); NULL when one could. */
static const char *unusable_why(gpgme_key_t key)
{
	const char *why = "it has no signing subkey";

	if (key->revoked)
		return "it is revoked";
	if (key->expired)
		return "it has expired";
	if (key->disabled)
		return "it is disabled";
	for (gpgme_subkey_t k = key->subkeys; k; k = k->next) {
		if (!k->can_sign)
			continue;
		if (k->revoked)
			why = "its signing subkey is revoked";
		else if (k->expired)
			why = "its signing subkey has expired";
		else if (!k->secret)
			why = "the secret part of its signing subkey is not "
			      "in the keyring";
		else
			return NULL;
	}
	return why;
}

static int sign_error(gpgme_key_t key, const char *fpr, gpgme_error_t err)
{
	const char *why = unusable_why(key);

	if (!why)
		return wot_trust_gpg_error(WOT_EGPG, err, "signing");
	return wot_error_set(WOT_EGPG,
			     "cannot sign with key %s: %s (gpg: %s); set "
			     "[identity] key in the config to a usable key",
			     fpr, why, gpgme_strerror(err));
}

int wot_trust_sign(wot_trust *t, const char *signer_fpr, const void *data,
		   size_t len, char **sig)
{
	gpgme_data_t in = NULL, out = NULL;
	gpgme_key_t key = NULL;
	gpgme_error_t err;
	int rc;

	*sig = NULL;
	if ((rc = wot_trust_get_key(t, signer_fpr, 1, &key)) < 0)
		return rc;
	gpgme_signers_clear(t->ctx);
	err = gpgme_signers_add(t->ctx, key);
	if (!err)
		err = gpgme_data_new_from_mem(&in, data, len, 0);
	if (!err)
		err = gpgme_data_new(&out);
	if (!err)
		err = gpgme_op_sign(t->ctx, in, out, GPGME_SIG_MODE_DETACH);
	gpgme_signers_clear(t->ctx);
	gpgme_data_release(in);
	if (err) {
		gpgme_data_release(out);
		rc = sign_error(key, signer_fpr, err);
		gpgme_key_unref(key);
		return rc;
	}
	gpgme_key_unref(key);
	return data_to_string(out, sig, NULL);
}

static void explain(wot_sig_result *out, gpgme_signature_t s)
{
	const char *why;

	switch (gpgme_err_code(s->status)) {
	case GPG_ERR_NO_PUBKEY:
		why = "signer's key is not in the keyring";
		break;
	case GPG_ERR_BAD_SIGNATURE:
		why = "bad signature";
		break;
	case GPG_ERR_KEY_EXPIRED:
		why = "signer's key has expired";
		break;
	case GPG_ERR_CERT_REVOKED:
		why = "signer's key is revoked";
		break;
	case GPG_ERR_SIG_EXPIRED:
		why = "signature has expired";
		break;
	default:
		why = gpgme_strerror(s->status);
	}
	snprintf(out->reason, sizeof(out->reason), "%s", why);
}

/* Map a signing (sub)key fingerprint to the primary key's. */
static void primary_of(wot_trust *t, const char *fpr, char *out)
{
	gpgme_key_t key = NULL;

	snprintf(out, WOT_FPR_MAX, "%s", fpr ? fpr : "");
	/* A fingerprint names one key for good, so the mapping of a
	 * subkey to its primary never changes (validity is not cached). */
	if (fpr && *fpr && !strcmp(fpr, t->last_sub)) {
		snprintf(out, WOT_FPR_MAX, "%s", t->last_primary);
		return;
	}
	if (fpr && wot_trust_get_key(t, fpr, 0, &key) == 0) {
		snprintf(out, WOT_FPR_MAX, "%s", key->subkeys->fpr);
		snprintf(t->last_sub, sizeof(t->last_sub), "%s", fpr);
		snprintf(t->last_primary, sizeof(t->last_primary), "%s", out);
		gpgme_key_unref(key);
	}
	wot_error_clear();
}

int wot_trust_verify(wot_trust *t, const char *sig, size_t siglen,
		     const void *data, size_t len, wot_sig_result *out)
{
	gpgme_data_t dsig = NULL, dtext = NULL;
	gpgme_verify_result_t res;
	gpgme_signature_t s;
	gpgme_error_t err;

	memset(out, 0, sizeof(*out));
	err = gpgme_data_new_from_mem(&dsig, sig, siglen, 0);
	if (!err)
		err = gpgme_data_new_from_mem(&dtext, data, len, 0);
	if (!err)
		err = gpgme_op_verify(t->ctx, dsig, dtext, NULL);
	gpgme_data_release(dsig);
	gpgme_data_release(dtext);
	if (err && gpgme_err_code(err) != GPG_ERR_NO_DATA &&
	    gpgme_err_code(err) != GPG_ERR_BAD_DATA)
		return wot_trust_gpg_error(WOT_EGPG, err, "verification");
	res = gpgme_op_verify_result(t->ctx);
	s = res ? res->signatures : NULL;
	if (err || !s) {
		snprintf(out->reason, sizeof(out->reason),
			 "not an OpenPGP signature");
		return 0;
	}
	if (s->next) {
		snprintf(out->reason, sizeof(out->reason),
			 "more than one signature");
		return 0;
	}
	primary_of(t, s->fpr, out->signer);
	out->known = gpgme_err_code(s->status) != GPG_ERR_NO_PUBKEY;
	if (s->status ||
	    (s->summary & (GPGME_SIGSUM_KEY_REVOKED | GPGME_SIGSUM_KEY_EXPIRED |
			   GPGME_SIGSUM_SIG_EXPIRED | GPGME_SIGSUM_RED))) {
		explain(out, s);
		if (!s->status)
			snprintf(out->reason, sizeof(out->reason),
				 "signer's key is revoked or expired");
		return 0;
	}
	out->good = 1;
	return 0;
}
