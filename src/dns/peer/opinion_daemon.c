/*
 * opinion_daemon.c - second opinions in `wotdns serve` (docs/design.md,
 * "Second opinions").
 *
 * After every recompute the new accepted set is loaded as a book on the
 * thread pool; the peer listeners answer from it. Each RRset that is new
 * or changed (compared with the previous book) is checked: k known peers,
 * chosen at random by weight and not all discovered through one source,
 * are asked in parallel; a peer that does not answer within the timeout
 * is replaced by another. Answers are judged by source commit: on the
 * loop when the peer holds our commit, else on the pool with git
 * (opinion_verify.c: is the claim behind or ahead of our verified head,
 * does its content match, can it be fetched from the URLs the peer
 * announces). Results go to
 * state/opinions.json and the peers' weights to state/peers.json.
 */
#include "dns/resolver/resolver.h"
#include "dns/peer/peer.h"
#include "trust/majority.h"
#include "trust/verdict.h"
#include "dns/peer/opinion_int.h"
#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	MAX_CHECKS = 64,       /* checks started per new accepted set */
	HISTORY = 256,	       /* checks kept in state/opinions.json */
	HOLD_GRACE_MS = 500,   /* hold: how long past the timeouts */
	RECHECK_MS = 15000,    /* a lagging peer is asked again after this */
	UNPLACED_TRIES = 3,    /* verifications after the first one */
	HEADQ_MAX = 64,	       /* head questions in flight or unread */
	HEADQ_STALE_MS = 60000 /* an unread answer is dropped after this */
};

/* A head question about the source of an unplaced claim (its check may
 * end before the answer comes: the answer waits here, matched by serial,
 * and the verification copies it into the check on the loop). */
enum { HQ_FREE = 0, HQ_PENDING, HQ_DONE };
typedef struct {
	struct wot_opinions *o;
	int state, answered;
	uint64_t serial, at;
	uint16_t id;
	char qname[2 * WOT_FPR_MAX];
	wot_opinion_head_ans ans;
} head_q;

/* Delays before verifying an unplaced claim again (docs/design.md). */
static const unsigned unplaced_ms[UNPLACED_TRIES] = {2000, 5000, 10000};

typedef wot_opinion_slot slot;
typedef wot_opinion_check check;

enum { JOB_REFRESH, JOB_VERIFY, JOB_SAVE };

typedef struct job {
	uv_work_t req;
	struct wot_opinions *o;
	struct job *next;
	int kind;
	/* refresh */
	wot_opinion_book *book;
	wot_opinion_peer *peers;
	size_t npeers;
	/* verify */
	check *c;
	int synced, final;
	wot_dns_table *table; /* refresh: without the withdrawn RRsets */
	json_t *withdrawn;    /* refresh: in and out */
	int first;
	/* save */
	char *opinions, *peersjson;
	int rc;
	char err[512];
} job;

struct wot_opinions {
	uv_loop_t *loop;
	wot_home *h;
	wot_prop *prop;
	wot_peer_requests req; /* the daemon: serve, recompute, sync_now */
	unsigned k, timeout_ms;
	int hold;
	int answering; /* a peer listener answers questions from the book */
	wot_opinion_book *book;
	wot_opinion_peer *peers;
	size_t npeers;
	wot_opinion_asker *asker;
	wot_trust *trust; /* pool side, opened on first need */
	job *running, *queue;
	check *checks; /* in flight */
	size_t inflight;
	size_t settled;	     /* of them, those k opinions agree with already */
	wot_dns_table *held; /* policy hold: waits for the checks */
	uv_timer_t hold_timer, recheck_timer, unplaced_timer;
	check *rechecks;
	check *unplaced;   /* waiting to verify their claims again */
	json_t *history;   /* array of finished checks, newest last */
	json_t *withdrawn; /* "name/type" -> source: failed checks */
	int refresh_again; /* a failed check wants a filtered table */
	uint64_t n_checks, n_agree, n_disagree, n_lies, n_lagging, n_ahead,
	    n_equivocations, n_syncs, n_unanswered, n_unplaced;
	head_q hq[HEADQ_MAX];
	uint64_t n_head_questions, n_head_answers;
	int64_t last_check;
	int closing, live, dirty;
	void (*close_cb)(void *data);
	void *close_data;
};

