/* test_graph.c - the pure trust core on hand-built graphs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust/graph.h"
#include "util/util.h"

#define NOW 1000000

/* Keys named k0..kN-1 with the given ownertrusts; k0 is the user. */
static wot_graph *make(const wot_ownertrust *ot, size_t n)
{
	wot_graph *g = NULL;
	char fpr[41];

	assert_int_equal(wot_graph_new(&g), 0);
	for (size_t i = 0; i < n; i++) {
		snprintf(fpr, sizeof(fpr), "%040zu", i);
		assert_int_equal(
		    wot_graph_add_key(g, fpr, ot[i], 0, 0, 1, NULL), 0);
	}
	return g;
}

static void cert(wot_graph *g, uint32_t a, uint32_t b)
{
	assert_int_equal(wot_graph_add_cert(g, a, b, 0, 0, 0), 0);
}

static wot_validity v(wot_graph *g, uint32_t i)
{
	return wot_graph_key_at(g, i)->validity;
}

static int lvl(wot_graph *g, uint32_t i)
{
	return wot_graph_key_at(g, i)->level;
}

static void compute(wot_graph *g)
{
	wot_graph_params p = WOT_GRAPH_PARAMS_INIT;

	p.now = NOW;
	assert_int_equal(wot_graph_compute(g, &p), 0);
}

#define U WOT_OWNERTRUST_ULTIMATE
#define F WOT_OWNERTRUST_FULL
#define M WOT_OWNERTRUST_MARGINAL
#define N WOT_OWNERTRUST_NONE
#define Q WOT_OWNERTRUST_UNKNOWN

static void graph_full_introducer(void **state)
{
	wot_ownertrust ot[] = {U, F, Q, Q};
	wot_graph *g = make(ot, 4);

	(void)state;
	cert(g, 0, 1);
	cert(g, 1, 2);
	compute(g);
	assert_int_equal(v(g, 0), WOT_VALIDITY_ULTIMATE);
	assert_int_equal(v(g, 1), WOT_VALIDITY_FULL);
	assert_int_equal(v(g, 2), WOT_VALIDITY_FULL);
	assert_int_equal(v(g, 3), WOT_VALIDITY_UNKNOWN);
	assert_int_equal(lvl(g, 0), 0);
	assert_int_equal(lvl(g, 1), 1);
	assert_int_equal(lvl(g, 2), 2);
	assert_int_equal(lvl(g, 3), -1);
	wot_graph_free(g);
}

static void graph_three_marginals(void **state)
{
	wot_ownertrust ot[] = {U, M, M, M, Q, Q};
	wot_graph *g = make(ot, 6);

	(void)state;
	for (uint32_t i = 1; i <= 3; i++)
		cert(g, 0, i);
	cert(g, 1, 4);
	cert(g, 2, 4);
	cert(g, 3, 4); /* three marginals: full */
	cert(g, 1, 5);
	cert(g, 2, 5); /* two: marginal */
	compute(g);
	assert_int_equal(v(g, 4), WOT_VALIDITY_FULL);
	assert_int_equal(v(g, 5), WOT_VALIDITY_MARGINAL);
	wot_graph_free(g);
}

static void graph_marginal_does_not_introduce(void **state)
{
	wot_ownertrust ot[] = {U, M, F, Q};
	wot_graph *g = make(ot, 4);

	(void)state;
	cert(g, 0, 1);
	cert(g, 1, 2); /* k2 only marginally valid */
	cert(g, 2, 3);
	compute(g);
	assert_int_equal(v(g, 2), WOT_VALIDITY_MARGINAL);
	assert_int_equal(v(g, 3), WOT_VALIDITY_UNKNOWN);
	wot_graph_free(g);
}

static void graph_untrusted_signer_counts_nothing(void **state)
{
	wot_ownertrust ot[] = {U, N, Q, Q};
	wot_graph *g = make(ot, 4);

	(void)state;
	cert(g, 0, 1);
	cert(g, 1, 2);
	compute(g);
	assert_int_equal(v(g, 1), WOT_VALIDITY_FULL);
	assert_int_equal(v(g, 2), WOT_VALIDITY_UNKNOWN);
	wot_graph_free(g);
}

static void graph_depth_limit(void **state)
{
	wot_ownertrust ot[] = {U, F, F, F, F, F, F, Q};
	wot_graph *g = make(ot, 8);
	wot_graph_params p = WOT_GRAPH_PARAMS_INIT;

	(void)state;
	for (uint32_t i = 0; i < 7; i++)
		cert(g, i, i + 1);
	compute(g);
	assert_int_equal(v(g, 5), WOT_VALIDITY_FULL); /* level 5 */
	assert_int_equal(v(g, 6), WOT_VALIDITY_UNKNOWN);
	p.now = NOW;
	p.max_cert_depth = 2;
	assert_int_equal(wot_graph_compute(g, &p), 0);
	assert_int_equal(v(g, 2), WOT_VALIDITY_FULL);
	assert_int_equal(v(g, 3), WOT_VALIDITY_UNKNOWN);
	wot_graph_free(g);
}

