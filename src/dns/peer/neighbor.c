/*
 * neighbor.c - rounds of the neighbor-majority check.
 *
 * A round: (pool) load the opinion book and the known peers, pick the
 * samples (every withdrawn RRset first, so it can settle, then random
 * accepted ones not from our own repository) and up to N peers at random;
 * (loop) ask every chosen peer about every sample at once, each question
 * bounded by the timeout; (pool) judge each sample with
 * wot_majority_decide, withdraw or restore RRsets; (loop) ask the daemon
 * to re-sync the sources we are outliers or behind on, or to recompute
 * when the served set changed, hand the weight events to the second
 * opinions (their peers own the weights), keep the reports, and arm the
 * next round. One round at a time.
 */
#include "dns/resolver/resolver.h"
#include "dns/net/net.h"
#include "dns/peer/neighbor_int.h"
#include "dns/peer/opinion_int.h"
#include "trust/trust.h"
#include "dns/peer/withdraw.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void arm(wot_neighbor *n, int soon);
static void ask_all(nb_round *r);

static void round_free(nb_round *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ns; i++)
		free(r->samples[i].name);
	free(r->samples);
	free(r->peers);
	free(r->ans);
	free(r->checks);
	free(r->reports);
	free(r->events);
	free(r->resync);
	free(r);
}

static void add_report(nb_round *r, const nb_sample *s, const char *kind,
		       const char *who, const char *what)
{
	nb_report *p;

	if (r->nreports == r->capreports) {
		size_t nc = r->capreports ? r->capreports * 2 : 8;
		nb_report *nr = realloc(r->reports, nc * sizeof(*nr));
		if (!nr)
			return;
		r->reports = nr;
		r->capreports = nc;
	}
	p = &r->reports[r->nreports++];
	memset(p, 0, sizeof(*p));
	p->time = (int64_t)time(NULL);
	snprintf(p->name, sizeof(p->name), "%s", s->name);
	p->type = s->type;
	snprintf(p->kind, sizeof(p->kind), "%s", kind);
	snprintf(p->who, sizeof(p->who), "%s", who ? who : "");
	snprintf(p->what, sizeof(p->what), "%s", what);
}

/* ---- pool: load ------------------------------------------------------ */

