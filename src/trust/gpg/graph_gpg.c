/* graph_gpg.c - filling the trust core from a keyring through GPGME. */
#include "trust/graph.h"
#include "trust/gpg/gpg_int.h"

#include <stdlib.h>
#include <string.h>

static wot_ownertrust map_ownertrust(gpgme_validity_t v)
{
	switch (v) {
	case GPGME_VALIDITY_NEVER:
		return WOT_OWNERTRUST_NONE;
	case GPGME_VALIDITY_MARGINAL:
		return WOT_OWNERTRUST_MARGINAL;
	case GPGME_VALIDITY_FULL:
		return WOT_OWNERTRUST_FULL;
	case GPGME_VALIDITY_ULTIMATE:
		return WOT_OWNERTRUST_ULTIMATE;
	default:
		return WOT_OWNERTRUST_UNKNOWN;
	}
}

/* Every key with its signatures, checked by gpg (--check-sigs). */
int wot_trust_list_checked(wot_trust *t, gpgme_key_t **keys, size_t *n)
{
	gpgme_key_t key = NULL, *arr = NULL, *tmp;
	gpgme_error_t err;
	size_t cnt = 0, cap = 0;

	gpgme_set_keylist_mode(t->ctx, GPGME_KEYLIST_MODE_LOCAL |
					   GPGME_KEYLIST_MODE_SIGS |
					   GPGME_KEYLIST_MODE_VALIDATE);
	err = gpgme_op_keylist_start(t->ctx, NULL, 0);
	while (!err && !(err = gpgme_op_keylist_next(t->ctx, &key))) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(tmp = realloc(arr, cap * sizeof(*arr)))) {
				gpgme_key_unref(key);
				err = gpg_error(GPG_ERR_ENOMEM);
				break;
			}
			arr = tmp;
		}
		arr[cnt++] = key;
	}
	gpgme_op_keylist_end(t->ctx);
	gpgme_set_keylist_mode(t->ctx, GPGME_KEYLIST_MODE_LOCAL);
	if (err && gpgme_err_code(err) != GPG_ERR_EOF) {
		while (cnt)
			gpgme_key_unref(arr[--cnt]);
		free(arr);
		return wot_trust_gpg_error(WOT_EGPG, err, "key listing");
	}
	*keys = arr;
	*n = cnt;
	return 0;
}

/* A later revocation by the same signer on the same user id (gpg lets a
 * certification stand against a revocation made in the same second). */
static int revoked_later(gpgme_user_id_t u, gpgme_key_sig_t s)
{
	for (gpgme_key_sig_t r = u->signatures; r; r = r->next)
		if (r->revoked && !strcmp(r->keyid, s->keyid) &&
		    r->timestamp > s->timestamp)
			return 1;
	return 0;
}

static int add_certs(wot_graph *g, wot_map *bykeyid, gpgme_key_t key,
		     uint32_t target)
{
	uint32_t uid = 0;
	int rc = 0;

	for (gpgme_user_id_t u = key->uids; u && rc == 0; u = u->next, uid++) {
		if (u->revoked || u->invalid)
			continue;
		for (gpgme_key_sig_t s = u->signatures; s && rc == 0;
		     s = s->next) {
			uintptr_t signer =
			    (uintptr_t)wot_map_get(bykeyid, s->keyid);
			/* only good certifications by keys we hold */
			if (!signer || s->revoked || s->invalid || s->status)
				continue;
			rc = wot_graph_add_cert(
			    g, (uint32_t)(signer - 1), target, uid,
			    s->expired ? 1 : s->expires, revoked_later(u, s));
		}
	}
	return rc;
}

static uint32_t count_uids(gpgme_key_t key)
{
	uint32_t n = 0;

	for (gpgme_user_id_t u = key->uids; u; u = u->next)
		n++;
	return n;
}

int wot_graph_from_keys(gpgme_key_t *keys, size_t n, wot_graph **out)
{
	wot_map *bykeyid = NULL;
	wot_graph *g = NULL;
	int rc;

	*out = NULL;
	if ((rc = wot_graph_new(&g)) < 0 || (rc = wot_map_new(&bykeyid)) < 0)
		goto out;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		gpgme_subkey_t pk = keys[i]->subkeys;
		rc = wot_graph_add_key(
		    g, pk->fpr, map_ownertrust(keys[i]->owner_trust),
		    keys[i]->revoked, keys[i]->expired ? 1 : pk->expires,
		    count_uids(keys[i]), NULL);
		if (rc == 0)
			rc = wot_map_put(bykeyid, pk->keyid,
					 (void *)(uintptr_t)(i + 1), NULL);
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = add_certs(g, bykeyid, keys[i], (uint32_t)i);
	if (rc == 0) {
		*out = g;
		g = NULL;
	}
out:
	wot_map_free(bykeyid, NULL);
	wot_graph_free(g);
	return rc;
}

int wot_graph_load(wot_trust *t, wot_graph **out)
{
	gpgme_key_t *keys = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = wot_trust_list_checked(t, &keys, &n)) < 0)
		return rc;
	rc = wot_graph_from_keys(keys, n, out);
	for (size_t i = 0; i < n; i++)
		gpgme_key_unref(keys[i]);
	free(keys);
	return rc;
}
