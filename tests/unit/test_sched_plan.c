/*
 * test_sched_plan.c - the daemon scheduler's timing (src/dns/daemon/
 * sched_plan.c) as deterministic tables: requests come in at t ms, a batch
 * of fetches takes a fixed time, and the table says exactly when fetches
 * start and of what. The runner drives the plan as scheduler.c does (one
 * batch at a time; a request, the end of a batch and the gap timer each
 * take what is due) on a fake clock. No loop, no git, no sleep.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/daemon/sched_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NOTIFY = 1, URGENT = 0 };

typedef struct {
	uint64_t t;
	const char *name; /* NULL ends the list */
	int gap;	  /* NOTIFY (or a publish) or URGENT (peer work) */
} req;

typedef struct {
	uint64_t t;
	const char *names; /* "a" or "a,b": the batch started at t */
} start;

typedef struct {
	const char *what;
	unsigned gap_ms, fetch_ms; /* [sync] notify-gap; one batch's time */
	req reqs[40];
	start starts[12]; /* exactly these batches, in order */
	int coalesced;	  /* NOTIFY requests folded into a pending fetch */
} scenario;

typedef struct {
	wot_sched_plan p;
	int busy;
	uint64_t busy_until, timer;
	char running[128];
	char got[12][128];
	uint64_t got_t[12];
	size_t ngot;
} sim;

/* scheduler.c's kick(): one batch at a time. */
static void kick(sim *s, const scenario *sc, uint64_t now)
{
	wot_sched_take t;

	if (s->busy)
		return;
	assert_int_equal(wot_sched_plan_take(&s->p, now, &t), 0);
	if (t.next != UINT64_MAX)
		s->timer = t.next;
	if (t.n) {
		char *o = s->got[s->ngot];
		o[0] = 0;
		for (size_t i = 0; i < t.n; i++)
			snprintf(o + strlen(o), 128 - strlen(o), "%s%s",
				 i ? "," : "", t.names[i]);
		assert_true(s->ngot < 11);
		s->got_t[s->ngot++] = now;
		snprintf(s->running, sizeof(s->running), "%s", o);
		s->busy = 1;
		s->busy_until = now + sc->fetch_ms;
	}
	wot_sched_take_free(&t);
}

static void batch_end(sim *s)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s->running);
	for (char *n = strtok_r(buf, ",", &save); n;
	     n = strtok_r(NULL, ",", &save))
		wot_sched_plan_done(&s->p, n, 1);
	s->busy = 0;
}

static void run(const scenario *sc)
{
	sim s;
	size_t r = 0;
	int coalesced = 0;

	memset(&s, 0, sizeof(s));
	s.p.gap_ms = sc->gap_ms;
	s.timer = UINT64_MAX;
	for (uint64_t now = 0; now < 20000; now++) {
		if (s.busy && now == s.busy_until) {
			batch_end(&s);
			kick(&s, sc, now);
		}
		for (; sc->reqs[r].name && sc->reqs[r].t == now; r++) {
			int rc = wot_sched_plan_request(&s.p, sc->reqs[r].name,
							sc->reqs[r].gap);
			assert_true(rc >= 0);
			coalesced += rc == 1 && sc->reqs[r].gap;
			kick(&s, sc, now);
		}
		if (now == s.timer) {
			s.timer = UINT64_MAX;
			kick(&s, sc, now);
		}
	}
	for (size_t i = 0; i < 12; i++) {
		if (!sc->starts[i].names) {
			if (s.ngot != i)
				fail_msg("%s: %zu batches, expected %zu "
					 "(extra at %llu: %s)",
					 sc->what, s.ngot, i,
					 (unsigned long long)s.got_t[i],
					 s.got[i]);
			break;
		}
		if (i >= s.ngot || s.got_t[i] != sc->starts[i].t ||
		    strcmp(s.got[i], sc->starts[i].names))
			fail_msg(
			    "%s: batch %zu expected at %llu: %s, got %s "
			    "at %llu",
			    sc->what, i, (unsigned long long)sc->starts[i].t,
			    sc->starts[i].names, i < s.ngot ? s.got[i] : "none",
			    (unsigned long long)(i < s.ngot ? s.got_t[i] : 0));
	}
	if (sc->coalesced >= 0 && coalesced != sc->coalesced)
		fail_msg("%s: %d coalesced, expected %d", sc->what, coalesced,
			 sc->coalesced);
	wot_sched_plan_free(&s.p);
}

