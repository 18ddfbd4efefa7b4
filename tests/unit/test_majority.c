/* test_majority.c - neighbor-majority decisions and opinion weights. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "trust/trust.h"
#include "util/util.h"

#define SRC_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define SRC_B "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
#define C_OURS "1111111111111111111111111111111111111111"
#define C_OLD "0000000000000000000000000000000000000000"
#define C_NEW "2222222222222222222222222222222222222222"
#define C_FORK "9999999999999999999999999999999999999999"

/* History of SRC_A: C_OLD <- C_OURS <- C_NEW; C_FORK is elsewhere. */
static wot_rel rel_cb(void *data, const char *source, const char *ours,
		      const char *theirs)
{
	int *calls = data;

	(*calls)++;
	assert_string_equal(source, SRC_A);
	assert_string_equal(ours, C_OURS);
	if (!strcmp(theirs, ours))
		return WOT_REL_SAME;
	if (!strcmp(theirs, C_OLD))
		return WOT_REL_ANCESTOR;
	if (!strcmp(theirs, C_NEW))
		return WOT_REL_DESCENDANT;
	if (!strcmp(theirs, C_FORK))
		return WOT_REL_UNRELATED;
	return WOT_REL_UNKNOWN;
}

static const wot_view self = {NULL, 1, 0, SRC_A, C_OURS, 100, 1};

static wot_view answer(const char *src, const char *commit, uint64_t digest)
{
	wot_view v = {"PEER", 1, 0, src, commit, digest, 1};
	return v;
}

static void fill(wot_view *v, size_t from, size_t to, wot_view with)
{
	for (size_t i = from; i < to; i++)
		v[i] = with;
}

static void decide(const wot_view *v, size_t n, unsigned N, unsigned M,
		   wot_majority_result *r, int *marks)
{
	int calls = 0;

	wot_majority_input in = {.self = &self,
				 .ops = v,
				 .n = n,
				 .neighbors = N,
				 .majority = M,
				 .rel = rel_cb,
				 .data = &calls};

	assert_int_equal(wot_majority_decide(&in, r, marks), 0);
}

static void majority_needed_scales(void **state)
{
	(void)state;
	assert_int_equal(wot_majority_needed(15, 15, 14), 14);
	/* 14/15 of 7 is 6.53: all 7 must agree. */
	assert_int_equal(wot_majority_needed(7, 15, 14), 7);
	assert_int_equal(wot_majority_needed(5, 15, 14), 5);
	assert_int_equal(wot_majority_needed(10, 20, 11), 6);
	/* Never fewer than 3, even for 1 or 2 neighbors. */
	assert_int_equal(wot_majority_needed(2, 15, 14), 3);
	assert_int_equal(wot_majority_needed(1, 15, 14), 3);
	assert_int_equal(wot_majority_needed(0, 15, 14), 0);
	assert_int_equal(wot_majority_needed(5, 0, 14), 0);
}

static void majority_all_agree(void **state)
{
	wot_view v[15];
	wot_majority_result r;
	int marks[15];

	(void)state;
	fill(v, 0, 15, answer(SRC_A, C_OURS, 100));
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_AGREE);
	assert_int_equal(r.agree, 15);
	assert_int_equal(r.outliers, 0);
	assert_int_equal(marks[3], WOT_MAJ_SAME);
}

static void majority_we_are_outlier(void **state)
{
	wot_view v[15];
	wot_majority_result r;
	int marks[15];

	(void)state;
	/* 14 agree on another RRset at a commit we cannot place (our
	 * source rewrote our history); one agrees with us. */
	fill(v, 0, 14, answer(SRC_A, C_FORK, 200));
	v[14] = answer(SRC_A, C_OURS, 100);
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_OUTLIER);
	assert_int_equal(r.top, 14);
	assert_int_equal(r.needed, 14);
	assert_int_equal(v[r.top_index].digest, 200);
	assert_int_equal(r.outliers, 0);
}