/* ---- pool side -------------------------------------------------------- */

static int write_state(wot_home *h, const char *rel, const char *text)
{
	char *path = wot_home_path(h, rel);
	int rc = path && text ? wot_file_write_atomic(path, text, strlen(text))
			      : wot_error_set(WOT_ENOMEM, "out of memory");

	free(path);
	return rc;
}

static int suspended(wot_home *h, const char *source)
{
	char *text = NULL;
	json_t *o;
	int s = 0;

	if (wot_evidence_json(h, source, &text) == 0 &&
	    (o = json_loads(text, 0, NULL))) {
		s = json_is_true(json_object_get(o, "suspended"));
		json_decref(o);
	}
	wot_error_clear();
	free(text);
	return s;
}

static int skip_withdrawn(void *ctx, const wot_opinion_rrset *s)
{
	char key[300];

	snprintf(key, sizeof(key), "%s/%u", s->name, (unsigned)s->type);
	return json_object_get(ctx, key) != NULL;
}

/* The withdrawn set saved by the previous run. */
static json_t *load_withdrawn(wot_home *h)
{
	char *path = wot_home_path(h, "state/opinions.json"), *text = NULL;
	json_t *doc = NULL, *w;

	if (path && wot_file_read(path, 64 << 20, &text, NULL) == 0)
		doc = json_loads(text, 0, NULL);
	wot_error_clear();
	w = json_object_get(doc, "withdrawn");
	w = json_is_object(w) ? json_deep_copy(w) : json_object();
	json_decref(doc);
	free(text);
	free(path);
	return w;
}

/*
 * Records withdrawn after a failed check stay withdrawn while their
 * source is suspended (`wotdns source trust-again` brings them back);
 * the table to serve then leaves them out.
 */
static int refresh_withdrawn(job *j)
{
	wot_home *h = j->o->h;
	const char *key;
	json_t *v, *keep = json_object();
	void *tmp;
	int rc;

	if (j->first) {
		json_decref(j->withdrawn);
		j->withdrawn = load_withdrawn(h);
	}
	json_object_foreach_safe(j->withdrawn, tmp, key, v)
	{
		if (json_is_string(v) && suspended(h, json_string_value(v)))
			json_object_set(keep, key, v);
	}
	json_decref(j->withdrawn);
	j->withdrawn = keep;
	if (!json_object_size(keep))
		return 0;
	json_object_foreach(keep, key, v)
	{
		/* the book is still ours alone: mark, so peers hear "none" */
		const char *slash = strrchr(key, '/');
		char name[1100];
		if (!slash || (size_t)(slash - key) >= sizeof(name))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(slash - key), key);
		if ((rc = wot_opinion_book_withdraw(
			 j->book, name, (uint16_t)atoi(slash + 1))) < 0)
			return rc;
	}
	return wot_opinion_book_table(j->book, skip_withdrawn, keep, &j->table);
}

static void on_work(uv_work_t *req)
{
	job *j = req->data;
	wot_opinions *o = j->o;

	j->rc = 0;
	if (j->kind == JOB_REFRESH) {
		j->rc = wot_opinion_peers_load(o->h, &j->peers, &j->npeers);
		if (j->rc == 0 && !o->answering && (!o->k || !j->npeers))
			j->rc = wot_opinion_book_empty(&j->book);
		else if (j->rc == 0)
			/* o->book is only replaced on the loop between jobs */
			j->rc =
			    wot_opinion_book_reload(&j->book, o->h, o->book);
		if (j->rc == 0)
			j->rc = refresh_withdrawn(j);
	} else if (j->kind == JOB_VERIFY) {
		wot_opinion_verify_ctx v = {.h = o->h,
					    .trust = &o->trust,
					    .req = &o->req,
					    .peers = o->peers,
					    .npeers = o->npeers,
					    .final = j->final};

		wot_opinion_verify(&v, j->c);
		j->synced = v.synced;
	} else {
		j->rc = write_state(o->h, "state/opinions.json", j->opinions);
		if (j->rc == 0)
			j->rc =
			    write_state(o->h, "state/peers.json", j->peersjson);
	}
	if (j->rc < 0)
		snprintf(j->err, sizeof(j->err), "%s", wot_error_last());
}

