/* test_verdict.c - second opinions judged by the trust core: verdict
 * names, weights, disagreements, answers without git, unplaced claims. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "trust/trust.h"

#define FPR "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"

/* Every name state/opinions.json shows reads back as its verdict. */
static void verdict_names_round_trip(void **state)
{
	(void)state;
	for (int v = WOT_VERDICT_AGREE; v <= WOT_VERDICT_GIT; v++)
		assert_int_equal(wot_verdict_parse(wot_verdict_name(v)), v);
	assert_string_equal(wot_verdict_name(WOT_VERDICT_OTHER_SOURCE),
			    "other-source");
	assert_string_equal(wot_verdict_name((wot_verdict)99), "?");
	assert_int_equal(wot_verdict_parse("no such"), WOT_VERDICT_UNCHECKED);
	assert_int_equal(wot_verdict_parse(NULL), WOT_VERDICT_UNCHECKED);
}

/* A lie halves the weight; agreeing, lagging or ahead earn 0.05 up to 1;
 * nothing else moves it. */
static void verdict_weights(void **state)
{
	(void)state;
	assert_true(fabs(wot_verdict_weight(1, WOT_VERDICT_LIE) - 0.5) < 1e-12);
	assert_true(fabs(wot_verdict_weight(0.5, WOT_VERDICT_LIE) - 0.25) <
		    1e-12);
	assert_true(fabs(wot_verdict_weight(0.5, WOT_VERDICT_AGREE) - 0.55) <
		    1e-12);
	assert_true(fabs(wot_verdict_weight(0.5, WOT_VERDICT_LAGGING) - 0.55) <
		    1e-12);
	assert_true(fabs(wot_verdict_weight(0.5, WOT_VERDICT_AHEAD) - 0.55) <
		    1e-12);
	assert_true(wot_verdict_weight(0.98, WOT_VERDICT_AGREE) == 1);
	assert_true(wot_verdict_weight(1, WOT_VERDICT_AGREE) == 1);
	for (int v = WOT_VERDICT_EQUIVOCATION; v <= WOT_VERDICT_GIT; v++)
		assert_true(wot_verdict_weight(0.3, v) == 0.3);
	/* a liar caught three times counts an eighth */
	double w = 1;
	for (int i = 0; i < 3; i++)
		w = wot_verdict_weight(w, WOT_VERDICT_LIE);
	assert_true(fabs(w - 0.125) < 1e-12);
}

static void verdict_disagreements(void **state)
{
	(void)state;
	assert_false(wot_verdict_disagrees(WOT_VERDICT_AGREE));
	assert_false(wot_verdict_disagrees(WOT_VERDICT_LAGGING));
	assert_false(wot_verdict_disagrees(WOT_VERDICT_NONE));
	assert_false(wot_verdict_disagrees(WOT_VERDICT_TIMEOUT));
	assert_false(wot_verdict_disagrees(WOT_VERDICT_OTHER_SOURCE));
	assert_true(wot_verdict_disagrees(WOT_VERDICT_AHEAD));
	assert_true(wot_verdict_disagrees(WOT_VERDICT_LIE));
	assert_true(wot_verdict_disagrees(WOT_VERDICT_EQUIVOCATION));
	assert_true(wot_verdict_disagrees(WOT_VERDICT_ERROR));
	assert_true(wot_verdict_disagrees(WOT_VERDICT_UNPLACED));
	assert_true(wot_verdict_disagrees(WOT_VERDICT_UNCHECKED));
	assert_true(wot_verdict_agrees(WOT_VERDICT_AGREE));
	assert_true(wot_verdict_agrees(WOT_VERDICT_LAGGING));
	assert_false(wot_verdict_agrees(WOT_VERDICT_AHEAD));
	assert_false(wot_verdict_agrees(WOT_VERDICT_NONE));
}

/* Answers judged without git. */
static void verdict_quick(void **state)
{
	wot_opinion_view ours = {0, FPR, C1, "d1"};
	wot_opinion_view t = {0, FPR, C1, "d1"};

	(void)state;
	assert_int_equal(wot_verdict_quick(&ours, &t), WOT_VERDICT_AGREE);
	t.fpr = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; /* case */
	assert_int_equal(wot_verdict_quick(&ours, &t), WOT_VERDICT_AGREE);
	t.digest = "d2"; /* our commit, other records: git decides */
	assert_int_equal(wot_verdict_quick(&ours, &t), WOT_VERDICT_GIT);
	t.digest = NULL;
	assert_int_equal(wot_verdict_quick(&ours, &t), WOT_VERDICT_GIT);
	t.digest = "d1";
	t.commit = C2; /* another commit: placed with git */
	assert_int_equal(wot_verdict_quick(&ours, &t), WOT_VERDICT_GIT);
	t.fpr = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
	assert_int_equal(wot_verdict_quick(&ours, &t),
			 WOT_VERDICT_OTHER_SOURCE);
	t.none = 1; /* "none" wins over everything */
	assert_int_equal(wot_verdict_quick(&ours, &t), WOT_VERDICT_NONE);
}

/* A claimed commit we could not place. */
static void verdict_claims(void **state)
{
	wot_claim_facts f = {0};

	(void)state;
	f.unknown = 1;
	assert_int_equal(wot_verdict_claim(&f), WOT_VERDICT_UNPLACED);
	f.final = 1; /* the peer's own URLs answered without it */
	assert_int_equal(wot_verdict_claim(&f), WOT_VERDICT_LIE);
	f.unknown = 0;
	f.final = 0; /* obtained, forking, not the owner's */
	assert_int_equal(wot_verdict_claim(&f), WOT_VERDICT_LIE);
	f.ahead = 1;
	assert_int_equal(wot_verdict_claim(&f), WOT_VERDICT_AHEAD);
	f.equivocation = 1; /* proof beats everything */
	f.final = 1;
	assert_int_equal(wot_verdict_claim(&f), WOT_VERDICT_EQUIVOCATION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(verdict_names_round_trip),
	    cmocka_unit_test(verdict_weights),
	    cmocka_unit_test(verdict_disagreements),
	    cmocka_unit_test(verdict_quick),
	    cmocka_unit_test(verdict_claims),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