static void majority_thirteen_is_not_enough(void **state)
{
	wot_view v[15];
	wot_majority_result r;

	(void)state;
	fill(v, 0, 13, answer(SRC_A, C_FORK, 200));
	fill(v, 13, 15, answer(SRC_A, C_OURS, 100));
	decide(v, 15, 15, 14, &r, NULL);
	assert_int_equal(r.verdict, WOT_MAJ_UNDECIDED);
	assert_int_equal(r.top, 13);
	/* Nobody is punished when no side has the majority. */
	assert_int_equal(r.outliers, 0);
}

static void majority_single_liar(void **state)
{
	wot_view v[15];
	wot_majority_result r;
	int marks[15];

	(void)state;
	fill(v, 0, 15, answer(SRC_A, C_OURS, 100));
	/* Same commit, another RRset: a lie (or a broken peer). */
	v[6] = answer(SRC_A, C_OURS, 666);
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_AGREE);
	assert_int_equal(r.outliers, 1);
	assert_int_equal(marks[6], WOT_MAJ_OUTLIER_N);
	assert_int_equal(marks[5], WOT_MAJ_SAME);
}

static void majority_liars_split_no_verdict(void **state)
{
	wot_view v[15];
	wot_majority_result r;
	int marks[15];

	(void)state;
	/* 12 with us, 3 liars: we plus 12 is 13 < 14, so the liars are
	 * not judged by this check (second opinions still are). */
	fill(v, 0, 12, answer(SRC_A, C_OURS, 100));
	fill(v, 12, 15, answer(SRC_B, C_FORK, 7));
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_UNDECIDED);
	assert_int_equal(r.outliers, 0);
	assert_int_equal(marks[13], WOT_MAJ_DIFFERS);
	/* With 13 honest, we plus 13 is the majority: both liars are. */
	fill(v, 0, 13, answer(SRC_A, C_OURS, 100));
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_AGREE);
	assert_int_equal(r.outliers, 2);
	assert_int_equal(marks[14], WOT_MAJ_OUTLIER_N);
}

static void majority_lagging_is_not_disagreement(void **state)
{
	wot_view v[15];
	wot_majority_result r;
	int marks[15];

	(void)state;
	/* Everyone else is on our parent commit, with the old RRset. */
	fill(v, 0, 15, answer(SRC_A, C_OLD, 50));
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_UNDECIDED);
	assert_int_equal(r.lagging, 15);
	assert_int_equal(r.counted, 0);
	assert_int_equal(r.top, 0);
	assert_int_equal(marks[0], WOT_MAJ_LAGGING);
	/* One lagging among agreeing peers is no outlier. */
	fill(v, 0, 15, answer(SRC_A, C_OURS, 100));
	v[2] = answer(SRC_A, C_OLD, 50);
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_AGREE);
	assert_int_equal(r.outliers, 0);
	assert_int_equal(marks[2], WOT_MAJ_LAGGING);
}

static void majority_we_are_behind(void **state)
{
	wot_view v[15];
	wot_majority_result r;
	int marks[15];

	(void)state;
	fill(v, 0, 15, answer(SRC_A, C_NEW, 300));
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_BEHIND);
	assert_int_equal(marks[1], WOT_MAJ_AHEAD);
	/* One of the group on an unrelated fork: outlier, not behind. */
	v[4] = answer(SRC_A, C_FORK, 300);
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_OUTLIER);
	/* A peer ahead of a majority that agrees with us is news, not a
	 * liar. */
	fill(v, 0, 15, answer(SRC_A, C_OURS, 100));
	v[9] = answer(SRC_A, C_NEW, 300);
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_AGREE);
	assert_int_equal(r.outliers, 0);
	assert_int_equal(marks[9], WOT_MAJ_AHEAD);
}

