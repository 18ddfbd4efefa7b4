/*
 * opinion_verify.c - judging, on the thread pool, the answers whose commit
 * differs from ours (docs/peer.md, "Second opinions"): place the claimed
 * commit in our mirror, compare the records it holds, sync the source when
 * the peer is ahead, fetch the commit from the URLs the peer announces when
 * nobody else has it, and keep an equivocation as evidence.
 */
#include "dns/peer/opinion_int.h"
#include "sync/sync.h"
#include "trust/trust.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef wot_opinion_slot slot;
typedef wot_opinion_check check;

static void digest_at(wot_opinion_verify_ctx *o, check *c, const char *commit,
		      char **out)
{
	ldns_rr_list *rrs = NULL;

	*out = NULL;
	if (wot_sync_records_at(o->h, c->source, commit, &rrs) == 0)
		wot_opinion_digest(rrs, c->name, c->type, out);
	ldns_rr_list_deep_free(rrs);
	wot_error_clear();
}

/* The pool's GPGME handle, opened on first need. */
static wot_trust *trust_of(wot_opinion_verify_ctx *o)
{
	if (!*o->trust && wot_home_trust(o->h, o->trust) < 0) {
		wot_log(WOT_LOG_WARNING, "sync", "opinions: %s",
			wot_error_last());
		wot_error_clear();
	}
	return *o->trust;
}

/* Once per check: a peer may know a newer head than ours. */
static void sync_source(wot_opinion_verify_ctx *o, check *c)
{
	if (o->synced)
		return;
	o->synced = 1;
	if (!trust_of(o) || !o->req || !o->req->sync_now)
		return;
	/* the daemon's sync, on this pool thread: the claim is placed again
	 * right after */
	if (o->req->sync_now(o->req->data, *o->trust, c->source) < 0) {
		wot_log(WOT_LOG_WARNING, "sync", "opinion sync of %s: %s",
			c->source, wot_error_last());
		wot_error_clear();
	}
}

/* Content check of a claim at a commit we hold. */
static void judge_content(wot_opinion_verify_ctx *o, check *c, slot *s,
			  const char *ok_verdict)
{
	char *d = NULL;

	digest_at(o, c, s->r.commit, &d);
	if (d && s->r.digest && !strcmp(d, s->r.digest)) {
		s->verdict = ok_verdict;
	} else {
		s->verdict = "lie";
		snprintf(s->note, sizeof(s->note),
			 "records differ from what commit %.12s holds",
			 s->r.commit);
	}
	free(d);
}

const char *wot_opinion_claim_verdict(int place, const char *kind, int final)
{
	wot_claim_facts f = {
	    .equivocation = kind && !strcmp(kind, "equivocation"),
	    .ahead = place == WOT_PLACE_AHEAD,
	    .unknown = place == WOT_PLACE_UNKNOWN && !(kind && kind[0]),
	    .final = final};

	return wot_verdict_name(wot_verdict_claim(&f));
}

/* Heads other peers hold for the source (c->heads), sorted out. */
typedef struct {
	unsigned claim;	  /* that very commit */
	unsigned unknown; /* another head we cannot place, or newer */
	unsigned ours;	  /* our head or an ancestor of it */
} head_tally;

static void tally_heads(wot_opinion_verify_ctx *o, const check *c,
			const char *claim, head_tally *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < c->nheads; i++) {
		const wot_opinion_head_ans *h = &c->heads[i];
		int place = WOT_PLACE_UNKNOWN;
		if (h->none)
			continue;
		if (!strcasecmp(h->commit, claim)) {
			t->claim++;
			continue;
		}
		if (wot_sync_place(o->h, c->source, h->commit, &place) < 0)
			wot_error_clear();
		if (place == WOT_PLACE_SAME || place == WOT_PLACE_BEHIND)
			t->ours++;
		else
			t->unknown++;
	}
}

/*
 * What other peers' heads (c->heads, the head question) say about an
 * unplaced claim, after judge_unknown. On the last attempt a claimed
 * commit still not in our mirror (never obtained) is "ahead" when another
 * peer's head is that very commit: it is out there and we are the one
 * behind (no weight change), whatever judge_unknown concluded from the
 * claimant's own URLs. Other heads we cannot place prove nothing about
 * this commit (a liar's made-up one, a fork): they are only noted.
 */
static void weigh_heads(wot_opinion_verify_ctx *o, check *c, slot *s)
{
	head_tally t;
	char theirs[16];
	int place = WOT_PLACE_UNKNOWN;
	size_t n;

	if (!c->nheads || !s->verdict ||
	    (strcmp(s->verdict, "lie") && strcmp(s->verdict, "unplaced")))
		return;
	if (wot_sync_place(o->h, c->source, s->r.commit, &place) < 0)
		wot_error_clear();
	if (place != WOT_PLACE_UNKNOWN)
		return; /* obtained: judged on what it holds */
	tally_heads(o, c, s->r.commit, &t);
	snprintf(theirs, sizeof(theirs), "%.12s", s->r.commit);
	/* a suspended source's other history is no news of ours */
	if (o->final && t.claim > 0 &&
	    !wot_sync_source_suspended(o->h, c->source)) {
		s->verdict = "ahead";
		snprintf(s->note, sizeof(s->note),
			 "commit %s not obtained, but it is the head of %u "
			 "other peer(s): we are behind",
			 theirs, t.claim);
		return;
	}
	n = strlen(s->note);
	if (n + 1 < sizeof(s->note))
		snprintf(s->note + n, sizeof(s->note) - n,
			 "; heads of other peers: %u ours, %u that commit, %u "
			 "unknown",
			 t.ours, t.claim, t.unknown);
}

