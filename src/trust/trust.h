/*
 * trust.h - keys, validity, WoT levels, weights and claim acceptance.
 *
 * Two halves: a keyring adapter over GPGME (wot_trust_*: one handle per thread,
 * all OpenPGP work goes through gpg) and a pure claim engine
 * (wot_trust_accept) that decides which overlay records are served.
 */
#ifndef WOT_TRUST_H
#define WOT_TRUST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define WOT_FPR_MAX 65 /* 64 hex digits (v5) + NUL */

/* Key validity, ordered: anything below FULL does not let a claim count. */
typedef enum {
	WOT_VALIDITY_UNKNOWN = 0,
	WOT_VALIDITY_NEVER = 1,
	WOT_VALIDITY_MARGINAL = 2,
	WOT_VALIDITY_FULL = 3,
	WOT_VALIDITY_ULTIMATE = 4,
} wot_validity;

/* Ownertrust as set by the user (never imported). */
typedef enum {
	WOT_OWNERTRUST_UNKNOWN = 0,
	WOT_OWNERTRUST_NONE = 1,
	WOT_OWNERTRUST_MARGINAL = 2,
	WOT_OWNERTRUST_FULL = 3,
	WOT_OWNERTRUST_ULTIMATE = 4,
} wot_ownertrust;

const char *wot_validity_name(wot_validity v);
const char *wot_ownertrust_name(wot_ownertrust t);
/* Parse "none", "marginal", "full" (and "unknown", "ultimate"). */
int wot_ownertrust_parse(const char *s, wot_ownertrust *out);

typedef struct wot_trust wot_trust;

/*
 * Open the keyring in gnupghome (created 0700 if missing). One handle per
 * thread. Caller frees with wot_trust_free().
 */
int wot_trust_open(wot_trust **out, const char *gnupghome);
void wot_trust_free(wot_trust *t);

/* Generate an ed25519 sign+certify key without passphrase for uid. */
int wot_trust_genkey(wot_trust *t, const char *uid, char fpr[WOT_FPR_MAX]);
/* Resolve a fingerprint, key id or user id to the primary fingerprint;
 * need_secret requires the secret key to be in this keyring. */
int wot_trust_find_key(wot_trust *t, const char *pattern, int need_secret,
		       char fpr[WOT_FPR_MAX]);

typedef struct {
	char fpr[WOT_FPR_MAX];
	char uid[256];
	wot_validity validity;
	wot_ownertrust ownertrust;
	int revoked, expired, disabled, invalid, has_secret;
	int level; /* WoT distance: 0 own key, 1 friend, ...; -1 unreachable */
} wot_key_info;

/* Facts about one key (level filled by wot_trust_levels, else -1). */
int wot_trust_key_info(wot_trust *t, const char *fpr, wot_key_info *out);

/*
 * Every public key in the keyring with validity and WoT level. *out is an
 * array of *n entries; caller frees with free().
 */
int wot_trust_list(wot_trust *t, wot_key_info **out, size_t *n);

/* Detached armored signature over data by signer_fpr; caller frees *sig. */
int wot_trust_sign(wot_trust *t, const char *signer_fpr, const void *data,
		   size_t len, char **sig);

typedef struct {
	char signer[WOT_FPR_MAX]; /* primary fingerprint of the signer */
	int good;		  /* cryptographically good, key usable now */
	char reason[128];	  /* why not good */
} wot_sig_result;

/* Verify a detached signature. Returns 0 when the check ran (see
 * out->good); a negative code only when it could not run. */
int wot_trust_verify(wot_trust *t, const char *sig, size_t siglen,
		     const void *data, size_t len, wot_sig_result *out);

/*
 * Import public keys (armored) with their certifications; ownertrust is never
 * imported. Secret key material is refused. *count gets the number of keys
 * seen (may be NULL).
 */
int wot_trust_import(wot_trust *t, const char *armored, size_t len, int *count);
/* Export fpr's public key armored with its exportable certifications. */
int wot_trust_export(wot_trust *t, const char *fpr, char **out, size_t *len);

/* Certify target's user ids with signer's key (exportable); an existing
 * certification is not an error. */
int wot_trust_certify(wot_trust *t, const char *signer_fpr,
		      const char *target_fpr);
/* Set ownertrust of fpr. */
int wot_trust_set_ownertrust(wot_trust *t, const char *fpr,
			     wot_ownertrust level);
/*
 * Fingerprints of keys carrying a valid exportable certification by signer.
 * *out: array of *n strings; free with wot_trust_strv_free(*out, *n).
 */
int wot_trust_certified_by(wot_trust *t, const char *signer_fpr, char ***out,
			   size_t *n);
void wot_trust_strv_free(char **v, size_t n);

/* ---- claim engine (pure: no I/O) ---- */

/* One owner name claimed by one source at one verified commit. */
typedef struct {
	const char *name;   /* lowercase, absolute ("alice.wot.") */
	const char *source; /* source name */
	const char *signer; /* pinned owner fingerprint of the source */
	const char *commit; /* verified commit id */
	int64_t since;	    /* when this source first published the name */
	wot_validity validity;
	int level;
	/* out: */
	int accepted;
	const char *reason; /* static text, set when not accepted */
	const char *winner; /* fingerprint that holds the name, if a conflict */
} wot_claim;

/* Name ownership history (first valid claim wins, kept in state/). */
typedef struct wot_owners wot_owners;
int wot_owners_new(wot_owners **out);
void wot_owners_free(wot_owners *o);
/* Owner of name itself (not ancestors), or NULL. Borrowed. */
const char *wot_owners_get(const wot_owners *o, const char *name);
int wot_owners_set(wot_owners *o, const char *name, const char *fpr,
		   int64_t since);
/* Serialise to / parse from JSON text (caller frees *json). */
int wot_owners_to_json(const wot_owners *o, char **json);
int wot_owners_from_json(wot_owners **out, const char *json);

/*
 * Decide every claim: a claim counts only if its signer's validity is full or
 * ultimate. The key owning a name (history, else the earliest claim) keeps it
 * and its subtree; other keys' claims on it are conflicts. Newly won names are
 * recorded in owners. Sets accepted/reason/winner on each claim.
 */
int wot_trust_accept(wot_claim *claims, size_t n, wot_owners *owners);

#endif