static void majority_silence_abstains(void **state)
{
	wot_view v[15];
	wot_majority_result r;
	int marks[15];

	(void)state;
	/* Neighbors that do not follow the source (none) or did not
	 * answer never count against us. */
	fill(v, 0, 15, answer(SRC_A, C_FORK, 200));
	for (size_t i = 0; i < 10; i++)
		v[i].none = 1;
	v[10].answered = 0;
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_UNDECIDED);
	assert_int_equal(r.counted, 4);
	assert_int_equal(r.top, 4);
	assert_int_equal(marks[0], WOT_MAJ_SILENT);
	assert_int_equal(marks[10], WOT_MAJ_SILENT);
}

static void majority_other_source_is_another_view(void **state)
{
	wot_view v[5];
	wot_majority_result r;
	int marks[5];

	(void)state;
	/* Same bytes, another source: not our view; the relation callback
	 * is never asked about another source's commits (it asserts). */
	fill(v, 0, 5, answer(SRC_B, C_OURS, 100));
	decide(v, 5, 15, 14, &r, marks);
	assert_int_equal(r.needed, 5);
	assert_int_equal(r.verdict, WOT_MAJ_OUTLIER);
	assert_int_equal(marks[0], WOT_MAJ_DIFFERS);
}

static void majority_tie_decides_nothing(void **state)
{
	wot_view v[5];
	wot_majority_result r;
	int marks[5];

	(void)state;
	/* N=5, M=3: 3 against; we and 2 with us are 3 too. */
	fill(v, 0, 3, answer(SRC_A, C_FORK, 200));
	fill(v, 3, 5, answer(SRC_A, C_OURS, 100));
	decide(v, 5, 5, 3, &r, marks);
	assert_int_equal(r.needed, 3);
	assert_int_equal(r.verdict, WOT_MAJ_UNDECIDED);
	assert_int_equal(r.outliers, 0);
}

static void majority_few_neighbors(void **state)
{
	wot_view v[2];
	wot_majority_result r;

	(void)state;
	/* Two neighbors can never make us withdraw. */
	fill(v, 0, 2, answer(SRC_A, C_FORK, 200));
	decide(v, 2, 15, 14, &r, NULL);
	assert_int_equal(r.verdict, WOT_MAJ_UNDECIDED);
	/* Five of five against: scaled majority reached. */
	wot_view w[5];
	fill(w, 0, 5, answer(SRC_A, C_FORK, 200));
	decide(w, 5, 15, 14, &r, NULL);
	assert_int_equal(r.verdict, WOT_MAJ_OUTLIER);
	/* Four of five: not enough. */
	w[0] = answer(SRC_A, C_OURS, 100);
	decide(w, 5, 15, 14, &r, NULL);
	assert_int_equal(r.verdict, WOT_MAJ_UNDECIDED);
}

static void majority_bad_arguments(void **state)
{
	wot_view none = self, v[1];
	wot_majority_result r;
	int calls = 0;

	(void)state;
	none.none = 1;
	v[0] = answer(SRC_A, C_OURS, 100);
	wot_majority_input in = {.self = &none,
				 .ops = v,
				 .n = 1,
				 .neighbors = 15,
				 .majority = 14,
				 .rel = rel_cb,
				 .data = &calls};

	assert_int_equal(wot_majority_decide(&in, &r, NULL), WOT_EINVAL);
	in.self = &self;
	in.ops = NULL;
	assert_int_equal(wot_majority_decide(&in, &r, NULL), WOT_EINVAL);
	in.ops = v;
	in.rel = NULL;
	in.data = NULL;
	assert_int_equal(wot_majority_decide(&in, &r, NULL), WOT_EINVAL);
}

static void majority_digest_differs(void **state)
{
	(void)state;
	assert_true(wot_majority_digest("a", 1, 0) !=
		    wot_majority_digest("b", 1, 0));
	assert_true(
	    wot_majority_digest("ab", 2, 0) ==
	    wot_majority_digest("b", 1, wot_majority_digest("a", 1, 0)));
}

