/*
 * trust.h - keys, validity, WoT levels, weights and claim acceptance.
 *
 * Two halves: a keyring adapter over GPGME (wot_trust_*: one handle per thread,
 * all OpenPGP work goes through gpg) and a pure claim engine
 * (wot_trust_accept) that decides which overlay records are served.
 *
 * Conventions: a function returning int gives 0 (or the count or flag it
 * describes) on success and a negative WOT_E* code on failure, with the
 * last error set (wot_error_last). WOT_ENOMEM may come from any function
 * that allocates and is not repeated below. The keyring adapter fails
 * with WOT_EGPG whenever GPGME or gpg does (gpg's own message kept), and
 * with WOT_ENOENT for a key the keyring does not hold. What comes back
 * through a pointer to a pointer is the caller's, to free as said; a
 * pointer returned as the value is borrowed (static text for the names).
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

/* Static names ("full", "marginal"...). */
const char *wot_validity_name(wot_validity v);
const char *wot_ownertrust_name(wot_ownertrust t);
/* Parse "none", "marginal", "full" (and "unknown", "ultimate"): 0, or
 * WOT_EINVAL for anything else. */
int wot_ownertrust_parse(const char *s, wot_ownertrust *out);

typedef struct wot_trust wot_trust;

/*
 * Open the keyring in gnupghome (created 0700 if missing). One handle per
 * thread. Caller frees with wot_trust_free(). WOT_EGPG when GPGME is too
 * old or gpg missing; WOT_EIO when the directory cannot be made.
 */
int wot_trust_open(wot_trust **out, const char *gnupghome);
/* Free t (NULL is fine). */
void wot_trust_free(wot_trust *t);

/* Generate an ed25519 sign+certify key without passphrase for uid;
 * fpr gets its fingerprint. WOT_EGPG. */
int wot_trust_genkey(wot_trust *t, const char *uid, char fpr[WOT_FPR_MAX]);
/* Resolve a fingerprint, key id or user id to the primary fingerprint;
 * need_secret requires the secret key to be in this keyring. WOT_ENOENT
 * when no key matches, WOT_EINVAL when several do, WOT_EGPG. */
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

/* Facts about one key (level filled by wot_trust_levels, else -1).
 * WOT_ENOENT when the keyring does not hold fpr; WOT_EINVAL when fpr
 * matches several keys; WOT_EGPG. */
int wot_trust_key_info(wot_trust *t, const char *fpr, wot_key_info *out);

/*
 * Every public key in the keyring with validity and WoT level as computed by
 * the trust core (graph.h) over gpg-checked certifications: the same as
 * gpg's own for the same parameters. *out is an array of *n entries;
 * caller frees with free(). WOT_EGPG.
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
 * frees with free(). WOT_EGPG.
 */
int wot_trust_certs(wot_trust *t, wot_cert **out, size_t *n);

/* Detached armored signature over data by signer_fpr; caller frees *sig.
 * WOT_ENOENT when signer_fpr is not in the keyring, WOT_EGPG. */
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
 * imported. Secret key material is refused (WOT_EINVAL). *count gets the
 * number of keys seen (may be NULL). WOT_EGPG when gpg refuses the data.
 */
int wot_trust_import(wot_trust *t, const char *armored, size_t len, int *count);
/* Export fpr's public key armored with its exportable certifications:
 * *out (caller frees with free()) of *len bytes, not NUL-terminated.
 * WOT_ENOENT when the keyring does not hold fpr; WOT_EGPG. */
int wot_trust_export(wot_trust *t, const char *fpr, char **out, size_t *len);

/* Certify target's user ids with signer's key (exportable); an existing
 * certification is not an error. WOT_ENOENT for a key not in the keyring,
 * WOT_EGPG. */
int wot_trust_certify(wot_trust *t, const char *signer_fpr,
		      const char *target_fpr);
/* Set ownertrust of fpr. WOT_ENOENT for a key not in the keyring,
 * WOT_EINVAL for a level gpg does not take, WOT_EGPG. */
int wot_trust_set_ownertrust(wot_trust *t, const char *fpr,
			     wot_ownertrust level);
/*
 * Fingerprints of keys carrying a valid exportable certification by signer.
 * *out: array of *n strings; free with wot_trust_strv_free(*out, *n).
 * WOT_EGPG.
 */
int wot_trust_certified_by(wot_trust *t, const char *signer_fpr, char ***out,
			   size_t *n);