/* ---- loop side -------------------------------------------------------- */

static void run_next(wot_opinions *o);
static void start_check(wot_opinions *o, check *c);
static void check_free(check *c);

static void maybe_free(wot_opinions *o)
{
	void (*cb)(void *) = o->close_cb;
	void *data = o->close_data;

	if (!o->closing || o->live > 0)
		return;
	while (o->checks) {
		check *c = o->checks;
		o->checks = c->next;
		check_free(c);
	}
	while (o->rechecks) {
		check *c = o->rechecks;
		o->rechecks = c->next;
		check_free(c);
	}
	while (o->unplaced) {
		check *c = o->unplaced;
		o->unplaced = c->next;
		check_free(c);
	}
	wot_dns_table_free(o->held);
	wot_opinion_book_free(o->book);
	wot_trust_free(o->trust);
	json_decref(o->history);
	json_decref(o->withdrawn);
	free(o->peers);
	free(o);
	if (cb)
		cb(data);
}

static void job_free(job *j)
{
	wot_opinion_book_free(j->book);
	json_decref(j->withdrawn);
	free(j->peers);
	wot_dns_table_free(j->table);
	free(j->opinions);
	free(j->peersjson);
	free(j);
}

static void on_done(uv_work_t *req, int status);

static void enqueue(wot_opinions *o, job *j)
{
	job **p = &o->queue;

	j->o = o;
	j->req.data = j;
	while (*p)
		p = &(*p)->next;
	*p = j;
	run_next(o);
}

/* One job at a time: they share the home lock anyway. */
static void run_next(wot_opinions *o)
{
	job *j = o->queue;

	if (o->running || !j || o->closing)
		return;
	o->queue = j->next;
	j->next = NULL;
	if (uv_queue_work(o->loop, &j->req, on_work, on_done) < 0) {
		job_free(j);
		return;
	}
	o->running = j;
	o->live++;
}

static void check_free(check *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nslots; i++)
		wot_opinion_reply_dispose(&c->slots[i].r);
	free(c->name);
	free(c->digest);
	free(c);
}

static void save_state(wot_opinions *o)
{
	job *j;
	json_t *doc;

	if (!o->dirty || o->closing || !(j = calloc(1, sizeof(*j))))
		return;
	o->dirty = 0;
	doc = json_pack("{s:i,s:I,s:O,s:O}", "version", 1, "generated",
			(json_int_t)time(NULL), "checks", o->history,
			"withdrawn", o->withdrawn);
	j->kind = JOB_SAVE;
	j->opinions = doc ? json_dumps(doc, JSON_INDENT(1)) : NULL;
	j->peersjson = wot_opinion_peers_json(o->peers, o->npeers);
	json_decref(doc);
	enqueue(o, j);
}

/* Policy hold: the new table waits until its checks are done. */
static void release_held(wot_opinions *o)
{
	wot_dns_table *t = o->held;

	if (!t)
		return;
	o->held = NULL;
	uv_timer_stop(&o->hold_timer);
	o->req.serve(o->req.data, t, 0);
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

/* What other peers said their head of c's source is. */
static json_t *heads_json(wot_opinions *o, const check *c)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c->nheads; i++) {
		const wot_opinion_head_ans *h = &c->heads[i];
		json_array_append_new(
		    a, json_pack("{s:s,s:s,s:s}", "peer",
				 o->peers[h->peer].endpoint, "peer_source",
				 o->peers[h->peer].source, "commit",
				 h->none ? "none" : h->commit));
	}
	return a;
}

