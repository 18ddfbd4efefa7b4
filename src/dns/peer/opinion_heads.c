/*
 * opinion_heads.c - claims we could not place: no proof of a lie yet. The
 * check waits and is verified again later (up to UNPLACED_TRIES times);
 * meanwhile a few other peers are asked the head question about its
 * source: their heads tell whether the claimed commit is out there (we
 * are behind) or nobody else knows it.
 */
#include "dns/peer/opinions_int.h"
#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_unplaced(uv_timer_t *t);

/* Delays before verifying an unplaced claim again, in halves of
 * [opinion] unplaced-wait: 2, 5, 10 s by default (docs/peer.md). */
static const unsigned unplaced_halves[UNPLACED_TRIES] = {2, 5, 10};

uint64_t wot_opinions_unplaced_due(uint64_t now, unsigned attempts,
				   unsigned first_ms)
{
	if (attempts >= UNPLACED_TRIES)
		return UINT64_MAX;
	return now + (uint64_t)first_ms * unplaced_halves[attempts] / 2;
}

/* Arm the timer for the earliest unplaced check. */
static void arm_unplaced(wot_opinions *o)
{
	uint64_t now = wot_clock_now(&o->clock), due = UINT64_MAX;

	for (check *c = o->unplaced; c; c = c->next)
		if (c->due < due)
			due = c->due;
	if (due != UINT64_MAX)
		uv_timer_start(&o->unplaced_timer, on_unplaced,
			       due > now ? due - now : 0, 0);
}

static void on_head(void *data, const uint8_t *pkt, size_t len, uint16_t id)
{
	head_q *h = data;

	if (h->state != HQ_PENDING || h->id != id)
		return;
	h->state = HQ_DONE;
	h->at = wot_clock_now(&h->o->clock);
	if (pkt) {
		wot_opinion_reply r;
		if (wot_opinion_reply_parse(pkt, len, id, h->qname,
					    LDNS_RR_TYPE_TXT, &r) == 0 &&
		    !r.truncated &&
		    (r.rcode == LDNS_RCODE_NOERROR ||
		     r.rcode == LDNS_RCODE_NXDOMAIN)) {
			h->answered = 1;
			h->ans.none = r.none || !r.commit[0];
			snprintf(h->ans.commit, sizeof(h->ans.commit), "%s",
				 r.commit);
			h->o->n_head_answers++;
		}
		wot_opinion_reply_dispose(&r);
		wot_error_clear();
	}
}

static head_q *head_slot(wot_opinions *o)
{
	uint64_t now = wot_clock_now(&o->clock);

	for (size_t i = 0; i < HEADQ_MAX; i++) {
		head_q *h = &o->hq[i];
		if (h->state == HQ_DONE && now - h->at > HEADQ_STALE_MS)
			h->state = HQ_FREE; /* its check is long gone */
		if (h->state == HQ_FREE)
			return h;
	}
	return NULL;
}

/*
 * The head question (docs/peer-protocol.md) about the source of c to a
 * few peers other than those whose claims we could not place: their heads
 * tell whether the claimed commit is out there (we are behind) or nobody
 * else knows it.
 */
static void ask_heads(wot_opinions *o, check *c)
{
	int chosen[WOT_OPINION_SLOTS + WOT_OPINION_HEADS];
	size_t nch = 0;
	uint8_t q[300];
	size_t qlen;

	for (size_t i = 0; i < c->nslots; i++)
		if (c->slots[i].verdict &&
		    !strcmp(c->slots[i].verdict, "unplaced"))
			chosen[nch++] = c->slots[i].peer;
	for (int k = 0; k < WOT_OPINION_HEADS; k++) {
		int p = wot_opinion_peer_pick(o->peers, o->npeers, chosen, nch,
					      0, NULL);
		head_q *h = p >= 0 ? head_slot(o) : NULL;
		if (!h)
			break;
		chosen[nch++] = p;
		memset(h, 0, sizeof(*h));
		h->o = o;
		h->serial = c->serial;
		h->ans.peer = p;
		snprintf(h->qname, sizeof(h->qname), "%s._wotdns.", c->fpr);
		for (char *x = h->qname; *x; x++)
			*x = (char)tolower((unsigned char)*x);
		if (uv_random(NULL, NULL, &h->id, sizeof(h->id), 0, NULL) != 0)
			h->id =
			    (uint16_t)c->serial; /* local: opinion_check.c */
		if (wot_opinion_query_head(q, sizeof(q), h->id, c->fpr, &qlen) <
			0 ||
		    wot_opinion_ask(o->asker, o->peers[p].endpoint, q, qlen,
				    o->timeout_ms, on_head, h) < 0) {
			wot_log(WOT_LOG_INFO, "dns", "opinion head: %s",
				wot_error_last());
			wot_error_clear();
			continue;
		}
		h->state = HQ_PENDING;
		o->n_head_questions++;
	}
}

/* The head answers for c that came in (loop side, before the pool
 * verifies c again). */
static void collect_heads(wot_opinions *o, check *c)
{
	for (size_t i = 0; i < HEADQ_MAX && c->nheads < WOT_OPINION_HEADS;
	     i++) {
		head_q *h = &o->hq[i];
		if (h->state != HQ_DONE || h->serial != c->serial)
			continue;
		if (h->answered)
			c->heads[c->nheads++] = h->ans;
		h->state = HQ_FREE;
	}
}

/*
 * A claim we could not place is no proof of a lie: the check stays in
 * flight and its claims are verified again later (1 if it waits).
 */
int wot_opinions_wait_unplaced(wot_opinions *o, check *c)
{
	int any = 0;

	for (size_t i = 0; i < c->nslots; i++)
		any |= !strcmp(c->slots[i].verdict, "unplaced");
	if (!any || o->closer.closing ||
	    wot_opinions_unplaced_due(0, (unsigned)c->attempts, 0) ==
		UINT64_MAX)
		return 0;
	o->n_unplaced++;
	if (!c->attempts)
		ask_heads(o, c);
	if (!c->attempts) { /* shown while it waits; the verdict follows */
		wot_opinions_history_add(o, c);
		wot_opinions_save(o);
	}
	c->due = wot_opinions_unplaced_due(
	    wot_clock_now(&o->clock), (unsigned)c->attempts, o->unplaced_ms);
	c->attempts++;
	wot_opinions_unlink_check(o, c);
	c->next = o->unplaced;
	o->unplaced = c;
	arm_unplaced(o);
	return 1;
}

static void on_unplaced(uv_timer_t *t)
{
	wot_opinions *o = t->data;
	uint64_t now = wot_clock_now(&o->clock);
	check **p = &o->unplaced;

	while (*p && !o->closer.closing) {
		check *c = *p;
		job *j;
		if (c->due > now || !(j = calloc(1, sizeof(*j)))) {
			p = &c->next;
			continue;
		}
		*p = c->next;
		c->next = NULL;
		collect_heads(o, c);
		for (size_t i = 0; i < c->nslots; i++)
			if (!strcmp(c->slots[i].verdict, "unplaced")) {
				c->slots[i].verdict = NULL;
				c->slots[i].note[0] = 0;
			}
		j->kind = JOB_VERIFY;
		j->c = c;
		j->final = c->attempts >= UNPLACED_TRIES;
		wot_opinions_enqueue(o, j);
	}
	arm_unplaced(o);
}
