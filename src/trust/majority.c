/*
 * majority.c - the neighbor-majority decision and opinion weights (pure).
 */
#include "trust/trust.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define VOTE_EPS 1e-9 /* shares of n votes do not add up exactly */

unsigned wot_majority_needed(unsigned asked, unsigned neighbors,
			     unsigned majority)
{
	uint64_t m;

	if (!asked || !neighbors)
		return 0;
	m = ((uint64_t)majority * asked + neighbors - 1) / neighbors;
	return m < 3 ? 3 : (unsigned)m;
}

uint64_t wot_majority_digest(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ? seed : 1469598103934665603ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static int same_source(const wot_view *a, const wot_view *b)
{
	return a->source && b->source && !strcasecmp(a->source, b->source);
}

static int same_view(const wot_view *a, const wot_view *b)
{
	return a->digest == b->digest && same_source(a, b);
}

/* How one answer counts against our view. */
static int mark_of(const wot_view *self, const wot_view *v, wot_rel_fn rel,
		   void *data)
{
	wot_rel r;

	if (!v->answered || v->none)
		return WOT_MAJ_SILENT;
	if (same_view(self, v))
		return WOT_MAJ_SAME;
	if (!same_source(self, v) || !v->commit || !self->commit)
		return WOT_MAJ_DIFFERS;
	r = rel(data, self->source, self->commit, v->commit);
	if (r == WOT_REL_ANCESTOR)
		return WOT_MAJ_LAGGING;
	/* Same commit, other RRset: one of us misreads it; a commit we
	 * cannot place may be a rewritten history. Both differ. */
	return r == WOT_REL_DESCENDANT ? WOT_MAJ_AHEAD : WOT_MAJ_DIFFERS;
}

static int against(int mark)
{
	return mark == WOT_MAJ_AHEAD || mark == WOT_MAJ_DIFFERS;
}

static double clamp_weight(double w)
{
	if (isnan(w) || w < WOT_WEIGHT_MIN)
		return WOT_WEIGHT_MIN;
	return w > WOT_WEIGHT_MAX ? WOT_WEIGHT_MAX : w;
}

/*
 * Each answer's votes: n shared by weight (wot_majority_decide). Equal
 * weights give exactly 1 each, so the plain count is not blurred by
 * rounding.
 */
static void votes_of(const wot_view *ops, size_t n, double *votes)
{
	double total = 0, first = n ? clamp_weight(ops[0].weight) : 0;
	int equal = 1;

	for (size_t i = 0; i < n; i++) {
		double w = clamp_weight(ops[i].weight);
		total += w;
		equal &= w == first;
	}
	for (size_t i = 0; i < n; i++)
		votes[i] =
		    equal ? 1.0
			  : (double)n * clamp_weight(ops[i].weight) / total;
}

/* The group of answers against us holding one view with the most votes. */
static void largest_group(const wot_view *ops, const int *marks,
			  const double *votes, size_t n,
			  wot_majority_result *out, int *all_ahead)
{
	for (size_t i = 0; i < n; i++) {
		unsigned size = 0;
		double sum = 0;
		int ahead = 1;

		if (!against(marks[i]))
			continue;
		for (size_t j = 0; j < n; j++)
			if (against(marks[j]) && same_view(&ops[i], &ops[j])) {
				size++;
				sum += votes[j];
				ahead &= marks[j] == WOT_MAJ_AHEAD;
			}
		if (sum > out->top_votes + VOTE_EPS) {
			out->top = size;
			out->top_votes = sum;
			out->top_index = i;
			*all_ahead = ahead;
		}
	}
}

int wot_majority_decide(const wot_majority_input *in, wot_majority_result *out,
			int *marks)
{
	const wot_view *self = in->self, *ops = in->ops;
	size_t n = in->n;
	int local[64], *m = marks ? marks : local, all_ahead = 0;
	double vbuf[64], *votes = vbuf, needed;

	if (!self || self->none || !out || !in->rel || (n && !ops) ||
	    (!marks && n > 64) || n > UINT32_MAX)
		return wot_error_set(WOT_EINVAL, "majority: bad arguments");
	if (n > 64 && !(votes = calloc(n, sizeof(*votes))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	memset(out, 0, sizeof(*out));
	out->needed =
	    wot_majority_needed((unsigned)n, in->neighbors, in->majority);
	votes_of(ops, n, votes);
	out->ours_votes = 1; /* ours */
	for (size_t i = 0; i < n; i++) {
		m[i] = mark_of(self, &ops[i], in->rel, in->data);
		out->agree += m[i] == WOT_MAJ_SAME;
		out->lagging += m[i] == WOT_MAJ_LAGGING;
		out->counted += m[i] == WOT_MAJ_SAME || against(m[i]);
		if (m[i] == WOT_MAJ_SAME)
			out->ours_votes += votes[i];
	}
	largest_group(ops, m, votes, n, out, &all_ahead);
	if (votes != vbuf)
		free(votes);
	out->verdict = WOT_MAJ_UNDECIDED;
	needed = (double)out->needed - VOTE_EPS;
	if (!out->needed)
		return 0;
	if (out->top_votes >= needed &&
	    out->top_votes > out->ours_votes + VOTE_EPS) {
		out->verdict = all_ahead ? WOT_MAJ_BEHIND : WOT_MAJ_OUTLIER;
	} else if (out->ours_votes >= needed &&
		   out->ours_votes > out->top_votes + VOTE_EPS) {
		out->verdict = WOT_MAJ_AGREE;
		for (size_t i = 0; i < n; i++)
			if (m[i] == WOT_MAJ_DIFFERS) {
				m[i] = WOT_MAJ_OUTLIER_N;
				out->outliers++;
			}
	}
	return 0;
}

double wot_weight_update(double w, int event)
{
	w = clamp_weight(w);
	if (event == WOT_WEIGHT_OUTLIER)
		w /= 2;
	else if (event == WOT_WEIGHT_AGREED)
		w += (WOT_WEIGHT_MAX - w) / 10;
	return w < WOT_WEIGHT_MIN ? WOT_WEIGHT_MIN : w;
}

unsigned wot_majority_clamp(unsigned neighbors, unsigned majority)
{
	if (majority > neighbors)
		majority = neighbors;
	if (majority * 2 <= neighbors)
		majority = neighbors / 2 + 1;
	return majority;
}

int wot_majority_action(int verdict, int withdrawn)
{
	if (verdict == WOT_MAJ_OUTLIER)
		return WOT_MAJ_ACT_WITHDRAW;
	if (verdict == WOT_MAJ_BEHIND)
		return WOT_MAJ_ACT_RESYNC;
	return withdrawn ? WOT_MAJ_ACT_RESTORE : WOT_MAJ_ACT_NONE;
}

int wot_majority_weight_event(int mark)
{
	if (mark == WOT_MAJ_OUTLIER_N)
		return WOT_WEIGHT_OUTLIER;
	if (mark == WOT_MAJ_SAME)
		return WOT_WEIGHT_AGREED;
	return -1;
}