static void graph_revoked_and_expired_keys(void **state)
{
	wot_graph *g = NULL;
	uint32_t u, r, e, t1, t2;

	(void)state;
	assert_int_equal(wot_graph_new(&g), 0);
	assert_int_equal(wot_graph_add_key(g, "U", U, 0, 0, 1, &u), 0);
	assert_int_equal(wot_graph_add_key(g, "R", F, 1, 0, 1, &r), 0);
	assert_int_equal(wot_graph_add_key(g, "E", F, 0, NOW - 1, 1, &e), 0);
	assert_int_equal(wot_graph_add_key(g, "T1", Q, 0, 0, 1, &t1), 0);
	assert_int_equal(wot_graph_add_key(g, "T2", Q, 0, 0, 1, &t2), 0);
	cert(g, u, r);
	cert(g, u, e);
	cert(g, r, t1);
	cert(g, e, t2);
	compute(g);
	assert_int_equal(v(g, r), WOT_VALIDITY_NEVER);
	assert_int_equal(v(g, e), WOT_VALIDITY_NEVER);
	/* and their certifications carry nothing */
	assert_int_equal(v(g, t1), WOT_VALIDITY_UNKNOWN);
	assert_int_equal(v(g, t2), WOT_VALIDITY_UNKNOWN);
	wot_graph_free(g);
}

static void graph_expired_and_revoked_certs(void **state)
{
	wot_ownertrust ot[] = {U, Q, Q, Q};
	wot_graph *g = make(ot, 4);

	(void)state;
	assert_int_equal(wot_graph_add_cert(g, 0, 1, 0, NOW - 5, 0), 0);
	assert_int_equal(wot_graph_add_cert(g, 0, 2, 0, 0, 1), 0);
	assert_int_equal(wot_graph_add_cert(g, 0, 3, 0, NOW + 5, 0), 0);
	compute(g);
	assert_int_equal(v(g, 1), WOT_VALIDITY_UNKNOWN);
	assert_int_equal(v(g, 2), WOT_VALIDITY_UNKNOWN);
	assert_int_equal(v(g, 3), WOT_VALIDITY_FULL);
	wot_graph_free(g);
}

static void graph_self_and_duplicate_certs(void **state)
{
	wot_ownertrust ot[] = {U, M, Q};
	wot_graph *g = make(ot, 3);

	(void)state;
	cert(g, 0, 1);
	cert(g, 1, 1); /* self */
	cert(g, 1, 2);
	cert(g, 1, 2);
	cert(g, 1, 2); /* one signer counts once */
	compute(g);
	assert_int_equal(v(g, 2), WOT_VALIDITY_MARGINAL);
	wot_graph_free(g);
}

static void graph_counts_accumulate_over_depths(void **state)
{
	/* k3 gets one marginal at depth 1 (from k1) and two more at depth
	 * 2 (from k4, k5): gpg adds them up and k3 becomes full. */
	wot_ownertrust ot[] = {U, M, F, Q, M, M};
	wot_graph *g = make(ot, 6);
	wot_graph_params p = WOT_GRAPH_PARAMS_INIT;

	(void)state;
	cert(g, 0, 1);
	cert(g, 0, 2);
	cert(g, 1, 3);
	cert(g, 2, 4);
	cert(g, 2, 5);
	cert(g, 4, 3);
	cert(g, 5, 3);
	compute(g);
	assert_int_equal(v(g, 3), WOT_VALIDITY_FULL);
	assert_int_equal(lvl(g, 3), 2);
	/* configurable: with marginals-needed 4 it stays marginal */
	p.now = NOW;
	p.marginals_needed = 4;
	assert_int_equal(wot_graph_compute(g, &p), 0);
	assert_int_equal(v(g, 3), WOT_VALIDITY_MARGINAL);
	wot_graph_free(g);
}

static void graph_completes_needed(void **state)
{
	wot_ownertrust ot[] = {U, F, F, Q};
	wot_graph *g = make(ot, 4);
	wot_graph_params p = WOT_GRAPH_PARAMS_INIT;

	(void)state;
	cert(g, 0, 1);
	cert(g, 0, 2);
	cert(g, 1, 3);
	p.now = NOW;
	p.completes_needed = 2;
	assert_int_equal(wot_graph_compute(g, &p), 0);
	/* the user's own certification counts as complete on its own */
	assert_int_equal(v(g, 1), WOT_VALIDITY_FULL);
	assert_int_equal(v(g, 3), WOT_VALIDITY_MARGINAL);
	cert(g, 2, 3);
	assert_int_equal(wot_graph_compute(g, &p), 0);
	assert_int_equal(v(g, 3), WOT_VALIDITY_FULL);
	wot_graph_free(g);
}

static void graph_recompute_after_change(void **state)
{
	wot_ownertrust ot[] = {U, Q, Q};
	wot_graph *g = make(ot, 3);
	uint32_t idx;

	(void)state;
	cert(g, 0, 1);
	cert(g, 1, 2);
	compute(g);
	assert_int_equal(v(g, 2), WOT_VALIDITY_UNKNOWN);
	assert_int_equal(wot_graph_set_ownertrust(g, 1, F), 0);
	compute(g);
	assert_int_equal(v(g, 2), WOT_VALIDITY_FULL);
	assert_int_equal(wot_graph_find(g, wot_graph_key_at(g, 2)->fpr, &idx),
			 0);
	assert_int_equal(idx, 2);
	assert_int_equal(wot_graph_find(g, "nope", &idx), WOT_ENOENT);
	assert_int_equal(
	    wot_graph_add_key(g, wot_graph_key_at(g, 0)->fpr, Q, 0, 0, 1, NULL),
	    WOT_EEXIST);
	wot_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(graph_full_introducer),
	    cmocka_unit_test(graph_three_marginals),
	    cmocka_unit_test(graph_marginal_does_not_introduce),
	    cmocka_unit_test(graph_untrusted_signer_counts_nothing),
	    cmocka_unit_test(graph_depth_limit),
	    cmocka_unit_test(graph_revoked_and_expired_keys),
	    cmocka_unit_test(graph_expired_and_revoked_certs),
	    cmocka_unit_test(graph_self_and_duplicate_certs),
	    cmocka_unit_test(graph_counts_accumulate_over_depths),
	    cmocka_unit_test(graph_completes_needed),
	    cmocka_unit_test(graph_recompute_after_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