static int sample_add(nb_round *r, const wot_opinion_rrset *e, int withdrawn)
{
	nb_sample *s = &r->samples[r->ns];

	if (!(s->name = strdup(e->name)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	s->type = e->type;
	snprintf(s->source, sizeof(s->source), "%s", e->source);
	snprintf(s->fpr, sizeof(s->fpr), "%s", e->fpr);
	snprintf(s->commit, sizeof(s->commit), "%s", e->commit);
	s->digest = wot_majority_digest(e->digest, strlen(e->digest), 0);
	s->withdrawn = withdrawn;
	r->ns++;
	return 0;
}

static int is_sampled(const nb_round *r, const wot_opinion_rrset *e)
{
	for (size_t i = 0; i < r->ns; i++)
		if (r->samples[i].type == e->type &&
		    !strcasecmp(r->samples[i].name, e->name))
			return 1;
	return 0;
}

/* Withdrawn RRsets first (they must settle), then random others. */
static int pick_samples(nb_round *r, const wot_opinion_book *b,
			const char *self)
{
	size_t total = wot_opinion_book_count(b), want = r->n->o.sample;
	wot_withdrawn w[SAMPLE_MAX];
	size_t nw = wot_dns_withdraw_list(r->n->o.withdrawn, w, SAMPLE_MAX);
	int rc = 0;

	if (want > SAMPLE_MAX)
		want = SAMPLE_MAX;
	if (!(r->samples = calloc(SAMPLE_MAX, sizeof(*r->samples))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < nw && i < SAMPLE_MAX; i++) {
		const wot_opinion_rrset *e =
		    wot_opinion_book_get(b, w[i].name, w[i].type);
		/* Gone from the accepted set: nothing left to hold back, and
		 * a record published there later starts afresh. */
		if (!e)
			wot_dns_withdraw_remove(r->n->o.withdrawn, w[i].name,
						w[i].type);
		else if (!is_sampled(r, e))
			rc = sample_add(r, e, 1);
	}
	/* A few random draws; our own records are ours to decide. */
	for (size_t tries = 0;
	     rc == 0 && total && r->ns < want && tries < want * 4; tries++) {
		const wot_opinion_rrset *e =
		    wot_opinion_book_at(b, (size_t)rand() % total);
		if (!strcmp(e->source, WOT_SELF) ||
		    (self && !strcasecmp(e->fpr, self)) || is_sampled(r, e))
			continue;
		rc = sample_add(r, e, 0);
	}
	return rc;
}

/* Up to N peers, in random order. */
static void pick_peers(nb_round *r)
{
	for (size_t i = r->np; i > 1; i--) {
		size_t j = (size_t)rand() % i;
		wot_opinion_peer t = r->peers[i - 1];
		r->peers[i - 1] = r->peers[j];
		r->peers[j] = t;
	}
	if (r->np > r->n->o.neighbors)
		r->np = r->n->o.neighbors;
	/* One stack array per sample holds the views. */
	if (r->np > SAMPLE_MAX)
		r->np = SAMPLE_MAX;
}

static int load_round(nb_round *r)
{
	wot_neighbor *n = r->n;
	wot_opinion_book *b = NULL;
	int rc = wot_opinion_peers_load(n->h, &r->peers, &r->np);

	/* the last round's book gives the shards that did not change */
	if (rc == 0)
		rc = wot_opinion_book_reload(&b, n->h, n->book);
	if (rc == 0) {
		wot_opinion_book_free(n->book);
		n->book = b;
		rc = pick_samples(r, b, wot_home_config(n->h)->key);
	}
	if (rc < 0)
		return rc;
	pick_peers(r);
	if (!r->ns || !r->np)
		return 0;
	r->ans = calloc(r->ns * r->np, sizeof(*r->ans));
	r->checks = calloc(r->ns, sizeof(*r->checks));
	if (!r->ans || !r->checks)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	return 0;
}

/* ---- pool: judge ----------------------------------------------------- */

typedef struct {
	wot_home *h;
	const char *source;
} rel_ctx;

static wot_rel rel_cb(void *data, const char *source, const char *ours,
		      const char *theirs)
{
	rel_ctx *c = data;
	wot_rel rel = WOT_REL_UNKNOWN;

	(void)source;
	if (wot_sync_commit_relation(c->h, c->source, ours, theirs, &rel) < 0)
		wot_error_clear();
	return rel;
}

static void short_fpr(const char *fpr, char *out, size_t len)
{
	size_t n = strlen(fpr);
	snprintf(out, len, "%s", n > 16 ? fpr + n - 16 : fpr);
}

/* Weight events and reports of the neighbors of sample i. */
static void judge_neighbors(nb_round *r, size_t i, const int *marks)
{
	for (size_t p = 0; p < r->np; p++) {
		const nb_answer *a = &r->ans[i * r->np + p];
		if (marks[p] == WOT_MAJ_OUTLIER_N) {
			char what[128], sf[20];
			short_fpr(a->fpr[0] ? a->fpr : "?", sf, sizeof(sf));
			snprintf(what, sizeof(what),
				 "answered another view (source %s, commit "
				 "%.12s) against the majority",
				 sf, a->commit[0] ? a->commit : "?");
			add_report(r, &r->samples[i], "neighbor",
				   r->peers[p].fpr, what);
			r->st.neighbor_outliers++;
		}
		int event = wot_majority_weight_event(marks[p]);
		if (event < 0)
			continue;
		nb_event *e = &r->events[r->nevents++];
		snprintf(e->endpoint, sizeof(e->endpoint), "%s",
			 r->peers[p].endpoint);
		e->event = event;
	}
}

/* Withdraw, restore or re-sync for sample i (wot_majority_action); 1
 * when the served set changed. */
static int act(nb_round *r, size_t i, const wot_majority_result *res)
{
	nb_sample *s = &r->samples[i];
	int64_t now = (int64_t)time(NULL);
	int what_to_do = wot_majority_action(res->verdict, s->withdrawn);
	char what[128];
	int changed = 0;

	if (what_to_do == WOT_MAJ_ACT_RESYNC ||
	    what_to_do == WOT_MAJ_ACT_WITHDRAW) {
		int behind = what_to_do == WOT_MAJ_ACT_RESYNC;
		snprintf(what, sizeof(what),
			 "%u of %u neighbors (%.1f votes) hold another view: "
			 "%s",
			 res->top, res->counted, res->top_votes,
			 behind ? "re-syncing (behind)"
				: "withdrawn, re-syncing the source");
		add_report(r, s, behind ? "behind" : "self", s->fpr, what);
		behind ? r->st.behind++ : r->st.self_outlier++;
		if (!behind &&
		    wot_dns_withdraw_add(r->n->o.withdrawn, s->name, s->type,
					 now, "neighbor majority") == 1) {
			r->st.withdrawn++;
			changed = 1;
		}
		r->resync[r->nresync++] = s->source;
	} else if (what_to_do == WOT_MAJ_ACT_RESTORE &&
		   wot_dns_withdraw_remove(r->n->o.withdrawn, s->name,
					   s->type)) {
		add_report(r, s, "restored", s->fpr,
			   "no majority against us any more: served again");
		r->st.restored++;
		changed = 1;
	}
	return changed;
}

static void judge_one(nb_round *r, size_t i)
{
	nb_sample *s = &r->samples[i];
	wot_view self = {.peer = NULL,
			 .answered = 1,
			 .source = s->fpr,
			 .commit = s->commit,
			 .digest = s->digest,
			 .weight = 1};
	wot_view v[SAMPLE_MAX];
	int marks[SAMPLE_MAX];
	wot_majority_result res;
	rel_ctx rc = {r->n->h, s->source};
	wot_majority_input in = {.self = &self,
				 .ops = v,
				 .n = r->np,
				 .neighbors = r->n->o.neighbors,
				 .majority = r->n->o.majority,
				 .rel = rel_cb,
				 .data = &rc};
	nb_check *c = &r->checks[i];

	for (size_t p = 0; p < r->np; p++) {
		const nb_answer *a = &r->ans[i * r->np + p];
		/* its vote counts by the weight second opinions gave it */
		wot_view x = {.peer = r->peers[p].fpr,
			      .answered = a->answered,
			      .none = a->none,
			      .source = a->fpr,
			      .commit = a->commit,
			      .digest = a->digest,
			      .weight = r->peers[p].weight};
		v[p] = x;
		c->answered += a->answered;
	}
	if (wot_majority_decide(&in, &res, marks) < 0)
		return;
	c->time = (int64_t)time(NULL);
	snprintf(c->name, sizeof(c->name), "%s", s->name);
	c->type = s->type;
	c->verdict = res.verdict;
	c->asked = (unsigned)r->np;
	c->counted = res.counted;
	c->agree = res.agree;
	c->lagging = res.lagging;
	c->top = res.top;
	c->needed = res.needed;
	c->ours_votes = res.ours_votes;
	c->top_votes = res.top_votes;
	if (res.counted > res.agree)
		r->st.disagreements++;
	judge_neighbors(r, i, marks);
	r->changed |= act(r, i, &res);
}

static int judge_round(nb_round *r)
{
	r->events = calloc(r->ns * r->np + 1, sizeof(*r->events));
	r->resync = calloc(r->ns + 1, sizeof(*r->resync));
	if (!r->events || !r->resync)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	r->changed = wot_neighbor_fetch_claims(r);
	for (size_t i = 0; i < r->ns; i++)
		judge_one(r, i);
	return 0;
}

static void on_work(uv_work_t *req)
{
	nb_round *r = req->data;
	int rc = r->phase == PH_LOAD ? load_round(r) : judge_round(r);

	if (rc < 0)
		snprintf(r->err, sizeof(r->err), "%s", wot_error_last());
}

/* ---- loop ------------------------------------------------------------ */

static void maybe_free(wot_neighbor *n)
{
	wot_closer k = n->closer;

	if (n->closer.live || n->working)
		return;
	round_free(n->round);
	wot_opinion_book_free(n->book);
	free(n);
	wot_closer_end(&k);
}

/* "n3.wot." of "www.n3.wot." (escaped dots are rare enough here). */
static const char *last_labels(const char *name)
{
	size_t len = strlen(name), dots = 0;

	for (size_t i = len; i-- > 0;)
		if (name[i] == '.' && i + 1 < len && ++dots == 2)
			return name + i + 1;
	return name;
}

static void tally(wot_neighbor *n, const nb_report *p)
{
	char key[340];

	if (strcmp(p->kind, "neighbor") && strcmp(p->kind, "self"))
		return;
	if (!strcmp(p->kind, "neighbor"))
		snprintf(key, sizeof(key), "neighbor:%s:%s", p->who,
			 last_labels(p->name));
	else
		snprintf(key, sizeof(key), "self:%s", p->name);
	for (size_t i = 0; i < n->ntally; i++)
		if (!strcmp(n->tally[i].key, key)) {
			n->tally[i].count++;
			return;
		}
	if (n->ntally == KEEP_TALLY)
		return; /* the counters still count them */
	snprintf(n->tally[n->ntally].key, sizeof(n->tally[0].key), "%s", key);
	n->tally[n->ntally++].count = 1;
}

static void keep_results(wot_neighbor *n, nb_round *r)
{
	for (size_t i = 0; r->checks && i < r->ns; i++) {
		if (!r->checks[i].time)
			continue;
		n->checks[n->check_pos] = r->checks[i];
		n->check_pos = (n->check_pos + 1) % KEEP_CHECKS;
		n->nchecks += n->nchecks < KEEP_CHECKS;
		n->st.checks++;
	}
	for (size_t i = 0; i < r->nreports; i++) {
		const nb_report *p = &r->reports[i];
		char tn[16];
		wot_log(WOT_LOG_WARNING, "dns", "neighbors: %s %s/%s: %s %s",
			p->kind, p->name, wot_dns_type_name(p->type, tn),
			p->who, p->what);
		tally(n, p);
		n->reports[n->report_pos] = *p;
		n->report_pos = (n->report_pos + 1) % KEEP_REPORTS;
		n->nreports += n->nreports < KEEP_REPORTS;
	}
}

static void stats_add(nb_stats *sum, const nb_stats *s)
{
	sum->disagreements += s->disagreements;
	sum->self_outlier += s->self_outlier;
	sum->behind += s->behind;
	sum->neighbor_outliers += s->neighbor_outliers;
	sum->withdrawn += s->withdrawn;
	sum->restored += s->restored;
}

/* Weights live with the second opinions' peers (one file, one
 * writer). */
static void give_events(wot_neighbor *n, nb_round *r)
{
	const char **eps;
	int *ev;

	if (!r->nevents || !n->o.peer_events)
		return;
	eps = calloc(r->nevents, sizeof(*eps));
	ev = calloc(r->nevents, sizeof(*ev));
	for (size_t i = 0; eps && ev && i < r->nevents; i++) {
		eps[i] = r->events[i].endpoint;
		ev[i] = r->events[i].event;
	}
	if (eps && ev)
		n->o.peer_events(n->o.data, eps, ev, r->nevents);
	free(eps);
	free(ev);
}

/* The sources we are outliers or behind on decide what the table holds
 * next: the daemon syncs them and recomputes (withdrawals alone leave the
 * accepted set as it is: a recompute of the same generation). */
static void ask_daemon(wot_neighbor *n, nb_round *r)
{
	const wot_peer_requests *q = &n->o.req;

	if (r->nresync && q->sync) {
		n->st.resyncs += r->nresync;
		q->sync(q->data, r->resync, r->nresync, WOT_PEER_WHY_NEIGHBORS);
	} else if (r->changed && q->recompute) {
		q->recompute(q->data, WOT_PEER_WHY_NEIGHBORS);
	}
}

static void round_end(wot_neighbor *n, nb_round *r)
{
	int soon = wot_dns_withdraw_list(n->o.withdrawn, NULL, 0) > 0;

	n->round = NULL;
	if (r->err[0]) {
		n->st.errors++;
		wot_log(WOT_LOG_WARNING, "dns", "neighbors: %s", r->err);
	}
	keep_results(n, r);
	stats_add(&n->st, &r->st);
	give_events(n, r);
	ask_daemon(n, r);
	round_free(r);
	arm(n, soon);
}

static void after_work(uv_work_t *req, int status)
{
	nb_round *r = req->data;
	wot_neighbor *n = r->n;

	n->working = 0;
	if (n->closer.closing || status == UV_ECANCELED) {
		maybe_free(n);
		return;
	}
	if (r->phase == PH_LOAD && !r->err[0] && r->ans) {
		ask_all(r);
		return;
	}
	round_end(n, r);
}

static void queue(nb_round *r, int phase)
{
	r->phase = phase;
	r->req.data = r;
	r->n->working = 1;
	uv_queue_work(r->n->loop, &r->req, on_work, after_work);
}

static void parse_answer(nb_answer *a, const uint8_t *pkt, size_t len)
{
	nb_round *r = a->r;
	const nb_sample *s = &r->samples[a->s];
	wot_opinion_reply rep;

	if (wot_opinion_reply_parse(pkt, len, a->id, s->name, s->type, &rep) <
	    0) {
		wot_error_clear();
		return; /* not an answer: as silent as a timeout */
	}
	if (rep.rcode == 0 && !rep.truncated) {
		a->answered = 1;
		a->none = rep.none || !rep.digest;
		snprintf(a->fpr, sizeof(a->fpr), "%s", rep.fpr);
		snprintf(a->commit, sizeof(a->commit), "%s", rep.commit);
		if (rep.digest)
			a->digest = wot_majority_digest(rep.digest,
							strlen(rep.digest), 0);
	}
	wot_opinion_reply_dispose(&rep);
}

/* A question settled; the last one starts the judging. */
static void one_done(nb_round *r)
{
	if (--r->pending == 0 && !r->n->closer.closing)
		queue(r, PH_JUDGE);
}

static void on_answer(void *data, const uint8_t *pkt, size_t len, uint16_t id)
{
	nb_answer *a = data;
	nb_round *r = a->r;
	wot_neighbor *n = r->n;

	(void)id;
	if (pkt) {
		n->st.answers++;
		parse_answer(a, pkt, len);
	} else {
		n->st.timeouts++;
	}
	one_done(r);
}

static void ask_all(nb_round *r)
{
	wot_neighbor *n = r->n;
	uint8_t q[WOT_OPINION_UDP_MAX];
	size_t qlen;

	r->pending = 1; /* held until every question is out */
	for (size_t s = 0; s < r->ns; s++)
		for (size_t p = 0; p < r->np; p++) {
			nb_answer *a = &r->ans[s * r->np + p];
			a->r = r;
			a->s = s;
			a->p = p;
			a->id = (uint16_t)(n->next_id++ ^ (uint16_t)rand());
			if (wot_opinion_query_record(
				q, sizeof(q), a->id, r->samples[s].name,
				r->samples[s].type, &qlen) < 0 ||
			    wot_opinion_ask(n->asker, r->peers[p].endpoint, q,
					    qlen, n->o.timeout_ms, on_answer,
					    a) < 0) {
				wot_error_clear();
				continue;
			}
			r->pending++;
			n->st.questions++;
		}
	one_done(r);
}

static void on_timer(uv_timer_t *t)
{
	wot_neighbor *n = t->data;
	nb_round *r;

	if (n->round || n->closer.closing)
		return;
	if (!(r = calloc(1, sizeof(*r)))) {
		arm(n, 0);
		return;
	}
	r->n = n;
	n->round = r;
	n->st.rounds++;
	queue(r, PH_LOAD);
}

/* The next round after interval +-20% (a quarter of it while something
 * is withdrawn, so it settles soon). */
uint64_t wot_neighbor_round_ms(unsigned interval_s, int soon, unsigned draw)
{
	uint64_t ms = (uint64_t)interval_s * 1000;

	if (!ms)
		return 0;
	ms = ms * (80 + (uint64_t)(draw % 41)) / 100;
	if (soon)
		ms /= 4;
	return ms ? ms : 1;
}

static void arm(wot_neighbor *n, int soon)
{
	uint64_t ms =
	    wot_neighbor_round_ms(n->o.interval_s, soon, (unsigned)rand());

	if (n->closer.closing || !ms)
		return;
	uv_timer_start(&n->timer, on_timer, ms, 0);
}

int wot_neighbor_start(wot_neighbor **out, uv_loop_t *loop, wot_home *h,
		       const wot_neighbor_opts *o)
{
	wot_neighbor *n = calloc(1, sizeof(*n));
	int rc;

	*out = NULL;
	if (!n)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	n->loop = loop;
	n->clock = o->clock ? *o->clock : wot_net_loop_clock(loop);
	n->h = h;
	n->o = *o;
	n->o.clock = NULL; /* copied above */
	if (!n->o.timeout_ms)
		n->o.timeout_ms = 2000;
	n->o.majority = wot_majority_clamp(n->o.neighbors, n->o.majority);

	if ((rc = wot_opinion_asker_new(&n->asker, loop)) < 0) {
		free(n);
		return rc;
	}
	wot_opinion_asker_from_prop(n->asker, o->prop);
	uv_timer_init(loop, &n->timer);
	n->timer.data = n;
	n->closer.live = 1;
	arm(n, 0);
	*out = n;
	return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
	wot_neighbor *n = h->data;

	n->closer.live = 0;
	maybe_free(n);
}

void wot_neighbor_close(wot_neighbor *n, void (*cb)(void *data), void *data)
{
	if (!n) {
		if (cb)
			cb(data);
		return;
	}
	if (!wot_closer_begin(&n->closer, cb, data))
		return;
	wot_opinion_asker_close(n->asker, NULL, NULL);
	n->asker = NULL;
	if (n->working)
		uv_cancel((uv_req_t *)&n->round->req);
	uv_close((uv_handle_t *)&n->timer, on_timer_closed);
}