/* Free the n strings of v and v (NULL is fine). */
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
		.weight_ultimate = 1.0, .weight_full = 0.9,                    \
		.weight_marginal = 0.4, .level_decay = 0.5, .margin = 0.25,    \
		.shadow = WOT_SHADOW_FRIENDS                                   \
	}

/* The weight of a claim by a signer of validity v at WoT level level
 * under p: its validity's weight, thinned by level_decay beyond level 1;
 * 0 below marginal. */
double wot_trust_weight(const wot_trust_policy *p, wot_validity v, int level);
/* Static name of s; parse one back: 0, or WOT_EINVAL for another word. */
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
/* An empty history; caller frees with wot_owners_free (NULL is fine). */
int wot_owners_new(wot_owners **out);
void wot_owners_free(wot_owners *o);
/* Owner of name itself (not ancestors), or NULL. Borrowed. */
const char *wot_owners_get(const wot_owners *o, const char *name);
/* Since when fpr holds name (0 if unknown). */
int64_t wot_owners_since(const wot_owners *o, const char *name);
/* fpr holds name since since (copied): 0 or WOT_ENOMEM. */
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
		.policy = NULL, .signers = NULL, .nsigners = 0,                \
		.grants = NULL, .ngrants = 0, .now = 0, .reserved = NULL,      \
		.reserved_ctx = NULL                                           \
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
 * Returns 0 or WOT_ENOMEM (then the out fields are not all filled).
 */
int wot_trust_accept(wot_claim *claims, size_t n, wot_owners *owners,
		     const wot_accept_opts *opts);

/* ==== the peer protocol's decisions ==== */

/*
 * the neighbor-majority decision (pure: no I/O, no clock).
 *
 * Every so often the daemon asks N neighbors what they accept for a
 * sampled name and type. This module decides, from their answers and our
 * own view, whether we are the outlier (a near-unanimous majority holds
 * another view: re-sync the source and withdraw the record), whether we
 * are merely behind (the majority is on newer commits of the same
 * history), and which single neighbors contradict a majority that agrees
 * with us (they lose opinion weight). See docs/peer.md, "Neighbor
 * majority".
 */

/* How a neighbor's commit relates to ours for the same source. */
typedef enum {
	WOT_REL_SAME = 0,   /* the same commit */
	WOT_REL_ANCESTOR,   /* theirs is an ancestor of ours: they lag */
	WOT_REL_DESCENDANT, /* theirs descends from ours: we lag */
	WOT_REL_UNRELATED,  /* neither descends from the other */
	WOT_REL_UNKNOWN	    /* we cannot place their commit */
} wot_rel;

/*
 * Relation of commit theirs to ours (40 hex digits each) in the history of
 * source (the owner's fingerprint). Must not fail: what cannot be placed
 * is WOT_REL_UNKNOWN.
 */
typedef wot_rel (*wot_rel_fn)(void *data, const char *source, const char *ours,
			      const char *theirs);

/* One view of a name and type: ours, or a neighbor's answer. Strings are
 * borrowed. */
typedef struct {
	const char *peer;   /* the neighbor's fingerprint; NULL for us */
	int answered;	    /* 0: no answer in time (not counted) */
	int none;	    /* accepts nothing for the name (abstains) */
	const char *source; /* fingerprint of the source it comes from */
	const char *commit; /* that source's commit it was read at */
	uint64_t digest;    /* hash of the RRset (wot_majority_digest) */
	double weight;	    /* the neighbor's opinion weight, see below */
} wot_view;

/* What the neighbors' answers say about us. */
enum {
	WOT_MAJ_AGREE = 0,    /* no majority against us */
	WOT_MAJ_OUTLIER = 1,  /* a majority agrees on another view */
	WOT_MAJ_BEHIND = 2,   /* a majority is on newer commits of ours */
	WOT_MAJ_UNDECIDED = 3 /* too few counted answers to judge */
};

/* Per neighbor: how its answer was counted. */
enum {
	WOT_MAJ_SILENT = 0,   /* no answer, or no record (abstains) */
	WOT_MAJ_SAME = 1,     /* agrees with us */
	WOT_MAJ_LAGGING = 2,  /* on an older commit of ours: not counted */
	WOT_MAJ_AHEAD = 3,    /* on a newer commit of ours, other view */
	WOT_MAJ_DIFFERS = 4,  /* another view */
	WOT_MAJ_OUTLIER_N = 5 /* another view against a majority: outlier */
};