/* The [sync] notify-gap default is 250 ms (docs/daemon.md). */
static const scenario table[] = {
    {"a burst inside one fetch costs that fetch and exactly one more, one "
     "gap after the first started",
     250,
     100,
     {{0, "a", NOTIFY},
      {10, "a", NOTIFY},
      {20, "a", NOTIFY},
      {30, "a", NOTIFY},
      {40, "a", NOTIFY},
      {50, "a", NOTIFY},
      {60, "a", NOTIFY},
      {70, "a", NOTIFY},
      {80, "a", NOTIFY},
      {90, "a", NOTIFY}},
     {{0, "a"}, {250, "a"}},
     9},
    {"30 NOTIFYs at one moment: one fetch, and one more for those that "
     "came while it ran",
     250,
     100,
     {{5, "a", NOTIFY}, {5, "a", NOTIFY}, {5, "a", NOTIFY}, {5, "a", NOTIFY},
      {5, "a", NOTIFY}, {5, "a", NOTIFY}, {5, "a", NOTIFY}, {5, "a", NOTIFY},
      {5, "a", NOTIFY}, {5, "a", NOTIFY}, {5, "a", NOTIFY}, {5, "a", NOTIFY},
      {5, "a", NOTIFY}, {5, "a", NOTIFY}, {5, "a", NOTIFY}, {5, "a", NOTIFY},
      {5, "a", NOTIFY}, {5, "a", NOTIFY}, {5, "a", NOTIFY}, {5, "a", NOTIFY},
      {5, "a", NOTIFY}, {5, "a", NOTIFY}, {5, "a", NOTIFY}, {5, "a", NOTIFY},
      {5, "a", NOTIFY}, {5, "a", NOTIFY}, {5, "a", NOTIFY}, {5, "a", NOTIFY},
      {5, "a", NOTIFY}, {5, "a", NOTIFY}},
     {{5, "a"}, {255, "a"}},
     29},
    {"a request during a long fetch makes exactly one more, when it ends",
     250,
     600,
     {{0, "a", NOTIFY}, {100, "a", NOTIFY}, {200, "a", NOTIFY}},
     {{0, "a"}, {600, "a"}},
     2},
    {"a burst spread over a second (a loaded machine): one fetch per gap, "
     "never more than 2 + span/gap",
     250,
     100,
     {{0, "a", NOTIFY},
      {100, "a", NOTIFY},
      {200, "a", NOTIFY},
      {300, "a", NOTIFY},
      {400, "a", NOTIFY},
      {500, "a", NOTIFY},
      {600, "a", NOTIFY},
      {700, "a", NOTIFY},
      {800, "a", NOTIFY},
      {900, "a", NOTIFY},
      {1000, "a", NOTIFY}},
     {{0, "a"}, {250, "a"}, {500, "a"}, {750, "a"}, {1000, "a"}},
     8},
    {"the gap: a NOTIFY soon after a fetch waits for it; one after it "
     "fetches at once",
     250,
     10,
     {{0, "a", NOTIFY}, {100, "a", NOTIFY}, {600, "a", NOTIFY}},
     {{0, "a"}, {250, "a"}, {600, "a"}},
     0},
    {"peer work (not NOTIFY) ignores the gap",
     250,
     10,
     {{0, "a", NOTIFY}, {20, "a", URGENT}},
     {{0, "a"}, {20, "a"}},
     0},
    {"one batch at a time: another source waits for the running batch, "
     "without a gap of its own",
     250,
     100,
     {{0, "a", NOTIFY}, {50, "b", NOTIFY}, {60, "a", NOTIFY}},
     {{0, "a"}, {100, "b"}, {250, "a"}},
     1},
    {"sources due together share one batch",
     250,
     100,
     {{0, "a", NOTIFY}, {10, "b", NOTIFY}, {20, "c", URGENT}},
     {{0, "a"}, {100, "b,c"}},
     0},
    {"gap 0: a request during a fetch still waits for its end",
     0,
     300,
     {{0, "a", NOTIFY}, {1, "a", NOTIFY}, {2, "a", NOTIFY}},
     {{0, "a"}, {300, "a"}},
     2},
};

static void test_sched_plan_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		run(&table[i]);
}

/* A batch that could not start leaves its sources pending, for the next
 * take; a name too long is refused. */
static void test_sched_plan_edges(void **state)
{
	wot_sched_plan p = {.gap_ms = 250};
	wot_sched_take t;
	char longname[80];

	(void)state;
	assert_int_equal(wot_sched_plan_request(&p, "a", 1), 0);
	assert_int_equal(wot_sched_plan_take(&p, 1000, &t), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.counted, 1);
	wot_sched_plan_done(&p, "a", 0);
	wot_sched_take_free(&t);
	assert_int_equal(wot_sched_plan_take(&p, 1001, &t), 0);
	assert_int_equal(t.n, 0); /* pending again, but inside its gap */
	assert_int_equal(t.next, 1250);
	wot_sched_take_free(&t);
	assert_int_equal(wot_sched_plan_take(&p, 1250, &t), 0);
	assert_int_equal(t.n, 1);
	wot_sched_take_free(&t);
	/* as before: the retry is no longer counted as NOTIFY-driven */
	assert_int_equal(p.fetches, 1);
	assert_int_equal(p.resyncs, 1);
	/* a source being fetched is never taken twice, even past its gap;
	 * the request made meanwhile waits for the end of that fetch */
	assert_int_equal(wot_sched_plan_request(&p, "b", 0), 0);
	assert_int_equal(wot_sched_plan_take(&p, 2000, &t), 0);
	assert_int_equal(t.n, 1);
	wot_sched_take_free(&t);
	assert_int_equal(wot_sched_plan_request(&p, "b", 0), 1);
	assert_int_equal(wot_sched_plan_take(&p, 9000, &t), 0);
	assert_int_equal(t.n, 0);
	wot_sched_take_free(&t);
	wot_sched_plan_done(&p, "b", 1);
	assert_int_equal(wot_sched_plan_take(&p, 9000, &t), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.names[0], "b");
	wot_sched_take_free(&t);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	assert_true(wot_sched_plan_request(&p, longname, 1) < 0);
	wot_sched_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sched_plan_table),
	    cmocka_unit_test(test_sched_plan_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