/* Why an unplaced claim is no proof (the note of a final "unplaced"). */
static void unproven_note(wot_opinion_verify_ctx *o, check *c, slot *s,
			  const wot_claim_fetch *f, const char *theirs)
{
	if (wot_sync_source_suspended(o->h, c->source))
		snprintf(s->note, sizeof(s->note),
			 "commit %s not obtained; the source equivocates "
			 "(suspended), no proof either way",
			 theirs);
	else if (!f->peer_urls)
		snprintf(s->note, sizeof(s->note),
			 "commit %s not obtained; the peer announces no URL "
			 "for this source, no proof either way",
			 theirs);
	else
		snprintf(s->note, sizeof(s->note),
			 "commit %s not obtained; no URL the peer announces "
			 "could be fetched, no proof either way",
			 theirs);
}

/* A claim we cannot place: ask the source again, then the URLs peers
 * announce for it. */
static void judge_unknown(wot_opinion_verify_ctx *o, check *c, slot *s,
			  int place)
{
	wot_claim_fetch f = {place, "", 0, 0, 0};
	const wot_opinion_claim claim = {.peers = o->peers,
					 .npeers = o->npeers,
					 .who = (size_t)s->peer,
					 .source = c->source,
					 .fpr = c->fpr,
					 .commit = s->r.commit};
	char ours[16], theirs[16];
	int final;

	if (place == WOT_PLACE_AHEAD || place == WOT_PLACE_UNKNOWN) {
		sync_source(o, c);
		wot_sync_place(o->h, c->source, s->r.commit, &place);
		wot_error_clear();
		if (place == WOT_PLACE_SAME || place == WOT_PLACE_BEHIND) {
			judge_content(o, c, s, "ahead");
			return;
		}
		f.place = place;
	}
	if ((place == WOT_PLACE_UNKNOWN || place == WOT_PLACE_FORK) &&
	    trust_of(o))
		wot_opinion_fetch_claim(o->h, *o->trust, &claim, &f);
	snprintf(ours, sizeof(ours), "%.12s", c->commit);
	snprintf(theirs, sizeof(theirs), "%.12s", s->r.commit);
	/* A lie only when the peer's own URLs answered without the commit:
	 * a fetch that failed, or a source whose owner signed two histories
	 * (a commit of the other one may be anywhere), proves nothing. */
	final = o->final && f.peer_fetched &&
		!wot_sync_source_suspended(o->h, c->source);
	s->verdict = wot_opinion_claim_verdict(f.place, f.kind, final);
	if (!strcmp(s->verdict, "equivocation"))
		snprintf(s->note, sizeof(s->note),
			 "%s and %s both signed by the owner; source "
			 "suspended",
			 ours, theirs);
	else if (!strcmp(s->verdict, "ahead"))
		snprintf(s->note, sizeof(s->note),
			 "newer commit %s does not verify here yet", theirs);
	else if (!strcmp(s->verdict, "unplaced") && o->final)
		unproven_note(o, c, s, &f, theirs);
	else if (!strcmp(s->verdict, "unplaced"))
		snprintf(s->note, sizeof(s->note),
			 "commit %s not obtained yet (attempt %d)", theirs,
			 c->attempts + 1);
	else if (f.place == WOT_PLACE_UNKNOWN && !f.kind[0])
		snprintf(s->note, sizeof(s->note),
			 "commit %s exists neither at the source nor at "
			 "the peer (%d attempts)",
			 theirs, c->attempts + 1);
	else
		snprintf(s->note, sizeof(s->note),
			 "commit %s exists neither at the source nor at "
			 "the peer (%s)",
			 theirs, f.kind[0] ? f.kind : wot_place_name(f.place));
}

static void verify_slot(wot_opinion_verify_ctx *o, check *c, slot *s)
{
	int place = WOT_PLACE_NOSOURCE;

	if (wot_sync_place(o->h, c->source, s->r.commit, &place) < 0)
		wot_error_clear();
	switch (place) {
	case WOT_PLACE_SAME:
		judge_content(o, c, s, "agree");
		break;
	case WOT_PLACE_BEHIND:
		judge_content(o, c, s, "lagging");
		break;
	case WOT_PLACE_NOSOURCE:
		s->verdict = "other-source";
		break;
	default:
		judge_unknown(o, c, s, place);
		weigh_heads(o, c, s);
	}
}

void wot_opinion_verify(wot_opinion_verify_ctx *o, wot_opinion_check *c)
{
	for (size_t i = 0; i < c->nslots; i++)
		if (!c->slots[i].verdict)
			verify_slot(o, c, &c->slots[i]);
}
