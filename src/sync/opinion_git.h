/*
 * opinion_git.h - the git side of second opinions: where a commit a peer
 * claims stands against our verified head, what a commit says about a
 * name, and fetching a claimed commit from the URLs a peer announces for
 * that source (docs/design.md, "Second opinions"). Blocking: thread pool.
 */
#ifndef WOT_SYNC_OPINION_GIT_H
#define WOT_SYNC_OPINION_GIT_H

#include "sync/sync.h"

#include <ldns/ldns.h>

/* Where a claimed commit stands. */
enum {
	WOT_PLACE_SAME = 0,    /* our verified head */
	WOT_PLACE_BEHIND = 1,  /* an ancestor of it: the peer lags */
	WOT_PLACE_AHEAD = 2,   /* descends from it: we are behind */
	WOT_PLACE_FORK = 3,    /* in our mirror, neither: two histories */
	WOT_PLACE_UNKNOWN = 4, /* not in our mirror */
	WOT_PLACE_NOSOURCE = 5 /* we follow no such source (or no head) */
};

/* Static name of a WOT_PLACE_* value ("same", "behind"...). */
const char *wot_place_name(int place);

/* Place commit (40 hex) in source name's mirror (takes the home lock). */
int wot_sync_place(wot_home *h, const char *name, const char *commit,
		   int *place);

/*
 * Every record of the zone files in source name's commit (which must be in
 * our mirror). Caller frees *out with ldns_rr_list_deep_free.
 */
int wot_sync_records_at(wot_home *h, const char *name, const char *commit,
			ldns_rr_list **out);

/* 1 if source name is suspended after a proven equivocation, else 0. */
int wot_sync_source_suspended(wot_home *h, const char *name);

/*
 * Place commit in source name's mirror; while it is not there, fetch urls
 * (NULL-terminated, may be NULL: the URLs peers announce for this source)
 * one by one into refs/wotdns/peer-fetched-N/, within [limits]
 * fetch-size, and place it again. A claimed commit that forks from our
 * verified head is kept as evidence (wot_evidence_refused: signed by the
 * owner, it is an equivocation and suspends the source); so is a fetched
 * branch that forks, whatever was claimed. *place gets the result; *kind
 * (may be NULL, static text) "equivocation", "rewrite" or "" when nothing
 * was kept about the claimed commit.
 */
int wot_sync_fetch_claim(wot_home *h, wot_trust *t, const char *name,
			 const char *commit, char *const *urls, int *place,
			 const char **kind);
/* The same; *fetched (may be NULL) gets how many of urls answered the
 * fetch: 0 means nothing was learnt, not that the commit is nowhere. */
int wot_sync_fetch_claim_n(wot_home *h, wot_trust *t, const char *name,
			   const char *commit, char *const *urls, int *place,
			   const char **kind, size_t *fetched);

#endif
