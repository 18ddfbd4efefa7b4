/*
 * sched_plan.h - the scheduler's book of source fetches (internal to
 * src/dns/daemon): which source is pending, which is being fetched, and
 * when each may be fetched again. Pure: the time is an argument, so its
 * timing is a unit table (tests/unit/test_sched_plan.c); scheduler.c runs
 * it on the loop with the daemon's clock.
 *
 * A request marks a source pending. take() moves every source due now
 * (pending, not being fetched, and past its gap when NOTIFY or a publish
 * asked) into one batch; a request for a source pending or being fetched
 * only marks it pending again, so a burst costs one fetch now and at most
 * one more, one gap after the first started, and the last change is never
 * lost.
 */
#ifndef WOT_DNS_SCHED_PLAN_H
#define WOT_DNS_SCHED_PLAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	char name[65];
	int pending, running;
	int urgent;	  /* asked without a gap (other peer work) */
	int counted;	  /* asked by NOTIFY or a publish: a counted fetch */
	int fetched;	  /* last_ms holds a time */
	uint64_t last_ms; /* when its last fetch started */
} wot_sched_src;

typedef struct {
	unsigned gap_ms; /* NOTIFY, publish: one fetch per source per gap */
	wot_sched_src *src;
	size_t n, cap;
	uint64_t fetches, resyncs; /* counted and other fetches taken */
} wot_sched_plan;

/* A batch take() filled: names (caller frees each and the array, which
 * has room for every source plus one). */
typedef struct {
	char **names;
	size_t n;
	int counted;   /* NOTIFY- or publish-driven fetches among them */
	uint64_t next; /* earliest source still in its gap; UINT64_MAX: none */
} wot_sched_take;

/*
 * Source name asked for: gap when NOTIFY or a publish asked (at most one
 * fetch per gap), else urgent. Returns 1 when the request was folded into
 * a fetch waiting or running (coalesced), 0 when not, WOT_ENOMEM, or
 * WOT_EINVAL for a name too long.
 */
int wot_sched_plan_request(wot_sched_plan *p, const char *name, int gap);
/* Every source due at now into out (its names array calloc'ed here),
 * each marked running; 0 or WOT_ENOMEM. */
int wot_sched_plan_take(wot_sched_plan *p, uint64_t now, wot_sched_take *out);
/* The fetch of name ended (ok) or could not start (!ok: pending again). */
void wot_sched_plan_done(wot_sched_plan *p, const char *name, int ok);
/* Names only, for a caller that does not keep the batch. */
void wot_sched_take_free(wot_sched_take *t);
void wot_sched_plan_free(wot_sched_plan *p);

#endif