typedef struct {
	int verdict;	   /* WOT_MAJ_* */
	unsigned needed;   /* majority required, scaled (wot_majority_needed) */
	unsigned counted;  /* answers counted (not silent, not lagging) */
	unsigned agree;	   /* counted answers with our view */
	unsigned lagging;  /* answers on an ancestor of our commit */
	unsigned top;	   /* size of the largest group against us */
	size_t top_index;  /* an answer of that group (when top > 0) */
	unsigned outliers; /* neighbors judged outliers */
	double ours_votes; /* votes for our view, ours included (weighted) */
	double top_votes;  /* votes of the largest group against us */
} wot_majority_result;

/*
 * The majority needed when `asked` neighbors were asked, for the config's
 * neighbors (N) and majority (M): M scaled to the same share, rounded up,
 * ceil(M * asked / N), and never below 3 (fewer than 3 answers never
 * decide). 0 when asked is 0 or N is 0. With asked == N it is M. The
 * config keeps M above N/2, so two views cannot both reach it.
 */
unsigned wot_majority_needed(unsigned asked, unsigned neighbors,
			     unsigned majority);

/* What wot_majority_decide weighs (all borrowed for the call). */
typedef struct {
	const wot_view *self; /* our view: must have one (not none) */
	const wot_view *ops;  /* the n answers (asked = n) */
	size_t n;
	unsigned neighbors; /* N of the config */
	unsigned majority;  /* M of the config */
	wot_rel_fn rel;	    /* places commits of the same source */
	void *data;	    /* for rel */
} wot_majority_input;

/*
 * Decide for our view in->self and the n answers in->ops. marks, when
 * not NULL, receives n WOT_MAJ_SILENT..WOT_MAJ_OUTLIER_N values, one per
 * answer. rel places commits of the same source; answers from another
 * source are compared by view only.
 *
 * Votes are weighted: answer i casts n * w_i / W votes, where w_i is its
 * weight (ops[i].weight clamped to [WOT_WEIGHT_MIN, WOT_WEIGHT_MAX]; 0 or
 * NaN count as WOT_WEIGHT_MIN) and W the sum of the weights of all n
 * answers (silent ones too). The n answers thus always hold n votes
 * between them, shared by weight; we cast 1. With equal weights every
 * answer casts exactly 1 vote and the rules are the plain M-of-N count.
 *
 * Rules (needed = wot_majority_needed(n, neighbors, majority), in votes):
 *  - silent: no answer, or "none"; lagging: same source, an ancestor of
 *    our commit, and another view. Neither votes.
 *  - we are the outlier when one same view (source and digest) that is
 *    not ours gathers at least `needed` votes and more than ours (we and
 *    the answers agreeing with us); behind instead when every answer of
 *    that group is on a descendant of our commit.
 *  - a neighbor is an outlier when it holds another view than ours while
 *    our side gathers at least `needed` votes and more than the largest
 *    group against us (it is the one against the rest); an answer ahead
 *    of us is never an outlier, it is news.
 *  - a tie (as many votes against us as with us) decides nothing:
 *    WOT_MAJ_UNDECIDED, as when neither side reaches `needed`.
 * Votes are compared with a tolerance of 1e-9 (rounding of the shares).
 * Returns 0; WOT_EINVAL for bad arguments (self without a view, no rel,
 * no marks for more than 64 answers); WOT_ENOMEM. Nothing to free.
 */
int wot_majority_decide(const wot_majority_input *in, wot_majority_result *out,
			int *marks);

/*
 * The majority M a daemon works with for N neighbors and the configured
 * M: at most N, and above N/2 so two views can never both win.
 */
unsigned wot_majority_clamp(unsigned neighbors, unsigned majority);

/* What a neighbor round does with a sampled RRset after the verdict. */
enum {
	WOT_MAJ_ACT_NONE = 0, /* nothing */
	WOT_MAJ_ACT_WITHDRAW, /* we are the outlier: withdraw, re-sync */
	WOT_MAJ_ACT_RESYNC,   /* we are behind: re-sync the source only */
	WOT_MAJ_ACT_RESTORE   /* withdrawn, no majority against us now */
};
/* The action for verdict (WOT_MAJ_*) on an RRset withdrawn or not. */
int wot_majority_action(int verdict, int withdrawn);
/* The weight event (WOT_WEIGHT_*) a neighbor's mark (WOT_MAJ_SILENT..
 * WOT_MAJ_OUTLIER_N) earns, -1 for none: only outliers and those that
 * agreed with a settled view are weighed. */
int wot_majority_weight_event(int mark);

/* 64-bit FNV-1a over data, for wot_view.digest (of a canonical RRset). */
uint64_t wot_majority_digest(const void *data, size_t len, uint64_t seed);

