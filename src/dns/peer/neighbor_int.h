/*
 * neighbor_int.h - the state of the neighbor-majority check shared by
 * neighbor.c (the rounds) and neighbor_status.c (the status section).
 */
#ifndef WOT_DNS_NEIGHBOR_INT_H
#define WOT_DNS_NEIGHBOR_INT_H

#include "dns/peer/opinion.h"
#include "dns/peer/peer.h"
#include "dns/peer/opinion_int.h"

enum {
	KEEP_CHECKS = 16,
	KEEP_REPORTS = 32,
	KEEP_TALLY = 1024,
	SAMPLE_MAX = 64,
	NB_TRIED_KEEP = 256 /* commits remembered as tried */
};

/* Reports counted by subject since start: "neighbor:FPR:ZONE" for a
 * peer judged the outlier on a name under ZONE (its last two labels),
 * "self:NAME" for a record we were the outlier on. */
typedef struct {
	char key[340];
	uint64_t count;
} nb_tally;

typedef struct {
	char *name;
	uint16_t type;
	char source[65];
	char fpr[WOT_FPR_MAX];
	char commit[WOT_OID_MAX];
	uint64_t digest;
	int withdrawn;
} nb_sample;

struct nb_round;

/* One question: sample s to peer p. */
typedef struct {
	struct nb_round *r;
	size_t s, p;
	uint16_t id;
	int answered, none;
	char fpr[WOT_FPR_MAX];
	char commit[WOT_OID_MAX];
	uint64_t digest;
} nb_answer;

/* What the judging found, for the loop's records. */
typedef struct {
	int64_t time;
	char name[256];
	uint16_t type;
	char kind[12]; /* "self", "behind", "neighbor", "restored" */
	char who[WOT_FPR_MAX];
	char what[128];
} nb_report;

typedef struct {
	int64_t time;
	char name[256];
	uint16_t type;
	int verdict;
	unsigned asked, answered, counted, agree, lagging, top, needed;
	double ours_votes, top_votes; /* weighted (wot_majority_decide) */
} nb_check;

typedef struct {
	uint64_t rounds, checks, questions, answers, timeouts;
	uint64_t disagreements; /* checks with any answer against us */
	uint64_t self_outlier, behind, neighbor_outliers;
	uint64_t withdrawn, restored, resyncs, errors;
} nb_stats;

/* A weight event for the peer at an endpoint. */
typedef struct {
	char endpoint[64];
	int event;
} nb_event;

typedef struct nb_round {
	uv_work_t req;
	nb_stats st; /* counted on the pool, added up on the loop */
	wot_neighbor *n;
	int phase; /* PH_LOAD, PH_JUDGE */
	nb_sample *samples;
	size_t ns;
	wot_opinion_peer *peers;
	size_t np;
	nb_answer *ans; /* ns * np */
	size_t pending;
	nb_check *checks; /* one per sample */
	nb_report *reports;
	size_t nreports, capreports;
	nb_event *events;
	size_t nevents;
	const char **resync; /* sources to re-sync (samples' strings) */
	size_t nresync;
	int changed; /* the served set changed: recompute */
	char err[256];
} nb_round;

enum { PH_LOAD, PH_JUDGE };

/*
 * neighbor_claims.c, before the judging (pool): fetch a few commits that
 * neighbors name for a sampled RRset's source and we cannot place, so an
 * equivocation is proven (kept as evidence, the source suspended); sync a
 * source a neighbor is ahead on (through the daemon's sync_now). 1 when a
 * source was synced or proven to equivocate (the daemon recomputes), else
 * 0.
 */
int wot_neighbor_fetch_claims(nb_round *r);
/* The commits tried lately (neighbor_claims.c), on the neighbor's clock:
 * 1 when commit was remembered with an until later than now. The ring
 * keeps the last NB_TRIED_KEEP. */
int wot_neighbor_tried_lately(const wot_neighbor *n, const char *commit,
			      uint64_t now);
void wot_neighbor_tried_remember(wot_neighbor *n, const char *commit,
				 uint64_t until);
/* Milliseconds to the next round (neighbor.c): interval_s +-20% by draw
 * (any number; draw % 41 is the percent above 80), a quarter of that when
 * soon (something is withdrawn and must settle); at least 1; 0 when
 * interval_s is 0 (no rounds). */
uint64_t wot_neighbor_round_ms(unsigned interval_s, int soon, unsigned draw);

struct wot_neighbor {
	uv_loop_t *loop;
	wot_clock clock; /* o.clock's copy, or the loop's */
	wot_home *h;
	wot_neighbor_opts o;
	wot_opinion_asker *asker;
	uv_timer_t timer;
	nb_round *round;	/* in flight */
	wot_opinion_book *book; /* the last round's (pool side) */
	int working;		/* a pool job of the round runs */
	uint16_t next_id;
	nb_stats st;
	nb_check checks[KEEP_CHECKS];
	size_t nchecks, check_pos;
	nb_report reports[KEEP_REPORTS];
	nb_tally tally[KEEP_TALLY];
	size_t ntally;
	size_t nreports, report_pos;
	/* Commits neighbor_claims.c tried lately: one round at a time, on
	 * the pool, so nobody else touches them. */
	struct {
		char commit[WOT_OID_MAX];
		uint64_t until;
	} tried[NB_TRIED_KEEP];
	size_t tried_pos;
	wot_closer closer; /* live: the timer is open */
};

#endif
