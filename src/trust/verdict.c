/*
 * verdict.c - second opinions judged: verdicts, weights, claims (see
 * verdict.h). Pure.
 */
#include "trust/trust.h"

#include <string.h>
#include <strings.h>

static const char *const names[] = {[WOT_VERDICT_AGREE] = "agree",
				    [WOT_VERDICT_LAGGING] = "lagging",
				    [WOT_VERDICT_AHEAD] = "ahead",
				    [WOT_VERDICT_LIE] = "lie",
				    [WOT_VERDICT_EQUIVOCATION] = "equivocation",
				    [WOT_VERDICT_NONE] = "none",
				    [WOT_VERDICT_TIMEOUT] = "timeout",
				    [WOT_VERDICT_OTHER_SOURCE] = "other-source",
				    [WOT_VERDICT_ERROR] = "error",
				    [WOT_VERDICT_UNPLACED] = "unplaced",
				    [WOT_VERDICT_UNCHECKED] = "unchecked",
				    [WOT_VERDICT_GIT] = "git"};

const char *wot_verdict_name(wot_verdict v)
{
	if ((unsigned)v >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[v];
}

wot_verdict wot_verdict_parse(const char *name)
{
	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i], name))
			return (wot_verdict)i;
	return WOT_VERDICT_UNCHECKED;
}

double wot_verdict_weight(double w, wot_verdict v)
{
	if (v == WOT_VERDICT_LIE)
		return w / 2;
	if (v == WOT_VERDICT_AGREE || v == WOT_VERDICT_LAGGING ||
	    v == WOT_VERDICT_AHEAD) {
		w += 0.05;
		return w > 1 ? 1 : w;
	}
	return w;
}

int wot_verdict_disagrees(wot_verdict v)
{
	return v != WOT_VERDICT_AGREE && v != WOT_VERDICT_LAGGING &&
	       v != WOT_VERDICT_NONE && v != WOT_VERDICT_TIMEOUT &&
	       v != WOT_VERDICT_OTHER_SOURCE;
}

int wot_verdict_agrees(wot_verdict v)
{
	return v == WOT_VERDICT_AGREE || v == WOT_VERDICT_LAGGING;
}

wot_verdict wot_verdict_quick(const wot_opinion_view *ours,
			      const wot_opinion_view *theirs)
{
	if (theirs->none)
		return WOT_VERDICT_NONE;
	if (!theirs->fpr || !ours->fpr || strcasecmp(theirs->fpr, ours->fpr))
		return WOT_VERDICT_OTHER_SOURCE;
	if (theirs->commit && ours->commit &&
	    !strcmp(theirs->commit, ours->commit) && theirs->digest &&
	    ours->digest && !strcmp(theirs->digest, ours->digest))
		return WOT_VERDICT_AGREE;
	return WOT_VERDICT_GIT;
}

wot_verdict wot_verdict_claim(const wot_claim_facts *f)
{
	if (f->equivocation)
		return WOT_VERDICT_EQUIVOCATION;
	if (f->ahead)
		return WOT_VERDICT_AHEAD;
	/* Obtained but forking and not the owner's, or not a commit: proven.
	 * Found nowhere proves nothing until the last attempt. */
	if (f->unknown && !f->final)
		return WOT_VERDICT_UNPLACED;
	return WOT_VERDICT_LIE;
}
