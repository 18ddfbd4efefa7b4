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

/*
 * Parameters of the classic trust model used by wot_trust_list (defaults
 * 1, 3, 5 as in GnuPG; 0 keeps the current value).
 */
void wot_trust_set_model(wot_trust *t, unsigned completes_needed,
			 unsigned marginals_needed, unsigned max_cert_depth);

/* Facts about one key (level filled by wot_trust_levels, else -1). */
int wot_trust_key_info(wot_trust *t, const char *fpr, wot_key_info *out);

/*
 * Every public key in the keyring with validity and WoT level as computed by
 * the trust core (graph.h) over gpg-checked certifications: the same as
 * gpg's own for the same parameters. *out is an array of *n entries;
 * caller frees with free().
 */
int wot_trust_list(wot_trust *t, wot_key_info **out, size_t *n);
/* wot_trust_list, also giving in *until (if not NULL) the time of the first
 * key, subkey or certification expiry still to come (INT64_MAX: none):
 * the listing can be reused until then while the keyring is unchanged. */
int wot_trust_list_until(wot_trust *t, wot_key_info **out, size_t *n,
			 int64_t *until);

/* A live certification: signer certified target (a user id of it). */
typedef struct {
	char signer[WOT_FPR_MAX];
	char target[WOT_FPR_MAX];
} wot_cert;

/*
 * Every live certification between keys of the keyring (not revoked,
 * expired or invalid; self-signatures left out). *out: array of *n, caller
 * frees with free().
 */
int wot_trust_certs(wot_trust *t, wot_cert **out, size_t *n);

/* Detached armored signature over data by signer_fpr; caller frees *sig. */
int wot_trust_sign(wot_trust *t, const char *signer_fpr, const void *data,
		   size_t len, char **sig);