/* ---- opinion weights of neighbors ---- */

enum {
	WOT_WEIGHT_AGREED = 0,	/* counted and agreed with a settled view */
	WOT_WEIGHT_OUTLIER = 1, /* judged the outlier */
	WOT_WEIGHT_SILENT = 2	/* asked, did not answer */
};

#define WOT_WEIGHT_MIN 0.05 /* never 0: a peer can earn its way back */
#define WOT_WEIGHT_MAX 1.0

/*
 * A neighbor's opinion weight after event (WOT_WEIGHT_*): halved for an
 * outlier answer, raised by a tenth of the way to 1 for an agreeing one,
 * unchanged when silent; always within [WOT_WEIGHT_MIN, WOT_WEIGHT_MAX].
 * A weight outside that range (a damaged file) is clamped first.
 */
double wot_weight_update(double w, int event);

/*
 * second opinions judged (pure: no I/O, no clock): what an
 * answer to the opinion question says about our view, how it changes the
 * answering peer's weight, and what a claimed commit we could not place
 * comes to. See docs/peer.md, "Second opinions". The peer room gathers
 * the facts (the wire, git); the decisions are here.
 */

/* What one peer's answer about an RRset came to. */
typedef enum {
	WOT_VERDICT_AGREE = 0,	  /* our commit and our records */
	WOT_VERDICT_LAGGING,	  /* an older commit of ours, its records */
	WOT_VERDICT_AHEAD,	  /* a newer commit of ours: we are behind */
	WOT_VERDICT_LIE,	  /* a claim proven false */
	WOT_VERDICT_EQUIVOCATION, /* the owner signed two histories */
	WOT_VERDICT_NONE,	  /* it accepts nothing for the name */
	WOT_VERDICT_TIMEOUT,	  /* no answer in time */
	WOT_VERDICT_OTHER_SOURCE, /* from another source than ours */
	WOT_VERDICT_ERROR,	  /* an answer we could not read */
	WOT_VERDICT_UNPLACED,	  /* a commit not obtained (yet): no proof */
	WOT_VERDICT_UNCHECKED,	  /* could not be checked */
	WOT_VERDICT_GIT		  /* not decided without git (quick only) */
} wot_verdict;

/* The verdict's name in state/opinions.json ("agree", "other-source"...),
 * static text; "?" for a value out of range. */
const char *wot_verdict_name(wot_verdict v);
/* The verdict named name; WOT_VERDICT_UNCHECKED for an unknown name. */
wot_verdict wot_verdict_parse(const char *name);

/*
 * A peer's opinion weight after a verdict on its answer: halved for a
 * lie, raised by 0.05 (at most to 1) for agreeing, lagging or ahead,
 * unchanged otherwise.
 */
double wot_verdict_weight(double w, wot_verdict v);
/* 1 if v counts as a disagreement in the daemon's counters: anything but
 * agree, lagging, none, timeout and other-source. */
int wot_verdict_disagrees(wot_verdict v);
/* 1 if v agrees with our view (agree or lagging): policy hold serves an
 * RRset once k answers agree. */
int wot_verdict_agrees(wot_verdict v);

/* A view of an RRset: ours, or a peer's answer. Strings borrowed; digest
 * NULL when none. */
typedef struct {
	int none;	    /* the answer says it accepts nothing */
	const char *fpr;    /* the source owner's fingerprint */
	const char *commit; /* the source's commit it was read at */
	const char *digest; /* canonical RRset */
} wot_opinion_view;

/*
 * What an answer is without git: none, other-source (fingerprints compared
 * without case), agree (same commit and digest), or WOT_VERDICT_GIT when
 * the commit or the records differ and git must place the claim.
 */
wot_verdict wot_verdict_quick(const wot_opinion_view *ours,
			      const wot_opinion_view *theirs);

/* What trying to place and obtain a claimed commit found. */
typedef struct {
	int equivocation; /* it forks and the owner signed both sides */
	int ahead;	  /* it descends from our head */
	int unknown;	  /* obtained nowhere, and no fork proven */
	int final;	  /* the last attempt, and the peer's own URLs
			     answered without it */
} wot_claim_facts;

/*
 * The verdict on a claimed commit we could not place in our history
 * even after syncing the source: equivocation, ahead, unplaced (unknown
 * and not final: no proof either way yet), else a lie (obtained and no
 * commit of the owner's on our history, or still unknown on the final
 * attempt).
 */
wot_verdict wot_verdict_claim(const wot_claim_facts *f);

#endif
