/*
 * opinion_check.c - one check of a new or changed RRset: k known peers,
 * chosen at random by weight and not all discovered through one source,
 * asked in parallel; a peer that does not answer within the timeout is
 * replaced by another. Answers the trust core can judge without git are
 * judged here (trust/verdict.h), the rest on the pool
 * (opinion_verify.c). Checks are numbered by the object's serials.
 */
#include "dns/peer/opinions_int.h"
#include "trust/trust.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void on_recheck(uv_timer_t *t);
static int pick_peer(wot_opinions *o, check *c);
static void ask_slot(wot_opinions *o, check *c, int peer);

void wot_opinions_check_free(check *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nslots; i++)
		wot_opinion_reply_dispose(&c->slots[i].r);
	free(c->name);
	free(c->digest);
	free(c);
}

/* The weight is the trust core's decision; the counters are ours. */
static void weigh(wot_opinion_peer *p, const char *verdict)
{
	wot_verdict v = wot_verdict_parse(verdict);

	if (v == WOT_VERDICT_LIE) {
		p->lies++;
		p->last_lie = (int64_t)time(NULL);
	}
	p->agreed += v == WOT_VERDICT_AGREE;
	p->lagging += v == WOT_VERDICT_LAGGING;
	p->weight = wot_verdict_weight(p->weight, v);
}

static void count(wot_opinions *o, const char *v, int *disagree)
{
	if (!strcmp(v, "agree"))
		o->n_agree++;
	else if (!strcmp(v, "lagging"))
		o->n_lagging++;
	else if (!strcmp(v, "ahead"))
		o->n_ahead++;
	else if (!strcmp(v, "lie"))
		o->n_lies++;
	else if (!strcmp(v, "equivocation"))
		o->n_equivocations++;
	else if (!strcmp(v, "timeout"))
		o->n_unanswered++;
	if (wot_verdict_disagrees(wot_verdict_parse(v)))
		*disagree = 1;
}

/* Out of the in-flight list (a job or the history owns it now). */
void wot_opinions_unlink_check(wot_opinions *o, check *c)
{
	check **p;

	for (p = &o->checks; *p && *p != c; p = &(*p)->next)
		;
	if (*p)
		*p = c->next;
	c->next = NULL;
}

/* What s's answer is without git (the trust core decides). */
static wot_verdict quick_verdict(const check *c, const slot *s)
{
	wot_opinion_view ours = {
	    .none = 0, .fpr = c->fpr, .commit = c->commit, .digest = c->digest};
	wot_opinion_view theirs = {.none = s->r.none,
				   .fpr = s->r.fpr,
				   .commit = s->r.commit,
				   .digest = s->r.digest};

	return wot_verdict_quick(&ours, &theirs);
}

/* An answer that agrees with us: same commit and records, or lagging. */
static int agreeing(const check *c, const slot *s)
{
	if (s->verdict)
		return wot_verdict_agrees(wot_verdict_parse(s->verdict));
	return s->done && quick_verdict(c, s) == WOT_VERDICT_AGREE;
}

/*
 * Policy hold: once k opinions agree with an RRset its check no longer
 * holds the new table back (a later equivocation still withdraws it).
 */
static void settle(wot_opinions *o, check *c)
{
	int n = 0;

	if (c->settled)
		return;
	for (size_t i = 0; i < c->nslots; i++)
		n += agreeing(c, &c->slots[i]);
	if (n < c->want)
		return;
	c->settled = 1;
	o->settled++;
	if (o->held && o->inflight == o->settled) {
		wot_log(WOT_LOG_NOTICE, "dns",
			"opinions: serving the new records (%d opinions "
			"agree with every change)",
			c->want);
		wot_opinions_release_held(o);
	}
}

