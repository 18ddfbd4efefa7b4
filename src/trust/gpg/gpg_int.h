/* trust_int.h - internals shared by the GPGME adapter files. */
#ifndef WOT_TRUST_INT_H
#define WOT_TRUST_INT_H

#include "trust/trust.h"
#include "util/util.h"

#include <gpgme.h>

#include "trust/graph.h"

struct wot_trust {
	gpgme_ctx_t ctx;
	char *home;
	wot_graph_params params; /* for the trust core */
	/* The last signing key mapped to its primary (verify looks it up
	 * per commit; a lookup costs two gpg processes). */
	char last_sub[WOT_FPR_MAX], last_primary[WOT_FPR_MAX];
};

/* Record a GPGME failure as the last error; returns code. */
int wot_trust_gpg_error(int code, gpgme_error_t err, const char *what);
/* Fresh context on the same home (for operations that change modes). */
int wot_trust_ctx(wot_trust *t, gpgme_ctx_t *out);
/* Look up a public key by fingerprint with the given keylist mode. */
int wot_trust_get_key(wot_trust *t, const char *fpr, int secret,
		      gpgme_key_t *out);
wot_validity wot_trust_map_validity(gpgme_validity_t v);

/* Every public key with certifications (KEYLIST_MODE_SIGS); free each key
 * with gpgme_key_unref and the array with free(). */
int wot_trust_list_keys(wot_trust *t, gpgme_key_t **keys, size_t *n);
/* Every key with signatures checked by gpg (--check-sigs). */
int wot_trust_list_checked(wot_trust *t, gpgme_key_t **keys, size_t *n);
/* The trust core's graph of already listed keys (certifications must have
 * been checked). Caller frees *out. */
int wot_graph_from_keys(gpgme_key_t *keys, size_t n, wot_graph **out);

/* Key facts without level (level = -1). */
void wot_trust_fill_info(gpgme_key_t key, wot_key_info *out);
/* True if sig is a live certification (not revoked, expired or invalid). */
int wot_trust_sig_live(gpgme_user_id_t uid, gpgme_key_sig_t sig);

#endif