static json_t *check_json(wot_opinions *o, const check *c)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c->nslots; i++) {
		const slot *s = &c->slots[i];
		const wot_opinion_peer *p = &o->peers[s->peer];
		json_array_append_new(
		    a, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:f}", "peer",
				 p->endpoint, "peer_source", p->source,
				 "verdict", s->verdict ? s->verdict : "?",
				 "commit", s->r.commit, "source", s->r.fpr,
				 "note", s->note, "weight", p->weight));
	}
	return json_pack("{s:s,s:i,s:s,s:s,s:s,s:I,s:o,s:o}", "name", c->name,
			 "type", (int)c->type, "source", c->source, "fpr",
			 c->fpr, "commit", c->commit, "time",
			 (json_int_t)c->time, "answers", a, "heads",
			 heads_json(o, c));
}

static void on_recheck(uv_timer_t *t);

/* Policy serve: what a failed check caught stops being served. */
static void withdraw(wot_opinions *o, const check *c)
{
	char key[300], tn[16];

	snprintf(key, sizeof(key), "%s/%u", c->name, (unsigned)c->type);
	if (json_object_get(o->withdrawn, key))
		return;
	json_object_set_new(o->withdrawn, key, json_string(c->source));
	wot_log(WOT_LOG_WARNING, "dns",
		"opinions: withdrawing %s/%s from %s after a failed check",
		c->name, wot_dns_type_name(c->type, tn), c->source);
	o->refresh_again = 1;
}

/* Out of the in-flight list (a job or the history owns it now). */
static void unlink_check(wot_opinions *o, check *c)
{
	check **p;

	for (p = &o->checks; *p && *p != c; p = &(*p)->next)
		;
	if (*p)
		*p = c->next;
	c->next = NULL;
}

static void on_unplaced(uv_timer_t *t);

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
		release_held(o);
	}
}

/* Arm the timer for the earliest unplaced check. */
static void arm_unplaced(wot_opinions *o)
{
	uint64_t now = uv_now(o->loop), due = UINT64_MAX;

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
	h->at = uv_now(h->o->loop);
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
	uint64_t now = uv_now(o->loop);

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
			h->id = (uint16_t)uv_hrtime();
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
static int wait_unplaced(wot_opinions *o, check *c)
{
	int any = 0;

	for (size_t i = 0; i < c->nslots; i++)
		any |= !strcmp(c->slots[i].verdict, "unplaced");
	if (!any || o->closing || c->attempts >= UNPLACED_TRIES)
		return 0;
	o->n_unplaced++;
	if (!c->attempts)
		ask_heads(o, c);
	if (!c->attempts) { /* shown while it waits; the verdict follows */
		json_array_append_new(o->history, check_json(o, c));
		while (json_array_size(o->history) > HISTORY)
			json_array_remove(o->history, 0);
		o->dirty = 1;
		save_state(o);
	}
	c->due = uv_now(o->loop) + unplaced_ms[c->attempts];
	c->attempts++;
	unlink_check(o, c);
	c->next = o->unplaced;
	o->unplaced = c;
	arm_unplaced(o);
	return 1;
}

static void on_unplaced(uv_timer_t *t)
{
	wot_opinions *o = t->data;
	uint64_t now = uv_now(o->loop);
	check **p = &o->unplaced;

	while (*p && !o->closing) {
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
		enqueue(o, j);
	}
	arm_unplaced(o);
}

static void finish_check(wot_opinions *o, check *c)
{
	int disagree = 0, lagging = 0;
	char tn[16];

	settle(o, c);
	if (wait_unplaced(o, c))
		return;

	for (size_t i = 0; i < c->nslots; i++) {
		slot *s = &c->slots[i];
		weigh(&o->peers[s->peer], s->verdict);
		count(o, s->verdict, &disagree);
		lagging |= !strcmp(s->verdict, "lagging");
		if (!strcmp(s->verdict, "equivocation"))
			withdraw(o, c);
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
	json_array_append_new(o->history, check_json(o, c));
	while (json_array_size(o->history) > HISTORY)
		json_array_remove(o->history, 0);
	o->dirty = 1;
	unlink_check(o, c);
	o->inflight--;
	o->settled -= c->settled;
	c->settled = 0;
	if (lagging && !c->rechecked && !o->closing) {
		/* ask again later: by then the peer should have caught up */
		c->next = o->rechecks;
		o->rechecks = c;
		if (!uv_is_active((uv_handle_t *)&o->recheck_timer))
			uv_timer_start(&o->recheck_timer, on_recheck,
				       RECHECK_MS, 0);
	} else {
		check_free(c);
	}
	/* a withdrawal first: the held table must not serve what it drops */
	if (o->held && o->inflight == o->settled && !o->refresh_again) {
		wot_log(WOT_LOG_NOTICE, "dns",
			"opinions: serving the new records (every check done "
			"or agreed)");
		release_held(o);
	}
	save_state(o);
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
		finish_check(o, c);
		return;
	}
	j->kind = JOB_VERIFY;
	j->c = c;
	unlink_check(o, c);
	enqueue(o, j);
}

static int pick_peer(wot_opinions *o, check *c);

static void ask_slot(wot_opinions *o, check *c, int peer);

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
		s->id = (uint16_t)uv_hrtime();
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
		check_free(c);
		return;
	}
	c->next = o->checks;
	o->checks = c;
	o->inflight++;
}