static void majority_weight_updates(void **state)
{
	double w = 1.0;

	(void)state;
	w = wot_weight_update(w, WOT_WEIGHT_OUTLIER);
	assert_true(w > 0.49 && w < 0.51);
	w = wot_weight_update(w, WOT_WEIGHT_SILENT);
	assert_true(w > 0.49 && w < 0.51);
	w = wot_weight_update(w, WOT_WEIGHT_AGREED);
	assert_true(w > 0.54 && w < 0.56);
	for (int i = 0; i < 20; i++)
		w = wot_weight_update(w, WOT_WEIGHT_OUTLIER);
	assert_true(w == WOT_WEIGHT_MIN);
	for (int i = 0; i < 200; i++)
		w = wot_weight_update(w, WOT_WEIGHT_AGREED);
	assert_true(w <= WOT_WEIGHT_MAX && w > 0.99);
	/* Damaged values are clamped. */
	assert_true(wot_weight_update(7.0, WOT_WEIGHT_SILENT) == 1.0);
	assert_true(wot_weight_update(-3.0, WOT_WEIGHT_SILENT) ==
		    WOT_WEIGHT_MIN);
	assert_true(wot_weight_update(NAN, WOT_WEIGHT_SILENT) ==
		    WOT_WEIGHT_MIN);
}

/* weigh: answers from..to get weight w. */
static void weigh(wot_view *v, size_t from, size_t to, double w)
{
	for (size_t i = from; i < to; i++)
		v[i].weight = w;
}

static void majority_equal_weights_are_a_count(void **state)
{
	wot_view v[15];
	wot_majority_result r;
	int marks[15];
	const double ws[] = {0.05, 0.3, 0.5, 0.999};

	(void)state;
	/* Whatever the common weight, 14 of 15 decide and 13 do not. */
	for (size_t k = 0; k < sizeof(ws) / sizeof(ws[0]); k++) {
		fill(v, 0, 14, answer(SRC_A, C_FORK, 200));
		v[14] = answer(SRC_A, C_OURS, 100);
		weigh(v, 0, 15, ws[k]);
		decide(v, 15, 15, 14, &r, marks);
		assert_int_equal(r.verdict, WOT_MAJ_OUTLIER);
		assert_true(fabs(r.top_votes - 14) < 1e-9);
		assert_true(fabs(r.ours_votes - 2) < 1e-9);
		v[13] = answer(SRC_A, C_OURS, 100);
		weigh(v, 0, 15, ws[k]);
		decide(v, 15, 15, 14, &r, marks);
		assert_int_equal(r.verdict, WOT_MAJ_UNDECIDED);
		/* and a single liar among equals is still the outlier */
		fill(v, 0, 15, answer(SRC_A, C_OURS, 100));
		v[3] = answer(SRC_A, C_OURS, 666);
		weigh(v, 0, 15, ws[k]);
		decide(v, 15, 15, 14, &r, marks);
		assert_int_equal(r.verdict, WOT_MAJ_AGREE);
		assert_int_equal(marks[3], WOT_MAJ_OUTLIER_N);
	}
	/* Weight 0 (unset), NaN and values out of range are clamped to
	 * [WOT_WEIGHT_MIN, WOT_WEIGHT_MAX]: 0 and 0.05 are equal weights. */
	fill(v, 0, 14, answer(SRC_A, C_FORK, 200));
	v[14] = answer(SRC_A, C_OURS, 100);
	weigh(v, 0, 7, 0);
	weigh(v, 7, 14, WOT_WEIGHT_MIN);
	v[14].weight = NAN;
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_OUTLIER);
	assert_true(fabs(r.top_votes - 14) < 1e-9);
	weigh(v, 0, 15, 7.0);
	v[2].weight = 1.0;
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_OUTLIER);
}

