/*
 * verdict.h - second opinions judged (pure: no I/O, no clock): what an
 * answer to the opinion question says about our view, how it changes the
 * answering peer's weight, and what a claimed commit we could not place
 * comes to. See docs/design.md, "Second opinions". The peer room gathers
 * the facts (the wire, git); the decisions are here.
 */
#ifndef WOT_TRUST_VERDICT_H
#define WOT_TRUST_VERDICT_H

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
