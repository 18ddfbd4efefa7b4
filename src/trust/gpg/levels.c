/* levels.c - WoT level (certification distance) and certification queries. */
#include "trust/gpg/gpg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int wot_trust_sig_live(gpgme_user_id_t uid, gpgme_key_sig_t sig)
{
	if (sig->revoked || sig->expired || sig->invalid || sig->status)
		return 0;
	/* A later revocation by the same signer cancels the certification. */
	for (gpgme_key_sig_t s = uid->signatures; s; s = s->next)
		if (s->revoked && !strcmp(s->keyid, sig->keyid))
			return 0;
	return 1;
}

static int certified_by(gpgme_key_t key, const char *keyid)
{
	for (gpgme_user_id_t u = key->uids; u; u = u->next) {
		if (u->revoked)
			continue;
		for (gpgme_key_sig_t s = u->signatures; s; s = s->next)
			if (!strcmp(s->keyid, keyid) &&
			    wot_trust_sig_live(u, s) &&
			    strcmp(key->subkeys->keyid, keyid))
				return 1;
	}
	return 0;
}

/* The earliest expiry after now of any key, subkey or certification in
 * keys (INT64_MAX when none): until then the listing only changes with
 * the keyring files. */
static int64_t next_expiry(gpgme_key_t *keys, size_t cnt, int64_t now)
{
	int64_t until = INT64_MAX;

	for (size_t i = 0; i < cnt; i++) {
		for (gpgme_subkey_t k = keys[i]->subkeys; k; k = k->next)
			if (k->expires > 0 && k->expires > now &&
			    k->expires < until)
				until = k->expires;
		for (gpgme_user_id_t u = keys[i]->uids; u; u = u->next)
			for (gpgme_key_sig_t s = u->signatures; s; s = s->next)
				if (s->expires > 0 && s->expires > now &&
				    s->expires < until)
					until = s->expires;
	}
	return until;
}

int wot_trust_list(wot_trust *t, wot_key_info **out, size_t *n)
{
	return wot_trust_list_until(t, out, n, NULL);
}

int wot_trust_list_until(wot_trust *t, wot_key_info **out, size_t *n,
			 int64_t *until)
{
	gpgme_key_t *keys = NULL;
	wot_key_info *info = NULL;
	wot_graph *g = NULL;
	wot_graph_params params;
	size_t cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = wot_trust_list_checked(t, &keys, &cnt)) < 0)
		return rc;
	info = calloc(cnt ? cnt : 1, sizeof(*info));
	if (!info) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	params = t->params;
	if (!params.now)
		params.now = (int64_t)time(NULL);
	if ((rc = wot_graph_from_keys(keys, cnt, &g)) < 0 ||
	    (rc = wot_graph_compute(g, &params)) < 0)
		goto out;
	for (size_t i = 0; i < cnt; i++) {
		const wot_graph_key *k = wot_graph_key_at(g, (uint32_t)i);
		wot_trust_fill_info(keys[i], &info[i]);
		info[i].validity = k->validity;
		info[i].level = k->level;
	}
	*out = info;
	*n = cnt;
	info = NULL;
	if (until)
		*until = next_expiry(keys, cnt, (int64_t)time(NULL));
out:
	wot_graph_free(g);
	for (size_t i = 0; i < cnt; i++)
		gpgme_key_unref(keys[i]);
	free(keys);
	free(info);
	return rc;
}

int wot_trust_certified_by(wot_trust *t, const char *signer_fpr, char ***out,
			   size_t *n)
{
	gpgme_key_t *keys = NULL;
	char **res = NULL;
	size_t cnt = 0, m = 0;
	long si;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = wot_trust_list_keys(t, &keys, &cnt)) < 0)
		return rc;
	res = calloc(cnt ? cnt : 1, sizeof(*res));
	if (!res) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	si = -1;
	for (size_t i = 0; i < cnt; i++)
		if (!strcmp(keys[i]->subkeys->fpr, signer_fpr))
			si = (long)i;
	for (size_t i = 0; si >= 0 && i < cnt; i++) {
		if (!certified_by(keys[i], keys[si]->subkeys->keyid))
			continue;
		if (!(res[m++] = strdup(keys[i]->subkeys->fpr))) {
			rc = wot_error_set(WOT_ENOMEM, "out of memory");
			goto out;
		}
	}
	*out = res;
	*n = m;
	res = NULL;
out:
	wot_trust_strv_free(res, m);
	for (size_t i = 0; i < cnt; i++)
		gpgme_key_unref(keys[i]);
	free(keys);
	return rc;
}

void wot_trust_strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Certifications of one key by keys in the keyring, appended to *v. */
static int key_certs(gpgme_key_t *keys, size_t nkeys, gpgme_key_t key,
		     wot_cert **v, size_t *n, size_t *cap)
{
	for (size_t j = 0; j < nkeys; j++) {
		wot_cert *nv;
		if (keys[j] == key ||
		    !certified_by(key, keys[j]->subkeys->keyid))
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			if (!(nv = realloc(*v, *cap * sizeof(*nv))))
				return wot_error_set(WOT_ENOMEM,
						     "out of memory");
			*v = nv;
		}
		snprintf((*v)[*n].signer, WOT_FPR_MAX, "%s",
			 keys[j]->subkeys->fpr);
		snprintf((*v)[*n].target, WOT_FPR_MAX, "%s", key->subkeys->fpr);
		(*n)++;
	}
	return 0;
}

int wot_trust_certs(wot_trust *t, wot_cert **out, size_t *n)
{
	gpgme_key_t *keys = NULL;
	wot_cert *v = NULL;
	size_t cnt = 0, m = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = wot_trust_list_keys(t, &keys, &cnt)) < 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < cnt; i++)
		rc = key_certs(keys, cnt, keys[i], &v, &m, &cap);
	for (size_t i = 0; i < cnt; i++)
		gpgme_key_unref(keys[i]);
	free(keys);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*out = v;
	*n = m;
	return 0;
}
