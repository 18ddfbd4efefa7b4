/*
 * majority.h - the neighbor-majority decision (pure: no I/O, no clock).
 *
 * Every so often the daemon asks N neighbors what they accept for a
 * sampled name and type. This module decides, from their answers and our
 * own view, whether we are the outlier (a near-unanimous majority holds
 * another view: re-sync the source and withdraw the record), whether we
 * are merely behind (the majority is on newer commits of the same
 * history), and which single neighbors contradict a majority that agrees
 * with us (they lose opinion weight). See docs/design.md, "Neighbor
 * majority".
 */
#ifndef WOT_TRUST_MAJORITY_H
#define WOT_TRUST_MAJORITY_H

#include <stddef.h>
#include <stdint.h>

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

/*
 * Decide for our view self and the n answers ops (asked = n). marks, when
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
 * Returns 0, or WOT_EINVAL for bad arguments (self without a view).
 */
int wot_majority_decide(const wot_view *self, const wot_view *ops, size_t n,
			unsigned neighbors, unsigned majority, wot_rel_fn rel,
			void *data, wot_majority_result *out, int *marks);

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

#endif
