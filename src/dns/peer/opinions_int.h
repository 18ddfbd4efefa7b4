/*
 * opinions_int.h - the second-opinions object of `wotdns serve`, shared
 * by the files that hold its parts (docs/peer.md, "Second opinions"):
 *
 * - opinions.c: the object, its pool jobs (refresh the book, verify
 *   claims, save the state) and the policy hold;
 * - opinion_check.c: one check of a new or changed RRset (asking k peers,
 *   judging answers, finishing), numbered by the object's serials;
 * - opinion_heads.c: claims we could not place (head questions to other
 *   peers, verification again later);
 * - opinion_withdrawn.c: RRsets withdrawn after a failed check;
 * - opinion_state.c: state/opinions.json and state/peers.json.
 */
#ifndef WOT_DNS_OPINIONS_INT_H
#define WOT_DNS_OPINIONS_INT_H

#include "dns/peer/opinion_int.h"
#include "dns/peer/opinion.h"
#include "dns/peer/peer.h"

#include <jansson.h>
#include <uv.h>

enum {
	MAX_CHECKS = 64,       /* checks started per new accepted set */
	HISTORY = 256,	       /* checks kept in state/opinions.json */
	HOLD_GRACE_MS = 500,   /* hold: how long past the timeouts */
	RECHECK_MS = 15000,    /* a lagging peer is asked again after this */
	UNPLACED_TRIES = 3,    /* verifications after the first one */
	HEADQ_MAX = 64,	       /* head questions in flight or unread */
	HEADQ_STALE_MS = 60000 /* an unread answer is dropped after this */
};

/* A head question about the source of an unplaced claim (its check may
 * end before the answer comes: the answer waits here, matched by serial,
 * and the verification copies it into the check on the loop). */
enum { HQ_FREE = 0, HQ_PENDING, HQ_DONE };

typedef struct {
	struct wot_opinions *o;
	int state, answered;
	uint64_t serial, at;
	uint16_t id;
	char qname[2 * WOT_FPR_MAX];
	wot_opinion_head_ans ans;
} head_q;

typedef wot_opinion_slot slot;

typedef wot_opinion_check check;

enum { JOB_REFRESH, JOB_VERIFY, JOB_SAVE };

typedef struct job {
	uv_work_t req;
	struct wot_opinions *o;
	struct job *next;
	int kind;
	/* refresh */
	wot_opinion_book *book;
	wot_opinion_peer *peers;
	size_t npeers;
	/* verify */
	check *c;
	int synced, final;
	wot_dns_table *table; /* refresh: without the withdrawn RRsets */
	json_t *withdrawn;    /* refresh: in and out */
	int first;
	/* save */
	char *opinions, *peersjson;
	int rc;
	char err[512];
} job;

struct wot_opinions {
	uv_loop_t *loop;
	wot_clock clock; /* the options' copy, or the loop's */
	wot_home *h;
	wot_prop *prop;
	wot_peer_requests req; /* the daemon: serve, recompute, sync_now */
	unsigned k, timeout_ms;
	unsigned unplaced_ms; /* [opinion] unplaced-wait: the first wait */
	int hold;
	int answering; /* a peer listener answers questions from the book */
	wot_opinion_book *book;
	wot_opinion_peer *peers;
	size_t npeers;
	wot_opinion_asker *asker;
	wot_trust *trust; /* pool side, opened on first need */
	job *running, *queue;
	check *checks; /* in flight */
	size_t inflight;
	size_t settled;	     /* of them, those k opinions agree with already */
	wot_dns_table *held; /* policy hold: waits for the checks */
	uv_timer_t hold_timer, recheck_timer, unplaced_timer;
	check *rechecks;
	check *unplaced;   /* waiting to verify their claims again */
	json_t *history;   /* array of finished checks, newest last */
	json_t *withdrawn; /* "name/type" -> source: failed checks */
	wot_dns_withdraw_set *withdrawn_set; /* the neighbor majority's */
	wot_peer_answer_fn rewrite;	     /* an embedder's; NULL: none */
	void *rewrite_data;
	int refresh_again; /* a failed check wants a filtered table */
	uint64_t n_checks, n_agree, n_disagree, n_lies, n_lagging, n_ahead,
	    n_equivocations, n_syncs, n_unanswered, n_unplaced;
	head_q hq[HEADQ_MAX];
	uint64_t n_head_questions, n_head_answers;
	int64_t last_check;
	uint64_t serials; /* of the checks started, loop thread only */
	int dirty;
	wot_closer closer; /* live: the asker, the timers, jobs running */
};

/* ---- opinions.c ---- */

/* Queue j (taken) behind the jobs waiting; one job runs at a time. */
void wot_opinions_enqueue(wot_opinions *o, job *j);
void wot_opinions_job_free(job *j);
/* Policy hold: serve the held table now (if any). */
void wot_opinions_release_held(wot_opinions *o);

/* ---- opinion_check.c ---- */

/* Ask about every RRset of nb that ob did not hold the same. */
void wot_opinions_check_changes(wot_opinions *o, const wot_opinion_book *ob,
				const wot_opinion_book *nb);
/* Every answer of c judged: weights, counters, history, rechecks. */
void wot_opinions_finish_check(wot_opinions *o, check *c);
/* Out of the in-flight list (a job or the history owns it now). */
void wot_opinions_unlink_check(wot_opinions *o, check *c);
void wot_opinions_check_free(check *c);

/* ---- opinion_heads.c ---- */

/* When an unplaced claim whose verification ran attempts times (after
 * the first) is verified again: first_ms, then 2.5 and 5 times that later
 * (by default 2, 5 and 10 s, docs/peer.md); UINT64_MAX once
 * UNPLACED_TRIES ran (the verdict is final). */
uint64_t wot_opinions_unplaced_due(uint64_t now, unsigned attempts,
				   unsigned first_ms);
/* A claim of c we could not place: 1 if c waits to be verified again
 * (it is off the in-flight list then), 0 when it is done. */
int wot_opinions_wait_unplaced(wot_opinions *o, check *c);

/* ---- opinion_withdrawn.c ---- */

/* Pool: keep the withdrawn RRsets whose source is still suspended, mark
 * them in j's book and build the table without them (j->table). */
int wot_opinions_refresh_withdrawn(job *j);
/* Policy serve: what a failed check caught stops being served. */
void wot_opinions_withdraw(wot_opinions *o, const check *c);

/* ---- opinion_state.c ---- */

/* Pool: write text to the home's file rel atomically. */
int wot_opinions_write_state(wot_home *h, wot_state_file f, const char *text);
/* c as an entry of state/opinions.json (new reference). */
json_t *wot_opinions_check_json(wot_opinions *o, const check *c);
/* Append c to the history (the newest HISTORY kept). */
void wot_opinions_history_add(wot_opinions *o, const check *c);
/* Save both files on the pool when anything changed. */
void wot_opinions_save(wot_opinions *o);

#endif