void wot_opinions_finish_check(wot_opinions *o, check *c)
{
	int disagree = 0, lagging = 0;
	char tn[16];

	settle(o, c);
	if (wot_opinions_wait_unplaced(o, c))
		return;

	for (size_t i = 0; i < c->nslots; i++) {
		slot *s = &c->slots[i];
		weigh(&o->peers[s->peer], s->verdict);
		count(o, s->verdict, &disagree);
		lagging |= !strcmp(s->verdict, "lagging");
		if (!strcmp(s->verdict, "equivocation"))
			wot_opinions_withdraw(o, c);
		if (strcmp(s->verdict, "agree") && strcmp(s->verdict, "none"))
			wot_log(!strcmp(s->verdict, "lie") ||
					!strcmp(s->verdict, "equivocation")
				    ? WOT_LOG_WARNING
				    : WOT_LOG_INFO,
				"dns", "opinion on %s/%s from %s: %s%s%s",
				c->name, wot_dns_type_name(c->type, tn),
				o->peers[s->peer].endpoint, s->verdict,
				s->note[0] ? ": " : "", s->note);
	}
	o->n_checks++;
	o->n_disagree += disagree;
	o->last_check = c->time;
	wot_opinions_history_add(o, c);
	wot_opinions_unlink_check(o, c);
	o->inflight--;
	o->settled -= c->settled;
	c->settled = 0;
	if (lagging && !c->rechecked && !o->closer.closing) {
		/* ask again later: by then the peer should have caught up */
		c->next = o->rechecks;
		o->rechecks = c;
		if (!uv_is_active((uv_handle_t *)&o->recheck_timer))
			uv_timer_start(&o->recheck_timer, on_recheck,
				       RECHECK_MS, 0);
	} else {
		wot_opinions_check_free(c);
	}
	/* a withdrawal first: the held table must not serve what it drops */
	if (o->held && o->inflight == o->settled && !o->refresh_again) {
		wot_log(WOT_LOG_NOTICE, "dns",
			"opinions: serving the new records (every check done "
			"or agreed)");
		wot_opinions_release_held(o);
	}
	wot_opinions_save(o);
	if (o->refresh_again) {
		o->refresh_again = 0;
		wot_opinions_offer(o, NULL);
	}
}

/* The answers judged without git; the rest goes to the pool. */
static void judge(wot_opinions *o, check *c)
{
	int git = 0;
	job *j;

	for (size_t i = 0; i < c->nslots; i++) {
		slot *s = &c->slots[i];
		wot_verdict v;
		if (s->verdict)
			continue;
		v = quick_verdict(c, s);
		/* a claim of another commit is checked against git */
		s->verdict = v == WOT_VERDICT_GIT ? NULL : wot_verdict_name(v);
		git |= !s->verdict;
	}
	if (!git || !(j = calloc(1, sizeof(*j)))) {
		for (size_t i = 0; i < c->nslots; i++)
			if (!c->slots[i].verdict)
				c->slots[i].verdict = "unchecked";
		wot_opinions_finish_check(o, c);
		return;
	}
	j->kind = JOB_VERIFY;
	j->c = c;
	wot_opinions_unlink_check(o, c);
	wot_opinions_enqueue(o, j);
}

static void on_answer(void *data, const uint8_t *pkt, size_t len, uint16_t id)
{
	check *c = data;
	wot_opinions *o = c->o;
	slot *s = NULL;
	int next;

	for (size_t i = 0; i < c->nslots; i++)
		if (c->slots[i].id == id && !c->slots[i].done)
			s = &c->slots[i];
	if (!s)
		return;
	s->done = 1;
	c->pending--;
	if (pkt) {
		o->peers[s->peer].answered++;
		if (wot_opinion_reply_parse(pkt, len, id, c->name, c->type,
					    &s->r) < 0 ||
		    s->r.truncated || s->r.rcode) {
			s->verdict = "error";
			snprintf(s->note, sizeof(s->note), "%s",
				 s->r.truncated ? "truncated"
						: wot_error_last());
			wot_error_clear();
		}
	} else {
		s->verdict = "timeout";
		s->timed_out = 1;
		o->peers[s->peer].timeouts++;
		/* another peer instead, while there are any */
		if ((next = pick_peer(o, c)) >= 0)
			ask_slot(o, c, next);
	}
	if (pkt && !s->verdict)
		settle(o, c);
	/* "none" tells nothing (the peer does not accept it, or withdrew it
	 * after catching an equivocation): up to k more peers instead. */
	if (pkt && !s->verdict && s->r.none && c->nones < c->want &&
	    (next = pick_peer(o, c)) >= 0) {
		c->nones++;
		ask_slot(o, c, next);
	}
	if (!c->pending)
		judge(o, c);
}