static uint64_t serials; /* loop thread only */

static check *new_check(const wot_opinion_rrset *s)
{
	check *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->name = strdup(s->name);
	c->digest = strdup(s->digest ? s->digest : "");
	if (!c->name || !c->digest) {
		check_free(c);
		return NULL;
	}
	c->type = s->type;
	c->serial = ++serials;
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
	if ((c = new_check(s))) {
		start_check(x->o, c);
		x->started++;
	}
}

/* Ask about every RRset of nb that ob did not hold the same (only the
 * shards whose files changed are looked at). */
static void check_changes(wot_opinions *o, const wot_opinion_book *ob,
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
	while (list && !o->closing) {
		check *c = list, *n;
		const wot_opinion_rrset *s =
		    wot_opinion_book_get(o->book, c->name, c->type);
		list = c->next;
		n = s && s->source ? new_check(s) : NULL;
		check_free(c);
		if (n) {
			n->rechecked = 1;
			start_check(o, n);
		}
	}
}

/* Keep the weights earned in this run for peers still known. */
static void merge_peers(wot_opinions *o, wot_opinion_peer *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < o->npeers; k++)
			if (!strcmp(v[i].endpoint, o->peers[k].endpoint)) {
				v[i] = o->peers[k];
				break;
			}
}

static void refresh_done(wot_opinions *o, job *j)
{
	wot_opinion_book *old = o->book;

	/* Checks in flight index the old list: let them end first. */
	if (!o->inflight) {
		merge_peers(o, j->peers, j->npeers);
		free(o->peers);
		o->peers = j->peers;
		o->npeers = j->npeers;
		j->peers = NULL;
	}
	o->book = j->book;
	j->book = NULL;
	json_decref(o->withdrawn);
	o->withdrawn = j->withdrawn;
	j->withdrawn = NULL;
	if (j->table) { /* without the withdrawn RRsets */
		if (o->held) {
			wot_dns_table_free(o->held);
			o->held = j->table;
		} else {
			o->req.serve(o->req.data, j->table, 0);
		}
		j->table = NULL;
	}
	if (old && o->k && o->npeers)
		check_changes(o, old, o->book);
	else if (!old)
		wot_log(WOT_LOG_INFO, "dns",
			"opinions: %zu RRsets accepted, %zu known peers",
			wot_opinion_book_count(o->book), o->npeers);
	wot_opinion_book_free(old);
	if (o->inflight == o->settled)
		release_held(o);
}