typedef struct {
	char signer[WOT_FPR_MAX]; /* primary fingerprint of the signer */
	int good;		  /* cryptographically good, key usable now */
	int known;		  /* the signing key is in the keyring */
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

/* Who may shadow a name that exists under a TLD of the normal DNS. */
typedef enum {
	WOT_SHADOW_NOBODY = 0,	/* only the user's own key */
	WOT_SHADOW_FRIENDS = 1, /* + keys the user trusts fully, at level 1 */
	WOT_SHADOW_VALID = 2,	/* any key whose claims count */
} wot_shadow_policy;

/*
 * Weights and margins (HOME/config [trust]). A signer's weight is
 *   base(validity) / (1 + level_decay * (level - 1))   for level >= 1,
 *   base(ultimate) for the user's own key (level 0),
 * with base: ultimate, full, marginal as configured, anything else 0.
 */
typedef struct {
	double weight_ultimate, weight_full, weight_marginal, level_decay;
	double margin; /* how much the heaviest claim must outweigh the next */
	wot_shadow_policy shadow;
} wot_trust_policy;
#define WOT_TRUST_POLICY_INIT                                                  \
	{                                                                      \
		1.0, 0.9, 0.4, 0.5, 0.25, WOT_SHADOW_FRIENDS                   \
	}

double wot_trust_weight(const wot_trust_policy *p, wot_validity v, int level);
const char *wot_shadow_name(wot_shadow_policy s);
int wot_shadow_parse(const char *s, wot_shadow_policy *out);

/* What the engine needs to know about a signer or a holder. */
typedef struct {
	const char *fpr;
	wot_validity validity;
	wot_ownertrust ownertrust;
	int level;
	int dead; /* revoked or expired: its names are free again */
} wot_signer;

/* One owner name claimed by one source at one verified commit. */
typedef struct {
	const char *name;   /* lowercase, absolute ("alice.wot.") */
	const char *source; /* source name */
	const char *signer; /* pinned owner fingerprint of the source */
	const char *commit; /* verified commit id */
	int64_t since;	    /* when this source first published the name */
	wot_validity validity;
	int level;
	int shadows; /* name lies under a TLD of the normal DNS */
	/* Static text when the name is never served, whatever the policy
	 * (the root, a TLD, a public suffix, ...: sync decides); NULL else. */
	const char *reserved;
	/* out: */
	double weight;
	int accepted;
	const char *reason; /* static text, set when not accepted */
	const char *winner; /* fingerprint that holds the name, if a conflict */
	char explain[320];  /* the decision, step by step */
} wot_claim;

/*
 * A signed grant found in a holder's zone: a TXT record at _wotdns.<name>
 * reading "v=wotdns1; transfer=<FPR>" (the name and its subtree now belong
 * to FPR, for good) or "v=wotdns1; delegate=<FPR>" (FPR may publish the
 * subtree while the grant stays published). Only grants by the key holding
 * the name count.
 */
typedef enum { WOT_GRANT_TRANSFER = 1, WOT_GRANT_DELEGATE = 2 } wot_grant_kind;
typedef struct {
	const char *name; /* the granted name (without "_wotdns.") */
	const char *from; /* signer of the zone holding the record */
	const char *to;
	wot_grant_kind kind;
} wot_grant;

/*
 * Parse the text of a _wotdns TXT record; 0 and *kind/to filled when it is
 * a grant, WOT_EINVAL otherwise. to receives an upper-case fingerprint.
 */
int wot_grant_parse(const char *txt, wot_grant_kind *kind,
		    char to[WOT_FPR_MAX]);

/* Name ownership history (first valid claim wins, kept in state/). */
typedef struct wot_owners wot_owners;
int wot_owners_new(wot_owners **out);
void wot_owners_free(wot_owners *o);
/* Owner of name itself (not ancestors), or NULL. Borrowed. */
const char *wot_owners_get(const wot_owners *o, const char *name);
/* Since when fpr holds name (0 if unknown). */
int64_t wot_owners_since(const wot_owners *o, const char *name);
int wot_owners_set(wot_owners *o, const char *name, const char *fpr,
		   int64_t since);
/* fn over every entry (stops on a negative return, which is returned). */
typedef int (*wot_owners_fn)(const char *name, const char *fpr, int64_t since,
			     void *ctx);
int wot_owners_each(const wot_owners *o, wot_owners_fn fn, void *ctx);

typedef struct {
	const wot_trust_policy *policy; /* NULL: defaults */
	const wot_signer *signers;	/* every key claims or history name */
	size_t nsigners;
	const wot_grant *grants;
	size_t ngrants;
	int64_t now; /* time recorded for names won in this run */
	/* Non-NULL when name is reserved (the same test that set the claims'
	 * reserved): such an ancestor, held in history from before, passes
	 * nothing down. NULL: no name is. */
	const char *(*reserved)(const char *name, void *ctx);
	void *reserved_ctx;
} wot_accept_opts;
#define WOT_ACCEPT_OPTS_INIT                                                   \
	{                                                                      \
		NULL, NULL, 0, NULL, 0, 0, NULL, NULL                          \
	}

/*
 * Decide every claim (names shallow first, so an ancestor's holder is known
 * before its subtree):
 *  0. a claim on a reserved name is never accepted;
 *  1. a claim counts only if its signer is valid (full or ultimate);
 *  2. a name under a normal-DNS TLD needs a signer the shadow policy allows;
 *  3. the key holding the name (history, following transfers and live
 *     delegations from the holder of the closest ancestor) keeps it and its
 *     subtree; other keys' claims are conflicts. A name of one label, or a
 *     reserved one, holds only itself: its holder passes nothing down, so
 *     no key takes every name under a made-up TLD that others use;
 *  4. a holder whose key is revoked or expired loses it, and so does no
 *     history: the heaviest claim wins if it outweighs the next by the
 *     margin, else nobody is served and the name stays a conflict.
 * Names won are recorded in owners. Fills the out fields of every claim.
 */
int wot_trust_accept(wot_claim *claims, size_t n, wot_owners *owners,
		     const wot_accept_opts *opts);

#endif