static void ask_slot(wot_opinions *o, check *c, int peer)
{
	uint8_t q[300];
	size_t qlen;
	slot *s;

	if (c->nslots >= WOT_OPINION_SLOTS)
		return;
	s = &c->slots[c->nslots];
	memset(s, 0, sizeof(*s));
	s->peer = peer;
	if (uv_random(NULL, NULL, &s->id, sizeof(s->id), 0, NULL) != 0)
		/* A local tag only: the engine (net.h) puts an ID of its own
		 * from getrandom on the wire and restores this one in the
		 * reply, so no clock-derived ID ever reaches a peer. */
		s->id = (uint16_t)(c->nslots + 1);
	if (wot_opinion_query_record(q, sizeof(q), s->id, c->name, c->type,
				     &qlen) < 0 ||
	    wot_opinion_ask(o->asker, o->peers[peer].endpoint, q, qlen,
			    o->timeout_ms, on_answer, c) < 0) {
		wot_log(WOT_LOG_INFO, "dns", "opinion: %s", wot_error_last());
		wot_error_clear();
		return;
	}
	c->nslots++;
	c->pending++;
	o->peers[peer].asked++;
}

/* The next peer to ask about c (wot_opinion_peer_pick), -1 if none. */
static int pick_peer(wot_opinions *o, check *c)
{
	int chosen[WOT_OPINION_SLOTS];

	for (size_t i = 0; i < c->nslots; i++)
		chosen[i] = c->slots[i].peer;
	return wot_opinion_peer_pick(o->peers, o->npeers, chosen, c->nslots,
				     (size_t)c->want, c->fpr);
}

static void start_check(wot_opinions *o, check *c)
{
	c->o = o;
	c->time = (int64_t)time(NULL);
	c->want = (int)o->k;
	for (unsigned i = 0; i < o->k; i++) {
		int p = pick_peer(o, c);
		if (p < 0)
			break;
		ask_slot(o, c, p);
	}
	if (!c->nslots) {
		wot_opinions_check_free(c);
		return;
	}
	c->next = o->checks;
	o->checks = c;
	o->inflight++;
}

static check *new_check(wot_opinions *o, const wot_opinion_rrset *s)
{
	check *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->name = strdup(s->name);
	c->digest = strdup(s->digest ? s->digest : "");
	if (!c->name || !c->digest) {
		wot_opinions_check_free(c);
		return NULL;
	}
	c->type = s->type;
	c->serial = ++o->serials;
	snprintf(c->source, sizeof(c->source), "%s", s->source);
	snprintf(c->fpr, sizeof(c->fpr), "%s", s->fpr);
	snprintf(c->commit, sizeof(c->commit), "%s", s->commit);
	return c;
}

typedef struct {
	wot_opinions *o;
	const wot_opinion_book *ob, *nb;
	size_t started, skipped;
} changes_ctx;

static void check_one(void *ctx, const wot_opinion_rrset *s)
{
	changes_ctx *x = ctx;
	const wot_opinion_rrset *old;
	check *c;

	if (!s->source || !strcmp(s->source, WOT_SELF))
		return; /* our own records need no second opinion */
	old = wot_opinion_book_get(x->ob, s->name, s->type);
	if (wot_opinion_book_withdrawn(x->nb, s))
		return;
	if (old && !wot_opinion_book_withdrawn(x->ob, old) && old->digest &&
	    s->digest && !strcmp(old->digest, s->digest))
		return;
	if (x->started >= MAX_CHECKS) {
		x->skipped++;
		return;
	}
	if ((c = new_check(x->o, s))) {
		start_check(x->o, c);
		x->started++;
	}
}

/* Ask about every RRset of nb that ob did not hold the same (only the
 * shards whose files changed are looked at). */
void wot_opinions_check_changes(wot_opinions *o, const wot_opinion_book *ob,
				const wot_opinion_book *nb)
{
	changes_ctx x = {o, ob, nb, 0, 0};

	wot_opinion_book_changes(nb, ob, check_one, &x);
	if (x.skipped)
		wot_log(WOT_LOG_INFO, "dns",
			"opinions: %zu changed RRsets not checked (at most %d "
			"per change)",
			x.skipped, MAX_CHECKS);
}

static void on_recheck(uv_timer_t *t)
{
	wot_opinions *o = t->data;
	check *list = o->rechecks;

	o->rechecks = NULL;
	while (list && !o->closer.closing) {
		check *c = list, *n;
		const wot_opinion_rrset *s =
		    wot_opinion_book_get(o->book, c->name, c->type);
		list = c->next;
		n = s && s->source ? new_check(o, s) : NULL;
		wot_opinions_check_free(c);
		if (n) {
			n->rechecked = 1;
			start_check(o, n);
		}
	}
}