static void on_done(uv_work_t *req, int status)
{
	job *j = req->data;
	wot_opinions *o = j->o;

	o->live--;
	o->running = NULL;
	if (status == 0 && j->rc < 0)
		wot_log(WOT_LOG_WARNING, "dns", "opinions: %s", j->err);
	if (status == 0 && !o->closing) {
		if (j->kind == JOB_REFRESH && j->rc == 0)
			refresh_done(o, j);
		if (j->kind == JOB_VERIFY) {
			o->n_syncs += j->synced;
			finish_check(o, j->c);
			/* a peer was ahead and the source synced: the daemon
			 * serves the recomputed set, then we look again */
			if (j->synced && o->req.recompute)
				o->req.recompute(o->req.data,
						 WOT_PEER_WHY_OPINION);
		}
	} else if (j->kind == JOB_VERIFY) {
		check_free(j->c);
	}
	job_free(j);
	run_next(o);
	maybe_free(o);
}

static void on_hold_timeout(uv_timer_t *t)
{
	wot_opinions *o = t->data;

	wot_log(WOT_LOG_NOTICE, "dns",
		"opinions: serving the new records (checks took longer than "
		"the timeout)");
	release_held(o);
}

void wot_opinions_offer(wot_opinions *o, wot_dns_table *t)
{
	job *j;

	if (o->closing) {
		wot_dns_table_free(t);
		return;
	}
	if (t && o->hold && o->k) {
		wot_dns_table_free(o->held); /* a newer set replaces it */
		o->held = t;
		uv_timer_start(&o->hold_timer, on_hold_timeout,
			       3ull * o->timeout_ms + HOLD_GRACE_MS, 0);
	} else if (t) {
		o->req.serve(o->req.data, t, 0);
	}
	if (!(j = calloc(1, sizeof(*j))))
		return;
	j->kind = JOB_REFRESH;
	j->first = !o->book && !o->queue && !o->running;
	j->withdrawn = json_deep_copy(o->withdrawn);
	enqueue(o, j);
}

static size_t answer(void *data, const uint8_t *pkt, size_t len, uint8_t *out,
		     size_t cap)
{
	wot_opinions *o = data;

	return wot_opinion_answer(o->book, pkt, len, out, cap,
				  wot_opinion_lie_mode());
}

/* 1 if prop listens for peers (then the book must be loaded even with
 * nobody to ask). */
static int has_listener(const wot_prop *prop)
{
	char addr[80];
	int yes = wot_prop_bound(prop, 0, addr, sizeof(addr)) == 0;

	wot_error_clear();
	return yes;
}