static void majority_discredited_liars_cannot_outvote(void **state)
{
	wot_view v[15];
	wot_majority_result r;
	int marks[15];

	(void)state;
	/* 14 neighbors that lied before (weight 0.05) against one honest
	 * neighbor of weight 1 and us: as a count 14 of 15 would make us
	 * withdraw; by weight they hold 15 * 0.7 / 1.7 = 6.2 votes. */
	fill(v, 0, 14, answer(SRC_A, C_FORK, 200));
	weigh(v, 0, 14, 0.05);
	v[14] = answer(SRC_A, C_OURS, 100);
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_UNDECIDED);
	assert_int_equal(r.top, 14);
	assert_true(r.top_votes > 6.17 && r.top_votes < 6.18);
	assert_true(r.ours_votes > 9.82 && r.ours_votes < 9.83);
	assert_int_equal(r.outliers, 0);
	/* The vote of the honest ones holds the whole weight. */
	assert_true(fabs(r.top_votes + r.ours_votes - 16) < 1e-9);
}

static void majority_discredited_cannot_block(void **state)
{
	wot_view v[15];
	wot_majority_result r;
	int marks[15];

	(void)state;
	/* 13 trusted neighbors against us, 2 discredited ones with us: 13
	 * is no majority as a count, but by weight the 13 hold
	 * 15 * 13 / 13.1 = 14.9 votes: we are the outlier. */
	fill(v, 0, 13, answer(SRC_A, C_FORK, 200));
	fill(v, 13, 15, answer(SRC_A, C_OURS, 100));
	weigh(v, 13, 15, 0.05);
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_OUTLIER);
	assert_int_equal(r.top, 13);
	assert_true(r.top_votes > 14.88 && r.top_votes < 14.89);
	/* Reversed: 12 trusted with us, 3 discredited liars against us:
	 * our side holds 1 + 15 * 12 / 12.15 = 15.8 votes, enough to judge
	 * the three outliers (as a count, 13 < 14 would judge nobody). */
	fill(v, 0, 12, answer(SRC_A, C_OURS, 100));
	fill(v, 12, 15, answer(SRC_B, C_FORK, 7));
	weigh(v, 12, 15, 0.05);
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_AGREE);
	assert_int_equal(r.outliers, 3);
	assert_int_equal(marks[12], WOT_MAJ_OUTLIER_N);
	assert_int_equal(marks[11], WOT_MAJ_SAME);
}

static void majority_heaviest_group_wins(void **state)
{
	wot_view v[15];
	wot_majority_result r;
	int marks[15];

	(void)state;
	/* Two views against us: 5 discredited on one, 4 trusted on the
	 * other; the group reported is the one with more votes, not more
	 * members. */
	fill(v, 0, 5, answer(SRC_A, C_FORK, 200));
	weigh(v, 0, 5, 0.05);
	fill(v, 5, 9, answer(SRC_A, C_FORK, 300));
	fill(v, 9, 15, answer(SRC_A, C_OURS, 100));
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.top, 4);
	assert_int_equal(v[r.top_index].digest, 300);
	assert_int_equal(r.verdict, WOT_MAJ_UNDECIDED);
	/* Silent neighbors still share the votes: the answers never hold
	 * more than their share of the n votes. */
	fill(v, 0, 15, answer(SRC_A, C_FORK, 200));
	for (size_t i = 0; i < 5; i++)
		v[i].answered = 0;
	weigh(v, 5, 15, 0.05);
	decide(v, 15, 15, 14, &r, marks);
	assert_int_equal(r.verdict, WOT_MAJ_UNDECIDED);
	assert_true(r.top_votes > 1.36 && r.top_votes < 1.37);
}

