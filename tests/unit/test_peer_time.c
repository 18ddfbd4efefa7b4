/*
 * test_peer_time.c - the peer room's timing on a fake clock, as tables:
 * the per-sender rate bucket of the peer port (peer_listen.c), the retry
 * schedule of unplaced claims (opinion_heads.c), the spacing of neighbor
 * rounds and the commits tried lately (neighbor*.c). The end-to-end tests
 * (t_opinions.sh, t_neighbors.sh) keep only the wiring; no sleep here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/peer/neighbor_int.h"
#include "dns/peer/opinions_int.h"
#include "dns/peer/peer_int.h"

#include <stdlib.h>
#include <string.h>

static uint64_t fake_ms;

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	return fake_ms;
}

static const wot_clock fake = {.now_ms = fake_now, .ctx = NULL};

/* ---- the peer port's rate bucket: 40 at once, then 20 a second ------- */

typedef struct {
	uint64_t t;	/* the clock moves to t ms */
	const char *ip; /* the sender */
	int n;		/* messages sent at t */
	int answered;	/* of them, not dropped */
} rate_row;

static const rate_row rate_table[] = {
    {1000, "127.0.0.1", 40, 40}, /* a full bucket: the burst of 40 */
    {1000, "127.0.0.1", 5, 0},	 /* then nothing, at the same moment */
    {1049, "127.0.0.1", 1, 0},	 /* 49 ms: 0.98 of a token */
    {1050, "127.0.0.1", 1, 1},	 /* 50 ms: one token (20 a second) */
    {1050, "127.0.0.2", 3, 3},	 /* another address has its own bucket */
    {1550, "127.0.0.1", 20, 10}, /* half a second: 10 more */
    {2550, "127.0.0.1", 30, 20}, /* a second: 20 */
    {4550, "127.0.0.1", 50, 40}, /* two idle seconds: full, never more */
    {6550, "127.0.0.1", 40, 40}, /* refilled after two seconds */
    {0, NULL, 0, 0},
};

static void peer_rate_bucket(void **state)
{
	static wot_dns_peer_listener l; /* large: not on the stack */
	uint8_t q[64], out[512];
	size_t rlen;

	(void)state;
	memset(&l, 0, sizeof(l));
	l.clock = fake;
	memset(l.cookie_secret, 5, sizeof(l.cookie_secret));
	/* An UPDATE: well formed, answered NOTIMP, through the bucket. */
	memset(q, 0, sizeof(q));
	q[0] = 0x12;
	q[2] = 5 << 3;
	for (const rate_row *r = rate_table; r->ip; r++) {
		struct sockaddr_in sa;
		uint64_t dropped = l.st.dropped;
		fake_ms = r->t;
		uv_ip4_addr(r->ip, 4000 + (int)(r - rate_table), &sa);
		for (int i = 0; i < r->n; i++)
			wot_peer_handle(&l, (struct sockaddr *)&sa, q, 12, out,
					sizeof(out), 0, &rlen);
		if ((int)(l.st.dropped - dropped) != r->n - r->answered)
			fail_msg("row %d (t=%llu %s): %d of %d answered, "
				 "expected %d",
				 (int)(r - rate_table),
				 (unsigned long long)r->t, r->ip,
				 r->n - (int)(l.st.dropped - dropped), r->n,
				 r->answered);
	}
}

/* ---- unplaced claims: verified again 2, 5 and 10 s later, then final -- */

static void unplaced_schedule(void **state)
{
	static const struct {
		uint64_t now;
		unsigned attempts, first;
		uint64_t due;
	} rows[] = {
	    {1000, 0, 2000, 3000},	  /* the default: first 2 s */
	    {3000, 1, 2000, 8000},	  /* then 5 s */
	    {8000, 2, 2000, 18000},	  /* then 10 s */
	    {18000, 3, 2000, UINT64_MAX}, /* UNPLACED_TRIES ran: final */
	    {18000, 4, 2000, UINT64_MAX},
	    {0, 0, 500, 500}, /* unplaced-wait = 500: 0.5, 1.25, 2.5 s */
	    {500, 1, 500, 1750},
	    {1750, 2, 500, 4250},
	    {4250, 3, 500, UINT64_MAX},
	    {7, 0, 0, 7}, /* 0: verified again at once */
	};

	(void)state;
	assert_int_equal(UNPLACED_TRIES, 3);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(wot_opinions_unplaced_due(rows[i].now,
							   rows[i].attempts,
							   rows[i].first),
				 rows[i].due);
}

/* ---- neighbor rounds: interval +-20%, a quarter while withdrawn ----- */

static void neighbor_round_spacing(void **state)
{
	static const struct {
		unsigned interval_s;
		int soon;
		unsigned draw;
		uint64_t ms;
	} rows[] = {
	    {1, 0, 0, 800},   /* the shortest: 80% */
	    {1, 0, 20, 1000}, /* the mean */
	    {1, 0, 40, 1200}, /* the longest: 120% */
	    {1, 0, 41, 800},  /* draws wrap */
	    {1, 1, 0, 200},   /* withdrawn: a quarter */
	    {1, 1, 40, 300},
	    {300, 0, 0, 240000}, /* the default 5 minutes */
	    {300, 0, 40, 360000},
	    {300, 1, 20, 75000},
	    {0, 0, 20, 0}, /* no rounds */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(wot_neighbor_round_ms(rows[i].interval_s,
						       rows[i].soon,
						       rows[i].draw),
				 rows[i].ms);
	/* every draw stays within +-20% */
	for (unsigned d = 0; d < 1000; d++) {
		uint64_t ms = wot_neighbor_round_ms(10, 0, d);
		assert_true(ms >= 8000 && ms <= 12000);
	}
}

/* The commits tried lately: not looked for again before their time, and
 * the ring forgets the oldest. */
static void neighbor_tried_ring(void **state)
{
	wot_neighbor *n = calloc(1, sizeof(*n));
	char c[16];

	(void)state;
	assert_non_null(n);
	wot_neighbor_tried_remember(n, "aaaa", 1000 + 60000);
	assert_true(wot_neighbor_tried_lately(n, "aaaa", 1000));
	assert_true(wot_neighbor_tried_lately(n, "aaaa", 60999));
	assert_false(wot_neighbor_tried_lately(n, "aaaa", 61000));
	assert_false(wot_neighbor_tried_lately(n, "bbbb", 1000));
	for (int i = 0; i < NB_TRIED_KEEP - 1; i++) {
		snprintf(c, sizeof(c), "c%d", i);
		wot_neighbor_tried_remember(n, c, 600000);
	}
	assert_true(wot_neighbor_tried_lately(n, "aaaa", 2000));
	wot_neighbor_tried_remember(n, "dddd", 600000); /* the ring wraps */
	assert_false(wot_neighbor_tried_lately(n, "aaaa", 2000));
	assert_true(wot_neighbor_tried_lately(n, "c0", 2000));
	assert_true(wot_neighbor_tried_lately(n, "dddd", 2000));
	free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(peer_rate_bucket),
	    cmocka_unit_test(unplaced_schedule),
	    cmocka_unit_test(neighbor_round_spacing),
	    cmocka_unit_test(neighbor_tried_ring),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