int wot_opinions_start(wot_opinions **out, uv_loop_t *loop, wot_home *h,
		       const wot_opinions_opts *oo)
{
	wot_prop *prop = oo->prop;
	const wot_config *cfg = wot_home_config(h);
	wot_opinions *o = calloc(1, sizeof(*o));
	int rc;

	*out = NULL;
	if (!o || !(o->history = json_array()) ||
	    !(o->withdrawn = json_object())) {
		if (o)
			json_decref(o->history);
		free(o);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	/* Each daemon its own order of peers (and of test lies). */
	srand((unsigned)(uv_hrtime() ^ (uint64_t)uv_os_getpid()));
	o->loop = loop;
	o->h = h;
	o->prop = prop;
	o->req = oo->req;
	o->k = cfg->opinion_k;
	o->timeout_ms = cfg->opinion_timeout_ms ? cfg->opinion_timeout_ms : 1;
	o->hold = cfg->opinion_policy && !strcmp(cfg->opinion_policy, "hold");
	if ((rc = wot_opinion_asker_new(&o->asker, loop)) < 0) {
		json_decref(o->history);
		json_decref(o->withdrawn);
		free(o);
		return rc;
	}
	uv_timer_init(loop, &o->hold_timer);
	uv_timer_init(loop, &o->recheck_timer);
	uv_timer_init(loop, &o->unplaced_timer);
	o->hold_timer.data = o->recheck_timer.data = o;
	o->unplaced_timer.data = o;
	o->live = 4; /* asker and three timers */
	wot_prop_on_query(prop, answer, o);
	o->answering = has_listener(prop);
	wot_opinion_asker_from_prop(o->asker, prop);
	wot_opinions_offer(o, NULL); /* the first book */
	*out = o;
	return 0;
}

json_t *wot_opinions_status(const wot_opinions *o)
{
	json_t *peers = json_array();
	wot_opinion_ask_stats st;

	if (!o)
		return json_null();
	wot_opinion_asker_stats(o->asker, &st);
	for (size_t i = 0; i < o->npeers; i++)
		json_array_append_new(
		    peers,
		    json_pack("{s:s,s:s,s:f,s:I,s:I}", "endpoint",
			      o->peers[i].endpoint, "source",
			      o->peers[i].source, "weight", o->peers[i].weight,
			      "lies", (json_int_t)o->peers[i].lies, "asked",
			      (json_int_t)o->peers[i].asked));
	return json_pack(
	    "{s:i,s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:{s:I,s:I,"
	    "s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:I,s:o}",
	    "k", (int)o->k, "policy", o->hold ? "hold" : "serve", "in_flight",
	    (int)o->inflight, "checks", (json_int_t)o->n_checks, "last_check",
	    (json_int_t)o->last_check, "agree", (json_int_t)o->n_agree,
	    "lagging", (json_int_t)o->n_lagging, "ahead",
	    (json_int_t)o->n_ahead, "disagreements", (json_int_t)o->n_disagree,
	    "lies", (json_int_t)o->n_lies, "equivocations",
	    (json_int_t)o->n_equivocations, "syncs", (json_int_t)o->n_syncs,
	    "unanswered", (json_int_t)o->n_unanswered, "questions", "sent",
	    (json_int_t)st.sent, "answered", (json_int_t)st.answered,
	    "timeouts", (json_int_t)st.timeouts, "bytes_out",
	    (json_int_t)st.bytes_out, "bytes_in", (json_int_t)st.bytes_in,
	    "tcp", (json_int_t)st.tcp, "tcp_failed", (json_int_t)st.tcp_failed,
	    "heads", (json_int_t)o->n_head_questions, "heads_answered",
	    (json_int_t)o->n_head_answers, "unplaced",
	    (json_int_t)o->n_unplaced, "peers", peers);
}

static void on_part_closed(void *data)
{
	wot_opinions *o = data;

	o->live--;
	maybe_free(o);
}

static void on_timer_closed(uv_handle_t *h)
{
	on_part_closed(h->data);
}

void wot_opinions_close(wot_opinions *o, void (*cb)(void *data), void *data)
{
	if (!o || o->closing)
		return;
	o->closing = 1;
	o->close_cb = cb;
	o->close_data = data;
	while (o->queue) {
		job *j = o->queue;
		o->queue = j->next;
		if (j->kind == JOB_VERIFY)
			check_free(j->c);
		job_free(j);
	}
	wot_prop_on_query(o->prop, NULL, NULL);
	wot_opinion_asker_close(o->asker, on_part_closed, o);
	uv_close((uv_handle_t *)&o->hold_timer, on_timer_closed);
	uv_close((uv_handle_t *)&o->recheck_timer, on_timer_closed);
	uv_close((uv_handle_t *)&o->unplaced_timer, on_timer_closed);
}

void wot_opinions_peer_events(wot_opinions *o, const char *const *endpoints,
			      const int *events, size_t n)
{
	if (!o || o->closing)
		return;
	for (size_t e = 0; e < n; e++)
		for (size_t i = 0; i < o->npeers; i++) {
			wot_opinion_peer *p = &o->peers[i];
			if (strcmp(p->endpoint, endpoints[e]))
				continue;
			p->weight = wot_weight_update(p->weight, events[e]);
			o->dirty = 1;
			break;
		}
	save_state(o);
}