/* What a round does after the verdict (neighbor.c acts on it). */
static void majority_actions(void **state)
{
	(void)state;
	assert_int_equal(wot_majority_action(WOT_MAJ_OUTLIER, 0),
			 WOT_MAJ_ACT_WITHDRAW);
	assert_int_equal(wot_majority_action(WOT_MAJ_OUTLIER, 1),
			 WOT_MAJ_ACT_WITHDRAW);
	/* behind: re-sync only, nothing withdrawn or restored */
	assert_int_equal(wot_majority_action(WOT_MAJ_BEHIND, 0),
			 WOT_MAJ_ACT_RESYNC);
	assert_int_equal(wot_majority_action(WOT_MAJ_BEHIND, 1),
			 WOT_MAJ_ACT_RESYNC);
	/* no majority against us: a withdrawn RRset is served again */
	assert_int_equal(wot_majority_action(WOT_MAJ_AGREE, 1),
			 WOT_MAJ_ACT_RESTORE);
	assert_int_equal(wot_majority_action(WOT_MAJ_UNDECIDED, 1),
			 WOT_MAJ_ACT_RESTORE);
	assert_int_equal(wot_majority_action(WOT_MAJ_AGREE, 0),
			 WOT_MAJ_ACT_NONE);
	assert_int_equal(wot_majority_action(WOT_MAJ_UNDECIDED, 0),
			 WOT_MAJ_ACT_NONE);
}

/* Only outliers and neighbors on a settled view of ours are weighed. */
static void majority_weight_events(void **state)
{
	(void)state;
	assert_int_equal(wot_majority_weight_event(WOT_MAJ_OUTLIER_N),
			 WOT_WEIGHT_OUTLIER);
	assert_int_equal(wot_majority_weight_event(WOT_MAJ_SAME),
			 WOT_WEIGHT_AGREED);
	assert_int_equal(wot_majority_weight_event(WOT_MAJ_SILENT), -1);
	assert_int_equal(wot_majority_weight_event(WOT_MAJ_LAGGING), -1);
	assert_int_equal(wot_majority_weight_event(WOT_MAJ_AHEAD), -1);
	assert_int_equal(wot_majority_weight_event(WOT_MAJ_DIFFERS), -1);
}

/* M is kept above N/2 and at most N: two views never both win. */
static void majority_clamped(void **state)
{
	(void)state;
	assert_int_equal(wot_majority_clamp(15, 14), 14);
	assert_int_equal(wot_majority_clamp(15, 20), 15);
	assert_int_equal(wot_majority_clamp(15, 7), 8);
	assert_int_equal(wot_majority_clamp(4, 2), 3);
	assert_int_equal(wot_majority_clamp(1, 0), 1);
	for (unsigned n = 1; n < 40; n++)
		for (unsigned m = 0; m < 50; m++) {
			unsigned c = wot_majority_clamp(n, m);
			assert_true(c <= n && c * 2 > n);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(majority_needed_scales),
	    cmocka_unit_test(majority_all_agree),
	    cmocka_unit_test(majority_we_are_outlier),
	    cmocka_unit_test(majority_thirteen_is_not_enough),
	    cmocka_unit_test(majority_single_liar),
	    cmocka_unit_test(majority_liars_split_no_verdict),
	    cmocka_unit_test(majority_lagging_is_not_disagreement),
	    cmocka_unit_test(majority_we_are_behind),
	    cmocka_unit_test(majority_silence_abstains),
	    cmocka_unit_test(majority_other_source_is_another_view),
	    cmocka_unit_test(majority_tie_decides_nothing),
	    cmocka_unit_test(majority_few_neighbors),
	    cmocka_unit_test(majority_bad_arguments),
	    cmocka_unit_test(majority_digest_differs),
	    cmocka_unit_test(majority_weight_updates),
	    cmocka_unit_test(majority_equal_weights_are_a_count),
	    cmocka_unit_test(majority_discredited_liars_cannot_outvote),
	    cmocka_unit_test(majority_discredited_cannot_block),
	    cmocka_unit_test(majority_heaviest_group_wins),
	    cmocka_unit_test(majority_actions),
	    cmocka_unit_test(majority_weight_events),
	    cmocka_unit_test(majority_clamped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
