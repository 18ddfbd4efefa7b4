/*
 * neighbor_claims.c - a neighbor round as a look at other heads: a
 * neighbor that names a commit of a sampled RRset's source that we cannot
 * place, or that forks from our verified head, may hold the owner's other
 * history. Second opinions only ask about changed RRsets, and only k
 * peers; the rounds ask many peers about unchanged ones too, so fetching
 * such a claim here (the URLs the neighbor announces, else those other
 * peers announce: wot_opinion_fetch_claim) lets every follower of an
 * equivocating source keep the proof. A neighbor ahead of us makes us
 * sync that source now (the daemon's sync_now). Pool side, in the judging
 * phase.
 * Judging the neighbor stays with the majority: this only learns.
 */
#include "dns/peer/neighbor_int.h"
#include "sync/sync.h"
#include "trust/trust.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

enum {
	CLAIMS_PER_ROUND = 2, /* fetches per round, at most */
	/* A commit is not looked for again before: fetched and not found
	 * (a liar's, most likely: it names one per source head), or no URL
	 * answered (that may change sooner). */
	NOT_THERE_MS = 600000,
	NO_FETCH_MS = 60000,
	AHEAD_MS = 10000 /* ahead of us: our URL may catch up soon */
};

int wot_neighbor_tried_lately(const wot_neighbor *n, const char *commit,
			      uint64_t now)
{
	for (size_t i = 0; i < NB_TRIED_KEEP; i++)
		if (now < n->tried[i].until &&
		    !strcmp(n->tried[i].commit, commit))
			return 1;
	return 0;
}

void wot_neighbor_tried_remember(wot_neighbor *n, const char *commit,
				 uint64_t until)
{
	snprintf(n->tried[n->tried_pos].commit, sizeof(n->tried[0].commit),
		 "%s", commit);
	n->tried[n->tried_pos].until = until;
	n->tried_pos = (n->tried_pos + 1) % NB_TRIED_KEEP;
}

/* 1 if answer a about sample s names a commit of the same source that we
 * cannot place on our history. */
static int worth_fetching(wot_home *h, const nb_sample *s, const nb_answer *a)
{
	wot_rel rel = WOT_REL_UNKNOWN;

	if (!a->answered || a->none || !a->commit[0] ||
	    strcasecmp(a->fpr, s->fpr) || !strcmp(a->commit, s->commit))
		return 0;
	if (wot_sync_commit_relation(h, s->source, s->commit, a->commit, &rel) <
	    0)
		wot_error_clear();
	return rel == WOT_REL_UNKNOWN || rel == WOT_REL_UNRELATED;
}

/*
 * Look for the commit answer p names for sample s; how long not to look
 * for it again. A commit ahead of our head (the neighbor's URL served a
 * newer history than ours) makes us sync the source now: if our URL has
 * moved on to another history meanwhile, that commit forks from our new
 * head and is the proof.
 */
static uint64_t look_for(nb_round *r, wot_trust *t, const nb_sample *s,
			 size_t p, int *synced)
{
	wot_home *h = r->n->h;
	const nb_answer *a = &r->ans[(size_t)(s - r->samples) * r->np + p];
	const wot_peer_requests *q = &r->n->o.req;
	const wot_opinion_claim c = {.peers = r->peers,
				     .npeers = r->np,
				     .who = p,
				     .source = s->source,
				     .fpr = s->fpr,
				     .commit = a->commit};
	wot_claim_fetch f;

	wot_opinion_fetch_claim(h, t, &c, &f);
	if (f.place == WOT_PLACE_AHEAD && !*synced) {
		*synced = 1;
		/* the daemon's sync, on this pool thread: the claim is placed
		 * again right after */
		if (q->sync_now && q->sync_now(q->data, t, s->source) < 0)
			wot_error_clear();
		wot_opinion_fetch_claim(h, t, &c, &f);
	}
	if (f.place == WOT_PLACE_AHEAD)
		return AHEAD_MS;
	return f.peer_fetched || f.others_fetched ? NOT_THERE_MS : NO_FETCH_MS;
}

int wot_neighbor_fetch_claims(nb_round *r)
{
	wot_home *h = r->n->h;
	wot_trust *t = NULL;
	uint64_t now = wot_clock_now(&r->n->clock);
	int fetches = 0, changed = 0;

	for (size_t i = 0; i < r->ns && fetches < CLAIMS_PER_ROUND; i++) {
		const nb_sample *s = &r->samples[i];
		int synced = 0;
		if (wot_sync_source_suspended(h, s->source))
			continue; /* proven already */
		for (size_t p = 0; p < r->np && fetches < CLAIMS_PER_ROUND;
		     p++) {
			const nb_answer *a = &r->ans[i * r->np + p];
			if (!worth_fetching(h, s, a) ||
			    wot_neighbor_tried_lately(r->n, a->commit, now))
				continue;
			if (!t && wot_home_trust(h, &t) < 0) {
				wot_error_clear();
				return changed;
			}
			fetches++;
			wot_neighbor_tried_remember(
			    r->n, a->commit,
			    now + look_for(r, t, s, p, &synced));
			if (wot_sync_source_suspended(h, s->source)) {
				wot_log(WOT_LOG_WARNING, "dns",
					"neighbors: source %s equivocates "
					"(proof kept while looking for commit "
					"%.12s named by %s)",
					s->source, a->commit,
					r->peers[p].endpoint);
				changed = 1;
				break;
			}
		}
	}
	wot_trust_free(t);
	return changed;
}
